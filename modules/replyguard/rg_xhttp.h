/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Prometheus exposition served through the xhttp module:
 *
 *   event_route[xhttp:request] {
 *       if ($hu =~ "^/metrics") { rg_prometheus(); exit; }
 *   }
 *
 * The page is built from snapshots (no table lock held while writing) in
 * one shm buffer; at most `prometheus_max_destinations` destinations are
 * listed, and replyguard_exposition_omitted says how many were not. Each
 * kind of page is served again for page_cache_ms (rg_page_cache.h).
 */
#ifndef RG_XHTTP_H
#define RG_XHTTP_H

#include "core/parser/msg_parser.h"

#include "rg_page_cache.h"

/*
 * Bind xhttp when it is loaded; from mod_init. The pages show at most
 * `prom_max_dst` destinations (prometheus_max_destinations) and are served
 * again for `cache_ms` (page_cache_ms). 0 or -1.
 */
int rg_xhttp_init(int prom_max_dst, int cache_ms);

/* The pages' builds and cache hits since start (all kinds). */
void rg_xhttp_page_stats(struct rg_page_cache_stats *st);

/* Reply to this HTTP request with the exposition: 1, or -1. */
int ki_rg_prometheus(struct sip_msg *msg);

/*
 * The status page: every destination as an HTML table row (state as a
 * colour, block time left, CPS in force against configured, calls in
 * flight, 183/503 counts, PDD, the window as an inline SVG chart), or
 * with ?format=json the same as {"summary": ..., "destinations": [...]}.
 * Bounded like the metrics page. 1, or -1 without xhttp.
 */
int ki_rg_status_page(struct sip_msg *msg);
int w_rg_status_page(struct sip_msg *msg, char *p1, char *p2);
int w_rg_prometheus(struct sip_msg *msg, char *p1, char *p2);

#endif
