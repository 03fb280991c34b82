/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        cmd_common - option parsing and setup shared by the sub-commands
 * SYNOPSIS
 *        #include "cmd_common.h"
 *        int cmd_parse_options(int argc, char **argv, const char *shortopts,
 *                              const struct option *options, CmdHelpFn help,
 *                              CmdOptionFn fn, void *userdata);
 *        int cmd_parse_help_only(int argc, char **argv, void (*help)(FILE *f));
 *        int cmd_window_option(int c, const char *arg, WindowArgs *a);
 *        int cmd_open_template(const Context *ctx, const char *name, Template **ret);
 *        int cmd_load_policy(const Context *ctx, const char *path, const char *without,
 *                            PolicyMap **ret);
 *        int cmd_open_store(const Context *ctx, Store **ret);
 * DESCRIPTION
 *        cmd_parse_options() runs getopt_long() over argv: -h/--help prints
 *        help to standard output, an unknown option prints it to standard
 *        error, every other option goes to fn. help and fn get the same
 *        userdata (the command's arguments, or what its help shows as
 *        defaults). Operands are left to the caller (optind is the first).
 *        cmd_parse_help_only() is the same for a command whose only option
 *        is --help.
 *
 *        advise and audit share the options of WindowArgs (-t, -p, -d,
 *        --until), parsed by cmd_window_option(), and the loading of the
 *        template, the policy map and the store. Those helpers log their
 *        errors.
 * DIAGNOSTICS
 *        cmd_parse_options(), cmd_parse_help_only(): 1 run the command, 0 help
 *        was shown, -EINVAL usage error (already reported), or the negative
 *        errno fn returned. cmd_window_option(): 1 handled, 0 not one of the
 *        shared options, -EINVAL bad value (logged). The loaders: 0, or a
 *        negative errno (logged).
 */
#pragma once

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "commands.h"
#include "policy.h"
#include "store.h"
#include "template.h"

/* One option other than -h; 0, or a negative errno (-EINVAL when its value is bad; logged). */
typedef int (*CmdOptionFn)(int c, const char *arg, void *userdata);
/* The command's --help text to f. */
typedef void (*CmdHelpFn)(FILE *f, void *userdata);

int cmd_parse_options(int argc, char **argv, const char *shortopts, const struct option *options,
                      CmdHelpFn help, CmdOptionFn fn, void *userdata);
int cmd_parse_help_only(int argc, char **argv, void (*help)(FILE *f));

/* getopt value of --until, which has no short form */
#define CMD_OPTION_UNTIL 'U'

typedef struct WindowArgs {
        const char *template;           /* -t, --template NAME|FILE */
        const char *policy;             /* -p, --policy FILE */
        const char *until;              /* --until YYYY-MM-DD, a valid day */
        uint32_t days;                  /* -d, --days N: 1..TEMPLATE_WINDOW_MAX; 0 = not given */
} WindowArgs;

int cmd_window_option(int c, const char *arg, WindowArgs *a);

/* The template NAME|FILE, looked up in templates_dir as well. */
int cmd_open_template(const Context *ctx, const char *name, Template **ret);
/* The map at path, else policy_file, else the file behind smtp_tls_policy_maps;
 * *ret NULL when postconf names none ("no ... file (postconf); <without>"). */
int cmd_load_policy(const Context *ctx, const char *path, const char *without, PolicyMap **ret);
/* The store, read-only. */
int cmd_open_store(const Context *ctx, Store **ret);
