/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test controls of the stub seam (seam_stub.c). */
#ifndef SEAM_STUB_H
#define SEAM_STUB_H

/* Fail the allocation that would be the n-th from now (1 = next); 0 off. */
void stub_fail_alloc_in(int n);

/* How many locks are held right now (0 between core calls). */
int stub_locks_held(void);

#endif
