#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# debian/: dpkg-buildpackage -us -uc -b builds uvnic-dkms, uvnic-tools,
# libuvnic0 and libuvnic-dev from a copy of the tree; their files, unpacked
# into a root, are the ones make install gives and work from there; lintian
# finds no error in them. Needs the package group of contrib/install-deps
# (dpkg-dev, debhelper, dh-dkms, dkms, lintian); skips without it. About
# 60 s. (t/debs-check, make check-debs, installs them on a clean system.)

bats_require_minimum_version 1.5.0

setup_file() {
	set +T
	load '../test_helper/common-setup'
	_common_setup
	export OUT=$BATS_FILE_TMPDIR
	command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null && command -v git >/dev/null &&
		command -v dh_dkms >/dev/null || return 0
	mkdir "$OUT/uvnic"
	# the tree's files, not its build outputs (the .debs land beside it)
	(cd "$UVNIC_TOP" && git ls-files -z --cached --others --exclude-standard |
		tar --null -T - -cf -) | tar -xf - -C "$OUT/uvnic"
	(cd "$OUT/uvnic" && dpkg-buildpackage -us -uc -b) >"$OUT/build.log" 2>&1 && : >"$OUT/built"
	local p
	mkdir "$OUT/root"
	for p in uvnic-dkms uvnic-tools libuvnic0 libuvnic-dev; do
		dpkg-deb -x "$OUT/${p}_"*.deb "$OUT/root" 2>/dev/null || :
	done
}

setup() {
	set +T
	load '../test_helper/common-setup'
	_common_setup
	command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null && command -v git >/dev/null &&
		command -v dh_dkms >/dev/null || skip "no dpkg-dev, debhelper or dh-dkms (contrib/install-deps package)"
	[ -e "$OUT/built" ] || fail "dpkg-buildpackage failed: $(tail -n 30 "$OUT/build.log")"
}

@test "dpkg-buildpackage -us -uc -b builds the four packages" {
	local v p
	v=$(sed -n 's/^VERSION *:= *//p' "$UVNIC_TOP/Makefile")
	for p in "uvnic-dkms_${v}_all" "uvnic-tools_${v}_amd64" "libuvnic0_${v}_amd64" "libuvnic-dev_${v}_amd64"; do
		[ -f "$OUT/$p.deb" ] || fail "no $p.deb: $(ls "$OUT")"
	done
	run -0 dpkg-deb -I "$OUT/uvnic-dkms_${v}_all.deb"
	assert_output --partial 'Depends: dkms'
}

@test "uvnic-dkms: the module sources and dkms.conf in /usr/src/uvnic-VERSION" {
	local v
	v=$(sed -n 's/^VERSION *:= *//p' "$UVNIC_TOP/Makefile")
	cmp "$OUT/root/usr/src/uvnic-$v/dkms.conf" "$UVNIC_TOP/contrib/dkms.conf"
	[ -f "$OUT/root/usr/src/uvnic-$v/kernel/Kbuild" ]
	[ -f "$OUT/root/usr/src/uvnic-$v/kernel/uvpci_main.c" ]
}

@test "uvnic-tools: the CLIs, uvnic-vm, man pages, completion, the udev rule; they run" {
	local r=$OUT/root f
	for f in usr/sbin/uvbus-ctl usr/sbin/uvnic-bridge usr/bin/uvnic-vm usr/bin/uvpci-port \
		usr/share/man/man1/uvnic-vm.1.gz usr/share/man/man8/uvbus-ctl.8.gz \
		usr/share/bash-completion/completions/uvbus-ctl usr/lib/udev/rules.d/70-uvbus.rules; do
		[ -e "$r/$f" ] || fail "no /$f"
	done
	run -0 "$r/usr/sbin/uvbus-ctl" --version
	run -0 "$r/usr/bin/uvnic-vm" --help
	assert_line --partial 'Modules: the installed uvbus.ko and uvpci.ko'
	run -0 dpkg-deb -e "$OUT"/uvnic-tools_*.deb "$BATS_TEST_TMPDIR/ctl"
	run -0 grep -F 'addgroup --system uvnic' "$BATS_TEST_TMPDIR/ctl/postinst"
}

@test "lintian: no error in the packages" {
	command -v lintian >/dev/null || skip "no lintian (contrib/install-deps package)"
	# (as root here: lintian says it is not recommended, and runs)
	run -0 lintian --no-cfg --fail-on error "$OUT"/uvnic_*.changes
	refute_line --regexp '^E: '
}

@test "libuvnic0: the shared library by its soname, alone; libuvnic-dev: the link, the static one" {
	local multi=usr/lib/x86_64-linux-gnu v
	v=$(sed -n 's/^VERSION *:= *//p' "$UVNIC_TOP/Makefile")
	run -0 bash -c "dpkg-deb -c '$OUT'/libuvnic0_*.deb | awk '{ print \$6 }' | grep '/lib'"
	assert_line "./$multi/libuvnic.so.0"
	assert_line "./$multi/libuvnic.so.$v"
	refute_line --partial libuvnic.a
	refute_line "./$multi/libuvnic.so"
	run -0 dpkg-deb -f "$OUT"/libuvnic0_*.deb Section
	assert_output libs
	run -0 bash -c "dpkg-deb -c '$OUT'/libuvnic-dev_*.deb | awk '{ print \$6 }'"
	assert_line "./$multi/libuvnic.so"
	assert_line "./$multi/libuvnic.a"
	refute_line "./$multi/libuvnic.so.0"
	run -0 dpkg-deb -f "$OUT"/libuvnic-dev_*.deb Depends
	assert_output --partial "libuvnic0 (= $v)"
	# the symbols file (debian/ says "every symbol of the node LIBUVNIC_0"):
	# each function of lib/libuvnic.map, since this version
	run -0 dpkg-deb -e "$OUT"/libuvnic0_*.deb "$BATS_TEST_TMPDIR/ctl"
	run -0 bash -c "sed -n 's/^ \\([a-z_0-9]*\\)@LIBUVNIC_0 $v\$/\\1/p' '$BATS_TEST_TMPDIR/ctl/symbols' | sort"
	local got=$output
	run -0 bash -c "sed -n 's/^\t\([a-z_0-9]*\);\$/\1/p' '$UVNIC_TOP/lib/libuvnic.map' | sort"
	[ "$got" = "$output" ] || fail "symbols file and lib/libuvnic.map differ: $(diff <(echo "$got") <(echo "$output"))"
	[ "${#lines[@]}" -gt 50 ] || fail "only ${#lines[@]} functions in lib/libuvnic.map?"
}

@test "libuvnic-dev: uvpci's Module.symvers for the build's kernel, where uvpci.mk looks (KVER/Module.symvers)" {
	local kver
	kver=$(uvnic-vm --print-kver)
	run -0 cut -f 2 "$OUT/root/usr/share/uvnic/kbuild/$kver/Module.symvers"
	assert_line uvpci_alloc_irq_vectors
	assert_line __uvpci_register_driver
}

@test "libuvnic-dev: a program builds with pkg-config against the unpacked package" {
	local r=$OUT/root multi=/usr/lib/x86_64-linux-gnu
	[ -f "$r/usr/include/uvnic/libuvnic.h" ] && [ ! -e "$r/usr/include/uvnic/deadline.h" ]
	[ -f "$r/usr/share/uvnic/kbuild/uvpci.mk" ]
	printf '%s\n' '#include <stdio.h>' '#include <libuvnic.h>' \
		'int main(void) { puts(uvnic_version()); return 0; }' >"$BATS_TEST_TMPDIR/p.c"
	export PKG_CONFIG_SYSROOT_DIR=$r PKG_CONFIG_LIBDIR=$r$multi/pkgconfig:$multi/pkgconfig
	# shellcheck disable=SC2046 # (flags are words)
	run -0 cc -std=c11 -Wall -Werror $(pkg-config --cflags libuvnic) -o "$BATS_TEST_TMPDIR/p" \
		"$BATS_TEST_TMPDIR/p.c" $(pkg-config --libs libuvnic)
	LD_LIBRARY_PATH=$r$multi run -0 "$BATS_TEST_TMPDIR/p"
	assert_output "$(sed -n 's/^VERSION *:= *//p' "$UVNIC_TOP/Makefile")"
}

# The bring-up: DKMS builds the modules from uvnic-dkms's sources (in a
# private DKMS tree), the unpacked uvnic-vm boots a guest that loads them,
# the unpacked uvbus-ctl creates and lists a channel. Boots one guest.
@test "the packages' bring-up: DKMS-built modules, loaded by the packaged uvnic-vm, driven by uvbus-ctl" {
	command -v dkms >/dev/null || skip "no dkms (contrib/install-deps package)"
	local r=$OUT/root kver v dk=$OUT/dk
	kver=$(uvnic-vm --print-kver)
	[ -d "/lib/modules/$kver/build" ] || skip "no kernel build tree for $kver"
	v=$(sed -n 's/^VERSION *:= *//p' "$UVNIC_TOP/Makefile")
	mkdir -p "$dk/var/lib/dkms"
	run -0 dkms build -m uvnic -v "$v" -k "$kver" --sourcetree "$r/usr/src" --dkmstree "$dk/var/lib/dkms"
	# (the guest sees the working directory, here the unpacked root's
	# parent, through its /tmp)
	cd "$OUT"
	run -0 --separate-stderr "$r/usr/bin/uvnic-vm" --timeout 600 --install-mod-path "$dk" -- \
		sh -c "$r/usr/sbin/uvbus-ctl create pk0 && $r/usr/sbin/uvbus-ctl list && grep -o '^uv[a-z]* ' /proc/modules | sort"
	assert_line --regexp '^pk0 +loopback'
	assert_line 'uvbus '
	assert_line 'uvpci '
	# shellcheck disable=SC2154 # ($stderr: set by run --separate-stderr)
	[[ $stderr == *"modules: $dk/var/lib/dkms/uvnic/$v/$kver/"* ]] || fail "stderr: $stderr"
}
