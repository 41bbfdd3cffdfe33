#include "CImageCodecs.h"
#include "messages.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

// A progressive JPEG may repeat scans without limit; libjpeg would keep decoding ("scan bomb").
enum { max_scans = 500 };

typedef struct jpeg_context {
    struct jpeg_error_mgr manager;  // first, so libjpeg's err pointer is also ours
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    char *message;
    size_t capacity;
    uint8_t *row;  // decoder: one CMYK row; freed by the caller
} jpeg_context;

static void on_error(j_common_ptr info) {
    jpeg_context *context = (jpeg_context *)info->err;
    char text[JMSG_LENGTH_MAX];
    info->err->format_message(info, text);
    pivot_fail(context->message, context->capacity, "%s", text);
    longjmp(context->jump, 1);
}

// libjpeg reports damaged or missing entropy data only as a warning and fills the rest with gray.
// We refuse such files; harmless warnings (extraneous bytes, unknown JFIF revision, ...) are ignored.
static void on_message(j_common_ptr info, int level) {
    if (level >= 0) return;
    switch (info->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_MUST_RESYNC:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_BOGUS_PROGRESSION:
    case JWRN_NOT_SEQUENTIAL:
        on_error(info);
        break;
    default:
        break;
    }
}

// For failures libjpeg has no message code for.
static void fail(jpeg_context *context, const char *reason) {
    pivot_fail(context->message, context->capacity, "%s", reason);
    longjmp(context->jump, 1);
}

static void on_progress(j_common_ptr info) {
    if (info->is_decompressor && ((j_decompress_ptr)info)->input_scan_number > max_scans) {
        fail((jpeg_context *)info->err, "too many progressive scans");
    }
}

// Points the codec struct's `err` at our handlers.
static void install_errors(jpeg_context *context, struct jpeg_error_mgr **err, char *message, size_t capacity) {
    memset(context, 0, sizeof *context);
    *err = &context->manager;
    jpeg_std_error(&context->manager);
    context->manager.error_exit = on_error;
    context->manager.emit_message = on_message;
    context->progress.progress_monitor = on_progress;
    context->message = message;
    context->capacity = capacity;
}

// MARK: - Decoding

static int read_header(struct jpeg_decompress_struct *info, jpeg_context *context, const uint8_t *data,
                       size_t size) {
    if (setjmp(context->jump)) return -1;
    jpeg_create_decompress(info);
    info->progress = &context->progress;
    jpeg_mem_src(info, data, (unsigned long)size);
    jpeg_save_markers(info, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(info, TRUE);
    return 0;
}

static void copy_exif(struct jpeg_decompress_struct *info, pivot_buffer *exif) {
    static const uint8_t signature[6] = {'E', 'x', 'i', 'f', 0, 0};
    for (jpeg_saved_marker_ptr marker = info->marker_list; marker != NULL; marker = marker->next) {
        if (marker->marker == JPEG_APP0 + 1 && marker->data_length > 6 &&
            memcmp(marker->data, signature, 6) == 0) {
            if (pivot_buffer_copy(exif, marker->data + 6, marker->data_length - 6) != 0) {
                ERREXIT(info, JERR_OUT_OF_MEMORY);
            }
            return;
        }
    }
}

// Pillow's cmyk2rgb: channel = (255 - K) - (C·(255 - K))/255 with its rounded division by 255.
static uint8_t cmyk_channel(int ink, int black) {
    int paper = 255 - black;
    int product = ink * paper + 128;
    int scaled = ((product >> 8) + product) >> 8;
    return (uint8_t)(paper - scaled);
}

static int decode(struct jpeg_decompress_struct *info, jpeg_context *context, uint8_t *rgb, uint32_t width,
                  uint32_t height, pivot_buffer *exif) {
    if (setjmp(context->jump)) return -1;
    if (info->image_width != width || info->image_height != height) fail(context, "header changed between reads");
    copy_exif(info, exif);
    int cmyk = info->jpeg_color_space == JCS_CMYK || info->jpeg_color_space == JCS_YCCK;
    info->out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(info);
    if (info->output_width != width || info->output_height != height ||
        info->output_components != (cmyk ? 4 : 3)) {
        fail(context, "unexpected output layout");
    }
    if (cmyk) {
        context->row = malloc((size_t)width * 4);
        if (context->row == NULL) ERREXIT(info, JERR_OUT_OF_MEMORY);
    }
    // Adobe (Photoshop) CMYK JPEGs store inverted inks; Pillow and browsers assume so whenever the
    // Adobe marker is present.
    int inverted = info->saw_Adobe_marker;
    while (info->output_scanline < height) {
        uint8_t *out = rgb + (size_t)info->output_scanline * width * 3;
        JSAMPROW row = cmyk ? context->row : out;
        if (jpeg_read_scanlines(info, &row, 1) != 1) ERREXIT(info, JERR_INPUT_EOF);
        if (!cmyk) continue;
        for (uint32_t x = 0; x < width; x++) {
            const uint8_t *ink = context->row + (size_t)x * 4;
            int k = inverted ? 255 - ink[3] : ink[3];
            for (int c = 0; c < 3; c++) out[x * 3 + c] = cmyk_channel(inverted ? 255 - ink[c] : ink[c], k);
        }
    }
    jpeg_finish_decompress(info);
    return 0;
}

int pivot_jpeg_read_size(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                         char *message, size_t capacity) {
    struct jpeg_decompress_struct info = {0};
    jpeg_context context;
    install_errors(&context, &info.err, message, capacity);
    int status = read_header(&info, &context, data, size);
    if (status == 0) {
        *width = info.image_width;
        *height = info.image_height;
    }
    jpeg_destroy_decompress(&info);
    return status;
}

int pivot_jpeg_decode(const uint8_t *data, size_t size, uint8_t *rgb, uint32_t width, uint32_t height,
                      pivot_buffer *exif, char *message, size_t capacity) {
    struct jpeg_decompress_struct info = {0};
    jpeg_context context;
    install_errors(&context, &info.err, message, capacity);
    exif->bytes = NULL;
    exif->count = 0;
    int status = read_header(&info, &context, data, size);
    if (status == 0) status = decode(&info, &context, rgb, width, height, exif);
    jpeg_destroy_decompress(&info);
    free(context.row);
    if (status != 0) pivot_buffer_free(exif);
    return status;
}

// MARK: - Encoding

static int encode(struct jpeg_compress_struct *info, jpeg_context *context, const uint8_t *rgb, uint32_t width,
                  uint32_t height, int quality, unsigned char **bytes, unsigned long *count) {
    if (setjmp(context->jump)) return -1;
    jpeg_create_compress(info);
    jpeg_mem_dest(info, bytes, count);
    info->image_width = width;
    info->image_height = height;
    info->input_components = 3;
    info->in_color_space = JCS_RGB;
    jpeg_set_defaults(info);
    jpeg_set_quality(info, quality, TRUE);
    jpeg_start_compress(info, TRUE);
    while (info->next_scanline < height) {
        JSAMPROW row = (JSAMPROW)(rgb + (size_t)info->next_scanline * width * 3);
        jpeg_write_scanlines(info, &row, 1);
    }
    jpeg_finish_compress(info);
    return 0;
}

int pivot_jpeg_encode(const uint8_t *rgb, uint32_t width, uint32_t height, int quality, pivot_buffer *out,
                      char *message, size_t capacity) {
    struct jpeg_compress_struct info = {0};
    jpeg_context context;
    install_errors(&context, &info.err, message, capacity);
    // jpeg_mem_dest (re)allocates this buffer with malloc; it is ours to free, also after an error.
    unsigned char *bytes = NULL;
    unsigned long count = 0;
    int status = encode(&info, &context, rgb, width, height, quality, &bytes, &count);
    jpeg_destroy_compress(&info);
    if (status != 0) {
        free(bytes);
        return status;
    }
    out->bytes = bytes;
    out->count = count;
    return 0;
}
