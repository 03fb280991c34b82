/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        gen-emit - time-ordered journal export output of the generator
 * SYNOPSIS
 *        #include "gen.h"
 *        int out_push(GenOut *o, uint64_t usec, unsigned prog, uint32_t pid,
 *                     unsigned priority, const char *msg);
 *        int out_flush_before(GenOut *o, uint64_t usec);
 * DESCRIPTION
 *        Records are queued in a binary heap ordered by (time, queue order)
 *        and written as journal export format entries (one "FIELD=value" line
 *        per field, an empty line after each entry) with the fields journald
 *        stores for a syslog record of a systemd service.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define OUT_BUFSZ (1 << 20)

/* out_init - empty queue writing to f */
int out_init(GenOut *o, FILE *f, const GenProgram *progs) {
        *o = (GenOut) { .f = f, .progs = progs };
        o->buf = malloc(OUT_BUFSZ);
        if (!o->buf)
                return -ENOMEM;
        o->cap = 4096;
        o->heap = malloc(o->cap * sizeof(GenLine));
        if (!o->heap) {
                free(o->buf);
                return -ENOMEM;
        }
        return 0;
}

/* out_free - free queued records and buffers */
void out_free(GenOut *o) {
        for (size_t i = 0; i < o->n; i++)
                free(o->heap[i].msg);
        free(o->heap);
        free(o->buf);
        o->heap = NULL;
        o->buf = NULL;
        o->n = o->cap = 0;
}

static bool line_less(const GenLine *a, const GenLine *b) {
        return a->usec < b->usec || (a->usec == b->usec && a->seq < b->seq);
}

/* out_push - queue one record; msg is copied */
int out_push(GenOut *o, uint64_t usec, unsigned prog, uint32_t pid, unsigned priority, const char *msg) {
        GenLine l;
        size_t i;

        if (o->n == o->cap) {
                GenLine *h = realloc(o->heap, o->cap * 2 * sizeof(GenLine));

                if (!h)
                        return -ENOMEM;
                o->heap = h;
                o->cap *= 2;
        }
        l = (GenLine) {
                .usec = usec, .seq = o->seq++, .msg = strdup(msg), .pid = pid,
                .prog = (uint16_t) prog, .priority = (uint8_t) priority,
        };
        if (!l.msg)
                return -ENOMEM;
        i = o->n++;
        while (i > 0) {
                size_t parent = (i - 1) / 2;

                if (!line_less(&l, &o->heap[parent]))
                        break;
                o->heap[i] = o->heap[parent];
                i = parent;
        }
        o->heap[i] = l;
        o->queued++;
        o->queued_prog[prog]++;
        return 0;
}

/* out_pushf - out_push with a printf format */
int out_pushf(GenOut *o, uint64_t usec, unsigned prog, uint32_t pid, unsigned priority,
              const char *fmt, ...) {
        char msg[2048];
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        return out_push(o, usec, prog, pid, priority, msg);
}

static void heap_pop(GenOut *o, GenLine *ret) {
        GenLine last;
        size_t i = 0;

        *ret = o->heap[0];
        last = o->heap[--o->n];
        for (;;) {
                size_t c = 2 * i + 1;

                if (c >= o->n)
                        break;
                if (c + 1 < o->n && line_less(&o->heap[c + 1], &o->heap[c]))
                        c++;
                if (!line_less(&o->heap[c], &last))
                        break;
                o->heap[i] = o->heap[c];
                i = c;
        }
        if (o->n > 0)
                o->heap[i] = last;
}

/* Appenders into the output buffer: no printf in the per-record path. */
static void put(GenOut *o, const char *s, size_t n) {
        if (o->bufsz + n > OUT_BUFSZ) {
                (void) fwrite(o->buf, 1, o->bufsz, o->f);
                o->bufsz = 0;
        }
        memcpy(o->buf + o->bufsz, s, n);
        o->bufsz += n;
}

static void put_str(GenOut *o, const char *s) {
        put(o, s, strlen(s));
}

static void put_u64(GenOut *o, uint64_t v) {
        char tmp[24];
        size_t i = sizeof tmp;

        do {
                tmp[--i] = (char) ('0' + v % 10);
                v /= 10;
        } while (v);
        put(o, tmp + i, sizeof tmp - i);
}

static void put_field(GenOut *o, const char *name, const char *value) {
        put_str(o, name);
        put(o, "=", 1);
        put_str(o, value);
        put(o, "\n", 1);
}

static void put_field_u64(GenOut *o, const char *name, uint64_t v) {
        put_str(o, name);
        put(o, "=", 1);
        put_u64(o, v);
        put(o, "\n", 1);
}

/* "Nov 24 05:20:26" (UTC) without the C library's locale-dependent strftime */
static void syslog_stamp(uint64_t sec, char buf[static 16]) {
        static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
        int64_t days = (int64_t) (sec / 86400);
        unsigned secs = (unsigned) (sec % 86400);
        /* civil_from_days (H. Hinnant) */
        int64_t z = days + 719468;
        int64_t era = z / 146097;
        unsigned doe = (unsigned) (z - era * 146097);
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        unsigned mp = (5 * doy + 2) / 153;
        unsigned d = doy - (153 * mp + 2) / 5 + 1;
        unsigned m = mp < 10 ? mp + 3 : mp - 9;

        memcpy(buf, months + 3 * (m - 1), 3);
        buf[3] = ' ';
        buf[4] = d >= 10 ? (char) ('0' + d / 10) : ' ';
        buf[5] = (char) ('0' + d % 10);
        buf[6] = ' ';
        buf[7] = (char) ('0' + secs / 36000);
        buf[8] = (char) ('0' + secs / 3600 % 10);
        buf[9] = ':';
        buf[10] = (char) ('0' + secs % 3600 / 600);
        buf[11] = (char) ('0' + secs % 3600 / 60 % 10);
        buf[12] = ':';
        buf[13] = (char) ('0' + secs % 60 / 10);
        buf[14] = (char) ('0' + secs % 10);
        buf[15] = '\0';
}

static void write_line(GenOut *o, const GenLine *l) {
        const GenProgram *p = &o->progs[l->prog];
        char stamp[16];

        syslog_stamp(l->usec / 1000000, stamp);
        put_field_u64(o, "__REALTIME_TIMESTAMP", l->usec);
        put_field_u64(o, "__MONOTONIC_TIMESTAMP", l->usec - o->boot_usec);
        put_field(o, "_BOOT_ID", o->boot_id);
        put_field(o, "_MACHINE_ID", o->machine_id);
        put_field(o, "_HOSTNAME", o->hostname);
        put_field_u64(o, "PRIORITY", l->priority);
        put_field(o, "SYSLOG_FACILITY", l->prog >= PROG_CRON ? (l->prog == PROG_SYSTEMD ? "3" : "10") : "2");
        put_field(o, "SYSLOG_IDENTIFIER", p->identifier);
        put_field_u64(o, "SYSLOG_PID", l->pid);
        put_field(o, "SYSLOG_TIMESTAMP", stamp);
        put_field(o, "MESSAGE", l->msg);
        put_field_u64(o, "_PID", l->pid);
        put_field_u64(o, "_UID", p->uid);
        put_field_u64(o, "_GID", p->gid);
        put_field(o, "_COMM", p->comm);
        put_field(o, "_EXE", p->exe);
        put_field(o, "_CMDLINE", p->cmdline);
        put_field(o, "_CAP_EFFECTIVE", "0");
        put_field(o, "_SYSTEMD_CGROUP", p->cgroup);
        put_field(o, "_SYSTEMD_UNIT", p->unit);
        put_field(o, "_SYSTEMD_SLICE", p->slice);
        put_field(o, "_SYSTEMD_INVOCATION_ID", p->invocation);
        put_field(o, "_TRANSPORT", "syslog");
        put(o, "\n", 1);

        if (o->written == 0)
                o->first_usec = l->usec;
        o->last_usec = l->usec;
        o->written++;
        o->per_prog[l->prog]++;
}

/* out_flush_before - write every queued record older than usec */
int out_flush_before(GenOut *o, uint64_t usec) {
        while (o->n > 0 && o->heap[0].usec < usec) {
                GenLine l;

                heap_pop(o, &l);
                write_line(o, &l);
                free(l.msg);
        }
        return 0;
}

/* out_flush_all - write everything and flush the stream */
int out_flush_all(GenOut *o) {
        (void) out_flush_before(o, UINT64_MAX);
        if (o->bufsz > 0 && fwrite(o->buf, 1, o->bufsz, o->f) != o->bufsz)
                return -EIO;
        o->bufsz = 0;
        return fflush(o->f) == 0 ? 0 : -EIO;
}

/* fmt_delay - seconds as Postfix prints delays: two significant digits, at most two
 * decimals, no trailing zeros ("0", "0.01", "0.18", "1.2", "35") */
void fmt_delay(double sec, char *buf, size_t bufsz) {
        size_t n;

        if (sec < 0.005) {
                snprintf(buf, bufsz, "0");
                return;
        }
        if (sec >= 9.95) {
                snprintf(buf, bufsz, "%.0f", sec);
                return;
        }
        snprintf(buf, bufsz, sec >= 0.995 ? "%.1f" : sec >= 0.0995 ? "%.2f" : "%.2f", sec);
        n = strlen(buf);
        while (n > 0 && buf[n - 1] == '0')
                buf[--n] = '\0';
        if (n > 0 && buf[n - 1] == '.')
                buf[--n] = '\0';
}
