/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        collect - read sources, correlate, and commit one run to the store
 * SYNOPSIS
 *        #include "collect.h"
 *        int collect_source(Collect *c, Source *src);
 *        int collect_commit(Collect *c);
 * DESCRIPTION
 *        The pipeline per record:
 *
 *            source_next() -> parse_record() -> aggregates_note_event()
 *                          -> correlate_feed() -> outcome -> aggregates
 *
 *        One correlator per source, because its pending sessions are stored
 *        with that source's position. Everything is kept in memory until
 *        collect_commit(), which writes it in one transaction.
 * DIAGNOSTICS
 *        Negative errno values.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "collect.h"
#include "collect_flush.h"
#include "collect_pipe.h"
#include "parse.h"
#include "span.h"
#include "timeutil.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(Correlator *, correlator_free)

struct Collect {
        Store *store;                   /* not owned; may be NULL */
        CollectOptions opts;
        Aggregates *aggregates;
        CollectSourceResult *results;
        size_t n_results;
        uint64_t first_usec;            /* oldest entry of the run, 0 = none */
        bool in_transaction;            /* rows were written ahead (collect_flush.c), not committed */
};

int collect_new(Store *store, const CollectOptions *o, Collect **ret) {
        Collect *c;

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->store = store;
        c->opts = *o;
        c->aggregates = aggregates_new();
        if (!c->aggregates) {
                free(c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

Collect *collect_free(Collect *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_results; i++) {
                free(c->results[i].key);
                free(c->results[i].position);
                free(c->results[i].pending);
        }
        free(c->results);
        if (c->in_transaction)
                (void) store_rollback(c->store);
        aggregates_free(c->aggregates);
        free(c);
        return NULL;
}

static int state_key(const char *prefix, const char *key, char **ret) {
        return asprintf(ret, "%s:%s", prefix, key) < 0 ? -ENOMEM : 0;
}

/* resume - seek to the stored position, or to since_usec on a first run */
static int resume(Collect *c, Source *src, CollectSourceResult *res) {
        _cleanup_free_ char *key = NULL, *pos = NULL;
        int r;

        if (c->store) {
                r = state_key("position", source_key(src), &key);
                if (r < 0)
                        return r;
                r = store_get_state(c->store, key, &pos, NULL);
                if (r < 0 && r != -ENOENT)
                        return r;
                if (r >= 0) {
                        r = source_seek(src, pos, &res->seek);
                        if (r < 0)
                                return r;
                        res->resumed = true;
                        return 0;
                }
        }
        if (c->opts.since_usec > 0) {
                r = source_seek_time(src, c->opts.since_usec);
                if (r < 0 && r != -EOPNOTSUPP)
                        return r;
        }
        return 0;
}

/* load_pending - sessions left open by the last run of this source */
static int load_pending(Collect *c, Source *src, Correlator *cor, CollectSourceResult *res) {
        _cleanup_free_ char *key = NULL, *blob = NULL;
        size_t len;
        int r;

        if (!c->store || !res->resumed)
                return 0;
        r = state_key("pending", source_key(src), &key);
        if (r < 0)
                return r;
        r = store_get_state(c->store, key, &blob, &len);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        r = correlator_load(cor, blob, len);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                res->pending_dropped = true;    /* unreadable: start without it */
        return 0;
}

static void report_progress(Collect *c, Source *src, uint64_t entries) {
        CollectProgress p = {
                .source = source_key(src),
                .entries = entries,
                .last_usec = src->stats.last_usec,
                .fraction = source_progress(src),
        };

        c->opts.progress(&p, c->opts.userdata);
}

/* feed - read src to its end; the reading runs ahead in a second thread (collect_pipe.c),
 * and on a writable store rows are written ahead in a third one (collect_flush.c) */
static int feed(Collect *c, Source *src, Correlator *cor, CollectSourceResult *res) {
        bool write_ahead = c->store && store_mode(c->store) == STORE_READ_WRITE, began;
        Flusher *flusher = NULL;
        RecordPipe *pipe = NULL;
        CollectProgress progress;
        const char *why;
        PfRecord rec;
        Event ev;
        int r, k;

        r = record_pipe_start(src, c->opts.progress != NULL, &pipe);
        if (r < 0)
                return r;
        while ((r = record_pipe_next(pipe, &rec, &progress)) > 0) {
                if (r == PIPE_PROGRESS) {
                        c->opts.progress(&progress, c->opts.userdata);
                        continue;
                }
                if (rec.pid == 0)
                        continue;               /* counted by the source as no_pid */
                r = parse_record(&rec, &ev, &why);
                if (r < 0) {
                        res->parse_malformed++;
                        continue;
                }
                r = aggregates_note_event(c->aggregates, &rec, &ev);
                if (r < 0)
                        break;
                r = correlate_feed(cor, &rec, &ev);
                if (r < 0)
                        break;
                if (write_ahead) {
                        r = flusher_offer(&flusher, c->store, c->aggregates);
                        if (r < 0)
                                break;
                }
        }
        pipe = record_pipe_stop(pipe);          /* the source is ours again */
        k = flusher_finish(&flusher, &began);   /* and so is the store */
        if (began)
                c->in_transaction = true;
        if (r >= 0)
                r = k;
        if (r < 0)
                return r;
        r = aggregates_error(c->aggregates);
        if (r < 0)
                return r;
        if (c->opts.progress)
                report_progress(c, src, src->stats.entries);
        return 0;
}

int collect_source(Collect *c, Source *src) {
        _cleanup_(correlator_freep) Correlator *cor = NULL;
        CollectSourceResult *res, *m;
        int r;

        m = realloc(c->results, (c->n_results + 1) * sizeof *m);
        if (!m)
                return -ENOMEM;
        c->results = m;
        res = &c->results[c->n_results];
        *res = (CollectSourceResult) { .key = strdup(source_key(src)) };
        if (!res->key)
                return -ENOMEM;
        c->n_results++;

        cor = correlator_new(&c->opts.limits, aggregates_outcome_fn, c->aggregates);
        if (!cor)
                return -ENOMEM;
        r = resume(c, src, res);
        if (r < 0)
                return r;
        r = load_pending(c, src, cor, res);
        if (r < 0)
                return r;
        r = feed(c, src, cor, res);
        if (r < 0)
                return r;

        res->stats = src->stats;
        correlator_stats(cor, &res->correlate);
        if (src->stats.first_usec > 0 && (c->first_usec == 0 || src->stats.first_usec < c->first_usec))
                c->first_usec = src->stats.first_usec;

        r = source_position(src, &res->position);
        if (r == -ENODATA) {
                res->position = NULL;
                return 0;               /* nothing read: position and pending stay */
        }
        if (r < 0)
                return r;
        return correlator_save(cor, &res->pending, &res->pending_len);
}

int collect_commit(Collect *c) {
        int r;

        if (!c->store)
                return -EINVAL;
        if (!c->in_transaction) {
                r = store_begin(c->store);
                if (r < 0)
                        return r;
                c->in_transaction = true;
        }
        r = aggregates_flush(c->aggregates, c->store);
        for (size_t i = 0; r >= 0 && i < c->n_results; i++) {
                CollectSourceResult *res = &c->results[i];
                _cleanup_free_ char *pkey = NULL, *skey = NULL;

                if (!res->position)
                        continue;
                r = state_key("position", res->key, &pkey);
                if (r >= 0)
                        r = state_key("pending", res->key, &skey);
                if (r >= 0)
                        r = store_set_state(c->store, pkey, res->position, strlen(res->position));
                if (r >= 0)
                        r = store_set_state(c->store, skey, res->pending, res->pending_len);
        }
        if (r >= 0 && c->opts.retention_days > 0) {
                char day[11];

                day_format((int64_t) (now_usec() / USEC_PER_DAY) - (int64_t) c->opts.retention_days, day);
                r = store_prune(c->store, day);
        }
        if (r < 0) {
                (void) store_rollback(c->store);
                c->in_transaction = false;
                return r;
        }
        r = store_commit(c->store);
        c->in_transaction = false;
        return r;
}

size_t collect_n_results(const Collect *c) {
        return c->n_results;
}

const CollectSourceResult *collect_result(const Collect *c, size_t i) {
        return i < c->n_results ? &c->results[i] : NULL;
}

const Aggregates *collect_aggregates(const Collect *c) {
        return c->aggregates;
}

void collect_totals(const Collect *c, CollectTotals *ret) {
        CollectTotals t = { 0 };

        for (size_t i = 0; i < c->n_results; i++) {
                const CollectSourceResult *res = &c->results[i];

                t.entries += res->stats.entries;
                t.records += res->stats.records - res->stats.no_pid;
                t.deliveries += res->correlate.deliveries;
                t.tls_lines += res->correlate.tls_lines;
                t.tls_fields += res->correlate.tls_fields;
                for (size_t k = 0; k < _OUTCOME_KIND_MAX; k++)
                        t.outcomes[k] += res->correlate.outcomes[k];
                t.malformed += res->parse_malformed + res->stats.malformed;
                t.too_long += res->stats.too_long;
                t.no_pid += res->stats.no_pid;
        }
        t.skipped = t.malformed + t.too_long + t.no_pid;
        *ret = t;
}

static int sum_evidence(const EvidenceRow *row, void *userdata) {
        uint64_t *n = userdata;

        *n += row->tls_lines + row->tls_fields;
        return 0;
}

int collect_tls_logging_off(Collect *c) {
        CollectTotals t;
        uint64_t stored = 0;
        char from[11];
        int r;

        collect_totals(c, &t);
        if (t.deliveries == 0 || t.tls_lines > 0 || t.tls_fields > 0)
                return 0;
        if (!c->store)
                return 1;
        day_from_usec(c->first_usec > COLLECT_TLS_EVIDENCE_DAYS * USEC_PER_DAY ?
                      c->first_usec - COLLECT_TLS_EVIDENCE_DAYS * USEC_PER_DAY : 0, from);
        r = store_query_evidence(c->store, &(StoreQuery) { .from_day = from }, sum_evidence, &stored);
        if (r < 0)
                return r;
        return stored == 0;
}
