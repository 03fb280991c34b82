/*
 * NAME
 *        log - messages for the user on stderr
 * DESCRIPTION
 *        See log.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static LogLevel log_level = LOG_LEVEL_NOTICE;

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

        if (l > log_level)
                return;
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
