#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Recovery of the uvNIC reference NIC, as root in the uvnic-vm guest, on
# the network of t/test_helper/uvnic-net.bash: both descriptor rings
# overwritten from the device side and a model stopped with SIGSTOP (the
# driver resets the rings by itself), the bridge stopped and restarted
# (gently and not), the driver reloaded under a running bridge, a second
# model refused, and the device destroyed under one. Each test starts
# from a fresh open of the interface (fresh_open), so that the driver's
# reset back-off is not what an earlier test left.
#
#   bin/uvnic-vm -- bats t/kernel/uvnic-recovery.bats

bats_require_minimum_version 1.5.0

load '../test_helper/uvnic-net'

setup_file() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	uvnic_net_setup_file
}

teardown_file() {
	uvnic_net_teardown_file
}

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	uvnic_net_setup
	fresh_open
	# (the test's kernel log begins after the open's lines)
	mark=$(dmesg | wc -l)
}

teardown() {
	uvnic_net_teardown
}

# fresh_open: take the interface down and configure it up again. The
# driver's reset back-off then starts anew (uvnic(4)): each test's reset
# waits what a first one waits, not what the resets of the tests before
# it added up to.
fresh_open() {
	ip link set "$IF" down
	configure_uvnic || fail "$IF: no carrier after ip link set up"
}

# --- recovery from broken rings ------------------------------------------

# estat NAME: the driver's counter NAME from ethtool -S.
estat() {
	ethtool -S "$IF" | awk -v k="$1:" '$1 == k { print $2 }'
}

# Traffic is back: five echoes in a row answered (a lucky one is not).
pings_ok() {
	ping -q -c 5 -i 0.2 -W 2 "$FAR4" | grep -q ' 5 received'
}

# klog_clean: no BUG or WARNING in the kernel log since klog_mark. Then
# teardown's check starts from here: the DMA faults (a device DMA to an
# overwritten descriptor's address) and read timeouts (a stopped model)
# before were caused on purpose.
klog_clean() {
	if klog | grep -E 'BUG:|WARNING:|Oops|general protection|soft lockup|hung task'; then
		fail "kernel log above"
	fi
	mark=$(dmesg | wc -l)
}

# rings: TX and RX ring address and length as the driver programmed them,
# in $tx $ntx $rx $nrx.
rings() {
	read -r tx ntx rx nrx <<<"$(uvpci-peek "$DEV" 0:0x40.q 0:0x48 0:0x60.q 0:0x68 | tr '\n' ' ')"
}

# set_status ADDR COUNT STATUS: write STATUS (hex, 4 digits) into the
# status word of each of the COUNT descriptors at ADDR, from the device
# side, leaving the rest of them as they are (read, changed, written back).
set_status() {
	local f=$BATS_TEST_TMPDIR/ring.$1
	uvdma-inject "$DEV" "$1" --read $(($2 * 16)) | xxd -r -p >"$f"
	python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read())
st = int(sys.argv[2], 16).to_bytes(2, "little")
for i in range(0, len(b), 16):
    b[i + 12:i + 14] = st
open(sys.argv[1], "wb").write(b)' "$f" "$3"
	uvdma-inject "$DEV" "$1" --file "$f"
}

@test "both descriptor rings overwritten from the device side: the driver resets them and traffic returns by itself" {
	local d=$BATS_TEST_TMPDIR tx rx ntx nrx r0 c0 flood
	ping_ok "$FAR4"
	klog_mark
	r0=$(estat resets)
	c0=$(estat ring_corrupt)
	rings
	head -c $((ntx * 16)) /dev/urandom >"$d/tx"
	head -c $((nrx * 16)) /dev/urandom >"$d/rx"
	# Frames in flight both ways while a second port writes over both rings.
	ping -q -i 0.01 -w "$UVNIC_WAIT_SECONDS" "$FAR4" >/dev/null 2>&1 3>&- &
	flood=$!
	nap 0.5
	uvdma-inject "$DEV" "$tx" --file "$d/tx"
	uvdma-inject "$DEV" "$rx" --file "$d/rx"
	# No ip link down/up: the driver finds the damage and resets. Where it
	# finds it depends on the bytes: at once (a status it cannot have), or
	# once the device, walking the RX ring, has completed a descriptor
	# whose address it read from the garbage: the flood goes on until then.
	wait_until '[ "$(estat resets)" -gt "$r0" ]' ||
		fail "no reset (resets $r0 -> $(estat resets)): $(klog | grep "$IF")"
	kill "$flood" 2>/dev/null || true
	wait "$flood" || true
	wait_true pings_ok
	[ "$(estat ring_corrupt)" -gt "${c0:-0}" ] || fail "ring_corrupt $c0 -> $(estat ring_corrupt)"
	klog | grep -qE "$IF: (TX|RX) ring (overwritten|out of step): .*: resetting" ||
		fail "no log line says why the rings were reset"
	klog_clean
}

# quiet: no frame in or out for a second (the driver's own, such as IPv6
# router solicitations after an open, included).
quiet() {
	local before
	before=$(ethtool -S "$IF" | grep -E '^ +(rx|tx)_packets:')
	nap 1
	[ "$before" = "$(ethtool -S "$IF" | grep -E '^ +(rx|tx)_packets:')" ]
}

@test "every status word of both rings set to DONE|ERR_ADDR: the RX ring falls out of step; the driver resets it" {
	local tx rx ntx nrx r0 c0 round
	ping_ok "$FAR4"
	klog_mark
	r0=$(estat resets)
	c0=$(estat ring_corrupt)
	rings
	# Valid statuses over descriptors whose addresses stay the driver's:
	# nothing in them looks wrong. The driver completes (and counts as
	# errors) RX descriptors the device had not filled, hands them over
	# again, and its doorbell then tells the device that the ring is all
	# but empty: the device fills what it got and waits for descriptors
	# while the driver waits on one the device will never fill.
	# Where the device's head is when the words land decides whether the
	# rings fall out of step (on a loaded host one run in several did
	# not): traffic must come back every time, and the driver must have
	# reset the rings by the third round at the latest.
	for round in 1 2 3; do
		# (set_status writes back what it read: a frame meanwhile makes
		# that an overwritten address, found as in the test before)
		wait_true quiet
		set_status "$rx" "$nrx" 0003
		set_status "$tx" "$ntx" 0003
		wait_true pings_ok
		[ "$(estat resets)" -le "$r0" ] || break
	done
	[ "$(estat resets)" -gt "$r0" ] || fail "no reset in 3 rounds (resets $r0 -> $(estat resets))"
	[ "$(estat ring_corrupt)" -gt "${c0:-0}" ] || fail "ring_corrupt $c0 -> $(estat ring_corrupt)"
	klog | grep -qE "$IF: (RX ring out of step|(TX|RX) ring overwritten): " ||
		fail "no log line says why the rings were reset"
	klog_clean
}

@test "model stopped (SIGSTOP) with frames in the TX ring: the TX timeout resets the rings; after SIGCONT traffic returns" {
	local t0 r0 pid
	ping_ok "$FAR4"
	klog_mark
	t0=$(estat tx_timeouts)
	r0=$(estat resets)
	pid=$(bridge_pid)
	kill -STOP "$pid"
	# A few frames that no completion will end (a frame every 0.2 s fills
	# no ring: the stack's own TX timeout, which needs a stopped queue,
	# never fires).
	ping -q -c 5 -i 0.2 -W 1 "$FAR4" >/dev/null 2>&1 || true
	# (the log, not ethtool -S: that reads the stopped device's registers)
	wait_klog "$IF: TX timeout: "
	kill -CONT "$pid"
	wait_true pings_ok
	[ "$(estat tx_timeouts)" -gt "${t0:-0}" ] || fail "tx_timeouts $t0 -> $(estat tx_timeouts)"
	wait_true '[ "$(estat resets)" -gt "$r0" ]'
	klog_clean
}

@test "uvnic-bridge stopped by SIGTERM: link down, counters; restarted: traffic resumes" {
	ping_ok "$FAR4"
	stop_bridge TERM
	run cat "$BATS_FILE_TMPDIR/bridge.rc"
	assert_output 0
	run cat "$BATS_FILE_TMPDIR/bridge.out"
	assert_line --regexp "^tx_packets: [1-9][0-9]*$"
	assert_line --regexp "^rx_packets: [1-9][0-9]*$"
	# The driver saw the link go down (the bridge waits for its STATUS read).
	wait_until "dmesg | tail -n +$((mark + 1)) | grep -q '$IF: link down'"
	[ "$(carrier)" = 0 ]
	run ping -c 1 -W 1 "$FAR4"
	assert_failure

	start_bridge
	# The driver's watchdog finds the new model unconfigured and resets it.
	wait_until "test \"\$(cat /sys/class/net/$IF/carrier)\" = 1" ||
		fail "no carrier after the bridge came back"
	ping_ok "$FAR4"
	run ping -c 3 -i 0.2 -W 5 "$FAR4"
	assert_success
	[ "$(uvnic_if)" = "$IF" ]
}

@test "uvnic-bridge killed with SIGKILL under traffic: the driver notices; restarted: traffic resumes" {
	ping_ok "$FAR4"
	# Frames in flight both ways when the model dies.
	ping -q -i 0.01 -w 30 "$FAR4" >/dev/null 2>&1 3>&- &
	local flood=$!
	nap 1
	stop_bridge KILL
	# No link-down from a dead model: the driver's watchdog finds it gone.
	wait_until "test \"\$(cat /sys/class/net/$IF/carrier)\" = 0" ||
		fail "carrier still up after the model died"
	kill "$flood" 2>/dev/null || true
	wait "$flood" 2>/dev/null || true
	run grep -c "$IF: device not responding" <(klog_since)
	assert_output 1
	start_bridge
	wait_until "test \"\$(cat /sys/class/net/$IF/carrier)\" = 1" ||
		fail "no carrier after the bridge came back"
	ping_ok "$FAR4"
	run ethtool -i "$IF"
	assert_line "driver: uvnic"
}

@test "uvnic.ko unloaded and loaded again while the bridge runs" {
	ping_ok "$FAR4"
	rmmod uvnic
	[ -z "$(uvnic_if)" ]
	kill -0 "$(bridge_pid)"
	insmod "$UVNIC_TOP/kernel/uvnic.ko"
	wait_until "ls /sys/bus/uvpci/devices/$DEV/net/ | grep -q ."
	configure_uvnic
	IF=$(uvnic_if)
	ping_ok "$FAR4"
	run ping -c 3 -i 0.2 -W 5 "$FAR4"
	assert_success
	kill -0 "$(bridge_pid)"
}

@test "uvnic-bridge refuses a second model, and a missing interface" {
	run -1 uvnic-bridge "$DEV" "$WIRE"
	assert_output "uvnic-bridge: $DEV: cannot attach: another device model is attached"
	run -1 uvnic-bridge uvt9 nosuchif0
	assert_output "uvnic-bridge: nosuchif0: no such network interface"
	kill -0 "$(bridge_pid)"
}

@test "device destroyed under a running bridge: it exits with a clear message" {
	local d=$BATS_TEST_TMPDIR
	ip link add uvt9w type veth peer name uvt9p
	ip link set uvt9w up
	uvbus-ctl create uvt9 --vendor 0x5556 --device 0x0100 \
		--class 0x020000 --bar 0:4096 --msi 3
	uvnic-bridge uvt9 uvt9w >"$d/out" 2>"$d/err" 3>&- &
	local pid=$!
	wait_until "uvpci-peek uvt9 0:0.l | grep -qi 55564e43"
	# Bind the driver too, so that the destroy also removes a live netdev.
	[ -e /sys/bus/uvpci/devices/uvt9/driver ] ||
		echo uvt9 >/sys/bus/uvpci/drivers/uvnic/bind
	wait_until "ls /sys/bus/uvpci/devices/uvt9/net/ | grep -q ."
	uvbus-ctl destroy uvt9
	# wait in this shell: run's subshell cannot wait for our child, and
	# says 255 while the bridge is still on its way out.
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" = 1 ] || fail "uvnic-bridge exited $rc after the destroy, not 1"
	run cat "$d/err"
	assert_output "uvnic-bridge: uvt9: device destroyed"
	ip link del uvt9w
	# The other uvNIC is untouched.
	ping_ok "$FAR4"
}
