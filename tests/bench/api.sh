#!/bin/sh
# Benchmark the verification API with wrk: GET /v1/archives/{id} and
# GET /v1/lookup?sha256= (and a page of GET /v1/archives/{id}/files)
# against a catalog of 1,000 archives and 1,000,000
# files, inserted straight into catalog.db with sqlite3 (a real ingest of
# that much would take hours; the API only reads the rows).  Targets:
# >= 20,000 requests/s and p99 < 5 ms with 200 connections on 2 cores.
# usage: tests/bench/api.sh BUILD_DIR	(BENCH=api make bench)
# env:   API_ARCHIVES (1000), API_FILES_PER (1000), API_SECONDS (10)
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
case $build in /*) ;; *) build=$top/$build ;; esac
narch=${API_ARCHIVES:-1000}
nper=${API_FILES_PER:-1000}
secs=${API_SECONDS:-10}
W=$(mktemp -d "${TMPDIR:-/tmp}/arhiivar-bench-api.XXXXXX")
H=$W/home
pid=
cleanup() {

	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { printf '# %s\n' "$*"; }
for t in wrk sqlite3 curl; do
	command -v $t >/dev/null 2>&1 || { echo "bench: missing $t" >&2; exit 1; }
done
"$build/arhiivar" -H "$H" init --organisation Bench >/dev/null || exit 1
say "catalog: $narch archives x $nper files"
# Every archive: one public record (50 files a record would do as well:
# the API reads by index either way).  Digests are sha256/sha512 of a
# counter, computed by SQLite's own printf so no external tool is needed:
# hex of the counter padded to 64/128 digits.
sqlite3 "$H/catalog.db" <<SQL || exit 1
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $narch)
INSERT INTO archives (name, case_ref, series, version, previous, path, size,
    sha256, signer, signer_cert_sha256, created, nrecords, nfiles)
SELECT printf('12-1_%04d.v1', i), printf('12-1/%04d', i), '12-1', 1, NULL,
    printf('12-1_%04d.v1.tar', i), 1000000, printf('%064x', i), 'CN=Bench',
    printf('%064x', 0), '2024-12-31T00:00:00Z', 1, $nper FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $narch)
INSERT INTO records (archive, reference, dir, registered, type, access,
    metadata)
SELECT printf('12-1_%04d.v1', i), printf('12-1/%d-1', i), printf('12-1_%d-1', i),
    '2024-01-02', 'Kiri', 'public',
    json_object('reference', printf('12-1/%d-1', i), 'registered',
    '2024-01-02', 'type', 'Kiri', 'title', 'Bench record', 'access',
    json_object('level', 'public')) FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $narch * $nper - 1)
INSERT INTO files (archive, path, record, size, sha512, sha256, mime, charset,
    header_offset, data_offset)
SELECT printf('12-1_%04d.v1', i / $nper + 1), printf('data/12-1_%d-1/f%06d.txt',
    i / $nper + 1, i % $nper), printf('12-1/%d-1', i / $nper + 1), 1000,
    printf('%0128x', i), printf('%064x', i), 'text/plain', 'utf-8',
    512 * (i % $nper), 512 * (i % $nper) + 512 FROM n;
INSERT INTO audits (archive, verified_at, result)
    SELECT name, '', 'pending' FROM archives;
COMMIT;
ANALYZE;
SQL
say "files: $(sqlite3 "$H/catalog.db" 'select count(*) from files')"
port=$((20000 + $$ % 20000))
# No audits while measuring: they would fail (no archive files) and
# compete for the cores.
# The [api] defaults (threads = 4) but for the connection limit: 200 and
# their reconnections must all be served.
printf "[audit]\ndays = 0\n[api]\nlisten = 127.0.0.1:%s\nconnections = 1024\n" \
    "$port" >>"$H/arhiivar.conf"
"$build/arhiivard" -H "$H" >"$W/daemon.log" 2>&1 &
pid=$!
i=0
until curl -sf -o /dev/null "http://127.0.0.1:$port/v1/status"; do
	i=$((i + 1))
	[ $i -gt 200 ] && { cat "$W/daemon.log"; echo "bench: no API" >&2; exit 1; }
	sleep 0.05
done
say "cores: $(nproc); wrk -c 200 -t 2 -d ${secs}s --latency"
mid=$((narch / 2))
run() {	# run LABEL URL
	say "$1: $2"
	wrk -c 200 -t 2 -d "${secs}s" --latency "$2" >"$W/wrk.out" 2>&1
	awk '/Requests\/sec/ { print "  req/s " $2 }
	    /^ +99%/ { print "  p99   " $2 }
	    /Non-2xx|Socket errors/ { print "  " $0 }' "$W/wrk.out"
}
run archive "http://127.0.0.1:$port/v1/archives/$(printf '12-1_%04d.v1' $mid)"
run lookup "http://127.0.0.1:$port/v1/lookup?sha256=$(printf '%064x' $((mid * nper + 7)))"
# A page of the archive's file list (the default 100 of its files).
run files "http://127.0.0.1:$port/v1/archives/$(printf '12-1_%04d.v1' $mid)/files?after=$(printf 'data/12-1_%d-1/f%06d.txt' $mid $((nper / 2)))"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^arhiivar_(api_|archives |files )'
exit 0
