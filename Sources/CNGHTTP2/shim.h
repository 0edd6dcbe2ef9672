// slipway — libnghttp2 (Debian libnghttp2-dev 1.52 with the Rapid Reset and CONTINUATION
// backports: nghttp2_option_set_stream_reset_rate_limit, nghttp2_option_set_max_continuations).
#ifndef SLIPWAY_CNGHTTP2_SHIM_H
#define SLIPWAY_CNGHTTP2_SHIM_H
#include <nghttp2/nghttp2.h>
#endif
