#!/usr/bin/env bats
# No terminal injection through human-readable output: values from a case
# directory, an archive, the catalog or the command line are printed with
# control characters, invisible format characters and invalid UTF-8 as
# \xNN, so they can neither drive the terminal (clear it, retitle it) nor
# forge a line.  File names holding such characters are refused at ingest;
# metadata strings may hold them, as data.  --json keeps the exact strings.
load helpers

ESC=$(printf '\033')
RLO=$(printf '\342\200\256')	# U+202E RIGHT-TO-LEFT OVERRIDE
BOM=$(printf '\357\273\277')	# U+FEFF
FORGED='12-1/2024: OK (4 payload files)'
TITLE="Vastus ${ESC}[2J${ESC}]0;x$(printf '\a')kiri
$FORGED"
CORRESPONDENT="Legal ${RLO}evitaitinI${BOM} Initiative"

# clean: $output holds no raw ESC or U+202E, and no line starts with the
# forged text.
clean() {
	local l
	if [[ "$output" == *"$ESC"* || "$output" == *"$RLO"* ]]; then
		echo "raw ESC or U+202E in: $output" >&2
		return 1
	fi
	for l in "${lines[@]}"; do
		if [[ "$l" == "$FORGED"* ]]; then
			echo "forged line: $l" >&2
			return 1
		fi
	done
}

# set_field FILE KEY VALUE: one string of a JSON file replaced.
set_field() {
	jq --arg v "$3" ".$2 = \$v" "$1" >"$1.new" && mv "$1.new" "$1"
}

# A home with the sample case whose public record 12-1/8911-1 has a hostile
# title and correspondent (and its case file a hostile title).
hostile_home() {
	arh init --organisation Justiitsministeerium >/dev/null
	arh register import -C "$CASE" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt" >/dev/null
	set_field "$CASE/12-1_8911-1/record.json" title "$TITLE"
	set_field "$CASE/12-1_8911-1/record.json" correspondent "$CORRESPONDENT"
	set_field "$CASE/case.json" title "$TITLE"
	run arh ingest "$CASE"
	[ "$status" -eq 0 ]
	TAR="$ARHIIVAR_HOME/store/12-1_2024.v1.tar"
}

# refused NAME WHY: a payload file NAME makes ingest refuse the case
# directory with WHY (the name as escaped in the message), nothing stored.
refused() {
	printf 'x' >"$CASE/12-1_8911-1/$1"
	run arh ingest "$CASE"
	rm -f "$CASE/12-1_8911-1/$1"
	[ "$status" -eq 1 ]
	clean
	[ ! -e "$ARHIIVAR_HOME/store/12-1_2024.v1.tar" ]
	[[ "$output" == *"arhiivar: $2"* ]]
	[[ "$output" == *"case directory '$CASE' was not archived"* ]]
}

@test "ingest refuses file names with a control or a format character, the name escaped in the message" {
	arh init >/dev/null
	arh register import -C "$CASE" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt" >/dev/null
	control='name contains a control character; rename it'
	format='name contains an invisible or bidirectional format character, which can disguise it; rename it'
	refused "x${ESC}[2J.txt" '12-1_8911-1/x\x1b[2J.txt: '"$control"
	refused "x${ESC}]0;x$(printf '\a')" '12-1_8911-1/x\x1b]0;x\x07: '"$control"
	refused "$(printf 'x\n12-1')" '12-1_8911-1/x\x0a12-1: '"$control"
	refused "report${RLO}fdp.exe" '12-1_8911-1/report\xe2\x80\xaefdp.exe: '"$format"
	refused "${BOM}bom.txt" '12-1_8911-1/\xef\xbb\xbfbom.txt: '"$format"
	refused "zero$(printf '\342\200\213')width" '12-1_8911-1/zero\xe2\x80\x8bwidth: '"$format"
	# The same case directory without them is archived.
	run arh ingest "$CASE"
	[ "$status" -eq 0 ]
}

@test "a hostile title and correspondent are archived as data and escaped by show and show --public" {
	hostile_home
	clean
	for args in "show 12-1/2024" "show --public 12-1/2024"; do
		run arh $args
		[ "$status" -eq 0 ]
		clean
		[[ "$output" == *'title             Vastus \x1b[2J\x1b]0;x\x07kiri\x0a12-1/2024: OK (4 payload files)'* ]]
		[[ "$output" == *'correspondent     Legal \xe2\x80\xaeevitaitinI\xef\xbb\xbf Initiative'* ]]
	done
}

@test "--json keeps the exact strings" {
	hostile_home
	run arh show --json 12-1/2024
	[ "$status" -eq 0 ]
	[ "$(jq -r '.records[] | select(.reference == "12-1/8911-1") | .title' <<<"$output")" = "$TITLE" ]
	[ "$(jq -r '.records[] | select(.reference == "12-1/8911-1") | .correspondent' <<<"$output")" = "$CORRESPONDENT" ]
	# jansson writes the controls as \u escapes, not as raw bytes.
	[[ "$output" != *"$ESC"* ]]
}

@test "find, list and policy explain print no raw control or format character" {
	hostile_home
	set_field "$CASE/case.json" retention "10 a${ESC}[2J${RLO}"
	run arh ingest --new-version "$CASE"
	[ "$status" -eq 0 ]
	for args in "find 12-1/8911-1" "list" "policy explain 12-1/2024"; do
		run arh $args
		[ "$status" -eq 0 ]
		clean
	done
	run arh policy explain 12-1/2024
	[[ "$output" == *'retention as given: 10 a\x1b[2J\xe2\x80\xae'* ]]
	[ "$(arh policy explain --json 12-1/2024 | jq -r .archive)" = 12-1_2024.v2 ]
	# What the user typed is escaped in the answer too.
	run arh find "zz${ESC}[2J${RLO}"
	[ "$status" -eq 1 ]
	clean
	[[ "$output" == *"record reference 'zz\\x1b[2J\\xe2\\x80\\xae'"* ]]
}

@test "events and hold list escape what the catalog holds" {
	hostile_home
	entitle_caller
	run arh hold add 12-1/2024 --reason "kohtuasi${ESC}[2J
$FORGED" --authority "Harju ${RLO}Maakohus"
	[ "$status" -eq 0 ]
	run arh hold list
	[ "$status" -eq 0 ]
	clean
	[[ "$output" == *'kohtuasi\x1b[2J\x0a12-1/2024: OK (4 payload files) (Harju \xe2\x80\xaeMaakohus)'* ]]
	# A catalog written by other hands: its strings are not trusted either.
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "INSERT INTO events (at, actor, kind,
	    archive, target, result) VALUES ('2025-01-02T00:00:00Z',
	    'mallory' || char(27) || '[2J', 'restore', '12-1_2024.v1',
	    'data/x' || char(10) || '$FORGED' || char(8238), 'denied')"
	for args in "events" "events 12-1/2024"; do
		run arh $args
		[ "$status" -eq 0 ]
		clean
		[[ "$output" == *'restore   denied  mallory\x1b[2J  12-1_2024.v1 data/x\x0a12-1/2024: OK (4 payload files)\xe2\x80\xae'* ]]
	done
	run arh events --json
	[ "$(jq -r '.[] | select(.kind == "restore") | .target' <<<"$output")" = "data/x
$FORGED$RLO" ]
}

@test "verify of a crafted archive: a member name with ESC and a newline is escaped in the finding" {
	ingested_home
	mkdir "$T/x"
	tar -xf "$TAR" -C "$T/x"
	# The name holds '/' after the newline, so the forged line needs a
	# directory: data/12-1_8911-1/x<ESC>[2J<LF>12-1/2024: OK (...).
	dir="$T/x/12-1_2024.v1/data/12-1_8911-1/x${ESC}[2J
12-1"
	mkdir "$dir"
	printf 'forged' >"$dir/2024: OK (4 payload files)"
	( cd "$T/x" && bsdtar --format=ustar -cf "$T/crafted.tar" 12-1_2024.v1 )
	tar --quoting-style=literal -tf "$T/crafted.tar" | grep -q "x${ESC}\[2J"
	cp "$ARHIIVAR_HOME/keys/seal.pem" "$T/anchor.pem"
	run arh -H "$T/nohome" verify --trust "$T/anchor.pem" "$T/crafted.tar"
	[ "$status" -eq 1 ]
	clean
	[[ "${lines[0]}" == *"crafted.tar: FAILED, "*" findings" ]]
	[[ "$output" == *'completeness data/12-1_8911-1/x\x1b[2J\x0a12-1/2024: OK (4 payload files): not listed in manifest-sha512.txt'* ]]
	# The JSON report keeps the member name as stored.
	run arh -H "$T/nohome" verify --json --trust "$T/anchor.pem" "$T/crafted.tar"
	[ "$status" -eq 1 ]
	[ "$(jq -r '[.findings[] | select(.layer == "completeness")][0].member' <<<"$output")" = "data/12-1_8911-1/x${ESC}[2J
12-1/2024: OK (4 payload files)" ]
}
