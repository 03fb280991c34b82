/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        util - bounded string, number and time helpers
 * SYNOPSIS
 *        #include "util.h"
 * DESCRIPTION
 *        Small pure helpers shared by every module. Nothing here does I/O
 *        except the file helpers at the end, which are atomic.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

/* "YYYY-MM-DD" in UTC for a realtime timestamp; buf must hold 11 bytes. */
void day_from_usec(uint64_t usec, char buf[static 11]);
/* Days since the epoch <-> "YYYY-MM-DD"; -EINVAL on a malformed day. */
int day_parse(const char *s, int64_t *ret_days);
void day_format(int64_t days, char buf[static 11]);
uint64_t now_usec(void);

/* Lower-case ASCII in place. */
void ascii_lower(char *s);

/* Write data to path atomically: temp file in the same directory, fsync, rename,
 * fsync directory. mode is the final permission. The old file stays as it was on
 * any error. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* Read a whole file into a NUL-terminated malloc'd buffer (max_size bounds it). */
int read_file_full(const char *path, size_t max_size, char **ret, size_t *ret_len);

/* Growable string buffer for building output. */
typedef struct StrBuf {
        char *data;
        size_t len;
        size_t cap;
        bool oom;
} StrBuf;

void strbuf_init(StrBuf *b);
void strbuf_free(StrBuf *b);
void strbuf_putn(StrBuf *b, const char *s, size_t n);
void strbuf_puts(StrBuf *b, const char *s);
void strbuf_putc(StrBuf *b, char c);
void strbuf_printf(StrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* JSON string literal with quotes; invalid UTF-8 and control characters escaped. */
void strbuf_put_json_string(StrBuf *b, const char *s, size_t n);
/* Text for a terminal: control characters and invalid UTF-8 shown as \xNN. */
void strbuf_put_safe_text(StrBuf *b, const char *s, size_t n);
