/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef RG_RPC_H
#define RG_RPC_H

#include "core/rpc.h"

extern rpc_export_t rg_rpc_cmds[];

/* most destinations one replyguard.list returns (modparam rpc_list_max) */
extern int rg_rpc_list_max;

#endif
