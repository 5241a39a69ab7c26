#!/usr/bin/env bats
# Disposition due dates from the sealed decision, and holds that stop them.
load helpers

due_home() {
	arh init >/dev/null
	arh fileplan import "$ARH_TOP/sample/fileplan.csv" >/dev/null
	arh ingest "$CASE" >/dev/null
	entitle_caller		# holds are a records manager's decision
}

@test "disposition due lists an archive from its due date on, not before" {
	due_home
	run arh disposition due --as-of 2034-12-31
	[ "$status" -eq 0 ]
	[[ "$output" == "nothing is due on or before 2034-12-31" ]]
	run arh disposition due --as-of 2035-01-01
	[ "$status" -eq 0 ]
	[[ "$output" == *"2035-01-01  destroy  12-1_2024.v1 (case file 12-1/2024)"* ]]
	run arh disposition due --as-of 2035-01-01 --json
	[[ "$output" == *'"action": "destroy"'* ]]
}

@test "a hold on the archive, the case file or the series keeps it from being due; release needs a reason" {
	due_home
	for target in 12-1_2024.v1 12-1/2024 12-1; do
		run arh hold add "$target" --reason "kohtuasi 2-25-1234" --authority "Harju Maakohus"
		[ "$status" -eq 0 ]
		id=$(echo "$output" | awk '{print $2}')
		run arh disposition due --as-of 2040-01-01
		[[ "$output" == *"nothing is due"* ]]
		[[ "$output" == *"held by hold $id"* ]]
		run arh hold release "$id"
		[ "$status" -eq 2 ]
		run arh hold release "$id" --reason "kohtuasi lõppenud"
		[ "$status" -eq 0 ]
		run arh disposition due --as-of 2040-01-01
		[[ "$output" == *"destroy  12-1_2024.v1"* ]]
	done
	run arh hold list --all --json
	[[ "$output" == *'"kind": "series"'* ]]
	[[ "$output" == *'"release_reason": "kohtuasi lõppenud"'* ]]
	run arh events
	[ "$(echo "$output" | grep -c hold-add)" -eq 3 ]
	[ "$(echo "$output" | grep -c hold-release)" -eq 3 ]
}

@test "a hold needs a reason and an authority, and a target that exists" {
	due_home
	run arh hold add 12-1/2024 --reason x
	[ "$status" -eq 2 ]
	run arh hold add 99-9/1999 --reason x --authority y
	[ "$status" -eq 1 ]
	[[ "$output" == *"no archive, case file or series '99-9/1999'"* ]]
	run arh hold release 42 --reason x
	[ "$status" -eq 1 ]
	[[ "$output" == *"no hold 42 in force"* ]]
}

@test "catalog rebuild keeps holds; from the archives alone it reproduces due dates" {
	due_home
	arh hold add 12-1 --reason r --authority a >/dev/null
	before=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select name, action, due from archives')
	arh catalog rebuild >/dev/null
	run arh hold list
	[[ "$output" == *"series 12-1"* ]]
	rm "$ARHIIVAR_HOME"/catalog.db*
	arh catalog rebuild >/dev/null
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select name, action, due from archives')" = "$before" ]
}

@test "access review lists restrictions ended and ending, with public-view data only" {
	due_home
	run arh access review --as-of 2029-10-01
	[ "$status" -eq 0 ]
	[[ "$output" == *"2029-12-20  ending  12-1/8910-1  12-1_2024.v1 (AvTS § 35 lg 1 p 1)"* ]]
	[[ "$output" != *MARKER* ]]
	run arh access review --as-of 2030-01-01 --days 0 --json
	[[ "$output" == *'"ended": ['*'"record": "12-1/8910-1"'* ]]
	[[ "$output" != *MARKER* ]]
	run arh access review --as-of 2025-01-01
	[[ "$output" == "no internal-use restriction ends by 2025-04-01" ]]
}

@test "a bad date or day count is a usage error, exit 2, and changes nothing" {
	due_home
	before=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from events')
	run arh disposition due --as-of 2035-13-01
	[ "$status" -eq 2 ]
	[[ "$output" == *"--as-of '2035-13-01' is not a date"* ]]
	run arh access review --days -5
	[ "$status" -eq 2 ]
	[[ "$output" == *"--days '-5' is not a number of days"* ]]
	run arh hold release abc --reason x
	[ "$status" -eq 2 ]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from events')" = "$before" ]
}

@test "only a records manager places or releases a hold; a refusal is an event and changes nothing" {
	arh init >/dev/null
	arh fileplan import "$ARH_TOP/sample/fileplan.csv" >/dev/null
	arh ingest "$CASE" >/dev/null
	printf '[roles]\nstaff = user:%s\nrecords-manager = user:nobody\n' "$(id -un)" \
	    >>"$ARHIIVAR_HOME/arhiivar.conf"
	run arh hold add 12-1/2024 --reason r --authority a
	[ "$status" -eq 1 ]
	[[ "$output" == *"placing a hold needs the records-manager role"* ]]
	[ -z "$(arh hold list --all)" ]
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "insert into holds (kind, target, reason,
	    authority, placed_at, placed_by) values ('case', '12-1/2024', 'r', 'a',
	    '2026-01-01T00:00:00Z', 'someone')"
	run arh hold release 1 --reason "no longer needed"
	[ "$status" -eq 1 ]
	[[ "$output" == *"releasing a hold needs the records-manager role"* ]]
	[[ "$(arh hold list)" == *"1  case 12-1/2024"* ]]
	run arh events --json
	[ "$(echo "$output" | jq '[.[] | select(.result == "denied" and (.kind | startswith("hold")))] | length')" -eq 2 ]
}
