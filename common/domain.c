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
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "domain.h"

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
