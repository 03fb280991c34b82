/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        report - TLS coverage over a window of days, from the store
 * SYNOPSIS
 *        #include "report.h"
 *        int report_window(unsigned days, const char *from, const char *to, uint64_t now_usec,
 *                          char ret_from[static 11], char ret_to[static 11]);
 *        int report_build(Store *s, const ReportOptions *o, Report **ret);
 *        Report *report_free(Report *r);
 *        int report_render(const Report *r, ReportFormat f, const ReportFormatOptions *o, StrBuf *out);
 * DESCRIPTION
 *        report_build() is the report's view of the window's summary
 *        (summary_build(), summary.h: the daily rows and the TLS evidence
 *        added up once, shared with advise and audit): totals, per recipient
 *        domain, per host (_HOSTNAME) and per day. delivered = tls + plaintext;
 *        by_protocol and by_trust count TLS deliveries only (an empty protocol
 *        or trust is "unknown"); by_level counts every outcome that logged a
 *        tls= token; tls_failures counts TLS failures by reason. Hops to a
 *        local content filter ("internal") are kept apart and never in any
 *        domain's counts. days_seen, first_seen and last_seen are the days
 *        with any outcome row (summary.h). A (day, host) with deliveries but
 *        neither TLS lines nor tls= fields gives a warning: TLS logging
 *        (smtp_tls_loglevel) is probably off there; its deliveries count as
 *        stored. The formatters (report_text.c, report_json.c,
 *        report_prometheus.c, report_html.c) only read a Report; every string
 *        from the log is escaped for its output.
 * DIAGNOSTICS
 *        Negative errno: -EINVAL bad window or day, -ENOMEM, store errors.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "strbuf.h"
#include "summary.h"
#include "timeutil.h"
#include "util.h"

#define REPORT_MX_MAX 16                /* MX names kept per domain */
#define REPORT_TALLY_MAX 32             /* distinct keys per tally; further keys count as "other" */
#define REPORT_TOP_N_DEFAULT 20
#define REPORT_CHART_DAYS_MAX 732       /* days drawn in the HTML chart (the last ones) */

typedef struct TallyEntry {
        const char *key;                /* points into the summary, or a literal */
        const char *key2;               /* second key of a pair tally, NULL otherwise */
        uint64_t n;
} TallyEntry;

/* Counts by key; entries sorted by key (then key2) once the report is built. */
typedef struct Tally {
        TallyEntry *entries;
        size_t n;
} Tally;

typedef struct ReportCounts {
        uint64_t tls;
        uint64_t plaintext;
        uint64_t tls_failed;
        uint64_t other_failed;
        Tally by_protocol;              /* TLS deliveries by protocol ("unknown" when not logged) */
        Tally by_trust;                 /* TLS deliveries by trust */
        Tally by_level;                 /* all outcomes with a tls= token, by token */
        Tally tls_failures;             /* TLS failures by reason */
} ReportCounts;

typedef struct ReportDomain {
        const char *domain;             /* strings point into Report.summary */
        ReportCounts counts;
        const char **mx;                /* sorted, distinct, non-empty; at most REPORT_MX_MAX */
        size_t n_mx;
        bool mx_truncated;              /* more MX names than REPORT_MX_MAX */
        char first_seen[11];
        char last_seen[11];
        uint64_t days_seen;
} ReportDomain;

typedef struct ReportHost {
        const char *host;
        ReportCounts counts;
        uint64_t internal;
} ReportHost;

typedef struct ReportDay {
        char day[11];
        ReportCounts counts;
        uint64_t internal;
} ReportDay;

/* A host whose log had deliveries but no TLS evidence on some days. */
typedef SummaryLoggingOff ReportWarning;

typedef struct Report {
        char from[11];                  /* inclusive window */
        char to[11];
        char *domain_filter;            /* NULL = all */
        char *host_filter;
        ReportCounts totals;
        uint64_t internal;              /* hops to local filters, not in any domain */
        Tally tls_by_protocol_trust;    /* TLS deliveries by (protocol, trust) */
        ReportDomain *domains;          /* delivered desc, then name */
        size_t n_domains;
        ReportHost *hosts;              /* by name */
        size_t n_hosts;
        ReportDay *days;                /* ascending, only days with rows */
        size_t n_days;
        const ReportWarning *warnings;  /* by host name; in the summary */
        size_t n_warnings;
        Summary *summary;               /* the fold this report is a view of */
        TallyEntry *entry_room;         /* storage of every tally's entries */
        const char **name_room;         /* storage of every domain's mx */
} Report;

typedef struct ReportOptions {
        const char *from;               /* YYYY-MM-DD, inclusive, required */
        const char *to;                 /* YYYY-MM-DD, inclusive, required */
        const char *domain;             /* NULL = all domains */
        const char *host;               /* NULL = all hosts */
} ReportOptions;

typedef enum ReportFormat {
        REPORT_FORMAT_TEXT,
        REPORT_FORMAT_JSON,
        REPORT_FORMAT_PROMETHEUS,
        REPORT_FORMAT_HTML,
        _REPORT_FORMAT_MAX,
        _REPORT_FORMAT_INVALID = -EINVAL,
} ReportFormat;

typedef struct ReportFormatOptions {
        unsigned top_n;                 /* text/HTML list length, Prometheus domain series; 0 = default */
} ReportFormatOptions;

static inline uint64_t report_delivered(const ReportCounts *c) {
        return c->tls + c->plaintext;
}

/*
 * The window: from/to when given (either may be NULL), else the last `days`
 * days ending with the UTC day of now_usec. A missing `to` is today, a missing
 * `from` is `days` days before `to`. -EINVAL for a malformed day, days == 0,
 * or from after to.
 */
int report_window(unsigned days, const char *from, const char *to, uint64_t now_usec,
                  char ret_from[static 11], char ret_to[static 11]);

int report_build(Store *s, const ReportOptions *o, Report **ret);
Report *report_free(Report *r);

/* Key lookup in a tally; 0 when absent. key2 NULL for single-key tallies. */
uint64_t tally_get(const Tally *t, const char *key, const char *key2);

ReportFormat report_format_from_string(const char *s);
const char *report_format_to_string(ReportFormat f);

/* All return 0, or -ENOMEM when out ran out of memory. */
int report_render(const Report *r, ReportFormat f, const ReportFormatOptions *o, StrBuf *out);
int report_format_text(const Report *r, const ReportFormatOptions *o, StrBuf *out);
int report_format_json(const Report *r, const ReportFormatOptions *o, StrBuf *out);
int report_format_prometheus(const Report *r, const ReportFormatOptions *o, StrBuf *out);
int report_format_html(const Report *r, const ReportFormatOptions *o, StrBuf *out);

/* Shared by the formatters (report_text.c). */
/* "TLS 1.3 78% · TLS 1.2 20% · cleartext 2%" (escaped for a terminal), or "no deliveries". */
void report_put_headline(const Report *r, const ReportCounts *c, StrBuf *out);
/* Share as a whole percentage: "<1%" and ">99%" instead of rounding to 0 or 100. */
void report_put_percent(StrBuf *out, uint64_t n, uint64_t total);
/* Human name of a protocol: "TLSv1.3" -> "TLS 1.3", "TLSv1" -> "TLS 1.0". */
void report_put_protocol_label(StrBuf *out, const char *protocol);
/* Indices of domains with plaintext > 0 (by plaintext desc) or tls_failed > 0 (by tls_failed
 * desc), then name. malloc'd array in *ret; returns the count or -ENOMEM. */
int report_list_cleartext(const Report *r, size_t **ret);
int report_list_failing(const Report *r, size_t **ret);
unsigned report_top_n(const ReportFormatOptions *o);
