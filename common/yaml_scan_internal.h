/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        yaml_scan_internal - scanner state shared by yaml_scan.c and yaml_scan_value.c
 * SYNOPSIS
 *        #include "yaml_scan_internal.h"
 * DESCRIPTION
 *        yaml_scan.c walks the document structure (mappings, lists, keys) and
 *        owns the parser; yaml_scan_value.c checks single values and words
 *        what is wrong with them for the scan mode. Not part of the public
 *        contract: only yaml_scan*.c include this.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "cleanup.h"
#include "yaml_scan.h"

#define YAML_QUOTE_MAX 48               /* bytes of a value or key quoted in a message */

typedef struct YamlScanner {
        yaml_parser_t parser;
        yaml_event_t event;             /* the current event, owned */
        bool have_event;
        const char *file;
        const char *data;
        size_t len;
        YamlScanMode mode;
        YamlScan *scan;
        char *error;                    /* the first problem, "FILE:LINE: text" */
} YamlScanner;

/* The value being checked. */
typedef struct YamlWhere {
        const YamlKeySpec *key;
        const char *path;               /* dotted path of the key */
        size_t item;                    /* 1-based list item, 0 for the value itself */
        size_t line;                    /* 1-based */
} YamlWhere;

/* Remember the first problem; -EBADMSG, or -ENOMEM. */
int yaml_scan_fail(YamlScanner *s, size_t line, const char *fmt, ...) _printf_(3, 4);

/* The current event, a scalar, as a value of w->key: 0, or the problem reported. */
int yaml_scan_value_check(YamlScanner *s, const YamlWhere *w);
/* The current event is a node of the wrong type for w->key: report it. */
int yaml_scan_value_wrong_shape(YamlScanner *s, const YamlWhere *w);

/* Bounded copy of a scalar for a message; control characters become '?'. */
const char *yaml_scan_value_quote(const yaml_event_t *e, char buf[static YAML_QUOTE_MAX + 4]);
/* "a list", "a mapping", "an alias", "a value" */
const char *yaml_scan_value_noun(yaml_event_type_t t);
/* A scalar that YAML reads as null: empty, ~ or null (plain style). */
bool yaml_scan_value_is_null(const yaml_event_t *e);
