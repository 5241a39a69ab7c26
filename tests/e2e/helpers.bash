# Shared set-up for the end-to-end tests: a fresh temp dir per test, kept
# when the test fails (its path is printed), a home, and the sample case.
# Every command under test is the real binary: $ARH_BIN (tests/run.sh sets
# it; run by hand: ARH_BIN=build/arhiivar bats tests/e2e).

: "${ARH_TOP:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
: "${ARH_BIN:=$ARH_TOP/build/arhiivar}"
export LC_ALL=C.UTF-8

setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/arhiivar-e2e.XXXXXX")
	export ARHIIVAR_HOME="$T/home"
	CASE="$T/case"
	cp -r "$ARH_TOP/sample/case-12-1-2024" "$CASE"
}

teardown() {
	if [ -n "${BATS_TEST_COMPLETED:-}" ]; then
		chmod -R u+rwX "$T" 2>/dev/null
		rm -rf "$T"
	else
		echo "# kept $T" >&3
	fi
}

# arh ARGS: the CLI (under valgrind when ARH_WRAP is set).
arh() {
	${ARH_WRAP:-} "$ARH_BIN" "$@"
}

# A home with the sample case file ingested (register entry imported).
ingested_home() {
	arh init --organisation Justiitsministeerium >/dev/null
	arh register import -C "$CASE" "$ARH_TOP/sample/register-entry-12-1-8909-1.txt" >/dev/null
	arh ingest "$CASE" >/dev/null
	TAR="$ARHIIVAR_HOME/store/12-1_2024.v1.tar"
}

# Grant the caller (root in CI) the records-manager role.
entitle_caller() {
	printf '[roles]\nrecords-manager = user:%s\n' "$(id -un)" >>"$ARHIIVAR_HOME/arhiivar.conf"
}

# A snapshot of the store and the catalog's archive rows, to assert that a
# failed command changed nothing.
state() {
	( ls -la "$ARHIIVAR_HOME/store" 2>/dev/null | awk '{print $5, $9}'
	  sqlite3 "$ARHIIVAR_HOME/catalog.db" 'select name, sha256 from archives order by name' 2>/dev/null )
}
