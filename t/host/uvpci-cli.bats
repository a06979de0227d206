#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The uvPCI tools' command lines on the host (no module needed):
# uvpci-peek, uvpci-poke, uvdma-inject, uvmsi-fire. Every error is one
# line on stderr (a usage error adds the "Try" line), exit 1; nothing
# touches a device before the whole command line is checked. Their kernel
# side is t/kernel/uvpci-cli.bats.

bats_require_minimum_version 1.5.0

TOOLS=(uvpci-peek uvpci-poke uvdma-inject uvmsi-fire)

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/cli'
	_common_setup
	local t
	for t in "${TOOLS[@]}"; do
		[ -x "$UVNIC_TOP/bin/$t" ] || skip "bin/$t not built (make userspace)"
	done
	# Never reach a real device from host tests.
	export UVBUS_DEVICE=/nonexistent/uvbus
}

# A command line that passed every check fails only at the missing device.
reaches_device() {
	run --separate-stderr "$@"
	assert_failure 1
	assert_output ''
	assert_equal "$stderr" "$1: cannot open /nonexistent/uvbus: No such file or directory (is uvbus.ko loaded?)"
}

@test "--help: usage and options on stdout, exit 0; -h is the same" {
	local t want
	for t in "${TOOLS[@]}"; do
		run --separate-stderr "$t" --help
		assert_success
		[ -z "$stderr" ] || fail "$t: $stderr"
		assert_line --index 0 --regexp "^Usage: $t DEV "
		assert_line "       $t [-h|--help] [--version]"
		assert_line --regexp '^  -h, --help +print this help and exit$'
		assert_line --regexp "See $t\\(8\\)\\.\$"
		want=$output
		run "$t" -h
		assert_success
		assert_output "$want"
		run "$t" dev0 --bogus --help
		assert_success
		assert_output "$want"
	done
}

@test "--help shows each tool's syntax" {
	run uvpci-peek --help
	assert_line --index 0 'Usage: uvpci-peek DEV REG [REG]... [--map=FILE]'
	run uvpci-poke --help
	assert_line --index 0 'Usage: uvpci-poke DEV REG=VALUE [REG=VALUE]... [--map=FILE]'
	run uvdma-inject --help
	assert_line --index 0 'Usage: uvdma-inject DEV ADDR [-] [--hex=BYTES] [--file=PATH] [--read=LEN]'
	run uvmsi-fire --help
	assert_line --index 0 'Usage: uvmsi-fire DEV VECTOR'
}

@test "--version" {
	local t
	for t in "${TOOLS[@]}"; do
		run --separate-stderr "$t" --version
		assert_success
		assert_output --regexp "^$t \\(uvNIC\\) [0-9]+\\.[0-9]+\\.[0-9]+\$"
	done
}

@test "missing arguments" {
	usage_error "missing DEV" uvpci-peek
	usage_error "missing REG" uvpci-peek dev0
	usage_error "missing DEV" uvpci-poke
	usage_error "missing REG=VALUE" uvpci-poke dev0
	usage_error "missing DEV" uvdma-inject
	usage_error "missing ADDR" uvdma-inject dev0
	usage_error "nothing to do: give the bytes (--hex BYTES, --file PATH or -) or --read LEN" uvdma-inject dev0 0x1000
	usage_error "missing DEV" uvmsi-fire
	usage_error "missing VECTOR" uvmsi-fire dev0
}

@test "unknown options and extra arguments" {
	local t
	for t in "${TOOLS[@]}"; do
		usage_error 'invalid option "--bogus"' "$t" dev0 0:0 --bogus
	done
	usage_error "unexpected argument '1'" uvmsi-fire dev0 0 1
	usage_error "unexpected argument 'x'" uvdma-inject dev0 0x1000 x --read 4
	usage_error "unexpected argument 'y'" uvdma-inject dev0 0x1000 - y
}

@test "bad device names" {
	local long
	long=$(printf 'n%.0s' {1..32})
	usage_error "invalid NAME '$long': longer than 31 characters" uvpci-peek "$long" 0:0
	usage_error "invalid NAME: empty" uvpci-poke '' 0:0=1
	usage_error "invalid NAME '$long': longer than 31 characters" uvdma-inject "$long" 0 --read 1
	usage_error "invalid NAME: empty" uvmsi-fire '' 0
}

@test "uvpci-peek: bad register specs, one clear line each" {
	usage_error "'0:0x13': offset 0x13 is not aligned to 4 bytes" uvpci-peek dev0 0:0x13
	usage_error "'0:13': offset 0xd is not aligned to 4 bytes" uvpci-peek dev0 0:13
	usage_error "'0:1.w': offset 0x1 is not aligned to 2 bytes" uvpci-peek dev0 0:1.w
	usage_error "'6:0': BAR 6 is out of range (0 to 5)" uvpci-peek dev0 6:0
	usage_error "'0:0x10=1': unexpected '=1' (a read takes no value)" uvpci-peek dev0 0:0x10=1
	usage_error "'0:zz': offset 'zz': not a number (decimal, or hex with 0x)" uvpci-peek dev0 0:zz
	usage_error "'0:fffc.w': offset 'fffc': not a number (decimal, or hex with 0x)" uvpci-peek dev0 0:fffc.w
	usage_error "'0:010': offset '010': a leading zero is ambiguous (decimal, or hex with 0x, no octal)" uvpci-peek dev0 0:010
	run --separate-stderr uvpci-peek dev0 0:0.x
	assert_failure 1
	[[ ${stderr_lines[0]} == "uvpci-peek: '0:0.x': "* ]] || fail "$stderr"
	run --separate-stderr uvpci-peek dev0 0x10
	assert_failure 1
	[[ ${stderr_lines[0]} == "uvpci-peek: '0x10': "* ]] || fail "$stderr"
	# The bad one is found even after good ones, before any access.
	usage_error "'0:3': offset 0x3 is not aligned to 4 bytes" uvpci-peek dev0 0:0 0:8.q 0:3
}

@test "uvpci-poke: bad register specs, one clear line each" {
	usage_error "'0:4': missing '=VALUE' (expected BAR:OFFSET[.WIDTH]=VALUE[:MASK])" uvpci-poke dev0 0:4
	usage_error "'0:4.b=0x100': value 0x100 does not fit in .b (8 bits)" uvpci-poke dev0 0:4.b=0x100
	usage_error "'0:4.b=256': value 0x100 does not fit in .b (8 bits)" uvpci-poke dev0 0:4.b=256
	usage_error "'0:4=beef': value 'beef': not a number (decimal, or hex with 0x)" uvpci-poke dev0 0:4=beef
	usage_error "'0:4=1:0': mask 0 selects no bit to write" uvpci-poke dev0 0:4=1:0
	usage_error "'0:6=1': offset 0x6 is not aligned to 4 bytes" uvpci-poke dev0 0:6=1
	run --separate-stderr uvpci-poke dev0 0:4=3:1
	assert_failure 1
	[[ ${stderr_lines[0]} == "uvpci-poke: '0:4=3:1': "* ]] || fail "$stderr"
	[ "${#stderr_lines[@]}" -eq 2 ] || fail "$stderr"
	run --separate-stderr uvpci-poke dev0 0:4=xyz
	assert_failure 1
	[[ ${stderr_lines[0]} == "uvpci-poke: '0:4=xyz': "* ]] || fail "$stderr"
	usage_error "'0:5=1': offset 0x5 is not aligned to 4 bytes" uvpci-poke dev0 0:0=1 0:5=1
}

@test "good specs get as far as the device" {
	reaches_device uvpci-peek dev0 0:0 1:0x10.b 5:0X8.Q 0:0xfffc.w 0:16 0:0x0010
	reaches_device uvpci-poke dev0 0:0=1 0:8.q=0xdeadbeefcafe 0:4.w=0x8000:0x8000 0:4.w=32768:32768
}

@test "uvdma-inject: bad ADDR, --hex, --read, sources" {
	usage_error "invalid ADDR 'xyz': not a number (decimal, or hex with 0x)" uvdma-inject dev0 xyz --hex 00
	usage_error "invalid ADDR '0x1g': not a number (decimal, or hex with 0x)" uvdma-inject dev0 0x1g --hex 00
	usage_error "invalid ADDR '0x10000000000000000': out of range (0x0 to 0xffffffffffffffff)" uvdma-inject dev0 0x10000000000000000 --hex 00
	usage_error "invalid ADDR '0xffffffffffffffff': the transfer would run past the end of the 64-bit bus address space" uvdma-inject dev0 0xffffffffffffffff --hex 0000
	usage_error "invalid --hex 'abc': odd number of hex digits (give whole bytes, e.g. 0f)" uvdma-inject dev0 0x1000 --hex abc
	usage_error "invalid --hex 'zz': 'z' is not a hex digit (give bytes as pairs of hex digits, e.g. deadbeef)" uvdma-inject dev0 0x1000 --hex zz
	usage_error "invalid --hex '0xdead': 'x' is not a hex digit (give bytes as pairs of hex digits, e.g. deadbeef)" uvdma-inject dev0 0x1000 --hex 0xdead
	usage_error "invalid --hex 'de ad': ' ' is not a hex digit (give bytes as pairs of hex digits, e.g. deadbeef)" uvdma-inject dev0 0x1000 --hex 'de ad'
	usage_error "option --hex: empty value" uvdma-inject dev0 0x1000 --hex ''
	usage_error "invalid --read '0': out of range (0x1 to 0x1000000)" uvdma-inject dev0 0x1000 --read 0
	usage_error "invalid --read '0x1000001': out of range (0x1 to 0x1000000)" uvdma-inject dev0 0x1000 --read 0x1000001
	usage_error "invalid --read 'all': not a number (decimal, or hex with 0x)" uvdma-inject dev0 0x1000 --read all
	usage_error "give the bytes one way only: --hex, --file or -" uvdma-inject dev0 0x1000 --hex 00 -
	usage_error "give the bytes one way only: --hex, --file or -" uvdma-inject dev0 0x1000 --hex 00 --file /etc/hostname
}

@test "uvdma-inject: unreadable or empty input, one clear line, before the device" {
	run --separate-stderr uvdma-inject dev0 0x1000 --file /nonexistent/file
	assert_failure 1
	assert_equal "$stderr" "uvdma-inject: /nonexistent/file: No such file or directory"
	: >"$BATS_TEST_TMPDIR/empty"
	run --separate-stderr uvdma-inject dev0 0x1000 --file "$BATS_TEST_TMPDIR/empty"
	assert_failure 1
	assert_equal "$stderr" "uvdma-inject: $BATS_TEST_TMPDIR/empty: no bytes to write"
	run --separate-stderr uvdma-inject dev0 0x1000 - </dev/null
	assert_failure 1
	assert_equal "$stderr" "uvdma-inject: standard input: no bytes to write"
}

@test "uvdma-inject: good command lines get as far as the device" {
	reaches_device uvdma-inject dev0 0x1000 --hex DEADbeef
	reaches_device uvdma-inject dev0 4096 --hex 00 --read 1
	reaches_device uvdma-inject dev0 0xfffffffffffffffe --hex 0000
	reaches_device uvdma-inject dev0 0x1001 --read 0x1000000
	printf 'abc' >"$BATS_TEST_TMPDIR/data"
	reaches_device uvdma-inject dev0 0x1000 --file "$BATS_TEST_TMPDIR/data"
	reaches_device uvdma-inject dev0 0x1000 --file="$BATS_TEST_TMPDIR/data"
	run --separate-stderr uvdma-inject dev0 0x1000 - <"$BATS_TEST_TMPDIR/data"
	[[ $stderr == "uvdma-inject: cannot open /nonexistent/uvbus:"* ]] || fail "$stderr"
}

@test "uvmsi-fire: bad VECTOR" {
	usage_error "invalid VECTOR '2048': out of range (0 to 2047)" uvmsi-fire dev0 2048
	usage_error "invalid VECTOR 'one': not a number (decimal, or hex with 0x)" uvmsi-fire dev0 one
	usage_error "invalid VECTOR '': not a number (decimal, or hex with 0x)" uvmsi-fire dev0 ''
	reaches_device uvmsi-fire dev0 0x1f
	reaches_device uvmsi-fire dev0 0
}

@test "uvmsi-fire --intx: assert or deassert, nothing else, and not with a VECTOR" {
	usage_error "invalid --intx 'on': assert or deassert" uvmsi-fire dev0 --intx on
	usage_error "option --intx: empty value" uvmsi-fire dev0 --intx ''
	run --separate-stderr uvmsi-fire dev0 0 --intx assert
	assert_failure 1
	[ "${stderr_lines[1]}" = "Try 'uvmsi-fire --help'." ] || fail "$stderr"
	reaches_device uvmsi-fire dev0 --intx assert
	reaches_device uvmsi-fire dev0 --intx=deassert
	run uvmsi-fire --help
	assert_line --index 1 '       uvmsi-fire DEV --intx=assert|deassert'
}

@test "a device that is not uvbus: one clear line" {
	local t
	for t in "uvpci-peek dev0 0:0" "uvpci-poke dev0 0:0=1" "uvdma-inject dev0 0x1000 --read 4" "uvmsi-fire dev0 0"; do
		# shellcheck disable=SC2086
		UVBUS_DEVICE=/dev/null run --separate-stderr $t
		assert_failure 1
		assert_output ''
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "$t: $stderr"
		[[ $stderr == "${t%% *}: dev0: "*"Inappropriate ioctl for device (not a uvbus device"* ]] ||
			fail "$t: $stderr"
	done
}

@test "the man pages render cleanly and say what --help says" {
	command -v groff >/dev/null || skip "no groff"
	local t
	for t in "${TOOLS[@]}"; do
		man_says_help "$t" "$t.8"
	done
}
