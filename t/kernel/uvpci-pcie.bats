#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Config space like a PCIe endpoint's (issue 14, item 4), as root in the
# uvnic-vm guest: every uvPCI device has a capability list (Power
# Management, MSI, MSI-X, PCI Express) and the AER extended capability;
# the sample driver finds them with pci_find_capability() and
# pci_find_ext_capability(), reads the link with
# pcie_capability_read_word(), and sets Max_Payload_Size and
# Max_Read_Request_Size with pcie_set_mps()/pcie_set_readrq() (a
# clear_and_set of Device Control). Devices here are named pe*.
#
#   bin/uvnic-vm -- bats t/kernel/uvpci-pcie.bats

bats_require_minimum_version 1.5.0

SYSBUS=/sys/bus/uvpci

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	guest_setup uvpci-echo-model
	dev="pe$BATS_TEST_NUMBER"
	models=()
	klog_mark
}

teardown() {
	guest_teardown 'pe*'
}

# The capability list as "OFFSET:ID ...", walked from 0x34.
cap_list() {
	local pos out=
	pos=$(($(config_read "$1" 0x34 1)))
	while ((pos)); do
		out+=$(printf '%#x:%#x ' "$pos" "$(config_read "$1" "$pos" 1)")
		pos=$(($(config_read "$1" $((pos + 1)) 1)))
	done
	echo "${out% }"
}

start_model() {
	local ready="$BATS_TEST_TMPDIR/$1.ready"
	uvpci-echo-model "$1" --ready "$ready" >"$BATS_TEST_TMPDIR/$1.log" 2>&1 3>&- &
	models+=("$!")
	wait_for test -e "$ready"
}

@test "a capability list as a PCIe endpoint's: PM, MSI, MSI-X, PCI Express; AER at 0x100" {
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 4 --msix 8
	run cap_list "$dev"
	assert_output '0x40:0x1 0x50:0x5 0x60:0x11 0x70:0x10'
	# Without MSI and MSI-X: PM, then PCI Express.
	uvbus-ctl create "${dev}b" --vendor 0x5556 --device 0x0001 --bar 0:4096
	run cap_list "${dev}b"
	assert_output '0x40:0x1 0x70:0x10'
	# Version 2, an endpoint; MPS up to 256 bytes, role-based errors;
	# Device Control's reset: MPS 128, MRRS 512, relaxed ordering, no
	# snoop; the link trained at 8 GT/s x4.
	[ "$(config_read "$dev" 0x72 2)" = 0x0002 ]
	[ "$(config_read "$dev" 0x74 4)" = 0x00008001 ]
	[ "$(config_read "$dev" 0x78 2)" = 0x2810 ]
	[ "$(config_read "$dev" 0x7c 4)" = 0x00000043 ]
	[ "$(config_read "$dev" 0x82 2)" = 0x1043 ]
	[ "$(config_read "$dev" 0x9c 4)" = 0x0000000e ]
	# AER, version 2, the last extended capability; the spec's severities,
	# Advisory Non-Fatal masked, nothing logged.
	[ "$(config_read "$dev" 0x100 4)" = 0x00020001 ]
	[ "$(config_read "$dev" 0x104 4)" = 0x00000000 ]
	[ "$(config_read "$dev" 0x10c 4)" = 0x00062030 ]
	[ "$(config_read "$dev" 0x114 4)" = 0x00002000 ]
}

@test "config writes: MPS and MRRS kept to legal values, link status read-only, AER masks writable" {
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096
	# MPS 4096 and MRRS 7 (reserved) asked for: 256 (the capability's) and 4096.
	config_write "$dev" 0x78 2 0x70e0
	[ "$(config_read "$dev" 0x78 2)" = 0x5020 ]
	config_write "$dev" 0x82 2 0
	[ "$(config_read "$dev" 0x82 2)" = 0x1043 ]
	config_write "$dev" 0x74 4 0
	[ "$(config_read "$dev" 0x74 4)" = 0x00008001 ]
	config_write "$dev" 0x108 4 0xffffffff
	[ "$(config_read "$dev" 0x108 4)" = 0x03fff030 ]
	config_write "$dev" 0x114 4 0xffffffff
	[ "$(config_read "$dev" 0x114 4)" = 0x0000f1c1 ]
	# The header is read-only.
	config_write "$dev" 0x100 4 0
	[ "$(config_read "$dev" 0x100 4)" = 0x00020001 ]
}

@test "the sample driver finds every capability and reads the link, as a PCIe driver does" {
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 4 --msix 8 \
		--revision 3 --subsystem 0x1234:0x5678
	insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" poll_ms=0
	wait_klog "$dev: pcie: cap 0x70 pm 0x40 msi 0x50 msix 0x60 aer 0x100, type 0, link speed 3 width x4, mps 128 mrrs 512"
	wait_klog "$dev: ready: 4 MSI vectors"
	run klog_has "disagree with the list"
	assert_failure
	klog_has "$dev: vendor 0x5556 device 0x0001 revision 0x03"
	# Without MSI-X or MSI: no such capability (0), the rest where it was.
	uvbus-ctl create "${dev}b" --vendor 0x5556 --device 0x0001 --bar 0:4096 --intx
	wait_klog "${dev}b: pcie: cap 0x70 pm 0x40 msi 0x0 msix 0x0 aer 0x100, type 0"
}

@test "pcie_set_mps() and pcie_set_readrq(): Device Control changes, the model sees it; illegal sizes refused" {
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 1
	start_model "$dev"
	insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" poll_ms=0 mps=256 mrrs=4096
	wait_klog "$dev: pcie: set mps 256: 0, mps now 256"
	wait_klog "$dev: pcie: set mrrs 4096: 0, mrrs now 4096"
	[ "$(config_read "$dev" 0x78 2)" = 0x5830 ]
	wait_for model_log_has "$dev" 'C 0x78 2 0x2830'
	wait_for model_log_has "$dev" 'C 0x78 2 0x5830'
	rmmod uvpci_sample
	# 512 is more than the device offers; 100 is not a power of two.
	insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" poll_ms=0 mps=512 mrrs=100
	wait_klog "$dev: pcie: set mps 512: -22, mps now 256"
	wait_klog "$dev: pcie: set mrrs 100: -22, mrrs now 4096"
}
