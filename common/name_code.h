/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        name_code - one table maps words to codes and codes to words
 * SYNOPSIS
 *        #include "name_code.h"
 *        int name_code(const NameCode *table, NameCodeFlags flags, const char *name);
 *        int name_code_n(const NameCode *table, NameCodeFlags flags, const char *name, size_t len);
 *        const char *name_code_str(const NameCode *table, int code);
 *        DEFINE_NAME_CODE_LOOKUP(prefix, Type, table)
 * DESCRIPTION
 *        Postfix's name_code(3). A table is an array of { name, code } ended by
 *        { NULL, NOT_FOUND }, where NOT_FOUND is what a failed lookup returns.
 *        Several names may share a code (aliases); name_code_str() returns the
 *        first, so the canonical spelling comes first.
 *        Unlike Postfix the match is exact by default; NAME_CODE_ANY_CASE folds
 *        ASCII case. name_code_n() looks up the len bytes at name (no NUL
 *        needed; NULL with len 0 is the empty word).
 *        DEFINE_NAME_CODE_LOOKUP() defines the typed, exact lookups over a table
 *        of Type codes: prefix_to_string(), prefix_from_string() and
 *        prefix_from_string_n() (systemd's DEFINE_STRING_TABLE_LOOKUP).
 * DIAGNOSTICS
 *        name_code(), name_code_n(): the code, or NOT_FOUND (also for a NULL
 *        name). name_code_str(): the first name with that code, or NULL.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct NameCode {
        const char *name;
        int code;
} NameCode;

typedef enum NameCodeFlags {
        NAME_CODE_EXACT    = 0,
        NAME_CODE_ANY_CASE = 1 << 0,    /* ASCII case-insensitive, as Postfix's default */
} NameCodeFlags;

int name_code(const NameCode *table, NameCodeFlags flags, const char *name);
int name_code_n(const NameCode *table, NameCodeFlags flags, const char *name, size_t len);
const char *name_code_str(const NameCode *table, int code);

#define DEFINE_NAME_CODE_LOOKUP(prefix, type, table)                                   \
        const char *prefix##_to_string(type v) {                                        \
                return name_code_str(table, (int) v);                                   \
        }                                                                               \
        type prefix##_from_string(const char *s) {                                      \
                return (type) name_code(table, NAME_CODE_EXACT, s);                     \
        }                                                                               \
        type prefix##_from_string_n(const char *s, size_t n) {                          \
                return (type) name_code_n(table, NAME_CODE_EXACT, s, n);                \
        }
