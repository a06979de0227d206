#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# One number rule for every uvNIC CLI (lib/tools/parse.c): decimal, or hex with
# 0x; no leading zero, no bare hex, no sign, no suffix. Each tool is given
# the same numbers in one of its number arguments and must accept and
# refuse the same ones, with the same reason, naming the argument; every
# CLI man page carries the one NUMBERS section (man/numbers.inc).

# shellcheck disable=SC2154 # (stderr, stderr_lines: set by bats' run)
bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	_common_setup
	# Never reach a real device from host tests.
	export UVBUS_DEVICE=/nonexistent/uvbus
}

# The tools and, for each, a command line with N where a number goes and
# the words that name that argument in the message.
CASES=(
	"uvbus-ctl create dev0 --vendor 0x5556 --device N|invalid --device 'N'"
	"uvpci-peek dev0 0:N.b|'0:N.b': offset 'N'"
	"uvpci-poke dev0 0:0=N|'0:0=N': value 'N'"
	"uvdma-inject dev0 N --read 4|invalid ADDR 'N'"
	"uvmsi-fire dev0 N|invalid VECTOR 'N'"
	"uvnic-bridge --cpu N dev0 lo|invalid --cpu 'N'"
	"uvnic-vm --timeout N --print-kver|invalid --timeout 'N'"
)

# each_case N: sets cmd (an array) and named for every case, calling "$2".
each_case() {
	local c line
	for c in "${CASES[@]}"; do
		line=${c%%|*}
		named=${c#*|}
		named=${named//N/$1}
		# shellcheck disable=SC2206 # (split on blanks on purpose)
		cmd=(${line//N/${1// /_}})
		cmd=("${cmd[@]//_/ }")
		"$2"
	done
}

# Accepted: the tool gets past its command line, to the missing device
# (uvnic-bridge first pins itself to the CPU, which may not exist here;
# uvnic-vm --print-kver prints the kernel and boots nothing).
accepted() {
	run --separate-stderr "${cmd[@]}"
	if [ "${cmd[0]}" = uvnic-vm ]; then
		assert_success
	else
		assert_failure 1
	fi
	if [ "${cmd[0]}" = uvnic-vm ]; then
		# (a shell script: its own copy of the rule, held to the others here)
		assert_equal "$stderr" ''
		return
	fi
	if [ "${cmd[0]}" = uvnic-bridge ] && [[ $stderr == *'cannot run on CPU'* ]]; then
		assert_equal "$stderr" "uvnic-bridge: cannot run on CPU $((n)): Invalid argument"
		return
	fi
	assert_equal "$stderr" "${cmd[0]}: cannot open /nonexistent/uvbus: No such file or directory (is uvbus.ko loaded?)"
}

refused_why=''
refused() {
	run --separate-stderr "${cmd[@]}"
	assert_failure 1
	assert_output ''
	[ "${#stderr_lines[@]}" -eq 2 ] || fail "${cmd[*]}: want 2 lines: $stderr"
	[[ ${stderr_lines[0]} == "${cmd[0]}: $named"?(:)" $refused_why"* ]] ||
		fail "${cmd[*]}: got '${stderr_lines[0]}', want '${cmd[0]}: $named: $refused_why...'"
	[ -n "$refused_why" ] || [[ ${stderr_lines[0]} == *' range '* || ${stderr_lines[0]} == *'fit in 64 bits'* ]] ||
		fail "${cmd[*]}: not a range error: ${stderr_lines[0]}"
	assert_equal "${stderr_lines[1]}" "Try '${cmd[0]} --help'."
}

@test "every CLI takes decimal and 0x hex alike" {
	local n
	for n in 0 1 16 0x10 0X1F 0x0010 0xa; do
		each_case "$n" accepted
	done
}

@test "every CLI refuses a leading zero, with the same reason" {
	local n
	refused_why='a leading zero is ambiguous (decimal, or hex with 0x, no octal)'
	for n in 010 00 08 0777; do
		each_case "$n" refused
	done
}

@test "every CLI refuses what is not a number, with the same reason" {
	local n
	refused_why='not a number (decimal, or hex with 0x)'
	# (a leading '-' is an option to argtable2: the unit test has signs)
	for n in ff 1f8 12k +1 ' 1' 0x 0x1g 1e3 0b1; do
		each_case "$n" refused
	done
}

@test "every CLI refuses a number beyond 64 bits" {
	local n
	refused_why=''	# (the range each tool says differs)
	for n in 18446744073709551616 0x10000000000000000 99999999999999999999999; do
		each_case "$n" refused
	done
}

@test "every CLI man page has the one NUMBERS section" {
	local t man want
	want=$(sed '/^\.\\"/d' "$UVNIC_TOP/man/numbers.inc")
	[ "$(printf '%s\n' "$want" | head -n 1)" = '.SH NUMBERS' ] || fail "man/numbers.inc: $want"
	for t in uvbus-ctl.8 uvpci-peek.8 uvpci-poke.8 uvdma-inject.8 uvmsi-fire.8 uvnic-bridge.8 uvnic-vm.1; do
		man=$UVNIC_TOP/man/$t
		[ -f "$man" ] || fail "man/$t not built (make man)"
		grep -qx '@NUMBERS@' "$man.in" || fail "$t.in has no @NUMBERS@ line"
		# The section, from its heading to the next, as the page has it.
		run awk '/^\.SH NUMBERS$/ { on = 1 } on && /^\.SH / && !/NUMBERS/ { exit } on' "$man"
		assert_output "$want"
	done
}
