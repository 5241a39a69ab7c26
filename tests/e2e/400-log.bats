#!/usr/bin/env bats
# The tamper-evident log (FORMAT.md 11): a leaf per event, signed
# checkpoints, proofs checked without the catalog, and every kind of
# tampering found with what was changed named.

load helpers
load daemon

db() { sqlite3 "$ARHIIVAR_HOME/catalog.db" "$@"; }

@test "init makes the log key apart from the seal key; log key prints its verifier key" {
	arh init >/dev/null
	[ "$(stat -c %a "$ARHIIVAR_HOME/keys/log.key")" = 600 ]
	run arh log key
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[^+[:space:]]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$ ]]
	! cmp -s "$ARHIIVAR_HOME/keys/log.key" "$ARHIIVAR_HOME/keys/seal.key"
}

@test "every event has its leaf, in order, and an ingest makes a checkpoint" {
	ingested_home
	arh verify 12-1/2024 >/dev/null
	run arh log verify
	[ "$status" -eq 0 ]
	events=$(db 'select count(*) from events')
	[[ "$output" == "ok: $events leaves, "* ]]
	[ "$(db 'select count(*) from events e join log_leaves l on l.event = e.id')" = "$events" ]
	[ "$(db 'select count(*) from log_checkpoints')" -ge 1 ]
	run arh log checkpoint
	[ "$status" -eq 0 ]
	origin=$(arh log key | cut -d+ -f1)
	[ "${lines[0]}" = "$origin" ]
	[ "${lines[1]}" = "$events" ]
	[[ "${lines[3]}" == "— $origin "* ]]
}

@test "an entry names the ingest's digests and no restricted metadata" {
	ingested_home
	run arh log entry 0
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "arhiivar/log-entry@v1" ]
	[ "${lines[1]}" = "index 0" ]
	sha=$(sha256sum "$TAR" | cut -d' ' -f1)
	[[ "$output" == *"tar-sha256 $sha"* ]]
	# The restricted record's file names and titles are events' targets
	# and details elsewhere, never an entry's text.
	arh restore 12-1/2024 data/12-1_8910-1/lisad/lisa-1.txt -o "$T/x" 2>/dev/null || true
	n=$(db 'select count(*) from log_leaves')
	for i in $(seq 0 $((n - 1))); do
		arh log entry "$i" >"$T/e"
		! grep -q 'lisa-1\|õiend\|8910' "$T/e"
	done
}

@test "a proof checks without the catalog, and a changed one does not" {
	ingested_home
	arh verify 12-1/2024 >/dev/null
	arh log checkpoint >/dev/null
	arh log prove 12-1_2024.v1 -o "$T/p.proof"
	head -1 "$T/p.proof" | grep -qx 'c2sp.org/tlog-proof@v1'
	vkey=$(arh log key)
	mv "$ARHIIVAR_HOME" "$T/gone"
	run arh log check-proof "$T/p.proof" --key "$vkey"
	[ "$status" -eq 0 ]
	[[ "$output" == "ok: entry 0 is in the tree of "* ]]
	# Another key, another entry, a changed hash: refused, status 1.
	mkdir "$T/other" && ARHIIVAR_HOME="$T/other/h" arh init >/dev/null
	run arh log check-proof "$T/p.proof" --key "$(ARHIIVAR_HOME="$T/other/h" arh log key)"
	[ "$status" -eq 1 ]
	printf 'something else\n' >"$T/entry"
	run arh log check-proof "$T/p.proof" --key "$vkey" --entry "$T/entry"
	[ "$status" -eq 1 ]
	awk 'NR == 4 { $0 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" } { print }' \
	    "$T/p.proof" >"$T/bad.proof"
	run arh log check-proof "$T/bad.proof" --key "$vkey"
	[ "$status" -eq 1 ]
}

@test "log verify names an edited event, an edited entry, a deleted event" {
	ingested_home
	arh verify 12-1/2024 >/dev/null
	arh log checkpoint >/dev/null
	cp "$ARHIIVAR_HOME/catalog.db" "$T/clean.db"
	db "update events set result = 'failed' where id = 1"
	run arh log verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"leaf 0: event 1 does not match its logged entry"* ]]
	cp "$T/clean.db" "$ARHIIVAR_HOME/catalog.db"
	db "update log_leaves set entry = replace(entry, 'result ok', 'result no') where idx = 1"
	run arh log verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"leaf 1:"* ]]
	[[ "$output" == *"does not match"* ]]
	cp "$T/clean.db" "$ARHIIVAR_HOME/catalog.db"
	db "delete from events where id = 2"
	run arh log verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"leaf 1: its event 2 is not in the catalog"* ]]
}

@test "log verify names a deleted leaf, a changed node, a forged checkpoint" {
	ingested_home
	arh verify 12-1/2024 >/dev/null
	arh log checkpoint >/dev/null
	cp "$ARHIIVAR_HOME/catalog.db" "$T/clean.db"
	last=$(db 'select max(idx) from log_leaves')
	db "delete from log_leaves where idx = $last"
	run arh log verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"has no leaf in the log"* ]]
	[[ "$output" == *"checkpoint"* ]]
	cp "$T/clean.db" "$ARHIIVAR_HOME/catalog.db"
	db "update log_nodes set hash = zeroblob(32) where level = 1 and idx = 0"
	run arh log verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"node (level 1, index 0) does not match the leaves below it"* ]]
	cp "$T/clean.db" "$ARHIIVAR_HOME/catalog.db"
	db "update log_checkpoints set note = replace(note, char(10) || '— ', char(10) || '— x') where id = 1"
	run arh log verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"checkpoint 1 "* ]]
}

@test "verify's log layer catches an archive swapped and re-sealed with the same seal key" {
	ingested_home
	# The thief holds the seal key: a second home with the same one seals
	# a changed case file under the same name.
	mkdir -p "$T/thief/keys"
	cp "$ARHIIVAR_HOME"/keys/seal.* "$T/thief/keys/"
	cp -r "$CASE" "$T/case2"
	printf 'forged\n' >>"$T/case2/12-1_8911-1/vastus.txt"
	ARHIIVAR_HOME="$T/thief" arh init >/dev/null
	ARHIIVAR_HOME="$T/thief" arh ingest "$T/case2" >/dev/null
	chmod u+w "$TAR"
	cp "$T/thief/store/12-1_2024.v1.tar" "$TAR"
	# ...and makes the catalog agree with it.
	db "attach '$T/thief/catalog.db' as t;
	    update archives set sha256 = (select sha256 from t.archives),
	        size = (select size from t.archives);
	    delete from files; insert into files select * from t.files;"
	run arh verify 12-1/2024
	[ "$status" -eq 1 ]
	[[ "$output" == *"log"*"not the one logged at ingest"* ]]
}

@test "consistency between two checkpoints, checked without the catalog" {
	ingested_home
	arh log checkpoint >"$T/old.cp"
	arh verify 12-1/2024 >/dev/null
	arh log checkpoint >"$T/new.cp"
	! cmp -s "$T/old.cp" "$T/new.cp"
	arh log consistency "$T/old.cp" "$T/new.cp" >"$T/c.proof"
	head -1 "$T/c.proof" | grep -qx 'arhiivar/consistency-proof@v1'
	vkey=$(arh log key)
	run arh log check-consistency "$T/old.cp" "$T/new.cp" "$T/c.proof" --key "$vkey"
	[ "$status" -eq 0 ]
	sed '4s/^./A/' "$T/c.proof" >"$T/bad"
	if ! cmp -s "$T/c.proof" "$T/bad"; then
		run arh log check-consistency "$T/old.cp" "$T/new.cp" "$T/bad" --key "$vkey"
		[ "$status" -ne 0 ]
	fi
	# Checkpoints in the wrong order are refused.
	run arh log check-consistency "$T/new.cp" "$T/old.cp" "$T/c.proof" --key "$vkey"
	[ "$status" -ne 0 ]
}

@test "a catalog from before the log gets a leaf for every old event on upgrade" {
	ingested_home
	arh verify 12-1/2024 >/dev/null
	db "drop table log_leaves; drop table log_nodes; drop table log_checkpoints;
	    drop table log_key; pragma user_version = 9;"
	arh list >/dev/null
	run arh log verify
	[ "$status" -eq 0 ]
	[[ "$output" == "ok: $(db 'select count(*) from events') leaves"* ]]
	run arh log entry 0
	[[ "$output" == *"tar-sha256 $(sha256sum "$TAR" | cut -d' ' -f1)"* ]]
}

@test "api: the newest checkpoint, an inclusion proof and a consistency proof over HTTP" {
	ingested_home
	arh verify 12-1/2024 >/dev/null
	arh log checkpoint >"$T/cp"
	start_api_daemon
	[ "$(curl -s -o "$T/body" -w '%{http_code}' "$URL/v1/checkpoint")" = 200 ]
	cmp "$T/body" "$T/cp"
	[ "$(curl -s -o "$T/p.proof" -w '%{http_code}' "$URL/v1/proof/inclusion?archive=12-1_2024.v1")" = 200 ]
	run arh log check-proof "$T/p.proof" --key "$(arh log key)"
	[ "$status" -eq 0 ]
	[ "$(curl -s -o "$T/c.proof" -w '%{http_code}' "$URL/v1/proof/consistency?old=1&new=2")" = 200 ]
	head -3 "$T/c.proof" | tr '\n' ' ' | grep -qx 'arhiivar/consistency-proof@v1 old 1 new 2 '
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/proof/consistency?old=2&new=1")" = 400 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/proof/consistency?old=1&new=999")" = 404 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/proof/inclusion?archive=nosuch.v1")" = 404 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/proof/inclusion")" = 400 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/v1/checkpoint")" = 405 ]
	stop_daemon
}

@test "daemon: an inbox ingest gets its checkpoint from the seal process, which signs only a tree that extends the last" {
	daemon_home
	arh ingest "$CASE" >/dev/null
	before=$(db 'select count(*) from log_checkpoints')
	start_daemon
	cp -r "$ARH_TOP/sample/case-1-2-2020" "$T/case2"
	arh submit --name second "$T/case2" >/dev/null
	poll 20 test -d "$ARHIIVAR_HOME/done/second"
	poll 20 sh -c "[ \$(sqlite3 '$ARHIIVAR_HOME/catalog.db' 'select count(*) from log_checkpoints') -gt $before ]"
	# The newest checkpoint covers the daemon's ingest, and its proof checks.
	arh log prove 1-2_2020.v1 >"$T/p.proof"
	run arh log check-proof "$T/p.proof" --key "$(arh log key)"
	[ "$status" -eq 0 ]
	stop_daemon
	run arh log verify
	[ "$status" -eq 0 ]
}

@test "the worked example of FORMAT.md 11.5 recomputes with openssl alone" {
	awk '/^### 11.5/ { s = 1 } s' "$ARH_TOP/docs/FORMAT.md" |
	    awk -v out="$T/blk" '/^```/ { if (inb) inb = 0; else { inb = 1; n++ }; next }
		inb { print > (out n) }'
	cd "$T"
	cp blk1 e0 && cp blk2 e1 && cp blk3 cp.txt
	run sh blk4
	[ "$status" -eq 0 ]
	[[ "$output" == *"$(sed -n 3p cp.txt)"* ]]
	[[ "$output" == *"46 6d d5 f4"* ]]
	[[ "$output" == *"Signature Verified Successfully"* ]]
	# ... and the entries are what arhiivar writes: the same lines, in order.
	ingested_home
	arh verify 12-1/2024 >/dev/null
	[ "$(arh log entry 0 | cut -d' ' -f1)" = "$(cut -d' ' -f1 e0)" ]
	[ "$(arh log entry 1 | cut -d' ' -f1)" = "$(cut -d' ' -f1 e1)" ]
}

@test "tools/tlog-verify, sh and openssl alone, accepts arhiivar's proof and rejects a changed one" {
	ingested_home
	arh verify 12-1/2024 >/dev/null
	arh verify 12-1/2024 >/dev/null
	arh log checkpoint >/dev/null
	arh log prove --event 2 -o "$T/p.proof"
	arh log entry 1 >"$T/e1"
	vkey=$(arh log key)
	for sh in sh bash; do
		run "$sh" "$ARH_TOP/tools/tlog-verify" --key "$vkey" "$T/p.proof"
		[ "$status" -eq 0 ]
		[[ "$output" == "ok: entry 1 is in the tree of size 3 signed by "* ]]
	done
	run sh "$ARH_TOP/tools/tlog-verify" --key "$vkey" "$T/p.proof" "$T/e1"
	[ "$status" -eq 0 ]
	arh log entry 0 >"$T/e0"
	run sh "$ARH_TOP/tools/tlog-verify" --key "$vkey" "$T/p.proof" "$T/e0"
	[ "$status" -eq 1 ]
	awk 'NR == 4 { $0 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" } { print }' \
	    "$T/p.proof" >"$T/bad.proof"
	run sh "$ARH_TOP/tools/tlog-verify" --key "$vkey" "$T/bad.proof"
	[ "$status" -eq 1 ]
}

@test "refusals: a leaf newer than the newest checkpoint, a leaf that is not there, a malformed proof" {
	ingested_home
	arh verify 12-1/2024 >/dev/null
	# The verify's leaf came after the ingest's checkpoint.
	run arh log prove --event 2 -o "$T/p.proof"
	[ "$status" -eq 1 ]
	[[ "$output" == *"leaf 1 is newer than the latest checkpoint (1 leaves); make one with 'arhiivar log checkpoint'"* ]]
	[ ! -e "$T/p.proof" ]
	run arh log entry 99
	[ "$status" -eq 1 ]
	[[ "$output" == *"the log has no leaf 99"* ]]
	run arh log entry x
	[ "$status" -eq 2 ]
	printf 'c2sp.org/tlog-proof@v1\nindex 01\n' >"$T/bad.proof"
	run arh log check-proof "$T/bad.proof" --key "$(arh log key)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"tlog proof line 2"* ]]
	run arh log check-proof "$T/bad.proof"
	[ "$status" -eq 2 ]
}
