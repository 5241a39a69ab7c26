#!/usr/bin/env bats
# Read-only use of a home: a member of the home's group without write
# access (here `nobody` given a test group) lists, shows, finds, verifies
# and restores; nothing in the home changes but the event drop box, whose
# events the next writable command brings into the catalog.
load helpers

GROUP=arhiivar-e2e-ro

setup_file() {
	getent group "$GROUP" >/dev/null || groupadd "$GROUP" ||
		skip "cannot create group $GROUP"
}

teardown_file() {
	groupdel "$GROUP" 2>/dev/null || true
}

# A home readable by GROUP: the catalog (with its -wal and -shm), the
# store and the seal certificate (never the key) group-readable; the drop
# box group-writable as init made it.
readable_home() {
	ingested_home
	chmod 755 "$T"
	chgrp -R "$GROUP" "$ARHIIVAR_HOME"
	chmod -R g+rX,g-w "$ARHIIVAR_HOME"
	chmod g+w "$ARHIIVAR_HOME/spool/events"
	chmod g-r "$ARHIIVAR_HOME/keys/seal.key"
	mkdir -m 777 "$T/out"
}

# as_reader CMD...: CMD run by nobody in GROUP; reader ARGS: the CLI.
as_reader() {
	setpriv --reuid=nobody --regid="$(id -g nobody)" --groups="$GROUP" "$@"
}
reader() {
	as_reader ${ARH_WRAP:-} "$ARH_BIN" "$@"
}

# A digest of the home but its drop box: names, modes, sizes, mtimes and
# contents.
home_sum() {
	( cd "$ARHIIVAR_HOME" &&
	  find . -path ./spool/events -prune -o -printf '%y %m %s %T@ %p\n' | sort &&
	  find . -path ./spool/events -prune -o -type f -exec sha256sum {} + | sort ) |
	    sha256sum
}

@test "init makes the event drop box setgid, sticky and group-writable" {
	arh init >/dev/null
	[ "$(stat -c %a "$ARHIIVAR_HOME/spool/events")" = 3770 ]
	[ "$(stat -c %a "$ARHIIVAR_HOME/spool")" = 750 ]
}

@test "every read command works without write access and changes nothing but the drop box" {
	readable_home
	before=$(home_sum)
	run reader list
	[ "$status" -eq 0 ]
	[[ "$output" == "12-1_2024.v1 "*"3 records"* ]]
	run reader show 12-1/2024
	[ "$status" -eq 0 ]
	[[ "$output" == *"case file  12-1/2024, series 12-1"* ]]
	run reader find 12-1/8911-1
	[ "$status" -eq 0 ]
	[[ "$output" == *"data/12-1_8911-1/vastus.txt"* ]]
	run reader events
	[ "$status" -eq 0 ]
	[[ "$output" == *"ingest    ok"* ]]
	run reader verify 12-1/2024
	[ "$status" -eq 0 ]
	[[ "$output" == "12-1/2024: OK ("* ]]
	run reader verify --all
	[ "$status" -eq 0 ]
	[[ "$output" == "12-1_2024.v1: OK ("* ]]
	run reader policy explain 12-1/2024
	[ "$status" -eq 0 ]
	[[ "$output" == *"archive 12-1_2024.v1: case file 12-1/2024"* ]]
	run reader disposition due
	[ "$status" -eq 0 ]
	[[ "$output" == "nothing is due on or before "* ]]
	run reader access review
	[ "$status" -eq 0 ]
	[[ "$output" == "no internal-use restriction ends by "* ]]
	run reader restore -o "$T/out/vastus.txt" 12-1/2024 12-1_8911-1/vastus.txt
	[ "$status" -eq 0 ]
	cmp "$T/out/vastus.txt" "$CASE/12-1_8911-1/vastus.txt"
	[ "$(home_sum)" = "$before" ]
	# Three events wait in the drop box, owned by the reader.
	[ "$(ls "$ARHIIVAR_HOME/spool/events" | grep -c '\.event$')" = 3 ]
	[ -z "$(find "$ARHIIVAR_HOME/spool/events" -type f ! -user nobody)" ]
}

@test "the reader's restore, refusal and verification land in the catalog at the next writable command" {
	readable_home
	reader verify 12-1/2024 >/dev/null
	reader restore -o "$T/out/vastus.txt" 12-1/2024 12-1_8911-1/vastus.txt 2>/dev/null
	run reader restore -o "$T/out/x.pdf" 12-1/2024 12-1_8910-1/õiend.pdf
	[ "$status" -eq 1 ]
	[[ "$output" == *"access denied"* ]]
	[[ "$output" != *"could not be recorded"* ]]
	[ ! -e "$T/out/x.pdf" ]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select count(*) from events where actor like 'nobody%'")" = 0 ]
	run arh list
	[ "$status" -eq 0 ]
	[[ "$output" == *"imported 3 audit events recorded by read-only callers"* ]]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select kind || '/' || result from events
	    where actor = 'nobody (uid $(id -u nobody))' order by id" | tr '\n' ' ')" = "verify/ok restore/ok denial/denied " ]
	[ -z "$(ls -A "$ARHIIVAR_HOME/spool/events")" ]
	run arh events 12-1_2024.v1
	[[ "$output" == *"denial    denied  nobody (uid"* ]]
	[[ "$output" == *"restore   ok      nobody (uid"* ]]
	# Imported once: the next command imports nothing.
	run arh list
	[[ "$output" != *imported* ]]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select count(*) from events where actor like 'nobody%'")" = 3 ]
}

@test "without access to the drop box, restore and verify refuse (exit 2) saying what to do; list works" {
	readable_home
	chmod g-w "$ARHIIVAR_HOME/spool/events"
	run reader restore -o "$T/out/vastus.txt" 12-1/2024 12-1_8911-1/vastus.txt
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot be recorded: no write access to the event drop box '$ARHIIVAR_HOME/spool/events'"* ]]
	[[ "$output" == *"ask for write access to $ARHIIVAR_HOME/spool/events"* ]]
	[ ! -e "$T/out/vastus.txt" ]
	run reader verify 12-1/2024
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot be recorded"* ]]
	run reader list
	[ "$status" -eq 0 ]
}

@test "the actor of an imported event is the file's owner, and a reader cannot record what only a writer does" {
	readable_home
	as_reader sh -c "printf '%s' '{\"at\": \"2026-01-01T00:00:00Z\", \"actor\": \"root (uid 0)\", \"kind\": \"restore\", \"result\": \"ok\", \"archive\": \"12-1_2024.v1\"}' >'$ARHIIVAR_HOME/spool/events/a.event'"
	as_reader sh -c "printf '%s' '{\"kind\": \"ingest\", \"result\": \"ok\"}' >'$ARHIIVAR_HOME/spool/events/b.event'"
	as_reader sh -c "printf 'not json' >'$ARHIIVAR_HOME/spool/events/c.event'"
	run arh list
	[ "$status" -eq 0 ]
	[[ "$output" == *"imported 3 audit events"* ]]
	run sqlite3 "$ARHIIVAR_HOME/catalog.db" "select spool, kind, result, actor from events where spool is not null order by spool"
	[ "${lines[0]}" = "a.event|restore|ok|nobody (uid $(id -u nobody))" ]
	[ "${lines[1]}" = "b.event|spool|refused|nobody (uid $(id -u nobody))" ]
	[ "${lines[2]}" = "c.event|spool|refused|nobody (uid $(id -u nobody))" ]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select count(*) from events where kind = 'ingest'")" = 1 ]
}

@test "a command that writes, run read-only, says the home is read-only and changes nothing" {
	readable_home
	before=$(home_sum)
	run reader fileplan import "$ARH_TOP/sample/fileplan.csv"
	[ "$status" -eq 2 ]
	[[ "$output" == *"this home is open read-only"*"ask for write access to the home"* ]]
	run reader catalog reconcile
	[ "$status" -eq 2 ]
	[[ "$output" == *"catalog reconcile needs write access"* ]]
	[ "$(home_sum)" = "$before" ]
}

@test "a reader is told when the catalog's -wal and -shm files are missing" {
	readable_home
	rm "$ARHIIVAR_HOME/catalog.db-wal" "$ARHIIVAR_HOME/catalog.db-shm"
	run reader list
	[ "$status" -eq 2 ]
	[[ "$output" == *"catalog.db-wal' is missing or unreadable"* ]]
	# Any writable command makes them again, and keeps them.
	arh list >/dev/null
	[ -e "$ARHIIVAR_HOME/catalog.db-wal" ] && [ -e "$ARHIIVAR_HOME/catalog.db-shm" ]
	chgrp "$GROUP" "$ARHIIVAR_HOME"/catalog.db-*
	run reader list
	[ "$status" -eq 0 ]
}
