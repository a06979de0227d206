#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# INTx (issue 14, item 2), as root in the uvnic-vm guest: a device created
# with an interrupt pin has a real, level-triggered Linux IRQ in
# udev->irq; PCI_IRQ_LEGACY allocates it; the device side asserts and
# deasserts the level (uvmsi-fire --intx, or a model on libuvnic:
# t/helpers/uvpci-echo-model); an unacknowledged level keeps firing;
# Interrupt Disable masks it; handlers share it. Counts come from
# /proc/interrupts. The driver is uvpci_sample.ko with intx=1. Devices
# here are named ix*; teardown removes them.
#
#   bin/uvnic-vm -- bats t/kernel/uvpci-intx.bats

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	guest_setup uvpci-create uvpci-echo-model uvpci-model
	dev="ix$BATS_TEST_NUMBER"
	models=()
	klog_mark
}

teardown() {
	guest_teardown 'ix*'
}

# --- helpers ----------------------------------------------------------

# The sample driver on INTx; "shared" adds its second, shared handler.
sample_load() {
	local shared=0
	[ "${1:-}" = shared ] && shared=1
	[ -d /sys/module/uvpci_sample ] ||
		insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" poll_ms=0 intx=1 intx_shared=$shared
}

# A device the sample driver binds to, with an interrupt pin and no MSI.
intx_dev() {
	uvbus-ctl create "$1" --vendor 0x5556 --device 0x0001 --bar 0:4096 --intx "${@:2}"
}

dev_irq() {
	cat "/sys/bus/uvpci/devices/$1/irq"
}

# Runs of IRQ $1 on all CPUs, from /proc/interrupts.
irq_count() {
	awk -v irq="$1:" 'NR == 1 { ncpu = NF } $1 == irq {
		s = 0; for (i = 2; i <= ncpu + 1; i++) s += $i; print s }' /proc/interrupts
}

# The /proc/interrupts line of IRQ $1.
irq_line() {
	grep "^ *$1:" /proc/interrupts
}

debugfs_intx() {
	sed -n 's/^intx: //p' "/sys/kernel/debug/uvbus/$1"
}

# The command (0x04) and status (0x06) registers, as 4 hex digits each.
cfg_word() {
	od -A n -t x2 -j $(($2)) -N 2 "/sys/bus/uvpci/devices/$1/config" | tr -d ' '
}

# cfg_set_command NAME VALUE: one 2-byte write of the command register.
cfg_set_command() {
	local v=$(($2))
	# shellcheck disable=SC2059
	printf "$(printf '\\x%02x\\x%02x' $((v & 0xff)) $((v >> 8)))" |
		dd of="/sys/bus/uvpci/devices/$1/config" bs=2 count=1 seek=4 \
			oflag=seek_bytes conv=notrunc status=none
}

start_model() {
	local ready="$BATS_TEST_TMPDIR/$1.ready"
	rm -f "$ready"
	uvpci-echo-model "$1" --ready "$ready" \
		>"$BATS_TEST_TMPDIR/$1.log" 2>&1 3>&- &
	models+=("$!")
	model_pid=$!
	wait_for test -e "$ready"
}

# --- tests ------------------------------------------------------------

@test "--intx: an interrupt pin in config space and a real IRQ in udev->irq before any driver" {
	intx_dev "$dev"
	run od -A n -t x1 -j 0x3d -N 1 "/sys/bus/uvpci/devices/$dev/config"
	assert_output ' 01'
	local irq
	irq=$(dev_irq "$dev")
	[ "$irq" -gt 0 ]
	[ "$(cat "/sys/kernel/irq/$irq/chip_name")" = uvpci-INTx ]
	[ "$(cat "/sys/kernel/irq/$irq/type")" = level ]
	run debugfs_intx "$dev"
	assert_output "pin INTA, irq $irq, deasserted, enabled"
	run uvbus-ctl show "$dev"
	assert_line 'intx: INTA'
	# Without --intx: no pin, no IRQ; a pin past INTD is refused.
	uvbus-ctl create "${dev}b" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 1
	run od -A n -t x1 -j 0x3d -N 1 "/sys/bus/uvpci/devices/${dev}b/config"
	assert_output ' 00'
	[ "$(dev_irq "${dev}b")" = 0 ]
	run uvbus-ctl show "${dev}b"
	assert_line 'intx: none'
	run -1 uvpci-create create "${dev}c" --bar 0:4096 --intx 5
	assert_output --partial EINVAL
	# Destroying the device frees its IRQ.
	uvbus-ctl destroy "$dev"
	[ ! -e "/sys/kernel/irq/$irq" ]
}

@test "PCI_IRQ_LEGACY: the sample driver gets udev->irq, INTx enabled; a device without a pin is refused" {
	intx_dev "$dev"
	sample_load
	wait_klog "$dev: ready: INTx on irq $(dev_irq "$dev"), "
	run irq_line "$(dev_irq "$dev")"
	assert_output --regexp "uvpci-INTx +-level +$dev\$"
	# Interrupt Disable (bit 10) is clear; memory and bus master are on.
	[ "$(( 0x$(cfg_word "$dev" 0x4) & 0x406 ))" = $((0x6)) ]
	rmmod uvpci_sample
	# Bound to a device with MSI only, intx=1 fails the probe.
	uvbus-ctl create "${dev}b" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 2
	sample_load
	wait_klog "uvpci_sample: probe of ${dev}b failed with error -22"
}

@test "an asserted level runs the handler and keeps running it until it is deasserted" {
	intx_dev "$dev"
	sample_load
	wait_klog "$dev: ready: INTx"
	local irq n0 n1 n2
	irq=$(dev_irq "$dev")
	n0=$(irq_count "$irq")
	[ "$n0" = 0 ]
	uvmsi-fire "$dev" --intx assert
	wait_klog "$dev: irq vector 0: dma buffer starts with"
	[ "$(debugfs_intx "$dev")" = "pin INTA, irq $irq, asserted, enabled" ]
	# Interrupt Status (status bit 3) follows the level.
	[ "$(( 0x$(cfg_word "$dev" 0x6) & 0x8 ))" = 8 ]
	# Nobody clears the cause (no model): the level fires again and again.
	n1=$(irq_count "$irq")
	wait_true '[ "$(irq_count "$irq")" -ge $((n1 + 100)) ]'
	uvmsi-fire "$dev" --intx deassert
	n1=$(irq_count "$irq")
	nap 0.3
	n2=$(irq_count "$irq")
	# At most a run already under way when the level dropped.
	[ "$n2" -le $((n1 + 1)) ] || fail "still firing after deassert: $n1 -> $n2"
	[ "$(( 0x$(cfg_word "$dev" 0x6) & 0x8 ))" = 0 ]
	run debugfs_intx "$dev"
	assert_output "pin INTA, irq $irq, deasserted, enabled"
	run klog_has "nobody cared"
	assert_failure
}

@test "Interrupt Disable masks the level; clearing it with the level asserted fires at once" {
	intx_dev "$dev"
	sample_load
	wait_klog "$dev: ready: INTx"
	local irq cmd n1
	irq=$(dev_irq "$dev")
	cmd=$((0x$(cfg_word "$dev" 0x4)))
	cfg_set_command "$dev" $((cmd | 0x400))
	uvmsi-fire "$dev" --intx assert
	[ "$(debugfs_intx "$dev")" = "pin INTA, irq $irq, asserted, disabled" ]
	nap 0.3
	[ "$(irq_count "$irq")" = 0 ]
	# Masked, the level still shows in Interrupt Status.
	[ "$(( 0x$(cfg_word "$dev" 0x6) & 0x8 ))" = 8 ]
	cfg_set_command "$dev" "$cmd"
	wait_true '[ "$(irq_count "$irq")" -ge 50 ]'
	# Masking it again stops it while still asserted.
	cfg_set_command "$dev" $((cmd | 0x400))
	n1=$(irq_count "$irq")
	nap 0.3
	[ "$(irq_count "$irq")" -le $((n1 + 1)) ]
	uvmsi-fire "$dev" --intx deassert
}

@test "a shared line: both handlers run on each interrupt" {
	intx_dev "$dev"
	sample_load shared
	wait_klog "$dev: ready: INTx on irq $(dev_irq "$dev") (shared)"
	local irq
	irq=$(dev_irq "$dev")
	run irq_line "$irq"
	assert_output --regexp "uvpci-INTx +-level +$dev, uvpci_sample-shared\$"
	[ "$(cat /sys/module/uvpci_sample/parameters/intx_shared_runs)" = 0 ]
	uvmsi-fire "$dev" --intx assert
	wait_true '[ "$(cat /sys/module/uvpci_sample/parameters/intx_shared_runs)" -ge 20 ]'
	uvmsi-fire "$dev" --intx deassert
	# The driver's handler claimed each run, so the core saw none unhandled.
	run klog_has "nobody cared"
	assert_failure
	rmmod uvpci_sample
	[ -z "$(cat "/sys/kernel/irq/$irq/actions")" ]
}

@test "a model that deasserts when the driver acknowledges: one run per assertion" {
	intx_dev "$dev" --held
	start_model "$dev"
	sample_load
	uvbus-ctl release "$dev"
	wait_klog "$dev: ready: INTx"
	local irq
	irq=$(dev_irq "$dev")
	# The model asserts (its INTX register); the handler's IRQ_ACK write
	# makes it deassert, and the handler's flushing read returns only after
	# the model saw the write, so the line goes quiet after one run.
	uvpci-poke "$dev" 0:0xa0.l=1
	wait_true 'model_log_has "$dev" "INTX 0 = 0"'
	nap 0.3
	[ "$(irq_count "$irq")" = 1 ]
	uvpci-poke "$dev" 0:0xa0.l=1
	wait_true '[ "$(grep -c "^INTX 0 = 0$" "$BATS_TEST_TMPDIR/$dev.log")" = 2 ]'
	nap 0.3
	[ "$(irq_count "$irq")" = 2 ]
	run grep '^INTX ' "$BATS_TEST_TMPDIR/$dev.log"
	assert_output 'INTX 1 = 0
INTX 0 = 0
INTX 1 = 0
INTX 0 = 0'
}

@test "a model that goes away with the level asserted releases it" {
	intx_dev "$dev"
	start_model "$dev"
	uvpci-poke "$dev" 0:0xa0.l=1
	wait_true 'model_log_has "$dev" "INTX 1 = 0"'
	run debugfs_intx "$dev"
	assert_output --partial ', asserted, '
	kill -9 "$model_pid"
	wait_true '[ "$(uvbus-ctl show "$dev" | sed -n "s/^ports: //p")" = 0 ]'
	run debugfs_intx "$dev"
	assert_output --partial ', deasserted, '
}

@test "uvmsi-fire --intx: refused with one clear line on a device without a pin, and for a bad level" {
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 1
	run --separate-stderr uvmsi-fire "$dev" --intx assert
	assert_failure 1
	assert_equal "$stderr" "uvmsi-fire: $dev: INTx assert: the device has no interrupt pin (create it with --intx)"
	run --separate-stderr uvmsi-fire "$dev" --intx up
	assert_failure 1
	assert_equal "${stderr_lines[0]}" "uvmsi-fire: invalid --intx 'up': assert or deassert"
}

@test "MSI on a device with a pin: Interrupt Disable while MSI is on; udev->irq back to INTx after" {
	intx_dev "$dev" --msi 2
	local irq
	irq=$(dev_irq "$dev")
	insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" poll_ms=0
	wait_klog "$dev: ready: 2 MSI vectors"
	# As the PCI core's MSI code: INTx off while MSI is on.
	[ "$(( 0x$(cfg_word "$dev" 0x4) & 0x400 ))" = $((0x400)) ]
	[ "$(dev_irq "$dev")" != "$irq" ]
	# An asserted level does not reach anyone meanwhile.
	uvmsi-fire "$dev" --intx assert
	nap 0.2
	[ -z "$(cat "/sys/kernel/irq/$irq/actions")" ]
	[ "$(irq_count "$irq")" = "" ] || [ "$(irq_count "$irq")" = 0 ]
	uvmsi-fire "$dev" --intx deassert
	rmmod uvpci_sample
	[ "$(dev_irq "$dev")" = "$irq" ]
	[ "$(( 0x$(cfg_word "$dev" 0x4) & 0x400 ))" = 0 ]
}

@test "malformed INTx messages are refused and counted; no pin is ERANGE" {
	intx_dev "$dev"
	uvbus-ctl create "${dev}b" --vendor 0x5556 --device 0x0001 --bar 0:4096
	run uvpci-model raw "$dev" 0x184 --level 2
	assert_output 'ack: status=EINVAL faults=1'
	run uvpci-model raw "$dev" 0x184 --level 1 --vector 0x101
	assert_output 'ack: status=EINVAL faults=1'
	run uvpci-model raw "$dev" 0x184 --level 1 --reserved 1
	assert_output 'ack: status=EINVAL faults=1'
	run uvpci-model raw "${dev}b" 0x184 --level 1
	assert_output 'ack: status=ERANGE faults=1'
	klog_has "uvpci ${dev}b: INTx level 1 refused: the device has no interrupt pin"
	klog_has "uvpci $dev: INTx level 2 refused: level neither 0 nor 1"
	# None of them moved the level; a good one does, counted.
	run debugfs_intx "$dev"
	assert_output --partial ', deasserted, '
	run uvpci-model raw "$dev" 0x184 --level 1
	assert_output 'ack: status=0 faults=0'
	run debugfs_intx "$dev"
	assert_output --partial ', asserted, '
	# (With no handler requested the level waits, masked, for one.)
	run grep -o ' intx [0-9]* intx_runs [0-9]* intx_refused [0-9]*' "/sys/kernel/debug/uvbus/$dev"
	assert_output --regexp '^ intx 1 intx_runs [01] intx_refused 3$'
}
