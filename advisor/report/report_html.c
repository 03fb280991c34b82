/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        report_html - the report as one self-contained HTML page
 * SYNOPSIS
 *        #include "report.h"
 *        int report_format_html(const Report *r, const ReportFormatOptions *o, StrBuf *out);
 * DESCRIPTION
 *        No external resource and no script: inline CSS, the coverage headline,
 *        an inline SVG (id "coverage-chart") with one stacked bar per day of the
 *        window (TLS 1.3, TLS 1.2, older TLS, cleartext shares of delivered
 *        mail; a <title> per bar for a tooltip), then the tables
 *        "cleartext-domains", "failing-domains", "domains" and "hosts". Every
 *        string from the log is made visible with strbuf_put_safe_text() and
 *        then HTML-escaped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "domain.h"
#include "report.h"

#define BAR_STEP 10                     /* chart units per day */
#define BAR_WIDTH 8
#define CHART_HEIGHT 200

static const char style[] =
        "body{font-family:system-ui,sans-serif;margin:2em;color:#1f2328;max-width:72em}"
        "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}"
        ".headline{font-size:1.3em;font-weight:600}"
        ".warning{background:#fff8c5;border:1px solid #d4a72c;padding:.5em 1em}"
        "table{border-collapse:collapse;margin-top:.5em}"
        "th,td{border-bottom:1px solid #d0d7de;padding:.25em .75em;text-align:left}"
        "td.n{text-align:right;font-variant-numeric:tabular-nums}"
        "svg{border:1px solid #d0d7de;background:#f6f8fa}"
        ".axis{display:flex;justify-content:space-between;margin:.2em 0;font-size:.85em;color:#59636e}"
        ".legend span{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 1em}"
        ".tls13{fill:#1a7f37;background:#1a7f37}.tls12{fill:#4ac26b;background:#4ac26b}"
        ".older{fill:#d4a72c;background:#d4a72c}.clear{fill:#cf222e;background:#cf222e}"
        ".none{fill:#d0d7de;background:#d0d7de}";

/* put_escaped - HTML-escape text that is already safe for display */
static void put_escaped(StrBuf *out, const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                switch (s[i]) {
                case '&':
                        strbuf_puts(out, "&amp;");
                        break;
                case '<':
                        strbuf_puts(out, "&lt;");
                        break;
                case '>':
                        strbuf_puts(out, "&gt;");
                        break;
                case '"':
                        strbuf_puts(out, "&quot;");
                        break;
                case '\'':
                        strbuf_puts(out, "&#39;");
                        break;
                default:
                        strbuf_putc(out, s[i]);
                }
}

/* put_html - a string from the log: control characters made visible, then escaped */
static void put_html(StrBuf *out, const char *s) {
        StrBuf safe;

        strbuf_init(&safe);
        strbuf_put_safe_text(&safe, s, strlen(s));
        if (safe.oom)
                out->oom = true;
        else
                put_escaped(out, safe.data ? safe.data : "", safe.len);
        strbuf_free(&safe);
}

static void put_html_or(StrBuf *out, const char *s, const char *if_empty) {
        put_html(out, *s ? s : if_empty);
}

/* put_domain - the stored name (an A-label for an IDN), its U-label beside it */
static void put_domain(StrBuf *out, const char *domain) {
        _cleanup_free_ char *u = domain_to_unicode(domain);

        put_html_or(out, domain, "(unknown domain)");
        if (u) {
                strbuf_puts(out, " <span class=\"ulabel\">(");
                put_html(out, u);
                strbuf_puts(out, ")</span>");
        }
}

static void put_percent_cell(StrBuf *out, uint64_t n, uint64_t total) {
        strbuf_puts(out, "<td class=\"n\">");
        report_put_percent(out, n, total);
        strbuf_puts(out, "</td>");
}

static void put_segment(StrBuf *out, const char *cls, double x, double *y, uint64_t n, uint64_t total) {
        if (n == 0)
                return;
        double h = (double) CHART_HEIGHT * (double) n / (double) total;
        *y -= h;
        strbuf_printf(out, "<rect class=\"%s\" x=\"%.0f\" y=\"%.2f\" width=\"%d\" height=\"%.2f\"/>",
                      cls, x, *y, BAR_WIDTH, h);
}

static void put_chart(const Report *r, StrBuf *out) {
        int64_t from, to, first;
        char first_day[11];
        size_t k = 0;

        if (day_parse(r->from, &from) < 0 || day_parse(r->to, &to) < 0)
                return;
        first = to - from + 1 > REPORT_CHART_DAYS_MAX ? to - REPORT_CHART_DAYS_MAX + 1 : from;
        int64_t n = to - first + 1;

        strbuf_printf(out, "<svg id=\"coverage-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"100%%\" "
                      "height=\"%d\" viewBox=\"0 0 %jd %d\" preserveAspectRatio=\"none\" role=\"img\" "
                      "aria-label=\"Daily TLS coverage by version\">\n",
                      CHART_HEIGHT, (intmax_t) (n * BAR_STEP), CHART_HEIGHT);
        for (int64_t d = first; d <= to; d++) {
                char day[11];
                double x = (double) ((d - first) * BAR_STEP + (BAR_STEP - BAR_WIDTH) / 2), y = CHART_HEIGHT;

                day_format(d, day);
                while (k < r->n_days && strcmp(r->days[k].day, day) < 0)
                        k++;
                const ReportCounts *c = k < r->n_days && strcmp(r->days[k].day, day) == 0 ? &r->days[k].counts : NULL;
                uint64_t delivered = c ? report_delivered(c) : 0;

                strbuf_printf(out, "<g><title>%s: ", day);
                if (delivered == 0) {
                        strbuf_printf(out, "no deliveries</title><rect class=\"none\" x=\"%.0f\" y=\"%d\" "
                                      "width=\"%d\" height=\"2\"/></g>\n", x, CHART_HEIGHT - 2, BAR_WIDTH);
                        continue;
                }
                uint64_t v13 = tally_get(&c->by_protocol, "TLSv1.3", NULL);
                uint64_t v12 = tally_get(&c->by_protocol, "TLSv1.2", NULL);
                uint64_t older = c->tls - v13 - v12;

                strbuf_printf(out, "%ju delivered, TLS 1.3 ", (uintmax_t) delivered);
                report_put_percent(out, v13, delivered);
                strbuf_puts(out, ", TLS 1.2 ");
                report_put_percent(out, v12, delivered);
                strbuf_puts(out, ", older TLS ");
                report_put_percent(out, older, delivered);
                strbuf_puts(out, ", cleartext ");
                report_put_percent(out, c->plaintext, delivered);
                strbuf_puts(out, "</title>");
                put_segment(out, "tls13", x, &y, v13, delivered);
                put_segment(out, "tls12", x, &y, v12, delivered);
                put_segment(out, "older", x, &y, older, delivered);
                put_segment(out, "clear", x, &y, c->plaintext, delivered);
                strbuf_puts(out, "</g>\n");
        }
        day_format(first, first_day);
        strbuf_printf(out, "</svg>\n<p class=\"axis\"><span>%s</span><span>%s</span></p>\n", first_day, r->to);
        strbuf_puts(out, "<p class=\"legend\"><span class=\"tls13\"></span>TLS 1.3"
                    "<span class=\"tls12\"></span>TLS 1.2<span class=\"older\"></span>older TLS"
                    "<span class=\"clear\"></span>cleartext<span class=\"none\"></span>no deliveries</p>\n");
        if (first != from)
                strbuf_printf(out, "<p>The chart shows the last %d days of the window.</p>\n", REPORT_CHART_DAYS_MAX);
}

static void put_more_row(StrBuf *out, size_t n, unsigned top, int cols) {
        if (n > top)
                strbuf_printf(out, "<tr><td colspan=\"%d\">... and %zu more</td></tr>\n", cols, n - top);
}

static int put_cleartext_table(const Report *r, unsigned top, StrBuf *out) {
        _cleanup_free_ size_t *v = NULL;
        int n = report_list_cleartext(r, &v);

        if (n < 0)
                return n;
        strbuf_printf(out, "<h2>Cleartext domains (%d)</h2>\n<table id=\"cleartext-domains\">\n<thead><tr>"
                      "<th>Domain</th><th>Cleartext</th><th>Delivered</th><th>Share</th><th>MX</th>"
                      "</tr></thead>\n<tbody>\n", n);
        for (size_t i = 0; i < (size_t) n && i < top; i++) {
                const ReportDomain *d = &r->domains[v[i]];

                strbuf_puts(out, "<tr><td>");
                put_domain(out, d->domain);
                strbuf_printf(out, "</td><td class=\"n\">%ju</td><td class=\"n\">%ju</td>",
                              (uintmax_t) d->counts.plaintext, (uintmax_t) report_delivered(&d->counts));
                put_percent_cell(out, d->counts.plaintext, report_delivered(&d->counts));
                strbuf_puts(out, "<td>");
                for (size_t j = 0; j < d->n_mx; j++) {
                        strbuf_puts(out, j ? ", " : "");
                        put_html(out, d->mx[j]);
                }
                strbuf_puts(out, d->mx_truncated ? ", ...</td></tr>\n" : "</td></tr>\n");
        }
        if (n == 0)
                strbuf_puts(out, "<tr><td colspan=\"5\">No cleartext deliveries.</td></tr>\n");
        put_more_row(out, (size_t) n, top, 5);
        strbuf_puts(out, "</tbody>\n</table>\n");
        return 0;
}

static int put_failing_table(const Report *r, unsigned top, StrBuf *out) {
        _cleanup_free_ size_t *v = NULL;
        int n = report_list_failing(r, &v);

        if (n < 0)
                return n;
        strbuf_printf(out, "<h2>Domains with TLS failures (%d)</h2>\n<table id=\"failing-domains\">\n<thead><tr>"
                      "<th>Domain</th><th>TLS failures</th><th>Reasons</th><th>Delivered</th>"
                      "</tr></thead>\n<tbody>\n", n);
        for (size_t i = 0; i < (size_t) n && i < top; i++) {
                const ReportDomain *d = &r->domains[v[i]];

                strbuf_puts(out, "<tr><td>");
                put_domain(out, d->domain);
                strbuf_printf(out, "</td><td class=\"n\">%ju</td><td>", (uintmax_t) d->counts.tls_failed);
                for (size_t j = 0; j < d->counts.tls_failures.n; j++) {
                        strbuf_puts(out, j ? ", " : "");
                        put_html(out, d->counts.tls_failures.entries[j].key);
                        strbuf_printf(out, " %ju", (uintmax_t) d->counts.tls_failures.entries[j].n);
                }
                strbuf_printf(out, "</td><td class=\"n\">%ju</td></tr>\n", (uintmax_t) report_delivered(&d->counts));
        }
        if (n == 0)
                strbuf_puts(out, "<tr><td colspan=\"4\">No TLS failures.</td></tr>\n");
        put_more_row(out, (size_t) n, top, 4);
        strbuf_puts(out, "</tbody>\n</table>\n");
        return 0;
}

static void put_counts_row(StrBuf *out, const char *name, const char *if_empty, const ReportCounts *c) {
        uint64_t delivered = report_delivered(c);

        strbuf_puts(out, "<tr><td>");
        if (*name)
                put_domain(out, name);
        else
                put_html(out, if_empty);
        strbuf_printf(out, "</td><td class=\"n\">%ju</td>", (uintmax_t) delivered);
        put_percent_cell(out, c->tls, delivered);
        put_percent_cell(out, tally_get(&c->by_protocol, "TLSv1.3", NULL), delivered);
        strbuf_printf(out, "<td class=\"n\">%ju</td><td class=\"n\">%ju</td><td class=\"n\">%ju</td></tr>\n",
                      (uintmax_t) c->plaintext, (uintmax_t) c->tls_failed, (uintmax_t) c->other_failed);
}

static void put_counts_table(StrBuf *out, const char *id, const char *title, const char *first_col) {
        strbuf_printf(out, "<h2>%s</h2>\n<table id=\"%s\">\n<thead><tr><th>%s</th><th>Delivered</th>"
                      "<th>TLS</th><th>TLS 1.3</th><th>Cleartext</th><th>TLS failures</th>"
                      "<th>Other failures</th></tr></thead>\n<tbody>\n", title, id, first_col);
}

int report_format_html(const Report *r, const ReportFormatOptions *o, StrBuf *out) {
        unsigned top = report_top_n(o);
        StrBuf headline;
        int q;

        strbuf_printf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                      "<title>mxtls: TLS coverage %s to %s</title>\n<style>%s</style>\n</head>\n<body>\n"
                      "<h1>TLS coverage of outbound mail</h1>\n<p>%s to %s",
                      r->from, r->to, style, r->from, r->to);
        if (r->domain_filter) {
                strbuf_puts(out, ", domain ");
                put_html(out, r->domain_filter);
        }
        if (r->host_filter) {
                strbuf_puts(out, ", host ");
                put_html(out, r->host_filter);
        }
        strbuf_puts(out, "</p>\n");

        for (size_t i = 0; i < r->n_warnings; i++) {
                strbuf_puts(out, "<p class=\"warning\">Host <b>");
                put_html_or(out, r->warnings[i].host, "(unknown host)");
                strbuf_printf(out, "</b>: %ju day(s) between %s and %s with deliveries but no TLS log lines and "
                              "no tls= fields; smtp_tls_loglevel is probably 0 on that host.</p>\n",
                              (uintmax_t) r->warnings[i].days, r->warnings[i].first_day, r->warnings[i].last_day);
        }

        strbuf_init(&headline);
        report_put_headline(r, &r->totals, &headline);
        strbuf_puts(out, "<p class=\"headline\">");
        if (headline.oom)
                out->oom = true;
        else
                put_escaped(out, headline.data ? headline.data : "", headline.len);
        strbuf_free(&headline);
        strbuf_printf(out, "</p>\n<p>Delivered %ju: TLS %ju, cleartext %ju; TLS failures %ju, other failures %ju; "
                      "internal hops %ju (not counted); %zu domain(s).</p>\n",
                      (uintmax_t) report_delivered(&r->totals), (uintmax_t) r->totals.tls,
                      (uintmax_t) r->totals.plaintext, (uintmax_t) r->totals.tls_failed,
                      (uintmax_t) r->totals.other_failed, (uintmax_t) r->internal, r->n_domains);

        strbuf_puts(out, "<h2>Daily coverage</h2>\n");
        put_chart(r, out);
        q = put_cleartext_table(r, top, out);
        if (q >= 0)
                q = put_failing_table(r, top, out);
        if (q < 0)
                return q;

        put_counts_table(out, "domains", "Top domains", "Domain");
        for (size_t i = 0; i < r->n_domains && i < top; i++)
                put_counts_row(out, r->domains[i].domain, "(unknown domain)", &r->domains[i].counts);
        put_more_row(out, r->n_domains, top, 7);
        strbuf_puts(out, "</tbody>\n</table>\n");

        put_counts_table(out, "hosts", "Hosts", "Host");
        for (size_t i = 0; i < r->n_hosts; i++)
                put_counts_row(out, r->hosts[i].host, "(unknown host)", &r->hosts[i].counts);
        strbuf_puts(out, "</tbody>\n</table>\n<p>Generated by mxtls " MXTLS_VERSION ".</p>\n</body>\n</html>\n");
        return out->oom ? -ENOMEM : 0;
}
