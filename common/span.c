/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        span - views into someone else's buffer, checked numbers, ASCII case
 * DESCRIPTION
 *        See span.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "span.h"

bool span_eq(Span a, const char *s) {
        size_t n = strlen(s);
        return a.n == n && (n == 0 || memcmp(a.p, s, n) == 0);
}

bool span_eq_nocase(Span a, const char *s) {
        size_t n = strlen(s);
        return a.n == n && (n == 0 || strncasecmp(a.p, s, n) == 0);
}

bool span_startswith(Span a, const char *prefix) {
        size_t n = strlen(prefix);
        return a.n >= n && memcmp(a.p, prefix, n) == 0;
}

bool span_equal(Span a, Span b) {
        return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

char *span_dup(Span s) {
        char *p = malloc(s.n + 1);
        if (!p)
                return NULL;
        if (s.n > 0)
                memcpy(p, s.p, s.n);
        p[s.n] = '\0';
        return p;
}

int span_copy(Span s, char *buf, size_t bufsz) {
        if (bufsz == 0)
                return -ENOBUFS;
        if (s.n + 1 > bufsz) {
                buf[0] = '\0';
                return -ENOBUFS;
        }
        if (s.n > 0)
                memcpy(buf, s.p, s.n);
        buf[s.n] = '\0';
        return 0;
}

int span_to_u64(Span s, uint64_t *ret) {
        uint64_t v = 0;

        if (s.n == 0)
                return -EINVAL;
        for (size_t i = 0; i < s.n; i++) {
                unsigned char c = (unsigned char) s.p[i];
                if (c < '0' || c > '9')
                        return -EINVAL;
                if (v > (UINT64_MAX - (c - '0')) / 10)
                        return -ERANGE;
                v = v * 10 + (c - '0');
        }
        *ret = v;
        return 0;
}

int span_to_u32(Span s, uint32_t *ret) {
        uint64_t v;
        int r = span_to_u64(s, &v);
        if (r < 0)
                return r;
        if (v > UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t) v;
        return 0;
}

int parse_u64(const char *s, uint64_t *ret) {
        return span_to_u64(span_make(s, strlen(s)), ret);
}

int parse_u32(const char *s, uint32_t *ret) {
        return span_to_u32(span_make(s, strlen(s)), ret);
}

void ascii_lower(char *s) {
        for (; *s; s++)
                if (*s >= 'A' && *s <= 'Z')
                        *s = (char) (*s - 'A' + 'a');
}
