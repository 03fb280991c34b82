/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        report_text - the report for a terminal, and helpers for the formatters
 * SYNOPSIS
 *        #include "report.h"
 *        int report_format_text(const Report *r, const ReportFormatOptions *o, StrBuf *out);
 * DESCRIPTION
 *        A header with the window and any TLS-logging warning, the headline
 *        ("TLS 1.3 78% · TLS 1.2 20% · cleartext 2%", shares of delivered
 *        mail), a totals line, then the cleartext domains and the domains with
 *        TLS failures, each bounded to the top N with "... and M more", and the
 *        hosts when there are several. Every string from the log goes through
 *        strbuf_put_safe_text(): no control character reaches the terminal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "domain.h"
#include "report.h"

#define MIDDLE_DOT " \xc2\xb7 "         /* " · " */
#define NAME_WIDTH 40

unsigned report_top_n(const ReportFormatOptions *o) {
        return o && o->top_n > 0 ? o->top_n : REPORT_TOP_N_DEFAULT;
}

void report_put_percent(StrBuf *out, uint64_t n, uint64_t total) {
        if (total == 0) {
                strbuf_puts(out, "-");
                return;
        }
        if (n == 0 || n >= total) {
                strbuf_puts(out, n == 0 ? "0%" : "100%");
                return;
        }
        unsigned p = (unsigned) ((long double) n * 100.0L / (long double) total + 0.5L);
        if (p == 0)
                strbuf_puts(out, "<1%");
        else if (p >= 100)
                strbuf_puts(out, ">99%");
        else
                strbuf_printf(out, "%u%%", p);
}

void report_put_protocol_label(StrBuf *out, const char *protocol) {
        static const struct {
                const char *name;
                const char *label;
        } labels[] = {
                { "TLSv1.3", "TLS 1.3" },
                { "TLSv1.2", "TLS 1.2" },
                { "TLSv1.1", "TLS 1.1" },
                { "TLSv1", "TLS 1.0" },
                { "unknown", "TLS (version unknown)" },
        };
        for (size_t i = 0; i < ELEMENTSOF(labels); i++)
                if (strcmp(protocol, labels[i].name) == 0) {
                        strbuf_puts(out, labels[i].label);
                        return;
                }
        strbuf_put_safe_text(out, protocol, strlen(protocol));
}

static bool protocol_is_listed(const char *p) {
        return strcmp(p, "TLSv1.3") == 0 || strcmp(p, "TLSv1.2") == 0 ||
               strcmp(p, "TLSv1.1") == 0 || strcmp(p, "TLSv1") == 0;
}

void report_put_headline(const Report *r, const ReportCounts *c, StrBuf *out) {
        static const char *const fixed[] = { "TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1" };
        uint64_t delivered = report_delivered(c), failed = c->tls_failed + c->other_failed;

        if (delivered == 0) {
                strbuf_puts(out, "no deliveries");
                if (failed > 0)
                        strbuf_printf(out, MIDDLE_DOT "failed %ju", (uintmax_t) failed);
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(fixed); i++) {
                uint64_t n = tally_get(&c->by_protocol, fixed[i], NULL);

                /* TLS 1.3 and 1.2 always, older versions when they were used. */
                if (n == 0 && i >= 2)
                        continue;
                report_put_protocol_label(out, fixed[i]);
                strbuf_putc(out, ' ');
                report_put_percent(out, n, delivered);
                strbuf_puts(out, MIDDLE_DOT);
        }
        for (size_t i = 0; i < c->by_protocol.n; i++) {
                const TallyEntry *e = &c->by_protocol.entries[i];

                if (protocol_is_listed(e->key) || e->n == 0)
                        continue;
                report_put_protocol_label(out, e->key);
                strbuf_putc(out, ' ');
                report_put_percent(out, e->n, delivered);
                strbuf_puts(out, MIDDLE_DOT);
        }
        strbuf_puts(out, "cleartext ");
        report_put_percent(out, c->plaintext, delivered);
        if (failed > 0)
                strbuf_printf(out, MIDDLE_DOT "failed %ju", (uintmax_t) failed);
}

static int cleartext_cmp(const void *a, const void *b, void *userdata) {
        const Report *r = userdata;
        const ReportDomain *x = &r->domains[*(const size_t *) a], *y = &r->domains[*(const size_t *) b];

        if (x->counts.plaintext != y->counts.plaintext)
                return x->counts.plaintext > y->counts.plaintext ? -1 : 1;
        return strcmp(x->domain, y->domain);
}

static int failing_cmp(const void *a, const void *b, void *userdata) {
        const Report *r = userdata;
        const ReportDomain *x = &r->domains[*(const size_t *) a], *y = &r->domains[*(const size_t *) b];

        if (x->counts.tls_failed != y->counts.tls_failed)
                return x->counts.tls_failed > y->counts.tls_failed ? -1 : 1;
        return strcmp(x->domain, y->domain);
}

static int report_list(const Report *r, bool failing, size_t **ret) {
        size_t *v = NULL, n = 0;

        if (r->n_domains > 0) {
                v = calloc(r->n_domains, sizeof(size_t));
                if (!v)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < r->n_domains; i++)
                if (failing ? r->domains[i].counts.tls_failed > 0 : r->domains[i].counts.plaintext > 0)
                        v[n++] = i;
        if (n > 1)
                qsort_r(v, n, sizeof(size_t), failing ? failing_cmp : cleartext_cmp, (void *) r);
        *ret = v;
        return (int) n;
}

int report_list_cleartext(const Report *r, size_t **ret) {
        return report_list(r, false, ret);
}

int report_list_failing(const Report *r, size_t **ret) {
        return report_list(r, true, ret);
}

/* put_name - a log string, escaped, padded to the name column */
static void put_name(StrBuf *out, const char *s, const char *if_empty) {
        size_t start = out->len;

        if (*s)
                strbuf_put_safe_text(out, s, strlen(s));
        else
                strbuf_puts(out, if_empty);
        /* the width in characters: UTF-8 continuation bytes take no column */
        size_t w = 0;
        for (size_t i = start; out->data && i < out->len; i++)
                w += ((unsigned char) out->data[i] & 0xc0) != 0x80;
        for (; w < NAME_WIDTH; w++)
                strbuf_putc(out, ' ');
        strbuf_putc(out, ' ');
}

/* put_domain - the stored name (an A-label for an IDN) and its U-label beside it */
static void put_domain(StrBuf *out, const char *domain) {
        _cleanup_free_ char *u = domain_to_unicode(domain), *both = NULL;

        if (u && asprintf(&both, "%s (%s)", domain, u) >= 0)
                put_name(out, both, "(unknown domain)");
        else
                put_name(out, domain, "(unknown domain)");
}

static void put_tally_inline(StrBuf *out, const Tally *t) {
        for (size_t i = 0; i < t->n; i++) {
                strbuf_puts(out, i ? ", " : "");
                strbuf_put_safe_text(out, t->entries[i].key, strlen(t->entries[i].key));
                strbuf_printf(out, " %ju", (uintmax_t) t->entries[i].n);
        }
}

static void put_header(const Report *r, StrBuf *out) {
        strbuf_printf(out, "TLS coverage %s .. %s", r->from, r->to);
        if (r->domain_filter) {
                strbuf_puts(out, ", domain ");
                strbuf_put_safe_text(out, r->domain_filter, strlen(r->domain_filter));
        }
        if (r->host_filter) {
                strbuf_puts(out, ", host ");
                strbuf_put_safe_text(out, r->host_filter, strlen(r->host_filter));
        }
        strbuf_putc(out, '\n');
        for (size_t i = 0; i < r->n_warnings; i++) {
                const ReportWarning *w = &r->warnings[i];

                strbuf_puts(out, "warning: host ");
                strbuf_put_safe_text(out, *w->host ? w->host : "(unknown)", strlen(*w->host ? w->host : "(unknown)"));
                strbuf_printf(out, ": %ju day(s) between %s and %s with %ju deliveries but no TLS log "
                              "lines and no tls= fields; smtp_tls_loglevel is probably 0 on that host\n",
                              (uintmax_t) w->days, w->first_day, w->last_day, (uintmax_t) w->deliveries);
        }
}

static void put_totals(const Report *r, StrBuf *out) {
        const ReportCounts *c = &r->totals;

        strbuf_printf(out, "delivered %ju: TLS %ju, cleartext %ju" MIDDLE_DOT "TLS failures %ju"
                      MIDDLE_DOT "other failures %ju",
                      (uintmax_t) report_delivered(c), (uintmax_t) c->tls, (uintmax_t) c->plaintext,
                      (uintmax_t) c->tls_failed, (uintmax_t) c->other_failed);
        if (r->internal > 0)
                strbuf_printf(out, MIDDLE_DOT "internal hops %ju (not counted)", (uintmax_t) r->internal);
        strbuf_printf(out, MIDDLE_DOT "%zu domain(s)\n", r->n_domains);
}

static int put_domain_list(const Report *r, bool failing, unsigned top, StrBuf *out) {
        _cleanup_free_ size_t *v = NULL;
        int n = failing ? report_list_failing(r, &v) : report_list_cleartext(r, &v);

        if (n < 0)
                return n;
        if (n == 0) {
                strbuf_puts(out, failing ? "No TLS failures.\n" : "No cleartext deliveries.\n");
                return 0;
        }
        strbuf_printf(out, failing ? "Domains with TLS failures (%d):\n" : "Cleartext domains (%d):\n", n);
        for (size_t i = 0; i < (size_t) n && i < top; i++) {
                const ReportDomain *d = &r->domains[v[i]];

                strbuf_puts(out, "  ");
                put_domain(out, d->domain);
                if (failing) {
                        strbuf_printf(out, "%ju failed: ", (uintmax_t) d->counts.tls_failed);
                        put_tally_inline(out, &d->counts.tls_failures);
                } else {
                        strbuf_printf(out, "%ju of %ju delivered in cleartext (", (uintmax_t) d->counts.plaintext,
                                      (uintmax_t) report_delivered(&d->counts));
                        report_put_percent(out, d->counts.plaintext, report_delivered(&d->counts));
                        strbuf_putc(out, ')');
                }
                strbuf_putc(out, '\n');
        }
        if ((size_t) n > top)
                strbuf_printf(out, "  ... and %zu more\n", (size_t) n - top);
        return 0;
}

int report_format_text(const Report *r, const ReportFormatOptions *o, StrBuf *out) {
        unsigned top = report_top_n(o);
        int q;

        put_header(r, out);
        report_put_headline(r, &r->totals, out);
        strbuf_putc(out, '\n');
        put_totals(r, out);
        strbuf_putc(out, '\n');
        q = put_domain_list(r, false, top, out);
        if (q < 0)
                return q;
        strbuf_putc(out, '\n');
        q = put_domain_list(r, true, top, out);
        if (q < 0)
                return q;

        if (r->n_hosts > 1) {
                strbuf_printf(out, "\nHosts (%zu):\n", r->n_hosts);
                for (size_t i = 0; i < r->n_hosts; i++) {
                        const ReportHost *h = &r->hosts[i];

                        strbuf_puts(out, "  ");
                        put_name(out, h->host, "(unknown host)");
                        strbuf_printf(out, "delivered %ju, TLS ", (uintmax_t) report_delivered(&h->counts));
                        report_put_percent(out, h->counts.tls, report_delivered(&h->counts));
                        strbuf_printf(out, ", cleartext %ju, TLS failures %ju\n", (uintmax_t) h->counts.plaintext,
                                      (uintmax_t) h->counts.tls_failed);
                }
        }
        return out->oom ? -ENOMEM : 0;
}
