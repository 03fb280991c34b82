/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        fuzz-tls-field - libFuzzer target for the tls= grammar
 * DESCRIPTION
 *        Parses the input as a tls= value; when it parses, the canonical text
 *        must parse again to the same status (round trip).
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *reason = NULL;
        TlsStatus st, again;
        char canon[128], canon2[128];

        char *buf = malloc(size ? size : 1);
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        if (parse_tls_field(span_make(buf, size), &st, &reason) > 0) {
                tls_status_format(&st, canon, sizeof canon);
                if (parse_tls_field(span_make(canon, strlen(canon)), &again, &reason) <= 0)
                        abort();
                tls_status_format(&again, canon2, sizeof canon2);
                if (strcmp(canon, canon2) != 0)
                        abort();
        }
        free(buf);
        return 0;
}
