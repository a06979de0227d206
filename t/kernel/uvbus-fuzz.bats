#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The ABI fuzzer, t/helpers/uvbus-fuzz, for a short fixed-seed run as root
# in the uvnic-vm guest, so that it stays built and working; make fuzz
# runs it for FUZZ_SECONDS (600). Its channels are named fz-*.
#
#   bin/uvnic-vm -- bats t/kernel/uvbus-fuzz.bats

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	guest_setup uvbus-fuzz
	loaded_sample=
	if [ ! -d /sys/module/uvpci_sample ]; then
		insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" poll_ms=10
		loaded_sample=1
	fi
}

teardown() {
	[ -z "${loaded_sample:-}" ] || rmmod uvpci_sample
}

@test "a fixed-seed fuzz run with a malformed model finds nothing and cleans up" {
	[ -n "${UVNIC_VM_PROBLEM_RE:-}" ] ||
		fail "UVNIC_VM_PROBLEM_RE is not set (uvnic-vm sets it)"
	run -0 uvbus-fuzz --seed 13 --duration 10
	assert_line 'uvbus-fuzz: seed 13'
	assert_line 'uvbus-fuzz: uvpci_sample loaded, kernel log watched'
	assert_line --regexp '^uvbus-fuzz: seed 13, [0-9]+ main-thread operations in [0-9.]+ s, 0 findings$'
	# every side of it ran, and reached the kernel's success paths too
	assert_line --regexp '^  ioctl CREATE +[0-9]+: ok [1-9]'
	assert_line --regexp '^  ioctl UVPCI_MMIO +[0-9]+: ok [1-9]'
	assert_line --regexp '^  ioctl other nr/size +[0-9]+: .*ENOTTY [1-9]'
	assert_line --regexp '^  mmap +[0-9]+: ok [1-9]'
	assert_line --regexp '^  u2k ring push +[0-9]+: ok [1-9]'
	assert_line --regexp '^  unbind/bind driver +[0-9]+: ok [1-9]'
	assert_line --regexp '^  model: good completion +[0-9]+: ok [1-9]'
	assert_line --regexp '^  model: malformed completion +[0-9]+: ok [1-9]'
	assert_line --regexp '^  model: DMA read +[0-9]+: ok [1-9]'
	run -0 uvbus-ctl list
	refute_output --partial 'fz-'
}

@test "uvbus-fuzz stops at the first kernel log line that matches --stop-re" {
	run -1 uvbus-fuzz --seed 13 --duration 60 --stop-re 'malformed (message|MMIO completion)'
	assert_line --regexp '^uvbus-fuzz: FINDING: kernel log: .*fz-dev: malformed '
	assert_line --regexp '^uvbus-fuzz: the last main-thread operations \(iteration [0-9]+\):$'
	assert_line --regexp '^uvbus-fuzz: seed 13, [0-9]+ main-thread operations in [0-9.]+ s, 1 finding$'
}

@test "uvbus-fuzz --iterations stops after that many operations" {
	run -0 uvbus-fuzz --seed 7 --iterations 3000 --quiet
	assert_line --regexp '^uvbus-fuzz: seed 7, 3000 main-thread operations in [0-9.]+ s, 0 findings$'
}
