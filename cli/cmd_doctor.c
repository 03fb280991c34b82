/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        cmd_doctor - check what would make the results wrong or empty
 * SYNOPSIS
 *        #include "commands.h"
 *        int cmd_doctor(Context *ctx, int argc, char **argv);
 * DESCRIPTION
 *        Runs each check in turn and prints one line per finding, "ok", "warn"
 *        or "FAIL", with a hint on how to fix anything that is not ok:
 *        journal access (group membership, entries visible, persistence),
 *        SYSLOG_IDENTIFIER values of the Postfix SMTP client, smtp_tls_loglevel
 *        (postconf), the TLS policy map, the store, and the systemd timer.
 *        External programs (postconf, systemctl) run through process_run():
 *        without a shell, their output read up to a small bound, killed
 *        after 30 s.
 * DIAGNOSTICS
 *        0 when no check failed, 1 otherwise, 64 on a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd_common.h"
#include "journal.h"
#include "policy.h"
#include "postconf.h"
#include "process.h"
#include "span.h"
#include "store.h"
#include "strbuf.h"
#include "timeutil.h"

#define PROGRAM_OUTPUT_MAX 4096
#define PROGRAM_TIMEOUT_USEC (30 * USEC_PER_SEC)

typedef enum CheckLevel {
        CHECK_OK,
        CHECK_WARN,
        CHECK_FAIL,
} CheckLevel;

typedef struct Doctor {
        const Context *ctx;
        unsigned n_warn;
        unsigned n_fail;
} Doctor;

/* report - one result line, and the hint under it when there is one */
_printf_(4, 5)
static void report(Doctor *d, CheckLevel level, const char *hint, const char *fmt, ...) {
        static const char *const words[] = { "ok", "warn", "FAIL" };
        va_list ap;

        if (level == CHECK_WARN)
                d->n_warn++;
        else if (level == CHECK_FAIL)
                d->n_fail++;
        printf("%-5s ", words[level]);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        if (hint && level != CHECK_OK)
                printf("      fix: %s\n", hint);
}

/* run_program - run argv[0] (an absolute path), capture stdout; *ret_status is the exit status */
static int run_program(char *const argv[], char **ret_output, int *ret_status) {
        const ProcessOptions o = { .stdout_max = PROGRAM_OUTPUT_MAX, .timeout_usec = PROGRAM_TIMEOUT_USEC };
        ProcessResult res;
        size_t len;
        int r;

        r = process_run(argv, &o, &res);
        if (r < 0)
                return r;
        len = res.out.len;
        while (len > 0 && (res.out.data[len - 1] == '\n' || res.out.data[len - 1] == ' '))
                res.out.data[--len] = '\0';
        *ret_status = res.status;
        *ret_output = TAKE_PTR(res.out.data);
        process_result_done(&res);
        return 0;
}

static bool in_group(const char *name) {
        const struct group *g = getgrnam(name);
        gid_t groups[NGROUPS_MAX];
        int n;

        if (!g)
                return false;
        if (getegid() == g->gr_gid)
                return true;
        n = getgroups((int) ELEMENTSOF(groups), groups);
        for (int i = 0; i < n; i++)
                if (groups[i] == g->gr_gid)
                        return true;
        return false;
}

/* check_journal_access - false when the journal cannot be read at all */
static bool check_journal_access(Doctor *d) {
        const Config *c = d->ctx->config;
        char *const all[] = { (char *) "*", NULL };
        const JournalOptions o = {
                .directories = c->directories,
                .identifiers = all,
                .local_only = c->local_only,
        };
        _cleanup_(source_freep) Source *s = NULL;
        bool remote = c->directories && c->directories[0];
        size_t n = 0;
        int r;

        if (!remote && geteuid() != 0 && !in_group("systemd-journal") && !in_group("adm") &&
            !in_group("wheel")) {
                const struct passwd *pw = getpwuid(geteuid());
                _cleanup_free_ char *hint = NULL;

                if (asprintf(&hint, "usermod -a -G systemd-journal %s (then log in again), or run as root",
                             pw && pw->pw_name ? pw->pw_name : "USER") < 0)
                        hint = NULL;
                report(d, CHECK_WARN, hint, "journal: this user is not in the systemd-journal or adm group; "
                       "only its own entries are visible");
        }

        r = journal_source_open(&o, &s);
        if (r == -ENODATA) {
                report(d, CHECK_FAIL, remote ? "check the directories key or --directory"
                                      : geteuid() != 0 ? "run as root or as a member of systemd-journal"
                                      : "is systemd-journald running on this host?",
                       "journal: no entries readable by this user%s", remote ? " in the configured directories" : "");
                return false;
        }
        if (r < 0) {
                report(d, CHECK_FAIL, "check that the journal files exist and are readable",
                       "journal: cannot open: %s", strerror(-r));
                return false;
        }
        for (char *const *p = journal_source_identifiers(s); p && *p; p++)
                n++;
        report(d, CHECK_OK, NULL, "journal: readable (%s, %zu distinct SYSLOG_IDENTIFIER values)",
               source_key(s), n);

        if (!remote) {
                struct stat st;
                if (stat("/var/log/journal", &st) < 0 || !S_ISDIR(st.st_mode))
                        report(d, CHECK_WARN, "mkdir -p /var/log/journal && systemd-tmpfiles --create "
                               "--prefix /var/log/journal && systemctl restart systemd-journald "
                               "(or Storage=persistent in journald.conf)",
                               "journal: not persistent (no /var/log/journal): entries are lost at reboot "
                               "and between collect runs after a reboot");
        }
        return true;
}

static void check_identifiers(Doctor *d) {
        const Config *c = d->ctx->config;
        const JournalOptions o = {
                .directories = c->directories,
                .identifiers = c->identifiers,
                .local_only = c->local_only,
        };
        _cleanup_(source_freep) Source *s = NULL;
        StrBuf b;
        int r;

        r = journal_source_open(&o, &s);
        if (r == -ENODATA) {
                StrBuf pats;
                strbuf_init(&pats);
                for (char *const *p = c->identifiers && c->identifiers[0] ? c->identifiers
                                                                           : journal_default_identifiers;
                     *p; p++)
                        strbuf_printf(&pats, "%s%s", pats.len ? ", " : "", *p);
                report(d, CHECK_FAIL, "check that Postfix logs to syslog/journald and has sent mail; "
                       "for other instance names set identifiers in mxtls.yaml",
                       "postfix: no journal entries whose SYSLOG_IDENTIFIER matches %s",
                       pats.data ? pats.data : "");
                strbuf_free(&pats);
                return;
        }
        if (r < 0) {
                report(d, CHECK_FAIL, NULL, "postfix: cannot read the journal: %s", strerror(-r));
                return;
        }
        strbuf_init(&b);
        for (char *const *p = journal_source_identifiers(s); p && *p; p++) {
                strbuf_puts(&b, b.len ? ", " : "");
                strbuf_put_safe_text(&b, *p, strlen(*p));
        }
        report(d, CHECK_OK, NULL, "postfix: SMTP client entries found (%s)", b.data ? b.data : "");
        strbuf_free(&b);
}

/* check_loglevel - smtp_tls_loglevel >= 1; returns whether postconf is installed */
static bool check_loglevel(Doctor *d) {
        _cleanup_free_ char *out = NULL;
        uint32_t level;
        int r;

        r = postconf_get("smtp_tls_loglevel", &out);
        if (r == -ENOENT) {
                report(d, CHECK_WARN, "install Postfix here, or ignore this on a journal-remote server",
                       "postconf: not found; smtp_tls_loglevel cannot be checked");
                return false;
        }
        if (r < 0) {
                report(d, CHECK_WARN, "run 'postconf -h smtp_tls_loglevel' and check main.cf",
                       "postconf: failed: %s", strerror(-r));
                return true;
        }
        if (parse_u32(out, &level) < 0)
                report(d, CHECK_WARN, NULL, "postconf: smtp_tls_loglevel is '%.40s', not a number", out);
        else if (level == 0)
                report(d, CHECK_FAIL, "postconf -e smtp_tls_loglevel=1 && postfix reload",
                       "postconf: smtp_tls_loglevel = 0: TLS sessions are not logged, every delivery "
                       "would look like plaintext");
        else
                report(d, CHECK_OK, NULL, "postconf: smtp_tls_loglevel = %u", level);
        return true;
}

static void check_policy(Doctor *d, bool have_postconf) {
        _cleanup_free_ char *path = NULL, *msg = NULL;
        PolicyMap *m = NULL;
        int r;

        if (d->ctx->config->policy_file) {
                path = strdup(d->ctx->config->policy_file);
                if (!path) {
                        report(d, CHECK_FAIL, NULL, "policy: out of memory");
                        return;
                }
        } else if (!have_postconf) {
                report(d, CHECK_OK, NULL, "policy: no policy_file configured and no postconf; "
                       "advise and audit need --policy FILE");
                return;
        } else {
                r = policy_default_path(&path, &msg);
                if (r == -ENOENT) {
                        report(d, CHECK_OK, NULL, "policy: smtp_tls_policy_maps is empty "
                               "(every domain uses smtp_tls_security_level)");
                        return;
                }
                if (r < 0) {
                        report(d, CHECK_WARN, "set policy_file in mxtls.yaml or pass --policy FILE",
                               "policy: %s", msg ? msg : strerror(-r));
                        return;
                }
        }

        if (access(path, R_OK) < 0) {
                report(d, CHECK_FAIL, "make the map source readable (chmod 0644), or set policy_file",
                       "policy: %s: %s", path, strerror(errno));
                return;
        }
        free(msg);
        msg = NULL;
        r = policy_load(path, &m, &msg);
        if (r < 0) {
                report(d, CHECK_FAIL, "fix the line named above; postmap would reject it too",
                       "policy: %s", msg ? msg : strerror(-r));
                return;
        }
        report(d, CHECK_OK, NULL, "policy: %s readable, %zu entries%s", path, m->n_entries,
               m->has_mxtls_section ? ", with an mxtls section" : "");
        policy_free(m);
}

/* nearest_dir - the deepest existing ancestor directory of path */
static char *nearest_dir(const char *path) {
        _cleanup_free_ char *p = strdup(path);
        struct stat st;

        if (!p)
                return NULL;
        for (;;) {
                char *slash = strrchr(p, '/');
                if (!slash)
                        return strdup(".");
                if (slash == p) {
                        p[1] = '\0';
                        return TAKE_PTR(p);
                }
                *slash = '\0';
                if (stat(p, &st) == 0)
                        return S_ISDIR(st.st_mode) ? TAKE_PTR(p) : NULL;
        }
}

static void check_store(Doctor *d) {
        const char *path = d->ctx->state_file;
        _cleanup_free_ char *dir = NULL;
        Store *s = NULL;
        char first[11], last[11];
        int r;

        if (access(path, F_OK) < 0) {
                dir = nearest_dir(path);
                if (!dir || access(dir, W_OK | X_OK) < 0)
                        report(d, CHECK_FAIL, geteuid() != 0 ? "run as root, or pass --state FILE in a "
                                                               "writable directory"
                                                             : "pass --state FILE in a writable directory",
                               "store: %s does not exist and cannot be created here (%s)", path,
                               dir ? dir : "no directory");
                else
                        report(d, CHECK_OK, NULL, "store: %s will be created by the first collect", path);
                return;
        }
        dir = nearest_dir(path);
        if (access(path, W_OK) < 0 || !dir || access(dir, W_OK | X_OK) < 0) {
                report(d, CHECK_WARN, "collect needs write access to the file and its directory; "
                       "report, advise and audit can read it",
                       "store: %s is not writable by this user", path);
        }
        r = store_open(path, STORE_READ_ONLY, &s);
        if (r < 0) {
                report(d, CHECK_FAIL, r == -EBADMSG ? "move the file away, or pass --state FILE" : NULL,
                       "store: %s: %s", path,
                       r == -EBADMSG ? "not an mxtls store, or written by a newer version" : strerror(-r));
                return;
        }
        r = store_day_range(s, first, last);
        if (r == -ENODATA)
                report(d, CHECK_WARN, "run 'mxtls collect' (or wait for the timer)",
                       "store: %s holds no data yet", path);
        else if (r < 0)
                report(d, CHECK_FAIL, NULL, "store: %s: %s", path, strerror(-r));
        else
                report(d, CHECK_OK, NULL, "store: %s, data from %s to %s", path, first, last);
        store_close(s);
}

static void check_timer(Doctor *d) {
        _cleanup_free_ char *systemctl = process_find_program("systemctl"), *out = NULL;
        char *const argv[] = { systemctl, (char *) "is-enabled", (char *) "mxtls-collect.timer", NULL };
        int r, status;

        if (!systemctl) {
                report(d, CHECK_WARN, "run 'mxtls collect' from cron instead",
                       "timer: systemctl not found");
                return;
        }
        r = run_program(argv, &out, &status);
        if (r < 0) {
                report(d, CHECK_WARN, NULL, "timer: cannot run systemctl: %s", strerror(-r));
                return;
        }
        if (status == 0 && strcmp(out, "enabled") == 0)
                report(d, CHECK_OK, NULL, "timer: mxtls-collect.timer is enabled");
        else if (out[0] == '\0' || strcmp(out, "not-found") == 0)
                report(d, CHECK_WARN, "install the units (meson install) and run systemctl daemon-reload",
                       "timer: mxtls-collect.timer is not installed");
        else
                report(d, CHECK_WARN, "systemctl enable --now mxtls-collect.timer",
                       "timer: mxtls-collect.timer is %.40s", out);
}

static void help(FILE *f) {
        fprintf(f,
                "Usage: mxtls doctor [--help]\n"
                "\n"
                "Check what would make the results wrong or empty and say how to fix it:\n"
                "journal access, Postfix SMTP client entries, smtp_tls_loglevel, the TLS\n"
                "policy map, the store and the systemd timer. Each line says ok, warn or\n"
                "FAIL. Exit status 0 when no check failed, 1 otherwise.\n"
                "\n"
                "Options:\n"
                "  -h, --help   this help\n");
}

int cmd_doctor(Context *ctx, int argc, char **argv) {
        Doctor d = { .ctx = ctx };
        bool have_postconf;
        int r;

        r = cmd_parse_help_only(argc, argv, help);
        if (r <= 0)
                return r == 0 ? EXIT_SUCCESS : EXIT_USAGE;
        if (optind < argc) {
                fprintf(stderr, "mxtls doctor: unexpected argument '%s'\n", argv[optind]);
                return EXIT_USAGE;
        }

        if (check_journal_access(&d))
                check_identifiers(&d);
        have_postconf = check_loglevel(&d);
        check_policy(&d, have_postconf);
        check_store(&d);
        check_timer(&d);

        printf("\n%u failed, %u warnings\n", d.n_fail, d.n_warn);
        fflush(stdout);
        return d.n_fail > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
