#!/usr/bin/env bats
# What ingest records as `mime` and `charset` is what libmagic with all its
# checks says of each file's first 64 KiB (docs/FORMAT.md, section 5): the
# mixed corpus of tools/bench-corpus.c (PDFs, JPEG scans, e-mails, plain
# text, XML, zips) ingested by the real binary, against file(1) — the same
# libmagic, run on its own, compressed data left alone as ingest leaves it.
load helpers

@test "ingest identifies the mixed corpus exactly as file(1) does" {
	cc -std=c11 -O2 -o "$T/bench-corpus" "$ARH_TOP/tools/bench-corpus.c" -lm
	"$T/bench-corpus" --mixed --seed 1 --files 400 --bytes 20000000 \
	    "$T/corpus" >/dev/null
	arh init >/dev/null
	arh ingest "$T/corpus" >/dev/null
	tar -xOf "$ARHIIVAR_HOME/store/12-1_2024.v1.tar" \
	    12-1_2024.v1/metadata/case.json >"$T/case.json"
	jq -r '.records[].files[] | .path' "$T/case.json" |
	    sed "s#^data/#$T/corpus/#" >"$T/paths"
	jq -r '.records[].files[] | "\(.mime); charset=\(.charset)"' \
	    "$T/case.json" >"$T/recorded"
	file -b --mime -e compress -P bytes=65536 -f "$T/paths" >"$T/libmagic"
	# Every file of the corpus, and every kind of it, was compared.
	[ "$(wc -l <"$T/paths")" -ge 390 ]
	for t in application/pdf image/jpeg message/rfc822 text/plain \
	    text/xml application/zip; do
		grep -q "^$t; " "$T/recorded"
	done
	diff "$T/libmagic" "$T/recorded"
}
