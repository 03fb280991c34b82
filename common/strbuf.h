/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        strbuf - growable string buffer, JSON and terminal escaping
 * SYNOPSIS
 *        #include "strbuf.h"
 *        void strbuf_init(StrBuf *b);
 *        void strbuf_puts(StrBuf *b, const char *s);
 *        void strbuf_printf(StrBuf *b, const char *fmt, ...);
 *        void strbuf_put_json_string(StrBuf *b, const char *s, size_t n);
 *        void strbuf_put_safe_text(StrBuf *b, const char *s, size_t n);
 *        void strbuf_free(StrBuf *b);
 * DESCRIPTION
 *        data is NUL-terminated after every put. An allocation failure sets
 *        oom and makes every later put a no-op, so a caller checks once, at
 *        the end. Both escapers walk the text with one UTF-8 validator: valid
 *        sequences are copied, every other byte is escaped ("\ufffd" in JSON,
 *        "\xNN" for a terminal).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

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
