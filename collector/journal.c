/* SPDX-License-Identifier: MIT */
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
 *        and the realtime timestamp, read in one pass over the entry's data
 *        (the first item of each name, as sd_journal_get_data() finds it).
 *        Fields are copied into buffers of the source, so a record stays
 *        valid until the next call and no entry costs an allocation. MESSAGE may hold any bytes; it is passed on
 *        as is, with its length.
 *
 *        Position. sd-journal orders the entries of one file sequence
 *        (sequence number id) by sequence number, and entries of different
 *        sequences by monotonic time within a boot, by realtime otherwise,
 *        by a hash for ties. A cursor alone is no place in that order:
 *        seeking to it and stepping lands before entries already read when
 *        two files end in the same microsecond, and after entries never read
 *        when a new file starts with entries of another boot. So the
 *        position holds two things:
 *
 *        - USEC, the newest timestamp read, and the identities of the
 *          entries read with exactly that timestamp: every entry of another
 *          sequence before USEC counts as read, and those at USEC by identity;
 *        - the cursor of the last entry visited: entries of its sequence
 *          count as read up to its sequence number and as new after it,
 *          whatever their timestamp (a clock set back, records not in time
 *          order in one file).
 *
 *        Resuming seeks to the partial cursor "s=SEQUENCE;i=SEQNUM;t=USEC":
 *        sd-journal places the files of that sequence by sequence number and
 *        every other file by its own timestamps. An entry newer than USEC is
 *        new; for the others the identity and, only for them, the sequence
 *        number (from the entry's cursor) decide. An entry of another
 *        sequence written after a run with a timestamp before USEC (a host
 *        uploading late) is dropped and counted as too old.

 *        An identity is a 64-bit hash of the boot ID, the monotonic
 *        timestamp and MESSAGE: the same for copies of one entry in several
 *        files, different for two entries of one microsecond. Positions of
 *        mxtls 0.1 hold identities of an older hash (format 1): entries at
 *        their USEC are compared by that hash, and such a window is written
 *        back as it was read until a newer timestamp is read. At most
 *        WINDOW_MAX identities are kept; when more entries share USEC, the
 *        count says so and every entry at USEC of another sequence counts as
 *        read: none is read twice, and one written later with exactly that
 *        timestamp would be dropped.
 *
 *        If neither the last entry visited nor any entry read at USEC is in
 *        the journal any more (vacuumed or replaced), the position is lost:
 *        reading continues with the oldest entry newer than the last one
 *        visited (or its sequence's entries after it), and the seek info
 *        tells the caller the gap.
 *
 *        Position strings, "2 USEC COUNT IDS CURSOR" (IDS "h2:ID,..." or "-";
 *        unmarked ID lists and "USEC CURSOR" of older versions), and
 *        identities: journal_position.c.
 * DIAGNOSTICS
 *        Negative errno values from sd-journal; -ENODATA when no identifier
 *        matches; -EINVAL for a position that is neither form.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "cleanup.h"
#include "journal.h"
#include "journal_position.h"
#include "span.h"
#include "strbuf.h"
#include "strv.h"

#define PROCESS_INTERVAL 4096           /* entries between sd_journal_process() calls */
#define MESSAGE_PREFIX (sizeof "MESSAGE=" - 1)

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
        Window win;                     /* read so far, this run included: the next position */
        bool win_changed;               /* an entry was handed out or dropped since open/seek */
        Window skip;                    /* read by an earlier run at skip.usec (ids sorted) */
        uint64_t cut;                   /* entries at or before: read, unless seq says they are new */
        SeqPlace seq;                   /* entries of this sequence after it are new */
        unsigned since_process;
        uint64_t cutoff_to_usec;        /* newest entry of the journal at open */
        char identifier[PF_IDENTIFIER_MAX + 1];
        char hostname[PF_HOSTNAME_MAX + 1];
        char boot_id[PF_BOOT_ID_MAX + 1];
        char message[PF_MESSAGE_MAX + 1];
} JournalSource;

/* entry_identity - boot ID, monotonic time and MESSAGE (msg may be NULL) of the current
 * entry, in the identity format of window w */
static uint64_t entry_identity(sd_journal *j, const Window *w, const void *msg, size_t len) {
        sd_id128_t boot = SD_ID128_NULL;
        uint64_t mono = 0;

        (void) sd_journal_get_monotonic_usec(j, &mono, &boot);
        return (w->legacy ? journal_identity_v1 : journal_identity)(mono, boot.bytes, msg, len);
}

/* seq_new - 1: the current entry follows seq in its sequence; 0: it is seq or before it; -1: other */
static int seq_new(JournalSource *js) {
        _cleanup_free_ char *cursor = NULL;
        SeqPlace p;

        if (!js->seq.set || sd_journal_get_cursor(js->j, &cursor) < 0)
                return -1;
        p = journal_seq_place(cursor);
        if (!p.set || strcmp(p.id, js->seq.id) != 0)
                return -1;
        return p.seqnum > js->seq.seqnum;
}

/* field_copy - the value of a "NAME=value" item into buf, bounded; an embedded NUL ends it */
static void field_copy(const void *value, size_t l, char *buf, size_t bufsz) {
        if (l >= bufsz)
                l = bufsz - 1;
        memcpy(buf, value, l);
        buf[l] = '\0';
}

/* The fields of an entry read in one pass over its data. */
typedef enum EntryField {
        FIELD_MESSAGE,
        FIELD_SYSLOG_IDENTIFIER,
        FIELD_HOSTNAME,
        FIELD_BOOT_ID,
        FIELD_SYSLOG_PID,
        _FIELD_MAX,
} EntryField;

#define FIELD_NAME(s) { s "=", sizeof s }
static const struct {
        char name[sizeof "SYSLOG_IDENTIFIER="];
        size_t len;                     /* with the '=' */
} entry_fields[_FIELD_MAX] = {
        [FIELD_MESSAGE] = FIELD_NAME("MESSAGE"),
        [FIELD_SYSLOG_IDENTIFIER] = FIELD_NAME("SYSLOG_IDENTIFIER"),
        [FIELD_HOSTNAME] = FIELD_NAME("_HOSTNAME"),
        [FIELD_BOOT_ID] = FIELD_NAME("_BOOT_ID"),
        [FIELD_SYSLOG_PID] = FIELD_NAME("SYSLOG_PID"),
};

/* field_of - which of entry_fields the item d is, _FIELD_MAX for none */
static EntryField field_of(const char *d, size_t l) {
        for (EntryField f = 0; f < _FIELD_MAX; f++)
                if (l >= entry_fields[f].len && memcmp(d, entry_fields[f].name, entry_fields[f].len) == 0)
                        return f;
        return _FIELD_MAX;
}

/* Fields of the current entry, as sd_journal_get_data() would give them (the first of each name). */
typedef struct EntryData {
        bool message;                   /* MESSAGE present */
        size_t message_len;             /* its value's length (over PF_MESSAGE_MAX: not copied) */
        uint64_t id;                    /* the identity */
        uint64_t id_v1;                 /* the identity of format 1, when asked for */
        bool pid;                       /* SYSLOG_PID present */
        char pidbuf[32];
} EntryData;

/*
 * entry_read - the fields of the current entry in one pass over its data: MESSAGE into
 * js->message, the names into the source's buffers ("" when missing), and the identity
 * (also in format 1 with v1). A value is copied at once: sd-journal may reuse its memory
 * on the next item.
 */
static void entry_read(JournalSource *js, EntryData *e, bool v1) {
        sd_id128_t boot = SD_ID128_NULL;
        uint64_t mono = 0;
        unsigned seen = 0;
        const void *d;
        size_t l;

        *e = (EntryData) { 0 };
        js->identifier[0] = js->hostname[0] = js->boot_id[0] = '\0';
        (void) sd_journal_get_monotonic_usec(js->j, &mono, &boot);

        sd_journal_restart_data(js->j);
        while (seen != (1U << _FIELD_MAX) - 1 && sd_journal_enumerate_data(js->j, &d, &l) > 0) {
                EntryField f = field_of(d, l);
                const char *v;

                if (f == _FIELD_MAX || (seen & (1U << f)))
                        continue;
                seen |= 1U << f;
                v = (const char *) d + entry_fields[f].len;
                l -= entry_fields[f].len;
                switch (f) {
                case FIELD_MESSAGE:
                        e->message = true;
                        e->message_len = l;
                        e->id = journal_identity(mono, boot.bytes, d, l + MESSAGE_PREFIX);
                        if (v1)
                                e->id_v1 = journal_identity_v1(mono, boot.bytes, d, l + MESSAGE_PREFIX);
                        if (l <= PF_MESSAGE_MAX) {
                                memcpy(js->message, v, l);
                                js->message[l] = '\0';
                        }
                        break;
                case FIELD_SYSLOG_IDENTIFIER:
                        field_copy(v, l, js->identifier, sizeof js->identifier);
                        break;
                case FIELD_HOSTNAME:
                        field_copy(v, l, js->hostname, sizeof js->hostname);
                        break;
                case FIELD_BOOT_ID:
                        field_copy(v, l, js->boot_id, sizeof js->boot_id);
                        break;
                case FIELD_SYSLOG_PID:
                        e->pid = true;
                        field_copy(v, l, e->pidbuf, sizeof e->pidbuf);
                        break;
                case _FIELD_MAX:
                        break;
                }
        }
        if (!e->message) {
                e->id = journal_identity(mono, boot.bytes, NULL, 0);
                if (v1)
                        e->id_v1 = journal_identity_v1(mono, boot.bytes, NULL, 0);
        }
}

/* window_id - the identity of an entry at usec as window w keeps it */
static uint64_t window_id(const Window *w, uint64_t usec, const EntryData *e) {
        return w->legacy && usec == w->usec ? e->id_v1 : e->id;
}

/* get_message - the MESSAGE field of the current entry, prefix included; NULL when missing */
static const void *get_message(sd_journal *j, size_t *ret_len) {
        const void *d;
        size_t l;

        if (sd_journal_get_data(j, "MESSAGE", &d, &l) < 0 || l < MESSAGE_PREFIX) {
                *ret_len = 0;
                return NULL;
        }
        *ret_len = l;
        return d;
}

/* journal_next - hand out the next selected entry */
static int journal_next(Source *s, PfRecord *ret) {
        JournalSource *js = (JournalSource *) s;
        EntryData e;
        uint64_t usec;
        int r;

        for (;;) {
                r = sd_journal_next(js->j);
                if (r <= 0)
                        return r;
                if (++js->since_process >= PROCESS_INTERVAL) {
                        (void) sd_journal_process(js->j);
                        js->since_process = 0;
                }

                r = sd_journal_get_realtime_usec(js->j, &usec);
                if (r < 0) {
                        s->stats.entries++;
                        s->stats.malformed++;
                        continue;
                }
                entry_read(js, &e, (js->skip.legacy && usec == js->skip.usec) ||
                                   (js->win.legacy && usec == js->win.usec));
                if (usec == js->skip.usec && journal_window_has(&js->skip, window_id(&js->skip, usec, &e)))
                        continue;               /* read by an earlier run */
                if (usec <= js->cut) {
                        r = seq_new(js);
                        if (r == 0)
                                continue;       /* read by an earlier run */
                        if (r < 0) {
                                s->stats.entries++;
                                s->stats.too_old++;
                                continue;
                        }
                }
                journal_window_add(&js->win, usec, window_id(&js->win, usec, &e));
                js->win_changed = true;
                s->stats.entries++;
                if (s->stats.first_usec == 0)
                        s->stats.first_usec = usec;
                s->stats.last_usec = usec;

                if (!e.message) {
                        s->stats.malformed++;
                        continue;
                }
                if (e.message_len > PF_MESSAGE_MAX) {
                        s->stats.too_long++;
                        continue;
                }

                *ret = (PfRecord) {
                        .realtime_usec = usec,
                        .boot_id = js->boot_id,
                        .hostname = js->hostname,
                        .identifier = js->identifier,
                        .message = js->message,
                        .message_len = e.message_len,
                };
                if (!e.pid || parse_u32(e.pidbuf, &ret->pid) < 0 || ret->pid == 0) {
                        ret->pid = 0;
                        s->stats.no_pid++;
                }
                s->stats.records++;
                return 1;
        }
}

/* journal_position - "2 USEC COUNT IDS CURSOR", see the top of this file */
static int journal_position(Source *s, char **ret) {
        JournalSource *js = (JournalSource *) s;
        _cleanup_free_ char *cursor = NULL;
        int r;

        if (!js->win_changed)
                return -ENODATA;
        /* the last entry visited: still the current one after the end */
        r = sd_journal_get_cursor(js->j, &cursor);
        if (r < 0)
                return r;
        if (strchr(cursor, ' '))
                return -EBADMSG;
        return journal_position_format(&js->win, cursor, ret);
}

/* first_after - timestamp of the first entry after usec, 0 when none */
static int first_after(sd_journal *j, uint64_t usec, uint64_t *ret) {
        uint64_t u;
        int r;

        *ret = 0;
        r = usec == 0 ? sd_journal_seek_head(j) : sd_journal_seek_realtime_usec(j, usec + 1);
        if (r < 0)
                return r;
        while ((r = sd_journal_next(j)) > 0)
                if (sd_journal_get_realtime_usec(j, &u) >= 0 && u > usec) {
                        *ret = u;
                        return 0;
                }
        return r;
}

/* window_found - whether an entry read at skip.usec is still in the journal */
static int window_found(JournalSource *js) {
        const void *d;
        size_t l, later = 0;
        uint64_t u;
        int r;

        if (js->skip.n == 0)
                return 0;
        r = sd_journal_seek_realtime_usec(js->j, js->skip.usec);
        if (r < 0)
                return r;
        while ((r = sd_journal_next(js->j)) > 0) {
                if (sd_journal_get_realtime_usec(js->j, &u) < 0 || u < js->skip.usec)
                        continue;
                if (u > js->skip.usec) {
                        /* (a file not in time order may still hold one: look a little further) */
                        if (++later > WINDOW_MAX)
                                return 0;
                        continue;
                }
                d = get_message(js->j, &l);
                if (journal_window_has(&js->skip, entry_identity(js->j, &js->skip, d, l)))
                        return 1;
        }
        return r;
}

/* cursor_found - whether the entry of the cursor is still in the journal */
static int cursor_found(JournalSource *js, const char *cursor) {
        int r;

        r = sd_journal_seek_cursor(js->j, cursor);
        if (r < 0)
                return r;
        r = sd_journal_next(js->j);
        if (r <= 0)
                return r;
        return sd_journal_test_cursor(js->j, cursor);
}

/* seek_after - to the first entry after cut, and of the sequence of seq after it */
static int seek_after(JournalSource *js) {
        char c[sizeof "s=;i=;t=" + SEQUENCE_ID_LEN + 2 * 16];
        uint64_t t = js->cut < UINT64_MAX ? js->cut + 1 : js->cut;

        if (!js->seq.set)
                return sd_journal_seek_realtime_usec(js->j, t);
        /* Files of that sequence by sequence number, all others by time. */
        (void) snprintf(c, sizeof c, "s=%s;i=%llx;t=%llx", js->seq.id,
                        (unsigned long long) js->seq.seqnum, (unsigned long long) t);
        return sd_journal_seek_cursor(js->j, c);
}

static int journal_seek(Source *s, const char *position, SourceSeekInfo *ret_info) {
        JournalSource *js = (JournalSource *) s;
        SourceSeekInfo info = { 0 };
        const char *cursor;
        Window w;
        int r;

        r = journal_position_parse(position, &w, &cursor);
        if (r < 0)
                return r;
        js->win = w;
        js->win_changed = false;
        js->skip = w;
        journal_window_sort(&js->skip);
        js->seq = journal_seq_place(cursor);
        info.saved_usec = w.usec;

        r = cursor_found(js, cursor);
        if (r == 0 || r == -EINVAL)
                r = window_found(js);
        if (r < 0)
                return r;
        if (r > 0)
                /* at USEC: by identity, all when there were more than the ids kept */
                js->cut = journal_window_all(&w) ? w.usec : w.usec - (w.usec > 0);
        else {
                /* Gone: continue after the last entry visited, never before it. */
                info.position_lost = true;
                js->cut = js->seq.usec > 0 ? js->seq.usec : w.usec;
                r = first_after(js->j, 0, &info.oldest_usec);
                if (r < 0)
                        return r;
                r = first_after(js->j, js->cut, &info.resume_usec);
                if (r < 0)
                        return r;
        }
        r = seek_after(js);
        if (r < 0)
                return r;
        *ret_info = info;
        return 0;
}

static int journal_seek_time(Source *s, uint64_t usec) {
        JournalSource *js = (JournalSource *) s;
        int r;

        r = sd_journal_seek_realtime_usec(js->j, usec);
        if (r < 0)
                return r;
        js->win = (Window) { 0 };
        js->win_changed = false;
        js->skip = (Window) { 0 };
        js->seq = (SeqPlace) { 0 };
        js->cut = usec > 0 ? usec - 1 : 0;
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

/* journal_unreadable_files - journal files of o that this process cannot open */
int journal_unreadable_files(const JournalOptions *o, size_t *ret_n, char **ret_first) {
        static const char *const local_dirs[] = { "/var/log/journal", "/run/log/journal" };
        _cleanup_(strv_freep) char **files = NULL;
        size_t ndirs = strv_length(o->directories), n = 0, bad = 0;
        char *first = NULL;
        int r;

        if (ndirs == 0 && strv_length(o->files) == 0) {
                for (size_t i = 0; i < ELEMENTSOF(local_dirs); i++) {
                        r = dir_add_files(local_dirs[i], true, &files, &n);
                        if (r < 0 && r != -ENOENT && r != -EACCES)
                                return r;
                }
        } else
                for (size_t i = 0; i < ndirs; i++) {
                        r = dir_add_files(o->directories[i], true, &files, &n);
                        if (r < 0 && r != -ENOENT && r != -EACCES)
                                return r;
                }
        for (size_t i = 0; i < n; i++) {
                int fd = open(files[i], O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

                if (fd >= 0) {
                        (void) close(fd);
                        continue;
                }
                if (errno != EACCES && errno != EPERM)
                        continue;       /* vanished (rotated) or damaged: sd-journal decides */
                if (bad++ == 0 && ret_first)
                        first = TAKE_PTR(files[i]);
        }
        *ret_n = bad;
        if (ret_first)
                *ret_first = first;
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
