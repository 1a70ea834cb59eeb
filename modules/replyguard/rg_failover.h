/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rg_failover() for failure_route: accounts local timeouts of the
 * transaction's branches, and on a failover code selects the next
 * destination through dispatcher.
 */
#ifndef RG_FAILOVER_H
#define RG_FAILOVER_H

#include "core/parser/msg_parser.h"

#include "rg_codes.h"

/* From mod_init: failover_codes, parsed (rg_params.c). */
void rg_failover_init(const struct rg_codes *codes);

int ki_rg_failover(struct sip_msg *msg);
int w_rg_failover(struct sip_msg *msg, char *p1, char *p2);

int ki_rg_ds_retry_after(struct sip_msg *msg, int set);
int w_rg_ds_retry_after(struct sip_msg *msg, char *set, char *p2);

#endif
