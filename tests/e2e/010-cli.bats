#!/usr/bin/env bats
# CLI basics: usage, unknown verbs, homes, exit codes.
load helpers

@test "no verb prints usage and exits 2" {
	run arh
	[ "$status" -eq 2 ]
	[[ "$output" == *"usage: arhiivar"* ]]
	[[ "$output" == *"ingest"* ]]
}

@test "unknown verb is named, exit 2" {
	run arh frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown verb 'frobnicate'"* ]]
}

@test "-V prints the version" {
	run arh -V
	[ "$status" -eq 0 ]
	[[ "$output" == "arhiivar "* ]]
}

@test "a command without a home says how to make one, exit 2" {
	run arh list
	[ "$status" -eq 2 ]
	[[ "$output" == *"no Arhiivar home at '$ARHIIVAR_HOME'"* ]]
	[[ "$output" == *"arhiivar -H $ARHIIVAR_HOME init"* ]]
	[ ! -e "$ARHIIVAR_HOME" ]
}

@test "init creates config, a 0600 seal key, a catalog and a store; twice is harmless" {
	run arh init --organisation Justiitsministeerium
	[ "$status" -eq 0 ]
	[[ "$output" == *"generated seal key"* ]]
	[ -f "$ARHIIVAR_HOME/arhiivar.conf" ]
	[ "$(stat -c %a "$ARHIIVAR_HOME/keys/seal.key")" = 600 ]
	[ -f "$ARHIIVAR_HOME/catalog.db" ]
	[ -d "$ARHIIVAR_HOME/store" ]
	openssl x509 -in "$ARHIIVAR_HOME/keys/seal.pem" -noout -subject | grep -q Justiitsministeerium
	key=$(sha256sum "$ARHIIVAR_HOME/keys/seal.key")
	run arh init
	[ "$status" -eq 0 ]
	[ "$(sha256sum "$ARHIIVAR_HOME/keys/seal.key")" = "$key" ]
}

@test "-H wins over ARHIIVAR_HOME" {
	run arh -H "$T/other" init
	[ "$status" -eq 0 ]
	[ -f "$T/other/arhiivar.conf" ]
	[ ! -e "$ARHIIVAR_HOME" ]
}

@test "the catalog is SQLite in WAL mode with foreign keys and a schema version" {
	arh init >/dev/null
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'pragma journal_mode')" = wal ]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'pragma user_version')" = 10 ]
	sqlite3 "$ARHIIVAR_HOME/catalog.db" .schema | grep -q 'REFERENCES archives'
}

@test "a bad config key is reported as FILE:LINE and nothing runs, exit 2" {
	arh init >/dev/null
	printf '[seal]\nkee = x\n' >>"$ARHIIVAR_HOME/arhiivar.conf"
	run arh list
	[ "$status" -eq 2 ]
	[[ "$output" == *"arhiivar.conf:"*"kee"* ]]
}

@test "usage errors of subcommands exit 2" {
	arh init >/dev/null
	run arh ingest
	[ "$status" -eq 2 ]
	[[ "$output" == *"usage: arhiivar ingest"* ]]
	run arh restore onlyone
	[ "$status" -eq 2 ]
	run arh catalog frob
	[ "$status" -eq 2 ]
	run arh register import x.txt
	[ "$status" -eq 2 ]
}

@test "list, show and events answer in JSON" {
	ingested_home
	run arh list --json
	[ "$status" -eq 0 ]
	[[ "$output" == *'"archive": "12-1_2024.v1"'* ]]
	run arh show --json 12-1/2024
	[ "$status" -eq 0 ]
	[[ "$output" == *'"reference": "12-1/8909-1"'* ]]
	run arh events --json
	[ "$status" -eq 0 ]
	[[ "$output" == *'"kind": "ingest"'* ]]
}

@test "show of an unknown archive is a definite no, exit 1" {
	arh init >/dev/null
	run arh show 99-9/1999
	[ "$status" -eq 1 ]
	[[ "$output" == *"no archive or case file '99-9/1999'"* ]]
}

@test "show withholds an internal-use record's details from a caller without the role" {
	ingested_home
	run arh show --json 12-1/2024
	[ "$status" -eq 0 ]
	[[ "$output" == *'"reference": "12-1/8910-1"'* ]]
	[[ "$output" == *'AvTS § 35 lg 1 p 1'* ]]
	[[ "$output" != *MARKER* ]]
	[[ "$output" != *"lisa-1.txt"* ]]
	run arh show 12-1/2024
	[[ "$output" != *MARKER* ]]
	[[ "$output" == *"withheld"* ]]
	entitle_caller
	run arh show 12-1/2024
	[[ "$output" == *MARKER-TITLE-7f3a* ]]
	run arh show --public --json 12-1/2024
	[[ "$output" != *MARKER* ]]
}

@test "find locates a file by digest and a record by reference; withholds restricted paths" {
	ingested_home
	sum=$(sha256sum "$CASE/12-1_8911-1/vastus.txt" | cut -c1-64)
	run arh find "$sum"
	[ "$status" -eq 0 ]
	[[ "$output" == *"12-1_2024.v1  12-1/8911-1  data/12-1_8911-1/vastus.txt  221 bytes"* ]]
	sum=$(sha512sum "$CASE/12-1_8911-1/vastus.txt" | cut -c1-128)
	run arh find --json "$sum"
	[[ "$output" == *'"path": "data/12-1_8911-1/vastus.txt"'* ]]
	run arh find 12-1/8910-1
	[ "$status" -eq 0 ]
	[[ "$output" == *"12-1/8910-1  (internal use: file withheld)"* ]]
	[[ "$output" != *"lisa-1.txt"* ]]
	[[ "$output" != *"õiend"* ]]
	run arh find --json 12-1/8910-1
	[[ "$output" != *"lisa-1.txt"* ]]
	entitle_caller
	run arh find 12-1/8910-1
	[[ "$output" == *"lisad/lisa-1.txt"* ]]
	run arh find 0000
	[ "$status" -eq 1 ]
	[[ "$output" == *"no archived file has digest or record reference '0000'"* ]]
}

@test "-h prints usage to stdout and exits 0" {
	run arh -h
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: arhiivar"* ]]
}

@test "the catalog is created 0640: it holds restricted metadata" {
	umask 022
	arh init >/dev/null
	[ "$(stat -c %a "$ARHIIVAR_HOME/catalog.db")" = 640 ]
}

@test "a mistyped FILE.tar says it cannot be opened" {
	arh init >/dev/null
	run arh verify "$T/nope.tar"
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot open '$T/nope.tar'"* ]]
}

@test "an empty -H is refused, not taken for the default home" {
	run arh -H '' list
	[ "$status" -eq 2 ]
	[[ "$output" == *"-H needs the home's directory, not an empty string"* ]]
	[[ "$output" != *"/var/lib/arhiivar"* ]]
}

@test "a 17th --trust says how many are allowed, not only the usage line" {
	args=()
	for i in $(seq 17); do args+=(--trust "$T/a$i.pem"); done
	run arh verify "${args[@]}" ./x.tar
	[ "$status" -eq 2 ]
	[[ "$output" == *"at most 16 --trust files"* ]]
}

@test "a missing, directory or oversized trust anchor is exit 2 (the set-up), never 1 (tampering)" {
	ingested_home
	printf '[verify]\ntrust = /nonexistent.pem\n' >>"$ARHIIVAR_HOME/arhiivar.conf"
	run arh verify 12-1/2024
	[ "$status" -eq 2 ]
	[[ "$output" == *"/nonexistent.pem"* ]]
	run arh verify --all
	[ "$status" -eq 2 ]
	run arh verify --trust "$T" 12-1/2024
	[ "$status" -eq 2 ]
	[[ "$output" == *"is not a regular file"* ]]
	truncate -s 9M "$T/huge.pem"
	run arh verify --trust "$T/huge.pem" 12-1/2024
	[ "$status" -eq 2 ]
	[[ "$output" == *"is too large"* ]]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select count(*) from events where kind = 'verify' and result = 'failed'")" = 0 ]
}

@test "a missing seal key at ingest is exit 2, and nothing is archived" {
	arh init >/dev/null
	arh register import -C "$CASE" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt" >/dev/null
	rm "$ARHIIVAR_HOME/keys/seal.key"
	run arh ingest "$CASE"
	[ "$status" -eq 2 ]
	[[ "$output" == *"seal.key"* ]]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from archives')" = 0 ]
}

@test "init does not call a home ready when its seal certificate is gone" {
	arh init >/dev/null
	rm "$ARHIIVAR_HOME/keys/seal.pem"
	run arh init
	[ "$status" -eq 2 ]
	[[ "$output" == *"the home cannot seal archives"* ]]
	[[ "$output" != *"is ready"* ]]
	# The way out it names works.
	mv "$ARHIIVAR_HOME/keys/seal.key" "$T/old.key"
	run arh init
	[ "$status" -eq 0 ]
	[[ "$output" == *"is ready"* ]]
}

@test "a date that does not exist and a negative --days are named, not answered with the usage line" {
	arh init >/dev/null
	run arh disposition due --as-of 2024-02-30
	[ "$status" -eq 2 ]
	[[ "$output" == *"--as-of '2024-02-30' is not a date"* ]]
	run arh disposition propose --dry-run --as-of 2024-13-01
	[ "$status" -eq 2 ]
	[[ "$output" == *"--as-of '2024-13-01' is not a date"* ]]
	run arh access review --days -5
	[ "$status" -eq 2 ]
	[[ "$output" == *"--days '-5' is not a number of days from 0 to 36500"* ]]
}

@test "root in a home another user owns is refused, naming the owner, and nothing is written" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	arh init >/dev/null
	chown -R nobody "$ARHIIVAR_HOME"
	before=$(find "$ARHIIVAR_HOME" -printf '%p %U %s\n' | sort)
	run arh list
	[ "$status" -eq 2 ]
	[[ "$output" == *"belongs to nobody: run arhiivar as its owner ('runuser -u nobody -- arhiivar ...')"* ]]
	run arh init
	[ "$status" -eq 2 ]
	[ "$(find "$ARHIIVAR_HOME" -printf '%p %U %s\n' | sort)" = "$before" ]
	chown -R root "$ARHIIVAR_HOME"
}
