/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        template - advisor rule sets (policy-templates/NAME.yaml)
 * SYNOPSIS
 *        #include "template.h"
 *        int template_load_file(const char *path, Template **ret, char **reterr_message);
 *        int template_load_data(const char *file, const char *data, size_t len,
 *                               Template **ret, char **reterr_message);
 *        int template_find(const char *name_or_file, const char *templates_dir,
 *                          char **ret_path, char **reterr_message);
 *        bool template_name_valid(const char *s);
 *        Template *template_free(Template *t);
 * DESCRIPTION
 *        A template says when a destination domain has earned a policy level
 *        and what line to propose. Keys (all optional except propose.level):
 *
 *            name, description
 *            window_days        days of history looked at (default 60)
 *            min_deliveries     delivered messages in the window (default 50)
 *            min_days           distinct days with deliveries of known TLS status,
 *                               days_delivered (evidence.h) (default 14)
 *            min_tls_share      percent of deliveries over TLS (default 100)
 *            max_tls_failures   TLS failures tolerated (default 0)
 *            min_protocol       every TLS delivery at least this (e.g. TLSv1.2)
 *            trust              acceptable trust words (Verified, Trusted, ...)
 *            exclude_domains    never proposed; ".example" covers subdomains
 *            propose:
 *              level            may|encrypt|dane|dane-only|verify|secure
 *              protocols        e.g. ">=TLSv1.2"
 *              match            "mx" (derived from observed MX names) or a
 *                               literal ':'-separated list (verify/secure)
 *              require_dane_verified  only where DANE-verified TLS was logged
 *              ciphers          export|low|medium|high|null
 *
 *        Loaded with libcyaml against a static schema after yaml_scan() has
 *        checked keys, shapes and numbers, so that every error names FILE:LINE
 *        and the key. Only this module, common/config.c and common/yaml_scan.c
 *        see YAML libraries.
 *
 *        A template name is 1 to TEMPLATE_NAME_MAX letters, digits, '-', '_'
 *        and '.', not starting with '.' and not ending in ".yaml" or ".yml"
 *        (such a value is a file). template_name_valid() is that rule, for
 *        the name key, the name taken from a file name (else "unnamed"),
 *        template_find() and template_list() alike: a template that loads
 *        under a name is found by it.
 *
 *        template_find() resolves NAME to NAME.yaml in, in order:
 *        $MXTLS_SOURCE_ROOT/policy-templates, templates_dir, MXTLS_DATADIR
 *        "/policy-templates", and policy-templates/ beside or above the running
 *        program (build tree). A value with a '/' or ending in .yaml is a file.
 * DIAGNOSTICS
 *        -EBADMSG invalid template (*reterr_message says where), -ENOENT not
 *        found, -ENOMEM, other negative errno from reading the file.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vocab.h"              /* tls_protocol_rank(), tls_level_rank() */

#define TEMPLATE_WINDOW_MAX 3660
#define TEMPLATE_NAME_MAX 64

typedef struct TemplatePropose {
        char *level;
        char *protocols;                /* NULL = none */
        char *match;                    /* NULL = none, "mx" = derived */
        bool require_dane_verified;
        char *ciphers;                  /* NULL = none */
} TemplatePropose;

typedef struct Template {
        char *name;
        char *description;
        uint32_t window_days;
        uint32_t min_deliveries;
        uint32_t min_days;
        uint32_t min_tls_share;         /* percent */
        uint32_t max_tls_failures;
        char *min_protocol;             /* NULL = any */
        char **trust;                   /* acceptable trust words; none = any */
        unsigned trust_count;
        char **exclude_domains;
        unsigned exclude_domains_count;
        TemplatePropose propose;
        char *path;                     /* file it came from, for messages */
} Template;

int template_load_data(const char *file, const char *data, size_t len,
                       Template **ret, char **reterr_message);
int template_load_file(const char *path, Template **ret, char **reterr_message);
Template *template_free(Template *t);

bool template_name_valid(const char *s);
int template_find(const char *name_or_file, const char *templates_dir,
                  char **ret_path, char **reterr_message);
/* Resolve and load in one step. */
int template_open(const char *name_or_file, const char *templates_dir,
                  Template **ret, char **reterr_message);

/* Every NAME.yaml in the search directories (first directory wins for a name),
 * sorted by name; strv lists (strv.h) of names and paths. */
int template_list(const char *templates_dir, char ***ret_names, char ***ret_paths);

bool template_trust_ok(const Template *t, const char *trust);
bool template_excludes(const Template *t, const char *domain);
/* domain equals pattern, or pattern is ".suffix" and domain ends with it */
bool domain_matches_pattern(const char *domain, const char *pattern);
