/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Script functions: the KEMI implementations (ki_*) and the native cfg
 * wrappers (w_*) that read fixed-up parameters and call them.
 */
#ifndef RG_SCRIPT_H
#define RG_SCRIPT_H

#include "core/parser/msg_parser.h"
#include "core/str.h"

int ki_rg_allow(struct sip_msg *msg);
int ki_rg_allow_dst(struct sip_msg *msg, str *dst);
int ki_rg_inspect(struct sip_msg *msg);

int ki_rg_block(struct sip_msg *msg, str *dst, int seconds);
int ki_rg_unblock(struct sip_msg *msg, str *dst);

int w_rg_allow(struct sip_msg *msg, char *dst, char *p2);
int w_rg_block(struct sip_msg *msg, char *dst, char *secs);
int w_rg_unblock(struct sip_msg *msg, char *dst, char *p2);
int w_rg_inspect(struct sip_msg *msg, char *p1, char *p2);

#endif
