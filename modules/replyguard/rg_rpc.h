/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef RG_RPC_H
#define RG_RPC_H

#include "core/rpc.h"

extern rpc_export_t rg_rpc_cmds[];

#endif
