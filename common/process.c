/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        process - run a program without a shell and capture what it writes
 * DESCRIPTION
 *        See process.h. posix_spawn(3) starts the program (and reports a
 *        program that cannot be executed) in a process group of its own, with
 *        SIGPIPE at its default and no signal blocked; the parent reads both
 *        pipes non-blocking, one poll(2) at a time, until both are closed,
 *        then waits for the exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "process.h"
#include "timeutil.h"

#define READ_CHUNK 16384
#define REAP_POLL_USEC 10000ULL         /* while waiting for an exit after the pipes closed */

extern char **environ;

/* One output pipe being drained into its ProcessOutput. */
typedef struct Drain {
        int fd;                         /* read end, -1 once at EOF */
        size_t max;
        size_t cap;
        ProcessOutput *out;
} Drain;

/* drain_reserve - room in out->data for up to READ_CHUNK more kept bytes and the NUL */
static int drain_reserve(Drain *d, size_t *ret_room) {
        ProcessOutput *o = d->out;
        size_t room = d->max - o->len, need;
        char *p;

        if (room > READ_CHUNK)
                room = READ_CHUNK;
        need = o->len + room + 1;
        if (need > d->cap) {
                size_t cap = d->cap < need / 2 ? need : d->cap * 2;

                if (cap > d->max + 1)
                        cap = d->max + 1;
                p = realloc(o->data, cap);
                if (!p)
                        return -ENOMEM;
                o->data = p;
                d->cap = cap;
        }
        *ret_room = room;
        return 0;
}

/* drain_read - one read(2): kept up to max, counted and dropped beyond; closes at EOF */
static int drain_read(Drain *d) {
        ProcessOutput *o = d->out;
        char scratch[READ_CHUNK], *dst = scratch;
        size_t want = sizeof scratch;
        ssize_t k;
        int r;

        if (o->len < d->max) {
                r = drain_reserve(d, &want);
                if (r < 0)
                        return r;
                dst = o->data + o->len;
        }
        k = read(d->fd, dst, want);
        if (k < 0)
                return errno == EINTR || errno == EAGAIN ? 0 : -errno;
        if (k == 0) {
                (void) close(d->fd);
                d->fd = -1;
                return 0;
        }
        if (dst == scratch)
                o->dropped += (uint64_t) k;
        else {
                o->len += (size_t) k;
                o->data[o->len] = '\0';
        }
        return 0;
}

/* poll_timeout_ms - milliseconds until deadline (rounded up), -1 for none, 0 when passed */
static int poll_timeout_ms(uint64_t deadline) {
        uint64_t now, ms;

        if (deadline == 0)
                return -1;
        now = monotonic_usec();
        if (now >= deadline)
                return 0;
        ms = (deadline - now + 999) / 1000;
        return ms > INT_MAX ? INT_MAX : (int) ms;
}

/* drain_all - read both pipes until both are at EOF, or -ETIMEDOUT at the deadline */
static int drain_all(Drain d[static 2], uint64_t deadline) {
        for (;;) {
                struct pollfd fds[2];
                Drain *of[2];
                nfds_t n = 0;
                int timeout, k;

                for (size_t i = 0; i < 2; i++)
                        if (d[i].fd >= 0) {
                                fds[n] = (struct pollfd) { .fd = d[i].fd, .events = POLLIN };
                                of[n++] = &d[i];
                        }
                if (n == 0)
                        return 0;
                timeout = poll_timeout_ms(deadline);
                if (timeout == 0)
                        return -ETIMEDOUT;
                k = poll(fds, n, timeout);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                for (nfds_t i = 0; i < n; i++)
                        if (fds[i].revents != 0) {
                                int r = drain_read(of[i]);
                                if (r < 0)
                                        return r;
                        }
        }
}

/* kill_and_reap - SIGKILL to the program's process group and wait, so that nothing it
 * started outlives a failure */
static void kill_and_reap(pid_t pid) {
        (void) kill(-pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

/* reap - the wait status of pid; killed and -ETIMEDOUT at the deadline */
static int reap(pid_t pid, uint64_t deadline, int *ret_status) {
        for (;;) {
                uint64_t now, nap;
                pid_t k;

                k = waitpid(pid, ret_status, deadline > 0 ? WNOHANG : 0);
                if (k == pid)
                        return 0;
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                now = monotonic_usec();
                if (now >= deadline) {
                        kill_and_reap(pid);
                        return -ETIMEDOUT;
                }
                nap = deadline - now < REAP_POLL_USEC ? deadline - now : REAP_POLL_USEC;
                (void) nanosleep(&(struct timespec) { .tv_nsec = (long) (nap * 1000ULL) }, NULL);
        }
}

/* spawn - argv with stdin from /dev/null, stdout and stderr on out_fd and err_fd */
static int spawn(char *const argv[], int out_fd, int err_fd, pid_t *ret_pid) {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none, pipe_only;
        int r;

        r = posix_spawn_file_actions_init(&fa);
        if (r != 0)
                return -r;
        r = posix_spawnattr_init(&attr);
        if (r != 0) {
                (void) posix_spawn_file_actions_destroy(&fa);
                return -r;
        }
        (void) sigemptyset(&none);
        (void) sigemptyset(&pipe_only);
        (void) sigaddset(&pipe_only, SIGPIPE);
        r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                            POSIX_SPAWN_SETPGROUP);
        if (r == 0)
                r = posix_spawnattr_setpgroup(&attr, 0);
        if (r == 0)
                r = posix_spawnattr_setsigmask(&attr, &none);
        if (r == 0)
                r = posix_spawnattr_setsigdefault(&attr, &pipe_only);
        if (r == 0)
                r = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&fa, err_fd, STDERR_FILENO);
        if (r == 0)
                r = posix_spawn(ret_pid, argv[0], &fa, &attr, argv, environ);
        (void) posix_spawnattr_destroy(&attr);
        (void) posix_spawn_file_actions_destroy(&fa);
        return -r;
}

static void close_pair(int p[2]) {
        for (size_t i = 0; i < 2; i++)
                if (p[i] >= 0) {
                        (void) close(p[i]);
                        p[i] = -1;
                }
}

/* output_finish - an empty output still gets a string */
static int output_finish(ProcessOutput *o) {
        if (!o->data) {
                o->data = calloc(1, 1);
                if (!o->data)
                        return -ENOMEM;
        }
        return 0;
}

/* process_run - spawn, drain both pipes within the limits, reap */
int process_run(char *const argv[], const ProcessOptions *o, ProcessResult *ret) {
        uint64_t deadline = o->timeout_usec > 0 ? monotonic_usec() + o->timeout_usec : 0;
        ProcessResult res = { 0 };
        int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, status, r;
        Drain d[2];
        pid_t pid;

        if (!argv || !argv[0] || o->stdout_max == SIZE_MAX || o->stderr_max == SIZE_MAX)
                return -EINVAL;
        /* posix_spawn() reports a failed exec, but not everywhere (not under valgrind) */
        if (access(argv[0], X_OK) < 0)
                return -errno;
        if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
                r = -errno;
                goto fail;
        }
        r = spawn(argv, outp[1], errp[1], &pid);
        (void) close(outp[1]);
        (void) close(errp[1]);
        outp[1] = errp[1] = -1;
        if (r < 0)
                goto fail;

        d[0] = (Drain) { .fd = outp[0], .max = o->stdout_max, .out = &res.out };
        d[1] = (Drain) { .fd = errp[0], .max = o->stderr_max, .out = &res.err };
        outp[0] = errp[0] = -1;         /* owned by d[] now */
        for (size_t i = 0; i < 2 && r >= 0; i++)
                if (fcntl(d[i].fd, F_SETFL, fcntl(d[i].fd, F_GETFL) | O_NONBLOCK) < 0)
                        r = -errno;
        if (r >= 0)
                r = drain_all(d, deadline);
        for (size_t i = 0; i < 2; i++)
                if (d[i].fd >= 0)
                        (void) close(d[i].fd);
        if (r < 0) {
                kill_and_reap(pid);
                goto fail;
        }
        r = reap(pid, deadline, &status);
        if (r < 0)
                goto fail;
        if ((r = output_finish(&res.out)) < 0 || (r = output_finish(&res.err)) < 0)
                goto fail;

        if (WIFSIGNALED(status)) {
                res.signal = WTERMSIG(status);
                res.status = 128 + res.signal;
        } else
                res.status = WEXITSTATUS(status);
        *ret = res;
        return 0;

fail:
        close_pair(outp);
        close_pair(errp);
        process_result_done(&res);
        return r;
}

/* process_result_done - free the outputs; NULL-safe */
void process_result_done(ProcessResult *r) {
        if (!r)
                return;
        free(r->out.data);
        free(r->err.data);
        *r = (ProcessResult) { 0 };
}

/* process_find_program - NAME in the absolute directories of $PATH, then the system ones */
char *process_find_program(const char *name) {
        const char *path = getenv("PATH");
        _cleanup_free_ char *dirs = NULL;
        char *save = NULL;

        if (!name || !*name || strchr(name, '/'))
                return NULL;
        if (asprintf(&dirs, "%s:/usr/sbin:/usr/local/sbin:/sbin:/usr/bin:/bin", path ? path : "") < 0)
                return NULL;
        for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                char *p;

                if (dir[0] != '/')
                        continue;
                if (asprintf(&p, "%s/%s", dir, name) < 0)
                        return NULL;
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}
