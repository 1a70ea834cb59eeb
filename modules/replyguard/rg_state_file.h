/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state_file: blocks, limits set by RPC or script, and back-off rates
 * survive a restart. Read once at start (after limits_file and ds_seed),
 * written by the timer every state_save_interval seconds and at
 * shutdown: to a temporary file in the same directory, synced, then
 * renamed over the old one, so a reader sees the old file or the new one,
 * never half of one. A missing, corrupt, truncated or foreign file is
 * logged in one line and ignored.
 */
#ifndef RG_STATE_FILE_H
#define RG_STATE_FILE_H

/* modparams "state_file" (NULL or "": none) and "state_save_interval" */
extern char *rg_state_path;
extern int rg_state_interval;

/* Read the file, if any, into the table and start the timer. 0 or -1. */
int rg_state_file_init(void);

/* Write the file now (the timer, and shutdown). */
void rg_state_file_save(void);

#endif
