#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh SECONDS TARGET...: run each fuzz target for SECONDS from its seed
# corpus (replayed first; corpus/TARGET.dict as its dictionary when there
# is one), new inputs into a scratch directory. Prints the
# executions; on a finding, the log's tail and exit 1.
cd "$(dirname "$0")" || exit 1
secs=$1
shift
total=0
for t in "$@"; do
	scratch=$(mktemp -d)
	dict=
	[ -f corpus/"$t".dict ] && dict=-dict=corpus/"$t".dict
	if bin/fuzz_"$t" -max_total_time="$secs" -print_final_stats=1 $dict \
		-timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=bin/ "$scratch" corpus/"$t" >bin/"$t".log 2>&1; then
		n=$(sed -n 's/^stat::number_of_executed_units: *//p' bin/"$t".log)
		echo "fuzz $t: $secs s, $n executions, no finding"
		total=$((total + n))
		rm -rf "$scratch"
	else
		echo "fuzz $t: FINDING (input saved in tests/fuzz/bin/)"
		tail -40 bin/"$t".log
		rm -rf "$scratch"
		exit 1
	fi
done
echo "fuzz: $total executions over $# targets, no finding"
