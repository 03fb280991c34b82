/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        postconf - ask Postfix for a main.cf parameter
 * DESCRIPTION
 *        See postconf.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "cleanup.h"
#include "postconf.h"
#include "process.h"
#include "timeutil.h"

#define POSTCONF_OUTPUT_MAX (64 * 1024)
#define POSTCONF_TIMEOUT_USEC (30 * USEC_PER_SEC)

static bool param_valid(const char *p) {
        if (!p || !*p || strlen(p) > 128)
                return false;
        for (; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
                        return false;
        return true;
}

/* postconf_get - "postconf -xh PARAM" */
int postconf_get(const char *param, char **ret_value) {
        _cleanup_free_ char *exe = NULL;
        const ProcessOptions o = { .stdout_max = POSTCONF_OUTPUT_MAX, .timeout_usec = POSTCONF_TIMEOUT_USEC };
        ProcessResult res;
        size_t len;
        int r;

        if (!param_valid(param))
                return -EINVAL;
        exe = process_find_program("postconf");
        if (!exe)
                return -ENOENT;

        char *argv[] = { exe, (char *) "-xh", (char *) param, NULL };
        r = process_run(argv, &o, &res);
        if (r < 0)
                return r;
        if (res.status != 0 || res.out.len == POSTCONF_OUTPUT_MAX) {
                process_result_done(&res);
                return -EIO;
        }

        len = res.out.len;
        while (len > 0 && (res.out.data[len - 1] == '\n' || res.out.data[len - 1] == ' ' ||
                           res.out.data[len - 1] == '\t'))
                len--;
        res.out.data[len] = '\0';
        *ret_value = TAKE_PTR(res.out.data);
        process_result_done(&res);
        return 0;
}
