/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        span - views into someone else's buffer, checked numbers, ASCII case
 * SYNOPSIS
 *        #include "span.h"
 *        Span span_make(const char *p, size_t n);
 *        bool span_eq(Span a, const char *s);
 *        int span_copy(Span s, char *buf, size_t bufsz);
 *        int span_to_u64(Span s, uint64_t *ret);
 *        int parse_u64(const char *s, uint64_t *ret);
 *        void ascii_lower(char *s);
 * DESCRIPTION
 *        A Span is a pointer and a length, not NUL-terminated; parsers point
 *        spans into their input instead of copying it. The number parsers
 *        accept digits only: no sign, no space, no overflow (never atoi).
 * DIAGNOSTICS
 *        span_copy(): -ENOBUFS when s does not fit (buf is then "").
 *        span_to_u64() and friends: -EINVAL not all digits, -ERANGE too big.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A view into someone else's buffer, not NUL-terminated. */
typedef struct Span {
        const char *p;
        size_t n;
} Span;

#define SPAN_NULL ((Span) { NULL, 0 })
#define SPAN_LIT(s) ((Span) { (s), sizeof(s) - 1 })

static inline Span span_make(const char *p, size_t n) {
        return (Span) { p, n };
}
bool span_eq(Span a, const char *s);              /* exact, s NUL-terminated */
bool span_eq_nocase(Span a, const char *s);
bool span_startswith(Span a, const char *prefix);
bool span_equal(Span a, Span b);
char *span_dup(Span s);                           /* malloc'd copy, NULL on OOM */
/* Copy into buf of size bufsz; returns -ENOBUFS if it does not fit (buf then ""). */
int span_copy(Span s, char *buf, size_t bufsz);

/* Checked numbers: whole span must be digits, no sign, no overflow. */
int span_to_u64(Span s, uint64_t *ret);
int span_to_u32(Span s, uint32_t *ret);
int parse_u64(const char *s, uint64_t *ret);      /* NUL-terminated variant */
int parse_u32(const char *s, uint32_t *ret);

/* Lower-case ASCII in place. */
void ascii_lower(char *s);
