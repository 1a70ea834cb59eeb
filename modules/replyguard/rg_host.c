/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rg_host.h"

struct rg_table *rg_tbl = NULL;
struct tm_binds rg_tmb;
unsigned int rg_window_s = 60; /* set once, from mod_init */

uint64_t rg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *rg_node_name; /* read-only once set */

void rg_host_init(int window_s, const char *node_name)
{
	rg_window_s = (unsigned int)window_s;
	rg_node_name = node_name;
}

const char *rg_node(void)
{
	static char node[RG_NODE_MAX + 1];
	char host[256];
	const char *src = rg_node_name;
	size_t i;

	if(node[0] != '\0')
		return node;
	if(src == NULL || *src == '\0') {
		host[sizeof(host) - 1] = '\0';
		src = gethostname(host, sizeof(host) - 1) == 0 ? host : "kamailio";
	}
	/* printable, no spaces: it goes into logs, JSON and cluster messages */
	for(i = 0; i < RG_NODE_MAX && src[i] != '\0'; i++)
		node[i] = (src[i] > ' ' && src[i] <= '~') ? src[i] : '_';
	node[i] = '\0';
	if(i == 0)
		strcpy(node, "kamailio");
	return node;
}
