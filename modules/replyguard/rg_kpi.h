/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The carrier figures of one destination, from its counters over the
 * window. Pure arithmetic; the formulas, in one place:
 *
 *   S    = the window's seizures with a known outcome (replies_2xx,
 *          _3xx, _4xx, _5xx, _6xx and timeouts: a call still ringing is
 *          no failure yet) - replies_challenge (a 401/407 challenge is
 *          answered by a new request: not an outcome of the call)
 *   ASR  = replies_2xx / S                                   (ITU-T E.411)
 *   NER  = (replies_2xx + busy + no answer + terminal reject) / S
 *                                                            (ITU-T E.425)
 *          busy = replies_busy (486, 600)
 *          no answer = replies_480 + replies_408 + timeouts_rang
 *          terminal reject = replies_603 + replies_reject (404, 410, 484,
 *          604)
 *   SER  = replies_2xx / (S - replies_3xx)                   (RFC 6076 4.6)
 *   SEER = (replies_2xx + replies_480 + replies_busy + replies_603)
 *          / (S - replies_3xx)                               (RFC 6076 4.7)
 *   ISA  = (replies_408 + replies_500_504 + replies_503 - replies_503_call
 *          + timeouts - timeouts_rang) / S                   (RFC 6076 4.8)
 *
 * A far end's 408 is a no answer for NER and an ineffective attempt for
 * ISA, as each standard counts it. A 503 whose cause says the call
 * failed (replies_503_call) is no ineffective attempt: the destination
 * worked.
 *   SHORT = calls_short / calls_ended   (answered calls under
 *          short_call_seconds: false answer supervision shows here)
 *   ACD  = call_seconds / calls_ended, in ms          (ITU-T E.437)
 *          SHORT and ACD count only calls whose dialog ended with a BYE,
 *          and need min_samples of them.
 *
 * A 487 (the caller gave up) counts in S and in no numerator, as E.411
 * and E.425 count an abandoned call; replies_487 shows how many. Each
 * figure is in per-mille, rounded down, and RG_KPI_ABSENT while S holds
 * fewer than `min_samples` calls or its denominator is 0.
 */
#ifndef RG_KPI_H
#define RG_KPI_H

#include <stdint.h>

#include "rg_counters.h"

#define RG_KPI_ABSENT UINT64_MAX

#define RG_KPI_LIST(X) \
	X(ASR)             \
	X(NER)             \
	X(SER)             \
	X(SEER)            \
	X(ISA)             \
	X(SHORT)

enum rg_kpi
{
#define RG_X_ENUM(id) RG_KPI_##id,
	RG_KPI_LIST(RG_X_ENUM)
#undef RG_X_ENUM
			RG_KPI_COUNT
};

/* Every figure from the window's counters `w`, per-mille, into out[]. */
void rg_kpi_compute(const uint64_t w[RG_C_COUNT], uint32_t min_samples,
		uint64_t out[RG_KPI_COUNT]);

/* The ACD of the window's counters `w` in ms, or RG_KPI_ABSENT. */
uint64_t rg_kpi_acd_ms(const uint64_t w[RG_C_COUNT], uint32_t min_samples);

#endif
