/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        cmd_collect - mxtls collect: read new log entries into the store
 * SYNOPSIS
 *        mxtls collect [--directory DIR]... [--file FILE]... [--log-file FILE]...
 *                      [--identifier PATTERN]... [--since WHEN] [--dry-run]
 * DESCRIPTION
 *        Builds the record sources (the journal unless only --log-file is
 *        given, and one source per --log-file), holds the collect lock of the
 *        store, runs collect_source() on each and commits once. Prints the
 *        warnings the library reports (lost positions, TLS logging off), a
 *        progress line on a terminal, and a one-line summary.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cleanup.h"
#include "collect.h"
#include "commands.h"
#include "fileio.h"
#include "journal.h"
#include "lock.h"
#include "log.h"
#include "logfile.h"
#include "store.h"
#include "strbuf.h"
#include "strv.h"
#include "timeutil.h"
#include "util.h"
#include "vocab.h"

#define PROGRESS_DELAY_USEC 1000000ULL  /* show progress only for reads longer than this */
#define PROGRESS_EVERY_USEC 250000ULL

DEFINE_TRIVIAL_CLEANUP_FUNC(Store *, store_close)

typedef struct Args {
        char **directories, **files, **log_files, **identifiers;
        size_t n_directories, n_files, n_log_files, n_identifiers;
        const char *since;
        bool dry_run;
} Args;

typedef struct Progress {
        uint64_t start, last;
        bool shown;
} Progress;

static void args_done(Args *a) {
        strv_free(a->directories);
        strv_free(a->files);
        strv_free(a->log_files);
        strv_free(a->identifiers);
}

static void help(FILE *f) {
        fprintf(f,
                "Usage: mxtls collect [options]\n"
                "\n"
                "Read the journal entries (or log lines) written since the last run, pair\n"
                "TLS lines with deliveries and add the outcomes to the store.\n"
                "\n"
                "Options:\n"
                "      --directory DIR   read the journal files in DIR (repeatable), e.g.\n"
                "                        /var/log/journal/remote\n"
                "      --file FILE       read this journal file (repeatable)\n"
                "      --log-file FILE   read a text mail log, e.g. /var/log/mail.log (repeatable)\n"
                "      --identifier PAT  SYSLOG_IDENTIFIER pattern of the SMTP client (repeatable;\n"
                "                        default postfix/smtp, postfix*/smtp, postfix*/relay/smtp)\n"
                "      --since WHEN      on a first run, start at WHEN: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS],\n"
                "                        @EPOCH or an age such as -7d, 12h (times are UTC)\n"
                "      --dry-run         read and correlate, print what would be stored, store nothing\n"
                "  -h, --help            this help\n"
                "\n"
                "Without --directory, --file or --log-file the local system journal is read.\n"
                "Exit status: 0 done, 1 error, 64 usage, 75 another collect holds the lock.\n");
}

static int parse_args(int argc, char **argv, Args *a) {
        enum { ARG_DIRECTORY = 0x100, ARG_FILE, ARG_LOG_FILE, ARG_IDENTIFIER, ARG_SINCE, ARG_DRY_RUN };
        static const struct option options[] = {
                { "directory",  required_argument, NULL, ARG_DIRECTORY },
                { "file",       required_argument, NULL, ARG_FILE },
                { "log-file",   required_argument, NULL, ARG_LOG_FILE },
                { "identifier", required_argument, NULL, ARG_IDENTIFIER },
                { "since",      required_argument, NULL, ARG_SINCE },
                { "dry-run",    no_argument,       NULL, ARG_DRY_RUN },
                { "help",       no_argument,       NULL, 'h' },
                { NULL,         0,                 NULL, 0 },
        };
        int c, r = 0;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case ARG_DIRECTORY:
                        r = strv_push(&a->directories, &a->n_directories, strdup(optarg));
                        break;
                case ARG_FILE:
                        r = strv_push(&a->files, &a->n_files, strdup(optarg));
                        break;
                case ARG_LOG_FILE:
                        r = strv_push(&a->log_files, &a->n_log_files, strdup(optarg));
                        break;
                case ARG_IDENTIFIER:
                        r = strv_push(&a->identifiers, &a->n_identifiers, strdup(optarg));
                        break;
                case ARG_SINCE:
                        a->since = optarg;
                        break;
                case ARG_DRY_RUN:
                        a->dry_run = true;
                        break;
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        help(stderr);
                        return -EINVAL;
                }
                if (r < 0)
                        return log_errno(r, "cannot parse the options");
        }
        if (optind < argc) {
                log_error("collect takes no arguments ('%s'); see 'mxtls collect --help'", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

static void format_time(uint64_t usec, char buf[static 32]) {
        time_t t = (time_t) (usec / 1000000ULL);
        struct tm tm;

        if (usec == 0 || !gmtime_r(&t, &tm) || strftime(buf, 32, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
                (void) snprintf(buf, 32, "(unknown)");
}

static void format_span(uint64_t usec, char buf[static 32]) {
        uint64_t min = usec / 60000000ULL;

        if (min < 120)
                (void) snprintf(buf, 32, "%" PRIu64 " min", min);
        else if (min < 48 * 60)
                (void) snprintf(buf, 32, "%" PRIu64 " h", min / 60);
        else
                (void) snprintf(buf, 32, "%" PRIu64 " days", min / (24 * 60));
}

static void progress_show(const CollectProgress *p, void *userdata) {
        Progress *pr = userdata;
        uint64_t now = now_usec();
        double secs;

        if (now - pr->start < PROGRESS_DELAY_USEC || now - pr->last < PROGRESS_EVERY_USEC)
                return;
        pr->last = now;
        pr->shown = true;
        secs = (double) (now - pr->start) / 1e6;
        fprintf(stderr, "\r\033[Kmxtls: %" PRIu64 " entries, %.0f/s", p->entries, (double) p->entries / secs);
        if (p->fraction >= 0) {
                char day[11];

                day_from_usec(p->last_usec, day);
                fprintf(stderr, ", %.0f %% (at %s)", p->fraction * 100.0, day);
        }
        fflush(stderr);
}

static void warn_seek(const CollectSourceResult *res) {
        char saved[32], oldest[32], gap[32];

        if (res->seek.rotated)
                log_info("%s was rotated since the last run; reading the rest of the old file first",
                         res->key);
        if (res->pending_dropped)
                log_warning("the saved correlation state of %s was unreadable and is ignored; "
                            "deliveries right after the last run may count as plaintext", res->key);
        if (!res->seek.position_lost)
                return;
        format_time(res->seek.saved_usec, saved);
        if (strncmp(res->key, "logfile:", 8) == 0) {
                log_warning("%s was replaced or rotated away since the last run (last entry read %s); "
                            "reading it from the start, lines written in between may be missing",
                            res->key + 8, saved);
                return;
        }
        if (res->seek.oldest_usec > res->seek.saved_usec) {
                format_time(res->seek.oldest_usec, oldest);
                format_span(res->seek.oldest_usec - res->seek.saved_usec, gap);
                log_warning("the journal position of the last run is gone (journal vacuumed?): last entry "
                            "read %s, oldest entry now %s; up to %s of log may have been missed",
                            saved, oldest, gap);
        } else
                log_warning("the journal position of the last run is gone (journal vacuumed or replaced?); "
                            "continuing with entries after %s, older ones are not counted again", saved);
}

static int print_row(const DailyRow *row, void *userdata) {
        const char *cols[] = { row->day, row->host, row->domain, row->mx, row->protocol, row->cipher,
                               row->trust, row->level, row->outcome, row->reason };
        StrBuf b;

        strbuf_init(&b);
        for (size_t i = 0; i < ELEMENTSOF(cols); i++) {
                strbuf_put_safe_text(&b, cols[i] && *cols[i] ? cols[i] : "-",
                                     cols[i] && *cols[i] ? strlen(cols[i]) : 1);
                strbuf_putc(&b, '\t');
        }
        strbuf_printf(&b, "%" PRIu64 "\n", row->count);
        if (!b.oom)
                fputs(b.data, stdout);
        strbuf_free(&b);
        return b.oom ? -ENOMEM : 0;
}

static void print_dry_run(Collect *c) {
        printf("# dry run: these rows and positions would be stored\n"
               "# day\thost\tdomain\tmx\tprotocol\tcipher\ttrust\tlevel\toutcome\treason\tcount\n");
        (void) aggregates_foreach_daily(collect_aggregates(c), print_row, NULL);
        for (size_t i = 0; i < collect_n_results(c); i++) {
                const CollectSourceResult *res = collect_result(c, i);

                printf("# position %s: %s\n", res->key, res->position ? res->position : "(unchanged)");
        }
}

/* outcome_counts - "tls N, plaintext N, ...": every outcome, in the vocabulary's order */
static void outcome_counts(const CollectTotals *t, char *buf, size_t size) {
        size_t n = 0;

        buf[0] = '\0';
        for (OutcomeKind k = 0; k < _OUTCOME_KIND_MAX && n < size; k++) {
                int r = snprintf(buf + n, size - n, "%s%s %" PRIu64, k > 0 ? ", " : "",
                                 outcome_kind_to_string(k), t->outcomes[k]);
                if (r < 0)
                        break;
                n += (size_t) r;
        }
}

static void summary(Collect *c, bool dry_run, uint64_t elapsed) {
        CollectTotals t;
        char skipped[128] = "", outcomes[256];

        collect_totals(c, &t);
        if (t.entries == 0) {
                log_notice("no new entries, %.2f s%s", (double) elapsed / 1e6, dry_run ? ", dry run" : "");
                return;
        }
        if (t.skipped > 0)
                (void) snprintf(skipped, sizeof skipped, " (%" PRIu64 " malformed, %" PRIu64 " too long, %"
                                PRIu64 " without SYSLOG_PID)", t.malformed, t.too_long, t.no_pid);
        outcome_counts(&t, outcomes, sizeof outcomes);
        log_notice("%" PRIu64 " entries read, %" PRIu64 " SMTP client records, %" PRIu64 " deliveries "
                   "(%s), %" PRIu64 " skipped%s, %.2f s%s",
                   t.entries, t.records, t.deliveries, outcomes, t.skipped, skipped, (double) elapsed / 1e6,
                   dry_run ? ", dry run: nothing stored" : "");
}

/* check_readable - journal files this user may not read: an error when nothing
 * matched (the journal only looks quiet), a warning otherwise. A readable
 * journal without SMTP client records is a quiet host: a notice, no error. */
static int check_readable(const JournalOptions *o, bool no_records) {
        _cleanup_free_ char *first = NULL;
        size_t bad = 0;
        int r;

        r = journal_unreadable_files(o, &bad, &first);
        if (r < 0)
                return log_errno(r, "cannot list the journal files");
        if (bad > 0 && no_records) {
                log_error("no Postfix SMTP client records found, and %zu journal file(s) are not readable "
                          "by this user (%s); run as root or as a member of group systemd-journal",
                          bad, first ? first : "?");
                return -EACCES;
        }
        if (bad > 0)
                log_warning("%zu journal file(s) are not readable by this user (%s); their entries are "
                            "not counted", bad, first ? first : "?");
        if (no_records)
                log_notice("no Postfix SMTP client records in the journal yet (no SYSLOG_IDENTIFIER "
                           "matches the identifier patterns); nothing to collect");
        return 0;
}

/* open_sources - the journal (unless only log files are named) and each log file */
static int open_sources(Context *ctx, const Args *a, Source ***ret, size_t *ret_n) {
        bool want_journal = a->n_directories + a->n_files > 0 || a->n_log_files == 0;
        char *const *ids = a->n_identifiers > 0 ? a->identifiers : ctx->config->identifiers;
        Source **l = calloc(a->n_log_files + 2, sizeof(Source *));
        size_t n = 0;
        int r;

        if (!l)
                return log_errno(-ENOMEM, "cannot open the sources");
        *ret = l;
        if (want_journal) {
                JournalOptions o = {
                        .directories = a->n_directories > 0 ? a->directories :
                                       a->n_files == 0 ? ctx->config->directories : NULL,
                        .files = a->files,
                        .identifiers = ids,
                        .local_only = ctx->config->local_only,
                };

                r = journal_source_open(&o, &l[n]);
                if (r >= 0)
                        *ret_n = ++n;
                if (r < 0 && r != -ENODATA)
                        return log_errno(r, "cannot open the %s",
                                         o.files || o.directories ? "journal files" : "local journal");
                r = check_readable(&o, r == -ENODATA);
                if (r < 0)
                        return r;
                for (char *const *id = n > 0 ? journal_source_identifiers(l[n - 1]) : NULL; id && *id; id++)
                        log_info("%s: reading SYSLOG_IDENTIFIER=%s", source_key(l[n - 1]), *id);
        }
        for (size_t i = 0; i < a->n_log_files; i++) {
                r = logfile_source_open(a->log_files[i], ids, &l[n]);
                if (r < 0)
                        return log_errno(r, "cannot open %s", a->log_files[i]);
                *ret_n = ++n;
        }
        return 0;
}

/* collect_options - the library's options from the configuration and the arguments; an exit status */
static int collect_options(Context *ctx, const Args *a, Progress *pr, CollectOptions *o) {
        *o = (CollectOptions) {
                .limits = {
                        .idle_usec = (uint64_t) ctx->config->session_idle_seconds * 1000000ULL,
                        .max_sessions = ctx->config->max_sessions,
                        .internal_relays = (const char *const *) ctx->config->internal_relays,
                },
                .retention_days = ctx->config->retention_days,
        };
        if (a->since && parse_since(a->since, now_usec(), &o->since_usec) < 0) {
                log_error("--since %s: not a date, time or age (YYYY-MM-DD, YYYY-MM-DDTHH:MM, @EPOCH, -7d)",
                          a->since);
                return EXIT_USAGE;
        }
        if (ctx->stderr_is_tty && ctx->verbosity >= 0) {
                o->progress = progress_show;
                o->userdata = pr;
        }
        return EXIT_SUCCESS;
}

/* lock_store - the directories of the store and its collect lock; an exit status */
static int lock_store(Context *ctx, int *ret_fd) {
        _cleanup_free_ char *lock_path = NULL;
        int r;

        r = mkdir_parents(ctx->state_file, 0750);
        if (r < 0) {
                (void) log_errno(r, "cannot create the directory of %s", ctx->state_file);
                return EXIT_FAILURE;
        }
        lock_path = lock_path_for(ctx->state_file);
        if (!lock_path) {
                (void) log_errno(-ENOMEM, "cannot lock the store");
                return EXIT_FAILURE;
        }
        r = lock_acquire(lock_path, (uint64_t) ctx->config->lock_timeout_seconds * 1000000ULL, ret_fd);
        if (r == -EBUSY) {
                log_notice("another mxtls collect is running (lock %s held); this run is skipped", lock_path);
                return EXIT_LOCKED;
        }
        if (r < 0) {
                (void) log_errno(r, "cannot lock %s", lock_path);
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}

static int run(Context *ctx, const Args *a) {
        _cleanup_(store_closep) Store *store = NULL;
        _cleanup_free_ char *errmsg = NULL;
        _cleanup_close_ int lock_fd = -1;
        Source **sources = NULL;
        size_t n_sources = 0;
        Collect *c = NULL;
        Progress pr = { .start = now_usec() };
        CollectOptions o;
        int r;

        r = collect_options(ctx, a, &pr, &o);
        if (r != EXIT_SUCCESS)
                return r;

        if (!a->dry_run) {
                r = lock_store(ctx, &lock_fd);
                if (r != EXIT_SUCCESS)
                        return r;
        }

        /* Opened under the lock: two first runs must not race to create the store. */
        r = store_open_full(ctx->state_file, a->dry_run ? STORE_READ_ONLY : STORE_READ_WRITE, &store, &errmsg);
        if (r == -ENOENT && a->dry_run)
                store = NULL;           /* nothing stored yet: read from the start */
        else if (r < 0) {
                log_error("cannot open the store %s: %s", ctx->state_file, errmsg ? errmsg : strerror(-r));
                return EXIT_FAILURE;
        }

        r = open_sources(ctx, a, &sources, &n_sources);
        if (r < 0)
                goto finish;
        r = collect_new(store, &o, &c);
        if (r < 0) {
                (void) log_errno(r, "cannot start collecting");
                goto finish;
        }
        for (size_t i = 0; i < n_sources; i++) {
                r = collect_source(c, sources[i]);
                if (pr.shown)
                        fputs("\r\033[K", stderr);
                pr.shown = false;
                if (r < 0) {
                        (void) log_errno(r, "cannot read %s", source_key(sources[i]));
                        goto finish;
                }
                warn_seek(collect_result(c, i));
        }

        if (a->dry_run)
                print_dry_run(c);
        else {
                r = collect_commit(c);
                if (r < 0) {
                        (void) log_errno(r, "cannot update the store %s%s%s", ctx->state_file,
                                          store_last_error(store) ? ": " : "",
                                          store_last_error(store) ? store_last_error(store) : "");
                        goto finish;
                }
        }
        summary(c, a->dry_run, now_usec() - pr.start);
        r = collect_tls_logging_off(c);
        if (r > 0)
                log_warning("TLS logging appears to be off (smtp_tls_loglevel = 0?) — deliveries were read "
                            "but no TLS connection line and no tls= field; encrypted and plaintext mail "
                            "cannot be told apart. Set smtp_tls_loglevel = 1 in main.cf.");
        r = 0;
finish:
        for (size_t i = 0; sources && i < n_sources; i++)
                source_free(sources[i]);
        free(sources);
        collect_free(c);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int cmd_collect(Context *ctx, int argc, char **argv) {
        Args a = { 0 };
        int r;

        r = parse_args(argc, argv, &a);
        if (r <= 0) {
                args_done(&a);
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;
        }
        r = run(ctx, &a);
        args_done(&a);
        return r;
}
