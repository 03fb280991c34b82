/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        lock - one collect at a time: an exclusive lock beside the store
 * SYNOPSIS
 *        #include "lock.h"
 *        int lock_acquire(const char *path, uint64_t timeout_usec, int *ret_fd);
 * DESCRIPTION
 *        flock(2) with LOCK_NB, retried with short sleeps until the deadline,
 *        so the wait is bounded and needs no signal handling.
 * DIAGNOSTICS
 *        -EBUSY after the timeout, other negative errno values on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "lock.h"
#include "timeutil.h"

#define LOCK_POLL_USEC 50000ULL

/* lock_acquire - open path and flock it exclusively within timeout_usec */
int lock_acquire(const char *path, uint64_t timeout_usec, int *ret_fd) {
        _cleanup_close_ int fd = -1;
        uint64_t deadline = monotonic_usec() + timeout_usec;

        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
                return -errno;

        for (;;) {
                uint64_t now, wait;
                struct timespec ts;

                if (flock(fd, LOCK_EX | LOCK_NB) == 0)
                        break;
                if (errno == EINTR)
                        continue;
                if (errno != EWOULDBLOCK)
                        return -errno;
                now = monotonic_usec();
                if (now >= deadline)
                        return -EBUSY;
                wait = deadline - now < LOCK_POLL_USEC ? deadline - now : LOCK_POLL_USEC;
                ts = (struct timespec) { .tv_sec = 0, .tv_nsec = (long) (wait * 1000ULL) };
                (void) nanosleep(&ts, NULL);
        }

        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* lock_release - drop the lock by closing its descriptor */
int lock_release(int fd) {
        if (fd >= 0)
                (void) close(fd);
        return -1;
}

/* lock_path_for - "<store_path>.lock" */
char *lock_path_for(const char *store_path) {
        char *p;

        if (asprintf(&p, "%s.lock", store_path) < 0)
                return NULL;
        return p;
}
