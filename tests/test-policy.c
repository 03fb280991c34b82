/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-policy - the smtp_tls_policy_maps source reader
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cleanup.h"
#include "policy.h"
#include "postconf.h"
#include "strbuf.h"

static PolicyMap *parse_ok(const char *text, size_t len) {
        PolicyMap *m = NULL;
        char *error = NULL;
        int r = policy_parse("t.map", text, len, &m, &error);
        if (r < 0)
                fail_msg("unexpected error %d: %s\n--- input:\n%s", r, error ? error : "(none)", text);
        return m;
}

typedef struct Attr {
        const char *name, *value;
} Attr;

#define NOATTR { { NULL, NULL } }

typedef struct GoodRow {
        const char *text;
        const char *key;                /* of the last entry */
        const char *level;
        unsigned line;
        Attr attrs[3];
        bool quoted, ignored;
} GoodRow;

static const GoodRow good_rows[] = {
        { "# comment\n\nexample.com encrypt\n", "example.com", "encrypt", 3, NOATTR, false, false },
        { "   # indented comment\n\t\nexample.com may\n", "example.com", "may", 3, NOATTR, false, false },
        { "example.com secure\n  match=.example.com\n", "example.com", "secure", 1,
          { { "match", ".example.com" } }, false, false },
        { "a.example verify\n# between\n\tmatch=hostname\n   protocols=TLSv1.3\n", "a.example", "verify", 1,
          { { "match", "hostname" }, { "protocols", "TLSv1.3" } }, false, false },
        { "\"a b\" may\n", "\"a b\"", "may", 1, NOATTR, true, false },
        { "\"Quoted.Example\" encrypt\n", "\"quoted.example\"", "encrypt", 1, NOATTR, true, false },
        { ".example.net secure match=.example.net:example.net\n", ".example.net", "secure", 1,
          { { "match", ".example.net:example.net" } }, false, false },
        { "[mx.example]:587 encrypt\n", "[mx.example]:587", "encrypt", 1, NOATTR, false, false },
        { "[192.0.2.1] none\n", "[192.0.2.1]", "none", 1, NOATTR, false, false },
        { "x.example encrypt,protocols=>=TLSv1.2,ciphers=high\n", "x.example", "encrypt", 1,
          { { "protocols", ">=TLSv1.2" }, { "ciphers", "high" } }, false, false },
        { "x.example verify , match=a.example:b.example ,, protocols=!SSLv2:!SSLv3\n", "x.example", "verify", 1,
          { { "match", "a.example:b.example" }, { "protocols", "!SSLv2:!SSLv3" } }, false, false },
        { "x.example secure {  match = a.example \t b.example } protocols=TLSv1.3\n", "x.example", "secure", 1,
          { { "match", "a.example b.example" }, { "protocols", "TLSv1.3" } }, false, false },
        { "x.example secure { match =\n  nexthop }\n", "x.example", "secure", 1,
          { { "match", "nexthop" } }, false, false },
        { "EXAMPLE.ORG ENCRYPT Protocols=TLSv1.3\n", "example.org", "encrypt", 1,
          { { "protocols", "TLSv1.3" } }, false, false },
        { "plain.example none protocols=TLSv1.3 whatever\n", "plain.example", "none", 1, NOATTR, false, true },
        /* levels in any case, as smtp(8) reads them; the attribute rules follow the level */
        { "plain.example NONE ciphers=high\n", "plain.example", "none", 1, NOATTR, false, true },
        { "v.example Verify match=nexthop\n", "v.example", "verify", 1, { { "match", "nexthop" } }, false, false },
        { "t.example SECURE tafile=/etc/ta.pem\n", "t.example", "secure", 1,
          { { "tafile", "/etc/ta.pem" } }, false, false },
        { "f.example FingerPrint match=AA:BB\n", "f.example", "fingerprint", 1, { { "match", "AA:BB" } },
          false, false },
        { "crlf.example encrypt\r\nb.example may\r\n", "b.example", "may", 2, NOATTR, false, false },
        { "tab.example\tdane-only\n", "tab.example", "dane-only", 1, NOATTR, false, false },
        { "m.example verify match=a match=b\n", "m.example", "verify", 1,
          { { "match", "a" }, { "match", "b" } }, false, false },
        { "f.example fingerprint match=AA:BB|CC:DD\n", "f.example", "fingerprint", 1,
          { { "match", "AA:BB|CC:DD" } }, false, false },
        { "ta.example secure tafile=/etc/ta.pem\n", "ta.example", "secure", 1,
          { { "tafile", "/etc/ta.pem" } }, false, false },
        { "r.example encrypt connection_reuse=YES enable_rpk=no\n", "r.example", "encrypt", 1,
          { { "connection_reuse", "YES" }, { "enable_rpk", "no" } }, false, false },
        { "s.example encrypt servername=hostname\n", "s.example", "encrypt", 1,
          { { "servername", "hostname" } }, false, false },
        { "sts.example secure policy_type=sts policy_domain=sts.example { policy_string = version: STSv1 }\n",
          "sts.example", "secure", 1,
          { { "policy_type", "sts" }, { "policy_domain", "sts.example" }, { "policy_string", "version: STSv1" } },
          false, false },
        { "last.example may", "last.example", "may", 1, NOATTR, false, false },
        { "a\\ b may\n", "a\\ b", "may", 1, NOATTR, false, false },
};

static void test_good(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(good_rows); i++) {
                const GoodRow *row = &good_rows[i];
                PolicyMap *m = parse_ok(row->text, strlen(row->text));
                assert_true(m->n_entries > 0);
                const PolicyEntry *e = &m->entries[m->n_entries - 1];
                size_t n_attrs = 0;

                while (n_attrs < 3 && row->attrs[n_attrs].name)
                        n_attrs++;
                if (strcmp(e->key, row->key) != 0 || strcmp(e->level, row->level) != 0 || e->line != row->line ||
                    e->n_attrs != n_attrs || e->quoted != row->quoted || e->ignored_attributes != row->ignored)
                        fail_msg("row %zu: got key '%s' level '%s' line %u attrs %zu quoted %d ignored %d, "
                                 "want '%s' '%s' %u %zu %d %d", i, e->key, e->level, e->line, e->n_attrs,
                                 e->quoted, e->ignored_attributes, row->key, row->level, row->line, n_attrs,
                                 row->quoted, row->ignored);
                for (size_t k = 0; k < n_attrs; k++)
                        if (strcmp(e->attrs[k].name, row->attrs[k].name) != 0 ||
                            strcmp(e->attrs[k].value, row->attrs[k].value) != 0)
                                fail_msg("row %zu attr %zu: got %s=%s, want %s=%s", i, k, e->attrs[k].name,
                                         e->attrs[k].value, row->attrs[k].name, row->attrs[k].value);
                policy_free(m);
        }
}

typedef struct BadRow {
        const char *text;
        const char *want;               /* exact message */
} BadRow;

static const BadRow bad_rows[] = {
        { "ok.example may\nexample.com\n", "t.map:2: expected format: key whitespace value" },
        { "example.com    \n", "t.map:1: expected format: key whitespace value" },
        { "example.com bogus\n", "t.map:1: key \"example.com\": invalid security level \"bogus\"" },
        { "example.com halfdane\n", "t.map:1: key \"example.com\": invalid security level \"halfdane\"" },
        { "example.com unknown\n", "t.map:1: key \"example.com\": invalid security level \"unknown\"" },
        { "example.com Fingerprint tafile=/etc/ta.pem\n",
          "t.map:1: key \"example.com\": attribute \"tafile\" invalid at security level \"fingerprint\"" },
        { "example.com DANE-ONLY match=mx.example\n",
          "t.map:1: key \"example.com\": attribute \"match\" invalid at security level \"dane-only\"" },
        { "example.com encrypt # no trailing comments\n",
          "t.map:1: key \"example.com\": malformed attribute/value pair \"#\": missing '='" },
        { "example.com encrypt match=mx.example\n",
          "t.map:1: key \"example.com\": attribute \"match\" invalid at security level \"encrypt\"" },
        { "example.com dane-only match=mx.example\n",
          "t.map:1: key \"example.com\": attribute \"match\" invalid at security level \"dane-only\"" },
        { "example.com verify match=\n", "t.map:1: key \"example.com\": attribute \"match\" has empty value" },
        { "example.com encrypt ciphers=\n", "t.map:1: key \"example.com\": attribute \"ciphers\" has empty value" },
        { "example.com encrypt ciphers=high ciphers=low\n",
          "t.map:1: key \"example.com\": attribute \"ciphers\" is specified multiple times" },
        { "example.com encrypt protocols=TLSv1.2,protocols=TLSv1.3\n",
          "t.map:1: key \"example.com\": attribute \"protocols\" is specified multiple times" },
        { "example.com encrypt Colour=blue\n", "t.map:1: key \"example.com\": invalid attribute name: \"colour\"" },
        { "example.com encrypt =x\n",
          "t.map:1: key \"example.com\": malformed attribute/value pair \"=x\": missing attribute name" },
        { "example.com encrypt {match=x\n",
          "t.map:1: key \"example.com\": malformed attribute/value pair \"{match=x\": unbalanced '{'" },
        { "example.com verify {match=x}y\n",
          "t.map:1: key \"example.com\": malformed attribute/value pair \"{match=x}y\": missing '}'" },
        { "example.com encrypt connection_reuse=maybe\n",
          "t.map:1: key \"example.com\": attribute \"connection_reuse\" has bad value: \"maybe\"" },
        { "example.com encrypt tafile=/etc/ta.pem\n",
          "t.map:1: key \"example.com\": attribute \"tafile\" invalid at security level \"encrypt\"" },
        { "example.com encrypt servername=bad_host!\n",
          "t.map:1: key \"example.com\": \"servername=bad_host!\" specifies an invalid hostname" },
        { "example.com encrypt policy_domain=x.example\n",
          "t.map:1: key \"example.com\": built-in policy has unexpected attribute policy_ttl, policy_domain, "
          "policy_string, mx_host_pattern or policy_failure" },
        { "example.com encrypt policy_type=bogus\n",
          "t.map:1: key \"example.com\": attribute \"policy_type\" has an unexpected value: \"bogus\"" },
        { "example.com encrypt policy_type=sts policy_ttl=12x\n",
          "t.map:1: key \"example.com\": attribute \"policy_ttl\" has a malformed value: \"12x\"" },
        { "example.com encrypt policy_type=sts policy_failure=oops\n",
          "t.map:1: key \"example.com\": attribute \"policy_failure\" has an unexpected value: \"oops\"" },
        { "\"unbalanced may\n", "t.map:1: unbalanced '\"' in key" },
        { "  leading.example may\n", "t.map:1: continuation line without a preceding entry" },
        { "a.example may\n\n\nb.example\n  bogus\n", "t.map:4: key \"b.example\": invalid security level \"bogus\"" },
        { "# BEGIN mxtls\na.example may\n", "t.map:2: \"# BEGIN mxtls\" without \"# END mxtls\"" },
        { "a.example may\n# END mxtls\n", "t.map:2: \"# END mxtls\" without \"# BEGIN mxtls\"" },
        { "# BEGIN mxtls\n# END mxtls\n# BEGIN mxtls\n# END mxtls\n", "t.map:3: second \"# BEGIN mxtls\" line" },
        { "evil\x1b[2J.example bogus\n", "t.map:1: key \"evil\\x1b[2J.example\": invalid security level \"bogus\"" },
};

static void test_bad(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(bad_rows); i++) {
                const BadRow *row = &bad_rows[i];
                PolicyMap *m = NULL;
                char *error = NULL;
                int r = policy_parse("t.map", row->text, strlen(row->text), &m, &error);

                if (r != -EBADMSG || !error || strcmp(error, row->want) != 0)
                        fail_msg("row %zu: got r=%d \"%s\", want \"%s\"", i, r, error ? error : "(null)", row->want);
                assert_null(m);
                free(error);
        }

        /* a NUL byte in the middle of a line */
        static const char nul[] = "a.example may\nb.example\0 may\n";
        PolicyMap *m = NULL;
        char *error = NULL;
        assert_int_equal(policy_parse("t.map", nul, sizeof(nul) - 1, &m, &error), -EBADMSG);
        assert_string_equal(error, "t.map:2: NUL byte in line");
        free(error);
}

static void test_lookup(void **state) {
        static const char text[] =
                "example.com encrypt\n"
                ".example.net secure match=.example.net\n"
                "sub.example.org may\n"
                "[relay.example]:587 encrypt\n"
                "\"quoted.example\" may\n"
                ".org none\n"
                "dup.example may\n"
                "# BEGIN mxtls\n"
                "in.section encrypt\n"
                "dup.example encrypt\n"
                "# END mxtls\n"
                "later.example may\n";
        PolicyMap *m = parse_ok(text, strlen(text));
        static const struct {
                const char *nexthop, *key;
        } rows[] = {
                { "example.com", "example.com" },
                { "EXAMPLE.COM", "example.com" },
                { "a.example.com", NULL },
                { "mx.example.net", ".example.net" },
                { "a.b.example.net", ".example.net" },
                { "example.net", NULL },
                { "sub.example.org", "sub.example.org" },
                { "x.sub.example.org", ".org" },
                { "example.org", ".org" },
                { "[relay.example]:587", "[relay.example]:587" },
                { "relay.example", NULL },
                { "[relay.example]", NULL },
                { "[x.example.net]", NULL },          /* no parent lookups for bracketed keys */
                { "quoted.example", NULL },
                { "in.section", "in.section" },
                { "dup.example", "dup.example" },
                { "later.example", "later.example" },
                { "", NULL },
        };

        assert_true(m->has_mxtls_section);
        assert_int_equal(m->n_entries, 9);
        assert_int_equal(m->n_duplicates, 1);
        assert_string_equal(m->duplicates[0].key, "dup.example");
        assert_int_equal(m->duplicates[0].line, 10);
        assert_int_equal(m->duplicates[0].first_line, 7);
        assert_true(m->duplicates[0].in_mxtls_section);

        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                const PolicyEntry *e = policy_lookup(m, rows[i].nexthop);
                if ((e == NULL) != (rows[i].key == NULL) || (e && strcmp(e->key, rows[i].key) != 0))
                        fail_msg("lookup '%s': got %s, want %s", rows[i].nexthop, e ? e->key : "(none)",
                                 rows[i].key ? rows[i].key : "(none)");
        }
        const PolicyEntry *e = policy_lookup(m, "dup.example");
        assert_string_equal(e->level, "may");           /* first wins */
        assert_false(e->in_mxtls_section);
        assert_true(policy_lookup(m, "in.section")->in_mxtls_section);
        assert_false(policy_lookup(m, "later.example")->in_mxtls_section);

        /* policy_names: administrator's entries only, quoted forms count */
        assert_null(policy_names(m, "in.section"));
        assert_non_null(policy_names(m, "quoted.example"));
        assert_non_null(policy_names(m, "dup.example"));
        assert_non_null(policy_names(m, "a.example.net"));
        assert_null(policy_names(m, "a.example.com"));
        assert_string_equal(policy_attr(policy_lookup(m, "x.example.net"), "match"), ".example.net");
        assert_null(policy_attr(policy_lookup(m, "example.com"), "match"));
        policy_free(m);

        /* an entry first inside the section, repeated outside it, is the administrator's */
        static const char text2[] = "# BEGIN mxtls\nz.example encrypt\n# END mxtls\nz.example may\n";
        m = parse_ok(text2, strlen(text2));
        assert_true(policy_lookup(m, "z.example")->in_mxtls_section);
        assert_non_null(policy_names(m, "z.example"));
        policy_free(m);

        assert_null(policy_lookup(NULL, "example.com"));
        assert_null(policy_names(NULL, "example.com"));
}

static void test_big(void **state) {
        StrBuf b;
        strbuf_init(&b);
        for (unsigned i = 0; i < 20000; i++)
                strbuf_printf(&b, "d%u.example encrypt protocols=>=TLSv1.2\n", i);
        PolicyMap *m = parse_ok(b.data, b.len);
        assert_int_equal(m->n_entries, 20000);
        for (unsigned i = 0; i < 20000; i += 997) {
                char key[32];
                (void) snprintf(key, sizeof(key), "d%u.example", i);
                const PolicyEntry *e = policy_lookup(m, key);
                assert_non_null(e);
                assert_int_equal(e->line, i + 1);
        }
        policy_free(m);
        strbuf_free(&b);
}

static char tmpdir[64];

static void write_file(const char *path, const char *text, mode_t mode) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        assert_int_equal(chmod(path, mode), 0);
}

static void test_load_and_default_path(void **state) {
        char path[128], fake[128], *old_path = NULL, *error = NULL, *got = NULL;
        PolicyMap *m = NULL;

        (void) snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-policy-XXXXXX");
        assert_non_null(mkdtemp(tmpdir));
        (void) snprintf(path, sizeof(path), "%s/tls_policy", tmpdir);
        write_file(path, "ok.example may\nbad.example encrypt match=x\n", 0644);
        assert_int_equal(policy_load(path, &m, &error), -EBADMSG);
        char want[256];
        (void) snprintf(want, sizeof(want), "%s:2: key \"bad.example\": attribute \"match\" invalid at security "
                        "level \"encrypt\"", path);
        assert_string_equal(error, want);
        free(error);
        error = NULL;
        assert_int_equal(policy_load("/nonexistent/map", &m, &error), -ENOENT);
        free(error);
        error = NULL;

        /* a fake postconf first on $PATH answers smtp_tls_policy_maps */
        (void) snprintf(fake, sizeof(fake), "%s/postconf", tmpdir);
        write_file(fake, "#!/bin/sh\n[ \"$1\" = -xh ] && [ \"$2\" = smtp_tls_policy_maps ] || exit 1\n"
                         "printf '%s\\n' \"$FAKE_POSTCONF\"\n", 0755);
        old_path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
        assert_non_null(old_path);
        char newpath[4096];
        (void) snprintf(newpath, sizeof(newpath), "%s:%s", tmpdir, old_path);
        setenv("PATH", newpath, 1);

        static const struct {
                const char *value;
                int want_r;
                const char *want_path;
        } rows[] = {
                { "hash:/etc/postfix/tls_policy", 0, "/etc/postfix/tls_policy" },
                { "texthash:/etc/postfix/tls", 0, "/etc/postfix/tls" },
                { "lmdb:/a, hash:/b", 0, "/a" },
                { "proxy:btree:/c", 0, "/c" },
                { "cdb:/d", 0, "/d" },
                { "/plain/file", 0, "/plain/file" },
                { "pcre:/etc/postfix/tls.pcre", -EOPNOTSUPP, NULL },
                { "ldap:/etc/postfix/ldap.cf", -EOPNOTSUPP, NULL },
                { "", -ENOENT, NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                setenv("FAKE_POSTCONF", rows[i].value, 1);
                got = NULL;
                error = NULL;
                int r = policy_default_path(&got, &error);
                if (r != rows[i].want_r || (rows[i].want_path && (!got || strcmp(got, rows[i].want_path) != 0)))
                        fail_msg("'%s': got %d %s, want %d %s", rows[i].value, r, got ? got : "(null)",
                                 rows[i].want_r, rows[i].want_path ? rows[i].want_path : "(null)");
                if (r == -EOPNOTSUPP)
                        assert_non_null(strstr(error, "cannot be read"));
                free(got);
                free(error);
        }

        /* a postconf that writes far more than it may, on both pipes: no value, and no hang */
        write_file(fake, "#!/bin/sh\nhead -c 1048576 /dev/zero >&2\nhead -c 1048576 /dev/zero | tr '\\0' x\n",
                   0755);
        got = NULL;
        assert_int_equal(postconf_get("smtp_tls_policy_maps", &got), -EIO);
        assert_null(got);
        write_file(fake, "#!/bin/sh\nprintf 'ok\\n\\n'\nhead -c 1048576 /dev/zero >&2\n", 0755);
        assert_int_equal(postconf_get("smtp_tls_policy_maps", &got), 0);
        assert_string_equal(got, "ok");
        free(got);
        setenv("PATH", old_path, 1);
        unsetenv("FAKE_POSTCONF");
        free(old_path);
        assert_int_equal(unlink(fake), 0);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(tmpdir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good),
                cmocka_unit_test(test_bad),
                cmocka_unit_test(test_lookup),
                cmocka_unit_test(test_big),
                cmocka_unit_test(test_load_and_default_path),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
