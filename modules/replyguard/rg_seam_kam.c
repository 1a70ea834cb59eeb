/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core's seam (rg_seam.h) over Kamailio's shared memory and lock sets.
 */
#include "core/locking.h"
#include "core/mem/shm.h"

#include "rg_seam.h"

struct rg_lockset
{
	gen_lock_set_t *set;
};

void *rg_shm_zalloc(size_t size)
{
	return shm_mallocxz(size);
}

void rg_shm_free(void *p)
{
	if(p)
		shm_free(p);
}

struct rg_lockset *rg_lockset_new(unsigned int n)
{
	struct rg_lockset *ls;

	ls = shm_mallocxz(sizeof(*ls));
	if(ls == NULL)
		return NULL;
	ls->set = lock_set_alloc((int)n);
	if(ls->set == NULL)
		goto err_free;
	if(lock_set_init(ls->set) == NULL)
		goto err_dealloc;
	return ls;

err_dealloc:
	lock_set_dealloc(ls->set);
err_free:
	shm_free(ls);
	return NULL;
}

void rg_lockset_free(struct rg_lockset *ls)
{
	if(ls == NULL)
		return;
	lock_set_destroy(ls->set);
	lock_set_dealloc(ls->set);
	shm_free(ls);
}

void rg_lock(struct rg_lockset *ls, unsigned int i)
{
	lock_set_get(ls->set, (int)i);
}

void rg_unlock(struct rg_lockset *ls, unsigned int i)
{
	lock_set_release(ls->set, (int)i);
}
