/*
 * NAME
 *        journal - the systemd journal as a record source
 * SYNOPSIS
 *        #include "journal.h"
 *        int journal_source_open(const JournalOptions *o, Source **ret);
 * DESCRIPTION
 *        The only file that includes <systemd/sd-journal.h>. Each entry gives
 *        one PfRecord from SYSLOG_IDENTIFIER, SYSLOG_PID (not _PID: postlogd
 *        re-sends records under its own _PID), _HOSTNAME, _BOOT_ID, MESSAGE
 *        and the realtime timestamp. Fields are copied into buffers of the
 *        source, so a record stays valid until the next call and no entry
 *        costs an allocation. MESSAGE may hold any bytes; it is passed on
 *        as is, with its length.
 *
 *        Resuming: seek to the saved cursor and step once. If that lands on
 *        the saved entry (sd_journal_test_cursor()), reading continues after
 *        it. Otherwise the entry is gone (vacuumed, or the cursor belongs to
 *        other files): reading continues at the oldest entry newer than the
 *        saved timestamp, and every entry not newer than it is dropped, so
 *        nothing is counted twice. The seek info tells the caller the gap.
 * DIAGNOSTICS
 *        Negative errno values from sd-journal; -ENODATA when no identifier
 *        matches; -EINVAL for a position that is not "USEC CURSOR".
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <systemd/sd-journal.h>

#include "cleanup.h"
#include "journal.h"
#include "util.h"

#define PROCESS_INTERVAL 4096           /* entries between sd_journal_process() calls */

char *const journal_default_identifiers[] = {
        "postfix/smtp",
        "postfix*/smtp",
        "postfix*/relay/smtp",
        NULL,
};

typedef struct JournalSource {
        Source base;
        sd_journal *j;
        char **identifiers;             /* selected SYSLOG_IDENTIFIER values */
        bool have_current;              /* positioned on an entry next() must hand out first */
        bool consumed;                  /* an entry was read since open/seek */
        uint64_t skip_before_usec;      /* entries older than this are dropped */
        unsigned since_process;
        uint64_t cutoff_to_usec;        /* newest entry of the journal at open */
        char identifier[PF_IDENTIFIER_MAX + 1];
        char hostname[PF_HOSTNAME_MAX + 1];
        char boot_id[PF_BOOT_ID_MAX + 1];
        char message[PF_MESSAGE_MAX + 1];
} JournalSource;

static void strv_free(char **l) {
        if (!l)
                return;
        for (char **p = l; *p; p++)
                free(*p);
        free(l);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free)

static size_t strv_length(char *const *l) {
        size_t n = 0;

        while (l && l[n])
                n++;
        return n;
}

/* strv_push - append a malloc'd string; takes it even on failure */
static int strv_push(char ***l, size_t *n, char *s) {
        char **m;

        if (!s)
                return -ENOMEM;
        m = realloc(*l, (*n + 2) * sizeof(char *));
        if (!m) {
                free(s);
                return -ENOMEM;
        }
        m[(*n)++] = s;
        m[*n] = NULL;
        *l = m;
        return 0;
}

/* field_copy - "NAME=value" from sd_journal_get_data into buf, bounded */
static int field_copy(sd_journal *j, const char *field, char *buf, size_t bufsz) {
        const void *d;
        size_t l, prefix = strlen(field) + 1;
        int r;

        r = sd_journal_get_data(j, field, &d, &l);
        if (r < 0)
                return r;
        if (l < prefix)
                return -EBADMSG;
        l -= prefix;
        if (l >= bufsz)
                l = bufsz - 1;
        memcpy(buf, (const char *) d + prefix, l);
        buf[l] = '\0';
        /* An embedded NUL simply ends the value: these fields are names, not text. */
        return (int) strlen(buf);
}

/* journal_next - hand out the next selected entry */
static int journal_next(Source *s, PfRecord *ret) {
        JournalSource *js = (JournalSource *) s;
        const void *d;
        size_t l;
        uint64_t usec;
        char pidbuf[32];
        int r;

        for (;;) {
                if (js->have_current)
                        js->have_current = false;
                else {
                        r = sd_journal_next(js->j);
                        if (r <= 0)
                                return r;
                }
                if (++js->since_process >= PROCESS_INTERVAL) {
                        (void) sd_journal_process(js->j);
                        js->since_process = 0;
                }

                js->consumed = true;
                s->stats.entries++;
                r = sd_journal_get_realtime_usec(js->j, &usec);
                if (r < 0) {
                        s->stats.malformed++;
                        continue;
                }
                if (s->stats.first_usec == 0)
                        s->stats.first_usec = usec;
                s->stats.last_usec = usec;
                if (usec < js->skip_before_usec) {
                        s->stats.too_old++;
                        continue;
                }

                r = sd_journal_get_data(js->j, "MESSAGE", &d, &l);
                if (r < 0 || l < strlen("MESSAGE=")) {
                        s->stats.malformed++;
                        continue;
                }
                l -= strlen("MESSAGE=");
                if (l > PF_MESSAGE_MAX) {
                        s->stats.too_long++;
                        continue;
                }
                memcpy(js->message, (const char *) d + strlen("MESSAGE="), l);
                js->message[l] = '\0';

                if (field_copy(js->j, "SYSLOG_IDENTIFIER", js->identifier, sizeof js->identifier) < 0)
                        js->identifier[0] = '\0';
                if (field_copy(js->j, "_HOSTNAME", js->hostname, sizeof js->hostname) < 0)
                        js->hostname[0] = '\0';
                if (field_copy(js->j, "_BOOT_ID", js->boot_id, sizeof js->boot_id) < 0)
                        js->boot_id[0] = '\0';

                *ret = (PfRecord) {
                        .realtime_usec = usec,
                        .boot_id = js->boot_id,
                        .hostname = js->hostname,
                        .identifier = js->identifier,
                        .message = js->message,
                        .message_len = l,
                };
                if (field_copy(js->j, "SYSLOG_PID", pidbuf, sizeof pidbuf) < 0 ||
                    parse_u32(pidbuf, &ret->pid) < 0 || ret->pid == 0) {
                        ret->pid = 0;
                        s->stats.no_pid++;
                }
                s->stats.records++;
                return 1;
        }
}

/* journal_position - "USEC CURSOR" of the last entry read */
static int journal_position(Source *s, char **ret) {
        JournalSource *js = (JournalSource *) s;
        _cleanup_free_ char *cursor = NULL;
        char *p;
        int r;

        if (!js->consumed || js->have_current)
                return -ENODATA;
        r = sd_journal_get_cursor(js->j, &cursor);
        if (r < 0)
                return r;
        if (asprintf(&p, "%llu %s", (unsigned long long) s->stats.last_usec, cursor) < 0)
                return -ENOMEM;
        *ret = p;
        return 0;
}

/* position_parse - split "USEC CURSOR"; cursor points into position */
static int position_parse(const char *position, uint64_t *ret_usec, const char **ret_cursor) {
        const char *sp = strchr(position, ' ');
        uint64_t usec;

        if (!sp || sp[1] == '\0' || strchr(sp + 1, ' '))
                return -EINVAL;
        if (span_to_u64(span_make(position, (size_t) (sp - position)), &usec) < 0)
                return -EINVAL;
        *ret_usec = usec;
        *ret_cursor = sp + 1;
        return 0;
}

/* peek - step once and remember that the entry is still to be handed out */
static int peek(JournalSource *js, uint64_t *ret_usec) {
        int r;

        *ret_usec = 0;
        r = sd_journal_next(js->j);
        if (r <= 0)
                return r;
        r = sd_journal_get_realtime_usec(js->j, ret_usec);
        if (r < 0)
                *ret_usec = 0;
        return 1;
}

static int journal_seek(Source *s, const char *position, SourceSeekInfo *ret_info) {
        JournalSource *js = (JournalSource *) s;
        SourceSeekInfo info = { 0 };
        const char *cursor;
        uint64_t usec;
        int r;

        r = position_parse(position, &usec, &cursor);
        if (r < 0)
                return r;
        info.saved_usec = usec;
        js->have_current = false;
        js->consumed = false;
        js->skip_before_usec = 0;

        r = sd_journal_seek_cursor(js->j, cursor);
        if (r < 0)
                return r;
        r = sd_journal_next(js->j);
        if (r < 0)
                return r;
        if (r > 0) {
                r = sd_journal_test_cursor(js->j, cursor);
                if (r < 0)
                        return r;
                if (r > 0) {
                        /* On the saved entry: the next sd_journal_next() steps past it. */
                        *ret_info = info;
                        return 0;
                }
        }

        /* The saved entry is gone. Never hand out anything not newer than it. */
        info.position_lost = true;
        r = sd_journal_seek_head(js->j);
        if (r < 0)
                return r;
        r = peek(js, &info.oldest_usec);
        if (r < 0)
                return r;
        r = sd_journal_seek_realtime_usec(js->j, usec + 1);
        if (r < 0)
                return r;
        r = peek(js, &info.resume_usec);
        if (r < 0)
                return r;
        js->have_current = r > 0;
        js->skip_before_usec = usec + 1;
        *ret_info = info;
        return 0;
}

static int journal_seek_time(Source *s, uint64_t usec) {
        JournalSource *js = (JournalSource *) s;
        int r;

        r = sd_journal_seek_realtime_usec(js->j, usec);
        if (r < 0)
                return r;
        js->have_current = false;
        js->consumed = false;
        js->skip_before_usec = usec;
        return 0;
}

/* journal_progress - by time, from the first entry of this run to the newest at open */
static double journal_progress(Source *s) {
        JournalSource *js = (JournalSource *) s;
        uint64_t start = s->stats.first_usec, cur = s->stats.last_usec;

        if (start == 0 || js->cutoff_to_usec <= start)
                return -1.0;
        if (cur >= js->cutoff_to_usec)
                return 1.0;
        return (double) (cur - start) / (double) (js->cutoff_to_usec - start);
}

static void journal_free(Source *s) {
        JournalSource *js = (JournalSource *) s;

        sd_journal_close(js->j);
        strv_free(js->identifiers);
        free(js);
}

static const SourceOps journal_ops = {
        .kind = "journal",
        .next = journal_next,
        .position = journal_position,
        .seek = journal_seek,
        .seek_time = journal_seek_time,
        .progress = journal_progress,
        .free = journal_free,
};

static bool is_id128(const char *s) {
        size_t n = 0;

        for (; s[n]; n++)
                if (!strchr("0123456789abcdef", s[n]))
                        return false;
        return n == 32;
}

static bool is_journal_file(const char *name) {
        size_t n = strlen(name);

        return (n > 8 && strcmp(name + n - 8, ".journal") == 0) ||
               (n > 9 && strcmp(name + n - 9, ".journal~") == 0);
}

/* dir_add_files - *.journal files of dir and of its machine-id subdirectories */
static int dir_add_files(const char *dir, bool recurse, char ***files, size_t *n) {
        DIR *d;
        struct dirent *de;
        int r = 0;

        d = opendir(dir);
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                _cleanup_free_ char *path = NULL;
                struct stat st;

                if (de->d_name[0] == '.')
                        continue;
                if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (stat(path, &st) < 0)
                        continue;
                if (S_ISREG(st.st_mode) && is_journal_file(de->d_name))
                        r = strv_push(files, n, TAKE_PTR(path));
                else if (S_ISDIR(st.st_mode) && recurse && is_id128(de->d_name))
                        r = dir_add_files(path, false, files, n);
                if (r < 0)
                        break;
        }
        (void) closedir(d);
        return r;
}

/* key_build - "journal:local", "journal:dir:P", "journal:file:P" or several joined by ';' */
static int key_build(const JournalOptions *o, char **ret) {
        StrBuf b;
        char *const *lists[2] = { o->directories, o->files };
        static const char *const kinds[2] = { "dir:", "file:" };
        bool first = true;

        strbuf_init(&b);
        strbuf_puts(&b, "journal:");
        for (size_t k = 0; k < 2; k++)
                for (size_t i = 0; lists[k] && lists[k][i]; i++) {
                        _cleanup_free_ char *abs = realpath(lists[k][i], NULL);

                        if (!abs) {
                                strbuf_free(&b);
                                return -errno;
                        }
                        if (!first)
                                strbuf_putc(&b, ';');
                        strbuf_puts(&b, kinds[k]);
                        strbuf_puts(&b, abs);
                        first = false;
                }
        if (first)
                strbuf_puts(&b, "local");
        if (b.oom) {
                strbuf_free(&b);
                return -ENOMEM;
        }
        *ret = b.data;
        return 0;
}

static int journal_open_any(const JournalOptions *o, sd_journal **ret) {
        _cleanup_(strv_freep) char **files = NULL;
        size_t ndirs = strv_length(o->directories), nfiles = strv_length(o->files), n = 0;
        int r;

        if (ndirs == 0 && nfiles == 0)
                return sd_journal_open(ret, o->local_only ? SD_JOURNAL_LOCAL_ONLY : 0);
        if (ndirs == 1 && nfiles == 0)
                return sd_journal_open_directory(ret, o->directories[0], 0);

        for (size_t i = 0; i < ndirs; i++) {
                r = dir_add_files(o->directories[i], true, &files, &n);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < nfiles; i++) {
                r = strv_push(&files, &n, strdup(o->files[i]));
                if (r < 0)
                        return r;
        }
        if (n == 0)
                return -ENOENT;
        return sd_journal_open_files(ret, (const char **) files, 0);
}

/* identifiers_resolve - unique SYSLOG_IDENTIFIER values matching a pattern, as exact matches */
static int identifiers_resolve(JournalSource *js, char *const *patterns) {
        const void *d;
        size_t l, n = 0;
        const size_t prefix = strlen("SYSLOG_IDENTIFIER=");
        int r;

        if (strv_length(patterns) == 0)
                patterns = journal_default_identifiers;

        r = sd_journal_query_unique(js->j, "SYSLOG_IDENTIFIER");
        if (r < 0)
                return r;
        SD_JOURNAL_FOREACH_UNIQUE(js->j, d, l) {
                char value[PF_IDENTIFIER_MAX + 1];

                if (l <= prefix || l - prefix > PF_IDENTIFIER_MAX)
                        continue;
                memcpy(value, (const char *) d + prefix, l - prefix);
                value[l - prefix] = '\0';
                if (strlen(value) != l - prefix)
                        continue;               /* embedded NUL */
                for (size_t i = 0; patterns[i]; i++)
                        if (fnmatch(patterns[i], value, 0) == 0) {
                                r = strv_push(&js->identifiers, &n, strdup(value));
                                if (r < 0)
                                        return r;
                                break;
                        }
        }
        if (n == 0)
                return -ENODATA;

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *m = NULL;

                if (asprintf(&m, "SYSLOG_IDENTIFIER=%s", js->identifiers[i]) < 0)
                        return -ENOMEM;
                r = sd_journal_add_match(js->j, m, 0);
                if (r < 0)
                        return r;
        }
        return 0;
}

int journal_source_open(const JournalOptions *o, Source **ret) {
        JournalSource *js;
        uint64_t from;
        int r;

        js = calloc(1, sizeof *js);
        if (!js)
                return -ENOMEM;
        js->base.ops = &journal_ops;

        r = key_build(o, &js->base.key);
        if (r < 0)
                goto fail;
        r = journal_open_any(o, &js->j);
        if (r < 0)
                goto fail;
        /* Field name, '=', 64 KiB and one more byte: longer MESSAGEs are seen as too long. */
        r = sd_journal_set_data_threshold(js->j, strlen("MESSAGE=") + PF_MESSAGE_MAX + 1);
        if (r < 0)
                goto fail;
        r = identifiers_resolve(js, o->identifiers);
        if (r < 0)
                goto fail;
        if (sd_journal_get_cutoff_realtime_usec(js->j, &from, &js->cutoff_to_usec) <= 0)
                js->cutoff_to_usec = 0;

        *ret = &js->base;
        return 0;
fail:
        (void) source_free(&js->base);
        return r;
}

char *const *journal_source_identifiers(const Source *s) {
        if (!s || s->ops != &journal_ops)
                return NULL;
        return ((const JournalSource *) s)->identifiers;
}
