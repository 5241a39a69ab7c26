#!/usr/bin/env bats
# Ingest of bad case directories: every problem reported at once as
# "path: message", exit 1, nothing written to the store or the catalog, and
# the input directory left exactly as it was.
load helpers

prepare() {
	arh init >/dev/null
	arh register import -C "$CASE" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt" >/dev/null
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	before_state=$(state)
}

# The ingest was refused and left no trace.
refused_cleanly() {
	[ "$status" -eq 1 ]
	[[ "$output" == *"was not archived"* ]]
	[ "$(state)" = "$before_state" ]
	[ -z "$(ls -A "$ARHIIVAR_HOME/store" "$ARHIIVAR_HOME/store/.tmp" | grep -v -e '^\.tmp$' -e ':$' -e '^$')" ]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from archives')" = 0 ]
	[ "$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)" = "$before_input" ]
}

@test "missing case.json" {
	prepare
	rm "$CASE/case.json"; before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"case.json"* ]]
}

@test "a complete record folder left by a killed register import is not archived under its temporary name" {
	prepare
	mv "$CASE/12-1_8909-1" "$CASE/.tmp-import-999999-12-1_8909-1"
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *".tmp-import-999999-12-1_8909-1: temporary folder of an interrupted 'arhiivar register import'"* ]]
}

@test "case.json that is not JSON names line and column" {
	prepare
	printf '{ "reference": "12-1/2024",\n  oops }\n' >"$CASE/case.json"
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"case.json:2:"* ]]
}

@test "an open case file (no closing date) is refused" {
	prepare
	sed -i '/"closed"/d' "$CASE/case.json"
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"case.json: the case file is still open"* ]]
}

@test "a case file closing in the future is refused" {
	prepare
	sed -i 's/"closed": "2024-12-31"/"closed": "2099-12-31"/' "$CASE/case.json"
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"not closed yet"* ]]
}

@test "a record of another series and another case file; all problems at once" {
	prepare
	sed -i 's/"series": "12-1"/"series": "12-2"/' "$CASE/12-1_8911-1/record.json"
	sed -i 's#"case_file": "12-1/2024"#"case_file": "12-1/2023"#' "$CASE/12-1_8910-1/record.json"
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"12-1_8911-1/record.json"*"12-2"* ]]
	[[ "$output" == *"12-1_8910-1/record.json"*"12-1/2023"* ]]
	[[ "$output" == *"2 problems"* ]]
}

@test "duplicate record reference" {
	prepare
	cp -r "$CASE/12-1_8911-1" "$CASE/12-1_8911-1-copy"
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"duplicate reference '12-1/8911-1'"* ]]
}

@test "a symlink pointing out of the case directory" {
	prepare
	ln -s /etc/passwd "$CASE/12-1_8911-1/passwd"
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"12-1_8911-1/passwd: is a symbolic link"* ]]
}

@test "a FIFO is refused" {
	prepare
	mkfifo "$CASE/12-1_8911-1/pipe"
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"12-1_8911-1/pipe: is a FIFO"* ]]
}

@test "an unreadable file is named (run without the capability to override permissions)" {
	command -v setpriv >/dev/null || skip "setpriv not installed"
	prepare
	chmod 000 "$CASE/12-1_8911-1/vastus.txt"
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run setpriv --bounding-set=-dac_override,-dac_read_search "$ARH_BIN" ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"12-1_8911-1/vastus.txt: cannot be read"* ]]
}

@test "names that differ only by Unicode normalisation (NFC/NFD twins)" {
	prepare
	printf 'a' >"$CASE/12-1_8911-1/$(printf 'o\xcc\x83iend.txt')"	# NFD õ
	printf 'b' >"$CASE/12-1_8911-1/$(printf '\xc3\xb5iend.txt')"	# NFC õ
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"differ only by Unicode normalisation"* ]]
}

@test "an NFD name alone is archived under its NFC form" {
	prepare
	printf 'x' >"$CASE/12-1_8911-1/$(printf 'o\xcc\x83iend.txt')"
	run arh ingest "$CASE"
	[ "$status" -eq 0 ]
	tar -tf "$ARHIIVAR_HOME/store/12-1_2024.v1.tar" | grep -q "$(printf '12-1_8911-1/\xc3\xb5iend.txt')"
}

@test "a name that is not UTF-8" {
	prepare
	printf 'x' >"$CASE/12-1_8911-1/$(printf 'bad\xff.txt')"
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"not valid UTF-8"* ]]
}

@test "a name with a control character" {
	prepare
	printf 'x' >"$CASE/12-1_8911-1/$(printf 'a\tb.txt')"
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"control character"* ]]
}

@test "oversized record.json" {
	prepare
	head -c 1100000 /dev/zero | tr '\0' ' ' >>"$CASE/12-1_8911-1/record.json"
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"12-1_8911-1/record.json: too large"* ]]
}

@test "an internal-use record without legal basis" {
	prepare
	sed -i '/"basis"/d' "$CASE/12-1_8910-1/record.json"
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"12-1_8910-1/record.json"*"basis"* ]]
}

@test "a record directory without record.json" {
	prepare
	mkdir "$CASE/stray"; printf 'x' >"$CASE/stray/file.txt"
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"stray: missing record.json"* ]]
}

@test "a case directory that does not exist is not found, exit 1" {
	prepare
	run arh ingest "$T/nope"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot open case directory '$T/nope'"* ]]
}

@test "second ingest without --new-version is refused, store unchanged" {
	prepare
	arh ingest "$CASE" >/dev/null
	s=$(state)
	run arh ingest "$CASE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"already archived as 12-1_2024.v1"*"--new-version"* ]]
	[ "$(state)" = "$s" ]
}

@test "register import: a malformed entry gets FILE:LINE and nothing is imported" {
	arh init >/dev/null
	printf 'Viit | 12-1/1-1 |\nRegistreeritud | 32.13.2024 |\nLiik | Kiri |\n\ntext\n' >"$T/bad.txt"
	run arh register import -C "$CASE" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt" "$T/bad.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.txt:2:"*"Registreeritud"* ]]
	[ ! -e "$CASE/12-1_8909-1" ]
}

@test "register import refuses to replace an existing record folder" {
	arh init >/dev/null
	arh register import -C "$CASE" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt" >/dev/null
	sum=$(cat "$CASE/12-1_8909-1/record.json" | sha256sum)
	run arh register import -C "$CASE" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"already exists"* ]]
	[ "$(cat "$CASE/12-1_8909-1/record.json" | sha256sum)" = "$sum" ]
}

@test "register import removes the temporary folder a killed import left, and says so" {
	arh init >/dev/null
	# A process that has exited: its number names the leftover.
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	mkdir "$CASE/.tmp-import-$dead-12-1_8909-1"
	printf '{' >"$CASE/.tmp-import-$dead-12-1_8909-1/record.json"
	# One of a running import is left alone.
	mkdir "$CASE/.tmp-import-$$-12-1_1-1"
	run arh register import -C "$CASE" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt"
	[ "$status" -eq 0 ]
	[[ "$output" == *"removed 1 leftover of an interrupted import from '$CASE'"* ]]
	[ ! -e "$CASE/.tmp-import-$dead-12-1_8909-1" ]
	[ -d "$CASE/.tmp-import-$$-12-1_1-1" ]
	jq -e '.reference == "12-1/8909-1"' "$CASE/12-1_8909-1/record.json"
}

@test "disk full: ingest fails cleanly, frees its temp file, succeeds after space is made" {
	prepare
	mkdir "$T/small"
	mount -t tmpfs -o size=256k tmpfs "$T/small" 2>/dev/null || skip "cannot mount tmpfs here"
	mv "$ARHIIVAR_HOME/store" "$T/store.orig"
	rmdir "$T/store.orig/.tmp" "$T/store.orig"
	mkdir "$T/small/store"
	ln -s "$T/small/store" "$ARHIIVAR_HOME/store"
	head -c 400000 /dev/urandom >"$CASE/12-1_8911-1/big.bin"
	run arh ingest "$CASE"
	status_full=$status; output_full=$output
	mount -o remount,size=4m "$T/small"
	run arh ingest "$CASE"
	status_after=$status
	ls_after=$(ls -A "$T/small/store" "$T/small/store/.tmp")
	umount "$T/small"
	[ "$status_full" -eq 2 ]
	[[ "$output_full" == *"No space left on device"* ]]
	[ "$status_after" -eq 0 ]
	[ "$ls_after" = "$(printf '%s\n' "$T/small/store:" .tmp 12-1_2024.v1.tar '' "$T/small/store/.tmp:")" ]
}

@test "register import checks every target first: an existing folder stops the whole batch" {
	arh init >/dev/null
	sed 's#12-1/8909-1#12-1/8909-2#' "$ARH_TOP/sample/register-entry-12-1-8909-1.txt" >"$T/second.txt"
	arh register import -C "$CASE" "$T/second.txt" >/dev/null
	run arh register import -C "$CASE" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt" "$T/second.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"12-1_8909-2' already exists; nothing was imported"* ]]
	[ ! -e "$CASE/12-1_8909-1" ]
}

@test "organisation may come from arhiivar.conf; with neither, ingest says where to name it" {
	prepare
	sed -i '/"organisation"/d' "$CASE/case.json"
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"no 'organisation', and arhiivar.conf sets no [archive] organisation"* ]]
	printf '[archive]\norganisation = Justiitsministeerium\n' >>"$ARHIIVAR_HOME/arhiivar.conf"
	run arh ingest "$CASE"
	[ "$status" -eq 0 ]
	tar -xOf "$ARHIIVAR_HOME/store/12-1_2024.v1.tar" 12-1_2024.v1/bag-info.txt | grep -q '^Source-Organization: Justiitsministeerium$'
}

# ---- the limits the reader shares: what ingest accepts, verify accepts ----

@test "metadata nested deeper than an archive allows is refused, naming the key" {
	prepare
	# 1,900 levels: an indented manifest of it would be quadratic in size.
	f="$CASE/12-1_8911-1/record.json"
	# (jq cuts such a value short, so the text is built by hand.)
	deep="$(printf '[%.0s' $(seq 1900))1$(printf ']%.0s' $(seq 1900))"
	jq -c . "$f" | sed "s/}\$/, \"extra\": $deep}/" >"$T/r.json"
	mv "$T/r.json" "$f"; before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"12-1_8911-1/record.json: objects and arrays nested more than 16 levels deep (under 'extra'); shorten or flatten it"* ]]
}

@test "sixteen levels of metadata are accepted and verify" {
	prepare
	f="$CASE/12-1_8911-1/record.json"
	# The record object is level 1; extra and 14 arrays below it make 16.
	jq -c '.extra = {"k": (reduce range(14) as $i ("x"; [.]))}' "$f" >"$T/r.json"
	mv "$T/r.json" "$f"
	run arh ingest "$CASE"
	[ "$status" -eq 0 ]
	run arh verify 12-1/2024
	[ "$status" -eq 0 ]
}

@test "a string longer than an archive allows is refused, naming the key" {
	prepare
	f="$CASE/12-1_8911-1/record.json"
	jq --arg t "$(head -c 70000 /dev/zero | tr '\0' a)" '.title = $t' "$f" >"$T/r.json"
	mv "$T/r.json" "$f"; before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"12-1_8911-1/record.json: a string or key longer than 65536 bytes (under 'title'); shorten or flatten it"* ]]
}

@test "a NUL character in a string is named as such, not by the JSON library's flag" {
	prepare
	sed -i 's/"title": "/"title": "\\u0000/' "$CASE/12-1_8911-1/record.json"
	before_input=$(cd "$CASE" && find . -printf '%p %s %T@\n' | sort | sha256sum)
	run arh ingest "$CASE"
	refused_cleanly
	[[ "$output" == *"12-1_8911-1/record.json:"*": \\u0000 (a NUL character) is not allowed in a string"* ]]
	[[ "$output" != *JSON_ALLOW_NUL* ]]
	[[ "$output" == *"1 problem above; fix it and ingest again"* ]]
}
