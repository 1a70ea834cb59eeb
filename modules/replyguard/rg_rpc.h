/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef RG_RPC_H
#define RG_RPC_H

#include "core/rpc.h"

/* most destinations one replyguard.list returns (modparam rpc_list_max) */
extern int rg_rpc_list_max;

/* Check rpc_list_max and register the commands; from mod_init. 0 or -1. */
int rg_rpc_init(void);

#endif
