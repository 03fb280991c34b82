/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        report_json - the report as JSON, the stable interface for scripts
 * SYNOPSIS
 *        #include "report.h"
 *        int report_format_json(const Report *r, const ReportFormatOptions *o, StrBuf *out);
 * DESCRIPTION
 *        { "from": DAY, "to": DAY, "totals": COUNTS, "internal": n,
 *          "warnings": [ {"code", "host", "first_day", "last_day", "days",
 *                         "deliveries", "message"} ],
 *          "domains": [ { "domain", COUNTS, "mx": [...], "first_seen", "last_seen",
 *                         "days_seen" } ],
 *          "hosts": [ { "host", COUNTS, "internal" } ],
 *          "days": [ { "day", COUNTS, "internal" } ] }
 *        COUNTS = "delivered", "tls", "plaintext", "tls_failed", "other_failed",
 *        "by_protocol", "by_trust", "by_level", "tls_failures" (see DESIGN.md).
 *        Every string goes through strbuf_put_json_string(): the output is
 *        valid JSON whatever the log contained. All domains are listed (top_n
 *        does not apply).
 */
#include <errno.h>
#include <string.h>

#include "report.h"

static void put_string(StrBuf *out, const char *s) {
        strbuf_put_json_string(out, s, strlen(s));
}

static void put_tally(StrBuf *out, const char *name, const Tally *t) {
        strbuf_printf(out, ", \"%s\": {", name);
        for (size_t i = 0; i < t->n; i++) {
                strbuf_puts(out, i ? ", " : "");
                put_string(out, t->entries[i].key);
                strbuf_printf(out, ": %ju", (uintmax_t) t->entries[i].n);
        }
        strbuf_putc(out, '}');
}

/* put_counts - the COUNTS members, without braces, after a first member */
static void put_counts(StrBuf *out, const ReportCounts *c) {
        strbuf_printf(out, "\"delivered\": %ju, \"tls\": %ju, \"plaintext\": %ju, \"tls_failed\": %ju, "
                      "\"other_failed\": %ju",
                      (uintmax_t) report_delivered(c), (uintmax_t) c->tls, (uintmax_t) c->plaintext,
                      (uintmax_t) c->tls_failed, (uintmax_t) c->other_failed);
        put_tally(out, "by_protocol", &c->by_protocol);
        put_tally(out, "by_trust", &c->by_trust);
        put_tally(out, "by_level", &c->by_level);
        put_tally(out, "tls_failures", &c->tls_failures);
}

static void put_warning(StrBuf *out, const ReportWarning *w) {
        StrBuf msg;

        strbuf_init(&msg);
        strbuf_printf(&msg, "%ju day(s) with deliveries but no TLS log lines and no tls= fields: "
                      "smtp_tls_loglevel is probably 0 on host ", (uintmax_t) w->days);
        strbuf_puts(&msg, w->host);

        strbuf_puts(out, "{\"code\": \"tls_logging_off\", \"host\": ");
        put_string(out, w->host);
        strbuf_printf(out, ", \"first_day\": \"%s\", \"last_day\": \"%s\", \"days\": %ju, \"deliveries\": %ju, "
                      "\"message\": ", w->first_day, w->last_day, (uintmax_t) w->days, (uintmax_t) w->deliveries);
        if (msg.oom)
                out->oom = true;
        else
                strbuf_put_json_string(out, msg.data, msg.len);
        strbuf_putc(out, '}');
        strbuf_free(&msg);
}

static void put_domain(StrBuf *out, const ReportDomain *d) {
        strbuf_puts(out, "{\"domain\": ");
        put_string(out, d->domain);
        strbuf_puts(out, ", ");
        put_counts(out, &d->counts);
        strbuf_puts(out, ", \"mx\": [");
        for (size_t i = 0; i < d->n_mx; i++) {
                strbuf_puts(out, i ? ", " : "");
                put_string(out, d->mx[i]);
        }
        strbuf_printf(out, "], \"first_seen\": \"%s\", \"last_seen\": \"%s\", \"days_seen\": %ju}",
                      d->first_seen, d->last_seen, (uintmax_t) d->days_seen);
}

int report_format_json(const Report *r, const ReportFormatOptions *o, StrBuf *out) {
        strbuf_printf(out, "{\n  \"from\": \"%s\",\n  \"to\": \"%s\",\n", r->from, r->to);
        if (r->domain_filter) {
                strbuf_puts(out, "  \"domain_filter\": ");
                put_string(out, r->domain_filter);
                strbuf_puts(out, ",\n");
        }
        if (r->host_filter) {
                strbuf_puts(out, "  \"host_filter\": ");
                put_string(out, r->host_filter);
                strbuf_puts(out, ",\n");
        }
        strbuf_puts(out, "  \"totals\": {");
        put_counts(out, &r->totals);
        strbuf_printf(out, "},\n  \"internal\": %ju,\n  \"warnings\": [", (uintmax_t) r->internal);
        for (size_t i = 0; i < r->n_warnings; i++) {
                strbuf_puts(out, i ? ",\n    " : "\n    ");
                put_warning(out, &r->warnings[i]);
        }
        strbuf_puts(out, r->n_warnings ? "\n  ],\n  \"domains\": [" : "],\n  \"domains\": [");
        for (size_t i = 0; i < r->n_domains; i++) {
                strbuf_puts(out, i ? ",\n    " : "\n    ");
                put_domain(out, &r->domains[i]);
        }
        strbuf_puts(out, r->n_domains ? "\n  ],\n  \"hosts\": [" : "],\n  \"hosts\": [");
        for (size_t i = 0; i < r->n_hosts; i++) {
                strbuf_puts(out, i ? ",\n    {\"host\": " : "\n    {\"host\": ");
                put_string(out, r->hosts[i].host);
                strbuf_puts(out, ", ");
                put_counts(out, &r->hosts[i].counts);
                strbuf_printf(out, ", \"internal\": %ju}", (uintmax_t) r->hosts[i].internal);
        }
        strbuf_puts(out, r->n_hosts ? "\n  ],\n  \"days\": [" : "],\n  \"days\": [");
        for (size_t i = 0; i < r->n_days; i++) {
                strbuf_printf(out, "%s{\"day\": \"%s\", ", i ? ",\n    " : "\n    ", r->days[i].day);
                put_counts(out, &r->days[i].counts);
                strbuf_printf(out, ", \"internal\": %ju}", (uintmax_t) r->days[i].internal);
        }
        strbuf_puts(out, r->n_days ? "\n  ]\n}\n" : "]\n}\n");
        return out->oom ? -ENOMEM : 0;
}
