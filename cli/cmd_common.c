/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        cmd_common - option parsing and setup shared by the sub-commands
 * DESCRIPTION
 *        See cmd_common.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cleanup.h"
#include "cmd_common.h"
#include "log.h"
#include "span.h"
#include "timeutil.h"

/* cmd_parse_options - getopt_long loop with the --help handling of every command */
int cmd_parse_options(int argc, char **argv, const char *shortopts, const struct option *options,
                      CmdHelpFn help, CmdOptionFn fn, void *userdata) {
        int c, r;

        while ((c = getopt_long(argc, argv, shortopts, options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help(stdout, userdata);
                        return 0;
                case '?':
                        help(stderr, userdata);
                        return -EINVAL;
                default:
                        r = fn ? fn(c, optarg, userdata) : -EINVAL;
                        if (r < 0)
                                return r;
                }
        return 1;
}

/* The help function of cmd_parse_help_only(), as the userdata of cmd_parse_options(). */
typedef struct PlainHelp {
        void (*help)(FILE *f);
} PlainHelp;

static void plain_help(FILE *f, void *userdata) {
        ((const PlainHelp *) userdata)->help(f);
}

/* cmd_parse_help_only - the options of a command whose only option is --help */
int cmd_parse_help_only(int argc, char **argv, void (*help)(FILE *f)) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 }
        };
        PlainHelp h = { help };

        return cmd_parse_options(argc, argv, "h", options, plain_help, NULL, &h);
}

/* cmd_window_option - -t, -p, -d and --until of advise and audit */
int cmd_window_option(int c, const char *arg, WindowArgs *a) {
        int64_t day;

        switch (c) {
        case 't':
                a->template = arg;
                return 1;
        case 'p':
                a->policy = arg;
                return 1;
        case 'd':
                if (parse_u32(arg, &a->days) < 0 || a->days == 0 || a->days > TEMPLATE_WINDOW_MAX) {
                        log_error("--days wants a number from 1 to %d", TEMPLATE_WINDOW_MAX);
                        return -EINVAL;
                }
                return 1;
        case CMD_OPTION_UNTIL:
                if (day_parse(arg, &day) < 0) {
                        log_error("--until wants a day as YYYY-MM-DD");
                        return -EINVAL;
                }
                a->until = arg;
                return 1;
        default:
                return 0;
        }
}

/* cmd_open_template - resolve and load one template */
int cmd_open_template(const Context *ctx, const char *name, Template **ret) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = template_open(name, ctx->config->templates_dir, ret, &error);
        if (r < 0)
                log_error("%s", error ? error : "cannot load the template");
        return r;
}

/* cmd_load_policy - the current map, or NULL when postconf names none */
int cmd_load_policy(const Context *ctx, const char *path, const char *without, PolicyMap **ret) {
        _cleanup_free_ char *found = NULL, *error = NULL;
        const char *use = path ? path : ctx->config->policy_file;
        int r;

        *ret = NULL;
        if (!use) {
                r = policy_default_path(&found, &error);
                if (r == -ENOENT || r == -EIO) {
                        log_info("no smtp_tls_policy_maps file (postconf); %s", without);
                        return 0;
                }
                if (r < 0) {
                        log_error("%s", error ? error : "cannot determine smtp_tls_policy_maps");
                        return r;
                }
                use = found;
        }
        r = policy_load(use, ret, &error);
        if (r < 0) {
                if (error)
                        log_error("%s", error);
                else
                        (void) log_errno(r, "cannot read policy map %s", use);
                return r;
        }
        return 0;
}

/* cmd_open_store - the store read-only, with a hint when there is none yet */
int cmd_open_store(const Context *ctx, Store **ret) {
        int r;

        r = store_open(ctx->state_file, STORE_READ_ONLY, ret);
        if (r == -ENOENT)
                log_error("no store at %s; run 'mxtls collect' first", ctx->state_file);
        else if (r < 0)
                (void) log_errno(r, "cannot open store %s", ctx->state_file);
        return r;
}
