#!/usr/bin/env bash
# Fault-injection torture of ingest, restore, catalog rebuild, file plan
# import and disposition execute, and of the daemon's inbox ingests
# (arhiivard: its ingest worker killed or failed at every hooked call, the
# daemon killed with SIGKILL or stopped with SIGTERM, then restarted).
#
# usage: tests/torture/run.sh BUILD_DIR	(a FAULT=1 build: `make torture`)
#
# For every kind of hooked call (common/fault.h) and N = 1, 2, 3, ... the
# command runs with ARH_FAULT=KIND:N[:ACTION] until a run goes untouched
# (the hook's report says no fault fired).  After every faulted run the
# state is checked: the right exit status and message, nothing half-made
# (no archive, no output file, catalog unchanged), the input untouched, and
# the next plain command recovers and succeeds.  Crash loops do the same
# with ACTION=kill.  Prints a TAP line per point, a summary table and
# "N passed, N failed"; exits 1 on any failure.  The work directory is kept
# (and printed) when something fails.
set -u
build=${1:-build-fault}
top=$(cd "$(dirname "$0")/../.." && pwd)
BIN="$top/$build/arhiivar"
export LC_ALL=C.UTF-8
# Under SANITIZE=1 a sanitizer report must not pass for an expected status.
export ASAN_OPTIONS="exitcode=86:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="halt_on_error=1:exitcode=86:print_stacktrace=1"
export LSAN_OPTIONS="exitcode=86"
unset ARH_FAULT ARH_FAULT_REPORT SOURCE_DATE_EPOCH
MAXN=${TORTURE_MAXN:-5000}		# safety stop for a runaway loop
# TORTURE_ONLY: a space-separated list of scenarios to run (default all)
BIG_MB=${TORTURE_BIG_MB:-56}		# crash-loop case: ~1 write per MiB

if [ ! -x "$BIN" ]; then
	echo "torture: no binary '$BIN'; build it with 'make FAULT=1'" >&2
	exit 2
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/arhiivar-torture.XXXXXX")
export ARHIIVAR_HOME="$W/home"
passed=0
failed=0
declare -A tried found
rows_order=()
failures=()
label=""

# --- small helpers --------------------------------------------------------

# fault SPEC ARGS...: run the CLI with a fault; sets rc, output in $W/out, $W/err.
fault() {
	local spec=$1
	shift
	rm -f "$W/report"
	# In a subshell: bash's "Killed" notice goes to /dev/null, not the log.
	( ARH_FAULT=$spec ARH_FAULT_REPORT="$W/report" "$BIN" "$@" \
	    >"$W/out" 2>"$W/err"; exit $? ) 2>/dev/null
	rc=$?
}

# plain ARGS...: the CLI without a fault; sets prc, output in $W/pout, $W/perr.
plain() {
	"$BIN" "$@" >"$W/pout" 2>"$W/perr"
	prc=$?
}

fired() { grep -q '^fired ' "$W/report" 2>/dev/null; }

# sfault INJECT SPEC ARGS...: as fault, under strace -e inject=INJECT (a fault
# inside SQLite's own I/O, which the hook does not reach); SPEC may be "".
sfault() {
	local inject=$1 spec=$2
	shift 2
	rm -f "$W/report" "$W/strace"
	# LeakSanitizer cannot work under ptrace: no leak check here.
	( ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 ARH_FAULT=$spec \
	    ARH_FAULT_REPORT="$W/report" strace -f -qq \
	    -o "$W/strace" -e trace="${inject%%:*}" -e inject="$inject" \
	    "$BIN" "$@" >"$W/out" 2>"$W/err"; exit $? ) 2>/dev/null
	rc=$?
}
sfired() { grep -q 'INJECTED' "$W/strace" 2>/dev/null; }

# calls KIND: how many calls of KIND the last faulted run made.
calls() { sed -n "s/^calls.* $1=\([0-9]*\).*/\1/p" "$W/report" | tail -1; }

# why TEXT: record a failed check of the current point.
why() { reasons+="${reasons:+; }$*"; }

# A digest of a directory tree: names, types, modes, sizes, mtimes, contents.
tree_sum() {
	( cd "$1" && find . -printf '%y %m %s %T@ %p\n' | sort &&
	  find . -type f -exec sha256sum {} + | sort ) | sha256sum | cut -c1-64
}

store_tars() { ls -A "$ARHIIVAR_HOME/store" | grep '\.tar$' | sort; }
# Anything in the store but archives and the temporary directory, and
# anything in that directory.
store_other() {
	ls -A "$ARHIIVAR_HOME/store" | grep -v -e '\.tar$' -e '^\.tmp$'
	ls -A "$ARHIIVAR_HOME/store/.tmp" 2>/dev/null
}
intents() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select name from intents order by name' 2>/dev/null
}
cat_paths() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select path from archives order by path'
}
cat_rows() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select * from archives order by name;
	    select * from records order by archive, reference;
	    select * from files order by archive, path'
}
events_of() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "select count(*) from events where kind = '$1'"
}
# Granted restores: their "ok" event is committed before a byte is given.
restores_ok() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "select count(*) from events where kind = 'restore' and result = 'ok'"
}

# Every catalogued path is in the store (no row pointing at nothing).
no_dangling_rows() {
	local p
	for p in $(cat_paths); do
		[ -f "$ARHIIVAR_HOME/store/$p" ] || return 1
	done
}

# The store's archives are exactly the catalogued ones, no temp is left
# and no intent to publish is pending.
agree() {
	[ "$(store_tars)" = "$(cat_paths)" ] && [ -z "$(store_other)" ] &&
	    [ -z "$(intents)" ]
}

reset_home() {
	chmod -R u+w "$ARHIIVAR_HOME" 2>/dev/null
	rm -rf "$ARHIIVAR_HOME"
	cp -a "$W/$1" "$ARHIIVAR_HOME"
}

# The message a failure of each kind must give (after "arhiivar: ").
op_re() {
	case $1 in
	write)	echo 'cannot write' ;;
	fsync)	echo 'cannot fsync' ;;
	rename)	echo 'cannot (publish|rename)' ;;
	open)	echo 'cannot (create|open)' ;;
	malloc)	echo 'out of memory|Cannot allocate memory' ;;
	sqlite)	echo 'catalog' ;;
	unlink)	echo 'cannot remove' ;;
	esac
}
errno_text() {
	case $1 in
	EIO)	echo 'Input/output error' ;;
	ENOSPC)	echo 'No space left on device' ;;
	*)	echo '' ;;
	esac
}

# The common checks of a faulted run that did not kill: status 2 and a
# message naming the operation (and the errno's text for a system call).
check_failed_run() {
	local kind=$1 action=$2 re t
	if [ "$rc" -ne 2 ]; then
		why "exit $rc, want 2 ($(head -c 300 "$W/err"))"
		return
	fi
	re=$(op_re "$kind")
	grep -Eq "^arhiivar: .*($re)" "$W/err" ||
	    why "message does not name the failing operation: $(head -c 300 "$W/err")"
	t=$(errno_text "$action")
	if [ -n "$t" ] && [ "$kind" != malloc ] && [ "$kind" != sqlite ]; then
		grep -q "$t" "$W/err" ||
		    why "message lacks '$t': $(head -c 300 "$W/err")"
	fi
}

# warned_after_commit KIND: the fault hit the checkpoint an ingest or an
# execute signs after its commit: what was committed stands, so the run
# ends with status 0 and a warning naming the failing operation, and the
# next `log checkpoint` signs one.  True when that is what happened.
warned_after_commit() {
	local re
	[ "$rc" -eq 0 ] && grep -q 'no checkpoint of the log was signed' "$W/err" ||
	    return 1
	re=$(op_re "$1")
	grep -Eq "($re)" "$W/err" ||
	    why "the warning does not name the failing operation: $(head -c 300 "$W/err")"
	"$BIN" log checkpoint >/dev/null 2>"$W/cperr" ||
	    why "log checkpoint after the warning failed: $(head -c 300 "$W/cperr")"
	return 0
}

# check_status KIND ACTION: the status a faulted run must end with: 137
# when killed, 0 when its short write was completed, else as above.
check_status() {
	case $2 in
	kill)	[ "$rc" -eq 137 ] || why "killed run exited $rc" ;;
	short)	[ "$rc" -eq 0 ] ||
		    why "a short write must be completed: exit $rc $(head -c 300 "$W/err")" ;;
	*)	check_failed_run "$1" "$2" ;;
	esac
}

# verify_all_ok: every archive of the home verifies.
verify_all_ok() {
	plain verify --all
	[ "$prc" -eq 0 ] || why "verify --all exited $prc: $(head -c 300 "$W/perr")"
}

# row KEY: a row of the summary table.
row() {
	if [ -z "${tried[$1]+x}" ]; then
		tried[$1]=0
		found[$1]=0
		rows_order+=("$1")
	fi
}

# log_consistent: the log the point left holds no event without its leaf,
# no leaf without its event, no stored node or checkpoint that the leaves
# contradict (`log verify` on a copy, so the point's state is untouched).
log_consistent() {
	local out
	[ -f "$ARHIIVAR_HOME/catalog.db" ] || return 0
	rm -rf "$W/logcheck"
	cp -a "$ARHIIVAR_HOME" "$W/logcheck" 2>/dev/null || return 0
	if ! out=$(ARHIIVAR_HOME="$W/logcheck" "$BIN" log verify 2>&1); then
		why "log verify: $(printf '%s' "$out" | head -c 300)"
	fi
	rm -rf "$W/logcheck"
}

# finish_point SCENARIO KIND ACTION N: report one point (the checks' $reasons).
finish_point() {
	local scen=$1 kind=$2 action=$3 n=$4 key="$1 $2 $3"
	log_consistent
	row "$key"
	tried[$key]=$((tried[$key] + 1))
	if [ -z "$reasons" ]; then
		passed=$((passed + 1))
		echo "ok - $scen ${label:-ARH_FAULT=$kind:$n:$action}"
	else
		failed=$((failed + 1))
		found[$key]=$((found[$key] + 1))
		echo "not ok - $scen ${label:-ARH_FAULT=$kind:$n:$action}: $reasons"
		failures+=("$scen ${label:-ARH_FAULT=$kind:$n:$action}: $reasons")
		cp -a "$ARHIIVAR_HOME" "$W/failed-$failed-home" 2>/dev/null
	fi
}

# loop SCENARIO KIND ACTION [STEP]: points N = 1, 1+STEP, 1+2*STEP, ...
# until a run goes untouched.
loop() {
	local scen=$1 kind=$2 action=$3 step=${4:-1} n
	# TORTURE_ONLY="execute fileplan": run only those scenarios.
	if [ -n "${TORTURE_ONLY:-}" ] && [[ " $TORTURE_ONLY " != *" $scen "* ]]; then
		return 0
	fi
	row "$scen $kind $action"
	for ((n = 1; n <= MAXN; n += step)); do
		reasons=""
		label=""
		"point_$scen" "$kind" "$action" "$n" || break
		finish_point "$scen" "$kind" "$action" "$n"
	done
	if [ "$n" -gt "$MAXN" ]; then
		reasons="no untouched run after $MAXN points"
		label=""
		finish_point "$scen" "$kind" "$action" "$n"
	fi
}

# --- fixtures --------------------------------------------------------------

setup() {
	local i
	ARHIIVAR_HOME="$W/h0" "$BIN" init --organisation Justiitsministeerium \
	    >/dev/null || exit 2
	cp -r "$top/sample/case-12-1-2024" "$W/case"
	"$BIN" register import -C "$W/case" \
	    "$top/sample/register-entry-12-1-8909-1.txt" >/dev/null || exit 2
	# A case of BIG_MB MiB of deterministic incompressible payload.
	cp -r "$W/case" "$W/big"
	for i in $(seq 1 $(((BIG_MB + 7) / 8))); do
		openssl enc -aes-128-ctr -nosalt -pass "pass:torture$i" \
		    -in /dev/zero 2>/dev/null | head -c 8388608 \
		    >"$W/big/12-1_8911-1/osa-$i.bin"
	done
	# h1: the sample case archived (restore); h2: two versions (rebuild).
	cp -a "$W/h0" "$W/h1"
	ARHIIVAR_HOME="$W/h1" "$BIN" ingest "$W/case" >/dev/null || exit 2
	cp -a "$W/h1" "$W/h2"
	cp -r "$W/case" "$W/case2"
	printf 'lisa\n' >"$W/case2/12-1_8911-1/lisa.txt"
	ARHIIVAR_HOME="$W/h2" "$BIN" ingest --new-version "$W/case2" \
	    >/dev/null || exit 2
	# hb: the big case archived (restore of a member read in many blocks).
	cp -a "$W/h0" "$W/hb"
	ARHIIVAR_HOME="$W/hb" "$BIN" ingest "$W/big" >/dev/null || exit 2
	SUM_CASE=$(tree_sum "$W/case")
	SUM_CONTENT=$(content_sum "$W/case")
	SUM_BIG=$(tree_sum "$W/big")
	SUM_CASE2=$(tree_sum "$W/case2")
	EXPECT="$top/sample/case-12-1-2024/12-1_8911-1/vastus.txt"
	ARHIIVAR_HOME="$W/h2" "$BIN" list >/dev/null
	ROWS_H2=$(ARHIIVAR_HOME="$W/h2" cat_rows)
	setup_destruction
	# h9: h1 as a version before the log left it (schema 9), what a
	# package upgrade's `arhiivar init` migrates.
	cp -a "$W/h1" "$W/h9"
	sqlite3 "$W/h9/catalog.db" "drop table log_leaves; drop table log_nodes;
	    drop table log_checkpoints; drop table log_key;
	    pragma user_version = 9;" || exit 2
	EVENTS_H9=$(sqlite3 "$W/h9/catalog.db" 'select count(*) from events')
}

# h3: case file 1-2/2024 due for destruction (series kept 1 year), on
# destruction list 1, approved.  The approver's approval is written into
# the fixture's catalog directly: these runs torture execute, not approve.
setup_destruction() {
	local r
	cp -r "$W/case" "$W/due"
	sed -i 's#12-1/#1-2/#g; s#"12-1"#"1-2"#g; s/"code": "12"/"code": "1"/' "$W/due/case.json"
	for r in "$W/due"/12-1_*; do
		sed -i 's#12-1/#1-2/#g; s#"12-1"#"1-2"#g; s/"function": "12"/"function": "1"/' \
		    "$r/record.json"
		mv "$r" "${r/12-1_/1-2_}"
	done
	printf '%s\n' "function_code,function_title,series_code,series_title,retention,archival_value,access,access_basis,access_term,valid_from,valid_until,notes" \
	    "1,Juhtimine,1-2,Kirjavahetus,1 a,,Avalik,,,2019-01-01,," \
	    "akt,Arhiivindus,akt,Hävitamisaktid,alaline,,Avalik,,,2019-01-01,," \
	    >"$W/plan.csv"
	cp -a "$W/h0" "$W/h3"
	printf '[roles]\nrecords-manager = user:%s\n' "$(id -un)" \
	    >>"$W/h3/arhiivar.conf"
	export ARHIIVAR_HOME="$W/h3"
	{ "$BIN" fileplan import "$W/plan.csv" &&
	  "$BIN" ingest "$W/due"; } >/dev/null || exit 2
	cp -a "$W/h3" "$W/hp"		# due, not yet proposed
	"$BIN" disposition propose >/dev/null || exit 2
	cp -a "$W/h3" "$W/ha"		# proposed, not yet approved
	"$BIN" disposition approve 1 >/dev/null || exit 2
	sqlite3 "$W/h3/catalog.db" "insert into disposal_approvals values
	    (1, 'approver-fixture', 'approver-fixture', 'approver',
	    '2026-01-02T00:00:00Z')" || exit 2
	# hr: the sample archived, with a records manager (holds, extend).
	cp -a "$W/h1" "$W/hr"
	printf '[roles]\nrecords-manager = user:%s\n' "$(id -un)" \
	    >>"$W/hr/arhiivar.conf"
	export ARHIIVAR_HOME="$W/home"
	setup_txn
}

# --- ingest ----------------------------------------------------------------

# ingest_point BASEHOME CASEDIR SUM FLAGS KIND ACTION N: ingest CASEDIR
# (with FLAGS) into a copy of BASEHOME under a fault.
ingest_point() {
	local base=$1 dir=$2 sum=$3 flags=$4 kind=$5 action=$6 n=$7 before
	reset_home "$base"
	before=$(store_tars)
	fault "$kind:$n:$action" ingest $flags "$dir"
	fired || return 1
	case $action in
	kill)	[ "$rc" -eq 137 ] || why "killed run exited $rc" ;;
	EINTR|short)
		[ "$rc" -eq 0 ] || why "$action must be retried: exit $rc" ;;
	*)	if warned_after_commit "$kind"; then
			[ "$(store_tars)" != "$before" ] ||
			    why "exit 0, but nothing was archived"
		else
			check_failed_run "$kind" "$action"
			# A failed catalogue keeps the sealed archive for the
			# next command to verify and adopt (a failed COMMIT
			# may yet be replayed from the WAL); it says so.
			[ "$(store_tars)" = "$before" ] ||
			    grep -q "will verify and catalogue it" "$W/err" ||
			    why "archive left in the store: $(store_tars | tr '\n' ' ')"
		fi ;;
	esac
	after_ingest "$before" "$dir" "$sum" "$flags" "$action"
}

# after_ingest BEFORE CASEDIR SUM FLAGS ACTION: the checks after a faulted
# ingest; BEFORE lists the archives the home held before it.
after_ingest() {
	local before=$1 dir=$2 sum=$3 flags=$4 action=$5 tars orphans t
	[ "$(tree_sum "$dir")" = "$sum" ] || why "the input directory changed"
	no_dangling_rows || why "catalog row without its archive file"
	# The next plain command recovers: removes temps, adopts orphans.
	tars=$(store_tars)
	orphans=$(comm -23 <(echo "$tars") <(cat_paths))
	t=$(store_other)
	# Opening a home looks only at pending intents: an archive published
	# but not catalogued must have one, or only a reconcile would find it.
	if [ -n "$orphans" ] && ! intents | grep -qx "$orphans"; then
		why "'$orphans' is in the store, uncatalogued, without an intent"
	fi
	plain list
	[ "$prc" -eq 0 ] || why "next 'list' exited $prc: $(head -c 300 "$W/perr")"
	if [ -n "$t" ] && ! grep -q "removed '.ingest-.*leftover" "$W/perr"; then
		why "next command did not report removing '$t'"
	fi
	if [ -n "$orphans" ] && ! grep -q "catalogued '$orphans'" "$W/perr"; then
		why "next command did not report adopting '$orphans'"
	fi
	agree || why "store and catalog disagree after recovery: store [$(ls -A "$ARHIIVAR_HOME/store" | tr '\n' ' ')] catalog [$(cat_paths | tr '\n' ' ')]"
	if [ "$rc" -eq 2 ] && [ "$(cat_paths)" != "$before" ] &&
	    ! grep -q "will verify and catalogue it" "$W/err"; then
		why "a failed ingest left a catalogued archive"
	fi
	if [ "$(cat_paths)" = "$before" ]; then
		plain ingest $flags "$dir"
		[ "$prc" -eq 0 ] || why "next plain ingest exited $prc: $(head -c 300 "$W/perr")"
	fi
	verify_all_ok
	[ "$(store_tars | wc -l)" -eq $(($(echo -n "$before" | grep -c .) + 1)) ] &&
	    agree ||
	    why "after the next ingest: store [$(ls -A "$ARHIIVAR_HOME/store" | tr '\n' ' ')] catalog [$(cat_paths | tr '\n' ' ')]"
	return 0
}
point_ingest() { ingest_point h0 "$W/case" "$SUM_CASE" "" "$@"; }
point_ingest_v2() { ingest_point h1 "$W/case2" "$SUM_CASE2" --new-version "$@"; }
point_ingest_big() { ingest_point h0 "$W/big" "$SUM_BIG" "" "$@"; }

# sqlio SYSCALL ERRNO[+kill] N: strace fails SQLite's Nth SYSCALL during an
# ingest; with +kill the process is also killed at its third arh_fsync_fd
# (the temporary directory's, after the rename): published, its intent
# pending, not yet catalogued (a crash in that window).
point_sqlio() {
	local sc=$1 action=$2 n=$3 e=${2%+kill} spec=""
	[ "$action" = "$e" ] || spec=fsync:3:kill
	reset_home h0
	label="strace -e inject=$sc:error=$e:when=$n${spec:+ with ARH_FAULT=$spec}"
	sfault "$sc:error=$e:when=$n" "$spec" ingest "$W/case"
	sfired || return 1
	case $rc in
	0|137)	;;
	2)	grep -q '^arhiivar: catalog' "$W/err" ||
		    why "message does not name the catalog: $(head -c 300 "$W/err")" ;;
	*)	why "exit $rc" ;;
	esac
	after_ingest "" "$W/case" "$SUM_CASE" "" "$action"
	return 0
}

# --- restore ---------------------------------------------------------------

# restore_point MODE KIND ACTION N; MODE new (-o FILE), force (--force over
# an old FILE), stdout (-o -) or copy (-o FILE from a bare copy of the
# archive outside the store: found by its tar headers, not the catalog).
restore_point() {
	local mode=$1 kind=$2 action=$3 n=$4 out="$W/o/vastus.txt" before ok_before given
	reset_home h1
	rm -rf "$W/o"
	mkdir "$W/o"
	before=$(events_of restore)
	ok_before=$(restores_ok)
	case $mode in
	new)	fault "$kind:$n:$action" restore -o "$out" 12-1/2024 \
		    12-1_8911-1/vastus.txt ;;
	force)	echo old >"$out"
		fault "$kind:$n:$action" restore --force -o "$out" 12-1/2024 \
		    12-1_8911-1/vastus.txt ;;
	stdout)	fault "$kind:$n:$action" restore -o - 12-1/2024 \
		    12-1_8911-1/vastus.txt ;;
	copy)	cp "$ARHIIVAR_HOME/store/$TAR1" "$W/copy.tar"
		fault "$kind:$n:$action" restore -o "$out" "$W/copy.tar" \
		    12-1_8911-1/vastus.txt ;;
	esac
	fired || return 1
	case $action in
	kill)	[ "$rc" -eq 137 ] || why "killed run exited $rc" ;;
	short)	[ "$rc" -eq 0 ] ||
		    why "a short write must be completed: exit $rc $(head -c 300 "$W/err")"
		case $mode in
		stdout)	cmp -s "$W/out" "$EXPECT" ;;
		*)	cmp -s "$out" "$EXPECT" ;;
		esac || why "the restored file differs after a short write" ;;
	*)	if [ "$rc" -eq 0 ]; then
			why "the fault was swallowed: restore exited 0"
			[ "$(events_of restore)" -gt "$before" ] ||
			    why "and its restore event was not recorded"
		else
			check_failed_run "$kind" "$action"
		fi ;;
	esac
	# Nothing partial under the output's name, nothing else beside it.
	case $mode in
	# (A failure after the rename, at the directory's fsync or the audit
	# event, may leave the complete, checked file: that is not partial.)
	new|copy)
		if [ -e "$out" ] && ! cmp -s "$out" "$EXPECT"; then
			why "partial output file '$out'"
		fi ;;
	force)	if ! cmp -s "$out" "$EXPECT" && [ "$(cat "$out")" != old ]; then
			why "'$out' is neither the old file nor the restored one"
		fi ;;
	stdout)	if [ "$rc" -eq 0 ] && ! cmp -s "$W/out" "$EXPECT"; then
			why "exit 0 with wrong standard output"
		fi ;;
	esac
	# No byte given without its event, whatever failed or was killed.
	case $mode in
	stdout)	given=0; [ -s "$W/out" ] && given=1 ;;
	*)	given=0; cmp -s "$out" "$EXPECT" && given=1 ;;
	esac
	if [ "$given" = 1 ] && [ "$(restores_ok)" -le "$ok_before" ]; then
		why "the file was given, but no restore event was committed first"
	fi
	# A --force restore killed between linking its checked file under a
	# temporary name and the rename leaves that name; the next --force
	# restore of the same output removes it.
	if [ "$mode" = force ] && [ "$action" = kill ]; then
		plain restore --force -o "$out" 12-1/2024 12-1_8911-1/vastus.txt
	fi
	if [ -n "$(ls -A "$W/o" | grep -v '^vastus\.txt$')" ]; then
		why "left beside the output: $(ls -A "$W/o" | grep -v '^vastus\.txt$' | tr '\n' ' ')"
	fi
	# The next restore works; the archive and catalog are as they were.
	plain restore -o "$W/o/next.txt" 12-1/2024 12-1_8911-1/vastus.txt
	[ "$prc" -eq 0 ] && cmp -s "$W/o/next.txt" "$EXPECT" ||
	    why "next restore exited $prc: $(head -c 300 "$W/perr")"
	verify_all_ok
	return 0
}
point_restore() { restore_point new "$@"; }

# A refusal is a definite no, and it is recorded, or the command fails.
point_restore_denied() {
	local kind=$1 action=$2 n=$3 before
	reset_home h1
	rm -rf "$W/o"
	mkdir "$W/o"
	before=$(events_of denial)
	fault "$kind:$n:$action" restore -o "$W/o/x.pdf" 12-1/2024 \
	    12-1_8910-1/õiend.pdf
	fired || return 1
	case $action in
	kill)	[ "$rc" -eq 137 ] || why "killed run exited $rc" ;;
	*)	if [ "$rc" -ne 1 ]; then
			check_failed_run "$kind" "$action"
		elif ! grep -q '^arhiivar: access denied' "$W/err"; then
			why "exit 1 (a definite no) for a fault: $(head -c 300 "$W/err")"
		elif [ "$(events_of denial)" -eq "$before" ] &&
		    ! grep -q 'could not be recorded' "$W/err"; then
			why "refused; the refusal was not recorded, and not said"
		fi ;;
	esac
	[ -z "$(ls -A "$W/o")" ] || why "output written: $(ls -A "$W/o")"
	plain restore -o "$W/o/x.pdf" 12-1/2024 12-1_8910-1/õiend.pdf
	[ "$prc" -eq 1 ] || why "next restore exited $prc, want 1 (denied)"
	return 0
}
point_restore_force() { restore_point force "$@"; }
point_restore_stdout() { restore_point stdout "$@"; }
point_restore_copy() { restore_point copy "$@"; }

# --- catalog rebuild -------------------------------------------------------

point_rebuild() {
	local kind=$1 action=$2 n=$3
	reset_home h2
	fault "$kind:$n:$action" catalog rebuild
	fired || return 1
	check_status "$kind" "$action"
	[ "$(cat_rows)" = "$ROWS_H2" ] ||
	    why "the catalog changed: $(diff <(echo "$ROWS_H2") <(cat_rows) | head -c 300)"
	plain catalog rebuild
	[ "$prc" -eq 0 ] || why "next rebuild exited $prc: $(head -c 300 "$W/perr")"
	[ "$(cat_rows)" = "$ROWS_H2" ] || why "the next rebuild's rows differ"
	verify_all_ok
	agree || why "store and catalog disagree"
	return 0
}

# --- file plan import --------------------------------------------------------

fileplans() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select version, seq, source, plan from fileplans order by seq'
}

# A file plan import under a fault: the version is added whole or not at
# all; the next plain import adds it (or says it is there already).
point_fileplan() {
	local kind=$1 action=$2 n=$3 before after
	reset_home h1
	before=$(fileplans)
	fault "$kind:$n:$action" fileplan import "$top/sample/fileplan.csv"
	fired || return 1
	check_status "$kind" "$action"
	after=$(fileplans)
	[ "$after" = "$before" ] || [ "$(echo "$after" | wc -l)" -eq \
	    "$(( $(echo "$before" | grep -c .) + 1 ))" ] ||
	    why "file plans half-imported: $(echo "$after" | head -c 200)"
	plain fileplan import "$top/sample/fileplan.csv"
	[ "$prc" -eq 0 ] || { [ "$prc" -eq 1 ] && grep -q "already" "$W/perr"; } ||
	    why "next import exited $prc: $(head -c 300 "$W/perr")"
	[ "$(fileplans | grep -c .)" -eq "$(( $(echo "$before" | grep -c .) + 1 ))" ] ||
	    why "not exactly one new version after the next import"
	verify_all_ok
	return 0
}

# --- submit ------------------------------------------------------------------

# What a case file holds, whatever the modes a copy was given.
content_sum() {
	( cd "$1" && find . -type d | sort && find . -type f -exec sha256sum {} + |
	    sort ) | sha256sum | cut -c1-64
}
inbox_items() { ls "$ARHIIVAR_HOME/inbox" 2>/dev/null | tr '\n' ' '; }

# A submit under a fault: the inbox holds the item whole or not at all (a
# fault after the rename leaves it whole; the daemon archives it once
# however often it is resubmitted); after an error no copy is left in
# .incoming/, after a kill one may be, which the daemon never reads; the
# next plain submit puts the case file in.
point_submit() {
	local kind=$1 action=$2 n=$3 items
	reset_home h0
	fault "$kind:$n:$action" submit --name s "$W/case"
	fired || return 1
	check_status "$kind" "$action"
	items=$(inbox_items)
	case $items in
	"") ;;
	"s ") [ "$(content_sum "$ARHIIVAR_HOME/inbox/s")" = "$SUM_CONTENT" ] ||
		why "the inbox item is not the whole case file" ;;
	*) why "the inbox holds [$items]" ;;
	esac
	if [ "$action" != kill ] && [ -n "$(ls -A "$ARHIIVAR_HOME/inbox/.incoming" 2>/dev/null)" ]; then
		why "a copy left in .incoming/: $(ls -A "$ARHIIVAR_HOME/inbox/.incoming")"
	fi
	plain submit --name s2 "$W/case"
	[ "$prc" -eq 0 ] && [ "$(content_sum "$ARHIIVAR_HOME/inbox/s2")" = "$SUM_CONTENT" ] ||
	    why "the next submit exited $prc: $(head -c 300 "$W/perr")"
	return 0
}

# --- upgrade ----------------------------------------------------------------

# The schema migration a package upgrade runs (`arhiivar init` in the
# postinst) under a fault: the catalog stays at schema 9 or is at 10 with
# its log whole (log_consistent, after every point), no event is lost, and
# the next plain init migrates it.
point_upgrade() {
	local kind=$1 action=$2 n=$3 v
	reset_home h9
	fault "$kind:$n:$action" init
	fired || return 1
	check_status "$kind" "$action"
	v=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'pragma user_version')
	[ "$v" = 9 ] || [ "$v" = 10 ] || why "schema $v after the fault"
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from events')" -ge "$EVENTS_H9" ] ||
	    why "events lost"
	plain init
	[ "$prc" -eq 0 ] || why "the next init exited $prc: $(head -c 300 "$W/perr")"
	v=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'pragma user_version')
	[ "$v" = 10 ] || why "schema $v after the next init"
	plain log verify
	[ "$prc" -eq 0 ] || why "log verify after the next init: $(head -c 300 "$W/perr")"
	verify_all_ok
	return 0
}

# --- disposition execute -----------------------------------------------------

list_status() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select status from disposals where id = 1'
}
tombstones() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from tombstones'
}
catalogued_due() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "select count(*) from archives where name = '1-2_2024.v1'"
}

# After a faulted execute: either nothing destroyed, or the catalog says
# destroyed (tombstone, no row) — never half of each.  The next plain
# execute finishes it: file gone, act sealed and archived, all verifies.
point_execute() {
	local kind=$1 action=$2 n=$3 st warned
	reset_home h3
	fault "$kind:$n:$action" disposition execute 1
	fired || return 1
	warned=0
	if [ "$action" != kill ] && warned_after_commit "$kind"; then
		warned=1
	else
		check_status "$kind" "$action"
	fi
	st=$(list_status)
	case "$st $(tombstones) $(catalogued_due)" in
	"proposed 0 1")
		[ -f "$ARHIIVAR_HOME/store/1-2_2024.v1.tar" ] ||
		    why "not destroyed in the catalog, but the file is gone" ;;
	"executing 1 0"|"executed 1 0") ;;
	*)	why "half-done catalog: status $st, $(tombstones) tombstones, $(catalogued_due) rows" ;;
	esac
	no_dangling_rows || why "a catalog row points at nothing"
	plain disposition execute 1
	# Killed after the act was recorded: nothing is left to do, and
	# executing it again is a definite no.
	if [ "$st" = executed ] && { [ "$action" != EIO ] || [ "$warned" = 1 ]; }; then
		[ "$prc" -eq 1 ] && grep -q "was executed on" "$W/perr" ||
		    why "execute of an executed list exited $prc: $(head -c 300 "$W/perr")"
	else
		[ "$prc" -eq 0 ] || why "next execute exited $prc: $(head -c 300 "$W/perr")"
	fi
	[ "$(list_status)" = executed ] || why "list is $(list_status) after the next execute"
	[ ! -e "$ARHIIVAR_HOME/store/1-2_2024.v1.tar" ] || why "the archive file survived"
	[ -z "$(ls -d "$ARHIIVAR_HOME"/.act-* 2>/dev/null)" ] || why "act working directory left"
	verify_all_ok
	agree || why "store and catalog disagree"
	return 0
}

# --- commands that are one catalog transaction -------------------------------

# Each of these changes the catalog in one transaction and touches no
# archive: a faulted run leaves the catalog as it was or as a clean run
# leaves it, never in between (compared by the row count of every table but
# events), and when it was left as it was, the next plain run does the job.
# Events are the exception: a verification (verify, and propose verifying
# its candidates) records one event per archive as it goes, each true when
# written, so a faulted run may leave some of them: between the counts
# before and after a clean run.  verify passes either way.
# TXN_CMD[name] is "BASEHOME ARGS...".
declare -A TXN_CMD TXN_BEFORE TXN_AFTER TXN_EV0 TXN_EV1
TXN_NAMES="hold release extend verify propose approve"

table_counts() {
	local t db="$ARHIIVAR_HOME/catalog.db"
	# The log's leaves and nodes follow the events (log_consistent()).
	for t in $(sqlite3 "$db" "select name from sqlite_master where type = 'table' and name not in ('events', 'log_leaves', 'log_nodes') order by name"); do
		printf '%s=%s ' "$t" "$(sqlite3 "$db" "select count(*) from \"$t\"")"
	done
}
event_count() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from events'
}

setup_txn() {
	local name
	cp -a "$W/hr" "$W/hh"
	ARHIIVAR_HOME="$W/hh" "$BIN" hold add 12-1/2024 --reason kohtuvaidlus \
	    --authority 'Harju Maakohus' >/dev/null || exit 2
	TXN_CMD[hold]="hr hold add 12-1/2024 --reason kohtuvaidlus --authority Maakohus"
	TXN_CMD[release]="hh hold release 1 --reason 'otsus jõustus'"
	TXN_CMD[extend]="hr access extend 12-1/8910-1 --until 2034-12-20 --reason 'menetlus kestab'"
	TXN_CMD[verify]="h2 verify --all"
	TXN_CMD[propose]="hp disposition propose"
	TXN_CMD[approve]="ha disposition approve 1"
	for name in $TXN_NAMES; do
		eval "set -- ${TXN_CMD[$name]}"
		reset_home "$1"
		TXN_BEFORE[$name]=$(table_counts)
		TXN_EV0[$name]=$(event_count)
		shift
		"$BIN" "$@" >/dev/null 2>"$W/perr" || {
			echo "torture: setup: '$*' failed: $(cat "$W/perr")" >&2
			exit 2
		}
		TXN_AFTER[$name]=$(table_counts)
		TXN_EV1[$name]=$(event_count)
		[ "${TXN_EV0[$name]}" -lt "${TXN_EV1[$name]}" ] || {
			echo "torture: setup: '$*' recorded no event" >&2
			exit 2
		}
	done
}

# txn_point NAME KIND ACTION N
txn_point() {
	local name=$1 kind=$2 action=$3 n=$4 st ev
	eval "set -- ${TXN_CMD[$name]}"
	reset_home "$1"
	shift
	fault "$kind:$n:$action" "$@"
	fired || return 1
	check_status "$kind" "$action"
	st=$(table_counts)
	ev=$(event_count)
	[ "$ev" -ge "${TXN_EV0[$name]}" ] && [ "$ev" -le "${TXN_EV1[$name]}" ] ||
	    why "$ev events, want ${TXN_EV0[$name]} to ${TXN_EV1[$name]}"
	if [ "${TXN_BEFORE[$name]}" = "${TXN_AFTER[$name]}" ]; then
		:	# events only (verify): checked above
	elif [ "$st" = "${TXN_AFTER[$name]}" ]; then
		# Done whole; a run that says it failed must not have done it.
		[ "$rc" -ne 2 ] ||
		    why "exit 2, but its change was committed: $(head -c 300 "$W/err")"
		[ "$ev" -eq "${TXN_EV1[$name]}" ] ||
		    why "committed without its event ($ev events)"
	elif [ "$st" = "${TXN_BEFORE[$name]}" ]; then
		plain "$@"
		[ "$prc" -eq 0 ] || why "next plain run exited $prc: $(head -c 300 "$W/perr")"
		[ "$(table_counts)" = "${TXN_AFTER[$name]}" ] ||
		    why "the next plain run left $(table_counts)"
	else
		why "half done: $st; before ${TXN_BEFORE[$name]}; after ${TXN_AFTER[$name]}"
	fi
	no_dangling_rows || why "a catalog row points at nothing"
	verify_all_ok
	agree || why "store and catalog disagree"
	return 0
}
for name in $TXN_NAMES; do
	eval "point_$name() { txn_point $name \"\$@\"; }"
done

# --- log checkpoint ------------------------------------------------------------

# A checkpoint is kept whole or not at all, signs only committed leaves
# (log_consistent), is printed only when kept; the next plain run makes it.
checkpoints() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from log_checkpoints'
}
point_checkpoint() {
	local kind=$1 action=$2 n=$3 c0 c
	if [ ! -d "$W/hc" ]; then
		cp -a "$W/h1" "$W/hc"
		ARHIIVAR_HOME="$W/hc" "$BIN" verify --all >/dev/null || exit 2
	fi
	reset_home hc
	c0=$(checkpoints)
	fault "$kind:$n:$action" log checkpoint
	fired || return 1
	check_status "$kind" "$action"
	c=$(checkpoints)
	if [ "$c" -eq "$c0" ]; then
		[ ! -s "$W/out" ] || why "printed a checkpoint it did not keep"
		plain log checkpoint
		[ "$prc" -eq 0 ] || why "next plain run exited $prc: $(head -c 300 "$W/perr")"
		[ "$(checkpoints)" -eq $((c0 + 1)) ] ||
		    why "the next plain run left $(checkpoints) checkpoints"
	elif [ "$c" -eq $((c0 + 1)) ]; then
		[ "$rc" -ne 2 ] ||
		    why "exit 2, but the checkpoint was kept: $(head -c 300 "$W/err")"
	else
		why "$c checkpoints, want $c0 or $((c0 + 1))"
	fi
	return 0
}

# --- register import -----------------------------------------------------------

# The record folder appears whole or not at all; nothing else is left in
# the case directory; the next plain import succeeds.
point_register() {
	local kind=$1 action=$2 n=$3 d="$W/reg" rec="$W/reg/12-1_8909-1" left
	rm -rf "$d"
	cp -r "$top/sample/case-12-1-2024" "$d"
	fault "$kind:$n:$action" register import -C "$d" \
	    "$top/sample/register-entry-12-1-8909-1.txt"
	fired || return 1
	check_status "$kind" "$action"
	if [ -e "$rec" ]; then
		diff -rq "$rec" "$W/case/12-1_8909-1" >/dev/null ||
		    why "a partial record folder: $(ls -A "$rec" | tr '\n' ' ')"
		[ "$rc" -ne 2 ] || why "exit 2, but the record folder was made"
	else
		# A killed import leaves its temporary folder; the next
		# import removes it and says so.
		left=$(ls -A "$d" | grep '^\.tmp-import-')
		plain register import -C "$d" \
		    "$top/sample/register-entry-12-1-8909-1.txt"
		[ "$prc" -eq 0 ] || why "next import exited $prc: $(head -c 300 "$W/perr")"
		diff -rq "$rec" "$W/case/12-1_8909-1" >/dev/null ||
		    why "the next import's record folder differs"
		[ -z "$left" ] || grep -q "removed 1 leftover of an interrupted import" "$W/perr" ||
		    why "the next import did not report removing $left"
	fi
	[ "$(ls -A "$d" | sort)" = "$(ls -A "$W/case" | sort)" ] ||
	    why "left in the case directory: $(comm -13 <(ls -A "$W/case" | sort) <(ls -A "$d" | sort) | tr '\n' ' ')"
	return 0
}

# --- read errors -------------------------------------------------------------

# rfault FILE SYSCALL N ARGS...: the CLI under strace, the Nth read or
# pread64 of FILE (only: -P) failing with EIO.  Sets rc, $W/out, $W/err.
rfault() {
	local file=$1 sc=$2 n=$3
	shift 3
	rm -f "$W/strace"
	label="strace -P $(basename "$file") -e inject=$sc:error=EIO:when=$n"
	( ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 strace -f -qq \
	    -o "$W/strace" -P "$file" -e trace=read,pread64 \
	    -e inject="$sc:error=EIO:when=$n" \
	    "$BIN" "$@" >"$W/out" 2>"$W/err"; exit $? ) 2>/dev/null
	rc=$?
}

# A read error is the system's fault, never a verdict: exit 2 and the read
# named, not "FAILED" (1) and not "OK" (0).
read_failed() {
	[ "$rc" -eq 2 ] || why "exit $rc, want 2: $(head -c 300 "$W/out" "$W/err")"
	grep -q "^arhiivar: .*cannot read.*Input/output error" "$W/err" ||
	    why "message does not name the read: $(head -c 300 "$W/err")"
}

TAR1=12-1_2024.v1.tar

point_rverify() {
	local sc=$1 n=$3
	reset_home h1
	rfault "$ARHIIVAR_HOME/store/$TAR1" "$sc" "$n" verify 12-1/2024
	sfired || return 1
	read_failed
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select result from events
	    where kind = 'verify' order by id desc limit 1")" = error ] ||
	    why "the verify event does not say 'error'"
	verify_all_ok
	return 0
}

point_rrestore() {
	local sc=$1 n=$3
	reset_home h1
	rm -rf "$W/o"
	mkdir "$W/o"
	rfault "$ARHIIVAR_HOME/store/$TAR1" "$sc" "$n" restore -o \
	    "$W/o/vastus.txt" 12-1/2024 12-1_8911-1/vastus.txt
	sfired || return 1
	read_failed
	[ -z "$(ls -A "$W/o")" ] || why "left in the output directory: $(ls -A "$W/o")"
	plain restore -o "$W/o/vastus.txt" 12-1/2024 12-1_8911-1/vastus.txt
	[ "$prc" -eq 0 ] && cmp -s "$W/o/vastus.txt" "$EXPECT" ||
	    why "next restore exited $prc: $(head -c 300 "$W/perr")"
	return 0
}

# A read error in a bare copy, at its header scan or its members: exit 2,
# nothing written.
point_rrestore_copy() {
	local sc=$1 n=$3
	reset_home h1
	rm -rf "$W/o"
	mkdir "$W/o"
	cp "$ARHIIVAR_HOME/store/$TAR1" "$W/copy.tar"
	rfault "$W/copy.tar" "$sc" "$n" restore -o "$W/o/vastus.txt" \
	    "$W/copy.tar" 12-1_8911-1/vastus.txt
	sfired || return 1
	read_failed
	[ -z "$(ls -A "$W/o")" ] || why "left in the output directory: $(ls -A "$W/o")"
	return 0
}

# A member of 8 MiB, read in many blocks: a failed read of its data (not
# only of its header) must be exit 2 too, never "truncated in the archive".
point_rrestore_big() {
	local sc=$1 n=$3
	reset_home hb
	rm -rf "$W/o"
	mkdir "$W/o"
	rfault "$ARHIIVAR_HOME/store/$TAR1" "$sc" "$n" restore -o "$W/o/osa.bin" \
	    12-1/2024 12-1_8911-1/osa-1.bin
	sfired || return 1
	read_failed
	[ -z "$(ls -A "$W/o")" ] || why "left in the output directory: $(ls -A "$W/o")"
	return 0
}

point_rrebuild() {
	local sc=$1 n=$3
	reset_home h2
	rfault "$ARHIIVAR_HOME/store/$TAR1" "$sc" "$n" catalog rebuild
	sfired || return 1
	read_failed
	[ "$(cat_rows)" = "$ROWS_H2" ] || why "the catalog changed"
	plain catalog rebuild
	[ "$prc" -eq 0 ] || why "next rebuild exited $prc: $(head -c 300 "$W/perr")"
	verify_all_ok
	return 0
}

# A record file of the case directory that cannot be read.
point_ringest() {
	local sc=$1 n=$3
	reset_home h0
	rfault "$W/case/12-1_8911-1/vastus.txt" "$sc" "$n" ingest "$W/case"
	sfired || return 1
	read_failed
	[ -z "$(store_tars)" ] || why "archive published: $(store_tars)"
	after_ingest "" "$W/case" "$SUM_CASE" "" EIO
	return 0
}

# --- dedicated checks ------------------------------------------------------

# A failed fsync of the archive is fatal and never retried.
fsync_is_final() {
	local key="ingest fsync:1 fatal-once"
	reasons=""
	reset_home h0
	fault fsync:1 ingest "$W/case"
	[ "$rc" -eq 2 ] || why "exit $rc"
	grep -q "^arhiivar: cannot fsync '.ingest-.*\.tmp': Input/output error" \
	    "$W/err" || why "not the archive's fsync: $(cat "$W/err")"
	[ "$(calls fsync)" = 1 ] ||
	    why "fsync called $(calls fsync) times: retried after the failure"
	[ "$(calls rename)" = 0 ] || why "renamed after a failed fsync"
	[ -z "$(store_tars)" ] || why "archive published: $(store_tars)"
	rows_order+=("$key")
	tried[$key]=1
	found[$key]=0
	if [ -z "$reasons" ]; then
		passed=$((passed + 1))
		echo "ok - ingest ARH_FAULT=fsync:1: fatal, one fsync call, not published"
	else
		failed=$((failed + 1))
		found[$key]=1
		failures+=("fsync is final: $reasons")
		echo "not ok - ingest ARH_FAULT=fsync:1: $reasons"
	fi
}

# The recovery path, point by point: killed after the intent is committed
# and before the rename (rename:1), after the rename (the store's fsync,
# fsync:2; the temporary directory's, fsync:3).  Before the next command
# exactly one intent is pending; the next command adopts the archive or
# cleans the temporary file, and reports it; then store, catalog and
# intents agree.
intent_points() {
	local spec note key="ingest recovery intents"
	row "$key"
	for spec in rename:1:kill:leftover fsync:2:kill:catalogued \
	    fsync:3:kill:catalogued; do
		reasons=""
		note=${spec##*:}
		spec=${spec%:*}
		reset_home h0
		fault "$spec" ingest "$W/case"
		[ "$rc" -eq 137 ] || why "killed run exited $rc"
		[ "$(intents)" = 12-1_2024.v1.tar ] ||
		    why "pending intents [$(intents | tr '\n' ' ')], want the archive's"
		plain list
		[ "$prc" -eq 0 ] || why "next 'list' exited $prc"
		case $note in
		leftover) grep -q "removed '.ingest-.*leftover" "$W/perr" ||
			why "next command did not remove the temporary file" ;;
		catalogued) grep -q "catalogued '12-1_2024.v1.tar'" "$W/perr" ||
			why "next command did not adopt the archive" ;;
		esac
		agree || why "after recovery: store [$(ls -A "$ARHIIVAR_HOME/store" | tr '\n' ' ')] catalog [$(cat_paths | tr '\n' ' ')] intents [$(intents | tr '\n' ' ')]"
		verify_all_ok
		label="ARH_FAULT=$spec, then the next command"
		tried[$key]=$((tried[$key] + 1))
		if [ -z "$reasons" ]; then
			passed=$((passed + 1))
			echo "ok - intent recovery $label"
		else
			failed=$((failed + 1))
			found[$key]=$((found[$key] + 1))
			failures+=("intent recovery $label: $reasons")
			echo "not ok - intent recovery $label: $reasons"
		fi
	done
	label=""
}

# Counts are reproducible: two clean runs make the same calls.
reproducible() {
	local a b key="ingest counts reproducible"
	reset_home h0
	fault write:999999 ingest "$W/big"
	a=$(grep '^calls' "$W/report")
	reset_home h0
	fault write:999999 ingest "$W/big"
	b=$(grep '^calls' "$W/report")
	BIG_WRITES=$(calls write)
	rows_order+=("$key")
	tried[$key]=1
	found[$key]=0
	echo "# clean ingest of the big case: $b"
	if [ "$a" = "$b" ] && [ "${BIG_WRITES:-0}" -ge 50 ]; then
		passed=$((passed + 1))
		echo "ok - counts reproducible, $BIG_WRITES write points in the crash-loop case"
	else
		failed=$((failed + 1))
		found[$key]=1
		failures+=("calibration: '$a' vs '$b' (need >= 50 writes)")
		echo "not ok - calibration: '$a' vs '$b' (need >= 50 writes)"
	fi
}

# --- the daemon --------------------------------------------------------------
#
# arhiivard ingests inbox items in a worker process (arhiivard -W ingest
# ITEM) that it exec's with its own environment: a daemon started with
# ARH_FAULT set passes the fault to every worker.  The daemon's own process
# makes no write, fsync, rename or open call of the hook (it only reads the
# catalog and looks at directories), so a fault of those kinds fires in the
# ingest worker, at the same call every run.  The item is submitted before
# the daemon starts (the inbox is the queue) and nothing talks to the
# control socket during a faulted run; every state is polled for.

DBIN="$top/$build/arhiivard"
DPID=""
DREP=""		# the fault report of the daemon's run (inside the home:
		# the sandbox lets it write nowhere else)

# dpoll SECONDS CMD...: run CMD every 20 ms until it succeeds.
dpoll() {
	local limit=$(($1 * 50)) i=0
	shift
	until "$@" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -ge "$limit" ] && return 1
		sleep 0.02
	done
}

# dstart [SPEC]: the daemon on $ARHIIVAR_HOME in the background, with
# ARH_FAULT=SPEC; its log goes to $W/dlog.  LeakSanitizer's ptrace is
# denied by the daemon's sandbox: no leak check in the daemon.
dstart() {
	DREP="$ARHIIVAR_HOME/run/fault-report"
	rm -f "$DREP"
	ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 ARH_FAULT=${1:-} \
	    ARH_FAULT_REPORT=${1:+$DREP} "$DBIN" -H "$ARHIIVAR_HOME" \
	    >/dev/null 2>>"$W/dlog" &
	DPID=$!
}

# The daemon has exited (gone, or a zombie not yet reaped).
dgone() {
	local s
	s=$(ps -o stat= -p "$DPID" 2>/dev/null)
	[ -z "$s" ] || [ "${s#Z}" != "$s" ]
}

# dreap: reap the daemon; sets drc.
dreap() {
	wait "$DPID" 2>/dev/null
	drc=$?
	DPID=""
}

# dstop: SIGTERM, and the daemon must be gone within 10 s with status 0;
# sets dstop_ms.
dstop() {
	local t0=$EPOCHREALTIME
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	if ! dpoll 10 dgone; then
		why "daemon still running 10 s after SIGTERM"
		kill -KILL "$DPID" 2>/dev/null
	fi
	dreap
	dstop_ms=$(awk -v a="$t0" -v b="$EPOCHREALTIME" \
	    'BEGIN { printf "%d", (b - a) * 1000 }')
	[ "$drc" -eq 0 ] || why "daemon exited $drc after SIGTERM"
}

dkill() {
	kill -KILL "$DPID" 2>/dev/null
	dreap
}

no_worker() { ! pgrep -f -- "-H $ARHIIVAR_HOME -W" >/dev/null; }
dfired() { grep -q '^fired ' "$DREP" 2>/dev/null; }
dlogged() { grep -q -- "$1" "$W/dlog"; }
narchives() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from archives'
}
ingests_ok() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" \
	    "select count(*) from events where kind = 'ingest' and result = 'ok'"
}
# The item's outcome is in the daemon's log (loop.c's ingest_done, reap).
item_settled() {
	dlogged "inbox item '$1' archived as" ||
	    dlogged "inbox item '$1' not archived" ||
	    dlogged "inbox item '$1' quarantined" ||
	    dlogged "the worker for $1 ended without a result"
}
# The items of inbox/, done/ or quarantine/ (not submit's .incoming).
in_dir() { ls "$ARHIIVAR_HOME/$1" 2>/dev/null | tr '\n' ' '; }
# The daemon answers on its control socket (only when no fault is set:
# the answer would be one more call of the hook).
dready() {
	echo '{"op":"status"}' |
	    socat - "UNIX-CONNECT:$ARHIIVAR_HOME/run/arhiivard.sock" 2>/dev/null |
	    grep -q '"up":true'
}
# The events that record an archive's arrival: its ingest, or, when a
# crash fell between publishing the archive and cataloguing it, its
# adoption by the next open of the home (a 'recovery' event, actor
# arhiivard).
arrivals() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "select count(*) from events
	    where kind in ('ingest', 'recovery') and result = 'ok'"
}
# No sanitizer report and no crash of the daemon or a worker.
dlog_clean() {
	! grep -Eq 'Sanitizer|runtime error:|bad ARH_FAULT' "$W/dlog" ||
	    why "daemon log: $(grep -E -m1 'Sanitizer|runtime error:|bad ARH_FAULT' "$W/dlog")"
}

# archived_once ITEM: after a restart without faults the item was archived
# exactly once and everything agrees.
archived_once() {
	local item=$1 t
	[ "$(in_dir done)" = "$item " ] || why "done/ holds [$(in_dir done)], want $item"
	[ -z "$(in_dir inbox)" ] || why "inbox not empty: [$(in_dir inbox)]"
	[ -z "$(in_dir quarantine)" ] || why "quarantine: [$(in_dir quarantine)]"
	[ "$(narchives)" = 1 ] || why "$(narchives) archives catalogued, want 1"
	[ "$(store_tars | wc -l)" -eq 1 ] ||
	    why "store holds [$(store_tars | tr '\n' ' ')], want one archive"
	t=$(ls -A "$ARHIIVAR_HOME/store/.tmp" 2>/dev/null)
	[ -z "$t" ] || why "left in store/.tmp: $t"
	agree || why "store and catalog disagree: store [$(ls -A "$ARHIIVAR_HOME/store" | tr '\n' ' ')] catalog [$(cat_paths | tr '\n' ' ')] intents [$(intents | tr '\n' ' ')]"
	[ "$(arrivals)" = 1 ] ||
	    why "$(arrivals) 'ingest'/'recovery' ok events, want 1"
	if [ "$(ingests_ok)" != 1 ]; then
		[ "$(ingests_ok)" = 0 ] && [ "$(arrivals)" = 1 ] &&
		    RECOVERED+=("${label%% in the*}") ||
		    why "$(ingests_ok) 'ingest ok' events, want 1"
	fi
	verify_all_ok
	plain catalog reconcile
	[ "$prc" -eq 0 ] && grep -q 'the store and the catalog agree' "$W/pout" ||
	    why "catalog reconcile exited $prc: $(head -c 300 "$W/pout" "$W/perr")"
}

# restart_archives ITEM: the daemon without faults archives ITEM, then
# stops on SIGTERM with status 0.
restart_archives() {
	dstart
	dpoll 20 dready || why "the daemon did not answer within 20 s"
	dpoll 60 test -d "$ARHIIVAR_HOME/done/$1" ||
	    why "not archived 60 s after the restart: inbox [$(in_dir inbox)] quarantine [$(in_dir quarantine)]"
	dstop
	archived_once "$1"
	dlog_clean
}

# hd: the daemon's home: no API, no audits (an audit worker would inherit
# the fault too), a records manager (quarantine retry).
setup_daemon() {
	cp -a "$W/h0" "$W/hd"
	sed -i 's/^#listen = 127.0.0.1:8470/listen = off/' "$W/hd/arhiivar.conf"
	printf '[audit]\ndays = 0\n[roles]\nrecords-manager = user:%s\n' \
	    "$(id -un)" >>"$W/hd/arhiivar.conf"
}

# dfault_run SPEC ITEM CASEDIR: ITEM submitted, the daemon started with
# ARH_FAULT=SPEC; returns 1 when the ingest went untouched (the daemon is
# then stopped).  Leaves the daemon running otherwise.
dfault_run() {
	local spec=$1 item=$2 dir=$3
	reset_home hd
	: >"$W/dlog"
	plain submit --name "$item" "$dir"
	[ "$prc" -eq 0 ] || { why "submit exited $prc: $(cat "$W/perr")"; return 0; }
	dstart "$spec"
	if ! dpoll 30 eval "dfired || [ -d '$ARHIIVAR_HOME/done/$item' ]"; then
		why "neither fired nor archived in 30 s"
		return 0
	fi
	if ! dfired; then
		dstop
		return 1
	fi
	return 0
}

# (a) the ingest worker killed at the Nth call of KIND, then the daemon
# killed with SIGKILL (a crash of the machine at that call, as far as the
# disk goes); a restart without faults archives the item exactly once.
# daemon_kill_point ITEM CASEDIR KIND ACTION N
daemon_kill_point() {
	local item=$1 dir=$2 kind=$3 n=$5
	label="ARH_FAULT=$kind:$n:kill in the ingest worker of '$item', kill -9 of the daemon, restart"
	dfault_run "$kind:$n:kill" "$item" "$dir" || return 1
	[ -n "$DPID" ] || return 0
	dpoll 10 eval '! pgrep -f -- "-H $ARHIIVAR_HOME -W ingest" >/dev/null' ||
	    why "the killed worker is still there"
	dkill
	dpoll 10 no_worker || why "a worker outlived the daemon"
	# Before the restart: never a catalogued row without its archive.
	no_dangling_rows || why "catalog row without its archive file"
	restart_archives "$item"
	return 0
}
point_daemon_kill() { daemon_kill_point item "$W/case" "$@"; }
# The big case: killed in the middle of writing its BIG_MB MiB archive.
point_daemon_kill_big() { daemon_kill_point big "$W/big" "$@"; }

# (b) an I/O error at the Nth call of KIND in the ingest worker: the item
# stays in the inbox (transient) or is quarantined, nothing is archived or
# left half-made; a restart without faults archives it.
point_daemon_io() {
	local kind=$1 action=$2 n=$3 where t
	label="ARH_FAULT=$kind:$n:$action in the ingest worker, restart"
	dfault_run "$kind:$n:$action" item "$W/case" || return 1
	[ -n "$DPID" ] || return 0
	dpoll 30 item_settled item || why "no outcome logged for the item in 30 s"
	dpoll 10 no_worker || why "the worker did not end"
	dstop
	where=""
	[ -d "$ARHIIVAR_HOME/inbox/item" ] && where="inbox"
	[ -d "$ARHIIVAR_HOME/quarantine/item" ] && where="$where quarantine"
	[ -d "$ARHIIVAR_HOME/done/item" ] && where="$where done"
	where=${where# }
	# Never half-made: no temporary file left, no row without its
	# archive, no archive without its row unless an intent names it.
	[ -z "$(store_other)" ] || why "left in the store: $(store_other | tr '\n' ' ')"
	no_dangling_rows || why "catalog row without its archive file"
	for t in $(comm -23 <(store_tars) <(cat_paths)); do
		intents | grep -qx "$t" ||
		    why "'$t' is in the store, uncatalogued, without an intent"
	done
	if [ "$(narchives)" = 0 ]; then
		# Failed before the catalogue's commit: not archived.
		case $where in
		inbox|quarantine) ;;
		*) why "not archived, and the item is in [$where], want inbox or quarantine" ;;
		esac
		[ "$(ingests_ok)" = 0 ] || why "an 'ingest ok' event for a failed ingest"
	else
		# Failed after the commit (the move to done/, the result line
		# to the daemon): archived whole, and the item is not lost.
		AFTER_COMMIT+=("$kind:$n:$action")
		case $where in
		inbox|done) ;;
		*) why "archived, and the item is in [$where]" ;;
		esac
		[ "$(narchives)" = 1 ] && [ "$(ingests_ok)" = 1 ] ||
		    why "$(narchives) archives, $(ingests_ok) 'ingest ok' events"
		verify_all_ok
	fi
	dlog_clean
	if [ "$where" = " quarantine" ]; then
		QUARANTINED+=("$kind:$n:$action")
		dstart
		dpoll 20 eval '"$BIN" quarantine retry item >/dev/null 2>"$W/perr"' ||
		    why "quarantine retry failed: $(head -c 300 "$W/perr")"
		dpoll 60 test -d "$ARHIIVAR_HOME/done/item" ||
		    why "not archived after the retry"
		dstop
		archived_once item
		dlog_clean
	else
		restart_archives item
	fi
	return 0
}

# (c) SIGTERM while the big case is being written (its temporary file in
# store/.tmp has reached BYTES bytes): the daemon stops the worker and
# exits 0 within 10 s; the item stays in the inbox; the next start
# archives it once.
daemon_term() {
	local bytes=$1 sz
	reasons=""
	label="SIGTERM while the ingest's temporary file has $bytes+ bytes, restart"
	reset_home hd
	: >"$W/dlog"
	plain submit --name big "$W/big"
	dstart
	tmpsize() {
		sz=$(find "$ARHIIVAR_HOME/store/.tmp" -type f -printf '%s\n' 2>/dev/null | head -n 1)
		[ "${sz:-0}" -ge "$bytes" ]
	}
	if ! dpoll 60 tmpsize; then
		why "no temporary file of $bytes bytes in 60 s (done [$(in_dir done)])"
	fi
	dstop
	echo "# SIGTERM at $sz bytes: the daemon exited in $dstop_ms ms"
	dpoll 10 no_worker || why "a worker outlived the daemon"
	[ -d "$ARHIIVAR_HOME/inbox/big" ] ||
	    why "the item is not in the inbox after SIGTERM (done [$(in_dir done)])"
	no_dangling_rows || why "catalog row without its archive file"
	[ "$(ingests_ok)" = 0 ] || why "an 'ingest ok' event for an abandoned ingest"
	restart_archives big
	finish_point daemon_term SIGTERM during-ingest "$bytes"
	label=""
}

daemon_torture() {
	local kind t0=$(date +%s)
	# TORTURE_ONLY=daemon: all of them; or daemon_kill, daemon_kill_big,
	# daemon_io, daemon_term.
	if [[ " ${TORTURE_ONLY:-} " == *" daemon "* ]]; then
		TORTURE_ONLY="$TORTURE_ONLY daemon_kill daemon_kill_big daemon_io daemon_term"
	fi
	if [ -n "${TORTURE_ONLY:-}" ] && [[ " $TORTURE_ONLY " != *" daemon_"* ]]; then
		return 0
	fi
	if [ ! -x "$DBIN" ]; then
		echo "# skip the daemon: no $DBIN"
		return 0
	fi
	QUARANTINED=()
	AFTER_COMMIT=()
	RECOVERED=()
	setup_daemon
	for kind in write fsync rename open; do
		loop daemon_kill "$kind" kill
	done
	loop daemon_kill_big write kill 8
	for kind in write:EIO write:ENOSPC fsync:EIO rename:EIO open:EIO; do
		loop daemon_io "${kind%%:*}" "${kind#*:}"
	done
	if [ -z "${TORTURE_ONLY:-}" ] || [[ " $TORTURE_ONLY " == *" daemon_term "* ]]; then
		daemon_term 1
		daemon_term $((BIG_MB * 1048576 / 2))
	fi
	[ "${#QUARANTINED[@]}" -eq 0 ] ||
	    echo "# quarantined (not left in the inbox) after: ${QUARANTINED[*]}"
	[ "${#AFTER_COMMIT[@]}" -eq 0 ] ||
	    echo "# the fault struck after the catalogue's commit (archived whole): ${AFTER_COMMIT[*]}"
	[ "${#RECOVERED[@]}" -eq 0 ] ||
	    echo "# the archive was adopted at the restart (a 'recovery' event, no 'ingest' event): ${RECOVERED[*]}"
	echo "# the daemon's cases: $(( $(date +%s) - t0 )) seconds"
}

# --- main ------------------------------------------------------------------

start=$(date +%s)
echo "# torture: $BIN, work directory $W"
setup
reproducible
fsync_is_final
intent_points
for kind in write fsync rename open malloc sqlite; do
	case $kind in
	malloc)	actions="ENOMEM" ;;
	write)	actions="EIO ENOSPC EINTR" ;;
	*)	actions="EIO ENOSPC" ;;
	esac
	for action in $actions; do
		loop ingest "$kind" "$action"
	done
	loop ingest "$kind" kill
	loop ingest_v2 "$kind" "${actions%% *}"
	loop ingest_v2 "$kind" kill
	for action in ${actions%% *} kill; do
		loop restore "$kind" "$action"
		loop restore_force "$kind" "$action"
		loop restore_stdout "$kind" "$action"
		loop restore_copy "$kind" "$action"
		loop restore_denied "$kind" "$action"
		loop rebuild "$kind" "$action"
		loop execute "$kind" "$action"
		loop fileplan "$kind" "$action"
		loop register "$kind" "$action"
		loop checkpoint "$kind" "$action"
		loop submit "$kind" "$action"
		loop upgrade "$kind" "$action"
		for name in $TXN_NAMES; do
			loop "$name" "$kind" "$action"
		done
	done
done
# A short write (part of the bytes, as a pipe or a signal gives): the
# writer must write the rest; the result is complete and verifies.
for scen in ingest ingest_v2 restore restore_force restore_stdout \
    restore_copy execute register submit; do
	loop "$scen" write short
done
loop ingest_big write short 4
loop execute unlink EIO
loop execute unlink kill
# The crash loop: SIGKILL at every write of a BIG_MB MiB ingest, and at
# every other hooked call of it; errors at every write.
for kind in write fsync rename open; do
	loop ingest_big "$kind" kill
done
loop ingest_big write EIO 4
# Read errors on an archive in the store and on an input file (strace -P).
if strace -f -qq -o /dev/null -P /dev/null -e trace=read \
    -e inject=read:error=EIO:when=1 true 2>/dev/null; then
	for scen in rverify rrestore rrestore_copy rrebuild ringest; do
		loop "$scen" read EIO
		loop "$scen" pread64 EIO
	done
	loop rrestore_big pread64 EIO 16
else
	echo "# skip read errors: strace cannot inject faults here"
fi
# Faults inside SQLite's own I/O, where the hook cannot reach (strace).
if strace -f -qq -o /dev/null -e trace=fdatasync \
    -e inject=fdatasync:error=EIO:when=1 true 2>/dev/null; then
	for sc in fdatasync:EIO pwrite64:ENOSPC; do
		loop sqlio "${sc%%:*}" "${sc#*:}"
		loop sqlio "${sc%%:*}" "${sc#*:}+kill"
	done
else
	echo "# skip sqlio: strace cannot inject faults here"
fi

# The daemon: kill -9 at every hooked call of an inbox ingest, I/O errors,
# SIGTERM in the middle of one.
daemon_torture

echo "#"
printf '# %-15s %-9s %-11s %6s %8s\n' scenario kind action points failures
for key in "${rows_order[@]}"; do
	read -r s k a <<<"$key"
	printf '# %-15s %-9s %-11s %6d %8d\n' "$s" "$k" "$a" "${tried[$key]}" \
	    "${found[$key]}"
done
for f in "${failures[@]}"; do
	echo "# FAILED: $f"
done
echo "# $(( $(date +%s) - start )) seconds"
if [ "$failed" -eq 0 ]; then
	chmod -R u+w "$W" 2>/dev/null
	rm -rf "$W"
else
	echo "# kept $W (failed-N-home: the home after each failing point)"
	echo "# reproduce one point: ARHIIVAR_HOME=... ARH_FAULT=KIND:N:ACTION $BIN ..."
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
