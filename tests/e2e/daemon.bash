# The daemon under test: started in the foreground in the background of
# the test, readiness and every later state by polling (never a fixed
# sleep), stopped with SIGTERM in teardown.

: "${ARH_DAEMON:=$(dirname "$ARH_BIN")/arhiivard}"

# poll SECONDS CMD...: run CMD every 50 ms until it succeeds.
poll() {
	local limit=$(( $1 * 20 )) i=0
	shift
	while ! "$@" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -ge "$limit" ] && { echo "# timed out: $*" >&3; return 1; }
		sleep 0.05
	done
}

# A home for the daemon: the API off unless the test turns it on.
daemon_home() {
	arh init --organisation Justiitsministeerium >/dev/null
	arh fileplan import "$ARH_TOP/sample/fileplan.csv" >/dev/null
	sed -i 's/^#listen = 127.0.0.1:8470/listen = off/' "$ARHIIVAR_HOME/arhiivar.conf"
}

sock_answers() {
	echo '{"op":"status"}' | socat - "UNIX-CONNECT:$ARHIIVAR_HOME/run/arhiivard.sock" | grep -q '"up":true'
}

# In the sanitizer build LeakSanitizer's check at exit needs ptrace, which
# the daemon's sandbox denies: leaks are left to the CLI's runs;
# AddressSanitizer still catches memory errors in the daemon.  Nor does the
# daemon run under valgrind (VALGRIND=1 wraps the CLI): valgrind does not
# know the Landlock and seccomp system calls the sandbox needs.
start_daemon() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    "$ARH_DAEMON" -H "$ARHIIVAR_HOME" "$@" 2>>"$T/daemon.log" &
	DPID=$!
	poll 20 sock_answers
}

stop_daemon() {
	if [ -n "${DPID:-}" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -TERM "$DPID"
		wait "$DPID" || true
	fi
	DPID=
}

teardown() {
	stop_daemon
	if [ -n "${BATS_TEST_COMPLETED:-}" ]; then
		chmod -R u+rwX "$T" 2>/dev/null
		rm -rf "$T"
	else
		echo "# kept $T" >&3
		sed 's/^/# daemon: /' "$T/daemon.log" >&3 2>/dev/null || true
	fi
}

# The archives in the catalog.
narchives() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from archives'
}

# No worker process of this home's daemon is left.
no_worker() {
	! pgrep -f -- "-H $ARHIIVAR_HOME -W" >/dev/null
}

# start_api_daemon: the daemon with the API on a free loopback port (tried
# until one binds) and audits off; $URL is its base.
start_api_daemon() {
	local try i
	for try in 1 2 3 4 5; do
		PORT=$((20000 + RANDOM % 20000))
		printf '[audit]\ndays = 0\n[api]\nlisten = 127.0.0.1:%s\n' "$PORT" \
		    >"$T/api.conf"
		cat "$ARHIIVAR_HOME/arhiivar.conf" "$T/api.conf" >"$T/arhiivar.conf"
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		    "$ARH_DAEMON" -H "$ARHIIVAR_HOME" -c "$T/arhiivar.conf" \
		    2>>"$T/daemon.log" &
		DPID=$!
		for i in $(seq 1 200); do
			if curl -s -o /dev/null "http://127.0.0.1:$PORT/v1/status"; then
				URL="http://127.0.0.1:$PORT"
				return 0
			fi
			kill -0 "$DPID" 2>/dev/null || break
			sleep 0.05
		done
		kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null
		DPID=
	done
	return 1
}
