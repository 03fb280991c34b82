/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        commands - the mxtls sub-commands
 * SYNOPSIS
 *        #include "commands.h"
 *        int cmd_collect(Context *ctx, int argc, char **argv);
 * DESCRIPTION
 *        Each command parses its own options (getopt_long, argv[0] is the
 *        command name), prints its own --help, and returns the process exit
 *        status. Global options (--config, --state, -v, -q) are already applied
 *        to ctx by main().
 */
#pragma once

#include <stdbool.h>

#include "config.h"

/* Exit statuses shared by the commands. */
#define EXIT_FINDINGS 1         /* audit: something needs a human */
#define EXIT_ERROR_AUDIT 2      /* audit: could not run */
#define EXIT_USAGE 64           /* EX_USAGE: bad command line */
#define EXIT_DATAERR 65         /* EX_DATAERR: bad input file (YAML, policy map) */
#define EXIT_LOCKED 75          /* EX_TEMPFAIL: another collect holds the lock */

typedef struct Context {
        Config *config;                 /* loaded config, never NULL */
        const char *config_path;        /* NULL = default path, missing file is fine */
        char *state_file;               /* resolved store path (--state > config > default) */
        int verbosity;                  /* -1 quiet, 0 normal, 1+ verbose */
        bool stderr_is_tty;
} Context;

int cmd_collect(Context *ctx, int argc, char **argv);
int cmd_report(Context *ctx, int argc, char **argv);
int cmd_advise(Context *ctx, int argc, char **argv);
int cmd_audit(Context *ctx, int argc, char **argv);
int cmd_templates(Context *ctx, int argc, char **argv);
int cmd_doctor(Context *ctx, int argc, char **argv);
