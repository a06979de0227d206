#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Who may act as a uvPCI device, as root in the uvnic-vm guest: a port on
# a device (its model, or an auxiliary port such as uvdma-inject's) can
# write and read the bound driver's DMA buffers and fire its interrupts,
# so attaching one needs CAP_SYS_ADMIN, as creating the device does. Every
# device-side operation (and the host-side peek and poke) is tried with
# four credentials: root, root without CAP_SYS_ADMIN, root without any
# capability, and nobody; and each refused one is shown to change nothing.
# Reading the MSI-X mask and pending bits, device-side state, needs it too.
# Devices here are named ca*.
#
#   bin/uvnic-vm -- bats t/kernel/uvpci-caps.bats

bats_require_minimum_version 1.5.0

SYSBUS=/sys/bus/uvpci

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	_common_setup
	require_guest
	command -v setpriv >/dev/null || fail "setpriv not found (util-linux)"
	[ -x "$UVNIC_TOP/t/helpers/uvpci-model" ] ||
		fail "t/helpers/uvpci-model is not built: make t/helpers/uvpci-model"
	[ -e /dev/uvbus ] || insmod "$UVNIC_TOP/kernel/uvbus.ko"
	[ -d /sys/module/uvpci ] || insmod "$UVNIC_TOP/kernel/uvpci.ko"
	dev="ca$BATS_TEST_NUMBER"
	klog_mark
}

teardown() {
	local d
	[ -d /sys/module/uvpci_sample ] && rmmod uvpci_sample
	for d in "$SYSBUS"/devices/ca*; do
		[ -e "$d" ] && uvbus-ctl destroy "${d##*/}"
	done
	uvbus-ctl destroy "${dev}l" 2>/dev/null
	return 0
}

# as WHO COMMAND...: COMMAND with WHO's credentials: root (all
# capabilities), nosysadmin (root without CAP_SYS_ADMIN), nocaps (root
# without any capability), nobody.
as() {
	local who=$1
	shift
	case $who in
	root) "$@" ;;
	nosysadmin) setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin -- "$@" ;;
	nocaps) setpriv --inh-caps=-all --bounding-set=-all -- "$@" ;;
	nobody) setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@" ;;
	esac
}

# The interrupts vector 0 of the device took, summed over CPUs; and, for
# wait_for, whether that is N.
irq0_count() {
	local irq
	irq=$(cut -d' ' -f1 "$SYSBUS/devices/$dev/msi_irqs")
	awk -v irq="$irq:" '$1 == irq { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i } END { print n + 0 }' /proc/interrupts
}
irq0_is() {
	[ "$(irq0_count)" = "$1" ]
}

# The device of uvpci(9)'s example with the sample driver bound; sets
# addr, the bus address of the driver's coherent buffer.
sample_dev() {
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 4
	insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" poll_ms=0
	wait_klog "uvpci_sample $dev: ready: 4 MSI vectors"
	addr=$(uvpci-peek "$dev" 0:0x10.q)
}

# --- the matrix -------------------------------------------------------

@test "the credentials are what the matrix says" {
	run -0 as root grep '^CapEff:' /proc/self/status
	assert_output "CapEff:	000001ffffffffff"
	run -0 as nosysadmin grep '^CapEff:' /proc/self/status
	assert_output "CapEff:	000001ffffdfffff"
	run -0 as nocaps grep '^CapEff:' /proc/self/status
	assert_output "CapEff:	0000000000000000"
	run -0 as nobody id -u
	assert_output 65534
}

@test "DMA, MSI, peek and poke: only with CAP_SYS_ADMIN; refused ones change nothing" {
	sample_dev
	local who before n=0 refused
	for who in root nosysadmin nocaps nobody; do
		n=$((n + 1))
		before=$(irq0_count)
		# nobody cannot even open /dev/uvbus (mode 0600).
		refused="$dev: cannot attach: Operation not permitted (needs root or CAP_SYS_ADMIN)"
		[ "$who" != nobody ] || refused="cannot open /dev/uvbus: Permission denied (needs root)"

		# An auxiliary port, as uvdma-inject and uvmsi-fire attach: DMA
		# into the driver's buffer, DMA out of it, an MSI.
		run --separate-stderr as "$who" uvdma-inject "$dev" "$addr" --hex "0$n"
		if [ "$who" = root ]; then
			assert_success
		else
			assert_failure 1
			assert_equal "$stderr" "uvdma-inject: $refused"
		fi
		run --separate-stderr as "$who" uvdma-inject "$dev" "$addr" --read 1
		if [ "$who" = root ]; then
			assert_success
			assert_output 01
		else
			assert_failure 1
			assert_equal "$stderr" "uvdma-inject: $refused"
		fi
		run --separate-stderr as "$who" uvmsi-fire "$dev" 0
		if [ "$who" = root ]; then
			assert_success
			wait_for irq0_is $((before + 1))
		else
			assert_failure 1
			assert_equal "$stderr" "uvmsi-fire: $refused"
		fi

		# Host side (UVPCI_IOC_MMIO), which needed CAP_SYS_ADMIN already.
		run --separate-stderr as "$who" uvpci-poke "$dev" 0:0x30=0x$n
		if [ "$who" = root ]; then
			assert_success
		else
			assert_failure 1
		fi
		run --separate-stderr as "$who" uvpci-peek "$dev" 0:0x30
		if [ "$who" = root ]; then
			assert_output 0x00000001
		else
			assert_failure 1
			assert_output ''
		fi

		# What a refused caller tried changed nothing: the buffer still
		# holds root's byte, the register root's value, and no
		# interrupt came.
		[ "$(uvdma-inject "$dev" "$addr" --read 1)" = 01 ]
		[ "$(uvpci-peek "$dev" 0:0x30)" = 0x00000001 ]
		if [ "$who" != root ]; then
			nap 0.2
			[ "$(irq0_count)" = "$before" ]
		fi
	done
	run -0 klog_problems "" "$UVNIC_VM_PROBLEM_RE|refused"
	assert_output ''
}

@test "the MSI-X mask and pending bits (UVPCI_IOC_MSIX): only with CAP_SYS_ADMIN" {
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msix 4
	local who
	for who in root nosysadmin nocaps nobody; do
		run --separate-stderr as "$who" uvmsi-fire "$dev" --msix-state
		case $who in
		root)
			assert_success
			assert_line 'masked: 0-3'
			;;
		nobody)
			assert_failure 1
			assert_output ''
			assert_equal "$stderr" "uvmsi-fire: cannot open /dev/uvbus: Permission denied (needs root)"
			;;
		*)
			assert_failure 1
			assert_output ''
			assert_equal "$stderr" "uvmsi-fire: $dev: MSI-X state: Operation not permitted (needs root or CAP_SYS_ADMIN)"
			;;
		esac
	done
}

@test "the model's port: only with CAP_SYS_ADMIN" {
	sample_dev
	local who
	# Raw ABI: attach as the model, send a NOP, print its ACK, detach.
	for who in nosysadmin nocaps nobody root; do
		run as "$who" uvpci-model raw "$dev" 0 --model
		case $who in
		root)
			assert_success
			assert_output 'ack: status=0 faults=0'
			;;
		nobody)
			assert_failure 1
			assert_output 'uvpci-model raw: open /dev/uvbus: Permission denied'
			;;
		*)
			assert_failure 1
			assert_output 'uvpci-model raw: attach: EPERM'
			# Never attached: the device still has no model and was
			# never gone.
			[ "$(cat "$SYSBUS/devices/$dev/model")" = none ]
			;;
		esac
	done
	# root's model came and went: the device is gone until a reset.
	[ "$(cat "$SYSBUS/devices/$dev/model")" = gone ]
	run -0 grep -c "uvpci_sample $dev: device model detached" <(klog)
	assert_output 1
}

@test "the capability is checked at attach: a port attached with it keeps working" {
	sample_dev
	local before
	before=$(irq0_count)
	# uvpci-model attaches, drops CAP_SYS_ADMIN, shows that a new attach
	# is refused now, then fires vector 0 through its port.
	run -0 uvpci-model msi "$dev" 0 --drop-caps
	assert_line --index 0 'attach without CAP_SYS_ADMIN: EPERM'
	assert_line --index 1 'ack: status=0 faults=0'
	wait_for irq0_is $((before + 1))
}

@test "loopback channels need no capability" {
	uvbus-ctl create "${dev}l"
	run -0 as nocaps uvbus-ctl show "${dev}l"
	assert_line 'type: loopback'
	run -0 as nosysadmin uvbus-abi loopback "${dev}l" 10
	uvbus-ctl destroy "${dev}l"
}
