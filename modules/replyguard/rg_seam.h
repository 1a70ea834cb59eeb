/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The seam between the replyguard core and its host.
 *
 * The core (key, window, table, Retry-After) calls only these functions
 * for shared memory and locking. The module links rg_seam_kam.c, which maps
 * them onto Kamailio's shm and lock sets; the unit tests link a stub that
 * maps them onto cmocka's checked allocator. Time is never read here: every
 * core function that needs it takes `now_ms` from its caller, so tests
 * inject the clock instead of sleeping.
 */
#ifndef RG_SEAM_H
#define RG_SEAM_H

#include <stddef.h>
#include <stdint.h>

/* Zero-filled shared memory, or NULL when the pool is exhausted. */
void *rg_shm_zalloc(size_t size);
void rg_shm_free(void *p);

/* A set of `n` locks usable across processes; NULL on failure. */
struct rg_lockset;
struct rg_lockset *rg_lockset_new(unsigned int n);
void rg_lockset_free(struct rg_lockset *ls);
void rg_lock(struct rg_lockset *ls, unsigned int i);
void rg_unlock(struct rg_lockset *ls, unsigned int i);

#endif
