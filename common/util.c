/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        util - bounded string, number, time and file helpers
 * DESCRIPTION
 *        See util.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

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

/* Days since 1970-01-01 <-> civil date (proleptic Gregorian; H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        unsigned yoe = (unsigned) (y - era * 400);
        unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + (int64_t) doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *ry, unsigned *rm, unsigned *rd) {
        z += 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        unsigned doe = (unsigned) (z - era * 146097);
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t y = (int64_t) yoe + era * 400;
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        unsigned mp = (5 * doy + 2) / 153;
        unsigned d = doy - (153 * mp + 2) / 5 + 1;
        unsigned m = mp < 10 ? mp + 3 : mp - 9;
        *ry = y + (m <= 2);
        *rm = m;
        *rd = d;
}

void day_format(int64_t days, char buf[static 11]) {
        int64_t y;
        unsigned m, d;

        civil_from_days(days, &y, &m, &d);
        if (y < 0 || y > 9999)
                y = y < 0 ? 0 : 9999;
        buf[0] = (char) ('0' + y / 1000);
        buf[1] = (char) ('0' + y / 100 % 10);
        buf[2] = (char) ('0' + y / 10 % 10);
        buf[3] = (char) ('0' + y % 10);
        buf[4] = '-';
        buf[5] = (char) ('0' + m / 10);
        buf[6] = (char) ('0' + m % 10);
        buf[7] = '-';
        buf[8] = (char) ('0' + d / 10);
        buf[9] = (char) ('0' + d % 10);
        buf[10] = '\0';
}

void day_from_usec(uint64_t usec, char buf[static 11]) {
        day_format((int64_t) (usec / (86400ULL * 1000000ULL)), buf);
}

int day_parse(const char *s, int64_t *ret_days) {
        uint32_t y, m, d;

        if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
                return -EINVAL;
        if (span_to_u32(span_make(s, 4), &y) < 0 ||
            span_to_u32(span_make(s + 5, 2), &m) < 0 ||
            span_to_u32(span_make(s + 8, 2), &d) < 0)
                return -EINVAL;
        if (m < 1 || m > 12 || d < 1)
                return -EINVAL;
        static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        unsigned maxd = mdays[m - 1];
        if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
                maxd = 29;
        if (d > maxd)
                return -EINVAL;
        *ret_days = days_from_civil(y, m, d);
        return 0;
}

uint64_t now_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

void ascii_lower(char *s) {
        for (; *s; s++)
                if (*s >= 'A' && *s <= 'Z')
                        *s = (char) (*s - 'A' + 'a');
}

/* write_file_atomic - temp file beside path, fsync, rename, fsync the directory */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode) {
        _cleanup_free_ char *tmp = NULL, *dir = NULL;
        _cleanup_close_ int fd = -1, dfd = -1;
        const char *slash;
        int r;

        slash = strrchr(path, '/');
        dir = slash ? strndup(path, slash == path ? 1 : (size_t) (slash - path)) : strdup(".");
        if (!dir || asprintf(&tmp, "%s.tmpXXXXXX", path) < 0) {
                tmp = NULL;
                return -ENOMEM;
        }

        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;

        if (fchmod(fd, mode) < 0) {
                r = -errno;
                goto fail;
        }

        for (size_t off = 0; off < len;) {
                ssize_t k = write(fd, (const char *) data + off, len - off);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        goto fail;
                }
                off += (size_t) k;
        }
        if (fsync(fd) < 0) {
                r = -errno;
                goto fail;
        }
        if (close(TAKE_FD(fd)) < 0) {
                r = -errno;
                goto fail;
        }
        if (rename(tmp, path) < 0) {
                r = -errno;
                goto fail;
        }

        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0)
                (void) fsync(dfd);
        return 0;

fail:
        (void) unlink(tmp);
        return r;
}

int read_file_full(const char *path, size_t max_size, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;

        for (;;) {
                if (len + 4096 + 1 > cap) {
                        size_t ncap = cap ? cap * 2 : 8192;
                        char *n = realloc(buf, ncap);
                        if (!n)
                                return -ENOMEM;
                        buf = n;
                        cap = ncap;
                }
                ssize_t k = read(fd, buf + len, cap - len - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                len += (size_t) k;
                if (len > max_size)
                        return -EFBIG;
        }
        if (!buf) {
                buf = malloc(1);
                if (!buf)
                        return -ENOMEM;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

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
