/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        timeutil - clocks, UTC days and the --since forms
 * DESCRIPTION
 *        See timeutil.h.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "span.h"
#include "timeutil.h"

static uint64_t clock_usec(clockid_t id) {
        struct timespec ts;

        (void) clock_gettime(id, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000ULL;
}

/* now_usec - the wall clock */
uint64_t now_usec(void) {
        return clock_usec(CLOCK_REALTIME);
}

/* monotonic_usec - a clock that never jumps, for timeouts */
uint64_t monotonic_usec(void) {
        return clock_usec(CLOCK_MONOTONIC);
}

/* Days since 1970-01-01 <-> civil date (proleptic Gregorian; H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        unsigned yoe = (unsigned) (y - era * 400);
        unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + (int64_t) doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *ry, unsigned *rm, unsigned *rd) {
        z += 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        unsigned doe = (unsigned) (z - era * 146097);
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t y = (int64_t) yoe + era * 400;
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        unsigned mp = (5 * doy + 2) / 153;
        unsigned d = doy - (153 * mp + 2) / 5 + 1;
        unsigned m = mp < 10 ? mp + 3 : mp - 9;
        *ry = y + (m <= 2);
        *rm = m;
        *rd = d;
}

/* day_format - "YYYY-MM-DD" of a day number */
void day_format(int64_t days, char buf[static 11]) {
        int64_t y;
        unsigned m, d;

        civil_from_days(days, &y, &m, &d);
        if (y < 0 || y > 9999)
                y = y < 0 ? 0 : 9999;
        buf[0] = (char) ('0' + y / 1000);
        buf[1] = (char) ('0' + y / 100 % 10);
        buf[2] = (char) ('0' + y / 10 % 10);
        buf[3] = (char) ('0' + y % 10);
        buf[4] = '-';
        buf[5] = (char) ('0' + m / 10);
        buf[6] = (char) ('0' + m % 10);
        buf[7] = '-';
        buf[8] = (char) ('0' + d / 10);
        buf[9] = (char) ('0' + d % 10);
        buf[10] = '\0';
}

/* day_from_usec - the UTC day of a realtime timestamp */
void day_from_usec(uint64_t usec, char buf[static 11]) {
        day_format((int64_t) (usec / USEC_PER_DAY), buf);
}

/* day_parse - "YYYY-MM-DD" to a day number */
int day_parse(const char *s, int64_t *ret_days) {
        uint32_t y, m, d;

        if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
                return -EINVAL;
        if (span_to_u32(span_make(s, 4), &y) < 0 ||
            span_to_u32(span_make(s + 5, 2), &m) < 0 ||
            span_to_u32(span_make(s + 8, 2), &d) < 0)
                return -EINVAL;
        if (m < 1 || m > 12 || d < 1)
                return -EINVAL;
        static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        unsigned maxd = mdays[m - 1];
        if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
                maxd = 29;
        if (d > maxd)
                return -EINVAL;
        *ret_days = days_from_civil(y, m, d);
        return 0;
}

/* parse_age - "7d", "-7d", "12h", "30m", "45s", "2w" */
static int parse_age(const char *s, uint64_t *ret_usec) {
        static const struct { char unit; uint64_t usec; } units[] = {
                { 's', USEC_PER_SEC }, { 'm', 60 * USEC_PER_SEC }, { 'h', 3600 * USEC_PER_SEC },
                { 'd', USEC_PER_DAY }, { 'w', 7 * USEC_PER_DAY },
        };
        size_t n = strlen(s);
        uint64_t v;

        if (*s == '-')
                s++, n--;
        if (n < 2)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (s[n - 1] == units[i].unit) {
                        if (span_to_u64(span_make(s, n - 1), &v) < 0 || v > UINT64_MAX / units[i].usec)
                                return -EINVAL;
                        *ret_usec = v * units[i].usec;
                        return 0;
                }
        return -EINVAL;
}

/* parse_clock - "HH:MM[:SS][Z]" as seconds into the day */
static int parse_clock(const char *s, uint64_t *ret_sec) {
        uint32_t h, m, sec = 0;
        size_t n = strlen(s);

        if (n > 0 && (s[n - 1] == 'Z' || s[n - 1] == 'z'))
                n--;
        if ((n != 5 && n != 8) || s[2] != ':' || (n == 8 && s[5] != ':'))
                return -EINVAL;
        if (span_to_u32(span_make(s, 2), &h) < 0 || span_to_u32(span_make(s + 3, 2), &m) < 0 ||
            (n == 8 && span_to_u32(span_make(s + 6, 2), &sec) < 0))
                return -EINVAL;
        if (h > 23 || m > 59 || sec > 60)
                return -EINVAL;
        *ret_sec = (uint64_t) h * 3600 + m * 60 + sec;
        return 0;
}

/* parse_since - the forms of collect --since, see timeutil.h */
int parse_since(const char *s, uint64_t now, uint64_t *ret_usec) {
        char day[11];
        int64_t days;
        uint64_t v, sec = 0;

        if (!s || !*s)
                return -EINVAL;
        if (s[0] == '@') {
                if (parse_u64(s + 1, &v) < 0 || v > UINT64_MAX / USEC_PER_SEC)
                        return -EINVAL;
                *ret_usec = v * USEC_PER_SEC;
                return 0;
        }
        if (parse_age(s, &v) >= 0) {
                *ret_usec = v < now ? now - v : 0;
                return 0;
        }
        if (strlen(s) < 10)
                return -EINVAL;
        memcpy(day, s, 10);
        day[10] = '\0';
        if (day_parse(day, &days) < 0 || days < 0)
                return -EINVAL;
        if (s[10] != '\0') {
                if ((s[10] != 'T' && s[10] != ' ') || parse_clock(s + 11, &sec) < 0)
                        return -EINVAL;
        }
        *ret_usec = (uint64_t) days * USEC_PER_DAY + sec * USEC_PER_SEC;
        return 0;
}
