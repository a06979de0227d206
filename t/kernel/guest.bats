#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# What the uvnic-vm guest gives a suite beyond the modules: the kernel's
# own module loading (request_module, through /proc/sys/kernel/modprobe).
#
#   bin/uvnic-vm -- bats t/kernel/guest.bats

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	_common_setup
	require_guest
}

teardown() {
	ip link del gva 2>/dev/null || :
}

@test "the kernel loads veth itself: ip link add ... type veth, no modprobe first" {
	if [ -d /sys/module/veth ]; then
		# an earlier suite of this run loaded it: unload it if it is unused
		rmmod veth 2>/dev/null || skip "veth is loaded and in use"
	fi
	[ ! -d /sys/module/veth ]
	run -0 ip link add gva type veth peer name gvb
	[ -d /sys/module/veth ]
	run -0 ip -br link show gva
	assert_output --partial 'gva@gvb'
}
