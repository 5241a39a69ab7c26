#!/usr/bin/env bats
# File plan versions, the series check at ingest, and the retention
# decision sealed into the archive and explained.
load helpers

plan_home() {
	arh init >/dev/null
	arh register import -C "$CASE" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt" >/dev/null
	arh fileplan import "$ARH_TOP/sample/fileplan.csv" >/dev/null
}

@test "import gives a content-addressed version; the same content again changes nothing" {
	arh init >/dev/null
	run arh fileplan import "$ARH_TOP/sample/fileplan.csv"
	[ "$status" -eq 0 ]
	[[ "$output" == "imported file plan "*" as version "* ]]
	v=${output##* }
	# Same rows, other order and CRLF line ends: the same version.
	(head -1 "$ARH_TOP/sample/fileplan.csv"; tail -n +2 "$ARH_TOP/sample/fileplan.csv" | tac) |
		sed 's/$/\r/' >"$T/reordered.csv"
	run arh fileplan import "$T/reordered.csv"
	[ "$status" -eq 1 ]
	[[ "$output" == *"already imported as version $v"* ]]
	run arh fileplan history
	[ "$(echo "$output" | wc -l)" -eq 1 ]
	run arh events
	[[ "$output" == *"fileplan-import"* ]]
}

@test "a malformed file plan: every problem as FILE:LINE, nothing imported" {
	arh init >/dev/null
	sed -e 's/^1,Juhtimine ja üldküsimused,1-2,Kirjavahetus üldküsimustes,5 a/1,Juhtimine ja üldküsimused,1-2,Kirjavahetus üldküsimustes,viis aastat/' \
	    -e 's/^15,Personalitöö,15-1,Töölepingud,50 a,,AK,AvTS § 35 lg 1 p 12,75 a/15,Personalitöö,15-1,Töölepingud,50 a,,AK,,75 a/' \
	    "$ARH_TOP/sample/fileplan.csv" >"$T/bad.csv"
	run arh fileplan import "$T/bad.csv"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.csv:3:"* ]]
	[[ "$output" == *"bad.csv:10:"* ]]
	[[ "$output" == *"2 problems above"* ]]
	run arh fileplan history
	[ -z "$output" ]
}

@test "show and diff name the series and the changed fields" {
	plan_home
	run arh fileplan show 12-1
	[ "$status" -eq 0 ]
	[[ "$output" == *"12-1   Kirjavahetus kriminaalasjades"* ]]
	[[ "$output" == *"retention 10 a"* ]]
	[[ "$output" == *"AvTS § 35 lg 1 p 1, 5 a"* ]]
	run arh fileplan show 99-9
	[ "$status" -eq 1 ]
	sed 's/^12,Rahvusvahelise justiitskoostöö korraldamine,12-1,Kirjavahetus kriminaalasjades,10 a/12,Rahvusvahelise justiitskoostöö korraldamine,12-1,Kirjavahetus kriminaalasjades,15 a/' \
	    "$ARH_TOP/sample/fileplan.csv" >"$T/v2.csv"
	arh fileplan import "$T/v2.csv" >/dev/null
	v1=$(arh fileplan history | awk 'NR==1 {print $2}')
	v2=$(arh fileplan history | awk 'NR==2 {print $2}')
	run arh fileplan diff "$v1" "$v2"
	[ "$status" -eq 0 ]
	[[ "$output" == *"~ 12-1: retention"* ]]
	run arh fileplan show --json --version "$v1" 12-1
	[[ "$output" == *'"retention": "10 a"'* ]]
}

@test "ingest refuses a series the file plan does not have, naming it" {
	plan_home
	sed -i 's/"12-1"/"12-9"/' "$CASE/case.json"
	for r in "$CASE"/*/record.json; do sed -i 's/"series": "12-1"/"series": "12-9"/' "$r"; done
	run arh ingest "$CASE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"series 12-9 is not in the file plan"* ]]
	[ -z "$(ls -A "$ARHIIVAR_HOME/store" "$ARHIIVAR_HOME/store/.tmp" | grep -v -e '^\.tmp$' -e ':$' -e '^$')" ]
}

@test "ingest refuses a series closed for new case files before the case closed" {
	plan_home
	sed -i 's/"12-1"/"12-5"/' "$CASE/case.json"
	for r in "$CASE"/*/record.json; do sed -i 's/"series": "12-1"/"series": "12-5"/' "$r"; done
	run arh ingest "$CASE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"series 12-5 is valid from 2019-01-01 until 2023-12-31"*"not on 2024-12-31"* ]]
}

@test "the retention decision is sealed into the archive and explained" {
	plan_home
	run arh ingest "$CASE"
	[ "$status" -eq 0 ]
	tar -xOf "$ARHIIVAR_HOME/store/12-1_2024.v1.tar" 12-1_2024.v1/metadata/case.json >"$T/case.json"
	grep -q '"due": "2035-01-01"' "$T/case.json"
	grep -q '"action": "destroy"' "$T/case.json"
	tar -xOf "$ARHIIVAR_HOME/store/12-1_2024.v1.tar" 12-1_2024.v1/bag-info.txt |
		grep -q '^Arhiivar-Retention: 10 a, 2025-01-01 to 2034-12-31; destroy due 2035-01-01'
	run arh verify 12-1/2024
	[ "$status" -eq 0 ]
	run arh policy explain 12-1/2024
	[ "$status" -eq 0 ]
	[[ "$output" == *"sealed at ingest"*"destroy due 2035-01-01"* ]]
	[[ "$output" == *"the current file plan decides the same"* ]]
	[[ "$output" != *MARKER* ]]
	# A new file plan with a longer retention: explain shows the difference.
	sed 's/^12,Rahvusvahelise justiitskoostöö korraldamine,12-1,Kirjavahetus kriminaalasjades,10 a/12,Rahvusvahelise justiitskoostöö korraldamine,12-1,Kirjavahetus kriminaalasjades,15 a/' \
	    "$ARH_TOP/sample/fileplan.csv" >"$T/v2.csv"
	arh fileplan import "$T/v2.csv" >/dev/null
	run arh policy explain 12-1/2024
	[[ "$output" == *"differences retention: sealed '10 a', now '15 a'"* ]]
	[[ "$output" == *"due: sealed '2035-01-01', now '2040-01-01'"* ]]
	run arh policy explain --json 12-1/2024
	[[ "$output" == *'"sealed"'* ]]
	[[ "$output" != *MARKER* ]]
}
