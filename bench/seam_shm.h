/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BENCH_SEAM_SHM_H
#define BENCH_SEAM_SHM_H

#include <stddef.h>

int bench_shm_init(size_t size);
size_t bench_shm_used(void);
void bench_shm_reset(void);

#endif
