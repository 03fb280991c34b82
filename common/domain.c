/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        domain - strict domain and address validation
 * DESCRIPTION
 *        See domain.h. Grammar accepted by domain_is_valid():
 *
 *            domain = label 1*( "." label )          ; at most 253 bytes
 *            label  = let-dig [ *61( let-dig / "-" ) let-dig ]
 *            let-dig = ALPHA / DIGIT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>

#include "domain.h"
#include "span.h"

static inline bool is_let_dig(unsigned char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* domain_is_valid - LDH labels, lengths, at least two labels */
bool domain_is_valid(const char *s, size_t n) {
        size_t label_len = 0, labels = 0;

        if (!s || n == 0 || n > DOMAIN_MAX)
                return false;

        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];

                if (c == '.') {
                        if (label_len == 0 || s[i - 1] == '-')
                                return false;
                        labels++;
                        label_len = 0;
                        continue;
                }
                if (c == '-') {
                        if (label_len == 0)
                                return false;
                } else if (!is_let_dig(c))
                        return false;
                if (++label_len > 63)
                        return false;
        }
        if (label_len == 0 || s[n - 1] == '-')
                return false;
        return labels + 1 >= 2;
}

/* domain_from_address - lower-cased part after the last '@' outside double quotes
 * (a quoted local part, "\"" and "\\" escaped inside, may hold '@' itself) */
int domain_from_address(const char *addr, size_t n, char *buf, size_t bufsz) {
        const char *at = NULL;
        bool quoted = false;

        if (bufsz > 0)
                buf[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                if (quoted) {
                        if (addr[i] == '\\')
                                i++;
                        else if (addr[i] == '"')
                                quoted = false;
                } else if (addr[i] == '"')
                        quoted = true;
                else if (addr[i] == '@')
                        at = addr + i;
        }
        if (!at || at + 1 >= addr + n)
                return -EINVAL;

        size_t len = (size_t) (addr + n - (at + 1));
        if (len + 1 > bufsz)
                return -ENOBUFS;
        for (size_t i = 0; i < len; i++) {
                char c = at[1 + i];
                buf[i] = (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
        }
        buf[len] = '\0';
        return 0;
}

static bool ipv4_is_loopback(const char *a, size_t n) {
        /* dotted quad whose first octet is exactly 127 */
        unsigned dots = 0;

        if (n < 7 || n > 15 || memcmp(a, "127.", 4) != 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (a[i] == '.')
                        dots++;
                else if (a[i] < '0' || a[i] > '9')
                        return false;
        }
        return dots == 3;
}

/* addr_is_loopback - 127.0.0.0/8, ::1, ::ffff:127.x (any case, optional "ipv6:") */
bool addr_is_loopback(const char *addr, size_t n) {
        if (!addr)
                return false;
        if (n >= 5 && strncasecmp(addr, "ipv6:", 5) == 0) {
                addr += 5;
                n -= 5;
        }
        if (ipv4_is_loopback(addr, n))
                return true;
        if ((n == 3 && memcmp(addr, "::1", 3) == 0) ||
            (n == 15 && strncasecmp(addr, "0:0:0:0:0:0:0:1", 15) == 0))
                return true;
        if (n > 7 && strncasecmp(addr, "::ffff:", 7) == 0)
                return ipv4_is_loopback(addr + 7, n - 7);
        return false;
}

/* literal_normalize - "[IPv4]" or "[IPv6:addr]" (RFC 5321 address literals) from a lower-cased domain */
static int literal_normalize(const char *d, size_t n, char *buf, size_t bufsz) {
        char inner[64];
        unsigned char bin[16];
        size_t k = n - 2;

        if (k == 0 || k >= sizeof inner || n + 1 > bufsz)
                return -EINVAL;
        memcpy(inner, d + 1, k);        /* already lower case (domain_from_address()) */
        inner[k] = '\0';
        if (strncmp(inner, "ipv6:", 5) == 0) {
                if (inet_pton(AF_INET6, inner + 5, bin) != 1)
                        return -EINVAL;
                memcpy(inner, "IPv6", 4);       /* the RFC 5321 tag, as Postfix writes it */
        } else if (inet_pton(AF_INET, inner, bin) != 1)
                return -EINVAL;
        buf[0] = '[';
        memcpy(buf + 1, inner, k);
        buf[k + 1] = ']';
        buf[k + 2] = '\0';
        return 0;
}

static bool is_ascii(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) s[i] >= 0x80)
                        return false;
        return true;
}

static DomainKind bucket(char *buf, size_t bufsz, const char *name, DomainKind k) {
        size_t n = strlen(name);

        if (n + 1 <= bufsz)
                memcpy(buf, name, n + 1);
        else if (bufsz > 0)
                buf[0] = '\0';
        return k;
}

/* domain_recipient - the name a recipient address is counted under; see domain.h */
DomainKind domain_recipient(const char *addr, size_t n, char *buf, size_t bufsz) {
        char raw[DOMAIN_RAW_MAX + 1];
        char *ace = NULL;
        size_t len;
        int r;

        r = domain_from_address(addr, n, raw, sizeof raw);
        if (r == -ENOBUFS)
                return bucket(buf, bufsz, DOMAIN_BUCKET_TOO_LONG, DOMAIN_KIND_INVALID);
        if (r < 0)
                return bucket(buf, bufsz, DOMAIN_BUCKET_NONE, DOMAIN_KIND_NONE);
        len = strlen(raw);
        if (len == 0)                   /* a NUL right after the '@' */
                return bucket(buf, bufsz, DOMAIN_BUCKET_SYNTAX, DOMAIN_KIND_INVALID);
        if (raw[0] == '[' && raw[len - 1] == ']' && len >= 3)
                return literal_normalize(raw, len, buf, bufsz) == 0
                       ? DOMAIN_KIND_LITERAL
                       : bucket(buf, bufsz, DOMAIN_BUCKET_LITERAL, DOMAIN_KIND_INVALID);
        if (!is_ascii(raw, len)) {
                /* IDNA2008, non-transitional (UTS #46 mapping), input normalised to NFC */
                r = idn2_to_ascii_8z(raw, &ace, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
                if (r == IDN2_ENCODING_ERROR) {
                        free(ace);
                        return bucket(buf, bufsz, DOMAIN_BUCKET_UTF8, DOMAIN_KIND_INVALID);
                }
                if (r != IDN2_OK || !ace) {
                        idn2_free(ace);
                        return bucket(buf, bufsz, DOMAIN_BUCKET_IDNA, DOMAIN_KIND_INVALID);
                }
                len = strlen(ace);
                if (len > DOMAIN_MAX || !domain_is_valid(ace, len) || len + 1 > bufsz) {
                        idn2_free(ace);
                        return bucket(buf, bufsz, DOMAIN_BUCKET_IDNA, DOMAIN_KIND_INVALID);
                }
                memcpy(buf, ace, len + 1);
                ascii_lower(buf);
                idn2_free(ace);
                return DOMAIN_KIND_NAME;
        }
        if (len > DOMAIN_MAX || !domain_is_valid(raw, len) || len + 1 > bufsz)
                return bucket(buf, bufsz, len > DOMAIN_MAX ? DOMAIN_BUCKET_TOO_LONG : DOMAIN_BUCKET_SYNTAX,
                              DOMAIN_KIND_INVALID);
        memcpy(buf, raw, len + 1);
        return DOMAIN_KIND_NAME;
}

/* domain_to_unicode - the U-label form of an A-label name, malloc'd; NULL when it has none */
char *domain_to_unicode(const char *ace) {
        char *u = NULL;

        if (!ace || !strstr(ace, "xn--"))
                return NULL;
        if (idn2_to_unicode_8z8z(ace, &u, IDN2_NONTRANSITIONAL) != IDN2_OK || !u) {
                idn2_free(u);
                return NULL;
        }
        if (strcmp(u, ace) == 0) {
                idn2_free(u);
                return NULL;
        }
        return u;
}
