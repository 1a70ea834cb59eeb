/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Micro-benchmark of the replyguard core's per-call path, in shared
 * memory, without Kamailio:
 *
 *   a call = rg_key_normalize(uri) + rg_op_admit() (lookup + verdict)
 *            + rg_op_reply(183 with SDP, first 18x: PDD)
 *            + rg_op_reply(200)
 *
 * Reported: ns per call and per table operation (4 operations a call),
 * for one process over 10, 1k and 100k destinations, and for N forked
 * processes all calling one destination (CPU time per operation in each
 * process, spinning included); and shm bytes per destination.
 *
 *   micro [iterations]    prints one "key value" line per figure
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rg_key.h"
#include "rg_ops.h"
#include "seam_shm.h"

#define OPS_PER_CALL 4

static const struct rg_health_cfg hcfg = {1, 300, 3, 30, 60, 1};
static const struct rg_throttle_cfg tcfg = {
		{0, 1, 0}, 1, 500, 1000, 2000, 1000, 0, 0, 0};
/* no failure codes, no failure ratio */
static const struct rg_fail_cfg fcfg = {{{0}}, 0, 20};
/* ratios from 20 seizures; no call-specific causes, no thresholds */
static const struct rg_kpi_cfg kcfg = {.min_samples = 20, .short_ms = 6000};

static uint64_t ns_now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct rg_table *table_new(unsigned int cap)
{
	struct rg_table_cfg cfg = {cap, 60, 3600, hcfg, tcfg, fcfg, kcfg, 100, NULL, 0};

	return rg_table_new(&cfg);
}

/* a table alone in the shm pool */
static struct rg_table *mk(unsigned int cap)
{
	bench_shm_reset();
	return table_new(cap);
}

static char (*uris)[64];

static void make_uris(unsigned int n)
{
	unsigned int i;

	uris = calloc(n, sizeof(*uris));
	for(i = 0; i < n; i++)
		snprintf(uris[i], sizeof(uris[i]), "sip:10.%u.%u.%u:5060",
				(i >> 16) & 255, (i >> 8) & 255, i & 255);
}

/* one call to uris[i]; returns 0 on success */
static int one_call(struct rg_table *t, unsigned int i, uint64_t now)
{
	static const struct rg_reply r183 = {.code = 183, .has_sdp = 1, .retry_after = -1, .pdd_ms = 12, .release = 0, .trial = 0, .sdp_only = 0};
	static const struct rg_reply r200 = {.code = 200, .has_sdp = 0, .retry_after = -1, .pdd_ms = -1, .release = 0, .trial = 0, .sdp_only = 0};
	struct rg_admission adm;
	struct rg_change chg;
	char key[RG_KEY_MAX + 1];
	int len;

	len = rg_key_normalize(uris[i], strlen(uris[i]), key);
	if(len < 0)
		return -1;
	if(rg_op_admit(t, key, len, NULL, now, &adm, &chg) != RG_ADMITTED)
		return -1;
	if(rg_op_reply(t, &adm.ref, &r183, now, &chg) != RG_OK)
		return -1;
	return rg_op_reply(t, &adm.ref, &r200, now, &chg) == RG_OK ? 0 : -1;
}

#define ROUNDS 7
#define NSIZES 3

struct sized
{
	unsigned int ndst;
	struct rg_table *t;
	uint64_t now;
	unsigned int next; /* the destination the next call goes to */
	double ns[ROUNDS];
};

/* a table of `ndst` destinations, every one of them called once */
static int sized_init(struct sized *z, unsigned int ndst)
{
	unsigned int k;

	z->ndst = ndst;
	z->now = 1000000;
	z->next = 0;
	z->t = table_new(ndst);
	if(z->t == NULL)
		return -1;
	for(k = 0; k < ndst; k++)
		if(one_call(z->t, k, z->now) < 0)
			return -1;
	return 0;
}

/* ns per call of `iters` calls, round robin over its destinations */
static double sized_round(struct sized *z, unsigned long iters)
{
	uint64_t t0 = ns_now(CLOCK_MONOTONIC);
	unsigned long k;

	for(k = 0; k < iters; k++) {
		if(one_call(z->t, z->next, z->now + (k >> 16)) < 0)
			return -1;
		if(++z->next == z->ndst)
			z->next = 0;
	}
	z->now += (iters >> 16) + 1;
	return (double)(ns_now(CLOCK_MONOTONIC) - t0) / (double)iters;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* mean CPU ns per call over `nproc` processes calling one destination */
static double contended(unsigned int nproc, unsigned long iters)
{
	struct rg_table *t = mk(16);
	double *res;
	unsigned int p;
	double sum = 0;

	res = mmap(NULL, sizeof(double) * nproc, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if(t == NULL || res == MAP_FAILED)
		return -1;
	one_call(t, 0, 1000000);
	for(p = 0; p < nproc; p++) {
		if(fork() == 0) {
			uint64_t c0 = ns_now(CLOCK_PROCESS_CPUTIME_ID);
			unsigned long k;

			for(k = 0; k < iters; k++)
				one_call(t, 0, 1000000 + (k >> 16));
			res[p] = (double)(ns_now(CLOCK_PROCESS_CPUTIME_ID) - c0)
					 / (double)iters;
			_exit(0);
		}
	}
	for(p = 0; p < nproc; p++)
		wait(NULL);
	for(p = 0; p < nproc; p++)
		sum += res[p];
	return sum / nproc;
}

int main(int argc, char **argv)
{
	static const unsigned int sizes[NSIZES] = {10, 1000, 100000};
	static struct sized z[NSIZES];
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
	struct rg_summary s;
	struct rg_table *t;
	int i, r;
	double ns, ns0 = 1;

	if(bench_shm_init((size_t)1 << 30) < 0) {
		perror("mmap");
		return 1;
	}
	make_uris(100000);
	/* the sizes take turns, round after round, so that a noisy moment
	 * hits all of them; each figure is the median of its rounds */
	bench_shm_reset();
	for(i = 0; i < NSIZES; i++)
		if(sized_init(&z[i], sizes[i]) < 0)
			return 1;
	for(r = 0; r < ROUNDS; r++)
		for(i = 0; i < NSIZES; i++)
			if((z[i].ns[r] = sized_round(&z[i], iters / ROUNDS)) < 0)
				return 1;
	for(i = 0; i < NSIZES; i++) {
		ns = median(z[i].ns, ROUNDS);
		if(i == 0)
			ns0 = ns;
		printf("single_%u_call_ns %.1f\n", sizes[i], ns);
		printf("single_%u_op_ns %.1f\n", sizes[i], ns / OPS_PER_CALL);
		printf("single_%u_over_10 %.2f\n", sizes[i], ns / ns0);
	}
	ns = contended(1, iters / 2);
	printf("procs_1_one_dst_op_ns %.1f\n", ns / OPS_PER_CALL);
	ns = contended(4, iters / 2);
	printf("procs_4_one_dst_op_ns %.1f\n", ns / OPS_PER_CALL);
	t = mk(4096);
	if(t == NULL)
		return 1;
	rg_table_summary(t, &s);
	printf("shm_bytes_per_dst_4096 %.0f\n",
			(double)bench_shm_used() / s.capacity);
	t = mk(100000);
	if(t == NULL)
		return 1;
	printf("shm_bytes_per_dst_100000 %.0f\n",
			(double)bench_shm_used() / 100000);
	return 0;
}
