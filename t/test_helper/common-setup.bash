# Loaded by every bats file's setup(): bats-support/bats-assert, and this
# tree's bin/ and test helpers first on PATH.
_common_setup() {
	load '/usr/lib/bats/bats-support/load'
	load '/usr/lib/bats/bats-assert/load'
	UVNIC_TOP="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
	export UVNIC_TOP
	PATH="$UVNIC_TOP/bin:$UVNIC_TOP/t/helpers:$PATH"
}

# Kernel suites run only as root in a uvnic-vm guest: anywhere else they
# skip (never pass) so that a host without the module says so.
require_guest() {
	[ -n "${UVNIC_VM:-}" ] || skip "needs the uvnic-vm guest (run: make check-kernel)"
	[ "$(id -u)" = 0 ] || skip "needs root"
}
