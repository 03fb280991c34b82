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

static void help(FILE *f, const Context *ctx) {
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
                ctx->config->report_days ? ctx->config->report_days : 30,
                ctx->config->prometheus_top_n ? ctx->config->prometheus_top_n : REPORT_TOP_N_DEFAULT);
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

int cmd_report(Context *ctx, int argc, char **argv) {
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
        unsigned days = ctx->config->report_days ? ctx->config->report_days : 30;
        unsigned top = ctx->config->prometheus_top_n ? ctx->config->prometheus_top_n : REPORT_TOP_N_DEFAULT;
        const char *from = NULL, *to = NULL, *host = NULL, *output = NULL;
        _cleanup_free_ char *domain = NULL, *errmsg = NULL;
        _cleanup_(store_closep) Store *s = NULL;
        _cleanup_(report_freep) Report *report = NULL;
        ReportFormat format = REPORT_FORMAT_TEXT;
        bool all = false, days_given = false;
        char wfrom[11], wto[11];
        StrBuf out;
        int c, r;

        while ((c = getopt_long(argc, argv, "d:aD:H:f:n:o:h", options, NULL)) >= 0)
                switch (c) {
                case 'd':
                        if (parse_count("--days", optarg, &days) < 0)
                                return EXIT_USAGE;
                        days_given = true;
                        break;
                case 'F':
                        from = optarg;
                        break;
                case 'T':
                        to = optarg;
                        break;
                case 'a':
                        all = true;
                        break;
                case 'D':
                        free(domain);
                        domain = strdup(optarg);
                        if (!domain) {
                                log_error("out of memory");
                                return EXIT_FAILURE;
                        }
                        ascii_lower(domain);
                        break;
                case 'H':
                        host = optarg;
                        break;
                case 'f':
                        format = report_format_from_string(optarg);
                        if (format < 0) {
                                log_error("unknown format '%s': want text, json, prometheus or html", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'n':
                        if (parse_count("--top", optarg, &top) < 0)
                                return EXIT_USAGE;
                        break;
                case 'o':
                        output = optarg;
                        break;
                case 'h':
                        help(stdout, ctx);
                        return EXIT_SUCCESS;
                default:
                        help(stderr, ctx);
                        return EXIT_USAGE;
                }
        if (optind < argc) {
                log_error("unexpected argument '%s'; see 'mxtls report --help'", argv[optind]);
                return EXIT_USAGE;
        }
        if (all && (from || to || days_given)) {
                log_error("--all cannot be combined with --days, --from or --to");
                return EXIT_USAGE;
        }
        if (days_given && from && to) {
                log_error("--days cannot be combined with both --from and --to");
                return EXIT_USAGE;
        }

        if (!output && format == REPORT_FORMAT_PROMETHEUS)
                output = ctx->config->prometheus_file;
        if (output && strcmp(output, "-") == 0)
                output = NULL;

        r = store_open_full(ctx->state_file, STORE_READ_ONLY, &s, &errmsg);
        if (r == -ENOENT) {
                log_error("no data yet: run 'mxtls collect' first (no store at %s)", ctx->state_file);
                return EXIT_FAILURE;
        }
        if (r < 0) {
                if (errmsg)
                        log_error("cannot open the store: %s", errmsg);
                else
                        (void) log_errno(r, "cannot open the store %s", ctx->state_file);
                return EXIT_FAILURE;
        }

        if (all) {
                r = store_day_range(s, wfrom, wto);
                if (r == -ENODATA) {
                        log_error("no data yet: run 'mxtls collect' first (the store is empty)");
                        return EXIT_FAILURE;
                }
                if (r < 0) {
                        log_error("cannot read the store: %s", store_last_error(s));
                        return EXIT_FAILURE;
                }
        } else {
                r = report_window(days, from, to, now_usec(), wfrom, wto);
                if (r < 0) {
                        log_error("invalid window: days are YYYY-MM-DD and --from must not be after --to");
                        return EXIT_USAGE;
                }
        }

        ReportOptions ro = { .from = wfrom, .to = wto, .domain = domain, .host = host };
        r = report_build(s, &ro, &report);
        if (r < 0) {
                if (r == -ENOMEM)
                        log_error("out of memory");
                else
                        log_error("cannot build the report: %s", store_last_error(s));
                return EXIT_FAILURE;
        }

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

        strbuf_init(&out);
        ReportFormatOptions fo = { .top_n = top };
        r = report_render(report, format, &fo, &out);
        if (r >= 0)
                r = write_output(output, &out);
        else
                (void) log_errno(r, "cannot format the report");
        strbuf_free(&out);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
