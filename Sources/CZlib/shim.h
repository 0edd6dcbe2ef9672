// slipway — zlib (Debian zlib1g-dev, zlib 1.2.13).
// Swift imports zlib.h directly; this header adds only what Swift cannot import: the
// function-like macros deflateInit2 and inflateInit2, which pass ZLIB_VERSION and
// sizeof(z_stream) so zlib can check that the header and the library agree.
#ifndef SLIPWAY_CZLIB_SHIM_H
#define SLIPWAY_CZLIB_SHIM_H
#include <zlib.h>

/// deflateInit2 for Swift (the zlib macro of the same name cannot be imported).
static inline int CZlib_deflateInit2(z_streamp strm, int level, int method, int windowBits,
                                     int memLevel, int strategy) {
    return deflateInit2(strm, level, method, windowBits, memLevel, strategy);
}

/// inflateInit2 for Swift (the zlib macro of the same name cannot be imported).
static inline int CZlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

#endif
