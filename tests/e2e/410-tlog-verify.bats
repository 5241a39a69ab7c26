#!/usr/bin/env bats
# tools/tlog-verify, the auditor's proof checker, against proofs made here
# from scratch with the openssl CLI alone: an Ed25519 key, an RFC 6962 tree
# of small entries, a C2SP checkpoint signed as a signed note, and
# c2sp.org/tlog-proof@v1 files.  No Arhiivar binary is used.  Every run of
# the tool is made under both dash and bash, which must agree.
#
# Two fixed vectors from outside: the RFC 6962 reference tree and its
# inclusion proofs (transparency-dev/merkle, proof/verify_test.go), and a
# checkpoint published with its verifier key and entries in
# transparency-dev/trillian-tessera testdata/log (see build_log.sh there).

export LC_ALL=C.UTF-8

: "${ARH_TOP:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
TOOL=$ARH_TOP/tools/tlog-verify
NAME=arhiivar.example/events

# ---- building blocks, openssl only ---------------------------------------

# b64 FILE: the base64 of FILE on one line.
b64() { openssl base64 -A -in "$1"; }

# unb64 STRING OUT: decode into OUT.
unb64() { printf '%s' "$1" | openssl base64 -d -A >"$2"; }

# hexof FILE: lowercase hex.
hexof() { od -An -v -tx1 "$1" | tr -d ' \n'; }

# unhex HEX OUT: bytes from hex digits.
unhex() {
	local h=$1 esc=""
	while [ -n "$h" ]; do
		esc+="\\x${h:0:2}"
		h=${h:2}
	done
	printf "$esc" >"$2"
}

# leaf_hash ENTRY OUT: SHA-256(0x00 || entry).
leaf_hash() {
	{ printf '\000'; cat "$1"; } | openssl dgst -sha256 -binary >"$2"
}

# node_hash LEFT RIGHT OUT: SHA-256(0x01 || left || right).
node_hash() {
	{ printf '\001'; cat "$1" "$2"; } | openssl dgst -sha256 -binary >"$3"
}

# split_point N: the largest power of two smaller than N (N > 1), RFC 6962 2.1.
split_point() {
	local k=1
	while [ $((k * 2)) -lt "$1" ]; do k=$((k * 2)); done
	echo "$k"
}

# mth DIR LO HI: the file holding MTH(D[LO:HI]) over the leaf hashes
# DIR/leaf.I, memoised as DIR/mth.LO.HI.
mth() {
	local d=$1 lo=$2 hi=$3 k out
	out=$d/mth.$lo.$hi
	if [ ! -e "$out" ]; then
		if [ $((hi - lo)) -eq 1 ]; then
			cat "$d/leaf.$lo" >"$out"
		else
			k=$(split_point $((hi - lo)))
			node_hash "$(mth "$d" "$lo" $((lo + k)))" "$(mth "$d" $((lo + k)) "$hi")" "$out"
		fi
	fi
	echo "$out"
}

# audit_path DIR M LO HI: the base64 lines of PATH(M, D[LO:HI]), RFC 6962
# 2.1.1, the leaf's sibling first.
audit_path() {
	local d=$1 m=$2 lo=$3 hi=$4 k
	[ $((hi - lo)) -gt 1 ] || return 0
	k=$(split_point $((hi - lo)))
	if [ "$m" -lt "$k" ]; then
		audit_path "$d" "$m" "$lo" $((lo + k))
		b64 "$(mth "$d" $((lo + k)) "$hi")"; echo
	else
		audit_path "$d" $((m - k)) $((lo + k)) "$hi"
		b64 "$(mth "$d" "$lo" $((lo + k)))"; echo
	fi
}

# new_key DIR: DIR/key.pem (Ed25519) and DIR/pub (its raw 32 bytes).
new_key() {
	openssl genpkey -algorithm ed25519 -out "$1/key.pem" 2>/dev/null
	openssl pkey -in "$1/key.pem" -pubout -outform DER | tail -c 32 >"$1/pub"
}

# key_id NAME PUB OUT: SHA-256(name || 0x0A || 0x01 || pub)[:4].
key_id() {
	{ printf '%s\n\001' "$1"; cat "$2"; } | openssl dgst -sha256 -binary | head -c 4 >"$3"
}

# vkey NAME DIR: the verifier key string of DIR's key under NAME.
vkey() {
	key_id "$1" "$2/pub" "$2/id"
	{ printf '\001'; cat "$2/pub"; } >"$2/vk"
	printf '%s+%s+%s' "$1" "$(hexof "$2/id")" "$(b64 "$2/vk")"
}

# sign_note NAME DIR TEXT OUT: the signed note of the file TEXT, signed by
# DIR's key under NAME: text, an empty line, "— NAME base64(id || sig)".
sign_note() {
	key_id "$1" "$2/pub" "$2/id"
	openssl pkeyutl -sign -inkey "$2/key.pem" -rawin -in "$3" -out "$2/sig"
	cat "$2/id" "$2/sig" >"$2/idsig"
	{ cat "$3"; printf '\n— %s %s\n' "$1" "$(b64 "$2/idsig")"; } >"$4"
}

# tree DIR N: leaf hashes of the entries DIR/entry.0..N-1, and DIR/root.
tree() {
	local i=0
	while [ "$i" -lt "$2" ]; do
		leaf_hash "$1/entry.$i" "$1/leaf.$i"
		i=$((i + 1))
	done
	cat "$(mth "$1" 0 "$2")" >"$1/root"
}

# checkpoint DIR N ORIGIN KEYDIR: DIR/note, the signed checkpoint of DIR's
# tree of size N.
checkpoint() {
	printf '%s\n%s\n%s\n' "$3" "$2" "$(b64 "$1/root")" >"$1/text"
	sign_note "$3" "$4" "$1/text" "$1/note"
}

# proof DIR M N OUT: the tlog-proof@v1 file for entry M of DIR's tree of
# size N, whose signed checkpoint is DIR/note.
proof() {
	{
		printf 'c2sp.org/tlog-proof@v1\nindex %s\n' "$2"
		audit_path "$1" "$2" 0 "$3"
		echo
		cat "$1/note"
	} >"$4"
}

# ---- fixture: one key, a tree of 7 entries, a tree of 1 ------------------

setup_file() {
	local F=$BATS_FILE_TMPDIR/fx i
	mkdir -p "$F/key" "$F/other" "$F/t7" "$F/t1"
	new_key "$F/key"
	new_key "$F/other"
	for i in 0 1 2 3 4 5 6; do
		printf 'event %s: record 12-1/2024 sealed\n' "$i" >"$F/t7/entry.$i"
	done
	# Entries are bytes, not text.
	printf 'binary\000\377\r\n' >"$F/t7/entry.4"
	tree "$F/t7" 7
	checkpoint "$F/t7" 7 "$NAME" "$F/key"
	for i in 0 1 2 3 4 5 6; do
		proof "$F/t7" "$i" 7 "$F/t7/proof.$i"
	done
	cp "$F/t7/entry.0" "$F/t1/entry.0"
	tree "$F/t1" 1
	checkpoint "$F/t1" 1 "$NAME" "$F/key"
	proof "$F/t1" 0 1 "$F/t1/proof.0"
}

setup() {
	F=$BATS_FILE_TMPDIR/fx
	T=$(mktemp -d "${TMPDIR:-/tmp}/tlog-verify-e2e.XXXXXX")
	VKEY=$(vkey "$NAME" "$F/key")
}

teardown() {
	if [ -n "${BATS_TEST_COMPLETED:-}" ]; then
		rm -rf "$T"
	else
		echo "# kept $T" >&3
	fi
}

# tv ARGS: run the tool under dash and under bash (whichever are installed);
# both must give the same status and output, left in $status and $output.
tv() {
	local sh s1="" o1="" first=1
	for sh in dash bash; do
		command -v "$sh" >/dev/null || continue
		run "$sh" "$TOOL" "$@"
		if [ "$first" -eq 1 ]; then
			s1=$status o1=$output first=0
		elif [ "$status" != "$s1" ] || [ "$output" != "$o1" ]; then
			printf 'dash and bash differ:\n[%s] %s\n[%s] %s\n' "$s1" "$o1" "$status" "$output" >&2
			return 1
		fi
	done
}

# accepted ARGS / rejected TEXT ARGS: the tool's verdict, with TEXT in the
# message of a rejection.
accepted() {
	tv "$@"
	if [ "$status" -ne 0 ]; then
		printf 'rejected (%s): %s\n' "$status" "$output" >&2
		return 1
	fi
	[[ "$output" == "ok: entry "*" is in the tree of size "*" signed by "* ]]
}
rejected() {
	local want=$1
	shift
	tv "$@"
	if [ "$status" -ne 1 ]; then
		printf 'status %s, not 1: %s\n' "$status" "$output" >&2
		return 1
	fi
	if [[ "$output" != "tlog-verify: "*"$want"* ]]; then
		printf 'no [%s] in: %s\n' "$want" "$output" >&2
		return 1
	fi
}

# edit_line N NEWTEXT IN OUT: IN with line N replaced.
edit_line() {
	awk -v n="$1" -v t="$2" 'NR == n { print t; next } { print }' "$3" >"$4"
}

# line N FILE: line N of FILE.
line() { sed -n "$1p" "$2"; }

# other_hash B64: another valid base64 SHA-256 hash (first character changed).
other_hash() {
	if [ "${1:0:1}" = A ]; then echo "B${1:1}"; else echo "A${1:1}"; fi
}

# ---- accepted ------------------------------------------------------------

@test "the script is POSIX sh: shebang, set -eu, executable, shellcheck -s sh clean" {
	[ -x "$TOOL" ]
	[ "$(head -n 1 "$TOOL")" = "#!/bin/sh" ]
	grep -qx 'set -eu' "$TOOL"
	if ! command -v shellcheck >/dev/null; then
		skip "shellcheck is not installed"
	fi
	shellcheck -s sh "$TOOL"
}

@test "first, middle and last entry of a tree of 7 are accepted" {
	for i in 0 3 6; do
		accepted --key "$VKEY" "$F/t7/proof.$i" "$F/t7/entry.$i"
		[ "$output" = "ok: entry $i is in the tree of size 7 signed by $NAME" ]
	done
}

@test "every entry of the tree of 7, a binary one too, is accepted run directly" {
	for i in 0 1 2 3 4 5 6; do
		run "$TOOL" --key "$VKEY" "$F/t7/proof.$i" "$F/t7/entry.$i"
		[ "$status" -eq 0 ]
		[ "$output" = "ok: entry $i is in the tree of size 7 signed by $NAME" ]
	done
}

@test "a tree of size 1: the proof has no hashes and the root is the leaf hash" {
	[ "$(line 3 "$F/t1/proof.0")" = "" ]
	accepted --key "$VKEY" "$F/t1/proof.0" "$F/t1/entry.0"
	[ "$output" = "ok: entry 0 is in the tree of size 1 signed by $NAME" ]
}

@test "--leaf-hash HEX stands for the entry, in either case" {
	hx=$(hexof "$F/t7/leaf.5")
	accepted --key "$VKEY" "$F/t7/proof.5" --leaf-hash "$hx"
	accepted --key "$VKEY" --leaf-hash "$(printf '%s' "$hx" | tr a-f A-F)" "$F/t7/proof.5"
	rejected "leads to" --key "$VKEY" "$F/t7/proof.5" --leaf-hash "$(hexof "$F/t7/leaf.4")"
	rejected "not 64 hex digits" --key "$VKEY" "$F/t7/proof.5" --leaf-hash "${hx:2}"
	rejected "not hex digits" --key "$VKEY" "$F/t7/proof.5" --leaf-hash "${hx:1}g"
}

@test "an extra line is allowed, its data is not trusted but must be base64" {
	awk 'NR == 1 { print; print "extra QXJoaWl2YXIgZXZlbnQ="; next } { print }' \
		"$F/t7/proof.2" >"$T/p"
	accepted --key "$VKEY" "$T/p" "$F/t7/entry.2"
	awk 'NR == 1 { print; print "extra not base64!"; next } { print }' \
		"$F/t7/proof.2" >"$T/p"
	rejected "line 2: the extra data is not base64" --key "$VKEY" "$T/p" "$F/t7/entry.2"
	awk 'NR == 1 { print; print "extra QQ=="; print "extra QQ=="; next } { print }' \
		"$F/t7/proof.2" >"$T/p"
	rejected "line 3: a second extra line" --key "$VKEY" "$T/p" "$F/t7/entry.2"
}

@test "cosignatures and signatures by other keys are ignored" {
	# A witness cosignature line (another name) and a line under the log's
	# name with another key ID: "Verifiers MUST ignore signatures from
	# unknown keys, even if they share a name or ID (but not both)".
	sign_note witness.example "$F/other" "$F/t7/text" "$T/witness-note"
	sign_note "$NAME" "$F/other" "$F/t7/text" "$T/same-name-note"
	{ cat "$F/t7/proof.1"; tail -n 1 "$T/witness-note"; tail -n 1 "$T/same-name-note"; } >"$T/p"
	accepted --key "$VKEY" "$T/p" "$F/t7/entry.1"
	# The log's own signature last, after the others.
	{ sed '$d' "$F/t7/proof.1"; tail -n 1 "$T/witness-note"; tail -n 1 "$F/t7/proof.1"; } >"$T/p"
	accepted --key "$VKEY" "$T/p" "$F/t7/entry.1"
}

@test "--origin names a log whose origin is not its key name" {
	mkdir "$T/t"
	cp "$F"/t7/entry.* "$T/t/"
	tree "$T/t" 7
	printf 'arhiivar.example/events/2024\n7\n%s\n' "$(b64 "$T/t/root")" >"$T/t/text"
	sign_note "$NAME" "$F/key" "$T/t/text" "$T/t/note"
	proof "$T/t" 3 7 "$T/p"
	rejected "line 7: the checkpoint's origin is not $NAME" --key "$VKEY" "$T/p" "$T/t/entry.3"
	accepted --key "$VKEY" --origin arhiivar.example/events/2024 "$T/p" "$T/t/entry.3"
	rejected "line 7: the checkpoint's origin is not other.example" \
		--key "$VKEY" --origin other.example "$F/t7/proof.3" "$F/t7/entry.3"
}

@test "extension lines in the checkpoint are signed and allowed" {
	mkdir "$T/t"
	cp "$F"/t7/entry.* "$T/t/"
	tree "$T/t" 7
	printf '%s\n7\n%s\nextension one\nTallinn \342\200\224 J\303\265geva \360\235\204\236 a\\\\b  \n' "$NAME" "$(b64 "$T/t/root")" >"$T/t/text"
	sign_note "$NAME" "$F/key" "$T/t/text" "$T/t/note"
	proof "$T/t" 6 7 "$T/p"
	accepted --key "$VKEY" "$T/p" "$T/t/entry.6"
}

@test "every entry of every tree of sizes 1 to 9 is accepted, and not under a neighbouring index" {
	mkdir "$T/t"
	for i in 0 1 2 3 4 5 6 7 8; do printf 'e%s' "$i" >"$T/t/entry.$i"; done
	tree "$T/t" 9
	for n in 1 2 3 4 5 6 7 8 9; do
		cat "$(mth "$T/t" 0 "$n")" >"$T/t/root"
		checkpoint "$T/t" "$n" "$NAME" "$F/key"
		for ((m = 0; m < n; m++)); do
			proof "$T/t" "$m" "$n" "$T/p"
			run "$TOOL" --key "$VKEY" "$T/p" "$T/t/entry.$m"
			[ "$status" -eq 0 ] || { echo "size $n entry $m: $output" >&2; false; }
			for w in $(((m + 1) % n)); do
				[ "$w" -ne "$m" ] || continue
				edit_line 2 "index $w" "$T/p" "$T/q"
				run "$TOOL" --key "$VKEY" "$T/q" "$T/t/entry.$m"
				[ "$status" -eq 1 ] || { echo "size $n entry $m as $w: $output" >&2; false; }
			done
		done
	done
}

# ---- rejected: the proof -------------------------------------------------

@test "rejected: one hash line changed, in each position" {
	# Entry 3 of 7 has three hashes, lines 3 to 5.
	for l in 3 4 5; do
		edit_line "$l" "$(other_hash "$(line "$l" "$F/t7/proof.3")")" "$F/t7/proof.3" "$T/p"
		rejected "line 9: the inclusion proof leads to" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	done
	edit_line 4 "not a hash" "$F/t7/proof.3" "$T/p"
	rejected "line 4: hash 1 of the inclusion proof is not the base64 of 32 bytes" \
		--key "$VKEY" "$T/p" "$F/t7/entry.3"
	edit_line 4 "$(line 4 "$F/t7/proof.3" | cut -c 1-40)" "$F/t7/proof.3" "$T/p"
	rejected "line 4: hash 1" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	# A non-canonical encoding (unused bits set) of the same 32 bytes.
	h=$(line 4 "$F/t7/proof.3")
	abc=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/
	v=${abc%%"${h:42:1}"*}
	c=${abc:$((${#v} | 1)):1}
	unb64 "$h" "$T/h1"
	unb64 "${h:0:42}$c=" "$T/h2"
	[ "$h" != "${h:0:42}$c=" ] && [ "$(hexof "$T/h1")" = "$(hexof "$T/h2")" ]
	edit_line 4 "${h:0:42}$c=" "$F/t7/proof.3" "$T/p"
	rejected "line 4: hash 1" --key "$VKEY" "$T/p" "$F/t7/entry.3"
}

@test "rejected: hashes in the wrong order, one missing, one too many" {
	# Swapped: lines 3 and 4 of entry 3's proof.
	awk 'NR == 3 { keep = $0; next } NR == 4 { print; print keep; next } { print }' \
		"$F/t7/proof.3" >"$T/p"
	rejected "leads to" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	sed 5d "$F/t7/proof.3" >"$T/p"
	rejected "the inclusion proof has 2 hashes, too few for entry 3 in a tree of size 7" \
		--key "$VKEY" "$T/p" "$F/t7/entry.3"
	awk -v h="$(b64 "$F/t7/root")" 'NR == 5 { print; print h; next } { print }' \
		"$F/t7/proof.3" >"$T/p"
	rejected "hash 3 of the inclusion proof: the proof is longer than the path" \
		--key "$VKEY" "$T/p" "$F/t7/entry.3"
	# The tree of 1 with a hash.
	awk -v h="$(b64 "$F/t1/root")" 'NR == 2 { print; print h; next } { print }' \
		"$F/t1/proof.0" >"$T/p"
	rejected "hash 0 of the inclusion proof: the proof is longer" --key "$VKEY" "$T/p" "$F/t1/entry.0"
}

@test "rejected: more than 63 hash lines" {
	h=$(line 3 "$F/t7/proof.0")
	{
		printf 'c2sp.org/tlog-proof@v1\nindex 0\n'
		for ((i = 0; i < 64; i++)); do echo "$h"; done
		echo
		cat "$F/t7/note"
	} >"$T/p"
	rejected "line 66: more than 63 hashes" --key "$VKEY" "$T/p" "$F/t7/entry.0"
}

@test "rejected: the index changed" {
	edit_line 2 "index 2" "$F/t7/proof.3" "$T/p"
	rejected "line 9: the inclusion proof leads to" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	edit_line 2 "index 7" "$F/t7/proof.3" "$T/p"
	rejected "the index 7 is not less than the tree size 7" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	edit_line 2 "index 03" "$F/t7/proof.3" "$T/p"
	rejected "line 2: the index is not a decimal number" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	edit_line 2 "index -3" "$F/t7/proof.3" "$T/p"
	rejected "line 2: the index is not a decimal number" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	edit_line 2 "index 1234567890123456789" "$F/t7/proof.3" "$T/p"
	rejected "line 2: the index is not a decimal number" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	edit_line 2 "index  3" "$F/t7/proof.3" "$T/p"
	rejected "line 2: the index is not a decimal number" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	edit_line 2 "Index 3" "$F/t7/proof.3" "$T/p"
	rejected "line 2: expected an index line" --key "$VKEY" "$T/p" "$F/t7/entry.3"
}

@test "rejected: the entry changed" {
	printf 'event 3: record 12-1/2024 sealeD\n' >"$T/e"
	rejected "line 9: the inclusion proof leads to" --key "$VKEY" "$F/t7/proof.3" "$T/e"
	# Another entry of the same tree, under this proof.
	rejected "leads to" --key "$VKEY" "$F/t7/proof.3" "$F/t7/entry.2"
	: >"$T/empty"
	rejected "leads to" --key "$VKEY" "$F/t1/proof.0" "$T/empty"
	rejected "cannot read the entry file" --key "$VKEY" "$F/t7/proof.3" "$T/absent"
}

@test "rejected: the header line" {
	edit_line 1 "c2sp.org/tlog-proof@v2" "$F/t7/proof.3" "$T/p"
	rejected "line 1: not c2sp.org/tlog-proof@v1" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	sed 1d "$F/t7/proof.3" >"$T/p"
	rejected "line 1: not c2sp.org/tlog-proof@v1" --key "$VKEY" "$T/p" "$F/t7/entry.3"
}

@test "rejected: the file truncated, anywhere" {
	size=$(wc -c <"$F/t7/proof.3")
	# Within the last (signature) line: no final newline.
	head -c $((size - 1)) "$F/t7/proof.3" >"$T/p"
	rejected "does not end with a newline" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	head -c $((size - 10)) "$F/t7/proof.3" >"$T/p"
	rejected "does not end with a newline" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	# At every line boundary.
	lines=$(wc -l <"$F/t7/proof.3")
	for ((l = 1; l < lines; l++)); do
		head -n "$l" "$F/t7/proof.3" >"$T/p"
		rejected "" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	done
	head -n 5 "$F/t7/proof.3" >"$T/p"
	rejected "line 5: the proof ends before the checkpoint" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	head -n 8 "$F/t7/proof.3" >"$T/p"
	rejected "line 8: the checkpoint ends before its signatures" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	head -n 10 "$F/t7/proof.3" >"$T/p"
	rejected "line 10: the checkpoint has no signature line" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	# The checkpoint cut to two lines, and the proof without it.
	sed 9d "$F/t7/proof.3" >"$T/p"
	rejected "the checkpoint has fewer than three lines" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	: >"$T/p"
	rejected "empty file" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	rejected "cannot read the proof file" --key "$VKEY" "$T/absent" "$F/t7/entry.3"
}

@test "rejected: CRLF line ends, control characters, invalid UTF-8" {
	sed 's/$/\r/' "$F/t7/proof.3" >"$T/p"
	rejected "line 1: an ASCII control character" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	{ head -n 9 "$F/t7/proof.3"; printf 'ext\tension\n'; tail -n +10 "$F/t7/proof.3"; } >"$T/p"
	rejected "line 10: an ASCII control character" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	{ head -n 9 "$F/t7/proof.3"; printf 'ext\377\n'; tail -n +10 "$F/t7/proof.3"; } >"$T/p"
	rejected "line 10: invalid UTF-8" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	# An overlong encoding of "/" and a UTF-16 surrogate.
	{ head -n 9 "$F/t7/proof.3"; printf 'ext\300\257\n'; tail -n +10 "$F/t7/proof.3"; } >"$T/p"
	rejected "line 10: invalid UTF-8" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	{ head -n 9 "$F/t7/proof.3"; printf 'ext\355\240\200\n'; tail -n +10 "$F/t7/proof.3"; } >"$T/p"
	rejected "line 10: invalid UTF-8" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	# A sequence cut short by an ASCII byte.
	{ head -n 9 "$F/t7/proof.3"; printf 'ext\342\202x\n'; tail -n +10 "$F/t7/proof.3"; } >"$T/p"
	rejected "line 10: invalid UTF-8" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	{ head -n 9 "$F/t7/proof.3"; printf 'ext\342\202\n'; tail -n +10 "$F/t7/proof.3"; } >"$T/p"
	rejected "line 10: invalid UTF-8" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	{ cat "$F/t7/proof.3"; printf '\000\n'; } >"$T/p"
	rejected "line 12: an ASCII control character" --key "$VKEY" "$T/p" "$F/t7/entry.3"
}

# ---- rejected: the checkpoint --------------------------------------------

@test "rejected: the checkpoint's size changed" {
	# Entry 3 of 7: lines 7 to 9 are the checkpoint text, 11 the signature.
	[ "$(line 8 "$F/t7/proof.3")" = 7 ]
	edit_line 8 8 "$F/t7/proof.3" "$T/p"
	rejected "line 11: the signature by $NAME+" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	[[ "$output" == *"does not verify"* ]]
	edit_line 8 07 "$F/t7/proof.3" "$T/p"
	rejected "does not verify" --key "$VKEY" "$T/p" "$F/t7/entry.3"
}

@test "rejected: the checkpoint's root changed, or a line added to it" {
	edit_line 9 "$(other_hash "$(line 9 "$F/t7/proof.3")")" "$F/t7/proof.3" "$T/p"
	rejected "line 11: the signature by $NAME+" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	awk 'NR == 9 { print; print "extension"; next } { print }' "$F/t7/proof.3" >"$T/p"
	rejected "line 12: the signature by $NAME+" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	edit_line 7 "${NAME}x" "$F/t7/proof.3" "$T/p"
	rejected "does not verify" --key "$VKEY" "$T/p" "$F/t7/entry.3"
}

@test "rejected: a well signed checkpoint that is not a checkpoint" {
	# The signature is good: the text itself is refused.
	mkdir "$T/t"
	for text in "$NAME\n07\n$(b64 "$F/t7/root")\n" "$NAME\n7\nnot base64\n" \
		"$NAME\n7\n$(b64 "$F/t7/leaf.0" | cut -c 1-40)\n"; do
		printf "$text" >"$T/t/text"
		sign_note "$NAME" "$F/key" "$T/t/text" "$T/t/note"
		{ head -n 6 "$F/t7/proof.3"; cat "$T/t/note"; } >"$T/p"
		tv --key "$VKEY" "$T/p" "$F/t7/entry.3"
		[ "$status" -eq 1 ]
		[[ "$output" == "tlog-verify: line 8: the tree size is not a decimal number"* ||
			"$output" == "tlog-verify: line 9: the root hash is not the base64 of 32 bytes" ]]
	done
	# Signed, but an empty line in the text.
	printf '%s\n7\n%s\n\nextension\n' "$NAME" "$(b64 "$F/t7/root")" >"$T/t/text"
	sign_note "$NAME" "$F/key" "$T/t/text" "$T/t/note"
	{ head -n 6 "$F/t7/proof.3"; cat "$T/t/note"; } >"$T/p"
	rejected "line 11: not a signature line" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	# A tree of size 0 includes nothing.
	printf '%s\n0\n%s\n' "$NAME" "$(printf '' | openssl dgst -sha256 -binary | openssl base64 -A)" >"$T/t/text"
	sign_note "$NAME" "$F/key" "$T/t/text" "$T/t/note"
	{ printf 'c2sp.org/tlog-proof@v1\nindex 0\n\n'; cat "$T/t/note"; } >"$T/p"
	rejected "the index 0 is not less than the tree size 0" --key "$VKEY" "$T/p" "$F/t7/entry.0"
}

@test "rejected: the signature changed" {
	sig=$(line 11 "$F/t7/proof.3")
	sig=${sig#"— $NAME "}
	unb64 "$sig" "$T/sig"
	# Flip one bit of the Ed25519 signature (byte 10 of the 68).
	v=$(head -c 11 "$T/sig" | tail -c 1 | od -An -tu1)
	{ head -c 10 "$T/sig"; printf "\\$(printf %03o $((v ^ 1)))"; tail -c +12 "$T/sig"; } >"$T/sig2"
	[ "$(wc -c <"$T/sig2")" -eq 68 ]
	[ "$(hexof "$T/sig")" != "$(hexof "$T/sig2")" ]
	edit_line 11 "— $NAME $(b64 "$T/sig2")" "$F/t7/proof.3" "$T/p"
	rejected "line 11: the signature by $NAME+" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	# Truncated signature, signature of another text, no signature line.
	head -c 67 "$T/sig" >"$T/sig3"
	edit_line 11 "— $NAME $(b64 "$T/sig3")" "$F/t7/proof.3" "$T/p"
	rejected "line 11: the signature by $NAME is not 64 bytes" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	edit_line 11 "$(tail -n 1 "$F/t1/note")" "$F/t7/proof.3" "$T/p"
	rejected "line 11: the signature by $NAME+" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	edit_line 11 "— $NAME $sig extra" "$F/t7/proof.3" "$T/p"
	rejected "line 11: not a signature line" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	edit_line 11 "- $NAME $sig" "$F/t7/proof.3" "$T/p"
	rejected "line 11: not a signature line" --key "$VKEY" "$T/p" "$F/t7/entry.3"
	edit_line 11 "— $NAME AAAA" "$F/t7/proof.3" "$T/p"
	rejected "line 11: the signature is not the base64 of a key ID and a signature" \
		--key "$VKEY" "$T/p" "$F/t7/entry.3"
	# A good signature and a bad one by the same key: the note is refused.
	{ cat "$F/t7/proof.3"; echo "— $NAME $(b64 "$T/sig2")"; } >"$T/p"
	rejected "line 12: the signature by $NAME+" --key "$VKEY" "$T/p" "$F/t7/entry.3"
}

# ---- rejected: the key ---------------------------------------------------

@test "rejected: another key, under the same name" {
	other=$(vkey "$NAME" "$F/other")
	rejected "line 11: the checkpoint has no signature by $NAME+" --key "$other" "$F/t7/proof.3" "$F/t7/entry.3"
	# The right key under another name (its key ID differs too).
	rejected "no signature by other.example+" --key "$(vkey other.example "$F/key")" \
		"$F/t7/proof.3" "$F/t7/entry.3"
	rejected "no signature by other.example+" --key "$(vkey other.example "$F/key")" \
		--origin "$NAME" "$F/t7/proof.3" "$F/t7/entry.3"
}

@test "rejected: a key ID in the verifier key that is not the key's" {
	key_id "$NAME" "$F/key/pub" "$T/id"
	{ printf '\001'; cat "$F/key/pub"; } >"$T/vk"
	id=$(hexof "$T/id")
	k64=$(b64 "$T/vk")
	[ "$VKEY" = "$NAME+$id+$k64" ]
	case ${id:0:1} in 0) c=1 ;; *) c=0 ;; esac
	bad="$NAME+$c${id:1}+$k64"
	[ "$bad" != "$VKEY" ]
	rejected "--key: key ID $c${id:1} does not match the key" --key "$bad" "$F/t7/proof.3" "$F/t7/entry.3"
	# The right key ID, in capitals, is the same key.
	accepted --key "$NAME+$(printf '%s' "$id" | tr a-f A-F)+$k64" "$F/t7/proof.3" "$F/t7/entry.3"
}

@test "rejected: malformed verifier keys" {
	key_id "$NAME" "$F/key/pub" "$T/id"
	{ printf '\001'; cat "$F/key/pub"; } >"$T/vk"
	id=$(hexof "$T/id")
	k64=$(b64 "$T/vk")
	rejected "--key: a verifier key is" --key "$NAME" "$F/t7/proof.3" "$F/t7/entry.3"
	rejected "--key: the key ID is not 8 hex digits" --key "$NAME+${id:1}+$k64" "$F/t7/proof.3" "$F/t7/entry.3"
	rejected "--key: the key is not base64" --key "$NAME+$id+${k64:1}" "$F/t7/proof.3" "$F/t7/entry.3"
	rejected "--key: the key name is empty" --key "+$id+$k64" "$F/t7/proof.3" "$F/t7/entry.3"
	# The raw 32 bytes without the type byte 0x01.
	rejected "--key: the key is not 33 bytes" --key "$NAME+$id+$(b64 "$F/key/pub")" "$F/t7/proof.3" "$F/t7/entry.3"
	# Type 0x02 (ECDSA) in front of the same bytes.
	{ printf '\002'; cat "$F/key/pub"; } >"$T/vk2"
	rejected "--key: the key's type byte is not 0x01" --key "$NAME+$id+$(b64 "$T/vk2")" "$F/t7/proof.3" "$F/t7/entry.3"
}

# ---- the command line ----------------------------------------------------

@test "usage errors exit 2, --help exits 0" {
	tv "$F/t7/proof.3" "$F/t7/entry.3"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--key VKEY is required"* && "$output" == *"usage: tlog-verify"* ]]
	# Without ENTRY_FILE the entry is the proof's extra data; this one
	# has none.
	tv --key "$VKEY" "$F/t7/proof.3"
	[ "$status" -eq 1 ]
	[[ "$output" == *"the proof carries no entry"* ]]
	tv --key "$VKEY" "$F/t7/proof.3" "$F/t7/entry.3" extra
	[ "$status" -eq 2 ]
	tv --key "$VKEY" "$F/t7/proof.3" "$F/t7/entry.3" --leaf-hash "$(hexof "$F/t7/leaf.3")"
	[ "$status" -eq 2 ]
	tv --key "$VKEY" --frob "$F/t7/proof.3" "$F/t7/entry.3"
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown option --frob"* ]]
	tv --key
	[ "$status" -eq 2 ]
	tv --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: tlog-verify"* ]]
	# Options after the operands, and = forms.
	accepted "$F/t7/proof.3" "$F/t7/entry.3" --key="$VKEY" --origin="$NAME"
	accepted --key "$VKEY" -- "$F/t7/proof.3" "$F/t7/entry.3"
}

@test "no temporary files are left behind, whatever the verdict" {
	mkdir "$T/tmp"
	TMPDIR=$T/tmp tv --key "$VKEY" "$F/t7/proof.3" "$F/t7/entry.3"
	[ "$status" -eq 0 ]
	TMPDIR=$T/tmp tv --key "$VKEY" "$F/t7/proof.3" "$F/t7/entry.2"
	[ "$status" -eq 1 ]
	[ -z "$(ls -A "$T/tmp")" ]
}

# ---- fixed vectors from outside ------------------------------------------

@test "fixed vector: the RFC 6962 reference tree's inclusion proofs (transparency-dev/merkle)" {
	# Leaves and roots of the reference tree, and the published proofs
	# {leaf (1-based), size, proof} of proof/verify_test.go.
	local leaves=("" 00 10 2021 3031 40414243 5051525354555657
		606162636465666768696a6b6c6d6e6f)
	local roots=(6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d
		fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125
		aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77
		d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7
		4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4
		76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef
		ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c
		5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328)
	local vectors=(
		"1 8 96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7 5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e 6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
		"6 8 bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0 d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
		"3 3 fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"
		"2 5 6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d 5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
		"1 1"
	)
	mkdir "$T/ref"
	for i in 0 1 2 3 4 5 6 7; do unhex "${leaves[$i]}" "$T/ref/entry.$i"; done
	# Our tree builder agrees with the published roots.
	tree "$T/ref" 8
	for n in 1 2 3 4 5 6 7 8; do
		[ "$(hexof "$(mth "$T/ref" 0 "$n")")" = "${roots[$((n - 1))]}" ]
	done
	for v in "${vectors[@]}"; do
		read -r leaf n hashes <<<"$v"
		m=$((leaf - 1))
		unhex "${roots[$((n - 1))]}" "$T/ref/root"
		checkpoint "$T/ref" "$n" "$NAME" "$F/key"
		{
			printf 'c2sp.org/tlog-proof@v1\nindex %s\n' "$m"
			for h in $hashes; do unhex "$h" "$T/h"; b64 "$T/h"; echo; done
			echo
			cat "$T/ref/note"
		} >"$T/p"
		accepted --key "$VKEY" "$T/p" "$T/ref/entry.$m"
		[ "$output" = "ok: entry $m is in the tree of size $n signed by $NAME" ]
		accepted --key "$VKEY" "$T/p" --leaf-hash "$(hexof "$T/ref/leaf.$m")"
		# And not for its neighbour, nor under its neighbour's index.
		o=$(((m + 1) % n))
		if [ "$o" -ne "$m" ]; then
			rejected "leads to" --key "$VKEY" "$T/p" "$T/ref/entry.$o"
			edit_line 2 "index $o" "$T/p" "$T/q"
			rejected "" --key "$VKEY" "$T/q" "$T/ref/entry.$m"
		fi
	done
}

@test "fixed vector: a published checkpoint and key (transparency-dev/trillian-tessera testdata/log)" {
	# Built by testdata/build_log.sh there: entries "one" to "seven" (echo
	# -n), the key example.com/log/testdata, whose private key is published
	# too, so any of this could be re-made; these are the published files.
	local tvkey=example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx
	mkdir "$T/ts"
	printf '%s\n' "example.com/log/testdata" 1 "0Nc2CrefWKseHj/mStd+LqC8B+NrX0btIiPt2SmN+ek=" "" \
		"— example.com/log/testdata M9e0lhr9kuLxGdAtaUrhm84TQffVsLdcy808sN0a3WyniNlfcr9+bywoiIke1YYciCNjJGkCgIlQ8b16jhsmg/SChAM=" \
		>"$T/ts/checkpoint.1"
	printf '%s\n' "example.com/log/testdata" 7 "IrSXADBqJ7EQoUODSDKROySgNveeL6CFhik2w/+fS7U=" "" \
		"— example.com/log/testdata M9e0luA5JhTRUki/BBQD0QNiH6AEJ2pdtsA5CQjqJErViuuKrN6513RCTL2640wXJv0dCed3neRGI6dMzBq9uANf2Qc=" \
		>"$T/ts/checkpoint.7"
	i=0
	for word in one two three four five six seven; do
		printf '%s' "$word" >"$T/ts/entry.$i"
		i=$((i + 1))
	done
	tree "$T/ts" 7
	# Our tree builder agrees with the published root.
	[ "$(b64 "$T/ts/root")" = "$(line 3 "$T/ts/checkpoint.7")" ]
	cp "$T/ts/checkpoint.7" "$T/ts/note"
	for m in 0 1 2 3 4 5 6; do
		proof "$T/ts" "$m" 7 "$T/p"
		accepted --key "$tvkey" "$T/p" "$T/ts/entry.$m"
		[ "$output" = "ok: entry $m is in the tree of size 7 signed by example.com/log/testdata" ]
	done
	{ printf 'c2sp.org/tlog-proof@v1\nindex 0\n\n'; cat "$T/ts/checkpoint.1"; } >"$T/p"
	accepted --key "$tvkey" "$T/p" "$T/ts/entry.0"
	[ "$output" = "ok: entry 0 is in the tree of size 1 signed by example.com/log/testdata" ]
	rejected "leads to" --key "$tvkey" "$T/p" "$T/ts/entry.1"
	# Our key is not that log's.
	rejected "no signature by $NAME+" --key "$VKEY" "$T/p" "$T/ts/entry.0"
}
