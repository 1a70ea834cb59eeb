/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What differs between the Kamailio versions replyguard builds against
 * (5.6 and 6.1), in one place. VERSIONVAL is the core's
 * major * 1000000 + minor * 1000 + patch, from its Makefile.defs.
 */
#ifndef RG_COMPAT_H
#define RG_COMPAT_H

#include "core/xavp.h"

/*
 * An integer an xavp holds: dispatcher's set id in its destination
 * record. Kamailio 6 keeps integers as long (SR_XTYPE_LONG; SR_XTYPE_INT
 * is gone), 5.6 as int. 1 and the value in *out, or 0.
 */
static inline int rg_xavp_int(const sr_xval_t *v, long *out)
{
#if VERSIONVAL >= 6000000
	if(v->type != SR_XTYPE_LONG)
		return 0;
	*out = v->v.l;
#else
	if(v->type != SR_XTYPE_INT)
		return 0;
	*out = v->v.i;
#endif
	return 1;
}

/*
 * Whether a body carries an SDP session: Kamailio 6's parse_sdp_session()
 * takes o= and c= lines differently from 5.6's, which rg_sdpf_session()
 * restates. 1: rg_sdpf_session() answers for a plain body; 0: the core's
 * own helpers do.
 */
#if VERSIONVAL >= 6000000
#define RG_SDP_SESSION_RESTATED 0
#else
#define RG_SDP_SESSION_RESTATED 1
#endif

#endif
