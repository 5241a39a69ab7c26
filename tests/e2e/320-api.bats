#!/usr/bin/env bats
# The verification API of the real daemon, over HTTP with curl.

load helpers
load daemon

# The daemon with the API on a free port: start_api_daemon, stop_daemon
# and teardown come from daemon.bash.
start_daemon() {
	start_api_daemon
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

@test "api: a lookup answers at most 100 matches and says there were more" {
	ingested_home
	# 105 more archives holding the same file (rows copied in the catalog)
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "
	    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 105)
	    INSERT INTO archives (name, case_ref, series, version, previous, path, size, sha256,
	        signer, signer_cert_sha256, created, nrecords, nfiles, action, due)
	    SELECT 'x' || i || '_2024.v1', case_ref || '-' || i, series, version, NULL,
	        'x' || i || '.tar', size, sha256, signer, signer_cert_sha256, created, nrecords,
	        nfiles, action, due FROM archives, n WHERE name = '12-1_2024.v1';
	    INSERT INTO records SELECT a.name, r.reference, r.dir, r.registered, r.type, r.access,
	        r.access_basis, r.access_start, r.access_end, r.metadata
	        FROM records r, archives a WHERE r.archive = '12-1_2024.v1' AND a.name LIKE 'x%';
	    INSERT INTO files SELECT a.name, f.path, f.record, f.size, f.sha512, f.sha256, f.mime,
	        f.charset, f.header_offset, f.data_offset
	        FROM files f, archives a WHERE f.archive = '12-1_2024.v1' AND a.name LIKE 'x%'"
	s256=$(sha256sum "$CASE/12-1_8911-1/vastus.txt" | cut -c1-64)
	start_daemon
	[ "$(code GET "/v1/lookup?sha256=$s256")" = 200 ]
	[ "$(jq -r .found "$T/body")" = 100 ]
	[ "$(jq -r .truncated "$T/body")" = true ]
	[ "$(jq '.files | length' "$T/body")" = 100 ]
	# one match is not truncated
	s512=$(sha512sum "$CASE/12-1_8911-1/vastus.txt" | cut -c1-128)
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "delete from files where archive like 'x%'"
	[ "$(code GET "/v1/lookup?sha512=$s512")" = 200 ]
	[ "$(jq -r .found "$T/body")" = 1 ]
	[ "$(jq -r .truncated "$T/body")" = false ]
}
