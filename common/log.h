/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        log - messages for the user, from cli/ and command front ends only
 * SYNOPSIS
 *        #include "log.h"
 *        log_set_level(LOG_LEVEL_INFO);
 *        return log_errno(r, "Failed to open store %s", path);
 * DESCRIPTION
 *        Messages go to stderr prefixed "mxtls: ". log_errno() appends
 *        ": strerror(-r)" and returns r (negative), so a caller can log once
 *        and return. Library code (collector/, advisor/) never logs above debug.
 *        When stderr is the journal (JOURNAL_STREAM names it, as systemd sets
 *        it for a service), each line starts with its syslog priority, "<3>"
 *        for errors to "<7>" for debug (sd-daemon(3)), so that journalctl -p
 *        filters them.
 */
#pragma once

#include <stdarg.h>

typedef enum LogLevel {
        LOG_LEVEL_ERROR,
        LOG_LEVEL_WARNING,
        LOG_LEVEL_NOTICE,
        LOG_LEVEL_INFO,
        LOG_LEVEL_DEBUG,
} LogLevel;

void log_set_level(LogLevel l);
LogLevel log_get_level(void);
void log_msg(LogLevel l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int log_errno(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
