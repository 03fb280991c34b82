/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        cleanup - scope-bound resource release helpers
 * SYNOPSIS
 *        #include "cleanup.h"
 *        _cleanup_free_ char *p = NULL;
 *        _cleanup_(fclosep) FILE *f = NULL;
 *        return TAKE_PTR(p);
 * DESCRIPTION
 *        GCC/clang cleanup attribute wrappers in the style of systemd.
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_close_ _cleanup_(closep)
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_result_ __attribute__((warn_unused_result))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define TAKE_PTR(p)                                     \
        __extension__ ({                                              \
                __typeof__(p) _ptr_ = (p);              \
                (p) = NULL;                             \
                _ptr_;                                  \
        })

#define TAKE_FD(fd)                                     \
        __extension__ ({                                              \
                int _fd_ = (fd);                        \
                (fd) = -1;                              \
                _fd_;                                   \
        })

#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)         \
        static inline void func##p(type *p) {           \
                if (*p)                                 \
                        func(*p);                       \
        }

static inline void freep(void *p) {
        free(*(void **) p);
}

static inline void fclosep(FILE **f) {
        if (*f)
                (void) fclose(*f);
}

static inline void closep(int *fd) {
        if (*fd >= 0)
                (void) close(*fd);
}
