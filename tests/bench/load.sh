#!/bin/sh
# Load: the daemon under API and command-line load at once, on a real home.
# A daemon on a temporary home holding the sample case file and a few more
# (one of 8 MiB); for LOAD_SECONDS: wrk with LOAD_CONNECTIONS connections
# rotating over GET /v1/archives/ID, /v1/lookup?sha256=HEX and /v1/status,
# and LOAD_CLIENTS command-line clients in loops (list, verify, restore,
# status, submit of a new case file, audit), while the daemon ingests the
# submitted items and audits.  At the end it checks, and prints:
#   - wrk: 0 socket errors, 0 non-2xx answers;
#   - every command exited as expected (0);
#   - every submitted item archived (done/ holds as many as were submitted,
#     inbox and quarantine empty) and every archive verifies;
#   - no lost event: the catalog's events since the start, by kind, are
#     what the clients and the daemon did (each verify one verify event,
#     each restore one restore event, each submit one ingest event, each
#     audit the daemon counted one audit event and one verify event).
# usage: tests/bench/load.sh BUILD_DIR	(BENCH=load make bench)
# env:   LOAD_SECONDS (60), LOAD_CONNECTIONS (200), LOAD_CLIENTS (10)
# Exits 1 when a check fails (not when it is merely slow).
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
case $build in /*) ;; *) build=$top/$build ;; esac
secs=${LOAD_SECONDS:-60}
conns=${LOAD_CONNECTIONS:-200}
nclients=${LOAD_CLIENTS:-10}
ARH=$build/arhiivar
D=$build/arhiivard
W=$(mktemp -d "${TMPDIR:-/tmp}/arhiivar-bench-load.XXXXXX")
H=$W/home
export ARHIIVAR_HOME="$H" LC_ALL=C.UTF-8
dpid=
wpid=
cpids=
cleanup() {
	for p in $cpids $wpid; do
		kill "$p" 2>/dev/null
	done
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	[ "${LOAD_KEEP:-0}" = 1 ] && echo "# kept $W" || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { printf '# %s\n' "$*"; }
die() { printf 'load: %s\n' "$*" >&2; exit 1; }
for t in wrk sqlite3 curl; do
	command -v $t >/dev/null 2>&1 || die "missing $t"
done
[ -x "$ARH" ] && [ -x "$D" ] || die "no $ARH or $D: run make first"
q() { sqlite3 "$H/catalog.db" "$1"; }

# newcase REF DIR: the sample case file as a new one, reference REF, with
# a line of its own in vastus.txt (so that a lookup of a digest finds one
# file, not one in every copy).
newcase() {
	cp -r "$top/sample/case-12-1-2024" "$2" &&
	    sed -i "s#\"12-1/2024\"#\"$1\"#" "$2/case.json" "$2"/*/record.json &&
	    echo "$1" >>"$2/12-1_8911-1/vastus.txt"
}

# --- the home ---------------------------------------------------------------
"$ARH" init --organisation Justiitsministeerium >/dev/null || die "init failed"
"$ARH" fileplan import "$top/sample/fileplan.csv" >/dev/null ||
	die "fileplan import failed"
port=$((20000 + $$ % 20000))
me=$(id -u)
printf '[roles]\nauditor = uid:%s\nrecords-manager = uid:%s\n' "$me" "$me" \
	>>"$H/arhiivar.conf"
printf '[api]\nlisten = 127.0.0.1:%s\nthreads = 2\nconnections = 1024\n' \
	"$port" >>"$H/arhiivar.conf"
"$ARH" ingest "$top/sample/case-12-1-2024" >/dev/null || die "ingest of the sample failed"
mkdir "$W/cases" "$W/sub" "$W/log"
for i in 1 2 3 4; do
	newcase "12-1/2024-b$i" "$W/cases/b$i" || die "cannot make a case"
done
head -c 8388608 /dev/urandom >"$W/cases/b4/12-1_8911-1/suur.bin"
for i in 1 2 3 4; do
	"$ARH" ingest "$W/cases/b$i" >/dev/null || die "ingest of b$i failed"
done
archives=$(q "select name from archives order by name" | tr '\n' ' ')
refs=$(q "select case_ref from archives order by name" | tr '\n' ' ')
say "home: $(q 'select count(*) from archives') archives, $(q 'select count(*) from files') files, $(du -sk "$H/store" | cut -f1) KiB"

# The paths wrk rotates over: every archive, the SHA-256 of every public
# file and one unknown digest (an answer with found 0), and the status.
{
	echo 'paths = {'
	for a in $archives; do
		echo "  \"/v1/archives/$a\","
	done
	q "select f.sha256 from files f join records r on r.archive = f.archive
	    and r.reference = f.record where r.access = 'public'" |
	    while read -r s; do echo "  \"/v1/lookup?sha256=$s\","; done
	printf '  "/v1/lookup?sha256=%064d",\n' 0
	echo '  "/v1/status",'
	echo '}'
	cat <<'LUA'
counter = 0
init = function(args)
	counter = math.random(#paths)
end
request = function()
	counter = counter % #paths + 1
	return wrk.format("GET", paths[counter])
end
LUA
} >"$W/rotate.lua"
npaths=$(grep -c '^  "/v1' "$W/rotate.lua")

# --- the daemon -------------------------------------------------------------
base=$(q "select coalesce(max(id), 0) from events")
"$D" -H "$H" >/dev/null 2>"$W/daemon.log" &
dpid=$!
i=0
until curl -sf -o /dev/null "http://127.0.0.1:$port/v1/status"; do
	i=$((i + 1))
	[ $i -gt 400 ] && { cat "$W/daemon.log"; die "no API after 20 s"; }
	sleep 0.05
done

# client N: one command-line client, in a loop until the deadline; one
# line "COMMAND STATUS" a command in $W/log/N.
client() {
	_n=$1 _k=0
	set -- $archives
	_na=$#
	while [ "$(date +%s)" -lt "$deadline" ]; do
		_k=$((_k + 1))
		_ai=$(( (_n + _k) % _na + 1 ))
		eval "_a=\${$_ai}"
		_r=$(echo "$refs" | cut -d' ' -f"$_ai")
		case $(( (_n + _k) % 8 )) in
		0|4)	_c=verify
			"$ARH" verify "$_a" >/dev/null 2>>"$W/log/$_n.err" ;;
		1|5)	_c=restore
			"$ARH" restore -o - "$_r" 12-1_8911-1/vastus.txt \
			    >/dev/null 2>>"$W/log/$_n.err" ;;
		2)	_c=list
			"$ARH" list >/dev/null 2>>"$W/log/$_n.err" ;;
		3)	_c=status
			"$ARH" status >/dev/null 2>>"$W/log/$_n.err" ;;
		6)	_c=submit
			newcase "12-1/2024-c$_n-$_k" "$W/sub/c$_n-$_k" &&
			    "$ARH" submit --name "c$_n-$_k" "$W/sub/c$_n-$_k" \
			    >/dev/null 2>>"$W/log/$_n.err" ;;
		7)	_c=audit
			"$ARH" audit >/dev/null 2>>"$W/log/$_n.err" ;;
		esac
		echo "$_c $?" >>"$W/log/$_n"
	done
}

say "load: ${secs} s; wrk -c $conns -t 2 over $npaths paths; $nclients command-line clients; $(nproc) cores"
say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(date +%s)
deadline=$((t0 + secs))
wrk -c "$conns" -t 2 -d "${secs}s" --latency -s "$W/rotate.lua" \
	"http://127.0.0.1:$port" >"$W/wrk.out" 2>&1 &
wpid=$!
n=0
while [ $n -lt "$nclients" ]; do
	client $n &
	cpids="$cpids $!"
	n=$((n + 1))
done
wait $wpid
wpid=
for p in $cpids; do
	wait "$p"
done
cpids=
t1=$(date +%s)
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- the end: the daemon finishes its queue --------------------------------
cat "$W"/log/[0-9]* >"$W/cmds"
count() { awk -v c="$1" '$1 == c' "$W/cmds" | wc -l; }
okcount() { awk -v c="$1" '$1 == c && $2 == 0' "$W/cmds" | wc -l; }
submits=$(okcount submit)
items() { ls "$H/$1" 2>/dev/null | wc -l; }
workers() { pgrep -f -- "-H $H -W" >/dev/null; }
# metric NAME: a counter of /metrics; -1 when the daemon does not answer.
metric() {
	curl -sf "http://127.0.0.1:$port/metrics" |
	    awk -v m="arhiivar_$1_total" '$1 == m { v = $2 }
	    END { print (v == "" ? -1 : v) }'
}
audit_events() {
	q "select count(*) from events where id > $base and kind = 'audit'"
}
# Drained: every submitted item out of the inbox, no worker running, and
# the daemon's count of audits caught up with the catalog's events.
drained() {
	_ok=$(metric audits_ok)
	_failed=$(metric audits_failed)
	[ "$(items inbox)" -eq 0 ] && ! workers && [ "$_ok" -ge 0 ] &&
	    [ $((_ok + _failed)) -eq "$(audit_events)" ]
}
i=0
until drained; do
	i=$((i + 1))
	[ $i -gt 1200 ] && { say "not drained after 60 s"; break; }
	sleep 0.05
done
t2=$(date +%s)
audits_ok=$(metric audits_ok)
audits_failed=$(metric audits_failed)
ingest_errors=$(metric ingest_errors)
api_requests=$(metric api_requests)
api_errors=$(metric api_errors)
kill "$dpid"
wait "$dpid"
drc=$?
dpid=

# --- checks -----------------------------------------------------------------
fail=0
bad() { say "FAIL: $*"; fail=$((fail + 1)); }
reqs=$(awk '/requests in/ { print $1 }' "$W/wrk.out")
rps=$(awk '/^Requests\/sec/ { print $2 }' "$W/wrk.out")
p50=$(awk '$1 == "50%" { print $2 }' "$W/wrk.out")
p99=$(awk '$1 == "99%" { print $2 }' "$W/wrk.out")
sockerr=$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$W/wrk.out")
non2xx=$(awk '/Non-2xx/ { print $NF }' "$W/wrk.out")
sockerr=${sockerr:-0}
non2xx=${non2xx:-0}
[ -n "$reqs" ] || { sed 's/^/#   /' "$W/wrk.out"; bad "wrk gave no result"; }
[ "$sockerr" -eq 0 ] || bad "wrk: $(grep 'Socket errors' "$W/wrk.out")"
[ "$non2xx" -eq 0 ] || bad "wrk: $non2xx non-2xx answers"
[ "${api_errors:-1}" -eq 0 ] || bad "the daemon counted $api_errors API 5xx answers"
ncmds=$(wc -l <"$W/cmds")
cfail=$(awk '$2 != 0' "$W/cmds" | wc -l)
if [ "$cfail" -ne 0 ]; then
	bad "$cfail commands failed: $(awk '$2 != 0 { n[$1 " exit " $2]++ }
	    END { for (k in n) printf "%s x%d; ", k, n[k] }' "$W/cmds")"
	cat "$W"/log/*.err | sort | uniq -c | sort -rn | head -n 5 | sed 's/^/#   /'
fi
[ "$(items inbox)" -eq 0 ] || bad "$(items inbox) items still in the inbox"
[ "$(items quarantine)" -eq 0 ] || bad "$(items quarantine) items quarantined"
[ "$(items done)" -eq "$submits" ] || bad "done/ holds $(items done), $submits submitted"
[ "${ingest_errors:-1}" -eq 0 ] || bad "$ingest_errors transient ingest failures"
[ "$drc" -eq 0 ] || bad "the daemon exited $drc on SIGTERM"
! grep -q '^<[0-3]>' "$W/daemon.log" ||
	bad "daemon errors: $(grep -m 3 '^<[0-3]>' "$W/daemon.log" | tr '\n' ' ')"
# Events since the start, against what was done.
actor="$(id -un) (uid $me)"
ev() {	# ev KIND ACTOR-CLAUSE: events of KIND with result ok
	q "select count(*) from events where id > $base and kind = '$1'
	    and result = 'ok' $2"
}
ev_ingest=$(ev ingest "")
ev_verify_cli=$(ev verify "and actor = '$actor'")
ev_restore=$(ev restore "and actor = '$actor'")
ev_audit=$(audit_events)
ev_verify_audit=$(ev verify "and actor = 'arhiivard (uid $me)'")
ev_other=$(q "select count(*) from events where id > $base and
    (result <> 'ok' or kind not in ('ingest', 'verify', 'restore', 'audit'))")
ev_total=$(q "select count(*) from events where id > $base")
[ "$ev_ingest" -eq "$submits" ] || bad "$ev_ingest ingest events, $submits submitted"
[ "$ev_verify_cli" -eq "$(okcount verify)" ] ||
	bad "$ev_verify_cli verify events of the clients, $(okcount verify) verify commands"
[ "$ev_restore" -eq "$(okcount restore)" ] ||
	bad "$ev_restore restore events, $(okcount restore) restore commands"
[ "$ev_audit" -eq $((audits_ok + audits_failed)) ] ||
	bad "$ev_audit audit events, the daemon counted $((audits_ok + audits_failed)) audits"
[ "$ev_verify_audit" -eq "$ev_audit" ] ||
	bad "$ev_verify_audit verify events of the daemon's audits, $ev_audit audits"
[ "$ev_audit" -gt 0 ] || bad "no audit ran"
[ "$audits_failed" -eq 0 ] || bad "$audits_failed audits failed"
[ "$ev_other" -eq 0 ] || bad "$ev_other other events: $(q "select kind || ' ' || result from events where id > $base and
    (result <> 'ok' or kind not in ('ingest', 'verify', 'restore', 'audit')) limit 3" | tr '\n' ' ')"
# Last: verify --all records events of its own.
"$ARH" verify --all >/dev/null 2>"$W/verify.err" ||
	bad "verify --all: $(head -c 300 "$W/verify.err")"

say "wrk: $reqs requests in $secs s, $rps req/s, p50 $p50, p99 $p99; $sockerr socket errors, $non2xx non-2xx (the daemon counted $api_requests API requests)"
say "clients: $ncmds commands ($(okcount list) list, $(okcount verify) verify, $(okcount restore) restore, $(okcount status) status, $submits submit, $(okcount audit) audit), $cfail failed"
say "daemon: $submits submitted, $(items done) archived; queue drained $((t2 - t1)) s after the load; $ev_audit audits ($audits_failed failed)"
say "events: $ev_total since the start = $ev_ingest ingest + $((ev_verify_cli + ev_verify_audit)) verify ($ev_verify_cli clients, $ev_verify_audit audits) + $ev_restore restore + $ev_audit audit + $ev_other other"
if [ "$fail" -eq 0 ]; then
	echo "load: ok - ${secs} s, $rps API req/s (p99 $p99), $ncmds commands 0 failed, $submits/$submits submits archived, $ev_total events all accounted for"
else
	echo "load: FAILED - $fail checks failed (${secs} s, $rps API req/s, $ncmds commands, $cfail failed, $(items done)/$submits archived)"
fi
[ "$fail" -eq 0 ]
