// Helpers shared by the codec wrappers (not part of the public header).
#ifndef PIVOT_CIMAGECODECS_MESSAGES_H
#define PIVOT_CIMAGECODECS_MESSAGES_H

#include "CImageCodecs.h"

/// Copies `count` bytes into a fresh malloc'd buffer; -1 when out of memory.
int pivot_buffer_copy(pivot_buffer *buffer, const uint8_t *bytes, size_t count);

/// Formats the reason into `message` and returns -1, so callers can `return pivot_fail(...)`.
int pivot_fail(char *message, size_t capacity, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
