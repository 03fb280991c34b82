/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        gen-journal - write a synthetic Postfix journal in export format
 * SYNOPSIS
 *        gen-journal [--seed N] [--part N] [--entries N] [--min-smtp N] [--start EPOCH]
 *                    [--days D | --hours H] [--boot EPOCH] [--upgrade EPOCH] [--pid-base N]
 *                    [--domains N] [--hostname NAME] [--stats FILE]
 *          | /lib/systemd/systemd-journal-remote --split-mode=none -o OUT.journal -
 * DESCRIPTION
 *        Simulates one Postfix host with two instances (postfix, postfix-out)
 *        and a relay transport sending to --domains destination domains with
 *        Zipf popularity, over --days days of diurnal traffic with newsletter
 *        bursts (or --hours hours), until at least --entries records of which at least --min-smtp
 *        are from the SMTP clients. From --upgrade on the host runs Postfix
 *        3.11 (tls= fields). --part N > 0 continues the same world with other
 *        traffic, for a second journal that follows the first one (pass the
 *        first part's last time as --start and its last pid as --pid-base).
 *        The output depends only on the options.
 *        --stats FILE receives key=value lines: entries, smtp_entries,
 *        first_usec, last_usec, last_pid.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define MS 1000ULL
#define SEC 1000000ULL
#define DAY (86400ULL * SEC)

typedef struct Retry {
        uint64_t usec;
        uint64_t seq;
        GenMsg *m;
} Retry;

typedef struct Flow {
        Sim sim;
        Retry *retries;
        size_t n_retries, cap_retries;
        uint64_t retry_seq;
        uint64_t campaign_left;
        uint64_t campaign_total;
        uint32_t campaign_smtpd;
        bool upgraded;
} Flow;

/* sim_new_pid - the next process id (other processes take some in between) */
uint32_t sim_new_pid(Sim *s) {
        s->next_pid += (uint32_t) rng_range(&s->r, 1, 25);
        if (s->next_pid > 4194000)
                s->next_pid = 300;
        return s->next_pid;
}

/* pool_get - an idle process of the service (max_use 100, max_idle 100s, process_limit 100) */
uint32_t pool_get(Sim *s, unsigned prog, uint64_t *usec) {
        GenPool *p = &s->pools[prog];
        size_t j = 0, idle = 0, pick;

        for (size_t i = 0; i < p->n; i++) {
                GenProc *q = &p->procs[i];

                if (q->busy_until <= *usec && (q->uses >= 100 || q->last_used + 100 * SEC < *usec))
                        continue;
                p->procs[j++] = *q;
        }
        p->n = j;
        for (size_t i = 0; i < p->n; i++)
                idle += p->procs[i].busy_until <= *usec;
        if (idle > 0) {
                size_t k = (size_t) rng_below(&s->r, idle);

                for (pick = 0; pick < p->n; pick++)
                        if (p->procs[pick].busy_until <= *usec && k-- == 0)
                                break;
        } else if (p->n < 100) {
                if (p->n == p->cap) {
                        size_t cap = p->cap ? p->cap * 2 : 16;
                        GenProc *np = realloc(p->procs, cap * sizeof(GenProc));

                        if (!np)
                                abort();
                        p->procs = np;
                        p->cap = cap;
                }
                pick = p->n++;
                p->procs[pick] = (GenProc) { .pid = sim_new_pid(s) };
        } else {
                pick = 0;
                for (size_t i = 1; i < p->n; i++)
                        if (p->procs[i].busy_until < p->procs[pick].busy_until)
                                pick = i;
                *usec = p->procs[pick].busy_until + 1 * MS;
        }
        p->procs[pick].busy_until = UINT64_MAX;
        p->procs[pick].uses++;
        return p->procs[pick].pid;
}

/* pool_release - the process is idle again from end_usec */
void pool_release(Sim *s, unsigned prog, uint32_t pid, uint64_t end_usec) {
        GenPool *p = &s->pools[prog];

        for (size_t i = 0; i < p->n; i++)
                if (p->procs[i].pid == pid && p->procs[i].busy_until == UINT64_MAX) {
                        p->procs[i].busy_until = end_usec;
                        p->procs[i].last_used = end_usec;
                        return;
                }
}

static void retry_push(Flow *f, uint64_t usec, GenMsg *m) {
        Retry r = { usec, f->retry_seq++, m };
        size_t i;

        if (f->n_retries == f->cap_retries) {
                size_t cap = f->cap_retries ? f->cap_retries * 2 : 256;
                Retry *n = realloc(f->retries, cap * sizeof(Retry));

                if (!n)
                        abort();
                f->retries = n;
                f->cap_retries = cap;
        }
        for (i = f->n_retries++; i > 0; i = (i - 1) / 2) {
                Retry *parent = &f->retries[(i - 1) / 2];

                if (parent->usec < r.usec || (parent->usec == r.usec && parent->seq < r.seq))
                        break;
                f->retries[i] = *parent;
        }
        f->retries[i] = r;
}

static Retry retry_pop(Flow *f) {
        Retry top = f->retries[0], last = f->retries[--f->n_retries];
        size_t i = 0;

        for (;;) {
                size_t c = 2 * i + 1;

                if (c >= f->n_retries)
                        break;
                if (c + 1 < f->n_retries &&
                    (f->retries[c + 1].usec < f->retries[c].usec ||
                     (f->retries[c + 1].usec == f->retries[c].usec && f->retries[c + 1].seq < f->retries[c].seq)))
                        c++;
                if (last.usec < f->retries[c].usec || (last.usec == f->retries[c].usec && last.seq < f->retries[c].seq))
                        break;
                f->retries[i] = f->retries[c];
                i = c;
        }
        if (f->n_retries > 0)
                f->retries[i] = last;
        return top;
}

static void msg_free(GenMsg *m) {
        if (m) {
                free(m->rcpts);
                free(m);
        }
}

/* Postfix queue ids: short = 5 hex digits of the microseconds + the inode in hex;
 * long (enable_long_queue_ids) = seconds (6) and microseconds (4) in base 52, 'z',
 * the inode in base 51 (src/global/mail_queue.h). */
static void new_qid(Sim *s, unsigned inst, uint64_t usec, char *buf, size_t bufsz) {
        static const char b52[] = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
        char tmp[32];
        size_t n = 0;
        uint64_t v;

        if (inst == INST_MAIN) {
                snprintf(buf, bufsz, "%05" PRIX64 "%05X", usec % 0x100000,
                         (unsigned) rng_range(&s->r, 0x10000, 0xFFFFF));
                return;
        }
        v = usec / 1000000;
        for (unsigned i = 0; i < 6; i++, v /= 52)
                tmp[5 - i] = b52[v % 52];
        v = usec % 1000000;
        for (unsigned i = 0; i < 4; i++, v /= 52)
                tmp[9 - i] = b52[v % 52];
        tmp[10] = 'z';
        n = 11;
        for (v = rng_range(&s->r, 51 * 51 * 51, 51 * 51 * 51 * 51 - 1); v > 0 && n < 20; v /= 51)
                tmp[n++] = b52[v % 51];
        tmp[n] = '\0';
        if (n + 1 <= bufsz)
                memcpy(buf, tmp, n + 1);
        else if (bufsz > 0)
                buf[0] = '\0';
}

static int cmp_rcpt(const void *a, const void *b) {
        const GenRcpt *x = *(const GenRcpt *const *) a, *y = *(const GenRcpt *const *) b;

        return x->domain < y->domain ? -1 : x->domain > y->domain ? 1 : (x < y ? -1 : x > y);
}

/* One delivery attempt of a message: qmgr activates it, one request per destination. */
static void attempt(Flow *f, GenMsg *m, uint64_t usec) {
        Sim *s = &f->sim;
        unsigned qmgr = PROG_ID(m->inst, PROG_QMGR);
        GenRcpt **todo = malloc(m->nrcpt * sizeof(GenRcpt *));
        size_t n = 0, pending = 0;
        uint64_t end = usec;

        if (!todo)
                abort();
        (void) out_pushf(&s->out, usec, qmgr, s->qmgr_pid[m->inst], 6, "%s: from=<%s>, size=%u, nrcpt=%u "
                         "(queue active)", m->qid, m->sender, m->size, m->nrcpt);
        for (uint32_t i = 0; i < m->nrcpt; i++)
                if (!m->rcpts[i].done)
                        todo[n++] = &m->rcpts[i];
        qsort(todo, n, sizeof(GenRcpt *), cmp_rcpt);
        for (size_t i = 0; i < n;) {
                size_t k = i;
                const GenDomain *d = &s->world.domains[todo[i]->domain];
                unsigned tr = m->inst == INST_OUT ? 2 : d->relay ? 1 : 0;

                while (k < n && k - i < 50 && todo[k]->domain == todo[i]->domain)
                        k++;
                uint64_t e = smtp_job(s, m, tr, todo + i, k - i, usec + rng_range(&s->r, 1, 30) * MS);
                if (e > end)
                        end = e;
                i = k;
        }
        free(todo);
        for (uint32_t i = 0; i < m->nrcpt; i++)
                pending += !m->rcpts[i].done;

        if (pending > 0 && m->attempt < 3) {
                static const uint64_t backoff[] = { 300, 1200, 4000 };

                retry_push(f, end + (backoff[m->attempt] + rng_below(&s->r, backoff[m->attempt])) * SEC, m);
                m->attempt++;
                return;
        }
        if (pending > 0) {
                (void) out_pushf(&s->out, end + 1 * MS, qmgr, s->qmgr_pid[m->inst], 6,
                                 "%s: from=<%s>, status=expired, returned to sender", m->qid, m->sender);
                m->bounced = true;
        }
        if (m->bounced) {
                char nq[24];
                uint64_t t = end + 2 * MS;
                uint32_t pid = pool_get(s, PROG_ID(m->inst, PROG_BOUNCE), &t);

                new_qid(s, m->inst, t, nq, sizeof nq);
                (void) out_pushf(&s->out, t, PROG_ID(m->inst, PROG_BOUNCE), pid, 6,
                                 "%s: sender non-delivery notification: %s", m->qid, nq);
                pool_release(s, PROG_ID(m->inst, PROG_BOUNCE), pid, t + 5 * MS);
                end = t;
        }
        (void) out_pushf(&s->out, end + 3 * MS, qmgr, s->qmgr_pid[m->inst], 6, "%s: removed", m->qid);
        msg_free(m);
}

static uint32_t rcpt_count(Rng *r) {
        double x = rng_unit(r);

        return x < 0.62 ? 1 : x < 0.84 ? (uint32_t) rng_range(r, 2, 4) : x < 0.95 ? (uint32_t) rng_range(r, 5, 15) :
               x < 0.99 ? (uint32_t) rng_range(r, 16, 60) : (uint32_t) rng_range(r, 61, 200);
}

static void noise(Sim *s, uint64_t usec) {
        uint32_t pid = sim_new_pid(s);
        uint64_t k = rng_below(&s->r, 3);

        if (k == 0) {
                (void) out_push(&s->out, usec, PROG_CRON, pid, 6, "pam_unix(cron:session): session opened for user "
                                "root(uid=0) by (uid=0)");
                (void) out_push(&s->out, usec + 1 * MS, PROG_CRON, pid, 6, "(root) CMD (command -v debian-sa1 > "
                                "/dev/null && debian-sa1 1 1)");
                (void) out_push(&s->out, usec + 90 * MS, PROG_CRON, pid, 6, "pam_unix(cron:session): session closed "
                                "for user root");
        } else if (k == 1)
                (void) out_pushf(&s->out, usec, PROG_SSHD, pid, 6, "Connection closed by 203.0.113.%u port %u "
                                 "[preauth]", (unsigned) rng_range(&s->r, 1, 254),
                                 (unsigned) rng_range(&s->r, 1024, 65535));
        else {
                (void) out_push(&s->out, usec, PROG_SYSTEMD, 1, 6, "Starting Daily apt download activities...");
                (void) out_push(&s->out, usec + 800 * MS, PROG_SYSTEMD, 1, 6,
                                "apt-daily.service: Deactivated successfully.");
        }
}

/* A new message enters the queue at usec. */
static void arrival(Flow *f, uint64_t usec, bool campaign) {
        Sim *s = &f->sim;
        GenMsg *m = calloc(1, sizeof(GenMsg));
        unsigned inst = campaign || rng_chance(&s->r, 0.08) ? INST_OUT : INST_MAIN;
        uint32_t pid;
        uint64_t t;
        char word[32];

        if (!m)
                abort();
        m->inst = (uint8_t) inst;
        m->arrival_usec = usec;
        m->size = (uint32_t) (1500 + rng_exp(&s->r, campaign ? 40000 : 90000));
        m->nrcpt = campaign ? 1 : rcpt_count(&s->r);
        m->requiretls = usec >= s->upgrade_usec && rng_chance(&s->r, 0.003);
        m->rcpts = calloc(m->nrcpt, sizeof(GenRcpt));
        if (!m->rcpts)
                abort();
        new_qid(s, inst, usec, m->qid, sizeof m->qid);
        if (campaign)
                snprintf(m->sender, sizeof m->sender, "bounces+%u@news.corp.example",
                         (unsigned) rng_below(&s->r, 1000000));
        else {
                gen_word(&s->r, word, sizeof word, 2, 3);
                snprintf(m->sender, sizeof m->sender, "%s@corp.example", word);
        }
        for (uint32_t i = 0; i < m->nrcpt; i++) {
                GenRcpt *rc = &m->rcpts[i];
                char a[24];

                rc->domain = (uint32_t) world_pick(&s->world, &s->r);
                gen_word(&s->r, a, sizeof a, 1, 3);
                if (rng_chance(&s->r, 0.4)) {
                        gen_word(&s->r, word, sizeof word, 1, 3);
                        snprintf(rc->local, sizeof rc->local, "%.18s.%.18s", a, word);
                } else
                        snprintf(rc->local, sizeof rc->local, "%s%u", a, (unsigned) rng_below(&s->r, 100));
                rc->alias = !campaign && rng_chance(&s->r, 0.03);
        }

        /* how it came in */
        if (campaign) {
                t = usec - 200 * MS;
                (void) out_pushf(&s->out, t, PROG_ID(inst, PROG_SMTPD), f->campaign_smtpd, 6,
                                 "%s: client=lists.corp.example[10.1.0.9]", m->qid);
        } else if (rng_chance(&s->r, 0.75)) {
                unsigned h = (unsigned) rng_range(&s->r, 1, 40);
                unsigned prog = PROG_ID(inst, PROG_SMTPD);

                t = usec - 300 * MS;
                pid = pool_get(s, prog, &t);
                (void) out_pushf(&s->out, t, prog, pid, 6, "connect from app%u.corp.example[10.1.2.%u]", h, h + 10);
                (void) out_pushf(&s->out, t + 100 * MS, prog, pid, 6, "%s: client=app%u.corp.example[10.1.2.%u]",
                                 m->qid, h, h + 10);
                (void) out_pushf(&s->out, usec + 50 * MS, prog, pid, 6, "disconnect from app%u.corp.example"
                                 "[10.1.2.%u] ehlo=1 starttls=1 mail=1 rcpt=%u data=1 quit=1 commands=%u",
                                 h, h + 10, m->nrcpt, m->nrcpt + 5);
                pool_release(s, prog, pid, usec + 50 * MS);
        } else
                (void) out_pushf(&s->out, usec - 150 * MS, PROG_ID(inst, PROG_PICKUP), s->pickup_pid[inst], 6,
                                 "%s: uid=%u from=<%s>", m->qid, rng_chance(&s->r, 0.5) ? 33U : 1000U, m->sender);
        t = usec - 80 * MS;
        pid = pool_get(s, PROG_ID(inst, PROG_CLEANUP), &t);
        (void) out_pushf(&s->out, t, PROG_ID(inst, PROG_CLEANUP), pid, 6,
                         "%s: message-id=<%" PRIu64 ".%s@corp.example>", m->qid, (uint64_t) (usec / SEC), m->qid);
        pool_release(s, PROG_ID(inst, PROG_CLEANUP), pid, t + 20 * MS);

        s->st.messages++;
        attempt(f, m, usec);
        if (rng_chance(&s->r, 0.03))
                noise(s, usec + 500 * MS);
}

/* Relative traffic by hour (UTC) and weekday; mean over a week is 1. */
static double diurnal(uint64_t usec) {
        static const double hours[24] = {
                0.15, 0.1, 0.1, 0.1, 0.12, 0.2, 0.45, 0.9, 1.5, 1.8, 1.9, 1.85,
                1.6, 1.7, 1.8, 1.75, 1.6, 1.3, 1.0, 0.8, 0.6, 0.45, 0.3, 0.2,
        };
        static double norm = 0;
        uint64_t sec = usec / SEC;
        unsigned wday = (unsigned) ((sec / 86400 + 4) % 7);    /* 1970-01-01 was a Thursday */

        if (norm == 0) {
                double sum = 0;

                for (unsigned d = 0; d < 7; d++)
                        for (unsigned h = 0; h < 24; h++)
                                sum += hours[h] * (d == 0 || d == 6 ? 0.35 : 1.0);
                norm = sum / (7 * 24);
        }
        return hours[(sec / 3600) % 24] * (wday == 0 || wday == 6 ? 0.35 : 1.0) / norm;
}

static void upgrade(Flow *f) {
        Sim *s = &f->sim;

        /* postfix stop; upgrade; postfix start: every daemon gets a new pid */
        for (unsigned p = 0; p < _PROG_MAX; p++)
                s->pools[p].n = 0;
        for (unsigned i = 0; i < _INST_MAX; i++) {
                s->tlsproxy[i] = (GenProc) { 0 };
                s->qmgr_pid[i] = sim_new_pid(s);
                s->pickup_pid[i] = sim_new_pid(s);
        }
        f->upgraded = true;
}

static uint64_t smtp_queued(const GenOut *o) {
        return o->queued_prog[PROG_ID(INST_MAIN, PROG_SMTP)] + o->queued_prog[PROG_ID(INST_MAIN, PROG_RELAY_SMTP)] +
               o->queued_prog[PROG_ID(INST_OUT, PROG_SMTP)];
}

static void help(void) {
        printf("Usage: gen-journal [--seed N] [--part N] [--entries N] [--min-smtp N] [--start EPOCH]\n"
               "                   [--days D | --hours H] [--boot EPOCH] [--upgrade EPOCH] [--pid-base N]\n"
               "                   [--domains N] [--hostname NAME] [--stats FILE]\n"
               "Writes a synthetic Postfix journal in journal export format to stdout.\n");
}

static int parse_num(const char *s, uint64_t *ret) {
        char *end;
        unsigned long long v;

        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
                return -EINVAL;
        *ret = v;
        return 0;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "seed",     required_argument, NULL, 's' },
                { "part",     required_argument, NULL, 'p' },
                { "entries",  required_argument, NULL, 'n' },
                { "min-smtp", required_argument, NULL, 'm' },
                { "start",    required_argument, NULL, 'S' },
                { "days",     required_argument, NULL, 'd' },
                { "hours",    required_argument, NULL, 'x' },
                { "boot",     required_argument, NULL, 'b' },
                { "upgrade",  required_argument, NULL, 'u' },
                { "pid-base", required_argument, NULL, 'P' },
                { "domains",  required_argument, NULL, 'D' },
                { "hostname", required_argument, NULL, 'H' },
                { "stats",    required_argument, NULL, 'o' },
                { "help",     no_argument,       NULL, 'h' },
                { 0 }
        };
        uint64_t seed = 1, part = 0, entries = 2200000, min_smtp = UINT64_MAX, start = 1788220800, days = 30;
        uint64_t boot = 0, upgrade_at = 0, pid_base = 1500, n_domains = 5000, hours = 0;
        const char *hostname = "mail01", *stats_path = NULL;
        static Flow flow;
        Flow *f = &flow;
        Sim *s = &f->sim;
        Rng idr;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                uint64_t *dst = NULL;

                switch (c) {
                case 's': dst = &seed; break;
                case 'p': dst = &part; break;
                case 'n': dst = &entries; break;
                case 'm': dst = &min_smtp; break;
                case 'S': dst = &start; break;
                case 'd': dst = &days; break;
                case 'x': dst = &hours; break;
                case 'b': dst = &boot; break;
                case 'u': dst = &upgrade_at; break;
                case 'P': dst = &pid_base; break;
                case 'D': dst = &n_domains; break;
                case 'H': hostname = optarg; break;
                case 'o': stats_path = optarg; break;
                case 'h': help(); return EXIT_SUCCESS;
                default: help(); return 64;
                }
                if (dst && parse_num(optarg, dst) < 0) {
                        fprintf(stderr, "gen-journal: bad number: %s\n", optarg);
                        return 64;
                }
        }
        if (min_smtp == UINT64_MAX)
                min_smtp = entries / 2;
        if (boot == 0)
                boot = start - 3 * 86400;
        if (upgrade_at == 0)
                upgrade_at = start + days * 86400 * 2 / 3;
        if (days == 0 || entries == 0 || boot > start) {
                fprintf(stderr, "gen-journal: need --days > 0, --entries > 0, --boot <= --start\n");
                return 64;
        }

        r = world_build(&s->world, seed, n_domains, 1.0);
        if (r < 0) {
                fprintf(stderr, "gen-journal: cannot build the world (%s)\n", strerror(-r));
                return EXIT_FAILURE;
        }
        rng_seed(&idr, seed ^ 0x69647300ULL);
        programs_init(s->progs, &idr);
        if (out_init(&s->out, stdout, s->progs) < 0)
                return EXIT_FAILURE;
        for (unsigned i = 0; i < 32; i++) {
                s->out.boot_id[i] = "0123456789abcdef"[rng_below(&idr, 16)];
                s->out.machine_id[i] = "0123456789abcdef"[rng_below(&idr, 16)];
        }
        s->out.hostname = hostname;
        s->out.boot_usec = boot * SEC;
        rng_seed(&s->r, seed * 1000003ULL + part);
        s->next_pid = (uint32_t) pid_base;
        s->upgrade_usec = upgrade_at * SEC;
        s->cache_usec = 30 * SEC;
        for (unsigned i = 0; i < _INST_MAX; i++) {
                s->qmgr_pid[i] = sim_new_pid(s);
                s->pickup_pid[i] = sim_new_pid(s);
        }
        f->upgraded = start * SEC >= s->upgrade_usec;

        uint64_t t0 = start * SEC, t = t0;
        double span = hours > 0 ? (double) hours * 3600.0 * (double) SEC : (double) days * (double) DAY;
        double per_entry = span / (double) entries;

        while (s->out.queued < entries || smtp_queued(&s->out) < min_smtp) {
                if (f->n_retries > 0 && f->retries[0].usec <= t) {
                        Retry rt = retry_pop(f);

                        (void) out_flush_before(&s->out, rt.usec - 1 * SEC);
                        attempt(f, rt.m, rt.usec);
                        continue;
                }
                if (!f->upgraded && t >= s->upgrade_usec)
                        upgrade(f);
                (void) out_flush_before(&s->out, t - 1 * SEC);

                uint64_t before = s->out.queued;
                bool campaign = f->campaign_left > 0;

                if (!campaign && rng_chance(&s->r, 1.0 / 12000) && diurnal(t) > 1.0) {
                        f->campaign_left = f->campaign_total = rng_range(&s->r, 500, 4000);
                        f->campaign_smtpd = sim_new_pid(s);
                        campaign = true;
                        (void) out_push(&s->out, t - 400 * MS, PROG_ID(INST_OUT, PROG_SMTPD), f->campaign_smtpd, 6,
                                        "connect from lists.corp.example[10.1.0.9]");
                }
                arrival(f, t, campaign);
                if (campaign && --f->campaign_left == 0)
                        (void) out_pushf(&s->out, t + 100 * MS, PROG_ID(INST_OUT, PROG_SMTPD), f->campaign_smtpd, 6,
                                         "disconnect from lists.corp.example[10.1.0.9] ehlo=1 mail=%" PRIu64
                                         " rcpt=%" PRIu64 " data=%" PRIu64 " quit=1 commands=%" PRIu64,
                                         f->campaign_total, f->campaign_total, f->campaign_total,
                                         3 * f->campaign_total + 2);

                /* Advance the clock in proportion to the records just made, steered to end after --days. */
                double done = (double) s->out.queued / (double) entries;
                double behind = ((double) t0 + done * span - (double) t) / (span / 10.0);
                double steer = behind > 0.5 ? 2.0 : behind < -0.5 ? 0.5 : 1.0 + (behind > 0 ? 2 * behind : behind);
                double rate = diurnal(t) * (campaign ? 25.0 : 1.0);
                double dt = rng_exp(&s->r, (double) (s->out.queued - before) * per_entry * steer) / rate;

                t += (uint64_t) dt + 1;
        }
        r = out_flush_all(&s->out);
        while (f->n_retries > 0)
                msg_free(retry_pop(f).m);

        uint64_t smtp_written = s->out.per_prog[PROG_ID(INST_MAIN, PROG_SMTP)] +
                                s->out.per_prog[PROG_ID(INST_MAIN, PROG_RELAY_SMTP)] +
                                s->out.per_prog[PROG_ID(INST_OUT, PROG_SMTP)];
        fprintf(stderr, "gen-journal: %" PRIu64 " entries (%" PRIu64 " from smtp clients) over %.1f days; "
                "%" PRIu64 " messages, %" PRIu64 " delivery lines (%" PRIu64 " sent, %" PRIu64 " deferred, "
                "%" PRIu64 " bounced, %" PRIu64 " sent in clear), %" PRIu64 " new TLS, %" PRIu64 " reused TLS, "
                "%" PRIu64 " conn_use, %" PRIu64 " tls=\n",
                s->out.written, smtp_written, (double) (s->out.last_usec - s->out.first_usec) / (double) DAY,
                s->st.messages, s->st.deliveries, s->st.sent, s->st.deferred, s->st.bounced, s->st.plaintext,
                s->st.tls_new, s->st.tls_reused, s->st.conn_reuse, s->st.tls_field);
        for (unsigned p = 0; p < _PROG_MAX; p++)
                if (s->out.per_prog[p] > 0)
                        fprintf(stderr, "gen-journal:   %-22s %" PRIu64 "\n", s->progs[p].identifier,
                                s->out.per_prog[p]);
        if (stats_path) {
                FILE *sf = fopen(stats_path, "we");

                if (!sf) {
                        fprintf(stderr, "gen-journal: cannot write %s\n", stats_path);
                        r = -EIO;
                } else {
                        fprintf(sf, "entries=%" PRIu64 "\nsmtp_entries=%" PRIu64 "\nfirst_usec=%" PRIu64 "\n"
                                "last_usec=%" PRIu64 "\nlast_pid=%u\n", s->out.written, smtp_written,
                                s->out.first_usec, s->out.last_usec, s->next_pid);
                        if (fclose(sf) != 0)
                                r = -EIO;
                }
        }
        out_free(&s->out);
        for (unsigned p = 0; p < _PROG_MAX; p++)
                free(s->pools[p].procs);
        free(f->retries);
        world_free(&s->world);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
