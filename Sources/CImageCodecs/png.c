#include "CImageCodecs.h"
#include "messages.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

// libpng calls on_error and expects it never to return; it jumps back to the setjmp in each entry point.
typedef struct png_context {
    const uint8_t *data;
    size_t size;
    size_t offset;
    char *message;
    size_t capacity;
    pivot_buffer output;  // encoder only: grows as libpng writes
} png_context;

static void on_error(png_structp png, png_const_charp text) {
    png_context *context = png_get_error_ptr(png);
    pivot_fail(context->message, context->capacity, "%s", text);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;  // benign (e.g. unknown ancillary chunk, bad CRC in an ancillary chunk): keep decoding
}

static void read_from_memory(png_structp png, png_bytep into, png_size_t length) {
    png_context *context = png_get_io_ptr(png);
    if (length > context->size - context->offset) png_error(png, "file is truncated");
    memcpy(into, context->data + context->offset, length);
    context->offset += length;
}

// Both functions below run with the png structs already created by the caller, so that everything
// allocated survives the longjmp and is released in one place.
static int read_size(png_structp png, png_infop info, uint32_t *width, uint32_t *height) {
    if (setjmp(png_jmpbuf(png))) return -1;
    png_read_info(png, info);
    *width = png_get_image_width(png, info);
    *height = png_get_image_height(png, info);
    return 0;
}

static void copy_exif(png_structp png, png_infop info, pivot_buffer *exif) {
    png_bytep bytes = NULL;
    png_uint_32 count = 0;
    if (exif->bytes == NULL && png_get_eXIf_1(png, info, &count, &bytes) && bytes != NULL) {
        if (pivot_buffer_copy(exif, bytes, count) != 0) png_error(png, "out of memory copying EXIF");
    }
}

static int decode(png_structp png, png_infop info, png_infop end, uint8_t *rgb, uint32_t width, uint32_t height,
                  pivot_buffer *exif) {
    if (setjmp(png_jmpbuf(png))) return -1;
    png_read_info(png, info);
    if (png_get_image_width(png, info) != width || png_get_image_height(png, info) != height) {
        png_error(png, "header changed between reads");
    }
    int color = png_get_color_type(png, info);
    int depth = png_get_bit_depth(png, info);
    // Everything becomes 8-bit RGB: palette expanded, gray replicated, 16-bit scaled, alpha (and tRNS) dropped.
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if ((color & PNG_COLOR_MASK_COLOR) == 0) {
        if (depth < 8) png_set_expand_gray_1_2_4_to_8(png);
        png_set_gray_to_rgb(png);
    }
    if (depth == 16) png_set_scale_16(png);
    png_set_strip_alpha(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)width * 3) png_error(png, "unexpected row layout after conversion");
    copy_exif(png, info, exif);
    for (int pass = 0; pass < passes; pass++) {
        for (uint32_t y = 0; y < height; y++) png_read_row(png, rgb + (size_t)y * width * 3, NULL);
    }
    png_read_end(png, end);  // an eXIf chunk may follow the image data
    copy_exif(png, end, exif);
    return 0;
}

static int open_reader(png_context *context, png_structp *png, png_infop *info, png_infop *end) {
    *png = png_create_read_struct(PNG_LIBPNG_VER_STRING, context, on_error, on_warning);
    if (*png == NULL) return pivot_fail(context->message, context->capacity, "out of memory");
    *info = png_create_info_struct(*png);
    *end = png_create_info_struct(*png);
    if (*info == NULL || *end == NULL) return pivot_fail(context->message, context->capacity, "out of memory");
    png_set_read_fn(*png, context, read_from_memory);
    return 0;
}

int pivot_png_read_size(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                        char *message, size_t capacity) {
    png_context context = {data, size, 0, message, capacity, {NULL, 0}};
    png_structp png = NULL;
    png_infop info = NULL, end = NULL;
    int status = open_reader(&context, &png, &info, &end);
    if (status == 0) status = read_size(png, info, width, height);
    png_destroy_read_struct(&png, &info, &end);
    return status;
}

int pivot_png_decode(const uint8_t *data, size_t size, uint8_t *rgb, uint32_t width, uint32_t height,
                     pivot_buffer *exif, char *message, size_t capacity) {
    png_context context = {data, size, 0, message, capacity, {NULL, 0}};
    png_structp png = NULL;
    png_infop info = NULL, end = NULL;
    exif->bytes = NULL;
    exif->count = 0;
    int status = open_reader(&context, &png, &info, &end);
    if (status == 0) status = decode(png, info, end, rgb, width, height, exif);
    png_destroy_read_struct(&png, &info, &end);
    if (status != 0) pivot_buffer_free(exif);
    return status;
}

// MARK: - Encoding

static void write_to_memory(png_structp png, png_bytep bytes, png_size_t length) {
    png_context *context = png_get_io_ptr(png);
    pivot_buffer *out = &context->output;
    size_t needed = out->count + length;
    uint8_t *grown = realloc(out->bytes, needed);
    if (grown == NULL) png_error(png, "out of memory");
    memcpy(grown + out->count, bytes, length);
    out->bytes = grown;
    out->count = needed;
}

static void flush_memory(png_structp png) { (void)png; }

static int encode(png_structp png, png_infop info, png_context *context, const uint8_t *rgb, uint32_t width,
                  uint32_t height) {
    if (setjmp(png_jmpbuf(png))) return -1;
    png_set_write_fn(png, context, write_to_memory, flush_memory);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t y = 0; y < height; y++) png_write_row(png, rgb + (size_t)y * width * 3);
    png_write_end(png, NULL);
    return 0;
}

int pivot_png_encode(const uint8_t *rgb, uint32_t width, uint32_t height, pivot_buffer *out,
                     char *message, size_t capacity) {
    png_context context = {NULL, 0, 0, message, capacity, {NULL, 0}};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &context, on_error, on_warning);
    if (png == NULL) return pivot_fail(message, capacity, "out of memory");
    png_infop info = png_create_info_struct(png);
    int status = info == NULL ? pivot_fail(message, capacity, "out of memory")
                              : encode(png, info, &context, rgb, width, height);
    png_destroy_write_struct(&png, &info);
    if (status != 0) {
        pivot_buffer_free(&context.output);
        return status;
    }
    *out = context.output;
    return 0;
}
