#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# uvpci.ko and uvpci_sample.ko, as root in the uvnic-vm guest: the bus and
# its sysfs, config space, register files, the model path (ordering,
# timeouts, a model killed mid-read, RESET), DMA and MSI from the device
# side, malformed messages, many devices, and rmmod/destroy in every order.
# Devices here are named up*; teardown removes leftovers and unloads the
# sample driver. Helpers: t/helpers/uvpci-create.c, t/helpers/uvpci-model.c.
#
#   bin/uvnic-vm -- bats t/kernel/uvpci-core.bats

bats_require_minimum_version 1.5.0

SYSBUS=/sys/bus/uvpci

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	guest_setup uvpci-create uvpci-model
	dev="up$BATS_TEST_NUMBER"
	models=()
	klog_mark
}

teardown() {
	local pid d
	for pid in "${models[@]}"; do
		{ kill -9 "$pid" && wait "$pid"; } 2>/dev/null || true
	done
	[ -d /sys/module/uvpci_sample ] && rmmod uvpci_sample
	[ -e "$SYSBUS/drivers_autoprobe" ] && echo 1 >"$SYSBUS/drivers_autoprobe"
	if [ -d "$SYSBUS/devices" ]; then
		for d in "$SYSBUS"/devices/up*; do
			[ -e "$d" ] && uvpci-create destroy "${d##*/}"
		done
	fi
	load_uvpci
	return 0
}

# --- helpers ----------------------------------------------------------

sample_load() {
	[ -d /sys/module/uvpci_sample ] ||
		insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" poll_ms=50
}

# A device the sample driver binds to: BAR0 4 KiB, 4 MSI vectors.
sample_dev() {
	uvpci-create create "$1" --bar 0:4096 --msi 4 "${@:2}"
}

# start_model NAME [OPTIONS]: a model in the background, logging to
# $BATS_TEST_TMPDIR/NAME.log; returns once it is attached.
start_model() {
	local ready="$BATS_TEST_TMPDIR/$1.ready"
	rm -f "$ready"
	uvpci-model model "$1" "${@:2}" --ready "$ready" \
		>"$BATS_TEST_TMPDIR/$1.log" 2>&1 3>&- &
	models+=("$!")
	model_pid=$!
	wait_for test -e "$ready"
}

# The model's log without its host-state lines (H, see
# t/kernel/uvpci-hoststate.bats): the requests alone, in order.
req_log() {
	grep -v '^H ' "$BATS_TEST_TMPDIR/$1.log"
}

# Kill the last model started, quietly (no "Killed" line from bash).
kill_model() {
	kill -9 "$model_pid" 2>/dev/null || true
	wait "$model_pid" 2>/dev/null || true
}

peek() {
	uvpci-create peek "$@"
}

poke() {
	uvpci-create poke "$@"
}

# The bus address the sample driver wrote into BAR0 at OFFSET (64-bit).
sample_addr() {
	peek "$1" 0 "$2" 8
}

# The device-side view of the sample's streaming (TX) buffer.
sample_tx_addr() {
	printf '0x%x%08x' "$(peek "$1" 0 0x24 4)" "$(peek "$1" 0 0x20 4)"
}

# Interrupts handled on Linux IRQ IRQ, on the guest's two CPUs.
irq_count() {
	awk -v i="$1:" '$1 == i { print $2 + $3 }' /proc/interrupts
}

debugfs() {
	cat "/sys/kernel/debug/uvbus/$1"
}

# --- the bus ----------------------------------------------------------

@test "a device appears on the bus with its identity, resources and sysfs" {
	uvpci-create create "$dev" --vendor 0x1234 --device 0xabcd \
		--subsystem 0x1af4:0x1100 --class 0x020000 --revision 3 \
		--bar 0:4096 --bar 2:0x100000:64:prefetch --msi 3
	local d="$SYSBUS/devices/$dev"
	[ -d "$d" ]
	[ "$(readlink -f "$d")" = "/sys/devices/uvpci/$dev" ]
	[ "$(cat "$d/vendor")" = 0x1234 ]
	[ "$(cat "$d/device")" = 0xabcd ]
	[ "$(cat "$d/subsystem_vendor")" = 0x1af4 ]
	[ "$(cat "$d/subsystem_device")" = 0x1100 ]
	[ "$(cat "$d/class")" = 0x020000 ]
	[ "$(cat "$d/revision")" = 0x03 ]
	[ "$(cat "$d/msi_count")" = 3 ]
	[ "$(cat "$d/irq")" = 0 ]
	[ "$(cat "$d/model")" = none ]
	[ "$(cat "$d/timeout_us")" = "$(cat /sys/module/uvpci/parameters/timeout_us)" ]
	[ "$(cat "$d/modalias")" = uvpci:v00001234d0000ABCDsv00001AF4sd00001100bc02sc00i00 ]
	run cat "$d/resource"
	assert_line --index 0 '0x00f0000080000000 0x00f0000080000fff 0x0000000000040200'
	assert_line --index 1 '0x0000000000000000 0x0000000000000000 0x0000000000000000'
	assert_line --index 2 --regexp '^0x00f00001[0-9a-f]{8} 0x00f00001[0-9a-f]{8} 0x0000000000142200$'
	[ "${#lines[@]}" = 6 ]
	run grep -c uvpci /proc/iomem
	assert_output 0
	run debugfs "$dev"
	assert_line --partial 'uvpci: 1234:abcd subsystem 1af4:1100 class 020000 revision 03'
	assert_line "model: none (register files), read timeout $(cat /sys/module/uvpci/parameters/timeout_us) us"
	assert_line --partial 'bar0: size 0x1000 32-bit bus 0x80000000'
	assert_line --regexp '^bar2: size 0x100000 64-bit prefetchable bus 0x1[0-9a-f]{8} '
	assert_line 'msi: 3 vectors, disabled, 0 allocated'
}

@test "config space: header, BAR sizing, MSI capability; readable in sysfs" {
	uvpci-create create "$dev" --vendor 0x5556 --device 0x0042 --class 0x028000 \
		--revision 7 --bar 0:0x4000 --bar 2:0x100000:64:prefetch --msi 4
	local cfg="$SYSBUS/devices/$dev/config"
	[ "$(stat -c %s "$cfg")" = 4096 ]
	run od -A n -t x1 -N 64 "$cfg"
	assert_line --index 0 ' 56 55 42 00 00 00 10 00 07 00 80 02 00 00 00 00'
	assert_line --index 1 ' 00 00 00 80 00 00 00 00 0c 00 00 00 01 00 00 00'
	assert_line --index 3 ' 00 00 00 00 40 00 00 00 00 00 00 00 00 00 00 00'
	# Power Management: id 1, next the MSI capability, PMC version 3 + D1 + D2,
	# PME from D0 and D3hot.
	run od -A n -t x1 -j 0x40 -N 6 "$cfg"
	assert_output ' 01 50 03 4e 08 00'
	# MSI capability: id 5, next the PCI Express capability (see
	# uvpci-pcie.bats), 64-bit, 4 vectors capable (MMC 2).
	run od -A n -t x1 -j 0x50 -N 4 "$cfg"
	assert_output ' 05 70 84 00'
	# BAR sizing: all-ones reads back the size mask with the flag bits.
	start_model "$dev"
	printf '\xff\xff\xff\xff' | dd of="$cfg" bs=4 seek=4 conv=notrunc status=none
	run od -A n -t x4 -j 0x10 -N 4 "$cfg"
	assert_output ' ffffc000'
	printf '\xff\xff\xff\xff' | dd of="$cfg" bs=4 seek=6 conv=notrunc status=none
	run od -A n -t x4 -j 0x18 -N 4 "$cfg"
	assert_output ' fff0000c'
	printf '\x00\x00\x00\x80' | dd of="$cfg" bs=4 seek=4 conv=notrunc status=none
	run od -A n -t x4 -j 0x10 -N 4 "$cfg"
	assert_output ' 80000000'
	# Read-only registers keep their value; writes still reach the model.
	printf '\x11\x11' | dd of="$cfg" bs=2 seek=0 conv=notrunc status=none
	run od -A n -t x2 -N 2 "$cfg"
	assert_output ' 5556'
	wait_for model_log_has "$dev" 'C 0x10 4 0xffffffff'
	wait_for model_log_has "$dev" 'C 0x18 4 0xffffffff'
	wait_for model_log_has "$dev" 'C 0x10 4 0x80000000'
	wait_for model_log_has "$dev" 'C 0x0 2 0x1111'
	# Only root sees past the header (as PCI); here we are root.
	run od -A n -t x1 -j 4095 -N 1 "$cfg"
	assert_output ' 00'
}

@test "create refuses malformed parameters" {
	local bad
	for bad in "--bar 0:3" "--bar 0:8" "--bar 0:0x20000000" "--bar 0:0x3000" \
		"--bar 5:4096:64" "--bar 0:4096:64 --bar 1:4096" "--bar 0:4096:0x4" \
		"--bar 1:0:64" "--msi 33" "--vendor 0xffff" "--vendor 0" \
		"--class 0x1000000" "--timeout-us 10000001" "--raw-reserved"; do
		# shellcheck disable=SC2086
		run uvpci-create create "$dev" --bar 3:64 $bad
		assert_failure
		assert_output --partial EINVAL
		[ ! -e "$SYSBUS/devices/$dev" ]
	done
	uvpci-create create "$dev" --bar 0:16 --bar 1:0x10000000 --bar 2:64:64 \
		--bar 4:4096:prefetch --msi 32 --timeout-us 10000000
	[ -e "$SYSBUS/devices/$dev" ]
	run uvpci-create create "$dev" --bar 0:16
	assert_failure
	assert_output --partial EEXIST
}

@test "peek and poke: every width on a plain register file, little-endian" {
	uvpci-create create "$dev" --bar 0:4096 --bar 2:0x10000:64
	run peek "$dev" 0 0x100 4
	assert_output 0x00000000
	poke "$dev" 0 0x100 8 0x1122334455667788
	run peek "$dev" 0 0x100 8
	assert_output 0x1122334455667788
	run peek "$dev" 0 0x100 4
	assert_output 0x55667788
	run peek "$dev" 0 0x104 4
	assert_output 0x11223344
	run peek "$dev" 0 0x102 2
	assert_output 0x5566
	run peek "$dev" 0 0x107 1
	assert_output 0x11
	poke "$dev" 0 0x101 1 0xab
	run peek "$dev" 0 0x100 4
	assert_output 0x5566ab88
	poke "$dev" 0 0x106 2 0xcdef
	run peek "$dev" 0 0x100 8
	assert_output 0xcdef33445566ab88
	poke "$dev" 0 0xffc 4 0xdeadbeef
	run peek "$dev" 0 0xffc 4
	assert_output 0xdeadbeef
	poke "$dev" 2 0xfff8 8 0xffffffffffffffff
	run peek "$dev" 2 0xfff8 8
	assert_output 0xffffffffffffffff
	# BARs are separate files.
	run peek "$dev" 2 0x100 8
	assert_output 0x0000000000000000
}

@test "peek and poke refuse a bad BAR, size, alignment, range or value" {
	uvpci-create create "$dev" --bar 0:4096 --bar 2:4096:64
	local args
	for args in "1 0 4" "3 0 4" "6 0 4" "0 0 3" "0 0 16" "0 2 4" "0 4 8" "0 1 2"; do
		# shellcheck disable=SC2086
		run peek "$dev" $args
		assert_failure
		assert_output --partial EINVAL
	done
	for args in "0 0x1000 4" "0 0x2000 8" "2 0x2000 1" "0 0xffffffffffff0000 8"; do
		# shellcheck disable=SC2086
		run peek "$dev" $args
		assert_failure
		assert_output --partial ERANGE
	done
	run poke "$dev" 0 0 1 0x100
	assert_failure
	assert_output --partial ERANGE
	run poke "$dev" 0 0 2 0x10000
	assert_failure
	assert_output --partial ERANGE
	run peek nosuchdev 0 0 4
	assert_failure
	assert_output --partial ENOENT
}

# --- the sample driver ------------------------------------------------

@test "the sample driver probes, maps, enables MSI, and removes cleanly" {
	sample_dev "$dev" --bar 2:0x10000:64
	poke "$dev" 0 0 4 0x55560001
	poke "$dev" 2 0 4 0xcafef00d
	sample_load
	local d="$SYSBUS/devices/$dev"
	wait_klog "uvpci_sample $dev: ready: 4 MSI vectors"
	[ "$(basename "$(readlink "$d/driver")")" = uvpci_sample ]
	klog_has "uvpci_sample $dev: vendor 0x5556 device 0x0001 revision 0x00 class 0x000000, BAR0 4096 bytes, id 0x55560001"
	klog_has "uvpci_sample $dev: BAR2 65536 bytes, first dword 0xcafef00d"
	[ "$(cat "$d/irq")" -gt 0 ]
	run cat "$d/msi_irqs"
	[ "${#lines[@]}" = 1 ]
	[ "$(wc -w <<<"$output")" = 4 ]
	run grep -c "uvpci-MSI.*-edge *$dev\$" /proc/interrupts
	assert_output 4
	# What the driver programmed: enabled, buffer sizes, vectors.
	run peek "$dev" 0 0x4 4
	assert_output 0x00000001
	run peek "$dev" 0 0x18 4
	assert_output 0x00001000
	run peek "$dev" 0 0x2c 1
	assert_output 0x04
	# Bus addresses are IOVAs above 4 GiB (64-bit mask), not kernel addresses.
	run sample_addr "$dev" 0x10
	assert_output --regexp '^0x0000ffff[0-9a-f]{8}$'
	# Config space: memory + bus master on, MSI enabled with 4 vectors.
	run od -A n -t x2 -j 4 -N 2 "$d/config"
	assert_output ' 0006'
	run od -A n -t x2 -j 0x52 -N 2 "$d/config"
	assert_output ' 00a5'
	run debugfs "$dev"
	assert_line 'driver: uvpci_sample'
	assert_line 'command: memory on, bus master on'
	assert_line --partial 'bar0: size 0x1000 32-bit bus 0x80000000 cookies 1 claimed'
	assert_line --regexp '^msi: 4 vectors, enabled, 4 allocated, irqs [0-9]+ [0-9]+ [0-9]+ [0-9]+$'
	assert_line 'dma: 2 live mappings, mask 0xffffffffffffffff'
	rmmod uvpci_sample
	wait_klog "uvpci_sample $dev: removed"
	[ ! -e "$d/driver" ]
	run grep -c "uvpci-MSI" /proc/interrupts
	assert_output 0
	run peek "$dev" 0 0x4 4
	assert_output 0x00000000
	run debugfs "$dev"
	assert_line 'driver: (none)'
	assert_line 'command: memory off, bus master off'
	assert_line 'dma: 0 live mappings, mask 0xffffffffffffffff'
	assert_line 'msi: 4 vectors, disabled, 0 allocated'
	# A clean driver leaves nothing for the bus to clean up.
	! klog_has "driver left"
}

@test "unbind and bind through sysfs" {
	sample_dev "$dev"
	sample_load
	wait_klog "uvpci_sample $dev: ready"
	echo "$dev" >"$SYSBUS/drivers/uvpci_sample/unbind"
	wait_klog "uvpci_sample $dev: removed"
	[ ! -e "$SYSBUS/devices/$dev/driver" ]
	klog_mark
	echo "$dev" >"$SYSBUS/drivers/uvpci_sample/bind"
	wait_klog "uvpci_sample $dev: ready"
	[ -e "$SYSBUS/devices/$dev/driver" ]
}

@test "driver_override binds a driver to a device its table does not list" {
	uvpci-create create "$dev" --vendor 0x1234 --device 0x5678 --bar 0:4096 --msi 1
	sample_dev "${dev}b"
	sample_load
	wait_klog "uvpci_sample ${dev}b: ready"
	[ ! -e "$SYSBUS/devices/$dev/driver" ]
	echo uvpci_sample >"$SYSBUS/devices/$dev/driver_override"
	[ "$(cat "$SYSBUS/devices/$dev/driver_override")" = uvpci_sample ]
	echo "$dev" >"$SYSBUS/drivers_probe"
	wait_klog "uvpci_sample $dev: ready: 1 MSI vectors"
	# An override naming another driver keeps the matching one away.
	echo "${dev}b" >"$SYSBUS/drivers/uvpci_sample/unbind"
	echo other >"$SYSBUS/devices/${dev}b/driver_override"
	echo "${dev}b" >"$SYSBUS/drivers_probe"
	nap 0.2
	[ ! -e "$SYSBUS/devices/${dev}b/driver" ]
	echo >"$SYSBUS/devices/${dev}b/driver_override"
	[ -z "$(cat "$SYSBUS/devices/${dev}b/driver_override")" ]
	echo "${dev}b" >"$SYSBUS/drivers_probe"
	wait_for test -e "$SYSBUS/devices/${dev}b/driver"
}

@test "poking STATUS: the driver's poll reports the change" {
	sample_dev "$dev"
	sample_load
	wait_klog "uvpci_sample $dev: ready"
	poke "$dev" 0 0x8 4 1
	wait_klog "uvpci_sample $dev: status 0x00000000 -> 0x00000001"
	poke "$dev" 0 0x8 4 0x80
	wait_klog "uvpci_sample $dev: status 0x00000001 -> 0x00000080"
}

@test "DMA into the coherent buffer, then an MSI: the handler logs the bytes" {
	sample_dev "$dev"
	sample_load
	wait_klog "uvpci_sample $dev: ready"
	local addr irq before after
	addr=$(sample_addr "$dev" 0x10)
	run uvpci-model dmaw "$dev" "$addr" deadbeef00112233
	assert_success
	assert_output 'ack: status=0 faults=0'
	irq=$(cut -d' ' -f2 "$SYSBUS/devices/$dev/msi_irqs")
	before=$(awk -v i="$irq:" '$1 == i { print $2 + $3 }' /proc/interrupts)
	run uvpci-model msi "$dev" 1
	assert_output 'ack: status=0 faults=0'
	wait_klog "uvpci_sample $dev: irq vector 1: dma buffer starts with de ad be ef 00 11 22 33"
	after=$(awk -v i="$irq:" '$1 == i { print $2 + $3 }' /proc/interrupts)
	[ "$after" = $((before + 1)) ]
	# The handler acknowledged the vector in IRQ_ACK.
	wait_true '[ "$(peek "$dev" 0 0xc 4)" = 0x00000001 ]'
	# Odd lengths and addresses, a transfer split into many chunks.
	run uvpci-model dmaw "$dev" "$((addr + 3))" 0102030405
	assert_output 'ack: status=0 faults=0'
	run uvpci-model dmar "$dev" "$addr" 9
	assert_output 'data: de ad be 01 02 03 04 05 00'
	run uvpci-model dmaw "$dev" "$((addr + 0xffd))" 998877
	assert_output 'ack: status=0 faults=0'
	run uvpci-model dmaw "$dev" "$((addr + 1))" "$(printf 'a5%.0s' $(seq 600))"
	assert_output 'ack: status=0 faults=0'
	run uvpci-model dmar "$dev" "$((addr + 598))" 5
	assert_output 'data: a5 a5 a5 00 00'
	run uvpci-model dmar "$dev" "$((addr + 0xffc))" 4
	assert_output 'data: 00 99 88 77'
	run uvpci-model msi "$dev" 0
	wait_klog "uvpci_sample $dev: irq vector 0: dma buffer starts with de a5 a5 a5 a5 a5 a5 a5"
}

@test "the device reads the streaming buffer; DMA runs in hard IRQ order" {
	sample_dev "$dev"
	sample_load
	wait_klog "uvpci_sample $dev: ready"
	run uvpci-model dmar "$dev" "$(sample_tx_addr "$dev")" 24
	assert_output 'data: 68 65 6c 6c 6f 20 66 72 6f 6d 20 75 76 70 63 69 5f 73 61 6d 70 6c 65 00'
	# A write immediately followed by the MSI, many times: the handler
	# always sees the data that was queued before its MSI.
	local addr i
	addr=$(sample_addr "$dev" 0x10)
	for i in 1 2 3 4 5; do
		uvpci-model dmaw "$dev" "$addr" "0${i}0${i}0${i}0${i}" >/dev/null
		uvpci-model msi "$dev" 2 >/dev/null
		wait_klog "irq vector 2: dma buffer starts with 0$i 0$i 0$i 0$i"
	done
}

@test "DMA outside the rules is refused, logged like an IOMMU fault, and touches nothing" {
	sample_dev "$dev"
	sample_load
	wait_klog "uvpci_sample $dev: ready"
	local addr tx
	addr=$(sample_addr "$dev" 0x10)
	tx=$(sample_tx_addr "$dev")
	uvpci-model dmaw "$dev" "$addr" 11223344 >/dev/null

	# Outside every mapping: past the 4 KiB coherent buffer, below it, nowhere.
	run uvpci-model dmaw "$dev" "$((addr + 4096))" 00
	assert_output 'ack: status=EFAULT faults=1'
	run uvpci-model dmaw "$dev" "$((addr - 4))" 00000000
	assert_output 'ack: status=EFAULT faults=1'
	run uvpci-model dmaw "$dev" 0x1000 00
	assert_output 'ack: status=EFAULT faults=1'
	run uvpci-model dmar "$dev" "$((addr + 4096))" 4
	assert_output 'cpl: status=EFAULT'
	klog_has "uvpci_sample $dev: DMA fault: device write of 1 bytes at bus address $(printf '%#x' $((addr + 4096))) refused: not inside one live mapping"
	klog_has "uvpci_sample $dev: DMA fault: device read of 4 bytes at bus address"
	# Straddling the end of a mapping.
	run uvpci-model dmar "$dev" "$((tx + 60))" 8
	assert_output 'cpl: status=EFAULT'
	# Wrong direction: the streaming buffer is DMA_TO_DEVICE.
	run uvpci-model dmaw "$dev" "$tx" 00
	assert_output 'ack: status=EACCES faults=1'
	klog_has "refused: mapping is to-device (read-only for the device)"
	run uvpci-model dmar "$dev" "$tx" 5
	assert_output 'data: 68 65 6c 6c 6f'
	# Malformed requests: misaligned, too long, crossing 4 KiB, bad byte enables.
	run uvpci-model raw "$dev" 0x181 --addr "$((addr + 2))" --ndw 1 --fbe 1
	assert_output 'ack: status=EINVAL faults=1'
	run uvpci-model raw "$dev" 0x181 --addr "$addr" --ndw 33 --fbe 15 --lbe 15
	assert_output 'ack: status=EINVAL faults=1'
	run uvpci-model raw "$dev" 0x181 --addr "$addr" --ndw 0 --fbe 15
	assert_output 'ack: status=EINVAL faults=1'
	run uvpci-model raw "$dev" 0x181 --addr "$((addr + 4088))" --ndw 4 --fbe 15 --lbe 15
	assert_output 'ack: status=EINVAL faults=1'
	# A refused read is reported once, in its own completion, never latched
	# for the port's next ACK (t/helpers/uvpci-model raw sets UVPCI_F_ACK
	# on it); even one refused before its shape is looked at gets one.
	run uvpci-model raw "$dev" 0x182 --addr "$((addr + 4092))" --ndw 2 --fbe 15 --lbe 15
	assert_output "$(printf '%s\n' 'cpl: status=EINVAL' 'ack: status=0 faults=0')"
	run uvpci-model raw "$dev" 0x182 --flags 3 --addr "$addr" --ndw 1 --fbe 15
	assert_output "$(printf '%s\n' 'cpl: status=EINVAL' 'ack: status=0 faults=0')"
	run uvpci-model raw "$dev" 0x182 --addr "$((addr + 4096))" --ndw 1 --fbe 15
	assert_output "$(printf '%s\n' 'cpl: status=EFAULT' 'ack: status=0 faults=0')"
	for be in "--fbe 0" "--fbe 5" "--fbe 15 --lbe 1" "--fbe 16" "--ndw 2 --fbe 7 --lbe 15" \
		"--ndw 2 --fbe 15 --lbe 0" "--ndw 2 --fbe 15 --lbe 2" "--status -5 --fbe 15"; do
		# shellcheck disable=SC2086
		run uvpci-model raw "$dev" 0x181 --addr "$addr" --ndw 1 $be
		assert_output 'ack: status=EINVAL faults=1'
	done
	klog_has "malformed DMA write refused: crosses a 4 KiB boundary"
	klog_has "malformed DMA write refused: address not dword-aligned"
	klog_has "malformed DMA write refused: length not 1..32 dwords"
	# Nothing above touched the buffer.
	run uvpci-model dmar "$dev" "$addr" 8
	assert_output 'data: 11 22 33 44 00 00 00 00'
	# A refused chunk does not stop the next one; the ACK still reports it.
	run uvpci-model dmaw "$dev" "$((addr - 4))" 0000000055667788
	assert_output 'ack: status=EFAULT faults=1'
	run uvpci-model dmar "$dev" "$addr" 8
	assert_output 'data: 55 66 77 88 00 00 00 00'
	run debugfs "$dev"
	assert_line --regexp 'dma_faults [1-9][0-9]* '
}

# A device of its own: the refusals above use up a device's log burst
# (10 lines per 5 s), which would rate-limit this test's line away.
@test "DMA with bus mastering off is refused and logged" {
	sample_dev "$dev"
	sample_load
	wait_klog "uvpci_sample $dev: ready"
	local addr
	addr=$(sample_addr "$dev" 0x10)
	run uvpci-model dmaw "$dev" "$addr" 55
	assert_output 'ack: status=0 faults=0'
	printf '\x02\x00' | dd of="$SYSBUS/devices/$dev/config" bs=2 seek=2 conv=notrunc status=none
	run uvpci-model dmaw "$dev" "$addr" 55
	assert_output 'ack: status=EPERM faults=1'
	klog_has "refused: bus mastering disabled"
}

@test "MSI: out-of-range and not-enabled vectors are refused and logged" {
	uvpci-create create "$dev" --bar 0:4096 --msi 8
	run uvpci-model msi "$dev" 0
	assert_output 'ack: status=EPERM faults=1'
	klog_has "MSI vector 0 refused: MSI not enabled by the driver (device has 8, driver enabled 0)"
	sample_load
	wait_klog "uvpci_sample $dev: ready: 4 MSI vectors"
	run uvpci-model msi "$dev" 3
	assert_output 'ack: status=0 faults=0'
	run uvpci-model msi "$dev" 5
	assert_output 'ack: status=ERANGE faults=1'
	klog_has "MSI vector 5 refused: vector not enabled by the driver (device has 8, driver enabled 4)"
	run uvpci-model msi "$dev" 8
	assert_output 'ack: status=ERANGE faults=1'
	run uvpci-model msi "$dev" 4294967295
	assert_output 'ack: status=ERANGE faults=1'
	klog_has "MSI vector 8 refused: no such vector"
	run uvpci-model raw "$dev" 0x183 --vector 0 --reserved 1
	assert_output 'ack: status=EINVAL faults=1'
	run debugfs "$dev"
	assert_line --regexp ' msi 1 msi_refused 5 '
}

@test "malformed messages are refused, counted, and break nothing" {
	sample_dev "$dev"
	local t
	run uvpci-model raw "$dev" 0 --flags 0x2
	assert_success
	assert_output ''
	run uvpci-model raw "$dev" 0 --flags 0x8001
	assert_output 'ack: status=EINVAL faults=1'
	run uvpci-model raw "$dev" 0 --len 4
	assert_output 'ack: status=EINVAL faults=1'
	run uvpci-model raw "$dev" 0
	assert_output 'ack: status=0 faults=0'
	# A completion from a port that is not the model.
	run uvpci-model raw "$dev" 0x180
	assert_output 'ack: status=EINVAL faults=1'
	# From the model: one nobody waits for is only counted; a malformed one is refused.
	# (--addr overlays bar, size and status of struct uvpci_mmio: size 4, then 3.)
	run uvpci-model raw "$dev" 0x180 --model --tag 12345 --addr 0x400
	assert_output 'ack: status=0 faults=0'
	run uvpci-model raw "$dev" 0x180 --model --tag 1 --addr 0x300
	assert_output 'ack: status=EINVAL faults=1'
	# Types that only the kernel sends, and unknown ones.
	for t in 0x100 0x101 0x102 0x103 0x104 0x105 0x17f 0x186 0x1ff 0xffff 1; do
		run uvpci-model raw "$dev" "$t"
		assert_output 'ack: status=EINVAL faults=1'
	done
	# (Logged ten per device and 5 s, then rate-limited.)
	klog_has "uvpci $dev: malformed message refused: unknown flags"
	klog_has "uvpci $dev: malformed message refused: len set in a typed message"
	klog_has "uvpci $dev: malformed message refused: MMIO completion from a port that is not the model"
	klog_has "uvpci $dev: malformed message refused: not a device-to-host message type (type 0x100"
	klog_has "uvpci $dev: malformed MMIO completion (tag 1, size 3, status 0)"
	run debugfs "$dev"
	assert_line --regexp ' cpl_stale 1 '
	assert_line --regexp ' malformed 16 '
	# The model port that sent those is gone, so the device is too, until reset.
	[ "$(cat "$SYSBUS/devices/$dev/model")" = gone ]
	uvpci-create reset "$dev"
	poke "$dev" 0 0 4 7
	run peek "$dev" 0 0 4
	assert_output 0x00000007
	run cat "/sys/kernel/debug/uvbus/channels"
	assert_line --regexp "^$dev uvpci ok "
}

# --- the model --------------------------------------------------------

@test "a model answers reads; reads never pass earlier writes" {
	uvpci-create create "$dev" --bar 0:4096 --bar 2:0x10000:64
	poke "$dev" 0 0x40 4 0x12345678
	start_model "$dev"
	[ "$(cat "$SYSBUS/devices/$dev/model")" = attached ]
	# The model's memory, not the kernel's register file.
	run peek "$dev" 0 0x40 4
	assert_output 0xeeeeeeee
	local i
	for i in $(seq 1 10); do
		poke "$dev" 0 0x40 4 "$i"
		run peek "$dev" 0 0x40 4
		assert_output "$(printf '0x%08x' "$i")"
	done
	poke "$dev" 2 0x8 8 0x0102030405060708
	poke "$dev" 2 0x10 1 0x99
	run peek "$dev" 2 0x8 8
	assert_output 0x0102030405060708
	run peek "$dev" 2 0xa 2
	assert_output 0x0506
	run peek "$dev" 2 0x10 1
	assert_output 0x99
	run req_log "$dev"
	assert_line --index 0 'R 0 0x40 4'
	assert_line --index 1 'W 0 0x40 4 0x1'
	assert_line --index 2 'R 0 0x40 4'
	assert_line 'W 2 0x8 8 0x102030405060708'
	assert_line 'W 2 0x10 1 0x99'
}

@test "the sample driver against a model: writes in order, then the flushing read" {
	sample_dev "$dev"
	start_model "$dev"
	sample_load
	wait_klog "uvpci_sample $dev: ready"
	klog_has "uvpci_sample $dev: vendor 0x5556 device 0x0001 revision 0x00 class 0x000000, BAR0 4096 bytes, id 0xeeeeeeee"
	run req_log "$dev"
	# enable (command), cache line, then the registers, CTRL, and the read of CTRL.
	assert_line --index 0 'C 0x4 2 0x2'
	assert_line --index 1 'C 0xc 1 0x10'
	assert_line --index 2 'R 0 0x0 4'
	assert_line --partial 'C 0x52 2 0xa5'
	local n
	n=$(grep -n '^W 0 0x4 4 0x1$' "$BATS_TEST_TMPDIR/$dev.log" | cut -d: -f1)
	[ -n "$n" ]
	[ "$(sed -n "$((n + 1))p" "$BATS_TEST_TMPDIR/$dev.log")" = 'R 0 0x4 4' ]
	[ "$(sed -n "$((n - 1))p" "$BATS_TEST_TMPDIR/$dev.log")" = 'W 0 0x2c 1 0x4' ]
	grep -q '^W 0 0x10 8 0xffff' "$BATS_TEST_TMPDIR/$dev.log"
	grep -q '^W 0 0x20 4 ' "$BATS_TEST_TMPDIR/$dev.log"
	grep -q '^W 0 0x24 4 0xffff$' "$BATS_TEST_TMPDIR/$dev.log"
	# The poll keeps reading STATUS from the model.
	wait_for model_log_has "$dev" 'R 0 0x8 4'
	rmmod uvpci_sample
	wait_for model_log_has "$dev" 'W 0 0x4 4 0x0'
}

# --- creation order: held devices, drivers_autoprobe -------------------

# held_dev NAME: the sample driver's device, created held with uvbus-ctl.
held_dev() {
	uvbus-ctl create "$1" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 4 --held
}

# The probe's config writes and the model's ID read, in the model's log.
assert_probe_reached_model() {
	klog_has "uvpci_sample $1: vendor 0x5556 device 0x0001 revision 0x00 class 0x000000, BAR0 4096 bytes, id 0xeeeeeeee"
	run req_log "$1"
	assert_line --index 0 'C 0x4 2 0x2'
	assert_line --index 1 'C 0xc 1 0x10'
	assert_line --index 2 'R 0 0x0 4'
	assert_line --partial 'C 0x52 2 0xa5'
	assert_line 'W 0 0x4 4 0x1'
}

@test "create --held with the driver loaded: no bind until release, then the probe reaches the model" {
	sample_load
	held_dev "$dev"
	local d="$SYSBUS/devices/$dev"
	[ -e "$d" ]
	[ ! -e "$d/driver" ]
	run uvbus-ctl show "$dev"
	assert_line 'flags: held'
	assert_line 'driver: none'
	run uvbus-ctl list
	assert_line --regexp "^$dev +uvpci +held +0 +5556:0001 +000000 +-\$"
	run uvbus-ctl show "$dev" --json
	assert_output --partial '"flags":"held","held":true,'
	run debugfs "$dev"
	assert_line 'driver: (none), held'
	# sysfs bind is refused too while the device is held.
	run bash -c 'echo "$1" >"$2"' _ "$dev" "$SYSBUS/drivers/uvpci_sample/bind"
	assert_failure
	[ ! -e "$d/driver" ]
	start_model "$dev"
	run ! klog_has "uvpci_sample $dev: ready"
	# release returns once the probe has run.
	run --separate-stderr uvbus-ctl release "$dev"
	assert_success
	assert_output ''
	[ -z "$stderr" ]
	[ "$(basename "$(readlink "$d/driver")")" = uvpci_sample ]
	klog_has "uvpci_sample $dev: ready: 4 MSI vectors"
	assert_probe_reached_model "$dev"
	run uvbus-ctl show "$dev"
	assert_line 'flags: none'
	assert_line 'driver: uvpci_sample'
	run uvbus-ctl list
	assert_line --regexp "^$dev +uvpci +ok +1 +5556:0001 +000000 +uvpci_sample\$"
}

@test "a held device: driver loaded after stays unbound; release binds it" {
	held_dev "$dev"
	sample_load
	[ ! -e "$SYSBUS/devices/$dev/driver" ]
	start_model "$dev"
	uvbus-ctl release "$dev"
	[ "$(basename "$(readlink "$SYSBUS/devices/$dev/driver")")" = uvpci_sample ]
	assert_probe_reached_model "$dev"
}

@test "release: not held, twice, no such channel, a loopback, no CAP_SYS_ADMIN; destroy while held" {
	sample_load
	sample_dev "$dev"
	run --separate-stderr uvbus-ctl release "$dev"
	assert_failure 1
	assert_output ''
	assert_equal "$stderr" "uvbus-ctl: release '$dev': not held (created without --held, or already released)"

	run --separate-stderr uvbus-ctl release "${dev}none"
	assert_failure 1
	assert_equal "$stderr" "uvbus-ctl: release '${dev}none': No such file or directory (no such channel)"

	uvbus-ctl create "${dev}lo"
	run --separate-stderr uvbus-ctl release "${dev}lo"
	assert_failure 1
	assert_equal "$stderr" "uvbus-ctl: release '${dev}lo': not a uvPCI device"
	uvbus-ctl destroy "${dev}lo"
	run --separate-stderr uvbus-ctl create "${dev}lo" --held
	assert_failure 1
	assert_equal "${stderr_lines[0]}" "uvbus-ctl: the uvPCI options (--class, --subsystem, --revision, --bar, --msi, --msix, --intx, --timeout-us, --held) need --vendor and --device"

	held_dev "${dev}h"
	run --separate-stderr setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin uvbus-ctl release "${dev}h"
	assert_failure 1
	assert_equal "$stderr" "uvbus-ctl: release '${dev}h': Operation not permitted (needs root or CAP_SYS_ADMIN)"
	run --separate-stderr setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin uvbus-ctl create "${dev}p" --vendor 0x5556 --device 1 --held
	assert_failure 1
	assert_equal "$stderr" "uvbus-ctl: create '${dev}p': Operation not permitted (needs root or CAP_SYS_ADMIN)"
	[ ! -e "$SYSBUS/devices/${dev}h/driver" ]
	uvbus-ctl release "${dev}h"
	[ -e "$SYSBUS/devices/${dev}h/driver" ]
	run --separate-stderr uvbus-ctl release "${dev}h"
	assert_failure 1
	assert_equal "$stderr" "uvbus-ctl: release '${dev}h': not held (created without --held, or already released)"

	# Destroying a device that is still held needs no release.
	held_dev "${dev}d"
	start_model "${dev}d"
	uvbus-ctl destroy "${dev}d"
	[ ! -e "$SYSBUS/devices/${dev}d" ]
	run uvbus-ctl show "${dev}d"
	assert_failure 1
	run ! klog_has "uvpci_sample ${dev}d:"
}

@test "drivers_autoprobe 0: no device binds until drivers_probe" {
	sample_load
	echo 0 >"$SYSBUS/drivers_autoprobe"
	sample_dev "$dev"
	[ ! -e "$SYSBUS/devices/$dev/driver" ]
	start_model "$dev"
	echo "$dev" >"$SYSBUS/drivers_probe"
	[ "$(basename "$(readlink "$SYSBUS/devices/$dev/driver")")" = uvpci_sample ]
	assert_probe_reached_model "$dev"
}

@test "a second model is refused; an auxiliary port is not" {
	uvpci-create create "$dev" --bar 0:4096
	start_model "$dev"
	run uvpci-model model "$dev"
	assert_failure
	assert_output --partial 'attach: EBUSY'
	run uvpci-model raw "$dev" 0
	assert_output 'ack: status=0 faults=0'
	run uvpci-create reset "$dev"
	assert_failure
	assert_output --partial EBUSY
}

@test "a model killed in the middle of a read: all-ones at once, then until reset or a new model" {
	uvpci-create create "$dev" --bar 0:4096 --timeout-us 8000000
	poke "$dev" 0 0 4 0x1234
	start_model "$dev" --hang
	local out="$BATS_TEST_TMPDIR/peek.out" t0 t1 pid
	peek "$dev" 0 0x20 4 >"$out" 2>&1 3>&- &
	pid=$!
	wait_for model_log_has "$dev" 'R 0 0x20 4'
	nap 0.3
	t0=$(now_ms)
	kill_model
	wait "$pid"
	t1=$(now_ms)
	[ "$(cat "$out")" = 0xffffffff ]
	# Well before the 8 s timeout (half of it: room for a stalled guest).
	[ $((t1 - t0)) -lt 4000 ]
	wait_klog "device model detached: BAR reads return all-ones"
	! klog_has "read timed out"
	[ "$(cat "$SYSBUS/devices/$dev/model")" = gone ]
	# Later reads: all-ones at once; writes vanish; config reads all-ones too.
	t0=$(now_ms)
	run peek "$dev" 0 0 4
	assert_output 0xffffffff
	[ $(($(now_ms) - t0)) -lt 4000 ]
	poke "$dev" 0 0 4 5
	run peek "$dev" 0 0 8
	assert_output 0xffffffffffffffff
	run od -A n -t x1 -N 4 "$SYSBUS/devices/$dev/config"
	assert_output ' ff ff ff ff'
	run uvpci-model msi "$dev" 0
	assert_output 'ack: status=ENODEV faults=1'
	# A new model brings the device back.
	start_model "$dev"
	run peek "$dev" 0 0x20 4
	assert_output 0xeeeeeeee
	kill "$model_pid"
	wait_true '[ "$(cat "$SYSBUS/devices/$dev/model")" = gone ]'
	# RESET: empty register files again.
	uvpci-create reset "$dev"
	[ "$(cat "$SYSBUS/devices/$dev/model")" = none ]
	run peek "$dev" 0 0 4
	assert_output 0x00000000
	poke "$dev" 0 0 4 0x77
	run peek "$dev" 0 0 4
	assert_output 0x00000077
	run od -A n -t x1 -N 2 "$SYSBUS/devices/$dev/config"
	assert_output ' 56 55'
	klog_has "reset: BARs are empty register files"
}

@test "the driver sees the device vanish: its poll reads all-ones" {
	sample_dev "$dev" --timeout-us 5000000
	sample_load
	wait_klog "uvpci_sample $dev: ready"
	poke "$dev" 0 0x8 4 3
	wait_klog "status 0x00000000 -> 0x00000003"
	start_model "$dev" --hang
	wait_for model_log_has "$dev" 'R 0 0x8 4'
	kill_model
	wait_klog "uvpci_sample $dev: status 0x00000003 -> 0xffffffff"
	# Destroy with the driver bound to a gone device: remove() runs at once.
	uvpci-create destroy "$dev"
	wait_klog "uvpci_sample $dev: removed"
	! klog_has "read timed out"
}

@test "a read the model never answers times out with all-ones and one log line" {
	uvpci-create create "$dev" --bar 0:4096 --bar 2:4096 --timeout-us 200000
	start_model "$dev" --hang
	local t0 t1
	t0=$(now_ms)
	run peek "$dev" 2 0x18 4
	t1=$(now_ms)
	assert_output 0xffffffff
	[ $((t1 - t0)) -ge 200 ]
	[ $((t1 - t0)) -lt 5000 ]
	wait_klog "uvpci $dev: read timed out after 200000 us: BAR2 offset 0x18 (4 bytes), returning all-ones"
	# The timeout is per device and can be changed.
	echo 50000 >"$SYSBUS/devices/$dev/timeout_us"
	t0=$(now_ms)
	run peek "$dev" 0 0 1
	assert_output 0xff
	run debugfs "$dev"
	assert_line --regexp 'read_timeouts 2 '
	run bash -c "echo 0 >$SYSBUS/devices/$dev/timeout_us"
	assert_failure
	kill_model
}

# stalled_writer NAME COUNT: a model on NAME with a 16-entry ring that
# holds it (consumes nothing) while $BATS_TEST_TMPDIR/hold exists, and
# uvpci-poke writing 1..COUNT to BAR0 0x40, in the background ($poke_pid),
# stalled on the full ring past the device's timeout (logged).
stalled_writer() {
	local i specs=()
	touch "$BATS_TEST_TMPDIR/hold"
	start_model "$1" --hold "$BATS_TEST_TMPDIR/hold" --entries 16
	wait_for model_log_has "$1" held
	for i in $(seq "$2"); do
		specs+=("$(printf '0:0x40=%#x' "$i")")
	done
	uvpci-poke "$1" "${specs[@]}" 3>&- &
	poke_pid=$!
	wait_klog "uvpci $1: model ring full for 200000 us: posted write"
}

@test "a model that stops consuming stalls the writer past the timeout; no write is lost, all arrive in order" {
	uvpci-create create "$dev" --bar 0:4096 --timeout-us 200000
	stalled_writer "$dev" 40
	# Five timeouts later the writer still waits (a drop would have let it
	# finish), and the model has seen nothing.
	nap 1
	kill -0 "$poke_pid"
	klog_has "uvpci $dev: model ring full for 200000 us: posted write stalled until the model consumes its ring (nothing is dropped)"
	run ! grep -q '^W ' "$BATS_TEST_TMPDIR/$dev.log"
	# A read meanwhile cannot get onto the ring: all-ones, and as the ring
	# is stuck it does not wait a timeout for that.
	run peek "$dev" 0 0x40 4
	assert_output 0xffffffff
	[ "$(grep -c 'model ring full' <(klog))" = 1 ]

	rm "$BATS_TEST_TMPDIR/hold"
	wait "$poke_pid"
	wait_for model_log_has "$dev" 'W 0 0x40 4 0x28'
	run grep '^W ' "$BATS_TEST_TMPDIR/$dev.log"
	assert_output "$(for i in $(seq 40); do printf 'W 0 0x40 4 0x%x\n' "$i"; done)"
	wait_klog "uvpci $dev: model ring moving again: a posted write stalled for"
	run debugfs "$dev"
	assert_line --regexp ' write_drops 0 '
	# The device is as good as before: the read sees the last write.
	run peek "$dev" 0 0x40 4
	assert_output 0x00000028
	run ! klog_has "discarded"
}

@test "a model killed while a writer stalls on its ring releases the writer" {
	uvpci-create create "$dev" --bar 0:4096 --timeout-us 200000
	stalled_writer "$dev" 40
	kill -0 "$poke_pid"
	kill_model
	# The writer ends (posted writes report nothing), well within the wait.
	wait "$poke_pid"
	wait_klog "uvpci $dev: posted write discarded: the device model detached (device removed from the bus)"
	wait_klog "device model detached: BAR reads return all-ones"
	[ "$(cat "$SYSBUS/devices/$dev/model")" = gone ]
	run debugfs "$dev"
	assert_line --regexp ' write_drops [1-9][0-9]* '
	# The device answers as a removed card, at once.
	run peek "$dev" 0 0x40 4
	assert_output 0xffffffff
	# A destroy with a writer stalled releases it too.
	uvpci-create reset "$dev"
	klog_mark
	stalled_writer "$dev" 40
	uvpci-create destroy "$dev"
	wait "$poke_pid" || true
	[ ! -e "$SYSBUS/devices/$dev" ]
}

@test "a writer that cannot sleep stalls at most 5 s on a model that consumes nothing, then the model is taken as dead" {
	sample_dev "$dev" --timeout-us 200000
	local hold="$BATS_TEST_TMPDIR/hold" i t0 irq n=0
	start_model "$dev" --hold "$hold" --entries 16
	# No STATUS poll: reads would only time out while the model holds.
	insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" poll_ms=0
	wait_klog "uvpci_sample $dev: ready"
	irq=$(cut -d' ' -f1 "$SYSBUS/devices/$dev/msi_irqs")
	touch "$hold"
	wait_for model_log_has "$dev" held
	# Each MSI's handler writes IRQ_ACK in hard IRQ context: 16 fill the
	# ring, the 17th handler spins (interrupts off) waiting for room.
	t0=$(now_ms)
	for i in $(seq 20); do
		uvpci-model msi "$dev" 0 >/dev/null 2>&1 || break
		n=$((n + 1))
		wait_until "[ \$(irq_count $irq) -ge $n ]" 20 || true
	done
	wait_klog "uvbus: channel $dev broken: device model's ring full for 5000 ms while a posted write could not sleep: the model is taken as dead"
	wait_klog "uvpci_sample $dev: posted write discarded: the device model is dead, its channel broken (device removed from the bus)"
	[ $(($(now_ms) - t0)) -ge 5000 ]
	klog_has "posted write stalled until the model consumes its ring"
	run grep -E "^$dev " /sys/kernel/debug/uvbus/channels
	assert_output --regexp "^$dev uvpci broken "
	rm "$hold"
	rmmod uvpci_sample
	kill_model
}

@test "a completion with an error status reads all-ones" {
	uvpci-create create "$dev" --bar 0:4096
	start_model "$dev" --cpl-status -5
	run peek "$dev" 0 0 2
	assert_output 0xffff
	run debugfs "$dev"
	assert_line --regexp 'cpl_errors 1 '
}

# --- many devices, and teardown in every order ------------------------

@test "many devices at once, each with the sample driver" {
	local i n=8
	sample_load
	for i in $(seq $n); do
		sample_dev "${dev}_$i"
	done
	for i in $(seq $n); do
		wait_klog "uvpci_sample ${dev}_$i: ready"
	done
	[ "$(ls -d "$SYSBUS"/drivers/uvpci_sample/"${dev}"_* | wc -l)" = $n ]
	# Each has its own register file, IOVAs and IRQs.
	for i in $(seq $n); do
		poke "${dev}_$i" 0 0x80 4 "$i"
	done
	for i in $(seq $n); do
		[ "$(peek "${dev}_$i" 0 0x80 4)" = "$(printf '0x%08x' "$i")" ]
	done
	run grep -c 'uvpci-MSI' /proc/interrupts
	assert_output $((4 * n))
	local addr
	addr=$(sample_addr "${dev}_7" 0x10)
	uvpci-model dmaw "${dev}_7" "$addr" 07070707 >/dev/null
	uvpci-model msi "${dev}_7" 3 >/dev/null
	wait_klog "uvpci_sample ${dev}_7: irq vector 3: dma buffer starts with 07 07 07 07"
	for i in $(seq $n); do
		uvpci-create destroy "${dev}_$i"
	done
	[ "$(grep -c "uvpci_sample ${dev}_[0-9]*: removed" <(klog))" = $n ]
	run grep -c 'uvpci-MSI' /proc/interrupts
	assert_output 0
}

@test "destroy a device whose driver is bound: remove() runs first" {
	sample_dev "$dev"
	sample_load
	wait_klog "uvpci_sample $dev: ready"
	uvpci-create destroy "$dev"
	klog_has "uvpci_sample $dev: removed"
	[ ! -e "$SYSBUS/devices/$dev" ]
	[ ! -e "/sys/kernel/debug/uvbus/$dev" ]
	run uvpci-create destroy "$dev"
	assert_failure
	assert_output --partial ENOENT
	# The driver stays loaded and binds to the next device.
	sample_dev "$dev"
	wait_for test -e "$SYSBUS/devices/$dev/driver"
}

@test "rmmod uvpci_sample with devices bound, then rmmod uvpci with devices" {
	sample_dev "$dev"
	sample_dev "${dev}b"
	sample_load
	wait_klog "uvpci_sample ${dev}b: ready"
	# uvpci cannot go while a driver that uses it is loaded.
	run rmmod uvpci
	assert_failure
	rmmod uvpci_sample
	klog_has "uvpci_sample $dev: removed"
	klog_has "uvpci_sample ${dev}b: removed"
	[ -e "$SYSBUS/devices/$dev" ]
	rmmod uvpci
	[ ! -e "$SYSBUS" ]
	run grep -E "^$dev " /sys/kernel/debug/uvbus/channels
	assert_failure
	load_uvpci
	[ -d "$SYSBUS/devices" ]
	[ -z "$(ls "$SYSBUS/devices")" ]
}

@test "rmmod uvpci with a model attached and a read in flight" {
	# uvBus lets a running ioctl finish before it detaches the ports of a
	# channel being destroyed, so the read ends by its (short) timeout.
	uvpci-create create "$dev" --bar 0:4096 --timeout-us 1000000
	start_model "$dev" --hang
	local out="$BATS_TEST_TMPDIR/peek.out" pid t0
	peek "$dev" 0 0x10 4 >"$out" 2>&1 3>&- &
	pid=$!
	wait_for model_log_has "$dev" 'R 0 0x10 4'
	t0=$(now_ms)
	rmmod uvpci
	[ $(($(now_ms) - t0)) -lt 6000 ]
	wait "$pid" || true
	# Either the read completed with all-ones, or the device was already gone.
	grep -qx -e 0xffffffff -e '.*ENOENT.*' "$out"
	# The model saw its port hang up and exited.
	wait_for bash -c "! kill -0 $model_pid 2>/dev/null"
	[ ! -e "$SYSBUS" ]
}

@test "destroy a device while its model is attached and the driver is bound" {
	sample_dev "$dev"
	start_model "$dev"
	sample_load
	wait_klog "uvpci_sample $dev: ready"
	uvpci-create destroy "$dev"
	klog_has "uvpci_sample $dev: removed"
	wait_for bash -c "! kill -0 $model_pid 2>/dev/null"
	[ ! -e "$SYSBUS/devices/$dev" ]
}

@test "unbind while the device is injecting DMA and MSIs" {
	sample_dev "$dev"
	sample_load
	wait_klog "uvpci_sample $dev: ready"
	local addr i
	addr=$(sample_addr "$dev" 0x10)
	(
		for i in $(seq 20); do
			uvpci-model dmaw "$dev" "$addr" 01020304 >/dev/null 2>&1
			uvpci-model msi "$dev" $((i % 4)) >/dev/null 2>&1
		done
	) 3>&- &
	local inj=$!
	nap 0.5
	echo "$dev" >"$SYSBUS/drivers/uvpci_sample/unbind"
	echo "$dev" >"$SYSBUS/drivers/uvpci_sample/bind"
	echo "$dev" >"$SYSBUS/drivers/uvpci_sample/unbind"
	wait "$inj"
	[ ! -e "$SYSBUS/devices/$dev/driver" ]
	run uvpci-model dmaw "$dev" "$addr" 00
	assert_output 'ack: status=EPERM faults=1'
}
