#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The example driver's suite, run in the guest of uvnic-vm with mydrv.ko
# loaded (uvnic-vm --module mydrv.ko -- bats t/): the uvnic bats library,
# installed by uvnic-tools, creates the devices and reads the kernel log.

setup() {
	bats_load_library uvnic
	klog_mark
}

teardown() {
	uvnic_teardown
	klog_assert_clean
}

bound_to() {
	local l
	l=$(readlink "/sys/bus/uvpci/devices/$1/driver") && [ "${l##*/}" = "$2" ]
}

@test "mydrv binds a device of its ID and reads the vendor from config space" {
	uvnic_device_create md0 --vendor 0x1af4 --device 0x7ff0 --bar 0:4096
	wait_true 'bound_to md0 mydrv'
	wait_klog "mydrv: vendor 1af4"
}

@test "mydrv lets go of a device when it is destroyed" {
	uvnic_device_create md1 --vendor 0x1af4 --device 0x7ff0 --bar 0:4096
	wait_true 'bound_to md1 mydrv'
	uvnic_device_destroy md1
	wait_klog "mydrv: removed"
	[ ! -e /sys/bus/uvpci/devices/md1 ]
}

@test "a device of another ID stays unbound" {
	uvnic_device_create md2 --vendor 0x1af4 --device 0x7ff1 --bar 0:4096
	[ -e /sys/bus/uvpci/devices/md2 ]
	[ ! -e /sys/bus/uvpci/devices/md2/driver ]
}
