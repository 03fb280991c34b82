/*
 * NAME
 *        yaml_scan - check a YAML document against a key tree, with line numbers
 * SYNOPSIS
 *        #include "yaml_scan.h"
 *        int yaml_scan(const char *file, const char *data, size_t len,
 *                      const YamlKeySpec *top, YamlScan **ret, char **reterr_message);
 *        unsigned yaml_scan_line(const YamlScan *s, const char *path);
 * DESCRIPTION
 *        Walks the document with libyaml's event parser before libcyaml decodes
 *        it, because libcyaml reports neither the line of an unexpected key nor
 *        rejects lax scalars ("1e3" as 1, "maybe" as true). The walk rejects
 *        syntax errors, unknown and duplicate keys, aliases, values of the wrong
 *        shape, numbers that are not plain decimal within bounds and booleans
 *        other than true/false/yes/no. Every message reads
 *        "FILE:LINE: unknown key 'propose.x'" or
 *        "FILE:LINE: key 'window_days': invalid value '1e3' (expected ...)".
 *        On success the scan remembers the line of every key (dotted path) so
 *        that later semantic checks can name the line too.
 * DIAGNOSTICS
 *        0 valid, -EBADMSG invalid (*reterr_message malloc'd), -ENOMEM.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum YamlKind {
        YAML_KIND_STRING,               /* scalar, at most max bytes (0 = 4096) */
        YAML_KIND_UINT,                 /* plain decimal, min..max */
        YAML_KIND_BOOL,                 /* true/false/yes/no, any case */
        YAML_KIND_STRING_LIST,          /* sequence of scalars, at most max items */
        YAML_KIND_MAPPING,              /* nested keys in children */
} YamlKind;

typedef struct YamlKeySpec {
        const char *name;               /* NULL ends an array */
        YamlKind kind;
        uint64_t min;
        uint64_t max;
        const struct YamlKeySpec *children;
} YamlKeySpec;

typedef struct YamlKeyPos {
        char *path;                     /* "propose.level" */
        unsigned line;                  /* 1-based line of the key */
        unsigned value_line;            /* 1-based line where the value starts */
} YamlKeyPos;

typedef struct YamlScan {
        YamlKeyPos *keys;
        size_t n_keys;
        size_t cap;
} YamlScan;

int yaml_scan(const char *file, const char *data, size_t len,
              const YamlKeySpec *top, YamlScan **ret, char **reterr_message);
YamlScan *yaml_scan_free(YamlScan *s);
/* Line of the value of a dotted key path, 0 when the key is absent. */
unsigned yaml_scan_line(const YamlScan *s, const char *path);
/* Line of the key itself, 0 when absent. */
unsigned yaml_scan_key_line(const YamlScan *s, const char *path);
bool yaml_scan_has(const YamlScan *s, const char *path);
