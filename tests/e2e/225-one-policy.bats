#!/usr/bin/env bats
# policy/ owns every decision about access, roles and disposition: the
# tree is read to check that no other code takes one itself.
load helpers

# Lines of C outside policy/ (and its public header) that match PATTERN.
outside_policy() {
	grep -rnE "$1" "$ARH_TOP/archiver" "$ARH_TOP/common" \
	    "$ARH_TOP/tools" "$ARH_TOP/include" --include='*.c' \
	    --include='*.h' | grep -v "include/arhiivar/policy.h:" || true
}

@test "one policy: no file outside policy/ calls the access decision" {
	# The check can fail: policy/ itself does call it.
	grep -q 'arh_access_decide(' "$ARH_TOP/policy/view.c"
	found=$(outside_policy 'arh_access_decide[[:space:]]*\(')
	[ -z "$found" ] || { echo "$found"; false; }
}

@test "one policy: record views come from the one projection" {
	grep -q 'arh_public_view(' "$ARH_TOP/policy/view.c"
	found=$(outside_policy 'arh_(public|person)_view[[:space:]]*\(')
	[ -z "$found" ] || { echo "$found"; false; }
}

@test "one policy: role checks ask the role table, through one gate" {
	grep -q 'arh_role_decide(' "$ARH_TOP/archiver/caller.c"
	found=$(outside_policy 'arh_identity_has_role[[:space:]]*\(|arh_role_(permits|decide)[[:space:]]*\(' |
	    grep -v 'archiver/caller.c:.*arh_role_decide(' || true)
	[ -z "$found" ] || { echo "$found"; false; }
	# Every operation that needs a role goes through arh_authorize().
	for f in holds.c access_extend.c destruction.c; do
		grep -q 'arh_authorize(' "$ARH_TOP/archiver/$f"
	done
}
