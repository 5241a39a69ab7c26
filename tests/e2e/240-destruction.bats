#!/usr/bin/env bats
# Destruction in four steps: propose, approve by two people, execute, act.
# Two people are two Unix users: the caller (root) is the records manager
# and `nobody` the approver (setpriv runs the CLI as nobody).
load helpers

# Case file 1-2/2024 (the sample, renumbered) in a series kept 1 year:
# due for destruction since 2026-01-01.  12-1/2024 stays (10 years).
destruction_home() {
	[ "$(id -u)" = 0 ] || skip "needs root to act as a second person"
	DUE="$T/due"
	cp -r "$ARH_TOP/sample/case-12-1-2024" "$DUE"
	sed -i 's#12-1/#1-2/#g; s#"12-1"#"1-2"#g; s/"code": "12"/"code": "1"/' "$DUE/case.json"
	for r in "$DUE"/12-1_*; do
		sed -i 's#12-1/#1-2/#g; s#"12-1"#"1-2"#g; s/"function": "12"/"function": "1"/' "$r/record.json"
		mv "$r" "${r/12-1_/1-2_}"
	done
	cat >"$T/plan.csv" <<-'EOF'
	function_code,function_title,series_code,series_title,retention,archival_value,access,access_basis,access_term,valid_from,valid_until,notes
	1,Juhtimine,1-2,Kirjavahetus üldküsimustes,1 a,,Avalik,,,2019-01-01,,
	12,Rahvusvahelise justiitskoostöö korraldamine,12-1,Kirjavahetus kriminaalasjades,10 a,,AK,AvTS § 35 lg 1 p 1,5 a,2019-01-01,,
	akt,Arhiivindus,akt,Hävitamisaktid,alaline,,Avalik,,,2019-01-01,,
	EOF
	arh init --organisation Justiitsministeerium >/dev/null
	arh fileplan import "$T/plan.csv" >/dev/null
	arh ingest "$DUE" >/dev/null
	arh ingest "$CASE" >/dev/null
	DUETAR="$ARHIIVAR_HOME/store/1-2_2024.v1.tar"
	printf '[roles]\nrecords-manager = user:%s\napprover = user:nobody\n' \
	    "$(id -un)" >>"$ARHIIVAR_HOME/arhiivar.conf"
	# The second person must reach the catalog (not the keys).
	chmod 755 "$T"
	chmod 777 "$ARHIIVAR_HOME"
	chmod 666 "$ARHIIVAR_HOME"/catalog.db*
	chmod 644 "$ARHIIVAR_HOME/arhiivar.conf"
	chmod 755 "$ARHIIVAR_HOME/store"
}

# as USER ARGS: the CLI run by another person.
as() {
	local user=$1; shift
	setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups \
	    ${ARH_WRAP:-} "$ARH_BIN" "$@"
}

# A list proposed and approved by both people; its id in LIST.
approved_list() {
	run arh disposition propose
	[ "$status" -eq 0 ]
	LIST=$(echo "$output" | awk '/^destruction list/ {print $3}')
	arh disposition approve "$LIST" >/dev/null
	as nobody disposition approve "$LIST" >/dev/null
}

@test "destruction end to end: hold blocks, two people approve, execute leaves a tombstone and a sealed act" {
	destruction_home
	run arh policy explain 1-2/2024
	[ "$status" -eq 0 ]
	[[ "$output" == *"destroy"* ]]

	# A hold keeps it off any list.
	run arh hold add 1-2/2024 --reason "kohtuasi 2-26-1" --authority "Harju Maakohus"
	hold=$(echo "$output" | awk '{print $2}')
	run arh disposition propose
	[ "$status" -eq 1 ]
	[[ "$output" == *"left out: 1-2_2024.v1: held by hold $hold"* ]]
	arh hold release "$hold" --reason "kohtuasi lõppenud" >/dev/null

	# A dry run keeps nothing.
	run arh disposition propose --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *"dry run"*"1-2_2024.v1"* ]]
	[[ "$output" != *"12-1_2024"* ]]
	[ -z "$(arh disposition lists)" ]

	run arh disposition propose
	[ "$status" -eq 0 ]
	[[ "$output" == "destruction list 1 proposed: 1 archive"* ]]

	# One approval is not enough, and one person cannot give two.
	run arh disposition approve 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"as records-manager"* ]]
	run arh disposition approve 1
	[ "$status" -eq 1 ]
	[[ "$output" == *"approved destruction list 1 already"*"another person"* ]]
	run arh disposition execute 1
	[ "$status" -eq 1 ]
	[[ "$output" == *"lacks the approval of an approver"* ]]
	[[ "$output" == *"nothing was destroyed"* ]]
	[ -f "$DUETAR" ]
	run as nobody disposition approve 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"approved by nobody as approver"* ]]

	sha=$(sha256sum "$DUETAR" | cut -d' ' -f1)
	run arh disposition execute 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"act sealed and archived as akt_"*".v1"* ]]
	act=$(echo "$output" | sed -n 's/.*archived as \(akt_[^ ]*\)$/\1/p')
	[ ! -e "$DUETAR" ]
	[ -f "$ARHIIVAR_HOME/store/12-1_2024.v1.tar" ]
	run arh list
	[[ "$output" != *"1-2_2024"* ]]
	[[ "$output" == *"$act"* ]]

	# The act verifies like any archive, in the catalog and with stock tools.
	run arh verify --all
	[ "$status" -eq 0 ]
	run arh disposition act 1
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg sha "$sha" '.case_files[0].sha256 == $sha and
	    .case_files[0].archive == "1-2_2024.v1" and
	    (.approved | map(.role) | sort) == ["approver", "records-manager"] and
	    .executed.by != null and .method != ""'
	# The sealed copy of the act is the same act.
	work="$T/x"; mkdir "$work"
	tar -xf "$ARHIIVAR_HOME/store/$act.tar" -C "$work"
	bag=$(ls "$work")
	jq -e --arg sha "$sha" '.case_files[0].sha256 == $sha' "$work/$bag/data/act/act.json"
	grep -q "Hävitamisakt" "$work/$bag/data/act/act.html"
	(cd "$work/$bag" && sha512sum -c --quiet manifest-sha512.txt)
	# The act's retention is the file plan's rule of its series.
	run arh policy explain "$act"
	[[ "$output" == *"keep"* ]]
	run arh policy explain --json "$act"
	[ "$(echo "$output" | jq -r '.sealed.series')" = akt ]
	[ "$(echo "$output" | jq -r '.sealed.retention')" = alaline ]
	# Sealed from the imported file plan, and the same rule now.
	[ "$(echo "$output" | jq -r '.sealed.fileplan_version')" = \
	    "$(echo "$output" | jq -r '.current.fileplan_version')" ]
	[ "$(echo "$output" | jq -r '.sealed.rule')" = \
	    "$(echo "$output" | jq -r '.current.rule')" ]
	[ -n "$(echo "$output" | jq -r '.sealed.fileplan_version // empty')" ]

	# Events: every step.
	run arh events
	for kind in disposal-propose disposal-approve disposal-execute destroy disposal-act; do
		[[ "$output" == *"$kind"* ]]
	done
	# Executed once: again is a definite no.
	run arh disposition execute 1
	[ "$status" -eq 1 ]
	[[ "$output" == *"was executed on"* ]]
	# What remains is shown; other commands say it was destroyed.
	run arh show 1-2/2024
	[ "$status" -eq 0 ]
	[[ "$output" == *"1-2_2024.v1 (version 1): destroyed"* ]]
	[[ "$output" == *"destruction list 1, act $act"* ]]
	[[ "$output" == *"SHA-256 $sha"* ]]
	run arh verify 1-2/2024
	[ "$status" -eq 1 ]
	[[ "$output" == *"1-2/2024 was destroyed on "*"(destruction list 1, act $act)"* ]]
	run arh restore -o - 1-2_2024.v1 1-2_8911-1/vastus.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"was destroyed"* ]]
	# A destroyed case file does not come back under its reference.
	run arh ingest "$DUE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"case file 1-2/2024 was destroyed"* ]]
}

@test "no single person can destroy: roles are checked at every step and refusals are events" {
	destruction_home
	run as daemon disposition propose
	[ "$status" -eq 1 ]
	[[ "$output" == *"needs the records-manager role"* ]]
	run arh disposition propose
	[ "$status" -eq 0 ]
	run as daemon disposition approve 1
	[ "$status" -eq 1 ]
	[[ "$output" == *"holds neither"* ]]
	arh disposition approve 1 >/dev/null
	as nobody disposition approve 1 >/dev/null
	run as nobody disposition execute 1
	[ "$status" -eq 1 ]
	[[ "$output" == *"executing a destruction list needs the records-manager role"* ]]
	[ -f "$DUETAR" ]
	run arh events --json
	[ "$(echo "$output" | jq '[.[] | select(.result == "denied")] | length')" -ge 3 ]
}

@test "a hold placed after approval stops execution, and nothing is destroyed" {
	destruction_home
	approved_list
	before=$(state)
	arh hold add 1-2 --reason "audit 2026" --authority "Riigikontroll" >/dev/null
	run arh disposition execute "$LIST"
	[ "$status" -eq 1 ]
	[[ "$output" == *"1-2_2024.v1: held by hold 1"* ]]
	[ "$before" = "$(state)" ]
	run arh events
	[[ "$output" == *"disposal-execute refused"* ]]
	arh hold release 1 --reason "audit closed" >/dev/null
	run arh disposition execute "$LIST"
	[ "$status" -eq 0 ]
	[ ! -e "$DUETAR" ]
}

@test "a changed case file (a new version after the proposal) stops execution" {
	destruction_home
	approved_list
	echo "lisa" >"$DUE/1-2_8911-1/lisa.txt"
	arh ingest --new-version "$DUE" >/dev/null
	run arh disposition execute "$LIST"
	[ "$status" -eq 1 ]
	[[ "$output" == *"versions the list leaves out (1-2_2024.v2)"* ]]
	[ -f "$DUETAR" ]
}

@test "an interrupted removal is finished by the next command; a stranger under that name is left alone" {
	destruction_home
	approved_list
	cp "$DUETAR" "$T/saved.tar"
	arh disposition execute "$LIST" >/dev/null
	# The file back after its list was executed: the full reconciliation
	# (not the opening of the home) compares the store with the catalog.
	cp "$T/saved.tar" "$DUETAR"
	run arh catalog reconcile
	[ "$status" -eq 0 ]
	[[ "$output" == *"removed '1-2_2024.v1.tar': its destruction was recorded"* ]]
	[ ! -e "$DUETAR" ]
	# Other bytes under a destroyed name: not adopted, not removed.
	echo junk >"$DUETAR"
	run arh catalog reconcile
	[[ "$output" == *"has the name of a destroyed archive but other content"* ]]
	[ -f "$DUETAR" ]
	run arh list
	[[ "$output" != *"1-2_2024.v1  "* ]]
	rm "$DUETAR"
	# A rebuilt catalog does not bring it back; tombstones stay.
	run arh catalog rebuild
	[ "$status" -eq 0 ]
	run arh disposition act "$LIST"
	[[ "$output" == *'"archive": "1-2_2024.v1"'* ]]
	run arh list
	[[ "$output" != *"1-2_2024"* ]]
}

@test "tombstones, lists and acts carry the public view only: no marker of the restricted record" {
	destruction_home
	approved_list
	arh disposition execute "$LIST" >/dev/null
	for out in "disposition act $LIST" "disposition act $LIST --html" \
	    "disposition show $LIST" "disposition show $LIST --json" \
	    "disposition lists --json" "events" "list" "show 1-2/2024" \
	    "show --json 1-2_2024.v1"; do
		run as daemon $out
		[ "$status" -eq 0 ]
		[[ "$output" != *MARKER* ]] || { echo "leak in: $out"; false; }
	done
	run as daemon disposition act "$LIST"
	[[ "$output" == *'"reference": "1-2/8910-1"'* ]]
	[[ "$output" == *'"basis": "AvTS § 35 lg 1 p 1"'* ]]
}

@test "bad disposition arguments are usage errors, exit 2, and change nothing" {
	destruction_home
	before=$(state)
	for args in "approve" "approve x" "execute 0" "execute -1" "show" \
	    "propose extra" "lists 1" "act 1 --dry-run" "approve 1 --series 1-2" \
	    "propose --as-of 2026-02-30" "frobnicate 1"; do
		run arh disposition $args
		[ "$status" -eq 2 ] || { echo "disposition $args: $status"; false; }
	done
	run arh disposition approve 99
	[ "$status" -eq 1 ]
	[[ "$output" == *"no destruction list 99"* ]]
	run arh disposition act 99
	[ "$status" -eq 1 ]
	[ "$before" = "$(state)" ]
}

@test "an archive that fails verification is not proposed: the tombstone must say what the seal says" {
	destruction_home
	off=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select data_offset from files
	    where archive = '1-2_2024.v1' and path like 'data/1-2_8911-1/%' limit 1")
	chmod u+w "$DUETAR"
	printf 'X' | dd of="$DUETAR" bs=1 seek="$off" conv=notrunc status=none
	run arh disposition propose
	[ "$status" -eq 1 ]
	[[ "$output" == *"left out: 1-2_2024.v1: fails verification (payload"* ]]
	[[ "$output" == *"no archive is due for destruction"* ]]
	[ -z "$(arh disposition lists)" ]
}

@test "the act's series must be in the file plan: execute refuses before anything is destroyed" {
	destruction_home
	approved_list
	grep -v '^akt,' "$T/plan.csv" >"$T/plan-no-act.csv"
	arh fileplan import "$T/plan-no-act.csv" >/dev/null
	before=$(state)
	run arh disposition execute "$LIST"
	[ "$status" -eq 1 ]
	[[ "$output" == *"destruction list $LIST cannot be executed: the destruction act's series 'akt' ([disposition] act_series) is not in the file plan"* ]]
	[[ "$output" == *"add a row for series 'akt' to the file plan and import it; nothing was destroyed"* ]]
	[ "$before" = "$(state)" ]
	[ -f "$DUETAR" ]
	run arh events
	[[ "$output" == *"disposal-execute refused"* ]]
	# The fix the message names: the row back, in a new version.
	sed 's/^akt,\(.*\),$/akt,\1,hävitamisaktid/' "$T/plan.csv" >"$T/plan-act.csv"
	arh fileplan import "$T/plan-act.csv" >/dev/null
	run arh disposition execute "$LIST"
	[ "$status" -eq 0 ]
	[ ! -e "$DUETAR" ]
}
