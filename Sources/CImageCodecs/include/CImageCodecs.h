// Thin C wrappers around libpng, libjpeg(-turbo) and libwebp for Pipeline's image codecs.
//
// libpng and libjpeg report errors by longjmp, which Swift cannot catch; every entry point here sets up
// the jump itself and returns 0 on success or -1 with a NUL-terminated reason in `message`.
// Decoding is two-step so the caller can refuse huge images before allocating anything:
// `*_read_size` parses only the header, then `*_decode` fills a caller-owned RGB8 buffer of exactly
// width*height*3 bytes (interleaved, row-major, no padding). Alpha is dropped; gray is replicated.
#ifndef PIVOT_CIMAGECODECS_H
#define PIVOT_CIMAGECODECS_H

#include <stddef.h>
#include <stdint.h>

/// A malloc'd byte buffer handed to Swift; release it with pivot_buffer_free.
typedef struct pivot_buffer {
    uint8_t *bytes;
    size_t count;
} pivot_buffer;

void pivot_buffer_free(pivot_buffer *buffer);

// PNG: 1/2/4/8/16-bit, gray, gray+alpha, palette, RGB, RGBA, interlaced. 16-bit is scaled to 8 with rounding.
// `exif` receives a copy of the eXIf chunk (TIFF data), if any.
int pivot_png_read_size(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                        char *message, size_t capacity);
int pivot_png_decode(const uint8_t *data, size_t size, uint8_t *rgb, uint32_t width, uint32_t height,
                     pivot_buffer *exif, char *message, size_t capacity);
int pivot_png_encode(const uint8_t *rgb, uint32_t width, uint32_t height, pivot_buffer *out,
                     char *message, size_t capacity);

// JPEG: baseline/progressive, gray, YCbCr, RGB, CMYK/YCCK (Adobe-inverted when an Adobe marker is present,
// converted to RGB as Pillow does). Default libjpeg-turbo decode (islow IDCT, fancy upsampling).
// `exif` receives the APP1 "Exif\0\0" payload (TIFF data), if any.
int pivot_jpeg_read_size(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                         char *message, size_t capacity);
int pivot_jpeg_decode(const uint8_t *data, size_t size, uint8_t *rgb, uint32_t width, uint32_t height,
                      pivot_buffer *exif, char *message, size_t capacity);
int pivot_jpeg_encode(const uint8_t *rgb, uint32_t width, uint32_t height, int quality, pivot_buffer *out,
                      char *message, size_t capacity);

// WebP: lossy/lossless, with or without alpha, still images only. `exif` receives the EXIF chunk, if any.
int pivot_webp_read_size(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                         char *message, size_t capacity);
int pivot_webp_decode(const uint8_t *data, size_t size, uint8_t *rgb, uint32_t width, uint32_t height,
                      pivot_buffer *exif, char *message, size_t capacity);
/// quality 0...100 (lossy); lossless != 0 ignores quality.
int pivot_webp_encode(const uint8_t *rgb, uint32_t width, uint32_t height, float quality, int lossless,
                      pivot_buffer *out, char *message, size_t capacity);

#endif
