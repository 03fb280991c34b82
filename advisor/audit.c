/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        audit - what the current TLS policy does, with coded findings
 * DESCRIPTION
 *        See audit.h. Three passes: attribute every domain to an entry or the
 *        default, check each entry (and the default), check each domain and
 *        host. Findings are sorted at the end so output is reproducible.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "advise.h"
#include "audit.h"
#include "cleanup.h"

typedef struct Audit {
        const AuditOptions *o;
        AuditResult *r;
        size_t cap;
        size_t window;
} Audit;

/* audit_level_mandatory - levels that defer mail when TLS fails */
bool audit_level_mandatory(const char *level) {
        return tls_level_has(tls_level_lookup(level), TLS_LEVEL_REQUIRED);
}

static bool level_matches_cert(const char *level) {
        return tls_level_has(tls_level_lookup(level), TLS_LEVEL_CERT_MATCH);
}

static int add(Audit *a, FindingCode code, const char *subject, unsigned line, uint64_t count,
               const char *fmt, ...) _printf_(6, 7);
static int add(Audit *a, FindingCode code, const char *subject, unsigned line, uint64_t count,
               const char *fmt, ...) {
        AuditResult *r = a->r;
        char *message = NULL, *subj;
        va_list ap;

        if (r->n_findings == a->cap) {
                size_t ncap = a->cap ? a->cap * 2 : 16;
                Finding *n = realloc(r->findings, ncap * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                r->findings = n;
                a->cap = ncap;
        }
        va_start(ap, fmt);
        if (vasprintf(&message, fmt, ap) < 0)
                message = NULL;
        va_end(ap);
        subj = strdup(subject);
        if (!message || !subj) {
                free(message);
                free(subj);
                return -ENOMEM;
        }
        r->findings[r->n_findings++] = (Finding) { code, subj, line, count, message };
        return 0;
}

/* relay_host - "[host]:port", "[host]" or "host:port" to host; NULL for other keys */
static char *relay_host(const char *key) {
        if (key[0] == '[') {
                const char *end = strchr(key, ']');
                return end ? strndup(key + 1, (size_t) (end - key - 1)) : NULL;
        }
        const char *colon = strchr(key, ':');
        return colon && key[0] != '.' ? strndup(key, (size_t) (colon - key)) : NULL;
}

static bool mx_used(const DomainStats *d, const char *host) {
        for (size_t i = 0; i < d->mx.n; i++)
                if (strcasecmp(d->mx.items[i].name, host) == 0)
                        return true;
        return false;
}

/* attribute - every domain to its entry or the default */
static int attribute(Audit *a) {
        AuditResult *r = a->r;
        const PolicyMap *m = a->o->policy;
        int k;

        for (size_t i = 0; i < r->evidence->n_domains; i++) {
                const DomainStats *d = r->evidence->domains[i];
                const PolicyEntry *e = policy_lookup(m, d->domain);

                if (e) {
                        AuditEntry *ae = &r->entries[e - m->entries];
                        k = domain_stats_merge(&ae->stats, d, a->window);
                        ae->n_domains++;
                } else {
                        k = domain_stats_merge(&r->default_stats, d, a->window);
                        r->default_domains++;
                }
                if (k < 0)
                        return k;
        }
        for (size_t j = 0; j < r->n_entries; j++) {
                AuditEntry *ae = &r->entries[j];
                _cleanup_free_ char *host = relay_host(ae->entry->key);
                if (!host)
                        continue;
                ae->relay = true;
                for (size_t i = 0; i < r->evidence->n_domains; i++) {
                        const DomainStats *d = r->evidence->domains[i];
                        if (!mx_used(d, host))
                                continue;
                        k = domain_stats_merge(&ae->stats, d, a->window);
                        if (k < 0)
                                return k;
                        ae->n_domains++;
                }
        }
        return 0;
}

/* check_failures - MXT001, MXT002, MXT008 for one entry or the default */
static int check_failures(Audit *a, const char *subject, const char *level, unsigned line,
                          const DomainStats *s) {
        uint64_t blocked = 0, cert = 0, lookup = 0;
        StrBuf why;
        int k = 0;

        strbuf_init(&why);
        for (size_t i = 0; i < s->reasons.n; i++) {
                const CountItem *it = &s->reasons.items[i];
                FailReason reason = fail_reason_from_string(it->name);

                if (reason == FAIL_POLICY_LOOKUP)
                        lookup += it->n;
                else if (reason == FAIL_CERT_NOT_VERIFIED && level_matches_cert(level))
                        cert += it->n;
                else if (reason != FAIL_REQUIRETLS && audit_level_mandatory(level)) {
                        blocked += it->n;
                        strbuf_printf(&why, "%s%s %" PRIu64, why.len ? ", " : "", it->name, it->n);
                }
        }
        if (blocked)
                k = add(a, FINDING_POLICY_BLOCKS_DELIVERY, subject, line, blocked,
                        "level %s: %" PRIu64 " deliveries failed (%s)", level, blocked, why.data);
        if (k >= 0 && cert)
                k = add(a, FINDING_CERT_NOT_VERIFIED, subject, line, cert,
                        "level %s: %" PRIu64 " deliveries failed certificate verification", level, cert);
        if (k >= 0 && lookup)
                k = add(a, FINDING_POLICY_LOOKUP_FAILED, subject, line, lookup,
                        "%" PRIu64 " deliveries deferred with \"client TLS configuration problem\"", lookup);
        strbuf_free(&why);
        return why.oom ? -ENOMEM : k;
}

/* check_upgrade - MXT006: the strictest template whose criteria the entry meets */
static int check_upgrade(Audit *a, const AuditEntry *ae) {
        const char *level = ae->entry->level;
        TlsLevel code = tls_level_lookup(level);
        const Template *best = NULL;
        _cleanup_free_ char *best_value = NULL;
        int best_rank = tls_level_rank(level);

        if (ae->relay || (code != TLS_LEVEL_MAY && code != TLS_LEVEL_ENCRYPT))
                return 0;
        if (domain_stats_delivered(&ae->stats) == 0)
                return 0;
        for (size_t i = 0; i < a->o->n_templates; i++) {
                const Template *t = a->o->templates[i];
                int rank = tls_level_rank(t->propose.level);
                SkipReason skip;
                char *value = NULL;

                if (rank <= best_rank || template_evaluate(t, &ae->stats) != SKIP_NONE)
                        continue;
                int k = template_propose(t, &ae->stats, &value, &skip);
                if (k < 0)
                        return k;
                if (skip != SKIP_NONE)
                        continue;
                free(best_value);
                best_value = value;
                best = t;
                best_rank = rank;
        }
        if (!best)
                return 0;
        return add(a, FINDING_UPGRADE_CANDIDATE, ae->entry->key, ae->entry->line,
                   domain_stats_delivered(&ae->stats),
                   "level %s; traffic satisfies template \"%s\": %s", level, best->name, best_value);
}

static int check_entries(Audit *a) {
        AuditResult *r = a->r;
        int k = 0;

        for (size_t i = 0; i < r->n_entries && k >= 0; i++) {
                const AuditEntry *ae = &r->entries[i];
                const PolicyEntry *e = ae->entry;
                const DomainStats *s = &ae->stats;
                uint64_t traffic = domain_stats_delivered(s) + s->tls_failed + s->other_failed +
                                   s->logging_off;

                if (e->quoted)
                        k = add(a, FINDING_QUOTED_KEY, e->key, e->line, 0,
                                "postmap keeps the quotes; no next-hop ever matches this key");
                if (k >= 0 && e->ignored_attributes)
                        k = add(a, FINDING_ATTRIBUTES_IGNORED, e->key, e->line, 0,
                                "level none ignores the attributes: %s", e->value);
                if (k >= 0 && traffic == 0)
                        k = add(a, FINDING_STALE_ENTRY, e->key, e->line, 0, "no delivery %s in %s .. %s",
                                ae->relay ? "through this relay host" : "matched this entry",
                                r->from, r->to);
                if (k >= 0 && !ae->relay)
                        k = check_failures(a, e->key, e->level, e->line, s);
                if (k >= 0)
                        k = check_upgrade(a, ae);
        }
        for (size_t i = 0; r->policy_path && i < a->o->policy->n_duplicates && k >= 0; i++) {
                const PolicyDuplicate *d = &a->o->policy->duplicates[i];
                k = add(a, FINDING_DUPLICATE_KEY, d->key, d->line, 0,
                        "repeats the key of line %u; postmap keeps the first", d->first_line);
        }
        if (k >= 0 && r->default_level)
                k = check_failures(a, "(default)", r->default_level, 0, &r->default_stats);
        return k;
}

static void put_protocols(StrBuf *b, const DomainStats *d) {
        for (size_t i = 0; i < d->protocols.n; i++) {
                if (tls_protocol_is_weak(tls_protocol_from_string(d->protocols.items[i].name)))
                        strbuf_printf(b, "%s%s %" PRIu64, b->len ? ", " : "", d->protocols.items[i].name,
                                      d->protocols.items[i].n);
        }
}

/* check_domains - MXT004, MXT005, MXT009 per domain; MXT007 per host */
static int check_domains(Audit *a) {
        AuditResult *r = a->r;
        int k = 0;

        for (size_t i = 0; i < r->evidence->n_domains && k >= 0; i++) {
                const DomainStats *d = r->evidence->domains[i];

                if (d->early.tls > 0 && d->early.plaintext == 0 && d->early.tls_failed == 0 &&
                    (d->late.plaintext > 0 || d->late.tls_failed > 0))
                        k = add(a, FINDING_TLS_REGRESSION, d->domain, 0,
                                d->late.plaintext + d->late.tls_failed,
                                "all %" PRIu64 " deliveries before %s were encrypted; since then %" PRIu64
                                " in clear and %" PRIu64 " TLS failures", d->early.tls, r->split,
                                d->late.plaintext, d->late.tls_failed);
                if (k >= 0 && d->weak_protocol > 0) {
                        StrBuf b;
                        strbuf_init(&b);
                        put_protocols(&b, d);
                        k = b.oom ? -ENOMEM :
                            add(a, FINDING_WEAK_PROTOCOL, d->domain, 0, d->weak_protocol,
                                "%" PRIu64 " of %" PRIu64 " TLS deliveries used old protocols (%s)",
                                d->weak_protocol, d->tls, b.data ? b.data : "");
                        strbuf_free(&b);
                }
                if (k >= 0 && d->dane_downgraded > 0)
                        k = add(a, FINDING_DANE_DOWNGRADE, d->domain, 0, d->dane_downgraded,
                                "%" PRIu64 " deliveries fell back from dane to unauthenticated TLS",
                                d->dane_downgraded);
        }
        for (size_t i = 0; i < r->evidence->n_logging_off && k >= 0; i++) {
                const SummaryLoggingOff *lo = &r->evidence->logging_off[i];
                k = add(a, FINDING_TLS_LOGGING_OFF, *lo->host ? lo->host : "(unknown host)", 0,
                        lo->deliveries,
                        "%" PRIu64 " days between %s and %s with %" PRIu64 " deliveries but no TLS line and "
                        "no tls= field (smtp_tls_loglevel = 0?)", lo->days, lo->first_day, lo->last_day,
                        lo->deliveries);
        }
        return k;
}

static int cmp_finding(const void *x, const void *y) {
        const Finding *a = x, *b = y;
        Severity sa = finding_info(a->code)->severity, sb = finding_info(b->code)->severity;
        int c;

        if (sa != sb)
                return sa > sb ? -1 : 1;
        if (a->code != b->code)
                return a->code < b->code ? -1 : 1;
        c = strcmp(a->subject, b->subject);
        if (c != 0)
                return c;
        return a->line < b->line ? -1 : a->line > b->line;
}

/* audit_result_free - NULL-safe */
AuditResult *audit_result_free(AuditResult *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_entries; i++)
                domain_stats_done(&r->entries[i].stats);
        for (size_t i = 0; i < r->n_findings; i++) {
                free(r->findings[i].subject);
                free(r->findings[i].message);
        }
        domain_stats_done(&r->default_stats);
        free(r->entries);
        free(r->findings);
        free(r->policy_path);
        free(r->default_level);
        evidence_free(r->evidence);
        free(r);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(AuditResult *, audit_result_free)

/* default_level_name - the canonical name of a level given in any case */
static const char *default_level_name(const char *level) {
        TlsLevel l = tls_level_lookup(level);

        return l < 0 ? level : tls_level_to_string(l);
}

/* audit_run - attribute, check, sort */
int audit_run(Store *s, const AuditOptions *o, AuditResult **ret) {
        _cleanup_(audit_result_freep) AuditResult *r = NULL;
        Audit a = { .o = o };
        int k;

        if (!o || o->days == 0)
                return -EINVAL;
        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        a.r = r;
        k = evidence_window(o->to_day, o->days, r->from, r->to);
        if (k < 0)
                return k;
        if (o->policy && !(r->policy_path = strdup(o->policy->path)))
                return -ENOMEM;
        if (o->default_level && !(r->default_level = strdup(default_level_name(o->default_level))))
                return -ENOMEM;

        k = evidence_collect(s, r->from, r->to, &r->evidence);
        if (k < 0)
                return k;
        memcpy(r->split, r->evidence->split, sizeof(r->split));
        a.window = (size_t) (r->evidence->to_days - r->evidence->from_days + 1);

        if (o->policy && o->policy->n_entries > 0) {
                r->entries = calloc(o->policy->n_entries, sizeof(AuditEntry));
                if (!r->entries)
                        return -ENOMEM;
                r->n_entries = o->policy->n_entries;
                for (size_t i = 0; i < r->n_entries; i++)
                        r->entries[i].entry = &o->policy->entries[i];
        }

        k = attribute(&a);
        if (k >= 0)
                k = check_entries(&a);
        if (k >= 0)
                k = check_domains(&a);
        if (k < 0)
                return k;
        if (r->n_findings > 0)
                qsort(r->findings, r->n_findings, sizeof(Finding), cmp_finding);
        *ret = TAKE_PTR(r);
        return 0;
}

/* audit_max_severity - -1 when clean */
int audit_max_severity(const AuditResult *r) {
        int max = -1;
        for (size_t i = 0; i < r->n_findings; i++) {
                int s = (int) finding_info(r->findings[i].code)->severity;
                if (s > max)
                        max = s;
        }
        return max;
}
