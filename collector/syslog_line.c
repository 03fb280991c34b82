/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        syslog_line - turn one text log line into a PfRecord
 * SYNOPSIS
 *        #include "syslog_line.h"
 *        int syslog_line_parse(const char *line, size_t len, const SyslogContext *ctx,
 *                              PfRecord *ret, char *ident_buf, size_t ident_bufsz,
 *                              char *host_buf, size_t host_bufsz, const char **reterr_reason);
 *        int syslog_tag_parse(Span s, Span *ret_ident, uint32_t *ret_pid, Span *ret_msg);
 * DESCRIPTION
 *        Grammar and time rules: see syslog_line.h. Dates are converted with
 *        a proleptic Gregorian day count, so nothing here depends on the
 *        process time zone or the C library's tz database.
 * DIAGNOSTICS
 *        See syslog_line.h.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "parse.h"
#include "parse_util.h"
#include "syslog_line.h"

#define USEC_PER_SEC 1000000LL
#define SEC_PER_DAY 86400LL
#define YEAR_MIN 1970
#define YEAR_MAX 9999

static const char months[12][4] = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* days_from_civil - days since 1970-01-01 of a proleptic Gregorian date */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
        int64_t era;
        unsigned yoe, doy, doe;

        y -= m <= 2;
        era = (y >= 0 ? y : y - 399) / 400;
        yoe = (unsigned) (y - era * 400);
        doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + (int64_t) doe - 719468;
}

static unsigned days_in_month(int64_t y, unsigned m) {
        static const unsigned char mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

        return m == 2 && leap ? 29 : mdays[m - 1];
}

/* fixed_digits - exactly n digits at the start of *s, consumed */
static bool fixed_digits(Span *s, size_t n, unsigned *ret) {
        unsigned v = 0;

        if (s->n < n)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (!sp_is_digit(s->p[i]))
                        return false;
                v = v * 10 + (unsigned) (s->p[i] - '0');
        }
        sp_skip(s, n);
        *ret = v;
        return true;
}

/* clock_time - "HH:MM:SS[.frac]" */
static bool clock_time(Span *s, int64_t *ret_sec, int64_t *ret_usec) {
        unsigned h, mi, sec;
        int64_t usec = 0, scale = 100000;

        if (!fixed_digits(s, 2, &h) || !SP_CONSUME(s, ":") || !fixed_digits(s, 2, &mi) ||
            !SP_CONSUME(s, ":") || !fixed_digits(s, 2, &sec))
                return false;
        if (h > 23 || mi > 59 || sec > 60)
                return false;
        if (SP_CONSUME(s, ".")) {
                size_t nd = sp_digits(*s);

                if (nd == 0 || nd > 18)
                        return false;
                for (size_t i = 0; i < nd && scale > 0; i++, scale /= 10)
                        usec += (s->p[i] - '0') * scale;
                sp_skip(s, nd);
        }
        *ret_sec = (int64_t) h * 3600 + (int64_t) mi * 60 + (int64_t) sec;
        *ret_usec = usec;
        return true;
}

static int usec_from_utc(int64_t sec, int64_t usec, uint64_t *ret, const char **reterr_reason) {
        if (sec < 0)
                return sp_bad(reterr_reason, "time stamp before 1970");
        *ret = (uint64_t) sec * USEC_PER_SEC + (uint64_t) usec;
        return 0;
}

static int local_offset(const SyslogContext *ctx, int64_t local_sec, int32_t *ret,
                        const char **reterr_reason) {
        int r;

        if (!ctx->utc_offset) {
                *ret = ctx->utc_offset_sec;
                return 0;
        }
        r = ctx->utc_offset(local_sec, ctx->userdata, ret);
        if (r < 0) {
                sp_set_err(reterr_reason, "no UTC offset for local time");
                return r;
        }
        return 0;
}

/* stamp_rfc3339 - "2026-11-24T05:20:26.123456+01:00" */
static int stamp_rfc3339(Span *s, uint64_t *ret, const char **reterr_reason) {
        unsigned y, mo, d, oh = 0, om = 0;
        int64_t tod, usec, sec, off = 0;
        int sign = 0;

        if (!fixed_digits(s, 4, &y) || !SP_CONSUME(s, "-") || !fixed_digits(s, 2, &mo) ||
            !SP_CONSUME(s, "-") || !fixed_digits(s, 2, &d))
                return sp_bad(reterr_reason, "bad RFC 3339 date");
        if (y < YEAR_MIN || y > YEAR_MAX || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
                return sp_bad(reterr_reason, "impossible RFC 3339 date");
        if (!SP_CONSUME(s, "T") && !SP_CONSUME(s, "t"))
                return sp_bad(reterr_reason, "bad RFC 3339 date/time separator");
        if (!clock_time(s, &tod, &usec))
                return sp_bad(reterr_reason, "bad RFC 3339 time");

        if (SP_CONSUME(s, "Z") || SP_CONSUME(s, "z"))
                sign = 0;
        else if (SP_CONSUME(s, "+"))
                sign = 1;
        else if (SP_CONSUME(s, "-"))
                sign = -1;
        else
                return sp_bad(reterr_reason, "RFC 3339 time stamp without offset");
        if (sign != 0) {
                if (!fixed_digits(s, 2, &oh))
                        return sp_bad(reterr_reason, "bad RFC 3339 offset");
                (void) SP_CONSUME(s, ":");
                if (!fixed_digits(s, 2, &om) || oh > 23 || om > 59)
                        return sp_bad(reterr_reason, "bad RFC 3339 offset");
                off = sign * ((int64_t) oh * 3600 + (int64_t) om * 60);
        }

        sec = days_from_civil(y, mo, d) * SEC_PER_DAY + tod - off;
        return usec_from_utc(sec, usec, ret, reterr_reason);
}

/* stamp_rfc3164 - "Nov 24 05:20:26", "Nov  4 05:20:26" */
static int stamp_rfc3164(Span *s, const SyslogContext *ctx, uint64_t *ret, const char **reterr_reason) {
        unsigned mo = 0, d;
        int64_t tod, usec, year, local, utc;
        int32_t off;
        int r;

        for (unsigned i = 0; i < 12; i++)
                if (sp_prefix(*s, months[i], 3)) {
                        mo = i + 1;
                        break;
                }
        if (mo == 0)
                return sp_bad(reterr_reason, "unrecognised time stamp");
        sp_skip(s, 3);
        if (!SP_CONSUME(s, " "))
                return sp_bad(reterr_reason, "bad RFC 3164 date");
        if (SP_CONSUME(s, " ")) {
                if (!fixed_digits(s, 1, &d))
                        return sp_bad(reterr_reason, "bad RFC 3164 day");
        } else if (!fixed_digits(s, 2, &d) && !fixed_digits(s, 1, &d))
                return sp_bad(reterr_reason, "bad RFC 3164 day");
        if (!SP_CONSUME(s, " ") || !clock_time(s, &tod, &usec))
                return sp_bad(reterr_reason, "bad RFC 3164 time");
        if (d < 1 || d > 31)
                return sp_bad(reterr_reason, "impossible RFC 3164 date");

        if (!ctx || (ctx->year == 0 && ctx->reference_usec == 0)) {
                sp_set_err(reterr_reason, "no year for RFC 3164 time stamp");
                return -EINVAL;
        }

        if (ctx->year != 0) {
                year = ctx->year;
        } else {
                time_t ref = (time_t) (ctx->reference_usec / USEC_PER_SEC) + ctx->utc_offset_sec;
                struct tm tm;

                if (!gmtime_r(&ref, &tm))
                        return sp_bad(reterr_reason, "bad reference time");
                year = (int64_t) tm.tm_year + 1900;
                local = days_from_civil(year, mo, d) * SEC_PER_DAY + tod;
                r = local_offset(ctx, local, &off, reterr_reason);
                if (r < 0)
                        return r;
                if (local - off > (int64_t) (ctx->reference_usec / USEC_PER_SEC) + SEC_PER_DAY)
                        year--;
                /* Feb 29 can only come from a leap year at or before the reference */
                for (int k = 0; k < 8 && d > days_in_month(year, mo); k++)
                        year--;
        }
        if (year < YEAR_MIN || year > YEAR_MAX || d > days_in_month(year, mo))
                return sp_bad(reterr_reason, "impossible RFC 3164 date");

        local = days_from_civil(year, mo, d) * SEC_PER_DAY + tod;
        r = local_offset(ctx, local, &off, reterr_reason);
        if (r < 0)
                return r;
        utc = local - off;
        return usec_from_utc(utc, usec, ret, reterr_reason);
}

/* syslog_tag_parse - "ident[pid]: msg" or "ident: msg" at the start of s */
int syslog_tag_parse(Span s, Span *ret_ident, uint32_t *ret_pid, Span *ret_msg) {
        uint32_t pid = 0;
        size_t i = 0, lim = s.n < PF_IDENTIFIER_MAX + 1 ? s.n : PF_IDENTIFIER_MAX + 1;
        Span ident;

        while (i < lim && s.p[i] != '[' && s.p[i] != ':' && (unsigned char) s.p[i] > ' ' &&
               s.p[i] != 0x7f)
                i++;
        if (i > PF_IDENTIFIER_MAX) {
                /* too long for an identifier: malformed if it is one */
                Span word = sp_token(s);

                if (sp_chr(word, '[') != SIZE_MAX || sp_chr(word, ':') != SIZE_MAX)
                        return -EBADMSG;
                return 0;
        }
        if (i == 0 || i >= s.n || (s.p[i] != '[' && s.p[i] != ':'))
                return 0;
        ident = sp_head(s, i);
        sp_skip(&s, i);

        if (SP_CONSUME(&s, "[")) {
                size_t nd = sp_digits(s);

                if (nd == 0 || sp_u32(sp_head(s, nd), &pid) < 0)
                        return -EBADMSG;
                sp_skip(&s, nd);
                if (!SP_CONSUME(&s, "]"))
                        return -EBADMSG;
        }
        if (!SP_CONSUME(&s, ":"))
                return -EBADMSG;
        (void) SP_CONSUME(&s, " ");

        if (ret_ident)
                *ret_ident = ident;
        if (ret_pid)
                *ret_pid = pid;
        if (ret_msg)
                *ret_msg = s;
        return 1;
}

static bool text_is_clean(Span s) {
        for (size_t i = 0; i < s.n; i++)
                if ((unsigned char) s.p[i] <= ' ' || s.p[i] == 0x7f)
                        return false;
        return true;
}

/* syslog_line_parse - one text log line */
int syslog_line_parse(const char *line, size_t len, const SyslogContext *ctx, PfRecord *ret,
                      char *ident_buf, size_t ident_bufsz, char *host_buf, size_t host_bufsz,
                      const char **reterr_reason) {
        Span s = span_make(line, len), host, ident = SPAN_NULL, msg;
        uint64_t usec;
        uint32_t pid = 0;
        size_t i;
        int r;

        if ((!line && len > 0) || !ret || !ident_buf || !host_buf || ident_bufsz == 0 || host_bufsz == 0) {
                sp_set_err(reterr_reason, "invalid arguments");
                return -EINVAL;
        }

        if (SP_SUFFIX(s, "\n"))
                s.n--;
        if (SP_SUFFIX(s, "\r"))
                s.n--;
        if (s.n == 0)
                return 0;

        /* "<PRI>" as written by a raw syslog capture */
        if (s.p[0] == '<') {
                i = sp_digits(sp_from(s, 1));
                if (i == 0 || i > 3 || !sp_prefix(sp_from(s, 1 + i), ">", 1))
                        return sp_bad(reterr_reason, "bad syslog priority");
                sp_skip(&s, i + 2);
        }

        if (s.n >= 4 && sp_is_digit(s.p[0]) && sp_is_digit(s.p[1]) && sp_is_digit(s.p[2]) &&
            sp_is_digit(s.p[3]))
                r = stamp_rfc3339(&s, &usec, reterr_reason);
        else
                r = stamp_rfc3164(&s, ctx, &usec, reterr_reason);
        if (r < 0)
                return r;

        if (!SP_CONSUME(&s, " "))
                return sp_bad(reterr_reason, "missing host after time stamp");
        host = sp_token(s);
        if (host.n == 0)
                return sp_bad(reterr_reason, "missing host");
        if (host.n == s.n)
                return sp_bad(reterr_reason, "missing message after host");
        if (host.n > PF_HOSTNAME_MAX)
                return sp_bad(reterr_reason, "host name too long");
        if (!text_is_clean(host))
                return sp_bad(reterr_reason, "control character in host name");
        sp_skip(&s, host.n + 1);

        r = syslog_tag_parse(s, &ident, &pid, &msg);
        if (r < 0)
                return sp_bad(reterr_reason, "malformed syslog tag");
        if (r == 0) {
                ident = SPAN_NULL;
                msg = s;
        }
        if (msg.n > PF_MESSAGE_MAX)
                return sp_bad(reterr_reason, "message longer than 64 KiB");

        if (ident.n >= ident_bufsz || host.n >= host_bufsz) {
                sp_set_err(reterr_reason, "caller buffer too small");
                return -ENOBUFS;
        }
        memcpy(ident_buf, ident.p ? ident.p : "", ident.n);
        ident_buf[ident.n] = 0;
        memcpy(host_buf, host.p, host.n);
        host_buf[host.n] = 0;

        *ret = (PfRecord) {
                .realtime_usec = usec,
                .boot_id = "",
                .hostname = host_buf,
                .identifier = ident_buf,
                .pid = pid,
                .message = msg.p,
                .message_len = msg.n,
        };
        return 1;
}
