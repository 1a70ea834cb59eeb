/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state file (state_file): what a restart must not forget, as text.
 *
 *   replyguard-state 2
 *   <key> <block_end> <reason> <level> <ra_last> <limit> <mcps> <burst>
 *         <max_concurrent> <throttled> <cur_mcps> <ceil_mcps>
 *         <blk_clk> <blk_id> <lim_clk> <lim_id> <cut_clk> <cut_id> <keep>
 *   ...
 *   end <records>
 *
 * one record per line, fields separated by one space, numbers in
 * canonical decimal: block_end is the block's end in wall-clock
 * milliseconds since the epoch (0: not blocked, and then reason, level
 * and ra_last are 0), reason is enum rg_block_reason (0 inferred, 1
 * manual, 2 Retry-After), limit/throttled are 0 or 1 (0: their fields
 * are 0), rates are in thousandths of a call per second, within the
 * bounds of rg_limits.h. The last seven fields are the cluster's
 * versions of the block, the limit and the cut (rg_ver.h: clock in
 * decimal, id in 16 hex digits; 0 0000000000000000 when never written)
 * and the wall-clock time the entry is kept until (rg_repl.h), so an
 * unblock made elsewhere is not undone by a restart. A file of version 1
 * (without them) is still read. The last line counts the records, so a
 * truncated file is told from a short one.
 *
 * A file is taken whole or not at all: rg_state_parse() checks every line
 * before it hands out the first record. No I/O here; the module reads and
 * writes the file (rg_state_file.c).
 */
#ifndef RG_STATE_H
#define RG_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "rg_key.h"
#include "rg_repl.h"
#include "rg_throttle.h"

#define RG_STATE_MAGIC "replyguard-state 2"
#define RG_STATE_MAGIC_V1 "replyguard-state 1" /* read, never written */

/* the latest block end a file may hold (wall clock, ms): year 2500 */
#define RG_STATE_END_MAX 16725225600000ULL

/* One destination's state worth keeping. */
struct rg_saved
{
	char key[RG_KEY_MAX + 1];
	int key_len;
	uint64_t block_end; /* wall clock, ms; 0 when not blocked */
	uint8_t reason;		/* enum rg_block_reason */
	uint16_t level;		/* escalation of an inferred block */
	uint32_t ra_last;
	uint8_t has_limit;	/* a limit set by RPC or script: */
	struct rg_limit lim;
	uint8_t throttled;	/* in AIMD back-off at: */
	uint32_t cur_mcps;
	uint32_t ceil_mcps;
	struct rg_repl repl; /* cluster: versions, or all 0 */
};

/* the longest record line, newline included */
#define RG_STATE_LINE_MAX (RG_KEY_MAX + 300)

/* The record's line (with its newline) into `buf`: its length, or -1. */
int rg_state_format(const struct rg_saved *s, char *buf, size_t size);

/* The end line for `n` records. */
int rg_state_format_end(unsigned int n, char *buf, size_t size);

/* Why a file was refused. */
struct rg_state_err
{
	int line; /* 1-based; 0 for the file as a whole */
	const char *what;
};

/*
 * Check the whole of `buf` (`len` bytes, need not end in NUL), then call
 * `each` on every record in order. The number of records, or -1 (nothing
 * handed out) with `err` filled.
 */
int rg_state_parse(const char *buf, size_t len,
		void (*each)(const struct rg_saved *s, void *arg), void *arg,
		struct rg_state_err *err);

#endif
