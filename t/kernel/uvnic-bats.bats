#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The bats library for users' suites (contrib/bats/uvnic/load.bash,
# uvnic-bats(7)), run against the real modules in the guest: its kernel
# log marks, its device and model helpers, its counters, and a user's
# suite that loads it with bats_load_library.

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	guest_setup
	dev=ub$BATS_TEST_NUMBER
	klog_mark
}

teardown() {
	uvnic_teardown
}

@test "klog shows the kernel log after the mark, and only that" {
	echo "uvnic-bats test: before $dev" >/dev/kmsg
	klog_mark
	echo "uvnic-bats test: after $dev" >/dev/kmsg
	run -0 klog
	assert_output --partial "uvnic-bats test: after $dev"
	refute_output --partial "uvnic-bats test: before $dev"
	klog_has "uvnic-bats test: after $dev"
	run -1 klog_has "uvnic-bats test: before $dev"
	# An older mark still works.
	local first=$KLOG_MARK
	klog_mark
	run -0 klog "$first"
	assert_output --partial "uvnic-bats test: after $dev"
}

@test "klog says so when its mark is no longer in the log" {
	run -2 klog "uvnic-bats: mark that was never written"
	assert_output ''
	run -2 klog_problems "uvnic-bats: mark that was never written"
	UVNIC_VM_PROBLEM_RE=nothing-matches run -1 klog_assert_clean "uvnic-bats: mark that was never written"
	assert_output --partial 'lost the test'
}

@test "klog_assert_clean fails on a problem line after the mark, and shows it" {
	# A pattern of its own: a planted WARNING would fail uvnic-vm's run.
	local UVNIC_VM_PROBLEM_RE='uvnic-bats planted trouble'
	klog_assert_clean
	echo "uvnic-bats planted trouble in $dev" >/dev/kmsg
	run -1 klog_assert_clean
	assert_output --partial "uvnic-bats planted trouble in $dev"
	run -0 klog_problems
	assert_output --partial "uvnic-bats planted trouble in $dev"
	# From a mark after the line, the log is clean again.
	klog_mark
	klog_assert_clean
}

@test "a model started with uvnic_model_start has attached when it returns" {
	uvnic_device_create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --held
	run -1 uvnic_model_attached "$dev"
	uvnic_model_start "$dev" uvpci-echo-model "$dev"
	uvnic_model_attached "$dev"
	[ -n "$(uvnic_model_pid "$dev")" ]
	uvbus-ctl release "$dev"
	# The model, not a register file, answers: it counts the reads.
	uvpci-poke "$dev" 0:0x10=0x1234
	[ "$(uvpci-peek "$dev" 0:0x10)" = 0x00001234 ]
	local log
	log=$(uvnic_model_log "$dev")
	wait_for grep -qx "W 0 0x10 4 0x1234" "$log"
	uvnic_model_stop "$dev"
	[ "$(cat "/sys/bus/uvpci/devices/$dev/model")" = gone ]
	run -1 uvnic_model_pid "$dev"
}

@test "uvnic_model_start fails, with the model's words, when it ends before attaching" {
	uvnic_device_create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --held
	run -1 uvnic_model_start "$dev" uvpci-echo-model no-such-device
	assert_output --partial 'ended (status 1) before it attached'
	assert_output --partial 'no-such-device'
}

@test "uvnic_teardown stops the models and destroys the devices a test made" {
	uvnic_device_create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --held
	uvnic_device_create "${dev}b" --vendor 0x5556 --device 0x0001 --bar 0:4096 --held
	uvnic_model_start "$dev" uvpci-echo-model "$dev"
	local pid
	pid=$(uvnic_model_pid "$dev")
	uvnic_teardown
	run -1 kill -0 "$pid"
	[ ! -e "/sys/bus/uvpci/devices/$dev" ]
	[ ! -e "/sys/bus/uvpci/devices/${dev}b" ]
	run -0 uvbus-ctl list
	refute_output --partial "$dev"
}

@test "netdev_stat and ethtool_stat read a driver's counters" {
	modprobe veth
	ip link add "$dev" type veth peer name "${dev}p"
	ip link set "$dev" up
	ip link set "${dev}p" up
	[ "$(netdev_stat "$dev" tx_packets)" -ge 0 ]
	run -0 ethtool_stat "$dev" peer_ifindex
	[ "$output" = "$(cat "/sys/class/net/${dev}p/ifindex")" ]
	run -1 ethtool_stat "$dev" no_such_counter
	run -1 netdev_stat "$dev" no_such_counter
	ip link del "$dev"
}

@test "wait_true re-evaluates its condition; wait_until gives up after its deadline" {
	local f=$BATS_TEST_TMPDIR/later
	{ nap 0.3; echo 2 >"$f"; } &
	echo 1 >"$f"
	wait_true '[ "$(cat "$f")" = 2 ]'
	wait
	run -1 wait_until false 1
	UVNIC_WAIT_SECONDS=1 run -1 wait_for false
	assert_output --partial 'timed out after 1 s waiting for: false'
}

@test "a user's suite loads the library with bats_load_library" {
	local d=$BATS_TEST_TMPDIR/user
	mkdir -p "$d"
	printf '%s\n' \
		'setup() { bats_load_library bats-support; bats_load_library bats-assert; bats_load_library uvnic; klog_mark; }' \
		'teardown() { uvnic_teardown; klog_assert_clean; }' \
		'@test "user: a held device, its model, a register" {' \
		"	uvnic_device_create ${dev}u --vendor 0x5556 --device 0x0001 --bar 0:4096 --held" \
		"	uvnic_model_start ${dev}u uvpci-echo-model ${dev}u" \
		"	uvbus-ctl release ${dev}u" \
		"	uvpci-poke ${dev}u 0:0x20=7" \
		"	[ \"\$(uvpci-peek ${dev}u 0:0x20)\" = 0x00000007 ]" \
		'}' >"$d/user.bats"
	run env -i PATH="${PATH//"$BATS_LIBEXEC:"/}" UVNIC_VM_PROBLEM_RE="$UVNIC_VM_PROBLEM_RE" \
		BATS_LIB_PATH="$UVNIC_TOP/contrib/bats:/usr/lib/bats" bats "$d/user.bats"
	assert_success
	assert_output --partial 'ok 1 user: a held device, its model, a register'
	[ ! -e "/sys/bus/uvpci/devices/${dev}u" ]
}
