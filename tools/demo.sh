#!/bin/sh
# make demo: the appliance's main job, end to end, on the bundled sample
# case file 12-1/2024, told in a records manager's words.
set -eu
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
export LC_ALL=C.UTF-8
W=$(mktemp -d "${TMPDIR:-/tmp}/arhiivar-demo.XXXXXX")
export ARHIIVAR_HOME="$W/home"
CASE="$W/case-12-1-2024"
step=0
say() { step=$((step + 1)); printf '\n%d. %s\n' "$step" "$*"; }
run() { printf '   $ %s\n' "$*"; "$@" 2>&1 | sed 's/^/     /'; }

printf 'Arhiivar demo — archiving case file 12-1/2024 (international judicial\n'
printf 'cooperation, correspondence in criminal matters) in %s\n' "$W"

say "Create an archive home: configuration, catalog, store, and a seal key with its certificate."
run "$BIN" init --organisation Justiitsministeerium

say "Load the file plan (dokumentide loetelu): one row per series, with its retention,
   archival value and access restriction. Each import is a version kept forever."
run "$BIN" fileplan import "$TOP/sample/fileplan.csv"
run "$BIN" fileplan show 12-1

say "Take the closed case file (records 12-1/8910-1, internal use, and 12-1/8911-1, public)
   and import register entry 12-1/8909-1 exactly as the public document register shows it."
cp -r "$TOP/sample/case-12-1-2024" "$CASE"
run "$BIN" register import -C "$CASE" "$TOP/sample/register-entry-12-1-8909-1.txt"
printf '   The case file now holds:\n'
(cd "$CASE" && find . -type f | sort | sed 's/^\.\//     /')

say "Start the appliance: the daemon arhiivard watches the inbox, runs scheduled transfers
   and fixity audits, and answers the control socket and the verification API."
DAEMON=$(dirname "$BIN")/arhiivard
PORT=$((20000 + $$ % 20000))
sed -i "s/^#listen = 127.0.0.1:8470/listen = 127.0.0.1:$PORT/" "$ARHIIVAR_HOME/arhiivar.conf"
# Staff reach the control socket through its group.
[ "$(id -u)" = 0 ] && sed -i 's/^#socket_group =/socket_group = nogroup/' "$ARHIIVAR_HOME/arhiivar.conf"
run "$DAEMON" -H "$ARHIIVAR_HOME" -t
"$DAEMON" -H "$ARHIIVAR_HOME" 2>"$W/arhiivard.log" &
DPID=$!
trap 'kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null' EXIT
i=0
until "$BIN" status >/dev/null 2>&1 || [ $? -eq 1 ]; do
	i=$((i + 1)); [ "$i" -gt 200 ] && { echo "the daemon did not start" >&2; cat "$W/arhiivard.log" >&2; exit 1; }
	sleep 0.05
done
printf '   arhiivard is running (pid %s), API on 127.0.0.1:%s\n' "$DPID" "$PORT"

say "Hand the closed case file to the appliance: it is copied into the inbox whole, then the
   daemon checks the series against the file plan, checks every file, fingerprints it twice
   (SHA-512 and SHA-256), packs it with its register metadata and retention decision into
   one archive file and seals it with the organisation's seal."
run "$BIN" submit "$CASE"
i=0
until [ -d "$ARHIIVAR_HOME/done/case-12-1-2024" ]; do
	i=$((i + 1)); [ "$i" -gt 400 ] && { echo "not archived" >&2; cat "$W/arhiivard.log" >&2; exit 1; }
	sleep 0.05
done
sed 's/^/     log: /' "$W/arhiivard.log"
set +e
run "$BIN" status
set -e

say "Which rule decides how long it is kept: the decision sealed into the archive."
run "$BIN" policy explain 12-1/2024

say "The catalog now lists the archive."
run "$BIN" list

say "Verify it: structure, every fingerprint, the seal, and agreement with the catalog."
run "$BIN" verify 12-1/2024

say "An auditor checks the same archive without Arhiivar, with stock tools only."
mkdir "$W/auditor"
tar -xf "$ARHIIVAR_HOME/store/12-1_2024.v1.tar" -C "$W/auditor"
(
	cd "$W/auditor/12-1_2024.v1"
	printf '   $ sha512sum -c manifest-sha512.txt\n'
	sha512sum -c manifest-sha512.txt | sed 's/^/     /'
	printf '   $ openssl cms -verify ... (the seal over tagmanifest-sha512.txt)\n'
	sha512sum -c --quiet tagmanifest-sha512.txt
	openssl cms -verify -binary -inform DER \
	    -in signature/tagmanifest-sha512.txt.p7s -content tagmanifest-sha512.txt \
	    -CAfile "$ARHIIVAR_HOME/keys/seal.pem" -purpose any -out /dev/null 2>&1 |
	    sed 's/^/     /'
)

say "Ask the verification API, as an auditor's script would (anonymous callers get the
   public view only)."
SHA=$(sha256sum "$CASE/12-1_8911-1/vastus.txt" | cut -d' ' -f1)
run curl -s "http://127.0.0.1:$PORT/v1/status"
printf '\n'
run curl -s "http://127.0.0.1:$PORT/v1/lookup?sha256=$SHA"
printf '\n'

say "What a member of the public may see: the internal-use record shows only its
   registration data and restriction — no title, correspondent or files."
run "$BIN" show --public 12-1/2024

say "Restore the public reply 12-1/8911-1 on request: read straight from its place in the
   archive and checked against the sealed fingerprint before it is handed over."
run "$BIN" restore -o "$W/vastus.txt" 12-1/2024 12-1_8911-1/vastus.txt
cmp "$W/vastus.txt" "$CASE/12-1_8911-1/vastus.txt" && printf '     identical to the original\n'

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	say "A member of staff who may not read the store restores through the daemon: it
   learns who asks from the kernel, checks the access policy and streams the file."
	chmod 711 "$W" "$ARHIIVAR_HOME"
	chmod 777 "$W"
	printf '   $ (as nobody) arhiivar restore -o %s 12-1/2024 12-1_8911-1/vastus.txt\n' "$W/staff.txt"
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    "$BIN" restore -o "$W/staff.txt" 12-1/2024 12-1_8911-1/vastus.txt 2>&1 | sed 's/^/     /'
	chmod 755 "$W"
fi

say "Ask for the internal-use record's file (õiend.pdf) without the right role: refused."
set +e
"$BIN" restore -o "$W/oiend.pdf" 12-1/2024 "12-1_8910-1/õiend.pdf" 2>&1 | sed 's/^/     /'
set -e
[ ! -e "$W/oiend.pdf" ] && printf '     nothing was written\n'

say "The records manager's role is granted in the configuration; now it is allowed."
printf '[roles]\nrecords-manager = user:%s\n' "$(id -un)" >>"$ARHIIVAR_HOME/arhiivar.conf"
run "$BIN" restore -o "$W/oiend.pdf" 12-1/2024 "12-1_8910-1/õiend.pdf"

say "A restriction may be extended once, within what its legal basis allows (AvTS § 35:
   5 + 5 years). One day too far is refused; the limit itself is accepted. The archive is
   not rewritten: the catalog records the decision."
set +e
run "$BIN" access extend 12-1/8910-1 --until 2034-12-21 --reason "kriminaalmenetlus kestab"
set -e
run "$BIN" access extend 12-1/8910-1 --until 2034-12-20 --reason "kriminaalmenetlus kestab"
run "$BIN" access review --days 4000

say "An older case file, 1-2/2020 (general correspondence, kept 5 years), whose retention
   ended on 2025-12-31. Its correspondent is a private person: the public sees initials."
run "$BIN" ingest "$TOP/sample/case-1-2-2020"
run "$BIN" show --public 1-2/2020
run "$BIN" disposition due

say "A hold (an information request is pending) keeps it from destruction."
run "$BIN" hold add 1-2/2020 --reason "teabenõue menetluses" --authority "kantselei"
set +e
run "$BIN" disposition propose
set -e
run "$BIN" hold release 1 --reason "teabenõue vastatud"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	# The approver is a second person: here the system user 'nobody'.
	printf 'approver = user:nobody\n' >>"$ARHIIVAR_HOME/arhiivar.conf"
	chmod 755 "$W" "$ARHIIVAR_HOME/store"
	chmod 777 "$ARHIIVAR_HOME"
	chmod 666 "$ARHIIVAR_HOME"/catalog.db*
	chmod 644 "$ARHIIVAR_HOME/arhiivar.conf"
	as_approver() {
		printf '   $ (as nobody) %s\n' "arhiivar $*"
		setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		    "$BIN" "$@" 2>&1 | sed 's/^/     /'
	}

	say "Destruction takes four steps and two people. 1: the records manager proposes a
   destruction list (its scope is frozen)."
	run "$BIN" disposition propose

	say "2: two different people approve it: the records manager, and an approver. The
   same person cannot approve twice."
	run "$BIN" disposition approve 1
	set +e
	run "$BIN" disposition approve 1
	set -e
	as_approver disposition approve 1

	say "3 and 4: execute. Holds and approvals are checked again in one transaction; the
   archive file is removed; a tombstone and the sealed destruction act remain."
	run "$BIN" disposition execute 1
	ls "$ARHIIVAR_HOME/store" | sed 's/^/     store: /'
	run "$BIN" disposition show 1
	"$BIN" disposition act 1 --html >"$W/havitamisakt.html"
	printf '     the printable act: %s\n' "$W/havitamisakt.html"
	run "$BIN" verify --all
else
	printf '\n   (Destruction needs two people; run the demo as root to see it with the\n'
	printf '   system user nobody as the second one.)\n'
fi

say "Every ingest, verification, restore, refusal, hold and disposition is in the audit trail."
run "$BIN" events

say "...and each event is a leaf of the tamper-evident log: a signed checkpoint, a proof
   that the archive's ingest is in it, checked with POSIX sh and openssl alone."
run "$BIN" log verify
run "$BIN" log checkpoint
run "$BIN" log prove 12-1_2024.v1 -o "$W/12-1_2024.v1.tlog-proof"
run sh "$TOP/tools/tlog-verify" --key "$("$BIN" log key)" "$W/12-1_2024.v1.tlog-proof"

say "Stop the appliance (SIGTERM: a transfer in progress would be abandoned cleanly and
   retried at the next start)."
kill -TERM "$DPID"
wait "$DPID" || true
trap - EXIT
tail -n 2 "$W/arhiivard.log" | sed 's/^/     log: /'

printf '\nDone. The archive is %s\n' "$ARHIIVAR_HOME/store/12-1_2024.v1.tar"
printf 'Everything is kept in %s for you to look at; remove it when done.\n' "$W"
