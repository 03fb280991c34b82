/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        advise_merge - maintain the mxtls section of a map; unified diffs
 * DESCRIPTION
 *        See advise.h. Section grammar (lines, markers in column 1):
 *
 *            file    = prefix [ section suffix ]
 *            section = "# BEGIN mxtls" *CHAR LF *line "# END mxtls" *CHAR [LF]
 *
 *        Only the section is replaced; prefix and suffix are copied byte for
 *        byte. Without a section the new one is appended after a blank line
 *        (and after a newline when the file does not end with one).
 *        The diff is a single hunk between the first and the last changed
 *        line, with three lines of context, in unified format.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advise.h"
#include "cleanup.h"

#define DIFF_CONTEXT 3

static bool line_starts(const char *s, size_t n, const char *prefix) {
        size_t k = strlen(prefix);
        return n >= k && memcmp(s, prefix, k) == 0;
}

static int merge_error(const char *file, unsigned line, const char *what, char **reterr_message) {
        if (reterr_message && asprintf(reterr_message, "%s:%u: %s", file, line, what) < 0)
                *reterr_message = NULL;
        return -EBADMSG;
}

/* find_section - byte range [begin, end) of the section, or -ENOENT */
static int find_section(const char *file, const char *old, size_t len, size_t *ret_begin, size_t *ret_end,
                        char **reterr_message) {
        size_t begin = SIZE_MAX, end = SIZE_MAX;
        unsigned lineno = 0;

        for (size_t pos = 0; pos < len;) {
                const char *nl = memchr(old + pos, '\n', len - pos);
                size_t n = nl ? (size_t) (nl - (old + pos)) : len - pos;
                size_t next = pos + n + (nl ? 1 : 0);

                lineno++;
                if (line_starts(old + pos, n, POLICY_SECTION_BEGIN)) {
                        if (begin != SIZE_MAX)
                                return merge_error(file, lineno, "second \"" POLICY_SECTION_BEGIN "\" line",
                                                   reterr_message);
                        begin = pos;
                } else if (line_starts(old + pos, n, POLICY_SECTION_END)) {
                        if (begin == SIZE_MAX || end != SIZE_MAX)
                                return merge_error(file, lineno, "\"" POLICY_SECTION_END "\" without \""
                                                   POLICY_SECTION_BEGIN "\"", reterr_message);
                        end = next;
                }
                pos = next;
        }
        if (begin == SIZE_MAX)
                return -ENOENT;
        if (end == SIZE_MAX)
                return merge_error(file, lineno, "\"" POLICY_SECTION_BEGIN "\" without \""
                                   POLICY_SECTION_END "\"", reterr_message);
        *ret_begin = begin;
        *ret_end = end;
        return 0;
}

/* advise_merge - old map with its mxtls section replaced by r's */
int advise_merge(const char *file, const char *old, size_t len, const AdviseResult *r,
                 StrBuf *out, char **reterr_message) {
        StrBuf section;
        size_t begin, end;
        int k;

        if (!file)
                file = "<map>";
        k = find_section(file, old, len, &begin, &end, reterr_message);
        if (k < 0 && k != -ENOENT)
                return k;

        strbuf_init(&section);
        if (advise_format_section(r, &section) < 0) {
                strbuf_free(&section);
                return -ENOMEM;
        }
        if (k == 0) {
                strbuf_putn(out, old, begin);
                strbuf_putn(out, section.data, section.len);
                strbuf_putn(out, old + end, len - end);
        } else {
                strbuf_putn(out, old, len);
                if (len > 0 && old[len - 1] != '\n')
                        strbuf_putc(out, '\n');
                if (len > 0)
                        strbuf_putc(out, '\n');
                strbuf_putn(out, section.data, section.len);
        }
        strbuf_free(&section);
        if (!out->data)
                strbuf_puts(out, "");
        return out->oom ? -ENOMEM : 0;
}

typedef struct Lines {
        const char **p;
        size_t *n;                      /* length including the '\n' when present */
        size_t count;
} Lines;

static int split_lines(const char *s, size_t len, Lines *ret) {
        size_t count = 0;

        for (size_t i = 0; i < len; i++)
                if (s[i] == '\n')
                        count++;
        if (len > 0 && s[len - 1] != '\n')
                count++;
        ret->p = calloc(count ? count : 1, sizeof(char *));
        ret->n = calloc(count ? count : 1, sizeof(size_t));
        if (!ret->p || !ret->n) {
                free(ret->p);
                free(ret->n);
                return -ENOMEM;
        }
        ret->count = 0;
        for (size_t pos = 0; pos < len;) {
                const char *nl = memchr(s + pos, '\n', len - pos);
                size_t n = nl ? (size_t) (nl - (s + pos)) + 1 : len - pos;
                ret->p[ret->count] = s + pos;
                ret->n[ret->count++] = n;
                pos += n;
        }
        return 0;
}

static bool line_eq(const Lines *a, size_t i, const Lines *b, size_t j) {
        return a->n[i] == b->n[j] && memcmp(a->p[i], b->p[j], a->n[i]) == 0;
}

static void put_line(StrBuf *out, char tag, const char *p, size_t n) {
        strbuf_putc(out, tag);
        strbuf_putn(out, p, n);
        if (n == 0 || p[n - 1] != '\n')
                strbuf_puts(out, "\n\\ No newline at end of file\n");
}

static void put_range(StrBuf *out, size_t start, size_t count) {
        if (count == 0)
                strbuf_printf(out, "%zu,0", start);
        else if (count == 1)
                strbuf_printf(out, "%zu", start + 1);
        else
                strbuf_printf(out, "%zu,%zu", start + 1, count);
}

/* advise_format_diff - one-hunk unified diff from old to new; nothing when equal */
int advise_format_diff(const char *label, const char *old, size_t old_len,
                       const char *new_text, size_t new_len, StrBuf *out) {
        Lines a = { 0 }, b = { 0 };
        size_t pre = 0, suf = 0;
        int r;

        r = split_lines(old, old_len, &a);
        if (r < 0)
                return r;
        r = split_lines(new_text, new_len, &b);
        if (r < 0) {
                free(a.p);
                free(a.n);
                return r;
        }
        while (pre < a.count && pre < b.count && line_eq(&a, pre, &b, pre))
                pre++;
        while (suf < a.count - pre && suf < b.count - pre &&
               line_eq(&a, a.count - 1 - suf, &b, b.count - 1 - suf))
                suf++;

        if (pre != a.count || pre != b.count) {
                size_t ctx_before = pre < DIFF_CONTEXT ? pre : DIFF_CONTEXT;
                size_t ctx_after = suf < DIFF_CONTEXT ? suf : DIFF_CONTEXT;
                size_t start = pre - ctx_before;
                size_t a_count = a.count - pre - suf + ctx_before + ctx_after;
                size_t b_count = b.count - pre - suf + ctx_before + ctx_after;

                strbuf_printf(out, "--- %s\n+++ %s (mxtls advise)\n@@ -", label, label);
                put_range(out, start, a_count);
                strbuf_puts(out, " +");
                put_range(out, start, b_count);
                strbuf_puts(out, " @@\n");
                for (size_t i = start; i < pre; i++)
                        put_line(out, ' ', a.p[i], a.n[i]);
                for (size_t i = pre; i < a.count - suf; i++)
                        put_line(out, '-', a.p[i], a.n[i]);
                for (size_t i = pre; i < b.count - suf; i++)
                        put_line(out, '+', b.p[i], b.n[i]);
                for (size_t i = a.count - suf; i < a.count - suf + ctx_after; i++)
                        put_line(out, ' ', a.p[i], a.n[i]);
        }
        free(a.p);
        free(a.n);
        free(b.p);
        free(b.n);
        if (!out->data)
                strbuf_puts(out, "");
        return out->oom ? -ENOMEM : 0;
}
