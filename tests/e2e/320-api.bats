#!/usr/bin/env bats
# The verification API of the real daemon, over HTTP with curl.

load helpers

ARHIIVARD="${ARH_TOP}/$(dirname "${ARH_BIN#"$ARH_TOP"/}")/arhiivard"

start_daemon() {
	local try
	for try in 1 2 3 4 5; do
		PORT=$((20000 + RANDOM % 20000))
		printf '[audit]\ndays = 0\n[api]\nlisten = 127.0.0.1:%s\n' "$PORT" \
		    >"$T/api.conf"
		cat "$ARHIIVAR_HOME/arhiivar.conf" "$T/api.conf" >"$T/arhiivar.conf"
		"$ARHIIVARD" -H "$ARHIIVAR_HOME" -c "$T/arhiivar.conf" \
		    >"$T/daemon.log" 2>&1 &
		DPID=$!
		local i
		for i in $(seq 1 200); do
			if curl -s -o /dev/null "http://127.0.0.1:$PORT/v1/status"; then
				URL="http://127.0.0.1:$PORT"
				return 0
			fi
			kill -0 "$DPID" 2>/dev/null || break
			sleep 0.05
		done
		kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null
	done
	cat "$T/daemon.log" >&3
	return 1
}

stop_daemon() {
	if [ -n "${DPID:-}" ]; then
		kill -TERM "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null || true
		DPID=
	fi
}

teardown() {
	stop_daemon
	if [ -n "${BATS_TEST_COMPLETED:-}" ]; then
		chmod -R u+rwX "$T" 2>/dev/null
		rm -rf "$T"
	else
		echo "# kept $T" >&3
	fi
}

# code METHOD PATH [curl args]: the status, the body into $T/body.
code() {
	local m=$1 p=$2
	shift 2
	curl -s -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$URL$p"
}

@test "api: every endpoint, its errors, and the caller's view" {
	ingested_home
	entitle_caller
	TOKEN=$(arh token add --role records-manager --label e2e 2>/dev/null)
	[[ "$TOKEN" == arh_* ]]
	start_daemon

	[ "$(code GET /v1/status)" = 200 ]
	grep -q '"up":true' "$T/body"
	[ "$(code GET '/v1/archives?series=12-1&year=2024&limit=10')" = 200 ]
	grep -q '"name":"12-1_2024.v1"' "$T/body"
	[ "$(code GET '/v1/archives?limit=0')" = 400 ]
	[ "$(code GET '/v1/archives?limit=abc')" = 400 ]
	[ "$(code GET /v1/archives/nosuch.v1)" = 404 ]
	[ "$(code GET /v1/nothing)" = 404 ]
	grep -q '"status":404' "$T/body"
	[ "$(code DELETE /v1/archives)" = 405 ]
	curl -s -i -X DELETE "$URL/v1/archives" | grep -qi '^Allow: GET, HEAD'
	[ "$(code GET /v1/lookup?sha256=abc)" = 400 ]

	# Anonymous: the internal-use record's public view only.
	[ "$(code GET /v1/archives/12-1_2024.v1)" = 200 ]
	grep -q '"12-1/8910-1"' "$T/body"
	! grep -q 'MARKER-TITLE-7f3a' "$T/body" || false
	! grep -q '12-1_8910-1' "$T/body" || false
	grep -q '"files":"/v1/archives/12-1_2024.v1/files"' "$T/body"
	[ "$(code GET /v1/archives/12-1_2024.v1/files)" = 200 ]
	grep -q '"path":"data/12-1_8911-1/vastus.txt"' "$T/body"
	! grep -q '12-1_8910-1' "$T/body" || false
	[ "$(code GET '/v1/archives/12-1_2024.v1/files?limit=1001')" = 400 ]
	sha=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" \
	    "select sha256 from files where record = '12-1/8910-1' limit 1")
	[ "$(code GET "/v1/lookup?sha256=$sha")" = 200 ]
	grep -q '"found":1' "$T/body"
	! grep -q '12-1_8910-1' "$T/body" || false
	# A records manager's token sees it all.
	[ "$(code GET /v1/archives/12-1_2024.v1 -H "Authorization: Bearer $TOKEN")" = 200 ]
	grep -q 'MARKER-TITLE-7f3a' "$T/body"
	[ "$(code GET '/v1/archives/12-1_2024.v1/files?limit=2' -H "Authorization: Bearer $TOKEN")" = 200 ]
	grep -q '12-1_8910-1' "$T/body"
	grep -q '"next":"data/12-1_8910-1/' "$T/body"
	[ "$(code GET "/v1/lookup?sha256=$sha" -H "Authorization: Bearer $TOKEN")" = 200 ]
	grep -q '12-1_8910-1' "$T/body"

	# Verify: a token, or 401 with the challenge.
	[ "$(code POST /v1/archives/12-1_2024.v1/verify)" = 401 ]
	curl -s -i -X POST "$URL/v1/archives/12-1_2024.v1/verify" |
	    grep -qi '^WWW-Authenticate: Bearer'
	[ "$(code POST /v1/archives/12-1_2024.v1/verify -H "Authorization: Bearer arh_$(printf '%064d' 0)")" = 401 ]
	[ "$(code POST /v1/archives/12-1_2024.v1/verify -H "Authorization: Bearer $TOKEN")" = 200 ]
	grep -q '"ok":true' "$T/body"
	[ "$(code POST /v1/archives/12-1_2024.v1/verify -H "Authorization: Bearer $TOKEN" -d x)" = 400 ]

	[ "$(code GET /metrics)" = 200 ]
	grep -q '^arhiivar_archives 1$' "$T/body"
	grep -q '^arhiivar_api_requests_total ' "$T/body"
	grep -q '^arhiivar_denials_total [1-9]' "$T/body"

	stop_daemon
	# The refusals and the verification are events.
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select count(*) from events where kind = 'denial' and actor = 'arhiivard api'")" -ge 2 ]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select count(*) from events where kind = 'verify'")" -ge 1 ]
}

@test "api: a revoked token is refused" {
	ingested_home
	entitle_caller
	TOKEN=$(arh token add --role auditor 2>/dev/null)
	arh token revoke 1
	start_daemon
	[ "$(code GET /v1/archives -H "Authorization: Bearer $TOKEN")" = 401 ]
}
