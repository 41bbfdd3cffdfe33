#include "CImageCodecs.h"
#include "messages.h"

#include <stdlib.h>
#include <webp/decode.h>
#include <webp/demux.h>
#include <webp/encode.h>

static const char *status_text(VP8StatusCode status) {
    switch (status) {
    case VP8_STATUS_OK: return "ok";
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VP8_STATUS_INVALID_PARAM: return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR: return "corrupt bitstream";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "unsupported feature";
    case VP8_STATUS_SUSPENDED: return "decoding suspended";
    case VP8_STATUS_USER_ABORT: return "decoding aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "file is truncated";
    }
    return "unknown error";
}

int pivot_webp_read_size(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                         char *message, size_t capacity) {
    WebPBitstreamFeatures features;
    VP8StatusCode status = WebPGetFeatures(data, size, &features);
    if (status != VP8_STATUS_OK) return pivot_fail(message, capacity, "%s", status_text(status));
    if (features.has_animation) return pivot_fail(message, capacity, "animated WebP is not supported");
    *width = (uint32_t)features.width;
    *height = (uint32_t)features.height;
    return 0;
}

static int copy_exif(const uint8_t *data, size_t size, pivot_buffer *exif, char *message, size_t capacity) {
    WebPData whole = {data, size};
    WebPDemuxer *demuxer = WebPDemux(&whole);
    if (demuxer == NULL) return pivot_fail(message, capacity, "malformed WebP container");
    int status = 0;
    WebPChunkIterator chunk;
    if (WebPDemuxGetChunk(demuxer, "EXIF", 1, &chunk)) {
        if (pivot_buffer_copy(exif, chunk.chunk.bytes, chunk.chunk.size) != 0) {
            status = pivot_fail(message, capacity, "out of memory copying EXIF");
        }
        WebPDemuxReleaseChunkIterator(&chunk);
    }
    WebPDemuxDelete(demuxer);
    return status;
}

int pivot_webp_decode(const uint8_t *data, size_t size, uint8_t *rgb, uint32_t width, uint32_t height,
                      pivot_buffer *exif, char *message, size_t capacity) {
    exif->bytes = NULL;
    exif->count = 0;
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config)) return pivot_fail(message, capacity, "libwebp version mismatch");
    VP8StatusCode status = WebPGetFeatures(data, size, &config.input);
    if (status != VP8_STATUS_OK) return pivot_fail(message, capacity, "%s", status_text(status));
    if ((uint32_t)config.input.width != width || (uint32_t)config.input.height != height) {
        return pivot_fail(message, capacity, "header changed between reads");
    }
    config.output.colorspace = MODE_RGB;  // alpha, if any, is dropped
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = rgb;
    config.output.u.RGBA.stride = (int)(width * 3);
    config.output.u.RGBA.size = (size_t)width * height * 3;
    status = WebPDecode(data, size, &config);
    WebPFreeDecBuffer(&config.output);
    if (status != VP8_STATUS_OK) return pivot_fail(message, capacity, "%s", status_text(status));
    return copy_exif(data, size, exif, message, capacity);
}

int pivot_webp_encode(const uint8_t *rgb, uint32_t width, uint32_t height, float quality, int lossless,
                      pivot_buffer *out, char *message, size_t capacity) {
    if (width > WEBP_MAX_DIMENSION || height > WEBP_MAX_DIMENSION) {
        return pivot_fail(message, capacity, "WebP allows at most %d pixels per side", WEBP_MAX_DIMENSION);
    }
    uint8_t *bytes = NULL;
    int stride = (int)(width * 3);
    size_t count = lossless ? WebPEncodeLosslessRGB(rgb, (int)width, (int)height, stride, &bytes)
                            : WebPEncodeRGB(rgb, (int)width, (int)height, stride, quality, &bytes);
    if (count == 0) {
        WebPFree(bytes);
        return pivot_fail(message, capacity, "libwebp could not encode the image");
    }
    // Hand Swift a malloc'd copy so that one free function releases every codec's output.
    int status = pivot_buffer_copy(out, bytes, count);
    WebPFree(bytes);
    return status == 0 ? 0 : pivot_fail(message, capacity, "out of memory");
}
