#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# contrib/uvpci-port on the host (no guest, no module loading): the rename
# rules, the warnings, the command line, and the two promises of uvpci-port(1):
#  - the sample driver, ported to the real PCI API, builds against the
#    kernel's headers, and ported back it is the same bytes;
#  - real drivers from the kernel's source, ported to uvPCI, build and link
#    against uvpci.h and uvpci.ko's symbols, and ported back are the same
#    bytes.
# Kernel builds skip (never pass) without a kernel build tree; the real
# drivers skip without Debian's linux-source-6.1 tarball.

bats_require_minimum_version 1.5.0

# Real drivers the port is tested on: PCI + MSI + DMA (the endpoint test
# driver), and two small NICs with DMA rings (config space, ioread/iowrite,
# memcpy_fromio).
REAL_DRIVERS=(
	drivers/misc/pci_endpoint_test.c
	drivers/net/ethernet/fealnx.c
	drivers/net/ethernet/realtek/8139too.c
	drivers/net/ethernet/intel/e1000
)
LINUX_SOURCE=${LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}

setup() {
	set +T
	load '../test_helper/common-setup'
	_common_setup
	PORT=$UVNIC_TOP/contrib/uvpci-port
	SAMPLE=$UVNIC_TOP/kernel/uvpci_sample.c
}

# --- helpers -----------------------------------------------------------

# The kernel build tree, chosen as the top Makefile does (KDIR, else
# /lib/modules/$(bin/uvnic-vm --print-kver)/build); skip if there is none.
need_kdir() {
	local kver
	if [ -n "${KDIR:-}" ]; then
		KD=$KDIR
	else
		kver=$("$UVNIC_TOP/bin/uvnic-vm" --print-kver 2>/dev/null) || kver=$(uname -r)
		KD=/lib/modules/$kver/build
	fi
	[ -f "$KD/Makefile" ] || skip "no kernel build tree at $KD (apt-get install linux-headers-amd64)"
}

need_sample() {
	[ -f "$SAMPLE" ] || fail "kernel/uvpci_sample.c does not exist (the uvPCI sample driver)"
}

# Build uvpci.ko once per file run (make modules, incremental), so that
# modpost can check ported drivers against its exported symbols.
need_uvpci_symvers() {
	need_kdir
	local log=$BATS_FILE_TMPDIR/make-modules.log
	if [ ! -f "$BATS_FILE_TMPDIR/make-modules.rc" ]; then
		make -C "$UVNIC_TOP" KDIR="$KD" modules > "$log" 2>&1
		echo $? > "$BATS_FILE_TMPDIR/make-modules.rc"
	fi
	[ "$(cat "$BATS_FILE_TMPDIR/make-modules.rc")" = 0 ] ||
		fail "make modules failed: $(tail -n 20 "$log")"
	grep -qw uvpci_enable_device "$UVNIC_TOP/kernel/Module.symvers" ||
		fail "kernel/Module.symvers exports no uvPCI symbols (is uvpci.o in kernel/Kbuild?)"
}

# Extract the real drivers from the kernel source tarball, once per file
# run; set REAL to the path of $1 (e.g. drivers/net/ethernet/fealnx.c).
real_source() {
	local src=$BATS_FILE_TMPDIR/linux
	[ -f "$LINUX_SOURCE" ] || skip "no $LINUX_SOURCE (apt-get install linux-source-6.1)"
	if [ ! -f "$src/${REAL_DRIVERS[0]}" ]; then
		mkdir -p "$src"
		tar -xJf "$LINUX_SOURCE" -C "$src" --strip-components=1 \
			"${REAL_DRIVERS[@]/#/linux-source-6.1/}" ||
			fail "cannot extract ${REAL_DRIVERS[*]} from $LINUX_SOURCE"
	fi
	[ -f "$src/$1" ] || fail "$1 is not in $LINUX_SOURCE"
	REAL=$src/$1
}

# kbuild DIR [MAKE ARGS...]: build the module(s) of DIR/Kbuild against $KD;
# the build's output is shown when it fails.
kbuild() {
	local dir=$1
	shift
	run make -C "$KD" M="$dir" "$@" modules
	assert_success
	refute_output --partial 'undefined!'
	refute_output --regexp '(error|warning):'
}

# --- command line --------------------------------------------------------

@test "--help: usage and options on stdout, exit 0" {
	run --separate-stderr "$PORT" --help
	assert_success
	[ -z "$stderr" ]
	assert_line --index 0 --regexp '^Usage: uvpci-port \[--to-uvpci \| --to-pci\]'
	for o in --to-uvpci --to-pci --in-place --output --check --strict --names --list --help --version; do
		assert_line --regexp "^  .*$o"
	done
}

@test "--version: the version of the top Makefile" {
	local v
	v=$(sed -n 's/^VERSION := //p' "$UVNIC_TOP/Makefile")
	run --separate-stderr "$PORT" --version
	assert_success
	assert_output "uvpci-port $v"
}

@test "bad usage: one line on stderr naming the problem, exit 1" {
	cd "$BATS_TEST_TMPDIR"
	echo 'int x;' > a.c
	echo 'int y;' > b.c
	mkdir adir
	printf 'pci_iomap uvpci_iomap\nthis is not a pair\n' > bad.names
	printf 'pci_iomap uvpci_iomap\npci_iomap uvpci_other\n' > twice.names
	printf 'pci_iomap uvpci_iomap\npci_other uvpci_iomap\n' > twice2.names
	local -a cases=(
		"--bogus|unknown option '--bogus' (try --help)"
		"-x a.c|unknown option '-x' (try --help)"
		"--to-pci --to-uvpci a.c|--to-uvpci and --to-pci exclude each other"
		"-o|-o needs a file name (try --help)"
		"-o out.c a.c b.c|-o takes exactly one FILE"
		"a.c b.c|several FILEs need -i or --check (standard output takes one)"
		"-i --check a.c|-i, -o and --check exclude each other"
		"-i -o out.c a.c|-i, -o and --check exclude each other"
		"nothere.c|nothere.c: no such file"
		"adir|adir: not a regular file"
		"-i -|-i cannot rewrite standard input"
		"--names nothere.names a.c|cannot read the name table 'nothere.names'"
		"--names bad.names a.c|bad.names:2: expected: PCI_NAME UVPCI_NAME, PCI_NAME =, PCI_NAME - or struct PCI_TAG struct UVPCI_TAG"
		"--names twice.names a.c|twice.names:2: pci_iomap is listed twice"
		"--names twice2.names a.c|twice2.names:2: uvpci_iomap is listed twice"
	)
	local c args msg
	for c in "${cases[@]}"; do
		args=${c%%|*} msg=${c#*|}
		# shellcheck disable=SC2086
		run --separate-stderr "$PORT" $args < /dev/null
		[ "$status" -eq 1 ] || fail "uvpci-port $args: exit $status, want 1"
		[ -z "$output" ] || fail "uvpci-port $args: stdout: $output"
		[ "$stderr" = "uvpci-port: $msg" ] ||
			fail "uvpci-port $args: stderr: '$stderr', want 'uvpci-port: $msg'"
	done
	[ ! -e out.c ]
}

# --- the name table --------------------------------------------------------

@test "name table: every uvPCI name is declared in kernel/uvpci.h" {
	[ -f "$UVNIC_TOP/kernel/uvpci.h" ] || fail "kernel/uvpci.h does not exist"
	# the header without its comments, so a name only mentioned there fails
	gcc -fpreprocessed -dD -E -P "$UVNIC_TOP/kernel/uvpci.h" > "$BATS_TEST_TMPDIR/uvpci.h" ||
		fail "cannot strip the comments of kernel/uvpci.h"
	run "$PORT" --to-pci --list
	assert_success
	local name missing=()
	while read -r name; do
		grep -qw -- "$name" "$BATS_TEST_TMPDIR/uvpci.h" || missing+=("$name")
	done < <(awk '{ print ($1 == "struct") ? $2 : $1 }' <<< "$output")
	[ ${#missing[@]} -eq 0 ] || fail "not in kernel/uvpci.h: ${missing[*]}"
}

@test "name table: every uvPCI function it names is exported by uvpci.ko" {
	need_uvpci_symvers
	gcc -fpreprocessed -dD -E -P "$UVNIC_TOP/kernel/uvpci.h" > "$BATS_TEST_TMPDIR/uvpci.h" ||
		fail "cannot strip the comments of kernel/uvpci.h"
	local name missing=()
	while read -r name; do
		# macros and static inlines link to nothing of their own
		grep -qE "#define $name\b" "$BATS_TEST_TMPDIR/uvpci.h" && continue
		grep -qE "static inline [^;]*\b$name\(" "$BATS_TEST_TMPDIR/uvpci.h" && continue
		awk -v n="$name" '$2 == n { found = 1 } END { exit !found }' \
			"$UVNIC_TOP/kernel/Module.symvers" || missing+=("$name")
	done < <("$PORT" --to-pci --list | awk '$1 != "struct" { print $1 }')
	[ ${#missing[@]} -eq 0 ] || fail "not exported by uvpci.ko: ${missing[*]}"
}

@test "name table: every PCI name exists in the kernel's headers" {
	need_kdir
	local common dirs=() d
	# Debian splits the tree: build/Makefile includes the common half.
	common=$(sed -n 's|^include \(.*\)/Makefile$|\1|p' "$KD/Makefile")
	for d in "$KD" ${common:+"$common"}; do
		[ -d "$d/include/linux" ] && dirs+=("$d/include/linux" "$d/include/asm-generic")
		[ -d "$d/arch/x86/include" ] && dirs+=("$d/arch/x86/include")
	done
	# all of the left column: renamed, unchanged and warned-about names
	"$PORT" --list | awk '{ print ($1 == "struct") ? $2 : $1 }' > "$BATS_TEST_TMPDIR/names"
	[ -s "$BATS_TEST_TMPDIR/names" ] || fail "empty table"
	grep -rhowF -f "$BATS_TEST_TMPDIR/names" "${dirs[@]}" | sort -u > "$BATS_TEST_TMPDIR/found"
	run comm -23 <(sort -u "$BATS_TEST_TMPDIR/names") "$BATS_TEST_TMPDIR/found"
	assert_output ''
}

@test "name table: --to-pci is --to-uvpci read backwards" {
	run "$PORT" --list --to-uvpci
	assert_success
	local fwd=$output
	run "$PORT" --list --to-pci
	assert_success
	[ -n "$output" ]
	# every pair of one direction, reversed, is a pair of the other
	diff <(grep -v '^[a-z_0-9]* *(' <<< "$fwd" | sed -E 's/^(struct )?([^ ]+) +(struct )?([^ ]+)$/\3\4 \1\2/' | sort) \
	     <(sed -E 's/^(struct )?([^ ]+) +(struct )?([^ ]+)$/\1\2 \3\4/' <<< "$output" | sort)
}

# --- the rename rules --------------------------------------------------------

write_pci_source() {
	cat > "$1" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/pci.h>	/* the PCI API */
#include <linux/pci_regs.h>

struct my_priv {
	struct pci_dev *pci_dev;	/* a member called pci_dev */
	void __iomem *regs;
	u32 (*readl)(struct my_priv *p, u32 off);
};

static const struct pci_device_id my_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_INTEL, 0x1234) },
	{ }
};
MODULE_DEVICE_TABLE(pci, my_ids);

static int my_pci_thing;

/* my_probe() - pci_enable_device(), then readl() the ID register */
static int my_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct my_priv *p = pci_get_drvdata(pdev);
	dma_addr_t dma;
	u32 v;

	if (pci_enable_device(pdev) || pci_request_regions(pdev, "my"))
		return -ENODEV;
	p->regs = pci_iomap(pdev, 0, pci_resource_len(pdev, 0));
	v = readl(p->regs + 0x10);
	writel(v | 1, p->regs + 0x10);
	v = ioread32(p->regs) + readl_relaxed(p->regs + 4) * readb(p->regs);
	writeq_relaxed(0, p->regs);iowrite16(1,p->regs);
	v = p->readl(p, 0x10);
	v = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	v = request_irq(pci_irq_vector(pdev, 0), NULL, 0, "my", p);
	v = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	dma = dma_map_single(&pdev->dev, p, 64, DMA_TO_DEVICE);
	pci_read_config_dword(pdev, PCI_COMMAND, &v);
	my_pci_thing = pci_set_master(pdev), 1;
	pci_info(pdev, "pci_iomap() gave %p, %s\n", p->regs, pci_name(pdev));
	return 0;
}

static struct pci_driver my_driver = {
	.name = "my",
	.id_table = my_ids,
	.probe = my_probe,
};
module_pci_driver(my_driver);
EOF
}

write_uvpci_source() {
	cat > "$1" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include "uvpci.h"	/* the PCI API */
#include <linux/pci_regs.h>

struct my_priv {
	struct uvpci_dev *pci_dev;	/* a member called pci_dev */
	void __iomem *regs;
	u32 (*readl)(struct my_priv *p, u32 off);
};

static const struct uvpci_device_id my_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_INTEL, 0x1234) },
	{ }
};
MODULE_DEVICE_TABLE(uvpci, my_ids);

static int my_pci_thing;

/* my_probe() - uvpci_enable_device(), then uv_readl() the ID register */
static int my_probe(struct uvpci_dev *pdev, const struct uvpci_device_id *id)
{
	struct my_priv *p = uvpci_get_drvdata(pdev);
	dma_addr_t dma;
	u32 v;

	if (uvpci_enable_device(pdev) || uvpci_request_regions(pdev, "my"))
		return -ENODEV;
	p->regs = uvpci_iomap(pdev, 0, uvpci_resource_len(pdev, 0));
	v = uv_readl(p->regs + 0x10);
	uv_writel(v | 1, p->regs + 0x10);
	v = uv_ioread32(p->regs) + uv_readl_relaxed(p->regs + 4) * uv_readb(p->regs);
	uv_writeq_relaxed(0, p->regs);uv_iowrite16(1,p->regs);
	v = p->readl(p, 0x10);
	v = uvpci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	v = request_irq(uvpci_irq_vector(pdev, 0), NULL, 0, "my", p);
	v = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	dma = dma_map_single(&pdev->dev, p, 64, DMA_TO_DEVICE);
	uvpci_read_config_dword(pdev, PCI_COMMAND, &v);
	my_pci_thing = uvpci_set_master(pdev), 1;
	pci_info(pdev, "uvpci_iomap() gave %p, %s\n", p->regs, uvpci_name(pdev));
	return 0;
}

static struct uvpci_driver my_driver = {
	.name = "my",
	.id_table = my_ids,
	.probe = my_probe,
};
module_uvpci_driver(my_driver);
EOF
}

@test "--to-uvpci renames whole PCI names only; members, constants, the DMA API stay" {
	write_pci_source "$BATS_TEST_TMPDIR/pci.c"
	write_uvpci_source "$BATS_TEST_TMPDIR/want.c"
	run --separate-stderr "$PORT" --to-uvpci "$BATS_TEST_TMPDIR/pci.c"
	assert_success
	[ -z "$stderr" ] || fail "warnings: $stderr"
	diff -u "$BATS_TEST_TMPDIR/want.c" - <<< "$output"
}

@test "--to-pci is the exact inverse" {
	write_pci_source "$BATS_TEST_TMPDIR/want.c"
	write_uvpci_source "$BATS_TEST_TMPDIR/uv.c"
	run --separate-stderr "$PORT" --to-pci "$BATS_TEST_TMPDIR/uv.c"
	assert_success
	[ -z "$stderr" ] || fail "warnings: $stderr"
	diff -u "$BATS_TEST_TMPDIR/want.c" - <<< "$output"
	# and byte for byte, through standard input (no final newline either)
	printf 'v = readl(p);' | "$PORT" | "$PORT" --to-pci > "$BATS_TEST_TMPDIR/rt"
	[ "$(od -c < "$BATS_TEST_TMPDIR/rt")" = "$(printf 'v = readl(p);' | od -c)" ]
}

@test "an unknown pci_ call: warned about with FILE:LINE, left alone, exit 0; --strict exits 1" {
	cd "$BATS_TEST_TMPDIR"
	cat > drv.c <<'EOF'
#include <linux/pci.h>
static int probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	u16 lnk;

	pci_enable_device(pdev);
	pcie_print_link_status(pdev);
	if (pci_iov_virtfn_devfn(pdev, 1)) return pci_foo_bar(pdev) + pcim_pin_device(pdev);
	memcpy_fromio(&lnk, NULL, 2); iounmap(NULL);
	return 0;
}
EOF
	run --separate-stderr "$PORT" drv.c
	assert_success
	assert_line 'static int probe(struct uvpci_dev *pdev, const struct uvpci_device_id *id)'
	assert_line '	uvpci_enable_device(pdev);'
	assert_line '	pcie_print_link_status(pdev);'
	assert_line '	if (pci_iov_virtfn_devfn(pdev, 1)) return pci_foo_bar(pdev) + pcim_pin_device(pdev);'
	assert_line '	uv_memcpy_fromio(&lnk, NULL, 2); uv_iounmap(NULL);'
	local want
	want=$(printf '%s\n' \
		'uvpci-port: drv.c:7: pcie_print_link_status has no uvPCI equivalent' \
		'uvpci-port: drv.c:8: pci_iov_virtfn_devfn has no uvPCI equivalent' \
		'uvpci-port: drv.c:8: pci_foo_bar has no uvPCI equivalent' \
		'uvpci-port: drv.c:8: pcim_pin_device has no uvPCI equivalent')
	[ "$stderr" = "$want" ] || fail "stderr: $stderr"

	run --separate-stderr "$PORT" --strict -o out.c drv.c
	assert_failure 1
	[ "$(wc -l <<< "$stderr")" -eq 4 ]
	[ -s out.c ]	# the port is written all the same
	run --separate-stderr "$PORT" --check --strict drv.c
	assert_failure 1
	assert_output ''

	# the other way: a uvPCI name PCI lacks
	printf 'x = uvpci_only_thing(d) + uv_readl(r);\n' > uv.c
	run --separate-stderr "$PORT" --to-pci uv.c
	assert_success
	assert_output 'x = uvpci_only_thing(d) + readl(r);'
	[ "$stderr" = 'uvpci-port: uv.c:1: uvpci_only_thing has no PCI equivalent' ] || fail "stderr: $stderr"
}

@test "no warning for what the files declare, comments, strings and members" {
	cd "$BATS_TEST_TMPDIR"
	cat > drv.h <<'EOF'
static inline u32 pci_helper_from_header(void) { return 0; }
EOF
	cat > drv.c <<'EOF'
#include "drv.h"
#define PCI_THING(pci_arg) (pci_arg + 1)
#define pci_my_macro(x) (x)
enum pci_barno { BAR_0 };
static struct {
	int flags;
} pci_clone_list[] = { { 0 } };
struct priv { int pci_using_msi; struct pci_dev *pci_dev; };
static int pci_my_probe(struct pci_dev *pdev,
			const struct pci_device_id *id)
{
	unsigned int i, pci_using_dac;
	struct priv *p = NULL;
	enum pci_barno b = BAR_0;

	/* pci_not_scanned_in_a_comment(pdev) */
	pci_info(pdev, "pci_not_scanned_in_a_string()\n");
	pci_using_dac = p->pci_using_msi + pci_my_macro(1) + PCI_THING(2);
	pci_using_dac += pci_helper_from_header() + pci_clone_list[0].flags + b + i;
pci_out:
	return p->pci_dev->pci_member_of_something;
}
EOF
	run --separate-stderr "$PORT" --check --strict drv.c drv.h
	assert_success
	[ -z "$stderr" ] || fail "warnings: $stderr"
	# alone, drv.c uses a name it does not declare
	run --separate-stderr "$PORT" --check drv.c
	assert_success
	[ "$stderr" = 'uvpci-port: drv.c:19: pci_helper_from_header has no uvPCI equivalent' ] ||
		fail "stderr: $stderr"
}

@test "issue 14: 2*readl(p) is renamed; (*readl) and ( * writel ) members stay, as their -> uses" {
	cd "$BATS_TEST_TMPDIR"
	printf '%s\n' 'struct ops { u32 (*readl)(void); u32 ( * writel )(u32 v); };' \
		'v = 2*readl(p) + x)*readw(p) + o->readl() + o->writel(1);' > a.c
	run --separate-stderr "$PORT" a.c
	assert_success
	[ -z "$stderr" ] || fail "warnings: $stderr"
	assert_line 'struct ops { u32 (*readl)(void); u32 ( * writel )(u32 v); };'
	assert_line 'v = 2*uv_readl(p) + x)*uv_readw(p) + o->readl() + o->writel(1);'
	"$PORT" a.c | "$PORT" --to-pci | cmp - a.c
}

@test "issue 14: token-pasted accessors and io_mapping_* are warned about; the copy helpers are ported" {
	cd "$BATS_TEST_TMPDIR"
	printf '%s\n' '#define RD(size, a) ioread##size(a)' '#define WR(bwl, v, a) write ## bwl(v, a)' \
		'__iowrite64_copy(d, s, 2); __iowrite32_copy(d, s, 2); __ioread32_copy(s, d, 1);' \
		'lo_hi_writeq_relaxed(v, p); m = io_mapping_map_wc(map, 0, 4096);' \
		'#define FLAG(x) MY_##x | _##x' > a.c
	run --separate-stderr "$PORT" a.c
	assert_success
	assert_line 'uv_iowrite64_copy(d, s, 2); uv_iowrite32_copy(d, s, 2); uv_ioread32_copy(s, d, 1);'
	assert_line 'uv_lo_hi_writeq_relaxed(v, p); m = io_mapping_map_wc(map, 0, 4096);'
	local want
	want=$(printf '%s\n' \
		'uvpci-port: a.c:1: ioread## is token-pasted: not ported, write each accessor out' \
		'uvpci-port: a.c:2: write## is token-pasted: not ported, write each accessor out' \
		'uvpci-port: a.c:4: io_mapping_map_wc has no uvPCI equivalent')
	[ "$stderr" = "$want" ] || fail "stderr: $stderr"
}

@test "issue 14: PCI names outside the pci_ prefixes are checked; pcibios_err_to_errno works unchanged" {
	cd "$BATS_TEST_TMPDIR"
	printf '%s\n' 'int f(struct pci_dev *pdev)' '{' \
		'	return pcix_get_max_mmrbc(pdev) + __pci_reset_function_locked(pdev) +' \
		'		pcibios_err_to_errno(pci_read_config_word(pdev, 0, NULL));' '}' > a.c
	run --separate-stderr "$PORT" a.c
	assert_success
	assert_line '		pcibios_err_to_errno(uvpci_read_config_word(pdev, 0, NULL));'
	local want
	want=$(printf '%s\n' \
		'uvpci-port: a.c:3: pcix_get_max_mmrbc has no uvPCI equivalent' \
		'uvpci-port: a.c:3: __pci_reset_function_locked has no uvPCI equivalent')
	[ "$stderr" = "$want" ] || fail "stderr: $stderr"
}

@test "issue 14: a struct member named like a table entry stays, at its declaration and its -> uses" {
	cd "$BATS_TEST_TMPDIR"
	printf '%s\n' '#include <linux/pci.h>' 'struct vf {' '	int index;' '	char pci_name[16];' '};' \
		'void f(struct vf *vf, struct pci_dev *pdev)' '{' \
		'	strscpy(vf->pci_name, pci_name(pdev), sizeof(vf->pci_name));' '}' > a.c
	run --separate-stderr "$PORT" a.c
	assert_success
	[ -z "$stderr" ] || fail "warnings: $stderr"
	assert_line '	char pci_name[16];'
	assert_line '	strscpy(vf->pci_name, uvpci_name(pdev), sizeof(vf->pci_name));'
	"$PORT" a.c > uv.c
	run --separate-stderr "$PORT" --to-pci uv.c
	assert_success
	[ -z "$stderr" ] || fail "warnings: $stderr"
	cmp a.c - <<< "$output"
}

@test "issue 14: a file with <linux/io.h> and no <linux/pci.h> gets \"uvpci.h\"; --to-pci gives <linux/io.h> back" {
	cd "$BATS_TEST_TMPDIR"
	printf '%s\n' '#include <linux/types.h>' '#include <linux/io.h>' \
		'static inline u32 rd(void __iomem *p) { return readl(p); }' > a.h
	printf '%s\n' '#include <linux/io.h>' 'int n;' > plain.h
	run --separate-stderr "$PORT" a.h
	assert_success
	assert_line --index 1 '#include "uvpci.h" /* uvpci-port: was <linux/io.h> */'
	assert_line --index 2 'static inline u32 rd(void __iomem *p) { return uv_readl(p); }'
	"$PORT" a.h > uv.h
	run --separate-stderr "$PORT" --to-pci uv.h
	assert_success
	[ -z "$stderr" ] || fail "warnings: $stderr"
	cmp a.h - <<< "$output"
	# nothing to port: the include stays
	run "$PORT" plain.h
	assert_output "$(cat plain.h)"
}

@test "issue 14: calls and structs of other subsystems' kernel headers that take a struct pci_dev are named" {
	need_kdir
	cd "$BATS_TEST_TMPDIR"
	printf '%s\n' '#include <linux/ssb/ssb_driver_gige.h>' '#include <linux/mlx5/driver.h>' \
		'int f(struct pci_dev *p) { return ssb_gige_get_macaddr(p, NULL); }' > a.c
	run --separate-stderr "$PORT" --kdir "$KD" a.c
	assert_success
	local want
	want=$(printf '%s\n' \
		'uvpci-port: a.c:2: <linux/mlx5/driver.h> keeps a struct pci_dev * (struct mlx5_core_dev.pdev): a uvPCI port cannot fill it' \
		'uvpci-port: a.c:3: ssb_gige_get_macaddr takes a struct pci_dev (<linux/ssb/ssb_driver_gige.h>): it cannot take a uvPCI device')
	[ "$stderr" = "$want" ] || fail "stderr: $stderr"
}

# A mini driver with what broke ported builds in the census of issue 14:
# a "#ifndef readq" fallback, a header with <linux/io.h> only, 2*readl(),
# __iowrite64_copy().
write_census_driver() {
	cat > "$1/regs.h" <<'EOF'
/* SPDX-License-Identifier: GPL-2.0 */
#include <linux/io.h>
static inline u32 regs_rd(void __iomem *p) { return 2*readl(p); }
EOF
	cat > "$1/census.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include "regs.h"
#include <linux/module.h>
#include <linux/pci.h>
#ifndef readq
static inline u64 readq(void __iomem *p) { return readl(p); }
#endif
static int census_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	void __iomem *p = pci_iomap(pdev, 0, 0);
	u64 db[2] = { 0 };

	if (!p)
		return -ENOMEM;
	__iowrite64_copy(p, db, 2);
	return regs_rd(p) + readq(p) ? 0 : -EIO;
}
static const struct pci_device_id census_ids[] = { { PCI_DEVICE(0x1af4, 0x1) }, { } };
MODULE_DEVICE_TABLE(pci, census_ids);
static struct pci_driver census_driver = {
	.name = "census", .id_table = census_ids, .probe = census_probe,
};
module_pci_driver(census_driver);
MODULE_LICENSE("GPL");
EOF
}

@test "issue 14: #ifndef readq, an io.h-only header, 2*readl(): the port builds, links, imports no real accessor" {
	need_uvpci_symvers
	local d=$BATS_TEST_TMPDIR/uv
	mkdir "$d"
	write_census_driver "$d"
	run --separate-stderr "$PORT" -i "$d/census.c" "$d/regs.h"
	assert_success
	[ -z "$stderr" ] || fail "warnings: $stderr"
	printf 'ccflags-y += -I%s/kernel -I%s/kernel/uapi\nobj-m += census.o\n' \
		"$UVNIC_TOP" "$UVNIC_TOP" > "$d/Kbuild"
	kbuild "$d" KBUILD_EXTRA_SYMBOLS="$UVNIC_TOP/kernel/Module.symvers"
	run --separate-stderr "$PORT" --check-module "$d/census.ko"
	assert_success
	[ -z "$stderr" ] || fail "check-module: $stderr"
}

@test "issue 14: a real accessor left in a port fails its build (uvpci.h's traps) and --check-module names it" {
	need_uvpci_symvers
	local d=$BATS_TEST_TMPDIR/uv
	mkdir "$d"
	# token-pasted: the port cannot reach them (and says so)
	cat > "$d/left.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/pci.h>
#define RD(bwl, a) read##bwl(a)
#define IORD(size, a) ioread##size(a)
u32 left_rd(void __iomem *p);
u32 left_rd(void __iomem *p) { return RD(l, p) + IORD(32, p); }
EXPORT_SYMBOL_GPL(left_rd);
MODULE_LICENSE("GPL");
EOF
	run --separate-stderr "$PORT" -i "$d/left.c"
	assert_success
	[ "$(grep -c 'is token-pasted' <<< "$stderr")" -eq 2 ] || fail "stderr: $stderr"
	printf 'ccflags-y += -I%s/kernel -I%s/kernel/uapi\nobj-m += left.o\n' \
		"$UVNIC_TOP" "$UVNIC_TOP" > "$d/Kbuild"
	run make -C "$KD" M="$d" KBUILD_EXTRA_SYMBOLS="$UVNIC_TOP/kernel/Module.symvers" modules
	assert_failure
	assert_output --partial '"__uvpci_real_readl" ['
	[ -f "$d/left.o" ] || fail "left.o was not built"
	run --separate-stderr "$PORT" --check-module "$d/left.o"
	assert_failure 1
	local want
	want=$(printf '%s\n' \
		"uvpci-port: $d/left.o: real MMIO import: readl" \
		"uvpci-port: $d/left.o: real MMIO import: ioread32" | sort)
	[ "$(sort <<< "$stderr")" = "$want" ] || fail "stderr: $stderr"
	# bad use: one line, exit 1
	run --separate-stderr "$PORT" --check-module "$d/nothere.ko"
	assert_failure 1
	[ "$stderr" = "uvpci-port: $d/nothere.ko: no such file" ] || fail "stderr: $stderr"
	run --separate-stderr "$PORT" --check-module
	assert_failure 1
	[ "$stderr" = "uvpci-port: --check-module needs a MODULE.ko (try --help)" ] || fail "stderr: $stderr"
}

@test "a file that already mixes the two APIs: each line that will not port back is named" {
	cd "$BATS_TEST_TMPDIR"
	printf '%s\n' '#include <linux/pci.h>' 'a = readl(r);' 'b = uv_readl(r);' \
		'#include "uvpci.h"' 'c = pci_iomap(d, 0, 0);' > mixed.c
	run --separate-stderr "$PORT" mixed.c
	assert_success
	local want
	want=$(printf '%s\n' \
		'uvpci-port: mixed.c:3: does not port back unchanged: it already has names of the other API' \
		'uvpci-port: mixed.c:4: does not port back unchanged: it already has names of the other API')
	[ "$stderr" = "$want" ] || fail "stderr: $stderr"
	run --separate-stderr "$PORT" --check --strict mixed.c
	assert_failure 1
}

@test "-i rewrites in place keeping the mode; an unchanged file is not written; -o and stdin" {
	cd "$BATS_TEST_TMPDIR"
	write_pci_source a.c
	chmod 0640 a.c
	echo 'int nothing_to_port;' > b.c
	touch -d '2001-01-01 00:00' b.c
	run --separate-stderr "$PORT" -i a.c b.c
	assert_success
	assert_output ''
	write_uvpci_source want.c
	cmp a.c want.c
	[ "$(stat -c %a a.c)" = 640 ]
	[ "$(stat -c %Y b.c)" = "$(date -d '2001-01-01 00:00' +%s)" ]
	[ -z "$(find . -name '*.uvpci-port.*')" ]
	run "$PORT" --to-pci --in-place a.c
	assert_success
	write_pci_source want.c
	cmp a.c want.c
	"$PORT" --to-uvpci --output=out.c - < a.c
	write_uvpci_source want.c
	cmp out.c want.c
	"$PORT" --to-pci -oout2.c out.c
	cmp out2.c a.c
}

# --- the sample driver and real drivers --------------------------------------

@test "sample driver, ported --to-pci: builds against the real kernel headers" {
	need_sample
	need_kdir
	local d=$BATS_TEST_TMPDIR/pci
	mkdir "$d"
	run --separate-stderr "$PORT" --to-pci -o "$d/uvpci_sample.c" "$SAMPLE"
	assert_success
	[ -z "$stderr" ] || fail "the sample uses names PCI lacks: $stderr"
	run grep -nE '#[[:space:]]*include[[:space:]]*"uvpci\.h"' "$d/uvpci_sample.c"
	assert_failure
	# only the shared uapi headers from this tree: not kernel/uvpci.h
	printf 'ccflags-y += -I%s/kernel/uapi\nobj-m += uvpci_sample.o\n' "$UVNIC_TOP" > "$d/Kbuild"
	kbuild "$d"
	[ -f "$d/uvpci_sample.ko" ]
}

@test "sample driver: --to-pci then --to-uvpci gives the same bytes" {
	need_sample
	"$PORT" --to-pci "$SAMPLE" > "$BATS_TEST_TMPDIR/pci.c"
	run --separate-stderr "$PORT" --to-uvpci -o "$BATS_TEST_TMPDIR/back.c" "$BATS_TEST_TMPDIR/pci.c"
	assert_success
	[ -z "$stderr" ] || fail "warnings: $stderr"
	cmp "$SAMPLE" "$BATS_TEST_TMPDIR/back.c"
	# and the PCI port really is a different text
	run ! cmp -s "$SAMPLE" "$BATS_TEST_TMPDIR/pci.c"
}

# port_real DRIVER: port a real driver to uvPCI and build it against
# kernel/uvpci.h and uvpci.ko's symbols; modpost must find every symbol.
# The port must name no PCI call that uvPCI lacks; it is built all the
# same, so that a failure shows both the warnings and the compiler's view.
port_real() {
	real_source "$1"
	need_uvpci_symvers
	local d=$BATS_TEST_TMPDIR/uv name warnings
	name=$(basename "$1")
	mkdir "$d"
	run --separate-stderr "$PORT" --to-uvpci -o "$d/$name" "$REAL"
	assert_success
	warnings=$stderr
	printf 'ccflags-y += -I%s/kernel -I%s/kernel/uapi\nobj-m += %s\n' \
		"$UVNIC_TOP" "$UVNIC_TOP" "${name%.c}.o" > "$d/Kbuild"
	if [ -n "$warnings" ]; then
		make -C "$KD" M="$d" KBUILD_EXTRA_SYMBOLS="$UVNIC_TOP/kernel/Module.symvers" \
			modules > "$d/build.log" 2>&1 || true
		fail "$1 uses PCI calls uvPCI lacks:
$warnings
the build of the port says:
$(grep -E 'error|undefined' "$d/build.log")"
	fi
	kbuild "$d" KBUILD_EXTRA_SYMBOLS="$UVNIC_TOP/kernel/Module.symvers"
	[ -f "$d/${name%.c}.ko" ]
	# and no real MMIO or port-I/O access is left in it
	run --separate-stderr "$PORT" --check-module "$d/${name%.c}.ko"
	assert_success
	[ -z "$stderr" ] || fail "$stderr"
}

# round_trip_real DRIVER: PCI -> uvPCI -> PCI gives the original bytes.
round_trip_real() {
	real_source "$1"
	"$PORT" --to-uvpci "$REAL" > "$BATS_TEST_TMPDIR/uv.c" 2>/dev/null
	run --separate-stderr "$PORT" --to-pci -o "$BATS_TEST_TMPDIR/back.c" "$BATS_TEST_TMPDIR/uv.c"
	assert_success
	[ -z "$stderr" ] || fail "warnings: $stderr"
	cmp "$REAL" "$BATS_TEST_TMPDIR/back.c"
	run ! cmp -s "$REAL" "$BATS_TEST_TMPDIR/uv.c"
}

@test "real driver pci_endpoint_test.c (PCI, MSI, DMA), ported to uvPCI: builds and links against uvpci.ko" {
	port_real drivers/misc/pci_endpoint_test.c
}

@test "real driver pci_endpoint_test.c: PCI -> uvPCI -> PCI gives the same bytes" {
	round_trip_real drivers/misc/pci_endpoint_test.c
}

@test "real driver fealnx.c (a small NIC, DMA rings), ported to uvPCI: builds and links against uvpci.ko" {
	port_real drivers/net/ethernet/fealnx.c
}

@test "real driver fealnx.c: PCI -> uvPCI -> PCI gives the same bytes" {
	round_trip_real drivers/net/ethernet/fealnx.c
}

@test "real driver 8139too.c (a NIC, config space, memcpy_fromio), ported to uvPCI: builds and links against uvpci.ko" {
	port_real drivers/net/ethernet/realtek/8139too.c
}

@test "real driver 8139too.c: PCI -> uvPCI -> PCI gives the same bytes" {
	round_trip_real drivers/net/ethernet/realtek/8139too.c
}

@test "real driver e1000 (the 82540EM's, four files), ported by ONE -i run with no warning: builds, links, imports no real accessor" {
	real_source drivers/net/ethernet/intel/e1000/e1000_main.c
	need_uvpci_symvers
	local d=$BATS_TEST_TMPDIR/e1000
	cp -r "${REAL%/*}" "$d"
	run --separate-stderr "$PORT" --to-uvpci -i "$d"/*.[ch]
	assert_success
	[ -z "$stderr" ] || fail "warnings: $stderr"
	# it ioremaps no BAR itself on an 82540EM, but its I/O-BAR reset and
	# its iounmap() of the pci_ioremap_bar() cookie are ported
	grep -q 'uv_outl(value, port)' "$d/e1000_main.c"
	grep -q 'uv_iounmap(hw->hw_addr)' "$d/e1000_main.c"
	printf 'ccflags-y += -I%s/kernel -I%s/kernel/uapi\nobj-m += e1000.o\ne1000-objs := e1000_main.o e1000_hw.o e1000_ethtool.o e1000_param.o\n' \
		"$UVNIC_TOP" "$UVNIC_TOP" > "$d/Kbuild"
	kbuild "$d" KBUILD_EXTRA_SYMBOLS="$UVNIC_TOP/kernel/Module.symvers"
	run --separate-stderr "$PORT" --check-module "$d/e1000.ko"
	assert_success
	[ -z "$stderr" ] || fail "$stderr"
	# and back to the same bytes
	run --separate-stderr "$PORT" --to-pci -i "$d"/*.[ch]
	assert_success
	for f in "${REAL%/*}"/*.[ch]; do
		cmp "$f" "$d/${f##*/}"
	done
}

@test "contrib/uvpci-census: two real drivers built, ported, built again, ported back; the table is sorted" {
	real_source drivers/misc/pci_endpoint_test.c
	need_uvpci_symvers
	local w=$BATS_TEST_TMPDIR/census
	run --separate-stderr "$UVNIC_TOP/contrib/uvpci-census" --kdir "$KD" --src "$BATS_FILE_TMPDIR/linux" \
		--work "$w" drivers/net/ethernet/realtek/8139too.c drivers/misc/pci_endpoint_test.c
	assert_success
	# MODULE ORIG PORTED COMPILES LINKS IMPORTS IRQ BACK LEFT
	assert_line --index 1 --regexp '^drivers/misc/pci_endpoint_test +yes +yes +yes +yes +clean +ok +yes *$'
	# 8139too reads pdev->irq and allocates no vectors: INTx, which uvPCI gives
	assert_line --index 2 --regexp '^drivers/net/ethernet/realtek/8139too +yes +yes +yes +yes +clean +intx +yes *$'
	assert_line 'originals build and link:                 2'
	assert_line '  ... and read no pdev->irq uvPCI lacks:  2'
	assert_line 'ported back byte for byte:                2 of 2'
	refute_line --regexp '^ +[0-9]+ \[[0-9]+\] pdev->irq$'
	# bad use
	run --separate-stderr "$UVNIC_TOP/contrib/uvpci-census" --src "$BATS_FILE_TMPDIR/linux" nothere
	assert_failure 1
	[ "$stderr" = "uvpci-census: nothere: not in $BATS_FILE_TMPDIR/linux" ] || fail "stderr: $stderr"
}

# --- the man page --------------------------------------------------------

@test "man page: renders without warnings and documents every option of --help" {
	local page=$BATS_TEST_TMPDIR/uvpci-port.1
	sed 's/@VERSION@/0.0/' "$UVNIC_TOP/man/uvpci-port.1.in" > "$page"
	run env LC_ALL=C.UTF-8 groff -ww -z -man "$page"
	assert_success
	assert_output ''
	local text o
	text=$(sed 's/\\-/-/g' "$page")
	for o in $("$PORT" --help | grep -oE -- '--[a-z-]+' | sort -u); do
		grep -qF -- "$o" <<< "$text" || fail "$o is not in uvpci-port(1)"
	done
}

@test "man page: the EXAMPLES run as written" {
	need_sample
	real_source drivers/net/ethernet/fealnx.c
	need_uvpci_symvers
	# the .EX blocks of EXAMPLES, roff escapes undone, as one script
	awk '/^\.SH EXAMPLES/ { on = 1; next } /^\.SH / { on = 0 }
	     on && /^\.EX/ { ex = 1; next } on && /^\.EE/ { ex = 0; next }
	     on && ex { gsub(/\\-/, "-"); gsub(/\\e/, "\\"); print }' \
		"$UVNIC_TOP/man/uvpci-port.1.in" > "$BATS_TEST_TMPDIR/examples.sh"
	[ "$(grep -c . "$BATS_TEST_TMPDIR/examples.sh")" -gt 5 ]
	cd "$UVNIC_TOP"
	run env TMPDIR="$BATS_TEST_TMPDIR" bash -e "$BATS_TEST_TMPDIR/examples.sh"
	assert_success
}
