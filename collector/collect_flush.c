/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        collect_flush - write aggregates to the store while reading goes on
 * SYNOPSIS
 *        #include "collect_flush.h"
 *        int flusher_offer(Flusher **f, Store *s, Aggregates *a);
 * DESCRIPTION
 *        One writer thread and one spare Aggregates: an offer swaps the rows
 *        of a into the spare and wakes the writer, which flushes (and so
 *        empties) the spare. While the writer is busy, offers return at
 *        once and the rows keep growing in a until the next offer; the busy
 *        flag is read without the lock so that a busy writer costs the
 *        reading loop nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "collect_flush.h"

struct Flusher {
        Store *store;
        Aggregates *spare;              /* the rows being written */
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool busy;                      /* spare holds rows to write; atomic outside the lock */
        bool quit;
        bool began;                     /* the transaction is open */
        int error;                      /* first failure */
};

static void *writer_main(void *userdata) {
        Flusher *f = userdata;

        pthread_mutex_lock(&f->lock);
        for (;;) {
                int r = 0;

                while (!f->busy && !f->quit)
                        pthread_cond_wait(&f->cond, &f->lock);
                if (!f->busy)
                        break;
                pthread_mutex_unlock(&f->lock);

                if (!f->began) {
                        r = store_begin(f->store);
                        f->began = r >= 0;
                }
                if (r >= 0)
                        r = aggregates_flush(f->spare, f->store);

                pthread_mutex_lock(&f->lock);
                if (r < 0 && f->error == 0)
                        f->error = r;
                __atomic_store_n(&f->busy, false, __ATOMIC_RELEASE);
                pthread_cond_broadcast(&f->cond);
        }
        pthread_mutex_unlock(&f->lock);
        return NULL;
}

static int flusher_new(Store *s, Flusher **ret) {
        Flusher *f;

        f = calloc(1, sizeof(*f));
        if (!f)
                return -ENOMEM;
        f->store = s;
        f->spare = aggregates_new();
        if (!f->spare) {
                free(f);
                return -ENOMEM;
        }
        if (pthread_mutex_init(&f->lock, NULL) != 0)
                goto fail_mutex;
        if (pthread_cond_init(&f->cond, NULL) != 0)
                goto fail_cond;
        if (pthread_create(&f->thread, NULL, writer_main, f) != 0)
                goto fail_thread;
        *ret = f;
        return 0;

fail_thread:
        pthread_cond_destroy(&f->cond);
fail_cond:
        pthread_mutex_destroy(&f->lock);
fail_mutex:
        aggregates_free(f->spare);
        free(f);
        return -EAGAIN;
}

int flusher_offer(Flusher **fp, Store *s, Aggregates *a) {
        Flusher *f = *fp;
        int r;

        if (aggregates_count_rows(a) < COLLECT_FLUSH_ROWS)
                return 0;
        if (f && __atomic_load_n(&f->busy, __ATOMIC_ACQUIRE))
                return 0;               /* the last batch is still being written */
        if (!f) {
                r = flusher_new(s, fp);
                if (r == -EAGAIN)
                        return 0;       /* no thread: everything is written at the commit */
                if (r < 0)
                        return r;
                f = *fp;
        }

        pthread_mutex_lock(&f->lock);
        r = f->error;
        if (r == 0) {
                aggregates_swap(a, f->spare);
                f->busy = true;
                pthread_cond_broadcast(&f->cond);
        }
        pthread_mutex_unlock(&f->lock);
        return r;
}

int flusher_finish(Flusher **fp, bool *ret_began) {
        Flusher *f = *fp;
        int r;

        *ret_began = false;
        if (!f)
                return 0;
        pthread_mutex_lock(&f->lock);
        f->quit = true;
        pthread_cond_broadcast(&f->cond);
        pthread_mutex_unlock(&f->lock);
        (void) pthread_join(f->thread, NULL);

        r = f->error;
        *ret_began = f->began;
        pthread_cond_destroy(&f->cond);
        pthread_mutex_destroy(&f->lock);
        aggregates_free(f->spare);
        free(f);
        *fp = NULL;
        return r;
}
