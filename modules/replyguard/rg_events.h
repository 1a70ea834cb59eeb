/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The event routes that run after a destination changes state (from
 * rg_update.c, which also tells dispatcher and the webhook):
 *
 *   event_route[replyguard:dst-down]   up/probing -> down
 *   event_route[replyguard:dst-up]     probing/down -> up
 *   event_route[replyguard:dst-throttled]    adaptive back-off began
 *   event_route[replyguard:dst-unthrottled]  and ended
 *   event_route[replyguard:set-guard]  a set reached max_blocked_percent
 *
 * or, for KEMI scripts, the `event_callback` function with the event name.
 * It runs in the process that saw the change, after the table lock is
 * dropped, on a faked message; $rg(dst), $rg(state) and $rg(retry_after)
 * describe the destination; in set-guard, $rg(set) is the set and the
 * destination is the one whose change brought the set to its limit.
 */
#ifndef RG_EVENTS_H
#define RG_EVENTS_H

#include "core/str.h"

#include "rg_types-t.h"

/* Look the event routes up; call from mod_init. 0 or -1. */
int rg_events_init(const str *event_callback);

/* Log the transitions of `chg` and run their event routes. */
void rg_events_run(const struct rg_change *chg);

/* The set of the set-guard event running now, or -1. */
int rg_events_set(void);

#endif
