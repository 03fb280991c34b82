/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        postconf - ask Postfix for a main.cf parameter
 * SYNOPSIS
 *        #include "postconf.h"
 *        int postconf_get(const char *param, char **ret_value);
 * DESCRIPTION
 *        Runs "postconf -xh PARAM" (found by process_find_program(): $PATH,
 *        then the sbin and bin directories) without a shell, with stderr
 *        discarded, and returns its output without the trailing newline. The
 *        value is what Postfix would use, with $name expansions done. An
 *        output of 64 KiB or more is no value; postconf is killed after 30 s.
 * DIAGNOSTICS
 *        0 found (the value may be ""), -ENOENT postconf is not installed,
 *        -EIO postconf failed (unknown parameter, broken main.cf) or wrote
 *        too much, -ETIMEDOUT it did not finish, -EINVAL a parameter name
 *        that is not [a-z0-9_]+, -ENOMEM.
 */
#pragma once

int postconf_get(const char *param, char **ret_value);
