/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        journal - the systemd journal as a record source
 * SYNOPSIS
 *        #include "journal.h"
 *        int journal_source_open(const JournalOptions *o, Source **ret);
 *        char *const *journal_source_identifiers(const Source *s);
int journal_unreadable_files(const JournalOptions *o, size_t *ret_n, char **ret_first);
 *        int journal_unreadable_files(const JournalOptions *o, size_t *ret_n, char **ret_first);
 * DESCRIPTION
 *        Opens the local journal (SD_JOURNAL_LOCAL_ONLY when local_only), or
 *        the given directories and files. One directory alone is opened with
 *        sd_journal_open_directory() (its machine-id subdirectories included);
 *        several directories, or directories together with files, are opened
 *        as one interleaved set with sd_journal_open_files() over the *.journal
 *        files found in each directory and its machine-id subdirectories when
 *        the source is opened.
 *
 *        The identifier patterns (fnmatch(3); NULL = journal_default_identifiers)
 *        are resolved against the unique SYSLOG_IDENTIFIER values of the
 *        journal, and the values found are OR-ed as exact matches, as
 *        journalctl does.
 *
 *        Positions are "2 USEC COUNT IDS CURSOR": the newest timestamp read,
 *        the entries read at it (count and identities) and the cursor of the
 *        last entry visited; see journal.c. Positions of older versions,
 *        "USEC CURSOR", are still understood.
 *
 *        journal_unreadable_files() counts the journal files of the local
 *        journal (/var/log/journal, /run/log/journal) or of the directories
 *        that this process may not open (EACCES/EPERM): sd-journal skips them
 *        without a word, so a journal that looks empty may only be unreadable.
 *        *ret_first (malloc'd, may be NULL) names the first of them.
 * DIAGNOSTICS
 *        -ENODATA when no SYSLOG_IDENTIFIER value matches the patterns;
 *        other negative errno values from sd-journal (-ENOENT, -EACCES, ...).
 */
#pragma once

#include <stdbool.h>

#include "source.h"

typedef struct JournalOptions {
        char *const *directories;       /* NULL-terminated; NULL or empty = none */
        char *const *files;             /* NULL-terminated; NULL or empty = none */
        char *const *identifiers;       /* fnmatch patterns; NULL or empty = defaults */
        bool local_only;                /* for the local journal only */
} JournalOptions;

extern char *const journal_default_identifiers[];

int journal_source_open(const JournalOptions *o, Source **ret);
/* The SYSLOG_IDENTIFIER values selected, NULL-terminated; NULL if s is not a journal source. */
char *const *journal_source_identifiers(const Source *s);
int journal_unreadable_files(const JournalOptions *o, size_t *ret_n, char **ret_first);
