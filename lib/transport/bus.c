// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * bus.c - channel control on a /dev/uvbus descriptor: the ioctl wrappers.
 *
 * Each wrapper zeroes its argument (reserved fields must be zero), copies
 * the name in after checking only that it fits, and returns 0 or -errno.
 * Every other rule (allowed characters, types, flags) is the kernel's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libuvnic.h"

_Static_assert(sizeof(struct uvbus_msg) == UVBUS_MSG_SIZE,
	       "struct uvbus_msg must be UVBUS_MSG_SIZE bytes");

const char *uvbus_device_path(void)
{
	const char *p = getenv("UVBUS_DEVICE");

	return p && *p ? p : UVBUS_DEVICE_PATH;
}

int uvbus_open(void)
{
	int fd = open(uvbus_device_path(), O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int uvbus_check_name(const char *name)
{
	if (!name || !*name)
		return -EINVAL;
	if (strnlen(name, UVBUS_NAME_MAX) >= UVBUS_NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

int uvbus_copy_name(char dst[UVBUS_NAME_MAX], const char *name)
{
	int rc = uvbus_check_name(name);

	if (rc)
		return rc;
	memset(dst, 0, UVBUS_NAME_MAX);
	strlcpy(dst, name, UVBUS_NAME_MAX);
	return 0;
}

/* ioctl(2) as the library's convention: 0 or -errno. */
static int uvbus_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

int uvbus_version(int fd, struct uvbus_version *v)
{
	memset(v, 0, sizeof(*v));
	return uvbus_ioctl(fd, UVBUS_IOC_VERSION, v);
}

int uvbus_check_version(int fd)
{
	struct uvbus_version v;
	int rc = uvbus_version(fd, &v);

	if (rc)
		return rc;
	if (v.abi != UVBUS_ABI_VERSION || v.msg_size != sizeof(struct uvbus_msg))
		return -ENOPROTOOPT;
	return 0;
}

int uvbus_create(int fd, const struct uvbus_create *req)
{
	size_t len = strnlen(req->name, sizeof(req->name));

	/* The kernel would refuse these too; saying so here costs nothing. */
	if (len == 0)
		return -EINVAL;
	if (len == sizeof(req->name))
		return -ENAMETOOLONG;
	return uvbus_ioctl(fd, UVBUS_IOC_CREATE, (void *)req);
}

int uvbus_create_loopback(int fd, const char *name, uint32_t flags)
{
	struct uvbus_create req;
	int rc;

	memset(&req, 0, sizeof(req));
	rc = uvbus_copy_name(req.name, name);
	if (rc)
		return rc;
	req.type = UVBUS_TYPE_LOOPBACK;
	req.flags = flags;
	return uvbus_create(fd, &req);
}

/* DESTROY, RESET and uvPCI's RELEASE share their argument. */
static int uvbus_name_ioctl(int fd, unsigned long cmd, const char *name)
{
	struct uvbus_name arg;
	int rc;

	memset(&arg, 0, sizeof(arg));
	rc = uvbus_copy_name(arg.name, name);
	if (rc)
		return rc;
	return uvbus_ioctl(fd, cmd, &arg);
}

int uvbus_destroy(int fd, const char *name)
{
	return uvbus_name_ioctl(fd, UVBUS_IOC_DESTROY, name);
}

int uvbus_reset(int fd, const char *name)
{
	return uvbus_name_ioctl(fd, UVBUS_IOC_RESET, name);
}

int uvpci_release(int fd, const char *name)
{
	return uvbus_name_ioctl(fd, UVPCI_IOC_RELEASE, name);
}

int uvbus_info(int fd, const char *name, struct uvbus_info *info)
{
	int rc;

	memset(info, 0, sizeof(*info));
	rc = uvbus_copy_name(info->name, name);
	if (rc)
		return rc;
	return uvbus_ioctl(fd, UVBUS_IOC_INFO, info);
}

int uvbus_list(int fd, uint32_t index, struct uvbus_info *info)
{
	int rc;

	memset(info, 0, sizeof(*info));
	info->index = index;
	rc = uvbus_ioctl(fd, UVBUS_IOC_LIST, info);
	/* Never hand the caller an unterminated name. */
	info->name[sizeof(info->name) - 1] = '\0';
	return rc;
}

const char *uvbus_type_name(uint32_t type)
{
	switch (type) {
	case UVBUS_TYPE_LOOPBACK:
		return "loopback";
	case UVBUS_TYPE_UVPCI:
		return "uvpci";
	default:
		return "unknown";
	}
}

const char *uvbus_state_name(uint32_t state)
{
	switch (state) {
	case UVBUS_STATE_OK:
		return "ok";
	case UVBUS_STATE_BROKEN:
		return "broken";
	default:
		return "unknown";
	}
}
