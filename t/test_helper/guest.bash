# Helpers for the kernel suites (t/kernel), which run as root in the
# uvnic-vm guest. Load after common-setup:
#	load '../test_helper/guest'
# and call klog_mark in setup() so that klog shows this test's lines only.
#
# Waiting. A TCG guest on a busy host stalls as a whole for up to a second
# at times, and a process start costs 20-100 ms in it: a wait is for a
# condition, re-evaluated until it holds, with a deadline far above what a
# healthy run needs (UVNIC_WAIT_SECONDS, default 60). It never decides on
# how fast the machine is, only on whether the condition ever holds.

: "${UVNIC_WAIT_SECONDS:=60}"

# Remember where the kernel log ends now.
klog_mark() {
	klog_mark_line=$(dmesg | wc -l)
}

# The kernel log since klog_mark.
klog() {
	dmesg | tail -n +"$((${klog_mark_line:-0} + 1))"
}

# Whether the kernel log since klog_mark has a line containing TEXT
# (a fixed string, not a pattern).
klog_has() {
	klog | grep -qF -- "$1"
}

# Microseconds on the monotonic-enough wall clock, without a process.
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
# that it is expanded at each try: wait_until '[ "$(stat_of x)" -eq 1 ]'.
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
# for a value that changes, use wait_until with a quoted condition.
wait_for() {
	local deadline=$((${EPOCHREALTIME/./} + UVNIC_WAIT_SECONDS * 1000000))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "${EPOCHREALTIME/./}" -lt "$deadline" ] || break
		nap 0.05
	done
	fail "timed out after ${UVNIC_WAIT_SECONDS} s waiting for: $*"
}

# wait_true CONDITION: wait_until, failing the test on timeout.
wait_true() {
	wait_until "$1" || fail "timed out after ${UVNIC_WAIT_SECONDS} s waiting for: $1"
}

# Wait for a kernel log line containing TEXT since klog_mark.
wait_klog() {
	wait_for klog_has "$1"
}

# A background program's log, kept as $BATS_TEST_TMPDIR/NAME.log.
model_log() {
	cat "$BATS_TEST_TMPDIR/$1.log"
}

# Whether NAME's log has a line equal to LINE.
model_log_has() {
	grep -qxF -- "$2" "$BATS_TEST_TMPDIR/$1.log"
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
