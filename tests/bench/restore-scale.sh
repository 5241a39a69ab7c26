#!/bin/sh
# The restore-flatness section of the benchmark: `restore` of one file from
# an archive of 10 files and from one of 100,000 files (bench-corpus
# --mixed).  Restore checks a file's digest through the manifest index
# (docs/FORMAT.md 4.1), so its cost must not grow with the number of files
# in the archive (target: the big figure within 1.5x of the small one).
# Run by scale.sh (make bench BENCH=scale), or alone.
# usage: tests/bench/restore-scale.sh [BUILD_DIR]
# env:   BENCH_RESTORE_FILES (100000), BENCH_RESTORE_BYTES (200000000),
#        BENCH_KEEP=1 keeps bench-work/restore-scale.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in
/*) ;;
*) build=$top/$build ;;
esac
ARH=$build/arhiivar
big=${BENCH_RESTORE_FILES:-100000}
bigbytes=${BENCH_RESTORE_BYTES:-200000000}
W=$top/bench-work/restore-scale
export LC_ALL=C.UTF-8

say() { printf '# %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

[ -x "$ARH" ] || die "no $ARH: run make first"
for t in sqlite3 cc awk; do
	command -v "$t" >/dev/null 2>&1 || die "missing tool '$t' (see tools/deps.sh)"
done
BASH=$(command -v bash 2>/dev/null) || die "the restore-scale section needs bash (for its timer)"
rm -rf "$W" && mkdir -p "$W" || die "cannot create $W"
if [ "${BENCH_KEEP:-0}" != 1 ]; then
	trap 'rm -rf "$W"' EXIT
	trap 'exit 130' INT TERM
fi
cc -std=c11 -O2 -o "$W/bench-corpus" "$top/tools/bench-corpus.c" -lm ||
	die "cannot compile tools/bench-corpus.c"

# median_ms N CMD...: the median wall time of N runs in ms, or FAIL.
median_ms() {
	"$BASH" -c 'n=$1; shift
	for ((i = 0; i < n; i++)); do
		t0=$EPOCHREALTIME
		"$@" >/dev/null 2>"$W/last.err" || { echo FAIL; exit; }
		t1=$EPOCHREALTIME
		echo "$t0 $t1"
	done' bash "$@" | awk '
		$1 == "FAIL" { fail = 1 }
		NF == 2 { v[n++] = ($2 - $1) * 1000 }
		END {
			if (fail || n == 0) { print "FAIL"; exit }
			for (i = 1; i < n; i++)
				for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
					t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
				}
			printf "%.1f\n", n % 2 ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2
		}'
}

# archive NAME FILES BYTES: a home $W/NAME with one ingested case file of
# FILES files; prints the payload path in the middle of its manifest.
archive() {
	"$W/bench-corpus" --mixed --seed 1 --files "$2" --bytes "$3" "$W/$1.case" \
	    >/dev/null || die "bench-corpus failed"
	"$ARH" -H "$W/$1" init --organisation Bench >/dev/null || die "init failed"
	"$ARH" -H "$W/$1" ingest "$W/$1.case" >/dev/null || die "ingest of $2 files failed"
	rm -rf "$W/$1.case"
	sqlite3 "$W/$1/catalog.db" "select path from files where path like 'data/%'
	    order by path limit 1 offset (select count(*) / 2 from files
	    where path like 'data/%')"
}

say "restore-scale: restore of one file (the middle one of the manifest) from an archive of 10 and of $big files"
t0=$(date +%s)
p1=$(archive small 10 100000)
p2=$(archive big "$big" "$bigbytes")
say "both archives made in $(( $(date +%s) - t0 )) s"
r1=$(median_ms 21 "$ARH" -H "$W/small" restore -f -o "$W/out" 12-1/2024 "$p1")
r2=$(median_ms 21 "$ARH" -H "$W/big" restore -f -o "$W/out" 12-1/2024 "$p2")
[ "$r1" != FAIL ] && [ "$r2" != FAIL ] ||
	{ sed 's/^/#   /' "$W/last.err" | head -n 5; die "a timed restore failed"; }
q=$(awk -v a="$r1" -v b="$r2" 'BEGIN { printf "%.2f", b / a }')
ok=$(awk -v v="$q" 'BEGIN { print (v + 0 <= 1.50) ? "yes" : "no" }')
printf '%-30s %12s %12s %8s  %s\n' "median (ms)" "10 files" "$big files" ratio "<= 1.50"
printf '%-30s %12s %12s %8s  %s\n' restore "$r1" "$r2" "$q" "$ok"
say "median of 21 runs; whole processes, warm cache; -o a file, replaced (-f) each run"
[ "${BENCH_KEEP:-0}" = 1 ] && say "kept $W"
exit 0
