/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        postconf - ask Postfix for a main.cf parameter
 * SYNOPSIS
 *        #include "postconf.h"
 *        int postconf_get(const char *param, char **ret_value);
 * DESCRIPTION
 *        Runs "postconf -xh PARAM" (found on $PATH, then /usr/sbin and
 *        /usr/local/sbin) without a shell, with stderr discarded, and returns
 *        its output without the trailing newline. The value is what Postfix
 *        would use, with $name expansions done.
 * DIAGNOSTICS
 *        0 found (the value may be ""), -ENOENT postconf is not installed,
 *        -EIO postconf failed (unknown parameter, broken main.cf), -EINVAL a
 *        parameter name that is not [a-z0-9_]+, -ENOMEM.
 */
#pragma once

int postconf_get(const char *param, char **ret_value);
