/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        store_merge - sum daily rows that arrive in primary key order
 * SYNOPSIS
 *        #include "store_merge.h"
 *        int row_merge_new(unsigned group, DailyRowFn fn, void *userdata, RowMerge **ret);
 *        int row_merge_add(RowMerge *m, const DailyRow *row, int64_t count);
 *        int row_merge_finish(RowMerge *m);
 * DESCRIPTION
 *        What "SELECT <group columns>, SUM(count) ... GROUP BY <group> ORDER BY
 *        <group>" returns, computed from the rows in primary key order instead
 *        of by SQLite's sorter over the whole window. The grouped columns that
 *        form a prefix of the primary key (day, host, domain, ...) split the
 *        rows into runs; only one run is held at a time, its other grouped
 *        columns sorted bytewise (SQLite's BINARY collation) and summed.
 *        Rows and counts go to fn as store_query_daily() gives them: columns
 *        not grouped on are "", a sum below zero is 0. Internal to the store.
 * DIAGNOSTICS
 *        Negative errno: -ENOMEM, -EOVERFLOW (a sum past INT64_MAX, which
 *        SQLite refuses too), or what fn returned.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

typedef struct RowMerge RowMerge;

/* Whether a group mask can be merged this way: the day kept, something summed over. */
bool row_merge_applies(unsigned group);

int row_merge_new(unsigned group, DailyRowFn fn, void *userdata, RowMerge **ret);
RowMerge *row_merge_free(RowMerge *m);
/* row: the grouped columns (others ignored), rows in primary key order; count as stored. */
int row_merge_add(RowMerge *m, const DailyRow *row, int64_t count);
/* Emit the last run; call once after the last row. */
int row_merge_finish(RowMerge *m);
/* Whether the last error was a sum past INT64_MAX. */
bool row_merge_overflowed(const RowMerge *m);
