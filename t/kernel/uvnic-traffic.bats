#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Real traffic through the uvNIC reference NIC, as root in the uvnic-vm
# guest, on the network of t/test_helper/uvnic-net.bash (uvnic.ko, its
# model uvnic-bridge on a veth pair, a router namespace and a host beyond
# it). Covers ping both ways, traceroute through the router, iperf3 both
# ways, tcpdump on the uvNIC, ARP and IPv6 neighbour discovery, frame
# sizes up to the MTU, the TX offloads (TSO and checksums, v4 and v6, the
# device cutting segments itself with --exact-frames). uvnic-recovery.bats
# breaks that network and sees it recover.
#
#   bin/uvnic-vm -- bats t/kernel/uvnic-traffic.bats

bats_require_minimum_version 1.5.0

# (the file's hooks, setup_file to teardown, come with it)
load '../test_helper/uvnic-net'


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
	ping_ok "$FAR4"
	iperf3_both_ways "$FAR" "$FAR4"
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
