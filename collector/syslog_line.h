/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        syslog_line - turn one text log line into a PfRecord
 * SYNOPSIS
 *        #include "syslog_line.h"
 *
 *        SyslogContext ctx = { .reference_usec = mtime_usec, .utc_offset_sec = 3600 };
 *        char ident[PF_IDENTIFIER_MAX + 1], host[PF_HOSTNAME_MAX + 1];
 *        PfRecord rec;
 *        const char *why;
 *        r = syslog_line_parse(line, len, &ctx, &rec, ident, sizeof ident,
 *                              host, sizeof host, &why);
 *
 *        int syslog_tag_parse(Span s, Span *ret_ident, uint32_t *ret_pid, Span *ret_msg);
 * DESCRIPTION
 *        Accepted line formats (a trailing "\n" or "\r\n" is ignored, and so is
 *        a leading "<PRI>"):
 *
 *            line     = stamp " " host " " tag message
 *            stamp    = rfc3164 / rfc3339
 *            rfc3164  = month " " day " " HH ":" MM ":" SS ["." 1*DIGIT]
 *                       ; month "Jan".."Dec", day "4", " 4" or "04"
 *                       ; also Postfix maillog_file (postlogd) lines
 *            rfc3339  = YYYY "-" MM "-" DD ("T" / "t") HH ":" MM ":" SS ["." 1*DIGIT]
 *                       ("Z" / "z" / ("+" / "-") HH [":"] MM)
 *                       ; rsyslog RSYSLOG_FileFormat, journalctl -o short-iso(-precise)
 *            tag      = ident ["[" pid "]"] ":" [" "]
 *
 *        When the line has no "ident[pid]:" tag (e.g. "last message repeated
 *        2 times") the record has identifier "" and pid 0, and the message is
 *        everything after the host. Severity prefixes such as "warning: "
 *        stay in the message, as in the journal.
 *
 *        RFC 3164 stamps carry neither year nor zone: they are read as local
 *        time with the offset from ctx (utc_offset() when set, else
 *        utc_offset_sec), in ctx->year, or when that is 0, in the year that
 *        puts the stamp at most one day after ctx->reference_usec (the file's
 *        modification time or "now": a December line read in January belongs
 *        to the previous year). RFC 3339 stamps carry their own offset; ctx
 *        may then be NULL. The result is UTC microseconds since the epoch;
 *        fractions beyond microseconds are dropped.
 *
 *        The record's message points into line (not NUL-terminated); its
 *        identifier and hostname are NUL-terminated copies in the caller's
 *        buffers (PF_IDENTIFIER_MAX + 1 and PF_HOSTNAME_MAX + 1 bytes always
 *        suffice); boot_id is "". No allocation, no I/O.
 *
 *        syslog_tag_parse() splits "ident[pid]: msg" or "ident: msg" at the
 *        start of s, for a journal MESSAGE that carries a whole prefixed line
 *        (Postfix maillog_file = /dev/stdout under a container runtime).
 * DIAGNOSTICS
 *        syslog_line_parse(): 1 parsed; 0 empty line; -EBADMSG malformed line
 *        (bad or impossible time stamp, missing host, identifier or host too
 *        long or with control characters, pid overflow, message longer than
 *        PF_MESSAGE_MAX); -ENOBUFS a caller buffer is too small; -EINVAL bad
 *        arguments or an RFC 3164 line with no way to know its year.
 *        *reterr_reason is a static string for every negative return.
 *        syslog_tag_parse(): 1 split, 0 no tag at the start of s, -EBADMSG
 *        "ident[" followed by a bad pid or a missing "]:", or a tag whose
 *        identifier is longer than PF_IDENTIFIER_MAX.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "span.h"

typedef struct SyslogContext {
        int year;                       /* year of RFC 3164 stamps; 0 = derive from reference_usec */
        uint64_t reference_usec;        /* no line is later than this (+1 day); file mtime or now */
        int32_t utc_offset_sec;         /* zone of RFC 3164 stamps, seconds east of UTC */
        /* Optional, DST-aware: offset (seconds east of UTC) in force at a local
         * wall-clock time given as seconds since the epoch read as if it were
         * UTC. Negative errno on failure. Overrides utc_offset_sec when set. */
        int (*utc_offset)(int64_t local_sec, void *userdata, int32_t *ret_offset_sec);
        void *userdata;
} SyslogContext;

int syslog_line_parse(const char *line, size_t len, const SyslogContext *ctx, PfRecord *ret,
                      char *ident_buf, size_t ident_bufsz, char *host_buf, size_t host_bufsz,
                      const char **reterr_reason);

int syslog_tag_parse(Span s, Span *ret_ident, uint32_t *ret_pid, Span *ret_msg);
