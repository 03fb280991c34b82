/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        process - run a program without a shell and capture what it writes
 * SYNOPSIS
 *        #include "process.h"
 *        int process_run(char *const argv[], const ProcessOptions *o, ProcessResult *ret);
 *        void process_result_done(ProcessResult *r);
 *        char *process_find_program(const char *name);
 * DESCRIPTION
 *        process_run() starts argv[0] (a path; $PATH is not searched) with
 *        argv, the environment of this process, stdin from /dev/null and
 *        stdout and stderr on two pipes. Both pipes are drained with poll(2)
 *        until the program closes them, so it never blocks on a full pipe:
 *        the first stdout_max and stderr_max bytes are kept, the rest is read,
 *        counted in .dropped and thrown away. The program is then reaped.
 *        When timeout_usec (0 = none) passes first, it is killed with SIGKILL,
 *        reaped, and nothing is returned but -ETIMEDOUT. The program runs in a
 *        process group of its own, and the kill goes to the group: what it
 *        started dies with it. It is never left running or unreaped after an
 *        error or a timeout.
 *
 *        On success ret holds both outputs, NUL-terminated (data is never
 *        NULL), and the exit status: status is the exit code, or 128 + N
 *        when signal N ended the program (signal is then N, otherwise 0).
 *        process_result_done() frees the outputs.
 *
 *        process_find_program() is the first executable NAME in the absolute
 *        directories of $PATH, then in /usr/sbin, /usr/local/sbin, /sbin,
 *        /usr/bin and /bin (programs such as postconf live in sbin, which a
 *        user's $PATH often lacks); malloc'd, NULL when there is none.
 * DIAGNOSTICS
 *        process_run(): 0 the program ran (whatever its exit status);
 *        -ENOENT, -EACCES, ... it could not be started (argv[0] is checked with
 *        access(2) first; posix_spawn(3) reports the rest);
 *        -ETIMEDOUT killed after timeout_usec; -EINVAL no argv[0], or a limit
 *        of SIZE_MAX; -ENOMEM; other negative errno from pipe2(2) or poll(2).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct ProcessOptions {
        size_t stdout_max;              /* bytes of stdout kept */
        size_t stderr_max;              /* bytes of stderr kept */
        uint64_t timeout_usec;          /* 0 = wait as long as it runs */
} ProcessOptions;

typedef struct ProcessOutput {
        char *data;                     /* NUL-terminated */
        size_t len;
        uint64_t dropped;               /* bytes read beyond the limit */
} ProcessOutput;

typedef struct ProcessResult {
        ProcessOutput out, err;
        int status;                     /* exit code, or 128 + signal */
        int signal;                     /* signal that ended it, 0 if it exited */
} ProcessResult;

int process_run(char *const argv[], const ProcessOptions *o, ProcessResult *ret);
void process_result_done(ProcessResult *r);
char *process_find_program(const char *name);
