#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# uvpci-trace on the host (no module needed): its command line, one line
# per error, the man page against --help, and -r of recorded files, with
# and without a register map. Live tracing of a device is
# t/kernel/uvpci-trace.bats.

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/cli'
	_common_setup
	[ -x "$UVNIC_TOP/bin/uvpci-trace" ] || skip "bin/uvpci-trace not built (make userspace)"
	# Never reach a real device from host tests.
	export UVBUS_DEVICE=/nonexistent/uvbus
	rec=$BATS_TEST_TMPDIR/rec.trace
	printf '%s\n' '# uvpci-trace 1' \
		'5.002250 uvpci-poke-138 uvpci_mmio_write dev=dev0 bar=0 off=0x8 size=4 value=0x3 lat_ns=3435 status=ok' \
		'# a comment' \
		'5.061938 uvpci-peek-139 uvpci_mmio_read dev=dev0 bar=0 off=0xc size=4 value=0x1 lat_ns=20113 status=ok' \
		'5.181512 uvdma-inject-141 uvpci_dma_request dev=dev0 dir=write addr=0x1000 len=4 ndw=1 be=0xf/0x0 err=-1 status=refused why=bus mastering disabled' \
		'5.538123 uvmsi-fire-145 uvpci_msi_fire dev=dev0 vector=2 err=0 status=ok why=' \
		'5.539728 <idle>-0 uvpci_irq_deliver dev=dev0 kind=msi vector=2 irq=28' >"$rec"
	map=$BATS_TEST_TMPDIR/t.regmap
	printf '%s\n' 'device T' 'bar 0 4096' 'reg CTRL 0:0x008 32 RW' 'field RX_EN 0' 'field TX_EN 1' \
		'reg STATUS 0:0x00c 32 RO' 'field LINK_UP 0' >"$map"
}

@test "--help: both syntaxes, exit 0" {
	run --separate-stderr uvpci-trace --help
	assert_success
	[ -z "$stderr" ] || fail "$stderr"
	assert_line --index 0 'Usage: uvpci-trace DEV [--map=FILE] [-w|--write=FILE] [-q|--quiet] [-c|--count=N] [--ready=FILE]'
	assert_line --index 1 '       uvpci-trace -r|--read=FILE [--map=FILE] [-w|--write=FILE] [-q|--quiet]'
	assert_line --regexp 'See uvpci-trace\(1\)\.$'
}

@test "bad command lines: one line and the Try line, nothing touched" {
	usage_error "missing DEV" uvpci-trace
	usage_error 'invalid option "-r"' uvpci-trace dev0 -r "$rec"
	usage_error "invalid N '0': out of range (0x1 to 0xffffffff)" uvpci-trace dev0 -c 0
	usage_error "invalid N 'x': not a number (decimal, or hex with 0x)" uvpci-trace dev0 -c x
	usage_error "invalid NAME: empty" uvpci-trace ''
}

@test "live tracing needs the device: one line without /dev/uvbus" {
	one_error "cannot open /nonexistent/uvbus: No such file or directory (is uvbus.ko loaded?)" \
		uvpci-trace dev0
}

@test "-r: each recorded transaction in words, comments skipped" {
	run --separate-stderr uvpci-trace -r "$rec"
	assert_success
	assert_equal "${#lines[@]}" 5
	assert_line --index 0 '5.002250 uvpci-poke-138 write 0:0x8.l = 0x00000003'
	assert_line --index 1 '5.061938 uvpci-peek-139 read 0:0xc.l = 0x00000001 in 20113 ns'
	assert_line --index 2 '5.181512 uvdma-inject-141 dma-write 0x1000 +4 (1 dw) (refused: bus mastering disabled)'
	assert_line --index 3 '5.538123 uvmsi-fire-145 msi 2'
	assert_line --index 4 '5.539728 <idle>-0 deliver msi 2 irq 28'
	# from standard input too
	run uvpci-trace -r - <"$rec"
	assert_success
	assert_line --index 0 '5.002250 uvpci-poke-138 write 0:0x8.l = 0x00000003'
}

@test "-r --map: register names and the fields that are set" {
	run uvpci-trace -r "$rec" --map "$map"
	assert_success
	assert_line --index 0 '5.002250 uvpci-poke-138 write CTRL = 0x3 RX_EN=1 TX_EN=1'
	assert_line --index 1 '5.061938 uvpci-peek-139 read STATUS = 0x1 LINK_UP=1 in 20113 ns'
	one_error "--map $BATS_TEST_TMPDIR/none: No such file or directory" \
		uvpci-trace -r "$rec" --map "$BATS_TEST_TMPDIR/none"
}

@test "-r -w: a recorded file written again is the same file, comments aside" {
	run uvpci-trace -r "$rec" -w "$BATS_TEST_TMPDIR/again" -q
	assert_success
	assert_output ''
	run diff <(grep -v '^# a' "$rec") "$BATS_TEST_TMPDIR/again"
	assert_success
	run uvpci-trace -r "$rec" -w -
	assert_success
	assert_output "$(cat "$BATS_TEST_TMPDIR/again")"
}

@test "-r: what is not a recorded file, or a bad line in one" {
	printf 'hello\n' >"$BATS_TEST_TMPDIR/x"
	one_error "$BATS_TEST_TMPDIR/x: not a uvpci-trace file (no '# uvpci-trace 1' line first)" \
		uvpci-trace -r "$BATS_TEST_TMPDIR/x"
	: >"$BATS_TEST_TMPDIR/empty"
	one_error "$BATS_TEST_TMPDIR/empty: not a uvpci-trace file (empty)" \
		uvpci-trace -r "$BATS_TEST_TMPDIR/empty"
	printf '%s\n' '# uvpci-trace 1' '1.0 x-1 uvpci_mmio_read dev=a bar' >"$BATS_TEST_TMPDIR/bad"
	one_error "$BATS_TEST_TMPDIR/bad:2: malformed record" uvpci-trace -r "$BATS_TEST_TMPDIR/bad"
	run --separate-stderr uvpci-trace -r "$BATS_TEST_TMPDIR/nope"
	assert_failure 1
	assert_equal "$stderr" "uvpci-trace: -r $BATS_TEST_TMPDIR/nope: No such file or directory"
}

@test "the man page renders cleanly and says what --help says" {
	command -v groff >/dev/null || skip "no groff"
	man_says_help uvpci-trace uvpci-trace.1
}
