#!/bin/sh
# Run every test — cmocka units, then bats end-to-end runs of the real
# binary — and end with one line "N passed, N failed".
# usage: tests/run.sh BUILD_DIR [valgrind]
set -u
build=$1
mode=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
export LC_ALL=C.UTF-8
export ARH_BIN="$top/$build/arhiivar"
export ARH_TOP="$top"
export CMOCKA_MESSAGE_OUTPUT=TAP
# A sanitizer report must never pass for a "definite no" (exit 1).
export ASAN_OPTIONS="exitcode=86:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="halt_on_error=1:exitcode=86:print_stacktrace=1"
export LSAN_OPTIONS="exitcode=86"
wrap=""
if [ "$mode" = valgrind ]; then
	wrap="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"
	export ARH_WRAP="$wrap"
fi
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() {	# count TAP lines of $log; a crash without "not ok" is a failure
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$1" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $2 exited with status $1" 
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

for t in "$top/$build"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "# unit: $(basename "$t")"
	( cd "$top" && $wrap "$t" ) >"$log" 2>&1
	rc=$?
	cat "$log"
	count "$rc" "$(basename "$t")"
done

echo "# end-to-end: bats"
bats --tap "$top"/tests/e2e/*.bats >"$log" 2>&1
rc=$?
cat "$log"
count "$rc" bats

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
