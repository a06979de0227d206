# SPDX-License-Identifier: LGPL-2.1-or-later
# uvnic bats library: helpers for a driver's bats suite that runs in the
# uvnic-vm guest (uvnic-bats(7)). Load it with
#	bats_load_library uvnic
# (installed as $(PREFIX)/lib/bats/uvnic/load.bash, on bats' default
# BATS_LIB_PATH when PREFIX=/usr), or `load /path/to/contrib/bats/uvnic/load`.
#
# Waiting. A TCG guest on a busy host stalls as a whole for up to a second
# at times, and a process start costs 20-100 ms in it: a wait is for a
# condition, re-evaluated until it holds, with a deadline far above what a
# healthy run needs (UVNIC_WAIT_SECONDS, default 60). It never decides on
# how fast the machine is, only on whether the condition ever holds.
#
# Names: wait_* and klog_* as the project's own suites spell them;
# uvnic_* for devices and models; *_stat for counters.

: "${UVNIC_WAIT_SECONDS:=60}"
: "${UVNIC_SYSBUS:=/sys/bus/uvpci}"

# fail MESSAGE, from bats-support when it is loaded; else the same effect.
_uvnic_fail() {
	if declare -F fail >/dev/null; then
		fail "$@"
	else
		printf '%s\n' "$*" >&2
		return 1
	fi
}

# The directory a helper keeps its files in: the test's, or the file's
# when called from setup_file.
_uvnic_dir() {
	echo "${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}}"
}

# --- time and waiting ---------------------------------------------------

# Microseconds and milliseconds on the wall clock, without a process.
now_us() {
	echo "${EPOCHREALTIME/./}"
}

now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# nap SECONDS: sleep without starting a process (read -t on a pipe that
# this shell holds both ends of, so it never has data nor ends).
nap() {
	if [ -z "${_nap_fd:-}" ]; then
		exec {_nap_fd}<> <(:)
	fi
	read -r -t "$1" -u "$_nap_fd" _ || :
}

# wait_until CONDITION [SECONDS]: evaluate the shell text CONDITION (in
# this shell: functions and variables work) until it succeeds. Returns 1
# after SECONDS (default UVNIC_WAIT_SECONDS) without success. Quote it so
# that it is expanded at each try: wait_until '[ "$(netdev_stat eth1 tx_packets)" -gt 0 ]'.
wait_until() {
	local deadline=$((${EPOCHREALTIME/./} + ${2:-$UVNIC_WAIT_SECONDS} * 1000000))
	while :; do
		eval "$1" >/dev/null 2>&1 && return 0
		[ "${EPOCHREALTIME/./}" -lt "$deadline" ] || return 1
		nap 0.05
	done
}

# wait_for COMMAND [ARG...]: run COMMAND until it succeeds; fail the test
# after UVNIC_WAIT_SECONDS. The arguments are expanded once, by the caller:
# for a value that changes, use wait_true with a quoted condition.
wait_for() {
	local deadline=$((${EPOCHREALTIME/./} + UVNIC_WAIT_SECONDS * 1000000))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "${EPOCHREALTIME/./}" -lt "$deadline" ] || break
		nap 0.05
	done
	_uvnic_fail "timed out after ${UVNIC_WAIT_SECONDS} s waiting for: $*"
}

# wait_true CONDITION: wait_until, failing the test on timeout.
wait_true() {
	wait_until "$1" || _uvnic_fail "timed out after ${UVNIC_WAIT_SECONDS} s waiting for: $1"
}

# --- the kernel log -----------------------------------------------------
# A mark is a line of its own written to the kernel log (/dev/kmsg), so it
# survives the log buffer wrapping (it is lost only when its own line is,
# which klog reports) and needs no process to keep it. Where /dev/kmsg is
# not writable (not root) the mark is a line count instead.

# klog_mark: mark where the kernel log ends now; klog then shows what
# follows. Call it in setup(). Sets KLOG_MARK (pass it to klog to look
# from an older mark).
klog_mark() {
	_uvnic_mark_seq=$((${_uvnic_mark_seq:-0} + 1))
	KLOG_MARK="uvnic-bats: mark $$.${EPOCHREALTIME/./}.$_uvnic_mark_seq${BATS_TEST_NUMBER:+ test $BATS_TEST_NUMBER}"
	if ! { printf '%s\n' "$KLOG_MARK" >/dev/kmsg; } 2>/dev/null; then
		KLOG_MARK="#$(dmesg | wc -l)"
	fi
}

# klog [MARK]: the kernel log after MARK (default: the last klog_mark).
# Returns 2, printing nothing, when the mark is no longer in the log.
klog() {
	local mark=${1:-${KLOG_MARK:-}}
	case $mark in
	'') dmesg ;;
	'#'*) dmesg | tail -n +"$((${mark#\#} + 1))" ;;
	*) dmesg | awk -v m="$mark" 'seen { print } !seen && index($0, m) { seen = 1 }
		END { exit seen ? 0 : 2 }' ;;
	esac
}

# klog_has TEXT [MARK]: whether the kernel log after the mark has a line
# containing TEXT (a fixed string, not a pattern).
klog_has() {
	klog "${2:-}" | grep -qF -- "$1"
}

# wait_klog TEXT: wait for a kernel log line containing TEXT after the mark.
wait_klog() {
	wait_for klog_has "$1"
}

# The kernel log lines that mean trouble: uvnic-vm's own list (it fails a
# run on them), else the common ones.
: "${UVNIC_VM_PROBLEM_RE:=BUG:|kernel BUG at|WARNING:|Oops|general protection|soft lockup|hard LOCKUP|hung task|Kernel panic|UBSAN|Call Trace:}"

# klog_problems [MARK [PATTERN]]: print the kernel log lines after MARK
# (default: the last klog_mark) matching PATTERN (an extended regex,
# default UVNIC_VM_PROBLEM_RE). Always returns 0 unless the mark is lost
# (2).
klog_problems() {
	local mark=${1:-${KLOG_MARK:-}} re=${2:-$UVNIC_VM_PROBLEM_RE} log
	case $mark in
	''|'#'*)
		log=$(klog "$mark") || return 2
		grep -E -- "$re" <<<"$log" || true ;;
	*)
		# Every teardown calls this: one awk finds the mark and matches
		# (a process start costs tens of ms in a TCG guest).
		dmesg | awk -v m="$mark" -v re="$re" 'seen && $0 ~ re { print }
			!seen && index($0, m) { seen = 1 } END { exit seen ? 0 : 2 }' ;;
	esac
}

# klog_assert_clean [MARK]: fail the test, showing them, if the kernel
# log after the mark has a problem line. Call it in teardown().
klog_assert_clean() {
	local bad
	bad=$(klog_problems "${1:-}") ||
		_uvnic_fail "the kernel log lost the test's mark: cannot tell whether it is clean" || return
	[ -z "$bad" ] || _uvnic_fail "kernel log problems${BATS_TEST_DESCRIPTION:+ during: $BATS_TEST_DESCRIPTION}:
$bad"
}

# --- devices and models -------------------------------------------------

declare -gA _uvnic_model_pid=()
declare -ga _uvnic_devices=()

# uvnic_device_create NAME [uvbus-ctl create OPTION...]: create a channel
# or uvPCI device, destroyed again by uvnic_teardown.
uvnic_device_create() {
	uvbus-ctl create "$@" || return
	_uvnic_devices+=("$1")
}

# uvnic_device_destroy NAME: destroy it (a model still attached is
# stopped first).
uvnic_device_destroy() {
	local i
	[ -z "${_uvnic_model_pid[$1]:-}" ] || uvnic_model_stop "$1"
	uvbus-ctl destroy "$1" || return
	for i in "${!_uvnic_devices[@]}"; do
		[ "${_uvnic_devices[$i]}" != "$1" ] || unset '_uvnic_devices[i]'
	done
}

# uvnic_model_attached DEVICE: whether a model is attached to the uvPCI
# device (its sysfs "model" reads "attached").
uvnic_model_attached() {
	local state
	read -r state <"$UVNIC_SYSBUS/devices/$1/model" 2>/dev/null && [ "$state" = attached ]
}

# uvnic_model_start DEVICE COMMAND [ARG...]: run a device model (for
# example "uvnic-bridge DEVICE veth0") in the background, its output in
# the file uvnic_model_log names, and wait until it has attached to
# DEVICE. Fails, showing its output, if it ends first.
uvnic_model_start() {
	local dev=$1 log pid
	shift
	log=$(_uvnic_dir)/$dev.model.log
	# fd 3 is bats' own: a background job holding it would keep bats
	# waiting after the test.
	"$@" >"$log" 2>&1 3>&- &
	pid=$!
	_uvnic_model_pid[$dev]=$pid
	local deadline=$((${EPOCHREALTIME/./} + UVNIC_WAIT_SECONDS * 1000000))
	until uvnic_model_attached "$dev"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			local rc=0
			wait "$pid" || rc=$?
			unset '_uvnic_model_pid[$dev]'
			_uvnic_fail "model of $dev ($*) ended (status $rc) before it attached:
$(cat "$log")"
			return
		fi
		if [ "${EPOCHREALTIME/./}" -ge "$deadline" ]; then
			_uvnic_fail "model of $dev ($*) did not attach in ${UVNIC_WAIT_SECONDS} s:
$(cat "$log")"
			return
		fi
		nap 0.05
	done
}

# uvnic_model_pid DEVICE: the model's process ID.
uvnic_model_pid() {
	[ -n "${_uvnic_model_pid[$1]:-}" ] && echo "${_uvnic_model_pid[$1]}"
}

# uvnic_model_log DEVICE: the model's file of output.
uvnic_model_log() {
	echo "$(_uvnic_dir)/$1.model.log"
}

# uvnic_model_stop DEVICE [SIGNAL]: stop the model (SIGTERM by default)
# and wait for it to end. Returns 0 if it exited 0 or died of SIGNAL,
# else its exit status.
uvnic_model_stop() {
	local pid=${_uvnic_model_pid[$1]:-} sig=${2:-TERM} rc=0
	[ -n "$pid" ] || _uvnic_fail "no model of $1 was started" || return
	kill -"$sig" "$pid" 2>/dev/null || :
	wait "$pid" || rc=$?
	unset '_uvnic_model_pid[$1]'
	[ "$rc" != $((128 + $(kill -l "$sig"))) ] || rc=0
	return "$rc"
}

# uvnic_teardown: stop every model this test started and destroy every
# device it created (in teardown()). Returns 0: what is already gone is
# not an error here.
uvnic_teardown() {
	local dev i
	for dev in "${!_uvnic_model_pid[@]}"; do
		uvnic_model_stop "$dev" KILL || :
	done
	for ((i = ${#_uvnic_devices[@]} - 1; i >= 0; i--)); do
		[ -n "${_uvnic_devices[$i]:-}" ] || continue
		uvbus-ctl destroy "${_uvnic_devices[$i]}" 2>/dev/null || :
	done
	_uvnic_devices=()
	return 0
}

# --- counters -----------------------------------------------------------

# netdev_stat IFACE COUNTER: a counter of /sys/class/net/IFACE/statistics.
netdev_stat() {
	local v
	read -r v <"/sys/class/net/$1/statistics/$2" || return
	echo "$v"
}

# ethtool_stat IFACE COUNTER: a counter of `ethtool -S IFACE`; fails if the
# driver has no such counter.
ethtool_stat() {
	ethtool -S "$1" | awk -v k="$2:" '$1 == k { print $2; found = 1 } END { exit !found }'
}
