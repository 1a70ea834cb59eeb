/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * $rg(field): fields of the destination this message last used.
 */
#ifndef RG_PV_H
#define RG_PV_H

#include "core/pvar.h"

int rg_pv_parse_name(pv_spec_t *sp, str *in);
int rg_pv_get(struct sip_msg *msg, pv_param_t *param, pv_value_t *res);

#endif
