/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        fileio - whole files: atomic writes, bounded reads, parent directories
 * SYNOPSIS
 *        #include "fileio.h"
 *        int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);
 *        int read_file_full(const char *path, size_t max_size, char **ret, size_t *ret_len);
 *        int mkdir_parents(const char *path, mode_t mode);
 * DESCRIPTION
 *        write_file_atomic() writes a temporary file in the directory of path,
 *        fsyncs it, renames it over path and fsyncs the directory: a reader
 *        sees the old file or the new one, never a part. mode is the final
 *        permission. On any error the old file stays as it was.
 *
 *        read_file_full() reads a whole file into a malloc'd buffer with a NUL
 *        after the data (ret_len may be NULL); more than max_size bytes is an
 *        error.
 *
 *        mkdir_parents() creates the directories above path (not path itself)
 *        that do not exist yet, each with mode.
 *
 *        Every descriptor is opened O_CLOEXEC.
 * DIAGNOSTICS
 *        Negative errno: from open(2), write(2), rename(2), mkdir(2), ...;
 *        -EFBIG a file larger than max_size; -ENOMEM.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);
int read_file_full(const char *path, size_t max_size, char **ret, size_t *ret_len);
int mkdir_parents(const char *path, mode_t mode);
