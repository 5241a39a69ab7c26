#!/usr/bin/env bats
# Restore's refusals tell a caller nothing the caller may not know, and
# --force replaces only a regular file.
load helpers

BAG=12-1_2024.v1

@test "to a caller not entitled, a withheld file and a missing one get the same answer and the same event" {
	ingested_home
	run arh restore -o - 12-1/2024 12-1_8910-1/õiend.pdf
	withheld_status=$status; withheld=${output//õiend.pdf/NAME}
	run arh restore -o - 12-1/2024 12-1_8910-1/nope.pdf
	[ "$status" -eq "$withheld_status" ]
	[ "$status" -eq 1 ]
	[ "${output//nope.pdf/NAME}" = "$withheld" ]
	[[ "$output" == *"access denied to '12-1_8910-1/nope.pdf': it is not in '$BAG', or it belongs to a record not open to you"* ]]
	# Only what was typed is echoed: no "data/" prefix, no basis, no date.
	[[ "$output" != *"data/12-1_8910-1"* && "$output" != *2029* && "$output" != *AvTS* ]]
	run arh events --json
	[ "$(jq '[.[] | select(.kind == "denial")] | length' <<<"$output")" -eq 2 ]
	[ "$(jq -r '[.[] | select(.kind == "denial") | .target + "|" + .detail] | unique | length' <<<"$output")" -eq 1 ]
	# An entitled caller is told the plain truth.
	entitle_caller
	run arh restore -o - 12-1/2024 12-1_8910-1/nope.pdf
	[ "$status" -eq 1 ]
	[[ "$output" != *"access denied"* ]]
}

@test "--force replaces a regular file only: a device, a FIFO, a directory and a symlink are refused, untouched" {
	ingested_home
	mknod "$T/dev" c 1 3
	mkfifo "$T/fifo"
	mkdir "$T/dir"
	echo keep >"$T/target"
	ln -s "$T/target" "$T/link"
	for x in dev fifo dir link; do
		run arh restore -f -o "$T/$x" 12-1/2024 12-1_8911-1/vastus.txt
		[ "$status" -eq 1 ]
		[[ "$output" == *"--force replaces only a regular file"* ]]
	done
	[ -c "$T/dev" ] && [ -p "$T/fifo" ] && [ -d "$T/dir" ] && [ -L "$T/link" ]
	[ "$(cat "$T/target")" = keep ]
	run arh restore -f -o "$T/target" 12-1/2024 12-1_8911-1/vastus.txt
	[ "$status" -eq 0 ]
	cmp "$T/target" "$CASE/12-1_8911-1/vastus.txt"
}
