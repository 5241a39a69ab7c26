#!/bin/sh
# One corpus, arhiivar against the tools a user would otherwise run, side
# by side in one run (rounds alternate the commands).  See README.md here.
# usage: tests/bench/compare.sh KIND [BUILD_DIR]
#   KIND default: 20,000 files, 2 GB, half text, half incompressible
#        mixed:   4,000 files, 386 MiB of real formats (PDFs, JPEG scans,
#                 e-mails, text, XML, zips) shaped like a correspondence
#                 series (bench-corpus --mixed)
# env:   BENCH_FILES, BENCH_BYTES (the kind's defaults), BENCH_SEED (1),
#        BENCH_ROUNDS (default 3, mixed 5: ingest, ingest with the progress
#        line, the manual pipeline and bsdtar alternate, A B C D then
#        D C B A; medians), BAGIT_PY (a bagit.py to time as one more peer,
#        optional), BENCH_KEEP=1 keeps the work directory, BENCH_SUMMARY (a
#        file to append the summary line to).
# Warm runs, every write fsynced inside the timing.  Exits 0 even when a
# target is missed: a benchmark, not a test; 1 when a step fails.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kind=${1:-mixed}
build=${2:-build}
case $build in
/*) ;;
*) build=$top/$build ;;
esac
ARH=$build/arhiivar
case $kind in
mixed)	files=${BENCH_FILES:-4000} bytes=${BENCH_BYTES:-404750336}
	rounds=${BENCH_ROUNDS:-5} gen=--mixed ;;
default) files=${BENCH_FILES:-20000} bytes=${BENCH_BYTES:-2000000000}
	rounds=${BENCH_ROUNDS:-3} gen= ;;
*)	printf 'bench: unknown corpus kind %s (default or mixed)\n' "$kind" >&2
	exit 2 ;;
esac
seed=${BENCH_SEED:-1}
W=$top/bench-work/$kind
C=$W/corpus
export LC_ALL=C.UTF-8

say() { printf '# %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

[ -x "$ARH" ] || die "no $ARH: run make first"
for t in bsdtar tar openssl xargs find sort awk sync cc script; do
	command -v "$t" >/dev/null 2>&1 || die "missing tool '$t' (see tools/deps.sh)"
done
GT=
[ -x /usr/bin/time ] && GT=/usr/bin/time
BASH=$(command -v bash 2>/dev/null || true)
. "$top/tests/bench/lib.sh"

mkdir -p "$top/bench-work" || die "cannot create $top/bench-work"
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
say "arhiivar benchmark, $kind corpus, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "machine: $(nproc) CPUs, ${model:-unknown CPU}; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
say "tools: $(bsdtar --version | head -n 1); $(tar --version | head -n 1); $(openssl version)"
say "arhiivar: $ARH ($(cd "$top" && git rev-parse --short HEAD 2>/dev/null || echo "no git"))"
[ -n "$GT" ] || say "GNU time (/usr/bin/time) not installed: peak RSS is n/a (package 'time')"

say "generating the $kind corpus: seed $seed, $files files, ~$bytes bytes"
cinfo=$("$build/bench-corpus" $gen --seed "$seed" --files "$files" --bytes "$bytes" "$C") ||
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

say "ingest: $rounds rounds of arhiivar ingest (A), the same with its progress line on a terminal (D, script(1)), the manual pipeline (B) and bsdtar pax + fsync (C), A D B C then C B D A"
n=1
while [ "$n" -le "$rounds" ]; do
	H=$W/home.$n
	for h in "$H" "$H.p"; do
		"$ARH" -H "$h" init >"$W/init.log" 2>&1 || { cat "$W/init.log"; die "arhiivar init failed"; }
	done
	if [ $((n % 2)) = 1 ]; then order="A D B C"; else order="C B D A"; fi
	for x in $order; do
		case $x in
		A) step "ingest.$n" "$ARH" -H "$H" ingest "$C" ;;
		D) step "progress.$n" script -qec "'$ARH' -H '$H.p' ingest '$C'" /dev/null ;;
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
	rm -rf "$W/man" "$H.p"
	say "round $n: ingest $(secs "ingest.$n") s, with progress $(secs "progress.$n") s, manual $(secs "manual.$n") s, bsdtar $(secs "bsdtar.$n") s${bagit:+, bagit.py $(secs "bagit.$n") s}"
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
row() { printf '%-40s %10s %11s %7s  %-8s %s\n' "$@"; }
# met VALUE LIMIT: yes when VALUE <= LIMIT
met() { awk -v v="$1" -v l="$2" 'BEGIN { print (v != "n/a" && v != "" && v + 0 <= l + 0) ? "yes" : "no" }'; }
row operation arhiivar reference ratio target met
ia=$(med ingest) ip=$(med progress) im=$(med manual) ib=$(med bsdtar) va=$(med verify) vd=$(med dgst)
ri_m=$(ratio "$ia" "$im") ri_b=$(ratio "$ia" "$ib") rv=$(ratio "$va" "$vd") rr=$(ratio "$r_ms" "$t_ms")
rp=$(ratio "$ip" "$ia")
row "ingest vs manual pipeline" "$ia s" "$im s" "$ri_m" "<= 0.60" "$(met "$ri_m" 0.60)"
row "ingest vs bsdtar pax + fsync" "$ia s" "$ib s" "$ri_b" "<= 2.00" "$(met "$ri_b" 2.00)"
if [ -n "$bagit" ]; then
	ig=$(med bagit)
	row "ingest vs bagit.py (2 processes)" "$ia s" "$ig s" "$(ratio "$ia" "$ig")" "-" "-"
fi
row "ingest with progress vs without" "$ip s" "$ia s" "$rp" "<= 1.01" "$(met "$rp" 1.01)"
row "verify vs openssl dgst -sha512" "$va s" "$vd s" "$rv" "<= 1.30" "$(met "$rv" 1.30)"
row "restore 1 file vs GNU tar -xf (ms)" "$r_ms ms" "$t_ms ms" "$rr" "<= 0.50" "$(met "$rr" 0.50)"
ki=$(max_rss ingest) kv=$(max_rss verify)
row "peak RSS ingest" "$(fmt_rss "$ki")" "-" "-" "<= 64 MiB" "$(met "$ki" 65536)"
row "peak RSS verify" "$(fmt_rss "$kv")" "-" "-" "<= 64 MiB" "$(met "$kv" 65536)"
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
mib() { case $1 in n/a) echo n/a ;; *) awk -v k="$1" 'BEGIN { printf "%.0fMiB", k / 1024 }' ;; esac; }
line="$kind: ingest/manual $ri_m ingest/bsdtar $ri_b${bagit:+ ingest/bagit $(ratio "$ia" "$ig")} progress $rp verify/openssl $rv restore/tar $rr rss-ingest $(mib "$ki") rss-verify $(mib "$kv")"
echo "summary: $line"
[ -n "${BENCH_SUMMARY:-}" ] && echo "$line" >>"$BENCH_SUMMARY"
[ "${BENCH_KEEP:-0}" = 1 ] && say "kept $W"
[ "$fails" = 0 ]
