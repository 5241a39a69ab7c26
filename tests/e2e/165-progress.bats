#!/usr/bin/env bats
# Progress of ingest and verify --all: a line on stderr, redrawn with \r,
# only when stderr is a terminal (script(1) gives the command one), never
# with --quiet or --json, and never in what a script reads.
load helpers

CR=$(printf '\r')

# on_tty CMD: CMD run with a pseudo-terminal for stdin, stdout and stderr;
# everything it wrote to the terminal in $output.
on_tty() {
	run script -qec "$1" /dev/null
}

setup_home() {
	arh init --organisation Justiitsministeerium >/dev/null
	arh register import -C "$CASE" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt" >/dev/null
	# Some bytes, so that the byte counts are not all 0.0.
	head -c 3000000 /dev/urandom >"$CASE/12-1_8911-1/scan.bin"
}

@test "ingest without a terminal prints no progress" {
	setup_home
	arh ingest "$CASE" >"$T/out" 2>"$T/err"
	[ ! -s "$T/err" ]
	! grep -q "$CR" "$T/out"
	grep -q '^archived 12-1_2024.v1' "$T/out"
}

@test "ingest on a terminal shows files and MiB of the totals, then clears the line" {
	setup_home
	on_tty "${ARH_WRAP:-} '$ARH_BIN' ingest '$CASE'"
	[ "$status" -eq 0 ]
	[[ "$output" == *"ingest: "*" files, "*" MiB"* ]]
	# The counts reach the totals: 5 payload files (4 + scan.bin).
	[[ "$output" == *"ingest: 5/5 files, 2.9/2.9 MiB"* ]]
	[[ "$output" == *"${CR}"$'\033[K'* ]]
	[[ "$output" == *"archived 12-1_2024.v1"* ]]
}

@test "ingest --quiet on a terminal shows no progress" {
	setup_home
	on_tty "${ARH_WRAP:-} '$ARH_BIN' ingest --quiet '$CASE'"
	[ "$status" -eq 0 ]
	[[ "$output" != *"ingest: "* ]]
	[[ "$output" != *"MiB"* ]]
	[[ "$output" != *$'\033'* ]]
	[[ "$output" == *"archived 12-1_2024.v1"* ]]
}

@test "ingest --json on a terminal: stdout is JSON alone, no progress line" {
	setup_home
	on_tty "${ARH_WRAP:-} '$ARH_BIN' ingest --json '$CASE' >'$T/out.json'"
	[ "$status" -eq 0 ]
	jq -e '.archive == "12-1_2024.v1" and .files == 5' "$T/out.json"
	! grep -q "$CR" "$T/out.json"
	[[ "$output" != *"ingest: "* ]]
	[[ "$output" != *"MiB"* ]]
}

@test "verify --all on a terminal shows archives done, not without one or with --quiet" {
	setup_home
	arh ingest "$CASE" >/dev/null
	on_tty "${ARH_WRAP:-} '$ARH_BIN' verify --all"
	[ "$status" -eq 0 ]
	[[ "$output" == *"verify: 0/1 archives, 0.0/"*" MiB"* ]]
	[[ "$output" == *"12-1_2024.v1: OK"* ]]
	on_tty "${ARH_WRAP:-} '$ARH_BIN' verify --quiet --all"
	[ "$status" -eq 0 ]
	[[ "$output" != *"archives, "* ]]
	arh verify --all >"$T/out" 2>"$T/err"
	[ ! -s "$T/err" ]
	! grep -q "$CR" "$T/out"
	on_tty "${ARH_WRAP:-} '$ARH_BIN' verify --json --all >'$T/all.json'"
	[ "$status" -eq 0 ]
	jq -e '.[0].ok == true' "$T/all.json"
	[[ "$output" != *"archives, "* ]]
}
