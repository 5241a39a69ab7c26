#!/usr/bin/env bats
# The file names of an internal-use record in force are restricted
# metadata: every output that names a member or a file — events, verify
# findings, their JSON — names such a record by its reference only, to a
# caller not entitled (here root without a role, and nobody).  An entitled
# caller sees the names.
load helpers

BAG=12-1_2024.v1
SECRET='õiend|lisa-1|lisad'

# No restricted file name in $output.
no_secret() {
	if grep -Eq "$SECRET" <<<"$output"; then
		echo "restricted name in: $output" >&2
		return 1
	fi
}

# Every output a caller without a role gets after a refused restore of,
# and damage to, a file of the internal-use record 12-1/8910-1.
outputs_of_the_unentitled() {
	run arh restore -o - 12-1/2024 12-1_8910-1/õiend.pdf
	[ "$status" -eq 1 ]
	chmod u+w "$TAR"
	off=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select data_offset from files where path = 'data/12-1_8910-1/lisad/lisa-1.txt'")
	printf 'X' | dd of="$TAR" bs=1 seek=$(( off + 3 )) conv=notrunc 2>/dev/null
	arh verify 12-1/2024 >/dev/null || true
}

@test "events, text and JSON: a refusal and a failed verify name the record, not its files" {
	ingested_home
	outputs_of_the_unentitled
	for args in "events" "events --json" "events 12-1/2024" "events --json 12-1/2024"; do
		run arh $args
		[ "$status" -eq 0 ]
		no_secret
	done
	run arh events
	[[ "$output" == *"denial"*"record 12-1/8910-1"* ]]
	# The check can fail: the catalog holds the names.
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select count(*) from events where target like '%õiend%'")" -ge 1 ]
	entitle_caller
	run arh events
	[[ "$output" == *"data/12-1_8910-1/õiend.pdf"* ]]
}

@test "verify findings, text and JSON, catalogued, --all and bare: the record by reference only" {
	ingested_home
	outputs_of_the_unentitled
	cp "$TAR" "$T/copy.tar"
	for args in "verify 12-1/2024" "verify --json 12-1/2024" "verify --all" "verify --all --json" \
	    "verify $T/copy.tar" "-H $T/nohome verify --trust $ARHIIVAR_HOME/keys/seal.pem $T/copy.tar"; do
		run arh $args
		[ "$status" -eq 1 ]
		no_secret
		[[ "$output" == *"record 12-1/8910-1"* ]]
	done
	entitle_caller
	run arh verify 12-1/2024
	[ "$status" -eq 1 ]
	[[ "$output" == *"data/12-1_8910-1/lisad/lisa-1.txt"* ]]
}

@test "another user with no role: the same" {
	ingested_home
	outputs_of_the_unentitled
	chmod -R a+rX "$T"
	chmod a+rw "$ARHIIVAR_HOME" "$ARHIIVAR_HOME"/catalog.db*
	run setpriv --reuid=nobody --regid=nogroup --clear-groups env ARHIIVAR_HOME="$ARHIIVAR_HOME" "$ARH_BIN" events --json
	[ "$status" -eq 0 ]
	no_secret
	run setpriv --reuid=nobody --regid=nogroup --clear-groups env ARHIIVAR_HOME="$ARHIIVAR_HOME" "$ARH_BIN" verify --json 12-1/2024
	no_secret
}
