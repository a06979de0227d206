#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Linux's own e1000 driver (drivers/net/ethernet/intel/e1000 of Debian's
# linux-source-6.1, ported by one uvpci-port --to-uvpci run with no hand
# edit: `make e1000` builds it into build/e1000/), as root in the
# uvnic-vm guest, against the 82540EM model uvpci-e1000 on a veth pair
# whose far end is in a namespace:
#
#   root ns                       ns e1k-far
#   $IF (e1000.ko)                e1k0p 198.51.100.2/24
#   198.51.100.1/24                 |
#   uvpci-e1000 e1k0 e1k0w ------ e1k0w (veth)
#
# The model runs on the guest's model CPU (uvnic-vm --model-cpus, see
# uvpci(9) MODELS AND CPUS): e1000 reads registers in its IRQ handler,
# in NAPI and under spinlocks. Covers the probe (EEPROM MAC), link, ping
# both ways, iperf3 both ways, ethtool -i/-S, the cable pulled and back,
# a driver reload, the model killed and restarted; the kernel log stays
# clean throughout, read time-outs included.
#
#   make e1000 && bin/uvnic-vm -- bats t/kernel/e1000.bats

bats_require_minimum_version 1.5.0

DEV=e1k0
WIRE=e1k0w
PEER=e1k0p
FAR=e1k-far
NEAR4=198.51.100.1
# The station address the model puts in its EEPROM (--mac).
MAC=02:00:5e:10:0e:01
FAR4=198.51.100.2
KO=build/e1000/e1000.ko
# What fails a test here besides uvnic-vm's own list: a read the model did
# not answer in time means the driver saw all-ones.
BAD_KLOG='BUG:|WARNING:|Oops|general protection|soft lockup|rcu_preempt detected stalls|read timed out|read that could not sleep|Hardware Error|Tx Unit Hang'

# --- helpers ----------------------------------------------------------

# start_model [OPTIONS]: uvpci-e1000 on $DEV and $WIRE in the background
# (a file_model named "model", see t/test_helper/guest.bash); returns
# once it attached.
start_model() {
	file_model_start model uvpci-e1000 "$@" "$DEV" "$WIRE"
	wait_until "uvnic_model_attached $DEV" ||
		{ cat "$BATS_FILE_TMPDIR/model.err" >&2; return 1; }
}

e1000_if() {
	uvpci_netdev "$DEV"
}

carrier() {
	netdev_carrier "$IF"
}

# bind_driver: insmod e1000.ko, wait for its interface, address it, bring
# it up and wait for the carrier.
bind_driver() {
	insmod "$UVNIC_TOP/$KO"
	wait_until 'test -n "$(e1000_if)"' || fail "e1000.ko made no interface for $DEV"
	IF=$(e1000_if)
	ip address replace "$NEAR4/24" dev "$IF"
	ip link set "$IF" up
	wait_until '[ "$(carrier)" = 1 ]' || fail "$IF got no carrier"
}

# Retry a ping until it answers: the first frames wait for ARP.
ping_ok() {
	wait_until "ping -c 1 -W 2 $*"
}

klog_since() {
	dmesg | tail -n +"$((mark + 1))"
}

# --- hooks ------------------------------------------------------------

setup_file() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	_common_setup
	require_guest
	export PATH
	[ -f "$UVNIC_TOP/$KO" ] || fail "$KO is not built: make e1000"
	[ -x "$UVNIC_TOP/bin/uvpci-e1000" ] || fail "bin/uvpci-e1000 is not built: make"
	local t
	for t in iperf3 ethtool python3 ss; do
		command -v "$t" >/dev/null || fail "$t not found (run: contrib/install-deps check)"
	done
	[ -n "$(cat /sys/devices/system/cpu/isolated)" ] ||
		fail "the guest has no isolated CPU for the model: boot it with uvnic-vm --model-cpus 1 (the default)"
	[ -e /dev/uvbus ] || insmod "$UVNIC_TOP/kernel/uvbus.ko"
	load_uvpci
	modprobe veth
	ip netns add "$FAR"
	ip link add "$WIRE" type veth peer name "$PEER"
	ip link set "$PEER" netns "$FAR"
	ip link set "$WIRE" up
	ip -n "$FAR" link set lo up
	ip -n "$FAR" address add "$FAR4/24" dev "$PEER"
	ip -n "$FAR" link set "$PEER" up
	uvbus-ctl create "$DEV" --vendor 0x8086 --device 0x100e --class 0x020000 \
		--bar 0:131072 --bar 1:64:io --intx
	# The suite's own kernel log starts here (suites before it may have
	# planted time-outs of their own).
	FILE_MARK=$(dmesg | wc -l)
	export FILE_MARK
	mark=$FILE_MARK
	start_model --mac="$MAC"
	bind_driver
	export IF
}

teardown_file() {
	file_model_stop model TERM || file_model_stop model KILL || true
	ip netns pids "$FAR" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
	[ ! -d /sys/module/e1000 ] || rmmod e1000
	ip netns del "$FAR" 2>/dev/null || true
	ip link del "$WIRE" 2>/dev/null || true
	uvbus-ctl destroy "$DEV" 2>/dev/null || true
	return 0
}

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	_common_setup
	require_guest
	IF=$(e1000_if)
	mark=$(dmesg | wc -l)
}

teardown() {
	if klog_since | grep -E "$BAD_KLOG"; then
		echo "kernel log above, during: $BATS_TEST_DESCRIPTION"
		return 1
	fi
	return 0
}

# --- tests ------------------------------------------------------------

@test "e1000 probes the model: the banner names the EEPROM's MAC" {
	local mac=$MAC
	run dmesg
	assert_output --partial "e1000 $DEV $IF: (PCI:33MHz:32-bit) $mac"
	assert_output --partial "e1000 $DEV $IF: Intel(R) PRO/1000 Network Connection"
	assert_equal "$(cat "/sys/class/net/$IF/address")" "$mac"
}

@test "the model runs on the guest's isolated CPU, the INTx handler elsewhere" {
	local iso psr irq
	iso=$(cut -d, -f1 /sys/devices/system/cpu/isolated)
	iso=${iso%%-*}
	psr=$(ps -o psr= -p "$(file_model_pid model)")
	assert_equal "${psr// /}" "$iso"
	irq=$(cat "/sys/bus/uvpci/devices/$DEV/irq")
	[ "$irq" -gt 0 ] || fail "no INTx IRQ: $irq"
	# The handler's runs, per CPU: none on the model's.
	run awk -v irq="$irq:" -v c="$iso" '$1 == irq { print $(c + 2) }' /proc/interrupts
	assert_output 0
}

@test "the link is up at 1000 Mb/s full duplex" {
	assert_equal "$(carrier)" 1
	run dmesg
	assert_output --partial "e1000: $IF NIC Link is Up 1000 Mbps Full Duplex"
	run ethtool "$IF"
	assert_line --regexp "^[[:space:]]+Speed: 1000Mb/s$"
	assert_line --regexp "^[[:space:]]+Link detected: yes$"
}

@test "ping from e1000 to the far side, and back" {
	ping_ok "$FAR4"
	run ping -c 5 -i 0.2 -W 5 "$FAR4"
	assert_success
	assert_output --partial "5 packets transmitted, 5 received"
	run ip netns exec "$FAR" ping -c 5 -i 0.2 -W 5 "$NEAR4"
	assert_success
	assert_output --partial "5 packets transmitted, 5 received"
}

@test "ethtool -i names e1000; -S counts the frames of a ping" {
	local tx rx
	run ethtool -i "$IF"
	assert_line "driver: e1000"
	assert_line "bus-info: $DEV"
	ping_ok "$FAR4"
	tx=$(ethtool_stat "$IF" tx_packets)
	rx=$(ethtool_stat "$IF" rx_packets)
	ping -c 3 -i 0.2 -W 5 "$FAR4"
	# e1000 updates its counters from the hardware's every 2 s (watchdog).
	wait_true '[ "$(ethtool_stat "$IF" tx_packets)" -ge $((tx + 3)) ]'
	wait_true '[ "$(ethtool_stat "$IF" rx_packets)" -ge $((rx + 3)) ]'
}

@test "iperf3 TCP both directions, a second each" {
	ping_ok "$FAR4"
	iperf3_both_ways "$FAR" "$FAR4"
}

@test "the cable pulled (SIGUSR1) drops the carrier; plugged back (SIGUSR2), ping works" {
	kill -USR1 "$(file_model_pid model)"
	wait_true '[ "$(carrier)" = 0 ]'
	wait_true 'klog_since | grep -q "e1000: $IF NIC Link is Down"'
	run ping -c 1 -W 1 "$FAR4"
	assert_failure
	kill -USR2 "$(file_model_pid model)"
	wait_true '[ "$(carrier)" = 1 ]'
	ping_ok "$FAR4"
}

@test "rmmod and insmod of e1000: the interface comes back and pings" {
	rmmod e1000
	wait_true 'test -z "$(e1000_if)"'
	bind_driver
	ping_ok "$FAR4"
	run ping -c 3 -i 0.2 -W 5 "$FAR4"
	assert_output --partial "3 packets transmitted, 3 received"
}

@test "the model killed: reads go all-ones, rmmod is clean; restarted, the driver binds and pings" {
	file_model_stop model KILL
	wait_true '[ "$(cat /sys/bus/uvpci/devices/$DEV/model)" != attached ]'
	rmmod e1000
	wait_true 'test -z "$(e1000_if)"'
	start_model --mac="$MAC"
	bind_driver
	ping_ok "$FAR4"
	run ping -c 3 -i 0.2 -W 5 "$FAR4"
	assert_output --partial "3 packets transmitted, 3 received"
}

@test "the kernel log of the whole suite is clean" {
	# (the probe's "read timed out" would be here too)
	run bash -c "dmesg | tail -n +$((FILE_MARK + 1)) | grep -E '$BAD_KLOG'"
	assert_output ''
}
