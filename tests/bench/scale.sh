#!/bin/sh
# The scale section of the benchmark: `show`, `restore` of one file and a
# tiny `ingest` timed with 10 and with 10,000 archives catalogued.  Opening
# a home, a query and a restore must cost the same either way (target: the
# 10,000 figure within 1.3x of the 10 figure).  The store is real: every
# archive is a .tar file with its catalog rows.  One archive is ingested;
# the others are copies of its file under their own names with copies of
# its rows (sqlite3), which takes seconds instead of an ingest each.
# Then restore-scale.sh: one file out of an archive of 10 and of 100,000
# files (target: within 1.5x).
# usage: tests/bench/scale.sh [BUILD_DIR]	(make bench BENCH=scale)
# env:   BENCH_SCALE (10000), BENCH_KEEP=1 keeps bench-work/scale,
#        BENCH_RESTORE_FILES (100000; 0 skips restore-scale.sh).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in
/*) ;;
*) build=$top/$build ;;
esac
ARH=$build/arhiivar
big=${BENCH_SCALE:-10000}
W=$top/bench-work/scale
H=$W/home
export LC_ALL=C.UTF-8

say() { printf '# %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

[ -x "$ARH" ] || die "no $ARH: run make first"
for t in sqlite3 xargs tee; do
	command -v "$t" >/dev/null 2>&1 || die "missing tool '$t' (see tools/deps.sh)"
done
BASH=$(command -v bash 2>/dev/null) || die "the scale section needs bash (for its timer)"
rm -rf "$W" && mkdir -p "$W" || die "cannot create $W"
if [ "${BENCH_KEEP:-0}" != 1 ]; then
	trap 'rm -rf "$W"' EXIT
	trap 'exit 130' INT TERM
fi

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

# clone FROM TO: archives FROM..TO-1 (numbered names c00002_2024.v1, ...):
# a copy of the ingested archive's file and rows each.
clone() {
	seq "$1" "$(($2 - 1))" | awk '{ printf "c%05d_2024.v1.tar\n", $1 }' >"$W/names"
	[ -s "$W/names" ] || return 0
	(cd "$H/store" && xargs -n 500 sh -c 'tee "$@" <"$0" >/dev/null' \
	    "$SRC" <"$W/names" && xargs -n 500 chmod 0440 <"$W/names") ||
		die "cannot copy the archive files"
	sqlite3 "$H/catalog.db" "
	    PRAGMA foreign_keys = OFF;
	    BEGIN;
	    WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $2 - 1)
	    INSERT INTO archives (name, case_ref, series, version, previous, path,
	        size, sha256, signer, signer_cert_sha256, created, nrecords,
	        nfiles, action, due)
	    SELECT printf('c%05d_2024.v1', i), printf('c%05d/2024', i), series,
	        version, NULL, printf('c%05d_2024.v1.tar', i), size, sha256,
	        signer, signer_cert_sha256, created, nrecords, nfiles, action, due
	    FROM archives, n WHERE name = '$NAME';
	    INSERT INTO records SELECT a.name, r.reference, r.dir, r.registered,
	        r.type, r.access, r.access_basis, r.access_start, r.access_end,
	        r.metadata FROM records r, archives a
	        WHERE r.archive = '$NAME' AND a.name BETWEEN printf('c%05d', $1) AND printf('c%05d', $2);
	    INSERT INTO files SELECT a.name, f.path, f.record, f.size, f.sha512,
	        f.sha256, f.mime, f.charset, f.header_offset, f.data_offset
	        FROM files f, archives a
	        WHERE f.archive = '$NAME' AND a.name BETWEEN printf('c%05d', $1) AND printf('c%05d', $2);
	    COMMIT;" || die "cannot copy the catalog rows"
}

"$ARH" -H "$H" init --organisation Bench >/dev/null || die "init failed"
cp -r "$top/sample/case-12-1-2024" "$W/case"
"$ARH" -H "$H" ingest "$W/case" >/dev/null || die "ingest failed"
NAME=12-1_2024.v1
SRC=$H/store/$NAME.tar
REL=12-1_8911-1/vastus.txt
# The tiny ingest: a new version of the same case file each run.
printf 'skaala\n' >"$W/case/12-1_8911-1/skaala.txt"

measure() {
	n=$(sqlite3 "$H/catalog.db" 'select count(*) from archives')
	t=$(ls "$H/store" | grep -c '\.tar$')
	[ "$n" = "$t" ] || die "$n archives catalogued, $t files in the store"
	s=$(median_ms 21 "$ARH" -H "$H" show 12-1/2024)
	r=$(median_ms 21 "$ARH" -H "$H" restore -f -o "$W/out" 12-1/2024 "$REL")
	i=$(median_ms 5 "$ARH" -H "$H" ingest --new-version "$W/case")
	[ "$s" != FAIL ] && [ "$r" != FAIL ] && [ "$i" != FAIL ] ||
		{ sed 's/^/#   /' "$W/last.err" | head -n 5; die "a timed command failed"; }
	echo "$n $s $r $i"
}

say "scale: show, restore of one file, a tiny ingest (--new-version) with 10 and $big archives"
clone 2 11
set -- $(measure)
n1=$1 s1=$2 r1=$3 i1=$4
t0=$(date +%s)
have=$(sqlite3 "$H/catalog.db" 'select count(*) from archives')
clone 11 $((11 + big - have))
say "$((big - have)) more archives (files and rows) made in $(( $(date +%s) - t0 )) s"
set -- $(measure)
n2=$1 s2=$2 r2=$3 i2=$4
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
le() { awk -v v="$1" 'BEGIN { print (v + 0 <= 1.30) ? "yes" : "no" }'; }
printf '%-30s %12s %12s %8s  %s\n' "median (ms)" "$n1 archives" "$n2 archives" ratio "<= 1.30"
for op in show restore ingest; do
	case $op in
	show)	a=$s1 b=$s2 ;;
	restore) a=$r1 b=$r2 ;;
	ingest)	a=$i1 b=$i2 ;;
	esac
	q=$(ratio "$b" "$a")
	printf '%-30s %12s %12s %8s  %s\n' "$op" "$a" "$b" "$q" "$(le "$q")"
done
say "show and restore: median of 21 runs; ingest: median of 5 (each a new version); whole processes, warm cache"
[ "${BENCH_KEEP:-0}" = 1 ] && say "kept $W"
# The other scale: one archive of many files (BENCH_RESTORE_FILES=0 skips it).
[ "${BENCH_RESTORE_FILES:-100000}" = 0 ] || sh "$top/tests/bench/restore-scale.sh" "$build"
exit 0
