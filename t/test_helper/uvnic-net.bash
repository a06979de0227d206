# SPDX-License-Identifier: GPL-2.0-or-later
# The network the uvNIC traffic suites share (uvnic-traffic.bats,
# uvnic-recovery.bats), as root in the uvnic-vm guest: uvnic.ko drives
# device uvt0, whose model is uvnic-bridge, whose wire is one end of a
# veth pair. The topology, built once per file by uvnic_net_setup_file:
#
#   root ns                    ns uvt-far (a router)        ns uvt-beyond
#   $IF (uvnic.ko)             uvt0p                        uvt1b
#   192.0.2.1/25               192.0.2.2/25   192.0.2.129/25 192.0.2.130/25
#   2001:db8::1/64             2001:db8::2/64
#     |                          |
#   uvnic-bridge uvt0 uvt0w ---- uvt0w (veth) ---- uvt0p     uvt1r ---- uvt1b
#
# uvnic_net_teardown_file takes everything down: later suites start clean.
# Load it at the top of the suite (load '../test_helper/uvnic-net'), so
# that the file and each test see the same names.

DEV=uvt0
WIRE=uvt0w
PEER=uvt0p
FAR=uvt-far
BEYOND=uvt-beyond
NEAR4=192.0.2.1
FAR4=192.0.2.2
BEYOND4=192.0.2.130
NEAR6=2001:db8::1
FAR6=2001:db8::2

# Kernel log lines that fail a test (uvnic-vm fails the whole run on the
# first five anyway; here the test that caused them is named).
BAD_KLOG='BUG:|WARNING:|Oops|general protection|soft lockup|DMA fault|read timed out'

# --- helpers ----------------------------------------------------------

# start_bridge [OPTIONS]: uvnic-bridge $DEV $WIRE in the background (a
# file_model of t/test_helper/guest.bash named "bridge": its pid, stdout,
# stderr and exit status land in $BATS_FILE_TMPDIR/bridge.*).
start_bridge() {
	file_model_start bridge uvnic-bridge "$@" "$DEV" "$WIRE"
	# Attached once the device answers with the uvNIC ID (not all-ones).
	wait_until "uvpci-peek $DEV 0:0.l | grep -qi 55564e43" ||
		{ cat "$BATS_FILE_TMPDIR/bridge.err" >&2; return 1; }
}

bridge_pid() {
	file_model_pid bridge
}

# stop_bridge [SIGNAL]: signal the bridge (TERM) and wait for it to exit.
stop_bridge() {
	file_model_stop bridge "$@"
}

# The uvNIC's interface name, from sysfs (empty if no driver bound).
uvnic_if() {
	uvpci_netdev "$DEV"
}

carrier() {
	netdev_carrier "$IF"
}

# Give the uvNIC its addresses and the route beyond the router; bring it
# up. Again after a down (which drops the route and the IPv6 address),
# too: replace, not add.
configure_uvnic() {
	IF=$(uvnic_if)
	[ -n "$IF" ] || return 1
	ip addr replace "$NEAR4/25" dev "$IF"
	ip addr replace "$NEAR6/64" dev "$IF" nodad
	ip link set "$IF" up
	ip route replace 192.0.2.128/25 via "$FAR4" dev "$IF"
	wait_until "test \"\$(cat /sys/class/net/$IF/carrier)\" = 1"
}

# Retry a ping until it answers: the first frames may wait for ARP or the
# driver's watchdog.
ping_ok() {
	wait_until "ping -c 1 -W 2 $*"
}

klog_since() {
	dmesg | tail -n +"$((mark + 1))"
}

# --- the suites' setup and teardown -------------------------------------
# The bats hooks of a suite that loads this file are at the end; one that
# needs more in setup() defines its own after the load, calling
# uvnic_net_hooks_setup first.

uvnic_net_setup_file() {
	_common_setup
	require_guest
	export PATH
	[ -x "$UVNIC_TOP/bin/uvnic-bridge" ] || fail "bin/uvnic-bridge is not built: make"
	[ -f "$UVNIC_TOP/kernel/uvnic.ko" ] || fail "kernel/uvnic.ko is not built: make modules"
	local t
	# contrib/install-deps check installs them: a missing one is a failure
	# of the set-up, never a reason to skip the suite.
	for t in iperf3 tcpdump traceroute ethtool python3 ss; do
		command -v "$t" >/dev/null || fail "$t not found (run: contrib/install-deps check)"
	done
	[ -e /dev/uvbus ] || insmod "$UVNIC_TOP/kernel/uvbus.ko"
	load_uvpci
	modprobe veth
	modprobe 8021q

	# The far side: a router namespace, and one more host beyond it.
	ip netns add "$FAR"
	ip netns add "$BEYOND"
	ip link add "$WIRE" type veth peer name "$PEER"
	ip link set "$PEER" netns "$FAR"
	ip link add uvt1r type veth peer name uvt1b
	ip link set uvt1r netns "$FAR"
	ip link set uvt1b netns "$BEYOND"
	ip link set "$WIRE" up
	ip -n "$FAR" link set lo up
	ip -n "$FAR" link set "$PEER" up
	ip -n "$FAR" link set uvt1r up
	ip -n "$FAR" addr add "$FAR4/25" dev "$PEER"
	ip -n "$FAR" addr add "$FAR6/64" dev "$PEER" nodad
	ip -n "$FAR" addr add 192.0.2.129/25 dev uvt1r
	ip netns exec "$FAR" sysctl -qw net.ipv4.ip_forward=1
	ip -n "$BEYOND" link set lo up
	ip -n "$BEYOND" link set uvt1b up
	ip -n "$BEYOND" addr add "$BEYOND4/25" dev uvt1b
	ip -n "$BEYOND" route add default via 192.0.2.129

	# The device, its model, then the driver (probe reads the model's ID).
	uvbus-ctl create "$DEV" --vendor 0x5556 --device 0x0100 \
		--class 0x020000 --bar 0:4096 --msi 3
	start_bridge
	insmod "$UVNIC_TOP/kernel/uvnic.ko"
	wait_until "ls /sys/bus/uvpci/devices/$DEV/net/ | grep -q ." ||
		fail "uvnic.ko made no interface for $DEV"
	configure_uvnic || fail "$(uvnic_if) got no carrier"
	export IF
}

uvnic_net_teardown_file() {
	stop_bridge TERM || stop_bridge KILL || true
	ip netns pids "$FAR" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
	[ -d /sys/module/uvnic ] && rmmod uvnic
	ip netns del "$FAR" 2>/dev/null || true
	ip netns del "$BEYOND" 2>/dev/null || true
	ip link del "$WIRE" 2>/dev/null || true
	ip link del uvt9w 2>/dev/null || true
	uvbus-ctl destroy "$DEV" 2>/dev/null || true
	uvbus-ctl destroy uvt9 2>/dev/null || true
	return 0
}

uvnic_net_setup() {
	_common_setup
	require_guest
	IF=$(uvnic_if)
	mark=$(dmesg | wc -l)
}

uvnic_net_teardown() {
	# A test that stopped the model must not leave it stopped.
	[ ! -s "$BATS_FILE_TMPDIR/bridge.pid" ] || kill -CONT "$(bridge_pid)" 2>/dev/null || true
	if klog_since | grep -E "$BAD_KLOG"; then
		echo "kernel log above, during: $BATS_TEST_DESCRIPTION"
		return 1
	fi
	return 0
}

uvnic_net_hooks_setup() {
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	uvnic_net_setup
}

# The hooks (set +T first: see t/test_helper/common-setup.bash).
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
	uvnic_net_hooks_setup
}

teardown() {
	uvnic_net_teardown
}
