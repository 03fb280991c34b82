/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        cmd_advise - mxtls advise: propose smtp_tls_policy_maps entries
 * SYNOPSIS
 *        int cmd_advise(Context *ctx, int argc, char **argv);
 * DESCRIPTION
 *        Loads the template and the current map (--policy, else the --merge
 *        file, else policy_file from mxtls.yaml, else the file behind
 *        smtp_tls_policy_maps), reads the store and prints or writes the
 *        proposals. Nothing is written when the template, the map or the
 *        merge markers are bad. --output and --merge write atomically.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "advise.h"
#include "cleanup.h"
#include "cmd_common.h"
#include "fileio.h"
#include "log.h"

typedef enum Format {
        FORMAT_POSTMAP,
        FORMAT_JSON,
        FORMAT_DIFF,
} Format;

typedef struct Args {
        WindowArgs window;
        const char *output;
        const char *merge;
        Format format;
} Args;

static void help(FILE *f, void *userdata) {
        fprintf(f,
                "Usage: mxtls advise [options]\n"
                "\n"
                "Propose smtp_tls_policy_maps entries for destinations whose mail has earned a\n"
                "stricter TLS level, each with the evidence behind it.\n"
                "\n"
                "Options:\n"
                "  -t, --template NAME|FILE  rule set (default from mxtls.yaml, else conservative)\n"
                "  -p, --policy FILE         current map source (default: the --merge file, else\n"
                "                            policy_file, else smtp_tls_policy_maps via postconf)\n"
                "  -o, --output FILE         write to FILE atomically instead of standard output\n"
                "                            (default: advise_file of mxtls.yaml; - is stdout)\n"
                "  -m, --merge FILE          replace only the '# BEGIN mxtls' .. '# END mxtls' section\n"
                "                            of FILE (appended when absent); with --format diff,\n"
                "                            show the change instead\n"
                "  -f, --format FMT          postmap (default), json or diff\n"
                "  -d, --days N              window in days (default: the template's)\n"
                "      --until YYYY-MM-DD    last day of the window (default: today, UTC)\n"
                "  -h, --help                this help\n"
                "\n"
                "Then review the entries and run: postmap hash:FILE\n");
}

static int parse_option(int c, const char *arg, void *userdata) {
        Args *a = userdata;
        int r;

        r = cmd_window_option(c, arg, &a->window);
        if (r != 0)
                return r < 0 ? r : 0;
        switch (c) {
        case 'o':
                a->output = arg;
                break;
        case 'm':
                a->merge = arg;
                break;
        case 'f':
                if (strcmp(arg, "postmap") == 0)
                        a->format = FORMAT_POSTMAP;
                else if (strcmp(arg, "json") == 0)
                        a->format = FORMAT_JSON;
                else if (strcmp(arg, "diff") == 0)
                        a->format = FORMAT_DIFF;
                else {
                        log_error("unknown format '%s' (postmap, json or diff)", arg);
                        return -EINVAL;
                }
                break;
        }
        return 0;
}

static int parse_args(int argc, char **argv, Args *a) {
        static const struct option options[] = {
                { "template", required_argument, NULL, 't' },
                { "policy",   required_argument, NULL, 'p' },
                { "output",   required_argument, NULL, 'o' },
                { "merge",    required_argument, NULL, 'm' },
                { "format",   required_argument, NULL, 'f' },
                { "days",     required_argument, NULL, 'd' },
                { "until",    required_argument, NULL, CMD_OPTION_UNTIL },
                { "help",     no_argument,       NULL, 'h' },
                { NULL, 0, NULL, 0 }
        };
        int r;

        r = cmd_parse_options(argc, argv, "t:p:o:m:f:d:h", options, help, parse_option, a);
        if (r <= 0)
                return r;
        if (optind < argc) {
                log_error("unexpected argument '%s'", argv[optind]);
                return -EINVAL;
        }
        if (a->merge && a->format == FORMAT_JSON) {
                log_error("--merge writes a map; it cannot be combined with --format json");
                return -EINVAL;
        }
        return 1;
}

/* load_policy - the current map, or NULL when there is none; <0 logged */
static int load_policy(Context *ctx, const Args *a, PolicyMap **ret) {
        const char *use = a->window.policy;

        *ret = NULL;
        if (!use && a->merge) {
                if (access(a->merge, F_OK) < 0)
                        return 0;               /* a new file: nothing to match against */
                use = a->merge;
        }
        return cmd_load_policy(ctx, use, "proposing against an empty map", ret);
}

static int write_out(const char *path, const StrBuf *b, mode_t mode) {
        int r;

        if (!path || strcmp(path, "-") == 0) {
                if (fwrite(b->data, 1, b->len, stdout) != b->len || fflush(stdout) != 0)
                        return log_errno(-EIO, "cannot write to standard output");
                return 0;
        }
        r = write_file_atomic(path, b->data, b->len, mode);
        if (r < 0)
                return log_errno(r, "cannot write %s", path);
        return 0;
}

/* render - the chosen output into out; merge mode reads the merge file */
static int render(const Args *a, const AdviseResult *res, const PolicyMap *policy, StrBuf *out,
                  mode_t *ret_mode) {
        _cleanup_free_ char *old = NULL, *error = NULL;
        const char *base = a->merge ? a->merge : policy ? policy->path : NULL;
        size_t old_len = 0;
        struct stat st;
        int r;

        if (a->format == FORMAT_JSON)
                return advise_format_json(res, out);
        if (a->format == FORMAT_POSTMAP && !a->merge)
                return advise_format_postmap(res, out);

        if (base) {
                r = read_file_full(base, POLICY_FILE_MAX, &old, &old_len);
                if (r == -ENOENT && a->merge)
                        old_len = 0;
                else if (r < 0)
                        return log_errno(r, "cannot read %s", base);
                if (a->merge && stat(a->merge, &st) == 0)
                        *ret_mode = st.st_mode & 07777;
        }
        StrBuf merged;
        strbuf_init(&merged);
        r = advise_merge(base ? base : "<new map>", old ? old : "", old_len, res, &merged, &error);
        if (r < 0) {
                strbuf_free(&merged);
                if (error)
                        log_error("%s", error);
                return r == -ENOMEM ? log_errno(r, "cannot merge") : r;
        }
        if (a->format == FORMAT_DIFF)
                r = advise_format_diff(base ? base : "/dev/null", old ? old : "", old_len,
                                       merged.data, merged.len, out);
        else {
                strbuf_putn(out, merged.data, merged.len);
                r = out->oom ? -ENOMEM : 0;
        }
        strbuf_free(&merged);
        return r;
}

static void summary(const AdviseResult *res) {
        size_t skipped = res->n_skipped;

        log_notice("%zu %s proposed (template %s, %s .. %s); %zu other %s not proposed",
                   res->n_proposals, res->n_proposals == 1 ? "entry" : "entries", res->template_name,
                   res->from, res->to, skipped, skipped == 1 ? "domain" : "domains");
        if (res->skip_counts[SKIP_LOGGING_OFF])
                log_warning("%zu domains not proposed: TLS logging was off (smtp_tls_loglevel = 0?) on "
                            "days they received mail", res->skip_counts[SKIP_LOGGING_OFF]);
}

/* cmd_advise - entry point */
int cmd_advise(Context *ctx, int argc, char **argv) {
        Args a = { .format = FORMAT_POSTMAP };
        Template *t = NULL;
        PolicyMap *policy = NULL;
        Store *store = NULL;
        AdviseResult *res = NULL;
        mode_t mode = 0644;
        StrBuf out;
        int r, ret = EXIT_FAILURE;

        r = parse_args(argc, argv, &a);
        if (r <= 0)
                return r == 0 ? EXIT_SUCCESS : EXIT_USAGE;

        const char *name = a.window.template ? a.window.template :
                           ctx->config->template_name ? ctx->config->template_name : "conservative";
        r = cmd_open_template(ctx, name, &t);
        if (r < 0)
                return r == -ENOENT || r == -EINVAL ? EXIT_USAGE : EXIT_DATAERR;

        strbuf_init(&out);
        r = load_policy(ctx, &a, &policy);
        if (r < 0) {
                ret = r == -ENOMEM ? EXIT_FAILURE : EXIT_DATAERR;
                goto finish;
        }

        r = cmd_open_store(ctx, &store);
        if (r < 0)
                goto finish;

        AdviseOptions o = {
                .template = t,
                .policy = policy,
                .to_day = a.window.until,
                .days = a.window.days,
                .exclude_domains = ctx->config->exclude_domains,
        };
        r = advise_run(store, &o, &res);
        if (r < 0) {
                (void) log_errno(r, "cannot compute proposals");
                goto finish;
        }

        r = render(&a, res, policy, &out, &mode);
        if (r < 0) {
                ret = r == -EBADMSG ? EXIT_DATAERR : EXIT_FAILURE;
                goto finish;
        }
        if (a.merge && a.format != FORMAT_DIFF)
                r = write_out(a.output ? a.output : a.merge, &out, a.output ? 0644 : mode);
        else
                r = write_out(a.output ? a.output : ctx->config->advise_file, &out, 0644);
        if (r < 0)
                goto finish;
        summary(res);
        ret = EXIT_SUCCESS;

finish:
        strbuf_free(&out);
        advise_result_free(res);
        store_close(store);
        policy_free(policy);
        template_free(t);
        return ret;
}
