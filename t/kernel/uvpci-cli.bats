#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The uvPCI tools and libuvnic's device side, as root in the uvnic-vm
# guest: the shell bring-up a user writes (uvbus-ctl create, uvpci-poke,
# uvpci-peek, uvdma-inject, uvmsi-fire against uvpci_sample.ko), widths and
# masks, refusals with clear errors, and a device model written on
# lib/device/uvpci-device.h (t/helpers/uvpci-echo-model.c) serving the tools,
# doing DMA from its callbacks, dying mid-read. The bus itself, raw
# messages and the driver API are t/kernel/uvpci-core.bats's.
# Devices here are named uc* (and dev0, nic0, loop0 by the man pages'
# examples); teardown removes them.
#
#   bin/uvnic-vm -- bats t/kernel/uvpci-cli.bats

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	guest_setup uvpci-echo-model
	dev="uc$BATS_TEST_NUMBER"
	models=()
	klog_mark
}

teardown() {
	guest_teardown 'uc*' dev0 nic0 loop0
}

# --- helpers ----------------------------------------------------------

# Devices served by a model get 2 s to answer a read, not the default
# 50 ms: a host read that arrives while the model runs a DMA copy waits for
# it, and everything is slow under TCG.
MODEL_TIMEOUT_US=2000000

# The device the sample driver binds to, as its header comment creates it.
sample_dev() {
	uvbus-ctl create "$1" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 4 "${@:2}"
}

sample_load() {
	[ -d /sys/module/uvpci_sample ] ||
		insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" poll_ms=50
}

# Bus addresses the sample driver wrote into BAR0.
buf_addr() {
	uvpci-peek "$1" 0:0x10.q
}

tx_addr() {
	# shellcheck disable=SC2046
	printf '0x%x%08x' $(uvpci-peek "$1" 0:0x24 0:0x20)
}

# start_model NAME [OPTIONS]: uvpci-echo-model in the background, logging
# to $BATS_TEST_TMPDIR/NAME.log; returns once it is attached.
start_model() {
	local ready="$BATS_TEST_TMPDIR/$1.ready"
	rm -f "$ready"
	uvpci-echo-model "$1" --ready "$ready" "${@:2}" \
		>"$BATS_TEST_TMPDIR/$1.log" 2>&1 3>&- &
	model_pid=$!
	models+=("$model_pid")
	wait_for test -e "$ready"
}

# Hex of a string, as uvdma-inject --read prints it (up to 32 bytes).
hex_of() {
	printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
}

# --- the bring-up a user writes ----------------------------------------

@test "bring-up from a shell: create, load the driver, poke, peek, inject, fire" {
	run --separate-stderr uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 4
	assert_success
	assert_output ''
	sample_load
	wait_klog "uvpci_sample $dev: ready: 4 MSI vectors"

	# The driver polls STATUS and reports the change.
	run --separate-stderr uvpci-poke "$dev" 0:0x8.l=1
	assert_success
	assert_output ''
	wait_klog "uvpci_sample $dev: status 0x00000000 -> 0x00000001"

	# The bus address of its coherent buffer, as the driver wrote it.
	run --separate-stderr uvpci-peek "$dev" 0:0x10.q
	assert_success
	assert_output --regexp '^0x[0-9a-f]{16}$'
	local addr=$output
	klog | grep -q "coherent buffer at bus address $(printf '%#x' "$addr")," ||
		fail "peek says $addr; the driver logged: $(klog | grep ready)"

	run --separate-stderr uvdma-inject "$dev" "$addr" --hex deadbeef
	assert_success
	assert_output ''
	run --separate-stderr uvmsi-fire "$dev" 0
	assert_success
	assert_output ''
	wait_klog "uvpci_sample $dev: irq vector 0: dma buffer starts with de ad be ef"
	grep -qw "$dev" /proc/interrupts
}

@test "uvbus-ctl show prints a device's PCI parameters; the kernel's refusals are one line" {
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0002 --class 0x020000 \
		--subsystem 0x1af4:0x1100 --revision 3 --bar 0:0x1000 \
		--bar 2:0x100000:64:prefetch --bar 4:16 --msi 8 --timeout-us 20000
	run --separate-stderr uvbus-ctl show "$dev"
	assert_success
	assert_line 'type: uvpci'
	assert_line 'vendor: 0x5556'
	assert_line 'device: 0x0002'
	assert_line 'subsystem: 0x1af4:0x1100'
	assert_line 'class: 0x020000'
	assert_line 'revision: 0x03'
	assert_line 'msi: 8'
	assert_line 'timeout_us: 20000'
	assert_line 'bar0: 0x1000'
	assert_line 'bar2: 0x100000 64bit prefetch'
	assert_line 'bar4: 0x10'
	refute_line --regexp '^bar[135]:'
	[ "$(cat /sys/bus/uvpci/devices/"$dev"/class)" = 0x020000 ]
	[ "$(cat /sys/bus/uvpci/devices/"$dev"/timeout_us)" = 20000 ]

	# What only the kernel knows: a BAR above its limit, a name taken.
	run --separate-stderr uvbus-ctl create uc_big --vendor 1 --device 1 --bar 0:0x20000000
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "$stderr"
	[[ $stderr == "uvbus-ctl: create 'uc_big': Invalid argument"* ]] || fail "$stderr"
	run --separate-stderr uvbus-ctl create "$dev" --vendor 1 --device 1
	assert_failure 1
	assert_equal "$stderr" "uvbus-ctl: create '$dev': File exists"
}

# --- peek and poke ----------------------------------------------------

@test "widths .b .w .l .q round trip on the register file, zero-padded hex" {
	uvbus-ctl create "$dev" --vendor 0x1234 --device 1 --bar 0:4096 --bar 2:64:64
	uvpci-poke "$dev" 0:0x10.q=0x1122334455667788
	run --separate-stderr uvpci-peek "$dev" 0:0x10.q 0:0x10 0:0x14.l 0:0x10.w 0:0x16.W 0:0x10.b 0:0x17.B
	assert_success
	assert_output "$(printf '%s\n' 0x1122334455667788 0x55667788 0x11223344 0x7788 0x1122 0x88 0x11)"

	uvpci-poke "$dev" 0:0x20.b=5 0:0x22.w=0xbeef 0:0x24.l=0 0:0x28.q=0xffffffffffffffff 2:0x38.q=1 0:0xffc=0xcafe
	run --separate-stderr uvpci-peek "$dev" 0:0x20.b 0:0x20 0:0x22.w 0:0x24 0:0x28.q 2:0x38.q 0:0xffc
	assert_success
	assert_output "$(printf '%s\n' 0x05 0xbeef0005 0xbeef 0x00000000 0xffffffffffffffff 0x0000000000000001 0x0000cafe)"

	# In order: the last write to a register wins, narrow writes merge.
	uvpci-poke "$dev" 0:0x40=1 0:0x40=2 0:0x41.b=0xaa
	run uvpci-peek "$dev" 0:0x40
	assert_output 0x0000aa02
}

@test "read-modify-write with a mask changes only the mask's bits" {
	uvbus-ctl create "$dev" --vendor 0x1234 --device 1 --bar 0:4096
	uvpci-poke "$dev" 0:0x8=0xffff00ff
	uvpci-poke "$dev" 0:0x8=0x3000:0xf000 0:0x8=0:0x1
	run uvpci-peek "$dev" 0:0x8
	assert_output 0xffff30fe
	uvpci-poke "$dev" 0:0x10.q=0x1111111111111111 0:0x10.q=0x8000000000000000:0x8000000000000000
	uvpci-poke "$dev" 0:0x12.w=0x0ff0:0x0ff0
	run uvpci-peek "$dev" 0:0x10.q
	assert_output 0x911111111ff11111
	uvpci-poke "$dev" 0:0x20.b=0x80:0x80 0:0x20.b=0x01:0x01
	run uvpci-peek "$dev" 0:0x20.b
	assert_output 0x81
}

@test "peek and poke refuse what the device does not have, in one line" {
	uvbus-ctl create "$dev" --vendor 0x1234 --device 1 --bar 0:4096
	uvbus-ctl create uc_loop
	run --separate-stderr uvpci-peek "$dev" 0:0x1000
	assert_failure 1
	assert_equal "$stderr" "uvpci-peek: $dev: '0:0x1000': offset 0x1000.l is beyond BAR 0 (size 0x1000)"
	run --separate-stderr uvpci-poke "$dev" 0:0=1 2:0=1
	assert_failure 1
	assert_equal "$stderr" "uvpci-poke: $dev: '2:0=1': BAR 2 is not present"
	# Nothing was written: every spec is checked first.
	run uvpci-peek "$dev" 0:0
	assert_output 0x00000000
	run --separate-stderr uvpci-peek uc_nosuch 0:0
	assert_failure 1
	assert_equal "$stderr" "uvpci-peek: uc_nosuch: No such file or directory (no such channel)"
	run --separate-stderr uvpci-poke uc_loop 0:0=1
	assert_failure 1
	assert_equal "$stderr" "uvpci-poke: uc_loop: not a uvPCI device (a loopback channel)"
	run --separate-stderr uvdma-inject uc_loop 0x1000 --read 4
	assert_failure 1
	assert_equal "$stderr" "uvdma-inject: uc_loop: cannot attach: not a uvPCI device"
	run --separate-stderr uvmsi-fire uc_nosuch 0
	assert_failure 1
	assert_equal "$stderr" "uvmsi-fire: uc_nosuch: cannot attach: No such file or directory (no such channel)"
}

# --- DMA --------------------------------------------------------------

@test "uvdma-inject: refused outside a mapping and against its direction, touching nothing" {
	sample_dev "$dev"
	sample_load
	local addr tx
	addr=$(buf_addr "$dev")
	tx=$(tx_addr "$dev")

	run --separate-stderr uvdma-inject "$dev" 0x1000 --hex deadbeef
	assert_failure 1
	assert_output ''
	assert_equal "$stderr" "uvdma-inject: $dev: DMA write of 4 bytes at 0x1000: refused by the host (outside its DMA mappings)"
	wait_klog "uvpci_sample $dev: DMA fault: device write of 4 bytes at bus address 0x1000 refused: not inside one live mapping"

	run --separate-stderr uvdma-inject "$dev" 0x1003 --read 2
	assert_failure 1
	assert_equal "$stderr" "uvdma-inject: $dev: DMA read of 2 bytes at 0x1003: refused by the host (outside its DMA mappings)"
	wait_klog "DMA fault: device read of 2 bytes at bus address 0x1003 refused"

	# The streaming TX buffer is DMA_TO_DEVICE: the device may only read it.
	run --separate-stderr uvdma-inject "$dev" "$tx" --hex 00
	assert_failure 1
	assert_equal "$stderr" "uvdma-inject: $dev: DMA write of 1 byte at $tx: refused by the host (the mapping is read-only for the device: DMA_TO_DEVICE)"
	wait_klog "refused: mapping is to-device (read-only for the device)"
	run --separate-stderr uvdma-inject "$dev" "$tx" --read 5
	assert_success
	assert_output "$(hex_of hello)"

	# One request straddling the end of the TX mapping: refused whole.
	run --separate-stderr uvdma-inject "$dev" $((tx + 60)) --read 8
	assert_failure 1
	assert_equal "$stderr" "uvdma-inject: $dev: DMA read of 8 bytes at $(printf '%#x' $((tx + 60))): refused by the host (outside its DMA mappings)"
	wait_klog "DMA fault: device read of 8 bytes at bus address $(printf '%#x' $((tx + 60))) refused: not inside one live mapping"

	# A write across the end of the coherent buffer, which is a 4 KiB
	# boundary: split there as PCIe splits, the part inside lands and the
	# part outside is refused.
	uvdma-inject "$dev" "$addr" --hex "$(printf 'ab%.0s' {1..4096})"
	run --separate-stderr uvdma-inject "$dev" $((addr + 4094)) --hex 01020304
	assert_failure 1
	assert_equal "$stderr" "uvdma-inject: $dev: DMA write of 4 bytes at $(printf '%#x' $((addr + 4094))): refused by the host (outside its DMA mappings)"
	run uvdma-inject "$dev" $((addr + 4092)) --read 4
	assert_output abab0102
}

@test "uvdma-inject: the TX greeting reads back; --read prints 32 bytes a line" {
	sample_dev "$dev"
	sample_load
	local tx
	tx=$(tx_addr "$dev")
	run --separate-stderr uvdma-inject "$dev" "$tx" --read 23
	assert_success
	assert_output "$(hex_of 'hello from uvpci_sample')"
	[ "$(uvdma-inject "$dev" "$tx" --read 23 | xxd -r -p)" = 'hello from uvpci_sample' ]
	run --separate-stderr uvdma-inject "$dev" "$tx" --read 64
	assert_success
	[ "${#lines[@]}" -eq 2 ] || fail "$output"
	assert_line --index 0 "$(hex_of 'hello from uvpci_sample')$(printf '00%.0s' {1..9})"
	assert_line --index 1 "$(printf '00%.0s' {1..32})"
}

@test "uvdma-inject: any length at any address round-trips (split into legal requests)" {
	sample_dev "$dev"
	sample_load
	local addr off len
	addr=$(buf_addr "$dev")
	head -c 4096 /dev/urandom >"$BATS_TEST_TMPDIR/rand"
	# The whole buffer from a file, then read back in one go.
	uvdma-inject "$dev" "$addr" --file "$BATS_TEST_TMPDIR/rand"
	uvdma-inject "$dev" "$addr" --read 4096 | xxd -r -p >"$BATS_TEST_TMPDIR/back"
	cmp "$BATS_TEST_TMPDIR/rand" "$BATS_TEST_TMPDIR/back"
	# Ragged pieces at odd offsets, from standard input.
	for off in 1 127 4093; do
		for len in 1 3 129; do
			[ $((off + len)) -le 4096 ] || continue
			head -c "$len" /dev/urandom >"$BATS_TEST_TMPDIR/piece"
			uvdma-inject "$dev" $((addr + off)) - <"$BATS_TEST_TMPDIR/piece"
			run bash -c "uvdma-inject $dev $((addr + off)) --read $len | tr -d '\n'"
			assert_output "$(od -An -v -tx1 "$BATS_TEST_TMPDIR/piece" | tr -d ' \n')"
		done
	done
	# The bytes around a 1-byte write are untouched.
	uvdma-inject "$dev" $((addr + 0x100)) --hex 11223344
	uvdma-inject "$dev" $((addr + 0x101)) --hex ff
	run uvdma-inject "$dev" $((addr + 0x100)) --read 4
	assert_output 11ff3344
}

@test "bus mastering off, or no model any more: refused with the reason" {
	sample_dev "$dev"
	sample_load
	local addr
	addr=$(buf_addr "$dev")
	rmmod uvpci_sample
	run --separate-stderr uvdma-inject "$dev" "$addr" --hex 00
	assert_failure 1
	assert_equal "$stderr" "uvdma-inject: $dev: DMA write of 1 byte at $(printf '%#x' "$addr"): refused by the host (bus mastering is off: no driver enabled it)"

	# A model that went away leaves the device surprise-removed.
	start_model "$dev"
	kill -9 "$model_pid"
	wait "$model_pid" || true
	wait_for grep -qx gone "/sys/bus/uvpci/devices/$dev/model"
	run --separate-stderr uvdma-inject "$dev" 0x1000 --hex 00
	assert_failure 1
	assert_equal "$stderr" "uvdma-inject: $dev: DMA write of 1 byte at 0x1000: refused by the host (the device model is gone: reset the device with 'uvbus-ctl reset')"
	run --separate-stderr uvmsi-fire "$dev" 0
	assert_failure 1
	assert_equal "$stderr" "uvmsi-fire: $dev: MSI vector 0: refused by the host (the device model is gone: reset the device with 'uvbus-ctl reset')"
	run uvpci-peek "$dev" 0:0
	assert_output 0xffffffff
	uvbus-ctl reset "$dev"
	run uvpci-peek "$dev" 0:0
	assert_output 0x00000000
}

# --- MSI --------------------------------------------------------------

@test "uvmsi-fire: out of range and not enabled are refused, in one line" {
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 8
	uvbus-ctl create uc_nomsi --vendor 0x1234 --device 1 --bar 0:4096
	run --separate-stderr uvmsi-fire "$dev" 0
	assert_failure 1
	assert_equal "$stderr" "uvmsi-fire: $dev: MSI vector 0: refused by the host (MSI not enabled by the driver)"
	wait_klog "MSI vector 0 refused: MSI not enabled by the driver"
	run --separate-stderr uvmsi-fire "$dev" 8
	assert_failure 1
	assert_equal "$stderr" "uvmsi-fire: $dev: MSI vector 8 out of range: the device has 8 (0 to 7)"
	run --separate-stderr uvmsi-fire uc_nomsi 0
	assert_failure 1
	assert_equal "$stderr" "uvmsi-fire: uc_nomsi: MSI vector 0 out of range: the device has no MSI vectors (create it with --msi COUNT or --msix COUNT)"

	# The sample enables 4 of the 8: vectors 4..7 are the driver's to refuse.
	sample_load
	wait_klog "uvpci_sample $dev: ready: 4 MSI vectors"
	run --separate-stderr uvmsi-fire "$dev" 3
	assert_success
	wait_klog "uvpci_sample $dev: irq vector 3:"
	run --separate-stderr uvmsi-fire "$dev" 5
	assert_failure 1
	assert_equal "$stderr" "uvmsi-fire: $dev: MSI vector 5: refused by the host (vector not enabled by the driver)"
}

# --- a model on libuvnic ----------------------------------------------

@test "a model on libuvnic answers peek and poke; config writes reach it" {
	sample_dev "$dev" --timeout-us "$MODEL_TIMEOUT_US"
	start_model "$dev"
	[ "$(cat "/sys/bus/uvpci/devices/$dev/model")" = attached ]
	# READS counts the reads the model served: it, not a register file, answers.
	run uvpci-peek "$dev" 0:0x40 0:0x40 0:0x40
	assert_output "$(printf '%s\n' 0x00000000 0x00000001 0x00000002)"
	uvpci-poke "$dev" 0:0x10.q=0xfeedface12345678 0:0x8=0x0f00:0x0f00
	run uvpci-peek "$dev" 0:0x10.q 0:0x14 0:0x8 0:0x44
	assert_output "$(printf '%s\n' 0xfeedface12345678 0xfeedface 0x00000f00 0x00000002)"
	model_log_has "$dev" "W 0 0x10 8 0xfeedface12345678"
	model_log_has "$dev" "R 0 0x8 4"
	model_log_has "$dev" "W 0 0x8 4 0xf00"

	# The driver's probe goes through the model too, config writes included.
	sample_load
	wait_klog "uvpci_sample $dev: ready:"
	model_log_has "$dev" "C 0xc 1 0x10"
	model_log_has "$dev" "W 0 0x4 4 0x1"
	grep -q '^W 0 0x10 8 ' "$BATS_TEST_TMPDIR/$dev.log"
}

@test "the model's DMA engine: reads, writes, MSI and sync from inside a callback" {
	sample_dev "$dev" --timeout-us "$MODEL_TIMEOUT_US"
	start_model "$dev"
	sample_load
	wait_klog "uvpci_sample $dev: ready:"
	local addr tx
	addr=$(buf_addr "$dev")
	tx=$(tx_addr "$dev")

	# Copy the TX greeting into the coherent buffer and fire vector 1.
	uvpci-poke "$dev" 0:0x80.q="$tx" 0:0x88.q="$addr" 0:0x90=0x17 0:0x94=2 0:0x98=1
	run uvpci-peek "$dev" 0:0x9c
	assert_output 0x00000000
	wait_klog "uvpci_sample $dev: irq vector 1: dma buffer starts with 68 65 6c 6c 6f 20 66 72"
	run uvdma-inject "$dev" "$addr" --read 23
	assert_output "$(hex_of 'hello from uvpci_sample')"

	# 4 KiB - 3 bytes at odd addresses, inside the buffer: many requests.
	head -c 4093 /dev/urandom >"$BATS_TEST_TMPDIR/rand"
	uvdma-inject "$dev" "$addr" --file "$BATS_TEST_TMPDIR/rand"
	uvpci-poke "$dev" 0:0x80.q="$addr" 0:0x88.q="$(printf '%#x' $((addr + 3)))" 0:0x90=0xffd 0:0x94=0 0:0x98=1
	run uvpci-peek "$dev" 0:0x9c
	assert_output 0x00000000
	uvdma-inject "$dev" $((addr + 3)) --read 4093 | xxd -r -p >"$BATS_TEST_TMPDIR/back"
	cmp "$BATS_TEST_TMPDIR/rand" "$BATS_TEST_TMPDIR/back"

	# A refused copy (into the device-read-only TX buffer): RESULT = EACCES.
	uvpci-poke "$dev" 0:0x80.q="$addr" 0:0x88.q="$tx" 0:0x90=4 0:0x98=1
	run uvpci-peek "$dev" 0:0x9c
	[ "$output" = "$(printf '0x%08x' 13)" ] || fail "RESULT $output; kernel log: $(klog | tail -5)"
	grep -qF "COPY $(printf '%#x' "$addr") $tx 4 = -13" "$BATS_TEST_TMPDIR/$dev.log" ||
		fail "$(model_log "$dev")"
	# The model still serves.
	run uvpci-peek "$dev" 0:0x9c
	assert_output "$(printf '0x%08x' 13)"
}

@test "a refused DMA read is reported once, by its own copy; the next good copy reports 0" {
	sample_dev "$dev" --timeout-us "$MODEL_TIMEOUT_US"
	start_model "$dev"
	sample_load
	wait_klog "uvpci_sample $dev: ready:"
	local addr tx
	addr=$(printf '%#x' "$(buf_addr "$dev")")
	tx=$(tx_addr "$dev")

	# A copy FROM outside every mapping: uvpci_dma_read() itself fails.
	uvpci-poke "$dev" 0:0x80.q="$(printf '%#x' $((addr + 4096)))" 0:0x88.q="$addr" 0:0x90=4 0:0x94=0 0:0x98=1
	run uvpci-peek "$dev" 0:0x9c
	assert_output "$(printf '0x%08x' 14)"
	grep -qF "COPY $(printf '%#x' $((addr + 4096))) $addr 4 = -14" "$BATS_TEST_TMPDIR/$dev.log" ||
		fail "$(model_log "$dev")"
	# The next copy is good: its read, write and sync all succeed. The
	# refusal above was reported with the read that caused it and is not
	# latched for this copy's uvpci_device_sync().
	uvpci-poke "$dev" 0:0x80.q="$tx" 0:0x88.q="$addr" 0:0x90=5 0:0x98=1
	run uvpci-peek "$dev" 0:0x9c
	[ "$output" = 0x00000000 ] || fail "RESULT $output after a good copy; model log: $(tail -3 "$BATS_TEST_TMPDIR/$dev.log")"
	grep -qF "COPY $tx $addr 5 = 0" "$BATS_TEST_TMPDIR/$dev.log" ||
		fail "$(model_log "$dev")"
	run uvdma-inject "$dev" "$addr" --read 5
	assert_output "$(hex_of 'hello')"
	# A read straddling the end of the TX buffer: EFAULT again, then a
	# good copy once more.
	uvpci-poke "$dev" 0:0x80.q="$(printf '%#x' $((tx + 60)))" 0:0x88.q="$addr" 0:0x90=8 0:0x98=1
	run uvpci-peek "$dev" 0:0x9c
	assert_output "$(printf '0x%08x' 14)"
	uvpci-poke "$dev" 0:0x80.q="$tx" 0:0x88.q="$addr" 0:0x90=5 0:0x98=1
	run uvpci-peek "$dev" 0:0x9c
	assert_output 0x00000000
}

@test "several tools at once while the model runs and copies" {
	sample_dev "$dev" --timeout-us "$MODEL_TIMEOUT_US"
	start_model "$dev"
	sample_load
	wait_klog "uvpci_sample $dev: ready:"
	local addr i pids=() rc=0 before after
	addr=$(buf_addr "$dev")
	before=$(uvpci-peek "$dev" 0:0x40)

	# The model copies the first half of the buffer onto the second, over
	# and over, while others peek, inject into the first quarter and fire.
	uvpci-poke "$dev" 0:0x80.q="$addr" 0:0x88.q="$(printf '%#x' $((addr + 2048)))" 0:0x90=0x800 0:0x94=3
	(for i in $(seq 10); do uvpci-poke "$dev" 0:0x98=1 || exit 1; done) &
	pids+=($!)
	(for i in $(seq 20); do uvpci-peek "$dev" 0:0x40 >/dev/null || exit 1; done) &
	pids+=($!)
	(for i in $(seq 20); do uvdma-inject "$dev" $((addr + i * 16)) --hex "$(printf '%02x' "$i")0102030405060708090a0b0c0d0e0f" || exit 1; done) &
	pids+=($!)
	(for i in $(seq 10); do uvmsi-fire "$dev" 1 || exit 1; done) &
	pids+=($!)
	for i in "${pids[@]}"; do
		wait "$i" || rc=1
	done
	[ "$rc" = 0 ] || fail "a tool failed; model log: $(tail -5 "$BATS_TEST_TMPDIR/$dev.log")"

	after=$(uvpci-peek "$dev" 0:0x40)
	[ $((after - before)) -ge 21 ] || fail "reads served: $before -> $after"
	for i in $(seq 20); do
		run uvdma-inject "$dev" $((addr + i * 16)) --read 16
		assert_output "$(printf '%02x' "$i")0102030405060708090a0b0c0d0e0f"
	done
	[ "$(grep -c '^COPY .* = 0$' "$BATS_TEST_TMPDIR/$dev.log")" = 10 ] ||
		fail "$(grep '^COPY' "$BATS_TEST_TMPDIR/$dev.log")"
	wait_klog "uvpci_sample $dev: irq vector 1:"
	wait_klog "uvpci_sample $dev: irq vector 2:"
	run uvpci-peek "$dev" 0:0x9c
	assert_output 0x00000000
}

@test "the model killed in the middle of a read: all-ones at once, not after the timeout" {
	# A 10 s read timeout, so that a prompt answer cannot be the timeout.
	uvbus-ctl create "$dev" --vendor 0x1234 --device 1 --bar 0:4096 --timeout-us 10000000
	start_model "$dev" --stall 0x50
	local t0 t1
	uvpci-peek "$dev" 0:0x50 >"$BATS_TEST_TMPDIR/peek.out" 2>&1 &
	local peek=$!
	wait_for model_log_has "$dev" "R 0 0x50 4"
	nap 0.2
	kill -0 "$peek" || fail "the read finished before the model died: $(cat "$BATS_TEST_TMPDIR/peek.out")"
	t0=$(now_ms)
	kill -9 "$model_pid"
	wait "$peek"
	t1=$(now_ms)
	[ "$(cat "$BATS_TEST_TMPDIR/peek.out")" = 0xffffffff ] || fail "$(cat "$BATS_TEST_TMPDIR/peek.out")"
	# (Half the timeout: room for a stalled guest, none for a timeout.)
	[ $((t1 - t0)) -lt 5000 ] || fail "the read took $((t1 - t0)) ms after the kill"
	# Gone: all-ones at once until a reset.
	t0=$(now_ms)
	run uvpci-peek "$dev" 0:0 0:0x8.q 0:0x1.b
	assert_output "$(printf '%s\n' 0xffffffff 0xffffffffffffffff 0xff)"
	t1=$(now_ms)
	[ $((t1 - t0)) -lt 5000 ] || fail "gone reads took $((t1 - t0)) ms"
	uvbus-ctl reset "$dev"
	run uvpci-peek "$dev" 0:0x50
	assert_output 0x00000000
}

@test "the model exits cleanly on SIGTERM, and when its device is destroyed" {
	uvbus-ctl create "$dev" --vendor 0x1234 --device 1 --bar 0:4096
	start_model "$dev"
	uvpci-poke "$dev" 0:0=7
	kill -TERM "$model_pid"
	wait "$model_pid"
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/$dev.log")" = exit ] || fail "$(model_log "$dev")"
	[ "$(cat "/sys/bus/uvpci/devices/$dev/model")" = gone ]

	# SIGTERM while a host read is stalled in the callback: still clean.
	uvbus-ctl reset "$dev"
	start_model "$dev" --stall 0x50
	uvpci-peek "$dev" 0:0x50 >"$BATS_TEST_TMPDIR/peek.out" &
	local peek=$!
	wait_for model_log_has "$dev" "R 0 0x50 4"
	kill -TERM "$model_pid"
	wait "$model_pid"
	wait "$peek"
	[ "$(cat "$BATS_TEST_TMPDIR/peek.out")" = 0xffffffff ]

	uvbus-ctl reset "$dev"
	start_model "$dev"
	uvbus-ctl destroy "$dev"
	wait "$model_pid"
	model_log_has "$dev" "device gone"
}

# --- the man pages ----------------------------------------------------

# The "# " command lines of a man page's EXAMPLES, roff escapes undone,
# "\" continuations joined: a script.
man_examples() {
	awk '
		/^\.SH / { ex = ($2 == "EXAMPLES") }
		ex && /^\.EX/ { inex = 1; next }
		ex && /^\.EE/ { inex = 0; next }
		ex && inex && (cont || /^# /) {
			line = $0
			if (!cont)
				sub(/^# /, "", line)
			gsub(/\\-/, "-", line)
			gsub(/\\\(aq/, "\047", line)
			gsub(/\\\(dq/, "\"", line)
			cont = sub(/\\e$/, "\\", line)
			print line
		}
	' "$1"
}

# The pages whose EXAMPLES have "# " command lines, run in this order.
EXAMPLE_PAGES=(uvbus-ctl.8 uvpci-peek.8 uvpci-poke.8 uvdma-inject.8 uvmsi-fire.8
	uvnic-bridge.8 uvnic.4 uvbus.4 uvpci.9 uvpci-trace.1)

@test "the man pages' EXAMPLES run as written" {
	local page script
	for page in "${EXAMPLE_PAGES[@]}"; do
		script=$(man_examples "$UVNIC_TOP/man/$page.in")
		[ -n "$script" ] || fail "$page has no runnable examples"
		[ ! -d /sys/module/uvnic ] || rmmod uvnic
		run bash -e -c "cd '$UVNIC_TOP'; $script"
		[ "$status" = 0 ] || fail "$page EXAMPLES failed ($status): $output
--- script:
$script"
		# Each page cleans up after itself.
		! uvbus-ctl list | grep -qE '^(dev0|nic[0-9]|loop0) ' ||
			fail "$page EXAMPLES left a channel: $(uvbus-ctl list)"
		[ ! -d /sys/module/uvpci_sample ] || fail "$page EXAMPLES left uvpci_sample loaded"
		[ ! -d /sys/module/uvnic ] || fail "$page EXAMPLES left uvnic loaded"
		[ ! -e /sys/class/net/veth0 ] || fail "$page EXAMPLES left veth0"
		run ip netns list
		assert_output ''
	done
}

@test "uvbus(4)'s C example builds against the uapi header and echoes" {
	local d=$BATS_TEST_TMPDIR
	mkdir -p "$d/include/uvnic"
	ln -s "$UVNIC_TOP/kernel/uapi/uvbus.h" "$d/include/uvnic/uvbus.h"
	# The first .EX block of EXAMPLES, roff escapes undone.
	awk '/^\.SH / { ex = ($2 == "EXAMPLES") }
	     ex && /^\.EX/ { on = 1; next } on && /^\.EE/ { exit }
	     on { gsub(/\\-/, "-"); gsub(/\\e/, "\\"); print }' \
		"$UVNIC_TOP/man/uvbus.4.in" >"$d/hello.c"
	grep -q 'UVBUS_IOC_ATTACH' "$d/hello.c"
	cc -Wall -Werror -I"$d/include" -o "$d/hello" "$d/hello.c"
	run -0 "$d/hello"
	assert_output 'echo: hello'
}

@test "every man page with shell EXAMPLES is in the list that runs them" {
	local man page
	for man in "$UVNIC_TOP"/man/*.in; do
		page=${man##*/}
		page=${page%.in}
		[ -n "$(man_examples "$man")" ] || continue
		[[ " ${EXAMPLE_PAGES[*]} " == *" $page "* ]] ||
			fail "$page has \"# \" EXAMPLES that no test runs: add it to EXAMPLE_PAGES"
	done
}

@test "the guest loads a module on demand, as modprobe would" {
	[ ! -d /sys/module/dummy ] || rmmod dummy
	ip link add uvdummy0 type dummy
	[ -d /sys/module/dummy ]
	ip link del uvdummy0
	rmmod dummy
}
