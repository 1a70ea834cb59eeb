/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef RG_RPC_H
#define RG_RPC_H

#include "core/rpc.h"

/*
 * Register the commands; from mod_init. One replyguard.list returns at
 * most `list_max` destinations (rpc_list_max). 0 or -1.
 */
int rg_rpc_init(int list_max);

#endif
