/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        cmd_templates - mxtls templates list | show NAME|FILE
 * SYNOPSIS
 *        int cmd_templates(Context *ctx, int argc, char **argv);
 * DESCRIPTION
 *        "list" prints every template found in the search directories with its
 *        proposed level and description; "show" prints one template with all
 *        defaults filled in, as YAML, after validating it. An invalid template
 *        exits with EXIT_DATAERR and a FILE:LINE message.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cmd_common.h"
#include "log.h"
#include "strbuf.h"
#include "strv.h"
#include "template.h"

static void help(FILE *f) {
        fprintf(f,
                "Usage: mxtls templates list\n"
                "       mxtls templates show NAME|FILE\n"
                "\n"
                "List the advisor's policy templates, or show one with every default filled in.\n"
                "NAME is looked up as NAME.yaml in the templates directory (templates_dir in\n"
                "mxtls.yaml, default %s/policy-templates); a value with a '/' is a file.\n"
                "\n"
                "Options:\n"
                "  -h, --help   this help\n",
                MXTLS_DATADIR);
}

static void put_yaml_string(StrBuf *b, const char *key, const char *value, const char *indent) {
        if (!value)
                return;
        strbuf_printf(b, "%s%s: ", indent, key);
        strbuf_put_json_string(b, value, strlen(value));     /* a JSON string is a YAML scalar */
        strbuf_putc(b, '\n');
}

static void put_yaml_list(StrBuf *b, const char *key, char **items, unsigned n) {
        if (n == 0)
                return;
        strbuf_printf(b, "%s:\n", key);
        for (unsigned i = 0; i < n; i++) {
                strbuf_puts(b, "  - ");
                strbuf_put_json_string(b, items[i], strlen(items[i]));
                strbuf_putc(b, '\n');
        }
}

static int show(Context *ctx, const char *name) {
        _cleanup_free_ char *path = NULL, *error = NULL;
        Template *t = NULL;
        StrBuf b;
        int r;

        r = template_find(name, ctx->config->templates_dir, &path, &error);
        if (r < 0) {
                log_error("%s", error ? error : "cannot find the template");
                return r == -ENOMEM ? EXIT_FAILURE : EXIT_USAGE;
        }
        r = template_load_file(path, &t, &error);
        if (r < 0) {
                log_error("%s", error ? error : "cannot load the template");
                return r == -ENOMEM ? EXIT_FAILURE : EXIT_DATAERR;
        }

        strbuf_init(&b);
        strbuf_puts(&b, "# ");
        strbuf_put_safe_text(&b, path, strlen(path));
        strbuf_puts(&b, " (defaults filled in)\n");
        put_yaml_string(&b, "name", t->name, "");
        put_yaml_string(&b, "description", t->description, "");
        strbuf_printf(&b, "window_days: %" PRIu32 "\nmin_deliveries: %" PRIu32 "\nmin_days: %" PRIu32
                      "\nmin_tls_share: %" PRIu32 "\nmax_tls_failures: %" PRIu32 "\n",
                      t->window_days, t->min_deliveries, t->min_days, t->min_tls_share, t->max_tls_failures);
        put_yaml_string(&b, "min_protocol", t->min_protocol, "");
        put_yaml_list(&b, "trust", t->trust, t->trust_count);
        put_yaml_list(&b, "exclude_domains", t->exclude_domains, t->exclude_domains_count);
        strbuf_puts(&b, "propose:\n");
        put_yaml_string(&b, "level", t->propose.level, "  ");
        put_yaml_string(&b, "protocols", t->propose.protocols, "  ");
        put_yaml_string(&b, "match", t->propose.match, "  ");
        if (t->propose.require_dane_verified)
                strbuf_puts(&b, "  require_dane_verified: true\n");
        put_yaml_string(&b, "ciphers", t->propose.ciphers, "  ");
        t = template_free(t);

        r = b.oom ? EXIT_FAILURE : EXIT_SUCCESS;
        if (!b.oom && (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout) != 0)) {
                log_error("cannot write to standard output");
                r = EXIT_FAILURE;
        }
        strbuf_free(&b);
        return r;
}

static int list(Context *ctx) {
        char **names = NULL, **paths = NULL;
        int r, ret = EXIT_SUCCESS;

        r = template_list(ctx->config->templates_dir, &names, &paths);
        if (r < 0) {
                (void) log_errno(r, "cannot list templates");
                return EXIT_FAILURE;
        }
        if (!names[0])
                log_warning("no templates found; set templates_dir in mxtls.yaml");
        for (size_t i = 0; names[i]; i++) {
                _cleanup_free_ char *error = NULL;
                Template *t = NULL;
                StrBuf b;

                strbuf_init(&b);
                r = template_load_file(paths[i], &t, &error);
                if (r < 0) {
                        log_error("%s", error ? error : "cannot load template");
                        strbuf_printf(&b, "%-14s (invalid)\n", names[i]);
                        ret = EXIT_DATAERR;
                } else {
                        strbuf_printf(&b, "%-14s %-10s ", names[i], t->propose.level);
                        if (t->description)
                                strbuf_put_safe_text(&b, t->description, strlen(t->description));
                        if (ctx->verbosity > 0) {
                                strbuf_puts(&b, "\n               ");
                                strbuf_put_safe_text(&b, paths[i], strlen(paths[i]));
                        }
                        strbuf_putc(&b, '\n');
                        t = template_free(t);
                }
                if (!b.oom)
                        fputs(b.data, stdout);
                strbuf_free(&b);
        }
        strv_free(names);
        strv_free(paths);
        if (fflush(stdout) != 0)
                ret = EXIT_FAILURE;
        return ret;
}

/* cmd_templates - entry point */
int cmd_templates(Context *ctx, int argc, char **argv) {
        int r;

        r = cmd_parse_help_only(argc, argv, help);
        if (r <= 0)
                return r == 0 ? EXIT_SUCCESS : EXIT_USAGE;
        if (optind >= argc) {
                help(stderr);
                return EXIT_USAGE;
        }
        if (strcmp(argv[optind], "list") == 0 && optind + 1 == argc)
                return list(ctx);
        if (strcmp(argv[optind], "show") == 0 && optind + 2 == argc)
                return show(ctx, argv[optind + 1]);
        help(stderr);
        return EXIT_USAGE;
}
