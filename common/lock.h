/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        lock - one collect at a time: an exclusive lock beside the store
 * SYNOPSIS
 *        #include "lock.h"
 *        int lock_acquire(const char *path, uint64_t timeout_usec, int *ret_fd);
 *        int lock_release(int fd);
 * DESCRIPTION
 *        lock_acquire() opens (creating it, mode 0600) the lock file path,
 *        normally "<store>.lock", and takes an exclusive flock(2) on it,
 *        waiting at most timeout_usec (0 = try once). The lock belongs to the
 *        returned descriptor (O_CLOEXEC) and ends when it is closed, also when
 *        the process dies. lock_path_for() builds "<store>.lock".
 * DIAGNOSTICS
 *        -EBUSY when another process still holds the lock after the timeout;
 *        other negative errno values from open(2) and flock(2).
 */
#pragma once

#include <stdint.h>

#define LOCK_TIMEOUT_SECONDS_DEFAULT 10

int lock_acquire(const char *path, uint64_t timeout_usec, int *ret_fd);
int lock_release(int fd);               /* closes fd; always returns -1 for "fd = lock_release(fd)" */
char *lock_path_for(const char *store_path);   /* malloc'd "<store_path>.lock", NULL on OOM */
