#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# MSI-X (issue 14, item 3), as root in the uvnic-vm guest: a device
# created with --msix COUNT[:BAR[:OFFSET]] has an MSI-X capability whose
# table and PBA uvPCI keeps in that BAR; pci_alloc_irq_vectors() with
# PCI_IRQ_MSIX and pci_enable_msix_range() give distinct IRQs on the
# uvpci-MSI-X chip; an entry masked through the table (uvpci-poke goes
# down the driver's path) or by the Function Mask holds what the device
# fires pending, and unmasking delivers it; the device side reads mask
# and pending bits (uvmsi-fire --msix-state). Also the old
# pci_enable_msi()/pci_disable_msi(). The driver is uvpci_sample.ko with
# irq_api=. Devices here are named mx*; teardown removes them.
#
#   bin/uvnic-vm -- bats t/kernel/uvpci-msix.bats

bats_require_minimum_version 1.5.0

SYSBUS=/sys/bus/uvpci

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	guest_setup uvpci-create uvpci-echo-model uvpci-msi-storm
	dev="mx$BATS_TEST_NUMBER"
	models=()
	storm_pid=
	klog_mark
}

teardown() {
	if [ -n "$storm_pid" ]; then
		kill "$storm_pid" 2>/dev/null || true
		wait "$storm_pid" 2>/dev/null || true
	fi
	guest_teardown 'mx*'
}

# --- helpers ----------------------------------------------------------

# msix_dev NAME [OPTIONS]: a device the sample driver binds to, with an
# 8-entry MSI-X table at the default place (BAR0 0x800, PBA at 0x880).
msix_dev() {
	uvbus-ctl create "$1" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msix 8 "${@:2}"
}

# sample_load API: the sample driver with irq_api=API, and its ready line.
sample_load() {
	insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" poll_ms=0 irq_api="$1"
}

# Runs of IRQ $1 on all CPUs, from /proc/interrupts.
irq_count() {
	awk -v irq="$1:" 'NR == 1 { ncpu = NF } $1 == irq {
		s = 0; for (i = 2; i <= ncpu + 1; i++) s += $i; print s }' /proc/interrupts
}

# The IRQ of vector N of device $1 (sysfs msi_irqs, in vector order).
vec_irq() {
	local -a irqs
	read -ra irqs <"$SYSBUS/devices/$1/msi_irqs"
	echo "${irqs[$2]}"
}

# The Vector Control dword of table entry $1, in hex (the table at 0x800).
entry_ctrl() {
	printf '%#x\n' $((0x800 + 16 * $1 + 12))
}

debugfs_msix() {
	sed -n 's/^msix: //p' "/sys/kernel/debug/uvbus/$1"
}

# --- tests ------------------------------------------------------------

@test "--msix: an MSI-X capability whose table and PBA are where asked" {
	msix_dev "$dev"
	# PM at 0x40 links to MSI-X at 0x60: ID 0x11, Table Size 8-1, table
	# in BAR0 at 0x800 (half the BAR), PBA right after it at 0x880.
	[ "$(config_read "$dev" 0x41 1)" = 0x60 ]
	[ "$(config_read "$dev" 0x60 1)" = 0x11 ]
	[ "$(config_read "$dev" 0x61 1)" = 0x70 ]
	[ "$(config_read "$dev" 0x62 2)" = 0x0007 ]
	[ "$(config_read "$dev" 0x64 4)" = 0x00000800 ]
	[ "$(config_read "$dev" 0x68 4)" = 0x00000880 ]
	run uvbus-ctl show "$dev"
	assert_line 'msix: 8 bar0 0x800'
	run cat "$SYSBUS/devices/$dev/msix_count"
	assert_output 8
	# Every entry masked, nothing pending, before any driver (the reset state).
	run uvmsi-fire "$dev" --msix-state
	assert_output "msix: 8 entries, disabled, function mask off
masked: 0-7
pending: none"
	run uvpci-peek "$dev" 0:0x80c.l 0:0x880.q
	assert_output $'0x00000001\n0x0000000000000000'
	# Another BAR, another offset; BAR index in the BIR bits.
	uvbus-ctl create "${dev}b" --vendor 0x5556 --device 0x0001 --bar 0:4096 \
		--bar 2:16384:64 --msix 100:2:0x1000
	[ "$(config_read "${dev}b" 0x62 2)" = 0x0063 ]
	[ "$(config_read "${dev}b" 0x64 4)" = 0x00001002 ]
	[ "$(config_read "${dev}b" 0x68 4)" = 0x00001642 ]
	# No MSI-X: MSI links to PCI Express, no MSI-X capability.
	uvbus-ctl create "${dev}c" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 2
	[ "$(config_read "${dev}c" 0x51 1)" = 0x70 ]
	[ "$(config_read "${dev}c" 0x71 1)" = 0x00 ]
	run -1 uvmsi-fire "${dev}c" --msix-state
	assert_output "uvmsi-fire: ${dev}c: the device has no MSI-X table (create it with --msix COUNT)"
}

@test "--msix: a table that is not inside an existing BAR is refused, by the CLI and by the kernel" {
	local v=(--vendor 0x5556 --device 0x0001)
	run -1 uvbus-ctl create "$dev" "${v[@]}" --bar 0:4096 --msix 8:1
	assert_output --partial "invalid --msix '8:1': the device has no BAR 1 (add --bar 1:SIZE)"
	run -1 uvbus-ctl create "$dev" "${v[@]}" --bar 0:4096 --msix 8:0:0x804
	assert_output --partial "the table's OFFSET must be a multiple of 8"
	run -1 uvbus-ctl create "$dev" "${v[@]}" --bar 0:4096 --msix 200
	assert_output --partial "200 entries and their PBA (3232 bytes) do not fit in the BAR from offset 0x800"
	run -1 uvbus-ctl create "$dev" "${v[@]}" --bar 0:4096 --msix 2049
	assert_output --partial "invalid --msix '2049': out of range (1 to 2048)"
	# The kernel checks the same, whatever userspace sends.
	run -1 uvpci-create create "$dev" --bar 0:4096 --msix 8:1:0
	assert_output --partial EINVAL
	run -1 uvpci-create create "$dev" --bar 0:4096 --msix 8:0:4
	assert_output --partial EINVAL
	run -1 uvpci-create create "$dev" --bar 0:4096 --msix 8:0:0xf80
	assert_output --partial EINVAL
	run -1 uvpci-create create "$dev" --bar 0:4096 --msix 2049:0:0
	assert_output --partial EINVAL
	run -1 uvpci-create create "$dev" --bar 0:4096 --msix 0:0:8
	assert_output --partial EINVAL
	run -1 uvpci-create create "$dev" --bar 0:64:64 --msix 1:1:0
	assert_output --partial EINVAL
	[ ! -e "$SYSBUS/devices/$dev" ]
	# The largest table, filling a BAR exactly.
	uvpci-create create "$dev" --bar 0:65536 --msix 2048:0:0x7f00
	run uvmsi-fire "$dev" --msix-state
	assert_line 'masked: 0-2047'
}

@test "PCI_IRQ_MSIX: COUNT distinct IRQs on the uvpci-MSI-X chip; each entry runs its own handler" {
	msix_dev "$dev"
	sample_load msix
	wait_klog "$dev: ready: 8 MSI-X vectors"
	local -a irqs
	read -ra irqs <"$SYSBUS/devices/$dev/msi_irqs"
	[ "${#irqs[@]}" = 8 ]
	[ "$(printf '%s\n' "${irqs[@]}" | sort -u | wc -l)" = 8 ]
	local i
	for i in 0 1 2 3 4 5 6 7; do
		[ "$(cat "/sys/kernel/irq/${irqs[i]}/chip_name")" = uvpci-MSI-X ]
		[ "$(cat "/sys/kernel/irq/${irqs[i]}/hwirq")" = "$i" ]
	done
	# MSI-X Enable on, Function Mask off; the entries unmasked by
	# request_irq(), each given the MSI address and its data.
	[ "$(config_read "$dev" 0x62 2)" = 0x8007 ]
	run uvmsi-fire "$dev" --msix-state
	assert_output "msix: 8 entries, enabled, function mask off
masked: none
pending: none"
	run uvpci-peek "$dev" 0:0x830.l 0:0x834.l 0:0x838.l
	assert_output $'0xfee00000\n0x00000000\n0x00000003'
	run debugfs_msix "$dev"
	assert_output --partial "8 entries, table BAR0 0x800, pba 0x880, enabled, function mask off, 8 allocated, 0 pending"
	# udev->irq stays what it was (0: no pin), as pdev->irq under MSI-X.
	[ "$(cat "$SYSBUS/devices/$dev/irq")" = 0 ]
	for i in 0 1 2 3 4 5 6 7; do
		uvmsi-fire "$dev" "$i"
		wait_klog "$dev: irq vector $i: dma buffer starts with"
	done
	for i in 0 1 2 3 4 5 6 7; do
		[ "$(irq_count "${irqs[i]}")" = 1 ] || fail "IRQ ${irqs[i]}: $(irq_count "${irqs[i]}") runs"
	done
	# Unbinding masks every entry and disables MSI-X again.
	rmmod uvpci_sample
	[ "$(config_read "$dev" 0x62 2)" = 0x0007 ]
	run uvmsi-fire "$dev" --msix-state
	assert_line 'masked: 0-7'
	[ ! -e "/sys/kernel/irq/${irqs[0]}" ]
	run -1 uvmsi-fire "$dev" 0
	assert_output "uvmsi-fire: $dev: MSI vector 0: refused by the host (MSI not enabled by the driver)"
}

@test "a masked entry holds what is fired at it pending; unmasking delivers it once" {
	msix_dev "$dev"
	sample_load msix
	wait_klog "$dev: ready: 8 MSI-X vectors"
	local irq3 ctrl
	irq3=$(vec_irq "$dev" 3)
	ctrl=$(entry_ctrl 3)
	uvpci-poke "$dev" "0:$ctrl.l=1"
	run uvpci-peek "$dev" "0:$ctrl.l"
	assert_output 0x00000001
	uvmsi-fire "$dev" 3
	uvmsi-fire "$dev" 3
	run uvmsi-fire "$dev" --msix-state
	assert_output "msix: 8 entries, enabled, function mask off
masked: 3
pending: 3"
	# The PBA in the BAR says the same: bit 3.
	run uvpci-peek "$dev" 0:0x880.q
	assert_output 0x0000000000000008
	[ "$(irq_count "$irq3")" = 0 ]
	# Read-only: a write to the PBA changes nothing.
	uvpci-poke "$dev" 0:0x880.q=0
	run uvpci-peek "$dev" 0:0x880.q
	assert_output 0x0000000000000008
	uvpci-poke "$dev" "0:$ctrl.l=0"
	wait_true '[ "$(irq_count "$irq3")" = 1 ]'
	run uvmsi-fire "$dev" --msix-state
	assert_line 'pending: none'
	# Unmasked, each MSI-X is delivered at once.
	uvmsi-fire "$dev" 3
	wait_true '[ "$(irq_count "$irq3")" = 2 ]'
	grep -q "msix_masked 2" "/sys/kernel/debug/uvbus/$dev"
}

@test "the Function Mask holds every entry pending; clearing it delivers them" {
	msix_dev "$dev"
	sample_load msix
	wait_klog "$dev: ready: 8 MSI-X vectors"
	local irq1 irq6
	irq1=$(vec_irq "$dev" 1)
	irq6=$(vec_irq "$dev" 6)
	# Enable and Function Mask (bits 15 and 14).
	config_write "$dev" 0x62 2 0xc000
	run uvmsi-fire "$dev" --msix-state
	assert_line 'msix: 8 entries, enabled, function mask on'
	assert_line 'masked: none'
	uvmsi-fire "$dev" 1
	uvmsi-fire "$dev" 6
	run uvmsi-fire "$dev" --msix-state
	assert_line 'pending: 1 6'
	[ "$(irq_count "$irq1")" = 0 ] && [ "$(irq_count "$irq6")" = 0 ]
	config_write "$dev" 0x62 2 0x8000
	wait_true '[ "$(irq_count "$irq1")" = 1 ] && [ "$(irq_count "$irq6")" = 1 ]'
	run uvmsi-fire "$dev" --msix-state
	assert_line 'pending: none'
}

@test "a message pending when the driver unbinds goes to the next driver's handler once request_irq() unmasks its entry" {
	msix_dev "$dev"
	sample_load msix
	wait_klog "$dev: ready: 8 MSI-X vectors"
	local irq ctrl
	ctrl=$(entry_ctrl 5)
	uvpci-poke "$dev" "0:$ctrl.l=1"
	uvmsi-fire "$dev" 5
	rmmod uvpci_sample
	# MSI-X off: what was pending stays pending, and nothing is delivered.
	run uvmsi-fire "$dev" --msix-state
	assert_line 'pending: 5'
	sample_load msix
	wait_klog "$dev: ready: 8 MSI-X vectors"
	# The new driver's setup masked every entry, then request_irq()
	# unmasked entry 5: its pending message went to the new handler.
	irq=$(vec_irq "$dev" 5)
	wait_true '[ "$(irq_count "$irq")" = 1 ]'
	run uvmsi-fire "$dev" --msix-state
	assert_line 'pending: none'
}

@test "pci_enable_msix_range(): vector i on the entry its msix_entry names" {
	msix_dev "$dev"
	sample_load msix-entries
	wait_klog "$dev: ready: 8 MSI-X vectors"
	local i irq
	for i in 0 1 2 3 4 5 6 7; do
		irq=$(vec_irq "$dev" "$i")
		klog_has "$dev: vector $i: MSI-X entry $((7 - i)), irq $irq"
		[ "$(cat "/sys/kernel/irq/$irq/hwirq")" = $((7 - i)) ]
	done
	# Entry 7 is vector 0, entry 0 vector 7.
	uvmsi-fire "$dev" 7
	wait_klog "$dev: irq vector 0: dma buffer starts with"
	uvmsi-fire "$dev" 0
	wait_klog "$dev: irq vector 7: dma buffer starts with"
	# pci_disable_msix() at remove: MSI-X off, every entry masked.
	rmmod uvpci_sample
	[ "$(config_read "$dev" 0x62 2)" = 0x0007 ]
	run uvmsi-fire "$dev" --msix-state
	assert_line 'masked: 0-7'
	run klog_has "left MSI vectors allocated"
	assert_failure
}

@test "entries no driver allocated stay masked: what they get waits; a vector past the table is refused" {
	# 16 entries in BAR2; the sample driver takes 8 (entries 0-7).
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 \
		--bar 2:4096 --msix 16:2:0
	sample_load msix
	wait_klog "$dev: ready: 8 MSI-X vectors"
	uvmsi-fire "$dev" 12
	run uvmsi-fire "$dev" --msix-state
	assert_line 'masked: 8-15'
	assert_line 'pending: 12'
	# Unmasked by hand with no IRQ behind it: the message is lost, and
	# one fired then is refused, as an entry the driver did not enable.
	uvpci-poke "$dev" "$(printf '2:%#x.l=0' $((16 * 12 + 12)))"
	run uvmsi-fire "$dev" --msix-state
	assert_line 'pending: none'
	run -1 uvmsi-fire "$dev" 12
	assert_output "uvmsi-fire: $dev: MSI vector 12: refused by the host (vector not enabled by the driver)"
	wait_klog "MSI-X vector 12 refused: vector not enabled by the driver (device has 16, driver enabled 8)"
	run -1 uvmsi-fire "$dev" 16
	assert_output "uvmsi-fire: $dev: MSI vector 16 out of range: the device has 16 (0 to 15)"
	run -1 uvmsi-fire "$dev" 2048
	assert_output --partial "invalid VECTOR '2048': out of range (0 to 2047)"
}

@test "the model never sees accesses to the table or the PBA, the host's or the driver's" {
	msix_dev "$dev"
	local ready="$BATS_TEST_TMPDIR/model.ready" log="$BATS_TEST_TMPDIR/model.log"
	uvpci-echo-model "$dev" --ready "$ready" >"$log" 2>&1 3>&- &
	models+=("$!")
	wait_for test -e "$ready"
	uvpci-poke "$dev" 0:0x80c.l=0 0:0x10.l=0x1234
	run uvpci-peek "$dev" 0:0x80c.l
	assert_output 0x00000000
	wait_true 'grep -q "^W 0 0x10 4 0x1234$" "$BATS_TEST_TMPDIR/model.log"'
	run grep -c "^[RW] 0 0x80c " "$log"
	assert_output 0
	# The driver's MSI-X setup writes the table: none of it reaches the model.
	sample_load msix
	wait_klog "$dev: ready: 8 MSI-X vectors"
	run grep -c "^[RW] 0 0x8[0-8][0-9a-f] " "$log"
	assert_output 0
	grep -q "msix_masked 0" "/sys/kernel/debug/uvbus/$dev"
}

@test "MSI-X on a device with a pin: Interrupt Disable while MSI-X is on, udev->irq stays INTx" {
	msix_dev "$dev" --intx
	local intx
	intx=$(cat "$SYSBUS/devices/$dev/irq")
	[ "$intx" -gt 0 ]
	sample_load msix
	wait_klog "$dev: ready: 8 MSI-X vectors"
	[ "$(cat "$SYSBUS/devices/$dev/irq")" = "$intx" ]
	[ "$(( $(config_read "$dev" 0x4 2) & 0x400 ))" = $((0x400)) ]
	rmmod uvpci_sample
	[ "$(( $(config_read "$dev" 0x4 2) & 0x400 ))" = 0 ]
}

@test "pci_enable_msi() and pci_disable_msi(): one MSI vector in udev->irq, and back" {
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 4
	sample_load msi
	wait_klog "$dev: ready: 1 MSI vectors"
	local irq
	irq=$(cat "$SYSBUS/devices/$dev/irq")
	[ "$irq" = "$(cat "$SYSBUS/devices/$dev/msi_irqs")" ]
	[ "$(cat "/sys/kernel/irq/$irq/chip_name")" = uvpci-MSI ]
	# MSI Enable, one message (Multiple Message Enable 0).
	[ "$(( $(config_read "$dev" 0x52 2) & 0x71 ))" = 1 ]
	uvmsi-fire "$dev" 0
	wait_klog "$dev: irq vector 0: dma buffer starts with"
	run -1 uvmsi-fire "$dev" 1
	assert_output "uvmsi-fire: $dev: MSI vector 1: refused by the host (vector not enabled by the driver)"
	rmmod uvpci_sample
	[ "$(cat "$SYSBUS/devices/$dev/irq")" = 0 ]
	[ "$(( $(config_read "$dev" 0x52 2) & 0x1 ))" = 0 ]
	# Without MSI, pci_enable_msi() fails the probe; a device with only
	# MSI-X refuses PCI_IRQ_MSI, as PCI does.
	msix_dev "${dev}b"
	sample_load msi
	wait_klog "uvpci_sample: probe of ${dev}b failed with error -22"
}

@test "two ports storm an MSI-X device while the host masks and unmasks an entry: nothing wedges, nothing is lost" {
	msix_dev "$dev"
	sample_load msix
	wait_klog "$dev: ready: 8 MSI-X vectors"
	local secs=${UVNIC_STORM_SECS:-5} ctrl i=0
	ctrl=$(entry_ctrl 2)
	uvpci-msi-storm "$dev" "$secs" --rate 20000 >"$BATS_TEST_TMPDIR/storm.log" 2>&1 3>&- &
	storm_pid=$!
	while kill -0 "$storm_pid" 2>/dev/null; do
		uvpci-poke "$dev" "0:$ctrl.l=$((i++ & 1))"
	done
	wait "$storm_pid" || fail "storm: $(cat "$BATS_TEST_TMPDIR/storm.log")"
	storm_pid=
	run cat "$BATS_TEST_TMPDIR/storm.log"
	assert_line --regexp '^port 0 cpu 0: [0-9]+ MSIs in .* accepted$'
	assert_line --regexp '^port 1 cpu 1: [0-9]+ MSIs in .* accepted$'
	[ "$i" -gt 2 ] || fail "only $i mask toggles during the storm"
	# Unmasked at the end: nothing stays pending, every vector ran.
	uvpci-poke "$dev" "0:$ctrl.l=0"
	run uvmsi-fire "$dev" --msix-state
	assert_line 'masked: none'
	assert_line 'pending: none'
	local n
	for n in 0 1 2 3 4 5 6 7; do
		[ "$(irq_count "$(vec_irq "$dev" "$n")")" -gt 0 ]
	done
	run klog_problems
	assert_output ''
}
