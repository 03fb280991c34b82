/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        audit_format - text and JSON renderings of an audit result
 * DESCRIPTION
 *        See audit.h. Names that came from logs or the map are escaped:
 *        strbuf_put_safe_text() for the terminal, JSON string escaping for
 *        JSON. The JSON layout:
 *
 *            { "from", "to", "split", "policy", "default_level",
 *              "entries": [ { "key", "line", "level", "value", "relay",
 *                             "domains", COUNTS } ],
 *              "default": { "level", "domains", COUNTS },
 *              "findings": [ { "code", "name", "severity", "subject", "line",
 *                              "count", "message" } ],
 *              "summary": { "error": n, "warning": n, "notice": n, "info": n } }
 *            COUNTS = "delivered", "tls", "plaintext", "tls_failed", "other_failed",
 *                     "tls_logging_off"
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cleanup.h"
#include "vocab.h"

static void safe(StrBuf *b, const char *s) {
        strbuf_put_safe_text(b, s, strlen(s));
}

static void put_pct(StrBuf *b, uint64_t part, uint64_t whole) {
        if (whole == 0)
                strbuf_puts(b, "     -");
        else
                strbuf_printf(b, "%5.1f%%", (double) ((long double) part * 100.0L / (long double) whole));
}

static void text_row(StrBuf *b, const char *line, const char *key, const char *level, size_t domains,
                     const DomainStats *s) {
        uint64_t delivered = domain_stats_delivered(s);
        size_t start;

        strbuf_printf(b, "  %-5s ", line);
        start = b->len;
        safe(b, key);
        size_t w = b->len - start;
        strbuf_printf(b, "%*s %-10s %7zu %9" PRIu64 " ", w < 34 ? (int) (34 - w) : 0, "",
                      level, domains, delivered);
        put_pct(b, s->tls, delivered);
        strbuf_printf(b, " %7" PRIu64 "\n", s->tls_failed);
}

/* audit_format_text - for a terminal or a mail to the postmaster */
int audit_format_text(const AuditResult *r, StrBuf *out) {
        size_t by_severity[_SEVERITY_MAX] = { 0 };

        strbuf_printf(out, "TLS policy audit, %s .. %s\n", r->from, r->to);
        if (r->policy_path) {
                strbuf_puts(out, "Policy map: ");
                safe(out, r->policy_path);
                strbuf_printf(out, " (%zu entries)", r->n_entries);
        } else
                strbuf_puts(out, "Policy map: none");
        strbuf_puts(out, "; default level: ");
        if (r->default_level)
                safe(out, r->default_level);
        else
                strbuf_puts(out, "unknown (use --default-level)");
        strbuf_puts(out, "\n\n  line  key                                "
                         "level      domains delivered    TLS  failed\n");
        for (size_t i = 0; i < r->n_entries; i++) {
                const AuditEntry *ae = &r->entries[i];
                char line[16];
                (void) snprintf(line, sizeof(line), "%u", ae->entry->line);
                text_row(out, line, ae->entry->key, ae->entry->level, ae->n_domains, &ae->stats);
        }
        text_row(out, "-", "(default)", r->default_level ? r->default_level : "?", r->default_domains,
                 &r->default_stats);

        for (size_t i = 0; i < r->n_findings; i++)
                by_severity[finding_info(r->findings[i].code)->severity]++;
        if (r->n_findings == 0) {
                strbuf_puts(out, "\nNo findings.\n");
        } else {
                strbuf_printf(out, "\nFindings: %zu error, %zu warning, %zu notice, %zu info\n",
                              by_severity[SEVERITY_ERROR], by_severity[SEVERITY_WARNING],
                              by_severity[SEVERITY_NOTICE], by_severity[SEVERITY_INFO]);
                for (size_t i = 0; i < r->n_findings; i++) {
                        const Finding *f = &r->findings[i];
                        const FindingInfo *fi = finding_info(f->code);
                        strbuf_printf(out, "  %-7s %s %s: ", severity_to_string(fi->severity),
                                      fi->code, fi->name);
                        safe(out, f->subject);
                        if (f->line)
                                strbuf_printf(out, " (line %u)", f->line);
                        strbuf_puts(out, ": ");
                        safe(out, f->message);
                        strbuf_puts(out, "\n");
                }
        }
        if (!out->data)
                strbuf_puts(out, "");
        return out->oom ? -ENOMEM : 0;
}

static void json_str(StrBuf *b, const char *s) {
        if (s)
                strbuf_put_json_string(b, s, strlen(s));
        else
                strbuf_puts(b, "null");
}

/* json_counts - "delivered", the outcome counts under their names, "tls_logging_off" */
static void json_counts(StrBuf *b, const DomainStats *s) {
        const uint64_t n[] = {
                [OUTCOME_TLS] = s->tls,
                [OUTCOME_PLAINTEXT] = s->plaintext,
                [OUTCOME_TLS_FAILED] = s->tls_failed,
                [OUTCOME_OTHER_FAILED] = s->other_failed,
        };

        strbuf_printf(b, "\"delivered\": %" PRIu64, domain_stats_delivered(s));
        for (OutcomeKind k = 0; k < (OutcomeKind) ELEMENTSOF(n); k++)
                strbuf_printf(b, ", \"%s\": %" PRIu64, outcome_kind_to_string(k), n[k]);
        strbuf_printf(b, ", \"tls_logging_off\": %" PRIu64, s->logging_off);
}

/* audit_format_json - stable machine-readable form */
int audit_format_json(const AuditResult *r, StrBuf *out) {
        size_t by_severity[_SEVERITY_MAX] = { 0 };

        strbuf_printf(out, "{\"from\": \"%s\", \"to\": \"%s\", \"split\": \"%s\", \"policy\": ",
                      r->from, r->to, r->split);
        json_str(out, r->policy_path);
        strbuf_puts(out, ", \"default_level\": ");
        json_str(out, r->default_level);

        strbuf_puts(out, ",\n \"entries\": [");
        for (size_t i = 0; i < r->n_entries; i++) {
                const AuditEntry *ae = &r->entries[i];
                strbuf_puts(out, i ? ",\n  {\"key\": " : "\n  {\"key\": ");
                json_str(out, ae->entry->key);
                strbuf_printf(out, ", \"line\": %u, \"level\": ", ae->entry->line);
                json_str(out, ae->entry->level);
                strbuf_puts(out, ", \"value\": ");
                json_str(out, ae->entry->value);
                strbuf_printf(out, ", \"relay\": %s, \"domains\": %zu, ", ae->relay ? "true" : "false",
                              ae->n_domains);
                json_counts(out, &ae->stats);
                strbuf_puts(out, "}");
        }
        strbuf_puts(out, "],\n \"default\": {\"level\": ");
        json_str(out, r->default_level);
        strbuf_printf(out, ", \"domains\": %zu, ", r->default_domains);
        json_counts(out, &r->default_stats);

        strbuf_puts(out, "},\n \"findings\": [");
        for (size_t i = 0; i < r->n_findings; i++) {
                const Finding *f = &r->findings[i];
                const FindingInfo *fi = finding_info(f->code);
                by_severity[fi->severity]++;
                strbuf_printf(out, "%s{\"code\": \"%s\", \"name\": \"%s\", \"severity\": \"%s\", "
                              "\"subject\": ",
                              i ? ",\n  " : "\n  ", fi->code, fi->name, severity_to_string(fi->severity));
                json_str(out, f->subject);
                strbuf_printf(out, ", \"line\": %u, \"count\": %" PRIu64 ", \"message\": ",
                              f->line, f->count);
                json_str(out, f->message);
                strbuf_puts(out, "}");
        }
        strbuf_printf(out, "],\n \"summary\": {\"error\": %zu, \"warning\": %zu, "
                      "\"notice\": %zu, \"info\": %zu}}\n",
                      by_severity[SEVERITY_ERROR], by_severity[SEVERITY_WARNING],
                      by_severity[SEVERITY_NOTICE], by_severity[SEVERITY_INFO]);
        return out->oom ? -ENOMEM : 0;
}
