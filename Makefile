# SPDX-License-Identifier: GPL-2.0-or-later
# uvNIC top-level Makefile: userspace is built here, the modules by Kbuild.
#
#   make            library, CLIs, modules
#   make check      unit tests, host CLI tests, kernel tests in a QEMU guest
#   make check-loaded  make check with every CPU kept busy (not in CI)
#   make check-debs the .debs installed on a clean bookworm chroot, used
#                   as a driver's CI would (t/debs-check; root, minutes)
#   make bench      ring and loopback benchmarks (host and guest)
#   make stress     the long kernel stress runs in a QEMU guest (60 s MSI storms)
#   make fuzz       the ABI fuzzer in a QEMU guest (FUZZ_SECONDS=600, FUZZ_SEED=)
#   make demo       boot a guest, load uvbus, create a channel, show it
#   make install    PREFIX=/usr/local DESTDIR=  (tools, libuvnic static and
#                   shared, public headers, libuvnic.pc, the Kbuild kit for
#                   out-of-tree uvPCI drivers, man pages, bash completion,
#                   the bats library)
#   make modules_install   INSTALL_MOD_PATH= DESTDIR=  (uvbus, uvpci, uvnic
#                   into lib/modules/$(KVER)/extra)

VERSION := 0.1.0

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DATADIR ?= $(PREFIX)/share
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# What an out-of-tree uvPCI driver builds against (see kernel/uvpci.mk).
KBUILDDIR ?= $(DATADIR)/uvnic/kbuild
# udev reads /usr/lib/udev/rules.d (a package's) and /etc/udev/rules.d.
UDEVRULESDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/udev/rules.d,/etc/udev/rules.d)
DKMSDIR ?= /usr/src/uvnic-$(VERSION)

# The kernel the modules are built for: the running one when its build
# tree exists, else the newest installed kernel that has headers (the one
# uvnic-vm boots). bin/uvnic-vm --print-kver makes the same choice.
KVER ?= $(shell bin/uvnic-vm --print-kver 2>/dev/null)
KDIR ?= /lib/modules/$(KVER)/build

CC      ?= cc
CFLAGS  ?= -O2 -g
BSD_CFLAGS := $(shell pkg-config --cflags libbsd-overlay 2>/dev/null)
BSD_LIBS   := $(shell pkg-config --libs libbsd-overlay 2>/dev/null)
# lib/ by layer: transport/ (the uvBus channels, ports and rings), device/
# (a model's side of uvPCI), models/NAME/ (one folder per device model),
# regmap/ (register maps as data), tools/ (what the CLIs share); libuvnic.h
# on top. A header and its source share one stem; includes are by name.
LIB_DIRS := lib $(sort $(patsubst %/,%,$(dir $(wildcard lib/*/*.[ch] lib/models/*/*.[ch]))))
UV_CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ikernel/uapi $(addprefix -I,$(LIB_DIRS)) \
	      -DUVNIC_VERSION='"$(VERSION)"' $(BSD_CFLAGS) $(CPPFLAGS)
UV_LIBS    := -largtable2 $(BSD_LIBS) -lpthread

# Tools and test helpers link statically unless STATIC=0 (packagers may
# want it): in the TCG guest a dynamic program spends 35-60 ms in the
# dynamic loader before main(), and the kernel suites start thousands of
# them (a static uvpci-peek starts in 21 ms, the dynamic one in 55-83 ms).
STATIC ?= 1
ifeq ($(STATIC),1)
TOOL_LDFLAGS := -static
UV_LIBS := -largtable2 $(shell pkg-config --static --libs libbsd-overlay 2>/dev/null) -lpthread
endif

LIB_SRCS := $(wildcard $(addsuffix /*.c,$(LIB_DIRS)))
LIB_OBJS := $(LIB_SRCS:.c=.o)
LIB      := lib/libuvnic.a
# The shared one: soname libuvnic.so.$(SOVERSION), exporting lib/libuvnic.map.
SOVERSION := 0
SOLIB    := lib/libuvnic.so.$(VERSION)

# Every bin/*.c is one tool; bin/ also holds scripts (uvnic-vm).
TOOL_SRCS := $(wildcard bin/*.c)
TOOLS     := $(TOOL_SRCS:.c=)

# C tests: t/unit/*.c, each a program that exits 0 on success, 77 to skip.
UNIT_SRCS := $(wildcard t/unit/*.c)
UNITS     := $(UNIT_SRCS:.c=)
# The ring stress test again, under ThreadSanitizer.
TSAN_UNITS := t/unit/ring-stress-tsan

# Helper programs the kernel suites and benchmarks run (not installed).
THELP_SRCS := $(wildcard t/helpers/*.c) $(wildcard t/bench/*.c)
THELPERS   := $(THELP_SRCS:.c=)

MAN_SRCS := $(wildcard man/*.[1-9].in)
MANS     := $(MAN_SRCS:.in=)

HDRS := kernel/uapi/uvbus.h $(wildcard $(addsuffix /*.h,$(LIB_DIRS)))

# Register maps as data (uvregmap(1)): the uvNIC register part of
# kernel/uapi/uvnic.h and the register table of uvnic(4) are generated
# from kernel/uapi/uvnic.regmap, never committed. bin/uvregmap links only
# the lib/ objects that do not include uvnic.h; the others, and the
# modules, wait for the header.
REGMAP_OBJS := $(filter-out lib/models/%.o lib/wire/%.o,$(LIB_OBJS))
GEN_HDRS    := kernel/uapi/uvnic_regs.h
# The skeleton model the kernel suite t/kernel/uvregmap.bats drives.
SKEL_MODEL  := t/helpers/uvregmap-skel-model

.PHONY: deps all print-cflags userspace modules man check check-loaded check-debs check-unit check-host check-kernel \
	stress boot-check fuzz bench demo lint lint-run install install-completion install-bats \
	install-kbuild install-dkms modules_install clean

all: userspace modules

userspace: $(LIB) $(SOLIB) $(TOOLS) $(THELPERS) $(SKEL_MODEL) man

# The -I flags a program built against the uninstalled tree needs (the
# installed headers are flat: pkg-config --cflags libuvnic).
TREE_CFLAGS := $(addprefix -I,$(abspath kernel/uapi $(LIB_DIRS)))
print-cflags:
	@echo $(TREE_CFLAGS)

lib/%.o: lib/%.c $(HDRS)
	$(CC) $(UV_CFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

bin/%: bin/%.c $(LIB) $(HDRS)
	$(CC) $(UV_CFLAGS) $(CFLAGS) $(TOOL_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(UV_LIBS)

bin/uvregmap: bin/uvregmap.c $(REGMAP_OBJS) $(HDRS)
	$(CC) $(UV_CFLAGS) $(CFLAGS) $(TOOL_LDFLAGS) $(LDFLAGS) -o $@ $< $(REGMAP_OBJS) $(UV_LIBS)

kernel/uapi/uvnic_regs.h: kernel/uapi/uvnic.regmap bin/uvregmap
	bin/uvregmap header --guard _UAPI_LINUX_UVNIC_REGS_H -o $@ $<

$(filter-out $(REGMAP_OBJS),$(LIB_OBJS)) $(patsubst %.o,%.os,$(filter-out $(REGMAP_OBJS),$(LIB_OBJS))): $(GEN_HDRS)

t/helpers/gen/uvregmap-skel-model.c: t/helpers/uvregmap-test.regmap bin/uvregmap
	mkdir -p t/helpers/gen
	bin/uvregmap skeleton --name uvregmap-skel-model -o $@ $<

$(SKEL_MODEL): t/helpers/gen/uvregmap-skel-model.c $(LIB) $(HDRS)
	$(CC) $(UV_CFLAGS) $(CFLAGS) $(TOOL_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(UV_LIBS)

t/unit/%: t/unit/%.c t/unit/tap.h $(LIB) $(HDRS)
	$(CC) $(UV_CFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(UV_LIBS)

# -fno-builtin-memcpy: GCC otherwise inlines the ring's 256-byte slot copies
# uninstrumented, and TSan could not see a race on the slots.
t/unit/ring-stress-tsan: t/unit/ring-stress.c t/unit/tap.h $(LIB_SRCS) $(HDRS)
	$(CC) $(UV_CFLAGS) -O1 -g -fsanitize=thread -fno-builtin-memcpy -o $@ $< $(LIB_SRCS) $(UV_LIBS)

t/helpers/%: t/helpers/%.c t/helpers/helper.h $(LIB) $(HDRS)
	$(CC) $(UV_CFLAGS) $(CFLAGS) $(TOOL_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(UV_LIBS)

t/bench/%: t/bench/%.c $(LIB) $(HDRS)
	$(CC) $(UV_CFLAGS) $(CFLAGS) $(TOOL_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(UV_LIBS)
t/bench/uvpci-bench-model: kernel/uapi/uvpci_bench.h

# ring-bench measures DPDK's rte_ring beside the uvBus ring when
# libdpdk-dev is installed (contrib/install-deps bench); without it, its
# rows say n/a. Only librte_ring (and the EAL it links) is used: no EAL init.
# DPDK's static archives need half of Debian: linked dynamically then.
DPDK_CFLAGS := $(shell pkg-config --cflags libdpdk 2>/dev/null)
t/bench/ring-bench: t/bench/ring-bench.c $(LIB) $(HDRS)
	$(CC) $(UV_CFLAGS) $(CFLAGS) $(if $(DPDK_CFLAGS),-DHAVE_RTE_RING $(DPDK_CFLAGS)) \
		$(if $(DPDK_CFLAGS),,$(TOOL_LDFLAGS)) $(LDFLAGS) -o $@ $< $(LIB) $(UV_LIBS) \
		$(if $(DPDK_CFLAGS),-lrte_ring -lrte_eal) -lpthread

# @NUMBERS@ on a line of its own: the NUMBERS section every CLI page shares.
man/%: man/%.in man/numbers.inc
	sed -e 's/@VERSION@/$(VERSION)/g' -e '/^@NUMBERS@$$/{r man/numbers.inc' -e 'd;}' $< > $@

# uvnic(4)'s register table: @UVNIC_REGS@ on a line of its own.
man/uvnic.4: man/uvnic.4.in man/numbers.inc man/uvnic.4.regs
	sed -e 's/@VERSION@/$(VERSION)/g' -e '/^@NUMBERS@$$/{r man/numbers.inc' -e 'd;}' \
		-e '/^@UVNIC_REGS@$$/{r man/uvnic.4.regs' -e 'd;}' $< > $@

man/uvnic.4.regs: kernel/uapi/uvnic.regmap bin/uvregmap
	bin/uvregmap man -o $@ $<

man: $(MANS)

# The port census: every PCI NIC driver of a kernel source tree ported with
# contrib/uvpci-port and built against uvpci.ko. Minutes of kernel builds,
# so not part of check. CENSUS_ARGS: e.g. --work DIR, -j N, PATH...
.PHONY: census
census: modules
	nice -n 19 contrib/uvpci-census --kdir $(KDIR) $(CENSUS_ARGS)

# Linux's own e1000 (drivers/net/ethernet/intel/e1000) for
# t/kernel/e1000.bats, and its 8139too (drivers/net/ethernet/realtek/
# 8139too.c) for t/kernel/rtl8139.bats: each taken from the linux-source
# tarball, ported by ONE uvpci-port --to-uvpci -i run with no hand edit,
# built against uvpci.ko into build/ (not committed) for the guest to
# insmod, and checked to import no real MMIO or port I/O. Per driver:
# PORT_DIR gets the tarball's files matching PORT_GLOB with PORT_STRIP
# components off, PORT_FILES are ported, PORT_KBUILD (a printf format)
# follows the include flags in its Kbuild.
E1000_DIR := build/e1000
E1000_KO  := $(E1000_DIR)/e1000.ko
E1000_SRC := drivers/net/ethernet/intel/e1000
RTL8139_DIR := build/8139too
RTL8139_KO  := $(RTL8139_DIR)/8139too.ko

.PHONY: e1000 8139too
e1000: modules
	$(MAKE) $(E1000_KO)

8139too: modules
	$(MAKE) $(RTL8139_KO)

$(E1000_KO): PORT_DIR := $(E1000_DIR)
$(E1000_KO): PORT_STRIP := 6
$(E1000_KO): PORT_GLOB := */$(E1000_SRC)/*
$(E1000_KO): PORT_FILES := *.c *.h
$(E1000_KO): PORT_KBUILD := obj-m += e1000.o\ne1000-objs := e1000_main.o e1000_hw.o e1000_ethtool.o e1000_param.o\n
$(RTL8139_KO): PORT_DIR := $(RTL8139_DIR)
$(RTL8139_KO): PORT_STRIP := 5
$(RTL8139_KO): PORT_GLOB := */drivers/net/ethernet/realtek/8139too.c
$(RTL8139_KO): PORT_FILES := 8139too.c
$(RTL8139_KO): PORT_KBUILD := obj-m += 8139too.o\n

$(E1000_KO) $(RTL8139_KO): kernel/Module.symvers contrib/uvpci-port contrib/uvpci-port.names kernel/uvpci.h
	@test -n "$(LINUX_SOURCE)" || { echo "make: no /usr/src/linux-source-*.tar.xz: apt-get install linux-source-6.1" >&2; exit 1; }
	rm -rf $(PORT_DIR)
	mkdir -p $(PORT_DIR)
	tar -xJf $(LINUX_SOURCE) -C $(PORT_DIR) --strip-components=$(PORT_STRIP) --wildcards '$(PORT_GLOB)'
	cd $(PORT_DIR) && $(CURDIR)/contrib/uvpci-port --to-uvpci -i --strict $(PORT_FILES)
	printf 'ccflags-y += -I%s/kernel -I%s/kernel/uapi\n$(PORT_KBUILD)' $(CURDIR) $(CURDIR) > $(PORT_DIR)/Kbuild
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(PORT_DIR) KBUILD_EXTRA_SYMBOLS=$(CURDIR)/kernel/Module.symvers modules
	contrib/uvpci-port --check-module $@

modules: $(GEN_HDRS)
	@test -d "$(KDIR)" || { echo "make: no kernel build tree at '$(KDIR)': apt-get install linux-headers-amd64, or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel modules

# --- tests -----------------------------------------------------------

# check, demo, bench and lint first install the Debian packages of their
# own group that are missing (contrib/install-deps), then build in a fresh
# make so that pkg-config and $(wildcard) see the new packages. make deps
# installs every group.
deps:
	contrib/install-deps demo check lint bench

check:
	contrib/install-deps check
	$(MAKE) all e1000 8139too $(UNITS) $(TSAN_UNITS)
	t/run-checks

# The same suite while CPU-bound processes occupy every core (t/loaded).
check-loaded:
	contrib/install-deps check
	$(MAKE) all e1000 8139too $(UNITS) $(TSAN_UNITS)
	t/loaded t/run-checks

# The packages on a clean system (t/debs-check): a debootstrap chroot
# cached in UVNIC_TEST_CACHE (/var/cache/uvnic-test); UVNIC_GUEST_LOCK
# names a lock file held while its guest runs. Not in check: minutes.
check-debs:
	contrib/install-deps check debs
	UVNIC_CHECK_DEBS=1 bats -T t/host/debs.bats

check-unit: userspace $(UNITS) $(TSAN_UNITS)
	t/run-checks unit

check-host: userspace
	t/run-checks host

check-kernel: all e1000 8139too
	t/run-checks kernel

# The storms of t/kernel/uvpci-storm.bats for STRESS_SECS (60) each, instead
# of make check's few seconds, and every storm uncapped.
STRESS_SECS ?= 60

# BOOTS (50) guest boots in a row, each checked whole (t/boot-check).
BOOTS ?= 50

boot-check:
	contrib/install-deps check
	$(MAKE) all
	t/boot-check $(BOOTS)

stress:
	contrib/install-deps check
	$(MAKE) all
	bin/uvnic-vm --timeout $$(( 4 * $(STRESS_SECS) + 600 )) -- \
		env UVNIC_STORM_SECS=$(STRESS_SECS) UVNIC_STORM_RATE= bats t/kernel/uvpci-storm.bats

# t/helpers/uvbus-fuzz for FUZZ_SECONDS as root in a guest, uvpci_sample.ko
# bound to its device and polling every 10 ms; FUZZ_SEED replays a run.
# Fails on a finding or on a kernel log problem (uvnic-vm's check).
FUZZ_SECONDS ?= 600
FUZZ_SEED ?=

fuzz:
	contrib/install-deps check
	$(MAKE) all
	bin/uvnic-vm --timeout $$(( $(FUZZ_SECONDS) + 600 )) --module kernel/uvpci_sample.ko -- \
		sh -c 'echo 10 >/sys/module/uvpci_sample/parameters/poll_ms && exec uvbus-fuzz "$$@"' \
		uvbus-fuzz --duration $(FUZZ_SECONDS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED))

bench:
	contrib/install-deps bench
	$(MAKE) all
	t/bench/run

demo:
	contrib/install-deps demo
	$(MAKE) all
	contrib/demo

# checkpatch (from Debian's linux-source tarball) and sparse on the kernel
# code, and a warning-free render of every man page.
LINUX_SOURCE ?= $(firstword $(wildcard /usr/src/linux-source-*.tar.xz))
CHECKPATCH := .lint-cache/scripts/checkpatch.pl
KERNEL_SRCS := $(filter-out %.mod.c,$(wildcard kernel/*.c kernel/*.h)) \
	       $(sort $(wildcard kernel/uapi/*.h) $(GEN_HDRS))

$(CHECKPATCH):
	@test -n "$(LINUX_SOURCE)" || { echo "make: no /usr/src/linux-source-*.tar.xz: apt-get install linux-source-6.1" >&2; exit 1; }
	mkdir -p .lint-cache
	tar -xJf $(LINUX_SOURCE) -C .lint-cache --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'

lint:
	contrib/install-deps lint
	$(MAKE) lint-run

# lint without the install step
lint-run: $(CHECKPATCH) man $(GEN_HDRS)
	$(CHECKPATCH) --no-tree --quiet --show-types -f $(KERNEL_SRCS)
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel C=2 modules 2>&1 | tee .lint-cache/sparse.log
	! grep -E '(warning|error):' .lint-cache/sparse.log
	for m in $(MANS); do LC_ALL=C.UTF-8 groff -t -ww -z -man $$m || exit 1; done

# --- install ---------------------------------------------------------

# The public headers: the API of libuvnic and the uapi formats it uses.
# lib/transport/deadline.h and lib/tools/uvpci-cli.h are the library's and the uvPCI
# tools' own (their symbols are not in lib/libuvnic.map); uvpci_bench.h
# is the benchmark's. Installed flat under $(INCDIR)/uvnic, where their
# "uvbus.h"-style includes find each other; libuvnic.pc adds that to -I.
PUBLIC_HDRS := lib/libuvnic.h lib/device/uvpci-device.h lib/tools/uvpci-regspec.h \
	       lib/models/uvnic/uvnic-model.h lib/models/uvnic/uvnic-offload.h lib/regmap/uvregmap.h \
	       kernel/uapi/uvbus.h kernel/uapi/uvnic.h $(GEN_HDRS)

# The modules a system gets: not the test drivers uvpci_sample, uvpci_bench.
INSTALL_MODULES := kernel/uvbus.ko kernel/uvpci.ko kernel/uvnic.ko

# Position-independent objects for the shared library, beside the static
# library's.
lib/%.os: lib/%.c $(HDRS)
	$(CC) $(UV_CFLAGS) $(CFLAGS) -fPIC -c -o $@ $<

$(SOLIB): $(LIB_SRCS:.c=.os) lib/libuvnic.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,libuvnic.so.$(SOVERSION) \
		-Wl,--version-script=lib/libuvnic.map -Wl,--as-needed -Wl,-z,defs \
		-o $@ $(LIB_SRCS:.c=.os) -largtable2 $(BSD_LIBS) -lpthread
	ln -sf libuvnic.so.$(VERSION) lib/libuvnic.so.$(SOVERSION)
	ln -sf libuvnic.so.$(VERSION) lib/libuvnic.so

install: userspace install-completion install-bats install-kbuild
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(INCDIR)/uvnic $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man4 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man9
	install -m 0755 $(TOOLS) $(DESTDIR)$(SBINDIR)
	install -m 0755 bin/uvnic-vm contrib/uvpci-port $(DESTDIR)$(BINDIR)
	install -d $(DESTDIR)$(DATADIR)/uvnic
	install -m 0644 contrib/uvpci-port.names $(DESTDIR)$(DATADIR)/uvnic
	install -m 0644 $(LIB) $(DESTDIR)$(LIBDIR)
	install -m 0755 $(SOLIB) $(DESTDIR)$(LIBDIR)
	ln -sf libuvnic.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libuvnic.so.$(SOVERSION)
	ln -sf libuvnic.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libuvnic.so
	# (written here: it holds this make's PREFIX and directories)
	sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@PREFIX@|$(PREFIX)|g' \
		-e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCDIR@|$(INCDIR)|g' \
		-e 's|@KBUILDDIR@|$(KBUILDDIR)|g' lib/libuvnic.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/libuvnic.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/libuvnic.pc
	install -m 0644 $(PUBLIC_HDRS) $(DESTDIR)$(INCDIR)/uvnic
	for m in $(MANS); do s=$${m##*.}; install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s; done
	install -d $(DESTDIR)$(UDEVRULESDIR)
	install -m 0644 contrib/udev/70-uvbus.rules $(DESTDIR)$(UDEVRULESDIR)

# The module sources for DKMS (contrib/dkms.conf): dkms add/build/install
# uvnic/$(VERSION) then builds them for every kernel.
DKMS_SRCS := kernel/Kbuild $(filter-out %.mod.c,$(wildcard kernel/*.c kernel/*.h)) \
	     $(sort $(wildcard kernel/uapi/*.h) $(GEN_HDRS))

install-dkms: $(GEN_HDRS)
	install -d $(DESTDIR)$(DKMSDIR)/kernel/uapi
	install -m 0644 contrib/dkms.conf $(DESTDIR)$(DKMSDIR)
	for f in $(DKMS_SRCS); do install -m 0644 $$f $(DESTDIR)$(DKMSDIR)/$$f || exit 1; done

# The kit for out-of-tree uvPCI drivers (kernel/uvpci.mk says how):
#   $(KBUILDDIR)/uvpci.mk               the Kbuild include
#   $(KBUILDDIR)/include/uvpci.h        the driver API
#   $(KBUILDDIR)/KVER/Module.symvers    uvpci's exported symbols, per kernel
# Module.symvers comes from make modules, for the kernel it built against.
install-kbuild:
	install -d $(DESTDIR)$(KBUILDDIR)/include
	install -m 0644 kernel/uvpci.mk $(DESTDIR)$(KBUILDDIR)
	install -m 0644 kernel/uvpci.h $(DESTDIR)$(KBUILDDIR)/include
	if [ -f kernel/Module.symvers ] && [ -n "$(KVER)" ]; then \
		install -d $(DESTDIR)$(KBUILDDIR)/$(KVER) && \
		install -m 0644 kernel/Module.symvers $(DESTDIR)$(KBUILDDIR)/$(KVER); \
	else \
		echo "make: no kernel/Module.symvers (make modules first): out-of-tree drivers cannot link against uvpci" >&2; \
	fi

# One completion file for every tool, under each tool's name: bash-completion
# loads completions/TOOL when TOOL is first completed.
COMPLETED := $(notdir $(TOOLS)) uvnic-vm uvpci-port

install-completion:
	install -d $(DESTDIR)$(BASHCOMPDIR)
	for t in $(COMPLETED); do install -m 0644 contrib/completion/uvnic $(DESTDIR)$(BASHCOMPDIR)/$$t || exit 1; done

# The bats library for users' suites, where bats_load_library finds it
# (bats' default BATS_LIB_PATH is /usr/lib/bats: PREFIX=/usr puts it there;
# shell code, so not under a multiarch LIBDIR).
BATSLIBDIR ?= $(PREFIX)/lib/bats

install-bats:
	install -d $(DESTDIR)$(BATSLIBDIR)/uvnic
	install -m 0644 contrib/bats/uvnic/load.bash $(DESTDIR)$(BATSLIBDIR)/uvnic

# install(1), not Kbuild's modules_install: that one ignores DESTDIR, takes
# every module, and signs each (an error per module without the kernel's
# signing key). depmod runs on a live module tree (no DESTDIR, and
# modules.order there: a kernel's own); a package's postinst runs it.
MODDIR = $(DESTDIR)$(INSTALL_MOD_PATH)/lib/modules/$(KVER)

modules_install: modules
	install -d $(MODDIR)/extra
	install -m 0644 $(INSTALL_MODULES) $(MODDIR)/extra
	if [ -z "$(DESTDIR)" ] && [ -f $(MODDIR)/modules.order ] && command -v depmod >/dev/null; then \
		depmod -b "$(or $(INSTALL_MOD_PATH),/)" $(KVER); \
	else \
		echo "make: run depmod $(KVER) once the modules are in place" >&2; \
	fi

clean:
	rm -f $(LIB) $(LIB_OBJS) $(LIB_SRCS:.c=.os) lib/libuvnic.so* $(TOOLS) $(UNITS) $(TSAN_UNITS) $(THELPERS) $(MANS)
	rm -f $(GEN_HDRS) man/uvnic.4.regs $(SKEL_MODEL)
	rm -rf t/helpers/gen
	rm -rf .lint-cache $(E1000_DIR)
	-test -d "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR)/kernel clean
