#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# uvbus.ko's raw /dev/uvbus ABI, one t/helpers/uvbus-abi subcommand per
# test. Runs as root inside the uvnic-vm guest (make check-kernel, or
# bin/uvnic-vm -- bats t/kernel/uvbus-abi.bats); skips anywhere else.

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	_common_setup
	require_guest
	[ -x "$UVNIC_TOP/t/helpers/uvbus-abi" ] ||
		fail "t/helpers/uvbus-abi is not built: make t/helpers/uvbus-abi"
	uvbus_loaded
	chan="abi$BATS_TEST_NUMBER"
}

teardown() {
	# An rmmod test that failed half-way must not leave the modules out.
	[ -e /dev/uvbus ] || insmod "$UVNIC_TOP/kernel/uvbus.ko" || true
	reload_dependents
	echo 256 > /sys/module/uvbus/parameters/max_channels || true
	[ -n "${chan:-}" ] || return 0
	uvbus-abi destroy "$chan" 2>/dev/null || true
	uvbus-abi destroy "${chan}b" 2>/dev/null || true
}

# uvnic-vm loads uvbus.ko; the rmmod tests unload and reload it.
uvbus_loaded() {
	[ -e /dev/uvbus ] || insmod "$UVNIC_TOP/kernel/uvbus.ko"
	[ -e /dev/uvbus ]
}

# rmmod uvbus needs the modules that use it (uvpci.ko) gone first.
unload_dependents() {
	uvpci_was_loaded=
	if [ -d /sys/module/uvpci ]; then
		uvpci_was_loaded=1
		rmmod uvpci
	fi
}

reload_dependents() {
	if [ -n "${uvpci_was_loaded:-}" ] && [ ! -d /sys/module/uvpci ]; then
		load_uvpci
	fi
}

# Kernel log lines from uvbus that name channel $1.
uvbus_log_lines() {
	dmesg | grep 'uvbus:' | grep -cw -- "$1" || true
}

@test "VERSION reports the ABI, message size and ring limit" {
	run uvbus-abi version
	assert_success
}

@test "/dev/uvbus is root-only and debugfs has the summary file" {
	run stat -c '%a %U' /dev/uvbus
	assert_output '600 root'
	[ -r /sys/kernel/debug/uvbus/channels ]
}

@test "create, info, list, destroy a loopback channel" {
	uvbus-abi create "$chan"
	run uvbus-abi info "$chan"
	assert_success
	assert_line "name=$chan"
	assert_line 'type=1'
	assert_line 'state=0'
	assert_line 'ports=0'
	run uvbus-abi list
	assert_line "$chan"
	run grep -w "^$chan" /sys/kernel/debug/uvbus/channels
	assert_output --partial "$chan loopback ok 0"
	uvbus-abi destroy "$chan"
	run uvbus-abi info "$chan"
	assert_failure
	assert_output --partial ENOENT
	[ ! -e "/sys/kernel/debug/uvbus/$chan" ]
	run uvbus-abi destroy "$chan"
	assert_failure
	assert_output --partial ENOENT
}

@test "loopback: one message at a time, in order, byte for byte" {
	uvbus-abi create "$chan"
	run uvbus-abi loopback "$chan" 5000 1
	assert_success
}

@test "loopback: batches of 64, many messages" {
	uvbus-abi create "$chan"
	run uvbus-abi loopback "$chan" 100000 64
	assert_success
}

@test "loopback: batches larger than tiny rings (k2u full, held back, resumed)" {
	uvbus-abi create "$chan"
	run uvbus-abi loopback "$chan" 5000 7 2
	assert_success
	run uvbus-abi loopback "$chan" 5000 300 16
	assert_success
	run uvbus-abi info "$chan"
	refute_line 'k2u_full=0'
}

@test "several ports on one channel each get only their own echoes" {
	uvbus-abi create "$chan"
	run uvbus-abi ports "$chan"
	assert_success
}

@test "loopback: a full k2u ring holds one message back and loses nothing" {
	uvbus-abi create "$chan"
	run uvbus-abi stall "$chan"
	assert_success
}

@test "signals: echo, poll and read wake-ups, O_NONBLOCK, EINTR" {
	uvbus-abi create "$chan"
	run uvbus-abi signal "$chan"
	assert_success
}

@test "bad ioctls fail with their documented errno" {
	run uvbus-abi bad-ioctl
	assert_success
}

@test "bad mmaps: before ATTACH, wrong size, wrong offset, private, exec" {
	uvbus-abi create "$chan"
	run uvbus-abi bad-mmap "$chan"
	assert_success
}

@test "bad reads and writes: sizes 0/1/4/7/9/16, reserved bits, unattached" {
	uvbus-abi create "$chan"
	run uvbus-abi bad-write "$chan"
	assert_success
}

@test "CREATE, DESTROY and RESET need CAP_SYS_ADMIN; ATTACH and INFO do not" {
	uvbus-abi create "$chan"
	run uvbus-abi noperm "$chan"
	assert_success
}

@test "max_channels limits CREATE with ENOSPC" {
	local param=/sys/module/uvbus/parameters/max_channels n
	n=$(uvbus-abi list | wc -l)
	echo $((n + 1)) > "$param"
	run uvbus-abi create "$chan"
	assert_success
	run uvbus-abi create "${chan}b"
	echo 256 > "$param"
	assert_failure
	assert_output --partial ENOSPC
}

@test "EPHEMERAL channels go with their creator's descriptor" {
	run uvbus-abi ephemeral
	assert_success
}

@test "DESTROY under an attached port: POLLHUP, EOF, ENODEV, rings still mapped" {
	run uvbus-abi hup
	assert_success
}

@test "many channels at once, each round-trips" {
	run uvbus-abi many 200
	assert_success
}

@test "concurrent doorbells, pollers and a destroy under load" {
	run uvbus-abi stress 20000
	assert_success
}

@test "debugfs shows the port's private and shared ring indices" {
	uvbus-abi create "$chan"
	run uvbus-abi show "$chan"
	assert_success
	assert_line 'state:       ok'
	assert_line 'ports:       1'
	assert_line --regexp '^port [0-9]+: flags 0x0, mmap_size 12288, pending 0x1$'
	assert_line '  k2u: kernel tail 4, shared head 3 tail 4 flags 0x0, 16 entries'
	assert_line '  u2k: kernel head 4, shared head 4 tail 4 flags 0x0, 16 entries'
	assert_line --partial 'loopback:    echoed 4'
}

scribble() {
	local how=$1
	uvbus-abi create "$chan"
	uvbus-abi create "${chan}b"
	run uvbus-abi scribble "$chan" "$how"
	assert_success
	# Exactly one kernel log line for the channel, and it says why.
	run uvbus_log_lines "$chan"
	assert_output 1
	run dmesg
	assert_output --regexp "uvbus: channel $chan broken: "
	run uvbus-abi info "$chan"
	assert_line 'state=1'
	run grep -w "^$chan" /sys/kernel/debug/uvbus/channels
	assert_output --partial "$chan loopback broken"
	# Other channels are unaffected; the broken one still goes away cleanly.
	run uvbus-abi loopback "${chan}b" 1000 8
	assert_success
	uvbus-abi destroy "$chan"
	run uvbus_log_lines "$chan"
	assert_output 1
}

@test "scribbled u2k tail: one log line, channel BROKEN, others fine" {
	scribble u2k-tail
}

@test "scribbled k2u head: one log line, channel BROKEN, others fine" {
	scribble k2u-head
}

@test "scribbled message header: one log line, channel BROKEN, others fine" {
	scribble msg
}

@test "hostile payload length: one log line, channel BROKEN, others fine" {
	scribble len
}

@test "old userspace (ABI 1 ring code, whole slots) round-trips unchanged" {
	uvbus-abi create "$chan"
	run uvbus-abi loopback-v1 "$chan" 3000 1
	assert_success
	run uvbus-abi loopback-v1 "$chan" 20000 64
	assert_success
}

@test "40 channels broken in a row: every break logged, one line each" {
	run uvbus-abi break-many 40
	assert_success
	local prefix=$output i
	# Each channel has its own rate limit: the others' breaks hide none.
	run bash -c "dmesg | grep -c 'uvbus: channel $prefix[0-9]* broken: u2k ring of port 1: tail '"
	assert_output 40
	for i in 0 1 38 39; do
		run uvbus_log_lines "$prefix$i"
		assert_output 1
	done
}

@test "rmmod with channels destroys them; insmod again works" {
	uvbus-abi create "$chan"
	uvbus-abi create "${chan}b"
	unload_dependents
	run rmmod uvbus
	assert_success
	[ ! -e /dev/uvbus ]
	[ ! -e /sys/kernel/debug/uvbus ]
	run insmod "$UVNIC_TOP/kernel/uvbus.ko"
	assert_success
	reload_dependents
	run uvbus-abi info "$chan"
	assert_failure
	assert_output --partial ENOENT
	uvbus-abi create "$chan"
	run uvbus-abi loopback "$chan" 100 4
	assert_success
}

@test "rmmod while /dev/uvbus is open is refused, then works after close" {
	unload_dependents
	run uvbus-abi rmmod-busy
	assert_success
	local fd
	exec {fd}<>/dev/uvbus
	run rmmod uvbus
	exec {fd}>&-
	assert_failure
	assert_output --partial 'in use'
	run rmmod uvbus
	assert_success
	run insmod "$UVNIC_TOP/kernel/uvbus.ko"
	assert_success
	reload_dependents
	run uvbus-abi version
	assert_success
}
