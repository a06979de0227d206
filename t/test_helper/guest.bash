# Helpers for the kernel suites (t/kernel), which run as root in the
# uvnic-vm guest. Load after common-setup:
#	load '../test_helper/guest'
# and call klog_mark in setup() so that klog shows this test's lines only.

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

# wait_for COMMAND...: wait up to 10 s for COMMAND to succeed.
wait_for() {
	local i
	for i in $(seq 100); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "timed out waiting for: $*"
}

# Wait for a kernel log line containing TEXT since klog_mark.
wait_klog() {
	wait_for klog_has "$1"
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# A background program's log, kept as $BATS_TEST_TMPDIR/NAME.log.
model_log() {
	cat "$BATS_TEST_TMPDIR/$1.log"
}

# Whether NAME's log has a line equal to LINE.
model_log_has() {
	grep -qxF -- "$2" "$BATS_TEST_TMPDIR/$1.log"
}
