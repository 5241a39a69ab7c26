#!/bin/sh
# The mixed corpus (bench-corpus --mixed: PDFs, JPEG scans, e-mails, text,
# XML, zips, shaped like a correspondence series) against the tools a user
# would otherwise run, side by side in one run.  See README.md here.
# usage: tests/bench/mixed.sh [BUILD_DIR]	(make bench BENCH=mixed)
# env:   BENCH_FILES (4000), BENCH_BYTES (404750336 = 386 MiB), BENCH_SEED
#        (1), BENCH_ROUNDS (5: ingest, manual pipeline and bsdtar alternate,
#        A B C then C B A; medians), BAGIT_PY (a bagit.py to time as one more
#        peer, optional), BENCH_KEEP=1 keeps bench-work/.
# Warm runs, every write fsynced inside the timing.  Exits 0 even when a
# figure is poor: a benchmark, not a test; 1 when a step fails.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in
/*) ;;
*) build=$top/$build ;;
esac
ARH=$build/arhiivar
files=${BENCH_FILES:-4000}
bytes=${BENCH_BYTES:-404750336}
seed=${BENCH_SEED:-1}
rounds=${BENCH_ROUNDS:-5}
W=$top/bench-work
C=$W/corpus
export LC_ALL=C.UTF-8

say() { printf '# %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

[ -x "$ARH" ] || die "no $ARH: run make first"
for t in bsdtar tar openssl xargs find sort awk sync cc; do
	command -v "$t" >/dev/null 2>&1 || die "missing tool '$t' (see tools/deps.sh)"
done
GT=
[ -x /usr/bin/time ] && GT=/usr/bin/time
BASH=$(command -v bash 2>/dev/null || true)
. "$top/tests/bench/lib.sh"

if [ -e "$W" ]; then
	rm -rf "$W" || die "cannot remove $W"
fi
mkdir -p "$W" || die "cannot create $W"
if [ "${BENCH_KEEP:-0}" != 1 ]; then
	trap 'rm -rf "$W"' EXIT
	trap 'exit 130' INT TERM
fi
need=$(( bytes / 1024 * 4 + 1048576 ))
avail=$(df -Pk "$W" | awk 'NR == 2 { print $4 }')
[ "$avail" -ge "$need" ] || die "$W: $avail KiB free, about $need KiB needed"
cc -std=c11 -O2 -o "$build/bench-corpus" "$top/tools/bench-corpus.c" -lm ||
	die "cannot compile tools/bench-corpus.c"

model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
say "arhiivar benchmark, mixed corpus, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "machine: $(nproc) CPUs, ${model:-unknown CPU}; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
say "tools: $(bsdtar --version | head -n 1); $(tar --version | head -n 1); $(openssl version)"
say "arhiivar: $ARH ($(cd "$top" && git rev-parse --short HEAD 2>/dev/null || echo "no git"))"
[ -n "$GT" ] || say "GNU time (/usr/bin/time) not installed: peak RSS is n/a (package 'time')"

say "generating the mixed corpus: seed $seed, $files files, ~$bytes bytes"
cinfo=$("$build/bench-corpus" --mixed --seed "$seed" --files "$files" --bytes "$bytes" "$C") ||
	die "bench-corpus failed"
kinds=$(cd "$C" && find . -type f ! -name '*.json' | sed 's/.*\.//' | sort | uniq -c |
	awk '{ printf "%s%s %s", n++ ? ", " : "", $1, $2 }')
say "corpus: $cinfo ($kinds)"
sync

# The manual pipeline: both manifests with openssl dgst, one process each
# (xargs -P 2), a tag manifest over them, bsdtar pax of the payload and
# the manifests, fsync, then a CMS signature of the tag manifest.
# $1 work directory, $2 the home's keys/, $3 the corpus.
MANUAL='
	W=$1 K=$2 C=$3
	rm -rf "$W" && mkdir -p "$W" &&
	(cd "$C" && find . -type f -print0 | LC_ALL=C sort -z) >"$W/list" &&
	(cd "$C" && printf "%s\n" sha512 sha256 | xargs -P 2 -n 1 sh -c \
	    "xargs -0 openssl dgst -\"\$3\" -r <\"\$1\" >\"\$2/manifest-\$3.txt\"" \
	    sh "$W/list" "$W") &&
	(cd "$W" && openssl dgst -sha512 -r manifest-sha512.txt manifest-sha256.txt \
	    >tagmanifest-sha512.txt) &&
	bsdtar --format pax -cf "$W/m.tar" -C "$C" . -C "$W" manifest-sha512.txt \
	    manifest-sha256.txt tagmanifest-sha512.txt &&
	sync "$W/m.tar" &&
	openssl cms -sign -binary -outform DER -in "$W/tagmanifest-sha512.txt" \
	    -signer "$K/seal.pem" -inkey "$K/seal.key" -out "$W/m.p7s" &&
	sync "$W/m.p7s"'
# A step of a round: LABEL.N gets its time; a failure is said and counted.
fails=0
step() {
	_s=$1
	shift
	tm "$_s" "$@" >"$W/$_s.log" 2>&1 || {
		say "$_s failed:"
		sed 's/^/#   /' "$W/$_s.log" | head -n 10
		fails=$((fails + 1))
	}
}
bagit=
if [ -n "${BAGIT_PY:-}" ]; then
	if [ -f "$BAGIT_PY" ] && command -v python3 >/dev/null 2>&1; then
		bagit=$BAGIT_PY
	else
		say "BAGIT_PY=$BAGIT_PY: no such file (or no python3); bagit.py not timed"
	fi
fi

say "ingest: $rounds rounds of arhiivar ingest (A), the manual pipeline (B) and bsdtar pax + fsync (C), A B C then C B A"
n=1
while [ "$n" -le "$rounds" ]; do
	H=$W/home.$n
	"$ARH" -H "$H" init >"$W/init.log" 2>&1 || { cat "$W/init.log"; die "arhiivar init failed"; }
	if [ $((n % 2)) = 1 ]; then order="A B C"; else order="C B A"; fi
	for x in $order; do
		case $x in
		A) step "ingest.$n" "$ARH" -H "$H" ingest "$C" ;;
		B) step "manual.$n" sh -c "$MANUAL" sh "$W/man" "$H/keys" "$C" ;;
		C) step "bsdtar.$n" sh -c 'bsdtar --format pax -cf "$1" -C "$2" . && sync "$1"' sh \
			"$W/b.tar" "$C"
		   rm -f "$W/b.tar" ;;
		esac
	done
	if [ -n "$bagit" ]; then
		rm -rf "$W/bag" && cp -a "$C" "$W/bag" && sync
		step "bagit.$n" python3 "$bagit" --processes 2 --sha512 --sha256 "$W/bag"
		rm -rf "$W/bag"
	fi
	rm -rf "$W/man"
	say "round $n: ingest $(secs "ingest.$n") s, manual $(secs "manual.$n") s, bsdtar $(secs "bsdtar.$n") s${bagit:+, bagit.py $(secs "bagit.$n") s}"
	[ "$n" -lt "$rounds" ] && rm -rf "$H"
	n=$((n + 1))
done
sed 's/^/#   /' "$W/ingest.$rounds.log" | head -n 5
ARCHIVE=$(ls "$H"/store/*.tar 2>/dev/null | head -n 1)
[ -n "$ARCHIVE" ] || die "no archive after the ingest"

# med LABEL: the median time over the rounds; max_rss LABEL: the largest RSS.
med() {
	for _f in "$W"/t."$1".*; do cut -d' ' -f1 "$_f"; done | sort -n |
		awk '{ v[n++] = $1 } END { if (n == 0) print "n/a"; else printf "%.2f\n", n % 2 ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2 }'
}
max_rss() {
	for _f in "$W"/t."$1".*; do cut -d' ' -f2 "$_f"; done |
		awk '$1 != "n/a" { if ($1 > m) m = $1 } END { print m ? m : "n/a" }'
}

say "verify: $rounds rounds of arhiivar verify 12-1/2024 and openssl dgst -sha512 of the archive ($(wc -c <"$ARCHIVE") bytes), alternating"
n=1
while [ "$n" -le "$rounds" ]; do
	if [ $((n % 2)) = 1 ]; then order="A B"; else order="B A"; fi
	for x in $order; do
		case $x in
		A) step "verify.$n" "$ARH" -H "$H" verify 12-1/2024 ;;
		B) step "dgst.$n" openssl dgst -sha512 "$ARCHIVE" ;;
		esac
	done
	n=$((n + 1))
done

rel=$(pick_member "$C")
member="$(basename "$ARCHIVE" .tar)/data/$rel"
say "restore: data/$rel ($(wc -c <"$C/$rel") bytes): arhiivar restore (median of 20) vs GNU tar -xf ARCHIVE MEMBER (median of 5)"
r_ms=FAIL
if "$ARH" -H "$H" restore 12-1/2024 "data/$rel" -o "$W/out" -f >"$W/restore.log" 2>&1 &&
    cmp -s "$W/out" "$C/$rel"; then
	r_ms=$(median_ms 20 "$ARH" -H "$H" restore 12-1/2024 "data/$rel" -o "$W/out" -f)
else
	sed 's/^/#   /' "$W/restore.log" | head -n 5
fi
mkdir -p "$W/x"
t_ms=$(median_ms 5 tar -xf "$ARCHIVE" -C "$W/x" "$member")
[ "$r_ms" = FAIL ] && fails=$((fails + 1))
[ "$t_ms" = FAIL ] && { say "GNU tar failed:"; sed 's/^/#   /' "$W/last.err" | head -n 5; }

echo
say "corpus: $cinfo; archive: $(wc -c <"$ARCHIVE") bytes"
say "medians of $rounds rounds (restore: of 20 and 5 runs); ratio = arhiivar / reference, lower is better"
row() { printf '%-40s %10s %11s %7s\n' "$@"; }
row operation arhiivar reference ratio
ia=$(med ingest) im=$(med manual) ib=$(med bsdtar) va=$(med verify) vd=$(med dgst)
ri_m=$(ratio "$ia" "$im") ri_b=$(ratio "$ia" "$ib") rv=$(ratio "$va" "$vd") rr=$(ratio "$r_ms" "$t_ms")
row "ingest vs manual pipeline" "$ia s" "$im s" "$ri_m"
row "ingest vs bsdtar pax + fsync" "$ia s" "$ib s" "$ri_b"
if [ -n "$bagit" ]; then
	ig=$(med bagit)
	row "ingest vs bagit.py (2 processes)" "$ia s" "$ig s" "$(ratio "$ia" "$ig")"
fi
row "verify vs openssl dgst -sha512" "$va s" "$vd s" "$rv"
row "restore 1 file vs GNU tar -xf (ms)" "$r_ms ms" "$t_ms ms" "$rr"
ki=$(max_rss ingest) kv=$(max_rss verify)
row "peak RSS ingest" "$(fmt_rss "$ki")" "-" "-"
row "peak RSS verify" "$(fmt_rss "$kv")" "-" "-"
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
mib() { case $1 in n/a) echo n/a ;; *) awk -v k="$1" 'BEGIN { printf "%.0fMiB", k / 1024 }' ;; esac; }
echo "summary: ingest/manual $ri_m ingest/bsdtar $ri_b${bagit:+ ingest/bagit $(ratio "$ia" "$ig")} verify/openssl $rv restore/tar $rr rss-ingest $(mib "$ki") rss-verify $(mib "$kv")"
[ "${BENCH_KEEP:-0}" = 1 ] && say "kept $W"
[ "$fails" = 0 ]
