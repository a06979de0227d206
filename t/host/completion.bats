#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for every uvNIC tool (contrib/completion/uvnic), driven
# as bash drives it: COMP_WORDS and COMP_CWORD set, the function that
# `complete -p TOOL` names called, COMPREPLY read back. Channel names come
# from a stand-in uvbus-ctl that prints a fixed list (no module here);
# t/kernel/uvbus-ctl.bats completes the names of real devices.

# shellcheck disable=SC2154 # (COMPREPLY, output, lines: set by what we call)
bats_require_minimum_version 1.5.0

TOOLS=(uvbus-ctl uvpci-peek uvpci-poke uvdma-inject uvmsi-fire uvnic-bridge uvpci-e1000 uvpci-trace uvnic-vm uvpci-port uvregmap)
COMPLETION=contrib/completion/uvnic

setup() {
	set +T
	load '../test_helper/common-setup'
	_common_setup
	PATH="$UVNIC_TOP/contrib:$PATH"
	export UVBUS_DEVICE=/nonexistent/uvbus
	# shellcheck disable=SC1090
	source "$UVNIC_TOP/$COMPLETION"
}

# comp WORD...: complete the last WORD of the command line WORD...; prints
# the candidates, one a line, sorted.
comp() {
	local fn
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	fn=$(complete -p "$1" | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
	[ -n "$fn" ] || fail "no completion function for $1"
	"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}"
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

# A uvbus-ctl that lists two uvPCI devices and a loopback channel, first on
# PATH.
fake_list() {
	mkdir -p "$BATS_TEST_TMPDIR/fake"
	cat >"$BATS_TEST_TMPDIR/fake/uvbus-ctl" <<'SH'
#!/bin/sh
[ "$1" = list ] || exit 1
cat <<'LIST'
NAME                             TYPE      STATE   PORTS  VENDOR:DEVICE  CLASS   DRIVER
dev0                             uvpci     ok          0  5556:0001      000000  uvpci_sample
loop0                            loopback  ok          0  -              -       -
nic0                             uvpci     ok          1  5556:0100      020000  uvnic
LIST
SH
	chmod +x "$BATS_TEST_TMPDIR/fake/uvbus-ctl"
	PATH="$BATS_TEST_TMPDIR/fake:$PATH"
}

@test "every tool has the completion registered" {
	local t
	for t in "${TOOLS[@]}"; do
		run complete -p "$t"
		assert_success
		assert_output "complete -F _uvnic_complete $t"
	done
}

@test "uvbus-ctl: its commands, from its --help" {
	run comp uvbus-ctl ''
	assert_output "$(printf '%s\n' create destroy list release reset show)"
	run comp uvbus-ctl res
	assert_output reset
}

@test "uvbus-ctl: each command's options, as its usage line in --help has them" {
	run comp uvbus-ctl list -
	assert_output "$(printf '%s\n' --help --json --version -h)"
	run comp uvbus-ctl show dev0 --
	assert_output "$(printf '%s\n' --help --json --version)"
	run comp uvbus-ctl destroy dev0 --
	assert_output "$(printf '%s\n' --help --version)"
	run comp uvbus-ctl create dev0 --v
	assert_output "$(printf '%s\n' --vendor --version)"
	run comp uvbus-ctl -
	assert_output "$(printf '%s\n' --help --version -h)"
}

@test "every tool offers exactly the options of its --help" {
	local t want
	for t in "${TOOLS[@]}"; do
		# Tools with commands offer options per command (below, and uvregmap's
		# in the test above).
		case $t in uvbus-ctl | uvregmap) continue ;; esac
		# The options that start the glossary lines of --help.
		want=$("$t" --help | sed -nE 's/^ +(-[A-Za-z0-9], +)?(--[A-Za-z0-9-]+).*/\1 \2/p' |
			tr -s ', ' '\n' | grep -E '^-' | sort -u)
		[ -n "$want" ] || fail "$t --help has no options?"
		run comp "$t" -
		assert_output "$want"
	done
	# uvbus-ctl's, over all its commands
	want=$(uvbus-ctl --help | sed -nE 's/^ +(-[A-Za-z0-9], +)?(--[A-Za-z0-9-]+).*/\1 \2/p' |
		tr -s ', ' '\n' | grep -E '^-' | sort -u)
	run bash -c "source '$UVNIC_TOP/$COMPLETION'
		for c in create list show destroy reset release; do
			COMP_WORDS=(uvbus-ctl \$c x -) COMP_CWORD=3; _uvnic_complete uvbus-ctl
			printf '%s\n' \"\${COMPREPLY[@]}\"
		done | sort -u"
	assert_output "$want"
}

@test "device names from uvbus-ctl list: every channel, or uvPCI devices only" {
	fake_list
	run comp uvbus-ctl show ''
	assert_output "$(printf '%s\n' dev0 loop0 nic0)"
	run comp uvbus-ctl destroy n
	assert_output nic0
	run comp uvbus-ctl release d
	assert_output dev0
	run comp uvbus-ctl reset --json ''
	# (not a real line, but the name is still the first positional)
	assert_output "$(printf '%s\n' dev0 loop0 nic0)"
	# create names a new channel: nothing to offer
	run comp uvbus-ctl create ''
	assert_output ''
	local t
	for t in uvpci-peek uvpci-poke uvdma-inject uvmsi-fire uvnic-bridge uvpci-trace; do
		run comp "$t" ''
		assert_output "$(printf '%s\n' dev0 nic0)"
		run comp "$t" n
		assert_output nic0
	done
	# the second argument is no device
	run comp uvpci-peek dev0 ''
	assert_output ''
	run comp uvmsi-fire nic0 ''
	assert_output ''
	# options and their values are skipped when counting arguments
	run comp uvnic-bridge --cpu 1 --mac 02:00:00:00:00:01 ''
	assert_output "$(printf '%s\n' dev0 nic0)"
}

@test "a tool run by its path asks the uvbus-ctl beside it" {
	fake_list
	local d=$BATS_TEST_TMPDIR/tree
	mkdir -p "$d"
	ln -s "$UVNIC_TOP/bin/uvpci-peek" "$d/uvpci-peek"
	printf '#!/bin/sh\nprintf "NAME TYPE\\nbeside0 uvpci\\n"\n' >"$d/uvbus-ctl"
	chmod +x "$d/uvbus-ctl"
	complete -F _uvnic_complete "$d/uvpci-peek"
	run comp "$d/uvpci-peek" ''
	assert_output beside0
}

@test "no /dev/uvbus access: no names, and nothing on the terminal" {
	run --separate-stderr comp uvpci-peek ''
	assert_success
	assert_output ''
	[ -z "$stderr" ] || fail "$stderr"
}

@test "option values: files, directories, fixed words; uvnic-vm's command" {
	cd "$BATS_TEST_TMPDIR"
	mkdir -p sub
	: >data.bin
	run comp uvdma-inject dev0 0x1000 --file da
	assert_output data.bin
	# bash splits --file=da at the '='
	run comp uvdma-inject dev0 0x1000 --file = da
	assert_output data.bin
	run comp uvnic-vm --rw ''
	assert_output sub
	run comp uvnic-vm --accel ''
	assert_output "$(printf '%s\n' kvm tcg)"
	run comp uvnic-vm --accel = t
	assert_output tcg
	run comp uvnic-bridge --cpu ''
	assert_output "$(printf '%s\n' any auto here)"
	run comp uvpci-e1000 --cpu h
	assert_output here
	run comp uvnic-bridge dev0 l
	[[ $output == *lo* ]] || fail "no lo among the interfaces: $output"
	run comp uvpci-port -o da
	assert_output data.bin
	run comp uvregmap sk
	assert_output skeleton
	run comp uvregmap header --gu
	assert_output --guard
	run comp uvregmap check da
	assert_output data.bin
	run comp uvpci-port da
	assert_output data.bin
	run comp uvnic-vm --smp 2 -- bat
	assert_line bats
	run comp uvnic-vm -- bats da
	assert_output data.bin
}

@test "make install puts the completion under every tool's name" {
	local root=$BATS_TEST_TMPDIR/root t
	run make -s -C "$UVNIC_TOP" install-completion DESTDIR="$root" PREFIX=/usr
	assert_success
	for t in "${TOOLS[@]}"; do
		cmp "$UVNIC_TOP/$COMPLETION" "$root/usr/share/bash-completion/completions/$t" ||
			fail "completions/$t is not $COMPLETION"
	done
	run ls "$root/usr/share/bash-completion/completions"
	[ "${#lines[@]}" -eq "${#TOOLS[@]}" ] || fail "installed: $output"
}

@test "the completion needs bash alone: it loads in a bare shell" {
	run env -i PATH="$UVNIC_TOP/bin:/usr/bin:/bin" bash --norc --noprofile -c \
		"source '$UVNIC_TOP/$COMPLETION' && COMP_WORDS=(uvbus-ctl li) COMP_CWORD=1 && _uvnic_complete uvbus-ctl && echo \"\${COMPREPLY[*]}\""
	assert_success
	assert_output list
}
