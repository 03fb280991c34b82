/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        util - the basic headers in one include, for files not converted yet
 * SYNOPSIS
 *        #include "util.h"
 * DESCRIPTION
 *        Nothing is declared here any more: spans and checked numbers are in
 *        span.h, the string buffer and escaping in strbuf.h, clocks and days in
 *        timeutil.h, whole-file I/O in fileio.h. New code includes what it
 *        uses; this header goes when the last file including it does.
 */
#pragma once

#include "fileio.h"
#include "span.h"
#include "strbuf.h"
#include "timeutil.h"
