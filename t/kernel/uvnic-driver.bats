#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# uvnic.ko (kernel/uvnic_drv.c), the uvNIC netdev driver, as root in the
# uvnic-vm guest, without a device model: the test plays the device by hand.
# BAR0 is then a plain register file (ID, VERSION, MAC and STATUS poked
# before the driver binds; what the driver writes reads back), and the
# device's side of the rings is done with t/helpers/uvpci-model: read a
# descriptor (dmar), write a frame and the status back (dmaw), fire the MSI.
# Covers probe and its refusals, up/down and what they program, link, RX and
# TX with good and bad descriptors, a full TX ring, MTU, ethtool, reset
# after a lost configuration, a dead device, and removal in every order.
# Devices here are named un*; teardown unloads the driver and removes them.
#
#   bin/uvnic-vm -- bats t/kernel/uvnic-driver.bats

bats_require_minimum_version 1.5.0

SYSBUS=/sys/bus/uvpci
IPV6_DEFAULT=/proc/sys/net/ipv6/conf/default/disable_ipv6

# Registers (kernel/uapi/uvnic.h)
ID=0x000 VERSION=0x004 CTRL=0x008 STATUS=0x00c MAC_LO=0x010 MAC_HI=0x014
MAX_FRAME=0x018 FEATURES=0x01c ICR=0x020 IMR=0x024 IAM=0x028
TX_BASE=0x040 TX_LEN=0x048 TX_TAIL=0x04c
RX_BASE=0x060 RX_LEN=0x068 RX_TAIL=0x06c

# The driver's default ring sizes; RX_LAST is the slot it keeps back at
# first (HEAD == TAIL means empty), MAPS its DMA mappings while up and idle
# (the two rings and RXN - 1 RX buffers).
TXN=256 RXN=1024
RX_LAST=$((RXN - 1)) MAPS=$((RXN + 1))

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	guest_setup uvpci-create uvpci-model uvnic-frames
	[ -f "$UVNIC_TOP/kernel/uvnic.ko" ] || fail "kernel/uvnic.ko is not built: make modules"
	NIC="un$BATS_TEST_NUMBER"
	pids=()
	# New interfaces without IPv6, so that the stack sends nothing on its
	# own (DAD, router solicitations) while a test plays the device.
	# (/proc/sys directly: a process start costs 0.1 s or more in the guest)
	ipv6_default=
	if [ -e "$IPV6_DEFAULT" ]; then
		read -r ipv6_default < "$IPV6_DEFAULT"
		echo 1 > "$IPV6_DEFAULT"
	fi
	klog_mark
}

teardown() {
	local pid d
	serve_stop
	for pid in "${pids[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	[ -d /sys/module/uvnic ] && rmmod uvnic
	[ -z "${ipv6_default:-}" ] || echo "$ipv6_default" > "$IPV6_DEFAULT"
	for d in "$SYSBUS"/devices/un*; do
		[ -e "$d" ] && uvpci-create destroy "${d##*/}"
	done
	# What uvPCI says when a driver leaves mappings, IRQs or cookies
	# behind, or when the device DMAs outside the driver's mappings.
	if klog | grep -E 'driver left|DMA fault|BAR cookie|no cookie left|still requested|read timed out'; then
		fail "kernel log above: the driver left something behind"
	fi
	return 0
}

# --- helpers ----------------------------------------------------------

# The device's side is played through helper servers (serve_call in
# guest.bash): a process start per register access would cost more than
# the test.
#
# rd OFF [SIZE]: a BAR0 register of $NIC, as 0x... ; wr OFF VALUE [SIZE].
# rd_val OFF [SIZE] leaves it in $REPLY_OUT, without a subshell.
rd_val() {
	serve_call uvpci-create peek "$NIC" 0 "$1" "${2:-4}" ||
		fail "peek $1: $REPLY_OUT"
}

rd() {
	rd_val "$@"
	echo "$REPLY_OUT"
}

wr() {
	serve_call uvpci-create poke "$NIC" 0 "$1" "${3:-4}" "$2" ||
		fail "poke $1 $2: $REPLY_OUT"
}

# Assert that register OFF reads VALUE (numerically).
assert_reg() {
	rd_val "$1" "${3:-4}"
	[ $((REPLY_OUT)) -eq $(($2)) ] || fail "register $1 is $REPLY_OUT, want $2"
}

reg_is() {
	rd_val "$1" "${3:-4}"
	[ $((REPLY_OUT)) -eq $(($2)) ]
}

# wait_reg OFF VALUE: wait for register OFF to read VALUE.
wait_reg() {
	wait_until "reg_is $1 $2" ||
		fail "register $1 is $(rd "$1"), want $2 (waited $UVNIC_WAIT_SECONDS s)"
}

# new_nic [NAME]: a uvNIC device (BAR0 4 KiB, 3 MSI vectors) with a valid
# ID, VERSION, MAC 02:12:34:56:78:9a and the link down, no driver yet.
new_nic() {
	local name=${1:-$NIC} r
	for r in "create $name --vendor 0x5556 --device 0x0100 --class 0x020000 --bar 0:4096 --msi 3" \
		"poke $name 0 $ID 4 0x55564e43" "poke $name 0 $VERSION 4 0x00010001" \
		"poke $name 0 $MAC_LO 4 0x56341202" "poke $name 0 $MAC_HI 4 0x9a78"; do
		# shellcheck disable=SC2086 # (words)
		serve_call uvpci-create $r || fail "uvpci-create $r: $REPLY_OUT"
	done
}

load_driver() {
	[ -d /sys/module/uvnic ] || insmod "$UVNIC_TOP/kernel/uvnic.ko"
}

# The interface of device $1 (default $NIC), or nothing.
iface_of() {
	ls "$SYSBUS/devices/${1:-$NIC}/net" 2>/dev/null
}

# A bound device with its interface in $IF, up, with a high BQL floor
# (see tx_warmup). LINK=1 sets STATUS.LINK_UP first.
bring_up() {
	[ -n "$(iface_of)" ] || { new_nic; load_driver; }
	IF=$(iface_of)
	[ -n "$IF" ] || fail "no interface for $NIC"
	echo 1000000 > "/sys/class/net/$IF/queues/tx-0/byte_queue_limits/limit_min"
	wr $STATUS "${LINK:-0}"
	ip link set "$IF" up
}

stat_of() {
	cat "/sys/class/net/$IF/statistics/$1"
}

# ethtool -S value of counter $1
estat() {
	ethtool -S "$IF" | awk -v k="$1:" '$1 == k { print $2 }'
}

dma_maps() {
	sed -n 's/^dma: \([0-9]*\) live mappings.*/\1/p' "/sys/kernel/debug/uvbus/$NIC"
}

# dmar_val ADDR LEN: host memory as the device reads it, "xx xx ..." in
# $REPLY_OUT; dmar prints it.
dmar_val() {
	serve_call uvpci-model dmar "$NIC" "$1" "$2" || fail "dmar $1 $2: $REPLY_OUT"
	[[ $REPLY_OUT == data:* ]] || fail "dmar $1 $2: $REPLY_OUT"
	REPLY_OUT=${REPLY_OUT#data: }
}

dmar() {
	dmar_val "$@"
	echo "$REPLY_OUT"
}

dmaw() {
	serve_call uvpci-model dmaw "$NIC" "$1" "$2" || fail "dmaw $1 $2: $REPLY_OUT"
	[ "$REPLY_OUT" = "ack: status=0 faults=0" ] || fail "dmaw $1 $2: $REPLY_OUT"
}

msi() {
	serve_call uvpci-model msi "$NIC" "$1" || fail "msi $1: $REPLY_OUT"
}

le16hex() {
	printf '%02x%02x' $(($1 & 255)) $((($1 >> 8) & 255))
}

# desc tx|rx IDX: read a descriptor; sets D_AT (its address), D_ADDR,
# D_LEN, D_FLAGS, D_STATUS.
desc() {
	local b
	if [ "$1" = tx ]; then rd_val $TX_BASE 8; else rd_val $RX_BASE 8; fi
	D_AT=$((REPLY_OUT + 16 * $2))
	dmar_val $D_AT 16
	read -ra b <<< "$REPLY_OUT"
	D_ADDR=$((16#${b[7]}${b[6]}${b[5]}${b[4]}${b[3]}${b[2]}${b[1]}${b[0]}))
	D_LEN=$((16#${b[9]}${b[8]}))
	D_FLAGS=$((16#${b[11]}${b[10]}))
	D_STATUS=$((16#${b[13]}${b[12]}))
}

# rx_deliver IDX FRAMEHEX [STATUS [LEN]]: the device receives a frame into
# RX descriptor IDX: data, then len, then status, then the RX MSI.
rx_deliver() {
	local len=${4:-$((${#2} / 2))}
	desc rx "$1"
	[ $D_STATUS -eq 0 ] || fail "RX descriptor $1 not handed over: status $D_STATUS"
	dmaw $D_ADDR "$2"
	dmaw $((D_AT + 8)) "$(le16hex "$len")"
	dmaw $((D_AT + 12)) "$(le16hex "${3:-1}")"
	msi 0
}

# tx_done IDX [STATUS]: the device completes TX descriptor IDX (no MSI).
tx_done() {
	desc tx "$1"
	dmaw $((D_AT + 12)) "$(le16hex "${2:-1}")"
}

# BQL lets one frame out, then waits for its completion before it raises
# its limit (to limit_min, which bring_up sets high). For tests that want
# several frames in flight: one frame out through TX descriptor 0 and
# back, so that tx_packets is 1 and TX_TAIL 1 afterwards.
tx_warmup() {
	send "$(frame ff:ff:ff:ff:ff:ff "$MAC" 60)"
	wait_reg $TX_TAIL 1
	tx_done 0
	msi 1
	wait_true '[ "$(stat_of tx_packets)" -eq 1 ]'
}

# frame DST SRC LEN [TYPE]: an Ethernet frame of LEN bytes, as hex, of
# type TYPE (default 88b5, local experimental; 8100 makes the first 4
# payload bytes a VLAN tag, which lets a packet socket send MTU + 18 bytes),
# payload bytes counting up. (A C helper: python3 takes a second to start
# in the guest.)
frame() {
	uvnic-frames gen "$@"
}

# send HEX...: frames out of $IF through a packet socket
send() {
	uvnic-frames send "$IF" "$@"
}

# capture FILE: the first frame of type 0x88b5 received on $IF, as hex in
# FILE, in the background (returns once listening).
capture() {
	rm -f "$1" "$1.ready"
	uvnic-frames capture "$IF" 88b5 "$1" &
	pids+=("$!")
	wait_for test -e "$1.ready"
}

MAC=02:12:34:56:78:9a
PEER=02:00:00:00:00:01

# --- probe --------------------------------------------------------------

@test "probe: a netdev with the MAC of MAC_LO/MAC_HI; ethtool -i names driver, device and version" {
	new_nic
	load_driver
	IF=$(iface_of)
	[ -n "$IF" ]
	run cat "/sys/class/net/$IF/address"
	assert_output "$MAC"
	run cat "/sys/class/net/$IF/mtu"
	assert_output 1500
	klog_has "uvnic $NIC $IF: uvNIC 1.1 at $NIC, MAC $MAC, 3 MSI vectors"
	run ethtool -i "$IF"
	assert_success
	assert_line "driver: uvnic"
	assert_line "bus-info: $NIC"
	assert_line "firmware-version: 1.1"
	assert_line --regexp '^version: .+'
	# 1.1 has no FEATURES register: no TX offload
	run ethtool -k "$IF"
	assert_line "	tx-scatter-gather: off [fixed]"
	assert_line "	tx-checksum-ipv4: off [fixed]"
	assert_line "	tx-tcp-segmentation: off [fixed]"
	run readlink "$SYSBUS/devices/$NIC/driver"
	assert_output --regexp '/uvnic$'
	# probe reset the device (CTRL.RESET is self-clearing in a real model)
	assert_reg $CTRL 0x80000000
}

@test "probe: an invalid MAC address is replaced by a random one, and logged" {
	new_nic
	wr $MAC_LO 0
	wr $MAC_HI 0
	load_driver
	IF=$(iface_of)
	[ -n "$IF" ]
	klog_has "uvnic $NIC: invalid MAC address 00:00:00:00:00:00 in MAC_LO/MAC_HI: using random"
	run cat "/sys/class/net/$IF/addr_assign_type"
	assert_output 1
	run cat "/sys/class/net/$IF/address"
	refute_output 00:00:00:00:00:00
}

@test "probe refuses a wrong ID, an all-ones ID (dead device), another major version and 1.0" {
	# devices first: the driver probes each as soon as both exist
	new_nic un_id
	uvpci-create poke un_id 0 $ID 4 0x12345678
	new_nic un_ones
	uvpci-create poke un_ones 0 $ID 4 0xffffffff
	new_nic un_ver
	uvpci-create poke un_ver 0 $VERSION 4 0x00020001
	new_nic un_old
	uvpci-create poke un_old 0 $VERSION 4 0x00010000
	new_nic un_ok
	uvpci-create poke un_ok 0 $VERSION 4 0x00010007
	load_driver
	wait_klog "uvnic un_id: not a uvNIC: ID 0x12345678, expected 0x55564e43"
	wait_klog "uvnic un_ones: device not responding (ID reads all-ones)"
	wait_klog "uvnic un_ver: unsupported version 2.1: this driver knows 1.x"
	wait_klog "uvnic un_old: unsupported version 1.0: this driver needs 1.1 or later (IAM)"
	for d in un_id un_ones un_ver un_old; do
		[ -z "$(iface_of $d)" ] || fail "$d got an interface"
		[ ! -e "$SYSBUS/devices/$d/driver" ] || fail "$d is bound"
	done
	# a newer minor version is fine
	[ -n "$(iface_of un_ok)" ]
	run ethtool -i "$(iface_of un_ok)"
	assert_line "firmware-version: 1.7"
}

@test "probe: a 1.2 device's FEATURES become the TX offloads, each only with those it needs" {
	local d f
	for f in 7 3 6 5; do
		new_nic "un_f$f"
		uvpci-create poke "un_f$f" 0 $VERSION 4 0x00010002
		uvpci-create poke "un_f$f" 0 $FEATURES 4 $f
	done
	load_driver
	# SG | CSUM | TSO: all three, and ethtool -K can turn them off
	wait_true '[ -n "$(iface_of un_f7)" ]'
	run ethtool -k "$(iface_of un_f7)"
	assert_line "scatter-gather: on"
	assert_line "tx-checksumming: on"
	assert_line "	tx-checksum-ipv4: on"
	assert_line "	tx-checksum-ipv6: on"
	assert_line "tcp-segmentation-offload: on"
	assert_line "	tx-tcp6-segmentation: on"
	ethtool -K "$(iface_of un_f7)" tso off sg off
	run ethtool -k "$(iface_of un_f7)"
	assert_line "scatter-gather: off"
	assert_line "tcp-segmentation-offload: off"
	# SG | CSUM: no TSO
	run ethtool -k "$(iface_of un_f3)"
	assert_line "scatter-gather: on"
	assert_line "	tx-tcp-segmentation: off [fixed]"
	# CSUM | TSO without SG: TSO needs SG
	run ethtool -k "$(iface_of un_f6)"
	assert_line "tx-checksumming: on"
	assert_line "	tx-scatter-gather: off [fixed]"
	assert_line "	tx-tcp-segmentation: off [fixed]"
	# SG | TSO without CSUM: nothing (both need a checksum offload)
	run ethtool -k "$(iface_of un_f5)"
	assert_line "	tx-checksum-ipv4: off [fixed]"
	assert_line "	tx-scatter-gather: off [fixed]"
	assert_line "	tx-tcp-segmentation: off [fixed]"
}

# --- up and down ----------------------------------------------------------

@test "up programs rings, frame size, interrupts and hands over RX buffers; down undoes it all" {
	new_nic
	load_driver
	IF=$(iface_of)
	local idle
	idle=$(dma_maps)
	[ "$idle" -eq 0 ] || fail "$idle DMA mappings while down"
	bring_up
	assert_reg $CTRL 3
	assert_reg $IMR 0xf
	# RX and TX auto-masked by their MSI: NAPI unmasks, never reads ICR
	assert_reg $IAM 3
	assert_reg $MAX_FRAME 1518
	assert_reg $TX_LEN $TXN
	assert_reg $RX_LEN $RXN
	assert_reg $TX_TAIL 0
	# all RX descriptors but one handed over: HEAD == TAIL means empty
	assert_reg $RX_TAIL $RX_LAST
	local tb rb
	tb=$(rd $TX_BASE 8) rb=$(rd $RX_BASE 8)
	[ $((tb)) -ne 0 ] && [ $((tb & 15)) -eq 0 ] || fail "TX_BASE $tb"
	[ $((rb)) -ne 0 ] && [ $((rb & 15)) -eq 0 ] || fail "RX_BASE $rb"
	# the two rings and the RX buffers
	[ "$(dma_maps)" -eq $MAPS ] || fail "$(dma_maps) DMA mappings, want $MAPS"
	desc rx 0
	[ $D_LEN -eq 1518 ] && [ $D_FLAGS -eq 1 ] && [ $D_STATUS -eq 0 ] && [ $D_ADDR -ne 0 ] ||
		fail "RX descriptor 0: addr $D_ADDR len $D_LEN flags $D_FLAGS status $D_STATUS"
	desc rx $RX_LAST
	[ $D_ADDR -eq 0 ] || fail "RX descriptor $RX_LAST handed over"
	grep -q " $IF-rx\$" /proc/interrupts
	grep -q " $IF-tx\$" /proc/interrupts
	grep -q " $IF-other\$" /proc/interrupts

	ip link set "$IF" down
	assert_reg $CTRL 0
	assert_reg $IMR 0
	[ "$(dma_maps)" -eq 0 ] || fail "$(dma_maps) DMA mappings after down"
	run grep -c " $IF-" /proc/interrupts
	assert_output 0
	# and again
	ip link set "$IF" up
	assert_reg $CTRL 3
	[ "$(dma_maps)" -eq $MAPS ]
}

@test "link: STATUS read at open; the LINK interrupt (vector 2) sets the carrier both ways" {
	new_nic
	load_driver
	LINK=1 bring_up
	run cat "/sys/class/net/$IF/carrier"
	assert_output 1
	wait_klog "$IF: link up"
	run ethtool "$IF"
	assert_line --partial "Link detected: yes"
	assert_line --partial "Duplex: Full"
	assert_line --partial "Speed: Unknown!"

	wr $ICR 0
	wr $STATUS 0
	msi 2
	wait_for grep -qx 0 "/sys/class/net/$IF/carrier"
	wait_klog "$IF: link down"
	# the handler acked LINK and ERROR
	assert_reg $ICR 0xc
	run ethtool "$IF"
	assert_line --partial "Link detected: no"

	wr $STATUS 1
	msi 2
	wait_for grep -qx 1 "/sys/class/net/$IF/carrier"
	run ip link show "$IF"
	assert_output --partial "state UP"
}

@test "link: a STATUS change with no interrupt is found by the watchdog" {
	new_nic
	load_driver
	LINK=0 bring_up
	run cat "/sys/class/net/$IF/carrier"
	assert_output 0
	wr $STATUS 1
	wait_for grep -qx 1 "/sys/class/net/$IF/carrier"
}

# --- RX --------------------------------------------------------------------

@test "RX: a frame the device writes reaches the stack intact; the buffer is replaced and RX unmasked" {
	new_nic
	load_driver
	LINK=1 bring_up
	local f
	f=$(frame "$MAC" "$PEER" 100)
	capture "$BATS_TEST_TMPDIR/rx"
	# as the device's MSI does (IAM): RX acked and masked
	wr $ICR 0
	wr $IMR 0xe
	rx_deliver 0 "$f"
	wait_for test -e "$BATS_TEST_TMPDIR/rx"
	run cat "$BATS_TEST_TMPDIR/rx"
	assert_output "$f"
	[ "$(stat_of rx_packets)" -eq 1 ]
	[ "$(stat_of rx_bytes)" -eq 100 ]
	[ "$(stat_of rx_errors)" -eq 0 ]
	# NAPI unmasked RX and TX once done (a posted write, no ICR access),
	# and handed the last slot over
	wait_reg $IMR 0xf
	assert_reg $ICR 0
	assert_reg $RX_TAIL 0
	desc rx $RX_LAST
	[ $D_ADDR -ne 0 ] && [ $D_STATUS -eq 0 ] || fail "slot $RX_LAST not refilled"
	# the next slot works too, and a 14-byte frame is the shortest
	rx_deliver 1 "$(frame "$MAC" "$PEER" 14)"
	wait_true '[ "$(stat_of rx_packets)" -eq 2 ]'
	[ "$(dma_maps)" -eq $MAPS ]
}

@test "RX: frames of the boundary lengths from 14 to the MTU + 18, in one burst and one interrupt" {
	new_nic
	load_driver
	LINK=1 bring_up
	local i len total=0
	i=0
	for len in 14 59 60 61 127 128 129 1500 1517 1518; do
		desc rx $i
		dmaw $D_ADDR "$(frame "$MAC" "$PEER" $len)"
		dmaw $((D_AT + 8)) "$(le16hex $len)"
		dmaw $((D_AT + 12)) "$(le16hex 1)"
		total=$((total + len))
		i=$((i + 1))
	done
	msi 0
	wait_true '[ "$(stat_of rx_packets)" -eq $i ]'
	[ "$(stat_of rx_bytes)" -eq $total ]
	[ "$(stat_of rx_errors)" -eq 0 ]
	assert_reg $RX_TAIL $(((RX_LAST + i) & RX_LAST))
}

@test "RX: an error status, a length under 14 or over the buffer are counted, dropped, never passed up" {
	new_nic
	load_driver
	LINK=1 bring_up
	local f
	f=$(frame "$MAC" "$PEER" 64)
	rx_deliver 0 "$f" 0x5		# DONE | ERR_LEN
	rx_deliver 1 "$f" 0x3		# DONE | ERR_ADDR
	rx_deliver 2 "$f" 1 13		# too short for a header
	rx_deliver 3 "$f" 1 1519	# longer than the 1518-byte buffer
	rx_deliver 4 "$f" 1 65535
	rx_deliver 5 "$f"		# and the next good one gets through
	wait_true '[ "$(stat_of rx_packets)" -eq 1 ]'
	[ "$(stat_of rx_errors)" -eq 5 ]
	[ "$(stat_of rx_length_errors)" -eq 3 ]
	[ "$(estat rx_desc_errors)" -eq 2 ]
	[ "$(estat rx_length_errors)" -eq 3 ]
	klog_has "$IF: RX descriptor 0 failed: status 0x0005"
	klog_has "$IF: RX descriptor 3: bad length 1519 (buffer 1518)"
	# the dropped frames' buffers stay mapped in their slots and go back
	[ "$(dma_maps)" -eq $MAPS ]
	assert_reg $RX_TAIL 5
}

@test "RX: a DONE in a descriptor the driver did not hand over is ignored" {
	new_nic
	load_driver
	LINK=1 bring_up
	# the last slot is the one the driver keeps back
	desc rx $RX_LAST
	[ $D_ADDR -eq 0 ]
	dmaw $((D_AT + 8)) "$(le16hex 60)"
	dmaw $((D_AT + 12)) "$(le16hex 1)"
	# and slot 1 done before slot 0: NAPI stops at 0
	desc rx 1
	dmaw $D_ADDR "$(frame "$MAC" "$PEER" 60)"
	dmaw $((D_AT + 8)) "$(le16hex 60)"
	dmaw $((D_AT + 12)) "$(le16hex 1)"
	msi 0
	nap 1
	[ "$(stat_of rx_packets)" -eq 0 ]
	rx_deliver 0 "$(frame "$MAC" "$PEER" 60)"
	wait_true '[ "$(stat_of rx_packets)" -eq 2 ]'
}

# --- TX --------------------------------------------------------------------

@test "TX: a frame sent is in the descriptor intact (padded to 60); DONE and the TX MSI complete it" {
	new_nic
	load_driver
	LINK=1 bring_up
	local f base
	f=$(frame ff:ff:ff:ff:ff:ff "$MAC" 42)
	base=$(dma_maps)
	send "$f"
	wait_reg $TX_TAIL 1
	desc tx 0
	[ $D_LEN -eq 60 ] && [ $D_FLAGS -eq 1 ] && [ $D_STATUS -eq 0 ] ||
		fail "TX descriptor 0: len $D_LEN flags $D_FLAGS status $D_STATUS"
	run dmar $D_ADDR 60
	assert_output "$(echo "$f$(printf '0%.0s' $(seq 36))" | sed 's/../& /g; s/ $//')"
	[ "$(dma_maps)" -eq $((base + 1)) ]

	# as the device's MSI does (IAM): TX acked and masked
	wr $ICR 0
	wr $IMR 0xd
	tx_done 0
	msi 1
	wait_true '[ "$(stat_of tx_packets)" -eq 1 ]'
	[ "$(stat_of tx_bytes)" -eq 60 ]
	[ "$(stat_of tx_errors)" -eq 0 ]
	[ "$(dma_maps)" -eq "$base" ]
	wait_reg $IMR 0xf
	assert_reg $ICR 0

	# the largest frames: 1514 bytes, and 1518 with a VLAN tag
	send "$(frame ff:ff:ff:ff:ff:ff "$MAC" 1514)" "$(frame ff:ff:ff:ff:ff:ff "$MAC" 1518 8100)"
	wait_reg $TX_TAIL 3
	desc tx 1
	[ $D_LEN -eq 1514 ]
	desc tx 2
	[ $D_LEN -eq 1518 ]
	tx_done 1
	tx_done 2
	msi 1
	wait_true '[ "$(stat_of tx_packets)" -eq 3 ]'
}

@test "TX: with CSUM, a UDP datagram's descriptor asks the device for the checksum" {
	new_nic
	wr $VERSION 0x00010002
	wr $FEATURES 7
	load_driver
	LINK=1 bring_up
	tx_warmup
	ip addr add 192.0.2.1/24 dev "$IF"
	ip neigh replace 192.0.2.2 lladdr "$PEER" dev "$IF"
	# 7 bytes of UDP payload: a 49-byte frame, padded to 60 by the driver
	echo uvnic1 > /dev/udp/192.0.2.2/9
	wait_reg $TX_TAIL 2
	desc tx 1
	# IRQ | CSUM, one descriptor, mss 0
	[ $D_LEN -eq 60 ] && [ $D_FLAGS -eq 5 ] && [ $D_STATUS -eq 0 ] ||
		fail "TX descriptor 1: len $D_LEN flags $D_FLAGS status $D_STATUS"
	run dmar $((D_AT + 14)) 2
	assert_output "00 00"
	# the frame: UDP to port 9, its payload (the checksum is the device's)
	run dmar $((D_ADDR + 34)) 15
	assert_output --regexp '^.. .. 00 09 00 0f .. .. 75 76 6e 69 63 31 0a$'
	[ "$(estat tx_csum_offload)" -eq 1 ]
	tx_done 1
	msi 1
	wait_true '[ "$(stat_of tx_packets)" -eq 2 ]'
}

@test "TX: an error status is counted as a TX error and the buffer unmapped" {
	new_nic
	load_driver
	LINK=1 bring_up
	local base
	tx_warmup
	base=$(dma_maps)
	send "$(frame ff:ff:ff:ff:ff:ff "$MAC" 100)" "$(frame ff:ff:ff:ff:ff:ff "$MAC" 100)"
	wait_reg $TX_TAIL 3
	tx_done 1 0x3
	tx_done 2 0x5
	msi 1
	wait_true '[ "$(stat_of tx_errors)" -eq 2 ]'
	[ "$(stat_of tx_packets)" -eq 1 ]
	[ "$(estat tx_desc_errors)" -eq 2 ]
	[ "$(dma_maps)" -eq "$base" ]
	klog_has "$IF: TX descriptor 1 failed: status 0x0003"
}

@test "TX: a full ring stops the queue; completions wake it and the rest goes out" {
	new_nic
	load_driver
	IF=$(iface_of)
	ethtool -G "$IF" tx 8
	LINK=1 bring_up
	tx_warmup
	local frames=() i
	for i in $(seq 10); do
		frames+=("$(frame ff:ff:ff:ff:ff:ff "$MAC" $((60 + i)))")
	done
	send "${frames[@]}"
	# descriptors 1..7: 7 of 8 with the device, the ring is full
	wait_reg $TX_TAIL 0
	[ "$(estat tx_queue_stops)" -ge 1 ]
	for i in $(seq 1 7); do
		tx_done $i
	done
	msi 1
	# the queue woke and the 3 frames left in the qdisc followed
	wait_reg $TX_TAIL 3
	[ "$(stat_of tx_packets)" -eq 8 ]
	[ "$(estat tx_queue_restarts)" -ge 1 ]
	for i in 0 1 2; do
		tx_done $i
	done
	msi 1
	wait_true '[ "$(stat_of tx_packets)" -eq 11 ]'
	desc tx 2
	[ $D_LEN -eq 70 ]
}

# --- configuration -----------------------------------------------------------

@test "MTU: 68 to 9000; MAX_FRAME and the RX buffers follow, also while up" {
	new_nic
	load_driver
	IF=$(iface_of)
	run ip link set "$IF" mtu 67
	assert_failure
	run ip link set "$IF" mtu 9001
	assert_failure
	ip link set "$IF" mtu 68
	LINK=1 bring_up
	assert_reg $MAX_FRAME 86
	ip link set "$IF" mtu 9000
	assert_reg $MAX_FRAME 9018
	assert_reg $CTRL 3
	desc rx 0
	[ $D_LEN -eq 9018 ]
	# a jumbo frame in, and out
	rx_deliver 0 "$(frame "$MAC" "$PEER" 9018)"
	wait_true '[ "$(stat_of rx_packets)" -eq 1 ]'
	send "$(frame ff:ff:ff:ff:ff:ff "$MAC" 9018 8100)"
	wait_reg $TX_TAIL 1
	desc tx 0
	[ $D_LEN -eq 9018 ]
	tx_done 0
	msi 1
	wait_true '[ "$(stat_of tx_packets)" -eq 1 ]'
	ip link set "$IF" mtu 1500
	assert_reg $MAX_FRAME 1518
	[ "$(dma_maps)" -eq $MAPS ]
}

@test "ethtool -G: ring sizes rounded up to powers of two, 8 to 4096, applied while up" {
	new_nic
	load_driver
	bring_up
	ethtool -G "$IF" rx 100 tx 1
	run ethtool -g "$IF"
	assert_success
	assert_output --regexp 'Current hardware settings:.*RX:[[:space:]]+128.*TX:[[:space:]]+8'
	assert_reg $RX_LEN 128
	assert_reg $TX_LEN 8
	assert_reg $RX_TAIL 127
	run ethtool -G "$IF" rx 8192
	assert_failure
	ethtool -G "$IF" rx 4096 tx 4096
	assert_reg $RX_LEN 4096
	assert_reg $TX_LEN 4096
}

@test "ethtool -S: the device's counters and the driver's; ip -s agrees" {
	new_nic
	load_driver
	LINK=1 bring_up
	# the device's counters are its registers, read live
	wr 0x100 1234 8
	wr 0x138 0x100000000 8
	wr 0x120 7 8
	run ethtool -S "$IF"
	assert_success
	assert_line --regexp '^ +dev_rx_packets: 1234$'
	assert_line --regexp '^ +dev_dma_errors: 4294967296$'
	for k in dev_rx_bytes dev_tx_packets dev_tx_bytes dev_rx_no_desc dev_rx_errors \
		dev_tx_errors rx_packets rx_bytes rx_desc_errors rx_length_errors \
		rx_alloc_failed rx_map_failed tx_packets tx_bytes tx_desc_errors \
		tx_dropped tx_busy tx_queue_stops tx_queue_restarts tx_tso tx_csum_offload \
		tx_linearized resets not_responding; do
		assert_line --regexp "^ +$k: [0-9]+\$"
	done
	rx_deliver 0 "$(frame "$MAC" "$PEER" 77)"
	wait_true '[ "$(estat rx_packets)" -eq 1 ]'
	[ "$(estat rx_bytes)" -eq 77 ]
	# RX_NO_DESC becomes rx_missed_errors (read by the watchdog)
	wait_true '[ "$(stat_of rx_missed_errors)" -eq 7 ]'
}

@test "a device that lost its configuration (CTRL rings off) is reset and reprogrammed" {
	new_nic
	load_driver
	LINK=1 bring_up
	wr $CTRL 0
	wr $RX_TAIL 0
	wait_klog "$IF: device lost its configuration (CTRL 0"
	wait_reg $CTRL 3
	wait_reg $RX_TAIL $RX_LAST
	wait_true '[ "$(estat resets)" -eq 1 ]'
	run cat "/sys/class/net/$IF/carrier"
	assert_output 1
	rx_deliver 0 "$(frame "$MAC" "$PEER" 60)"
	wait_true '[ "$(stat_of rx_packets)" -eq 1 ]'
}

# --- teardown in every order -----------------------------------------------------

@test "rmmod while up with frames in flight: everything unmapped and freed" {
	new_nic
	load_driver
	LINK=1 bring_up
	send "$(frame ff:ff:ff:ff:ff:ff "$MAC" 100)"
	wait_reg $TX_TAIL 1
	rmmod uvnic
	[ -z "$(iface_of)" ]
	[ "$(dma_maps)" -eq 0 ]
	run grep -c " $IF-" /proc/interrupts
	assert_output 0
	assert_reg $CTRL 0x80000000
	# and it binds again
	load_driver
	[ -n "$(iface_of)" ]
}

@test "device destroyed under the bound driver, up: remove() runs, the interface goes" {
	new_nic
	load_driver
	LINK=1 bring_up
	send "$(frame ff:ff:ff:ff:ff:ff "$MAC" 100)"
	wait_reg $TX_TAIL 1
	uvpci-create destroy "$NIC"
	[ ! -e "/sys/class/net/$IF" ]
	[ -d /sys/module/uvnic ]
}

@test "dead device (model gone): carrier off, logged once; down, rmmod and destroy do not hang" {
	new_nic
	load_driver
	LINK=1 bring_up
	run cat "/sys/class/net/$IF/carrier"
	assert_output 1
	# a model attaches, then dies: from then on the device reads all-ones
	local ready=$BATS_TEST_TMPDIR/model.ready
	uvpci-model model "$NIC" --ready "$ready" > /dev/null 2>&1 3>&- &
	pids+=("$!")
	wait_for test -e "$ready"
	kill -9 "${pids[-1]}"
	wait "${pids[-1]}" 2>/dev/null || true
	wait_klog "$IF: device not responding (registers read all-ones)"
	wait_for grep -qx 0 "/sys/class/net/$IF/carrier"
	[ "$(estat not_responding)" -eq 1 ]
	# the device's counters read all-ones, as on a surprise-removed card
	[ "$(estat dev_rx_packets)" = 18446744073709551615 ]
	# TX still accepted (and held) without a crash
	send "$(frame ff:ff:ff:ff:ff:ff "$MAC" 100)" || true
	nap 3
	run grep -c "device not responding" <(klog)
	assert_output 1
	SECONDS=0
	ip link set "$IF" down
	ip link set "$IF" up
	ethtool -G "$IF" rx 64
	rmmod uvnic
	uvpci-create destroy "$NIC"
	[ "$SECONDS" -lt 10 ] || fail "teardown of a dead device took ${SECONDS}s"
}

@test "dead device at rmmod time with the interface down, and probe of a dead device" {
	new_nic
	load_driver
	IF=$(iface_of)
	local ready=$BATS_TEST_TMPDIR/model.ready
	uvpci-model model "$NIC" --ready "$ready" > /dev/null 2>&1 3>&- &
	pids+=("$!")
	wait_for test -e "$ready"
	kill -9 "${pids[-1]}"
	wait "${pids[-1]}" 2>/dev/null || true
	rmmod uvnic
	[ -z "$(iface_of)" ]
	# a dead device does not bind
	insmod "$UVNIC_TOP/kernel/uvnic.ko"
	wait_klog "uvnic $NIC: device not responding (ID reads all-ones)"
	[ -z "$(iface_of)" ]
}
