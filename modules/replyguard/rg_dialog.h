/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Optional: the dialog module. When it is loaded and tracks a call
 * (dlg_manage() or its flag), the dialog of an answered call measures the
 * call's duration (ACD and short calls, rg_kpi.h) and, for a destination
 * with max_concurrent, keeps the call counted in flight until the dialog
 * ends (BYE, expiry, failure); without it, a call is counted until its
 * final reply and no duration is known.
 */
#ifndef RG_DIALOG_H
#define RG_DIALOG_H

#include <stdint.h>

#include "core/parser/msg_parser.h"

#include "rg_types-t.h"

/* Bind dialog's API when the module is loaded; from mod_init. */
void rg_dialog_init(void);

/* 1 when the dialog module is loaded. */
int rg_dialog_enabled(void);

/*
 * Hand the answered call of `ref` (a 2xx, `msg`) to its dialog: with
 * `measure`, its duration from `answered_ms` is counted when a BYE ends
 * it; with `held`, its place in flight is released when the dialog ends,
 * however. 0 when the dialog took it, -1 when there is no dialog (the
 * caller releases a hold now).
 */
int rg_dialog_watch(struct sip_msg *msg, const struct rg_ref *ref, int held,
		int measure, uint64_t answered_ms);

#endif
