// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * uvpci-mmio.c - host-side register access to a uvPCI device
 * (UVPCI_IOC_MMIO), for uvpci-peek and uvpci-poke: the same path as a
 * driver's access, so an attached model sees it; and the driver bound to
 * a device, from sysfs.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libuvnic.h"

static int mmio_ioctl(int fd, const char *name, struct uvpci_mmio_req *req)
{
	int rc = uvbus_copy_name(req->name, name);

	if (rc)
		return rc;
	return ioctl(fd, UVPCI_IOC_MMIO, req) < 0 ? -errno : 0;
}

int uvpci_mmio_read(int fd, const char *name, unsigned int bar,
		    uint64_t offset, unsigned int size, uint64_t *value)
{
	struct uvpci_mmio_req req;
	int rc;

	if (bar > 0xff || size > 0xff)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.bar = (__u8)bar;
	req.size = (__u8)size;
	req.offset = offset;
	rc = mmio_ioctl(fd, name, &req);
	if (!rc)
		*value = req.value;
	return rc;
}

int uvpci_mmio_write(int fd, const char *name, unsigned int bar,
		     uint64_t offset, unsigned int size, uint64_t value)
{
	struct uvpci_mmio_req req;

	if (bar > 0xff || size > 0xff)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.bar = (__u8)bar;
	req.size = (__u8)size;
	req.write = 1;
	req.offset = offset;
	req.value = value;
	return mmio_ioctl(fd, name, &req);
}

int uvpci_driver_name(const char *name, char *buf, size_t size)
{
	char path[64 + UVBUS_NAME_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;
	int rc = uvbus_check_name(name);

	if (rc)
		return rc;
	snprintf(path, sizeof(path), "/sys/bus/uvpci/devices/%s/driver", name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (!*base)
		return -ENOENT;
	if (strlcpy(buf, base, size) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int uvpci_msix_state(int fd, const char *name, struct uvpci_msix_state *state)
{
	int rc;

	memset(state, 0, sizeof(*state));
	rc = uvbus_copy_name(state->name, name);
	if (rc)
		return rc;
	return ioctl(fd, UVPCI_IOC_MSIX, state) < 0 ? -errno : 0;
}

int uvpci_params_msix(struct uvpci_params *p, unsigned int count, int bar,
		      int64_t offset)
{
	uint64_t size, need;

	if (bar < 0)
		bar = 0;
	if (!count || count > UVPCI_MAX_MSIX || bar >= UVPCI_NUM_BARS)
		return -EINVAL;
	size = p->bar[bar].size;
	if (!size)
		return -ENOENT;
	need = UVPCI_MSIX_TABLE_SIZE(count) + UVPCI_MSIX_PBA_SIZE(count);
	if (offset < 0)
		offset = (int64_t)(size / 2);
	if (offset & 7)
		return -EINVAL;
	if ((uint64_t)offset > size || size - (uint64_t)offset < need ||
	    (uint64_t)offset > UINT32_MAX)
		return -ERANGE;
	p->msix_count = (__u16)count;
	p->msix_bar = (__u8)bar;
	p->msix_offset = (__u32)offset;
	return 0;
}
