#!/usr/bin/env bats
# The bash completion of arhiivar (packaging/deb/debian/arhiivar.bash-
# completion): the verbs, sub-verbs and options it offers are the ones the
# binary's help and usage texts name, directories where a directory is
# asked for.  Each check runs in plain bash, and again with bash-completion
# loaded when it is installed.
load helpers

# ARH_COMPLETION: another copy of the script to test, such as the installed
# /usr/share/bash-completion/completions/arhiivar.
COMPLETION=${ARH_COMPLETION:-$ARH_TOP/packaging/deb/debian/arhiivar.bash-completion}
BASH_COMPLETION=/usr/share/bash-completion/bash_completion

# Source the completion in a bare bash (bash-completion first when $BC is
# set), complete the last word of $2 as bash would (a line ending in a
# blank completes an empty word; words split at blanks only) and print
# COMPREPLY one a line.
DRIVER='
	[ -n "${BC:-}" ] && . "$BC"
	. "$1"
	line=$2
	read -ra COMP_WORDS <<<"$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	_arhiivar arhiivar "$cur" "$prev"
	printf "%s\n" "${COMPREPLY[@]}"
'

# offered MODE LINE: what completing LINE offers, sorted, one a line.
# MODE is plain, or bc for bash-completion loaded.
offered() {
	local bc=
	[ "$1" = bc ] && bc=$BASH_COMPLETION
	BC=$bc bash --norc --noprofile -c "$DRIVER" _ "$COMPLETION" "$2" |
	    sed '/^$/d' | LC_ALL=C sort -u
}

# same WANT GOT: the two lists are equal; else show what differs ("-"
# wanted but not offered, "+" offered but not wanted).
same() {
	if [ "$1" != "$2" ]; then
		diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") |
		    sed -n 's/^< /- /p; s/^> /+ /p'
		return 1
	fi
}

need_bc() {
	[ -f "$BASH_COMPLETION" ] || skip "bash-completion is not installed"
}

# The verbs 'arhiivar -h' lists.
verbs() {
	arh -h | awk '/^verbs:/ { on = 1; next } on && /^  [a-z]/ { print $1 }
	    on && /^$/ { exit }' | LC_ALL=C sort -u
}

# The usage line of VERB (after "usage: arhiivar VERB "), from the binary:
# an unknown option makes every verb print it before it does anything.
# Asked once a test (the binary may run under valgrind).
usage_of() {
	[ -f "$T/usage.$1" ] || arh "$1" --no-such-option 2>&1 |
	    sed -n "s/^usage: arhiivar $1 //p" >"$T/usage.$1"
	cat "$T/usage.$1"
}

# The alternatives of a usage line ("A | B | C"), one a line.
alternatives() {
	printf '%s\n' "$1" | sed 's/ | /\n/g'
}

# VERB has sub-verbs when its usage starts with a word, not [ARG] or -x.
has_subverbs() {
	[[ $(usage_of "$1") =~ ^[a-z] ]]
}

# The sub-verbs of VERB: the first word of each alternative of its usage.
subverbs() {
	alternatives "$(usage_of "$1")" | awk '{ print $1 }' | LC_ALL=C sort -u
}

# The options a usage text names: -x and --long after a blank, [ or |.
options_in() {
	grep -oE -- '(^|[][ |])--?[A-Za-z][A-Za-z-]*' | sed 's/^[][ |]//' |
	    LC_ALL=C sort -u
}

# Each test dir holds directories alpha and beta, and files afile, b.tar,
# c.csv: a directory argument offers alpha and beta only.
pick() {
	mkdir -p "$T/pick/alpha" "$T/pick/beta"
	touch "$T/pick/afile" "$T/pick/b.tar" "$T/pick/c.csv"
	cd "$T/pick"
}

check_verbs() {
	local want
	want=$(verbs)
	[ "$(printf '%s\n' "$want" | wc -l)" -ge 20 ]
	same "$want" "$(offered "$1" 'arhiivar ')"
	# and after the global option -H HOME
	same "$want" "$(offered "$1" "arhiivar -H $T ")"
}

check_subverbs() {
	local verb with=
	mkdir "$T/empty"
	cd "$T/empty"
	for verb in $(verbs); do
		[ -n "$(usage_of "$verb")" ]
		if has_subverbs "$verb"; then
			with="$with $verb"
			same "$(subverbs "$verb")" \
			    "$(offered "$1" "arhiivar $verb ")" ||
			    { echo "after 'arhiivar $verb'"; return 1; }
		else
			# no words of its own; and nothing to pick here
			same "" "$(offered "$1" "arhiivar $verb ")" ||
			    { echo "after 'arhiivar $verb'"; return 1; }
		fi
	done
	# The usages still tell sub-verbs apart.
	for verb in log schedule disposition hold; do
		[[ "$with " == *" $verb "* ]]
	done
}

check_options() {
	local verb sub alt n=0 o got
	for verb in $(verbs); do
		while read -r alt; do
			sub=
			has_subverbs "$verb" && sub=" ${alt%% *}"
			got=$(offered "$1" "arhiivar $verb$sub -")
			for o in $(printf '%s\n' "$alt" | options_in); do
				n=$((n + 1))
				if ! grep -qxe "$o" <<<"$got"; then
					echo "arhiivar $verb$sub: $o not offered"
					return 1
				fi
			done
		done < <(alternatives "$(usage_of "$verb")")
	done
	[ "$n" -ge 30 ]
}

check_prefix() {
	same schedule "$(offered "$1" 'arhiivar sch')"
	same "$(verbs | grep '^s')" "$(offered "$1" 'arhiivar s')"
	same "$(printf 'check-consistency\ncheck-proof')" \
	    "$(offered "$1" 'arhiivar log check-')"
	same run-now "$(offered "$1" 'arhiivar schedule r')"
	same due "$(offered "$1" 'arhiivar disposition d')"
	same --quiet "$(offered "$1" 'arhiivar verify --q')"
	same "$(printf -- '--help\n--version\n-H\n-V\n-h')" "$(offered "$1" 'arhiivar -')"
	same --version "$(offered "$1" 'arhiivar --v')"
}

check_home_dirs() {
	pick
	same "$(printf 'alpha\nbeta')" "$(offered "$1" 'arhiivar -H ')"
	same alpha "$(offered "$1" 'arhiivar -H a')"
	cd "$T"
	same "$(printf 'pick/alpha\npick/beta')" \
	    "$(offered "$1" 'arhiivar -H pick/')"
}

check_arguments() {
	local line
	pick
	for line in 'arhiivar ingest ' 'arhiivar submit --name x ' \
	    'arhiivar register import -C ' 'arhiivar schedule add --source '; do
		same "$(printf 'alpha\nbeta')" "$(offered "$1" "$line")"
	done
	same "$(printf 'alpha\nb.tar\nbeta')" "$(offered "$1" 'arhiivar verify ')"
	same "$(printf 'alpha\nbeta\nc.csv')" \
	    "$(offered "$1" 'arhiivar fileplan import ')"
	for line in 'arhiivar restore -o ' 'arhiivar log check-proof ' \
	    'arhiivar verify --trust '; do
		same "$(printf 'afile\nalpha\nb.tar\nbeta\nc.csv')" \
		    "$(offered "$1" "$line")"
	done
	# a path inside the archive, a free text: nothing from here
	same "" "$(offered "$1" 'arhiivar restore b.tar ')"
	same "" "$(offered "$1" 'arhiivar hold add 1-2 --reason ')"
}

@test "completion: every verb of 'arhiivar -h' is offered, and no other" {
	check_verbs plain
}

@test "completion: every verb of 'arhiivar -h' is offered, with bash-completion" {
	need_bc
	check_verbs bc
}

@test "completion: the sub-verbs are those of each verb's usage" {
	check_subverbs plain
}

@test "completion: the sub-verbs are those of each verb's usage, with bash-completion" {
	need_bc
	check_subverbs bc
}

@test "completion: every option a usage names is offered" {
	check_options plain
}

@test "completion: every option a usage names is offered, with bash-completion" {
	need_bc
	check_options bc
}

@test "completion: a prefix narrows the words offered" {
	check_prefix plain
}

@test "completion: a prefix narrows the words offered, with bash-completion" {
	need_bc
	check_prefix bc
}

@test "completion: -H offers directories only" {
	check_home_dirs plain
}

@test "completion: -H offers directories only, with bash-completion" {
	need_bc
	check_home_dirs bc
}

@test "completion: directory and file arguments" {
	check_arguments plain
}

@test "completion: directory and file arguments, with bash-completion" {
	need_bc
	check_arguments bc
}

@test "completion: the script parses and registers _arhiivar for arhiivar" {
	run bash -n "$COMPLETION"
	[ "$status" -eq 0 ]
	run bash --norc --noprofile -c '. "$1" && complete -p arhiivar' _ \
	    "$COMPLETION"
	[ "$status" -eq 0 ]
	[ "$output" = "complete -F _arhiivar arhiivar" ]
}

@test "completion: shellcheck finds nothing" {
	command -v shellcheck >/dev/null || skip "shellcheck is not installed"
	run shellcheck -s bash "$COMPLETION"
	[ "$status" -eq 0 ]
}
