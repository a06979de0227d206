#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Register maps as data, through the real uvpci.ko, as root in the
# uvnic-vm guest: the model uvregmap(1) generates from
# t/helpers/uvregmap-test.regmap (t/helpers/uvregmap-skel-model, built by
# the Makefile, no line of it written by hand) serves a uvPCI device, and
# the host's uvpci-peek and uvpci-poke see hardware: RO ignores writes,
# W1C clears the bits written 1, RC clears on read, WO reads 0, reserved
# bits stay 0, a 64-bit register takes two halves. Then its coverage
# counts say which registers and fields those accesses touched; and
# uvnic-bridge --coverage says which uvNIC registers uvnic.ko touched.
# Devices are named rm*, the veth pair rmw/rmp; teardown removes them.
#
#   bin/uvnic-vm -- bats t/kernel/uvregmap.bats

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	guest_setup uvregmap-skel-model
	dev="rm$BATS_TEST_NUMBER"
	TMAP=$UVNIC_TOP/t/helpers/uvregmap-test.regmap
	COV=$BATS_TEST_TMPDIR/counts
	model_pid=
	klog_mark
	# No driver binds to this vendor:device; a model answers every read.
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0f00 --bar 0:4096 --bar 2:256 \
		--timeout-us 2000000
}

teardown() {
	if [ -n "$model_pid" ]; then
		kill -9 "$model_pid" 2>/dev/null || true
		wait "$model_pid" 2>/dev/null || true
	fi
	[ -d /sys/module/uvnic ] && rmmod uvnic
	uvbus-ctl destroy "$dev" 2>/dev/null || true
	uvbus-ctl destroy rmnic 2>/dev/null || true
	ip link del rmw 2>/dev/null || true
	return 0
}

# start_model [--set REG=VALUE]...: the skeleton model on $dev; returns
# once it is attached.
start_model() {
	local ready=$BATS_TEST_TMPDIR/ready
	rm -f "$ready"
	uvregmap-skel-model "$dev" --ready "$ready" --coverage "$COV" "$@" \
		>"$BATS_TEST_TMPDIR/model.log" 2>&1 3>&- &
	model_pid=$!
	wait_for test -e "$ready"
}

# stop_model: SIGTERM, and the model's exit status 0 (it wrote $COV).
stop_model() {
	local rc=0
	kill -TERM "$model_pid"
	wait "$model_pid" || rc=$?
	model_pid=
	[ "$rc" = 0 ] || fail "the model exited $rc: $(cat "$BATS_TEST_TMPDIR/model.log")"
	[ -s "$COV" ] || fail "no coverage file; model log: $(cat "$BATS_TEST_TMPDIR/model.log")"
}

@test "a generated model: RO, RW and reset values, W1C, RC, WO and reserved bits behave as hardware" {
	start_model --set ISR=0x7 --set EVENTS=0x5
	# Reset values; the device's --set values; WO reads 0.
	run -0 uvpci-peek "$dev" 0:0 0:4 0:0xc 0:0x14 0:0x14 0:0x18 2:0x10.w
	assert_output "$(printf '%s\n' 0x524d5431 0x00005a5a 0x00000007 0x00000005 0x00000000 0x00000000 0x1234)"

	# RO ignores a write; RW takes it; W1C clears the bits written 1 only;
	# RC ignores writes; WO keeps nothing readable.
	run -0 uvpci-poke "$dev" 0:0=0xffffffff 0:4=0x1234 0:0xc=0x1 0:0x14=0xff 0:0x18=0xabc
	run -0 uvpci-peek "$dev" 0:0 0:4 0:0xc 0:0x14 0:0x18
	assert_output "$(printf '%s\n' 0x524d5431 0x00001234 0x00000006 0x00000000 0x00000000)"
	run -0 uvpci-poke "$dev" 0:0xc=0 0:0xc=0x4
	run -0 uvpci-peek "$dev" 0:0xc
	assert_output 0x00000002

	# CTRL: EN and MODE read back, GO (WO) reads 0, reserved bits stay 0.
	run -0 uvpci-poke "$dev" 0:8=0xffffffff
	run -0 uvpci-peek "$dev" 0:8 0:8.b
	assert_output "$(printf '%s\n' 0x00000031 0x31)"

	# A 64-bit register as two 32-bit halves, low first, read as one.
	run -0 uvpci-poke "$dev" 0:0x20=0x89abcdef 0:0x24=0x01234567
	run -0 uvpci-peek "$dev" 0:0x20.q 0:0x24
	assert_output "$(printf '%s\n' 0x0123456789abcdef 0x01234567)"
	# Nothing there: reads 0, as uvnic(4) devices do.
	run -0 uvpci-peek "$dev" 0:0x800
	assert_output 0x00000000
	stop_model
	! klog | grep -E 'WARNING|BUG|Oops' || fail "kernel log: $(klog)"
}

@test "coverage: the registers and fields the host read or wrote, and only those" {
	start_model --set ISR=0x3
	run -0 uvpci-peek "$dev" 0:0 0:0xc
	run -0 uvpci-poke "$dev" 0:0xc=0x1 0:8=0x10 0:0x24=1
	stop_model
	run -0 uvregmap coverage "$TMAP" "$COV"
	assert_line "$(printf 'ID\t1\t-')"
	assert_line "$(printf 'ISR\t1\t1')"
	assert_line "$(printf 'ISR.DONE\t1\t1')"
	assert_line "$(printf 'ISR.ERR\t1\t-')"
	assert_line "$(printf 'CTRL\t-\t1')"
	assert_line "$(printf 'CTRL.MODE\t-\t1')"
	assert_line "$(printf 'CTRL.EN\t-\t-')"
	assert_line "$(printf 'ADDR\t-\t1')"
	assert_line "$(printf 'SCRATCH\t-\t-')"
	assert_line --index -1 'covered: 4 of 9 registers, 4 of 9 fields'
}

@test "a map whose BAR the device lacks: the model refuses to serve, one line" {
	uvbus-ctl destroy "$dev"
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0f00 --bar 0:4096
	run --separate-stderr uvregmap-skel-model "$dev"
	assert_failure 1
	assert_equal "$stderr" "uvregmap-skel-model: $dev: BAR 2 is 0 bytes, the map has 256"
}

@test "uvpci-peek/uvpci-poke --map: registers by name, values decoded, through the model" {
	start_model --set ISR=0x5
	run -0 uvpci-peek --map "$TMAP" "$dev" ID ISR STAT ADDR 0:0x24
	assert_output "$(printf '%s\n' 'ID = 0x524d5431' 'ISR = 0x5 DONE=1 LINK=1' 'STAT = 0x1234' 'ADDR = 0' 'ADDR+4 = 0')"
	run -0 uvpci-poke --map "$TMAP" "$dev" ISR=0x1 CTRL=0x21 ADDR=0x1122334455667788 SCRATCH=0x100:0x100
	run -0 uvpci-peek --map "$TMAP" "$dev" ISR CTRL ADDR 0:0x24 SCRATCH
	assert_output "$(printf '%s\n' 'ISR = 0x4 LINK=1' 'CTRL = 0x21 EN=1 MODE=0x2' 'ADDR = 0x1122334455667788' 'ADDR+4 = 0x11223344' 'SCRATCH = 0x5b5a')"
	stop_model
}

@test "uvnic-bridge --coverage: the uvNIC registers and fields uvnic.ko read and wrote" {
	local MAP=$UVNIC_TOP/kernel/uapi/uvnic.regmap ifname rc
	[ -f "$UVNIC_TOP/kernel/uvnic.ko" ] || fail "kernel/uvnic.ko is not built: make modules"
	[ ! -d /sys/module/uvnic ] || rmmod uvnic
	modprobe veth
	ip link add rmw type veth peer name rmp
	ip link set rmw up
	uvbus-ctl create rmnic --vendor 0x5556 --device 0x0100 --class 0x020000 --bar 0:4096 --msi 3
	uvnic-bridge --map "$MAP" --coverage "$COV" rmnic rmw \
		>"$BATS_TEST_TMPDIR/bridge.log" 2>&1 3>&- &
	model_pid=$!
	wait_true 'uvpci-peek rmnic 0:0 | grep -qi 0x55564e43'
	insmod "$UVNIC_TOP/kernel/uvnic.ko"
	wait_true 'ls /sys/bus/uvpci/devices/rmnic/net/ | grep -q .'
	ifname=$(ls /sys/bus/uvpci/devices/rmnic/net/)
	ip link set "$ifname" up
	wait_true 'grep -qx 1 /sys/class/net/'"$ifname"'/carrier'
	ip link set "$ifname" down
	rmmod uvnic
	kill -TERM "$model_pid"
	rc=0
	wait "$model_pid" || rc=$?
	model_pid=
	[ "$rc" = 0 ] || fail "uvnic-bridge exited $rc: $(cat "$BATS_TEST_TMPDIR/bridge.log")"
	run -0 uvregmap coverage "$MAP" "$COV"
	# Probe reads the identification; up resets, programs the rings and
	# enables interrupts and both rings; down disables them.
	assert_line --regexp $'^ID\t[1-9][0-9]*\t-$'
	assert_line --regexp $'^VERSION\t[1-9][0-9]*\t-$'
	assert_line --regexp $'^CTRL\t[0-9-]+\t[1-9][0-9]*$'
	assert_line --regexp $'^CTRL\\.RESET\t[0-9-]+\t[1-9][0-9]*$'
	assert_line --regexp $'^CTRL\\.RX_EN\t[0-9-]+\t[1-9][0-9]*$'
	assert_line --regexp $'^RX_BASE\t[0-9-]+\t[1-9][0-9]*$'
	assert_line --regexp $'^TX_LEN\t[0-9-]+\t[1-9][0-9]*$'
	assert_line --regexp $'^IMR\t[0-9-]+\t[1-9][0-9]*$'
	# Registers only the device changes are never written.
	assert_line --regexp $'^TX_HEAD\t[0-9-]+\t-$'
	assert_line --regexp $'^RX_PACKETS\t[0-9-]+\t-$'
	assert_line --regexp '^covered: [1-9][0-9]* of 27 registers, [1-9][0-9]* of 19 fields$'
	! klog | grep -E 'WARNING|BUG|Oops' || fail "kernel log: $(klog)"
}

@test "uvnic-bridge: --coverage without --map, or a map of another device, is refused before anything" {
	run --separate-stderr uvnic-bridge --coverage "$COV" rmnic lo
	assert_failure 1
	assert_equal "${stderr_lines[0]}" "uvnic-bridge: --coverage needs --map (the uvNIC's register map, uvnic.regmap)"
	run --separate-stderr uvnic-bridge --map "$TMAP" --coverage "$COV" rmnic lo
	assert_failure 1
	assert_equal "$stderr" "uvnic-bridge: --map $TMAP: not the uvNIC's register map (device UVNIC, BAR0 of 4096 bytes)"
	[ ! -e "$COV" ]
}
