/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cluster's parameters, as mod_init hands them to rg_cluster_prepare()
 * and every cluster file reads them (rg_ccfg, rg_cluster_int.h): a room
 * of its own, so the cluster's inner files need not include its face.
 */
#ifndef RG_CLUSTER_CFG_H
#define RG_CLUSTER_CFG_H

/* its parameters (the numbers checked by rg_params.c) */
struct rg_cluster_cfg
{
	int on;			   /* "cluster" */
	int interval;	   /* "cluster_interval", ms */
	int share_floor;   /* "cluster_share_floor", % */
	int max_skew;	   /* "cluster_max_skew", s */
	int nodes;		   /* "cluster_nodes", 0 = learned */
	const char *secret;	   /* "cluster_secret" */
	const char *secret_old; /* "cluster_secret_old" */
};

#endif
