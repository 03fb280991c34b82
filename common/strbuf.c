/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        strbuf - growable string buffer, JSON and terminal escaping
 * DESCRIPTION
 *        See strbuf.h.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void strbuf_init(StrBuf *b) {
        *b = (StrBuf) { 0 };
}

void strbuf_free(StrBuf *b) {
        free(b->data);
        *b = (StrBuf) { 0 };
}

static bool strbuf_reserve(StrBuf *b, size_t extra) {
        if (b->oom)
                return false;
        if (b->len + extra + 1 <= b->cap)
                return true;
        size_t ncap = b->cap ? b->cap : 256;
        while (ncap < b->len + extra + 1) {
                if (ncap > SIZE_MAX / 2) {
                        b->oom = true;
                        return false;
                }
                ncap *= 2;
        }
        char *n = realloc(b->data, ncap);
        if (!n) {
                b->oom = true;
                return false;
        }
        b->data = n;
        b->cap = ncap;
        return true;
}

void strbuf_putn(StrBuf *b, const char *s, size_t n) {
        if (!strbuf_reserve(b, n))
                return;
        if (n > 0)
                memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
}

void strbuf_puts(StrBuf *b, const char *s) {
        strbuf_putn(b, s, strlen(s));
}

void strbuf_putc(StrBuf *b, char c) {
        strbuf_putn(b, &c, 1);
}

void strbuf_printf(StrBuf *b, const char *fmt, ...) {
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (k < 0 || !strbuf_reserve(b, (size_t) k))
                return;
        va_start(ap, fmt);
        (void) vsnprintf(b->data + b->len, (size_t) k + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t) k;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_valid_len(const unsigned char *s, size_t n) {
        if (s[0] < 0x80)
                return 1;
        size_t len;
        uint32_t cp;
        if ((s[0] & 0xE0) == 0xC0) {
                len = 2;
                cp = s[0] & 0x1F;
        } else if ((s[0] & 0xF0) == 0xE0) {
                len = 3;
                cp = s[0] & 0x0F;
        } else if ((s[0] & 0xF8) == 0xF0) {
                len = 4;
                cp = s[0] & 0x07;
        } else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return 0;
        return len;
}

/* How put_escaped() writes text for one audience. */
typedef struct TextStyle {
        bool quote_is_special;          /* '"' is escaped too, like '\\' always is */
        bool c1_is_control;             /* U+0080..U+009F escaped like C0 controls */
        /* write byte c: a control character, '\\' or '"', or (invalid) not valid UTF-8 */
        void (*escape)(StrBuf *b, unsigned char c, bool invalid);
} TextStyle;

static bool is_plain_ascii(const TextStyle *style, unsigned char c) {
        return c >= 0x20 && c < 0x7F && c != '\\' && (c != '"' || !style->quote_is_special);
}

/* put_escaped - copy printable ASCII and valid UTF-8 sequences, escape every other byte */
static void put_escaped(StrBuf *b, const char *s, size_t n, const TextStyle *style) {
        const unsigned char *u = (const unsigned char *) s;

        for (size_t i = 0; i < n;) {
                size_t run = i, k;

                while (run < n && is_plain_ascii(style, u[run]))
                        run++;
                if (run > i)
                        strbuf_putn(b, s + i, run - i);
                i = run;
                if (i == n)
                        break;

                k = u[i] < 0x80 ? 0 : utf8_valid_len(u + i, n - i);
                if (k > 0 && !(style->c1_is_control && k == 2 && u[i] == 0xC2 && u[i + 1] < 0xA0)) {
                        strbuf_putn(b, s + i, k);
                        i += k;
                } else {
                        style->escape(b, u[i], u[i] >= 0x80 && k == 0);
                        i++;
                }
        }
}

static void escape_json(StrBuf *b, unsigned char c, bool invalid) {
        if (invalid)
                strbuf_puts(b, "\\ufffd");
        else if (c == '"' || c == '\\') {
                strbuf_putc(b, '\\');
                strbuf_putc(b, (char) c);
        } else if (c == '\n')
                strbuf_puts(b, "\\n");
        else if (c == '\t')
                strbuf_puts(b, "\\t");
        else
                strbuf_printf(b, "\\u%04x", c);
}

static void escape_terminal(StrBuf *b, unsigned char c, bool invalid) {
        if (c == '\\')
                strbuf_puts(b, "\\\\");
        else
                strbuf_printf(b, "\\x%02x", c);
}

void strbuf_put_json_string(StrBuf *b, const char *s, size_t n) {
        static const TextStyle json = { .quote_is_special = true, .escape = escape_json };

        strbuf_putc(b, '"');
        put_escaped(b, s, n, &json);
        strbuf_putc(b, '"');
}

void strbuf_put_safe_text(StrBuf *b, const char *s, size_t n) {
        /* C1 controls (U+0080..U+009F) are terminal escapes too */
        static const TextStyle terminal = { .c1_is_control = true, .escape = escape_terminal };

        put_escaped(b, s, n, &terminal);
}
