/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        journal_position - positions of the journal source, without sd-journal
 * SYNOPSIS
 *        #include "journal_position.h"
 *        uint64_t journal_identity(uint64_t mono, const uint8_t boot[16], const void *msg, size_t len);
 *        uint64_t journal_identity_v1(uint64_t mono, const uint8_t boot[16], const void *msg, size_t len);
 *        void journal_window_add(Window *w, uint64_t usec, uint64_t id);
 *        bool journal_window_all(const Window *w);
 *        void journal_window_sort(Window *w);
 *        bool journal_window_has(const Window *w, uint64_t id);
 *        SeqPlace journal_seq_place(const char *cursor);
 *        int journal_position_format(const Window *w, const char *cursor, char **ret);
 *        int journal_position_parse(const char *position, Window *w, const char **ret_cursor);
 * DESCRIPTION
 *        The entries read at the newest timestamp (a Window), places in a file
 *        sequence from a cursor, and the position strings "2 USEC COUNT IDS
 *        CURSOR" (and "USEC CURSOR" of older versions) built from them; see
 *        journal.c for what they mean. IDS is "-", or "h2:" and the
 *        identities; without the mark, identities of format 1.
 *
 *        journal_identity() is the identity of an entry: stable_hash() (XXH64,
 *        stable_hash.h) of its monotonic timestamp as 8 bytes little-endian,
 *        the 16 bytes of its boot ID and the first 4096 bytes of its MESSAGE
 *        item ("MESSAGE=" included; none when msg is NULL). Written after the
 *        mark "h2:". journal_identity_v1() is the identity that mxtls 0.1
 *        wrote without a mark, kept to read its positions: a window with
 *        .legacy set holds such identities, and entries at its timestamp are
 *        compared and added with journal_identity_v1().
 *
 *        journal_window_add() notes an entry as read (an entry with a newer
 *        timestamp starts a window of the current format); journal_window_all()
 *        tells whether more entries were read at usec than identities kept
 *        (all of them count as read). journal_window_has() looks an identity
 *        up in a window sorted by journal_window_sort().
 *
 *        journal_seq_place() gives the sequence number id, sequence number and
 *        timestamp of a cursor; .set is false when the cursor has no valid
 *        "s=" and "i=" fields.
 *
 *        journal_position_format() builds a malloc'd position string;
 *        journal_position_parse() reads one, ret_cursor pointing into it.
 * DIAGNOSTICS
 *        -ENOMEM; -EINVAL for a position that is neither form.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WINDOW_MAX 256                  /* identities kept in the position */
#define SEQUENCE_ID_LEN 32              /* sequence number id in a cursor: 128 bits in hex */

/* Entries read at the newest timestamp, usec. */
typedef struct Window {
        uint64_t usec;                  /* newest timestamp read, 0 = none */
        uint64_t count;                 /* entries read at usec; more than n: all of them */
        size_t n;
        uint64_t ids[WINDOW_MAX];       /* identities of the first n */
        bool legacy;                    /* ids are journal_identity_v1() values */
} Window;

/* A place in one file sequence, from a cursor. */
typedef struct SeqPlace {
        bool set;
        char id[SEQUENCE_ID_LEN + 1];
        uint64_t seqnum;
        uint64_t usec;                  /* its timestamp, 0 when the cursor has none */
} SeqPlace;

uint64_t journal_identity(uint64_t mono, const uint8_t boot[16], const void *msg, size_t len);
uint64_t journal_identity_v1(uint64_t mono, const uint8_t boot[16], const void *msg, size_t len);
void journal_window_add(Window *w, uint64_t usec, uint64_t id);
bool journal_window_all(const Window *w);
void journal_window_sort(Window *w);
bool journal_window_has(const Window *w, uint64_t id);
SeqPlace journal_seq_place(const char *cursor);
int journal_position_format(const Window *w, const char *cursor, char **ret);
int journal_position_parse(const char *position, Window *w, const char **ret_cursor);
