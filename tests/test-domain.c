/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-domain - strict domain validation, address domains, loopback
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cleanup.h"
#include "domain.h"

static void test_domain_is_valid(void **state) {
        static const struct {
                const char *in;
                size_t n;       /* 0 = strlen */
                bool want;
        } rows[] = {
                { "example.com", 0, true },
                { "mx-1.Example.COM", 0, true },
                { "xn--bcher-kva.example", 0, true },
                { "a.b", 0, true },
                { "localhost", 0, false },
                { "", 0, false },
                { ".example.com", 0, false },
                { "example.com.", 0, false },
                { "exa mple.com", 0, false },
                { "example.com\n", 0, false },
                { "ex#ample.com", 0, false },
                { "ex=ample.com", 0, false },
                { "ex,ample.com", 0, false },
                { "ex_ample.com", 0, false },
                { "-example.com", 0, false },
                { "example-.com", 0, false },
                { "example..com", 0, false },
                { "b\xc3\xbc" "cher.example", 0, false },
                { "a\0b.example", 11, false },
                { "[127.0.0.1]", 0, false },
                { "example.com:25", 0, false },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                size_t n = rows[i].n ? rows[i].n : strlen(rows[i].in);
                bool got = domain_is_valid(rows[i].in, n);
                if (got != rows[i].want)
                        fail_msg("domain_is_valid(row %zu \"%s\"): got %d, want %d", i, rows[i].in, got,
                                 rows[i].want);
        }

        char label63[64 + 8], label64[65 + 8], long_name[300];
        memset(label63, 'a', 63);
        strcpy(label63 + 63, ".com");
        memset(label64, 'a', 64);
        strcpy(label64 + 64, ".com");
        assert_true(domain_is_valid(label63, strlen(label63)));
        assert_false(domain_is_valid(label64, strlen(label64)));

        /* 253 bytes is the maximum, 254 is too long */
        memset(long_name, 'a', sizeof long_name);
        for (size_t i = 50; i < sizeof long_name; i += 51)
                long_name[i] = '.';
        assert_true(domain_is_valid(long_name, 253));
        assert_false(domain_is_valid(long_name, 254));
        assert_false(domain_is_valid(long_name, 300));
}

static void test_domain_from_address(void **state) {
        char buf[16];

        assert_int_equal(domain_from_address("User@Example.COM", 16, buf, sizeof buf), 0);
        assert_string_equal(buf, "example.com");
        assert_int_equal(domain_from_address("\"a@b\"@x.org", 11, buf, sizeof buf), 0);
        assert_string_equal(buf, "x.org");
        assert_int_equal(domain_from_address("nobody", 6, buf, sizeof buf), -EINVAL);
        assert_int_equal(domain_from_address("nobody@", 7, buf, sizeof buf), -EINVAL);
        assert_int_equal(domain_from_address("a@very-long-domain.example", 26, buf, sizeof buf), -ENOBUFS);
        assert_string_equal(buf, "");
}

static void test_loopback(void **state) {
        static const struct {
                const char *in;
                bool want;
        } rows[] = {
                { "127.0.0.1", true },
                { "127.1.2.3", true },
                { "::1", true },
                { "IPv6:::1", true },
                { "::ffff:127.0.0.1", true },
                { "0:0:0:0:0:0:0:1", true },
                { "128.0.0.1", false },
                { "10.0.0.1", false },
                { "127.0.0.1.example", false },
                { "1270.0.0.1", false },
                { "2001:db8::25", false },
                { "", false },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                bool got = addr_is_loopback(rows[i].in, strlen(rows[i].in));
                if (got != rows[i].want)
                        fail_msg("addr_is_loopback(\"%s\"): got %d, want %d", rows[i].in, got, rows[i].want);
        }
}


static void test_domain_recipient(void **state) {
        static const struct {
                const char *addr;
                DomainKind kind;
                const char *want;
        } rows[] = {
                { "a@Example.COM", DOMAIN_KIND_NAME, "example.com" },
                { "\"a@b\"@x.example", DOMAIN_KIND_NAME, "x.example" },
                /* SMTPUTF8: the A-label (IDNA2008); NFC and upper case handled */
                { "u@b\xc3\xbc" "cher.example", DOMAIN_KIND_NAME, "xn--bcher-kva.example" },
                { "u@B\xc3\x9c" "CHER.example", DOMAIN_KIND_NAME, "xn--bcher-kva.example" },
                { "u@bu\xcc\x88" "cher.example", DOMAIN_KIND_NAME, "xn--bcher-kva.example" },
                /* non-transitional: sharp s stays itself (IDNA2008), not "ss" (IDNA2003) */
                { "u@fa\xc3\x9f.example", DOMAIN_KIND_NAME, "xn--fa-hia.example" },
                { "u@xn--bcher-kva.example", DOMAIN_KIND_NAME, "xn--bcher-kva.example" },
                /* address literals: their own bucket, as written, tag in RFC 5321 case */
                { "u@[192.0.2.1]", DOMAIN_KIND_LITERAL, "[192.0.2.1]" },
                { "u@[ipv6:2001:DB8::1]", DOMAIN_KIND_LITERAL, "[IPv6:2001:db8::1]" },
                { "u@[300.0.2.1]", DOMAIN_KIND_INVALID, DOMAIN_BUCKET_LITERAL },
                { "u@[IPv6:zz]", DOMAIN_KIND_INVALID, DOMAIN_BUCKET_LITERAL },
                /* the rest, counted apart by reason */
                { "postmaster", DOMAIN_KIND_NONE, DOMAIN_BUCKET_NONE },
                { "u@", DOMAIN_KIND_NONE, DOMAIN_BUCKET_NONE },
                { "u@bad_domain!", DOMAIN_KIND_INVALID, DOMAIN_BUCKET_SYNTAX },
                { "u@localhost", DOMAIN_KIND_INVALID, DOMAIN_BUCKET_SYNTAX },
                { "u@b\xfc" "cher.example", DOMAIN_KIND_INVALID, DOMAIN_BUCKET_UTF8 },
                { "u@\xe2\x98\x83\xe2\x80\x8d.example", DOMAIN_KIND_INVALID, DOMAIN_BUCKET_IDNA },
                { "u@a..\xc3\xbc.example", DOMAIN_KIND_INVALID, DOMAIN_BUCKET_IDNA },
        };
        char buf[DOMAIN_BUCKET_MAX + 1], *longaddr;

        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
                DomainKind k = domain_recipient(rows[i].addr, strlen(rows[i].addr), buf, sizeof buf);

                if (k != rows[i].kind || strcmp(buf, rows[i].want) != 0)
                        fail_msg("%s: got %d \"%s\", want %d \"%s\"", rows[i].addr, k, buf, rows[i].kind,
                                 rows[i].want);
                /* a bucket never passes the validation every policy line needs */
                if (k != DOMAIN_KIND_NAME && domain_is_valid(buf, strlen(buf)))
                        fail_msg("%s: bucket \"%s\" is a valid domain", rows[i].addr, buf);
        }
        /* a domain longer than 253 bytes, and one longer than the raw limit */
        longaddr = malloc(2000);
        assert_non_null(longaddr);
        strcpy(longaddr, "u@");
        for (int i = 0; i < 50; i++)
                strcat(longaddr, "abcdef.");
        strcat(longaddr, "example");
        assert_int_equal(domain_recipient(longaddr, strlen(longaddr), buf, sizeof buf), DOMAIN_KIND_INVALID);
        assert_string_equal(buf, DOMAIN_BUCKET_TOO_LONG);
        for (int i = 0; i < 200; i++)
                strcat(longaddr, ".abcdefg");
        assert_int_equal(domain_recipient(longaddr, strlen(longaddr), buf, sizeof buf), DOMAIN_KIND_INVALID);
        assert_string_equal(buf, DOMAIN_BUCKET_TOO_LONG);
        free(longaddr);
}

static void test_domain_to_unicode(void **state) {
        char *u = domain_to_unicode("xn--bcher-kva.example");

        assert_non_null(u);
        assert_string_equal(u, "b\xc3\xbc" "cher.example");
        free(u);
        assert_null(domain_to_unicode("example.com"));
        assert_null(domain_to_unicode("xn--zz.example"));      /* not a valid A-label */
        assert_null(domain_to_unicode(NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_domain_is_valid),
                cmocka_unit_test(test_domain_from_address),
                cmocka_unit_test(test_loopback),
                cmocka_unit_test(test_domain_recipient),
                cmocka_unit_test(test_domain_to_unicode),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
