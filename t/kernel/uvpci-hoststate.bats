#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The host state a device model is told (issue 13, item 6), as root in the
# uvnic-vm guest: UVPCI_MSG_HOST_STATE at attach and after each config
# write that changes Memory Space, Bus Master, Interrupt Disable, MSI
# enable and vectors or the D-state, seen through libuvnic's host_state
# callback and uvpci_device_host_state() by t/helpers/uvpci-echo-model
# ("Q ..." is the query at attach, "H ..." each callback), with
# uvpci_sample.ko as the driver and sysfs config writes as the host.
# Devices here are named hs*; teardown removes them.
#
#   bin/uvnic-vm -- bats t/kernel/uvpci-hoststate.bats

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	guest_setup uvpci-echo-model
	dev="hs$BATS_TEST_NUMBER"
	models=()
	klog_mark
}

teardown() {
	guest_teardown 'hs*'
}

# --- helpers ----------------------------------------------------------

sample_load() {
	[ -d /sys/module/uvpci_sample ] ||
		insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" poll_ms=0
}

# start_model NAME: uvpci-echo-model in the background, logging to
# $BATS_TEST_TMPDIR/NAME.log; returns once it is attached.
start_model() {
	local ready="$BATS_TEST_TMPDIR/$1.ready"
	rm -f "$ready"
	uvpci-echo-model "$1" --ready "$ready" \
		>"$BATS_TEST_TMPDIR/$1.log" 2>&1 3>&- &
	models+=("$!")
	wait_for test -e "$ready"
}

model_log() {
	cat "$BATS_TEST_TMPDIR/$1.log"
}

# The host-state lines of the model's log, in order.
host_lines() {
	grep '^[QH] ' "$BATS_TEST_TMPDIR/$1.log"
}

# cfg_write NAME OFFSET SIZE BYTES: one write() of SIZE bytes to config
# space through sysfs, as setpci does (BYTES as printf escapes).
cfg_write() {
	# shellcheck disable=SC2059
	printf "$4" | dd of="/sys/bus/uvpci/devices/$1/config" bs="$3" count=1 \
		seek=$(($2)) oflag=seek_bytes conv=notrunc status=none
}

# --- tests ------------------------------------------------------------

@test "a model is told the host state when it attaches, and can ask for it" {
	uvbus-ctl create "$dev" --vendor 0x1234 --device 0x0001 --bar 0:4096 --msi 4
	start_model "$dev"
	# The query works at once; the callback gets the same state first thing.
	wait_true 'host_lines "$dev" | grep -q "^H "'
	run host_lines "$dev"
	assert_output "Q mem=0 master=0 intx_disable=0 msi=0 vectors=0 d=0
H mem=0 master=0 intx_disable=0 msi=0 vectors=0 d=0"
}

@test "the driver's enable, bus master and MSI reach the model in order; remove undoes them" {
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 4 --held
	start_model "$dev"
	sample_load
	uvbus-ctl release "$dev"
	wait_klog "$dev: ready: 4 MSI vectors"
	wait_true 'model_log_has "$dev" "H mem=1 master=1 intx_disable=0 msi=1 vectors=4 d=0"'
	run host_lines "$dev"
	assert_output "Q mem=0 master=0 intx_disable=0 msi=0 vectors=0 d=0
H mem=0 master=0 intx_disable=0 msi=0 vectors=0 d=0
H mem=1 master=0 intx_disable=0 msi=0 vectors=0 d=0
H mem=1 master=1 intx_disable=0 msi=0 vectors=0 d=0
H mem=1 master=1 intx_disable=0 msi=1 vectors=4 d=0"
	# The state comes right after the config write that changed it.
	run grep -A1 '^C 0x4 2 ' "$BATS_TEST_TMPDIR/$dev.log"
	assert_line --index 1 'H mem=1 master=0 intx_disable=0 msi=0 vectors=0 d=0'
	rmmod uvpci_sample
	wait_true 'model_log_has "$dev" "H mem=0 master=0 intx_disable=0 msi=0 vectors=0 d=0" &&
		[ "$(host_lines "$dev" | wc -l)" -ge 8 ]'
	run host_lines "$dev"
	assert_line --index 5 'H mem=1 master=1 intx_disable=0 msi=0 vectors=0 d=0'
	assert_line --index 6 'H mem=1 master=0 intx_disable=0 msi=0 vectors=0 d=0'
	assert_line --index 7 'H mem=0 master=0 intx_disable=0 msi=0 vectors=0 d=0'
	[ "${#lines[@]}" = 8 ]
}

@test "a model that attaches after the probe learns what the driver enabled" {
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 2
	sample_load
	wait_klog "$dev: ready: 2 MSI vectors"
	start_model "$dev"
	run host_lines "$dev"
	assert_line --index 0 'Q mem=1 master=1 intx_disable=0 msi=1 vectors=2 d=0'
}

@test "Interrupt Disable and the D-state in PMCSR are told; writes that change nothing are not" {
	uvbus-ctl create "$dev" --vendor 0x1234 --device 0x0001 --bar 0:4096
	local cfg="/sys/bus/uvpci/devices/$dev/config"
	# A Power Management capability heads the list (next: PCI Express):
	# version 3, D1 and D2, PME from D0 and D3hot.
	run od -A n -t x1 -j 0x34 -N 1 "$cfg"
	assert_output ' 40'
	run od -A n -t x1 -j 0x40 -N 6 "$cfg"
	assert_output ' 01 70 03 4e 08 00'
	start_model "$dev"
	cfg_write "$dev" 0x4 2 '\x02\x04'	# Memory Space + Interrupt Disable
	cfg_write "$dev" 0xc 1 '\x10'		# cache line size: no host state
	cfg_write "$dev" 0x44 2 '\x0b\x00'	# PMCSR: D3hot (NO_SOFT_RESET is read-only)
	run od -A n -t x1 -j 0x44 -N 2 "$cfg"
	assert_output ' 0b 00'
	cfg_write "$dev" 0x44 2 '\x00\x00'	# back to D0
	run od -A n -t x1 -j 0x44 -N 2 "$cfg"
	assert_output ' 08 00'
	wait_true 'model_log_has "$dev" "H mem=1 master=0 intx_disable=1 msi=0 vectors=0 d=0" &&
		[ "$(host_lines "$dev" | wc -l)" -ge 5 ]'
	run host_lines "$dev"
	assert_output "Q mem=0 master=0 intx_disable=0 msi=0 vectors=0 d=0
H mem=0 master=0 intx_disable=0 msi=0 vectors=0 d=0
H mem=1 master=0 intx_disable=1 msi=0 vectors=0 d=0
H mem=1 master=0 intx_disable=1 msi=0 vectors=0 d=3
H mem=1 master=0 intx_disable=1 msi=0 vectors=0 d=0"
	run grep -A1 '^C 0xc 1 0x10$' "$BATS_TEST_TMPDIR/$dev.log"
	assert_output 'C 0xc 1 0x10
C 0x44 2 0xb'
}

@test "uvpci_enable_device() brings a device in D3hot to D0, and the model is told" {
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 1 --held
	start_model "$dev"
	cfg_write "$dev" 0x44 2 '\x03\x00'	# D3hot before any driver
	wait_true 'model_log_has "$dev" "H mem=0 master=0 intx_disable=0 msi=0 vectors=0 d=3"'
	sample_load
	uvbus-ctl release "$dev"
	wait_klog "$dev: ready: 1 MSI vectors"
	wait_true 'model_log_has "$dev" "H mem=1 master=1 intx_disable=0 msi=1 vectors=1 d=0"'
	run host_lines "$dev"
	assert_line --index 2 'H mem=0 master=0 intx_disable=0 msi=0 vectors=0 d=3'
	# uvpci_set_power_state(D0) first, then Memory Space, as pci_enable_device().
	assert_line --index 3 'H mem=0 master=0 intx_disable=0 msi=0 vectors=0 d=0'
	assert_line --index 4 'H mem=1 master=0 intx_disable=0 msi=0 vectors=0 d=0'
	run od -A n -t x1 -j 0x44 -N 2 "/sys/bus/uvpci/devices/$dev/config"
	assert_output ' 08 00'
}
