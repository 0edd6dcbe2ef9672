// slipway — OpenSSL (Debian libssl-dev, OpenSSL 3.0).
// SPDX-License-Identifier: Apache-2.0
//
// Swift imports <openssl/ssl.h> directly; this header adds only what Swift cannot import:
// function-like macros (most of them SSL_ctrl/BIO_ctrl calls with a command number) and
// option bits built by macro arithmetic.
#ifndef SLIPWAY_COPENSSL_SHIM_H
#define SLIPWAY_COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/// `SSL_CTX_set_min_proto_version` (a macro over `SSL_CTX_ctrl`); 1 on success.
static inline int slipway_SSL_CTX_set_min_proto_version(SSL_CTX *context, int version) {
    return (int)SSL_CTX_set_min_proto_version(context, version);
}

/// `SSL_CTX_set_max_proto_version` (a macro over `SSL_CTX_ctrl`); 0 means "highest supported".
static inline int slipway_SSL_CTX_set_max_proto_version(SSL_CTX *context, int version) {
    return (int)SSL_CTX_set_max_proto_version(context, version);
}

/// `SSL_set_tlsext_host_name` (a macro over `SSL_ctrl`): the SNI name; 1 on success.
static inline int slipway_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// Options every context sets: no TLS renegotiation (a 1.2 feature with a history of attacks,
/// which HTTP/1.1 does not need) and no TLS compression (CRIME). `SSL_OP_*` are built with a
/// macro, which Swift cannot import.
static inline uint64_t slipway_context_options(void) {
    return SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION;
}

#endif
