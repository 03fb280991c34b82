/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        report_prometheus - the report in the Prometheus text exposition format
 * SYNOPSIS
 *        #include "report.h"
 *        int report_format_prometheus(const Report *r, const ReportFormatOptions *o, StrBuf *out);
 * DESCRIPTION
 *        For the node_exporter textfile collector: "# HELP" and "# TYPE" before
 *        each family, "mxtls_" prefix. The values are sums over the report
 *        window, which moves, so every family is a gauge (a counter must never
 *        go down). Cardinality is bounded: per-domain series only for the top N
 *        domains by delivered mail, the rest summed under domain="other" (a
 *        real domain of that name goes there too), so the per-domain sums equal
 *        the totals. Label values are escaped per the format (\\, \", \n) after
 *        control characters and invalid UTF-8 have been made visible as \xNN.
 */
#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "report.h"

static const char *const outcome_names[] = { "tls", "plaintext", "tls_failed", "other_failed" };

static void outcome_values(const ReportCounts *c, uint64_t v[static 4]) {
        v[0] = c->tls;
        v[1] = c->plaintext;
        v[2] = c->tls_failed;
        v[3] = c->other_failed;
}

/* put_label_value - a quoted label value, safe whatever the log contained */
static void put_label_value(StrBuf *out, const char *s) {
        StrBuf safe;

        strbuf_init(&safe);
        strbuf_put_safe_text(&safe, s, strlen(s));
        if (safe.oom) {
                out->oom = true;
                strbuf_free(&safe);
                return;
        }
        strbuf_putc(out, '"');
        for (size_t i = 0; i < safe.len; i++) {
                char c = safe.data[i];

                if (c == '\\' || c == '"')
                        strbuf_putc(out, '\\');
                if (c == '\n')
                        strbuf_puts(out, "\\n");
                else
                        strbuf_putc(out, c);
        }
        strbuf_putc(out, '"');
        strbuf_free(&safe);
}

static void put_family(StrBuf *out, const char *name, const char *help) {
        strbuf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void put_ratio(StrBuf *out, uint64_t n, uint64_t total) {
        strbuf_printf(out, " %.6g\n", (double) n / (double) total);
}

static void put_outcomes(StrBuf *out, const char *metric, const char *label, const char *value,
                         const ReportCounts *c) {
        uint64_t v[4];

        outcome_values(c, v);
        for (size_t i = 0; i < ELEMENTSOF(outcome_names); i++) {
                strbuf_printf(out, "%s{%s=", metric, label);
                put_label_value(out, value);
                strbuf_printf(out, ",outcome=\"%s\"} %ju\n", outcome_names[i], (uintmax_t) v[i]);
        }
}

static void put_totals(const Report *r, StrBuf *out) {
        uint64_t v[4], delivered = report_delivered(&r->totals);
        int64_t from, to;

        if (day_parse(r->from, &from) >= 0 && day_parse(r->to, &to) >= 0) {
                put_family(out, "mxtls_report_window_days", "Days in the report window the values are summed over.");
                strbuf_printf(out, "mxtls_report_window_days %jd\n", (intmax_t) (to - from + 1));
        }

        put_family(out, "mxtls_deliveries_total",
                   "Delivery records in the report window by outcome; internal = hops to a local filter.");
        outcome_values(&r->totals, v);
        for (size_t i = 0; i < ELEMENTSOF(outcome_names); i++)
                strbuf_printf(out, "mxtls_deliveries_total{outcome=\"%s\"} %ju\n", outcome_names[i], (uintmax_t) v[i]);
        strbuf_printf(out, "mxtls_deliveries_total{outcome=\"internal\"} %ju\n", (uintmax_t) r->internal);

        put_family(out, "mxtls_coverage_ratio", "Share of delivered mail sent over TLS in the report window.");
        if (delivered > 0) {
                strbuf_puts(out, "mxtls_coverage_ratio");
                put_ratio(out, r->totals.tls, delivered);
        }

        put_family(out, "mxtls_tls_deliveries_total",
                   "TLS deliveries in the report window by protocol and certificate trust.");
        for (size_t i = 0; i < r->tls_by_protocol_trust.n; i++) {
                const TallyEntry *e = &r->tls_by_protocol_trust.entries[i];

                strbuf_puts(out, "mxtls_tls_deliveries_total{protocol=");
                put_label_value(out, e->key);
                strbuf_puts(out, ",trust=");
                put_label_value(out, e->key2 ? e->key2 : "unknown");
                strbuf_printf(out, "} %ju\n", (uintmax_t) e->n);
        }

        put_family(out, "mxtls_tls_failures_total", "Deliveries that failed for a TLS reason, by reason.");
        for (size_t i = 0; i < r->totals.tls_failures.n; i++) {
                strbuf_puts(out, "mxtls_tls_failures_total{reason=");
                put_label_value(out, r->totals.tls_failures.entries[i].key);
                strbuf_printf(out, "} %ju\n", (uintmax_t) r->totals.tls_failures.entries[i].n);
        }

        put_family(out, "mxtls_domains", "Recipient domains seen in the report window.");
        strbuf_printf(out, "mxtls_domains %zu\n", r->n_domains);
}

static void put_domains(const Report *r, unsigned top, StrBuf *out) {
        ReportCounts other = { 0 };
        size_t shown = 0, rest = 0;

        put_family(out, "mxtls_domain_deliveries_total",
                   "Outcomes per recipient domain, top domains by delivered mail; domain=\"other\" sums the rest.");
        for (size_t i = 0; i < r->n_domains; i++) {
                const ReportDomain *d = &r->domains[i];

                if (shown < top && strcmp(d->domain, "other") != 0) {
                        put_outcomes(out, "mxtls_domain_deliveries_total", "domain", d->domain, &d->counts);
                        shown++;
                        continue;
                }
                other.tls += d->counts.tls;
                other.plaintext += d->counts.plaintext;
                other.tls_failed += d->counts.tls_failed;
                other.other_failed += d->counts.other_failed;
                rest++;
        }
        if (rest > 0)
                put_outcomes(out, "mxtls_domain_deliveries_total", "domain", "other", &other);

        put_family(out, "mxtls_domain_coverage_ratio", "Share of delivered mail sent over TLS, top domains.");
        shown = 0;
        for (size_t i = 0; i < r->n_domains && shown < top; i++) {
                const ReportDomain *d = &r->domains[i];
                uint64_t delivered = report_delivered(&d->counts);

                if (strcmp(d->domain, "other") == 0)
                        continue;
                shown++;
                if (delivered == 0)
                        continue;
                strbuf_puts(out, "mxtls_domain_coverage_ratio{domain=");
                put_label_value(out, d->domain);
                strbuf_putc(out, '}');
                put_ratio(out, d->counts.tls, delivered);
        }
        if (report_delivered(&other) > 0) {
                strbuf_puts(out, "mxtls_domain_coverage_ratio{domain=\"other\"}");
                put_ratio(out, other.tls, report_delivered(&other));
        }
}

static void put_hosts(const Report *r, StrBuf *out) {
        put_family(out, "mxtls_host_deliveries_total", "Outcomes per sending host (_HOSTNAME).");
        for (size_t i = 0; i < r->n_hosts; i++)
                put_outcomes(out, "mxtls_host_deliveries_total", "host", r->hosts[i].host, &r->hosts[i].counts);

        put_family(out, "mxtls_host_coverage_ratio", "Share of delivered mail sent over TLS per sending host.");
        for (size_t i = 0; i < r->n_hosts; i++) {
                uint64_t delivered = report_delivered(&r->hosts[i].counts);

                if (delivered == 0)
                        continue;
                strbuf_puts(out, "mxtls_host_coverage_ratio{host=");
                put_label_value(out, r->hosts[i].host);
                strbuf_putc(out, '}');
                put_ratio(out, r->hosts[i].counts.tls, delivered);
        }

        put_family(out, "mxtls_tls_logging_off_days",
                   "Days with deliveries but no TLS log evidence; smtp_tls_loglevel is probably 0 on the host.");
        for (size_t i = 0; i < r->n_warnings; i++) {
                strbuf_puts(out, "mxtls_tls_logging_off_days{host=");
                put_label_value(out, r->warnings[i].host);
                strbuf_printf(out, "} %ju\n", (uintmax_t) r->warnings[i].days);
        }
}

int report_format_prometheus(const Report *r, const ReportFormatOptions *o, StrBuf *out) {
        put_totals(r, out);
        put_domains(r, report_top_n(o), out);
        put_hosts(r, out);
        return out->oom ? -ENOMEM : 0;
}
