/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Optional: the dialog module. When it is loaded and tracks a call
 * (dlg_manage() or its flag), an answered call stays counted in flight
 * until the dialog ends (BYE, expiry, failure); without it, a call is
 * counted until its final reply.
 */
#ifndef RG_DIALOG_H
#define RG_DIALOG_H

#include "core/parser/msg_parser.h"

#include "rg_types-t.h"

/* Bind dialog's API when the module is loaded; from mod_init. */
void rg_dialog_init(void);

/* 1 when the dialog module is loaded. */
int rg_dialog_enabled(void);

/*
 * Hand the hold of `ref` to the dialog of `msg` (a 2xx): 0 when the
 * dialog will release it, -1 when there is no dialog (release it now).
 */
int rg_dialog_hold(struct sip_msg *msg, const struct rg_ref *ref);

#endif
