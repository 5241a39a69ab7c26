#!/bin/sh
# The log's benchmark (FORMAT.md 11): append 1,000,000 leaves, prove
# inclusion and consistency in a log of that size, `log verify` it.
# Targets: append <= 10 s, a proof < 1 ms, log verify <= 5 s.
#
# The events are made with sqlite3 (one transaction); the log tables are
# then dropped and the schema set back to the one before the log, so that
# the next command that writes the home — here `arhiivar list` — appends a
# leaf for every event: entry, salt, leaf hash and the nodes it completes,
# exactly as each transaction does for its own events.
# usage: tests/bench/log.sh [BUILD_DIR]	(make bench BENCH=log)
# env:   BENCH_LOG_LEAVES (1000000), BENCH_KEEP=1 keeps bench-work/log.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in
/*) ;;
*) build=$top/$build ;;
esac
ARH=$build/arhiivar
n=${BENCH_LOG_LEAVES:-1000000}
W=$top/bench-work/log
export ARHIIVAR_HOME="$W/home" LC_ALL=C.UTF-8

say() { printf '# %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

[ -x "$ARH" ] && [ -f "$build/libarhiivar.a" ] || die "no $ARH: run make first"
command -v sqlite3 >/dev/null 2>&1 || die "missing tool 'sqlite3' (see tools/deps.sh)"
rm -rf "$W" && mkdir -p "$W" || die "cannot create $W"
if [ "${BENCH_KEEP:-0}" != 1 ]; then
	trap 'rm -rf "$W"' EXIT
	trap 'exit 130' INT TERM
fi
cc -std=c11 -D_GNU_SOURCE -O2 -I"$top/include" -I"$top/common" \
    -o "$build/log-proofs" "$top/tests/bench/log-proofs.c" \
    "$build/libarhiivar.a" $(pkg-config --libs libarchive libcrypto sqlite3 \
    libmagic jansson inih) -lunistring -lcsv -lpthread ||
	die "cannot build tests/bench/log-proofs.c"

# secs CMD...: wall seconds of one run.
secs() {
	_t0=$(date +%s.%N)
	"$@" >/dev/null 2>"$W/err" || die "'$*' failed: $(head -c 300 "$W/err")"
	_t1=$(date +%s.%N)
	echo "$_t0 $_t1" | awk '{ printf "%.2f", $2 - $1 }'
}

"$ARH" init >/dev/null 2>&1 || die "arhiivar init failed"
say "log benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $n leaves"
say "machine: $(nproc) CPUs; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
sqlite3 "$ARHIIVAR_HOME/catalog.db" "
    WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $n)
    INSERT INTO events (at, actor, kind, archive, target, result, detail)
    SELECT '2026-12-01T10:00:00Z', 'user (uid 1000)',
        CASE i % 4 WHEN 0 THEN 'verify' WHEN 1 THEN 'restore'
            WHEN 2 THEN 'denial' ELSE 'audit' END,
        '12-1_2024.v1', 'data/12-1_' || i || '-1/kiri.pdf',
        CASE i % 4 WHEN 2 THEN 'denied' ELSE 'ok' END, NULL FROM k;
    DROP TABLE log_leaves; DROP TABLE log_nodes; DROP TABLE log_checkpoints;
    DROP TABLE log_key; PRAGMA user_version = 9;" || die "sqlite3 failed"
append=$(secs "$ARH" list)
leaves=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from log_leaves')
[ "$leaves" = "$n" ] || die "$leaves leaves after the append, want $n"
"$ARH" log checkpoint >/dev/null 2>"$W/err" || die "log checkpoint: $(cat "$W/err")"
proofs=$("$build/log-proofs" "$ARHIIVAR_HOME/catalog.db" 1001) ||
	die "log-proofs failed"
verify=$(secs "$ARH" log verify)
db=$(du -m "$ARHIIVAR_HOME/catalog.db" | cut -f1)

printf '%-38s %12s %10s  %s\n' operation measured target met
met() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b ? "yes" : "no") }'; }
printf '%-38s %10s s %8s s  %s\n' "append $n leaves" "$append" 10 "$(met "$append" 10)"
echo "$proofs" | while read -r what med max; do
	printf '%-38s %9s µs %7s µs  %s (max %s µs)\n' "$what proof, median of 1001" \
	    "$med" 1000 "$(met "$med" 1000)" "$max"
done
printf '%-38s %10s s %8s s  %s\n' "log verify of $n leaves" "$verify" 5 "$(met "$verify" 5)"
say "catalog with the log: $db MB"
inc=$(echo "$proofs" | awk '$1 == "inclusion" { print $2 }')
con=$(echo "$proofs" | awk '$1 == "consistency" { print $2 }')
line="log: append ${append}s inclusion ${inc}us consistency ${con}us verify ${verify}s"
echo "summary: $line"
[ -n "${BENCH_SUMMARY:-}" ] && echo "$line" >>"$BENCH_SUMMARY"
exit 0
