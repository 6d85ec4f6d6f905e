#ifndef DIALTONE_JSON_TEXT_H
#define DIALTONE_JSON_TEXT_H

#include <stdint.h>

/// Where a copy stopped: the next source byte to read and the next destination byte to write.
typedef struct {
    long next;
    long written;
} dt_json_run;

/// Copies the body of a JSON string from src[from] towards src[count], decoding the escapes
/// an enveloped JSON line is made of (\" \\ \/) on the way, and stops at the first quote
/// (the string's end) or at any other escape (left to the caller's general decoder), or at the
/// end of the input. dst must have room for count - from + 16 bytes past written: whole
/// 16-byte blocks are stored before their end is known.
dt_json_run dt_json_copy_plain(const uint8_t *src, long from, long count, uint8_t *dst, long written);

#endif
