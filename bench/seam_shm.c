/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core's seam for benchmarks: one anonymous shared mapping, carved
 * by a bump allocator before fork (like Kamailio's shm), and test-and-set
 * spin locks that yield, like Kamailio's fast locks on x86_64. Counts the
 * bytes handed out so memory per destination can be reported.
 */
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "rg_seam.h"
#include "seam_shm.h"

static unsigned char *pool;
static size_t pool_size, pool_used;

int bench_shm_init(size_t size)
{
	pool = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			-1, 0);
	if(pool == MAP_FAILED)
		return -1;
	pool_size = size;
	pool_used = 0;
	return 0;
}

size_t bench_shm_used(void)
{
	return pool_used;
}

void bench_shm_reset(void)
{
	pool_used = 0;
}

void *rg_shm_zalloc(size_t size)
{
	void *p;

	size = (size + 15) & ~(size_t)15;
	if(size > pool_size - pool_used)
		return NULL;
	p = pool + pool_used;
	pool_used += size;
	memset(p, 0, size);
	return p;
}

void rg_shm_free(void *p)
{
	(void)p; /* the benchmark resets the whole pool */
}

struct rg_lockset
{
	unsigned int n;
	volatile int locks[];
};

struct rg_lockset *rg_lockset_new(unsigned int n)
{
	struct rg_lockset *ls = rg_shm_zalloc(sizeof(*ls) + n * sizeof(int));

	if(ls)
		ls->n = n;
	return ls;
}

void rg_lockset_free(struct rg_lockset *ls)
{
	(void)ls;
}

void rg_lock(struct rg_lockset *ls, unsigned int i)
{
	int spins = 0;

	while(__atomic_exchange_n(&ls->locks[i], 1, __ATOMIC_ACQUIRE)) {
		if(++spins > 1024) {
			sched_yield();
			spins = 0;
		}
	}
}

void rg_unlock(struct rg_lockset *ls, unsigned int i)
{
	__atomic_store_n(&ls->locks[i], 0, __ATOMIC_RELEASE);
}
