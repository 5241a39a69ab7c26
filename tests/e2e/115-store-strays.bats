#!/usr/bin/env bats
# Something that is not an archive file where one is expected — a FIFO, a
# directory, a symlink — is reported, never waited on: each command ends
# at once (timeout guards the test, not the product) and names it.
load helpers

BAG=12-1_2024.v1

@test "a FIFO named like an archive in the store: list, show and reconcile still answer" {
	ingested_home
	mkfifo "$ARHIIVAR_HOME/store/zzz.v1.tar"
	run timeout 20 "$ARH_BIN" list
	[ "$status" -eq 0 ]
	[[ "$output" == *"$BAG"* ]]
	run timeout 20 "$ARH_BIN" show 12-1/2024
	[ "$status" -eq 0 ]
	run timeout 20 "$ARH_BIN" catalog reconcile
	[ "$status" -ne 124 ]
	[[ "$output" == *"zzz.v1.tar"* ]]
	[[ "$output" == *"a FIFO"* ]]
}

@test "a FIFO, a directory or a symlink in place of a catalogued archive: verify finds it, verify --all goes on, restore says so" {
	ingested_home
	arh ingest --new-version "$CASE" >/dev/null
	for kind in fifo dir link; do
		rm -rf "$TAR"
		case $kind in
		fifo) mkfifo "$TAR" ;;
		dir) mkdir "$TAR" ;;
		link) ln -s "$ARHIIVAR_HOME/store/12-1_2024.v2.tar" "$TAR" ;;
		esac
		run timeout 20 "$ARH_BIN" verify "$BAG"
		[ "$status" -eq 1 ]
		[[ "$output" == *"catalog      $BAG.tar: the store holds a"* ]]
		run timeout 20 "$ARH_BIN" verify --all
		[ "$status" -eq 1 ]
		[[ "$output" == *"12-1_2024.v2: OK"* ]]
		run timeout 20 "$ARH_BIN" restore -o - "$BAG" 12-1_8911-1/vastus.txt
		[ "$status" -eq 2 ]
		[[ "$output" == *"$BAG.tar"* ]]
	done
}

@test "verify of a FIFO given as a path: exit 2 at once, naming it" {
	ingested_home
	mkfifo "$T/pipe.tar"
	run timeout 20 "$ARH_BIN" verify --trust "$ARHIIVAR_HOME/keys/seal.pem" "$T/pipe.tar"
	[ "$status" -eq 2 ]
	[[ "$output" == *"archive file '$T/pipe.tar' is a FIFO, not a file"* ]]
	run timeout 20 "$ARH_BIN" restore --trust "$ARHIIVAR_HOME/keys/seal.pem" "$T/pipe.tar" 12-1_8911-1/vastus.txt -o -
	[ "$status" -eq 2 ]
	[[ "$output" == *"is a FIFO"* ]]
}
