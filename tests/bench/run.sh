#!/bin/sh
# Benchmark arhiivar against the tools a user would otherwise use, on one
# synthetic closed case file (tools/bench-corpus.c).  See README.md here.
# usage: tests/bench/run.sh [BUILD_DIR]	(make bench)
# env:   BENCH_FILES (20000), BENCH_BYTES (2000000000), BENCH_SEED (1),
#        BENCH_KEEP=1 keeps bench-work/, BENCH=scale runs only the scale
#        section (tests/bench/scale.sh: no corpus needed), BENCH=api only
#        the API benchmark (tests/bench/api.sh: wrk, no corpus either),
#        BENCH=load only the load run (tests/bench/load.sh: the daemon
#        under API and command-line load, LOAD_SECONDS, default 60),
#        BENCH=mixed only the mixed corpus (tests/bench/mixed.sh: PDFs,
#        scans, e-mails, zips against the manual pipeline, 4,000 files).
# Warm runs: nothing is dropped from the page cache.  Exits 0 even when a
# target is missed: it is a benchmark, not a test; but 1 when a check of
# the load run fails (a failed command, a lost item or event is a bug).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in
/*) ;;
*) build=$top/$build ;;
esac
ARH=$build/arhiivar
if [ "${BENCH:-}" = scale ]; then
	exec sh "$top/tests/bench/scale.sh" "$build"
fi
if [ "${BENCH:-}" = api ]; then
	exec sh "$top/tests/bench/api.sh" "$build"
fi
if [ "${BENCH:-}" = load ]; then
	exec sh "$top/tests/bench/load.sh" "$build"
fi
if [ "${BENCH:-}" = mixed ]; then
	exec sh "$top/tests/bench/mixed.sh" "$build"
fi
files=${BENCH_FILES:-20000}
bytes=${BENCH_BYTES:-2000000000}
seed=${BENCH_SEED:-1}
W=$top/bench-work
C=$W/corpus
H=$W/home
export LC_ALL=C.UTF-8

say() { printf '# %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

[ -x "$ARH" ] || die "no $ARH: run make first"
for t in bsdtar tar openssl sha512sum sha256sum xargs find sort awk sync; do
	command -v "$t" >/dev/null 2>&1 || die "missing tool '$t' (see tools/deps.sh)"
done
GT=
[ -x /usr/bin/time ] && GT=/usr/bin/time
BASH=$(command -v bash 2>/dev/null || true)

if [ -e "$W" ]; then
	rm -rf "$W" || die "cannot remove $W"
fi
mkdir -p "$W" || die "cannot create $W"
if [ "${BENCH_KEEP:-0}" != 1 ]; then
	trap 'rm -rf "$W"' EXIT
	trap 'exit 130' INT TERM
fi

# Corpus + three archives of it + manifests.
need=$(( bytes / 1024 * 4 + 1048576 ))
avail=$(df -Pk "$W" | awk 'NR == 2 { print $4 }')
[ "$avail" -ge "$need" ] ||
	die "$W: $avail KiB free, about $need KiB needed"

cc -std=c11 -O2 -o "$build/bench-corpus" "$top/tools/bench-corpus.c" -lm ||
	die "cannot compile tools/bench-corpus.c"

. "$top/tests/bench/lib.sh"

# --- machine ------------------------------------------------------------
model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
fs=$(df -PT "$W" 2>/dev/null | awk 'NR == 2 { print $2 " on " $1 }')
say "arhiivar benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "machine: $(nproc) CPUs, ${model:-unknown CPU}, ${mem:-? GiB} RAM; $W: ${fs:-?}"
say "load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
say "tools: $(bsdtar --version | head -n 1); $(tar --version | head -n 1); $(openssl version)"
case $build in
"$top"/*) rev=$(cd "$top" && git rev-parse --short HEAD 2>/dev/null || echo "no git")
	(cd "$top" && git diff --quiet HEAD -- archiver include tools/arhiivar policy 2>/dev/null) ||
		rev="$rev + uncommitted changes" ;;
*) rev="built outside $top" ;;
esac
say "arhiivar: $ARH ($rev)"
[ -n "$GT" ] || say "GNU time (/usr/bin/time) not installed: peak RSS is n/a (package 'time')"
say "warm runs: the page cache is not dropped; every write is flushed (fsync) inside the timing"

# --- corpus -------------------------------------------------------------
say "generating the corpus: seed $seed, $files files, ~$bytes bytes"
t0=$(date +%s)
cinfo=$("$build/bench-corpus" --seed "$seed" --files "$files" --bytes "$bytes" "$C") ||
	die "bench-corpus failed"
say "corpus: $cinfo (generated in $(( $(date +%s) - t0 )) s)"
sync

# --- 1. ingest ----------------------------------------------------------
"$ARH" -H "$H" init >"$W/init.log" 2>&1 || { cat "$W/init.log"; die "arhiivar init failed"; }
say "ingest: arhiivar ingest"
ingest_ok=1
tm ingest "$ARH" -H "$H" ingest "$C" >"$W/ingest.log" 2>&1 || ingest_ok=0
sed 's/^/#   /' "$W/ingest.log" | head -n 20
ARCHIVE=$(ls "$H"/store/*.tar 2>/dev/null | head -n 1)
[ -n "$ARCHIVE" ] || ingest_ok=0

# The same ingest with the progress line drawn (stderr a pseudo-terminal,
# script(1)), into a second home: its cost against the plain run.
prog_ok=0
if [ "$ingest_ok" = 1 ] && command -v script >/dev/null 2>&1; then
	say "ingest: arhiivar ingest with the progress line (script(1) terminal)"
	"$ARH" -H "$H.p" init >/dev/null 2>&1 &&
	    tm progress script -qec "'$ARH' -H '$H.p' ingest '$C'" "$W/progress.log" \
	    >/dev/null && ls "$H.p"/store/*.tar >/dev/null 2>&1 && prog_ok=1
	rm -rf "$H.p"
fi

say "ingest: bsdtar --format pax + fsync of the tar"
tm bsdtar sh -c 'bsdtar --format pax -cf "$1" -C "$2" . && sync "$1"' sh \
	"$W/b.tar" "$C" || say "bsdtar failed"
rm -f "$W/b.tar"

say "ingest: manual pipeline (sha512sum, sha256sum, GNU tar, openssl cms, fsync)"
tm manual sh -c '
	W=$1 C=$2 K=$3
	(cd "$C" && find . -type f -print0 | sort -z | xargs -0 sha512sum >"$W/m512" &&
	    find . -type f -print0 | sort -z | xargs -0 sha256sum >"$W/m256") &&
	tar --format=pax -cf "$W/m.tar" -C "$C" . &&
	openssl cms -sign -binary -outform DER -in "$W/m512" \
	    -signer "$K/seal.pem" -inkey "$K/seal.key" -out "$W/m.p7s" &&
	sync "$W/m.tar" "$W/m512" "$W/m256" "$W/m.p7s"' sh "$W" "$C" "$H/keys" ||
	say "manual pipeline failed"
rm -f "$W/m.tar" "$W/m512" "$W/m256" "$W/m.p7s"

# The floor no ingest can beat on any number of cores: one SHA-512 stream
# over every payload byte (a digest cannot be split across cores).
say "ingest floor: SHA-512 of every payload byte in one stream (openssl dgst)"
tm floor sh -c 'cd "$1" && find . -type f -print0 | sort -z | xargs -0 cat |
	openssl dgst -sha512 >/dev/null' sh "$C"

# Format identification alone, as a user would run it: file(1) is the same
# libmagic, one process per batch of files, on one core.
say "ingest part: format identification alone (file --mime over every file)"
tm ident sh -c 'cd "$1" && find . -type f -print0 | xargs -0 file --mime >/dev/null' sh "$C"

# --- 2. verify ----------------------------------------------------------
verify_ok=0
if [ "$ingest_ok" = 1 ]; then
	say "verify: arhiivar verify 12-1/2024"
	tm verify "$ARH" -H "$H" verify 12-1/2024 >"$W/verify.log" 2>&1 && verify_ok=1
	sed 's/^/#   /' "$W/verify.log" | head -n 10
	say "verify: openssl dgst -sha512 of the archive ($(wc -c <"$ARCHIVE") bytes)"
	tm dgst openssl dgst -sha512 "$ARCHIVE" >/dev/null
fi

# --- 3. restore one file ------------------------------------------------
# A ~1 MB file from the middle half of the archive (bytewise path order).
restore_ok=0
rel=$(pick_member "$C")
if [ "$ingest_ok" = 1 ] && [ -n "$rel" ]; then
	rsize=$(wc -c <"$C/$rel")
	member="$(basename "$ARCHIVE" .tar)/data/$rel"
	say "restore: data/$rel ($rsize bytes)"
	if "$ARH" -H "$H" restore 12-1/2024 "data/$rel" -o "$W/out" -f \
	    >"$W/restore.log" 2>&1 && cmp -s "$W/out" "$C/$rel"; then
		restore_ok=1
		r_ms=$(median_ms 20 "$ARH" -H "$H" restore 12-1/2024 "data/$rel" -o "$W/out" -f)
		if [ "$r_ms" = FAIL ]; then
			restore_ok=0
			say "a repeated arhiivar restore failed:"
			sed 's/^/#   /' "$W/last.err" | head -n 10
		fi
	else
		[ -s "$W/restore.log" ] || echo "restored file differs from the original" >"$W/restore.log"
		sed 's/^/#   /' "$W/restore.log" | head -n 10
	fi
	t_ms=$(median_ms 3 tar -xf "$ARCHIVE" "$member" -O)
	if [ "$t_ms" = FAIL ]; then
		say "GNU tar failed:"
		sed 's/^/#   /' "$W/last.err" | head -n 5
	fi
fi

# --- table --------------------------------------------------------------
row() { printf '%-34s %12s %14s %8s  %-30s %s\n' "$@"; }
# met CMP LIMIT VALUE
le() { awk -v v="$1" -v l="$2" 'BEGIN { print (v != "n/a" && v + 0 <= l + 0) ? "yes" : "no" }'; }

echo
asize=none
[ -n "${ARCHIVE:-}" ] && asize="$(wc -c <"$ARCHIVE") bytes"
say "corpus: $cinfo; archive: $asize"
say "ratio = arhiivar / reference (lower is better)"
row operation "arhiivar" "reference" ratio target met
if [ "$ingest_ok" = 1 ]; then
	ia=$(secs ingest)
	rb=$(ratio "$ia" "$(secs bsdtar)")
	row "ingest vs bsdtar pax + fsync" "$ia s" "$(secs bsdtar) s" "$rb" "<= 1.30" "$(le "$rb" 1.30)"
	rf=$(ratio "$ia" "$(secs floor)")
	row "ingest vs SHA-512 of the payload" "$ia s" "$(secs floor) s" "$rf" "(the floor: information)" "-"
	ri=$(ratio "$ia" "$(secs ident)")
	row "ingest vs file --mime (libmagic)" "$ia s" "$(secs ident) s" "$ri" "(identification: information)" "-"
	if [ "$prog_ok" = 1 ]; then
		rp=$(ratio "$(secs progress)" "$ia")
		row "ingest with progress vs without" "$(secs progress) s" "$ia s" "$rp" "<= 1.01 (one run: noisy)" "$(le "$rp" 1.01)"
	fi
	rm_=$(ratio "$ia" "$(secs manual)")
	row "ingest vs manual pipeline" "$ia s" "$(secs manual) s" "$rm_" "<= 0.33 (>= 3x faster)" "$(le "$rm_" 0.3334)"
else
	row "ingest vs bsdtar pax + fsync" "FAIL" "$(secs bsdtar) s" "-" "<= 1.30" "no (failed)"
	row "ingest vs manual pipeline" "FAIL" "$(secs manual) s" "-" "<= 0.33 (>= 3x faster)" "no (failed)"
fi
if [ "$verify_ok" = 1 ]; then
	va=$(secs verify)
	rv=$(ratio "$va" "$(secs dgst)")
	row "verify vs openssl dgst -sha512" "$va s" "$(secs dgst) s" "$rv" "<= 1.20" "$(le "$rv" 1.20)"
else
	vr=-
	[ -f "$W/t.dgst" ] && vr="$(secs dgst) s"
	row "verify vs openssl dgst -sha512" "FAIL" "$vr" "-" "<= 1.20" "no (failed)"
fi
if [ "$restore_ok" = 1 ] && [ "${t_ms:-FAIL}" != FAIL ]; then
	rr=$(ratio "$r_ms" "$t_ms")
	ok=no
	[ "$(le "$r_ms" 10)" = yes ] && [ "$(le "$rr" 0.1)" = yes ] && ok=yes
	row "restore 1 file, median (ms)" "$r_ms ms" "$t_ms ms" "$rr" "<= 10 ms, <= 0.10 (>= 10x)" "$ok"
elif [ "$restore_ok" = 1 ]; then
	row "restore 1 file, median (ms)" "$r_ms ms" "FAIL" "-" "<= 10 ms, <= 0.10 (>= 10x)" "n/a (GNU tar failed)"
else
	tt=${t_ms:--}
	[ "$tt" = FAIL ] || [ "$tt" = - ] || tt="$tt ms"
	row "restore 1 file, median (ms)" "FAIL" "$tt" "-" "<= 10 ms, <= 0.10 (>= 10x)" "no (failed)"
fi
for op in ingest verify; do
	if [ "$op" = ingest ] && [ "$ingest_ok" != 1 ]; then
		row "peak RSS $op" "FAIL" "-" "-" "<= 64 MiB" "no (failed)"
	elif [ -f "$W/t.$op" ] && [ -n "$GT" ]; then
		k=$(rss "$op")
		row "peak RSS $op" "$(fmt_rss "$k")" "-" "-" "<= 64 MiB" "$(le "$k" 65536)"
	else
		row "peak RSS $op" "n/a" "-" "-" "<= 64 MiB" "n/a"
	fi
done
say "references: bsdtar $(secs bsdtar) s ($(fmt_rss "$(rss bsdtar)")), manual pipeline $(secs manual) s, openssl dgst ${vr:-$(secs dgst) s}"
say "restore: arhiivar median of 20 runs, GNU tar (-xf ... -O, scans the archive) median of 3; whole processes"
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo
sh "$top/tests/bench/scale.sh" "$build"
echo
load_rc=0
sh "$top/tests/bench/load.sh" "$build" || load_rc=1
[ "${BENCH_KEEP:-0}" = 1 ] && say "kept $W"
exit $load_rc
