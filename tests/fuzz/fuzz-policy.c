/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        fuzz-policy - libFuzzer target for the tls_policy map reader and the
 *        "advise --merge" section splice
 * DESCRIPTION
 *        The input is a map source. policy_parse() must accept or reject it
 *        cleanly; when it accepts, every entry is found again by its own key,
 *        every level is valid, no key or value holds a line break (a quoted key
 *        may hold other blanks, as in postmap), and a key with a quote is
 *        flagged as quoted.
 *        Independently of parsing, advise_merge() of an empty proposal set
 *        into the input must either reject broken markers or produce a map
 *        that a second merge leaves byte for byte unchanged, and whose text
 *        outside the section is the input's.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "advise.h"
#include "policy.h"
#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_map(const PolicyMap *m) {
        for (size_t i = 0; i < m->n_entries; i++) {
                const PolicyEntry *e = &m->entries[i];
                const PolicyEntry *found;

                if (!e->key || !e->level || !e->value)
                        abort();
                if (strchr(e->key, '\n') || strchr(e->value, '\n') || !policy_level_valid(e->level))
                        abort();
                if (strchr(e->key, '"') && !e->quoted)
                        abort();
                for (size_t k = 0; k < e->n_attrs; k++)
                        if (!e->attrs[k].name || !e->attrs[k].value)
                                abort();
                found = policy_lookup(m, e->key);
                if (!found || strcmp(found->key, e->key) != 0)
                        abort();
                (void) policy_names(m, e->key);
                (void) policy_attr(e, "protocols");
                (void) policy_attr(e, "match");
        }
        (void) policy_lookup(m, "mx.example.com");
        (void) policy_lookup(m, "a.b.c.d.example");
        (void) policy_names(m, "example.com");
}

static void check_merge(const char *text, size_t size) {
        AdviseResult r = {
                .template_name = (char *) "fuzz",
                .level = (char *) "encrypt",
                .from = "2024-01-01",
                .to = "2024-01-31",
        };
        char *err = NULL, *err2 = NULL;
        StrBuf one, two, diff;

        strbuf_init(&one);
        strbuf_init(&two);
        strbuf_init(&diff);
        if (advise_merge("fuzz", text, size, &r, &one, &err) >= 0 && !one.oom) {
                /* the merged map merges again to the same bytes */
                if (advise_merge("fuzz", one.data, one.len, &r, &two, &err2) < 0 || two.oom)
                        abort();
                if (one.len != two.len || memcmp(one.data, two.data, one.len) != 0)
                        abort();
                /* the input before the section is kept */
                const char *b = memmem(text, size, POLICY_SECTION_BEGIN, strlen(POLICY_SECTION_BEGIN));
                size_t keep = b ? (size_t) (b - text) : size;
                if (one.len < keep || memcmp(one.data, text, keep) != 0)
                        abort();
                (void) advise_format_diff("fuzz", text, size, one.data, one.len, &diff);
        }
        free(err);
        free(err2);
        strbuf_free(&one);
        strbuf_free(&two);
        strbuf_free(&diff);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        PolicyMap *m = NULL;
        char *err = NULL;
        char *text;

        /* an exact-size heap copy so ASan catches any read past the end */
        text = malloc(size ? size : 1);
        if (!text)
                return 0;
        memcpy(text, data, size);

        if (policy_parse("fuzz", text, size, &m, &err) >= 0) {
                if (!m)
                        abort();
                check_map(m);
        } else if (m)
                abort();
        policy_free(m);
        free(err);

        /* a single value, as the audit reads one from a configuration */
        if (size < 4096) {
                char *value = strndup(text, size);
                PolicyEntry e = { 0 };
                char *verr = NULL;

                if (value && policy_value_parse(value, &e, &verr) >= 0) {
                        if (!e.level || !policy_level_valid(e.level))
                                abort();
                }
                free(e.level);
                free(e.value);
                for (size_t i = 0; i < e.n_attrs; i++) {
                        free(e.attrs[i].name);
                        free(e.attrs[i].value);
                }
                free(e.attrs);
                free(verr);
                free(value);
        }

        check_merge(text, size);
        free(text);
        return 0;
}
