#include "CImageCodecs.h"
#include "messages.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pivot_buffer_free(pivot_buffer *buffer) {
    free(buffer->bytes);
    buffer->bytes = NULL;
    buffer->count = 0;
}

int pivot_buffer_copy(pivot_buffer *buffer, const uint8_t *bytes, size_t count) {
    buffer->bytes = malloc(count > 0 ? count : 1);
    if (buffer->bytes == NULL) return -1;
    memcpy(buffer->bytes, bytes, count);
    buffer->count = count;
    return 0;
}

int pivot_fail(char *message, size_t capacity, const char *format, ...) {
    if (capacity > 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(message, capacity, format, args);
        va_end(args);
    }
    return -1;
}
