/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state_file: blocks, limits set by RPC or script, and back-off rates
 * survive a restart. Read once at start (after limits_file and ds_seed),
 * written every state_save_interval seconds by a timer process of its
 * own ("replyguard state_file"), and at shutdown: to a new temporary
 * file in the same directory (mode 0600), synced, then renamed over the
 * old one, so a reader sees the old file or the new one,
 * never half of one. A missing, corrupt, truncated or foreign file is
 * logged in one line and ignored; a file that cannot be taken is set
 * aside as <state_file>.bad, and one that cannot be read at all is never
 * overwritten.
 */
#ifndef RG_STATE_FILE_H
#define RG_STATE_FILE_H

/*
 * Read the file `path` (modparam "state_file"; NULL or "": none), if any,
 * into the table; reserve the process that writes it every `interval_s`
 * ("state_save_interval"). 0 or -1.
 */
int rg_state_file_init(const char *path, int interval_s);

/* Fork the writing process (rank PROC_MAIN). 0 or -1. */
int rg_state_file_child_init(int rank);

/*
 * Write the file now: from its process, or `at_exit` from the main
 * process at shutdown (no locks then: the children are gone).
 */
void rg_state_file_save(int at_exit);

#endif
