/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        fuzz-template - libFuzzer target for the YAML template loader
 * DESCRIPTION
 *        The input is a template file. template_load_data() must accept or
 *        reject it cleanly (an error message naming the file); an accepted
 *        template satisfies the documented limits: a valid proposed level,
 *        a window of at most TEMPLATE_WINDOW_MAX days, a share of at most
 *        100 %, known protocol words, and lists whose counts match.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Template *t = NULL;
        char *err = NULL;
        char *text;
        int r;

        /* an exact-size heap copy so ASan catches any read past the end */
        text = malloc(size ? size : 1);
        if (!text)
                return 0;
        memcpy(text, data, size);

        r = template_load_data("fuzz.yaml", text, size, &t, &err);
        if (r >= 0) {
                if (!t || !t->propose.level || tls_level_rank(t->propose.level) < 0)
                        abort();
                if (t->window_days == 0 || t->window_days > TEMPLATE_WINDOW_MAX || t->min_tls_share > 100)
                        abort();
                if (t->min_protocol && tls_protocol_rank(t->min_protocol) < 0)
                        abort();
                for (unsigned i = 0; i < t->trust_count; i++)
                        if (!t->trust[i])
                                abort();
                for (unsigned i = 0; i < t->exclude_domains_count; i++)
                        if (!t->exclude_domains[i])
                                abort();
                (void) template_trust_ok(t, "Verified");
                (void) template_trust_ok(t, "Untrusted");
                (void) template_excludes(t, "a.example");
                (void) template_excludes(t, "mx.b.example");
        } else {
                if (t)
                        abort();
                if (r != -ENOMEM && (!err || strncmp(err, "fuzz.yaml", 9) != 0))
                        abort();
        }
        template_free(t);
        free(err);
        free(text);
        return 0;
}
