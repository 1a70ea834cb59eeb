#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every integration case (each tests/integration/<case>/run.sh) and
# print one closing "N passed, N failed" line over the cases.
cd "$(dirname "$0")" || exit 1
pass=0
fail=0
failed=()
for run in */run.sh; do
	case=${run%/run.sh}
	[ "$case" = lib ] && continue
	if bash "$run"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		failed+=("$case")
	fi
done
echo
[ "$fail" -eq 0 ] || echo "failed cases: ${failed[*]}"
echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
