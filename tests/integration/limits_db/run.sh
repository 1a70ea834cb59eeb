#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# limits_db: limits from a real database through Kamailio's DB API
# (db_url, db_table), with the schema shipped in doc/schema/.
#  SQLite (db_sqlite, the embedded default) and PostgreSQL (a real server
#  from Debian's packages, started here on loopback in a temporary
#  directory, then stopped), the same three checks each:
#   - the table's limits are in force at start;
#   - a reload after an UPDATE puts the new one in force;
#   - a bad row makes the reload fail, naming its key and the reason, and
#     the limits in force are kept; so does a table of more rows than
#     max_destinations, refused whole.
#  A table of another version (2) stops start-up with one line.
#  A reload is bounded by db_timeout_ms (3000), with PostgreSQL:
#   - slowed (another session holds the table locked): the reload fails
#     within the bound + 2 s naming it, the old limits stay, calls keep
#     routing, a reload meanwhile is refused at once, and the rows the
#     loader reads when the lock goes are not applied; the next reload
#     puts them in force;
#   - hung (SIGSTOP: it accepts connections but never answers): the same
#     bound;
#   - down (stopped): the reload fails at once, the old limits stay, the
#     RPC fault says why, and calls keep routing.
. "$(dirname "$0")/../lib/common.sh"
it_init limits_db
P=29760
GW=sip:127.0.0.1:29771
printf "1 %s\n" "$GW" >"$IT_RUN/dispatcher.list"
SCHEMA=$IT_ROOT/doc/schema

# start_db DBMOD URL: lib/failover.cfg with the DB driver and db_url
start_db() {
	RPC_PORT=$((P + 20))
	kam_start "$IT_LIB/failover.cfg" -e "s#@PORT@#$P#g" \
		-e "s#@HTTP@#$RPC_PORT#g" -e "s#@FR@#2000#g" -e "s#@ALG@#4#g" \
		-e "s#^loadmodule \"dispatcher.so\"#loadmodule \"dispatcher.so\"\\nloadmodule \"$1\"#" \
		-e "s#@RGPARAMS@#modparam(\"replyguard\", \"db_url\", \"$2\")#"
}
# reload: replyguard.reload over kamcmd; its output (a fault included).
# kamcmd itself is given 20 s: a reload that waits for a stuck database
# without a bound fails the checks instead of hanging the case
reload() { timeout 20 "$KAMCMD" -s "unix:$IT_RUN/ctl.sock" replyguard.reload 2>&1; }
# calls N TAG: N calls through the proxy to the gateway; how many
# completed (a 200 for the INVITE and one for the BYE each)
calls() {
	local ok
	sipp_fg "calls_$1_$2" 127.0.0.1:$P -sf "$IT_SCEN/uac_call.xml" -s 1 \
		-i 127.0.0.1 -p $((P + 2)) -m "$1" -r 5 -d 10 -timeout 30s
	ok=$(sipp_count "calls_$1_$2" 200_Recv) || return 1
	echo $((ok / 2))
}

# the three checks, on the database that SQL (a command reading SQL on
# its stdin) writes to
checks() {
	local db=$1 sql=$2
	check_eq "$db: the gateway's limit from the table" 20 "$(rg_field "$GW" cps_limit)"
	check_eq "$db: its burst" 2 "$(rg_field "$GW" cps_burst)"
	check_eq "$db: its source" file "$(rg_field "$GW" limit_source)"
	check_eq "$db: carrier-db's rate (2.5 cps)" 2500 "$(rg_field carrier-db cps_limit_milli)"
	check_eq "$db: carrier-db's cap" 10 "$(rg_field carrier-db max_concurrent)"
	check_eq "$db: carrier-db's burst is the default (NULL)" 1 "$(rg_field carrier-db cps_burst)"
	echo "UPDATE replyguard_limits SET cps = 30 WHERE dst = '$GW';" | $sql
	check_eq "$db: reload after an UPDATE" 1 "$(reload | grep -c 'destinations: 2')"
	check_eq "$db: the new limit is in force" 30 "$(rg_field "$GW" cps_limit)"
	echo "INSERT INTO replyguard_limits (dst, cps) VALUES ('carrier-bad', -5);" | $sql
	out=$(reload)
	echo "  info $db: a bad row: $out"
	check_eq "$db: a bad row is refused, naming its key and reason" 1 \
		"$(echo "$out" | grep -c 'carrier-bad.*cps is out of range.*kept')"
	check_eq "$db: the limits in force are kept" 30 "$(rg_field "$GW" cps_limit)"
	check_eq "$db: nothing of the bad load was applied" 404 "$(rg_fault carrier-bad)"
	check_eq "$db: one log line for it" 1 \
		"$(grep -c 'replyguard.reload: table replyguard_limits, row of dst \[carrier-bad\]' "$IT_RUN/kamailio.log")"
	echo "DELETE FROM replyguard_limits WHERE dst = 'carrier-bad';" | $sql
	bad_row "$db" "$sql" "a negative burst" \
		"INSERT INTO replyguard_limits (dst, cps, burst) VALUES ('carrier-neg', 1, -5);" \
		"carrier-neg.*burst is out of range"
	bad_row "$db" "$sql" "the gateway in two spellings" \
		"INSERT INTO replyguard_limits (dst, cps) VALUES ('SIP:127.0.0.1:29771;transport=udp', 5);" \
		"dst \[$GW\] is in two rows"
	# 4095 more: 4097 rows, one more than max_destinations (4096), all good
	bad_row "$db" "$sql" "more rows than max_destinations" \
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4095)
		 INSERT INTO replyguard_limits (dst, cps) SELECT 'carrier-' || i, 1 FROM n;" \
		"has 4097 rows, more than max_destinations (4096)"
	check_eq "$db: ... and none of them was applied" 404 "$(rg_fault carrier-7)"
}

# bad_row DB SQL WHAT INSERT PATTERN: one more bad row; the reload fails
# with PATTERN, nothing changes; then the row goes again
bad_row() {
	local out
	echo "$4" | $2
	out=$(reload)
	echo "  info $1: $3: $out"
	check_eq "$1: $3 is refused with its reason" 1 "$(echo "$out" | grep -c "$5.*kept")"
	check_eq "$1: ... and the limits in force are kept" 30 "$(rg_field "$GW" cps_limit)"
	echo "DELETE FROM replyguard_limits WHERE dst <> '$GW' AND dst <> 'carrier-db';" | $2
}

sipp_bg uas -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 29771 -d 10 \
	-timeout 200s
wait_udp 29771

# --- SQLite
t0=$(now_ms)
DB=$IT_RUN/rg.db
sqlite3 "$DB" <"$SCHEMA/replyguard_limits-sqlite.sql"
sqlite3 "$DB" "INSERT INTO replyguard_limits (dst, cps, burst) VALUES ('$GW', 20, 2);
INSERT INTO replyguard_limits (dst, cps, max_concurrent) VALUES ('carrier-db', 2.5, 10);"
start_db db_sqlite.so "sqlite://$DB" || exit 1
check_eq "sqlite: calls route" 5 "$(calls 5 sqlite)"
checks sqlite "sqlite3 $DB"
kam_stop
# a table of another version stops start-up, as dispatcher's does
sqlite3 "$DB" "UPDATE version SET table_version = 2 WHERE table_name = 'replyguard_limits';"
start_db db_sqlite.so "sqlite://$DB" 2>/dev/null
check_eq "sqlite: a table of version 2 stops start-up" 1 $?
check_eq "sqlite: one clear line says so" 1 \
	"$(grep -c 'db_table replyguard_limits: version 2, this module needs 1' "$IT_RUN/kamailio.log")"
KAM_PID=
echo "  info sqlite part: $(($(now_ms) - t0)) ms"

# --- PostgreSQL: a server of our own, on loopback, in $IT_RUN/pg
t0=$(now_ms)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGPORT=29790
PGDIR=$IT_RUN/pg
# the server runs as postgres: it must reach its directory under $IT_RUN
chmod 711 "$IT_RUN"
mkdir -p "$PGDIR" && chown postgres: "$PGDIR"
pg() { runuser -u postgres -- "$@"; }
pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust >"$IT_RUN/initdb.log" 2>&1
check_eq "postgres: initdb" 0 $?
pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 30 \
	-o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1" start >"$IT_RUN/pgstart.log" 2>&1
check_eq "postgres: server started on 127.0.0.1:$PGPORT" 0 $?
PG_PID=$(head -1 "$PGDIR/data/postmaster.pid" 2>/dev/null)
[ -n "$PG_PID" ] && IT_PIDS+=("$PG_PID")
PSQL="runuser -u postgres -- $PGBIN/psql -q -h 127.0.0.1 -p $PGPORT -U postgres -v ON_ERROR_STOP=1"
pg "$PGBIN/createdb" -h 127.0.0.1 -p $PGPORT -U postgres rg
$PSQL rg <"$SCHEMA/replyguard_limits-postgres.sql" >/dev/null
echo "INSERT INTO replyguard_limits (dst, cps, burst) VALUES ('$GW', 20, 2);
INSERT INTO replyguard_limits (dst, cps, max_concurrent) VALUES ('carrier-db', 2.5, 10);" | $PSQL rg
start_db db_postgres.so "postgres://postgres@127.0.0.1:$PGPORT/rg" || exit 1
check_eq "postgres: calls route" 5 "$(calls 5 pg)"
checks postgres "$PSQL rg"
bad_row postgres "$PSQL rg" "a NaN rate" \
	"INSERT INTO replyguard_limits (dst, cps) VALUES ('carrier-nan', 'NaN');" \
	"carrier-nan.*cps is not a number"
check_eq "postgres: a good reload again" 1 "$(reload | grep -c 'destinations: 2')"


# --- a slow database: another session holds the table locked, so the
# loader's SELECT waits. The table says 40 meanwhile, 30 is in force: the
# reload must fail within the bound and keep 30, and the 40 the loader
# reads when the lock goes must not be applied, only by the next reload.
BOUND=3000
echo "UPDATE replyguard_limits SET cps = 40 WHERE dst = '$GW';" | $PSQL rg
UNLOCK=$IT_RUN/unlock
# the holder keeps its transaction open until $UNLOCK appears (30 s at most)
{
	echo "BEGIN; LOCK TABLE replyguard_limits IN ACCESS EXCLUSIVE MODE;"
	for _ in $(seq 300); do [ -e "$UNLOCK" ] && break; sleep 0.1; done
	echo "COMMIT;"
} | $PSQL rg >"$IT_RUN/locker.log" 2>&1 &
LOCKER=$!
IT_PIDS+=("$LOCKER")
locked() {
	[ "$(echo "SELECT count(*) FROM pg_locks WHERE granted AND
		mode = 'AccessExclusiveLock' AND
		relation = 'replyguard_limits'::regclass;" | $PSQL -tA rg)" = 1 ]
}
wait_until 10 locked
check_eq "slow database: another session holds the table locked" 0 $?
# elapsed CMD...: CMD's output, then the milliseconds it took on a line
elapsed() {
	local t0=$(now_ms) out
	out=$("$@")
	echo "$out"
	echo "$(($(now_ms) - t0))"
}
r=$(elapsed reload)
ms=$(echo "$r" | tail -1)
echo "  info slow database: the reload took $ms ms (bound $BOUND ms): $(echo "$r" | head -n -1)"
check_eq "slow database: the reload fails with the bound named" 1 \
	"$(echo "$r" | grep -c "error: 500 - the database did not answer within $BOUND ms (db_timeout_ms); the limits in force are kept")"
check_cmp "slow database: it ends within the bound + 2 s (ms)" "$ms" -lt $((BOUND + 2000))
check_cmp "slow database: ... having waited the bound (ms)" "$ms" -ge "$BOUND"
check_eq "slow database: the limits in force are kept" 30 "$(rg_field "$GW" cps_limit)"
check_eq "slow database: calls keep routing" 5 "$(calls 5 pgslow)"
check_eq "slow database: one log line for it" 1 \
	"$(grep -c 'replyguard.reload: the database did not answer within' "$IT_RUN/kamailio.log")"
r=$(elapsed reload)
ms=$(echo "$r" | tail -1)
echo "  info slow database, reload again at once: $ms ms: $(echo "$r" | head -n -1)"
check_eq "slow database: a reload meanwhile is refused, saying why" 1 \
	"$(echo "$r" | grep -c 'error: 500 - the previous reload is still waiting for the database (asked [0-9]* ms ago); the limits in force are kept')"
check_cmp "slow database: ... at once (ms)" "$ms" -lt 2000
touch "$UNLOCK"
wait_pid "$LOCKER" 10
check_eq "slow database: the lock is released" 0 $?
# the loader gets its 40 now, for a reload that gave up: it says so
late() { grep -c 'not applied; reload again' "$IT_RUN/kamailio.log"; }
check_eq "slow database: the loader's late rows are thrown away (logged)" 1 "$(wait_eq 10 1 late)"
grep 'not applied; reload again' "$IT_RUN/kamailio.log" | sed 's/^/  info /'
check_eq "slow database: ... and never applied" 30 "$(rg_field "$GW" cps_limit)"
r=$(elapsed reload)
echo "  info slow database, the next reload: $(echo "$r" | tail -1) ms"
check_eq "slow database: the next reload succeeds" 1 "$(echo "$r" | grep -c 'destinations: 2')"
check_eq "slow database: ... and puts the table's 40 in force" 40 "$(rg_field "$GW" cps_limit)"

# --- a server that accepts but never answers (stopped by SIGSTOP): the
# driver would wait for ever in the connection; the reload ends at the
# bound all the same
echo "UPDATE replyguard_limits SET cps = 30 WHERE dst = '$GW';" | $PSQL rg
kill -STOP "$PG_PID"
r=$(elapsed reload)
ms=$(echo "$r" | tail -1)
echo "  info hung server: the reload took $ms ms: $(echo "$r" | head -n -1)"
check_eq "hung server: the reload fails with the bound named" 1 \
	"$(echo "$r" | grep -c "did not answer within $BOUND ms (db_timeout_ms)")"
# before any other RPC: without the bound the RPC process is stuck
kill -CONT "$PG_PID"
check_cmp "hung server: it ends within the bound + 2 s (ms)" "$ms" -lt $((BOUND + 2000))
check_eq "hung server: the limits in force are kept" 40 "$(rg_field "$GW" cps_limit)"
check_eq "hung server: its late rows are thrown away too" 2 "$(wait_eq 10 2 late)"
check_eq "hung server: ... and never applied" 40 "$(rg_field "$GW" cps_limit)"

# the server goes away: a reload keeps the limits and says why, at once
pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >"$IT_RUN/pgstop.log" 2>&1
check_eq "postgres: server stopped" 0 $?
r=$(elapsed reload)
ms=$(echo "$r" | tail -1)
out=$(echo "$r" | head -n -1)
echo "  info database down: the reload took $ms ms: $out"
check_eq "database down: the reload fails and says why" 1 \
	"$(echo "$out" | grep -c 'error: 500 - cannot connect to the database of db_url; the limits in force are kept')"
check_cmp "database down: it ends within the bound + 2 s (ms)" "$ms" -lt $((BOUND + 2000))
check_eq "database down: the limits in force are kept" 40 "$(rg_field "$GW" cps_limit)"
check_eq "database down: calls keep routing" 5 "$(calls 5 pgdown)"
sipp_stop uas
echo "  info postgres part: $(($(now_ms) - t0)) ms"
n=$(grep -E 'ERROR:|CRITICAL:' "$IT_RUN/kamailio.log" |
	grep -vcE 'replyguard.reload|db_postgres|db_postgres_|srdb1|dbase|connection|could not connect|PQ|libpq')
check_eq "no ERROR lines but the reload's and the driver's for the database down" 0 "$n"
it_finish
