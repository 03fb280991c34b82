/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        strv - NULL-terminated arrays of malloc'd strings
 * SYNOPSIS
 *        #include "strv.h"
 *        char **strv_free(char **l);
 *        size_t strv_length(char *const *l);
 *        bool strv_contains(char *const *l, const char *s);
 *        int strv_push(char ***l, size_t *n, char *s);
 *        char **strv_copy(char *const *l);
 *        char **strv_copy_n(char *const *l, size_t n);
 * DESCRIPTION
 *        A strv owns its strings and the array; NULL stands for the empty
 *        list wherever one is read. strv_free() frees both and returns NULL;
 *        _cleanup_(strv_freep) does it at the end of a scope.
 *
 *        strv_push() appends s, which it takes over (freed when the array
 *        cannot grow; NULL, as from a failed strdup(), is -ENOMEM); *n is the
 *        length the caller keeps, so that appending costs no walk.
 *
 *        strv_copy() copies a NULL-terminated list, strv_copy_n() the first n
 *        strings of an array that need not be NULL-terminated; both always
 *        give a NULL-terminated array, empty for n = 0 or a NULL list.
 * DIAGNOSTICS
 *        strv_push(): -ENOMEM. strv_copy(), strv_copy_n(): NULL on OOM.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

char **strv_free(char **l);
size_t strv_length(char *const *l);
bool strv_contains(char *const *l, const char *s);
int strv_push(char ***l, size_t *n, char *s);
char **strv_copy(char *const *l);
char **strv_copy_n(char *const *l, size_t n);

static inline void strv_freep(char ***l) {
        (void) strv_free(*l);
}
