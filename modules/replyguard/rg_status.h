/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The status page (rg_status_page()): every destination as one row of a
 * self-contained HTML page (no outside assets, no script: it refreshes
 * itself with a meta refresh), or the same data as JSON with the field
 * names of the RPC destination struct and replyguard.summary. Keys come
 * from SIP traffic: every one is escaped for HTML (or JSON). No I/O, no
 * Kamailio types: the glue (rg_xhttp.c) takes the snapshots and answers.
 */
#ifndef RG_STATUS_H
#define RG_STATUS_H

#include "rg_buf.h"
#include "rg_types-t.h"

struct rg_status_totals
{
	struct rg_summary table;
	uint64_t webhook_sent, webhook_failed, webhook_dropped, webhook_retries;
	unsigned int webhook_queued;
	unsigned int omitted;  /* destinations left out (bounded page) */
	unsigned int window_s; /* the window's length */
	unsigned int refresh_s; /* the HTML page reloads itself this often */
	const char *node;	   /* node_name */
};

/*
 * Bytes the page of `s` may take at most, beyond rg_status_base(): the
 * caller sizes the buffer with these.
 */
size_t rg_status_base(void);
size_t rg_status_per_dst(const struct rg_snapshot *s);

/* The page: 0, or -1 when `b` was too small (b->full). */
int rg_status_html(const struct rg_snapshot *snaps, unsigned int n,
		const struct rg_status_totals *tot, struct rg_buf *b);
int rg_status_json(const struct rg_snapshot *snaps, unsigned int n,
		const struct rg_status_totals *tot, struct rg_buf *b);

#endif
