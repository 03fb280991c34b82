/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        postconf - ask Postfix for a main.cf parameter
 * DESCRIPTION
 *        See postconf.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "postconf.h"

#define POSTCONF_OUTPUT_MAX (64 * 1024)

extern char **environ;

/* find_postconf - first executable postconf on $PATH or in the sbin directories */
static char *find_postconf(void) {
        const char *path = getenv("PATH");
        _cleanup_free_ char *dirs = NULL;
        char *save = NULL;

        if (asprintf(&dirs, "%s:/usr/sbin:/usr/local/sbin", path && *path ? path : "/usr/bin:/bin") < 0)
                return NULL;
        for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                char *p = NULL;
                if (!*d)
                        continue;
                if (asprintf(&p, "%s/postconf", d) < 0)
                        return NULL;
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

static bool param_valid(const char *p) {
        if (!p || !*p || strlen(p) > 128)
                return false;
        for (; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
                        return false;
        return true;
}

/* postconf_get - "postconf -xh PARAM" */
int postconf_get(const char *param, char **ret_value) {
        _cleanup_free_ char *exe = NULL, *out = NULL;
        posix_spawn_file_actions_t fa;
        int pipefd[2], status, r;
        size_t len = 0;
        pid_t pid;

        if (!param_valid(param))
                return -EINVAL;
        exe = find_postconf();
        if (!exe)
                return -ENOENT;
        out = malloc(POSTCONF_OUTPUT_MAX + 1);
        if (!out)
                return -ENOMEM;
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;

        char *argv[] = { exe, (char *) "-xh", (char *) param, NULL };
        r = posix_spawn_file_actions_init(&fa);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
        if (r == 0)
                r = posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        if (r == 0)
                r = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        if (r == 0)
                r = posix_spawn(&pid, exe, &fa, NULL, argv, environ);
        (void) posix_spawn_file_actions_destroy(&fa);
        (void) close(pipefd[1]);
        if (r != 0) {
                (void) close(pipefd[0]);
                return -r;
        }

        for (;;) {
                ssize_t k = read(pipefd[0], out + len, POSTCONF_OUTPUT_MAX - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                len += (size_t) k;
                if (len == POSTCONF_OUTPUT_MAX)
                        break;
        }
        (void) close(pipefd[0]);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || len == POSTCONF_OUTPUT_MAX)
                return -EIO;

        while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' ' || out[len - 1] == '\t'))
                len--;
        out[len] = '\0';
        *ret_value = TAKE_PTR(out);
        return 0;
}
