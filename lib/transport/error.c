// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * error.c - errno values as one clear line: the description, and a hint
 * saying what to check, chosen by what the failed call was doing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libuvnic.h"

/* The hints below spell the name rule out. */
_Static_assert(UVBUS_NAME_MAX == 32, "update the name hints");

const char *uvnic_strerror(int err)
{
	const char *s;

	if (err < 0)
		err = -err;
	/* Unlike strerror(3), a static string whatever the value or thread. */
	s = strerrordesc_np(err);
	return s ? s : "Unknown error";
}

const char *uvnic_hint(int err, enum uvnic_ctx ctx)
{
	if (err < 0)
		err = -err;

	if (ctx == UVNIC_CTX_DEVICE) {
		switch (err) {
		case ENOENT:
		case ENODEV:
		case ENXIO:
			return "is uvbus.ko loaded?";
		case EACCES:
		case EPERM:
			return "needs root";
		}
	}

	switch (err) {
	case EPERM:
	case EACCES:
		return "needs root or CAP_SYS_ADMIN";
	case ENOTTY:
		return "not a uvbus device, or a uvbus.ko of another version";
	case ENOPROTOOPT:
		return "uvbus.ko and libuvnic speak different ABI versions";
	case EPIPE:
		return "the channel is broken: see the kernel log";
	case EPROTO:
		return "a ring index in shared memory is corrupt";
	case ENAMETOOLONG:
		return "names are at most 31 characters";
	}

	if (ctx == UVNIC_CTX_CHANNEL) {
		switch (err) {
		case ENOENT:
			return "no such channel";
		case ENODEV:
			return "the channel was destroyed";
		case EINVAL:
			return "bad name or request; names are 1-31 characters of A-Z a-z 0-9 _ . -";
		case EOPNOTSUPP:
			return "not supported by this channel type";
		case EPROTONOSUPPORT:
			return "channel type not available: is its module (uvpci.ko) loaded?";
		case ENOSPC:
			return "too many channels: see uvbus.ko's max_channels";
		}
	}
	return NULL;
}

int uvnic_format_error(char *buf, size_t size, int err, enum uvnic_ctx ctx)
{
	const char *hint = uvnic_hint(err, ctx);

	if (hint)
		return snprintf(buf, size, "%s (%s)", uvnic_strerror(err), hint);
	return snprintf(buf, size, "%s", uvnic_strerror(err));
}
