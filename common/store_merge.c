/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        store_merge - sum daily rows that arrive in primary key order
 * SYNOPSIS
 *        #include "store_merge.h"
 *        int row_merge_add(RowMerge *m, const DailyRow *row, int64_t count);
 * DESCRIPTION
 *        See store_merge.h. A run is the rows that share the grouped prefix
 *        columns; its strings are copied (the caller's are only valid for one
 *        row) into a buffer reused from run to run, so memory is bounded by
 *        the largest run, not by the window. A run of one row, the common
 *        case, is passed on without sorting.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_merge.h"

#define N_COLUMNS 10

typedef struct MergeItem {
        size_t off[N_COLUMNS];          /* tail column strings, offsets into tail_buf */
        int64_t count;
} MergeItem;

typedef struct Buffer {
        char *p;
        size_t len, cap;
} Buffer;

struct RowMerge {
        unsigned group;
        size_t n_prefix;                /* leading primary key columns grouped on */
        size_t tail[N_COLUMNS];         /* the other grouped columns, in column order */
        size_t n_tail;
        DailyRowFn fn;
        void *userdata;

        bool in_run;
        bool overflowed;
        Buffer prefix_buf;
        size_t prefix_off[N_COLUMNS];
        Buffer tail_buf;
        MergeItem *items;
        size_t n_items, cap_items;
};

static const char *row_column(const DailyRow *r, size_t i) {
        const char *v[N_COLUMNS] = {
                r->day, r->host, r->domain, r->mx, r->protocol,
                r->cipher, r->trust, r->level, r->outcome, r->reason,
        };

        return v[i] ? v[i] : "";
}

bool row_merge_applies(unsigned group) {
        group &= COL_ALL;
        return (group & COL_DAY) && group != COL_ALL;
}

int row_merge_new(unsigned group, DailyRowFn fn, void *userdata, RowMerge **ret) {
        RowMerge *m;

        if (!fn || !ret || !row_merge_applies(group))
                return -EINVAL;
        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->group = group & COL_ALL;
        m->fn = fn;
        m->userdata = userdata;
        while (m->n_prefix < N_COLUMNS && (m->group & (1u << m->n_prefix)))
                m->n_prefix++;
        for (size_t i = m->n_prefix; i < N_COLUMNS; i++)
                if (m->group & (1u << i))
                        m->tail[m->n_tail++] = i;
        *ret = m;
        return 0;
}

RowMerge *row_merge_free(RowMerge *m) {
        if (!m)
                return NULL;
        free(m->prefix_buf.p);
        free(m->tail_buf.p);
        free(m->items);
        free(m);
        return NULL;
}

/* buffer_put - copy s with its NUL; its offset in *ret */
static int buffer_put(Buffer *b, const char *s, size_t *ret) {
        size_t n = strlen(s) + 1;

        if (n > SIZE_MAX / 2 - b->len)
                return -ENOMEM;
        if (b->len + n > b->cap) {
                size_t cap = b->cap ? b->cap : 256;
                char *p;

                while (cap < b->len + n)
                        cap *= 2;
                p = realloc(b->p, cap);
                if (!p)
                        return -ENOMEM;
                b->p = p;
                b->cap = cap;
        }
        memcpy(b->p + b->len, s, n);
        *ret = b->len;
        b->len += n;
        return 0;
}

static int item_cmp(const void *x, const void *y, void *userdata) {
        const RowMerge *m = userdata;
        const MergeItem *a = x, *b = y;

        for (size_t i = 0; i < m->n_tail; i++) {
                int c = strcmp(m->tail_buf.p + a->off[i], m->tail_buf.p + b->off[i]);

                if (c != 0)
                        return c;
        }
        return 0;
}

static bool item_equal(const RowMerge *m, const MergeItem *a, const MergeItem *b) {
        return item_cmp(a, b, (void *) m) == 0;
}

/* emit - one grouped row to the caller */
static int emit(RowMerge *m, const MergeItem *item, int64_t sum) {
        const char *v[N_COLUMNS];

        for (size_t i = 0; i < N_COLUMNS; i++)
                v[i] = "";
        for (size_t i = 0; i < m->n_prefix; i++)
                v[i] = m->prefix_buf.p + m->prefix_off[i];
        for (size_t i = 0; i < m->n_tail; i++)
                v[m->tail[i]] = m->tail_buf.p + item->off[i];

        DailyRow row = {
                .day = v[0],
                .host = v[1],
                .domain = v[2],
                .mx = v[3],
                .protocol = v[4],
                .cipher = v[5],
                .trust = v[6],
                .level = v[7],
                .outcome = v[8],
                .reason = v[9],
                .count = sum > 0 ? (uint64_t) sum : 0,
        };
        return m->fn(&row, m->userdata);
}

/* run_flush - sort the run by its tail columns, sum equal keys, emit in order */
static int run_flush(RowMerge *m) {
        int r = 0;

        if (!m->in_run)
                return 0;
        if (m->n_items > 1 && m->n_tail > 0)
                qsort_r(m->items, m->n_items, sizeof(MergeItem), item_cmp, m);
        for (size_t i = 0; i < m->n_items && r >= 0;) {
                int64_t sum = m->items[i].count;
                size_t j = i + 1;

                for (; j < m->n_items && item_equal(m, &m->items[i], &m->items[j]); j++)
                        if (__builtin_add_overflow(sum, m->items[j].count, &sum)) {
                                m->overflowed = true;
                                return -EOVERFLOW;
                        }
                r = emit(m, &m->items[i], sum);
                i = j;
        }
        m->in_run = false;
        m->n_items = 0;
        m->prefix_buf.len = 0;
        m->tail_buf.len = 0;
        return r;
}

static bool same_prefix(const RowMerge *m, const DailyRow *row) {
        for (size_t i = 0; i < m->n_prefix; i++)
                if (strcmp(row_column(row, i), m->prefix_buf.p + m->prefix_off[i]) != 0)
                        return false;
        return true;
}

int row_merge_add(RowMerge *m, const DailyRow *row, int64_t count) {
        MergeItem *item;
        int r;

        if (!m || !row)
                return -EINVAL;
        if (m->in_run && !same_prefix(m, row)) {
                r = run_flush(m);
                if (r < 0)
                        return r;
        }
        if (!m->in_run) {
                for (size_t i = 0; i < m->n_prefix; i++) {
                        r = buffer_put(&m->prefix_buf, row_column(row, i), &m->prefix_off[i]);
                        if (r < 0)
                                return r;
                }
                m->in_run = true;
        }

        if (m->n_tail == 0 && m->n_items == 1) {
                /* Nothing but the prefix grouped: one running sum per run. */
                if (__builtin_add_overflow(m->items[0].count, count, &m->items[0].count)) {
                        m->overflowed = true;
                        return -EOVERFLOW;
                }
                return 0;
        }
        if (m->n_items == m->cap_items) {
                size_t cap = m->cap_items ? m->cap_items * 2 : 16;
                MergeItem *p = reallocarray(m->items, cap, sizeof(MergeItem));

                if (!p)
                        return -ENOMEM;
                m->items = p;
                m->cap_items = cap;
        }
        item = &m->items[m->n_items];
        *item = (MergeItem) { .count = count };
        for (size_t i = 0; i < m->n_tail; i++) {
                r = buffer_put(&m->tail_buf, row_column(row, m->tail[i]), &item->off[i]);
                if (r < 0)
                        return r;
        }
        m->n_items++;
        return 0;
}

bool row_merge_overflowed(const RowMerge *m) {
        return m && m->overflowed;
}

int row_merge_finish(RowMerge *m) {
        if (!m)
                return -EINVAL;
        return run_flush(m);
}
