#!/usr/bin/env bats
# kill -9 during ingest: afterwards there is either no archive or a
# complete, catalogued one, and the next command reports what it cleaned.
load helpers

# A case with enough payload that ingest takes a while.
big_case() {
	arh init >/dev/null
	for i in 1 2 3 4 5 6; do
		head -c 8000000 /dev/urandom >"$CASE/12-1_8911-1/part$i.bin"
	done
}

# Wait (polling, bounded) until the store holds a temporary file.
wait_for_tmp() {
	for _ in $(seq 1 20000); do
		ls "$ARHIIVAR_HOME/store/.tmp"/.ingest-*.tmp >/dev/null 2>&1 && return 0
		kill -0 "$1" 2>/dev/null || return 1
	done
	return 1
}

@test "kill -9 while the archive is being written leaves no archive; the next command removes the leftover" {
	big_case
	"$ARH_BIN" ingest "$CASE" >/dev/null 2>&1 &
	pid=$!
	wait_for_tmp "$pid" || skip "ingest finished before it could be killed"
	kill -9 "$pid"
	wait "$pid" || true
	ls "$ARHIIVAR_HOME/store/.tmp"/.ingest-*.tmp
	run arh list
	[ "$status" -eq 0 ]
	[[ "$output" == *"removed '.ingest-"*"leftover of an interrupted ingest"* ]]
	[ "$(ls -A "$ARHIIVAR_HOME/store")" = .tmp ]
	[ -z "$(ls -A "$ARHIIVAR_HOME/store/.tmp")" ]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from intents')" = 0 ]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from archives')" = 0 ]
	run arh ingest "$CASE"
	[ "$status" -eq 0 ]
	run arh verify --all
	[ "$status" -eq 0 ]
}

@test "repeated kill -9 at different moments: never a partial or uncatalogued archive" {
	big_case
	for n in 1 2 3 4 5; do
		"$ARH_BIN" ingest "$CASE" >/dev/null 2>&1 &
		pid=$!
		# Let it run a little longer each round, then kill it.
		for _ in $(seq 1 $((n * 200))); do kill -0 "$pid" 2>/dev/null || break; done
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" || true
		run arh list --json
		[ "$status" -eq 0 ]
		[ -z "$(ls -A "$ARHIIVAR_HOME/store/.tmp")" ]
		[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from intents')" = 0 ]
		tars=$(ls "$ARHIIVAR_HOME/store" | grep -c '\.tar$' || true)
		rows=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from archives')
		[ "$tars" = "$rows" ]
		if [ "$rows" = 1 ]; then
			run arh verify --all
			[ "$status" -eq 0 ]
			break
		fi
	done
}

# What an ingest killed between its rename and its catalog commit leaves:
# the archive in the store, no row, and its pending intent.
published_not_catalogued() {
	ingested_home
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "insert into intents (tmp, name, sha256, at, pid)
	    select '.ingest-999999999-0.tmp', path, sha256, '2026-01-01T00:00:00Z', 999999999
	    from archives; delete from files; delete from records; delete from archives"
}

@test "an archive published but not catalogued (killed before the commit) is verified and catalogued by the next command" {
	published_not_catalogued
	run arh list
	[ "$status" -eq 0 ]
	[[ "$output" == *"catalogued '12-1_2024.v1.tar'"* ]]
	[[ "$output" == *"12-1_2024.v1"* ]]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from intents')" = 0 ]
	run arh verify 12-1/2024
	[ "$status" -eq 0 ]
	run arh events
	[[ "$output" == *recovery* ]]
}

@test "an archive catalogued by recovery names who its interrupted ingest was for" {
	published_not_catalogued
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "update intents set actor = 'kaja (uid 1234)'"
	run arh list
	[ "$status" -eq 0 ]
	run sqlite3 "$ARHIIVAR_HOME/catalog.db" "select detail from events where kind = 'recovery'"
	[[ "$output" == *"its ingest for kaja (uid 1234) was interrupted before the commit"* ]]
}

@test "an intent whose archive never arrived (killed before the rename) is dropped" {
	arh init >/dev/null
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "insert into intents (tmp, name, sha256, at, pid) values
	    ('.ingest-999999999-0.tmp', '12-1_2024.v1.tar', '$(printf 'a%.0s' $(seq 64))',
	    '2026-01-01T00:00:00Z', 999999999)"
	: >"$ARHIIVAR_HOME/store/.tmp/.ingest-999999999-0.tmp"
	run arh list
	[ "$status" -eq 0 ]
	[[ "$output" == *"removed '.ingest-999999999-0.tmp', the leftover"* ]]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from intents')" = 0 ]
	[ -z "$(ls -A "$ARHIIVAR_HOME/store/.tmp")" ]
}

@test "an intent whose file has other content is not adopted" {
	published_not_catalogued
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "update intents set sha256 = '$(printf 'a%.0s' $(seq 64))'"
	run arh list
	[ "$status" -eq 0 ]
	[[ "$output" == *"is not the archive an interrupted ingest published"* ]]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from archives')" = 0 ]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from intents')" = 0 ]
}

@test "opening a home does not list the store: an orphan without an intent waits for catalog reconcile" {
	ingested_home
	sqlite3 "$ARHIIVAR_HOME/catalog.db" 'delete from files; delete from records; delete from archives'
	run arh list
	[ "$status" -eq 0 ]
	[[ "$output" != *"catalogued '"* ]]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from archives')" = 0 ]
	run arh catalog reconcile
	[ "$status" -eq 0 ]
	[[ "$output" == *"catalogued '12-1_2024.v1.tar'"* ]]
	[[ "$output" == *"the store and the catalog agree (1 archives catalogued now)"* ]]
	run arh verify 12-1/2024
	[ "$status" -eq 0 ]
	run arh events
	[[ "$output" == *reconcile* ]]
}

@test "catalog reconcile reports a catalogued archive whose file is missing, and an old-style leftover" {
	ingested_home
	: >"$ARHIIVAR_HOME/store/.ingest-999999999-0.tmp"
	chmod u+w "$ARHIIVAR_HOME/store"
	mv "$TAR" "$T/elsewhere.tar"
	run arh catalog reconcile
	[ "$status" -eq 1 ]
	[[ "$output" == *"removed '.ingest-999999999-0.tmp'"* ]]
	[[ "$output" == *"archive 12-1_2024.v1 is catalogued, but its file '$ARHIIVAR_HOME/store/12-1_2024.v1.tar' is missing"* ]]
	[[ "$output" == *"disagree: 1 problems"* ]]
	[ ! -e "$ARHIIVAR_HOME/store/.ingest-999999999-0.tmp" ]
	mv "$T/elsewhere.tar" "$TAR"
	run arh catalog reconcile
	[ "$status" -eq 0 ]
}

@test "a damaged uncatalogued archive is reported, not catalogued" {
	ingested_home
	sqlite3 "$ARHIIVAR_HOME/catalog.db" 'delete from files; delete from records; delete from archives'
	chmod u+w "$TAR"
	printf 'X' | dd of="$TAR" bs=1 seek=3100 conv=notrunc 2>/dev/null
	run arh catalog reconcile
	[ "$status" -eq 1 ]
	[[ "$output" == *"fails verification"* ]]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from archives')" = 0 ]
}
