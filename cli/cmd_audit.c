/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        cmd_audit - mxtls audit: outcomes of the current TLS policy
 * SYNOPSIS
 *        int cmd_audit(Context *ctx, int argc, char **argv);
 * DESCRIPTION
 *        Reads the current map and the default level (postconf, or the
 *        options), audits the window and prints the findings. Exit status:
 *        0 nothing at or above --fail-on (default notice), EXIT_FINDINGS (1)
 *        findings, EXIT_ERROR_AUDIT (2) the audit could not run.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cleanup.h"
#include "cmd_common.h"
#include "log.h"
#include "postconf.h"
#include "strv.h"
#include "vocab.h"

#define AUDIT_DAYS_DEFAULT 60

typedef struct Args {
        WindowArgs window;
        const char *default_level;
        bool json;
        Severity fail_on;
} Args;

static void help(FILE *f, void *userdata) {
        fprintf(f,
                "Usage: mxtls audit [options]\n"
                "\n"
                "Show what the current TLS policy does: deliveries per entry and for the default\n"
                "level, and findings with stable codes (MXT001 ...; see mxtls(1)).\n"
                "\n"
                "Options:\n"
                "  -p, --policy FILE          map source (default: the file behind smtp_tls_policy_maps)\n"
                "  -l, --default-level LEVEL  default level (default: smtp_tls_security_level)\n"
                "  -t, --template NAME|FILE   template for upgrade candidates (default: all templates)\n"
                "  -d, --days N               window in days (default: the template's, else %d)\n"
                "      --until YYYY-MM-DD     last day of the window (default: today, UTC)\n"
                "  -f, --format FMT           text (default) or json\n"
                "      --fail-on SEVERITY     lowest severity that makes the exit status 1:\n"
                "                             info, notice (default), warning or error\n"
                "  -h, --help                 this help\n"
                "\n"
                "Exit status: 0 clean, 1 findings, 2 the audit could not run.\n",
                AUDIT_DAYS_DEFAULT);
}

static int parse_option(int c, const char *arg, void *userdata) {
        Args *a = userdata;
        int r;

        r = cmd_window_option(c, arg, &a->window);
        if (r != 0)
                return r < 0 ? r : 0;
        switch (c) {
        case 'l':
                if (!policy_level_valid(arg)) {
                        log_error("--default-level: unknown level '%s'", arg);
                        return -EINVAL;
                }
                a->default_level = arg;
                break;
        case 'f':
                if (strcmp(arg, "json") == 0)
                        a->json = true;
                else if (strcmp(arg, "text") != 0) {
                        log_error("unknown format '%s' (text or json)", arg);
                        return -EINVAL;
                }
                break;
        case 'F':
                a->fail_on = severity_from_string(arg);
                if ((int) a->fail_on < 0) {
                        log_error("--fail-on: info, notice, warning or error");
                        return -EINVAL;
                }
                break;
        }
        return 0;
}

static int parse_args(int argc, char **argv, Args *a) {
        static const struct option options[] = {
                { "policy",        required_argument, NULL, 'p' },
                { "default-level", required_argument, NULL, 'l' },
                { "template",      required_argument, NULL, 't' },
                { "days",          required_argument, NULL, 'd' },
                { "until",         required_argument, NULL, CMD_OPTION_UNTIL },
                { "format",        required_argument, NULL, 'f' },
                { "fail-on",       required_argument, NULL, 'F' },
                { "help",          no_argument,       NULL, 'h' },
                { NULL, 0, NULL, 0 }
        };
        int r;

        r = cmd_parse_options(argc, argv, "p:l:t:d:f:h", options, help, parse_option, a);
        if (r <= 0)
                return r;
        if (optind < argc) {
                log_error("unexpected argument '%s'", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

/* default_level - smtp_tls_security_level, or the obsolete parameters behind an empty one */
static char *default_level(void) {
        _cleanup_free_ char *level = NULL, *enforce = NULL, *use = NULL;

        if (postconf_get("smtp_tls_security_level", &level) < 0)
                return NULL;
        if (*level && policy_level_valid(level))
                return TAKE_PTR(level);
        if (*level)
                return NULL;
        if (postconf_get("smtp_enforce_tls", &enforce) == 0 && strcmp(enforce, "yes") == 0)
                return strdup(tls_level_to_string(TLS_LEVEL_ENCRYPT));
        if (postconf_get("smtp_use_tls", &use) == 0 && strcmp(use, "yes") == 0)
                return strdup(tls_level_to_string(TLS_LEVEL_MAY));
        return strdup(tls_level_to_string(TLS_LEVEL_NONE));
}

/* load_templates - the one asked for, or every valid template found */
static int load_templates(Context *ctx, const Args *a, Template ***ret, size_t *ret_n) {
        char **names = NULL, **paths = NULL;
        Template **v = NULL;
        size_t n = 0;
        int r;

        if (a->window.template) {
                v = calloc(1, sizeof(Template *));
                if (!v)
                        return -ENOMEM;
                r = cmd_open_template(ctx, a->window.template, &v[0]);
                if (r < 0) {
                        free(v);
                        return r;
                }
                *ret = v;
                *ret_n = 1;
                return 0;
        }
        r = template_list(ctx->config->templates_dir, &names, &paths);
        if (r < 0)
                return log_errno(r, "cannot list templates");
        size_t count = 0;
        while (names[count])
                count++;
        v = calloc(count ? count : 1, sizeof(Template *));
        if (!v)
                r = -ENOMEM;
        for (size_t i = 0; v && i < count; i++) {
                _cleanup_free_ char *error = NULL;
                if (template_load_file(paths[i], &v[n], &error) < 0)
                        log_warning("ignoring template: %s", error ? error : paths[i]);
                else
                        n++;
        }
        strv_free(names);
        strv_free(paths);
        if (r < 0)
                return r;
        *ret = v;
        *ret_n = n;
        return 0;
}

/* cmd_audit - entry point */
int cmd_audit(Context *ctx, int argc, char **argv) {
        Args a = { .fail_on = SEVERITY_NOTICE };
        _cleanup_free_ char *level = NULL;
        Template **templates = NULL;
        size_t n_templates = 0;
        PolicyMap *policy = NULL;
        Store *store = NULL;
        AuditResult *res = NULL;
        StrBuf out;
        int r, ret = EXIT_ERROR_AUDIT;

        r = parse_args(argc, argv, &a);
        if (r <= 0)
                return r == 0 ? EXIT_SUCCESS : EXIT_USAGE;

        strbuf_init(&out);
        if (load_templates(ctx, &a, &templates, &n_templates) < 0)
                goto finish;
        if (cmd_load_policy(ctx, a.window.policy, "auditing the default level only", &policy) < 0)
                goto finish;
        level = a.default_level ? strdup(a.default_level) : default_level();
        if (!level)
                log_info("default TLS security level unknown; use --default-level");

        if (cmd_open_store(ctx, &store) < 0)
                goto finish;

        AuditOptions o = {
                .policy = policy,
                .default_level = level,
                .to_day = a.window.until,
                .days = a.window.days ? a.window.days :
                        a.window.template && n_templates ? templates[0]->window_days : AUDIT_DAYS_DEFAULT,
                .templates = (const Template *const *) templates,
                .n_templates = n_templates,
        };
        r = audit_run(store, &o, &res);
        if (r < 0) {
                (void) log_errno(r, "cannot audit");
                goto finish;
        }
        r = a.json ? audit_format_json(res, &out) : audit_format_text(res, &out);
        if (r < 0 || fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
                log_error("cannot write the audit");
                goto finish;
        }
        ret = audit_max_severity(res) >= (int) a.fail_on ? EXIT_FINDINGS : EXIT_SUCCESS;

finish:
        strbuf_free(&out);
        audit_result_free(res);
        store_close(store);
        policy_free(policy);
        for (size_t i = 0; i < n_templates; i++)
                template_free(templates[i]);
        free(templates);
        return ret;
}
