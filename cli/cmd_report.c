/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        cmd_report - mxtls report: TLS coverage overall, by domain, host and day
 * SYNOPSIS
 *        mxtls report [--days N | --from DAY --to DAY | --all] [--domain D] [--host H]
 *                     [--format text|json|prometheus|html] [--top N] [--output FILE]
 * DESCRIPTION
 *        Opens the store read-only, builds the report for the window and
 *        writes it to stdout or, atomically, to --output (mode 0644; the
 *        Prometheus format goes to prometheus_file when configured). Hosts
 *        whose log shows no TLS evidence are warned about on stderr as well.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cmd_common.h"
#include "commands.h"
#include "fileio.h"
#include "log.h"
#include "report.h"
#include "span.h"
#include "store.h"
#include "strbuf.h"
#include "timeutil.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(Store *, store_close)
DEFINE_TRIVIAL_CLEANUP_FUNC(Report *, report_free)

typedef struct Args {
        const Context *ctx;             /* the defaults shown by --help */
        unsigned days;
        unsigned top;
        bool days_given;
        bool all;
        const char *from, *to, *host, *output;
        char *domain;                   /* lower-cased copy of --domain */
        ReportFormat format;
} Args;

static unsigned default_days(const Context *ctx) {
        return ctx->config->report_days ? ctx->config->report_days : 30;
}

static unsigned default_top(const Context *ctx) {
        return ctx->config->prometheus_top_n ? ctx->config->prometheus_top_n : REPORT_TOP_N_DEFAULT;
}

static void help(FILE *f, void *userdata) {
        const Args *a = userdata;

        fprintf(f,
                "Usage: mxtls report [OPTIONS]\n"
                "\n"
                "TLS coverage of outbound mail overall, by recipient domain, by host and by day.\n"
                "\n"
                "Options:\n"
                "  -d, --days N          the last N days, ending today (UTC) (default %u)\n"
                "      --from YYYY-MM-DD first day of the window\n"
                "      --to YYYY-MM-DD   last day of the window (default today)\n"
                "  -a, --all             every day in the store\n"
                "  -D, --domain DOMAIN   only this recipient domain\n"
                "  -H, --host HOST       only this sending host (_HOSTNAME)\n"
                "  -f, --format FORMAT   text (default), json, prometheus or html\n"
                "  -n, --top N           list length in text and html, domain series in\n"
                "                        prometheus (default %u)\n"
                "  -o, --output FILE     write to FILE atomically (mode 0644) instead of stdout;\n"
                "                        - is stdout (default for prometheus: prometheus_file)\n"
                "  -h, --help            this help\n",
                default_days(a->ctx), default_top(a->ctx));
}

static int parse_count(const char *option, const char *value, unsigned *ret) {
        uint32_t v;

        if (parse_u32(value, &v) < 0 || v == 0 || v > 100000) {
                log_error("invalid %s '%s': want a number from 1 to 100000", option, value);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

/* parse_option - one option of cmd_parse_options(); -EINVAL logged, -ENOMEM logged */
static int parse_option(int c, const char *arg, void *userdata) {
        Args *a = userdata;

        switch (c) {
        case 'd':
                a->days_given = true;
                return parse_count("--days", arg, &a->days);
        case 'F':
                a->from = arg;
                return 0;
        case 'T':
                a->to = arg;
                return 0;
        case 'a':
                a->all = true;
                return 0;
        case 'D':
                free(a->domain);
                a->domain = strdup(arg);
                if (!a->domain) {
                        log_error("out of memory");
                        return -ENOMEM;
                }
                ascii_lower(a->domain);
                return 0;
        case 'H':
                a->host = arg;
                return 0;
        case 'f':
                a->format = report_format_from_string(arg);
                if (a->format < 0) {
                        log_error("unknown format '%s': want text, json, prometheus or html", arg);
                        return -EINVAL;
                }
                return 0;
        case 'n':
                return parse_count("--top", arg, &a->top);
        case 'o':
                a->output = arg;
                return 0;
        default:
                return -EINVAL;
        }
}

/* parse_args - 1 run, 0 help shown, <0 usage error or -ENOMEM (logged) */
static int parse_args(int argc, char **argv, Args *a) {
        static const struct option options[] = {
                { "days",   required_argument, NULL, 'd' },
                { "from",   required_argument, NULL, 'F' },
                { "to",     required_argument, NULL, 'T' },
                { "all",    no_argument,       NULL, 'a' },
                { "domain", required_argument, NULL, 'D' },
                { "host",   required_argument, NULL, 'H' },
                { "format", required_argument, NULL, 'f' },
                { "top",    required_argument, NULL, 'n' },
                { "output", required_argument, NULL, 'o' },
                { "help",   no_argument,       NULL, 'h' },
                { NULL, 0, NULL, 0 }
        };
        int r;

        r = cmd_parse_options(argc, argv, "d:aD:H:f:n:o:h", options, help, parse_option, a);
        if (r <= 0)
                return r;
        if (optind < argc) {
                log_error("unexpected argument '%s'; see 'mxtls report --help'", argv[optind]);
                return -EINVAL;
        }
        if (a->all && (a->from || a->to || a->days_given)) {
                log_error("--all cannot be combined with --days, --from or --to");
                return -EINVAL;
        }
        if (a->days_given && a->from && a->to) {
                log_error("--days cannot be combined with both --from and --to");
                return -EINVAL;
        }
        return 1;
}

static int write_output(const char *path, const StrBuf *b) {
        int r;

        if (path) {
                r = write_file_atomic(path, b->data ? b->data : "", b->len, 0644);
                if (r < 0)
                        return log_errno(r, "cannot write %s", path);
                return 0;
        }
        if ((b->len > 0 && fwrite(b->data, 1, b->len, stdout) != b->len) || fflush(stdout) != 0)
                return log_errno(-EIO, "cannot write the report to stdout");
        return 0;
}

/* open_store - the store read-only; <0 logged */
static int open_store(const Context *ctx, Store **ret) {
        _cleanup_free_ char *errmsg = NULL;
        int r;

        r = store_open_full(ctx->state_file, STORE_READ_ONLY, ret, &errmsg);
        if (r == -ENOENT)
                log_error("no data yet: run 'mxtls collect' first (no store at %s)", ctx->state_file);
        else if (r < 0 && errmsg)
                log_error("cannot open the store: %s", errmsg);
        else if (r < 0)
                (void) log_errno(r, "cannot open the store %s", ctx->state_file);
        return r;
}

/* window - the days of the report: the store's whole range with --all; an exit status on failure */
static int window(const Args *a, Store *s, char from[static 11], char to[static 11]) {
        int r;

        if (!a->all) {
                r = report_window(a->days, a->from, a->to, now_usec(), from, to);
                if (r < 0) {
                        log_error("invalid window: days are YYYY-MM-DD and --from must not be after --to");
                        return EXIT_USAGE;
                }
                return EXIT_SUCCESS;
        }
        r = store_day_range(s, from, to);
        if (r == -ENODATA) {
                log_error("no data yet: run 'mxtls collect' first (the store is empty)");
                return EXIT_FAILURE;
        }
        if (r < 0) {
                log_error("cannot read the store: %s", store_last_error(s));
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}

/* warn_logging_off - one warning per host whose log had deliveries but no TLS evidence */
static void warn_logging_off(const Report *report) {
        for (size_t i = 0; i < report->n_warnings; i++) {
                StrBuf h;

                strbuf_init(&h);
                strbuf_put_safe_text(&h, report->warnings[i].host, strlen(report->warnings[i].host));
                log_warning("host %s: %ju day(s) between %s and %s with deliveries but no TLS log lines and "
                            "no tls= fields; smtp_tls_loglevel is probably 0 on that host",
                            h.data ? h.data : "(unknown)", (uintmax_t) report->warnings[i].days,
                            report->warnings[i].first_day, report->warnings[i].last_day);
                strbuf_free(&h);
        }
}

/* render - format the report and write it out; an exit status */
static int render(const Args *a, const Report *report, const char *output) {
        ReportFormatOptions fo = { .top_n = a->top };
        StrBuf out;
        int r;

        strbuf_init(&out);
        r = report_render(report, a->format, &fo, &out);
        if (r >= 0)
                r = write_output(output, &out);
        else
                (void) log_errno(r, "cannot format the report");
        strbuf_free(&out);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int cmd_report(Context *ctx, int argc, char **argv) {
        Args a = {
                .ctx = ctx, .days = default_days(ctx), .top = default_top(ctx), .format = REPORT_FORMAT_TEXT,
        };
        _cleanup_free_ char *domain = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        _cleanup_(report_freep) Report *report = NULL;
        const char *output;
        char wfrom[11], wto[11];
        int r;

        r = parse_args(argc, argv, &a);
        domain = a.domain;
        if (r <= 0)
                return r == 0 ? EXIT_SUCCESS : r == -ENOMEM ? EXIT_FAILURE : EXIT_USAGE;

        output = a.output;
        if (!output && a.format == REPORT_FORMAT_PROMETHEUS)
                output = ctx->config->prometheus_file;
        if (output && strcmp(output, "-") == 0)
                output = NULL;

        if (open_store(ctx, &s) < 0)
                return EXIT_FAILURE;
        r = window(&a, s, wfrom, wto);
        if (r != EXIT_SUCCESS)
                return r;

        ReportOptions ro = { .from = wfrom, .to = wto, .domain = domain, .host = a.host };
        r = report_build(s, &ro, &report);
        if (r < 0) {
                if (r == -ENOMEM)
                        log_error("out of memory");
                else
                        log_error("cannot build the report: %s", store_last_error(s));
                return EXIT_FAILURE;
        }
        warn_logging_off(report);
        return render(&a, report, output);
}
