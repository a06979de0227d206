#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The uvpci and uvbus tracepoints (kernel/uvpci_trace.h, uvbus_trace.h)
# and uvpci-trace(1), as root in the uvnic-vm guest: every event type
# appears, with the right fields, for a transaction planted with the CLIs
# (uvpci-poke, uvpci-peek, uvdma-inject, uvmsi-fire, uvpci_sample.ko, a
# stalled and a killed model, a scribbled ring); trace-cmd records a
# uvNIC ping through uvnic.ko and uvnic-bridge and counts as many MMIO
# writes as the model served; uvpci-trace prints the same run one decoded
# line per transaction, with the uvNIC's register names, and reads its
# record back to the same lines. Devices here are named tr*; teardown
# removes them, the tracefs instances and the network.
#
#   bin/uvnic-vm -- bats t/kernel/uvpci-trace.bats

bats_require_minimum_version 1.5.0

TRACEFS=/sys/kernel/tracing
UVPCI_EVENTS=(uvpci_mmio_read uvpci_mmio_write uvpci_cfg_read uvpci_cfg_write
	uvpci_dma_request uvpci_msi_fire uvpci_intx_set uvpci_irq_deliver
	uvpci_dma_map uvpci_dma_unmap)
UVBUS_EVENTS=(uvbus_channel_create uvbus_channel_destroy uvbus_port_attach
	uvbus_port_detach uvbus_channel_broken)
# The ping test's network: the uvNIC's wire is one end of a veth pair,
# the other is in a namespace.
WIRE=trw0
PEER=trp0
FAR=tr-far
NEAR4=192.0.2.1
FAR4=192.0.2.2

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	guest_setup uvpci-echo-model uvbus-abi
	dev="tr$BATS_TEST_NUMBER"
	models=()
	inst=
	[ -d "$TRACEFS/events" ] || mount -t tracefs nodev "$TRACEFS"
	klog_mark
}

teardown() {
	local d
	[ -z "${tracecmd_on:-}" ] || trace-cmd reset >/dev/null 2>&1 || true
	[ -z "${trace_pid:-}" ] || { kill "$trace_pid" 2>/dev/null; wait "$trace_pid" || true; }
	uvnic_teardown
	[ ! -d /sys/module/uvnic ] || rmmod uvnic || true
	ip netns del "$FAR" 2>/dev/null || true
	ip link del "$WIRE" 2>/dev/null || true
	[ -z "$inst" ] || rmdir "$inst" 2>/dev/null || true
	guest_teardown 'tr*'
	for d in "$TRACEFS"/instances/uvpci-trace-*; do
		[ ! -e "$d" ] || fail "uvpci-trace left its instance $d behind"
	done
	klog_assert_clean
}

# --- helpers ----------------------------------------------------------

# trace_begin NAME: a tracefs instance of the test's own, every uvpci and
# uvbus event on in it, filtered on device NAME (as uvpci-trace does it,
# but by hand: the tracefs interface is what is tested).
trace_begin() {
	inst=$TRACEFS/instances/bats-trace-$BATS_TEST_NUMBER
	mkdir "$inst"
	echo "dev == \"$1\"" >"$inst/events/uvpci/filter"
	echo "dev == \"$1\"" >"$inst/events/uvbus/filter"
	echo 1 >"$inst/events/uvpci/enable"
	echo 1 >"$inst/events/uvbus/enable"
}

# The events recorded so far, without the header.
trace_lines() {
	grep -v '^#' "$inst/trace"
}

# trace_has EVENT PATTERN: an EVENT line whose fields match the extended
# regex PATTERN.
trace_has() {
	trace_lines | grep -E -- " $1: .*$2" >/dev/null ||
		fail "no $1 event matching '$2' in the trace:
$(trace_lines)"
}

# start_trace NAME [OPTION...]: uvpci-trace NAME in the background, its
# output in $BATS_TEST_TMPDIR/live, recording to $BATS_TEST_TMPDIR/rec;
# returns once it records.
start_trace() {
	local t=$BATS_TEST_TMPDIR
	uvpci-trace "$1" -w "$t/rec" --ready "$t/ready" "${@:2}" >"$t/live" 2>"$t/live.err" 3>&- &
	trace_pid=$!
	wait_until "test -e '$t/ready'" || fail "uvpci-trace did not start: $(cat "$t/live.err")"
}

# end_trace: wait for uvpci-trace to end by itself (its device destroyed)
# and check that it exited 0.
end_trace() {
	local rc=0
	wait "$trace_pid" || rc=$?
	trace_pid=
	[ "$rc" = 0 ] || fail "uvpci-trace exited $rc: $(cat "$BATS_TEST_TMPDIR/live.err")"
}

live_has() {
	grep -E -- "$1" "$BATS_TEST_TMPDIR/live" >/dev/null ||
		fail "uvpci-trace printed no line matching '$1':
$(cat "$BATS_TEST_TMPDIR/live")"
}

# irq_of DEV CHIP [HWIRQ]: the Linux IRQ of DEV's handlers on irq_chip
# CHIP (uvpci-MSI, uvpci-INTx) whose hardware IRQ (the MSI vector) is
# HWIRQ (INTx has none).
irq_of() {
	local d a
	for d in /sys/kernel/irq/*; do
		read -r a <"$d/actions" 2>/dev/null || continue
		[ "$a" = "$1" ] && [ "$(cat "$d/chip_name")" = "$2" ] &&
			[ "$(cat "$d/hwirq")" = "${3:-}" ] && { echo "${d##*/}"; return 0; }
	done
	fail "no IRQ of $1 on $2 with hwirq ${3:-(none)}"
}

sample_load() {
	[ -d /sys/module/uvpci_sample ] || insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" "$@"
}

# --- tests ------------------------------------------------------------

@test "every event is in tracefs, and trace-cmd lists them" {
	local e
	for e in "${UVPCI_EVENTS[@]}"; do
		[ -f "$TRACEFS/events/uvpci/$e/format" ] || fail "no uvpci event $e"
	done
	for e in "${UVBUS_EVENTS[@]}"; do
		[ -f "$TRACEFS/events/uvbus/$e/format" ] || fail "no uvbus event $e"
	done
	# Off unless someone traces: nobody enabled them.
	run cat "$TRACEFS/events/uvpci/enable" "$TRACEFS/events/uvbus/enable"
	assert_output "$(printf '0\n0')"
	command -v trace-cmd >/dev/null || fail "trace-cmd not found (run: contrib/install-deps check)"
	run trace-cmd list -e uvpci
	assert_success
	for e in "${UVPCI_EVENTS[@]}"; do
		assert_line "uvpci:$e"
	done
	run trace-cmd list -e uvbus
	assert_success
	for e in "${UVBUS_EVENTS[@]}"; do
		assert_line "uvbus:$e"
	done
}

@test "each transaction planted from a shell is its event, fields and all" {
	local buf irq
	trace_begin "$dev"
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 4
	start_trace "$dev"
	uvpci-poke "$dev" 0:0x8.l=0x5a
	uvpci-peek "$dev" 0:0x8.l
	sample_load
	buf=$(printf '0x%x' "$(uvpci-peek "$dev" 0:0x10.q)")
	uvdma-inject "$dev" "$buf" --hex deadbeef
	run uvdma-inject "$dev" 0x1000 --hex 00
	assert_failure
	irq=$(irq_of "$dev" uvpci-MSI 1)
	uvmsi-fire "$dev" 1
	wait_klog "$dev: irq vector 1: dma buffer starts with de ad be ef"
	rmmod uvpci_sample
	uvbus-ctl destroy "$dev"
	end_trace

	trace_has uvbus_channel_create "dev=$dev type=uvpci flags=0x0"
	trace_has uvpci_mmio_write "dev=$dev bar=0 off=0x8 size=4 value=0x5a lat_ns=[0-9]+ status=regfile"
	trace_has uvpci_mmio_read "dev=$dev bar=0 off=0x8 size=4 value=0x5a lat_ns=[0-9]+ status=regfile"
	# the driver's probe: config space (memory on), its mappings, MSI on
	trace_has uvpci_cfg_read "dev=$dev off=0x0 size=2 value=0x5556 status=ok"
	trace_has uvpci_cfg_write "dev=$dev off=0x4 size=2 value=0x[0-9a-f]*[2367] status=ok"
	trace_has uvpci_dma_map "dev=$dev addr=$buf size=4096 dir=bidirectional coherent=1"
	trace_has uvpci_dma_map "size=64 dir=to-device coherent=0"
	trace_has uvpci_mmio_write "dev=$dev bar=0 off=0x10 size=8 value=$buf "
	trace_has uvbus_port_attach "dev=$dev port=[0-9]+ entries=[0-9]+ flags=0x0"
	trace_has uvpci_dma_request "dev=$dev dir=write addr=$buf len=4 ndw=1 be=0xf/0x0 err=0 status=ok why=$"
	trace_has uvpci_dma_request "dev=$dev dir=write addr=0x1000 len=1 ndw=1 be=0x1/0x0 err=-14 status=refused why=not inside one live mapping"
	trace_has uvpci_msi_fire "dev=$dev vector=1 err=0 status=ok"
	trace_has uvpci_irq_deliver "dev=$dev kind=msi vector=1 irq=$irq$"
	trace_has uvpci_dma_unmap "dev=$dev addr=$buf size=4096 dir=bidirectional coherent=1 status=ok"
	trace_has uvbus_port_detach "dev=$dev port=[0-9]+"
	trace_has uvbus_channel_destroy "dev=$dev$"

	# uvpci-trace saw the same, in words, and ended with the device.
	live_has " write 0:0x8\.l = 0x0000005a \(regfile\)$"
	live_has " read 0:0x8\.l = 0x0000005a in [0-9]+ ns \(regfile\)$"
	live_has "^[0-9.]+ [^ ]+-[0-9]+ cfg-write 0x04\.w COMMAND = "
	live_has " map $buf \+4096 bidirectional coherent$"
	live_has " dma-write $buf \+4 \(1 dw\)$"
	live_has " dma-write 0x1000 \+1 \(1 dw\) \(refused: not inside one live mapping\)$"
	live_has "^[0-9.]+ [^ ]+-[0-9]+ msi 1$"
	live_has " deliver msi 1 irq $irq$"
	live_has "^[0-9.]+ [^ ]+-[0-9]+ unmap $buf \+4096 bidirectional coherent$"
	run tail -n 1 "$BATS_TEST_TMPDIR/live"
	assert_output --regexp "^[0-9.]+ [^ ]+-[0-9]+ destroy$"
	# As many lines as events, and its record reads back to the same lines.
	[ "$(wc -l <"$BATS_TEST_TMPDIR/live")" -eq "$(($(trace_lines | grep -vc uvbus_channel_create)))" ] ||
		fail "uvpci-trace printed $(wc -l <"$BATS_TEST_TMPDIR/live") lines for these events: $(trace_lines)"
	run uvpci-trace -r "$BATS_TEST_TMPDIR/rec"
	assert_success
	assert_output "$(cat "$BATS_TEST_TMPDIR/live")"
}

@test "an MMIO read's status: ok, timed-out at a stalled model, removed once it is gone" {
	local ready=$BATS_TEST_TMPDIR/model.ready pid
	trace_begin "$dev"
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0002 --bar 0:4096 --timeout-us 200000
	uvpci-echo-model "$dev" --ready "$ready" --stall 0x40 >"$BATS_TEST_TMPDIR/model.log" 2>&1 3>&- &
	pid=$!
	models+=("$pid")
	wait_true "test -e '$ready'"
	uvpci-poke "$dev" 0:0x8.l=7
	run uvpci-peek "$dev" 0:0x8.l
	assert_output 0x00000007
	run uvpci-peek "$dev" 0:0x40.l
	assert_output 0xffffffff
	kill -9 "$pid"
	wait "$pid" || true
	wait_until "! uvnic_model_attached $dev"
	uvpci-peek "$dev" 0:0x8.l
	uvpci-poke "$dev" 0:0x8.l=8

	trace_has uvbus_port_attach "dev=$dev port=[0-9]+ entries=[0-9]+ flags=0x1"
	trace_has uvpci_mmio_write "off=0x8 size=4 value=0x7 lat_ns=[0-9]+ status=ok"
	trace_has uvpci_mmio_read "off=0x8 size=4 value=0x7 lat_ns=[1-9][0-9]* status=ok"
	# The wait is the device's timeout at least (its clock counts time the
	# model had to answer; the wall clock runs at least as fast).
	trace_has uvpci_mmio_read "off=0x40 size=4 value=0xffffffff lat_ns=([2-9][0-9]{8}|[0-9]{10,}) status=timed-out"
	trace_has uvpci_mmio_read "off=0x8 size=4 value=0xffffffff lat_ns=[0-9]+ status=removed"
	trace_has uvpci_mmio_write "off=0x8 size=4 value=0x8 lat_ns=[0-9]+ status=removed"
}

@test "INTx: the level from the device and each run of the handler" {
	local irq
	trace_begin "$dev"
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 1 --intx
	sample_load intx=1
	irq=$(irq_of "$dev" uvpci-INTx)
	uvmsi-fire "$dev" --intx assert
	wait_until "trace_lines | grep -q 'uvpci_irq_deliver: dev=$dev kind=intx'"
	uvmsi-fire "$dev" --intx deassert
	trace_has uvpci_intx_set "dev=$dev level=1 err=0 status=ok"
	trace_has uvpci_irq_deliver "dev=$dev kind=intx vector=0 irq=$irq$"
	trace_has uvpci_intx_set "dev=$dev level=0 err=0 status=ok"
	rmmod uvpci_sample
	# An MSI the driver did not enable (it took INTx): refused, and why.
	run uvmsi-fire "$dev" 0
	assert_failure
	trace_has uvpci_msi_fire "dev=$dev vector=0 err=-1 status=refused why=MSI not enabled by the driver"
	uvbus-ctl destroy "$dev"
}

@test "a scribbled ring: uvbus_channel_broken says what was wrong" {
	trace_begin "$dev"
	uvbus-abi create "$dev"
	run uvbus-abi scribble "$dev" u2k-tail
	assert_success
	trace_has uvbus_channel_broken "dev=$dev why=u2k ring of port [0-9]+: tail 0x[0-9a-f]+ impossible"
	uvbus-abi destroy "$dev"
	trace_has uvbus_channel_destroy "dev=$dev$"
}

@test "trace-cmd records a uvNIC ping: as many MMIO writes as the model served; uvpci-trace decodes each" {
	local t=$BATS_TEST_TMPDIR map=$UVNIC_TOP/kernel/uapi/uvnic.regmap if writes model rc=0
	[ -f "$UVNIC_TOP/kernel/uvnic.ko" ] || fail "kernel/uvnic.ko is not built: make modules"
	command -v trace-cmd >/dev/null || fail "trace-cmd not found (run: contrib/install-deps check)"
	modprobe veth
	ip netns add "$FAR"
	ip link add "$WIRE" type veth peer name "$PEER"
	ip link set "$PEER" netns "$FAR"
	ip link set "$WIRE" up
	ip -n "$FAR" link set "$PEER" up
	ip -n "$FAR" addr add "$FAR4/24" dev "$PEER"

	uvnic_device_create "$dev" --vendor 0x5556 --device 0x0100 --class 0x020000 --bar 0:4096 --msi 3
	# trace-cmd start, stop and show: the events wait in the kernel's
	# buffer, and show prints them as text. (On a busy host trace-cmd
	# record, stopped with SIGINT, kept 15 of 45 writes, and extract's
	# raw pages 36 of 50: a CPU's last, partly filled page was lost.)
	# Only the two events counted: a buffer that wraps drops the oldest
	# events, and the driver's reads and the DMA chunks (more of them the
	# slower the machine: the driver polls) once wrapped a 1.4 MiB buffer
	# and left 7 of 53 writes. -b: 4 MiB a CPU, whatever the default.
	trace-cmd start -b 4096 -e uvpci:uvpci_mmio_write -f "dev == \"$dev\"" \
		-e uvpci:uvpci_msi_fire -f "dev == \"$dev\"" >"$t/trace-cmd.log" 2>&1 ||
		fail "trace-cmd start: $(cat "$t/trace-cmd.log")"
	tracecmd_on=1
	start_trace "$dev" --map "$map"
	uvnic_model_start "$dev" uvnic-bridge "$dev" "$WIRE"
	insmod "$UVNIC_TOP/kernel/uvnic.ko"
	wait_until "ls /sys/bus/uvpci/devices/$dev/net/ | grep -q ." || fail "uvnic.ko made no interface"
	if=$(ls "/sys/bus/uvpci/devices/$dev/net/")
	ip address add "$NEAR4/24" dev "$if"
	ip link set "$if" up
	wait_true "test \"\$(cat /sys/class/net/$if/carrier)\" = 1"
	wait_true "ping -c 1 -W 2 $FAR4"
	run ping -c 5 -i 0.2 -W 5 "$FAR4"
	assert_output --partial "5 packets transmitted, 5 received"
	rmmod uvnic
	# A read does not pass posted writes: once it is answered, the model
	# has served every write the driver made.
	uvpci-peek "$dev" 0:0.l
	uvnic_model_stop "$dev"
	trace-cmd stop >>"$t/trace-cmd.log" 2>&1 &&
		trace-cmd show >"$t/report" 2>>"$t/trace-cmd.log" || rc=$?
	trace-cmd reset >/dev/null 2>&1 || true
	tracecmd_on=
	[ "$rc" = 0 ] || fail "trace-cmd stop/show exited $rc: $(cat "$t/trace-cmd.log")"
	uvnic_device_destroy "$dev"
	end_trace

	model=$(awk '$1 == "mmio_writes:" { print $2 }' "$(uvnic_model_log "$dev")")
	[ -n "$model" ] && [ "$model" -gt 0 ] || fail "no mmio_writes counter: $(cat "$(uvnic_model_log "$dev")")"
	# Nothing was overwritten: as many entries in the buffer as written.
	grep -qE '^# entries-in-buffer/entries-written: ([0-9]+)/\1 ' "$t/report" ||
		fail "the trace buffer wrapped: $(grep -m 1 '^# entries' "$t/report")"
	writes=$(grep -c "uvpci_mmio_write: *dev=$dev .*status=ok" "$t/report" || true)
	[ "$writes" -eq "$model" ] ||
		fail "trace-cmd recorded $writes MMIO writes that reached the model, the model served $model
$(grep -m 3 '^#.*entries' "$t/report")
$(grep -c "uvpci_mmio_write:" "$t/report") writes in all; the first lines:
$(grep -v '^#' "$t/report" | head -n 5)"
	grep -q "uvpci_msi_fire: *dev=$dev vector=[0-9]* err=0 status=ok" "$t/report" ||
		fail "trace-cmd recorded no MSI: $(head -n 50 "$t/report")"

	# uvpci-trace, in the same run: the same count, every BAR access by
	# register name (the driver touches only registers of the map).
	run grep -cE '^[^ ]+ [^ ]+ write [A-Z][A-Z0-9_]*(\+[0-9]+)? = (0|0x[0-9a-f]+)( [A-Z0-9_]+=[0-9a-fx]+)*$' "$t/live"
	[ "$output" = "$model" ] || fail "uvpci-trace printed $output decoded writes, the model served $model:
$(grep ' write ' "$t/live")"
	run grep -E '^[^ ]+ [^ ]+ (read|write) [0-9]' "$t/live"
	assert_output ''
	live_has " write CTRL = 0x[0-9a-f]+ .*RX_EN=1"
	live_has " write TX_TAIL = "
	live_has " read ID = 0x55564e43 in [0-9]+ ns$"
	live_has " deliver msi [0-9] irq [0-9]+$"
	run uvpci-trace -r "$t/rec" --map "$map"
	assert_success
	assert_output "$(cat "$t/live")"
}
