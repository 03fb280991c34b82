/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        fuzz-parse - libFuzzer target for parse_record() and the syslog adapter
 * DESCRIPTION
 *        The input is one MESSAGE. The first byte picks the identifier so that
 *        smtp, lmtp, tlsproxy and other programs are all exercised.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const idents[] = {
                "postfix/smtp", "postfix-out/smtp", "postfix/relay/smtp", "postfix/lmtp",
                "postfix/tlsproxy", "postfix/qmgr",
        };
        const char *reason = NULL;
        Event ev;

        if (size < 1)
                return 0;

        /* an exact-size heap copy so ASan catches any read past the end */
        char *msg = malloc(size - 1 ? size - 1 : 1);
        if (!msg)
                return 0;
        memcpy(msg, data + 1, size - 1);

        PfRecord rec = {
                .realtime_usec = 1795564800000000ULL,
                .boot_id = "0123456789abcdef0123456789abcdef",
                .hostname = "mx.example",
                .identifier = idents[data[0] % (sizeof idents / sizeof idents[0])],
                .pid = 4242,
                .message = msg,
                .message_len = size - 1,
        };
        (void) parse_record(&rec, &ev, &reason);

        Span s = span_make(msg, size - 1);
        TlsStatus st;
        TlsLine tl;
        Delivery d;
        (void) parse_tls_field(s, &st, &reason);
        (void) parse_tls_line(s, &tl, &reason);
        (void) parse_delivery(s, &d, &reason);
        (void) parse_failure_reason(s);

        free(msg);
        return 0;
}
