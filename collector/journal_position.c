/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        journal_position - positions of the journal source, without sd-journal
 * SYNOPSIS
 *        #include "journal_position.h"
 * DESCRIPTION
 *        Identities of entries, windows of them, places in a file sequence from a cursor, and
 *        the position strings "2 USEC COUNT IDS CURSOR": COUNT entries were
 *        read at USEC; IDS are the identities (16 hex digits, comma-separated)
 *        of the first WINDOW_MAX of them after the mark "h2:" of their hash
 *        format (stable_hash.h), "-" for none. Identities without the mark
 *        are of format 1 (mxtls 0.1): such a window is read, extended and
 *        written in format 1 until entries of a newer timestamp replace it.
 *        The "USEC CURSOR" strings of older versions are read as
 *        "2 USEC 1 - CURSOR". What they mean is described in journal.c.
 * DIAGNOSTICS
 *        -ENOMEM; -EINVAL for a position that is neither form.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "journal_position.h"
#include "span.h"
#include "stable_hash.h"
#include "strbuf.h"

#define IDENTITY_MESSAGE_MAX 4096       /* MESSAGE bytes in an identity */

/* v1_mix - format 1: the finaliser of MurmurHash3 */
static uint64_t v1_mix(uint64_t h) {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53ULL;
        h ^= h >> 33;
        return h;
}

/* v1_bytes - format 1: fold bytes into h, eight at a time, the same on every byte order */
static uint64_t v1_bytes(uint64_t h, const void *p, size_t n) {
        const unsigned char *s = p;
        uint64_t w;

        h ^= (uint64_t) n * 0x9e3779b97f4a7c15ULL;
        for (; n >= 8; s += 8, n -= 8) {
                memcpy(&w, s, 8);
                h ^= le64toh(w) * 0x87c37b91114253d5ULL;
                h = ((h << 27) | (h >> 37)) * 5 + 0x52dce729;
        }
        w = 0;
        if (n > 0)
                memcpy(&w, s, n);
        h ^= le64toh(w) * 0x4cf5ad432745937fULL;
        return v1_mix(h);
}

/* journal_identity_v1 - the identity of format 1, for positions written by mxtls 0.1 */
uint64_t journal_identity_v1(uint64_t mono, const uint8_t boot[16], const void *msg, size_t len) {
        if (!msg)
                len = 0;
        return v1_bytes(v1_bytes(v1_mix(mono ^ 0x6d78746c73ULL), boot, 16),
                        msg, len < IDENTITY_MESSAGE_MAX ? len : IDENTITY_MESSAGE_MAX);
}

/* journal_identity - stable_hash() of mono (8 bytes, little-endian), boot, MESSAGE prefix */
uint64_t journal_identity(uint64_t mono, const uint8_t boot[16], const void *msg, size_t len) {
        unsigned char first[32];        /* mono, boot and the start of MESSAGE: one whole stripe */
        size_t k;
        StableHash h;

        if (!msg || len > IDENTITY_MESSAGE_MAX)
                len = msg ? IDENTITY_MESSAGE_MAX : 0;
        for (unsigned i = 0; i < 8; i++)
                first[i] = (unsigned char) (mono >> (8 * i));
        memcpy(first + 8, boot, 16);
        k = len < 8 ? len : 8;
        if (k > 0)
                memcpy(first + 24, msg, k);
        stable_hash_init(&h);
        stable_hash_update(&h, first, 24 + k);
        if (len > k)
                stable_hash_update(&h, (const char *) msg + k, len - k);
        return stable_hash_final(&h);
}

bool journal_window_all(const Window *w) {
        return w->count > w->n;
}

void journal_window_add(Window *w, uint64_t usec, uint64_t id) {
        if (usec < w->usec)
                return;                 /* older than usec: read already by definition */
        if (usec > w->usec) {
                /* a new window, of the current format (ids past n are never read: not cleared) */
                w->usec = usec;
                w->count = 0;
                w->n = 0;
                w->legacy = false;
        }
        if (w->n < WINDOW_MAX && !journal_window_all(w))
                w->ids[w->n++] = id;
        w->count++;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

        return x < y ? -1 : x > y;
}

void journal_window_sort(Window *w) {
        qsort(w->ids, w->n, sizeof w->ids[0], cmp_u64);
}

bool journal_window_has(const Window *w, uint64_t id) {
        return w->n > 0 && bsearch(&id, w->ids, w->n, sizeof id, cmp_u64) != NULL;
}

/* span_hex_to_u64 - 1 to 16 lower-case hex digits, nothing else */
static int span_hex_to_u64(Span s, uint64_t *ret) {
        uint64_t v = 0;

        if (s.n == 0 || s.n > 16)
                return -EINVAL;
        for (size_t i = 0; i < s.n; i++) {
                char c = s.p[i];
                unsigned d;

                if (c >= '0' && c <= '9')
                        d = (unsigned) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        d = (unsigned) (c - 'a' + 10);
                else
                        return -EINVAL;
                v = v << 4 | d;
        }
        *ret = v;
        return 0;
}

/* cursor_field - the value of "K=value" in a cursor ("s=...;i=...;..."); SPAN_NULL when missing */
static Span cursor_field(const char *cursor, char k) {
        for (const char *p = cursor; *p;) {
                const char *e = strchrnul(p, ';');

                if (p[0] == k && p[1] == '=')
                        return span_make(p + 2, (size_t) (e - p - 2));
                p = *e ? e + 1 : e;
        }
        return SPAN_NULL;
}

SeqPlace journal_seq_place(const char *cursor) {
        SeqPlace p = { 0 };
        Span id = cursor_field(cursor, 's');

        if (id.n != SEQUENCE_ID_LEN || span_copy(id, p.id, sizeof p.id) < 0 ||
            strspn(p.id, "0123456789abcdef") != SEQUENCE_ID_LEN ||
            span_hex_to_u64(cursor_field(cursor, 'i'), &p.seqnum) < 0)
                return (SeqPlace) { 0 };
        if (span_hex_to_u64(cursor_field(cursor, 't'), &p.usec) < 0)
                p.usec = 0;
        p.set = true;
        return p;
}

int journal_position_format(const Window *w, const char *cursor, char **ret) {
        StrBuf b;

        strbuf_init(&b);
        strbuf_printf(&b, "2 %llu %llu ", (unsigned long long) w->usec, (unsigned long long) w->count);
        if (w->n == 0)
                strbuf_putc(&b, '-');
        else if (!w->legacy)
                strbuf_puts(&b, STABLE_HASH_MARK);
        for (size_t i = 0; i < w->n; i++)
                strbuf_printf(&b, "%s%016llx", i == 0 ? "" : ",", (unsigned long long) w->ids[i]);
        strbuf_putc(&b, ' ');
        strbuf_puts(&b, cursor);
        if (b.oom) {
                strbuf_free(&b);
                return -ENOMEM;
        }
        *ret = b.data;
        return 0;
}

/* next_token - the text up to sep (or the end) from *p; moves *p past sep */
static Span next_token(const char **p, char sep) {
        const char *e = strchrnul(*p, sep);
        Span t = span_make(*p, (size_t) (e - *p));

        *p = *e ? e + 1 : e;
        return t;
}

/* ids_parse - "-", "h2:ID,ID,..." or (format 1) "ID,ID,..." into w */
static int ids_parse(Span list, Window *w) {
        if (span_eq(list, "-"))
                return 0;
        if (span_startswith(list, STABLE_HASH_MARK)) {
                list.p += STABLE_HASH_MARK_LEN;
                list.n -= STABLE_HASH_MARK_LEN;
        } else
                w->legacy = true;
        for (size_t i = 0; i < list.n;) {
                const char *q = list.p + i, *end = list.p + list.n, *comma;
                uint64_t id;

                comma = memchr(q, ',', (size_t) (end - q));
                if (!comma)
                        comma = end;
                if (span_hex_to_u64(span_make(q, (size_t) (comma - q)), &id) < 0)
                        return -EINVAL;
                /* (more than this version keeps: count > n, all of them count as read) */
                if (w->n < WINDOW_MAX)
                        w->ids[w->n++] = id;
                i = (size_t) (comma - list.p) + (comma < end);
                if (comma < end && i == list.n)
                        return -EINVAL;         /* trailing comma */
        }
        return list.n > 0 ? 0 : -EINVAL;
}

int journal_position_parse(const char *position, Window *w, const char **ret_cursor) {
        const char *p = position;
        Span t[5];
        size_t n = 0;

        *w = (Window) { 0 };
        while (*p && n < 5)
                t[n++] = next_token(&p, ' ');
        if (*p || n == 0 || t[n - 1].p[t[n - 1].n] != '\0')
                return -EINVAL;         /* more, or a space at the end */
        if (n == 2) {
                /* older versions: everything up to USEC read, nothing more known */
                if (span_to_u64(t[0], &w->usec) < 0 || t[1].n == 0)
                        return -EINVAL;
                w->count = 1;
                *ret_cursor = t[1].p;
                return 0;
        }
        if (n != 5 || !span_eq(t[0], "2") ||
            span_to_u64(t[1], &w->usec) < 0 ||
            span_to_u64(t[2], &w->count) < 0 ||
            ids_parse(t[3], w) < 0 ||
            w->count < w->n || t[4].n == 0)
                return -EINVAL;
        *ret_cursor = t[4].p;
        return 0;
}
