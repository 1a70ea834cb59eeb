/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What happens after a destination changes state: dispatcher is told
 * (rg_dispatcher.c) and the event route runs:
 *
 *   event_route[replyguard:dst-down]   up/probing -> down
 *   event_route[replyguard:dst-up]     probing/down -> up
 *   event_route[replyguard:dst-throttled]    adaptive back-off began
 *   event_route[replyguard:dst-unthrottled]  and ended
 *
 * or, for KEMI scripts, the `event_callback` function with the event name.
 * It runs in the process that saw the change, after the table lock is
 * dropped, on a faked message; $rg(dst), $rg(state) and $rg(retry_after)
 * describe the destination.
 */
#ifndef RG_EVENTS_H
#define RG_EVENTS_H

#include "core/str.h"

#include "rg_table.h"

/* Look the event routes up; call from mod_init. 0 or -1. */
int rg_events_init(const str *event_callback);

/* Tell dispatcher and run the event route of `chg` (no-op when none). */
void rg_change_apply(const struct rg_change *chg);

#endif
