// A JSON string's plain runs, sixteen bytes at a time. Written in C because Swift has no
// portable way to turn a vector comparison into a bit mask (SSE2's movemask), and the
// wrapped lines of a log pipeline (Docker, journald, Vector) are mostly escaped quotes: the
// per-escape cost decides what unwrapping a line costs.
#include "json_text.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline int simple_escape(uint8_t e) { return e == '"' || e == '\\' || e == '/'; }

dt_json_run dt_json_copy_plain(const uint8_t *src, long i, long n, uint8_t *dst, long o) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(src + i));
        _mm_storeu_si128((__m128i *)(dst + o), v);
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
        if (m == 0) {
            i += 16;
            o += 16;
            continue;
        }
        unsigned k = (unsigned)__builtin_ctz(m);
        i += k;
        o += k;
        if (src[i] == '"' || i + 1 >= n || !simple_escape(src[i + 1])) {
            dt_json_run r = {i, o};
            return r;
        }
        dst[o] = src[i + 1];
        i += 2;
        o += 1;
    }
#endif
    while (i < n) {
        uint8_t c = src[i];
        if (c == '"') break;
        if (c == '\\') {
            if (i + 1 >= n || !simple_escape(src[i + 1])) break;
            dst[o++] = src[i + 1];
            i += 2;
            continue;
        }
        dst[o++] = c;
        i++;
    }
    dt_json_run r = {i, o};
    return r;
}
