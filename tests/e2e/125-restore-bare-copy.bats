#!/usr/bin/env bats
# Restore from a bare copy of an archive (disaster recovery, an auditor's
# copy): `restore --trust CA.pem COPY.tar MEMBER` finds the member by
# reading the tar, checks it through the seal chain and decides access
# from the sealed metadata.  Without a home only what the public may read
# comes back, and the command says that nothing was recorded; with one,
# every restore and refusal is an event.
load helpers

BAG=12-1_2024.v1
PUBLIC=12-1_8909-1/tekst.txt
INTERNAL=12-1_8910-1/lisad/lisa-1.txt

# bare_copy: the archive copied out of a home as $COPY, its seal
# certificate as $ANCHOR; $NOHOME is where no home is.
bare_copy() {
	ingested_home
	COPY="$T/copy.tar"
	ANCHOR="$T/anchor.pem"
	NOHOME="$T/nohome"
	cp "$TAR" "$COPY"
	cp "$ARHIIVAR_HOME/keys/seal.pem" "$ANCHOR"
	mkdir "$T/out"
	cd "$T/out"
}

# nohome ARGS: the CLI where there is no home.
nohome() {
	arh -H "$NOHOME" "$@"
}

# data_offset MEMBER: where MEMBER's data starts in the tar.
data_offset() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" \
	    "select data_offset from files where archive = '$BAG' and path = '$1'"
}

# flip FILE OFFSET: flip the lowest bit of one byte.
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	[ -n "$b" ] || return 1
	printf "$(printf '\\%03o' $(( b ^ 1 )))" |
	    dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# events_of KIND: the events of KIND as JSON lines.
# (From the catalog itself: 'arhiivar events' shows a caller without a
# role the internal-use record's reference instead of its file names.)
events_of() {
	sqlite3 -json "$ARHIIVAR_HOME/catalog.db" "select archive, target,
	    result, detail from events where kind = '$1' order by id" |
	    jq -c '.[]'
}

@test "no home: a public file comes back byte for byte, with a note that nothing was recorded" {
	bare_copy
	run nohome restore --trust "$ANCHOR" "$COPY" "$PUBLIC" -o "$T/out/tekst.txt"
	[ "$status" -eq 0 ]
	[[ "$output" == *"restored '$PUBLIC' from $BAG to '$T/out/tekst.txt'"* ]]
	[[ "$output" == *"no audit event was recorded"* ]]
	cmp "$T/out/tekst.txt" "$CASE/$PUBLIC"
	[ ! -e "$NOHOME" ]
	# The default output name, and standard output; data/ may be given.
	run nohome restore --trust "$ANCHOR" "$COPY" data/12-1_8911-1/vastus.txt
	[ "$status" -eq 0 ]
	cmp "$T/out/vastus.txt" "$CASE/12-1_8911-1/vastus.txt"
	nohome restore --trust "$ANCHOR" -o - "$COPY" "$PUBLIC" >"$T/stdout" 2>/dev/null
	cmp "$T/stdout" "$CASE/$PUBLIC"
	[ "$(ls -A "$T/out")" = "$(printf 'tekst.txt\nvastus.txt')" ]
}

@test "no home: an internal-use file in force is refused, exit 1, nothing written" {
	bare_copy
	run nohome restore --trust "$ANCHOR" "$COPY" "$INTERNAL"
	[ "$status" -eq 1 ]
	[[ "$output" == *"access denied to 'data/$INTERNAL': record is for internal use"*"none of your roles (public) may read it"* ]]
	[[ "$output" == *"without a home only records open to the public"* ]]
	[[ "$output" == *"no audit event was recorded"* ]]
	[ -z "$(ls -A "$T/out")" ]
	local rc=0
	nohome restore --trust "$ANCHOR" -o - "$COPY" "12-1_8910-1/õiend.pdf" >"$T/stdout" 2>/dev/null || rc=$?
	[ "$rc" -eq 1 ]
	[ ! -s "$T/stdout" ]
	[ ! -e "$NOHOME" ]
}

@test "no home: a record whose restriction has ended is public and comes back" {
	# Sealed with an end date in the past: public from the day after.
	sed -i 's/"end": "2029-12-20"/"end": "2025-01-31"/' "$CASE/12-1_8910-1/record.json"
	bare_copy
	run nohome restore --trust "$ANCHOR" "$COPY" "$INTERNAL"
	[ "$status" -eq 0 ]
	cmp "$T/out/lisa-1.txt" "$CASE/$INTERNAL"
}

@test "a payload byte changed in the copy: refused naming the layer, nothing written" {
	bare_copy
	flip "$COPY" $(( $(data_offset "data/$PUBLIC") + 5 ))
	run nohome restore --trust "$ANCHOR" "$COPY" "$PUBLIC"
	[ "$status" -eq 1 ]
	[[ "$output" == *"payload: 'data/$PUBLIC' in the archive does not match its sealed digest; nothing was written"* ]]
	[ -z "$(ls -A "$T/out")" ]
	local rc=0
	nohome restore --trust "$ANCHOR" -o - "$COPY" "$PUBLIC" >"$T/stdout" 2>/dev/null || rc=$?
	[ "$rc" -eq 1 ]
	[ ! -s "$T/stdout" ]
	# The other files of the copy are still good.
	run nohome restore --trust "$ANCHOR" "$COPY" 12-1_8911-1/vastus.txt
	[ "$status" -eq 0 ]
}

@test "metadata/case.json changed in the copy: refused at the tag manifest, nothing written" {
	bare_copy
	# One bit of a public record's level: the metadata is refused as a
	# whole before any access decision is read from it.
	local at
	at=$(tar -xOf "$COPY" "$BAG/metadata/case.json" | grep -boaF -m1 '"level": "public"' | cut -d: -f1)
	[ -n "$at" ]
	flip "$COPY" $(( $(data_offset metadata/case.json) + at + 11 ))
	run nohome restore --trust "$ANCHOR" "$COPY" "$PUBLIC"
	[ "$status" -eq 1 ]
	[[ "$output" == *"tagmanifest: metadata/case.json does not match the sealed tag manifest"* ]]
	[ -z "$(ls -A "$T/out")" ]
}

@test "a trust anchor that did not make the seal: exit 1 at the seal, nothing written" {
	bare_copy
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/other.key" -out "$T/other.pem" -subj /CN=other -days 2 2>/dev/null
	run nohome restore --trust "$T/other.pem" "$COPY" "$PUBLIC"
	[ "$status" -eq 1 ]
	[[ "$output" == *"seal: "*"not trusted"* ]]
	[ -z "$(ls -A "$T/out")" ]
	# No anchor at all: an operational error.
	run nohome restore "$COPY" "$PUBLIC"
	[ "$status" -eq 2 ]
	[[ "$output" == *"no trust anchors"*"--trust"* ]]
	[ -z "$(ls -A "$T/out")" ]
}

@test "a file that is not in the copy, or a copy that is not an archive: exit 1" {
	bare_copy
	run nohome restore --trust "$ANCHOR" "$COPY" 12-1_8909-1/nope.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"'data/12-1_8909-1/nope.txt' is not in '$COPY'"* ]]
	# Tag files are not payload: they are not found among it.
	run nohome restore --trust "$ANCHOR" "$COPY" metadata/case.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"is not in"* ]]
	printf 'Dear Sir/Madam,\nthis is not an archive.\n' >"$T/letter.tar"
	run nohome restore --trust "$ANCHOR" "$T/letter.tar" "$PUBLIC"
	[ "$status" -eq 1 ]
	[[ "$output" == *"structure: "* ]]
	run nohome restore --trust "$ANCHOR" "$T/nope.tar" "$PUBLIC"
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot open '$T/nope.tar'"* ]]
	[ -z "$(ls -A "$T/out")" ]
}

@test "no home: --force semantics as from the store" {
	bare_copy
	echo "my own notes" >tekst.txt
	run nohome restore --trust "$ANCHOR" "$COPY" "$PUBLIC"
	[ "$status" -eq 1 ]
	[[ "$output" == *"'tekst.txt' exists"*"--force"* ]]
	[ "$(cat tekst.txt)" = "my own notes" ]
	run nohome restore --force --trust "$ANCHOR" "$COPY" "$PUBLIC"
	[ "$status" -eq 0 ]
	cmp tekst.txt "$CASE/$PUBLIC"
	[ "$(ls -A)" = tekst.txt ]
}

@test "the store's own file given by its path: restored as the catalogued archive" {
	bare_copy
	run arh restore "$TAR" "$PUBLIC" -o "$T/out/a.txt"
	[ "$status" -eq 0 ]
	[[ "$output" != *"no audit event"* ]]
	cmp "$T/out/a.txt" "$CASE/$PUBLIC"
	# Its event is the catalogued restore's: the output as detail.
	[ "$(events_of restore | jq -r .detail)" = "$T/out/a.txt" ]
	run arh restore "$TAR" "$INTERNAL" -o "$T/out/b.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"access denied to '$INTERNAL': it is not in '$BAG', or it belongs to a record not open to you"* ]]
	[ ! -e "$T/out/b.txt" ]
	[ "$(events_of denial | jq -r .target)" = "data/$INTERNAL" ]
}

@test "with a home: a copy's restore and refusal are each an event" {
	bare_copy
	run arh restore "$COPY" "$PUBLIC" -o "$T/out/a.txt"
	[ "$status" -eq 0 ]
	[[ "$output" != *"no audit event"* ]]
	cmp "$T/out/a.txt" "$CASE/$PUBLIC"
	run events_of restore
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r .archive <<<"$output")" = "$BAG" ]
	[ "$(jq -r .target <<<"$output")" = "data/$PUBLIC" ]
	[ "$(jq -r .result <<<"$output")" = ok ]
	[ "$(jq -r .detail <<<"$output")" = "from the copy '$COPY' to '$T/out/a.txt'" ]
	run arh restore "$COPY" "$INTERNAL" -o "$T/out/b.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"access denied to 'data/$INTERNAL'"* ]]
	[ ! -e "$T/out/b.txt" ]
	run events_of denial
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r .archive <<<"$output")" = "$BAG" ]
	[ "$(jq -r .target <<<"$output")" = "data/$INTERNAL" ]
	[ "$(jq -r .result <<<"$output")" = denied ]
	# A copy that fails its check is a failed restore, recorded too.
	flip "$COPY" $(( $(data_offset "data/$PUBLIC") + 5 ))
	run arh restore "$COPY" "$PUBLIC" -o "$T/out/c.txt"
	[ "$status" -eq 1 ]
	[ ! -e "$T/out/c.txt" ]
	[ "$(events_of restore | jq -r .result | tail -n1)" = failed ]
}

@test "with a home: the home's roles apply to a copy" {
	bare_copy
	entitle_caller
	run arh restore "$COPY" "$INTERNAL" -o "$T/out/lisa-1.txt"
	[ "$status" -eq 0 ]
	cmp "$T/out/lisa-1.txt" "$CASE/$INTERNAL"
	# The same caller without a home holds only "public".
	run nohome restore --trust "$ANCHOR" "$COPY" "$INTERNAL" -o "$T/out/again.txt"
	[ "$status" -eq 1 ]
	[ ! -e "$T/out/again.txt" ]
}

@test "a copy of an archive the home does not know: sealed metadata decides, events recorded" {
	bare_copy
	# A second home, with its own seal key, that never saw the archive.
	export ARHIIVAR_HOME="$T/other"
	arh init --organisation Other >/dev/null
	run arh restore --trust "$ANCHOR" "$COPY" "$PUBLIC" -o "$T/out/a.txt"
	[ "$status" -eq 0 ]
	cmp "$T/out/a.txt" "$CASE/$PUBLIC"
	# Its own anchors did not make this seal.
	run arh restore "$COPY" "$PUBLIC" -o "$T/out/b.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"seal: "* ]]
	[ ! -e "$T/out/b.txt" ]
	[ "$(events_of restore | jq -r .result | tr '\n' ' ')" = "ok failed " ]
}

@test "an argument is a file when it ends in .tar or starts with / or ./" {
	bare_copy
	cp "$COPY" "$T/out/copy"
	run nohome restore --trust "$ANCHOR" ./copy "$PUBLIC" -o "$T/a.txt"
	[ "$status" -eq 0 ]
	cmp "$T/a.txt" "$CASE/$PUBLIC"
	run nohome restore --trust "$ANCHOR" "$T/out/copy" "$PUBLIC" -o "$T/b.txt"
	[ "$status" -eq 0 ]
	cmp "$T/b.txt" "$CASE/$PUBLIC"
	# A reference is still a reference.
	run arh restore -o - 12-1/2024 "$PUBLIC"
	[ "$status" -eq 0 ]
	run nohome restore --trust "$ANCHOR" 12-1/2024 "$PUBLIC"
	[ "$status" -eq 2 ]
	[[ "$output" != *"no audit event"* ]]
}

@test "with a home: a restriction the home has extended binds the copy too" {
	# Sealed with an end in the past; the home extended it (written into
	# the catalog as `access extend` does, which itself refuses an ended
	# restriction, so that the sealed end can be in the past here).
	sed -i 's/"end": "2029-12-20"/"end": "2025-01-31"/' "$CASE/12-1_8910-1/record.json"
	bare_copy
	arh ingest --new-version "$CASE" >/dev/null
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "
	    insert into extensions (reference, previous_end, new_end, reason, actor, at)
	        values ('12-1/8910-1', '2025-01-31', '2039-12-31', 'test', 'test', '2025-01-01T00:00:00Z');
	    update records set access_end = '2039-12-31',
	        metadata = json_set(metadata, '\$.access.end', '2039-12-31')
	        where reference = '12-1/8910-1'"
	# The copy's archive catalogued: the catalogued record decides.
	run arh restore "$COPY" "$INTERNAL"
	[ "$status" -eq 1 ]
	[[ "$output" == *"access denied"*"until 2039-12-31"* ]]
	# Not catalogued any more (v2 still holds the record): the later end.
	chmod u+w "$TAR"
	rm -f "$TAR"
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "pragma foreign_keys = on;
	    update archives set previous = null where previous = '$BAG';
	    delete from files where archive = '$BAG';
	    delete from records where archive = '$BAG';
	    delete from archives where name = '$BAG'"
	run arh restore "$COPY" "$INTERNAL"
	[ "$status" -eq 1 ]
	[[ "$output" == *"access denied"*"until 2039-12-31"* ]]
	[ -z "$(ls -A "$T/out")" ]
	# Without the home only the sealed end is known: it has passed.
	run nohome restore --trust "$ANCHOR" "$COPY" "$INTERNAL"
	[ "$status" -eq 0 ]
	cmp "$T/out/lisa-1.txt" "$CASE/$INTERNAL"
}

# many_files N: N more files in the public record 12-1_8911-1, named long
# enough that manifest-sha256.txt spans several 64 KiB chunks of its index.
many_files() {
	local i d="$CASE/12-1_8911-1/paljud"
	mkdir "$d"
	for ((i = 1; i <= $1; i++)); do
		printf 'kiri %d\n' "$i" >"$d/$(printf 'kiri-%04d-%040d.txt' "$i" 0)"
	done
}

@test "no home: a copy whose manifest spans several chunks, by its index; a changed chunk is refused naming it" {
	many_files 1000
	bare_copy
	local idx=metadata/manifest-sha256-index.txt off len first p
	[ "$(tar -xOf "$COPY" "$BAG/$idx" | wc -l)" -ge 3 ]
	read -r _ off len first < <(tar -xOf "$COPY" "$BAG/$idx" | sed -n 2p)
	for p in "$PUBLIC" "${first#data/}" 12-1_8911-1/vastus.txt; do
		rm -f "$T/out/f"
		run nohome restore -o "$T/out/f" --trust "$ANCHOR" "$COPY" "$p"
		[ "$status" -eq 0 ]
		cmp "$T/out/f" "$CASE/$p"
	done
	# One byte of the second chunk: its files are refused, naming it.
	flip "$COPY" $(( $(data_offset manifest-sha256.txt) + off + 70 ))
	rm -f "$T/out/f"
	run nohome restore -o "$T/out/f" --trust "$ANCHOR" "$COPY" "${first#data/}"
	[ "$status" -eq 1 ]
	[[ "$output" == *"index: chunk 2 of manifest-sha256.txt (bytes $off to $((off + len)), from '$first') does not match $idx"* ]]
	[ ! -e "$T/out/f" ]
	[ ! -e "$NOHOME" ]
}
