#!/usr/bin/env bats
# Access terms at ingest, `access extend`, and a restriction's end day.
load helpers

REC=12-1_8910-1		# the sample's internal-use record, AvTS § 35 lg 1 p 1

set_access() {	# set_access START END [BASIS]
	local basis=${3:-AvTS § 35 lg 1 p 1}
	jq --arg s "$1" --arg e "$2" --arg b "$basis" \
	    '.access = {level: "internal", basis: $b, start: $s, end: $e}' \
	    "$CASE/$REC/record.json" >"$T/r.json"
	mv "$T/r.json" "$CASE/$REC/record.json"
}

# tallinn_date OFFSET: a date in the calendar access terms run on.
tallinn_date() {
	TZ=Europe/Tallinn date -d "$1" +%F
}

@test "ingest refuses a restriction longer than its basis allows, and an unknown basis" {
	arh init >/dev/null
	set_access 2024-12-20 2030-06-30
	run arh ingest "$CASE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$REC/record.json: restriction under AvTS § 35 lg 1 p 1 ends 2030-06-30, past its maximum: at the latest 2029-12-20"* ]]
	[ -z "$(ls "$ARHIIVAR_HOME/store")" ]
	set_access 2024-12-20 2029-12-20 "AvTS § 99"
	run arh ingest "$CASE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown legal basis 'AvTS § 99'; add it to access-terms.csv"* ]]
	# The table is the home's to edit.
	echo 'AvTS § 99,10,0,no,test basis' >>"$ARHIIVAR_HOME/access-terms.csv"
	run arh ingest "$CASE"
	[ "$status" -eq 0 ]
}

@test "a broken access-term table is a configuration error naming the line" {
	arh init >/dev/null
	echo 'AvTS § 98,many,0,no,x' >>"$ARHIIVAR_HOME/access-terms.csv"
	run arh ingest "$CASE"
	[ "$status" -eq 2 ]
	[[ "$output" == *"access-terms.csv:"*"max_years"* ]]
}

@test "access extend: once, within 5 + 5 years, by a records manager, for a reason; the archive is not rewritten" {
	ingested_home
	sha=$(sha256sum "$TAR" | cut -d' ' -f1)
	run arh access extend 12-1/8910-1 --until 2034-12-20 --reason "menetlus kestab"
	[ "$status" -eq 1 ]
	[[ "$output" == *"needs the records-manager role"* ]]
	entitle_caller
	run arh access extend 12-1/8910-1 --until 2034-12-21 --reason "menetlus kestab"
	[ "$status" -eq 1 ]
	[[ "$output" == *"at the latest 2034-12-20"* ]]
	run arh access extend 12-1/8911-1 --until 2030-01-01 --reason "x"
	[ "$status" -eq 1 ]
	[[ "$output" == *"is public; it has no restriction to extend"* ]]
	run arh access extend 12-1/8910-1 --until 2034-12-20 --reason "menetlus kestab"
	[ "$status" -eq 0 ]
	run arh access extend 12-1/8910-1 --until 2034-12-19 --reason "again"
	[ "$status" -eq 1 ]
	[[ "$output" == *"may be extended only once"* ]]
	run arh show --public 12-1/2024
	[[ "$output" == *"internal until 2034-12-20"* ]]
	[ "$(sha256sum "$TAR" | cut -d' ' -f1)" = "$sha" ]
	# The decision outlives a rebuilt catalog and reaches a new version.
	arh catalog rebuild >/dev/null
	run arh access review --days 5000
	[[ "$output" == *"2034-12-20  ending  12-1/8910-1"* ]]
	echo lisa >"$CASE/12-1_8911-1/lisa.txt"
	arh ingest --new-version "$CASE" >/dev/null
	run arh show --public 12-1_2024.v2
	[[ "$output" == *"internal until 2034-12-20"* ]]
	run arh events --json
	[ "$(echo "$output" | jq '[.[] | select(.kind == "access-extend")] | map(.result) | sort')" = \
	  "$(printf '[\n  "denied",\n  "ok",\n  "refused",\n  "refused",\n  "refused"\n]')" ]
}

@test "bad access extend arguments are usage errors" {
	ingested_home
	entitle_caller
	for args in "" "12-1/8910-1" "12-1/8910-1 --until 2034-02-30 --reason x" \
	    "12-1/8910-1 --until 2034-01-01" "12-1/8910-1 --until 2034-01-01 --reason ''" \
	    "a b --until 2034-01-01 --reason x"; do
		eval "run arh access extend $args"
		[ "$status" -eq 2 ] || { echo "access extend $args: $status"; false; }
	done
	run arh access extend 12-1/9999-1 --until 2034-01-01 --reason x
	[ "$status" -eq 1 ]
	[[ "$output" == *"no record 12-1/9999-1"* ]]
}

# A fresh home where the caller is staff (not entitled), holding the sample
# with its internal-use record's restriction ending on END.
staff_home_ending() {
	rm -rf "$ARHIIVAR_HOME"
	arh init >/dev/null
	printf '[roles]\nstaff = user:%s\n' "$(id -un)" >>"$ARHIIVAR_HOME/arhiivar.conf"
	set_access "$(tallinn_date '-1 year')" "$(tallinn_date "$1")"
	arh ingest "$CASE" >/dev/null
}

@test "a restriction holds through its end day and is public to everyone from the next day" {
	staff_home_ending today
	run arh restore 12-1/2024 "$REC/lisad/lisa-1.txt" -o -
	[ "$status" -eq 1 ]
	[[ "$output" == *"access denied"* ]]
	[[ "$output" != *MARKER* ]]
	# The same record whose restriction ended yesterday: public today.
	staff_home_ending yesterday
	run arh restore 12-1/2024 "$REC/lisad/lisa-1.txt" -o -
	[ "$status" -eq 0 ]
	[[ "$output" == *MARKER-CONTENT* ]]
	run arh show --public 12-1/2024
	[[ "$output" == *MARKER-TITLE* ]]
}

@test "a private person's name is shown as initials to everyone not entitled, in every string of the record" {
	arh init >/dev/null
	r="$CASE/12-1_8911-1/record.json"
	jq '.correspondent = "Mari-Liis Õunapuu" | .private_person = true |
	    .title = "Vastus Mari-Liis Õunapuu teabenõudele"' "$r" >"$T/r.json"
	mv "$T/r.json" "$r"
	arh ingest "$CASE" >/dev/null
	for view in "show --public 12-1/2024" "show --public --json 12-1/2024" \
	    "show 12-1/2024" "show --json 12-1/2024"; do
		run arh $view
		[ "$status" -eq 0 ]
		[[ "$output" != *"Õunapuu"* ]] || { echo "name in: $view"; false; }
		[[ "$output" == *"M.-L. Õ."* ]]
	done
	entitle_caller
	run arh show 12-1/2024
	[[ "$output" == *"correspondent     Mari-Liis Õunapuu"* ]]
	run arh show --public 12-1/2024
	[[ "$output" != *"Õunapuu"* ]]
}

@test "private_person must be true or false" {
	arh init >/dev/null
	r="$CASE/12-1_8911-1/record.json"
	jq '.private_person = "yes"' "$r" >"$T/r.json"
	mv "$T/r.json" "$r"
	run arh ingest "$CASE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"12-1_8911-1/record.json"*"private_person"* ]]
}

@test "personal data: 75 years from creation, or 30 years after the person's death when it is recorded" {
	arh init >/dev/null
	set_access 2024-12-20 2110-05-01 "AvTS § 35 lg 1 p 12"
	run arh ingest "$CASE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"at the latest 2099-12-20"* ]]
	r="$CASE/$REC/record.json"
	jq '.access.person_died = "2080-05-01"' "$r" >"$T/r.json" && mv "$T/r.json" "$r"
	run arh ingest "$CASE"
	[ "$status" -eq 0 ]
	# The person's dates are not part of what the public sees.
	run arh show --public 12-1/2024
	[[ "$output" != *"2080-05-01"* ]]
	run arh show --public --json 12-1/2024
	[[ "$output" != *"person_died"* ]]
}

@test "a person's dates must be dates" {
	arh init >/dev/null
	set_access 2024-12-20 2099-12-20 "AvTS § 35 lg 1 p 12"
	r="$CASE/$REC/record.json"
	jq '.access.person_born = "1990-13-01"' "$r" >"$T/r.json" && mv "$T/r.json" "$r"
	run arh ingest "$CASE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"'access.person_born' is not a date"* ]]
}

@test "a term table the configuration names must exist: no silent fallback to the shipped table" {
	arh init >/dev/null
	arh register import -C "$CASE" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt" >/dev/null
	printf '[access]\nterms = /nonexistent.csv\n' >>"$ARHIIVAR_HOME/arhiivar.conf"
	run arh ingest "$CASE"
	[ "$status" -eq 2 ]
	[[ "$output" == *"/nonexistent.csv"*"[access] terms in arhiivar.conf names a table that is not there"* ]]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from archives')" = 0 ]
	# The default name, absent, still means the shipped table.
	sed -i '/^terms = \/nonexistent.csv$/d' "$ARHIIVAR_HOME/arhiivar.conf"
	rm "$ARHIIVAR_HOME/access-terms.csv"
	run arh ingest "$CASE"
	[ "$status" -eq 0 ]
}
