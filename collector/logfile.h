/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        logfile - a text mail log (syslog or Postfix maillog_file) as a record source
 * SYNOPSIS
 *        #include "logfile.h"
 *        int logfile_source_open(const char *path, char *const *identifiers, Source **ret);
 * DESCRIPTION
 *        Reads complete lines ("\n"-terminated; a last line still being
 *        written is left for the next run) and turns them into records with
 *        syslog_line_parse(). Lines of programs whose identifier matches none
 *        of the fnmatch(3) patterns (NULL = journal_default_identifiers) are
 *        dropped, as are lines longer than PF_MESSAGE_MAX bytes.
 *
 *        Classic syslog stamps have no year: the modification time of the file
 *        being read decides it (a December line in a file written in January
 *        belongs to the previous year). They are read in the local time zone.
 *
 *        Positions are "INODE OFFSET h2:HASH LENGTH USEC": the file, where the
 *        next line starts, stable_hash() (XXH64, stable_hash.h) of the line
 *        before it without its newline, that line's length with the newline,
 *        and the time of the last record. seek() checks all of them. A HASH
 *        without the mark is the FNV-1a 64 of mxtls 0.1 (format 1) and is
 *        checked as such. When the
 *        file was rotated and FILE.1 is the file of the position (same inode,
 *        or same last line after copytruncate), the rest of FILE.1 is read
 *        first, then FILE from its start. Otherwise FILE is read from its
 *        start and the position is reported lost.
 * DIAGNOSTICS
 *        Negative errno from open(2)/read(2); -EINVAL for a malformed position.
 */
#pragma once

#include "source.h"

int logfile_source_open(const char *path, char *const *identifiers, Source **ret);
