/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        mxtls - TLS coverage of Postfix outbound mail, from the journal
 * SYNOPSIS
 *        mxtls [--config FILE] [--state FILE] [-v|-q] COMMAND [options]
 * DESCRIPTION
 *        Global option parsing and dispatch to the commands, nothing else.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "commands.h"
#include "log.h"

typedef struct Command {
        const char *name;
        int (*run)(Context *ctx, int argc, char **argv);
        const char *summary;
} Command;

static const Command commands[] = {
        { "collect",   cmd_collect,   "read new journal entries, correlate, update the store" },
        { "report",    cmd_report,    "TLS coverage overall, by domain, by host, by day" },
        { "advise",    cmd_advise,    "propose smtp_tls_policy_maps entries" },
        { "audit",     cmd_audit,     "outcomes of the current TLS policy, with findings" },
        { "templates", cmd_templates, "list or show the advisor's policy templates" },
        { "doctor",    cmd_doctor,    "check what would make results wrong or empty" },
};

static void help(FILE *f) {
        fprintf(f,
                "Usage: mxtls [--config FILE] [--state FILE] [-v|-q] COMMAND [options]\n"
                "\n"
                "TLS coverage of Postfix outbound mail, read from the systemd journal.\n"
                "\n"
                "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
        fprintf(f,
                "\n"
                "Global options:\n"
                "  -c, --config FILE  configuration file (default %s)\n"
                "  -s, --state FILE   store file (default %s as root)\n"
                "  -v, --verbose      more messages (repeat for debug)\n"
                "  -q, --quiet        only errors\n"
                "  -h, --help         this help; 'mxtls COMMAND --help' for a command\n"
                "      --version      print the version\n"
                "\n"
                "See mxtls(1) and mxtls.yaml(5).\n",
                CONFIG_DEFAULT_PATH, MXTLS_STATEDIR "/mxtls.db");
}

/* parse_global - the options before the command; 1 to go on, else the exit status negated */
static int parse_global(int argc, char **argv, Context *ctx, const char **ret_state) {
        static const struct option options[] = {
                { "config",  required_argument, NULL, 'c' },
                { "state",   required_argument, NULL, 's' },
                { "verbose", no_argument,       NULL, 'v' },
                { "quiet",   no_argument,       NULL, 'q' },
                { "help",    no_argument,       NULL, 'h' },
                { "version", no_argument,       NULL, 'V' },
                { 0 }
        };
        int c;

        /* '+': stop at the command name, the rest belongs to the command. */
        while ((c = getopt_long(argc, argv, "+c:s:vqh", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        ctx->config_path = optarg;
                        break;
                case 's':
                        *ret_state = optarg;
                        break;
                case 'v':
                        ctx->verbosity = ctx->verbosity < 0 ? 1 : ctx->verbosity + 1;
                        break;
                case 'q':
                        ctx->verbosity = -1;
                        break;
                case 'h':
                        help(stdout);
                        return -EXIT_SUCCESS;
                case 'V':
                        printf("mxtls %s\n", MXTLS_VERSION);
                        return -EXIT_SUCCESS;
                default:
                        help(stderr);
                        return -EXIT_USAGE;
                }
        if (optind >= argc) {
                help(stderr);
                return -EXIT_USAGE;
        }
        return 1;
}

/* context_load - the configuration and the store path; an exit status */
static int context_load(Context *ctx, const char *state_arg) {
        _cleanup_free_ char *errmsg = NULL;
        int r;

        r = config_load(ctx->config_path ? ctx->config_path : CONFIG_DEFAULT_PATH,
                        ctx->config_path != NULL, &ctx->config, &errmsg);
        if (r < 0) {
                if (errmsg)
                        log_error("%s", errmsg);
                else
                        (void) log_errno(r, "cannot load configuration");
                return r == -ENOMEM ? EXIT_FAILURE : EXIT_DATAERR;
        }
        if (state_arg)
                ctx->state_file = strdup(state_arg);
        else if (ctx->config->state_file)
                ctx->state_file = strdup(ctx->config->state_file);
        else
                ctx->state_file = config_default_state_file();
        if (!ctx->state_file) {
                log_error("out of memory");
                ctx->config = config_free(ctx->config);
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}

int main(int argc, char **argv) {
        Context ctx = { .stderr_is_tty = isatty(STDERR_FILENO) };
        const char *state_arg = NULL;
        const Command *cmd = NULL;
        int r;

        r = parse_global(argc, argv, &ctx, &state_arg);
        if (r <= 0)
                return -r;
        log_set_level(ctx.verbosity < 0 ? LOG_LEVEL_ERROR :
                      ctx.verbosity == 0 ? LOG_LEVEL_NOTICE :
                      ctx.verbosity == 1 ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG);

        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (strcmp(argv[optind], commands[i].name) == 0)
                        cmd = &commands[i];
        if (!cmd) {
                log_error("unknown command '%s'; see 'mxtls --help'", argv[optind]);
                return EXIT_USAGE;
        }
        r = context_load(&ctx, state_arg);
        if (r != EXIT_SUCCESS)
                return r;

        /* getopt_long in the command starts over at its argv[0] = command name. */
        int cmd_index = optind;
        optind = 0;
        r = cmd->run(&ctx, argc - cmd_index, argv + cmd_index);
        free(ctx.state_file);
        ctx.config = config_free(ctx.config);
        return r;
}
