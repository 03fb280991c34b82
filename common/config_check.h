/*
 * NAME
 *        config_check - validate a flat YAML mapping of keys, with line numbers
 * SYNOPSIS
 *        #include "config_check.h"
 *        int config_check(const char *path, const char *data, size_t len,
 *                         const ConfigKey *keys, size_t n_keys, uint64_t *ret_present,
 *                         char **reterr_message);
 * DESCRIPTION
 *        Walks the document with libyaml before it is handed to libcyaml, so that
 *        every complaint can name FILE:LINE and the key: syntax errors, a root that
 *        is not a mapping, unknown and duplicate keys, values of the wrong type,
 *        numbers out of range, invalid paths and domains. A document that is
 *        empty or holds only comments is valid. *ret_present gets bit i set for
 *        each keys[i] present in the file (at most 64 keys).
 * DIAGNOSTICS
 *        0 valid, -EBADMSG invalid (*reterr_message malloc'd), -ENOMEM.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum ConfigKeyKind {
        CONFIG_KEY_UINT,                /* decimal, min..max */
        CONFIG_KEY_BOOL,                /* true/false, yes/no, on/off */
        CONFIG_KEY_PATH,                /* absolute path, at most max bytes */
        CONFIG_KEY_WORD,                /* printable, no white space, at most max bytes */
        CONFIG_KEY_TEXT,                /* printable, at most max bytes */
        CONFIG_KEY_DOMAIN,              /* LDH domain name, any case; leading '.' allowed */
} ConfigKeyKind;

typedef struct ConfigKey {
        const char *key;
        ConfigKeyKind kind;
        bool list;                      /* a YAML sequence of such values */
        uint32_t min;                   /* UINT only */
        uint32_t max;                   /* UINT: largest value; strings: longest */
        uint32_t max_items;             /* lists only */
} ConfigKey;

int config_check(const char *path, const char *data, size_t len,
                 const ConfigKey *keys, size_t n_keys, uint64_t *ret_present,
                 char **reterr_message);
