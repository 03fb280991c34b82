/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        fuzz-correlate - libFuzzer target for the correlation feed
 * DESCRIPTION
 *        The input is a sequence of records separated by '\n'; each record is
 *        "P M" where P is one byte choosing the PID (and program) and M the
 *        message. Every record goes through parse_record() and correlate_feed();
 *        half way the state is saved and loaded into a fresh correlator, and the
 *        outcome counts must equal those of a single uninterrupted run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "correlate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count_outcome(const Outcome *o, void *userdata) {
        uint64_t *counts = userdata;
        if (o->kind >= 0 && o->kind < _OUTCOME_KIND_MAX)
                counts[o->kind]++;
}

static void feed(Correlator *c, const uint8_t *data, size_t size, size_t from, size_t to) {
        static const char *const idents[] = { "postfix/smtp", "postfix/tlsproxy", "postfix-out/smtp" };
        size_t start = 0, idx = 0;

        for (size_t i = 0; i <= size; i++) {
                if (i < size && data[i] != '\n')
                        continue;
                if (i > start && idx >= from && idx < to) {
                        const char *reason;
                        Event ev;
                        PfRecord rec = {
                                .realtime_usec = 1795564800000000ULL + idx * 1000000ULL,
                                .boot_id = "b",
                                .hostname = "h",
                                .identifier = idents[data[start] % 3],
                                .pid = 100 + data[start] % 5,
                                .message = (const char *) data + start + 1,
                                .message_len = i - start - 1,
                        };
                        if (parse_record(&rec, &ev, &reason) > 0)
                                (void) correlate_feed(c, &rec, &ev);
                }
                if (i > start)
                        idx++;
                start = i + 1;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        CorrelateLimits lim = { .idle_usec = 30ULL * 1000000ULL, .max_sessions = 4 };
        uint64_t one[_OUTCOME_KIND_MAX] = { 0 }, two[_OUTCOME_KIND_MAX] = { 0 };
        Correlator *c;
        char *blob = NULL;
        size_t blob_len = 0;

        c = correlator_new(&lim, count_outcome, one);
        if (!c)
                return 0;
        feed(c, data, size, 0, SIZE_MAX);
        c = correlator_free(c);

        c = correlator_new(&lim, count_outcome, two);
        if (!c)
                return 0;
        feed(c, data, size, 0, 8);
        if (correlator_save(c, &blob, &blob_len) >= 0) {
                c = correlator_free(c);
                c = correlator_new(&lim, count_outcome, two);
                if (c && correlator_load(c, blob, blob_len) < 0)
                        abort();
        }
        free(blob);
        if (c) {
                feed(c, data, size, 8, SIZE_MAX);
                c = correlator_free(c);
                if (memcmp(one, two, sizeof one) != 0)
                        abort();
        }

        /* loading arbitrary bytes must fail cleanly or succeed, never crash */
        c = correlator_new(&lim, count_outcome, two);
        if (c) {
                (void) correlator_load(c, (const char *) data, size);
                c = correlator_free(c);
        }
        return 0;
}
