/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        correlate_private - session table shared by the correlate_*.c files
 * SYNOPSIS
 *        #include "correlate_private.h"
 * DESCRIPTION
 *        A Session is the pending state of one smtp process (boot id, host,
 *        SYSLOG_PID): the TLS connection announced by its last TLS line and
 *        the last TLS failure detail it logged. Sessions are the values of a
 *        HashMap (common/hashmap.h) with a cap and an LRU list through their
 *        map indexes; see correlate_table.c.
 *        Not part of the public contract: only correlate*.c include this.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "correlate.h"
#include "hashmap.h"
#include "record.h"

#define CORR_ADDR_MAX 128               /* "[...]" contents incl. NUL: IPv6, UNIX socket paths */
#define CORR_PROTOCOL_MAX 32
#define CORR_CIPHER_MAX 128
#define CORR_QID_MAX 65                 /* queue ids are at most 64 characters */
#define CORR_SESSIONS_LIMIT (1U << 22)  /* upper bound for CorrelateLimits.max_sessions */
#define CORR_NONE UINT32_MAX

typedef struct PeerKey {
        char addr[CORR_ADDR_MAX];
        uint32_t port;
        bool has_port;
} PeerKey;

/* The TLS connection announced by the last TLS line of the session. */
typedef struct PendingTls {
        bool armed;
        PeerKey peer;
        Trust trust;
        char protocol[CORR_PROTOCOL_MAX];
        char cipher[CORR_CIPHER_MAX];
        char claimant[CORR_QID_MAX];    /* queue id that claimed it, "" while unclaimed */
} PendingTls;

/* The last TLS failure detail (or TLS policy warning) of the session. */
typedef struct PendingFailure {
        bool armed;
        char queue_id[CORR_QID_MAX];    /* queue id named by the line, "" when none */
        bool has_peer;
        PeerKey peer;
        FailReason reason;
        char claimant[CORR_QID_MAX];    /* delivery queue id it was bound to, "" while unbound */
} PendingFailure;

typedef struct Session {
        char boot_id[PF_BOOT_ID_MAX + 1];
        char hostname[PF_HOSTNAME_MAX + 1];
        uint32_t pid;
        uint64_t last_usec;             /* log time of the last record that touched it */
        uint32_t prev, next;            /* LRU list by map index (head = most recent) */
        PendingTls tls;
        PendingFailure fail;
} Session;

typedef struct SessionTable {
        HashMap *map;                   /* (pid, boot id, host) -> Session */
        uint32_t max;                   /* LRU cap */
        uint32_t lru_head, lru_tail;    /* map indexes, CORR_NONE when empty */
} SessionTable;

int correlate_table_init(SessionTable *t, size_t max);
void correlate_table_done(SessionTable *t);
void correlate_table_clear(SessionTable *t);
size_t correlate_table_size(const SessionTable *t);
Session *correlate_table_find(SessionTable *t, const char *boot_id, const char *hostname, uint32_t pid);
/* Adds a new empty session at the LRU head; evicts the LRU tail when full
 * (*ret_evicted += 1). Pointers to other sessions are invalid afterwards. */
int correlate_table_add(SessionTable *t, const char *boot_id, const char *hostname, uint32_t pid,
                        uint64_t usec, Session **ret, uint64_t *ret_evicted);
void correlate_table_remove(SessionTable *t, Session *s);
void correlate_table_touch(SessionTable *t, Session *s, uint64_t usec);
/* Evicts sessions from the LRU tail whose last_usec + idle_usec < now_usec. */
uint64_t correlate_table_expire(SessionTable *t, uint64_t now_usec, uint64_t idle_usec);
/* LRU walk from the oldest to the newest session; NULL at the end. */
Session *correlate_table_oldest(SessionTable *t);
Session *correlate_table_newer(SessionTable *t, const Session *s);

struct Correlator {
        SessionTable table;
        uint64_t idle_usec;
        char **internal_relays;         /* NULL-terminated copy */
        OutcomeFn fn;
        void *userdata;
        uint64_t now_usec;              /* highest log time seen */
        CorrelateStats stats;
};

int peer_key_set(PeerKey *k, const Peer *p);
bool peer_key_matches(const PeerKey *k, const Peer *p);
