/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        parse_util - inline Span helpers shared by the line parsers
 * SYNOPSIS
 *        #include "parse_util.h"
 * DESCRIPTION
 *        Private to collector/parse*.c and syslog_line.c. Every helper is
 *        bounded by the Span length and never assumes a terminating NUL;
 *        literals are passed as string constants so that their length is
 *        known at compile time.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "parse.h"
#include "span.h"

/* sp_prefix - does s start with the n bytes of lit? */
static inline bool sp_prefix(Span s, const char *lit, size_t n) {
        return s.n >= n && memcmp(s.p, lit, n) == 0;
}
#define SP_PREFIX(s, lit) sp_prefix((s), (lit), sizeof(lit) - 1)

static inline bool sp_suffix(Span s, const char *lit, size_t n) {
        return s.n >= n && memcmp(s.p + s.n - n, lit, n) == 0;
}
#define SP_SUFFIX(s, lit) sp_suffix((s), (lit), sizeof(lit) - 1)

static inline bool sp_eq(Span s, const char *lit, size_t n) {
        return s.n == n && memcmp(s.p, lit, n) == 0;
}
#define SP_EQ(s, lit) sp_eq((s), (lit), sizeof(lit) - 1)

/* sp_skip - drop the first n bytes (n <= s->n) */
static inline void sp_skip(Span *s, size_t n) {
        s->p += n;
        s->n -= n;
}

/* sp_consume - drop lit from the front of s if it is there */
static inline bool sp_consume(Span *s, const char *lit, size_t n) {
        if (!sp_prefix(*s, lit, n))
                return false;
        sp_skip(s, n);
        return true;
}
#define SP_CONSUME(s, lit) sp_consume((s), (lit), sizeof(lit) - 1)

static inline Span sp_head(Span s, size_t n) {
        return (Span) { s.p, n < s.n ? n : s.n };
}

static inline Span sp_from(Span s, size_t off) {
        return off >= s.n ? (Span) { s.p + s.n, 0 } : (Span) { s.p + off, s.n - off };
}

/* sp_find - offset of the first needle in s, or SIZE_MAX */
static inline size_t sp_find(Span s, const char *needle, size_t n) {
        const char *q;

        if (n == 0)
                return 0;
        if (!s.p || s.n < n)
                return SIZE_MAX;
        if (n == 1)
                q = memchr(s.p, needle[0], s.n);
        else
                q = memmem(s.p, s.n, needle, n);
        return q ? (size_t) (q - s.p) : SIZE_MAX;
}
#define SP_FIND(s, lit) sp_find((s), (lit), sizeof(lit) - 1)

static inline bool sp_contains(Span s, const char *needle, size_t n) {
        return sp_find(s, needle, n) != SIZE_MAX;
}
#define SP_CONTAINS(s, lit) sp_contains((s), (lit), sizeof(lit) - 1)

/* sp_chr - offset of the first c in s, or SIZE_MAX */
static inline size_t sp_chr(Span s, char c) {
        const char *q = s.n > 0 ? memchr(s.p, c, s.n) : NULL;

        return q ? (size_t) (q - s.p) : SIZE_MAX;
}

/* sp_rchr - offset of the last c in s, or SIZE_MAX */
static inline size_t sp_rchr(Span s, char c) {
        const char *q = s.n > 0 ? memrchr(s.p, c, s.n) : NULL;

        return q ? (size_t) (q - s.p) : SIZE_MAX;
}

static inline bool sp_is_digit(char c) {
        return c >= '0' && c <= '9';
}

static inline bool sp_is_alnum(char c) {
        return sp_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* sp_u32 - whole span is 1..10 decimal digits that fit in uint32_t */
static inline int sp_u32(Span s, uint32_t *ret) {
        uint64_t v = 0;

        if (s.n == 0 || s.n > 10)
                return -ERANGE;
        for (size_t i = 0; i < s.n; i++) {
                if (!sp_is_digit(s.p[i]))
                        return -EINVAL;
                v = v * 10 + (uint64_t) (s.p[i] - '0');
        }
        if (v > UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t) v;
        return 0;
}

/* sp_digits - length of the run of decimal digits at the start of s */
static inline size_t sp_digits(Span s) {
        size_t i = 0;

        while (i < s.n && sp_is_digit(s.p[i]))
                i++;
        return i;
}

/* sp_token - bytes up to the first space (the whole span when none) */
static inline Span sp_token(Span s) {
        size_t i = sp_chr(s, ' ');

        return sp_head(s, i);
}

static inline void sp_set_err(const char **reterr_reason, const char *why) {
        if (reterr_reason)
                *reterr_reason = why;
}

/* Error return with a static reason, for "return sp_bad(reterr, "why");" */
static inline int sp_bad(const char **reterr_reason, const char *why) {
        sp_set_err(reterr_reason, why);
        return -EBADMSG;
}

/* Internal entry points shared between the parse*.c files. */
int parse_queue_id(Span msg, Span *ret_qid, Span *ret_rest);
int parse_failure_line(Span msg, bool warning, Event *ret, const char **reterr_reason);
int parse_peer_prefix(Span s, Peer *ret, size_t *ret_len);
Peer peer_find_in_text(Span text);
