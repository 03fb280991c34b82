/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-template - advisor templates: schema, defaults, errors, lookup
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cleanup.h"
#include "strv.h"
#include "template.h"

static Template *load_ok(const char *yaml) {
        Template *t = NULL;
        char *error = NULL;
        int r = template_load_data("t.yaml", yaml, strlen(yaml), &t, &error);
        if (r < 0)
                fail_msg("unexpected error %d: %s\n--- input:\n%s", r, error ? error : "(none)", yaml);
        assert_null(error);
        return t;
}

static void test_minimal_defaults(void **state) {
        Template *t = load_ok("propose:\n  level: encrypt\n");

        assert_string_equal(t->name, "t");              /* from the file name */
        assert_null(t->description);
        assert_int_equal(t->window_days, 60);
        assert_int_equal(t->min_deliveries, 50);
        assert_int_equal(t->min_days, 14);
        assert_int_equal(t->min_tls_share, 100);
        assert_int_equal(t->max_tls_failures, 0);
        assert_null(t->min_protocol);
        assert_int_equal(t->trust_count, 0);
        assert_int_equal(t->exclude_domains_count, 0);
        assert_string_equal(t->propose.level, "encrypt");
        assert_null(t->propose.protocols);
        assert_null(t->propose.match);
        assert_false(t->propose.require_dane_verified);
        template_free(t);

        /* a file name that could not be printed safely is not used as the name */
        char *error = NULL;
        t = NULL;
        assert_int_equal(template_load_data("dir/we ird\n.yaml", "propose: {level: may}\n", 22, &t, &error), 0);
        assert_string_equal(t->name, "unnamed");
        template_free(t);

        /* a short window caps the default min_days */
        t = load_ok("window_days: 7\npropose: {level: may}\n");
        assert_int_equal(t->window_days, 7);
        assert_int_equal(t->min_days, 7);
        template_free(t);

        /* explicit zeros are kept, not replaced by defaults */
        t = load_ok("min_deliveries: 0\nmin_days: 0\nmin_tls_share: 0\npropose: {level: encrypt}\n");
        assert_int_equal(t->min_deliveries, 0);
        assert_int_equal(t->min_days, 0);
        assert_int_equal(t->min_tls_share, 0);
        template_free(t);
}

static void test_full(void **state) {
        Template *t = load_ok(
                "name: mine\n"
                "description: \"a test\"\n"
                "window_days: 90\n"
                "min_deliveries: 7\n"
                "min_days: 3\n"
                "min_tls_share: 99\n"
                "max_tls_failures: 2\n"
                "min_protocol: TLSv1.2\n"
                "trust: [Verified, Trusted]\n"
                "exclude_domains:\n"
                "  - Example.COM\n"
                "  - .corp.example\n"
                "propose:\n"
                "  level: Secure\n"
                "  match: MX\n"
                "  protocols: \">=TLSv1.2\"\n"
                "  ciphers: HIGH\n");

        assert_string_equal(t->name, "mine");
        assert_string_equal(t->description, "a test");
        assert_int_equal(t->window_days, 90);
        assert_int_equal(t->min_deliveries, 7);
        assert_int_equal(t->min_days, 3);
        assert_int_equal(t->min_tls_share, 99);
        assert_int_equal(t->max_tls_failures, 2);
        assert_string_equal(t->min_protocol, "TLSv1.2");
        assert_int_equal(t->trust_count, 2);
        assert_string_equal(t->trust[1], "Trusted");
        assert_int_equal(t->exclude_domains_count, 2);
        assert_string_equal(t->exclude_domains[0], "example.com");     /* folded */
        assert_string_equal(t->propose.level, "secure");
        assert_string_equal(t->propose.match, "mx");
        assert_string_equal(t->propose.protocols, ">=TLSv1.2");
        assert_string_equal(t->propose.ciphers, "high");

        assert_true(template_excludes(t, "example.com"));
        assert_true(template_excludes(t, "EXAMPLE.com"));
        assert_false(template_excludes(t, "sub.example.com"));
        assert_true(template_excludes(t, "a.corp.example"));
        assert_true(template_excludes(t, "a.b.corp.example"));
        assert_false(template_excludes(t, "corp.example"));
        assert_false(template_excludes(t, "xcorp.example"));
        assert_true(template_trust_ok(t, "Verified"));
        assert_false(template_trust_ok(t, "Untrusted"));
        assert_false(template_trust_ok(t, ""));
        template_free(t);
}

typedef struct ErrorRow {
        const char *yaml;
        const char *want;               /* exact prefix of the message */
} ErrorRow;

static const ErrorRow error_rows[] = {
        { "name: x\npropose:\n  level: encrypt\nbogus: 1\n", "t.yaml:4: unknown key 'bogus'" },
        { "propose:\n  level: encrypt\n\n  bogus: 1\n", "t.yaml:4: unknown key 'propose.bogus'" },
        { "name: x\nwindow_days: abc\npropose: {level: encrypt}\n",
          "t.yaml:2: key 'window_days': invalid value 'abc'" },
        { "window_days: 1e3\npropose: {level: encrypt}\n", "t.yaml:1: key 'window_days': invalid value '1e3'" },
        { "window_days: 0\npropose: {level: encrypt}\n", "t.yaml:1: key 'window_days': invalid value '0'" },
        { "window_days: 010\npropose: {level: encrypt}\n", "t.yaml:1: key 'window_days': invalid value '010'" },
        { "window_days: -5\npropose: {level: encrypt}\n", "t.yaml:1: key 'window_days': invalid value '-5'" },
        { "window_days: 3661\npropose: {level: encrypt}\n", "t.yaml:1: key 'window_days': invalid value '3661'" },
        { "window_days:\npropose: {level: encrypt}\n", "t.yaml:1: key 'window_days': invalid value ''" },
        { "window_days: [1]\npropose: {level: encrypt}\n", "t.yaml:1: key 'window_days': invalid value" },
        { "min_tls_share: 101\npropose: {level: encrypt}\n", "t.yaml:1: key 'min_tls_share': invalid value '101'" },
        { "min_deliveries: 99999999999\npropose: {level: encrypt}\n",
          "t.yaml:1: key 'min_deliveries': invalid value" },
        { "window_days: 10\nmin_days: 11\npropose: {level: encrypt}\n", "t.yaml:2: key 'min_days': invalid value" },
        { "propose:\n  level: dane-only\n  require_dane_verified: maybe\n",
          "t.yaml:3: key 'propose.require_dane_verified': invalid value 'maybe'" },
        { "propose:\n  level: encrypt\n  require_dane_verified: true\n",
          "t.yaml:3: key 'propose.require_dane_verified': invalid value" },
        { "trust: Verified\npropose: {level: encrypt}\n", "t.yaml:1: key 'trust': invalid value" },
        { "trust:\n  - Verified\n  - Maybe\npropose: {level: encrypt}\n", "t.yaml:3: key 'trust[1]': invalid value 'Maybe'" },
        { "trust: [Verified, Trusted, Untrusted, Anonymous, Verified]\npropose: {level: encrypt}\n",
          "t.yaml:1: key 'trust': invalid value" },
        { "trust:\n  - [a]\npropose: {level: encrypt}\n", "t.yaml:2: key 'trust': invalid value" },
        { "min_protocol: TLSv9\npropose: {level: encrypt}\n", "t.yaml:1: key 'min_protocol': invalid value 'TLSv9'" },
        /* the words of vocab.h: protocols and trust in Postfix's spelling only */
        { "min_protocol: tlsv1.2\npropose: {level: encrypt}\n",
          "t.yaml:1: key 'min_protocol': invalid value 'tlsv1.2' (expected SSLv2, SSLv3, TLSv1, TLSv1.1, "
          "TLSv1.2 or TLSv1.3)" },
        { "trust: [verified]\npropose: {level: encrypt}\n",
          "t.yaml:1: key 'trust[0]': invalid value 'verified' (expected Verified, Trusted, Untrusted or Anonymous)" },
        { "trust: [\"\"]\npropose: {level: encrypt}\n", "t.yaml:1: key 'trust[0]': invalid value ''" },
        { "propose:\n  level: Fingerprint\n", "t.yaml:2: key 'propose.level': invalid value 'Fingerprint'" },
        { "propose:\n  level: unknown\n", "t.yaml:2: key 'propose.level': invalid value 'unknown'" },
        { "propose:\n  level: DANE\n  match: mx\n", "t.yaml:3: key 'propose.match': invalid value 'mx'" },
        { "exclude_domains:\n  - ok.example\n  - \"bad domain\"\npropose: {level: encrypt}\n",
          "t.yaml:3: key 'exclude_domains[1]': invalid value 'bad domain'" },
        { "name: \"a b\"\npropose: {level: encrypt}\n", "t.yaml:1: key 'name': invalid value 'a b'" },
        { "propose:\n  level: bogus\n", "t.yaml:2: key 'propose.level': invalid value 'bogus'" },
        { "propose:\n  level: fingerprint\n", "t.yaml:2: key 'propose.level': invalid value 'fingerprint'" },
        { "propose:\n  level: none\n", "t.yaml:2: key 'propose.level': invalid value 'none'" },
        { "propose:\n  level: halfdane\n", "t.yaml:2: key 'propose.level': invalid value 'halfdane'" },
        { "propose:\n  level: \"\"\n", "t.yaml:2: key 'propose.level': invalid value ''" },
        { "propose:\n  level: encrypt\n  match: mx\n", "t.yaml:3: key 'propose.match': invalid value 'mx'" },
        { "propose:\n  level: secure\n  match: \"a b\"\n", "t.yaml:3: key 'propose.match': invalid value" },
        { "propose:\n  level: secure\n  match: \"nexthop:\"\n", "t.yaml:3: key 'propose.match': invalid value" },
        { "propose:\n  level: encrypt\n  protocols: \">=TLSv9\"\n",
          "t.yaml:3: key 'propose.protocols': invalid value '>=TLSv9'" },
        { "propose:\n  level: encrypt\n  protocols: \"TLSv1.2 TLSv1.3\"\n", "t.yaml:3: key 'propose.protocols'" },
        { "propose:\n  level: encrypt\n  ciphers: strong\n", "t.yaml:3: key 'propose.ciphers': invalid value 'strong'" },
        { "name: x\n", "t.yaml:1: missing required key 'propose'" },
        { "name: x\npropose:\n  protocols: \">=TLSv1.2\"\n", "t.yaml:2: missing required key 'propose.level'" },
        { "propose: encrypt\n", "t.yaml:1: key 'propose': invalid value (expected a mapping)" },
        { "window_days: 5\nwindow_days: 6\npropose: {level: encrypt}\n", "t.yaml:2: duplicate key 'window_days'" },
        { "name: [x\n", "t.yaml:" },
        { "name: x\n  bad: indent\n", "t.yaml:2: YAML syntax error" },
        { "- a\n- b\n", "t.yaml:1: expected a mapping of keys at the top level" },
        { "", "t.yaml:1: the document is empty" },
        { "# only a comment\n", "t.yaml:1: the document is empty" },
        { "name: &a x\ndescription: *a\npropose: {level: encrypt}\n", "t.yaml:2: aliases are not supported" },
        { "propose: {level: encrypt}\n---\npropose: {level: encrypt}\n", "t.yaml:2: more than one YAML document" },
        { "? [a]\n: b\npropose: {level: encrypt}\n", "t.yaml:1: mapping keys must be plain strings" },
        { "description: \"a\\0b\"\npropose: {level: encrypt}\n", "t.yaml:1: key 'description': invalid value" },
        /* the same scanner as mxtls.yaml: hints, first line of a duplicate, lines of bad bytes */
        { "propose:\n  levle: encrypt\n", "t.yaml:2: unknown key 'propose.levle' (did you mean 'propose.level'?)" },
        { "propose: {level: encrypt}\npropose: {level: may}\n",
          "t.yaml:2: duplicate key 'propose' (first set on line 1)" },
        { "propose: {level: encrypt}\nname: \xff\n", "t.yaml:2: YAML syntax error: invalid leading UTF-8 octet" },
        { "\"\\u009b[31m\": 1\n", "t.yaml:1: unknown key '?[31m'" },
        { "propose:\n  level: dane\n  require_dane_verified: on\n",
          "t.yaml:3: key 'propose.require_dane_verified': invalid value 'on' (expected true or false)" },
};

static void test_errors(void **state) {
        for (size_t i = 0; i < sizeof(error_rows) / sizeof(error_rows[0]); i++) {
                const ErrorRow *row = &error_rows[i];
                Template *t = NULL;
                char *error = NULL;
                int r = template_load_data("t.yaml", row->yaml, strlen(row->yaml), &t, &error);

                if (r != -EBADMSG || !error || strncmp(error, row->want, strlen(row->want)) != 0)
                        fail_msg("row %zu: got r=%d message \"%s\", want -EBADMSG and \"%s...\"\n--- input:\n%s",
                                 i, r, error ? error : "(null)", row->want, row->yaml);
                assert_null(t);
                free(error);
        }
}

static void test_shipped(void **state) {
        const char *root = getenv("MXTLS_SOURCE_ROOT");
        static const struct {
                const char *name, *level, *match;
                bool dane;
        } want[] = {
                { "conservative", "encrypt", NULL, false },
                { "strict", "secure", "mx", false },
                { "dane", "dane-only", NULL, true },
                { "verify-mx", "verify", "mx", false },
                { "quick", "encrypt", NULL, false },
        };
        char **names = NULL, **paths = NULL;
        size_t n = 0;

        assert_non_null(root);
        assert_int_equal(template_list(NULL, &names, &paths), 0);
        for (; names[n]; n++) {
                Template *t = NULL;
                char *error = NULL;
                int r = template_load_file(paths[n], &t, &error);
                if (r < 0)
                        fail_msg("%s: %s", paths[n], error ? error : "?");
                assert_string_equal(t->name, names[n]);
                assert_non_null(t->description);
                if (n > 0)
                        assert_true(strcmp(names[n - 1], names[n]) < 0);
                template_free(t);
        }
        assert_true(n >= ELEMENTSOF(want));

        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                Template *t = NULL;
                char *error = NULL;
                int r = template_open(want[i].name, NULL, &t, &error);
                if (r < 0)
                        fail_msg("%s: %s", want[i].name, error ? error : "?");
                /* found in the source tree, since MXTLS_SOURCE_ROOT comes first */
                assert_non_null(strstr(t->path, "/policy-templates/"));
                assert_string_equal(t->propose.level, want[i].level);
                if (want[i].match)
                        assert_string_equal(t->propose.match, want[i].match);
                else
                        assert_null(t->propose.match);
                assert_int_equal(t->propose.require_dane_verified, want[i].dane);
                assert_int_equal(t->min_tls_share, 100);
                assert_int_equal(t->max_tls_failures, 0);
                template_free(t);
        }
        strv_free(names);
        strv_free(paths);

        Template *t = NULL;
        assert_int_equal(template_open("conservative", NULL, &t, NULL), 0);
        assert_int_equal(t->window_days, 60);
        assert_int_equal(t->min_deliveries, 50);
        assert_int_equal(t->min_days, 14);
        template_free(t);
}

static void test_find(void **state) {
        char dir[] = "/tmp/test-template-XXXXXX";
        char path[256], *found = NULL, *error = NULL;
        FILE *f;

        assert_non_null(mkdtemp(dir));
        (void) snprintf(path, sizeof(path), "%s/local.yaml", dir);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs("propose: {level: verify, match: nexthop}\n", f);
        fclose(f);

        /* templates_dir is searched after the source tree */
        assert_int_equal(template_find("local", dir, &found, NULL), 0);
        assert_string_equal(found, path);
        free(found);
        found = NULL;
        assert_int_equal(template_find("conservative", dir, &found, NULL), 0);
        assert_null(strstr(found, dir));
        free(found);
        found = NULL;

        /* a path is a file, whatever the directories */
        assert_int_equal(template_find(path, NULL, &found, NULL), 0);
        assert_string_equal(found, path);
        free(found);
        found = NULL;

        assert_int_equal(template_find("no-such-template", dir, &found, &error), -ENOENT);
        assert_non_null(strstr(error, "template 'no-such-template' not found (looked in "));
        assert_non_null(strstr(error, dir));
        free(error);
        error = NULL;
        assert_int_equal(template_find("/nonexistent/x.yaml", NULL, &found, &error), -ENOENT);
        free(error);
        error = NULL;
        assert_int_equal(template_find(".hidden", dir, &found, &error), -EINVAL);
        free(error);
        error = NULL;
        assert_int_equal(template_find("", dir, &found, &error), -EINVAL);
        free(error);

        Template *t = NULL;
        assert_int_equal(template_open("local", dir, &t, NULL), 0);
        assert_string_equal(t->name, "local");
        assert_string_equal(t->propose.match, "nexthop");
        template_free(t);

        char **names = NULL, **paths = NULL;
        bool seen = false;
        assert_int_equal(template_list(dir, &names, &paths), 0);
        for (size_t i = 0; names[i]; i++)
                if (strcmp(names[i], "local") == 0) {
                        seen = true;
                        assert_string_equal(paths[i], path);
                }
        assert_true(seen);
        strv_free(names);
        strv_free(paths);

        /* an invalid file names the file itself */
        f = fopen(path, "w");
        assert_non_null(f);
        fputs("propose:\n  level: encrypt\n  colour: blue\n", f);
        fclose(f);
        t = NULL;
        error = NULL;
        assert_int_equal(template_open("local", dir, &t, &error), -EBADMSG);
        char want[300];
        (void) snprintf(want, sizeof(want), "%s:3: unknown key 'propose.colour'", path);
        assert_string_equal(error, want);
        free(error);

        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(dir), 0);
}

/* Levels are read as smtp(8) reads them (any case, stored lower case); the
 * oldest protocol name Postfix knows is accepted. */
static void test_vocabulary_words(void **state) {
        static const struct {
                const char *yaml;
                const char *level;
        } rows[] = {
                { "min_protocol: SSLv2\npropose: {level: may}\n", "may" },
                { "trust: [Anonymous, Untrusted]\npropose: {level: ENCRYPT}\n", "encrypt" },
                { "propose:\n  level: Dane-Only\n  require_dane_verified: true\n", "dane-only" },
                { "propose:\n  level: Secure\n  match: mx\n", "secure" },
                { "propose:\n  level: VERIFY\n  match: nexthop\n", "verify" },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                Template *t = load_ok(rows[i].yaml);

                assert_string_equal(t->propose.level, rows[i].level);
                template_free(t);
        }
}

static void test_ranks(void **state) {
        assert_int_equal(tls_protocol_rank("TLSv1.3"), 5);
        assert_true(tls_protocol_rank("TLSv1.2") > tls_protocol_rank("TLSv1.1"));
        assert_true(tls_protocol_rank("TLSv1.1") > tls_protocol_rank("TLSv1"));
        assert_int_equal(tls_protocol_rank("TLSv1.4"), -1);
        assert_int_equal(tls_protocol_rank(""), -1);
        assert_true(tls_level_rank("secure") > tls_level_rank("encrypt"));
        assert_true(tls_level_rank("encrypt") > tls_level_rank("may"));
        assert_true(tls_level_rank("dane-only") > tls_level_rank("encrypt"));
        assert_int_equal(tls_level_rank("halfdane"), -1);
        assert_true(domain_matches_pattern("a.example", ".example"));
        assert_false(domain_matches_pattern("example", ".example"));
        assert_true(domain_matches_pattern("Example", "example"));
}

/* One rule for names: a template that loads under a name is found and listed by it,
 * and a name that cannot be found is refused when loading. */
static void test_name_rule(void **state) {
        static const char *const names[] = {
                "mine", "My_Rules-2", "a.b", "v1.2.3", "-dash", "_under", "0",
                "0123456789012345678901234567890123456789012345678901234567890123",       /* 64 */
                ".hidden", "..", "x.yaml", "x.yml", "a b", "a/b", "tab\tname", "\xc3\xbcmlaut", "semi;colon",
                "01234567890123456789012345678901234567890123456789012345678901234",      /* 65 */
        };
        char dir[] = "/tmp/test-template-names-XXXXXX";

        assert_non_null(mkdtemp(dir));
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                const char *name = names[i];
                bool valid = template_name_valid(name), loaded, found, listed = false, in_dir;
                _cleanup_free_ char *yaml = NULL, *file = NULL, *path = NULL;
                char **list = NULL, **paths = NULL;
                Template *t = NULL;
                char *error = NULL;

                /* the name key */
                assert_true(asprintf(&yaml, "name: \"%s\"\npropose: {level: encrypt}\n", name) > 0);
                loaded = template_load_data("t.yaml", yaml, strlen(yaml), &t, &error) == 0;
                if (loaded)
                        assert_string_equal(t->name, name);
                t = template_free(t);
                free(error);

                /* NAME.yaml in a templates directory: found, listed, and named after its file */
                in_dir = !strchr(name, '/');
                if (in_dir) {
                        FILE *f;

                        assert_true(asprintf(&file, "%s/%s.yaml", dir, name) > 0);
                        f = fopen(file, "we");
                        assert_non_null(f);
                        fputs("propose: {level: encrypt}\n", f);
                        assert_int_equal(fclose(f), 0);
                        assert_int_equal(template_load_file(file, &t, NULL), 0);
                        assert_string_equal(t->name, valid ? name : "unnamed");
                        t = template_free(t);
                }
                found = template_find(name, dir, &path, NULL) == 0;
                if (found && in_dir)
                        assert_string_equal(path, file);
                assert_int_equal(template_list(dir, &list, &paths), 0);
                listed = strv_contains(list, name);
                strv_free(list);
                strv_free(paths);
                if (file)
                        assert_int_equal(unlink(file), 0);

                if (loaded != valid || found != valid || (in_dir && listed != valid))
                        fail_msg("name \"%s\": valid %d, loads %d, found %d, listed %d", name, valid, loaded,
                                 found, listed);
        }
        assert_false(template_name_valid(""));
        assert_false(template_name_valid(NULL));
        assert_int_equal(rmdir(dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_name_rule),
                cmocka_unit_test(test_minimal_defaults),
                cmocka_unit_test(test_full),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_shipped),
                cmocka_unit_test(test_find),
                cmocka_unit_test(test_vocabulary_words),
                cmocka_unit_test(test_ranks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
