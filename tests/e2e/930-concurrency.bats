#!/usr/bin/env bats
# Concurrency: N=10 arhiivar processes at a time against one home, for
# CONCURRENCY_SECONDS (default 10 here; the long run the issue asks for is
#
#     CONCURRENCY_SECONDS=60 bats tests/e2e/930-concurrency.bats
#
# ).  Workers mix ingests of different case files (workers 0-7 each own one
# case file, 12-1/2001..2008: they ingest it once, then again only with
# --new-version; workers 8 and 9 re-ingest 12-1/2024, archived before the
# start, which must be refused with "is already archived"), verifies, restores of public files (to distinct output files and to
# stdout), refused restores of an internal-use file, list, show, find and
# events.  Every command's exit status and stderr are logged.  Afterwards:
# no unexpected failure, no "database is locked"/"busy", every successful
# ingest, verify and restore (and every refusal) has exactly its event in the
# catalog, verify --all passes, and the store holds no temporary file.
# Only bash, coreutils and sqlite3; no sleeps: a deadline and `wait`.
load helpers

: "${CONCURRENCY_SECONDS:=10}"
NWORKERS=10
NCASES=8

# make_cases: $T/cases/c01..c08, copies of the sample case (register entry
# imported) as case files 12-1/2001..12-1/2008 with record references
# 12-1/NN89xx-1, so that every case is a different case file.
make_cases() {
	local nn d
	mkdir -p "$T/cases"
	for nn in $(seq -f %02.0f 1 $NCASES); do
		d="$T/cases/c$nn"
		cp -r "$CASE" "$d"
		sed -i "s|12-1/2024|12-1/20$nn|g" "$d/case.json" "$d"/*/record.json
		sed -i "s|12-1/89|12-1/${nn}89|g" "$d"/*/record.json
	done
}

# now: seconds since the epoch, without a fork.
now() { printf -v NOW '%(%s)T' -1; }

# worker I DEADLINE: loop over a mix of commands until DEADLINE.  Logs, in
# $T/w$I.log, one line per command: OP RC VERDICT EVENTS MS, where VERDICT
# is ok, refused (an expected definite no) or UNEXPECTED, EVENTS the number
# of events the command should have recorded and MS how long it took.
# Every stderr goes to $T/w$I.stderr; the details of unexpected results to
# $T/w$I.unexpected; any "locked"/"busy" in stdout to $T/w$I.busy.
worker() {
	trap - ERR
	set +eE
	local i=$1 deadline=$2 k=0 kind rc verdict ev op ref casedir own=0
	local W="$T/w$i" out="$T/w$i.out" err="$T/w$i.err"
	local log="$T/w$i.log" ingested=0 nn ms
	local vastus="$CASE/12-1_8911-1/vastus.txt"
	local tekst="$CASE/12-1_8909-1/tekst.txt"
	local vsum
	mkdir -p "$W"
	vsum=$(sha256sum "$vastus" | cut -c1-64)
	if [ "$i" -lt $NCASES ]; then
		own=1
		nn=$(printf '%02d' $((i + 1)))
		casedir="$T/cases/c$nn"
		ref="12-1/20$nn"
	else
		casedir=$CASE		# archived before the workers start
		ref="12-1/2024"
	fi
	local ops=(ingest verify restore list show restore_stdout find
	    restore_denied events verify show_json restore find_ref
	    events_json list_json verify_all)

	# run KIND EXPECT ARGS...: run one command, judge and log it.
	# EXPECT: 0 (must succeed) or a string a refusal (exit 1) must
	# contain on stderr.
	run_one() {
		local kind=$1 expect=$2
		shift 2
		local t0=${EPOCHREALTIME/./}
		rc=0
		arh "$@" >"$out" 2>"$err" || rc=$?
		ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
		verdict=ok ev=0
		if [ "$expect" = 0 ]; then
			[ $rc = 0 ] || unexpected "exit status $rc"
		elif [ $rc = 1 ] && grep -qF -- "$expect" "$err"; then
			verdict=refused
		else
			unexpected "exit status $rc, expected ${expect}"
		fi
		{ echo "### $k $kind rc=$rc $*"; cat "$err"; } >>"$T/w$i.stderr"
		grep -iE 'locked|busy' "$out" >>"$T/w$i.busy"
	}
	unexpected() {
		verdict=UNEXPECTED
		{ echo "### worker $i, command $k: $kind, exit $rc: $*"
		  echo "--- stdout:"; head -c 2000 "$out"
		  echo "--- stderr:"; cat "$err"; } >>"$T/w$i.unexpected"
	}

	while now; [ "$NOW" -lt "$deadline" ]; do
		op=${ops[$(( (k + i) % ${#ops[@]} ))]}
		# Owners ingest their case file first of all.
		[ $own = 1 ] && [ $ingested = 0 ] && op=ingest
		case $op in
		ingest)
			if [ $own = 0 ]; then
				op=ingest_dup kind=ingest_dup
				run_one $kind "is already archived" ingest "$casedir"
			elif [ $ingested = 0 ]; then
				kind=ingest
				run_one $kind 0 ingest "$casedir"
				[ $rc = 0 ] && ingested=1
			else
				kind=ingest
				run_one $kind 0 ingest --new-version "$casedir"
			fi
			[ $kind = ingest ] && [ $verdict = ok ] && {
				grep -q "^archived 12-1_20${nn}\.v" "$out" &&
				    ev=1 || unexpected "no 'archived' line"; }
			;;
		verify)
			kind=verify
			run_one $kind 0 verify "$ref"
			[ $verdict = ok ] && { grep -q "^$ref: OK (" "$out" &&
			    ev=1 || unexpected "no OK line"; }
			;;
		verify_all)
			kind=verify_all
			run_one $kind 0 verify --all
			# One 'verify ok' event per archive reported OK, also
			# when another one failed.
			ev=$(grep -c '^[^ ]*: OK (' "$out")
			[ $verdict = ok ] && [ "$ev" -lt 1 ] &&
			    unexpected "no archive reported"
			;;
		restore)
			kind=restore
			run_one $kind 0 restore -o "$W/r-$k.txt" "$ref" \
			    12-1_8911-1/vastus.txt
			[ $verdict = ok ] && { cmp -s "$W/r-$k.txt" "$vastus" &&
			    ev=1 || unexpected "restored file differs"; }
			rm -f "$W/r-$k.txt"
			;;
		restore_stdout)
			kind=restore
			run_one $kind 0 restore -o - "$ref" 12-1_8909-1/tekst.txt
			[ $verdict = ok ] && { cmp -s "$out" "$tekst" &&
			    ev=1 || unexpected "restored bytes differ"; }
			;;
		restore_denied)
			kind=restore_denied
			run_one $kind "access denied to '12-1_8910-1/lisad/lisa-1.txt'" \
			    restore -o "$W/d-$k.txt" "$ref" 12-1_8910-1/lisad/lisa-1.txt
			[ $verdict = refused ] && ev=1
			[ -e "$W/d-$k.txt" ] && unexpected "refused restore left a file"
			;;
		list)		kind=read; run_one list 0 list ;;
		list_json)	kind=read; run_one list 0 list --json ;;
		show)		kind=read; run_one show 0 show "$ref" ;;
		show_json)	kind=read; run_one show 0 show --json "$ref" ;;
		find)		kind=read; run_one find 0 find "$vsum" ;;
		find_ref)	kind=read; run_one find 0 find 12-1/${nn:-}8911-1 ;;
		events)		kind=read; run_one events 0 events "$ref" ;;
		events_json)	kind=read; run_one events 0 events --json "$ref" ;;
		esac
		echo "$op $rc $verdict $ev $ms" >>"$log"
		k=$((k + 1))
	done
	return 0
}

# count_events KIND RESULT: events of the catalog of that kind and result.
count_events() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" \
	    "select count(*) from events where kind = '$1' and result = '$2'"
}

# sum_ev OPREGEX VERDICT: events the logged commands should have recorded
# (VERDICT any: whatever the verdict).
sum_ev() {
	awk -v k="$1" -v v="$2" '($1 ~ k) && (v == "any" || $3 == v) { s += $4 }
	    END { print s + 0 }' "$T/all.log"
}

# base_events KIND RESULT: how many there were before the workers started.
base_events() {
	awk -F'|' -v k="$1" -v r="$2" '$1 == k && $2 == r { n = $3 }
	    END { print n + 0 }' "$T/base"
}

@test "10 concurrent workers for CONCURRENCY_SECONDS: no failure, no lock error, every event, a clean store" {
	arh init --organisation Justiitsministeerium >/dev/null
	arh register import -C "$CASE" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt" >/dev/null
	arh ingest "$CASE" >/dev/null
	make_cases
	# The events before the workers start, as KIND|RESULT|COUNT.
	sqlite3 "$ARHIIVAR_HOME/catalog.db" \
	    'select kind, result, count(*) from events group by 1, 2' >"$T/base"

	now
	local deadline=$((NOW + CONCURRENCY_SECONDS)) pids=() i fails=0
	for ((i = 0; i < NWORKERS; i++)); do
		worker $i $deadline &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || fails=$((fails + 1))
	done
	[ $fails = 0 ]

	cat "$T"/w*.log >"$T/all.log"
	echo "# $(wc -l <"$T/all.log") commands in ${CONCURRENCY_SECONDS}s by $NWORKERS workers (count, max ms):" \
	    "$(awk '{ o = $1 ($3 == "refused" ? "(refused)" : "") ($3 == "UNEXPECTED" ? "(UNEXPECTED)" : "")
	              n[o]++; if ($5 > m[o]) m[o] = $5 }
	        END { for (o in n) printf "%s=%d/%dms\n", o, n[o], m[o] }' "$T/all.log" |
	        sort | tr '\n' ' ')" >&3

	# Every check below adds to $T/problems; all are reported at once.
	local P="$T/problems"
	: >"$P"

	# No unexpected failure.
	if [ "$(grep -c UNEXPECTED "$T/all.log")" != 0 ]; then
		echo "$(grep -c UNEXPECTED "$T/all.log") unexpected results; the first ones:" >>"$P"
		cat "$T"/w*.unexpected | head -120 >>"$P"
	fi

	# No lock contention surfaced to a user.
	if cat "$T"/w*.stderr "$T"/w*.busy | grep -iE 'database is locked|busy' >"$T/busy"; then
		echo "lock errors:" >>"$P"; head -20 "$T/busy" >>"$P"
	fi
	# Nothing was crashed, so no command may find anything to recover.
	if grep -E "^arhiivar: (removed '|catalogued ')" "$T"/w*.stderr >"$T/recovered"; then
		echo "commands 'recovered' archives or temp files of running ingests:" >>"$P"
		head -20 "$T/recovered" >>"$P"
	fi

	# Every success has its event, exactly.
	local want have kind
	for kind in ingest/ok verify/ok restore/ok denial/denied; do
		case $kind in
		ingest/ok)	want=$(sum_ev '^ingest$' ok) ;;
		verify/ok)	want=$(( $(sum_ev '^verify$' ok) +
				    $(sum_ev '^verify_all$' any) )) ;;
		restore/ok)	want=$(sum_ev '^restore(_stdout)?$' ok) ;;
		denial/denied)	want=$(sum_ev '^restore_denied$' refused) ;;
		esac
		want=$(( want + $(base_events "${kind%/*}" "${kind#*/}") ))
		have=$(count_events "${kind%/*}" "${kind#*/}")
		[ "$have" = "$want" ] ||
			echo "events '$kind': $have in the catalog, $want expected from the logged successes" >>"$P"
	done
	# Nothing but these: no failed restore or verify, and no recovery
	# (which would mean a home-open adopted an archive an ingest was still
	# cataloguing).
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "select kind, result, count(*) from events
	    where not ((kind = 'ingest' and result = 'ok') or
	    (kind = 'verify' and result = 'ok') or
	    (kind = 'restore' and result = 'ok') or
	    (kind = 'denial' and result = 'denied')) group by 1, 2" >"$T/other-events"
	[ -s "$T/other-events" ] && { echo "unexpected events:"; cat "$T/other-events"; } >>"$P"

	# One archive per successful ingest, the store and the catalog agree,
	# everything verifies, and the store holds nothing but archives (no
	# temporary file).
	local narch
	narch=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from archives')
	want=$(( $(base_events ingest ok) + $(sum_ev '^ingest$' ok) ))
	[ "$narch" = "$want" ] ||
		echo "$narch archives in the catalog, $want ingests succeeded" >>"$P"
	run arh verify --all
	[ "$status" -eq 0 ] && [ "$(grep -c ': OK (' <<<"$output")" = "$narch" ] ||
		{ echo "verify --all exit $status:"; grep -v ': OK (' <<<"$output" | head -20; } >>"$P"
	diff <(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select path from archives order by 1') \
	    <(cd "$ARHIIVAR_HOME/store" && ls -A | grep -vx .tmp | LC_ALL=C sort; ls -A .tmp) >"$T/store-diff" ||
		{ echo "catalog (<) and store (>) differ:"; cat "$T/store-diff"; } >>"$P"

	if [ -s "$P" ]; then
		cat "$P"
		false
	fi
}
