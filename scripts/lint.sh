#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make lint: cppcheck and clang-tidy over the module, the tests' C and the
# benchmark, with the settings kept in the repo (.clang-tidy, and the
# cppcheck options below). Any finding fails.
#   lint.sh COREPATH
set -e
cd "$(dirname "$0")/.."
COREPATH=$1
MOD=modules/replyguard
FLAGS=$(make -s --no-print-directory -C "$MOD" print-cppflags COREPATH="$COREPATH")

# variableScope is off: Kamailio's style declares variables at the top of
# a block. Missing system/Kamailio headers are not cppcheck's business.
echo "lint: cppcheck"
cppcheck --error-exitcode=1 --quiet --std=c11 --inline-suppr \
	--enable=warning,style,performance,portability \
	--suppress=variableScope --suppress=missingIncludeSystem \
	-I "$MOD" "$MOD"/*.c tests/unit/*.c tests/fuzz/*.c bench/*.c

echo "lint: clang-tidy (module)"
# shellcheck disable=SC2086
clang-tidy --quiet "$MOD"/*.c -- -std=gnu11 $FLAGS 2>&1 |
	grep -vE '^[0-9]+ warnings? generated|^Suppressed|^Use -header-filter' || true
# the exit status above is lost to grep; run again for it, silently
# shellcheck disable=SC2086
clang-tidy --quiet "$MOD"/*.c -- -std=gnu11 $FLAGS >/dev/null 2>&1

echo "lint: clang-tidy (tests and bench)"
clang-tidy --quiet tests/fuzz/*.c bench/micro.c bench/seam_shm.c -- \
	-std=gnu11 -I"$MOD" -Ibench >/dev/null 2>&1 || {
	clang-tidy --quiet tests/fuzz/*.c bench/micro.c bench/seam_shm.c -- \
		-std=gnu11 -I"$MOD" -Ibench
	exit 1
}
echo "lint: clean"
