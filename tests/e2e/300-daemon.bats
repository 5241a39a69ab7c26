#!/usr/bin/env bats
# arhiivard end to end: the inbox, quarantine, the control socket, audits,
# signals, systemd notification, a kill -9 in the middle of an ingest.

load helpers
load daemon

@test "daemon: -t says configuration OK, and names file:line of a bad key" {
	daemon_home
	run "$ARH_DAEMON" -H "$ARHIIVAR_HOME" -t
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
	printf '[daemon]\nbogus = 1\n' >>"$ARHIIVAR_HOME/arhiivar.conf"
	run "$ARH_DAEMON" -H "$ARHIIVAR_HOME" -t
	[ "$status" -eq 1 ]
	[[ "$output" == *"arhiivar.conf:"*": "*"bogus"* ]]
}

@test "daemon: -T prints the effective configuration, which parses back" {
	daemon_home
	run "$ARH_DAEMON" -H "$ARHIIVAR_HOME" -T
	[ "$status" -eq 0 ]
	[[ "$output" == *"[daemon]"* ]]
	[[ "$output" == *"listen = off"* ]]
	echo "$output" >"$T/effective.conf"
	run "$ARH_DAEMON" -H "$ARHIIVAR_HOME" -c "$T/effective.conf" -t
	[ "$status" -eq 0 ]
}

@test "daemon: a submitted case file is archived, verifiable, kept under done/" {
	daemon_home
	start_daemon
	run arh submit "$CASE"
	[ "$status" -eq 0 ]
	[[ "$output" == *"as inbox item case"* ]]
	poll 20 test -d "$ARHIIVAR_HOME/done/case"
	[ -z "$(ls "$ARHIIVAR_HOME/inbox")" ]
	[ "$(narchives)" = 1 ]
	run arh verify 12-1/2024
	[ "$status" -eq 0 ]
	# the ingest event names the submitter
	run sqlite3 "$ARHIIVAR_HOME/catalog.db" "select actor from events where kind = 'ingest'"
	[[ "$output" == "$(id -un) (uid $(id -u))" ]]
}

@test "daemon: a group member's submission is the inbox group's, whatever their umask" {
	getent group users >/dev/null || skip "no group 'users'"
	daemon_home
	# An inbox of the group 'users', a submitter in it who is not the
	# inbox's owner, with a umask that would shut the group out.
	mkdir -m 0770 "$ARHIIVAR_HOME/inbox" && chgrp users "$ARHIIVAR_HOME/inbox"
	chmod 711 "$T" "$ARHIIVAR_HOME" && chmod 644 "$ARHIIVAR_HOME/arhiivar.conf"
	chmod -R a+rX "$CASE"
	run setpriv --reuid=nobody --regid=nogroup --groups=users sh -c \
	    "umask 077; '$ARH_BIN' -H '$ARHIIVAR_HOME' submit --name g '$CASE'"
	[ "$status" -eq 0 ]
	[ "$(stat -c '%a %G' "$ARHIIVAR_HOME/inbox/g" "$ARHIIVAR_HOME/inbox/g/12-1_8910-1/lisad" | sort -u)" = "2770 users" ]
	[ "$(stat -c '%a %G' "$ARHIIVAR_HOME/inbox/g/case.json")" = "640 users" ]
	[ "$(stat -c '%a %G' "$ARHIIVAR_HOME/inbox/.incoming")" = "2770 users" ]
	start_daemon
	poll 20 test -d "$ARHIIVAR_HOME/done/g"
	run sqlite3 "$ARHIIVAR_HOME/catalog.db" "select actor from events where kind = 'ingest'"
	[[ "$output" == "nobody (uid $(id -u nobody))" ]]
}

@test "daemon: a bad case file is quarantined with every reason, nothing stored" {
	daemon_home
	start_daemon
	echo '{"reference": "12-1/2024"}' >"$CASE/case.json"
	arh submit --name broken "$CASE"
	poll 20 test -f "$ARHIIVAR_HOME/quarantine/broken/REASON.txt"
	[ -z "$(ls "$ARHIIVAR_HOME/inbox")" ]
	[ "$(narchives)" = 0 ]
	[ -z "$(ls "$ARHIIVAR_HOME/store" | grep -v '^\.')" ]
	grep -q "missing 'series'" "$ARHIIVAR_HOME/quarantine/broken/REASON.txt"
	grep -q "missing 'closed'\|still open" "$ARHIIVAR_HOME/quarantine/broken/REASON.txt"
	# the item is kept untouched beside its reasons
	cmp "$CASE/case.json" "$ARHIIVAR_HOME/quarantine/broken/broken/case.json"
	run arh status
	[ "$status" -eq 1 ]
	[[ "$output" == *"1 inbox item in quarantine"* ]]
}

@test "daemon: quarantine list and retry need records-manager; retry archives the corrected item" {
	daemon_home
	start_daemon
	cp "$CASE/case.json" "$T/good.json"
	echo '{}' >"$CASE/case.json"
	arh submit --name c1 "$CASE"
	poll 20 test -f "$ARHIIVAR_HOME/quarantine/c1/REASON.txt"
	run arh quarantine list
	[ "$status" -eq 1 ]
	[[ "$output" == *"records-manager"* ]]
	entitle_caller
	kill -HUP "$DPID"
	poll 20 sh -c "'$ARH_BIN' quarantine list | grep -q '^c1 '"
	cp "$T/good.json" "$ARHIIVAR_HOME/quarantine/c1/c1/case.json"
	run arh quarantine retry c1
	[ "$status" -eq 0 ]
	poll 20 test -d "$ARHIIVAR_HOME/done/c1"
	[ "$(narchives)" = 1 ]
	[ ! -e "$ARHIIVAR_HOME/quarantine/c1" ]
	run arh status
	[ "$status" -eq 0 ]
}

@test "daemon: a directory moved into the inbox by hand is picked up" {
	daemon_home
	start_daemon
	mv "$CASE" "$ARHIIVAR_HOME/inbox/byhand"
	poll 20 test -d "$ARHIIVAR_HOME/done/byhand"
	[ "$(narchives)" = 1 ]
}

@test "daemon: items waiting before the start are archived at start (the queue is the directory)" {
	daemon_home
	arh submit --name early "$CASE"
	[ -d "$ARHIIVAR_HOME/inbox/early" ]
	start_daemon
	poll 20 test -d "$ARHIIVAR_HOME/done/early"
	[ "$(narchives)" = 1 ]
}

@test "daemon: fake NOTIFY_SOCKET gets READY=1, STATUS= and STOPPING=1; SIGHUP gives RELOADING=1" {
	daemon_home
	socat -u UNIX-RECVFROM:"$T/notify",fork OPEN:"$T/notes",creat,append &
	SPID=$!
	poll 10 test -S "$T/notify"
	NOTIFY_SOCKET="$T/notify" start_daemon
	poll 10 grep -q 'READY=1' "$T/notes"
	grep -q 'STATUS=' "$T/notes"
	kill -HUP "$DPID"
	poll 10 grep -q 'RELOADING=1' "$T/notes"
	stop_daemon
	poll 10 grep -q 'STOPPING=1' "$T/notes"
	kill "$SPID"
}

@test "daemon: SIGHUP picks up a configuration change (roles)" {
	daemon_home
	start_daemon
	run arh audit
	[ "$status" -eq 1 ]
	[[ "$output" == *"auditor"* ]]
	printf '[roles]\nauditor = user:%s\n' "$(id -un)" >>"$ARHIIVAR_HOME/arhiivar.conf"
	kill -HUP "$DPID"
	poll 20 sh -c "'$ARH_BIN' audit >/dev/null"
	grep -q 'configuration reloaded' "$T/daemon.log"
}

@test "daemon: a bad configuration on SIGHUP is refused and the old one stays" {
	daemon_home
	start_daemon
	printf '[daemon]\nbogus = 1\n' >>"$ARHIIVAR_HOME/arhiivar.conf"
	kill -HUP "$DPID"
	poll 20 grep -q 'reload refused' "$T/daemon.log"
	sock_answers
}

@test "daemon: audits verify each new archive; a tampered archive fails the next audit and status exits 1" {
	daemon_home
	printf '[roles]\nauditor = user:%s\n' "$(id -un)" >>"$ARHIIVAR_HOME/arhiivar.conf"
	start_daemon
	arh submit "$CASE"
	poll 20 test -d "$ARHIIVAR_HOME/done/case"
	poll 20 sh -c "[ \"\$(sqlite3 '$ARHIIVAR_HOME/catalog.db' \"select result from audits\")\" = ok ]"
	run arh status
	[ "$status" -eq 0 ]
	[[ "$output" == *"1 ok, 0 failed"* ]]
	# flip one byte of a payload file inside the tar
	TAR="$ARHIIVAR_HOME/store/12-1_2024.v1.tar"
	off=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select data_offset from files where path like '%vastus.txt'")
	printf 'X' | dd of="$TAR" bs=1 seek="$off" conv=notrunc 2>/dev/null
	arh audit 12-1_2024.v1
	poll 20 sh -c "[ \"\$(sqlite3 '$ARHIIVAR_HOME/catalog.db' \"select result from audits\")\" = failed ]"
	run arh status
	[ "$status" -eq 1 ]
	[[ "$output" == *"audit of 12-1_2024.v1 failed"* ]]
	grep -q '^<3>.*audit of 12-1_2024.v1 FAILED' "$T/daemon.log"
	# a failure is not retried into success: it stays failed
	run sqlite3 "$ARHIIVAR_HOME/catalog.db" "select count(*) from events where kind = 'audit' and result = 'failed'"
	[ "$output" -ge 1 ]
}

@test "daemon: restore through the daemon for a user who cannot read the store; a restricted file is refused" {
	daemon_home
	sed -i 's/^#socket_group =/socket_group = nogroup/' "$ARHIIVAR_HOME/arhiivar.conf"
	start_daemon
	arh submit "$CASE"
	poll 20 test -d "$ARHIIVAR_HOME/done/case"
	chmod 700 "$ARHIIVAR_HOME/store"
	chmod 711 "$T" "$ARHIIVAR_HOME"
	cd "$T" && chmod 777 "$T"
	run setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$ARH_BIN" -H "$ARHIIVAR_HOME" restore 12-1/2024 12-1_8911-1/vastus.txt -o "$T/out.txt"
	[ "$status" -eq 0 ]
	cmp "$T/out.txt" "$CASE/12-1_8911-1/vastus.txt"
	run setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$ARH_BIN" -H "$ARHIIVAR_HOME" restore 12-1/2024 12-1_8910-1/lisad/lisa-1.txt -o "$T/no.txt"
	[ "$status" -eq 1 ]
	[ ! -e "$T/no.txt" ]
	run sqlite3 "$ARHIIVAR_HOME/catalog.db" "select kind, result from events where actor like 'nobody%' order by id"
	[ "${lines[0]}" = "restore|ok" ]
	[ "${lines[1]}" = "denial|denied" ]
}

@test "daemon: malformed control requests get an error answer, the daemon lives on" {
	daemon_home
	start_daemon
	for req in 'not json' '{"op": 5}' '{"op":"nope"}' '{"op":"status","extra":1}' '{"op":"quarantine.retry"}' '{"op":"restore","archive":"a","path":"b"}' '{"op":"status","":1}'; do
		run sh -c "printf '%s\n' '$req' | socat - UNIX-CONNECT:$ARHIIVAR_HOME/run/arhiivard.sock"
		[[ "$output" == *'"ok":false'* ]]
	done
	head -c 70000 /dev/zero | tr '\0' 'a' | socat - "UNIX-CONNECT:$ARHIIVAR_HOME/run/arhiivard.sock" >/dev/null || true
	sock_answers
}

@test "daemon: a second daemon on the same home is refused" {
	daemon_home
	start_daemon
	run "$ARH_DAEMON" -H "$ARHIIVAR_HOME"
	[ "$status" -eq 2 ]
	[[ "$output" == *"another arhiivard"* ]]
}

@test "daemon: SIGTERM stops it with status 0 and removes the socket" {
	daemon_home
	start_daemon
	kill -TERM "$DPID"
	wait "$DPID"
	DPID=
	[ ! -e "$ARHIIVAR_HOME/run/arhiivard.sock" ]
}

@test "daemon: kill -9 in the middle of an ingest, restart: no partial archive, ingested once" {
	daemon_home
	# a case file big enough that the ingest is still running when killed
	head -c 40000000 /dev/urandom >"$T/rand"
	split -b 40000 -a 4 "$T/rand" "$CASE/12-1_8911-1/big"
	rm "$T/rand"
	start_daemon
	arh submit --name big "$CASE"
	poll 20 sh -c "ls '$ARHIIVAR_HOME/store/.tmp' 2>/dev/null | grep -q . || [ -d '$ARHIIVAR_HOME/done/big' ]"
	kill -9 "$DPID"
	wait "$DPID" || true
	DPID=
	# the worker dies with the daemon
	poll 20 no_worker
	start_daemon
	poll 60 test -d "$ARHIIVAR_HOME/done/big"
	[ "$(narchives)" = 1 ]
	[ "$(ls "$ARHIIVAR_HOME/store" | grep -c '\.tar$')" = 1 ]
	run arh verify 12-1/2024
	[ "$status" -eq 0 ]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select count(*) from events where kind = 'ingest' and result = 'ok'")" = 1 ]
}

@test "daemon: a scheduled transfer due in the past runs at start; its report is written" {
	daemon_home
	entitle_caller
	# the daemon's sandbox reads no source outside [daemon] sources
	printf '[daemon]\nsources = %s\n' "$T" >>"$ARHIIVAR_HOME/arhiivar.conf"
	arh schedule add --series 12-1 --year 2024 --source "$CASE" --at 2025-01-15T02:00 >/dev/null
	start_daemon
	poll 30 sh -c "[ \"\$(sqlite3 '$ARHIIVAR_HOME/catalog.db' \"select status from jobs where id = 1\")\" = done ]"
	[ "$(narchives)" = 1 ]
	ls "$ARHIIVAR_HOME"/reports/transfer-1-*.json
	ls "$ARHIIVAR_HOME"/reports/transfer-1-*.html
	grep -q 'scheduled transfer 1 done' "$T/daemon.log"
}

@test "daemon: a missed yearly transfer runs once at start, for the year before the run, and is scheduled for next year" {
	daemon_home
	entitle_caller
	mkdir -p "$T/export/12-1/2024" "$T/export/12-1/2023" "$T/export/1-2"
	cp -r "$CASE/." "$T/export/12-1/2024/"
	cp -r "$CASE/." "$T/export/12-1/2023/"
	printf '[daemon]\nsources = %s\n' "$T/export" >>"$ARHIIVAR_HOME/arhiivar.conf"
	arh schedule add --yearly --at 01-15T02:00 --series 12-1 --source-pattern "$T/export/{series}/{year}" >/dev/null
	# make it due now, as the January run would be, then start
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "update jobs set next_run = '2025-01-15T00:00:00Z' where id = 1"
	start_daemon
	poll 30 sh -c "[ \"\$(sqlite3 '$ARHIIVAR_HOME/catalog.db' \"select count(*) from job_runs where finished_at is not null\")\" -ge 1 ]"
	# the run is in the current year: the year before it is transferred
	want=$(( $(date +%Y) - 1 ))
	run sqlite3 "$ARHIIVAR_HOME/catalog.db" "select year from job_runs where job = 1"
	[ "$output" = "$want" ]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select next_run > '2026' from jobs where id = 1")" = 1 ]
}

@test "daemon: schedule run-now asks the daemon, whose worker runs the job" {
	daemon_home
	entitle_caller
	printf '[daemon]\nsources = %s\n' "$T" >>"$ARHIIVAR_HOME/arhiivar.conf"
	arh schedule add --series 12-1 --year 2024 --source "$CASE" --at 2035-01-15T02:00 >/dev/null
	start_daemon
	run arh schedule run-now 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"the daemon runs it"* ]]
	poll 30 sh -c "[ \"\$(sqlite3 '$ARHIIVAR_HOME/catalog.db' \"select status from jobs where id = 1\")\" = done ]"
	[ "$(narchives)" = 1 ]
	grep -q 'scheduled transfer 1 done' "$T/daemon.log"
}
