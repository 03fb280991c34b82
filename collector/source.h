/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        source - where log records come from: journal, text log, test fixtures
 * SYNOPSIS
 *        #include "source.h"
 *        int source_next(Source *s, PfRecord *ret);
 *        int source_position(Source *s, char **ret);
 *        int source_seek(Source *s, const char *position, SourceSeekInfo *ret_info);
 *        int source_seek_time(Source *s, uint64_t usec);
 *        double source_progress(Source *s);
 *        Source *source_free(Source *s);
 * DESCRIPTION
 *        A small vtable (Postfix DICT style). Each back-end embeds a Source as
 *        its first member and fills in ops and key.
 *
 *        next() hands out the next record (1), or says there are no more (0).
 *        The record's strings belong to the source and stay valid until the
 *        next call. Entries the source drops itself (too long, wrong
 *        identifier, older than a lost position) are counted in stats.
 *
 *        position() returns a malloc'd string that seek() of the same
 *        back-end understands: where the next run starts. -ENODATA when
 *        nothing new was read since open/seek, so the stored position stays.
 *
 *        seek() moves to a saved position. When the saved place is gone
 *        (journal vacuumed, log rotated away), the source continues from
 *        the oldest data that is provably new and reports the gap in
 *        *ret_info; the caller warns. Nothing already read is handed out again.
 *
 *        seek_time() starts at the first record at or after usec (first runs
 *        with --since). progress() is how far through the data the last
 *        record was, 0..1, or negative when unknown.
 *
 *        key is the name of the source in the store ("journal:local",
 *        "journal:dir:PATH", "journal:file:PATH", "logfile:PATH").
 * DIAGNOSTICS
 *        Negative errno on failure.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "record.h"

typedef struct Source Source;

/* What seek() found; filled on success. */
typedef struct SourceSeekInfo {
        bool position_lost;             /* the saved place is gone */
        bool rotated;                   /* log file: the rest of the rotated file is read first */
        uint64_t saved_usec;            /* timestamp stored with the position, 0 when unknown */
        uint64_t oldest_usec;           /* oldest record still available, 0 when unknown/none */
        uint64_t resume_usec;           /* first record that will be read, 0 when none */
} SourceSeekInfo;

typedef struct SourceStats {
        uint64_t entries;               /* everything read, handed out or not */
        uint64_t records;               /* handed out by next() */
        uint64_t too_long;              /* MESSAGE or line over PF_MESSAGE_MAX: dropped */
        uint64_t no_pid;                /* no SYSLOG_PID: handed out with pid 0 */
        uint64_t malformed;             /* text line that is not a syslog line: dropped */
        uint64_t not_selected;          /* text line of another program: dropped */
        uint64_t too_old;               /* before --since or not newer than a lost position: dropped */
        uint64_t first_usec;            /* timestamp of the first and last entry read, 0 = none */
        uint64_t last_usec;
} SourceStats;

typedef struct SourceOps {
        const char *kind;               /* "journal", "logfile", ... */
        int (*next)(Source *s, PfRecord *ret);
        int (*position)(Source *s, char **ret);
        int (*seek)(Source *s, const char *position, SourceSeekInfo *ret_info);
        int (*seek_time)(Source *s, uint64_t usec);
        double (*progress)(Source *s);
        void (*free)(Source *s);        /* frees the back-end (key is already freed) */
} SourceOps;

struct Source {
        const SourceOps *ops;
        char *key;                      /* malloc'd, freed by source_free() */
        SourceStats stats;
};

static inline int source_next(Source *s, PfRecord *ret) {
        return s->ops->next(s, ret);
}

static inline int source_position(Source *s, char **ret) {
        return s->ops->position(s, ret);
}

static inline int source_seek(Source *s, const char *position, SourceSeekInfo *ret_info) {
        return s->ops->seek(s, position, ret_info);
}

static inline int source_seek_time(Source *s, uint64_t usec) {
        return s->ops->seek_time ? s->ops->seek_time(s, usec) : -EOPNOTSUPP;
}

static inline double source_progress(Source *s) {
        return s->ops->progress ? s->ops->progress(s) : -1.0;
}

static inline const char *source_key(const Source *s) {
        return s->key;
}

static inline Source *source_free(Source *s) {
        if (s) {
                free(s->key);
                s->ops->free(s);
        }
        return NULL;
}

static inline void source_freep(Source **s) {
        if (*s)
                (void) source_free(*s);
}
