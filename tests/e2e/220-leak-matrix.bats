#!/usr/bin/env bats
# Leak matrix: for every role a caller can hold and every read command, in
# plain and --json form, no marker of the internal-use record 12-1/8910-1
# (MARKER-TITLE-7f3a, MARKER-CORRESPONDENT-7f3a in its record.json,
# MARKER-CONTENT-7f3a in lisad/lisa-1.txt) reaches a caller whose role is not
# entitled (stdout or stderr), nor any row of the events table; and the
# entitled role (records-manager) does get the title and the content, so
# the matrix can fail.  One ingested home per role, reused by every command.
load helpers

MARK=MARKER-	# the common prefix of the three markers

# The matrix, one command per line:  NONENT ENT SCOPE ARGS...
#   NONENT, ENT  expected exit status for a non-entitled / entitled caller
#   SCOPE        R  marker-free for non-entitled roles only
#                P  marker-free for every role (public outputs)
#                T  R, and an entitled caller must see MARKER-TITLE-7f3a
#                C  R, and an entitled caller must see MARKER-CONTENT-7f3a
# @OUT@, @S256@ (lisa-1.txt) and @S512@ (õiend.pdf) are filled in at run
# time.  Restores come first, so that the events listings that follow show
# their denials.
matrix() {
	cat <<'EOF'
1 0 C restore -o - 12-1/2024 12-1_8910-1/lisad/lisa-1.txt
1 0 R restore -o - 12-1/2024 data/12-1_8910-1/lisad/lisa-1.txt
1 0 R restore -o - 12-1/2024 12-1_8910-1/õiend.pdf
1 0 R restore -o @OUT@ 12-1/2024 12-1_8910-1/lisad/lisa-1.txt
1 1 P restore -o - 12-1/2024 12-1_8910-1/nope.txt
1 1 P restore -o - 12-1/2024 12-1_8911-1/nope.txt
1 1 P restore -o - 12-1/2024 metadata/case.json
1 1 P restore -o - 12-1/2024 ../metadata/case.json
1 1 P restore -o - 12-1/2024 12-1_8910-1/lisad/../lisad/lisa-1.txt
1 1 P restore -o - 99-9/1999 12-1_8910-1/lisad/lisa-1.txt
0 0 P restore -o - 12-1/2024 12-1_8911-1/vastus.txt
0 0 P list
0 0 P list --json
0 0 T show 12-1/2024
0 0 T show --json 12-1/2024
0 0 P show --public 12-1/2024
0 0 P show --public --json 12-1/2024
0 0 T show 12-1_2024.v1
0 0 T show --json 12-1_2024.v1
0 0 P show --public 12-1_2024.v1
0 0 R find 12-1/8910-1
0 0 R find --json 12-1/8910-1
0 0 R find @S256@
0 0 R find --json @S256@
0 0 R find @S512@
0 0 R find --json @S512@
1 1 P find 0000
0 0 P events
0 0 P events --json
0 0 P events 12-1/2024
0 0 P events --json 12-1/2024
0 0 P events 12-1_2024.v1
0 0 P verify 12-1/2024
0 0 P verify --json 12-1/2024
0 0 P verify --all
0 0 P verify --all --json
0 0 P verify @TAR@
0 0 P verify --json @TAR@
0 0 P policy explain 12-1/2024
0 0 P access review --days 5000
0 0 P access review --json --days 5000
0 0 P hold list --all
0 0 P disposition due --as-of 2040-01-01
0 0 P disposition due --json --as-of 2040-01-01
1 0 P disposition propose --dry-run --as-of 2040-01-01
1 0 P disposition propose --dry-run --json --as-of 2040-01-01
0 0 P disposition lists --json
EOF
}

# leak_matrix ROLE: a home where the caller holds exactly ROLE besides
# public; every command of the matrix; one line per problem in $T/problems.
# Returns 1 if there was any.
leak_matrix() {
	local role=$1 entitled=0 line nonent ent scope want args cmd out err rc
	local s256 s512 n=0
	local dir="$T/$role"
	mkdir -p "$dir"
	export ARHIIVAR_HOME="$dir/home"
	CASE="$dir/case"
	cp -r "$ARH_TOP/sample/case-12-1-2024" "$CASE"
	# With a file plan, so that disposition outputs have something due.
	arh init >/dev/null
	arh fileplan import "$ARH_TOP/sample/fileplan.csv" >/dev/null
	ingested_home
	case $role in
	public)	;;
	records-manager) entitle_caller; entitled=1 ;;
	*)	printf '[roles]\n%s = user:%s\n' "$role" "$(id -un)" \
		    >>"$ARHIIVAR_HOME/arhiivar.conf" ;;
	esac
	s256=$(sha256sum "$CASE/12-1_8910-1/lisad/lisa-1.txt" | cut -c1-64)
	s512=$(sha512sum "$CASE/12-1_8910-1/õiend.pdf" | cut -c1-128)
	: >"$T/problems.$role"
	problem() { echo "$role × '$cmd': $*" >>"$T/problems.$role"; }

	while read -r nonent ent scope cmd; do
		cmd=${cmd//@OUT@/$dir/out-$n}
		cmd=${cmd//@S256@/$s256}
		cmd=${cmd//@S512@/$s512}
		cmd=${cmd//@TAR@/$TAR}
		read -ra args <<<"$cmd"
		out="$dir/stdout.$n" err="$dir/stderr.$n"
		rc=0
		arh "${args[@]}" >"$out" 2>"$err" || rc=$?
		want=$nonent
		[ $entitled = 1 ] && want=$ent
		[ "$rc" = "$want" ] ||
			problem "exit status $rc, expected $want: $(head -c 300 "$err")"
		if [ $entitled = 0 ] || [ "$scope" = P ]; then
			for s in stdout stderr; do
				f=$out; [ $s = stderr ] && f=$err
				if grep -aqF "$MARK" "$f"; then
					problem "LEAK on $s: $(grep -aoE 'MARKER-[A-Z]+-7f3a' "$f" | sort -u | tr '\n' ' ')"
				fi
			done
		fi
		if [ $entitled = 1 ]; then
			[ "$scope" = T ] && ! grep -qF MARKER-TITLE-7f3a "$out" &&
				problem "entitled caller did not get MARKER-TITLE-7f3a"
			[ "$scope" = C ] && ! grep -qF MARKER-CONTENT-7f3a "$out" &&
				problem "entitled caller did not get MARKER-CONTENT-7f3a"
		fi
		# A refused restore gives not one byte, names the caller's
		# roles (which proves the role configuration took effect) and
		# leaves no output file.
		if [ "${args[0]}" = restore ] && [ $entitled = 0 ] &&
		    [ "$scope" != P ]; then
			[ -s "$out" ] && problem "refused restore wrote to stdout"
			local roles="public"
			[ "$role" != public ] && roles="public, $role"
			grep -qF "access denied to '" "$err" &&
			    grep -qF "it is not in '12-1_2024.v1', or it belongs to a record not open to you" "$err" &&
			    grep -qF "none of your roles ($roles)" "$err" ||
				problem "refusal does not say 'access denied … none of your roles ($roles)': $(cat "$err")"
			[ -e "$dir/out-$n" ] && problem "refused restore left '$dir/out-$n'"
		fi
		n=$((n + 1))
	done < <(matrix)

	# Nothing of the record in the audit trail, denials included.
	cmd="sqlite3 catalog.db 'select * from events'"
	if sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select * from events' |
	    grep -aF "$MARK" >"$dir/event-leaks"; then
		problem "LEAK in the events table: $(cat "$dir/event-leaks")"
	fi
	# The denials were recorded (one per refused restore of an existing
	# internal-use file, 4, and — so that a guessed name is no oracle —
	# one per name that is not in the archive, 5), so the check above
	# looked at real rows.
	local denials
	denials=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" \
	    "select count(*) from events where kind = 'denial'")
	local want_denials=9
	[ $entitled = 1 ] && want_denials=0
	[ "$denials" = $want_denials ] ||
		problem "expected $want_denials denial events, found $denials"

	# Every record went through the one projection, and its view is the
	# one the role gets: full for the entitled, public for the restricted
	# record otherwise, person (initials) for the public one.
	cmd="show --json 12-1/2024"
	local views want_views="12-1/8909-1=person 12-1/8910-1=public 12-1/8911-1=person"
	[ $entitled = 1 ] && want_views="12-1/8909-1=full 12-1/8910-1=full 12-1/8911-1=full"
	views=$(arh show --json 12-1/2024 | jq -r '[.records[] |
	    "\(.reference)=\(.decision.view)"] | sort | join(" ")')
	[ "$views" = "$want_views" ] ||
		problem "views '$views', expected '$want_views'"

	echo "$role: $n commands checked"
	if [ -s "$T/problems.$role" ]; then
		cat "$T/problems.$role"
		return 1
	fi
}

@test "leak matrix: public (no role granted) receives no marker" {
	leak_matrix public
}

@test "leak matrix: staff receives no marker" {
	leak_matrix staff
}

@test "leak matrix: auditor receives no marker" {
	leak_matrix auditor
}

@test "leak matrix: approver receives no marker" {
	leak_matrix approver
}

@test "leak matrix: records-manager receives the title and the content; public outputs still carry no marker" {
	leak_matrix records-manager
}

# Initials: a private person's name in every spelling (as written, upper
# case, inverted, inflected, without its diacritics, in register.lines and
# nested in extra) reaches no caller without an entitled role, in any read
# command; the entitled caller gets the name, so the check can fail.
SPELLINGS='mari|liis|õunapuu|ounapuu'

initials_home() {
	local role=$1 r
	export ARHIIVAR_HOME="$T/$role/home"
	CASE="$T/$role/case"
	mkdir -p "$T/$role"
	cp -r "$ARH_TOP/sample/case-12-1-2024" "$CASE"
	r="$CASE/12-1_8911-1/record.json"
	jq '.correspondent = "Mari-Liis Õunapuu" | .private_person = true |
	    .title = "Vastus Õunapuu pöördumisele (MARI-LIIS ÕUNAPUU)" |
	    .register = {lines: [["Saatja", "Õunapuu, Mari-Liis"],
	        ["Adressaat", "Mari-Liisile"], ["Märkus", "saadetud Õunapuule"]]} |
	    .extra = {vastus: {saajad: ["Õunapuud", {nimi: "ounapuu mari-liis"}],
	        n: 1}}' "$r" >"$T/r.json"
	mv "$T/r.json" "$r"
	arh init >/dev/null
	arh ingest "$CASE" >/dev/null
	case $role in
	public)	;;
	records-manager) entitle_caller ;;
	*)	printf '[roles]\n%s = user:%s\n' "$role" "$(id -un)" \
		    >>"$ARHIIVAR_HOME/arhiivar.conf" ;;
	esac
}

# initials_matrix ROLE: every read command, no spelling of the name.
initials_matrix() {
	local role=$1 cmd out problems=""
	initials_home "$role"
	for cmd in "show --public 12-1/2024" "show --public --json 12-1/2024" \
	    "show 12-1/2024" "show --json 12-1/2024" "show 12-1_2024.v1" \
	    "find 12-1/8911-1" "find --json 12-1/8911-1" "list" "list --json" \
	    "policy explain 12-1/2024"; do
		[ "$role" = records-manager ] && [[ $cmd != *--public* ]] &&
		    [[ $cmd == show* ]] && continue
		out=$(arh $cmd 2>&1) || problems+="'$cmd' failed: $out"$'\n'
		if grep -aiqE "$SPELLINGS" <<<"$out"; then
			problems+="$role × '$cmd': LEAK: $(grep -aioE "$SPELLINGS" <<<"$out" | sort -u | tr '\n' ' ')"$'\n'
		fi
	done
	# The masked spellings are there, so the checks above saw the record.
	out=$(arh show --public --json 12-1/2024)
	jq -e '.records[] | select(.reference == "12-1/8911-1") |
	    .correspondent == "M.-L. Õ." and
	    .title == "Vastus Õ. pöördumisele (M.-L. Õ.)" and
	    .register.lines[0][1] == "Õ., M.-L." and
	    .extra.vastus.saajad[1].nimi == "Õ. M.-L."' <<<"$out" >/dev/null ||
		problems+="masked view not as expected: $out"$'\n'
	if [ "$role" = records-manager ]; then
		out=$(arh show --json 12-1/2024)
		jq -e '.records[] | select(.reference == "12-1/8911-1") |
		    .correspondent == "Mari-Liis Õunapuu"' <<<"$out" >/dev/null ||
			problems+="entitled caller did not get the name"$'\n'
	fi
	[ -z "$problems" ] || { printf '%s' "$problems"; return 1; }
}

@test "initials: no spelling of a private person's name reaches the public" {
	initials_matrix public
}

@test "initials: no spelling of a private person's name reaches staff" {
	initials_matrix staff
}

@test "initials: the entitled role gets the name; --public still masks every spelling" {
	initials_matrix records-manager
}
