#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The rest of the PCI surface real drivers use (issue 14 item 5), as root
# in the uvnic-vm guest, through uvpci_sample.ko's bar_api parameter: the
# managed pcim_* calls released on unbind, and ioremap() of a BAR's
# pci_resource_start() giving a cookie. Devices here are named ua*.
#
#   bin/uvnic-vm -- bats t/kernel/uvpci-api.bats

bats_require_minimum_version 1.5.0

SYSBUS=/sys/bus/uvpci

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	guest_setup uvpci-create
	dev="ua$BATS_TEST_NUMBER"
	klog_mark
}

teardown() {
	local d
	[ -d /sys/module/uvpci_sample ] && rmmod uvpci_sample
	if [ -d "$SYSBUS/devices" ]; then
		for d in "$SYSBUS"/devices/ua*; do
			[ -e "$d" ] && uvpci-create destroy "${d##*/}"
		done
	fi
	klog_assert_clean
	return 0
}

debugfs() {
	cat "/sys/kernel/debug/uvbus/$1"
}

# sample_bound BAR_API: a device with BAR0 and a 64-bit BAR2 whose first
# dwords the probe logs, the sample driver loaded with bar_api=BAR_API.
sample_bound() {
	uvpci-create create "$dev" --bar 0:4096 --bar 2:0x10000:64 --msi 4
	uvpci-create poke "$dev" 0 0 4 0x55560001
	uvpci-create poke "$dev" 2 0 4 0xcafef00d
	insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" poll_ms=50 bar_api="$1"
	wait_klog "uvpci_sample $dev: ready: 4 MSI vectors"
	# the probe read both BARs through what it mapped
	klog_has "uvpci_sample $dev: vendor 0x5556 device 0x0001 revision 0x00 class 0x000000, BAR0 4096 bytes, id 0x55560001"
	klog_has "uvpci_sample $dev: BAR2 65536 bytes, first dword 0xcafef00d"
	run debugfs "$dev"
	assert_line 'command: memory on, bus master on'
	assert_line --regexp '^bar0: size 0x1000 32-bit bus 0x[0-9a-f]+ cookies 1 claimed$'
	assert_line --regexp '^bar2: size 0x10000 64-bit bus 0x[0-9a-f]+ cookies 1 claimed$'
}

# unbound_clean: after rmmod, nothing mapped, claimed or enabled, and the
# bus had nothing to clean up after the driver.
unbound_clean() {
	rmmod uvpci_sample
	wait_klog "uvpci_sample $dev: removed"
	run debugfs "$dev"
	assert_line 'command: memory off, bus master off'
	assert_line --regexp '^bar0: size 0x1000 32-bit bus 0x[0-9a-f]+ cookies 0$'
	assert_line --regexp '^bar2: size 0x10000 64-bit bus 0x[0-9a-f]+ cookies 0$'
	! klog_has "driver left"
}

@test "pcim_enable_device + pcim_iomap_regions + pcim_iomap_table: mapped and claimed; unbind gives all back, quietly" {
	sample_bound pcim
	unbound_clean
	# and it binds again: nothing stayed claimed
	klog_mark
	insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" poll_ms=50 bar_api=pcim
	wait_klog "uvpci_sample $dev: ready: 4 MSI vectors"
	[ -e "$SYSBUS/devices/$dev/driver" ]
}

@test "ioremap(pci_resource_start()) of a BAR gives a cookie for it; iounmap() gives it back; enable_device_mem and mem_regions" {
	sample_bound remap
	unbound_clean
}
