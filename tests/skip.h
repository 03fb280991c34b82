/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        skip - skipped cmocka tests reported to meson as a skip
 * SYNOPSIS
 *        #include <cmocka.h>
 *        #include "skip.h"
 *        SKIP(reason);                                    in a test
 *        return skip_exit(cmocka_run_group_tests(...));   in main()
 * DESCRIPTION
 *        cmocka counts a skipped test as run and exits 0, which meson shows as
 *        OK. SKIP() prints "SKIP: reason", remembers the reason and skips the
 *        test. skip_exit() turns the count of failed tests into the exit
 *        status: 1 when a test failed, else 77 (meson: SKIP) when one was
 *        skipped, with the reasons on the last line of output (what
 *        tools/test.sh shows), else 0.
 */
#pragma once

#include <stdio.h>
#include <string.h>

static char skip_reasons[1024];

/* skip_note - remember a reason once */
static inline void skip_note(const char *reason) {
        size_t n = strlen(skip_reasons);

        if (!strstr(skip_reasons, reason))
                (void) snprintf(skip_reasons + n, sizeof(skip_reasons) - n, "%s%s", n ? "; " : "", reason);
}

#define SKIP(reason) do { \
                print_message("SKIP: %s\n", reason); \
                skip_note(reason); \
                skip(); \
        } while (0)

/* skip_exit - the exit status for a count of failed tests */
static inline int skip_exit(int failed) {
        if (failed != 0)
                return 1;
        if (!skip_reasons[0])
                return 0;
        printf("SKIP: %s\n", skip_reasons);
        return 77;
}
