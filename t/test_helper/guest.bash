# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the kernel suites (t/kernel), which run as root in the
# uvnic-vm guest. Load after common-setup:
#	load '../test_helper/guest'
# and call klog_mark in setup() so that klog shows this test's lines only.
#
# Waiting, the kernel log, devices, models and counters come from the
# bats library users load in their own suites (contrib/bats/uvnic,
# uvnic-bats(7)): the project's suites use the same copy.
# shellcheck source=../../contrib/bats/uvnic/load.bash
source "${BASH_SOURCE[0]%/*}/../../contrib/bats/uvnic/load.bash"

# A background program's log, kept as $BATS_TEST_TMPDIR/NAME.log.
model_log() {
	cat "$BATS_TEST_TMPDIR/$1.log"
}

# Whether NAME's log has a line equal to LINE.
model_log_has() {
	grep -qxF -- "$2" "$BATS_TEST_TMPDIR/$1.log"
}

# config_read NAME OFFSET SIZE: SIZE bytes of uvPCI device NAME's config
# space (from sysfs) as one hex number, 0x and 2*SIZE digits.
config_read() {
	local -a b
	read -ra b < <(od -A n -t x1 -j $(($2)) -N "$3" "/sys/bus/uvpci/devices/$1/config")
	local i v=
	for ((i = ${#b[@]} - 1; i >= 0; i--)); do v+=${b[i]}; done
	echo "0x$v"
}

# config_write NAME OFFSET SIZE VALUE: one config write of SIZE (1, 2 or 4)
# bytes through sysfs (which writes an aligned run in one access).
config_write() {
	local v=$(($4)) i bytes=
	for ((i = 0; i < $3; i++)); do bytes+=$(printf '\\x%02x' $(((v >> (8 * i)) & 0xff))); done
	# shellcheck disable=SC2059
	printf "$bytes" | dd of="/sys/bus/uvpci/devices/$1/config" bs="$3" count=1 \
		seek=$(($2)) oflag=seek_bytes conv=notrunc status=none
}

# uvpci.ko's read timeout for devices created without one. The module's
# own default (50 ms, PCIe's) is for a real machine; in a TCG guest a
# healthy model may take longer to be scheduled, so the suites use what
# uvnic-vm loads the module with. Tests about the timeout set their own.
: "${UVNIC_UVPCI_TIMEOUT_US:=1000000}"

# load_uvpci: insmod the tree's uvpci.ko (with the suites' timeout) unless
# it is loaded.
load_uvpci() {
	[ -d /sys/module/uvpci ] ||
		insmod "$UVNIC_TOP/kernel/uvpci.ko" timeout_us="$UVNIC_UVPCI_TIMEOUT_US"
}

# guest_setup [HELPER...]: how a kernel suite's setup() begins, after
# loading common-setup and this file: the tree's PATH, a skip outside the
# guest, a failure naming any of the t/helpers programs HELPER... that is
# not built, and uvbus.ko and uvpci.ko loaded.
guest_setup() {
	_common_setup
	require_guest
	local h
	for h in "$@"; do
		[ -x "$UVNIC_TOP/t/helpers/$h" ] || fail "t/helpers/$h is not built: make userspace"
	done
	[ -e /dev/uvbus ] || insmod "$UVNIC_TOP/kernel/uvbus.ko"
	load_uvpci
}

# guest_teardown PATTERN...: how a uvPCI suite's teardown() ends: kill
# the models whose PIDs are in the array models, unload uvpci_sample, and
# destroy every channel whose name matches one of the glob PATTERNs.
# Returns 0: what is already gone is not an error here.
guest_teardown() {
	local pid name pat
	for pid in "${models[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	[ ! -d /sys/module/uvpci_sample ] || rmmod uvpci_sample || true
	while read -r name; do
		for pat; do
			# shellcheck disable=SC2053 # (a glob, on purpose)
			if [[ $name == $pat ]]; then
				uvbus-ctl destroy "$name" || true
				break
			fi
		done
	done < <(uvbus-ctl list | awk 'NR > 1 { print $1 }')
	return 0
}

# --- helper servers ---------------------------------------------------
# A process start costs 20-50 ms in the guest; the test helpers in
# t/helpers that take "serve" (uvpci-create, uvpci-model) run each command
# line sent to them in a fork of themselves instead, a few ms. One server
# per helper and test; only the test's own shell may talk to it (never a
# background job: requests would interleave).

declare -gA _serve_req=() _serve_resp=() _serve_pid=()

# serve_start PROG: start PROG serve for this test.
serve_start() {
	local f=$BATS_TEST_TMPDIR/serve.$1 fd
	[ -z "${_serve_pid[$1]:-}" ] || return 0
	mkfifo "$f.req" "$f.resp"
	"$1" serve <"$f.req" >"$f.resp" 2>&1 3>&- &
	_serve_pid[$1]=$!
	exec {fd}>"$f.req"
	_serve_req[$1]=$fd
	exec {fd}<"$f.resp"
	_serve_resp[$1]=$fd
}

# serve_call PROG ARG...: run "PROG ARG..." in PROG's server (started on
# first use); its output (stdout and stderr) in $REPLY_OUT, its status
# returned. The words must not hold blanks or newlines.
serve_call() {
	local prog=$1 line rc
	shift
	[ -n "${_serve_pid[$prog]:-}" ] || serve_start "$prog"
	printf '%s\n' "$*" >&"${_serve_req[$prog]}"
	REPLY_OUT=''
	while :; do
		if ! IFS= read -r line <&"${_serve_resp[$prog]}"; then
			REPLY_OUT+="$prog serve: the server ended"
			return 125
		fi
		case $line in
		"=== "*) rc=${line#=== }; break ;;
		esac
		REPLY_OUT+=${REPLY_OUT:+$'\n'}$line
	done
	return "$rc"
}

# serve_stop: end this test's servers (teardown).
serve_stop() {
	local p req resp
	for p in "${!_serve_pid[@]}"; do
		req=${_serve_req[$p]} resp=${_serve_resp[$p]}
		exec {req}>&- {resp}<&-
		wait "${_serve_pid[$p]}" 2>/dev/null || true
	done
	_serve_req=() _serve_resp=() _serve_pid=()
}

# uvpci_netdev DEV: the network interface a driver made for uvPCI device
# DEV (empty if none is bound).
uvpci_netdev() {
	ls "/sys/bus/uvpci/devices/$1/net/" 2>/dev/null | head -n 1
}

# netdev_carrier IFACE: its carrier, 0 or 1 (empty if it is gone).
netdev_carrier() {
	cat "/sys/class/net/$1/carrier" 2>/dev/null
}

# --- a model that outlives one test ---------------------------------------
# A suite's model started in setup_file lives in another process than the
# tests, so its state is in files: $BATS_FILE_TMPDIR/NAME.pid, NAME.out,
# NAME.err and, once it ended, NAME.rc (its exit status).

# file_model_start NAME COMMAND [ARG...]: run COMMAND in the background.
file_model_start() {
	local d=$BATS_FILE_TMPDIR name=$1
	shift
	rm -f "$d/$name.rc" "$d/$name.pid"
	(
		"$@" >"$d/$name.out" 2>"$d/$name.err" &
		echo $! >"$d/$name.pid"
		# (errexit is on in here, as in the test: keep a failure's status)
		rc=0
		wait $! || rc=$?
		echo $rc >"$d/$name.rc"
	) 3>&- </dev/null >/dev/null 2>&1 &
	wait_until "test -s '$d/$name.pid'"
}

# file_model_pid NAME: its process ID.
file_model_pid() {
	cat "$BATS_FILE_TMPDIR/$1.pid"
}

# file_model_stop NAME [SIGNAL]: signal it (TERM) and wait for its exit;
# if it does not end, show where it is stuck and return 1.
file_model_stop() {
	local d=$BATS_FILE_TMPDIR pid
	pid=$(cat "$d/$1.pid" 2>/dev/null) || return 0
	[ ! -e "$d/$1.rc" ] || return 0
	kill -"${2:-TERM}" "$pid" 2>/dev/null || true
	wait_until "test -e '$d/$1.rc'" && return 0
	echo "$1 (pid $pid) still there ${UVNIC_WAIT_SECONDS} s after SIG${2:-TERM}:"
	ps -o pid,stat,psr,wchan:32,cmd -p "$pid" || true
	cat "/proc/$pid/stack" 2>/dev/null || true
	dmesg | tail -n 30
	return 1
}

# iperf3_both_ways NETNS ADDR: iperf3 TCP to a server at ADDR in NETNS for
# a second, then the other way (-R); prints each direction's rate to fd 3,
# fails unless both moved data.
iperf3_both_ways() {
	local ns=$1 addr=$2 json=$BATS_TEST_TMPDIR/iperf
	ip netns exec "$ns" iperf3 -s -1 -D -B "$addr" --logfile "$json.server"
	wait_until "ip netns exec $ns ss -ltn | grep -q ':5201 '"
	iperf3 -c "$addr" -t 1 -J >"$json.up"
	ip netns exec "$ns" iperf3 -s -1 -D -B "$addr" --logfile "$json.server2"
	wait_until "ip netns exec $ns ss -ltn | grep -q ':5201 '"
	iperf3 -c "$addr" -t 1 -R -J >"$json.down"
	run python3 -c '
import json, sys
for f in sys.argv[1:]:
    r = json.load(open(f))["end"]["sum_received"]["bits_per_second"]
    print("%s %.1f Mbit/s" % (f.rsplit(".", 1)[1], r / 1e6))
    if not r > 0:
        sys.exit(1)' "$json.up" "$json.down"
	assert_success
	echo "$output" >&3
}
