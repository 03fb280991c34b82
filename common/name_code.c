/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        name_code - one table maps words to codes and codes to words
 * DESCRIPTION
 *        See name_code.h. Linear scans: the tables hold a dozen words at most.
 */
#include <string.h>
#include <strings.h>

#include "name_code.h"

static int not_found(const NameCode *table) {
        while (table->name)
                table++;
        return table->code;
}

static bool name_matches(const char *want, NameCodeFlags flags, const char *name, size_t len) {
        if (strlen(want) != len)
                return false;
        if (len == 0)
                return true;
        if (flags & NAME_CODE_ANY_CASE)
                return strncasecmp(name, want, len) == 0;
        return memcmp(name, want, len) == 0;
}

/* name_code_n - code of the len bytes at name */
int name_code_n(const NameCode *table, NameCodeFlags flags, const char *name, size_t len) {
        if (!name && len > 0)
                return not_found(table);
        for (const NameCode *np = table; np->name; np++)
                if (name_matches(np->name, flags, name, len))
                        return np->code;
        return not_found(table);
}

/* name_code - code of a NUL-terminated name */
int name_code(const NameCode *table, NameCodeFlags flags, const char *name) {
        if (!name)
                return not_found(table);
        return name_code_n(table, flags, name, strlen(name));
}

/* name_code_str - first name with that code */
const char *name_code_str(const NameCode *table, int code) {
        for (const NameCode *np = table; np->name; np++)
                if (np->code == code)
                        return np->name;
        return NULL;
}
