#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# make install and make modules_install into a DESTDIR, used as a driver
# developer would: only the public headers, libuvnic.pc, the shared
# library's soname and exports; a program built with pkg-config against
# the installed library (static and shared); an out-of-tree uvPCI driver
# built by the three-line Makefile of uvpci.mk against the installed kit.

bats_require_minimum_version 1.5.0

setup_file() {
	set +T
	load '../test_helper/common-setup'
	_common_setup
	export DEST=$BATS_FILE_TMPDIR/root
	export MULTI=/usr/lib/x86_64-linux-gnu
	KVER=$(uvnic-vm --print-kver) || KVER=
	export KVER
	make -s -C "$UVNIC_TOP" install DESTDIR="$DEST" PREFIX=/usr LIBDIR="$MULTI" \
		>"$BATS_FILE_TMPDIR/install.log" 2>&1 || :
	# pkg-config as a user would run it, with DEST as the root.
	export PKG_CONFIG_SYSROOT_DIR=$DEST
	export PKG_CONFIG_LIBDIR=$DEST$MULTI/pkgconfig:$MULTI/pkgconfig:/usr/share/pkgconfig
}

setup() {
	set +T
	load '../test_helper/common-setup'
	_common_setup
	[ -f "$DEST$MULTI/pkgconfig/libuvnic.pc" ] ||
		fail "make install failed: $(cat "$BATS_FILE_TMPDIR/install.log")"
}

@test "make install: the public headers only, under include/uvnic" {
	run -0 ls "$DEST/usr/include/uvnic"
	assert_output "$(printf '%s\n' libuvnic.h uvbus.h uvnic-model.h uvnic-offload.h \
		uvnic.h uvnic_regs.h uvpci-device.h uvpci-regspec.h uvregmap.h)"
	# and none of them includes a header that is not installed
	run -0 grep -ho '#include "[^"]*"' "$DEST/usr/include/uvnic"/*.h
	local inc
	while read -r inc; do
		inc=${inc#*\"}
		[ -f "$DEST/usr/include/uvnic/${inc%\"}" ] || fail "an installed header includes ${inc%\"}, not installed"
	done <<<"$output"
}

@test "make install: libuvnic.pc gives the version, flags, the kbuild include" {
	run -0 pkg-config --modversion libuvnic
	assert_output "$(sed -n 's/^VERSION *:= *//p' "$UVNIC_TOP/Makefile")"
	run -0 pkg-config --cflags libuvnic
	assert_output --partial "-I$DEST/usr/include/uvnic"
	run -0 pkg-config --libs libuvnic
	assert_output --regexp "^-L$DEST$MULTI -luvnic *\$"
	run -0 pkg-config --static --libs libuvnic
	assert_output --partial -largtable2
	run -0 pkg-config --variable=kbuild libuvnic
	assert_output "$DEST/usr/share/uvnic/kbuild/uvpci.mk"
	[ -f "$output" ]
}

@test "make install: libuvnic.so.0, exporting exactly lib/libuvnic.map" {
	local so=$DEST$MULTI/libuvnic.so
	[ -f "$DEST$MULTI/libuvnic.a" ]
	run -0 readlink "$so"
	assert_output libuvnic.so.0
	run -0 readelf -d "$so"
	assert_output --partial 'Library soname: [libuvnic.so.0]'
	run -0 bash -c "nm -D --defined-only '$so' | awk '\$3 !~ /^LIBUVNIC/ { sub(/@.*/, \"\", \$3); print \$3 }' | sort"
	local exported=$output
	run -0 bash -c "sed -n 's/^\t\([a-z_0-9]*\);\$/\1/p' '$UVNIC_TOP/lib/libuvnic.map' | sort"
	[ "$exported" = "$output" ] || fail "$(diff <(echo "$exported") <(echo "$output"))"
	# the internal helpers stay inside
	refute_line uvnic_now_ns
	refute_line --regexp '^uvpci_cli_'
}

@test "lib/libuvnic.map lists every function of the public headers" {
	local f missing=()
	# (the header's static inline functions are not the library's)
	for f in $(sed -n '/^static/d; s/^[a-z].*[ *]\(\(uvbus\|uvnic\|uvpci\|uvregmap\|uvregfile\)_[a-z0-9_]*\)(.*/\1/p' \
			"$DEST/usr/include/uvnic"/*.h | sort -u); do
		grep -qx "	$f;" "$UVNIC_TOP/lib/libuvnic.map" || missing+=("$f")
	done
	[ ${#missing[@]} -eq 0 ] || fail "declared in a public header, not in lib/libuvnic.map: ${missing[*]}"
}

# A program of the user's: the version and a register spec, through the
# installed headers only (no -I into the tree).
user_program() {
	cat >"$BATS_TEST_TMPDIR/prog.c" <<'C'
#include <stdio.h>
#include <libuvnic.h>

int main(void)
{
	struct uvpci_regspec rs;
	char why[128];
	int err = uvpci_regspec_parse("0:0x10.l=5", 0, &rs, why, sizeof(why));

	if (err)
		return 2;
	printf("%s bar %u off %llu\n", uvnic_version(), (unsigned int)rs.bar,
	       (unsigned long long)rs.offset);
	return 0;
}
C
}

@test "a user's program builds against the installed shared library with pkg-config" {
	user_program
	cd "$BATS_TEST_TMPDIR"
	# shellcheck disable=SC2046 # (flags are words)
	run -0 cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags libuvnic) -o prog prog.c $(pkg-config --libs libuvnic)
	run -0 readelf -d prog
	assert_output --partial 'Shared library: [libuvnic.so.0]'
	LD_LIBRARY_PATH=$DEST$MULTI run -0 ./prog
	assert_output --regexp '^[0-9]+\.[0-9]+\.[0-9]+ bar 0 off 16$'
}

@test "a user's program links the installed static library with pkg-config --static" {
	user_program
	cd "$BATS_TEST_TMPDIR"
	# shellcheck disable=SC2046
	run -0 cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags libuvnic) -o prog prog.c \
		-Wl,-Bstatic $(pkg-config --static --libs-only-l libuvnic | sed 's/-lpthread//') -Wl,-Bdynamic \
		$(pkg-config --static --libs-only-L libuvnic) -lpthread
	run -0 readelf -d prog
	refute_output --partial libuvnic
	run -0 ./prog
	assert_output --regexp '^[0-9]+\.[0-9]+\.[0-9]+ bar 0 off 16$'
}

# An out-of-tree uvPCI driver of the user's: contrib/ci/example-driver's,
# with its Makefile (obj-m and the include: two lines, and comments);
# uvpci.h from the kit, uvpci_* symbols resolved through its Module.symvers.
user_driver() {
	mkdir -p "$BATS_TEST_TMPDIR/drv"
	cp "$UVNIC_TOP/contrib/ci/example-driver/mydrv.c" "$UVNIC_TOP/contrib/ci/example-driver/Makefile" \
		"$BATS_TEST_TMPDIR/drv/"
	run -0 grep -vc '^#' "$BATS_TEST_TMPDIR/drv/Makefile"
	assert_output 2
}

@test "an out-of-tree uvPCI driver builds from a two-line Makefile against the installed kit" {
	[ -n "$KVER" ] && [ -d "/lib/modules/$KVER/build" ] || skip "no kernel build tree"
	[ -f "$DEST/usr/share/uvnic/kbuild/$KVER/Module.symvers" ] ||
		fail "make install put no Module.symvers for $KVER (make modules first): $(cat "$BATS_FILE_TMPDIR/install.log")"
	user_driver
	run -0 make -C "$BATS_TEST_TMPDIR/drv"
	refute_output --partial undefined
	refute_output --partial WARNING
	run -0 modinfo -F depends "$BATS_TEST_TMPDIR/drv/mydrv.ko"
	assert_output uvpci
	run -0 modinfo -F vermagic "$BATS_TEST_TMPDIR/drv/mydrv.ko"
	assert_output --regexp "^$KVER "
}

@test "uvpci.mk: no uvpci installed for the kernel asked for: one clear error" {
	user_driver
	run -2 --separate-stderr make -C "$BATS_TEST_TMPDIR/drv" KVER=0.0-none
	# shellcheck disable=SC2154 # ($stderr: set by run --separate-stderr)
	[[ $stderr == *"uvpci is not installed for kernel '0.0-none'"* ]] || fail "stderr: $stderr"
}

@test "make modules_install: uvbus, uvpci, uvnic only, into DESTDIR's lib/modules/KVER/extra" {
	[ -n "$KVER" ] && [ -d "/lib/modules/$KVER/build" ] || skip "no kernel build tree"
	local m=$BATS_TEST_TMPDIR/mods
	run -0 --separate-stderr make -s -C "$UVNIC_TOP" modules_install DESTDIR="$m" INSTALL_MOD_PATH=/opt/k
	[[ $stderr != *SSL* && $stderr != *sign* ]] || fail "signing messages: $stderr"
	run -0 ls "$m/opt/k/lib/modules/$KVER/extra"
	assert_output "$(printf '%s\n' uvbus.ko uvnic.ko uvpci.ko)"
	run -0 find "$m" -type f
	[ "${#lines[@]}" -eq 3 ] || fail "files besides the modules: $output"
}

@test "make install: the udev rule gives /dev/uvbus to group uvnic, mode 0660" {
	run -0 cat "$DEST/usr/lib/udev/rules.d/70-uvbus.rules"
	assert_line 'SUBSYSTEM=="misc", KERNEL=="uvbus", GROUP="uvnic", MODE="0660"'
}

@test "contrib/dkms.conf: the Makefile's version, and its MAKE builds the three modules from make install-dkms's tree" {
	[ -n "$KVER" ] && [ -d "/lib/modules/$KVER/build" ] || skip "no kernel build tree"
	local v tree=$BATS_TEST_TMPDIR/dkms m
	v=$(sed -n 's/^VERSION *:= *//p' "$UVNIC_TOP/Makefile")
	run -0 grep -x "PACKAGE_VERSION=\"$v\"" "$UVNIC_TOP/contrib/dkms.conf"
	run -0 make -s -C "$UVNIC_TOP" install-dkms DESTDIR="$tree"
	local src=$tree/usr/src/uvnic-$v
	[ -f "$src/dkms.conf" ]
	# dkms sources dkms.conf and runs MAKE[0] in the build copy of src.
	export kernel_source_dir=/lib/modules/$KVER/build dkms_tree=$BATS_TEST_TMPDIR/var
	mkdir -p "$dkms_tree/uvnic/$v"
	cp -r "$src" "$dkms_tree/uvnic/$v/build"
	run -0 bash -c "cd '$dkms_tree/uvnic/$v/build' && source ./dkms.conf && eval \"\${MAKE[0]}\" >build.log 2>&1 &&
		for i in \"\${!BUILT_MODULE_NAME[@]}\"; do echo \"\${BUILT_MODULE_LOCATION[\$i]}\${BUILT_MODULE_NAME[\$i]}.ko\"; done"
	for m in kernel/uvbus.ko kernel/uvpci.ko kernel/uvnic.ko; do
		assert_line "$m"
		[ -f "$dkms_tree/uvnic/$v/build/$m" ] || fail "no $m built"
	done
	assert_equal "${#lines[@]}" 3
}
