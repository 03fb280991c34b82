/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        collect_pipe - read a source ahead in a second thread
 * SYNOPSIS
 *        #include "collect_pipe.h"
 *        int record_pipe_start(Source *src, bool progress, RecordPipe **ret);
 *        int record_pipe_next(RecordPipe *p, PfRecord *ret_rec, CollectProgress *ret_progress);
 *        RecordPipe *record_pipe_stop(RecordPipe *p);
 * DESCRIPTION
 *        Reading the journal and correlating what was read take about the
 *        same order of time; a reader thread calls source_next() and copies
 *        the records into a few reusable batches while the caller parses
 *        and correlates the previous ones. The caller sees exactly the
 *        records, in exactly the order, that source_next() returned, with
 *        the progress points (every COLLECT_PROGRESS_INTERVAL entries, when
 *        asked for) where a plain loop would have had them.
 *
 *        The source belongs to the reader from record_pipe_start() until
 *        record_pipe_next() returned 0 or an error, or record_pipe_stop():
 *        the caller must not touch it (stats included) in between. When no
 *        thread can be started, record_pipe_next() reads in the caller's
 *        thread instead. Internal to collect.c.
 * DIAGNOSTICS
 *        record_pipe_next(): PIPE_RECORD, PIPE_PROGRESS, 0 at the end, or the
 *        source's negative errno (records before it were all handed out).
 */
#pragma once

#include <stdbool.h>

#include "collect.h"
#include "record.h"
#include "source.h"

#define PIPE_RECORD 1
#define PIPE_PROGRESS 2

typedef struct RecordPipe RecordPipe;

int record_pipe_start(Source *src, bool progress, RecordPipe **ret);
/* The record's strings stay valid until the next call. */
int record_pipe_next(RecordPipe *p, PfRecord *ret_rec, CollectProgress *ret_progress);
/* Stops the reader (also in the middle) and frees everything; NULL-safe. */
RecordPipe *record_pipe_stop(RecordPipe *p);
