/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        baseline - the least work any journal collector has to do
 * SYNOPSIS
 *        baseline [--fields | --enumerate] [--identifier PATTERN]... [--directory DIR | FILE...]
 * DESCRIPTION
 *        Opens the journal files (sd_journal_open_files) or a directory,
 *        resolves the identifier patterns (default postfix/smtp, postfix*\/smtp,
 *        postfix*\/relay/smtp) against sd_journal_query_unique("SYSLOG_IDENTIFIER")
 *        with fnmatch(3), adds the exact values as OR-ed matches, as journalctl
 *        does, then reads MESSAGE of every matching entry and counts its bytes.
 *        With --fields it also reads what a collector needs besides MESSAGE:
 *        SYSLOG_PID, _HOSTNAME, _BOOT_ID, the realtime stamp, and the cursor of
 *        the last entry, each with its own sd_journal_get_data() call. With
 *        --enumerate it gets the same fields in one pass over the entry's data
 *        (sd_journal_enumerate_data), the boot id and the time stamps from the
 *        entry header: the cheapest way for a collector to see everything it needs.
 *        Prints one line: entries=N message_bytes=N seconds=S identifiers=N.
 * DIAGNOSTICS
 *        Exit 0 on success (also when nothing matches), 1 on errors.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-journal.h>

#define MAX_PATTERNS 16
#define MAX_IDENTS 256

static double now_sec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static bool matches_any(const char *value, const char *const *patterns, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (fnmatch(patterns[i], value, 0) == 0)
                        return true;
        return false;
}

/* add_identifier_matches - exact SYSLOG_IDENTIFIER matches for every unique value a pattern selects */
static int add_identifier_matches(sd_journal *j, const char *const *patterns, size_t n_patterns,
                                  size_t *ret_n) {
        static const char prefix[] = "SYSLOG_IDENTIFIER=";
        char *found[MAX_IDENTS];
        size_t n = 0;
        const void *data;
        size_t len;
        int r;

        r = sd_journal_query_unique(j, "SYSLOG_IDENTIFIER");
        if (r < 0)
                return r;
        SD_JOURNAL_FOREACH_UNIQUE(j, data, len) {
                char value[256];
                size_t vlen;

                if (len <= sizeof prefix - 1 || memcmp(data, prefix, sizeof prefix - 1) != 0)
                        continue;
                vlen = len - (sizeof prefix - 1);
                if (vlen >= sizeof value)
                        continue;
                memcpy(value, (const char *) data + sizeof prefix - 1, vlen);
                value[vlen] = '\0';
                if (!matches_any(value, patterns, n_patterns) || n >= MAX_IDENTS)
                        continue;
                found[n] = malloc(sizeof prefix + vlen);
                if (!found[n])
                        return -ENOMEM;
                memcpy(found[n], prefix, sizeof prefix - 1);
                memcpy(found[n] + sizeof prefix - 1, value, vlen + 1);
                n++;
        }
        r = 0;
        for (size_t i = 0; i < n; i++) {
                if (r >= 0)
                        r = sd_journal_add_match(j, found[i], 0);
                free(found[i]);
        }
        if (r < 0)
                return r;
        *ret_n = n;
        return 0;
}

static void help(FILE *f) {
        fprintf(f, "Usage: baseline [--fields | --enumerate] [--identifier PATTERN]... "
                "[--directory DIR | FILE...]\n");
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "directory",  required_argument, NULL, 'D' },
                { "identifier", required_argument, NULL, 'i' },
                { "fields",     no_argument,       NULL, 'f' },
                { "enumerate",  no_argument,       NULL, 'e' },
                { "help",       no_argument,       NULL, 'h' },
                { 0 }
        };
        const char *patterns[MAX_PATTERNS];
        size_t n_patterns = 0, n_idents = 0;
        const char *directory = NULL;
        bool fields = false, enumerate = false;
        sd_journal *j = NULL;
        uint64_t entries = 0, bytes = 0, checksum = 0;
        char *cursor = NULL;
        double t0;
        int c, r;

        while ((c = getopt_long(argc, argv, "D:i:feh", options, NULL)) >= 0)
                switch (c) {
                case 'D':
                        directory = optarg;
                        break;
                case 'i':
                        if (n_patterns >= MAX_PATTERNS) {
                                fprintf(stderr, "baseline: too many --identifier\n");
                                return 1;
                        }
                        patterns[n_patterns++] = optarg;
                        break;
                case 'f':
                        fields = true;
                        break;
                case 'e':
                        enumerate = true;
                        break;
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        help(stderr);
                        return 1;
                }
        if (n_patterns == 0) {
                patterns[n_patterns++] = "postfix/smtp";
                patterns[n_patterns++] = "postfix*/smtp";
                patterns[n_patterns++] = "postfix*/relay/smtp";
        }
        if (!directory && optind >= argc) {
                help(stderr);
                return 1;
        }

        t0 = now_sec();
        if (directory)
                r = sd_journal_open_directory(&j, directory, 0);
        else
                r = sd_journal_open_files(&j, (const char **) (argv + optind), 0);
        if (r < 0) {
                fprintf(stderr, "baseline: cannot open the journal: %s\n", strerror(-r));
                return 1;
        }
        r = add_identifier_matches(j, patterns, n_patterns, &n_idents);
        if (r < 0) {
                fprintf(stderr, "baseline: cannot resolve identifiers: %s\n", strerror(-r));
                sd_journal_close(j);
                return 1;
        }
        if (n_idents > 0) {
                for (;;) {
                        const void *data;
                        size_t len;

                        r = sd_journal_next(j);
                        if (r < 0) {
                                fprintf(stderr, "baseline: cannot read the journal: %s\n", strerror(-r));
                                break;
                        }
                        if (r == 0)
                                break;
                        entries++;
                        if (enumerate) {
                                uint64_t rt, mono;
                                sd_id128_t boot;

                                if (sd_journal_get_realtime_usec(j, &rt) >= 0 &&
                                    sd_journal_get_monotonic_usec(j, &mono, &boot) >= 0)
                                        checksum += rt + boot.bytes[0];
                                SD_JOURNAL_FOREACH_DATA(j, data, len) {
                                        const char *p = data;

                                        if (len > 8 && memcmp(p, "MESSAGE=", 8) == 0)
                                                bytes += len - 8;
                                        else if ((len > 11 && memcmp(p, "SYSLOG_PID=", 11) == 0) ||
                                                 (len > 10 && memcmp(p, "_HOSTNAME=", 10) == 0) ||
                                                 (len > 18 && memcmp(p, "SYSLOG_IDENTIFIER=", 18) == 0))
                                                checksum += len;
                                }
                                continue;
                        }
                        if (sd_journal_get_data(j, "MESSAGE", &data, &len) >= 0)
                                bytes += len - (sizeof "MESSAGE=" - 1);
                        if (fields) {
                                uint64_t usec;

                                if (sd_journal_get_realtime_usec(j, &usec) >= 0)
                                        checksum += usec;
                                if (sd_journal_get_data(j, "SYSLOG_PID", &data, &len) >= 0)
                                        checksum += len;
                                if (sd_journal_get_data(j, "_HOSTNAME", &data, &len) >= 0)
                                        checksum += len;
                                if (sd_journal_get_data(j, "_BOOT_ID", &data, &len) >= 0)
                                        checksum += len;
                                if (sd_journal_get_data(j, "SYSLOG_IDENTIFIER", &data, &len) >= 0)
                                        checksum += len;
                        }
                }
                if ((fields || enumerate) && entries > 0 && sd_journal_get_cursor(j, &cursor) >= 0)
                        checksum += strlen(cursor);
        }
        sd_journal_close(j);
        free(cursor);
        printf("entries=%" PRIu64 " message_bytes=%" PRIu64 " seconds=%.3f identifiers=%zu%s\n",
               entries, bytes, now_sec() - t0, n_idents,
               fields ? " fields=get_data" : enumerate ? " fields=enumerate" : "");
        if ((fields || enumerate) && checksum == 0 && entries > 0)
                return 1;
        return r < 0 ? 1 : 0;
}
