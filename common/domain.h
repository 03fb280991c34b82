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
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define DOMAIN_MAX 253

bool domain_is_valid(const char *s, size_t n);
/* -EINVAL when there is no '@' or nothing after it, -ENOBUFS when too long. */
int domain_from_address(const char *addr, size_t n, char *buf, size_t bufsz);
bool addr_is_loopback(const char *addr, size_t n);
