/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        record - one log record, independent of where it came from
 * DESCRIPTION
 *        A PfRecord is what every source (journal, text log, test fixture)
 *        hands to the parsers. The "ident[pid]: " prefix is already split off:
 *        identifier and pid are separate, message is the text after it.
 *        All pointers belong to the source and are valid until its next call.
 */
#pragma once

#include <stdint.h>
#include <stddef.h>

#define PF_MESSAGE_MAX (64 * 1024)     /* longer messages are malformed input */
#define PF_BOOT_ID_MAX 32              /* 128-bit id in hex */
#define PF_HOSTNAME_MAX 255
#define PF_IDENTIFIER_MAX 255

typedef struct PfRecord {
        uint64_t realtime_usec;         /* wall clock, UTC, microseconds */
        const char *boot_id;            /* "" when unknown (text logs) */
        const char *hostname;           /* "" when unknown */
        const char *identifier;         /* SYSLOG_IDENTIFIER, e.g. "postfix/smtp" */
        uint32_t pid;                   /* SYSLOG_PID, 0 when missing */
        const char *message;            /* MESSAGE, not necessarily NUL-terminated */
        size_t message_len;
} PfRecord;
