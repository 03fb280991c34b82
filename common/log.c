/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        log - messages for the user on stderr
 * DESCRIPTION
 *        See log.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static LogLevel log_level = LOG_LEVEL_NOTICE;
static int log_to_journal = -1;         /* unknown until the first message */

/* stderr_is_journal - JOURNAL_STREAM names stderr's device and inode (sd-daemon(3)) */
static bool stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        uintmax_t dev, ino;
        struct stat st;
        int used = 0;

        if (!e || sscanf(e, "%ju:%ju%n", &dev, &ino, &used) != 2 || e[used] != '\0')
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (uintmax_t) st.st_dev == dev && (uintmax_t) st.st_ino == ino;
}

void log_set_level(LogLevel l) {
        log_level = l;
}

LogLevel log_get_level(void) {
        return log_level;
}

__attribute__((format(printf, 3, 0)))
static void log_vmsg(LogLevel l, const char *suffix, const char *fmt, va_list ap) {
        static const char *const prefix[] = {
                [LOG_LEVEL_ERROR] = "error: ",
                [LOG_LEVEL_WARNING] = "warning: ",
                [LOG_LEVEL_NOTICE] = "",
                [LOG_LEVEL_INFO] = "",
                [LOG_LEVEL_DEBUG] = "debug: ",
        };

        /* syslog priorities: LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG */
        static const int priority[] = {
                [LOG_LEVEL_ERROR] = 3,
                [LOG_LEVEL_WARNING] = 4,
                [LOG_LEVEL_NOTICE] = 5,
                [LOG_LEVEL_INFO] = 6,
                [LOG_LEVEL_DEBUG] = 7,
        };

        if (l > log_level)
                return;
        if (log_to_journal < 0)
                log_to_journal = stderr_is_journal();
        if (log_to_journal)
                fprintf(stderr, "<%d>", priority[l]);
        fprintf(stderr, "mxtls: %s", prefix[l]);
        vfprintf(stderr, fmt, ap);
        if (suffix)
                fprintf(stderr, ": %s", suffix);
        fputc('\n', stderr);
}

/* log_msg - print one message if its level is enabled */
void log_msg(LogLevel l, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_vmsg(l, NULL, fmt, ap);
        va_end(ap);
}

/* log_errno - print an error with strerror(-r) appended; returns r */
int log_errno(int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_vmsg(LOG_LEVEL_ERROR, strerror(r < 0 ? -r : r), fmt, ap);
        va_end(ap);
        return r < 0 ? r : -r;
}
