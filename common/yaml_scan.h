/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        yaml_scan - check a YAML document against a key tree, with line numbers
 * SYNOPSIS
 *        #include "yaml_scan.h"
 *        int yaml_scan(const char *file, const char *data, size_t len,
 *                      const YamlKeySpec *top, YamlScanMode mode,
 *                      YamlScan **ret, char **reterr_message);
 *        bool yaml_scan_has(const YamlScan *s, const char *path);
 *        unsigned yaml_scan_line(const YamlScan *s, const char *path);
 *        YamlScan *yaml_scan_free(YamlScan *s);
 * DESCRIPTION
 *        Walks the document with libyaml's event parser before libcyaml decodes
 *        it, because libcyaml's messages name neither the file nor the line of
 *        an unexpected key, and it accepts lax scalars ("1e3" as 1, "maybe" as
 *        true). The walk rejects syntax errors, unknown keys (with a "did you
 *        mean" hint), duplicate keys, values of the wrong shape, numbers that
 *        are not plain decimal within bounds, booleans other than
 *        true/false/yes/no, and strings that break the rules of their kind.
 *        Every message reads "FILE:LINE: ...". On success the scan remembers
 *        the line of every key, by dotted path ("propose.level"), and of every
 *        list item ("trust[1]"), so that later semantic checks can name the
 *        line too.
 *
 *        The mode says what kind of file it is, and so how lenient the walk is
 *        and how its messages are worded:
 *
 *        YAML_SCAN_DOCUMENT  a data file that must hold a mapping (policy
 *              templates). Aliases are refused wherever they stand; a null
 *              scalar is an empty string. Messages are terse:
 *              "key 'window_days': invalid value '1e3' (expected a number 1..3660)".
 *        YAML_SCAN_SETTINGS  a settings file whose keys are all optional
 *              (mxtls.yaml). An empty document, one of comments only or a null
 *              root holds no keys; every key given needs a value; booleans may
 *              also be on/off. Messages say what to write:
 *              "key 'retention_days': expected a whole number, got '1e3'".
 * DIAGNOSTICS
 *        0 valid, -EBADMSG invalid (*reterr_message malloc'd), -EINVAL a
 *        mapping of more than 64 keys in the table, -ENOMEM.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"

typedef enum YamlScanMode {
        YAML_SCAN_DOCUMENT,
        YAML_SCAN_SETTINGS,
} YamlScanMode;

typedef enum YamlKind {
        YAML_KIND_STRING,               /* any scalar without NUL, at most max bytes */
        YAML_KIND_UINT,                 /* plain decimal, no sign or leading zero, min..max */
        YAML_KIND_BOOL,                 /* true/false/yes/no, any case */
        YAML_KIND_PATH,                 /* absolute path, at most max bytes, no control characters */
        YAML_KIND_WORD,                 /* at most max bytes, no white space or control characters */
        YAML_KIND_TEXT,                 /* at most max bytes, no control characters */
        YAML_KIND_DOMAIN,               /* LDH domain name, any case; a leading '.' allowed */
        YAML_KIND_MAPPING,              /* the keys in children */
} YamlKind;

#define YAML_STRING_MAX_DEFAULT 4096

typedef struct YamlKeySpec {
        const char *name;               /* NULL ends an array */
        YamlKind kind;
        bool list;                      /* a sequence of such strings (string kinds only) */
        uint32_t min;                   /* UINT: smallest value */
        uint32_t max;                   /* UINT: largest value; strings: longest (0 = 4096) */
        uint32_t max_items;             /* list: most items (0 = no limit) */
        const struct YamlKeySpec *children;     /* MAPPING */
} YamlKeySpec;

typedef struct YamlKeyPos {
        char *path;                     /* "propose.level", "trust[0]" */
        unsigned line;                  /* 1-based line of the key */
        unsigned value_line;            /* 1-based line where the value starts */
} YamlKeyPos;

typedef struct YamlScan {
        YamlKeyPos *keys;               /* in document order */
        size_t n_keys;                  /* 0: the document holds no keys */
        size_t cap;
} YamlScan;

int yaml_scan(const char *file, const char *data, size_t len, const YamlKeySpec *top,
              YamlScanMode mode, YamlScan **ret, char **reterr_message);
YamlScan *yaml_scan_free(YamlScan *s);
/* Line of the value of a dotted key path, 0 when the key is absent. */
unsigned yaml_scan_line(const YamlScan *s, const char *path);
/* Line of the key itself, 0 when absent. */
unsigned yaml_scan_key_line(const YamlScan *s, const char *path);
/* Was the key present (even with an empty list or mapping)? */
bool yaml_scan_has(const YamlScan *s, const char *path);

DEFINE_TRIVIAL_CLEANUP_FUNC(YamlScan *, yaml_scan_free)
