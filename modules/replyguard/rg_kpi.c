/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rg_kpi.h"

static uint64_t less(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* num / den, once the window holds `n` >= min_samples samples */
static uint64_t ratio(uint64_t num, uint64_t den, uint64_t n,
		uint32_t min_samples)
{
	uint64_t pm;

	if(den == 0 || n < min_samples)
		return RG_KPI_ABSENT;
	pm = num * 1000 / den;
	return pm > 1000 ? 1000 : pm;
}

void rg_kpi_compute(const uint64_t w[RG_C_COUNT], uint32_t min_samples,
		uint64_t out[RG_KPI_COUNT])
{
	/* the seizures whose outcome is known: calls still ringing are no
	 * failures yet */
	uint64_t done = w[RG_C_R2XX] + w[RG_C_R3XX] + w[RG_C_R4XX] + w[RG_C_R5XX]
					+ w[RG_C_R6XX] + w[RG_C_TIMEOUTS];
	uint64_t s = less(done, w[RG_C_CHALLENGE]);
	uint64_t s3 = less(s, w[RG_C_R3XX]);
	uint64_t ans = w[RG_C_R2XX];
	uint64_t noans = w[RG_C_R480] + w[RG_C_R408] + w[RG_C_RANG_OUT];
	uint64_t rej = w[RG_C_R603] + w[RG_C_REJECT];
	uint64_t silent = less(w[RG_C_TIMEOUTS], w[RG_C_RANG_OUT]);

	out[RG_KPI_ASR] = ratio(ans, s, s, min_samples);
	out[RG_KPI_NER] =
			ratio(ans + w[RG_C_BUSY] + noans + rej, s, s, min_samples);
	out[RG_KPI_SER] = ratio(ans, s3, s, min_samples);
	out[RG_KPI_SEER] = ratio(ans + w[RG_C_R480] + w[RG_C_BUSY] + w[RG_C_R603],
			s3, s, min_samples);
	out[RG_KPI_ISA] = ratio(w[RG_C_R408] + w[RG_C_R500_504]
									+ less(w[RG_C_R503], w[RG_C_R503_CALL])
									+ silent,
			s, s, min_samples);
	out[RG_KPI_SHORT] = ratio(w[RG_C_CALLS_SHORT], w[RG_C_CALLS_ENDED],
			w[RG_C_CALLS_ENDED], min_samples);
}

uint64_t rg_kpi_acd_ms(const uint64_t w[RG_C_COUNT], uint32_t min_samples)
{
	uint64_t n = w[RG_C_CALLS_ENDED];
	uint64_t ms;

	if(n == 0 || n < min_samples)
		return RG_KPI_ABSENT;
	/* (RPC and $rg show an int: at most about 24.8 days) */
	ms = w[RG_C_CALL_SECS] * 1000 / n;
	return ms > INT32_MAX ? INT32_MAX : ms;
}
