#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The suites themselves, read as text by t/lint-suites: the mistakes that
# make a test pass or fail on the machine's speed, or hide it, rather than
# on what it tests.

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	_common_setup
}

@test "t/lint-suites finds nothing in the tree's suites" {
	run "$UVNIC_TOP/t/lint-suites"
	assert_success
	assert_output ''
}

@test "t/lint-suites finds each planted mistake, and only those" {
	local d=$BATS_TEST_TMPDIR/kernel
	mkdir "$d"
	# (the words are put together here, so that this file stays clean)
	local w=wait_for k=skip z=sleep
	printf '%s\n' 'setup_file() {' "	command -v x || $k \"no x\"" \
		"	# $k in a comment is fine" '}' '' "@test \"t\" {" \
		"	$w test \"\$(cat x)\" = 1" "	$w grep -q y z" "	$w is_n \$((n + 1))" \
		"	wait_until '[ \"\$(cat x)\" = 1 ]'" "	$z 1" '	nap 1' \
		"	# $z 1 in a comment" '}' >"$d/planted.bats"
	run "$UVNIC_TOP/t/lint-suites" "$d/planted.bats"
	assert_failure 1
	assert_line --index 0 "$d/planted.bats:2: skip in setup_file: 	command -v x || skip \"no x\""
	assert_line --index 1 --partial "$d/planted.bats:7: wait_for expands its arguments once"
	assert_line --index 2 --partial "$d/planted.bats:11: sleep in a kernel suite"
	[ "${#lines[@]}" = 3 ]
}
