#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel/uvnic_drv.c (the uvNIC netdev driver) and contrib/uvpci-port, on the
# host: the driver ports to the real PCI API without a warning, the port
# builds as an out-of-tree module against the kernel's own headers (no
# kernel/uvpci.h in reach), and ported back it is the same bytes. Builds
# skip (never pass) without a kernel build tree.

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	_common_setup
	PORT=$UVNIC_TOP/contrib/uvpci-port
	DRV=$UVNIC_TOP/kernel/uvnic_drv.c
	[ -f "$DRV" ] || fail "kernel/uvnic_drv.c does not exist"
}

# The kernel build tree, chosen as the top Makefile does; skip if none.
need_kdir() {
	local kver
	if [ -n "${KDIR:-}" ]; then
		KD=$KDIR
	else
		kver=$("$UVNIC_TOP/bin/uvnic-vm" --print-kver 2>/dev/null) || kver=$(uname -r)
		KD=/lib/modules/$kver/build
	fi
	[ -f "$KD/Makefile" ] || skip "no kernel build tree at $KD (apt-get install linux-headers-amd64)"
}

@test "uvnic_drv.c --to-pci: no warning, no uvPCI name left" {
	run --separate-stderr "$PORT" --to-pci --strict -o "$BATS_TEST_TMPDIR/pci.c" "$DRV"
	assert_success
	[ -z "$stderr" ] || fail "the driver uses names the port cannot map: $stderr"
	run grep -nE '\buv(pci)?_[a-z]|"uvpci\.h"|struct uvpci_' "$BATS_TEST_TMPDIR/pci.c"
	assert_failure
	grep -q '^#include <linux/pci.h>$' "$BATS_TEST_TMPDIR/pci.c"
	grep -q '^MODULE_DEVICE_TABLE(pci, uvnic_ids);$' "$BATS_TEST_TMPDIR/pci.c"
	grep -q '^module_pci_driver(uvnic_driver);$' "$BATS_TEST_TMPDIR/pci.c"
}

@test "uvnic_drv.c ported --to-pci: builds against the real kernel headers" {
	need_kdir
	local d=$BATS_TEST_TMPDIR/pci
	mkdir -p "$d/uapi"
	"$PORT" --to-pci -o "$d/uvnic_drv.c" "$DRV"
	# Beside it only its register headers, as in a kernel tree: no uvpci.h.
	cp "$UVNIC_TOP/kernel/uapi/uvnic.h" "$UVNIC_TOP/kernel/uapi/uvnic_regs.h" "$d/uapi/"
	printf 'obj-m += uvnic.o\nuvnic-y := uvnic_drv.o\n' > "$d/Kbuild"
	run make -C "$KD" M="$d" modules
	assert_success
	refute_output --partial 'undefined!'
	refute_output --regexp '(error|warning):'
	[ -f "$d/uvnic.ko" ]
	# A PCI driver now: it binds to the uvNIC's IDs on a real PCI bus.
	if command -v modinfo > /dev/null; then
		run modinfo -F alias "$d/uvnic.ko"
		assert_success
		assert_output --partial 'pci:v00005556d00000100sv*sd*bc*sc*i*'
	fi
}

@test "uvnic_drv.c: --to-pci then --to-uvpci gives the same bytes" {
	"$PORT" --to-pci "$DRV" > "$BATS_TEST_TMPDIR/pci.c"
	run --separate-stderr "$PORT" --to-uvpci -o "$BATS_TEST_TMPDIR/back.c" "$BATS_TEST_TMPDIR/pci.c"
	assert_success
	[ -z "$stderr" ] || fail "warnings: $stderr"
	cmp "$DRV" "$BATS_TEST_TMPDIR/back.c"
	run ! cmp -s "$DRV" "$BATS_TEST_TMPDIR/pci.c"
}
