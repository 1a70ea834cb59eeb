/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Prometheus text exposition (format 0.0.4) of destination snapshots
 * and module totals. Pure formatting: the host takes the snapshots and
 * serves the text (rg_xhttp.c).
 *
 * Per destination, with a `dst` label: every lifetime counter as
 * replyguard_<counter>_total, and every snapshot field (rg_fields.h) as a
 * gauge: replyguard_state (0 up, 1 probing, 2 down),
 * _blocked_for_seconds, _cps_limit and the rest. Each family is one group
 * with its HELP and TYPE lines, as the format requires.
 */
#ifndef RG_PROM_H
#define RG_PROM_H

#include "rg_buf.h"
#include "rg_types-t.h"

struct rg_prom_totals
{
	struct rg_summary table;
	uint64_t webhook_sent;
	uint64_t webhook_failed;
	uint64_t webhook_dropped;
	uint64_t webhook_replaced;
	unsigned int webhook_queued;
	unsigned int omitted; /* destinations left out of this exposition */
};

/* Write it all to `b`: 0, or -1 when `b` is too small (b->full). */
int rg_prom_write(const struct rg_snapshot *snaps, unsigned int n,
		const struct rg_prom_totals *tot, struct rg_buf *b);

#endif
