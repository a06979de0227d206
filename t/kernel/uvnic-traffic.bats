#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Real traffic through the uvNIC reference NIC, as root in the uvnic-vm
# guest: uvnic.ko drives device uvt0, whose model is uvnic-bridge, whose
# wire is one end of a veth pair. The topology, built once for the file:
#
#   root ns                    ns uvt-far (a router)        ns uvt-beyond
#   $IF (uvnic.ko)             uvt0p                        uvt1b
#   192.0.2.1/25               192.0.2.2/25   192.0.2.129/25 192.0.2.130/25
#   2001:db8::1/64             2001:db8::2/64
#     |                          |
#   uvnic-bridge uvt0 uvt0w ---- uvt0w (veth) ---- uvt0p     uvt1r ---- uvt1b
#
# Covers ping both ways, traceroute through the router, iperf3 both ways,
# tcpdump on the uvNIC, ARP and IPv6 neighbour discovery, frame sizes up
# to the MTU, the TX offloads (TSO and checksums, v4 and v6, the device
# cutting segments itself with --exact-frames), the bridge stopped and restarted (gently and not), the
# driver reloaded under a running bridge, both rings overwritten from the
# device side and a model stopped with SIGSTOP (the driver resets the
# rings by itself), and the device destroyed under
# one. teardown_file takes everything down: later suites start clean.
#
#   bin/uvnic-vm -- bats t/kernel/uvnic-traffic.bats

bats_require_minimum_version 1.5.0

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

# start_bridge [OPTIONS]: uvnic-bridge $DEV $WIRE in the background; its
# pid, stdout, stderr and exit status land in $BATS_FILE_TMPDIR/bridge.*.
start_bridge() {
	local d=$BATS_FILE_TMPDIR
	rm -f "$d/bridge.rc" "$d/bridge.pid"
	(
		uvnic-bridge "$@" "$DEV" "$WIRE" >"$d/bridge.out" 2>"$d/bridge.err" &
		echo $! >"$d/bridge.pid"
		# (errexit is on in here, as in the test: keep a failure's status)
		rc=0
		wait $! || rc=$?
		echo $rc >"$d/bridge.rc"
	) 3>&- </dev/null >/dev/null 2>&1 &
	wait_until "test -s '$d/bridge.pid'"
	# Attached once the device answers with the uvNIC ID (not all-ones).
	wait_until "uvpci-peek $DEV 0:0.l | grep -qi 55564e43" ||
		{ cat "$d/bridge.err" >&2; return 1; }
}

bridge_pid() {
	cat "$BATS_FILE_TMPDIR/bridge.pid"
}

# stop_bridge [SIGNAL]: signal the bridge (TERM) and wait for it to exit;
# if it does not, show where it is stuck.
stop_bridge() {
	local d=$BATS_FILE_TMPDIR pid
	pid=$(cat "$d/bridge.pid" 2>/dev/null) || return 0
	[ ! -e "$d/bridge.rc" ] || return 0
	kill -"${1:-TERM}" "$pid" 2>/dev/null || true
	wait_until "test -e '$d/bridge.rc'" && return 0
	echo "uvnic-bridge (pid $pid) still there ${UVNIC_WAIT_SECONDS} s after SIG${1:-TERM}:"
	ps -o pid,stat,psr,wchan:32,cmd -p "$pid" || true
	cat "/proc/$pid/stack" 2>/dev/null || true
	dmesg | tail -n 30
	return 1
}

# The uvNIC's interface name, from sysfs (empty if no driver bound).
uvnic_if() {
	ls "/sys/bus/uvpci/devices/$DEV/net/" 2>/dev/null | head -n 1
}

carrier() {
	cat "/sys/class/net/$IF/carrier" 2>/dev/null
}

# Give the uvNIC its addresses and the route beyond the router; bring it up.
configure_uvnic() {
	IF=$(uvnic_if)
	[ -n "$IF" ] || return 1
	ip addr add "$NEAR4/25" dev "$IF"
	ip addr add "$NEAR6/64" dev "$IF" nodad
	ip link set "$IF" up
	ip route add 192.0.2.128/25 via "$FAR4" dev "$IF"
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

# --- file setup and teardown -------------------------------------------

setup_file() {
	load '../test_helper/common-setup'
	load '../test_helper/guest'
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

teardown_file() {
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

setup() {
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	_common_setup
	require_guest
	IF=$(uvnic_if)
	mark=$(dmesg | wc -l)
}

teardown() {
	# A test that stopped the model must not leave it stopped.
	[ ! -s "$BATS_FILE_TMPDIR/bridge.pid" ] || kill -CONT "$(bridge_pid)" 2>/dev/null || true
	if klog_since | grep -E "$BAD_KLOG"; then
		echo "kernel log above, during: $BATS_TEST_DESCRIPTION"
		return 1
	fi
	return 0
}

# --- tests ------------------------------------------------------------

@test "ping from the uvNIC to the far side" {
	ping_ok "$FAR4"
	run ping -c 5 -i 0.2 -W 5 "$FAR4"
	assert_success
	assert_output --partial "5 packets transmitted, 5 received"
}

@test "ping from the far side to the uvNIC" {
	run ip netns exec "$FAR" ping -c 5 -i 0.2 -W 5 "$NEAR4"
	assert_success
	assert_output --partial "5 packets transmitted, 5 received"
}

@test "traceroute through the router finds both hops" {
	ping_ok "$BEYOND4"
	run traceroute -n -q 1 -w 5 -m 5 "$BEYOND4"
	assert_success
	assert_line --regexp "^ *1 +$FAR4 "
	assert_line --regexp "^ *2 +$BEYOND4 "
}

@test "ARP resolves the far side, and the far side resolves the uvNIC" {
	local far_mac near_mac
	far_mac=$(ip netns exec "$FAR" cat "/sys/class/net/$PEER/address")
	near_mac=$(cat "/sys/class/net/$IF/address")
	ip neigh flush dev "$IF"
	ip -n "$FAR" neigh flush dev "$PEER"
	ping_ok "$FAR4"
	run ip neigh show "$FAR4" dev "$IF"
	assert_output --partial "lladdr $far_mac"
	run ip -n "$FAR" neigh show "$NEAR4" dev "$PEER"
	assert_output --partial "lladdr $near_mac"
}

@test "IPv6: neighbour discovery and ping6 to the far side" {
	local far_mac
	far_mac=$(ip netns exec "$FAR" cat "/sys/class/net/$PEER/address")
	ping_ok -6 "$FAR6"
	run ping -6 -c 3 -i 0.2 -W 5 "$FAR6"
	assert_success
	assert_output --partial "3 packets transmitted, 3 received"
	run ip -6 neigh show "$FAR6" dev "$IF"
	assert_output --partial "lladdr $far_mac"
	run ip netns exec "$FAR" ping -6 -c 3 -i 0.2 -W 5 "$NEAR6"
	assert_success
}

@test "tcpdump on the uvNIC interface sees the frames both ways" {
	local out=$BATS_TEST_TMPDIR/tcpdump
	ping_ok "$FAR4"
	tcpdump -i "$IF" -n -l -c 6 --immediate-mode icmp >"$out" 2>"$out.err" 3>&- &
	local pid=$!
	wait_until "grep -q 'listening on' '$out.err'" || fail "tcpdump did not start"
	ping -c 3 -i 0.2 -W 5 "$FAR4"
	wait_until "! kill -0 $pid" || { kill "$pid"; fail "tcpdump saw fewer than 6 frames"; }
	run grep -c "$NEAR4 > $FAR4: ICMP echo request" "$out"
	assert_output 3
	run grep -c "$FAR4 > $NEAR4: ICMP echo reply" "$out"
	assert_output 3
}

@test "frame sizes from the minimum to the MTU, DF set, both ways" {
	local mtu
	mtu=$(cat "/sys/class/net/$IF/mtu")
	ping_ok "$FAR4"
	# Echoes of representative payload sizes, in one process, each reply
	# checked byte for byte: every frame size (payload + 42) one byte
	# around 60 (padding), 64, 127-129 and 255-257 (128-byte DMA chunks),
	# 1499-1500 and the MTU, and a sweep every 37 bytes between (every
	# residue mod 4: each byte-enable pattern of the DMA chunks).
	run python3 - "$FAR4" "$mtu" <<'EOF'
import os, select, socket, struct, sys
dst, mtu = sys.argv[1], int(sys.argv[2])
top = mtu - 28                                  # the largest payload with DF
sizes = {0, 1, top}
for frame in (60, 64, 127, 128, 129, 255, 256, 257, 1499, 1500, 1514, mtu + 14):
    sizes.update(frame - 42 + d for d in (-1, 0, 1))
for ip in (1499, 1500, mtu):                    # IP packet lengths too
    sizes.update(ip - 28 + d for d in (-1, 0, 1))
sizes.update(range(0, top + 1, 37))
sizes = sorted(x for x in sizes if 0 <= x <= top)
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.setsockopt(socket.IPPROTO_IP, 10, 2)          # IP_MTU_DISCOVER = IP_PMTUDISC_DO
ident = os.getpid() & 0xffff
def csum(b):
    if len(b) & 1:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    t = (t >> 16) + (t & 0xffff)
    t += t >> 16
    return ~t & 0xffff
bad = []
for size in sizes:
    payload = bytes((size + i) & 0xff for i in range(size))
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, size)
    pkt = struct.pack("!BBHHH", 8, 0, csum(hdr + payload), ident, size) + payload
    ok = False
    # No retry: a lost frame is a failure (5 s for the reply).
    s.sendto(pkt, (dst, 0))
    while select.select([s], [], [], 5)[0]:
        data = s.recv(65535)
        ihl = (data[0] & 15) * 4
        t, c, ck, i, q = struct.unpack("!BBHHH", data[ihl:ihl + 8])
        if t == 0 and i == ident and q == size:
            ok = data[ihl + 8:] == payload
            break
    if not ok:
        bad.append(size)
print("%d payload sizes 0..%d: %d failed %s" % (len(sizes), top, len(bad), bad[:20]))
sys.exit(1 if bad else 0)
EOF
	assert_success
	# One byte more than the MTU with DF cannot leave.
	run ping -M do -s $((mtu - 27)) -c 1 -W 2 "$FAR4"
	assert_failure
	# No frame was refused on the way.
	run ethtool -S "$IF"
	assert_line --regexp "^ +dev_rx_errors: 0$"
	assert_line --regexp "^ +dev_tx_errors: 0$"
	assert_line --regexp "^ +rx_length_errors: 0$"
}

@test "iperf3 TCP both directions, a second each" {
	local json=$BATS_TEST_TMPDIR/iperf
	ping_ok "$FAR4"
	ip netns exec "$FAR" iperf3 -s -1 -D -B "$FAR4" --logfile "$json.server"
	wait_until "ip netns exec $FAR ss -ltn | grep -q ':5201 '"
	iperf3 -c "$FAR4" -t 1 -J >"$json.up"
	ip netns exec "$FAR" iperf3 -s -1 -D -B "$FAR4" --logfile "$json.server2"
	wait_until "ip netns exec $FAR ss -ltn | grep -q ':5201 '"
	iperf3 -c "$FAR4" -t 1 -R -J >"$json.down"
	run python3 -c '
import json, sys
for f in sys.argv[1:]:
    r = json.load(open(f))["end"]["sum_received"]["bits_per_second"]
    print("%s %.1f Mbit/s" % (f.rsplit(".", 1)[1], r / 1e6))
    if not r > 0:
        sys.exit(1)' "$json.up" "$json.down"
	assert_success
	echo "$output" >&3
}

# tcp_receiver ADDR PORT: a receiver on the far side at ADDR:PORT that
# writes what it gets to $BATS_TEST_TMPDIR/tcpPORT/out; returns once it
# listens. tcp_received PORT: wait for the sender's EOF and compare with
# .../in. The far stack checks every checksum the device computed: a bad
# one is dropped, and the transfer never completes.
tcp_receiver() {
	local d=$BATS_TEST_TMPDIR/tcp$2
	mkdir -p "$d"
	head -c 4194304 /dev/urandom >"$d/in"
	# The receiver writes what it got, then closes: the sender's EOF.
	ip netns exec "$FAR" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
c, _ = s.accept()
with open(sys.argv[3], "wb") as f:
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        f.write(b)
open(sys.argv[3] + ".done", "w").close()' "$1" "$2" "$d/out" 3>&- &
	wait_until "ip netns exec $FAR ss -ltn | grep -q ':$2 '" ||
		fail "no receiver on $1 port $2"
}

tcp_received() {
	local d=$BATS_TEST_TMPDIR/tcp$1
	wait_until "test -e '$d/out.done'" || fail "TCP to port $1: not done after ${UVNIC_WAIT_SECONDS} s"
	cmp "$d/in" "$d/out"
}

# tcp_intact ADDR PORT: 4 MiB of random bytes from here to ADDR:PORT on
# the far side, compared byte for byte.
tcp_intact() {
	tcp_receiver "$1" "$2"
	cat "$BATS_TEST_TMPDIR/tcp$2/in" >"/dev/tcp/$1/$2"
	tcp_received "$2"
}

tx_tso() {
	ethtool -S "$IF" | awk '$1 == "tx_tso:" { print $2 }'
}

@test "TX offloads: TCP over IPv4 and IPv6 leaves in TSO frames and arrives intact" {
	local t0 t1 t2
	run ethtool -k "$IF"
	assert_line "scatter-gather: on"
	assert_line "tx-checksumming: on"
	assert_line "tcp-segmentation-offload: on"
	ping_ok "$FAR4"
	ping_ok "$FAR6"
	t0=$(tx_tso)
	tcp_intact "$FAR4" 5301
	t1=$(tx_tso)
	tcp_intact "$FAR6" 5302
	t2=$(tx_tso)
	[ "$t1" -gt "${t0:-0}" ] || fail "no TSO frame over IPv4 (tx_tso $t0 -> $t1)"
	[ "$t2" -gt "$t1" ] || fail "no TSO frame over IPv6 (tx_tso $t1 -> $t2)"
	run ethtool -S "$IF"
	assert_line --regexp "^ +dev_tx_errors: 0$"
	assert_line --regexp "^ +tx_desc_errors: 0$"
}

@test "TX offloads: with TSO off (ethtool -K), TCP goes out checksum-offloaded and arrives intact" {
	local t0 c0
	ping_ok "$FAR4"
	ethtool -K "$IF" tso off
	t0=$(tx_tso)
	c0=$(ethtool -S "$IF" | awk '$1 == "tx_csum_offload:" { print $2 }')
	# MTU-sized frames with the device's checksums, merged again on the veth
	tcp_intact "$FAR4" 5307
	ethtool -K "$IF" tso on
	[ "$(tx_tso)" -eq "$t0" ] || fail "TSO frames with TSO off ($t0 -> $(tx_tso))"
	[ "$(ethtool -S "$IF" | awk '$1 == "tx_csum_offload:" { print $2 }')" -gt $((c0 + 1000)) ] ||
		fail "fewer than 1000 checksum-offloaded frames for 4 MiB"
}

@test "TX offloads: TCP over a VLAN on the uvNIC, tag inserted by the stack, leaves in TSO frames" {
	local t0
	ip link add link "$IF" name uvt.7 type vlan id 7
	ip -n "$FAR" link add link "$PEER" name uvt0p.7 type vlan id 7
	ip addr add 203.0.113.1/24 dev uvt.7
	ip -n "$FAR" addr add 203.0.113.2/24 dev uvt0p.7
	ip link set uvt.7 up
	ip -n "$FAR" link set uvt0p.7 up
	ping_ok 203.0.113.2
	t0=$(tx_tso)
	tcp_intact 203.0.113.2 5305
	[ "$(tx_tso)" -gt "${t0:-0}" ] || fail "no TSO frame over the VLAN"
	ip link del uvt.7
	ip -n "$FAR" link del uvt0p.7
}

@test "TX offloads: TCP over IPv6 with a destination options header falls back to software" {
	local t0
	ping_ok "$FAR6"
	tcp_receiver "$FAR6" 5306
	t0=$(tx_tso)
	# The device parses no extension header (uvnic(4)), and NETIF_F_IPV6_CSUM
	# means none: the stack segments and checksums these itself (net/core,
	# and uvnic's ndo_features_check after it). A frame that reached the
	# device with CSUM or TSO would fail (ERR_OFFLOAD) and stall the transfer.
	python3 - "$FAR6" 5306 "$BATS_TEST_TMPDIR/tcp5306/in" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET6)
# PadN over 6 bytes: an 8-byte Destination Options header on every packet
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, bytes([0, 0, 1, 4, 0, 0, 0, 0]))
s.connect((sys.argv[1], int(sys.argv[2])))
s.sendall(open(sys.argv[3], "rb").read())
s.close()
EOF
	tcp_received 5306
	[ "$(tx_tso)" -eq "$t0" ] || fail "TSO frames with an extension header ($t0 -> $(tx_tso))"
}

@test "TX offloads: UDP over IPv4 and IPv6 leaves with the checksums the device filled in" {
	local d=$BATS_TEST_TMPDIR
	ping_ok "$FAR4"
	ping_ok "$FAR6"
	# tcpdump -vv checks each UDP checksum it prints.
	ip netns exec "$FAR" tcpdump -i "$PEER" -nn -vv -c 4 -l 'udp dst port 9' \
		>"$d/udp" 2>"$d/udp.err" 3>&- &
	wait_until "grep -q 'listening on' '$d/udp.err'" || fail "tcpdump did not start"
	# 1 byte (a frame padded to 60 after the checksum) and 1000 bytes
	echo -n x >/dev/udp/$FAR4/9
	head -c 1000 /dev/urandom >/dev/udp/$FAR4/9
	echo -n x >/dev/udp/$FAR6/9
	head -c 1000 /dev/urandom >/dev/udp/$FAR6/9
	wait_until "[ \$(grep -c 'udp sum ok' '$d/udp') -eq 4 ]" || {
		cat "$d/udp" "$d/udp.err"
		fail "tcpdump did not see 4 UDP datagrams with good checksums"
	}
	run grep -c 'bad udp cksum' "$d/udp"
	assert_output 0
	[ "$(ethtool -S "$IF" | awk '$1 == "tx_csum_offload:" { print $2 }')" -ge 4 ]
}

@test "--exact-frames: the device cuts TSO frames into segments itself; TCP over IPv4 and IPv6 arrives intact" {
	stop_bridge TERM
	start_bridge --exact-frames
	wait_until "test \"\$(cat /sys/class/net/$IF/carrier)\" = 1" ||
		fail "no carrier after the bridge came back"
	ping_ok "$FAR4"
	ping_ok "$FAR6"
	# Without the virtio-net header the veth refuses a frame over its MTU:
	# only MTU-sized segments can arrive.
	tcp_intact "$FAR4" 5303
	tcp_intact "$FAR6" 5304
	stop_bridge TERM
	run cat "$BATS_FILE_TMPDIR/bridge.out"
	assert_line --regexp "^tx_tso: [1-9][0-9]*$"
	assert_line "wire_tx_gso: 0"
	assert_line "wire_tx_errors: 0"
	start_bridge
	wait_until "test \"\$(cat /sys/class/net/$IF/carrier)\" = 1" ||
		fail "no carrier after the bridge came back"
	ping_ok "$FAR4"
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
