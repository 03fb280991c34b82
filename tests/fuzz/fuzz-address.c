/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        fuzz-address - property target: nothing inside to=<...> changes the fields after it
 * DESCRIPTION
 *        The input is a local part chosen by a stranger. It is quoted as
 *        Postfix's quote_822_local() does (the whole local part in double
 *        quotes, '"' and '\' escaped with '\') and put into a delivery line
 *        as to=<LOCAL@attacker.example> and, when the first byte is odd, as
 *        orig_to=<...> too, followed by fixed relay=, tls= and status=
 *        fields. parse_delivery() must return exactly those fields and
 *        domain_from_address() the domain after the quotes, whatever the
 *        bytes: a crash, a different relay, tls level, status or domain
 *        aborts the run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TAIL ", relay=mx.attacker.example[198.51.100.7]:25, delay=1, delays=0/0/0.5/0.5, tls=may, " \
             "dsn=5.1.1, status=bounced (host mx.attacker.example[198.51.100.7] said: 550 no)"

static size_t put_quoted(char *out, const uint8_t *local, size_t n) {
        size_t k = 0;

        out[k++] = '"';
        for (size_t i = 0; i < n; i++) {
                if (local[i] == '"' || local[i] == '\\')
                        out[k++] = '\\';
                out[k++] = (char) local[i];
        }
        out[k++] = '"';
        memcpy(out + k, "@attacker.example", 17);
        return k + 17;
}

static void check(bool ok, const char *what) {
        if (!ok) {
                fprintf(stderr, "fuzz-address: %s\n", what);
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        bool with_orig = size > 0 && (data[0] & 1);
        size_t addr_max = 2 * size + 2 + 17, len = 0;
        char *line = malloc(64 + 2 * addr_max + sizeof TAIL);
        char domain[256];
        const char *why = NULL;
        Delivery d;
        size_t a;

        if (!line)
                return 0;
        memcpy(line, "67989A74692: to=<", 17);
        len = 17;
        a = put_quoted(line + len, data, size);
        len += a;
        line[len++] = '>';
        if (with_orig) {
                memcpy(line + len, ", orig_to=<", 11);
                len += 11;
                len += put_quoted(line + len, data, size);
                line[len++] = '>';
        }
        memcpy(line + len, TAIL, sizeof TAIL - 1);
        len += sizeof TAIL - 1;

        check(parse_delivery(span_make(line, len), &d, &why) == 1, "not parsed");
        check(d.to.n == a && memcmp(d.to.p, line + 17, a) == 0, "recipient changed");
        check(span_eq(d.relay, "mx.attacker.example[198.51.100.7]:25"), "relay changed");
        check(d.relay_is_peer && span_eq(d.delay, "1"), "relay or delay changed");
        check(d.has_tls_field && d.tls.level.present && d.tls.level.init == TLS_LEVEL_MAY &&
              !d.tls.level.violated, "tls changed");
        check(d.status == STATUS_BOUNCED && span_eq(d.dsn, "5.1.1"), "status changed");
        check(with_orig == (d.orig_to.n > 0), "orig_to changed");
        check(domain_from_address(d.to.p, d.to.n, domain, sizeof domain) == 0 &&
              strcmp(domain, "attacker.example") == 0, "domain changed");
        free(line);
        return 0;
}
