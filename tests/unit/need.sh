#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# What the unit tests need, and nothing else: a C compiler and ar, cmocka
# and OpenSSL's libcrypto (headers and library), and with SAN the
# sanitizers' runtime. One line names what is missing and Debian's
# package for it; nothing is installed. Quiet when all is there.
#   need.sh CC [SAN]
cc=${1:-cc}
san=$2
missing() {
	echo "unit: $1 missing (Debian package: $2); install it, nothing was installed" >&2
	exit 1
}
# CC may carry words (ccache gcc): its first is the command
# shellcheck disable=SC2086
set -- $cc
command -v "$1" >/dev/null 2>&1 || missing "the C compiler $1" gcc
command -v ar >/dev/null 2>&1 || missing "ar" binutils

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
hdrs='#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/hmac.h>'
# $1: the program; the rest: what to add to the command line
probe() {
	src=$1
	shift
	printf '%s\n' "$src" >"$tmp/p.c"
	# shellcheck disable=SC2086
	$cc "$tmp/p.c" -o "$tmp/p" "$@" >/dev/null 2>&1
}
# all at once first, the common case
# shellcheck disable=SC2086
probe "$hdrs
int main(void) { cmocka_set_test_filter(\"x\"); return HMAC(EVP_sha256(), \"k\", 1, (const unsigned char *)\"d\", 1, NULL, NULL) == NULL; }" \
	$san -lcmocka -lcrypto && exit 0

probe '#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
int main(void) { return 0; }' -c ||
	missing "cmocka's header (cmocka.h)" libcmocka-dev
probe '#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
int main(void) { cmocka_set_test_filter("x"); return 0; }' -lcmocka ||
	missing "cmocka's library (-lcmocka, with cmocka_set_test_filter: 1.1 or later)" libcmocka-dev
probe '#include <openssl/hmac.h>
int main(void) { return 0; }' -c ||
	missing "OpenSSL's headers (openssl/hmac.h)" libssl-dev
probe '#include <openssl/evp.h>
int main(void) { return EVP_sha256() == NULL; }' -lcrypto ||
	missing "OpenSSL's libcrypto (-lcrypto)" libssl-dev
if [ -n "$san" ]; then
	# shellcheck disable=SC2086
	probe 'int main(void) { return 0; }' $san ||
		missing "the sanitizers' runtime ($san)" "libasan8 libubsan1 (with gcc)"
fi
echo "unit: $cc cannot build a cmocka test (the probe in tests/unit/need.sh failed)" >&2
exit 1
