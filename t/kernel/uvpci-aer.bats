#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# AER error injection (issue 14, item 5), as root in the uvnic-vm guest:
# uvmsi-fire --aer reports a correctable, non-fatal or fatal error from
# the device side; uvpci.ko logs it in the AER capability, prints the
# line Linux's AER driver prints, and runs the sample driver's
# err_handler as pcie_do_recovery() does for an endpoint (its callbacks
# log each call, in order, with the channel state they see). Masks and
# Device Control's reporting enables are respected; the status registers
# clear by writing 1. Devices here are named ae*.
#
#   bin/uvnic-vm -- bats t/kernel/uvpci-aer.bats

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	guest_setup uvpci-echo-model uvpci-model
	dev="ae$BATS_TEST_NUMBER"
	models=()
	klog_mark
}

teardown() {
	guest_teardown 'ae*'
	klog_assert_clean
	return 0
}

start_model() {
	local ready="$BATS_TEST_TMPDIR/$1.ready"
	uvpci-echo-model "$1" --ready "$ready" >"$BATS_TEST_TMPDIR/$1.log" 2>&1 3>&- &
	models+=("$!")
	wait_for test -e "$ready"
}

# bound [SAMPLE PARAM...]: $dev with a model, the sample driver bound to it.
bound() {
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 1
	start_model "$dev"
	insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" poll_ms=0 "$@"
	wait_klog "uvpci_sample $dev: ready: 1 MSI vectors"
}

# The sample driver's err_handler calls since the mark, in order.
handler_calls() {
	klog | sed -n "s/^.*uvpci_sample $dev: aer: //p"
}

# AER's registers (the capability is at 0x100) and Device Status.
unc_status() { config_read "$dev" 0x104 4; }
cor_status() { config_read "$dev" 0x110 4; }
dev_status() { config_read "$dev" 0x7a 2; }

@test "correctable: logged in the status register, one line as Linux's AER driver prints, the status clears, no handler runs" {
	bound aer=1
	# Error reporting enabled by the driver: Device Control 0x2810 + CERE, NFERE, FERE, URRE.
	[ "$(config_read "$dev" 0x78 2)" = 0x281f ]
	uvmsi-fire "$dev" --aer correctable
	wait_klog "uvpci_sample $dev: AER: PCIe Bus Error: severity=Corrected, device [5556:0001] error status/mask=00000001/00002000"
	# As 6.1's handle_error_source(): the status and Device Status's CED
	# are cleared; struct pci_error_handlers has no callback to call.
	wait_true '[ "$(cor_status)" = 0x00000000 ]'
	wait_true '[ "$(dev_status)" = 0x0000 ]'
	# Several bits at once: Bad TLP and Replay Timer Timeout.
	uvmsi-fire "$dev" --aer correctable:0x1040
	wait_klog "uvpci_sample $dev: AER: PCIe Bus Error: severity=Corrected, device [5556:0001] error status/mask=00001040/00002000"
	wait_true '[ "$(cor_status)" = 0x00000000 ]'
	wait_true '[ "$(dev_status)" = 0x0000 ]'
	# Not a driver's business: the channel stays online, no handler ran.
	run handler_calls
	assert_output ''
}

@test "masked: the bit is logged but not reported; the status register clears by writing 1" {
	bound aer=1
	# Mask Receiver Error (Advisory Non-Fatal is masked from reset).
	config_write "$dev" 0x114 4 0x2001
	uvmsi-fire "$dev" --aer correctable
	wait_klog "uvpci_sample $dev: AER: Corrected error 0x00000001 logged, not reported: masked"
	[ "$(cor_status)" = 0x00000001 ]
	# A masked error sets no Device Status bit.
	[ "$(dev_status)" = 0x0000 ]
	# An uncorrectable masked bit likewise, whatever its severity.
	config_write "$dev" 0x108 4 0x10
	uvmsi-fire "$dev" --aer fatal
	wait_klog "uvpci_sample $dev: AER: Uncorrected (Fatal) error 0x00000010 logged, not reported: masked"
	[ "$(unc_status)" = 0x00000010 ]
	# Write 1 to clear, each register on its own; a 0 bit changes nothing.
	config_write "$dev" 0x110 4 0
	[ "$(cor_status)" = 0x00000001 ]
	config_write "$dev" 0x110 4 1
	[ "$(cor_status)" = 0x00000000 ]
	[ "$(unc_status)" = 0x00000010 ]
	config_write "$dev" 0x104 4 0xffffffff
	[ "$(unc_status)" = 0x00000000 ]
	run handler_calls
	assert_output ''
}

@test "non-fatal: error_detected(io_normal), mmio_enabled, resume, in order, never offline; the status clears after recovery" {
	bound aer=1
	uvmsi-fire "$dev" --aer nonfatal
	wait_klog "uvpci_sample $dev: AER: device recovery successful"
	klog_has "uvpci_sample $dev: AER: PCIe Bus Error: severity=Uncorrected (Non-Fatal), device [5556:0001] error status/mask=00004000/00000000"
	run handler_calls
	assert_equal "$output" "error_detected: state io_normal, offline 0, uncorrectable status 0x00004000
mmio_enabled: offline 0
resume: offline 0"
	# Non-fatal: no reset; pci_aer_clear_nonfatal_status() and Device Status cleared.
	! klog_has "function level reset"
	[ "$(unc_status)" = 0x00000000 ]
	[ "$(dev_status)" = 0x0000 ]
	# A driver that asks for a reset gets slot_reset instead of mmio_enabled.
	echo reset > /sys/module/uvpci_sample/parameters/aer_vote
	klog_mark
	uvmsi-fire "$dev" --aer nonfatal:0x100000
	wait_klog "uvpci_sample $dev: AER: device recovery successful"
	run handler_calls
	assert_equal "${lines[0]}" "error_detected: state io_normal, offline 0, uncorrectable status 0x00100000"
	assert_line --index 1 --regexp '^slot_reset: offline 0, command 0x0[0-9a-f]{3}$'
	assert_equal "${lines[2]}" "resume: offline 0"
	assert_equal "${#lines[@]}" 3
}

@test "fatal: error_detected(io_frozen) while offline, the function reset (the model sees the FLR), slot_reset restores it, resume online; the sticky bit stays until cleared" {
	bound aer=1
	uvmsi-fire "$dev" --aer fatal
	wait_klog "uvpci_sample $dev: AER: device recovery successful"
	klog_has "uvpci_sample $dev: AER: PCIe Bus Error: severity=Uncorrected (Fatal), device [5556:0001] error status/mask=00000010/00000000"
	run handler_calls
	assert_equal "${lines[0]}" "error_detected: state io_frozen, offline 1, uncorrectable status 0x00000010"
	assert_line --index 1 --regexp '^slot_reset: offline 1, command 0x0[0-9a-f]{2}[67]$'
	assert_equal "${lines[2]}" "resume: offline 0"
	assert_equal "${#lines[@]}" 3
	# Reset between error_detected and slot_reset, as the AER driver resets the link.
	run klog
	assert_output --regexp "aer: error_detected: state io_frozen.*
.*uvpci_sample $dev: function level reset
.*aer: slot_reset"
	# The model saw Initiate Function Level Reset, then slot_reset's restore.
	wait_for model_log_has "$dev" 'C 0x78 2 0xa81f'
	[ "$(config_read "$dev" 0x78 2)" = 0x281f ]
	run cat "/sys/kernel/debug/uvbus/$dev"
	assert_line 'command: memory on, bus master on'
	# AER's status is sticky through the reset, and a fatal bit is not the
	# non-fatal status recovery clears: it stays until written with 1.
	[ "$(unc_status)" = 0x00000010 ]
	config_write "$dev" 0x104 4 0x10
	[ "$(unc_status)" = 0x00000000 ]
	# The driver works again: its MSI.
	uvmsi-fire "$dev" 0
	wait_klog "uvpci_sample $dev: irq vector 0"
	# A second fatal error recovers the same way (reporting restored).
	klog_mark
	uvmsi-fire "$dev" --aer fatal:0x40000
	wait_klog "uvpci_sample $dev: AER: device recovery successful"
	run handler_calls
	assert_equal "${lines[0]}" "error_detected: state io_frozen, offline 1, uncorrectable status 0x00040000"
}

@test "a driver that votes disconnect: recovery fails, the device is offline for good (io_perm_failure)" {
	bound aer=1 aer_vote=disconnect
	uvmsi-fire "$dev" --aer nonfatal
	wait_klog "uvpci_sample $dev: AER: device recovery failed"
	run handler_calls
	assert_equal "$output" "error_detected: state io_normal, offline 0, uncorrectable status 0x00004000
error_detected: state io_perm_failure, offline 1, uncorrectable status 0x00004000"
	# A later error finds it failed: no transition back.
	echo default > /sys/module/uvpci_sample/parameters/aer_vote
	uvmsi-fire "$dev" --aer nonfatal:0x1000
	wait_klog "uvpci_sample $dev: AER: can't recover (state transition 3 -> 1 invalid)"
}

@test "reporting disabled in Device Control: logged, not reported; refused: bits the register lacks, a severity that is not the register's" {
	bound
	[ "$(config_read "$dev" 0x78 2)" = 0x2810 ]
	uvmsi-fire "$dev" --aer nonfatal
	wait_klog "uvpci_sample $dev: AER: Uncorrected (Non-Fatal) error 0x00004000 logged, not reported: Non-Fatal Error Reporting Enable is off"
	[ "$(unc_status)" = 0x00004000 ]
	# Device Status's Non-Fatal Error Detected is set all the same, and clears by writing 1.
	[ "$(dev_status)" = 0x0002 ]
	config_write "$dev" 0x7a 2 0x2
	[ "$(dev_status)" = 0x0000 ]
	# Completion Timeout is non-fatal by its severity: not sent as fatal.
	run -1 uvmsi-fire "$dev" --aer fatal:0x4000
	assert_output "uvmsi-fire: $dev: AER fatal 0x00004000: refused by the host (an unmasked bit's Uncorrectable Error Severity is not fatal: see the kernel log)"
	wait_klog "uvpci_sample $dev: AER severity 2 status 0x00004000 refused: an unmasked bit's Uncorrectable Error Severity is not the one sent"
	# Nor Data Link Protocol (fatal) as non-fatal, until software makes it so.
	run -1 uvmsi-fire "$dev" --aer nonfatal:0x10
	config_write "$dev" 0x10c 4 0x00062020
	uvmsi-fire "$dev" --aer nonfatal:0x10
	wait_klog "uvpci_sample $dev: AER: Uncorrected (Non-Fatal) error 0x00000010 logged, not reported"
	# Bits outside the register, a bad severity: the tool says so, sends nothing.
	run -1 uvmsi-fire "$dev" --aer correctable:0x2
	assert_output --partial "bits 0x00000002 are not in Correctable Error Status (0x0000f1c1)"
	run -1 uvmsi-fire "$dev" --aer fatal:0x1
	assert_output --partial "bits 0x00000001 are not in Uncorrectable Error Status (0x03fff030)"
	run -1 uvmsi-fire "$dev" --aer severe
	assert_output --partial "invalid --aer 'severe'"
	run -1 uvmsi-fire "$dev" --aer nonfatal:0
	run handler_calls
	assert_output ''
	run grep -o ' aer [0-9]* aer_refused [0-9]*' "/sys/kernel/debug/uvbus/$dev"
	assert_output ' aer 2 aer_refused 2'
}

@test "no driver bound: logged, recovery fails as Linux's does (no error_detected callback); destroy with errors queued is clean" {
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 1
	# As Linux's AER service does for the devices below a root port.
	config_write "$dev" 0x78 2 0x281f
	uvmsi-fire "$dev" --aer correctable
	wait_klog "uvpci $dev: AER: PCIe Bus Error: severity=Corrected, device [5556:0001] error status/mask=00000001/00002000"
	wait_true '[ "$(cor_status)" = 0x00000000 ]'
	uvmsi-fire "$dev" --aer fatal
	wait_klog "uvpci $dev: AER: device recovery failed"
	klog_has "uvpci $dev: AER: can't recover (no error_detected callback)"
	klog_has "uvpci $dev: function level reset"
	[ "$(unc_status)" = 0x00000010 ]
	# Destroying it with errors queued is clean.
	config_write "$dev" 0x104 4 0x10
	uvbus-ctl create "${dev}b" --vendor 0x5556 --device 0x0001 --bar 0:4096
	config_write "${dev}b" 0x78 2 0x281f
	for _ in 1 2 3 4 5; do uvmsi-fire "${dev}b" --aer nonfatal; done
	uvbus-ctl destroy "${dev}b"
	uvbus-ctl destroy "$dev"
}

@test "malformed AER messages are refused by the kernel and counted, nothing logged in config space" {
	uvbus-ctl create "$dev" --vendor 0x5556 --device 0x0001 --bar 0:4096
	config_write "$dev" 0x78 2 0x281f
	run uvpci-model raw "$dev" 0x185 --level 3 --aer-status 1
	assert_output 'ack: status=EINVAL faults=1'
	run uvpci-model raw "$dev" 0x185 --vector 0x101 --aer-status 0x4000
	assert_output 'ack: status=EINVAL faults=1'
	run uvpci-model raw "$dev" 0x185 --level 0 --aer-status 0
	assert_output 'ack: status=EINVAL faults=1'
	run uvpci-model raw "$dev" 0x185 --level 0 --aer-status 0x2
	assert_output 'ack: status=EINVAL faults=1'
	run uvpci-model raw "$dev" 0x185 --level 1 --aer-status 0x80000000
	assert_output 'ack: status=EINVAL faults=1'
	klog_has "uvpci $dev: AER severity 3 status 0x00000001 refused: severity neither correctable, non-fatal nor fatal"
	klog_has "uvpci $dev: AER severity 1 status 0x00004000 refused: reserved field set"
	klog_has "uvpci $dev: AER severity 0 status 0x00000000 refused: no status bit set"
	klog_has "uvpci $dev: AER severity 0 status 0x00000002 refused: status bits the register does not have"
	[ "$(unc_status)" = 0x00000000 ]
	[ "$(cor_status)" = 0x00000000 ]
	run grep -o ' aer [0-9]* aer_refused [0-9]*' "/sys/kernel/debug/uvbus/$dev"
	assert_output ' aer 0 aer_refused 5'
	# A good one, raw, is logged.
	run uvpci-model raw "$dev" 0x185 --level 0 --aer-status 0x40
	assert_output 'ack: status=0 faults=0'
	wait_klog "uvpci $dev: AER: PCIe Bus Error: severity=Corrected, device [5556:0001] error status/mask=00000040/00002000"
}
