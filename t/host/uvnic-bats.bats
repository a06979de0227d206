#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The bats library for users' suites, as installed: make install-bats puts
# it where bats_load_library finds it, and its waits work with or without
# bats-support. (t/kernel/uvnic-bats.bats tests it against the modules.)

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	_common_setup
}

# run_user_suite LIBPATH: run $BATS_TEST_TMPDIR/user.bats in a bats of
# its own, with BATS_LIB_PATH=LIBPATH.
run_user_suite() {
	run env -i PATH="${PATH//"$BATS_LIBEXEC:"/}" BATS_LIB_PATH="$1" \
		bats "$BATS_TEST_TMPDIR/user.bats"
}

@test "make install-bats puts the library where bats_load_library finds it" {
	local root=$BATS_TEST_TMPDIR/root
	run -0 make -s -C "$UVNIC_TOP" install-bats DESTDIR="$root" PREFIX=/usr
	[ -f "$root/usr/lib/bats/uvnic/load.bash" ]
	cmp "$UVNIC_TOP/contrib/bats/uvnic/load.bash" "$root/usr/lib/bats/uvnic/load.bash"
	printf '%s\n' \
		'setup() { bats_load_library uvnic; }' \
		'@test "waits" {' \
		'	f=$BATS_TEST_TMPDIR/f; echo 1 >"$f"' \
		'	{ nap 0.2; echo 2 >"$f"; } &' \
		'	wait_true '\''[ "$(cat "$f")" = 2 ]'\''' \
		'	t0=$(now_ms); nap 0.1; [ $(($(now_ms) - t0)) -ge 100 ]' \
		'}' \
		'@test "a wait that never holds fails without bats-support" {' \
		'	UVNIC_WAIT_SECONDS=1 wait_for false' \
		'}' >"$BATS_TEST_TMPDIR/user.bats"
	run_user_suite "$root/usr/lib/bats"
	assert_failure
	assert_line 'ok 1 waits'
	assert_line 'not ok 2 a wait that never holds fails without bats-support'
	assert_line --partial 'timed out after 1 s waiting for: false'
}

@test "a suite that cannot find the library fails to load, it does not pass" {
	printf '%s\n' 'setup() { bats_load_library uvnic; }' '@test "t" { true; }' \
		>"$BATS_TEST_TMPDIR/user.bats"
	run_user_suite "$BATS_TEST_TMPDIR/nowhere"
	assert_failure
	refute_line 'ok 1 t'
}

@test "uvnic-bats(7) renders without warnings" {
	run -0 groff -man -ww -z "$UVNIC_TOP/man/uvnic-bats.7"
	assert_output ''
	run -0 bash -c "groff -man -Tascii -P-cbou '$UVNIC_TOP/man/uvnic-bats.7' | grep -c 'bats_load_library uvnic'"
}
