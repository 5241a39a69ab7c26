#!/usr/bin/env bats
# Round trips: a register entry to record metadata; a case file to an
# archive and back, through restore and through plain GNU tar, bsdtar,
# sha512sum/sha256sum and openssl; the same input to the same archive; the
# catalog rebuilt from the store to the same rows; versions.
load helpers

BAG=12-1_2024.v1

# Every catalog row but the events, in a fixed order.
catalog_rows() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select * from archives order by name;
	    select * from records order by archive, reference;
	    select * from files order by archive, path'
}

# payload_files ACCESS: the archive's payload paths of records with ACCESS.
payload_files() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" "select f.path from files f
	    join records r on r.archive = f.archive and r.reference = f.record
	    where f.archive = '$BAG' and r.access = '$1' order by f.path"
}

# check_bag DIR: DIR holds the extracted bag; every manifest and the seal
# check out with the standard tools alone.
check_bag() {
	cd "$1/$BAG"
	run sha512sum -c manifest-sha512.txt
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "$output" == *"data/12-1_8910-1/õiend.pdf: OK"* ]]
	run sha256sum -c manifest-sha256.txt
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	run sha512sum -c tagmanifest-sha512.txt
	[ "$status" -eq 0 ]
	[[ "$output" == *"metadata/case.json: OK"* ]]
	[[ "$output" == *"manifest-sha512.txt: OK"* ]]
	run sha256sum -c tagmanifest-sha256.txt
	[ "$status" -eq 0 ]
	run openssl cms -verify -binary -inform DER \
	    -in signature/tagmanifest-sha512.txt.p7s \
	    -content tagmanifest-sha512.txt \
	    -CAfile "$ARHIIVAR_HOME/keys/seal.pem" -purpose any -out /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"Verification successful"* ]]
	# The payload is the input, byte for byte, non-ASCII names included.
	[ -f "data/12-1_8910-1/õiend.pdf" ]
	cmp "data/12-1_8910-1/õiend.pdf" "$CASE/12-1_8910-1/õiend.pdf"
	cmp data/12-1_8910-1/lisad/lisa-1.txt "$CASE/12-1_8910-1/lisad/lisa-1.txt"
	cmp data/12-1_8909-1/tekst.txt "$CASE/12-1_8909-1/tekst.txt"
	cmp data/12-1_8911-1/vastus.txt "$CASE/12-1_8911-1/vastus.txt"
	cd - >/dev/null
}

# ---- register import ------------------------------------------------------

@test "register import: the entry becomes a record with the right metadata" {
	arh init --organisation Justiitsministeerium >/dev/null
	run arh register import -C "$CASE" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt"
	[ "$status" -eq 0 ]
	local rec="$CASE/12-1_8909-1/record.json"
	[ -f "$rec" ]
	grep -qF '"reference": "12-1/8909-1"' "$rec"
	grep -qF '"registered": "2024-12-19"' "$rec"
	grep -qF '"type": "Sissetulev kiri"' "$rec"
	grep -qF '"case_file": "12-1/2024"' "$rec"
	grep -qF '"external_network": true' "$rec"
	grep -qF '"level": "public"' "$rec"
	# The letter's text is the payload, the register's table is not.
	[[ "$(head -n1 "$CASE/12-1_8909-1/tekst.txt")" == "Dear Sir/Madam," ]]
	[ -z "$(grep '^Viit |' "$CASE/12-1_8909-1/tekst.txt")" ]
	# And so the catalog has it after ingest.
	arh ingest "$CASE" >/dev/null
	run sqlite3 "$ARHIIVAR_HOME/catalog.db" "select registered, type, access,
	    json_extract(metadata, '\$.case_file'),
	    json_extract(metadata, '\$.external_network')
	    from records where reference = '12-1/8909-1'"
	[ "$output" = "2024-12-19|Sissetulev kiri|public|12-1/2024|1" ]
	run arh show --json 12-1/2024
	[ "$status" -eq 0 ]
	[[ "$output" == *'"reference": "12-1/8909-1"'* ]]
	[[ "$output" == *'"external_network": true'* ]]
}

# ---- restore --------------------------------------------------------------

@test "restore: every public file comes back byte for byte" {
	ingested_home
	mkdir "$T/out"
	cd "$T/out"
	local p n=0
	while IFS= read -r p; do
		run arh restore -o "$T/out/$(basename "$p")" 12-1/2024 "$p"
		[ "$status" -eq 0 ]
		[[ "$output" == *"restored '$p' from $BAG"* ]]
		cmp "$T/out/$(basename "$p")" "$CASE/${p#data/}"
		n=$((n + 1))
	done < <(payload_files public)
	[ "$n" -eq 2 ]
	# The default output: the file's own name in the current directory.
	rm "$T/out/vastus.txt"
	run arh restore 12-1/2024 data/12-1_8911-1/vastus.txt
	[ "$status" -eq 0 ]
	cmp "$T/out/vastus.txt" "$CASE/12-1_8911-1/vastus.txt"
}

@test "restore: an internal-use file is refused and logged; with the role it comes back" {
	ingested_home
	mkdir "$T/out"
	cd "$T/out"
	[ "$(payload_files internal | wc -l)" -eq 2 ]
	run arh restore 12-1/2024 'data/12-1_8910-1/õiend.pdf'
	[ "$status" -eq 1 ]
	[[ "$output" == *"access denied to 'data/12-1_8910-1/õiend.pdf': it is not in '$BAG', or it belongs to a record not open to you"* ]]
	[ -z "$(ls -A "$T/out")" ]
	run arh restore -o - 12-1/2024 data/12-1_8910-1/lisad/lisa-1.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"access denied"* ]]
	[[ "$output" != *"Lisa"* ]]
	# The refusals are recorded; to this caller they name the record
	# only, as the file names of an internal-use record are withheld.
	run arh events
	[ "$status" -eq 0 ]
	[ "$(grep -c "denial  *denied .*$BAG record 12-1/8910-1" <<<"$output")" -eq 2 ]
	[[ "$output" != *õiend* && "$output" != *lisa-1* ]]
	run arh events --json
	[[ "$output" != *õiend* && "$output" != *lisa-1* ]]
	entitle_caller
	run arh events
	[[ "$output" =~ denial\ +denied\ .*$BAG\ data/12-1_8910-1/õiend.pdf ]]
	[[ "$output" =~ denial\ +denied\ .*$BAG\ data/12-1_8910-1/lisad/lisa-1.txt ]]
	local p
	while IFS= read -r p; do
		run arh restore -o "$T/out/$(basename "$p")" 12-1/2024 "$p"
		[ "$status" -eq 0 ]
		cmp "$T/out/$(basename "$p")" "$CASE/${p#data/}"
	done < <(payload_files internal)
	[ -f "$T/out/õiend.pdf" ]
	[ -f "$T/out/lisa-1.txt" ]
}

@test "restore: refuses to overwrite without --force, overwrites with it" {
	ingested_home
	mkdir "$T/out"
	cd "$T/out"
	echo "my own notes" >vastus.txt
	run arh restore 12-1/2024 data/12-1_8911-1/vastus.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"'vastus.txt' exists"*"--force"* ]]
	[ "$(cat vastus.txt)" = "my own notes" ]
	run arh restore -o vastus.txt 12-1/2024 data/12-1_8911-1/vastus.txt
	[ "$status" -eq 1 ]
	[ "$(cat vastus.txt)" = "my own notes" ]
	run arh restore --force 12-1/2024 data/12-1_8911-1/vastus.txt
	[ "$status" -eq 0 ]
	cmp vastus.txt "$CASE/12-1_8911-1/vastus.txt"
	[ "$(ls -A)" = vastus.txt ]
}

@test "restore -o -: the file on stdout, nothing written" {
	ingested_home
	mkdir "$T/out"
	cd "$T/out"
	arh restore -o - 12-1/2024 data/12-1_8909-1/tekst.txt >"$T/stdout"
	cmp "$T/stdout" "$CASE/12-1_8909-1/tekst.txt"
	[ -z "$(ls -A "$T/out")" ]
}

# ---- the archive with standard tools -----------------------------------------

@test "GNU tar extracts the archive; sha512sum, sha256sum and openssl agree" {
	ingested_home
	mkdir "$T/gnu"
	tar -xf "$TAR" -C "$T/gnu"
	[ "$(ls "$T/gnu")" = "$BAG" ]
	check_bag "$T/gnu"
}

@test "bsdtar extracts the archive; sha512sum, sha256sum and openssl agree" {
	ingested_home
	mkdir "$T/bsd"
	bsdtar -xf "$TAR" -C "$T/bsd"
	[ "$(ls "$T/bsd")" = "$BAG" ]
	check_bag "$T/bsd"
}

# ---- reproducibility ----------------------------------------------------------

@test "reproducible: two homes with one key make the same archive but for the seal" {
	export SOURCE_DATE_EPOCH=1735689600	# 2025-01-01
	local h1="$T/home" h2="$T/home2" m n=0
	cp -r "$CASE" "$T/case2"
	arh init --organisation Justiitsministeerium >/dev/null
	arh -H "$h2" init --organisation Justiitsministeerium >/dev/null
	cp "$h1"/keys/* "$h2/keys/"
	arh register import -C "$CASE" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt" >/dev/null
	arh -H "$h2" register import -C "$T/case2" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt" >/dev/null
	# When the input was copied does not matter.
	find "$T/case2" -exec touch -d '2025-06-01 12:00' {} +
	arh ingest "$CASE" >/dev/null
	arh -H "$h2" ingest "$T/case2" >/dev/null
	local t1="$h1/store/$BAG.tar" t2="$h2/store/$BAG.tar"
	[ "$(tar -tf "$t1")" = "$(tar -tf "$t2")" ]
	while IFS= read -r m; do
		[[ "$m" == */ ]] && continue
		[ "$m" = "$BAG/signature/tagmanifest-sha512.txt.p7s" ] && continue
		cmp <(tar -xOf "$t1" "$m") <(tar -xOf "$t2" "$m")
		n=$((n + 1))
	done < <(tar -tf "$t1")
	[ "$n" -eq 12 ]
	[ "$(tar -xOf "$t1" "$BAG/bag-info.txt" | grep '^Bagging-Date:')" = "Bagging-Date: 2025-01-01" ]
	# Headers too: byte for byte up to the seal's header.
	local seal_at
	seal_at=$(sqlite3 "$h1/catalog.db" "select header_offset from files
	    where path = 'signature/tagmanifest-sha512.txt.p7s'")
	[ "$seal_at" -gt 0 ]
	[ "$seal_at" = "$(sqlite3 "$h2/catalog.db" "select header_offset from files
	    where path = 'signature/tagmanifest-sha512.txt.p7s'")" ]
	cmp -n "$seal_at" "$t1" "$t2"
	# Both seals are good.
	run arh verify 12-1/2024
	[ "$status" -eq 0 ]
	run arh -H "$h2" verify 12-1/2024
	[ "$status" -eq 0 ]
}

# ---- catalog rebuild ----------------------------------------------------------

@test "catalog rebuild after losing catalog.db gives the same rows" {
	ingested_home
	arh ingest --new-version "$CASE" >/dev/null
	local before
	before=$(catalog_rows)
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from files')" -eq 26 ]
	rm "$ARHIIVAR_HOME/catalog.db"
	run arh catalog rebuild
	[ "$status" -eq 0 ]
	[ "$(catalog_rows)" = "$before" ]
	run arh verify --all
	[ "$status" -eq 0 ]
}

@test "catalog rebuild on an intact catalog keeps the rows and the events" {
	ingested_home
	arh verify 12-1/2024 >/dev/null
	local rows events n
	rows=$(catalog_rows)
	events=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select * from events order by id')
	n=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from events')
	[ "$n" -ge 2 ]
	run arh catalog rebuild
	[ "$status" -eq 0 ]
	[ "$(catalog_rows)" = "$rows" ]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from events')" -gt "$n" ]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select * from events order by id limit $n")" = "$events" ]
}

@test "catalog rebuild leaves out an archive that fails verification" {
	ingested_home
	chmod u+w "$TAR"
	local off
	off=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select data_offset from files
	    where path = 'data/12-1_8911-1/vastus.txt'")
	printf 'X' | dd of="$TAR" bs=1 seek="$off" conv=notrunc status=none
	local sum
	sum=$(sha256sum <"$TAR")
	rm "$ARHIIVAR_HOME/catalog.db"
	run arh catalog rebuild
	[ "$status" -eq 1 ]
	[[ "$output" == *"'$BAG.tar' in the store fails verification (payload data/12-1_8911-1/vastus.txt:"* ]]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select count(*) from archives')" -eq 0 ]
	[ "$(sha256sum <"$TAR")" = "$sum" ]
}

# ---- versions -----------------------------------------------------------------

@test "a second ingest of the same case is refused and points to --new-version" {
	ingested_home
	local before
	before=$(state)
	run arh ingest "$CASE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"already archived as $BAG"*"--new-version"* ]]
	[ "$(state)" = "$before" ]
	[ "$(ls "$ARHIIVAR_HOME/store")" = "$BAG.tar" ]
}

@test "--new-version makes 12-1_2024.v2, pointing back to v1, and show resolves to it" {
	ingested_home
	local v1sum
	v1sum=$(sha256sum <"$TAR")
	run arh ingest --new-version "$CASE"
	[ "$status" -eq 0 ]
	[[ "$output" == *"archived 12-1_2024.v2"* ]]
	local v2="$ARHIIVAR_HOME/store/12-1_2024.v2.tar"
	[ -f "$v2" ]
	[ "$(sha256sum <"$TAR")" = "$v1sum" ]
	run tar -xOf "$v2" 12-1_2024.v2/bag-info.txt
	[[ "$output" == *"Arhiivar-Previous-Version: $BAG"* ]]
	[[ "$output" == *"Arhiivar-Version: 2"* ]]
	run arh show 12-1/2024
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"12-1_2024.v2 (version 2, follows $BAG)"* ]]
	run arh show --json 12-1/2024
	[[ "$output" == *'"name": "12-1_2024.v2"'* ]]
	[[ "$output" == *"\"previous\": \"$BAG\""* ]]
	run arh show "$BAG"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"$BAG (version 1"* ]]
	run arh verify --all
	[ "$status" -eq 0 ]
	[[ "$output" == *"$BAG: OK"* ]]
	[[ "$output" == *"12-1_2024.v2: OK"* ]]
}

@test "large payload files (one read block and more) make a tar every reader accepts" {
	arh init >/dev/null
	head -c 600000 /dev/urandom >"$CASE/12-1_8911-1/a.bin"
	head -c 1048576 /dev/urandom >"$CASE/12-1_8911-1/b.bin"
	head -c 3500001 /dev/urandom >"$CASE/12-1_8911-1/c.bin"
	run arh ingest "$CASE"
	[ "$status" -eq 0 ]
	tar="$ARHIIVAR_HOME/store/12-1_2024.v1.tar"
	bsdtar -tf "$tar" >/dev/null
	tar -tf "$tar" >/dev/null
	run arh verify 12-1/2024
	[ "$status" -eq 0 ]
	for f in a b c; do
		tar -xOf "$tar" "12-1_2024.v1/data/12-1_8911-1/$f.bin" | cmp - "$CASE/12-1_8911-1/$f.bin"
		arh restore -o "$T/$f.bin" 12-1/2024 "12-1_8911-1/$f.bin" 2>/dev/null
		cmp "$T/$f.bin" "$CASE/12-1_8911-1/$f.bin"
	done
}

# ---- the manifest index ---------------------------------------------------

INDEX=metadata/manifest-sha256-index.txt

# many_files N: N more files in the public record 12-1_8911-1, named long
# enough that manifest-sha256.txt spans several 64 KiB chunks of its index.
many_files() {
	local i d="$CASE/12-1_8911-1/paljud"
	mkdir "$d"
	for ((i = 1; i <= $1; i++)); do
		printf 'kiri %d\n' "$i" >"$d/$(printf 'kiri-%04d-%040d.txt' "$i" 0)"
	done
}

# member M: the stored archive's member M.
member() {
	tar -xOf "$TAR" "$BAG/$1"
}

# restored P: restore P from the store and compare it with the input.
restored() {
	rm -f "$T/out"
	run arh restore -o "$T/out" 12-1/2024 "$1"
	[ "$status" -eq 0 ]
	cmp "$T/out" "$CASE/${1#data/}"
}

@test "restore by the manifest index: the manifest's first and last file and both sides of a chunk boundary" {
	many_files 1000
	ingested_home
	run member "$INDEX"
	[ "${#lines[@]}" -ge 3 ]
	# The index tiles the manifest: offsets add up, stock tools agree.
	local sha off len first at=0
	while read -r sha off len first; do
		[ "$off" -eq "$at" ]
		[ "$(member manifest-sha256.txt | tail -c +$((off + 1)) | head -c "$len" |
		    sha256sum | cut -d' ' -f1)" = "$sha" ]
		at=$((off + len))
	done < <(member "$INDEX")
	[ "$at" -eq "$(member manifest-sha256.txt | wc -c)" ]
	local second before firstline lastline
	second=$(member "$INDEX" | sed -n 2p | cut -d' ' -f4-)
	before=$(member manifest-sha256.txt | grep -B1 -F "  $second" | head -n1 | cut -c67-)
	firstline=$(member manifest-sha256.txt | head -n1 | cut -c67-)
	lastline=$(member manifest-sha256.txt | tail -n1 | cut -c67-)
	[ "$firstline" = data/12-1_8909-1/tekst.txt ]
	[ "$lastline" = data/12-1_8911-1/vastus.txt ]
	[ "$before" != "$second" ]
	restored "$firstline"
	restored "$before"
	restored "$second"
	restored "$lastline"
	# Names that sort before every chunk, between two lines and after the
	# last are in no chunk: refused, nothing written.
	rm -f "$T/out"
	for p in data/0 "$second.x" data/12-1_8911-1/zzz; do
		run arh restore -o "$T/out" 12-1/2024 "$p"
		[ "$status" -eq 1 ]
		[ ! -e "$T/out" ]
	done
	run arh verify 12-1/2024
	[ "$status" -eq 0 ]
}

@test "an archive written before the manifest index verifies and restores, as a copy and from the store" {
	ingested_home
	# What the writer made before the index: no such member, the tag
	# manifests without its line; sealed again with the home's key.
	mkdir "$T/x"
	tar -xf "$TAR" -C "$T/x"
	rm "$T/x/$BAG/$INDEX"
	( cd "$T/x/$BAG" &&
	  set -- bag-info.txt bagit.txt manifest-sha256.txt manifest-sha512.txt metadata/case.json &&
	  sha256sum "$@" >tagmanifest-sha256.txt && sha512sum "$@" >tagmanifest-sha512.txt )
	openssl cms -sign -binary -outform DER -cades -md sha256 -nosmimecap \
	    -in "$T/x/$BAG/tagmanifest-sha512.txt" \
	    -signer "$ARHIIVAR_HOME/keys/seal.pem" \
	    -inkey "$ARHIIVAR_HOME/keys/seal.key" \
	    -out "$T/x/$BAG/signature/tagmanifest-sha512.txt.p7s"
	( cd "$T/x" && bsdtar --format=paxr --uid 0 --gid 0 --uname '' \
	    --gname '' -cf "$T/old.tar" "$BAG" )
	! tar -tf "$T/old.tar" | grep -q manifest-sha256-index
	run arh -H "$T/nohome" verify --trust "$ARHIIVAR_HOME/keys/seal.pem" "$T/old.tar"
	[ "$status" -eq 0 ]
	run arh -H "$T/nohome" restore -o "$T/v1" --trust "$ARHIIVAR_HOME/keys/seal.pem" \
	    "$T/old.tar" data/12-1_8911-1/vastus.txt
	[ "$status" -eq 0 ]
	cmp "$T/v1" "$CASE/12-1_8911-1/vastus.txt"
	# In the store, catalogued by a rebuild: restored through the whole
	# manifest.
	chmod u+w "$TAR"
	cp "$T/old.tar" "$TAR"
	rm "$ARHIIVAR_HOME/catalog.db"
	run arh catalog rebuild
	[ "$status" -eq 0 ]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select count(*) from files where path = '$INDEX'")" -eq 0 ]
	restored data/12-1_8911-1/vastus.txt
	# The whole manifest is still checked against the seal.
	local at
	at=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select data_offset from files
	    where archive = '$BAG' and path = 'manifest-sha256.txt'")
	printf 'F' | dd of="$TAR" bs=1 seek="$at" conv=notrunc status=none
	rm -f "$T/out"
	run arh restore -o "$T/out" 12-1/2024 data/12-1_8911-1/vastus.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"tagmanifest: manifest-sha256.txt does not match the sealed tag manifest"* ]]
	[ ! -e "$T/out" ]
}
