#!/usr/bin/env bats
# arhiivard's sandbox: after setup it runs under a seccomp filter (with
# no_new_privs) and, where the kernel has Landlock, a filesystem domain
# that lets it reach only its home, its configured directories and the
# system files the libraries read.  The daemon must keep working inside
# it: an inbox ingest, status and an audit through the control socket.

load helpers

eval "helpers_$(declare -f teardown)"

ARHD="${ARH_DAEMON:-$(dirname "$ARH_BIN")/arhiivard}"

# until TRIES COMMAND...: poll every 0.05 s, at most TRIES times.
# An audit has come out ok (asked anew at every poll).
audit_ok() {
	[ -n "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select 1 from audits where result = 'ok'")" ]
}

until_true() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

sock() {
	printf '%s\n' "$1" | socat -t 5 - "UNIX-CONNECT:$ARHIIVAR_HOME/run/arhiivard.sock"
}

# The daemon on a fresh home, with its own TMPDIR (so that no part of
# /tmp but that is allowed to it), the API off and the caller an auditor.
start_daemon() {
	arh init >/dev/null
	arh fileplan import "$ARH_TOP/sample/fileplan.csv" >/dev/null
	sed -i 's/^#listen = 127.0.0.1:8470/listen = off/' "$ARHIIVAR_HOME/arhiivar.conf"
	printf '[roles]\nauditor = uid:%s\n' "$(id -u)" >>"$ARHIIVAR_HOME/arhiivar.conf"
	mkdir "$T/tmp"
	# In the sanitizer build, LeakSanitizer's check at exit needs ptrace
	# and /proc/PID/task, which the sandbox denies: leaks are left to the
	# CLI's runs; memory errors are still caught here.
	TMPDIR="$T/tmp" ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    "$ARHD" -H "$ARHIIVAR_HOME" 2>"$T/log" &
	DPID=$!
	until_true 400 grep -q 'ready: home' "$T/log"
}

teardown() {
	if [ -n "${DPID:-}" ]; then
		kill -TERM "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	helpers_teardown
}

landlock_or_skip() {
	if grep -q 'Landlock.*not confined' "$T/log"; then
		skip "$(grep -m1 'Landlock' "$T/log")"
	fi
}

@test "the daemon runs under a seccomp filter with no_new_privs, and says how many calls it allows" {
	start_daemon
	run grep -E '^(Seccomp|NoNewPrivs):' "/proc/$DPID/status"
	[[ "$output" == *"NoNewPrivs:	1"* ]]
	[[ "$output" == *"Seccomp:	2"* ]]
	grep -Eq 'seccomp filter loaded: [0-9]+ system calls allowed, any other fails with EPERM' "$T/log"
}

@test "Landlock is enforced where the kernel has it" {
	start_daemon
	landlock_or_skip
	grep -Eq 'Landlock ABI [0-9]+ enforced: [0-9]+ filesystem rules' "$T/log"
}

@test "inside the sandbox: an inbox ingest, status, an audit, a reload and a clean stop" {
	start_daemon
	cp -r "$CASE" "$ARHIIVAR_HOME/inbox/.c1"
	mv "$ARHIIVAR_HOME/inbox/.c1" "$ARHIIVAR_HOME/inbox/c1"
	until_true 600 test -e "$ARHIIVAR_HOME/done/c1"
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from archives')" = 1 ]
	run sock '{"op":"status"}'
	[[ "$output" == *'"up":true'* ]]
	run sock '{"op":"audit"}'
	[[ "$output" == *'"ok":true'* ]]
	until_true 600 audit_ok
	kill -HUP "$DPID"
	until_true 400 grep -q 'configuration reloaded' "$T/log"
	run sock '{"op":"status"}'
	[[ "$output" == *'"up":true'* ]]
	kill -TERM "$DPID"
	rc=0
	wait "$DPID" || rc=$?
	DPID=
	[ "$rc" -eq 0 ]
	grep -q 'stopping' "$T/log"
	run grep -E 'not permitted|Permission denied|FAILED|could not run|without a result' "$T/log"
	[ "$status" -eq 1 ]
}

@test "Landlock: a directory outside the allowed paths is refused to the daemon, even as root" {
	start_daemon
	landlock_or_skip
	# An inbox the daemon was not started with: a reload accepts the
	# configuration, but the domain made at the start does not grow.
	mkdir -p "$T/elsewhere/inbox"
	cp -r "$CASE" "$T/elsewhere/inbox/c2"
	sed -i "s|^#inbox = inbox|inbox = $T/elsewhere/inbox|" "$ARHIIVAR_HOME/arhiivar.conf"
	grep -q "^inbox = $T/elsewhere/inbox" "$ARHIIVAR_HOME/arhiivar.conf"
	kill -HUP "$DPID"
	until_true 400 grep -q 'configuration reloaded' "$T/log"
	until_true 400 grep -q "$T/elsewhere/inbox.*Permission denied" "$T/log"
	# Nothing was taken from it; the daemon still answers.
	[ -d "$T/elsewhere/inbox/c2" ]
	[ ! -e "$ARHIIVAR_HOME/done/c2" ]
	run sock '{"op":"status"}'
	[[ "$output" == *'"up":true'* ]]
}

@test "privilege separation: the seal key is held by the seal process alone; without it the daemon stops" {
	start_daemon
	until_true 400 grep -q 'seal process [0-9]* holds the seal key' "$T/log"
	spid=$(sed -n 's/.*seal process \([0-9]*\) holds.*/\1/p' "$T/log" | head -1)
	# a child of the daemon, confined to no filesystem but the
	# configuration's directory, under the same seccomp filter
	[ "$(ps -o ppid= -p "$spid" | tr -d ' ')" = "$DPID" ]
	grep -q '^Seccomp:[[:space:]]*2' "/proc/$spid/status"
	# ingests seal through it
	cp -r "$CASE" "$ARHIIVAR_HOME/inbox/.c3" && mv "$ARHIIVAR_HOME/inbox/.c3" "$ARHIIVAR_HOME/inbox/c3"
	until_true 400 test -d "$ARHIIVAR_HOME/done/c3"
	run "$ARH_BIN" verify 12-1/2024
	[ "$status" -eq 0 ]
	# the daemon cannot read the key again: it stops with an error
	kill -9 "$spid"
	until_true 400 grep -q 'the seal process ended' "$T/log"
	run wait "$DPID"
	[ "$status" -ne 0 ]
	DPID=
	grep -q '^<2>' "$T/log"
}
