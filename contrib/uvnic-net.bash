# SPDX-License-Identifier: GPL-2.0-or-later
# contrib/uvnic-net.bash - sourced (bash) by contrib/demo and
# t/bench/uvnic-bench: put the uvNIC reference NIC on one end of a veth
# pair whose other end is in a network namespace, in steps:
#
#   netns NS                   root namespace
#   PEER FAR ---------- WIRE <- uvnic-bridge DEV WIRE -> uvnic.ko -> $UVNIC_IF NEAR
#
#   uvnic_net_wire WIRE PEER NS FAR/LEN   the veth pair, PEER in NS, up
#   uvnic_net_model DEV WIRE OUT ERR      uvPCI device DEV and its model
#                                         (uvnic-bridge, stdout to OUT, stderr
#                                         to ERR, pid in UVNIC_BRIDGE_PID),
#                                         once it answers with the uvNIC ID
#   uvnic_net_driver DEV                  uvnic.ko (probe reads the model's
#                                         ID, so the model comes first);
#                                         the interface in UVNIC_IF
#   uvnic_net_address IF NEAR/LEN         address, up, wait for the carrier
#
# Run as root (a uvnic-vm guest) from the top of the tree, with bin/ on
# PATH. Each step returns 1 with one line on stderr when it fails.

uvnic_net_err() {
	echo "uvnic-net: $*" >&2
	return 1
}

# uvnic_net_wait TENTHS COMMAND...: until COMMAND succeeds, or fail.
uvnic_net_wait() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

uvnic_net_wire() {
	modprobe veth 2>/dev/null || true
	ip link add "$1" type veth peer name "$2" ||
		uvnic_net_err "cannot create the veth pair $1/$2" || return
	ip netns add "$3" || uvnic_net_err "cannot create netns $3" || return
	ip link set "$2" netns "$3" &&
		ip -n "$3" addr add "$4" dev "$2" &&
		ip -n "$3" link set "$2" up &&
		ip -n "$3" link set lo up &&
		ip link set "$1" up ||
		uvnic_net_err "cannot configure $2 in netns $3"
}

uvnic_net_id_is_uvnic() {
	uvpci-peek "$1" 0:0.l 2>/dev/null | grep -qi 55564e43
}

uvnic_net_model() {
	uvbus-ctl create "$1" --vendor 0x5556 --device 0x0100 \
		--class 0x020000 --bar 0:4096 --msi 3 ||
		uvnic_net_err "cannot create the uvPCI device $1" || return
	uvnic-bridge "$1" "$2" >"$3" 2>"$4" &
	UVNIC_BRIDGE_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		uvnic_net_id_is_uvnic "$1" && return 0
		kill -0 "$UVNIC_BRIDGE_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$4" >&2
	uvnic_net_err "uvnic-bridge $1 $2 did not come up"
}

uvnic_net_if_of() {
	UVNIC_IF=$(ls "/sys/bus/uvpci/devices/$1/net/" 2>/dev/null | head -n 1)
	[ -n "$UVNIC_IF" ]
}

uvnic_net_driver() {
	[ -d /sys/module/uvnic ] || insmod kernel/uvnic.ko ||
		uvnic_net_err "cannot load kernel/uvnic.ko" || return
	uvnic_net_wait 100 uvnic_net_if_of "$1" ||
		uvnic_net_err "uvnic.ko made no interface for $1 (see dmesg)" || return
	uvnic_net_if_of "$1"
}

uvnic_net_address() {
	ip addr add "$2" dev "$1" && ip link set "$1" up ||
		uvnic_net_err "cannot configure $1" || return
	uvnic_net_wait 100 grep -qx 1 "/sys/class/net/$1/carrier" ||
		uvnic_net_err "$1 got no carrier"
}
