#!/usr/bin/env bats
# The leak matrix of the verification API: every endpoint, asked
# anonymously and with a token of each role, must not carry a marker of the
# internal-use record 12-1/8910-1 (its title, correspondent and content
# hold MARKER-...-7f3a) unless the role is entitled ([access]
# internal_roles: records-manager) — and then the full view must show it.
# The daemon's log and the events table carry none either.

load helpers
load daemon

MARK=MARKER-

# Every endpoint, with @S256@ and @S512@ the restricted files' digests.
endpoints() {
	cat <<'EOF2'
GET /v1/status
GET /v1/archives
GET /v1/archives?series=12-1&year=2024
GET /v1/archives?limit=1
GET /v1/archives/12-1_2024.v1
GET /v1/lookup?sha256=@S256@
GET /v1/lookup?sha512=@S512@
GET /v1/lookup?sha256=0000000000000000000000000000000000000000000000000000000000000000
GET /metrics
POST /v1/archives/12-1_2024.v1/verify
GET /v1/archives/nope
GET /v1/nope
EOF2
}

@test "api leak matrix: anonymous and every role but the entitled one get no marker; the entitled one gets the title" {
	ingested_home
	arh fileplan import "$ARH_TOP/sample/fileplan.csv" >/dev/null 2>&1 || true
	entitle_caller
	s256=$(sha256sum "$CASE/12-1_8910-1/lisad/lisa-1.txt" | cut -c1-64)
	s512=$(sha512sum "$CASE/12-1_8910-1/õiend.pdf" | cut -c1-128)
	for role in staff auditor approver records-manager; do
		tok=$(arh token add --role "$role" | grep -oE 'arh_[0-9a-f]{64}')
		[ -n "$tok" ]
		eval "TOK_${role//-/_}=$tok"
	done
	start_api_daemon
	: >"$T/problems"
	n=0
	for who in anonymous staff auditor approver records-manager; do
		auth=()
		if [ "$who" != anonymous ]; then
			var="TOK_${who//-/_}"
			auth=(-H "Authorization: Bearer ${!var}")
		fi
		while read -r method path; do
			path=${path//@S256@/$s256}
			path=${path//@S512@/$s512}
			code=$(curl -s -o "$T/body" -w '%{http_code}' -X "$method" "${auth[@]}" "$URL$path")
			n=$((n + 1))
			case $code in 2??|4??) ;; *) echo "$who $method $path: status $code" >>"$T/problems" ;; esac
			if [ "$who" != records-manager ] && grep -aqF "$MARK" "$T/body"; then
				echo "LEAK $who $method $path: $(grep -aoE 'MARKER-[A-Z]+-7f3a' "$T/body" | sort -u | tr '\n' ' ')" >>"$T/problems"
			fi
			if [ "$who" = records-manager ] && [ "$path" = /v1/archives/12-1_2024.v1 ] &&
			    ! grep -aqF MARKER-TITLE-7f3a "$T/body"; then
				echo "the entitled caller did not get the title from $path" >>"$T/problems"
			fi
		done < <(endpoints)
	done
	stop_daemon
	if sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select * from events' | grep -aqF "$MARK"; then
		echo "LEAK in the events table" >>"$T/problems"
	fi
	grep -aqF "$MARK" "$T/daemon.log" && echo "LEAK in the daemon's log" >>"$T/problems"
	echo "# $n requests checked" >&3
	[ "$n" -eq 60 ]
	if [ -s "$T/problems" ]; then
		cat "$T/problems"
		return 1
	fi
}
