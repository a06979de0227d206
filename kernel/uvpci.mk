# SPDX-License-Identifier: GPL-2.0
# uvpci.mk - the Kbuild include for an out-of-tree driver on uvPCI. A
# driver's whole Makefile:
#
#	obj-m := mydrv.o
#	mydrv-y := main.o ring.o	# (when it has more than one file)
#	include $(shell pkg-config --variable=kbuild libuvnic)
#
# then `make` builds mydrv.ko for KVER (default: the running kernel when
# uvpci was installed for it, else the newest kernel it was installed
# for), `make clean` cleans; KDIR overrides the kernel build tree. In
# Kbuild's own pass it adds uvpci.h to the include path and uvpci's
# Module.symvers to modpost's, so that uvpci_* symbols resolve.
#
# Two layouts: installed (make install-kbuild: include/uvpci.h and
# KVER/Module.symvers beside this file) and the source tree (uvpci.h and
# Module.symvers beside it in kernel/, for the kernel make modules used).

uvnic_kbuild := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))

ifneq ($(wildcard $(uvnic_kbuild)/include/uvpci.h),)
uvnic_kbuild_kvers := $(patsubst $(uvnic_kbuild)/%/Module.symvers,%,$(wildcard $(uvnic_kbuild)/*/Module.symvers))
ifeq ($(KERNELRELEASE),)
KVER ?= $(if $(filter $(shell uname -r),$(uvnic_kbuild_kvers)),$(shell uname -r),$(lastword $(sort $(uvnic_kbuild_kvers))))
uvnic_symvers := $(uvnic_kbuild)/$(KVER)/Module.symvers
else
uvnic_symvers := $(uvnic_kbuild)/$(KERNELRELEASE)/Module.symvers
endif
ccflags-y += -I$(uvnic_kbuild)/include
else
uvnic_symvers := $(uvnic_kbuild)/Module.symvers
ccflags-y += -I$(uvnic_kbuild)
endif

KBUILD_EXTRA_SYMBOLS += $(uvnic_symvers)

ifeq ($(KERNELRELEASE),)
# The user's make: hand over to the kernel's build tree.
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

modules:
	@test -f "$(uvnic_symvers)" || { echo "uvpci.mk: no $(uvnic_symvers): uvpci is not installed for kernel '$(KVER)' (build and install uvNIC for it, or set KVER)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

.PHONY: modules clean
endif
