/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        fuzz-syslog-line - libFuzzer target for the text-log line parser
 * DESCRIPTION
 *        The input is one line of a mail log (rsyslog, postlogd), untrusted
 *        text. The first byte picks the context: RFC 3164 stamps with a fixed
 *        year or a year derived from the reference time, and the zone. The
 *        line is parsed into a record; a record that parses goes on through
 *        parse_record() as collect would, and the tag parser runs on the
 *        whole line. Invariants: the message lies inside the line, the
 *        identifier and host are NUL-terminated within their buffers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "syslog_line.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char ident[PF_IDENTIFIER_MAX + 1], host[PF_HOSTNAME_MAX + 1];
        const char *why = NULL;
        PfRecord rec;
        Event ev;
        Span tag_ident, tag_msg;
        uint32_t pid;
        int r;

        if (size < 1)
                return 0;
        SyslogContext ctx = {
                .year = (data[0] & 1) ? 2024 : 0,
                .reference_usec = 1795564800000000ULL,
                .utc_offset_sec = (int32_t) ((data[0] >> 1) % 27 - 13) * 3600,
        };
        /* an exact-size heap copy so ASan catches any read past the end */
        char *line = malloc(size - 1 ? size - 1 : 1);
        if (!line)
                return 0;
        memcpy(line, data + 1, size - 1);

        r = syslog_line_parse(line, size - 1, &ctx, &rec, ident, sizeof ident, host, sizeof host, &why);
        if (r < 0 && !why)
                abort();                /* every error names its reason */
        if (r == 1) {
                if (rec.message < line || rec.message + rec.message_len > line + (size - 1) ||
                    memchr(ident, '\0', sizeof ident) == NULL || memchr(host, '\0', sizeof host) == NULL)
                        abort();
                (void) parse_record(&rec, &ev, &why);
        }
        (void) syslog_tag_parse(span_make(line, size - 1), &tag_ident, &pid, &tag_msg);
        free(line);
        return 0;
}
