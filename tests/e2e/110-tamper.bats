#!/usr/bin/env bats
# Tampering with an archive: every change is caught by verify, exit 1, with
# the failing layer and the member named.  Each case is checked twice: the
# archive in the store (`verify 12-1/2024`, the catalog layer applies too)
# and a bare copy verified as an auditor would, with no home and only the
# seal certificate as trust anchor.  Verification itself changes nothing.
load helpers

BAG=12-1_2024.v1

# ---- helpers ------------------------------------------------------------

# has_finding LAYER MEMBER TEXT: verify's text report in $output has a
# finding line of LAYER for MEMBER whose message has TEXT; MEMBER "" matches
# any finding of LAYER, with or without a member.
has_finding() {
	local want line
	if [ -n "$2" ]; then
		want=$(printf '  %-12s %s: ' "$1" "$2")
	else
		want=$(printf '  %-12s ' "$1")
	fi
	for line in "${lines[@]}"; do
		[[ "$line" == "$want"* && "$line" == *"$3"* ]] && return 0
	done
	printf 'no finding [%s] [%s] [%s] in:\n%s\n' "$1" "$2" "$3" "$output" >&2
	return 1
}

# no_layer LAYER: no finding of LAYER in $output.
no_layer() {
	local want line
	want=$(printf '  %-12s ' "$1")
	for line in "${lines[@]}"; do
		if [[ "$line" == "$want"* ]]; then
			printf 'unexpected %s finding in:\n%s\n' "$1" "$output" >&2
			return 1
		fi
	done
}

# The home with the sample ingested, its archive writable (the store keeps
# it 0440; the tests run as root, but say so), a snapshot of the catalog.
tamper_home() {
	ingested_home
	chmod u+w "$TAR"
	catalog_before=$(catalog_rows)
}

catalog_rows() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select * from archives order by name;
	    select * from records order by archive, reference;
	    select * from files order by archive, path'
}

# data_offset MEMBER: where MEMBER's data starts in the stored tar.
data_offset() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" \
	    "select data_offset from files where archive = '$BAG' and path = '$1'"
}

# offset_of MEMBER TEXT: the offset in the stored tar of the first TEXT
# inside MEMBER's data.
offset_of() {
	local at
	at=$(tar -xOf "$TAR" "$BAG/$1" | grep -boaF -m1 -- "$2" | head -n1)
	[ -n "$at" ] || return 1
	echo $(( $(data_offset "$1") + ${at%%:*} ))
}

# poke FILE OFFSET BYTES: overwrite in place.
poke() {
	printf '%s' "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# flip FILE OFFSET: change one byte in place (lowest bit).
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	[ -n "$b" ] || return 1
	printf "$(printf '\\%03o' $(( b ^ 1 )))" |
	    dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# other_hex FILE OFFSET: replace the hex digit there by another hex digit.
other_hex() {
	local c
	c=$(dd if="$1" bs=1 skip="$2" count=1 status=none)
	[[ "$c" == [0-9a-f] ]] || return 1
	if [ "$c" = 0 ]; then poke "$1" "$2" 1; else poke "$1" "$2" 0; fi
}

# verify_store [ARCHIVE]: verify the stored archive (default: the case
# file, i.e. its latest version); verify changed nothing.
verify_store() {
	local sum
	sum=$(sha256sum <"$TAR")
	run arh verify "${1:-12-1/2024}"
	[ "$(sha256sum <"$TAR")" = "$sum" ]
	[ "$(catalog_rows)" = "$catalog_before" ]
}

# verify_bare: a copy of the stored archive verified with no home at all,
# only the seal certificate as trust anchor (so no catalog layer).
verify_bare() {
	cp "$TAR" "$T/copy.tar"
	cp "$ARHIIVAR_HOME/keys/seal.pem" "$T/anchor.pem"
	run arh -H "$T/nohome" verify --trust "$T/anchor.pem" "$T/copy.tar"
	[ ! -e "$T/nohome" ]
	no_layer catalog
}

# unpack DIR: the stored archive extracted into DIR.
unpack() {
	mkdir -p "$1"
	tar -xf "$TAR" -C "$1"
}

# repack DIR [NAME...]: DIR's bag (and NAMEs under DIR) re-packed with
# bsdtar in the headers the writer uses (ustar, a pax header only for a
# long or non-ASCII name), replacing the stored archive.
repack() {
	local dir=$1
	shift
	( cd "$dir" && bsdtar --format=paxr --uid 0 --gid 0 --uname '' \
	    --gname '' -cf "$T/repacked.tar" "$BAG" "$@" )
	cp "$T/repacked.tar" "$TAR"
}

# INDEX: the manifest index (docs/FORMAT.md 4.1).
INDEX=metadata/manifest-sha256-index.txt

# reindex DIR: DIR's manifest index made anew from its manifest-sha256.txt
# by the writer's rule, with stock tools only (as a forger, or an
# independent verifier, would).
reindex() (
	cd "$1/$BAG" || exit 1
	m=manifest-sha256.txt
	LC_ALL=C awk '
		{ l = length($0) + 1
		  if (n > 0 && n + l > 65536) { print off + 0, n, first; off += n; n = 0 }
		  if (n == 0) first = substr($0, 67)
		  n += l }
		END { if (n > 0) print off + 0, n, first }' "$m" |
	while read -r off len first; do
		sha=$(tail -c +$((off + 1)) "$m" | head -c "$len" | sha256sum)
		printf '%s %s %s %s\n' "${sha%% *}" "$off" "$len" "$first"
	done >"$INDEX"
)

# tag_files: the tag files the tag manifests list, in the writer's order.
tag_files() {
	echo bag-info.txt bagit.txt manifest-sha256.txt manifest-sha512.txt \
	    metadata/case.json "$INDEX"
}

# recompute_bag DIR: both manifests, the index, Payload-Oxum and both tag
# manifests made to agree with the files now in DIR's bag, as a forger
# would.
recompute_bag() (
	cd "$1/$BAG" || exit 1
	files=()
	while IFS= read -r f; do files+=("$f"); done < <(find data -type f | sort)
	sha512sum "${files[@]}" >manifest-sha512.txt
	sha256sum "${files[@]}" >manifest-sha256.txt
	bytes=$(cat "${files[@]}" | wc -c)
	sed -i "s/^Payload-Oxum: .*/Payload-Oxum: $bytes.${#files[@]}/" bag-info.txt
	reindex "$1"
	set -- $(tag_files)
	sha256sum "$@" >tagmanifest-sha256.txt
	sha512sum "$@" >tagmanifest-sha512.txt
)

# forge_payload DIR MEMBER TEXT: MEMBER's content replaced by TEXT, its
# size and digests in metadata/case.json updated, every manifest redone.
forge_payload() {
	local f="$1/$BAG/$2" o512 o256 osz n512 n256 nsz
	o512=$(sha512sum <"$f"); o512=${o512%% *}
	o256=$(sha256sum <"$f"); o256=${o256%% *}
	osz=$(stat -c %s "$f")
	printf '%s\n' "$3" >"$f"
	n512=$(sha512sum <"$f"); n512=${n512%% *}
	n256=$(sha256sum <"$f"); n256=${n256%% *}
	nsz=$(stat -c %s "$f")
	# case.json lists a file's sha256, sha512 and size on successive lines.
	sed -i -e "/$o512/,+1 s/\"size\": $osz\$/\"size\": $nsz/" \
	    -e "s/$o512/$n512/; s/$o256/$n256/" "$1/$BAG/metadata/case.json"
	grep -q "\"size\": $nsz\$" "$1/$BAG/metadata/case.json"
	recompute_bag "$1"
}

# ---- controls: the tools used to tamper do not themselves cause findings

@test "control: the untouched archive verifies, in the store and bare" {
	tamper_home
	verify_store
	[ "$status" -eq 0 ]
	[[ "$output" == "12-1/2024: OK ("* ]]
	verify_bare
	[ "$status" -eq 0 ]
	[[ "$output" == *"copy.tar: OK ("* ]]
}

@test "control: a GNU tar re-pack of an untouched extraction, manifests recomputed, verifies bare" {
	tamper_home
	unpack "$T/x"
	recompute_bag "$T/x"
	repack "$T/x"
	verify_bare
	[ "$status" -eq 0 ]
	[[ "$output" == *"copy.tar: OK ("* ]]
}

# ---- one byte changed in place -------------------------------------------

@test "one byte of a payload file: payload layer names the file" {
	tamper_home
	flip "$TAR" $(( $(data_offset data/12-1_8909-1/tekst.txt) + 100 ))
	verify_store
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "12-1/2024: FAILED, "*" findings" ]]
	has_finding payload data/12-1_8909-1/tekst.txt "SHA-512 digest does not match manifest-sha512.txt"
	has_finding payload data/12-1_8909-1/tekst.txt "SHA-256 digest does not match manifest-sha256.txt"
	has_finding catalog data/12-1_8909-1/tekst.txt "differs from the size and digests recorded at ingest"
	has_finding catalog "" "differs from the one catalogued at ingest"
	no_layer seal
	no_layer tagmanifest
	verify_bare
	[ "$status" -eq 1 ]
	has_finding payload data/12-1_8909-1/tekst.txt "SHA-512 digest does not match manifest-sha512.txt"
	no_layer seal
}

@test "one byte of a payload file: --json names layer and member" {
	tamper_home
	flip "$TAR" $(( $(data_offset 'data/12-1_8910-1/õiend.pdf') + 7 ))
	# A caller not entitled to the internal-use record: by reference only.
	run arh verify --json 12-1/2024
	[ "$status" -eq 1 ]
	[[ "$output" == *'"ok": false'* ]]
	[[ "$output" == *'"layer": "payload",'*'"member": "record 12-1/8910-1",'*'"message": "SHA-512 digest does not match manifest-sha512.txt"'* ]]
	[[ "$output" != *õiend* ]]
	entitle_caller
	run arh verify --json 12-1/2024
	[ "$status" -eq 1 ]
	[[ "$output" == *'"layer": "payload",'*'"member": "data/12-1_8910-1/õiend.pdf",'*'"message": "SHA-512 digest does not match manifest-sha512.txt"'* ]]
	[[ "$output" == *'"layer": "catalog",'*'"member": "data/12-1_8910-1/õiend.pdf"'* ]]
}

@test "one byte of a payload file: restore refuses it and writes nothing" {
	tamper_home
	flip "$TAR" $(( $(data_offset data/12-1_8911-1/vastus.txt) + 3 ))
	mkdir "$T/out"
	cd "$T/out"
	run arh restore 12-1/2024 data/12-1_8911-1/vastus.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"data/12-1_8911-1/vastus.txt"*"does not match its sealed digest"* ]]
	[ -z "$(ls -A "$T/out")" ]
	local rc=0
	arh restore -o - 12-1/2024 data/12-1_8911-1/vastus.txt >"$T/stdout" 2>/dev/null || rc=$?
	[ "$rc" -eq 1 ]
	[ ! -s "$T/stdout" ]
}

@test "one byte of manifest-sha512.txt: tagmanifest names manifest-sha512.txt" {
	tamper_home
	# The first digest digit of the first line: still a well-formed line.
	other_hex "$TAR" "$(data_offset manifest-sha512.txt)"
	verify_store
	[ "$status" -eq 1 ]
	has_finding tagmanifest manifest-sha512.txt "SHA-512 digest does not match tagmanifest-sha512.txt"
	has_finding tagmanifest manifest-sha512.txt "SHA-256 digest does not match tagmanifest-sha256.txt"
	has_finding payload data/12-1_8909-1/tekst.txt "SHA-512 digest does not match manifest-sha512.txt"
	has_finding catalog manifest-sha512.txt "differs from the size and digests recorded at ingest"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding tagmanifest manifest-sha512.txt "SHA-512 digest does not match tagmanifest-sha512.txt"
	has_finding payload data/12-1_8909-1/tekst.txt "SHA-512 digest does not match manifest-sha512.txt"
	no_layer seal
}

@test "one byte of manifest-sha512.txt made malformed: structure names manifest-sha512.txt" {
	tamper_home
	poke "$TAR" "$(data_offset manifest-sha512.txt)" 'g'
	verify_store
	[ "$status" -eq 1 ]
	has_finding structure manifest-sha512.txt "line 1 is not"
	has_finding tagmanifest manifest-sha512.txt "does not match tagmanifest-sha512.txt"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding structure manifest-sha512.txt "line 1 is not"
	has_finding tagmanifest manifest-sha512.txt "does not match tagmanifest-sha512.txt"
}

@test "one byte of the manifest index: restore refused at the tag manifest; verify names the index" {
	tamper_home
	# A digit of the chunk's SHA-256: the index still parses.
	other_hex "$TAR" $(( $(data_offset "$INDEX") + 5 ))
	run arh restore -o "$T/out" 12-1/2024 data/12-1_8911-1/vastus.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"tagmanifest: $INDEX does not match the sealed tag manifest: verify the archive"* ]]
	[ ! -e "$T/out" ]
	verify_store
	[ "$status" -eq 1 ]
	has_finding tagmanifest "$INDEX" "SHA-512 digest does not match tagmanifest-sha512.txt"
	has_finding index "$INDEX" "chunk 1 (bytes 0 to "
	has_finding catalog "$INDEX" "differs from the size and digests recorded at ingest"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding tagmanifest "$INDEX" "SHA-512 digest does not match tagmanifest-sha512.txt"
	no_layer seal
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

@test "one byte of a chunk of manifest-sha256.txt: a restore through that chunk is refused naming it; verify names the chunk" {
	many_files 1000
	tamper_home
	local line off len first
	line=$(tar -xOf "$TAR" "$BAG/$INDEX" | sed -n 2p)
	read -r _ off len first <<<"$line"
	[ -n "$first" ] && [ "$(tar -xOf "$TAR" "$BAG/$INDEX" | wc -l)" -ge 3 ]
	# A digest digit of the second chunk's first line.
	other_hex "$TAR" $(( $(data_offset manifest-sha256.txt) + off + 3 ))
	run arh restore -o "$T/out" 12-1/2024 "$first"
	[ "$status" -eq 1 ]
	[[ "$output" == *"index: chunk 2 of manifest-sha256.txt (bytes $off to $((off + len)), from '$first') does not match $INDEX: its SHA-256 is not the one in the index; verify the archive"* ]]
	[ ! -e "$T/out" ]
	# A file of another chunk: every link of its own chain holds.
	run arh restore -o "$T/out" 12-1/2024 data/12-1_8911-1/vastus.txt
	[ "$status" -eq 0 ]
	cmp "$T/out" "$CASE/12-1_8911-1/vastus.txt"
	verify_store
	[ "$status" -eq 1 ]
	has_finding index "$INDEX" "chunk 2 (bytes $off to $((off + len)) of manifest-sha256.txt, from '$first') does not match: its SHA-256 is not the one in the index"
	has_finding tagmanifest manifest-sha256.txt "SHA-512 digest does not match tagmanifest-sha512.txt"
	has_finding payload "$first" "SHA-256 digest does not match manifest-sha256.txt"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding index "$INDEX" "chunk 2 (bytes $off to $((off + len)) of manifest-sha256.txt"
}

@test "a manifest index that does not tile the manifest, re-sealed with the home's key: index layer, restore refused" {
	tamper_home
	unpack "$T/x"
	# One byte longer than the manifest, every digest made to agree.
	awk '{ $3 = $3 + 1; print }' "$T/x/$BAG/$INDEX" >"$T/i" && mv "$T/i" "$T/x/$BAG/$INDEX"
	( cd "$T/x/$BAG" && set -- $(tag_files) &&
	  sha256sum "$@" >tagmanifest-sha256.txt && sha512sum "$@" >tagmanifest-sha512.txt )
	reseal "$T/x"
	repack "$T/x"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding index "$INDEX" "line 1 runs past the end of manifest-sha256.txt"
	no_layer tagmanifest
	no_layer seal
	run arh -H "$T/nohome" restore -o "$T/out" --trust "$T/anchor.pem" "$T/copy.tar" data/12-1_8911-1/vastus.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"index: $INDEX: line 1 runs past the end of manifest-sha256.txt"* ]]
	[ ! -e "$T/out" ]
}

@test "one byte of bag-info.txt: tagmanifest names bag-info.txt" {
	tamper_home
	flip "$TAR" "$(offset_of bag-info.txt 'Source-Organization: Justiitsministeerium')"
	verify_store
	[ "$status" -eq 1 ]
	has_finding tagmanifest bag-info.txt "SHA-512 digest does not match tagmanifest-sha512.txt"
	has_finding tagmanifest bag-info.txt "SHA-256 digest does not match tagmanifest-sha256.txt"
	has_finding catalog bag-info.txt "differs from the size and digests recorded at ingest"
	no_layer payload
	verify_bare
	[ "$status" -eq 1 ]
	has_finding tagmanifest bag-info.txt "SHA-512 digest does not match tagmanifest-sha512.txt"
	no_layer payload
}

@test "Payload-Oxum changed in bag-info.txt: oxum layer names bag-info.txt" {
	tamper_home
	run tar -xOf "$TAR" "$BAG/bag-info.txt"
	[[ "$output" == *"Payload-Oxum: 9282.4"* ]]
	poke "$TAR" "$(offset_of bag-info.txt 'Payload-Oxum: 9282.4')" 'Payload-Oxum: 9283.4'
	verify_store
	[ "$status" -eq 1 ]
	has_finding oxum bag-info.txt "Payload-Oxum says 9283 bytes in 4 files, the payload has 9282 bytes in 4 files"
	has_finding tagmanifest bag-info.txt "does not match tagmanifest-sha512.txt"
	has_finding catalog bag-info.txt "differs from the size and digests recorded at ingest"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding oxum bag-info.txt "Payload-Oxum says 9283 bytes"
}

@test "one byte of metadata/case.json: tagmanifest names metadata/case.json" {
	tamper_home
	# Still valid JSON: a letter of a record's title.
	poke "$TAR" "$(offset_of metadata/case.json 'MARKER-TITLE-7f3a')" 'N'
	verify_store
	[ "$status" -eq 1 ]
	has_finding tagmanifest metadata/case.json "SHA-512 digest does not match tagmanifest-sha512.txt"
	has_finding tagmanifest metadata/case.json "SHA-256 digest does not match tagmanifest-sha256.txt"
	has_finding catalog metadata/case.json "differs from the size and digests recorded at ingest"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding tagmanifest metadata/case.json "SHA-512 digest does not match tagmanifest-sha512.txt"
	no_layer payload
}

@test "a file digest in metadata/case.json: metadata layer names the payload file" {
	tamper_home
	local d
	d=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select sha512 from files where path = 'data/12-1_8911-1/vastus.txt'")
	# the offset of the digest itself, past '"sha512": "'
	other_hex "$TAR" $(( $(offset_of metadata/case.json "\"sha512\": \"$d\"") + 11 ))
	verify_store
	[ "$status" -eq 1 ]
	has_finding metadata data/12-1_8911-1/vastus.txt "size or digest differs from metadata/case.json"
	has_finding tagmanifest metadata/case.json "does not match tagmanifest-sha512.txt"
	has_finding catalog metadata/case.json "differs from the size and digests recorded at ingest"
	no_layer payload
	verify_bare
	[ "$status" -eq 1 ]
	has_finding metadata data/12-1_8911-1/vastus.txt "size or digest differs from metadata/case.json"
	no_layer payload
}

@test "one byte of tagmanifest-sha512.txt: tagmanifest and seal fail" {
	tamper_home
	# The first digest digit, bag-info.txt's line: still well-formed.
	other_hex "$TAR" "$(data_offset tagmanifest-sha512.txt)"
	verify_store
	[ "$status" -eq 1 ]
	has_finding tagmanifest bag-info.txt "SHA-512 digest does not match tagmanifest-sha512.txt"
	has_finding seal signature/tagmanifest-sha512.txt.p7s "signature does not match the signed content"
	has_finding catalog tagmanifest-sha512.txt "differs from the size and digests recorded at ingest"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding tagmanifest bag-info.txt "SHA-512 digest does not match tagmanifest-sha512.txt"
	has_finding seal signature/tagmanifest-sha512.txt.p7s "signature does not match the signed content"
}

@test "one byte of tagmanifest-sha256.txt: tagmanifest names the tag file of that line" {
	tamper_home
	other_hex "$TAR" "$(data_offset tagmanifest-sha256.txt)"
	verify_store
	[ "$status" -eq 1 ]
	has_finding tagmanifest bag-info.txt "SHA-256 digest does not match tagmanifest-sha256.txt"
	has_finding catalog tagmanifest-sha256.txt "differs from the size and digests recorded at ingest"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding tagmanifest bag-info.txt "SHA-256 digest does not match tagmanifest-sha256.txt"
	no_layer seal
}

@test "one byte of the signature: seal names the .p7s" {
	tamper_home
	local p7s=signature/tagmanifest-sha512.txt.p7s size
	size=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select size from files where path = '$p7s'")
	# The last byte: inside the signature value.
	flip "$TAR" $(( $(data_offset $p7s) + size - 1 ))
	verify_store
	[ "$status" -eq 1 ]
	has_finding seal $p7s ""
	has_finding catalog $p7s "differs from the size and digests recorded at ingest"
	no_layer payload
	no_layer tagmanifest
	verify_bare
	[ "$status" -eq 1 ]
	has_finding seal $p7s ""
	no_layer tagmanifest
}

@test "first byte of the signature: seal says it is not CMS SignedData" {
	tamper_home
	flip "$TAR" "$(data_offset signature/tagmanifest-sha512.txt.p7s)"
	verify_store
	[ "$status" -eq 1 ]
	has_finding seal signature/tagmanifest-sha512.txt.p7s "not a CMS SignedData"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding seal signature/tagmanifest-sha512.txt.p7s "not a CMS SignedData"
}

# ---- re-packed archives -------------------------------------------------

@test "a payload file replaced, every manifest recomputed: only the seal fails (and the catalog)" {
	tamper_home
	unpack "$T/x"
	forge_payload "$T/x" data/12-1_8911-1/vastus.txt "We have no objection whatsoever."
	repack "$T/x"
	verify_store
	[ "$status" -eq 1 ]
	has_finding seal signature/tagmanifest-sha512.txt.p7s "signature does not match the signed content"
	has_finding catalog data/12-1_8911-1/vastus.txt "differs from the size and digests recorded at ingest"
	has_finding catalog "" "differs from the one catalogued at ingest"
	no_layer payload
	no_layer oxum
	no_layer tagmanifest
	no_layer metadata
	verify_bare
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *"copy.tar: FAILED, 1 finding" ]]
	has_finding seal signature/tagmanifest-sha512.txt.p7s "signature does not match the signed content"
}

@test "the forged archive re-signed with a key the trust anchors do not know: seal not trusted" {
	tamper_home
	unpack "$T/x"
	forge_payload "$T/x" data/12-1_8911-1/vastus.txt "We have no objection whatsoever."
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/k.pem" -out "$T/c.pem" -days 30 \
	    -subj "/O=Arhiivar/CN=Arhiivar seal" 2>/dev/null
	openssl cms -sign -binary -outform DER -cades -md sha256 \
	    -in "$T/x/$BAG/tagmanifest-sha512.txt" -signer "$T/c.pem" \
	    -inkey "$T/k.pem" -out "$T/x/$BAG/signature/tagmanifest-sha512.txt.p7s"
	repack "$T/x"
	verify_store
	[ "$status" -eq 1 ]
	has_finding seal signature/tagmanifest-sha512.txt.p7s "signer certificate is not trusted"
	has_finding catalog data/12-1_8911-1/vastus.txt "differs from the size and digests recorded at ingest"
	no_layer payload
	no_layer tagmanifest
	verify_bare
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *"copy.tar: FAILED, 1 finding" ]]
	has_finding seal signature/tagmanifest-sha512.txt.p7s "signer certificate is not trusted"
	# Only the trust anchor stands between the forgery and an OK.
	run arh -H "$T/nohome" verify --trust "$T/c.pem" "$T/copy.tar"
	[ "$status" -eq 0 ]
}

# header_offset MEMBER: where MEMBER's first header starts in the stored tar.
header_offset() {
	sqlite3 "$ARHIIVAR_HOME/catalog.db" \
	    "select header_offset from files where archive = '$BAG' and path = '$1'"
}

@test "truncated to half, inside a header: structure" {
	tamper_home
	# Half way, in the middle of the header there (not at a member's end,
	# which reads as a missing end-of-archive marker instead).
	h=$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select max(header_offset)
	    from files where archive = '$BAG' and header_offset <= $(( $(stat -c %s "$TAR") / 2 ))")
	truncate -s $(( h + 256 )) "$TAR"
	verify_store
	[ "$status" -eq 1 ]
	has_finding structure "" "truncated or corrupt tar"
	has_finding catalog signature/tagmanifest-sha512.txt.p7s "catalogued at ingest but not in the archive"
	has_finding catalog "" "differs from the one catalogued at ingest"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding structure "" "truncated or corrupt tar"
}

@test "truncated by its end-of-archive marker only: structure" {
	# A copy cut short by the last 1024 bytes still holds every member,
	# but it is not the sealed file and not a complete tar (POSIX wants
	# the two zero blocks): an auditor must not get an OK for it.
	tamper_home
	truncate -s $(( $(stat -c %s "$TAR") - 1024 )) "$TAR"
	verify_bare
	[ "$status" -eq 1 ]
	[[ "$output" == *$'\n  structure    '* ]]
	verify_store
	[ "$status" -eq 1 ]
	has_finding catalog "" "differs from the one catalogued at ingest"
}

@test "truncated inside a payload file's data: structure names the file" {
	tamper_home
	truncate -s $(( $(data_offset data/12-1_8909-1/tekst.txt) + 1000 )) "$TAR"
	verify_store
	[ "$status" -eq 1 ]
	has_finding structure data/12-1_8909-1/tekst.txt "truncated or unreadable"
	verify_bare
	[ "$status" -eq 1 ]
	# The bare copy's records cannot be read: no payload name is shown
	# to a caller not entitled to restricted records.
	has_finding structure "a payload file" "truncated or unreadable"
	[[ "$output" != *tekst.txt* ]]
}

@test "an extra member in the bag directory: structure, unexpected member" {
	tamper_home
	unpack "$T/x"
	echo "note to self" >"$T/x/$BAG/extra.txt"
	repack "$T/x"
	verify_store
	[ "$status" -eq 1 ]
	has_finding structure extra.txt "unexpected member"
	has_finding catalog "" "differs from the one catalogued at ingest"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding structure extra.txt "unexpected member"
}

@test "an extra payload file under data/: completeness names it" {
	tamper_home
	unpack "$T/x"
	echo "slipped in" >"$T/x/$BAG/data/12-1_8911-1/lisa.txt"
	repack "$T/x"
	verify_store
	[ "$status" -eq 1 ]
	has_finding completeness data/12-1_8911-1/lisa.txt "not listed in manifest-sha512.txt"
	has_finding completeness data/12-1_8911-1/lisa.txt "not listed in manifest-sha256.txt"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding completeness data/12-1_8911-1/lisa.txt "not listed in manifest-sha512.txt"
}

@test "a renamed payload member: completeness names both names" {
	tamper_home
	unpack "$T/x"
	mv "$T/x/$BAG/data/12-1_8911-1/vastus.txt" "$T/x/$BAG/data/12-1_8911-1/vastus-2.txt"
	repack "$T/x"
	verify_store
	[ "$status" -eq 1 ]
	has_finding completeness data/12-1_8911-1/vastus.txt "listed in manifest-sha512.txt but not in the archive"
	has_finding completeness data/12-1_8911-1/vastus-2.txt "not listed in manifest-sha512.txt"
	has_finding catalog data/12-1_8911-1/vastus.txt "catalogued at ingest but not in the archive"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding completeness data/12-1_8911-1/vastus.txt "listed in manifest-sha512.txt but not in the archive"
	has_finding completeness data/12-1_8911-1/vastus-2.txt "not listed in manifest-sha512.txt"
}

@test "a second top-level directory: structure" {
	tamper_home
	unpack "$T/x"
	mkdir "$T/x/other"
	echo "hello" >"$T/x/other/x.txt"
	repack "$T/x" other
	verify_store
	[ "$status" -eq 1 ]
	has_finding structure other/x.txt "second top-level directory 'other'"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding structure other/x.txt "second top-level directory 'other'"
}

@test "a member with ../ in its name: structure, unsafe member name" {
	tamper_home
	unpack "$T/x"
	echo "escape" >"$T/evil.txt"
	tar --format=pax -cf "$T/repacked.tar" -C "$T/x" "$BAG" -C "$T" \
	    --transform "s,^evil,$BAG/../evil," evil.txt
	cp "$T/repacked.tar" "$TAR"
	verify_store
	[ "$status" -eq 1 ]
	has_finding structure "$BAG/../evil.txt" "unsafe member name"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding structure "$BAG/../evil.txt" "unsafe member name"
}

@test "a member with an absolute path: structure, unsafe member name" {
	tamper_home
	unpack "$T/x"
	echo "escape" >"$T/evil.txt"
	tar --format=pax -P -cf "$T/repacked.tar" -C "$T/x" "$BAG" "$T/evil.txt"
	cp "$T/repacked.tar" "$TAR"
	verify_store
	[ "$status" -eq 1 ]
	has_finding structure "$T/evil.txt" "unsafe member name (absolute path)"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding structure "$T/evil.txt" "unsafe member name (absolute path)"
}

@test "a symlink member: structure, unexpected member type" {
	tamper_home
	unpack "$T/x"
	ln -s ../../bagit.txt "$T/x/$BAG/data/12-1_8911-1/link.txt"
	repack "$T/x"
	verify_store
	[ "$status" -eq 1 ]
	has_finding structure data/12-1_8911-1/link.txt "unexpected member type"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding structure data/12-1_8911-1/link.txt "unexpected member type"
}

@test "a symlink replacing a payload file: structure, and completeness misses the file" {
	tamper_home
	unpack "$T/x"
	ln -sf /etc/passwd "$T/x/$BAG/data/12-1_8911-1/vastus.txt"
	repack "$T/x"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding structure data/12-1_8911-1/vastus.txt "unexpected member type"
	has_finding completeness data/12-1_8911-1/vastus.txt "listed in manifest-sha512.txt but not in the archive"
}

@test "a sealed v2 re-labelled as v1: metadata names the mismatch" {
	tamper_home
	arh ingest --new-version "$CASE" >/dev/null
	mkdir "$T/x"
	tar -xf "$ARHIIVAR_HOME/store/12-1_2024.v2.tar" -C "$T/x"
	mv "$T/x/12-1_2024.v2" "$T/x/$BAG"
	repack "$T/x"
	catalog_before=$(catalog_rows)
	verify_store "$BAG"
	[ "$status" -eq 1 ]
	has_finding metadata metadata/case.json "names archive '12-1_2024.v2' but the bag directory is '$BAG'"
	has_finding catalog metadata/case.json "differs from the size and digests recorded at ingest"
	verify_bare
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *"copy.tar: FAILED, 1 finding" ]]
	has_finding metadata metadata/case.json "names archive '12-1_2024.v2' but the bag directory is '$BAG'"
}

@test "the v2 file copied over v1 in the store: catalog says which bag the file holds" {
	tamper_home
	arh ingest --new-version "$CASE" >/dev/null
	cp "$ARHIIVAR_HOME/store/12-1_2024.v2.tar" "$TAR"
	catalog_before=$(catalog_rows)
	local sum
	sum=$(sha256sum <"$TAR")
	run arh verify "$BAG"
	[ "$status" -eq 1 ]
	has_finding catalog "" "the archive file holds bag '12-1_2024.v2', the catalog expects '$BAG'"
	has_finding catalog metadata/case.json "differs from the size and digests recorded at ingest"
	[ "$(sha256sum <"$TAR")" = "$sum" ]
	[ "$(catalog_rows)" = "$catalog_before" ]
}

@test "a tampered copy outside the store is also checked against the catalog of the home" {
	tamper_home
	cp "$TAR" "$T/copy.tar"
	flip "$T/copy.tar" $(( $(data_offset data/12-1_8909-1/tekst.txt) + 1 ))
	run arh verify "$T/copy.tar"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "$T/copy.tar: FAILED, "* ]]
	has_finding payload data/12-1_8909-1/tekst.txt "SHA-512 digest does not match manifest-sha512.txt"
	has_finding catalog data/12-1_8909-1/tekst.txt "differs from the size and digests recorded at ingest"
	[ "$(catalog_rows)" = "$catalog_before" ]
}

@test "data after the end-of-archive marker: structure" {
	# `tar --ignore-zeros` extracts what follows the end-of-archive
	# marker: a file verify calls OK must not hide members there.
	tamper_home
	mkdir -p "$T/y/other"
	echo "smuggled" >"$T/y/other/x.txt"
	tar --format=pax -C "$T/y" -cf "$T/other.tar" other
	cat "$T/other.tar" >>"$TAR"
	[[ "$(tar -tif "$TAR")" == *"other/x.txt"* ]]
	verify_bare
	[ "$status" -eq 1 ]
	[[ "$output" == *$'\n  structure    '* ]]
	verify_store
	[ "$status" -eq 1 ]
	[[ "$output" == *$'\n  structure    '* ]]
	has_finding catalog "" "differs from the one catalogued at ingest"
}

# ---- not an archive, no anchors, all archives ---------------------------

@test "a file that is not a tar: exit 1, structure" {
	tamper_home
	printf 'Dear Sir/Madam,\nthis is not an archive.\n' >"$T/letter.tar"
	run arh -H "$T/nohome" verify --trust "$ARHIIVAR_HOME/keys/seal.pem" "$T/letter.tar"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "$T/letter.tar: FAILED, 1 finding" ]]
	[ ! -e "$T/nohome" ]
	has_finding structure "" "not a tar archive"
	run arh verify "$T/letter.tar"
	[ "$status" -eq 1 ]
	has_finding structure "" "not a tar archive"
	[ "$(catalog_rows)" = "$catalog_before" ]
}

@test "no trust anchors and no home: a clear error, exit 2, nothing created" {
	tamper_home
	cp "$TAR" "$T/copy.tar"
	run arh -H "$T/nohome" verify "$T/copy.tar"
	[ "$status" -eq 2 ]
	[[ "$output" == *"no trust anchors"*"--trust"* ]]
	[[ "$output" != *"OK"* ]]
	[ ! -e "$T/nohome" ]
}

@test "verify --all: exit 0 on an intact home, 1 after one tamper, naming archive, layer and member" {
	tamper_home
	arh ingest --new-version "$CASE" >/dev/null
	run arh verify --all
	[ "$status" -eq 0 ]
	[[ "$output" == *"12-1_2024.v1: OK"* ]]
	[[ "$output" == *"12-1_2024.v2: OK"* ]]
	flip "$TAR" $(( $(data_offset data/12-1_8911-1/vastus.txt) + 5 ))
	catalog_before=$(catalog_rows)
	run arh verify --all
	[ "$status" -eq 1 ]
	[[ "$output" == *"12-1_2024.v1: FAILED"* ]]
	[[ "$output" == *"12-1_2024.v2: OK"* ]]
	has_finding payload data/12-1_8911-1/vastus.txt "SHA-512 digest does not match manifest-sha512.txt"
	has_finding catalog data/12-1_8911-1/vastus.txt "differs from the size and digests recorded at ingest"
	[ "$(catalog_rows)" = "$catalog_before" ]
	run arh events
	[[ "$output" =~ verify\ +failed\ .*12-1_2024.v1 ]]
}

@test "an archive that cannot be read is not verified, not failed: ERROR, exit 2, an 'error' event" {
	ingested_home
	# Every read of the archive fails (EIO): a fault, not a finding.
	# (LeakSanitizer cannot run under ptrace: off for this run only.)
	eio="env ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -o /dev/null -P $TAR -e inject=read:error=EIO"
	run $eio "$ARH_BIN" verify --all
	[ "$status" -eq 2 ]
	[[ "$output" == *"12-1_2024.v1: ERROR, not verified"* ]]
	[[ "$output" == *"arhiivar: 12-1_2024.v1: not verified: cannot read the archive: Input/output error"* ]]
	[[ "$output" != *FAILED* ]]
	$eio "$ARH_BIN" verify --all --json >"$T/v.json" 2>/dev/null || st=$?
	[ "$st" -eq 2 ]
	[ "$(jq -r '.[0].error' "$T/v.json")" = "cannot read the archive: Input/output error" ]
	[ "$(sqlite3 "$ARHIIVAR_HOME/catalog.db" "select result from events
	    where kind = 'verify' order by id desc limit 1")" = error ]
	run arh verify --all
	[ "$status" -eq 0 ]
}

@test "metadata/case.json nested deeper than the writer allows, re-sealed with the home's own key: metadata layer" {
	tamper_home
	unpack "$T/x"
	m="$T/x/$BAG/metadata/case.json"
	jq --indent 2 -S '.case_file.extra = (reduce range(40) as $i ("x"; {"a": .}))' "$m" >"$T/m.json"
	mv "$T/m.json" "$m"
	recompute_bag "$T/x"
	openssl cms -sign -binary -outform DER -in "$T/x/$BAG/tagmanifest-sha512.txt" \
	    -signer "$ARHIIVAR_HOME/keys/seal.pem" -inkey "$ARHIIVAR_HOME/keys/seal.key" \
	    -cades -md sha256 -out "$T/x/$BAG/signature/tagmanifest-sha512.txt.p7s"
	repack "$T/x"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding metadata metadata/case.json "objects and arrays nested more than 19 levels deep (under 'case_file'), which no writer of this format produces"
	no_layer seal
	no_layer tagmanifest
}

@test "a manifest of thousands of junk lines: findings listed up to 100 per layer, the rest counted" {
	tamper_home
	unpack "$T/x"
	m="$T/x/$BAG/manifest-sha512.txt"
	for i in $(seq 3000); do printf '%0128d  data/missing-%d.txt\n' 0 "$i"; done >>"$m"
	( cd "$T/x/$BAG" && set -- bag-info.txt bagit.txt manifest-sha256.txt manifest-sha512.txt metadata/case.json &&
	  sha256sum "$@" >tagmanifest-sha256.txt && sha512sum "$@" >tagmanifest-sha512.txt )
	repack "$T/x"
	verify_bare
	[ "$status" -eq 1 ]
	n=$(printf '%s\n' "${lines[@]}" | grep -c '^  completeness ') || true
	[ "$n" -eq 101 ]
	has_finding completeness "" "and 2900 more findings of this layer, not listed"
	[[ "${lines[0]}" == *"copy.tar: FAILED, "*" findings" ]]
	total=${lines[0]##*FAILED, }; total=${total%% *}
	[ "$total" -ge 3000 ]
	run arh -H "$T/nohome" verify --json --trust "$ARHIIVAR_HOME/keys/seal.pem" "$T/copy.tar"
	[ "$status" -eq 1 ]
	[ "$(jq '[.findings[] | select(.layer == "completeness")] | length' <<<"$output")" -eq 100 ]
	[ "$(jq '.unlisted.completeness' <<<"$output")" -eq 2900 ]
}

@test "a reference means the catalogued archive, even with a good copy of that name in the current directory" {
	tamper_home
	mkdir -p "$T/cwd/12-1"
	cp "$TAR" "$T/cwd/12-1/2024"
	flip "$TAR" $(( $(data_offset data/12-1_8909-1/tekst.txt) + 100 ))
	cd "$T/cwd"
	run arh verify 12-1/2024
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "12-1/2024: FAILED, "* ]]
	# The copy is checked only when the argument is plainly a path.
	run arh verify ./12-1/2024
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "./12-1/2024: OK (12-1_2024.v1, "* ]]
	# An argument that is no catalogued name but a file says how to mean it.
	mkdir -p 9-9 && cp "$T/cwd/12-1/2024" 9-9/2000
	run arh verify 9-9/2000
	[ "$status" -eq 1 ]
	[[ "$output" == *"write './9-9/2000'"* ]]
}

# ---- the writer's grammar: what stock tools read differently is refused --
# Each archive below is re-sealed with the home's own key, so that only the
# rule under test can fail: a forger with the key gets no further.

# retag DIR: the index and both tag manifests made to agree with DIR's
# tag files.
retag() (
	reindex "$1"
	cd "$1/$BAG" || exit 1
	set -- $(tag_files)
	sha256sum "$@" >tagmanifest-sha256.txt
	sha512sum "$@" >tagmanifest-sha512.txt
)

# reseal DIR: DIR's bag sealed again with the home's own seal key.
reseal() {
	openssl cms -sign -binary -outform DER -cades -md sha256 -nosmimecap \
	    -in "$1/$BAG/tagmanifest-sha512.txt" \
	    -signer "$ARHIIVAR_HOME/keys/seal.pem" \
	    -inkey "$ARHIIVAR_HOME/keys/seal.key" \
	    -out "$1/$BAG/signature/tagmanifest-sha512.txt.p7s"
}

# rule_refused LAYER MEMBER TEXT: the stored archive fails verify bare on
# exactly that finding's layer, and nothing but it (seal, tag manifests,
# payload hold).
rule_refused() {
	verify_bare
	[ "$status" -eq 1 ]
	has_finding "$1" "$2" "$3"
	no_layer seal
	no_layer tagmanifest
	no_layer payload
}

@test "control: a bsdtar re-pack, re-sealed with the home's key, verifies bare" {
	tamper_home
	unpack "$T/x"
	reseal "$T/x"
	repack "$T/x"
	verify_bare
	[ "$status" -eq 0 ]
}

@test "a GNU tar pax re-pack (mtime and atime records): structure, pax record" {
	tamper_home
	unpack "$T/x"
	tar --format=pax --owner=0 --group=0 --numeric-owner -C "$T/x" -cf "$TAR" "$BAG"
	rule_refused structure "" "a pax record other than path or size, which the writer never emits"
}

@test "a pax global header before the members: structure (GNU tar would apply its path to every member)" {
	tamper_home
	unpack "$T/x"
	# GNU tar: keyword=value goes into one global header at the start.
	tar --format=pax --pax-option='path=evil.txt' --owner=0 --group=0 \
	    -C "$T/x" -cf "$TAR" "$BAG"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding structure "$BAG/" "a pax global header (typeflag 'g'), which the writer never emits"
}

@test "a GNU-format archive (old GNU magic, long-name headers): structure" {
	tamper_home
	unpack "$T/x"
	tar --format=gnu --owner=0 --group=0 -C "$T/x" -cf "$TAR" "$BAG"
	rule_refused structure "" "a header that is not POSIX ustar"
}

@test "a directory given as typeflag '0' with a trailing '/': structure" {
	tamper_home
	# The first header is the bag directory's ('5'); make it a '0'
	# and mend its checksum ('5' - '0' = 5).
	[ "$(dd if="$TAR" bs=1 skip=156 count=1 2>/dev/null)" = 5 ]
	sum=$(dd if="$TAR" bs=1 skip=148 count=6 2>/dev/null)
	printf '%06o' $(( 8#$sum - 5 )) | dd of="$TAR" bs=1 seek=148 conv=notrunc 2>/dev/null
	printf 0 | dd of="$TAR" bs=1 seek=156 conv=notrunc 2>/dev/null
	run tar -tvf "$TAR"
	[ "$status" -eq 0 ]
	rule_refused structure "" "a file header (typeflag '0') whose name ends in '/'"
}

# manifest_line SED: manifest-sha512.txt edited by SED, re-tagged, re-sealed.
manifest_line() {
	tamper_home
	unpack "$T/x"
	sed -i "$1" "$T/x/$BAG/manifest-sha512.txt"
	retag "$T/x"
	reseal "$T/x"
	repack "$T/x"
}

@test "a manifest line with one space: structure" {
	manifest_line '1s/  / /'
	rule_refused structure manifest-sha512.txt "line 1 is not '<SHA-512 digest>  <path>': it does not separate digest and path by exactly two spaces"
}

@test "a manifest line with a tab or three spaces: structure" {
	manifest_line '1s/  /\t/; 2s/  /   /'
	rule_refused structure manifest-sha512.txt "line 1 is not"
	has_finding structure manifest-sha512.txt "line 2 is not '<SHA-512 digest>  <path>': it does not separate"
}

@test "a manifest with upper-case hex: structure" {
	manifest_line '1s/^\([0-9a-f]*\)/\U\1/'
	rule_refused structure manifest-sha512.txt "line 1 is not '<SHA-512 digest>  <path>': it does not start with a lower-case hex digest"
}

@test "a manifest with CR LF line ends: structure says so once, not every file missing" {
	manifest_line 's/$/\r/'
	rule_refused structure manifest-sha512.txt "has CR LF line ends; lines of the format end in LF alone"
	[[ "${lines[0]}" == *"copy.tar: FAILED, 1 finding" ]]
	no_layer completeness
}

@test "a manifest without its final LF: structure" {
	tamper_home
	unpack "$T/x"
	m="$T/x/$BAG/manifest-sha512.txt"
	printf '%s' "$(cat "$m")" >"$m.new" && mv "$m.new" "$m"
	retag "$T/x"
	reseal "$T/x"
	repack "$T/x"
	rule_refused structure manifest-sha512.txt "its last line does not end in LF"
}

# case_json JQ: metadata/case.json rewritten by JQ, re-tagged, re-sealed.
case_json() {
	tamper_home
	unpack "$T/x"
	m="$T/x/$BAG/metadata/case.json"
	jq --indent 2 -S "$1" "$m" >"$T/m.json" && mv "$T/m.json" "$m"
	retag "$T/x"
	reseal "$T/x"
	repack "$T/x"
}

@test "a wrong External-Identifier in bag-info.txt: metadata" {
	tamper_home
	unpack "$T/x"
	sed -i 's|^External-Identifier: .*|External-Identifier: 12-1/2023|' "$T/x/$BAG/bag-info.txt"
	retag "$T/x"
	reseal "$T/x"
	repack "$T/x"
	rule_refused metadata bag-info.txt "External-Identifier is '12-1/2023' but metadata/case.json says '12-1/2024'"
}

@test "a record whose series differs from the case file's: metadata" {
	case_json '.records[0].metadata.series = "12-2"'
	rule_refused metadata metadata/case.json "record '12-1/8909-1' gives series '12-2', not the case file's '12-1'"
}

@test "a restricted record's file listed under a public record: metadata" {
	# Which record a file belongs to decides who may have it.
	case_json '(.records[] | select(.dir == "12-1_8911-1") | .files) += [(.records[] | select(.dir == "12-1_8910-1") | .files[0])] |
	    (.records[] | select(.dir == "12-1_8910-1") | .files) |= .[1:]'
	# (The file is an internal-use record's: named by that record only.)
	rule_refused metadata "record 12-1/8910-1" "listed under record folder '12-1_8911-1' but not inside it"
}

@test "a record folder that does not exist: metadata names its files" {
	case_json '(.records[] | select(.dir == "12-1_8911-1") | .dir) = "12-1_9999-1"'
	rule_refused metadata data/12-1_8911-1/vastus.txt "listed under record folder '12-1_9999-1' but not inside it"
}

@test "a payload name in NFD (as a hand-made tar may have it): structure" {
	tamper_home
	unpack "$T/x"
	d="$T/x/$BAG/data/12-1_8910-1"
	nfd=$(printf 'o\xcc\x83iend.pdf')
	mv "$d/õiend.pdf" "$d/$nfd"
	( cd "$T/x/$BAG" && sed -i "s|õiend.pdf|$nfd|" manifest-sha512.txt manifest-sha256.txt )
	retag "$T/x"
	reseal "$T/x"
	# bsdtar would store the name in NFC; GNU tar's ustar keeps its bytes.
	tar --format=ustar --owner=0 --group=0 --numeric-owner -C "$T/x" -cf "$TAR" "$BAG"
	rule_refused structure "" "a member name not in Unicode NFC, which the writer never emits"
}

@test "a member name longer than tar can extract: structure" {
	tamper_home
	long=$(printf 'a%.0s' $(seq 200))
	p="$BAG/data/12-1_8911-1"
	for i in $(seq 21); do p="$p/$long"; done
	echo hi >"$T/c.txt"
	printf '#mtree\n%s type=file contents=%s\n' "$p/x.txt" "$T/c.txt" >"$T/m.mtree"
	unpack "$T/x"
	( cd "$T/x" && bsdtar --format=paxr --uid 0 --gid 0 --uname '' --gname '' \
	    -cf "$TAR" "$BAG" @"$T/m.mtree" )
	verify_bare
	[ "$status" -eq 1 ]
	has_finding structure "" "a member name of 4256 bytes, more than the 4095 tar can extract"
}

@test "a Payload-Oxum that overflows 64 bits is named as such, not shown as 18446744073709551615" {
	tamper_home
	unpack "$T/x"
	sed -i 's/^Payload-Oxum: .*/Payload-Oxum: 99999999999999999999999.4/' "$T/x/$BAG/bag-info.txt"
	retag "$T/x"
	reseal "$T/x"
	repack "$T/x"
	rule_refused oxum bag-info.txt "Payload-Oxum '99999999999999999999999.4' is not <bytes>.<files> in decimal digits that fit 64 bits"
	[[ "$output" != *18446744073709551615* ]]
}

@test "a seal without the profile's signing-certificate-v2 (re-sealed by plain openssl cms): seal" {
	tamper_home
	unpack "$T/x"
	openssl cms -sign -binary -outform DER -md sha256 \
	    -in "$T/x/$BAG/tagmanifest-sha512.txt" \
	    -signer "$ARHIIVAR_HOME/keys/seal.pem" -inkey "$ARHIIVAR_HOME/keys/seal.key" \
	    -out "$T/x/$BAG/signature/tagmanifest-sha512.txt.p7s"
	repack "$T/x"
	verify_bare
	[ "$status" -eq 1 ]
	has_finding seal signature/tagmanifest-sha512.txt.p7s "the seal has no signing-certificate-v2 signed attribute"
}
