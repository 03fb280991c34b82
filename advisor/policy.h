/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        policy - read an smtp_tls_policy_maps source file
 * SYNOPSIS
 *        #include "policy.h"
 *        int policy_parse(const char *file, const char *data, size_t len,
 *                         PolicyMap **ret, char **reterr_message);
 *        int policy_load(const char *path, PolicyMap **ret, char **reterr_message);
 *        const PolicyEntry *policy_lookup(const PolicyMap *m, const char *nexthop);
 *        int policy_default_path(char **ret_path, char **reterr_message);
 * DESCRIPTION
 *        postmap(1) source syntax: "key whitespace value" logical lines; blank
 *        lines and lines whose first non-blank is '#' are ignored; a line that
 *        starts with whitespace continues the previous logical line; keys may
 *        be double-quoted (the quotes stay part of the key, as in postmap).
 *        Values follow the tls_policy grammar: a level, then attributes
 *        separated by blanks or commas, "name=value" or "{ name = value }".
 *        Levels and attributes are validated as smtp(8) does; anything smtp(8)
 *        would reject is an error naming FILE:LINE. Keys are folded to lower
 *        case. A repeated key is kept once (first wins, as postmap does) and
 *        counted in duplicate_lines.
 *
 *        Entries between "# BEGIN mxtls" and "# END mxtls" lines are flagged
 *        (in_mxtls_section): that section belongs to "mxtls advise --merge".
 *
 *        policy_lookup() follows smtp(8): the exact key, then, only for plain
 *        host names, ".parent" keys from the nearest parent upward.
 *
 *        policy_default_path() asks "postconf -xh smtp_tls_policy_maps" and
 *        returns the source file of the first table of type hash, lmdb, cdb,
 *        btree, dbm or texthash (-ENOENT: postconf missing or parameter empty;
 *        -EOPNOTSUPP: a table type whose source cannot be read).
 * DIAGNOSTICS
 *        -EBADMSG bad input (*reterr_message "FILE:LINE: ..."), -ENOMEM,
 *        negative errno from reading.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define POLICY_FILE_MAX (64 * 1024 * 1024)
/* Markers of the section "mxtls advise --merge" maintains; matched at the start
 * of a line, anything after them on the line is free text. */
#define POLICY_SECTION_BEGIN "# BEGIN mxtls"
#define POLICY_SECTION_END "# END mxtls"

typedef struct PolicyAttr {
        char *name;                     /* lower case */
        char *value;                    /* whitespace-normalised for { } forms */
} PolicyAttr;

typedef struct PolicyEntry {
        char *key;                      /* as stored by postmap: lower case, quotes kept */
        char *level;                    /* lower case */
        char *value;                    /* the value text, whitespace-normalised */
        PolicyAttr *attrs;
        size_t n_attrs;
        unsigned line;                  /* first line of the logical line */
        bool quoted;                    /* the key holds a '"' */
        bool in_mxtls_section;
        bool ignored_attributes;        /* level none with attributes (smtp(8) warns) */
} PolicyEntry;

typedef struct PolicyDuplicate {
        char *key;
        unsigned line;                  /* line of the ignored repetition */
        unsigned first_line;
        bool in_mxtls_section;
} PolicyDuplicate;

typedef struct PolicyMap {
        char *path;
        PolicyEntry *entries;
        size_t n_entries;
        PolicyDuplicate *duplicates;
        size_t n_duplicates;
        bool has_mxtls_section;
        size_t *sorted;                 /* entry indices by key, for lookups */
} PolicyMap;

int policy_parse(const char *file, const char *data, size_t len, PolicyMap **ret,
                 char **reterr_message);
int policy_load(const char *path, PolicyMap **ret, char **reterr_message);
PolicyMap *policy_free(PolicyMap *m);

const PolicyEntry *policy_lookup(const PolicyMap *m, const char *nexthop);
/* Like policy_lookup() but ignoring the mxtls section and also matching a quoted
 * form of the name: "does the administrator's map already speak of this domain". */
const PolicyEntry *policy_names(const PolicyMap *m, const char *domain);
const char *policy_attr(const PolicyEntry *e, const char *name);   /* first value, NULL if absent */

bool policy_level_valid(const char *level);     /* a level accepted in tables */
/* Parse the value part of one entry into e (level, attrs, value); policy_value.c.
 * *reterr_text is a message without FILE:LINE. */
int policy_value_parse(const char *value, PolicyEntry *e, char **reterr_text);

int policy_default_path(char **ret_path, char **reterr_message);
