/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        timeutil - the clock and UTC days
 * SYNOPSIS
 *        #include "timeutil.h"
 *        uint64_t now_usec(void);
 *        void day_from_usec(uint64_t usec, char buf[static 11]);
 *        int day_parse(const char *s, int64_t *ret_days);
 *        void day_format(int64_t days, char buf[static 11]);
 * DESCRIPTION
 *        Times are microseconds; now_usec() is CLOCK_REALTIME (what the
 *        journal records). A day is a count of whole UTC days since
 *        1970-01-01 (Unix time has no leap seconds), written "YYYY-MM-DD"
 *        (proleptic Gregorian; years outside 0000..9999 are clamped when
 *        formatted).
 * DIAGNOSTICS
 *        day_parse(): -EINVAL for a malformed day or one that does not exist.
 */
#pragma once

#include <stdint.h>

#define USEC_PER_SEC 1000000ULL
#define USEC_PER_DAY (86400ULL * USEC_PER_SEC)

uint64_t now_usec(void);

/* "YYYY-MM-DD" in UTC for a realtime timestamp; buf must hold 11 bytes. */
void day_from_usec(uint64_t usec, char buf[static 11]);
/* Days since the epoch <-> "YYYY-MM-DD"; -EINVAL on a malformed day. */
int day_parse(const char *s, int64_t *ret_days);
void day_format(int64_t days, char buf[static 11]);
