/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        gen - synthetic Postfix journal generator, shared declarations
 * SYNOPSIS
 *        #include "gen.h"
 * DESCRIPTION
 *        The generator simulates a Postfix host sending mail to a world of
 *        destination domains and writes the resulting log records in journal
 *        export format. gen-rng.c is the PRNG, gen-world.c builds the
 *        destination domains and the program table, gen-emit.c orders the
 *        records in time and writes them, gen-journal.c runs the traffic.
 *        Everything is deterministic for a seed.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* xoshiro256** seeded with splitmix64. */
typedef struct Rng {
        uint64_t s[4];
} Rng;

void rng_seed(Rng *r, uint64_t seed);
uint64_t rng_next(Rng *r);
uint64_t rng_below(Rng *r, uint64_t n);         /* uniform in [0, n), n > 0 */
uint64_t rng_range(Rng *r, uint64_t lo, uint64_t hi);   /* uniform in [lo, hi] */
double rng_unit(Rng *r);                        /* uniform in [0, 1) */
bool rng_chance(Rng *r, double p);
double rng_exp(Rng *r, double mean);

enum { PROTO_NONE, PROTO_TLS10, PROTO_TLS11, PROTO_TLS12, PROTO_TLS13 };
enum { CERT_ANONYMOUS, CERT_UNTRUSTED, CERT_TRUSTED };
enum { LEVEL_DANE, LEVEL_MAY, LEVEL_NONE, LEVEL_ENCRYPT, LEVEL_VERIFY, LEVEL_SECURE };

typedef struct GenMx {
        char name[96];
        char addr[48];                  /* IPv4 or IPv6 text */
        uint8_t proto;                  /* PROTO_NONE: no STARTTLS */
        uint8_t cert;                   /* what an unauthenticated client sees */
        uint8_t suite;                  /* cipher variant */
        bool name_mismatch;             /* certificate name does not match */
        bool flaky_tls;                 /* handshake fails now and then */
        bool flaky_connect;             /* connection times out now and then */
} GenMx;

/* Per transport: the cached SMTP connection to this domain. */
typedef struct GenConn {
        uint64_t until_usec;            /* usable until (log time) */
        uint64_t free_from;             /* in use by a delivery until then */
        uint32_t uses;
        uint8_t mx;
        bool tls;
        bool resumed;
        bool by_address;                /* tls= undecided "?" on reuse */
} GenConn;

#define GEN_TRANSPORTS 3                /* postfix/smtp, postfix/relay/smtp, postfix-out/smtp */

typedef struct GenDomain {
        char name[64];
        GenMx mx[3];
        uint8_t n_mx;
        uint8_t level;                  /* LEVEL_* from the policy table or the default */
        bool dane;                      /* TLSA records published */
        bool tlsproxy;                  /* connection_reuse = yes */
        bool relay;                     /* routed through the relay transport */
        bool status_google;             /* reply text style */
        GenConn conn[GEN_TRANSPORTS];
} GenDomain;

typedef struct GenWorld {
        GenDomain *domains;
        size_t n_domains;
        double *cdf;                    /* Zipf cumulative weights */
} GenWorld;

int world_build(GenWorld *w, uint64_t seed, size_t n_domains, double zipf_s);
void world_free(GenWorld *w);
size_t world_pick(const GenWorld *w, Rng *r);   /* Zipf-distributed domain index */
void gen_word(Rng *r, char *buf, size_t bufsz, unsigned min_syll, unsigned max_syll);

/* Programs: one entry per (instance, service). */
enum { INST_MAIN, INST_OUT, _INST_MAX };
enum {
        PROG_SMTP, PROG_RELAY_SMTP, PROG_QMGR, PROG_CLEANUP, PROG_SMTPD, PROG_PICKUP,
        PROG_TLSPROXY, PROG_BOUNCE, _PROG_POSTFIX_MAX,
};
#define PROG_ID(inst, prog) ((inst) * _PROG_POSTFIX_MAX + (prog))
enum { PROG_CRON = _INST_MAX * _PROG_POSTFIX_MAX, PROG_SSHD, PROG_SYSTEMD, _PROG_MAX };

typedef struct GenProgram {
        const char *identifier;
        const char *comm;
        const char *exe;
        const char *cmdline;
        const char *unit;
        const char *cgroup;
        const char *slice;
        char invocation[33];
        unsigned uid, gid;
} GenProgram;

void programs_init(GenProgram progs[static _PROG_MAX], Rng *r);

/* Output: records are queued with their time and written in time order. */
typedef struct GenLine {
        uint64_t usec;
        uint64_t seq;
        char *msg;
        uint32_t pid;
        uint16_t prog;
        uint8_t priority;
} GenLine;

typedef struct GenOut {
        FILE *f;
        GenLine *heap;
        size_t n, cap;
        uint64_t seq;
        uint64_t boot_usec;             /* realtime of the boot: monotonic = realtime - boot */
        char boot_id[33];
        char machine_id[33];
        const char *hostname;
        const GenProgram *progs;
        uint64_t queued;                /* records queued so far */
        uint64_t queued_prog[_PROG_MAX];
        uint64_t written;
        uint64_t per_prog[_PROG_MAX];
        uint64_t first_usec, last_usec;
        char *buf;
        size_t bufsz;
} GenOut;

int out_init(GenOut *o, FILE *f, const GenProgram *progs);
void out_free(GenOut *o);
int out_push(GenOut *o, uint64_t usec, unsigned prog, uint32_t pid, unsigned priority, const char *msg);
int out_pushf(GenOut *o, uint64_t usec, unsigned prog, uint32_t pid, unsigned priority,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int out_flush_before(GenOut *o, uint64_t usec);  /* write every record older than usec */
int out_flush_all(GenOut *o);

/* "0", "0.01", "0.18", "1.2", "35": Postfix format_tv() with 2 significant digits. */
void fmt_delay(double sec, char *buf, size_t bufsz);

/* Simulation state shared by gen-journal.c (message flow) and gen-smtp.c (SMTP client). */
typedef struct GenProc {
        uint32_t pid;
        uint32_t uses;
        uint64_t busy_until;
        uint64_t last_used;
} GenProc;

typedef struct GenPool {
        GenProc *procs;
        size_t n, cap;
} GenPool;

typedef struct GenRcpt {
        uint32_t domain;
        char local[40];
        bool alias;                     /* logged with orig_to= */
        bool done;
} GenRcpt;

typedef struct GenMsg {
        char qid[24];
        char sender[64];
        uint64_t arrival_usec;
        uint32_t size;
        uint32_t nrcpt;
        uint8_t inst;
        uint8_t attempt;
        bool requiretls;
        bool bounced;
        GenRcpt *rcpts;
} GenMsg;

typedef struct GenStats {
        uint64_t messages, deliveries, sent, deferred, bounced;
        uint64_t tls_new, tls_reused, conn_reuse, tls_field, plaintext;
} GenStats;

typedef struct Sim {
        Rng r;
        GenWorld world;
        GenProgram progs[_PROG_MAX];
        GenOut out;
        GenPool pools[_PROG_MAX];
        GenProc tlsproxy[_INST_MAX];
        uint32_t qmgr_pid[_INST_MAX];
        uint32_t pickup_pid[_INST_MAX];
        uint32_t next_pid;
        uint64_t upgrade_usec;          /* Postfix 3.11 from here on: tls= field, OpenSSL 3.5 names */
        uint64_t cache_usec;            /* connection cache time limit */
        GenStats st;
} Sim;

uint32_t sim_new_pid(Sim *s);
uint32_t pool_get(Sim *s, unsigned prog, uint64_t *usec);  /* *usec may move to when a process is free */
void pool_release(Sim *s, unsigned prog, uint32_t pid, uint64_t end_usec);
/* Deliver rcpts[0..n) of m (same domain) with transport tr starting at usec; returns the end time.
 * Recipients left deferred keep done = false. */
uint64_t smtp_job(Sim *s, GenMsg *m, unsigned tr, GenRcpt **rcpts, size_t n, uint64_t usec);
