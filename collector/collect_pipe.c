/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        collect_pipe - read a source ahead in a second thread
 * SYNOPSIS
 *        #include "collect_pipe.h"
 *        int record_pipe_next(RecordPipe *p, PfRecord *ret_rec, CollectProgress *ret_progress);
 * DESCRIPTION
 *        A ring of PIPE_BATCHES batches: the reader fills one batch at a time
 *        (records copied into the batch's byte arena, progress points as
 *        items of their own) and hands it over; the caller walks the batch
 *        and gives it back when it asks for the record after its last one.
 *        Batches and arenas are allocated once and reused, so the steady
 *        state allocates nothing; a message larger than an arena grows it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "collect_pipe.h"

#define PIPE_BATCHES 4
#define BATCH_ITEMS 2048                /* records per batch */
#define BATCH_BYTES (256 * 1024)        /* arena bytes after which a batch is handed over */
#define NO_STRING SIZE_MAX

typedef struct Item {
        bool is_progress;
        uint32_t pid;
        uint64_t usec;                  /* realtime_usec, or CollectProgress.last_usec */
        uint64_t entries;               /* progress only */
        double fraction;                /* progress only */
        size_t boot_id, hostname, identifier, message;  /* arena offsets or NO_STRING */
        size_t message_len;
} Item;

typedef struct Batch {
        Item *items;
        size_t n;
        char *arena;
        size_t len, cap;
        bool last;                      /* the reader stopped after this batch */
        int error;                      /* with last: source_next()'s error, or 0 */
} Batch;

struct RecordPipe {
        Source *src;
        bool progress;
        uint64_t next_progress;

        /* threaded mode */
        bool threaded;
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t filled, emptied;
        Batch batches[PIPE_BATCHES];
        size_t head;                    /* oldest batch not yet given back by the caller */
        size_t n_full;                  /* batches handed over, from head on */
        bool cancel;
        Batch *cur;                     /* the caller's batch, NULL between batches */
        size_t pos;

        /* direct mode: a record read together with a progress point before it */
        PfRecord held;
        bool have_held;

        bool done;
        int result;                     /* returned again once done */
};

/* progress_due - a progress point goes before the record just read */
static bool progress_due(RecordPipe *p) {
        if (!p->progress || p->src->stats.entries < p->next_progress)
                return false;
        p->next_progress = p->src->stats.entries + COLLECT_PROGRESS_INTERVAL;
        return true;
}

static void progress_fill(RecordPipe *p, uint64_t entries, uint64_t last_usec, double fraction,
                          CollectProgress *ret) {
        *ret = (CollectProgress) {
                .source = source_key(p->src),
                .entries = entries,
                .last_usec = last_usec,
                .fraction = fraction,
        };
}

/* arena_put - copy n bytes and a NUL into the batch; NO_STRING for NULL */
static int arena_put(Batch *b, const char *s, size_t n, size_t *ret) {
        if (!s) {
                *ret = NO_STRING;
                return 0;
        }
        if (n >= SIZE_MAX / 4 - b->len)
                return -ENOMEM;
        if (b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : BATCH_BYTES;
                char *a;

                while (cap < b->len + n + 1)
                        cap *= 2;
                a = realloc(b->arena, cap);
                if (!a)
                        return -ENOMEM;
                b->arena = a;
                b->cap = cap;
        }
        memcpy(b->arena + b->len, s, n);
        b->arena[b->len + n] = '\0';
        *ret = b->len;
        b->len += n + 1;
        return 0;
}

static int batch_add_record(Batch *b, const PfRecord *rec) {
        Item *it = &b->items[b->n];
        int r;

        *it = (Item) { .pid = rec->pid, .usec = rec->realtime_usec, .message_len = rec->message_len };
        if ((r = arena_put(b, rec->boot_id, rec->boot_id ? strlen(rec->boot_id) : 0, &it->boot_id)) < 0 ||
            (r = arena_put(b, rec->hostname, rec->hostname ? strlen(rec->hostname) : 0, &it->hostname)) < 0 ||
            (r = arena_put(b, rec->identifier, rec->identifier ? strlen(rec->identifier) : 0,
                           &it->identifier)) < 0 ||
            (r = arena_put(b, rec->message, rec->message_len, &it->message)) < 0)
                return r;
        b->n++;
        return 0;
}

/* batch_hand_over - give the filled batch to the caller; the next one to fill, NULL when cancelled */
static Batch *batch_hand_over(RecordPipe *p, Batch *b) {
        Batch *next = NULL;

        pthread_mutex_lock(&p->lock);
        p->n_full++;
        pthread_cond_signal(&p->filled);
        if (!b->last) {
                while (p->n_full == PIPE_BATCHES && !p->cancel)
                        pthread_cond_wait(&p->emptied, &p->lock);
                if (!p->cancel)
                        next = &p->batches[(p->head + p->n_full) % PIPE_BATCHES];
        }
        pthread_mutex_unlock(&p->lock);
        if (next) {
                next->n = 0;
                next->len = 0;
                next->last = false;
                next->error = 0;
        }
        return next;
}

static void *reader_main(void *userdata) {
        RecordPipe *p = userdata;
        Batch *b = &p->batches[0];
        PfRecord rec;
        int r;

        b->n = b->len = 0;
        for (;;) {
                if (__atomic_load_n(&p->cancel, __ATOMIC_RELAXED))
                        return NULL;
                r = source_next(p->src, &rec);
                if (r <= 0)
                        break;
                if (progress_due(p))
                        b->items[b->n++] = (Item) {
                                .is_progress = true,
                                .entries = p->src->stats.entries,
                                .usec = p->src->stats.last_usec,
                                .fraction = source_progress(p->src),
                        };
                r = batch_add_record(b, &rec);
                if (r < 0)
                        break;
                if (b->n >= BATCH_ITEMS || b->len >= BATCH_BYTES) {
                        b = batch_hand_over(p, b);
                        if (!b)
                                return NULL;
                }
        }
        b->last = true;
        b->error = r < 0 ? r : 0;
        (void) batch_hand_over(p, b);
        return NULL;
}

static void pipe_free(RecordPipe *p) {
        for (size_t i = 0; i < PIPE_BATCHES; i++) {
                free(p->batches[i].items);
                free(p->batches[i].arena);
        }
        free(p);
}

int record_pipe_start(Source *src, bool progress, RecordPipe **ret) {
        RecordPipe *p;

        if (!src || !ret)
                return -EINVAL;
        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->src = src;
        p->progress = progress;
        p->next_progress = COLLECT_PROGRESS_INTERVAL;

        for (size_t i = 0; i < PIPE_BATCHES; i++) {
                /* room for every record of a batch, each with a progress point before it */
                p->batches[i].items = calloc(2 * BATCH_ITEMS + 2, sizeof(Item));
                p->batches[i].arena = malloc(BATCH_BYTES);
                p->batches[i].cap = BATCH_BYTES;
                if (!p->batches[i].items || !p->batches[i].arena) {
                        pipe_free(p);
                        return -ENOMEM;
                }
        }
        if (pthread_mutex_init(&p->lock, NULL) == 0) {
                if (pthread_cond_init(&p->filled, NULL) == 0) {
                        if (pthread_cond_init(&p->emptied, NULL) == 0) {
                                if (pthread_create(&p->thread, NULL, reader_main, p) == 0) {
                                        p->threaded = true;
                                        *ret = p;
                                        return 0;
                                }
                                pthread_cond_destroy(&p->emptied);
                        }
                        pthread_cond_destroy(&p->filled);
                }
                pthread_mutex_destroy(&p->lock);
        }
        /* No thread: read in the caller's thread, no copies. */
        *ret = p;
        return 0;
}

static int next_direct(RecordPipe *p, PfRecord *ret_rec, CollectProgress *ret_progress) {
        int r;

        if (p->have_held) {
                p->have_held = false;
                *ret_rec = p->held;
                return PIPE_RECORD;
        }
        r = source_next(p->src, ret_rec);
        if (r <= 0) {
                p->done = true;
                p->result = r;
                return r;
        }
        if (progress_due(p)) {
                p->held = *ret_rec;
                p->have_held = true;
                progress_fill(p, p->src->stats.entries, p->src->stats.last_usec, source_progress(p->src),
                              ret_progress);
                return PIPE_PROGRESS;
        }
        return PIPE_RECORD;
}

static const char *arena_string(const Batch *b, size_t off) {
        return off == NO_STRING ? NULL : b->arena + off;
}

int record_pipe_next(RecordPipe *p, PfRecord *ret_rec, CollectProgress *ret_progress) {
        if (!p || !ret_rec || !ret_progress)
                return -EINVAL;
        if (p->done)
                return p->result;
        if (!p->threaded)
                return next_direct(p, ret_rec, ret_progress);

        for (;;) {
                if (p->cur && p->pos < p->cur->n) {
                        const Item *it = &p->cur->items[p->pos++];

                        if (it->is_progress) {
                                progress_fill(p, it->entries, it->usec, it->fraction, ret_progress);
                                return PIPE_PROGRESS;
                        }
                        *ret_rec = (PfRecord) {
                                .realtime_usec = it->usec,
                                .boot_id = arena_string(p->cur, it->boot_id),
                                .hostname = arena_string(p->cur, it->hostname),
                                .identifier = arena_string(p->cur, it->identifier),
                                .pid = it->pid,
                                .message = arena_string(p->cur, it->message),
                                .message_len = it->message_len,
                        };
                        return PIPE_RECORD;
                }
                if (p->cur) {
                        bool last = p->cur->last;
                        int error = p->cur->error;

                        pthread_mutex_lock(&p->lock);
                        p->head = (p->head + 1) % PIPE_BATCHES;
                        p->n_full--;
                        p->cur = NULL;
                        pthread_cond_signal(&p->emptied);
                        pthread_mutex_unlock(&p->lock);
                        if (last) {
                                p->done = true;
                                p->result = error;
                                return error;
                        }
                }
                pthread_mutex_lock(&p->lock);
                while (p->n_full == 0)
                        pthread_cond_wait(&p->filled, &p->lock);
                p->cur = &p->batches[p->head];
                p->pos = 0;
                pthread_mutex_unlock(&p->lock);
        }
}

RecordPipe *record_pipe_stop(RecordPipe *p) {
        if (!p)
                return NULL;
        if (p->threaded) {
                pthread_mutex_lock(&p->lock);
                __atomic_store_n(&p->cancel, true, __ATOMIC_RELAXED);
                pthread_cond_signal(&p->emptied);
                pthread_mutex_unlock(&p->lock);
                (void) pthread_join(p->thread, NULL);
                pthread_cond_destroy(&p->emptied);
                pthread_cond_destroy(&p->filled);
                pthread_mutex_destroy(&p->lock);
        }
        pipe_free(p);
        return NULL;
}
