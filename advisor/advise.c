/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        advise - propose tls_policy entries from the evidence in the store
 * DESCRIPTION
 *        See advise.h. The checks run in a fixed order so that every domain
 *        gets exactly one, reproducible reason: name, exclusion, current map,
 *        TLS logging, then the template's criteria.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advise.h"
#include "cleanup.h"
#include "domain.h"

#define MATCH_NAMES_MAX 10
#define MATCH_LEN_MAX 1000

static const struct {
        const char *name;
        const char *description;
} skip_reasons[_SKIP_REASON_MAX] = {
        [SKIP_NONE] = { "proposed", "satisfies the template" },
        [SKIP_INVALID_NAME] = { "invalid-name", "not a valid domain name" },
        [SKIP_EXCLUDED] = { "excluded", "listed in exclude_domains" },
        [SKIP_IN_POLICY] = { "in-policy", "already named by the policy map" },
        [SKIP_LOGGING_OFF] = { "tls-logging-off", "TLS logging was off for some of its deliveries" },
        [SKIP_FEW_DELIVERIES] = { "few-deliveries", "fewer deliveries than min_deliveries" },
        [SKIP_FEW_DAYS] = { "few-days", "seen on fewer days than min_days" },
        [SKIP_PLAINTEXT] = { "plaintext", "TLS share below min_tls_share" },
        [SKIP_TLS_FAILURES] = { "tls-failures", "more TLS failures than max_tls_failures" },
        [SKIP_PROTOCOL] = { "old-protocol", "TLS below min_protocol" },
        [SKIP_TRUST] = { "trust", "certificate trust not accepted by the template" },
        [SKIP_NO_DANE] = { "no-dane-evidence", "not every TLS delivery was DANE-verified" },
        [SKIP_MX] = { "mx-unusable", "match= cannot be derived from the MX names" },
        [SKIP_IDN] = { "idn", "an internationalized name: reported, not proposed until the form "
                              "Postfix's policy lookup uses is known" },
};

/* skip_reason_to_string - stable short name */
const char *skip_reason_to_string(SkipReason r) {
        if ((int) r < 0 || r >= _SKIP_REASON_MAX)
                return NULL;
        return skip_reasons[r].name;
}

/* skip_reason_description - one phrase for humans */
const char *skip_reason_description(SkipReason r) {
        if ((int) r < 0 || r >= _SKIP_REASON_MAX)
                return NULL;
        return skip_reasons[r].description;
}

/* policy_word_safe - whitelist of bytes a generated attribute value may hold */
bool policy_word_safe(const char *s) {
        if (!s || !*s || strlen(s) > MATCH_LEN_MAX)
                return false;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      strchr(".:-_<>=!|", *p)))
                        return false;
        return true;
}

/* template_evaluate - the template's criteria only (no name, exclusion or map checks) */
SkipReason template_evaluate(const Template *t, const DomainStats *d) {
        uint64_t delivered = domain_stats_delivered(d);

        if (d->logging_off > 0)
                return SKIP_LOGGING_OFF;
        if (delivered < t->min_deliveries || delivered == 0)
                return SKIP_FEW_DELIVERIES;
        if (d->days_delivered < t->min_days)
                return SKIP_FEW_DAYS;
        if (t->min_tls_share >= 100 ? d->plaintext > 0 :
            (long double) d->tls * 100.0L < (long double) t->min_tls_share * (long double) delivered)
                return SKIP_PLAINTEXT;
        if (d->tls_failed > t->max_tls_failures)
                return SKIP_TLS_FAILURES;
        if (t->min_protocol) {
                int floor = tls_protocol_rank(t->min_protocol);
                for (size_t i = 0; i < d->protocols.n; i++)
                        if (tls_protocol_rank(d->protocols.items[i].name) < floor)
                                return SKIP_PROTOCOL;
                if (d->protocols.other > 0)
                        return SKIP_PROTOCOL;
        }
        if (t->trust_count > 0) {
                for (size_t i = 0; i < d->trust.n; i++)
                        if (!template_trust_ok(t, d->trust.items[i].name))
                                return SKIP_TRUST;
                if (d->trust.other > 0)
                        return SKIP_TRUST;
        }
        if (t->propose.require_dane_verified && d->dane_verified < d->tls)
                return SKIP_NO_DANE;
        return SKIP_NONE;
}

/* common_suffix_labels - how many trailing labels all names share */
static size_t common_labels(const CountList *mx, const char **ret_suffix) {
        const char *first = mx->items[0].name;
        size_t labels = 0;
        const char *best = NULL;

        /* candidate suffixes of the first name, from the shortest (TLD) up */
        for (const char *p = first + strlen(first); p > first;) {
                p--;
                if (*p != '.' && p != first)
                        continue;
                const char *suffix = *p == '.' ? p + 1 : p;
                size_t sn = strlen(suffix);
                bool all = true;
                for (size_t i = 0; i < mx->n && all; i++) {
                        const char *name = mx->items[i].name;
                        size_t n = strlen(name);
                        all = n >= sn && strcmp(name + n - sn, suffix) == 0 &&
                              (n == sn || name[n - sn - 1] == '.');
                }
                if (!all)
                        break;
                best = suffix;
                labels++;
        }
        *ret_suffix = best;
        return labels;
}

/* looks_public - two labels with a short country TLD and a short second level (co.uk) */
static bool looks_public(const char *suffix, size_t labels) {
        if (labels < 2)
                return true;
        if (labels > 2)
                return false;
        const char *dot = strchr(suffix, '.');
        return strlen(dot + 1) == 2 && (size_t) (dot - suffix) <= 3;
}

static int cmp_name(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* derive_match - match= value for secure/verify from the observed MX names */
int derive_match(const CountList *mx, char **ret) {
        const char *suffix = NULL;
        const char *names[MATCH_NAMES_MAX];
        StrBuf b;

        if (mx->n == 0 || mx->overflow)
                return -ENODATA;
        for (size_t i = 0; i < mx->n; i++)
                if (!domain_is_valid(mx->items[i].name, strlen(mx->items[i].name)))
                        return -EBADMSG;
        strbuf_init(&b);
        if (mx->n == 1)
                strbuf_puts(&b, mx->items[0].name);
        else {
                size_t labels = common_labels(mx, &suffix);
                if (suffix && !looks_public(suffix, labels)) {
                        bool suffix_is_mx = false;
                        for (size_t i = 0; i < mx->n; i++)
                                if (strcmp(mx->items[i].name, suffix) == 0)
                                        suffix_is_mx = true;
                        if (suffix_is_mx)
                                strbuf_printf(&b, "%s:.%s", suffix, suffix);
                        else
                                strbuf_printf(&b, ".%s", suffix);
                } else {
                        if (mx->n > MATCH_NAMES_MAX)
                                return -E2BIG;
                        for (size_t i = 0; i < mx->n; i++)
                                names[i] = mx->items[i].name;
                        qsort(names, mx->n, sizeof(char *), cmp_name);
                        for (size_t i = 0; i < mx->n; i++)
                                strbuf_printf(&b, "%s%s", i ? ":" : "", names[i]);
                }
        }
        if (b.oom) {
                strbuf_free(&b);
                return -ENOMEM;
        }
        if (!policy_word_safe(b.data)) {
                strbuf_free(&b);
                return -E2BIG;
        }
        *ret = b.data;
        return 0;
}

/* template_propose - "level attr=value ..." for one domain */
int template_propose(const Template *t, const DomainStats *d, char **ret_value, SkipReason *ret_skip) {
        const TemplatePropose *p = &t->propose;
        _cleanup_free_ char *match = NULL;
        StrBuf b;
        int r;

        *ret_skip = SKIP_NONE;
        if (p->match && strcmp(p->match, "mx") == 0) {
                r = derive_match(&d->mx, &match);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        *ret_skip = SKIP_MX;
                        *ret_value = NULL;
                        return 0;
                }
        } else if (p->match) {
                match = strdup(p->match);
                if (!match)
                        return -ENOMEM;
        }

        if (!policy_word_safe(p->level) || (p->protocols && !policy_word_safe(p->protocols)) ||
            (p->ciphers && !policy_word_safe(p->ciphers)) || (match && !policy_word_safe(match)))
                return -EINVAL;

        strbuf_init(&b);
        strbuf_puts(&b, p->level);
        if (match)
                strbuf_printf(&b, " match=%s", match);
        if (p->protocols)
                strbuf_printf(&b, " protocols=%s", p->protocols);
        if (p->ciphers)
                strbuf_printf(&b, " ciphers=%s", p->ciphers);
        if (b.oom) {
                strbuf_free(&b);
                return -ENOMEM;
        }
        *ret_value = b.data;
        return 0;
}

static bool excluded(const AdviseOptions *o, const char *domain) {
        if (template_excludes(o->template, domain))
                return true;
        for (char *const *p = o->exclude_domains; p && *p; p++)
                if (domain_matches_pattern(domain, *p))
                        return true;
        return false;
}

/* advise_result_free - NULL-safe */
AdviseResult *advise_result_free(AdviseResult *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_proposals; i++)
                free(r->proposals[i].value);
        free(r->proposals);
        free(r->skipped);
        free(r->template_name);
        free(r->level);
        free(r->policy_path);
        evidence_free(r->evidence);
        free(r);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(AdviseResult *, advise_result_free)

/* classify - one domain: a proposal (value set) or a reason */
static int classify(const AdviseOptions *o, const DomainStats *d, char **ret_value, SkipReason *ret_reason,
                    const PolicyEntry **ret_entry) {
        const char *name = d->domain;

        *ret_value = NULL;
        *ret_entry = NULL;
        if (!domain_is_valid(name, strlen(name)) || strlen(name) != strnlen(name, DOMAIN_MAX + 1)) {
                *ret_reason = SKIP_INVALID_NAME;
                return 0;
        }
        for (const char *p = name; *p; p++)
                if (*p >= 'A' && *p <= 'Z') {
                        *ret_reason = SKIP_INVALID_NAME;        /* the store keeps lower case */
                        return 0;
                }
        if (excluded(o, name)) {
                *ret_reason = SKIP_EXCLUDED;
                return 0;
        }
        /* SMTPUTF8 domains are stored as A-labels (domain_recipient()); whether
         * smtp(8) looks up the A-label or the UTF-8 form in smtp_tls_policy_maps
         * is not verified against a real Postfix yet, so no line is proposed. */
        if (strncmp(name, "xn--", 4) == 0 || strstr(name, ".xn--")) {
                *ret_reason = SKIP_IDN;
                return 0;
        }
        *ret_entry = policy_names(o->policy, name);
        if (*ret_entry) {
                *ret_reason = SKIP_IN_POLICY;
                return 0;
        }
        *ret_reason = template_evaluate(o->template, d);
        if (*ret_reason != SKIP_NONE)
                return 0;
        return template_propose(o->template, d, ret_value, ret_reason);
}

/* advise_run - evaluate every domain of the window */
int advise_run(Store *s, const AdviseOptions *o, AdviseResult **ret) {
        _cleanup_(advise_result_freep) AdviseResult *r = NULL;
        char from[11], to[11];
        int k;

        if (!o || !o->template)
                return -EINVAL;
        k = evidence_window(o->to_day, o->days ? o->days : o->template->window_days, from, to);
        if (k < 0)
                return k;

        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        memcpy(r->from, from, sizeof(from));
        memcpy(r->to, to, sizeof(to));
        r->template_name = strdup(o->template->name);
        r->level = strdup(o->template->propose.level);
        if (!r->template_name || !r->level)
                return -ENOMEM;
        if (o->policy) {
                r->policy_path = strdup(o->policy->path);
                if (!r->policy_path)
                        return -ENOMEM;
        }

        k = evidence_collect(s, from, to, &r->evidence);
        if (k < 0)
                return k;

        size_t n = r->evidence->n_domains;
        r->proposals = calloc(n ? n : 1, sizeof(Proposal));
        r->skipped = calloc(n ? n : 1, sizeof(Skipped));
        if (!r->proposals || !r->skipped)
                return -ENOMEM;

        /* evidence domains are sorted, so both lists come out sorted */
        for (size_t i = 0; i < n; i++) {
                const DomainStats *d = r->evidence->domains[i];
                const PolicyEntry *entry = NULL;
                SkipReason reason;
                char *value = NULL;

                k = classify(o, d, &value, &reason, &entry);
                if (k < 0)
                        return k;
                r->skip_counts[reason]++;
                if (reason == SKIP_NONE)
                        r->proposals[r->n_proposals++] = (Proposal) { d, value };
                else
                        r->skipped[r->n_skipped++] = (Skipped) { d, reason, entry };
        }
        *ret = TAKE_PTR(r);
        return 0;
}
