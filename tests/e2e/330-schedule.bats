#!/usr/bin/env bats
# Scheduled transfers through the CLI: jobs, run-now, the transfer report.
load helpers

sched_home() {
	arh init >/dev/null
	arh fileplan import "$ARH_TOP/sample/fileplan.csv" >/dev/null
	entitle_caller		# scheduling is a records manager's work
}

# The year a yearly run made now transfers: the one before this year in
# Tallinn.
prev_year() {
	echo $(( $(TZ=Europe/Tallinn date +%Y) - 1 ))
}

# make_case SAMPLE FROM_YEAR YEAR DIR: a copy of a sample case file moved
# to YEAR (every date and reference of FROM_YEAR).
make_case() {
	mkdir -p "$(dirname "$4")"
	cp -r "$ARH_TOP/sample/$1" "$4"
	find "$4" -name '*.json' -exec sed -i "s/$2/$3/g" {} +
}

report_of() {	# the report path `run-now` printed
	echo "$1" | sed -n 's/^report //p'
}

@test "schedule add, list, show and cancel a once job" {
	sched_home
	run arh schedule add --series 12-1 --year 2024 --source "$CASE" --at 2025-01-15T02:00
	[ "$status" -eq 0 ]
	[ "$output" = "job 1 scheduled" ]
	run arh schedule list
	[ "$status" -eq 0 ]
	[[ "$output" == "1  scheduled  once at 2025-01-15T02:00  12-1/2024  $CASE  next 2025-01-15T00:00:00Z" ]]
	run arh schedule list --json
	[[ "$output" == *'"next_run": "2025-01-15T00:00:00Z"'* ]]
	[[ "$output" == *'"status": "scheduled"'* ]]
	run arh schedule show 1 --json
	[[ "$output" == *'"runs": []'* ]]
	run arh schedule cancel 1
	[ "$status" -eq 0 ]
	run arh schedule show 1
	[[ "$output" == "1  cancelled  once"* ]]
	run arh schedule cancel 1
	[ "$status" -eq 2 ]
	[[ "$output" == *"job 1 is cancelled"* ]]
	run arh schedule show 42
	[ "$status" -eq 1 ]
	[[ "$output" == *"no job 42"* ]]
	run arh events
	[[ "$output" == *schedule-add* ]]
	[[ "$output" == *schedule-cancel* ]]
}

@test "schedule add refuses what cannot run" {
	sched_home
	run arh schedule add --series 99-9 --year 2024 --source "$CASE" --at 2025-01-15T02:00
	[ "$status" -eq 1 ]
	[[ "$output" == *"series 99-9 is not in the file plan"* ]]
	run arh schedule add --series 12-1 --year 2024 --source relative/dir --at 2025-01-15T02:00
	[ "$status" -eq 1 ]
	[[ "$output" == *"must be an absolute path"* ]]
	run arh schedule add --series 12-1 --year 2024 --source "$CASE" --at 2025-01-15
	[ "$status" -eq 1 ]
	[[ "$output" == *"YYYY-MM-DDTHH:MM"* ]]
	run arh schedule add --yearly --at 02-29T02:00 --source-pattern '/srv/{series}/{year}'
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot run on 02-29"* ]]
	run arh schedule add --yearly --at 01-15T02:00 --source-pattern '/srv/{series}'
	[ "$status" -eq 1 ]
	[[ "$output" == *"has no {year}"* ]]
	run arh schedule add --yearly --at 01-15T02:00 --source-pattern '/srv/{serie}/{year}'
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown placeholder '{serie}'"* ]]
	run arh schedule add --yearly --at 01-15T02:00 --source "$CASE"
	[ "$status" -eq 2 ]
	printf '[daemon]\nsources = /srv/export\n' >>"$ARHIIVAR_HOME/arhiivar.conf"
	run arh schedule add --series 12-1 --year 2024 --source "$CASE" --at 2025-01-15T02:00
	[ "$status" -eq 1 ]
	[[ "$output" == *"outside the directories of [daemon] sources"* ]]
	run arh schedule list
	[ -z "$output" ]
}

@test "scheduling needs the records-manager role" {
	arh init >/dev/null
	arh fileplan import "$ARH_TOP/sample/fileplan.csv" >/dev/null
	run arh schedule add --series 12-1 --year 2024 --source "$CASE" --at 2025-01-15T02:00
	[ "$status" -eq 1 ]
	[[ "$output" == *"needs the records-manager role"* ]]
}

@test "run-now archives a once job's case file; the report matches arhiivar show" {
	sched_home
	arh schedule add --series 12-1 --year 2024 --source "$CASE" --at 2030-01-15T02:00 >/dev/null
	run arh schedule run-now 1
	[ "$status" -eq 0 ]
	[[ "$output" == "job 1 run 1: done; 1 archived, 0 failed, 0 skipped"* ]]
	rep=$(report_of "$output")
	[ -f "$rep" ] && [ -f "${rep%.json}.html" ]
	sha=$(arh show 12-1_2024.v1 | sed -n 's/.*SHA-256 \([0-9a-f]*\).*/\1/p')
	[ -n "$sha" ]
	[[ "$(cat "$rep")" == *"\"tar_sha256\": \"$sha\""* ]]
	[[ "$(cat "$rep")" == *'"action": "destroy"'* ]]
	[[ "$(cat "$rep")" == *'"due": "2035-01-01"'* ]]
	[[ "$(cat "$rep")" == *'"records": 2'* ]]
	# Counts and digests, never a title.
	! grep -q MARKER "$rep" "${rep%.json}.html"
	grep -q "$sha" "${rep%.json}.html"
	run arh schedule show 1
	[[ "$output" == "1  done  once"* ]]
	[[ "$output" == *"run 1  done  year 2024"*"$rep"* ]]
	# Done: nothing to run again.
	run arh schedule run-now 1
	[ "$status" -eq 2 ]
	[[ "$output" == *"job 1 is done"* ]]
}

@test "a case file archived before with the same content is already archived, not a failure" {
	sched_home
	arh ingest "$CASE" >/dev/null
	arh schedule add --series 12-1 --year 2024 --source "$CASE" --at 2030-01-15T02:00 >/dev/null
	run arh schedule run-now 1
	[ "$status" -eq 0 ]
	rep=$(report_of "$output")
	grep -q '"outcome": "already archived"' "$rep"
	# Changed content is a failure that names the way out.
	echo changed >>"$CASE/12-1_8911-1/vastus.txt"
	arh schedule add --series 12-1 --year 2024 --source "$CASE" --at 2030-01-15T02:00 >/dev/null
	run arh schedule run-now 2
	[ "$status" -eq 1 ]
	[[ "$output" == *"with other content"*"--new-version"* ]]
}

@test "a yearly job picks each series' folder of the previous year, and no other" {
	sched_home
	y=$(prev_year)
	x="$T/export"
	make_case case-12-1-2024 2024 "$y" "$x/12-1/$y"
	make_case case-1-2-2020 2020 "$y" "$x/1-2/$y"
	make_case case-12-1-2024 2024 $((y - 1)) "$x/12-1/$((y - 1))"
	make_case case-1-2-2020 2020 $((y - 1)) "$x/1-2/$((y - 1))"
	run arh schedule add --yearly --at 01-15T02:00 --source-pattern "$x/{series}/{year}"
	[ "$status" -eq 0 ]
	run arh schedule run-now 1
	[ "$status" -eq 0 ]
	[[ "$output" == *": done; 2 archived, 0 failed, "*" skipped"* ]]
	run arh list
	[[ "$output" == *"12-1_$y.v1"* ]]
	[[ "$output" == *"1-2_$y.v1"* ]]
	[[ "$output" != *"_$((y - 1)).v1"* ]]
	run arh schedule show 1 --json
	[[ "$output" == *'"status": "scheduled"'* ]]
	[[ "$output" == *"\"next_run\": \"$((y + 2))-01-15T00:00:00Z\""* ]]
	# One series only.
	arh schedule add --yearly --series 1-2 --at 01-15T02:00 --source-pattern "$x/{series}/{year}" >/dev/null
	run arh schedule run-now 2
	[ "$status" -eq 0 ]
	[[ "$output" == *": done; 1 archived, 0 failed, 0 skipped"* ]]
}

@test "a refused case file fails the job with its reason (and quarantines a copy)" {
	sched_home
	sed -i '/"closed"/d' "$CASE/case.json"
	arh schedule add --series 12-1 --year 2024 --source "$CASE" --at 2030-01-15T02:00 >/dev/null
	run arh schedule run-now 1
	[ "$status" -eq 1 ]
	[[ "$output" == *"failed; 0 archived, 1 failed"* ]]
	[[ "$output" == *"the case file was refused"* ]]
	run arh schedule show 1
	[[ "$output" == "1  failed  once"*"error: $CASE: the case file was refused"* ]]
	rep=$(ls "$ARHIIVAR_HOME"/reports/transfer-1-1.json)
	grep -q '"case.json: ' "$rep"
	[ -z "$(ls "$ARHIIVAR_HOME/store" | grep '\.tar$')" ]
	grep -q '"quarantine": "job1-12-1-2024' "$rep"
}

@test "a missing source fails a once job; the HTML report escapes what it shows" {
	sched_home
	src="$T/src<b>&\"x\""
	arh schedule add --series 12-1 --year 2024 --source "$src" --at 2030-01-15T02:00 >/dev/null
	run arh schedule run-now 1
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot read source"* ]]
	html="$ARHIIVAR_HOME/reports/transfer-1-1.html"
	grep -q 'src&lt;b&gt;&amp;&quot;x&quot;' "$html"
	! grep -q 'src<b>' "$html"
	# A failed job runs again when asked to.
	cp -r "$CASE" "$src"
	run arh schedule run-now 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"job 1 run 2: done; 1 archived"* ]]
}
