#!/bin/sh
# make bench: arhiivar against the tools a user would otherwise use, side
# by side, on two corpora; cost against the size of the store and the
# number of files; the daemon under load.  See README.md here.
# usage: tests/bench/run.sh [BUILD_DIR]
# env:   BENCH selects one part alone:
#          default  the 20,000-file, 2 GB corpus (compare.sh default)
#          mixed    the 4,000-file corpus of real formats (compare.sh mixed)
#          rss      peak memory against the file count (rss.sh)
#          scale    cost against the store's size, 10 and 10,000 archives
#                   (scale.sh: no corpus needed)
#          log      the tamper-evident log: 1,000,000 leaves appended,
#                   proved and verified (log.sh)
#          api      the verification API under wrk (api.sh)
#          load     the daemon under API and command-line load (load.sh)
#        Each part's own variables are in its script.  BENCH_KEEP=1 keeps
#        bench-work/.
# Warm runs: nothing is dropped from the page cache.  Exits 0 even when a
# target is missed: it is a benchmark, not a test; but 1 when a step fails
# or a check of the load run fails (a failed command, a lost item or event
# is a bug).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in
/*) ;;
*) build=$top/$build ;;
esac
B=$top/tests/bench
case ${BENCH:-} in
default|mixed) exec sh "$B/compare.sh" "$BENCH" "$build" ;;
rss|scale|log|api|load) exec sh "$B/$BENCH.sh" "$build" ;;
"") ;;
*) printf 'bench: unknown BENCH=%s (default, mixed, rss, scale, log, api, load)\n' \
	"$BENCH" >&2
   exit 2 ;;
esac

mkdir -p "$top/bench-work" || exit 1
S=$top/bench-work/summary
: >"$S"
rc=0
export BENCH_SUMMARY="$S"
sh "$B/compare.sh" default "$build" || rc=1
echo
sh "$B/compare.sh" mixed "$build" || rc=1
echo
sh "$B/rss.sh" "$build" || rc=1
echo
sh "$B/scale.sh" "$build" || rc=1
echo
sh "$B/log.sh" "$build" || rc=1
echo
sh "$B/load.sh" "$build" || rc=1
echo
printf 'summary: %s\n' "$(paste -sd ';' "$S" | sed 's/;/; /g')"
[ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$S"
exit $rc
