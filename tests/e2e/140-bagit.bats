#!/usr/bin/env bats
# An independent BagIt validator accepts the extracted bag, and rejects it
# once it is tampered with (so the check can fail).  bagit-tools comes from
# the npm registry; without node/npm the test is skipped, saying why.
load helpers

setup_file() {
	v="$ARH_TOP/tests/bagit"
	if command -v npm >/dev/null && [ ! -d "$v/node_modules/bagit-tools" ]; then
		(cd "$v" && npm ci --no-audit --no-fund >/dev/null 2>&1) || true
	fi
}

validator() {
	command -v node >/dev/null || skip "node is not installed"
	[ -d "$ARH_TOP/tests/bagit/node_modules/bagit-tools" ] ||
		skip "bagit-tools could not be installed from the npm registry"
	node "$ARH_TOP/tests/bagit/validate.js" "$@"
}

@test "bagit-tools validates the extracted bag as BagIt 1.0; Payload-Oxum agrees" {
	ingested_home
	mkdir "$T/x"
	tar -xf "$TAR" -C "$T/x"
	run validator "$T/x/12-1_2024.v1"
	[ "$status" -eq 0 ]
	[[ "$output" == *"valid BagIt 1.0 bag"* ]]
	oxum=$(sed -n 's/^Payload-Oxum: //p' "$T/x/12-1_2024.v1/bag-info.txt")
	bytes=$(find "$T/x/12-1_2024.v1/data" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
	count=$(find "$T/x/12-1_2024.v1/data" -type f | wc -l)
	[ "$oxum" = "$bytes.$count" ]
}

@test "bagit-tools rejects the bag after a payload byte changes" {
	ingested_home
	mkdir "$T/x"
	tar -xf "$TAR" -C "$T/x"
	printf 'X' | dd of="$T/x/12-1_2024.v1/data/12-1_8911-1/vastus.txt" bs=1 seek=3 conv=notrunc 2>/dev/null
	run validator "$T/x/12-1_2024.v1"
	[ "$status" -eq 1 ]
	[[ "$output" == *"INVALID"* ]]
}
