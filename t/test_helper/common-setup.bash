# SPDX-License-Identifier: GPL-2.0-or-later
# Loaded by every bats file's setup(): bats-support/bats-assert, and this
# tree's bin/ and test helpers first on PATH.
_common_setup() {
	# bats traces every command of every function through a DEBUG trap
	# (set -T) to name the failing line of a helper: 2.7 ms a command in
	# the TCG guest, a third of the driver suite's time (three of its
	# tests: 24.0 s traced, 15.2 s not). Without it a failure is still
	# reported, at the line of the test that called the helper. Each
	# suite's setup() says set +T first, before its loads: a function
	# entered while -T is on (load, this one) keeps the trap to its end,
	# and sourcing bats-assert under it cost 0.2 s a test in the guest.
	set +T
	# Their load.bash files fork a dirname per source line: 1.2 s a test
	# in the TCG guest. Sourcing the files straight costs no process.
	local f
	for f in /usr/lib/bats/bats-support/src/*.bash /usr/lib/bats/bats-assert/src/*.bash; do
		# shellcheck disable=SC1090
		source "$f"
	done
	# The tree is two levels above the test file (t/SUITE/x.bats): cut
	# the path rather than start a subshell for cd and pwd.
	UVNIC_TOP=${BATS_TEST_DIRNAME%/*}
	UVNIC_TOP=${UVNIC_TOP%/*}
	[ -n "$UVNIC_TOP" ] || UVNIC_TOP=/
	export UVNIC_TOP
	PATH="$UVNIC_TOP/bin:$UVNIC_TOP/t/helpers:$PATH"
}

# Kernel suites run only as root in a uvnic-vm guest: anywhere else they
# skip (never pass) so that a host without the module says so.
require_guest() {
	[ -n "${UVNIC_VM:-}" ] || skip "needs the uvnic-vm guest (run: make check-kernel)"
	[ "$EUID" = 0 ] || skip "needs root"
}
