/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <time.h>

#include "rg_host.h"

struct rg_table *rg_tbl = NULL;
struct tm_binds rg_tmb;
int rg_window_s = 60;

uint64_t rg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
