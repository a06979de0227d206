#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The issue's "done when": the .debs built, installed with apt on a clean
# Debian bookworm chroot, a user's out-of-tree uvPCI driver built with the
# three-line Makefile against the installed kit, the user's suite (the
# installed bats library) run through the installed uvnic-vm on the
# DKMS-built modules: t/debs-check, which takes those steps from
# contrib/ci/github-actions.yml. Minutes (a first run debootstraps and
# downloads; later ones use /var/cache/uvnic-test), root: only with
# UVNIC_CHECK_DEBS=1, as make check-debs sets it. UVNIC_GUEST_LOCK names
# a lock file to hold while its guest runs.

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	_common_setup
	[ -n "${UVNIC_CHECK_DEBS:-}" ] || skip "minutes, as root: make check-debs (UVNIC_CHECK_DEBS=1)"
	[ "$(id -u)" = 0 ] || skip "needs root (chroot)"
}

@test "the .debs on a clean bookworm: DKMS modules, a user's driver and its suite through the installed uvnic-vm" {
	run "$UVNIC_TOP/t/debs-check"
	[ "$status" -ne 77 ] || skip "$output"
	[ "$status" -eq 0 ] || fail "t/debs-check failed (exit $status): $output"
	# each of the example's steps, then the user's suite in the guest
	assert_line --regexp '^debs-check: step 1 passed'
	assert_line --regexp '^debs-check: step 4 passed'
	assert_line 'ok 1 mydrv binds a device of its ID and reads the vendor from config space'
	assert_line 'ok 2 mydrv lets go of a device when it is destroyed'
	assert_line 'ok 3 a device of another ID stays unbound'
	assert_line 'debs-check: ok: dkms built and installed uvnic/'"$(sed -n 's/^VERSION *:= *//p' "$UVNIC_TOP/Makefile")"' for '"$(uvnic-vm --print-kver)"
	assert_line 'debs-check: ok: the guest loaded the DKMS-built modules and mydrv.ko'
	refute_line --partial 'debs-check: FAILED'
	assert_line 'debs-check: passed'
}
