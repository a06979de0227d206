#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# uvbus-ctl's command line, on the host: no module needed. Every error must
# be one line on stderr (a usage error adds the "Try" line) and exit 1.

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	_common_setup
	[ -x "$UVNIC_TOP/bin/uvbus-ctl" ] || skip "bin/uvbus-ctl not built (make userspace)"
	# Never reach a real device from host tests.
	export UVBUS_DEVICE=/nonexistent/uvbus
}

# run CMD, keeping stderr apart (bats >= 1.5 'run --separate-stderr').
usage_error() {
	run --separate-stderr "$@"
	assert_failure 1
	assert_output ''
	[ "${#stderr_lines[@]}" -eq 2 ] || fail "want 2 stderr lines, got: $stderr"
	[[ ${stderr_lines[0]} == "uvbus-ctl: "* ]] || fail "first line: ${stderr_lines[0]}"
	[ "${stderr_lines[1]}" = "Try 'uvbus-ctl --help'." ] || fail "second line: ${stderr_lines[1]}"
}

@test "--help: usage, commands and options on stdout, exit 0" {
	run --separate-stderr uvbus-ctl --help
	assert_success
	[ -z "$stderr" ]
	assert_line --index 0 'Usage: uvbus-ctl create NAME [--vendor=ID] [--device=ID] [--class=CODE] [--subsystem=V:D] [--revision=N] [--bar=BAR]... [--msi=COUNT] [--msix=COUNT[:BAR[:OFFSET]]] [--intx] [--timeout-us=US] [--held]'
	assert_line '       uvbus-ctl list [--json]'
	assert_line '       uvbus-ctl show NAME [--json]'
	assert_line '       uvbus-ctl destroy NAME'
	assert_line '       uvbus-ctl reset NAME'
	assert_line '       uvbus-ctl release NAME'
	assert_line '       uvbus-ctl [-h|--help] [--version]'
	assert_line --partial 'Commands:'
	assert_line --regexp '^  create +create a loopback channel, or a uvPCI device \(--vendor, --device\)$'
	assert_line --regexp '^  release +let drivers bind to a uvPCI device created with --held; they probe it at once$'
	assert_line --regexp '^  --held +no driver binds to it until .uvbus-ctl release NAME.: attach its model in between$'
	assert_line --regexp '^  --bar=BAR +a BAR, N:SIZE\[:64\]\[:prefetch\] \(memory\) or N:SIZE:io'
	assert_line --regexp '^  --json +list and show: print JSON instead of text \(keys in uvbus-ctl\(8\)\)$'
	assert_line --regexp '^  -h, --help +print this help and exit$'
	assert_line --regexp '^  --version +print the version and exit$'
	# One glossary line for --json, though two commands take it.
	[ "$(grep -c -- '--json ' <<<"$output")" -eq 1 ] || fail "--json glossary: $output"
}

@test "-h is --help" {
	run uvbus-ctl --help
	local want=$output
	run uvbus-ctl -h
	assert_success
	assert_output "$want"
}

@test "--help wins over anything else on the line" {
	run uvbus-ctl create --bogus --help
	assert_success
	assert_line --index 0 --partial 'Usage: uvbus-ctl'
	run uvbus-ctl list --help
	assert_success
	assert_line --index 0 --partial 'Usage: uvbus-ctl'
}

@test "--version" {
	run --separate-stderr uvbus-ctl --version
	assert_success
	assert_output --regexp '^uvbus-ctl \(uvNIC\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "no command" {
	usage_error uvbus-ctl
	assert_equal "${stderr_lines[0]}" "uvbus-ctl: missing command"
}

@test "unknown command" {
	usage_error uvbus-ctl frobnicate
	assert_equal "${stderr_lines[0]}" "uvbus-ctl: unknown command 'frobnicate'"
}

@test "unknown option" {
	usage_error uvbus-ctl --bogus
	assert_equal "${stderr_lines[0]}" 'uvbus-ctl: invalid option "--bogus"'
	usage_error uvbus-ctl list --bogus
	assert_equal "${stderr_lines[0]}" 'uvbus-ctl: invalid option "--bogus"'
	usage_error uvbus-ctl create foo -x
	[[ ${stderr_lines[0]} == *'-x'* ]] || fail "${stderr_lines[0]}"
}

@test "missing NAME" {
	local cmd
	for cmd in create show destroy reset release; do
		usage_error uvbus-ctl "$cmd"
		assert_equal "${stderr_lines[0]}" "uvbus-ctl: missing NAME"
	done
}

@test "extra arguments" {
	usage_error uvbus-ctl create foo bar
	assert_equal "${stderr_lines[0]}" "uvbus-ctl: unexpected argument 'bar'"
	usage_error uvbus-ctl list foo
	assert_equal "${stderr_lines[0]}" "uvbus-ctl: unexpected argument 'foo'"
	usage_error uvbus-ctl destroy a b c
	assert_equal "${stderr_lines[0]}" "uvbus-ctl: unexpected argument 'b'"
}

# --- create: the uvPCI device options ----------------------------------

# create_error WANT ARGS...: 'uvbus-ctl create dev0 ARGS' is a usage error
# whose first line is "uvbus-ctl: WANT".
create_error() {
	local want=$1
	shift
	usage_error uvbus-ctl create dev0 "$@"
	assert_equal "${stderr_lines[0]}" "uvbus-ctl: $want"
}

@test "a number option: junk, empty, too big, missing" {
	local v=(--vendor 1 --device 1)
	create_error "invalid --msi '12k': not a number (decimal, or hex with 0x)" "${v[@]}" --msi 12k
	create_error "option --msi: empty value" "${v[@]}" --msi ''
	create_error "invalid --msi '99999999999999999999999': out of range (0 to 32)" "${v[@]}" --msi 99999999999999999999999
	usage_error uvbus-ctl create dev0 "${v[@]}" --msi
	assert_equal "${stderr_lines[0]}" 'uvbus-ctl: option "--msi" requires an argument'
}

@test "--entries is gone: ring sizes are chosen per port at attach" {
	usage_error uvbus-ctl create foo --entries 8
	[[ ${stderr_lines[0]} == *'--entries'* ]] || fail "${stderr_lines[0]}"
}

@test "uvPCI create: --vendor and --device go together; the others need them" {
	create_error "a uvPCI device needs both --vendor and --device: --device is missing" --vendor 0x5556
	create_error "a uvPCI device needs both --vendor and --device: --vendor is missing" --device 1
	local opt
	for opt in "--bar 0:4096" "--msi 4" "--intx" "--class 0x020000" "--subsystem 1:2" "--revision 1" "--timeout-us 100" "--held"; do
		# shellcheck disable=SC2086
		create_error "the uvPCI options (--class, --subsystem, --revision, --bar, --msi, --msix, --intx, --timeout-us, --held) need --vendor and --device" $opt
	done
}

@test "uvPCI create: bad IDs, class, subsystem, revision" {
	local v=(--vendor 0x5556 --device 1)
	create_error "invalid --vendor '0': 0x0000 and 0xffff are not vendor IDs" --vendor 0 --device 1
	create_error "invalid --vendor '0xffff': 0x0000 and 0xffff are not vendor IDs" --vendor 0xffff --device 1
	create_error "invalid --vendor 'intel': not a number (decimal, or hex with 0x)" --vendor intel --device 1
	create_error "invalid --device '0x10000': out of range (0 to 65535)" --vendor 1 --device 0x10000
	create_error "invalid --class '0x1000000': out of range (0x0 to 0xffffff)" "${v[@]}" --class 0x1000000
	create_error "invalid --subsystem '1': expected VENDOR:DEVICE, e.g. 0x5556:0x0001" "${v[@]}" --subsystem 1
	create_error "invalid --subsystem '1:0x10000': expected VENDOR:DEVICE, two numbers 0 to 0xffff" "${v[@]}" --subsystem 1:0x10000
	create_error "invalid --subsystem ':2': expected VENDOR:DEVICE, two numbers 0 to 0xffff" "${v[@]}" --subsystem :2
	create_error "invalid --revision '256': out of range (0 to 255)" "${v[@]}" --revision 256
}

@test "uvPCI create: bad --bar size, index, flags, duplicates, 64-bit slots" {
	local v=(--vendor 0x5556 --device 1)
	create_error "invalid --bar '0:100': size '100' is not a power of two of at least 16 bytes" "${v[@]}" --bar 0:100
	create_error "invalid --bar '0:8': size '8' is not a power of two of at least 16 bytes" "${v[@]}" --bar 0:8
	create_error "invalid --bar '0:0': size '0' is not a power of two of at least 16 bytes" "${v[@]}" --bar 0:0
	create_error "invalid --bar '0:4k': size '4k' is not a power of two of at least 16 bytes" "${v[@]}" --bar 0:4k
	create_error "invalid --bar '6:4096': BAR index '6' is not 0 to 5" "${v[@]}" --bar 6:4096
	create_error "invalid --bar 'x:4096': BAR index 'x' is not 0 to 5" "${v[@]}" --bar x:4096
	create_error "invalid --bar '0': expected N:SIZE[:64][:prefetch] or N:SIZE:io" "${v[@]}" --bar 0
	create_error "invalid --bar '0:16:': expected N:SIZE[:64][:prefetch] or N:SIZE:io" "${v[@]}" --bar 0:16:
	create_error "invalid --bar '0:16:64:prefetch:64': expected N:SIZE[:64][:prefetch] or N:SIZE:io" "${v[@]}" --bar 0:16:64:prefetch:64
	create_error "invalid --bar '0:4096:wc': unknown flag 'wc' (64, prefetch or io)" "${v[@]}" --bar 0:4096:wc
	create_error "invalid --bar '1:64:io:64': an I/O BAR is neither 64-bit nor prefetchable" "${v[@]}" --bar 1:64:io:64
	create_error "invalid --bar '1:512:io': an I/O BAR is at most 256 bytes" "${v[@]}" --bar 1:512:io
	create_error "invalid --bar '0:4096:64:64': flag '64' given twice" "${v[@]}" --bar 0:4096:64:64
	create_error "invalid --bar '0:16': BAR 0 is given twice" "${v[@]}" --bar 0:4096 --bar 0:16
	create_error "invalid --bar '5:4096:64': a 64-bit BAR takes two slots, so BAR 5 cannot be one" "${v[@]}" --bar 5:4096:64
	create_error "invalid --bar '1:16': slot 1 is the upper half of 64-bit BAR 0" "${v[@]}" --bar 0:4096:64 --bar 1:16
	create_error "invalid --bar '0:4096:64': a 64-bit BAR 0 also takes slot 1, which another --bar uses" "${v[@]}" --bar 1:16 --bar 0:4096:64
}

@test "uvPCI create: bad --msi and --timeout-us" {
	local v=(--vendor 0x5556 --device 1)
	create_error "invalid --msi '33': out of range (0 to 32)" "${v[@]}" --msi 33
	create_error "invalid --msi 'four': not a number (decimal, or hex with 0x)" "${v[@]}" --msi four
	create_error "invalid --timeout-us '10000001': at most 10000000 (10 s)" "${v[@]}" --timeout-us 10000001
	create_error "invalid --timeout-us '-5': not a number (decimal, or hex with 0x)" "${v[@]}" --timeout-us=-5
}

@test "uvPCI create: a valid device line gets as far as the device" {
	run --separate-stderr uvbus-ctl create dev0 --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 4
	assert_failure 1
	assert_equal "$stderr" "uvbus-ctl: cannot open /nonexistent/uvbus: No such file or directory (is uvbus.ko loaded?)"
	run --separate-stderr uvbus-ctl create nic0 --vendor 0x5556 --device 2 --class 0x020000 \
		--subsystem 0x5556:0x0002 --revision 3 --bar 0:0x1000 --bar 2:0x100000:prefetch:64 \
		--bar 4:16 --bar 5:32:prefetch --msi 32 --timeout-us 10000000
	assert_failure 1
	[[ $stderr == "uvbus-ctl: cannot open"* ]] || fail "$stderr"
}

@test "uvPCI options belong to create only" {
	usage_error uvbus-ctl show dev0 --vendor 1
	[[ ${stderr_lines[0]} == *'--vendor'* ]] || fail "${stderr_lines[0]}"
}

@test "--json belongs to list and show only, and reaches the device" {
	usage_error uvbus-ctl destroy foo --json
	assert_equal "${stderr_lines[0]}" 'uvbus-ctl: invalid option "--json"'
	usage_error uvbus-ctl create foo --json
	usage_error uvbus-ctl list --json=1
	local cmd
	for cmd in "list --json" "show foo --json" "show --json foo"; do
		# shellcheck disable=SC2086
		run --separate-stderr uvbus-ctl $cmd
		assert_failure 1
		assert_output ''
		assert_equal "$stderr" "uvbus-ctl: cannot open /nonexistent/uvbus: No such file or directory (is uvbus.ko loaded?)"
	done
}

@test "name too long or empty" {
	local long
	long=$(printf 'n%.0s' {1..32})
	usage_error uvbus-ctl create "$long"
	assert_equal "${stderr_lines[0]}" "uvbus-ctl: invalid NAME '$long': longer than 31 characters"
	usage_error uvbus-ctl destroy "$long"
	usage_error uvbus-ctl show "$long"
	usage_error uvbus-ctl create ''
	assert_equal "${stderr_lines[0]}" "uvbus-ctl: invalid NAME: empty"
}

@test "a 31-character name is not refused by the CLI" {
	run --separate-stderr uvbus-ctl create "$(printf 'n%.0s' {1..31})"
	assert_failure 1
	[[ $stderr == "uvbus-ctl: cannot open"* ]] || fail "$stderr"
}

@test "no device: one clear 'cannot open' line, exit 1, for every command" {
	local cmd
	for cmd in "create foo" "list" "show foo" "destroy foo" "reset foo" "release foo"; do
		# shellcheck disable=SC2086
		run --separate-stderr uvbus-ctl $cmd
		assert_failure 1
		assert_output ''
		assert_equal "$stderr" "uvbus-ctl: cannot open /nonexistent/uvbus: No such file or directory (is uvbus.ko loaded?)"
	done
}

@test "a device that is not uvbus: one clear line" {
	UVBUS_DEVICE=/dev/null run --separate-stderr uvbus-ctl list
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "$stderr"
	[[ $stderr == "uvbus-ctl: list: Inappropriate ioctl for device (not a uvbus device"* ]] || fail "$stderr"
	# Nothing on stdout, not even the table's header.
	assert_output ''
	UVBUS_DEVICE=/dev/null run --separate-stderr uvbus-ctl show foo
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "$stderr"
	assert_output ''
}

@test "the man page says what --help says" {
	local man="$UVNIC_TOP/man/uvbus-ctl.8"
	[ -f "$man" ] || skip "man/uvbus-ctl.8 not built (make man)"
	command -v groff >/dev/null || skip "no groff"
	run groff -ww -z -man "$man"
	assert_success
	assert_output ''
	# Both texts with blanks squeezed, so line filling does not matter.
	local page line
	page=$(groff -man -Tascii -P-cbou "$man" 2>/dev/null | tr -s '[:space:]' ' ')
	while IFS= read -r line; do
		line=$(printf '%s' "$line" | sed 's/^Usage: //' | tr -s '[:space:]' ' ')
		line=${line# }
		[ -n "$line" ] || continue
		case $line in Commands:|Options:|"Exit status"*|"Create, list"*|"or \$UVBUS_DEVICE"*) continue ;; esac
		# A command summary line: only its word must be in the page.
		if [[ $line =~ ^(create|list|show|destroy|reset|release)\  ]]; then
			[[ $page == *"${BASH_REMATCH[1]}"* ]] || fail "man page lacks command: $line"
			continue
		fi
		# An option's glossary: the option, then its text, word for word.
		if [[ $line =~ ^(NAME|--entries=N|-h,\ --help|--version)\ (.*)$ ]]; then
			[[ $page == *"${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"* ]] ||
				fail "man page OPTIONS differ from --help: $line"
			continue
		fi
		[[ $page == *"$line"* ]] || fail "man page lacks: $line"
	done < <(uvbus-ctl --help)
}
