// zlib (Debian: zlib1g-dev), for reading the gzip-compressed IDX files.
#include <zlib.h>

// inflateInit2 is a macro that Swift cannot call; 16 + MAX_WBITS asks zlib to expect a gzip
// header and trailer (and to check the trailer's CRC-32 and length) instead of a zlib one.
static inline int czlib_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 16 + MAX_WBITS);
}
