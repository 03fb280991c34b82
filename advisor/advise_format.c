/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        advise_format - postmap and JSON renderings of an advise result
 * DESCRIPTION
 *        See advise.h. Everything that came from a log is printed through
 *        put_word()/put_domain(), which print only whitelisted bytes, so a
 *        comment can never be closed early and a line never split. Output
 *        depends only on the result: no clock, no host name.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "advise.h"
#include "domain.h"

#define MX_SHOWN_MAX 5
#define NOTE_DOMAINS_MAX 20

/* put_word - a protocol/trust word, or "?" when it holds anything unusual */
static void put_word(StrBuf *b, const char *s) {
        if (!s || !*s) {
                strbuf_puts(b, "unknown");
                return;
        }
        if (strlen(s) > 64 || !policy_word_safe(s)) {
                strbuf_puts(b, "?");
                return;
        }
        strbuf_puts(b, s);
}

static void put_domain(StrBuf *b, const char *s) {
        if (s && domain_is_valid(s, strlen(s)))
                strbuf_puts(b, s);
        else
                strbuf_puts(b, "(invalid name)");
}

static void put_share(StrBuf *b, uint64_t part, uint64_t whole) {
        if (whole == 0) {
                strbuf_puts(b, "-");
                return;
        }
        uint64_t permille = (uint64_t) ((long double) part * 1000.0L / (long double) whole);
        if (permille % 10 == 0)
                strbuf_printf(b, "%" PRIu64 "%%", permille / 10);
        else
                strbuf_printf(b, "%" PRIu64 ".%" PRIu64 "%%", permille / 10, permille % 10);
}

static void put_counts(StrBuf *b, const CountList *l) {
        for (size_t i = 0; i < l->n; i++) {
                strbuf_puts(b, i ? ", " : "");
                put_word(b, l->items[i].name);
                strbuf_printf(b, " %" PRIu64, l->items[i].n);
        }
        if (l->other)
                strbuf_printf(b, "%sother %" PRIu64, l->n ? ", " : "", l->other);
        if (l->n == 0 && l->other == 0)
                strbuf_puts(b, "none");
}

/* put_evidence - the comment block above one proposed line */
static void put_evidence(StrBuf *b, const Proposal *p) {
        const DomainStats *d = p->stats;
        uint64_t delivered = domain_stats_delivered(d);

        strbuf_puts(b, "# ");
        put_domain(b, d->domain);
        strbuf_printf(b, ": %" PRIu64 " deliveries on %" PRIu32 " days, TLS ", delivered, d->days_delivered);
        put_share(b, d->tls, delivered);
        strbuf_printf(b, " (%" PRIu64 " of %" PRIu64 ")", d->tls, delivered);
        if (d->tls_failed)
                strbuf_printf(b, ", %" PRIu64 " TLS failures", d->tls_failed);
        else
                strbuf_puts(b, ", no TLS failures");
        strbuf_puts(b, "\n#   protocols: ");
        put_counts(b, &d->protocols);
        strbuf_puts(b, "\n#   trust: ");
        put_counts(b, &d->trust);
        if (d->dane_verified)
                strbuf_printf(b, " (DANE-verified %" PRIu64 ")", d->dane_verified);
        strbuf_puts(b, "\n#   mx: ");
        for (size_t i = 0; i < d->mx.n && i < MX_SHOWN_MAX; i++) {
                strbuf_puts(b, i ? ", " : "");
                put_domain(b, d->mx.items[i].name);
                strbuf_printf(b, " %" PRIu64, d->mx.items[i].n);
        }
        if (d->mx.n > MX_SHOWN_MAX || d->mx.other)
                strbuf_printf(b, " and %zu more",
                              d->mx.n > MX_SHOWN_MAX ? d->mx.n - MX_SHOWN_MAX : (size_t) 0);
        if (d->mx.n == 0)
                strbuf_puts(b, "none");
        strbuf_printf(b, "\n#   first seen %s, last seen %s\n", d->first_seen, d->last_seen);
}

/* put_notes - why domains were left out, as comments */
static void put_notes(StrBuf *b, const AdviseResult *r) {
        bool any = false;

        for (size_t i = 1; i < _SKIP_REASON_MAX; i++)
                if (r->skip_counts[i])
                        any = true;
        if (!any)
                return;
        strbuf_puts(b, "\n# Not proposed:");
        for (size_t i = 1; i < _SKIP_REASON_MAX; i++)
                if (r->skip_counts[i])
                        strbuf_printf(b, "\n#   %zu %s (%s)", r->skip_counts[i],
                                      r->skip_counts[i] == 1 ? "domain" : "domains",
                                      skip_reason_description((SkipReason) i));
        strbuf_puts(b, "\n");

        if (r->skip_counts[SKIP_LOGGING_OFF]) {
                size_t shown = 0, hidden = 0;
                strbuf_puts(b, "# TLS logging was off (no TLS line, no tls= field; "
                               "smtp_tls_loglevel = 0?)\n"
                               "# on days these domains received mail, so their TLS status "
                               "is unknown:\n#  ");
                for (size_t i = 0; i < r->n_skipped; i++) {
                        const Skipped *s = &r->skipped[i];
                        if (s->reason != SKIP_LOGGING_OFF)
                                continue;
                        if (shown < NOTE_DOMAINS_MAX) {
                                strbuf_puts(b, " ");
                                put_domain(b, s->stats->domain);
                                shown++;
                        } else
                                hidden++;
                }
                if (hidden)
                        strbuf_printf(b, " and %zu more", hidden);
                strbuf_puts(b, "\n");
        }
}

static void put_body(StrBuf *b, const AdviseResult *r) {
        strbuf_printf(b, "# Template \"%s\" (%s), window %s .. %s: %zu %s.\n",
                      r->template_name, r->level, r->from, r->to, r->n_proposals,
                      r->n_proposals == 1 ? "entry" : "entries");
        for (size_t i = 0; i < r->n_proposals; i++) {
                const Proposal *p = &r->proposals[i];
                strbuf_puts(b, "\n");
                put_evidence(b, p);
                strbuf_printf(b, "%s %s\n", p->stats->domain, p->value);
        }
        put_notes(b, r);
}

static int finish(StrBuf *b) {
        if (b->oom)
                return -ENOMEM;
        if (!b->data)
                strbuf_puts(b, "");
        return b->oom ? -ENOMEM : 0;
}

/* advise_format_postmap - a stand-alone map source */
int advise_format_postmap(const AdviseResult *r, StrBuf *out) {
        strbuf_puts(out, "# smtp_tls_policy_maps entries proposed by \"mxtls advise\".\n"
                         "# Review each entry, then install the file with postmap(1).\n");
        put_body(out, r);
        return finish(out);
}

/* advise_format_section - the "# BEGIN mxtls" ... "# END mxtls" block */
int advise_format_section(const AdviseResult *r, StrBuf *out) {
        strbuf_puts(out, POLICY_SECTION_BEGIN " -- maintained by \"mxtls advise --merge\"; "
                         "edits between these markers are replaced\n");
        put_body(out, r);
        strbuf_puts(out, POLICY_SECTION_END "\n");
        return finish(out);
}

static void json_counts(StrBuf *b, const char *key, const CountList *l) {
        strbuf_printf(b, "\"%s\": {", key);
        for (size_t i = 0; i < l->n; i++) {
                strbuf_puts(b, i ? ", " : "");
                strbuf_put_json_string(b, l->items[i].name, strlen(l->items[i].name));
                strbuf_printf(b, ": %" PRIu64, l->items[i].n);
        }
        if (l->other)
                strbuf_printf(b, "%s\"(other)\": %" PRIu64, l->n ? ", " : "", l->other);
        strbuf_puts(b, "}");
}

static void json_stats(StrBuf *b, const DomainStats *d) {
        strbuf_puts(b, "\"domain\": ");
        strbuf_put_json_string(b, d->domain, strlen(d->domain));
        strbuf_printf(b, ", \"delivered\": %" PRIu64 ", \"tls\": %" PRIu64 ", \"plaintext\": %" PRIu64
                      ", \"tls_failed\": %" PRIu64 ", \"other_failed\": %" PRIu64
                      ", \"tls_logging_off\": %" PRIu64 ", \"days_seen\": %" PRIu32
                      ", \"days_delivered\": %" PRIu32,
                      domain_stats_delivered(d), d->tls, d->plaintext, d->tls_failed, d->other_failed,
                      d->logging_off, d->days_seen, d->days_delivered);
        strbuf_printf(b, ", \"first_seen\": \"%s\", \"last_seen\": \"%s\", ", d->first_seen, d->last_seen);
        json_counts(b, "by_protocol", &d->protocols);
        strbuf_puts(b, ", ");
        json_counts(b, "by_trust", &d->trust);
        strbuf_puts(b, ", ");
        json_counts(b, "tls_failures", &d->reasons);
        strbuf_puts(b, ", \"mx\": [");
        for (size_t i = 0; i < d->mx.n; i++) {
                strbuf_puts(b, i ? ", " : "");
                strbuf_put_json_string(b, d->mx.items[i].name, strlen(d->mx.items[i].name));
        }
        strbuf_puts(b, "]");
}

/* advise_format_json - proposals and the reason for every other domain */
int advise_format_json(const AdviseResult *r, StrBuf *out) {
        strbuf_puts(out, "{\"template\": ");
        strbuf_put_json_string(out, r->template_name, strlen(r->template_name));
        strbuf_puts(out, ", \"level\": ");
        strbuf_put_json_string(out, r->level, strlen(r->level));
        strbuf_printf(out, ", \"from\": \"%s\", \"to\": \"%s\", \"policy\": ", r->from, r->to);
        if (r->policy_path)
                strbuf_put_json_string(out, r->policy_path, strlen(r->policy_path));
        else
                strbuf_puts(out, "null");

        strbuf_puts(out, ",\n \"proposals\": [");
        for (size_t i = 0; i < r->n_proposals; i++) {
                const Proposal *p = &r->proposals[i];
                strbuf_puts(out, i ? ",\n  {" : "\n  {");
                json_stats(out, p->stats);
                strbuf_puts(out, ", \"policy\": ");
                strbuf_put_json_string(out, p->value, strlen(p->value));
                strbuf_puts(out, "}");
        }
        strbuf_puts(out, "],\n \"skipped\": [");
        for (size_t i = 0; i < r->n_skipped; i++) {
                const Skipped *s = &r->skipped[i];
                strbuf_puts(out, i ? ",\n  {" : "\n  {");
                json_stats(out, s->stats);
                strbuf_printf(out, ", \"reason\": \"%s\"", skip_reason_to_string(s->reason));
                if (s->entry) {
                        strbuf_puts(out, ", \"policy_key\": ");
                        strbuf_put_json_string(out, s->entry->key, strlen(s->entry->key));
                        strbuf_printf(out, ", \"policy_line\": %u", s->entry->line);
                }
                strbuf_puts(out, "}");
        }
        strbuf_puts(out, "],\n \"skip_counts\": {");
        for (size_t i = 1; i < _SKIP_REASON_MAX; i++)
                strbuf_printf(out, "%s\"%s\": %zu", i > 1 ? ", " : "", skip_reason_to_string((SkipReason) i),
                              r->skip_counts[i]);
        strbuf_puts(out, "}}\n");
        return finish(out);
}
