#!/bin/sh
# Peak memory against the number of files in one case file: ingest and
# verify of case files of many small files (bench-corpus, about 1.5 KB
# each), so that what grows with the count shows, not the buffers.
# usage: tests/bench/rss.sh [BUILD_DIR]	(make bench BENCH=rss)
# env:   BENCH_RSS_COUNTS ("2000 20000 200000"), BENCH_SUMMARY (a file to
#        append the summary line to), BENCH_KEEP=1.
# A benchmark, not a test: exits 0 whatever the figures.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in
/*) ;;
*) build=$top/$build ;;
esac
ARH=$build/arhiivar
counts=${BENCH_RSS_COUNTS:-2000 20000 200000}
W=$top/bench-work/rss
export LC_ALL=C.UTF-8

say() { printf '# %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

[ -x "$ARH" ] || die "no $ARH: run make first"
[ -x /usr/bin/time ] || { say "GNU time (/usr/bin/time) not installed: no peak RSS (package 'time')"; exit 0; }
rm -rf "$W" && mkdir -p "$W" || die "cannot create $W"
if [ "${BENCH_KEEP:-0}" != 1 ]; then
	trap 'rm -rf "$W"' EXIT
	trap 'exit 130' INT TERM
fi
cc -std=c11 -O2 -o "$build/bench-corpus" "$top/tools/bench-corpus.c" -lm ||
	die "cannot compile tools/bench-corpus.c"

# peak LABEL CMD...: "KiB" of CMD's peak RSS, or "failed: <its last line>".
peak() {
	_l=$1
	shift
	if /usr/bin/time -f '%M' -o "$W/$_l.rss" "$@" >"$W/$_l.log" 2>&1; then
		tail -n 1 "$W/$_l.rss"
	else
		echo "failed: $(grep -v '^Command exited' "$W/$_l.log" | tail -n 1)"
	fi
}
kib() { case $1 in failed*) echo "$1" ;; *) awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }' ;; esac; }

say "peak RSS against the number of files, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
printf '%-10s %14s %14s  %s\n' files "ingest" "verify" "target <= 64 MiB"
line=
for n in $counts; do
	C=$W/c$n H=$W/h$n
	"$build/bench-corpus" --seed 3 --files "$n" --bytes $((n * 1500)) "$C" >/dev/null ||
		die "bench-corpus failed"
	"$ARH" -H "$H" init >/dev/null 2>&1 || die "arhiivar init failed"
	i=$(peak ingest.$n "$ARH" -H "$H" ingest "$C")
	case $i in
	failed*) v="not run" ;;
	*) v=$(peak verify.$n "$ARH" -H "$H" verify 12-1/2024) ;;
	esac
	ok=yes
	for k in "$i" "$v"; do
		case $k in
		failed*|"not run") ok=no ;;
		*) [ "$k" -le 65536 ] || ok=no ;;
		esac
	done
	printf '%-10s %14s %14s  %s\n' "$n" "$(kib "$i")" "$(kib "$v")" "$ok"
	case $i in failed*) say "ingest of $n files: ${i#failed: }" ;; esac
	case $v in failed*) say "verify of $n files: ${v#failed: }" ;; esac
	line="$line rss@$n $(case $i in failed*) echo failed ;; *) awk -v k="$i" 'BEGIN { printf "%.0fMiB", k / 1024 }' ;; esac)/$(case $v in failed*|"not run") echo - ;; *) awk -v k="$v" 'BEGIN { printf "%.0fMiB", k / 1024 }' ;; esac)"
	rm -rf "$C" "$H"
done
echo "summary: rss (ingest/verify):$line"
[ -n "${BENCH_SUMMARY:-}" ] && echo "rss (ingest/verify):$line" >>"$BENCH_SUMMARY"
exit 0
