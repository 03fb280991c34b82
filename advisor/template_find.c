/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        template_find - where templates live, and listing them
 * DESCRIPTION
 *        See template.h (template_find, template_open, template_list). The
 *        search order puts an explicit source tree first so that tests and
 *        builds run against the templates they ship with.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "strbuf.h"
#include "strv.h"
#include "template.h"

/* add_dir - a+b (resolved when it exists) at the end of dirs, unless it is there already */
static int add_dir(char ***dirs, size_t *n, const char *a, const char *b) {
        _cleanup_free_ char *d = NULL;
        char *resolved;

        if (!a || !*a)
                return 0;
        if (asprintf(&d, "%s%s", a, b ? b : "") < 0) {
                d = NULL;
                return -ENOMEM;
        }
        resolved = realpath(d, NULL);
        if (resolved) {
                free(d);
                d = resolved;
        }
        if (strv_contains(*dirs, d))
                return 0;
        return strv_push(dirs, n, TAKE_PTR(d));
}

/* search_dirs - directories in lookup order */
static int search_dirs(const char *templates_dir, char ***ret_dirs, size_t *ret_n) {
        _cleanup_(strv_freep) char **dirs = NULL;
        char exe[PATH_MAX];
        size_t n = 0;
        ssize_t k;
        int r;

        r = add_dir(&dirs, &n, getenv("MXTLS_SOURCE_ROOT"), "/policy-templates");
        if (r >= 0)
                r = add_dir(&dirs, &n, templates_dir, NULL);
        if (r >= 0)
                r = add_dir(&dirs, &n, MXTLS_DATADIR "/policy-templates", NULL);
        k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (r >= 0 && k > 0) {
                exe[k] = '\0';
                char *slash = strrchr(exe, '/');
                if (slash) {
                        *slash = '\0';
                        r = add_dir(&dirs, &n, exe, "/../../policy-templates");
                        if (r >= 0)
                                r = add_dir(&dirs, &n, exe, "/../share/mxtls/policy-templates");
                }
        }
        if (r < 0)
                return r;
        if (!dirs) {
                dirs = calloc(1, sizeof(char *));
                if (!dirs)
                        return -ENOMEM;
        }
        *ret_dirs = TAKE_PTR(dirs);
        *ret_n = n;
        return 0;
}

static bool has_yaml_suffix(const char *s) {
        size_t n = strlen(s);
        return (n > 5 && strcmp(s + n - 5, ".yaml") == 0) || (n > 4 && strcmp(s + n - 4, ".yml") == 0);
}

static bool looks_like_file(const char *s) {
        return strchr(s, '/') || has_yaml_suffix(s);
}

/* template_name_valid - the one rule for a template name, see template.h */
bool template_name_valid(const char *s) {
        size_t n = s ? strlen(s) : 0;

        if (n == 0 || n > TEMPLATE_NAME_MAX || s[0] == '.' || has_yaml_suffix(s))
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
                        return false;
        return true;
}

static void set_error(char **reterr_message, const char *fmt, ...) _printf_(2, 3);
static void set_error(char **reterr_message, const char *fmt, ...) {
        va_list ap;

        if (!reterr_message)
                return;
        va_start(ap, fmt);
        if (vasprintf(reterr_message, fmt, ap) < 0)
                *reterr_message = NULL;
        va_end(ap);
}

/* template_find - NAME or FILE to a readable path */
int template_find(const char *name_or_file, const char *templates_dir,
                  char **ret_path, char **reterr_message) {
        _cleanup_(strv_freep) char **dirs = NULL;
        size_t n = 0;
        int r;

        if (!name_or_file || !*name_or_file) {
                set_error(reterr_message, "empty template name");
                return -EINVAL;
        }
        if (looks_like_file(name_or_file)) {
                if (access(name_or_file, R_OK) < 0) {
                        r = -errno;
                        set_error(reterr_message, "template file %s: %s", name_or_file, strerror(-r));
                        return r;
                }
                *ret_path = strdup(name_or_file);
                return *ret_path ? 0 : -ENOMEM;
        }
        if (!template_name_valid(name_or_file)) {
                set_error(reterr_message, "invalid template name '%s'", name_or_file);
                return -EINVAL;
        }

        r = search_dirs(templates_dir, &dirs, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                char *p = NULL;
                if (asprintf(&p, "%s/%s.yaml", dirs[i], name_or_file) < 0)
                        return -ENOMEM;
                if (access(p, R_OK) == 0) {
                        *ret_path = p;
                        return 0;
                }
                free(p);
        }
        if (reterr_message) {
                StrBuf b;
                strbuf_init(&b);
                strbuf_puts(&b, "template '");
                strbuf_put_safe_text(&b, name_or_file, strlen(name_or_file));
                strbuf_puts(&b, "' not found (looked in ");
                for (size_t i = 0; i < n; i++)
                        strbuf_printf(&b, "%s%s", i ? ", " : "", dirs[i]);
                strbuf_puts(&b, ")");
                *reterr_message = b.oom ? NULL : b.data;
                if (b.oom)
                        strbuf_free(&b);
        }
        return -ENOENT;
}

/* template_open - resolve and load */
int template_open(const char *name_or_file, const char *templates_dir,
                  Template **ret, char **reterr_message) {
        _cleanup_free_ char *path = NULL;
        int r;

        r = template_find(name_or_file, templates_dir, &path, reterr_message);
        if (r < 0)
                return r;
        return template_load_file(path, ret, reterr_message);
}

typedef struct Found {
        char *name;
        char *path;
} Found;

static int cmp_found(const void *a, const void *b) {
        return strcmp(((const Found *) a)->name, ((const Found *) b)->name);
}

static void found_free(Found *f, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(f[i].name);
                free(f[i].path);
        }
        free(f);
}

/* scan_dir - add NAME.yaml files not seen yet */
static int scan_dir(const char *dir, Found **found, size_t *n, size_t *cap) {
        DIR *d = opendir(dir);
        struct dirent *de;
        int r = 0;

        if (!d)
                return 0;
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                bool dup = false;

                if (len <= 5 || strcmp(de->d_name + len - 5, ".yaml") != 0)
                        continue;
                _cleanup_free_ char *name = strndup(de->d_name, len - 5);
                if (!name) {
                        r = -ENOMEM;
                        break;
                }
                if (!template_name_valid(name))
                        continue;
                for (size_t j = 0; j < *n; j++)
                        if (strcmp((*found)[j].name, name) == 0)
                                dup = true;
                if (dup)
                        continue;
                if (*n == *cap) {
                        size_t ncap = *cap ? *cap * 2 : 16;
                        Found *nf = realloc(*found, ncap * sizeof(Found));
                        if (!nf) {
                                r = -ENOMEM;
                                break;
                        }
                        *found = nf;
                        *cap = ncap;
                }
                char *p = NULL;
                if (asprintf(&p, "%s/%s", dir, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                (*found)[(*n)++] = (Found) { TAKE_PTR(name), p };
        }
        closedir(d);
        return r;
}

/* template_list - NAME.yaml files of every search directory, sorted */
int template_list(const char *templates_dir, char ***ret_names, char ***ret_paths) {
        _cleanup_(strv_freep) char **dirs = NULL;
        Found *found = NULL;
        size_t n_dirs = 0, n = 0, cap = 0;
        int r;

        r = search_dirs(templates_dir, &dirs, &n_dirs);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_dirs && r >= 0; i++)
                r = scan_dir(dirs[i], &found, &n, &cap);
        if (r < 0) {
                found_free(found, n);
                return r;
        }
        if (n > 0)
                qsort(found, n, sizeof(Found), cmp_found);

        char **names = calloc(n + 1, sizeof(char *));
        char **paths = calloc(n + 1, sizeof(char *));
        if (!names || !paths) {
                free(names);
                free(paths);
                found_free(found, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                names[i] = found[i].name;
                paths[i] = found[i].path;
        }
        free(found);
        *ret_names = names;
        *ret_paths = paths;
        return 0;
}
