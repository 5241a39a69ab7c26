#!/bin/sh
# Run each libFuzzer target for SECONDS on a scratch copy of its seed corpus
# (tests/fuzz/corpus/<name>/, left unchanged).  Crashes are saved under
# tests/fuzz/artifacts/ and fail the run.
# usage: tests/fuzz/run.sh SECONDS BINARY...
set -u
secs=$1; shift
top=$(cd "$(dirname "$0")/../.." && pwd)
export LC_ALL=C.UTF-8
mkdir -p "$top/tests/fuzz/artifacts"
fail=0
for bin in "$@"; do
	name=$(basename "$bin"); name=${name#fuzz_}
	work=$(mktemp -d)
	[ -d "$top/tests/fuzz/corpus/$name" ] && cp -r "$top/tests/fuzz/corpus/$name/." "$work/"
	dict=""
	[ -f "$top/tests/fuzz/$name.dict" ] && dict="-dict=$top/tests/fuzz/$name.dict"
	echo "# fuzz $name for ${secs}s"
	if "$bin" -max_total_time="$secs" -print_final_stats=1 $dict \
	    -artifact_prefix="$top/tests/fuzz/artifacts/$name-" "$work" \
	    >"$work.log" 2>&1; then
		runs=$(grep -m1 'stat::number_of_executed_units' "$work.log" | awk '{print $2}')
		echo "ok - fuzz $name: ${runs:-?} executions, no crash"
	else
		tail -30 "$work.log"
		echo "not ok - fuzz $name crashed (see tests/fuzz/artifacts/)"
		fail=1
	fi
	rm -rf "$work" "$work.log"
done
exit $fail
