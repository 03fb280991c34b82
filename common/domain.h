/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        domain - strict domain and address validation
 * SYNOPSIS
 *        #include "domain.h"
 *        bool domain_is_valid(const char *s, size_t n);
 * DESCRIPTION
 *        domain_is_valid() accepts only LDH labels (letters, digits, hyphen,
 *        no leading/trailing hyphen), 1..63 bytes per label, at least two labels,
 *        253 bytes in all, an optional single trailing dot is rejected. Anything
 *        that reaches a policy file must pass it.
 *        domain_from_address() takes the part after the last '@' outside quotes of an address
 *        (angle brackets already removed) and lower-cases it into buf.
 *        addr_is_loopback() is true for 127.0.0.0/8, ::1 and ::ffff:127.x.
 *
 *        domain_recipient() gives the name a recipient address is counted
 *        under, in buf (DOMAIN_BUCKET_MAX + 1 bytes always suffice):
 *          DOMAIN_KIND_NAME     an LDH name, lower case; a UTF-8 domain
 *                               (SMTPUTF8) as its A-label (IDNA2008,
 *                               non-transitional, input in NFC)
 *          DOMAIN_KIND_LITERAL  an address literal, "[192.0.2.1]" or
 *                               "[IPv6:2001:db8::1]": its own bucket, never
 *                               a policy domain
 *          DOMAIN_KIND_NONE     no domain: "(none)"
 *          DOMAIN_KIND_INVALID  counted apart by reason: "(invalid: syntax)",
 *                               "(invalid: not UTF-8)", "(invalid: IDNA)",
 *                               "(invalid: address literal)", "(invalid: too long)"
 *        The buckets hold characters no domain can, so they never pass
 *        domain_is_valid() and never reach a policy file.
 *        domain_to_unicode() gives the U-label form of a name with A-labels
 *        (malloc'd, for display beside it), NULL when there is none.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define DOMAIN_MAX 253
#define DOMAIN_RAW_MAX 1024             /* a recipient domain as logged, before normalisation */
#define DOMAIN_BUCKET_MAX DOMAIN_MAX

#define DOMAIN_BUCKET_NONE "(none)"
#define DOMAIN_BUCKET_SYNTAX "(invalid: syntax)"
#define DOMAIN_BUCKET_UTF8 "(invalid: not UTF-8)"
#define DOMAIN_BUCKET_IDNA "(invalid: IDNA)"
#define DOMAIN_BUCKET_LITERAL "(invalid: address literal)"
#define DOMAIN_BUCKET_TOO_LONG "(invalid: too long)"

typedef enum DomainKind {
        DOMAIN_KIND_NAME,
        DOMAIN_KIND_LITERAL,
        DOMAIN_KIND_NONE,
        DOMAIN_KIND_INVALID,
} DomainKind;

bool domain_is_valid(const char *s, size_t n);
/* -EINVAL when there is no '@' or nothing after it, -ENOBUFS when too long. */
int domain_from_address(const char *addr, size_t n, char *buf, size_t bufsz);
bool addr_is_loopback(const char *addr, size_t n);
DomainKind domain_recipient(const char *addr, size_t n, char *buf, size_t bufsz);
char *domain_to_unicode(const char *ace);
