/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-config - mxtls.yaml loading: defaults, every key, errors with lines
 * DESCRIPTION
 *        Each case writes a file into a private temporary directory and loads
 *        it with config_load(). Error cases compare the whole message, which
 *        must name the file, the line and the key.
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
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cleanup.h"
#include "config.h"
#include "fileio.h"
#include "skip.h"
#include "strbuf.h"
#include "strv.h"
#include "util.h"

static char tmpdir[] = "/tmp/test-config-XXXXXX";
static char path[sizeof tmpdir + 32];

static int setup(void **state) {
        if (!mkdtemp(tmpdir))
                return -1;
        (void) snprintf(path, sizeof path, "%s/mxtls.yaml", tmpdir);
        return 0;
}

static int teardown(void **state) {
        (void) unlink(path);
        return rmdir(tmpdir);
}

static void write_config(const char *data, size_t len) {
        FILE *f = fopen(path, "we");

        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
}

/* load - write text, load it; returns rc, fills *ret or *ret_msg */
static int load(const char *text, Config **ret, char **ret_msg) {
        *ret = NULL;
        *ret_msg = NULL;
        write_config(text, strlen(text));
        return config_load(path, true, ret, ret_msg);
}

static void assert_defaults(const Config *c) {
        assert_null(c->state_file);
        assert_int_equal(strv_length(c->identifiers), 3);
        assert_string_equal(c->identifiers[0], "postfix/smtp");
        assert_string_equal(c->identifiers[1], "postfix*/smtp");
        assert_string_equal(c->identifiers[2], "postfix*/relay/smtp");
        assert_non_null(c->directories);
        assert_int_equal(strv_length(c->directories), 0);
        assert_true(c->local_only);
        assert_non_null(c->internal_relays);
        assert_int_equal(strv_length(c->internal_relays), 0);
        assert_int_equal(c->retention_days, 400);
        assert_int_equal(c->session_idle_seconds, 3600);
        assert_int_equal(c->max_sessions, 4096);
        assert_int_equal(c->lock_timeout_seconds, 10);
        assert_int_equal(c->report_days, 30);
        assert_string_equal(c->template_name, "conservative");
        assert_string_equal(c->templates_dir, MXTLS_DATADIR "/policy-templates");
        assert_null(c->policy_file);
        assert_non_null(c->exclude_domains);
        assert_int_equal(strv_length(c->exclude_domains), 0);
        assert_int_equal(c->prometheus_top_n, 20);
        assert_null(c->prometheus_file);
        assert_null(c->advise_file);
}

static void test_new_defaults(void **state) {
        Config *c = NULL;

        assert_int_equal(config_new(&c), 0);
        assert_defaults(c);
        c = config_free(c);
        assert_null(c);
        assert_null(config_free(NULL));
}

static void test_missing_file(void **state) {
        char missing[sizeof tmpdir + 32];
        char *msg = NULL;
        Config *c = NULL;

        (void) snprintf(missing, sizeof missing, "%s/absent.yaml", tmpdir);
        assert_int_equal(config_load(missing, false, &c, &msg), 0);
        assert_non_null(c);
        assert_null(msg);
        assert_defaults(c);
        config_free(c);

        c = NULL;
        assert_int_equal(config_load(missing, true, &c, &msg), -ENOENT);
        assert_null(c);
        assert_non_null(msg);
        assert_non_null(strstr(msg, "absent.yaml"));
        free(msg);
}

/* Files that are valid and change nothing. */
static void test_empty_files(void **state) {
        static const char *const texts[] = {
                "",
                "\n\n",
                "# only a comment\n# and another\n",
                "---\n",
                "---\n...\n",
                "{}\n",
                "~\n",
                "# every key is optional\n{}\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                Config *c;
                char *msg;
                int r = load(texts[i], &c, &msg);
                if (r != 0)
                        fail_msg("case %zu: got rc %d (%s), want 0", i, r, msg ? msg : "-");
                assert_defaults(c);
                config_free(c);
        }
}

static void test_every_key(void **state) {
        static const char text[] =
                "# all keys\n"
                "state_file: /srv/mxtls/store.db\n"
                "identifiers:\n"
                "  - postfix-out/smtp\n"
                "  - \"postfix*/lmtp\"\n"
                "directories: [/var/log/journal/remote, /srv/journal]\n"
                "local_only: no\n"
                "internal_relays:\n"
                "  - 192.0.2.10\n"
                "  - filter.example.net\n"
                "retention_days: 90\n"
                "session_idle_seconds: 600\n"
                "max_sessions: 100\n"
                "lock_timeout_seconds: 0\n"
                "report_days: 7\n"
                "template: strict\n"
                "templates_dir: /etc/mxtls/templates\n"
                "policy_file: /etc/postfix/tls_policy\n"
                "exclude_domains:\n"
                "  - Example.COM\n"
                "  - mail.example.org\n"
                "  - .Example.NET\n"
                "prometheus_top_n: 1\n"
                "prometheus_file: /var/lib/node_exporter/mxtls.prom\n"
                "advise_file: '/var/lib/mxtls/suggested policy'\n";
        Config *c;
        char *msg;

        assert_int_equal(load(text, &c, &msg), 0);
        assert_null(msg);
        assert_string_equal(c->state_file, "/srv/mxtls/store.db");
        assert_int_equal(strv_length(c->identifiers), 2);
        assert_string_equal(c->identifiers[0], "postfix-out/smtp");
        assert_string_equal(c->identifiers[1], "postfix*/lmtp");
        assert_int_equal(strv_length(c->directories), 2);
        assert_string_equal(c->directories[0], "/var/log/journal/remote");
        assert_string_equal(c->directories[1], "/srv/journal");
        assert_false(c->local_only);
        assert_int_equal(strv_length(c->internal_relays), 2);
        assert_string_equal(c->internal_relays[0], "192.0.2.10");
        assert_string_equal(c->internal_relays[1], "filter.example.net");
        assert_int_equal(c->retention_days, 90);
        assert_int_equal(c->session_idle_seconds, 600);
        assert_int_equal(c->max_sessions, 100);
        assert_int_equal(c->lock_timeout_seconds, 0);
        assert_int_equal(c->report_days, 7);
        assert_string_equal(c->template_name, "strict");
        assert_string_equal(c->templates_dir, "/etc/mxtls/templates");
        assert_string_equal(c->policy_file, "/etc/postfix/tls_policy");
        assert_int_equal(strv_length(c->exclude_domains), 3);
        assert_string_equal(c->exclude_domains[0], "example.com");     /* lower-cased */
        assert_string_equal(c->exclude_domains[1], "mail.example.org");
        assert_string_equal(c->exclude_domains[2], ".example.net");
        assert_int_equal(c->prometheus_top_n, 1);
        assert_string_equal(c->prometheus_file, "/var/lib/node_exporter/mxtls.prom");
        assert_string_equal(c->advise_file, "/var/lib/mxtls/suggested policy");
        config_free(c);
}

/* One key set: the others keep their defaults. */
static void test_partial(void **state) {
        Config *c;
        char *msg;

        assert_int_equal(load("retention_days: 30\n", &c, &msg), 0);
        assert_int_equal(c->retention_days, 30);
        assert_int_equal(c->report_days, 30);
        assert_int_equal(c->max_sessions, 4096);
        assert_int_equal(strv_length(c->identifiers), 3);
        assert_string_equal(c->template_name, "conservative");
        config_free(c);

        /* An explicit empty list replaces the default list. */
        assert_int_equal(load("identifiers: []\nlocal_only: TRUE\n", &c, &msg), 0);
        assert_non_null(c->identifiers);
        assert_int_equal(strv_length(c->identifiers), 0);
        assert_true(c->local_only);
        config_free(c);

        /* Bool spellings. */
        static const struct {
                const char *text;
                bool want;
        } bools[] = {
                { "local_only: true\n", true },   { "local_only: false\n", false },
                { "local_only: yes\n", true },    { "local_only: No\n", false },
                { "local_only: on\n", true },     { "local_only: OFF\n", false },
                { "local_only: \"false\"\n", false },
        };
        for (size_t i = 0; i < ELEMENTSOF(bools); i++) {
                int r = load(bools[i].text, &c, &msg);
                if (r != 0)
                        fail_msg("bool case %zu: rc %d (%s)", i, r, msg ? msg : "-");
                if (c->local_only != bools[i].want)
                        fail_msg("bool case %zu: got %d, want %d", i, c->local_only, bools[i].want);
                config_free(c);
        }

        /* Limits are inclusive. */
        assert_int_equal(load("retention_days: 36500\nmax_sessions: 1\n"
                              "lock_timeout_seconds: 3600\nsession_idle_seconds: \"604800\"\n", &c, &msg), 0);
        assert_int_equal(c->retention_days, 36500);
        assert_int_equal(c->max_sessions, 1);
        assert_int_equal(c->lock_timeout_seconds, 3600);
        assert_int_equal(c->session_idle_seconds, 604800);
        config_free(c);
}

typedef struct ErrorCase {
        const char *text;
        int want_rc;
        const char *want;               /* message after "PATH:" */
} ErrorCase;

static void run_error_cases(const ErrorCase *cases, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *want = NULL;
                Config *c;
                char *msg;
                int r = load(cases[i].text, &c, &msg);

                if (r != cases[i].want_rc)
                        fail_msg("case %zu (%s): got rc %d (%s), want %d", i, cases[i].text, r,
                                 msg ? msg : "-", cases[i].want_rc);
                assert_null(c);
                if (!msg)
                        fail_msg("case %zu: no message", i);
                assert_true(asprintf(&want, "%s:%s", path, cases[i].want) > 0);
                if (strcmp(msg, want) != 0)
                        fail_msg("case %zu: got \"%s\", want \"%s\"", i, msg, want);
                free(msg);
        }
}

static void test_unknown_and_duplicate_keys(void **state) {
        static const ErrorCase cases[] = {
                { "# comment\n\nreport_days: 3\n\n\n\nretention: 10\n", -EBADMSG,
                  "7: unknown key 'retention' (did you mean 'retention_days'?)" },
                { "colour: blue\n", -EBADMSG, "1: unknown key 'colour'" },
                { "Report_Days: 3\n", -EBADMSG,
                  "1: unknown key 'Report_Days' (did you mean 'report_days'?)" },
                { "report_days: 3\nmax_sessions: 9\nreport_days: 4\n", -EBADMSG,
                  "3: duplicate key 'report_days' (first set on line 1)" },
                { "[a, b]: 1\n", -EBADMSG, "1: expected a key name, got a list" },
                { "\"bad\\x01key\": 1\n", -EBADMSG, "1: unknown key 'bad?key'" },
                { "\"\\u009b[31m\": 1\n", -EBADMSG, "1: unknown key '?[31m'" },   /* C1 CSI */
        };

        run_error_cases(cases, ELEMENTSOF(cases));
}

static void test_wrong_types(void **state) {
        static const ErrorCase cases[] = {
                { "retention_days: abc\n", -EBADMSG,
                  "1: key 'retention_days': expected a whole number, got 'abc'" },
                { "\nretention_days: -1\n", -EBADMSG,
                  "2: key 'retention_days': expected a whole number, got '-1'" },
                { "retention_days: 0x10\n", -EBADMSG,
                  "1: key 'retention_days': expected a whole number, got '0x10'" },
                { "retention_days: 010\n", -EBADMSG,
                  "1: key 'retention_days': expected a whole number, got '010'" },
                { "retention_days: 1.5\n", -EBADMSG,
                  "1: key 'retention_days': expected a whole number, got '1.5'" },
                { "retention_days: 99999999999\n", -EBADMSG,
                  "1: key 'retention_days': expected a whole number, got '99999999999'" },
                { "retention_days: 0\n", -EBADMSG,
                  "1: key 'retention_days': 0 is out of range (1..36500)" },
                { "prometheus_top_n: 0\n", -EBADMSG,
                  "1: key 'prometheus_top_n': 0 is out of range (1..10000)" },
                { "lock_timeout_seconds: 3601\n", -EBADMSG,
                  "1: key 'lock_timeout_seconds': 3601 is out of range (0..3600)" },
                { "max_sessions: [1]\n", -EBADMSG, "1: key 'max_sessions': expected a number, got a list" },
                { "report_days:\n  a: 1\n", -EBADMSG,
                  "2: key 'report_days': expected a number, got a mapping" },
                { "report_days:\n", -EBADMSG,
                  "1: key 'report_days' needs a value (remove the line to keep the default)" },
                { "local_only: maybe\n", -EBADMSG, "1: key 'local_only': expected true or false, got 'maybe'" },
                { "local_only: 1\n", -EBADMSG, "1: key 'local_only': expected true or false, got '1'" },
                { "template: [a]\n", -EBADMSG, "1: key 'template': expected a string, got a list" },
                { "template: ''\n", -EBADMSG,
                  "1: key 'template' needs a value (remove the line to keep the default)" },
                { "policy_file: ~\n", -EBADMSG,
                  "1: key 'policy_file' needs a value (remove the line to keep the default)" },
                { "state_file: relative/mxtls.db\n", -EBADMSG,
                  "1: key 'state_file': 'relative/mxtls.db' is not an absolute path" },
                { "advise_file: \"/tmp/a\\nb\"\n", -EBADMSG,
                  "1: key 'advise_file': '/tmp/a?b' contains control characters" },
                { "identifiers: postfix/smtp\n", -EBADMSG,
                  "1: key 'identifiers': expected a list (\"- item\" lines or [a, b]), got a single value" },
                { "identifiers:\n", -EBADMSG, "1: key 'identifiers' needs a value (use [] for an empty list)" },
                { "identifiers:\n  - postfix/smtp\n  - {a: b}\n", -EBADMSG,
                  "3: key 'identifiers', item 2: expected a string, got a mapping" },
                { "identifiers:\n  - postfix/smtp\n  - 'post fix'\n", -EBADMSG,
                  "3: key 'identifiers', item 2: 'post fix' contains white space or control characters" },
                { "directories: [/ok, relative]\n", -EBADMSG,
                  "1: key 'directories', item 2: 'relative' is not an absolute path" },
                { "exclude_domains:\n  - example.com\n  - -bad-.example\n", -EBADMSG,
                  "3: key 'exclude_domains', item 2: '-bad-.example' is not a valid domain name" },
                { "exclude_domains: [localhost]\n", -EBADMSG,
                  "1: key 'exclude_domains', item 1: 'localhost' is not a valid domain name" },
                { "exclude_domains: [ok.example, ..example.com]\n", -EBADMSG,
                  "1: key 'exclude_domains', item 2: '..example.com' is not a valid domain name" },
                { "exclude_domains: [.]\n", -EBADMSG,
                  "1: key 'exclude_domains', item 1: '.' is not a valid domain name" },
                { "internal_relays: {a: 1}\n", -EBADMSG,
                  "1: key 'internal_relays': expected a list (\"- item\" lines or [a, b]), got a mapping" },
                { "a: &x 1\nreport_days: *x\n", -EBADMSG, "1: unknown key 'a'" },
                { "report_days: &x 1\nretention_days: *x\n", -EBADMSG,
                  "2: key 'retention_days': expected a number, got an alias" },
        };

        run_error_cases(cases, ELEMENTSOF(cases));
}

static void test_list_limit(void **state) {
        _cleanup_free_ char *text = NULL, *want = NULL;
        size_t cap = 65 * 32 + 32, len = 0;
        Config *c;
        char *msg;

        text = malloc(cap);
        assert_non_null(text);
        len += (size_t) snprintf(text + len, cap - len, "identifiers:\n");
        for (int i = 0; i < 65; i++)
                len += (size_t) snprintf(text + len, cap - len, "  - postfix%d/smtp\n", i);
        assert_int_equal(load(text, &c, &msg), -EBADMSG);
        assert_true(asprintf(&want, "%s:66: key 'identifiers': more than 64 items", path) > 0);
        assert_string_equal(msg, want);
        free(msg);
}

static void test_junk(void **state) {
        static const ErrorCase cases[] = {
                { "junk\n", -EBADMSG, "1: expected a mapping of \"key: value\" lines, got 'junk'" },
                { "\n- a\n- b\n", -EBADMSG, "2: expected a mapping of \"key: value\" lines, got a list" },
                { "report_days: 1\n---\nreport_days: 2\n", -EBADMSG, "2: only one YAML document is allowed" },
                { "report_days: 1\nidentifiers: [a, b\n", -EBADMSG,
                  "3: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)" },
                { "template: b: c\n", -EBADMSG, "1: invalid YAML: mapping values are not allowed in this context" },
                /* a mis-indented key continues the value above it */
                { "report_days: 1\n  retention_days: 2\n", -EBADMSG,
                  "1: key 'report_days': expected a whole number, got '1 retention_days'" },
                { "template: x\n  retention_days: 2\n", -EBADMSG,
                  "2: invalid YAML: mapping values are not allowed in this context" },
                { "{{{{", -EBADMSG, "1: expected a key name, got a mapping" },
                { "]]]]", -EBADMSG, "1: invalid YAML: did not find expected node content (while parsing a block node)" },
                { "\"unterminated\n", -EBADMSG,
                  "2: invalid YAML: found unexpected end of stream (while scanning a quoted scalar)" },
        };

        run_error_cases(cases, ELEMENTSOF(cases));
}

/* Binary junk: invalid UTF-8 and NUL bytes are rejected with a line number. */
static void test_binary(void **state) {
        static const char bin1[] = "report_days: 1\nretention_days: 2\n\xff\xfe\x80garbage\n";
        static const char bin2[] = "report_days: 1\n\0\0\0\n";
        unsigned char noise[4096];
        Config *c = NULL;
        char *msg = NULL;

        write_config(bin1, sizeof bin1 - 1);
        assert_int_equal(config_load(path, true, &c, &msg), -EBADMSG);
        assert_null(c);
        assert_non_null(strstr(msg, ":3: invalid YAML: "));
        free(msg);

        msg = NULL;
        write_config(bin2, sizeof bin2 - 1);
        assert_int_equal(config_load(path, true, &c, &msg), -EBADMSG);
        assert_non_null(strstr(msg, ":2: invalid YAML: "));
        free(msg);

        /* Deterministic noise: must fail cleanly, never crash or leak. */
        uint32_t x = 2463534242u;
        for (size_t i = 0; i < sizeof noise; i++) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                noise[i] = (unsigned char) x;
        }
        msg = NULL;
        write_config((const char *) noise, sizeof noise);
        assert_int_equal(config_load(path, true, &c, &msg), -EBADMSG);
        assert_null(c);
        assert_non_null(msg);
        assert_memory_equal(msg, path, strlen(path));
        free(msg);
}

static void test_too_large(void **state) {
        size_t n = 1024 * 1024 + 10;
        _cleanup_free_ char *big = malloc(n);
        Config *c = NULL;
        char *msg = NULL;

        assert_non_null(big);
        memset(big, '#', n);
        write_config(big, n);
        assert_int_equal(config_load(path, true, &c, &msg), -EFBIG);
        assert_null(c);
        assert_non_null(strstr(msg, "larger than"));
        free(msg);
}

static void test_unreadable_is_error(void **state) {
        Config *c = NULL;
        char *msg = NULL;

        /* A directory exists but cannot be read as a file, even when optional. */
        assert_int_equal(config_load(tmpdir, false, &c, &msg), -EISDIR);
        assert_null(c);
        assert_non_null(strstr(msg, "cannot read"));
        free(msg);
}

/* The installed example: as shipped (all comments) it means the defaults; with
 * every key uncommented it loads, and the scalar values it shows are the defaults. */
static void test_example_file(void **state) {
        const char *root = getenv("MXTLS_SOURCE_ROOT");
        _cleanup_free_ char *example = NULL, *text = NULL;
        StrBuf b;
        Config *c = NULL, *d = NULL;
        char *msg = NULL;
        size_t len, keys = 0;

        if (!root)
                SKIP("the shipped example: MXTLS_SOURCE_ROOT is not set");
        assert_true(asprintf(&example, "%s/mxtls.yaml.example", root) > 0);
        assert_int_equal(config_load(example, true, &c, &msg), 0);
        assert_defaults(c);
        config_free(c);

        assert_int_equal(read_file_full(example, 1 << 20, &text, &len), 0);
        strbuf_init(&b);
        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (line[0] == '#' && ((line[1] >= 'a' && line[1] <= 'z') || strncmp(line + 1, "  - ", 4) == 0)) {
                        keys += line[1] != ' ';
                        line++;
                }
                strbuf_printf(&b, "%s\n", line);
        }
        assert_false(b.oom);
        assert_int_equal(keys, 17);
        write_config(b.data, b.len);
        strbuf_free(&b);
        assert_int_equal(config_load(path, true, &c, &msg), 0);
        assert_int_equal(config_new(&d), 0);
        assert_int_equal(c->retention_days, d->retention_days);
        assert_int_equal(c->lock_timeout_seconds, d->lock_timeout_seconds);
        assert_int_equal(c->session_idle_seconds, d->session_idle_seconds);
        assert_int_equal(c->max_sessions, d->max_sessions);
        assert_int_equal(c->report_days, d->report_days);
        assert_int_equal(c->prometheus_top_n, d->prometheus_top_n);
        assert_int_equal(c->local_only, d->local_only);
        assert_string_equal(c->template_name, d->template_name);
        assert_int_equal(strv_length(c->identifiers), strv_length(d->identifiers));
        for (size_t i = 0; d->identifiers[i]; i++)
                assert_string_equal(c->identifiers[i], d->identifiers[i]);
        config_free(c);
        config_free(d);
}

/* state file in a child process: environment and uid changes stay there */
static char *state_file_in_child(const char *state_dir, const char *xdg, const char *home, uid_t uid) {
        int fds[2];
        char buf[512];
        ssize_t n;
        pid_t pid;

        assert_int_equal(pipe(fds), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char *p;
                (void) close(fds[0]);
                if ((state_dir ? setenv("STATE_DIRECTORY", state_dir, 1) : unsetenv("STATE_DIRECTORY")) < 0 ||
                    (xdg ? setenv("XDG_STATE_HOME", xdg, 1) : unsetenv("XDG_STATE_HOME")) < 0 ||
                    (home ? setenv("HOME", home, 1) : unsetenv("HOME")) < 0)
                        _exit(2);
                if (uid != geteuid() && setresuid(uid, uid, uid) < 0)
                        _exit(3);
                p = config_default_state_file();
                if (!p || write(fds[1], p, strlen(p)) < 0)
                        _exit(4);
                free(p);
                _exit(0);
        }
        (void) close(fds[1]);
        n = read(fds[0], buf, sizeof buf - 1);
        (void) close(fds[0]);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        assert_true(n > 0);
        buf[n] = '\0';
        return strdup(buf);
}

static void check_state(const char *state_dir, const char *xdg, const char *home, uid_t uid,
                        const char *want) {
        _cleanup_free_ char *got = state_file_in_child(state_dir, xdg, home, uid);

        assert_non_null(got);
        if (strcmp(got, want) != 0)
                fail_msg("STATE_DIRECTORY=%s XDG_STATE_HOME=%s HOME=%s uid=%u: got %s, want %s",
                         state_dir ? state_dir : "-", xdg ? xdg : "-", home ? home : "-",
                         (unsigned) uid, got, want);
}

static void test_default_state_file(void **state) {
        uid_t me = geteuid(), user = me == 0 ? 65534 : me;     /* the unprivileged branches, as nobody */

        check_state("/var/lib/mxtls", NULL, NULL, me, "/var/lib/mxtls/mxtls.db");
        check_state("/var/lib/private/mxtls:/var/lib/other", "/x", "/home/u", me,
                    "/var/lib/private/mxtls/mxtls.db");
        check_state(NULL, "/x/state", "/home/u", user, "/x/state/mxtls/mxtls.db");
        check_state(NULL, NULL, "/home/u", user, "/home/u/.local/state/mxtls/mxtls.db");
        check_state(NULL, "relative", "/home/u", user, "/home/u/.local/state/mxtls/mxtls.db");
        check_state("relative", NULL, "/home/u", user, "/home/u/.local/state/mxtls/mxtls.db");
        /* root: under the build's localstatedir (/var/lib/mxtls for prefix /usr) */
        if (me != 0)
                SKIP("the default state file of root: not root");
        check_state(NULL, "/x/state", "/home/u", 0, MXTLS_STATEDIR "/mxtls.db");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_new_defaults),
                cmocka_unit_test(test_missing_file),
                cmocka_unit_test(test_empty_files),
                cmocka_unit_test(test_every_key),
                cmocka_unit_test(test_partial),
                cmocka_unit_test(test_unknown_and_duplicate_keys),
                cmocka_unit_test(test_wrong_types),
                cmocka_unit_test(test_list_limit),
                cmocka_unit_test(test_junk),
                cmocka_unit_test(test_binary),
                cmocka_unit_test(test_too_large),
                cmocka_unit_test(test_unreadable_is_error),
                cmocka_unit_test(test_example_file),
                cmocka_unit_test(test_default_state_file),
        };

        return skip_exit(cmocka_run_group_tests(tests, setup, teardown));
}
