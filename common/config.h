/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        config - /etc/mxtls/mxtls.yaml, every key optional
 * SYNOPSIS
 *        #include "config.h"
 *        int config_load(const char *path, bool must_exist, Config **ret, char **reterr_message);
 *        Config *config_free(Config *c);
 * DESCRIPTION
 *        Checked with libyaml (yaml_scan.c, for FILE:LINE messages), then
 *        loaded with libcyaml against a declared schema (config.c only includes
 *        <cyaml/cyaml.h>). Unknown keys and wrong types are errors that name the
 *        file, line and key (*reterr_message, malloc'd). Missing keys keep the
 *        defaults set by config_new(). List fields are never NULL after
 *        config_new()/config_load() (possibly empty). See mxtls.yaml(5).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct Config {
        char *state_file;               /* store path; NULL = default location */
        char **identifiers;             /* SYSLOG_IDENTIFIER patterns (fnmatch), NULL-terminated; empty = defaults */
        char **directories;             /* journal directories; NULL/empty = local journal */
        bool local_only;                /* SD_JOURNAL_LOCAL_ONLY for the default journal */
        char **internal_relays;         /* extra addresses/hosts of this host's filters */
        uint32_t retention_days;        /* default 400 */
        uint32_t session_idle_seconds;  /* default 3600 */
        uint32_t max_sessions;          /* default 4096 */
        uint32_t lock_timeout_seconds;  /* default 10 */
        uint32_t report_days;           /* default 30 */
        char *template_name;            /* advise template, default "conservative" */
        char *templates_dir;            /* default MXTLS_DATADIR "/policy-templates" */
        char *policy_file;              /* NULL = ask postconf */
        char **exclude_domains;         /* never proposed; lower case, ".example.com" = subdomains */
        uint32_t prometheus_top_n;      /* default 20: report --top, Prometheus domain series */
        char *prometheus_file;          /* report --format prometheus without --output; NULL = stdout */
        char *advise_file;              /* advise without --output; NULL = stdout */
} Config;

#define CONFIG_DEFAULT_PATH MXTLS_SYSCONFDIR "/mxtls.yaml"

int config_new(Config **ret);           /* all defaults */
int config_load(const char *path, bool must_exist, Config **ret, char **reterr_message);
Config *config_free(Config *c);
/* Default store path: /var/lib/mxtls/mxtls.db as root, $STATE_DIRECTORY/mxtls.db
 * under systemd, else $XDG_STATE_HOME/mxtls/mxtls.db (~/.local/state). malloc'd. */
char *config_default_state_file(void);
