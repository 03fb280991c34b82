/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        logfile - a text mail log as a record source
 * SYNOPSIS
 *        #include "logfile.h"
 *        int logfile_source_open(const char *path, char *const *identifiers, Source **ret);
 * DESCRIPTION
 *        One fixed buffer of twice the longest line: a line is found with
 *        memchr() and handed to syslog_line_parse() in place, so reading
 *        costs no allocation. A line with no newline within PF_MESSAGE_MAX
 *        bytes is skipped to its end (its hash still computed, so a position
 *        after it can be checked). The offset, hash and length of the last
 *        complete line make the position; see logfile.h for rotation. The
 *        hash is stable_hash() of the line without its newline, "h2:" in the
 *        position; an unmarked hash is the FNV-1a of mxtls 0.1 (format 1),
 *        which seek() still checks.
 * DIAGNOSTICS
 *        Negative errno values.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "journal.h"
#include "logfile.h"
#include "stable_hash.h"
#include "strv.h"
#include "syslog_line.h"

#define LINE_MAX_LEN PF_MESSAGE_MAX
#define BUF_SIZE (2 * LINE_MAX_LEN + 2)
#define FNV_INIT 0xcbf29ce484222325ULL  /* format 1 */

typedef struct LogFileSource {
        Source base;
        char *path, *rotated;           /* FILE and FILE.1 */
        char **patterns;
        int fd;
        bool in_rotated;                /* reading FILE.1, FILE comes next */
        bool consumed, moved;           /* a line was read / the file changed since seek */
        uint64_t ino;
        SyslogContext sctx;
        uint64_t off;                   /* where the next line starts */
        uint64_t hash, line_len;        /* the line that ends at off */
        bool hash_v1;                   /* hash is of format 1, as a position of mxtls 0.1 gave it */
        uint64_t read_off;              /* file offset of buf[start] */
        bool skipping;                  /* inside an over-long line */
        StableHash skip_hash;
        uint64_t skip_len;
        uint64_t skip_before_usec;
        uint64_t saved_usec;
        uint64_t bytes_total, bytes_done;
        int64_t tz_hour;
        int32_t tz_offset;
        bool tz_valid;
        bool cache_valid, cache_selected;
        char cache_ident[PF_IDENTIFIER_MAX + 1];
        char ident[PF_IDENTIFIER_MAX + 1];
        char host[PF_HOSTNAME_MAX + 1];
        size_t start, end;
        char buf[BUF_SIZE];
} LogFileSource;

/* fnv1a - format 1: the line hash of positions written by mxtls 0.1 */
static uint64_t fnv1a(uint64_t h, const char *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                h ^= (unsigned char) p[i];
                h *= 0x100000001b3ULL;
        }
        return h;
}

/* local_offset - zone offset for a local wall-clock time, cached per hour */
static int local_offset(int64_t local_sec, void *userdata, int32_t *ret_offset_sec) {
        LogFileSource *ls = userdata;
        int64_t hour = local_sec >= 0 ? local_sec / 3600 : (local_sec - 3599) / 3600;
        time_t t = (time_t) local_sec, e;
        struct tm tm;

        if (ls->tz_valid && ls->tz_hour == hour) {
                *ret_offset_sec = ls->tz_offset;
                return 0;
        }
        if (!gmtime_r(&t, &tm))
                return -EINVAL;
        tm.tm_isdst = -1;
        e = mktime(&tm);
        if (e == (time_t) -1)
                return -EINVAL;
        ls->tz_hour = hour;
        ls->tz_offset = (int32_t) (local_sec - (int64_t) e);
        ls->tz_valid = true;
        *ret_offset_sec = ls->tz_offset;
        return 0;
}

/* file_open - read path from offset; the file's mtime decides syslog years */
static int file_open(LogFileSource *ls, const char *path, uint64_t offset, bool rotated) {
        struct stat st;
        int fd;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0 || lseek(fd, (off_t) offset, SEEK_SET) < 0) {
                int r = -errno;
                (void) close(fd);
                return r;
        }
        if (ls->fd >= 0)
                (void) close(ls->fd);
        ls->fd = fd;
        ls->ino = (uint64_t) st.st_ino;
        ls->in_rotated = rotated;
        ls->sctx.reference_usec = (uint64_t) st.st_mtim.tv_sec * 1000000ULL +
                                  (uint64_t) st.st_mtim.tv_nsec / 1000ULL;
        ls->off = ls->read_off = offset;
        ls->start = ls->end = 0;
        ls->skipping = false;
        if ((uint64_t) st.st_size > offset)
                ls->bytes_total += (uint64_t) st.st_size - offset;
        return 0;
}

static int fill(LogFileSource *ls) {
        ssize_t n;

        if (ls->start > 0) {
                memmove(ls->buf, ls->buf + ls->start, ls->end - ls->start);
                ls->end -= ls->start;
                ls->start = 0;
        }
        do
                n = read(ls->fd, ls->buf + ls->end, BUF_SIZE - ls->end);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        ls->end += (size_t) n;
        return n > 0;
}

/* line_next - 1 a line, 2 an over-long line was skipped, 0 no complete line yet */
static int line_next(LogFileSource *ls, const char **ret, size_t *ret_len) {
        int r;

        for (;;) {
                const char *p = ls->buf + ls->start;
                size_t pending = ls->end - ls->start;
                const char *nl = memchr(p, '\n', pending);

                if (nl) {
                        size_t n = (size_t) (nl - p);
                        bool skipped = ls->skipping || n > LINE_MAX_LEN;

                        ls->start += n + 1;
                        ls->read_off += n + 1;
                        ls->bytes_done += n + 1;
                        if (ls->skipping) {
                                stable_hash_update(&ls->skip_hash, p, n);
                                ls->hash = stable_hash_final(&ls->skip_hash);
                                ls->line_len = ls->skip_len + n + 1;
                        } else {
                                ls->hash = stable_hash(p, n);
                                ls->line_len = n + 1;
                        }
                        ls->hash_v1 = false;
                        ls->off = ls->read_off;
                        ls->skipping = false;
                        if (skipped)
                                return 2;
                        *ret = p;
                        *ret_len = n;
                        return 1;
                }
                if (pending > LINE_MAX_LEN) {
                        /* No newline in sight: hash and drop what we have. */
                        if (!ls->skipping) {
                                ls->skipping = true;
                                stable_hash_init(&ls->skip_hash);
                                ls->skip_len = 0;
                        }
                        stable_hash_update(&ls->skip_hash, p, pending);
                        ls->skip_len += pending;
                        ls->read_off += pending;
                        ls->bytes_done += pending;
                        ls->start = ls->end;
                }
                r = fill(ls);
                if (r <= 0)
                        return r;
        }
}

/* selected - identifier matches a pattern; the last answer is cached */
static bool selected(LogFileSource *ls, const char *ident) {
        if (ls->cache_valid && strcmp(ls->cache_ident, ident) == 0)
                return ls->cache_selected;
        ls->cache_selected = false;
        for (char **p = ls->patterns; *ident && *p; p++)
                if (fnmatch(*p, ident, 0) == 0) {
                        ls->cache_selected = true;
                        break;
                }
        (void) snprintf(ls->cache_ident, sizeof ls->cache_ident, "%s", ident);
        ls->cache_valid = true;
        return ls->cache_selected;
}

static int logfile_next(Source *s, PfRecord *ret) {
        LogFileSource *ls = (LogFileSource *) s;
        const char *line, *why;
        size_t n;
        PfRecord rec;
        int r;

        for (;;) {
                r = line_next(ls, &line, &n);
                if (r < 0)
                        return r;
                if (r == 0) {
                        if (!ls->in_rotated)
                                return 0;
                        /* Rest of FILE.1 done: FILE from its start. */
                        r = file_open(ls, ls->path, 0, false);
                        if (r < 0)
                                return r;
                        ls->hash = ls->line_len = 0;
                        ls->hash_v1 = false;
                        ls->moved = true;
                        continue;
                }
                ls->consumed = true;
                s->stats.entries++;
                if (r == 2) {
                        s->stats.too_long++;
                        continue;
                }
                r = syslog_line_parse(line, n, &ls->sctx, &rec, ls->ident, sizeof ls->ident,
                                      ls->host, sizeof ls->host, &why);
                if (r == 0)
                        continue;
                if (r < 0) {
                        s->stats.malformed++;
                        continue;
                }
                if (s->stats.first_usec == 0)
                        s->stats.first_usec = rec.realtime_usec;
                s->stats.last_usec = rec.realtime_usec;
                if (rec.realtime_usec < ls->skip_before_usec) {
                        s->stats.too_old++;
                        continue;
                }
                if (!selected(ls, ls->ident)) {
                        s->stats.not_selected++;
                        continue;
                }
                if (rec.pid == 0)
                        s->stats.no_pid++;
                s->stats.records++;
                *ret = rec;
                return 1;
        }
}

static int logfile_position(Source *s, char **ret) {
        LogFileSource *ls = (LogFileSource *) s;
        uint64_t usec = s->stats.last_usec ? s->stats.last_usec : ls->saved_usec;
        char *p;

        if (!ls->consumed && !ls->moved)
                return -ENODATA;
        if (asprintf(&p, "%" PRIu64 " %" PRIu64 " %s%016" PRIx64 " %" PRIu64 " %" PRIu64,
                     ls->ino, ls->off, ls->hash_v1 ? "" : STABLE_HASH_MARK, ls->hash, ls->line_len, usec) < 0)
                return -ENOMEM;
        *ret = p;
        return 0;
}

/* LineHash - the hash of a position's line, in its format */
typedef struct LineHash {
        bool v1;
        uint64_t fnv;
        StableHash h2;
} LineHash;

static void line_hash_init(LineHash *h, bool v1) {
        *h = (LineHash) { .v1 = v1, .fnv = FNV_INIT };
        stable_hash_init(&h->h2);
}

static void line_hash_update(LineHash *h, const char *p, size_t n) {
        if (h->v1)
                h->fnv = fnv1a(h->fnv, p, n);
        else
                stable_hash_update(&h->h2, p, n);
}

static uint64_t line_hash_final(const LineHash *h) {
        return h->v1 ? h->fnv : stable_hash_final(&h->h2);
}

/* verify - path has at least off bytes and the line before off has this hash (format 1 when
 * v1) and length */
static int verify(LogFileSource *ls, const char *path, uint64_t off, uint64_t hash, bool v1, uint64_t len) {
        _cleanup_close_ int fd = -1;
        uint64_t pos;
        LineHash h;
        struct stat st;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if ((uint64_t) st.st_size < off)
                return 0;
        if (off == 0)
                return len == 0;
        if (len == 0 || len > off)
                return 0;
        line_hash_init(&h, v1);
        for (pos = off - len; pos < off;) {
                size_t want = off - pos > BUF_SIZE ? BUF_SIZE : (size_t) (off - pos);
                ssize_t n = pread(fd, ls->buf, want, (off_t) pos);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return 0;
                pos += (uint64_t) n;
                if (pos == off) {
                        if (ls->buf[n - 1] != '\n')
                                return 0;
                        n--;
                }
                line_hash_update(&h, ls->buf, (size_t) n);
        }
        return line_hash_final(&h) == hash;
}

/* position_parse - "INODE OFFSET [h2:]HASH LENGTH USEC"; *ret_v1 when HASH has no mark */
static int position_parse(const char *position, uint64_t v[5], bool *ret_v1) {
        const char *p = position;

        *ret_v1 = false;
        for (size_t i = 0; i < 5; i++) {
                const char *e = strchr(p, ' ');
                size_t n = e ? (size_t) (e - p) : strlen(p);
                int r;

                if ((i < 4) != (e != NULL) || n == 0 || n > 20)
                        return -EINVAL;
                if (i == 2) {
                        char hex[21], *end;

                        if (n > STABLE_HASH_MARK_LEN && strncmp(p, STABLE_HASH_MARK, STABLE_HASH_MARK_LEN) == 0) {
                                p += STABLE_HASH_MARK_LEN;
                                n -= STABLE_HASH_MARK_LEN;
                                if (n != 16)
                                        return -EINVAL;
                        } else
                                *ret_v1 = true;
                        memcpy(hex, p, n);
                        hex[n] = '\0';
                        if (strspn(hex, "0123456789abcdef") != n)
                                return -EINVAL;
                        v[i] = strtoull(hex, &end, 16);
                } else {
                        r = span_to_u64(span_make(p, n), &v[i]);
                        if (r < 0)
                                return -EINVAL;
                }
                p += n;
                p = e ? e + 1 : p;
        }
        return 0;
}

static int logfile_seek(Source *s, const char *position, SourceSeekInfo *ret_info) {
        LogFileSource *ls = (LogFileSource *) s;
        SourceSeekInfo info = { 0 };
        uint64_t v[5];                  /* inode, offset, hash, length, usec */
        struct stat st;
        bool v1;
        int r;

        r = position_parse(position, v, &v1);
        if (r < 0)
                return r;
        info.saved_usec = ls->saved_usec = v[4];
        ls->bytes_total = ls->bytes_done = 0;
        ls->consumed = ls->moved = false;

        if (stat(ls->path, &st) < 0)
                return -errno;
        r = (uint64_t) st.st_ino == v[0] ? verify(ls, ls->path, v[1], v[2], v1, v[3]) : 0;
        if (r < 0)
                return r;
        if (r > 0) {
                r = file_open(ls, ls->path, v[1], false);
                if (r < 0)
                        return r;
        } else {
                r = verify(ls, ls->rotated, v[1], v[2], v1, v[3]);
                if (r < 0)
                        return r;
                if (r > 0) {
                        /* Rotated since: the rest of FILE.1, then FILE. */
                        r = file_open(ls, ls->rotated, v[1], true);
                        if (r < 0)
                                return r;
                        info.rotated = true;
                } else {
                        r = file_open(ls, ls->path, 0, false);
                        if (r < 0)
                                return r;
                        info.position_lost = true;
                        ls->moved = true;
                        v[2] = v[3] = 0;
                        v1 = false;
                }
        }
        ls->hash = v[2];
        ls->hash_v1 = v1;
        ls->line_len = v[3];
        *ret_info = info;
        return 0;
}

static int logfile_seek_time(Source *s, uint64_t usec) {
        ((LogFileSource *) s)->skip_before_usec = usec;
        return 0;
}

static double logfile_progress(Source *s) {
        LogFileSource *ls = (LogFileSource *) s;

        if (ls->bytes_total == 0)
                return -1.0;
        if (ls->bytes_done >= ls->bytes_total)
                return 1.0;
        return (double) ls->bytes_done / (double) ls->bytes_total;
}

static void logfile_free(Source *s) {
        LogFileSource *ls = (LogFileSource *) s;

        if (ls->fd >= 0)
                (void) close(ls->fd);
        free(ls->path);
        free(ls->rotated);
        strv_free(ls->patterns);
        free(ls);
}

static const SourceOps logfile_ops = {
        .kind = "logfile",
        .next = logfile_next,
        .position = logfile_position,
        .seek = logfile_seek,
        .seek_time = logfile_seek_time,
        .progress = logfile_progress,
        .free = logfile_free,
};

int logfile_source_open(const char *path, char *const *identifiers, Source **ret) {
        LogFileSource *ls;
        _cleanup_free_ char *abs = NULL;
        int r;

        if (!identifiers || !identifiers[0])
                identifiers = journal_default_identifiers;

        ls = calloc(1, sizeof *ls);
        if (!ls)
                return -ENOMEM;
        ls->base.ops = &logfile_ops;
        ls->fd = -1;
        ls->sctx.utc_offset = local_offset;
        ls->sctx.userdata = ls;

        r = -ENOMEM;
        ls->path = strdup(path);
        ls->patterns = strv_copy(identifiers);
        if (!ls->path || !ls->patterns || asprintf(&ls->rotated, "%s.1", path) < 0) {
                ls->rotated = NULL;
                goto fail;
        }

        r = file_open(ls, path, 0, false);
        if (r < 0)
                goto fail;
        abs = realpath(path, NULL);
        if (!abs || asprintf(&ls->base.key, "logfile:%s", abs) < 0) {
                r = abs ? -ENOMEM : -errno;
                ls->base.key = NULL;
                goto fail;
        }
        *ret = &ls->base;
        return 0;
fail:
        (void) source_free(&ls->base);
        return r;
}
