/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        timeutil - clocks, UTC days and the --since forms
 * SYNOPSIS
 *        #include "timeutil.h"
 *        uint64_t now_usec(void);
 *        uint64_t monotonic_usec(void);
 *        void day_from_usec(uint64_t usec, char buf[static 11]);
 *        int day_parse(const char *s, int64_t *ret_days);
 *        void day_format(int64_t days, char buf[static 11]);
 *        int parse_since(const char *s, uint64_t now, uint64_t *ret_usec);
 * DESCRIPTION
 *        Times are microseconds: now_usec() on CLOCK_REALTIME (what the
 *        journal records), monotonic_usec() on CLOCK_MONOTONIC (for timeouts).
 *        A day is a count of whole UTC days since 1970-01-01 (Unix time has no
 *        leap seconds), written "YYYY-MM-DD" (proleptic Gregorian; years
 *        outside 0000..9999 are clamped when formatted).
 *
 *        parse_since() reads the forms of collect --since:
 *
 *            since  = day | day ("T" | " ") clock | "@" digits | ["-"] digits unit
 *            day    = YYYY "-" MM "-" DD                   UTC midnight
 *            clock  = HH ":" MM [":" SS] ["Z" | "z"]       UTC
 *            unit   = "s" | "m" | "h" | "d" | "w"          counted back from now
 *
 *        "@EPOCH" is seconds since the epoch. An age older than the epoch
 *        gives 0.
 * DIAGNOSTICS
 *        day_parse(), parse_since(): -EINVAL when the text is none of the forms
 *        (or a day that does not exist, or a number too big).
 */
#pragma once

#include <stdint.h>

#define USEC_PER_SEC 1000000ULL
#define USEC_PER_DAY (86400ULL * USEC_PER_SEC)

uint64_t now_usec(void);
uint64_t monotonic_usec(void);

/* "YYYY-MM-DD" in UTC for a realtime timestamp; buf must hold 11 bytes. */
void day_from_usec(uint64_t usec, char buf[static 11]);
/* Days since the epoch <-> "YYYY-MM-DD"; -EINVAL on a malformed day. */
int day_parse(const char *s, int64_t *ret_days);
void day_format(int64_t days, char buf[static 11]);

int parse_since(const char *s, uint64_t now, uint64_t *ret_usec);
