#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make k6: Kamailio 6.1.4 from its source tarball, installed with prefix
# build/k6 (build/k6/sbin/kamailio, build/k6/sbin/kamcmd, modules in
# build/k6/lib64/kamailio/modules/), the modules the tests and the sample
# load included; then replyguard built against it into the same folder.
# Nothing is written outside the checkout. Done once: a stamp keyed by the
# tarball's SHA-256 skips it while build/k6 is complete.
#
#   scripts/k6.sh ROOT   (K6_TARBALL=FILE K6_SHA256=HEX for another tarball)
set -e

ROOT=$(cd "$1" && pwd)
# what building Kamailio and those modules needs beyond scripts/deps.sh
K6_PKGS="bison flex liblua5.1-0-dev python3-dev libsqlite3-dev libpq-dev libevent-dev libcurl4-openssl-dev"
missing=""
for p in $K6_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
		|| missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "k6: missing:$missing (run as root)" >&2; exit 1; }
	echo "k6: installing$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null
fi
TARBALL=${K6_TARBALL:-$ROOT/../shared/kamailio/kamailio-6.1.4.tar.gz}
[ -f "$TARBALL" ] || { echo "k6: no tarball at $TARBALL" >&2; exit 1; }
# the hash is pinned here (K6_SHA256 for another tarball): a file beside
# the tarball could be replaced with it; that file, when there, must agree
want=${K6_SHA256:-fcc3dd0cc408608fc3ecb211017b6e66e0b616b1074116ebba20c980485707f3}
SUM_FILE=$TARBALL.sha256
beside=$(awk '{print $1; exit}' "$SUM_FILE" 2>/dev/null || true)
got=$(sha256sum "$TARBALL" | awk '{print $1}')
if [ "$got" != "$want" ] || { [ -n "$beside" ] && [ "$beside" != "$want" ]; }; then
	echo "k6: $TARBALL: SHA-256 $got, expected $want${beside:+ (beside it: $beside)}: refused" >&2
	exit 1
fi

SRC=$ROOT/build/k6-src
PREFIX=$ROOT/build/k6
# a configured tree's CFLAGS carry no -O unless CC_OPT is given (config.mak
# expands it before Makefile.defs sets its default): -O2, as distributions
# build it, so the tests and the bench run an optimised Kamailio
K6_OPT=-O2
MODDIR=$PREFIX/lib64/kamailio/modules
# the modules the integration cases, the bench, the sample and the demo
# load (the DB drivers the limits_db case uses, http_async_client for
# event_txn): only these are built (all of Kamailio's take 5 times as long)
K6_MODULES="app_lua app_python3 async cfgutils corex ctl db_postgres db_sqlite
dialog dispatcher dmq htable http_async_client jsonrpcs kex maxfwd pv rr
sanity sdpops siputils sl textops tm tmx xhttp xlog"
K6_MODULES=$(echo $K6_MODULES) # one line, single spaces
STAMP=$PREFIX/.built-$want$K6_OPT-$(echo "$K6_MODULES" | cksum | cut -d' ' -f1)

if [ ! -f "$STAMP" ] || [ ! -x "$PREFIX/sbin/kamailio" ]; then
	echo "k6: building Kamailio $(basename "$TARBALL" .tar.gz) into $PREFIX"
	rm -rf "$SRC" "$PREFIX"
	mkdir -p "$SRC"
	tar -xzf "$TARBALL" -C "$SRC" --strip-components=1
	# every other module excluded; the list's own included (some are
	# excluded by default)
	skip=$(cd "$SRC/src/modules" && for m in *; do
		[ -d "$m" ] || continue
		case " $K6_MODULES " in *" $m "*) ;; *) printf '%s ' "$m" ;; esac
	done)
	make -C "$SRC" cfg prefix="$PREFIX" include_modules="$K6_MODULES" \
		exclude_modules="$skip" \
		>"$ROOT/build/k6-cfg.log" 2>&1
	make -C "$SRC" -j"$(nproc)" all CC_OPT="$K6_OPT" quiet=silent \
		>"$ROOT/build/k6-build.log" 2>&1 \
		|| { tail -30 "$ROOT/build/k6-build.log" >&2; exit 1; }
	make -C "$SRC" install CC_OPT="$K6_OPT" >"$ROOT/build/k6-install.log" 2>&1 \
		|| { tail -30 "$ROOT/build/k6-install.log" >&2; exit 1; }
	touch "$STAMP"
fi
# replyguard against it, built out of the checkout's module folder (whose
# objects are the packaged Kamailio's), into the same modules folder
MOD=$ROOT/build/k6-mod
mkdir -p "$MOD"
cp "$ROOT"/modules/replyguard/*.c "$ROOT"/modules/replyguard/*.h \
	"$ROOT"/modules/replyguard/Makefile "$MOD"/
make -C "$MOD" COREPATH="$SRC/src" quiet=silent >"$ROOT/build/k6-mod.log" 2>&1 \
	|| { tail -30 "$ROOT/build/k6-mod.log" >&2; exit 1; }
cp "$MOD/replyguard.so" "$MODDIR/replyguard.so"
for m in $K6_MODULES replyguard; do
	[ -f "$MODDIR/$m.so" ] || { echo "k6: $m.so missing in $MODDIR" >&2; exit 1; }
done
echo "k6: Kamailio $("$PREFIX/sbin/kamailio" -v | sed -n 's/^version: kamailio \([^ ]*\).*/\1/p') in $PREFIX"
