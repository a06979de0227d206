#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# uvbus-ctl and libuvnic against the real uvbus.ko, as root in the uvnic-vm
# guest: create/list/show/destroy, clear errors, counters, many channels,
# loopback round trips in order, signal wake-ups, hang-ups, ephemeral
# channels. Every channel here is named bt_*; teardown removes leftovers.
#
#   bin/uvnic-vm -- bats t/kernel/uvbus-ctl.bats

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	load '../test_helper/guest'
	_common_setup
	require_guest
	[ -e /dev/uvbus ] || fail "/dev/uvbus missing: uvbus.ko not loaded"
}

teardown() {
	local n
	if [ -n "${loaded_sample:-}" ] && [ -d /sys/module/uvpci_sample ]; then
		rmmod uvpci_sample
	fi
	for n in $(uvbus-ctl list 2>/dev/null | awk 'NR > 1 && $1 ~ /^bt_/ { print $1 }'); do
		uvbus-ctl destroy "$n" 2>/dev/null || true
	done
}

# show NAME's value for KEY
field() {
	uvbus-ctl show "$1" | sed -n "s/^$2: //p"
}

@test "create, list, show, destroy" {
	run --separate-stderr uvbus-ctl create bt_a
	assert_success
	assert_output ''
	[ -z "$stderr" ]

	run uvbus-ctl list
	assert_success
	assert_line --index 0 --regexp '^NAME +TYPE +STATE +PORTS +VENDOR:DEVICE +CLASS +DRIVER$'
	assert_line --regexp '^bt_a +loopback +ok +0 +- +- +-$'

	run uvbus-ctl show bt_a
	assert_success
	assert_line --index 0 'name: bt_a'
	assert_line --index 1 'type: loopback'
	assert_line --index 2 'flags: none'
	assert_line --index 3 'state: ok'
	assert_line --index 4 'ports: 0'
	local key
	for key in k2u_msgs u2k_msgs k2u_full signals_in signals_out errors; do
		assert_line "$key: 0"
	done

	run --separate-stderr uvbus-ctl destroy bt_a
	assert_success
	assert_output ''
	[ -z "$stderr" ]
	run uvbus-ctl list
	refute_line --regexp '^bt_a '
}

@test "the list is the header alone when there is no channel" {
	run uvbus-ctl list
	assert_success
	[ "${#lines[@]}" -eq 1 ] || fail "other channels exist (left by an earlier test?): ${lines[*]:1}"
	assert_output --regexp '^NAME +TYPE +STATE +PORTS +VENDOR:DEVICE +CLASS +DRIVER$'
}

@test "duplicate name, missing channel, no reset: one clear error each" {
	uvbus-ctl create bt_dup
	run --separate-stderr uvbus-ctl create bt_dup
	assert_failure 1
	assert_output ''
	assert_equal "$stderr" "uvbus-ctl: create 'bt_dup': File exists"

	local cmd
	for cmd in destroy show reset; do
		run --separate-stderr uvbus-ctl "$cmd" bt_nosuch
		assert_failure 1
		assert_output ''
		assert_equal "$stderr" "uvbus-ctl: $cmd 'bt_nosuch': No such file or directory (no such channel)"
	done

	run --separate-stderr uvbus-ctl reset bt_dup
	assert_failure 1
	assert_equal "$stderr" "uvbus-ctl: reset 'bt_dup': Operation not supported (not supported by this channel type)"
}

@test "names the kernel refuses: one clear error" {
	local name
	for name in 'bt bad' 'bt/bad' . .. 'bt_é'; do
		run --separate-stderr uvbus-ctl create "$name"
		assert_failure 1
		[[ $stderr == "uvbus-ctl: create '$name': Invalid argument ("* ]] || fail "$name: $stderr"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "$stderr"
	done
	# 31 characters is the longest name.
	name=bt_$(printf 'n%.0s' {1..28})
	uvbus-ctl create "$name"
	uvbus-ctl destroy "$name"
}

@test "permission errors mention root and CAP_SYS_ADMIN" {
	command -v setpriv >/dev/null || fail "setpriv not found (util-linux)"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups uvbus-ctl list
	assert_failure 1
	assert_equal "$stderr" "uvbus-ctl: cannot open /dev/uvbus: Permission denied (needs root)"
	run --separate-stderr setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin uvbus-ctl create bt_p
	assert_failure 1
	assert_equal "$stderr" "uvbus-ctl: create 'bt_p': Operation not permitted (needs root or CAP_SYS_ADMIN)"
}

@test "16 channels at once" {
	local i
	for i in $(seq 0 15); do
		uvbus-ctl create "bt_m$i"
	done
	run uvbus-ctl list
	assert_success
	[ "$(printf '%s\n' "${lines[@]}" | grep -cE '^bt_m[0-9]+ +loopback +ok +0 +- +- +-$')" -eq 16 ]
	run uvbus-loop roundtrip bt_m15 100
	assert_success
	run uvbus-ctl show bt_m0
	assert_line 'u2k_msgs: 0'
	for i in $(seq 0 15); do
		uvbus-ctl destroy "bt_m$i"
	done
	run uvbus-ctl list
	refute_line --regexp '^bt_m'
}

@test "round trip: 100000 messages in order, one at a time and in batches of 32" {
	uvbus-ctl create bt_rt
	run uvbus-loop roundtrip bt_rt 100000
	assert_success
	assert_output --partial '100000 messages echoed in order and intact, batch 1'
	run uvbus-loop roundtrip bt_rt 100000 --batch 32
	assert_success
	assert_output --partial '100000 messages echoed in order and intact, batch 32'
}

@test "round trip: two threads, small rings, the kernel holding echoes back" {
	uvbus-ctl create bt_rt
	run uvbus-loop roundtrip bt_rt 100000 --batch 8 --entries 8 --threads
	assert_success
	assert_output --partial '100000 messages echoed in order and intact'
	run uvbus-ctl show bt_rt
	assert_line 'u2k_msgs: 100000'
	assert_line 'k2u_msgs: 100000'
	assert_line 'errors: 0'
	assert_line 'state: ok'
}

@test "round trip: every ring size from 2 to 4096" {
	uvbus-ctl create bt_rt
	local e
	for e in 2 4 8 16 32 64 128 256 512 1024 2048 4096; do
		run uvbus-loop roundtrip bt_rt 5000 --entries "$e" --batch "$e"
		assert_success
	done
}

@test "counters move after a loopback round trip" {
	uvbus-ctl create bt_c
	[ "$(field bt_c u2k_msgs)" = 0 ]
	uvbus-loop roundtrip bt_c 1000 --batch 10
	[ "$(field bt_c u2k_msgs)" = 1000 ]
	[ "$(field bt_c k2u_msgs)" = 1000 ]
	[ "$(field bt_c signals_in)" -ge 100 ]
	[ "$(field bt_c signals_out)" -ge 1 ]
	[ "$(field bt_c errors)" = 0 ]
	[ "$(field bt_c ports)" = 0 ]
}

@test "a blocked wait wakes on the echoed signal bits" {
	uvbus-ctl create bt_s
	run uvbus-loop signal bt_s --delay 200
	assert_success
	assert_output --regexp '^woke [0-9.]+ ms after the signal, bits 0x1000[01]$'
	run uvbus-loop signal bt_s --bits 0xffff0000 --delay 0
	assert_success
	assert_output --regexp 'bits 0xffff000[01]$'
	[ "$(field bt_s signals_in)" -ge 2 ]
}

@test "a wait with nothing pending times out on time" {
	uvbus-ctl create bt_t
	local t0 t1
	t0=$(date +%s%N)
	run uvbus-loop wait bt_t --timeout 300
	t1=$(date +%s%N)
	assert_success
	assert_output $'attached\ntimeout'
	[ $(((t1 - t0) / 1000000)) -ge 300 ]
}

@test "destroying a channel wakes its waiters with a hang-up" {
	uvbus-ctl create bt_h
	uvbus-loop wait bt_h --timeout 20000 > "$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	wait_for grep -qx attached "$BATS_TEST_TMPDIR/out"
	[ "$(field bt_h ports)" = 1 ]
	uvbus-ctl destroy bt_h
	wait "$pid"
	run cat "$BATS_TEST_TMPDIR/out"
	assert_line --index 1 destroyed
	assert_line --index 2 'send after destroy: No such device'
	run uvbus-ctl show bt_h
	assert_failure 1
}

@test "an ephemeral channel lives as long as its creator" {
	uvbus-loop ephemeral bt_e --hold 20000 > "$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	wait_for grep -qx created "$BATS_TEST_TMPDIR/out"
	[ "$(field bt_e flags)" = ephemeral ]
	[ "$(field bt_e ports)" = 1 ]
	[ "$(field bt_e k2u_msgs)" = 1 ]
	kill "$pid"
	wait "$pid" || true
	run uvbus-ctl show bt_e
	assert_failure 1
}

# --- uvPCI devices in list and show: IDs, class, bound driver; JSON ------

# A uvPCI device uvpci_sample.ko binds to (its header comment's IDs).
sample_create() {
	load_uvpci
	uvbus-ctl create "$1" --vendor 0x5556 --device 0x0001 --class 0x020000 \
		--subsystem 0x5556:0x0002 --revision 3 --bar 0:4096 --bar 2:0x100000:64:prefetch --msi 4
}

sample_load() {
	loaded_sample=1
	insmod "$UVNIC_TOP/kernel/uvpci_sample.ko" poll_ms=0
}

# bound_to DEV DRIVER: is DEV's driver link DRIVER's?
bound_to() {
	local l
	l=$(readlink "/sys/bus/uvpci/devices/$1/driver") && [ "${l##*/}" = "$2" ]
}

@test "list: a uvPCI device's vendor:device, class and bound driver, as lspci -nnk" {
	sample_create bt_pci
	uvbus-ctl create bt_lo
	run --separate-stderr uvbus-ctl list
	assert_success
	assert_line --regexp '^bt_pci +uvpci +ok +0 +5556:0001 +020000 +-$'
	assert_line --regexp '^bt_lo +loopback +ok +0 +- +- +-$'
	run uvbus-ctl show bt_pci
	assert_line 'driver: none'

	sample_load
	wait_true 'bound_to bt_pci uvpci_sample'
	run --separate-stderr uvbus-ctl list
	assert_success
	assert_line --regexp '^bt_pci +uvpci +ok +0 +5556:0001 +020000 +uvpci_sample$'
	assert_line --regexp '^bt_lo +loopback +ok +0 +- +- +-$'
	run uvbus-ctl show bt_pci
	assert_line 'driver: uvpci_sample'
	# The last of the uvPCI block, after the BARs.
	assert_line --index $((${#lines[@]} - 1)) 'driver: uvpci_sample'

	# Unbound through sysfs, as any driver: the list follows.
	echo bt_pci >/sys/bus/uvpci/drivers/uvpci_sample/unbind
	run uvbus-ctl list
	assert_line --regexp '^bt_pci +uvpci +ok +0 +5556:0001 +020000 +-$'
}

@test "list --json and show --json parse, with the documented keys and the text's facts" {
	sample_create bt_pci
	uvbus-ctl create bt_lo
	sample_load
	wait_true 'bound_to bt_pci uvpci_sample'
	local check=$BATS_TEST_TMPDIR/check.py
	cat >"$check" <<'PY'
import json, sys
kind = sys.argv[1]
doc = json.load(sys.stdin)
if kind == "list":
    assert list(doc) == ["channels"], doc
    ch = {c["name"]: c for c in doc["channels"]}
    keys = ["name", "type", "state", "held", "ports", "vendor", "device", "class", "driver"]
    for c in doc["channels"]:
        assert list(c) == keys, c
    assert ch["bt_lo"] == {"name": "bt_lo", "type": "loopback", "state": "ok", "held": False, "ports": 0,
                           "vendor": None, "device": None, "class": None, "driver": None}, ch["bt_lo"]
    assert ch["bt_pci"] == {"name": "bt_pci", "type": "uvpci", "state": "ok", "held": False, "ports": 0,
                            "vendor": "0x5556", "device": "0x0001", "class": "0x020000",
                            "driver": "uvpci_sample"}, ch["bt_pci"]
    names = [c["name"] for c in doc["channels"]]
    assert names.index("bt_pci") < names.index("bt_lo"), names
elif kind == "show-pci":
    assert list(doc) == ["name", "type", "flags", "held", "state", "ports", "k2u_msgs", "u2k_msgs",
                         "k2u_full", "signals_in", "signals_out", "errors", "pci"], doc
    assert doc["name"] == "bt_pci" and doc["type"] == "uvpci" and doc["flags"] == "none"
    assert doc["held"] is False
    assert all(isinstance(doc[k], int) for k in ["ports", "k2u_msgs", "u2k_msgs", "k2u_full",
                                                  "signals_in", "signals_out", "errors"])
    assert doc["pci"] == {"vendor": "0x5556", "device": "0x0001", "subsystem_vendor": "0x5556",
                          "subsystem_device": "0x0002", "class": "0x020000", "revision": "0x03",
                          "msi": 4, "msix": 0, "msix_bar": 0, "msix_offset": 0,
                          "intx": "none", "timeout_us": 0,
                          "bars": [{"bar": 0, "size": 4096, "64bit": False, "prefetch": False, "io": False},
                                   {"bar": 2, "size": 1048576, "64bit": True, "prefetch": True, "io": False}],
                          "driver": "uvpci_sample"}, doc["pci"]
elif kind == "show-lo":
    assert doc["name"] == "bt_lo" and doc["type"] == "loopback" and doc["pci"] is None, doc
print("ok")
PY
	run --separate-stderr bash -c "uvbus-ctl list --json | python3 '$check' list"
	assert_success
	assert_output ok
	run --separate-stderr bash -c "uvbus-ctl show bt_pci --json | python3 '$check' show-pci"
	assert_success
	assert_output ok
	run --separate-stderr bash -c "uvbus-ctl show --json bt_lo | python3 '$check' show-lo"
	assert_success
	assert_output ok
	# One line each, as the man page says; json.tool takes it.
	run uvbus-ctl list --json
	[ "${#lines[@]}" -eq 1 ] || fail "$output"
	run bash -c 'uvbus-ctl show bt_pci --json | python3 -m json.tool'
	assert_success
	# show --json carries the counters show prints.
	uvbus-loop roundtrip bt_lo 10
	run bash -c "uvbus-ctl show bt_lo --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[\"u2k_msgs\"], d[\"k2u_msgs\"])'"
	assert_output "10 10"
	[ "$(field bt_lo u2k_msgs)" = 10 ]
}

@test "list --json with no channel, and errors print nothing on stdout" {
	run --separate-stderr uvbus-ctl list --json
	assert_success
	assert_output '{"channels":[]}'
	run --separate-stderr uvbus-ctl show bt_nosuch --json
	assert_failure 1
	assert_output ''
	assert_equal "$stderr" "uvbus-ctl: show 'bt_nosuch': No such file or directory (no such channel)"
}

@test "bash completion offers the names uvbus-ctl list gives" {
	sample_create bt_pci
	uvbus-ctl create bt_lo
	# shellcheck disable=SC1091
	source "$UVNIC_TOP/contrib/completion/uvnic"
	COMP_WORDS=(uvpci-peek bt_) COMP_CWORD=1 COMPREPLY=()
	_uvnic_complete uvpci-peek
	assert_equal "${COMPREPLY[*]}" bt_pci
	COMP_WORDS=(uvbus-ctl show bt_) COMP_CWORD=2 COMPREPLY=()
	_uvnic_complete uvbus-ctl
	assert_equal "$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')" 'bt_lo bt_pci '
}
