#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# uvnic-vm on the host: options, usage errors, the kernel choice. None of
# these boots a guest but the pause test.

bats_require_minimum_version 1.5.0

setup() {
	set +T
	load '../test_helper/common-setup'
	_common_setup
}

@test "uvnic-vm --help prints the usage and every option, exits 0" {
	run -0 uvnic-vm --help
	assert_line --index 0 --partial 'Usage: uvnic-vm [OPTIONS] -- COMMAND'
	assert_output --partial 'uvnic-vm --print-kver'
	for opt in --kernel --smp --mem --accel --module --no-tree-modules --rw \
		--timeout --dmesg --cmdline --print-kver --quiet --help --version; do
		assert_output --partial "$opt"
	done
}

@test "uvnic-vm -h is --help" {
	run -0 uvnic-vm -h
	assert_line --index 0 --partial 'Usage: uvnic-vm'
}

@test "uvnic-vm --version prints the name and a version" {
	run -0 uvnic-vm --version
	assert_output --regexp '^uvnic-vm [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "uvnic-vm --version agrees with the Makefile" {
	local v
	v=$(sed -n 's/^VERSION *:= *//p' "$UVNIC_TOP/Makefile")
	[ -n "$v" ] || skip "no VERSION in the Makefile"
	run -0 uvnic-vm --version
	assert_output "uvnic-vm $v"
}

@test "an unknown option: one message and the Try line on stderr, exit 1" {
	run -1 --separate-stderr uvnic-vm --bogus -- true
	assert_equal "$output" ""
	assert_equal "${#stderr_lines[@]}" 2
	assert_equal "${stderr_lines[0]}" "uvnic-vm: unknown option '--bogus'"
	assert_equal "${stderr_lines[1]}" "Try 'uvnic-vm --help'."
}

@test "an option without its argument is a usage error" {
	run -1 uvnic-vm --smp
	assert_line --index 0 "uvnic-vm: option '--smp' needs an argument"
	assert_line --index 1 "Try 'uvnic-vm --help'."
}

@test "bad option values are usage errors" {
	local args
	for args in "--smp 0" "--smp x" "--mem lots" "--accel xen" "--timeout 1m" "--quiet=yes"; do
		# shellcheck disable=SC2086
		run -1 uvnic-vm $args -- true
		assert_line --index 0 --regexp '^uvnic-vm: '
		assert_line --index 1 "Try 'uvnic-vm --help'."
	done
}

@test "options also take --opt=value" {
	run -1 uvnic-vm --smp=0 -- true
	assert_line --index 0 "uvnic-vm: invalid --smp '0': out of range (1 to 255)"
}

@test "no command is a usage error" {
	run -1 uvnic-vm --smp 2
	assert_line --index 0 --partial 'uvnic-vm: no command to run'
	assert_line --index 1 "Try 'uvnic-vm --help'."
}

@test "uvnic-vm --print-kver names an installed kernel with modules" {
	run -0 --separate-stderr uvnic-vm --print-kver
	assert_equal "${#lines[@]}" 1
	[ -n "$output" ]
	[ -d "/lib/modules/$output" ]
	[ -f "/boot/vmlinuz-$output" ]
}

@test "uvnic-vm --print-kver prefers the running kernel when it has a build tree" {
	local r
	r=$(uname -r)
	[ -f "/boot/vmlinuz-$r" ] && [ -d "/lib/modules/$r/build" ] ||
		skip "the running kernel $r has no build tree here"
	run -0 uvnic-vm --print-kver
	assert_output "$r"
}

@test "--kernel VMLINUZ --print-kver takes the version from the file name" {
	local k
	k=$(uvnic-vm --print-kver)
	run -0 uvnic-vm --kernel "/boot/vmlinuz-$k" --print-kver
	assert_output "$k"
}

@test "--kernel reads the version of a bzImage with another name" {
	local k
	k=$(uvnic-vm --print-kver)
	[ -r "/boot/vmlinuz-$k" ] || skip "cannot read /boot/vmlinuz-$k"
	cp "/boot/vmlinuz-$k" "$BATS_TEST_TMPDIR/bzImage"
	run -0 uvnic-vm --kernel "$BATS_TEST_TMPDIR/bzImage" --print-kver
	assert_output "$k"
}

@test "--kernel with no such file fails with one message" {
	run -1 uvnic-vm --kernel /nonexistent/vmlinuz-1.2.3 --print-kver
	assert_output "uvnic-vm: no kernel image '/nonexistent/vmlinuz-1.2.3'"
}

@test "--module and --rw name missing files before any guest boots" {
	command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
	run -1 uvnic-vm --module "$BATS_TEST_TMPDIR/none.ko" -- true
	assert_line --index 0 "uvnic-vm: --module: no file '$BATS_TEST_TMPDIR/none.ko'"
	run -1 uvnic-vm --rw "$BATS_TEST_TMPDIR/none" -- true
	assert_line --index 0 "uvnic-vm: --rw: no directory '$BATS_TEST_TMPDIR/none'"
}

@test "--module refuses a file that is not a kernel module" {
	command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
	command -v modinfo >/dev/null || skip "no modinfo (kmod)"
	echo "not a module" > "$BATS_TEST_TMPDIR/junk.ko"
	run -1 uvnic-vm -q --no-tree-modules --module "$BATS_TEST_TMPDIR/junk.ko" -- true
	assert_output "uvnic-vm: $BATS_TEST_TMPDIR/junk.ko: not a kernel module"
}

@test "the man page documents every option of --help" {
	local page=$UVNIC_TOP/man/uvnic-vm.1.in opt
	[ -f "$page" ] || skip "no man/uvnic-vm.1.in"
	run -0 uvnic-vm --help
	for opt in $(printf '%s\n' "$output" | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" "$page" ||
			fail "man/uvnic-vm.1.in does not mention $opt"
	done
}

# uvPCI's read timeout counts the time the model had to answer: a guest
# that its host stops (SIGSTOP to QEMU, as a busy host's scheduler does for
# shorter spells) must not see the reads in flight then time out.
@test "t/boot-check refuses a count that is not a number of boots, before any boot" {
	local n
	for n in 0 -1 x 1.5 010; do
		run -1 "$UVNIC_TOP/t/boot-check" "$n"
		assert_output "t/boot-check: '$n' is not a boot count"
	done
}

@test "a guest paused by its host for longer than the read timeout: no read turns into all-ones" {
	[ -f "$UVNIC_TOP/kernel/uvpci.ko" ] || fail "kernel/uvpci.ko is not built: make modules"
	local d=$BATS_TEST_TMPDIR/pause vm qpid i
	mkdir "$d"
	# A model that answers each read 300 ms late, against a 1 s timeout:
	# most of the time a read is waiting in the kernel, where the pauses
	# of 2.5 s land.
	# shellcheck disable=SC2016
	uvnic-vm -q --timeout 600 --rw "$d" -- bash -c '
		d=$1
		uvpci-create create p0 --bar 0:4096 --timeout-us 1000000 || exit 1
		uvpci-model model p0 --delay-us 300000 --ready "$d/ready" >/dev/null &
		until [ -e "$d/ready" ]; do sleep 0.1; done
		: >"$d/go"
		ok=0 bad=0
		until [ -e "$d/done" ]; do
			v=$(uvpci-create peek p0 0 0 4)
			if [ "$v" = 0xeeeeeeee ]; then ok=$((ok + 1)); else bad=$((bad + 1)); echo "read: $v"; fi
		done
		echo "ok $ok bad $bad"
		dmesg | grep -F "read timed out" || :
		[ "$bad" = 0 ] && [ "$ok" -ge 4 ]' _ "$d" >"$d/out" 2>&1 &
	vm=$!
	# (up to its --timeout: under make check the guest may first wait for
	# one of the machine's guest slots, minutes while the kernel suites run)
	for ((i = 0; i < 6000; i++)); do
		[ ! -e "$d/go" ] && kill -0 "$vm" 2>/dev/null || break
		sleep 0.1
	done
	[ -e "$d/go" ] || { kill "$vm"; cat "$d/out"; fail "the guest never got ready"; }
	qpid=$(pgrep -n -f "^qemu-system-x86_64 .*path=$d,") || fail "no QEMU process for $d"
	for i in 1 2; do
		kill -STOP "$qpid"
		sleep 2.5
		kill -CONT "$qpid"
		sleep 1.5
	done
	: >"$d/done"
	local rc=0
	wait "$vm" || rc=$?
	cat "$d/out"
	[ "$rc" = 0 ] || fail "uvnic-vm exited $rc"
	run grep -x 'ok [0-9]* bad 0' "$d/out"
	assert_success
}

# The debug reports of kernels built with kmemleak, lockdep or stack
# checks fail a run, and COMMAND gets the check's expression to watch
# /dev/kmsg with (uvbus-fuzz does).
@test "the kernel log check fails a run on kmemleak, lockdep and stack overflow reports" {
	# shellcheck disable=SC2016
	run uvnic-vm -q --timeout 600 -- bash -c '
		lines=("kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)"
		       "INFO: trying to register non-static key."
		       "INFO: possible irq lock inversion dependency detected"
		       "DEBUG_LOCKS_WARN_ON(1)"
		       "Kernel stack overflow: corrupted stack end detected inside scheduler")
		printf "%s\n" "${lines[@]}" | grep -Ec -- "$UVNIC_VM_PROBLEM_RE"
		for l in "${lines[@]}"; do echo "$l" >/dev/kmsg; done
		echo "a healthy line" | grep -Ec -- "$UVNIC_VM_PROBLEM_RE"'
	assert_failure
	assert_line 5
	assert_line 0
	assert_output --partial 'uvnic-vm: the guest kernel log shows problems:'
	assert_output --partial 'kmemleak: 2 new suspected memory leaks'
}

# An installed copy: make install into a DESTDIR; the modules, staged by
# make modules_install DESTDIR=, found through --install-mod-path.
install_copy() {
	inst=$BATS_TEST_TMPDIR/inst
	make -s -C "$UVNIC_TOP" install DESTDIR="$inst" PREFIX=/usr >"$BATS_TEST_TMPDIR/install.log" 2>&1 ||
		fail "make install: $(cat "$BATS_TEST_TMPDIR/install.log")"
}

@test "installed, --help names the installed modules, not a tree" {
	install_copy
	run -0 "$inst/usr/bin/uvnic-vm" --help
	refute_output --partial 'Tree:'
	assert_line --partial 'Modules: the installed uvbus.ko and uvpci.ko'
	run -0 uvnic-vm --help
	assert_line "Modules: $UVNIC_TOP/kernel/uvbus.ko and uvpci.ko (a source tree)"
}

@test "installed, no uvbus.ko installed for the kernel: one message, before any guest boots" {
	install_copy
	mkdir "$BATS_TEST_TMPDIR/empty"
	run -1 --separate-stderr "$inst/usr/bin/uvnic-vm" --install-mod-path "$BATS_TEST_TMPDIR/empty" -- true
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "${stderr_lines[0]}" "uvnic-vm: no uvbus.ko installed for kernel $(uvnic-vm --print-kver) in $BATS_TEST_TMPDIR/empty/lib/modules/$(uvnic-vm --print-kver) (make modules_install, or the uvnic-dkms package; or pass --no-tree-modules)"
}

@test "--kdir: a directory with no bzImage, or with --kernel, fails before any guest boots" {
	run -1 --separate-stderr uvnic-vm --kdir "$BATS_TEST_TMPDIR" -- true
	assert_equal "${stderr_lines[0]}" "uvnic-vm: --kdir $BATS_TEST_TMPDIR: no arch/x86/boot/bzImage (build it: make -C $BATS_TEST_TMPDIR bzImage modules)"
	run -1 --separate-stderr uvnic-vm --kdir "$BATS_TEST_TMPDIR/none" -- true
	assert_equal "${stderr_lines[0]}" "uvnic-vm: --kdir: no directory '$BATS_TEST_TMPDIR/none'"
	run -1 --separate-stderr uvnic-vm --kdir "$BATS_TEST_TMPDIR" --kernel /boot/vmlinuz -- true
	assert_equal "${stderr_lines[0]}" "uvnic-vm: --kernel and --kdir: give one of them"
}

# One boot: the installed copy, the staged installed modules, a kernel
# "tree" whose bzImage is the installed kernel's, the progress lines.
@test "installed, --kdir: boots the tree's kernel, loads the installed modules and says which" {
	[ -f "$UVNIC_TOP/kernel/uvpci.ko" ] || fail "kernel/uvpci.ko is not built: make modules"
	local kver kd=$BATS_TEST_TMPDIR/kdir mods=$BATS_TEST_TMPDIR/mods
	kver=$(uvnic-vm --print-kver)
	install_copy
	make -s -C "$UVNIC_TOP" modules_install DESTDIR="$mods" >/dev/null 2>&1 || fail "make modules_install failed"
	mkdir -p "$kd/arch/x86/boot"
	cp "/boot/vmlinuz-$kver" "$kd/arch/x86/boot/bzImage"
	cd "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr "$inst/usr/bin/uvnic-vm" --timeout 600 --kdir "$kd" --install-mod-path "$mods" -- \
		sh -c 'uname -r; grep -o "^uv[a-z]* " /proc/modules | sort; echo "$PATH"'
	assert_equal "${lines[0]}" "$kver"
	assert_equal "${lines[1]}" "uvbus "
	assert_equal "${lines[2]}" "uvpci "
	# the tree is not on the installed copy's PATH
	[[ ${lines[3]} != *"$UVNIC_TOP"* ]] || fail "PATH: ${lines[3]}"
	local m=$mods/lib/modules/$kver/extra
	[[ $stderr == *"uvnic-vm: modules: $m/uvbus.ko $m/uvpci.ko"* ]] || fail "stderr: $stderr"
	[[ $stderr == *"uvnic-vm: booting $kver "* ]] || fail "stderr: $stderr"
	[[ $stderr =~ uvnic-vm:\ guest\ up\ after\ [0-9]+\ s ]] || fail "stderr: $stderr"
}

# Debian's newer kernels install their modules packed, and DKMS packs
# what it installs the same way: .ko.xz, .ko.zst (and .ko.gz). One boot.
@test "installed: packed modules (.ko.xz, .ko.zst from modules.dep; --module .ko.gz) are found, unpacked, loaded" {
	[ -f "$UVNIC_TOP/kernel/uvpci.ko" ] || fail "kernel/uvpci.ko is not built: make modules"
	command -v zstd >/dev/null || fail "no zstd (contrib/install-deps check)"
	local kver mods=$BATS_TEST_TMPDIR/mods d
	kver=$(uvnic-vm --print-kver)
	install_copy
	d=$mods/lib/modules/$kver/updates/dkms
	mkdir -p "$d"
	xz -c "$UVNIC_TOP/kernel/uvbus.ko" >"$d/uvbus.ko.xz"
	zstd -q -c "$UVNIC_TOP/kernel/uvpci.ko" >"$d/uvpci.ko.zst"
	gzip -c "$UVNIC_TOP/kernel/uvpci_sample.ko" >"$BATS_TEST_TMPDIR/uvpci_sample.ko.gz"
	run -0 depmod -b "$mods" "$kver"
	run -0 grep -c 'updates/dkms/uvpci.ko.zst: updates/dkms/uvbus.ko.xz' "$mods/lib/modules/$kver/modules.dep"
	cd "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr "$inst/usr/bin/uvnic-vm" --timeout 600 --install-mod-path "$mods" \
		--module uvpci_sample.ko.gz -- sh -c 'grep -o "^uv[a-z_]* " /proc/modules | sort'
	assert_equal "$output" "$(printf '%s\n' 'uvbus ' 'uvpci ' 'uvpci_sample ')"
	[[ $stderr == *"uvnic-vm: modules: $d/uvbus.ko.xz $d/uvpci.ko.zst uvpci_sample.ko.gz"* ]] || fail "stderr: $stderr"
}

@test "no COMMAND, stdin a terminal: an interactive shell in the guest" {
	command -v script >/dev/null || skip "no script(1)"
	local out=$BATS_TEST_TMPDIR/out in=$BATS_TEST_TMPDIR/in rc=0 i
	mkfifo "$in"
	# script(1) gives uvnic-vm a terminal. The lines are typed once the
	# shell's prompt shows (what the console receives before is the
	# boot's); the exit status of the shell is the run's.
	script -qec "uvnic-vm -q --timeout 600" /dev/null <"$in" >"$out" 2>&1 &
	local vm=$!
	exec {w}>"$in"
	for ((i = 0; i < 3000; i++)); do
		grep -q 'root@uvnic-vm' "$out" 2>/dev/null && break
		kill -0 "$vm" 2>/dev/null || break
		sleep 0.2
	done
	# shellcheck disable=SC2016
	printf '%s\n' 'echo "in $(hostname) tty $(tty)" $((6 * 7))' 'exit 3' >&$w
	exec {w}>&-
	wait "$vm" || rc=$?
	run cat "$out"
	assert_output --partial 'in uvnic-vm tty /dev/ttyS0 42'
	[ "$rc" = 3 ] || fail "exit status $rc, not the shell's 3: $(cat "$out")"
}
