// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli-parse - libuvnic's bounded number parser, the name checks done
 * before a name is copied into an ioctl argument, and the error text the
 * CLIs print. TAP output; exit 0 when every test passed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libuvnic.h"
#include "tap.h"


/* Parse @s with bound @max: expect @want_rc and, on success, @want. */
static void u64(const char *s, uint64_t max, int want_rc, uint64_t want)
{
	uint64_t v = 0xabad1deaULL;
	int rc = uvnic_parse_u64(s, max, &v);
	int good = rc == want_rc && (rc ? v == 0xabad1deaULL : v == want);

	ok(good, "parse_u64(%s%s%s, max %" PRIu64 ") = %d (%s), value %" PRIu64,
	    s ? "\"" : "", s ? s : "NULL", s ? "\"" : "", max, rc,
	    rc ? uvnic_strerror(rc) : "ok", v);
}

static void uint_(const char *s, unsigned int min, unsigned int max,
		  int want_rc, unsigned int want)
{
	unsigned int v = 12345;
	int rc = uvnic_parse_uint(s, min, max, &v);

	ok(rc == want_rc && (rc ? v == 12345 : v == want),
	    "parse_uint(\"%s\", %u..%u) = %d, value %u", s, min, max, rc, v);
}

static void name(const char *s, int want_rc, const char *desc)
{
	int rc = uvbus_check_name(s);

	ok(rc == want_rc, "check_name(%s) = %d (%s)", desc, rc,
	    rc ? uvnic_strerror(rc) : "ok");
}

static void number_tests(void)
{
	/* decimal and hex */
	u64("0", 10, 0, 0);
	u64("4096", 4096, 0, 4096);
	u64("0x1000", 4096, 0, 4096);
	u64("0X1000", 4096, 0, 4096);
	u64("0xdeadBEEF", UINT64_MAX, 0, 0xdeadbeefULL);
	u64("0x0010", 100, 0, 16);		/* zeros after 0x are fine */
	u64("18446744073709551615", UINT64_MAX, 0, UINT64_MAX);
	u64("0xffffffffffffffff", UINT64_MAX, 0, UINT64_MAX);
	/* bounds */
	u64("4097", 4096, -ERANGE, 0);
	u64("0x1001", 4096, -ERANGE, 0);
	u64("18446744073709551616", UINT64_MAX, -ERANGE, 0);	/* 2^64 */
	u64("0x10000000000000000", UINT64_MAX, -ERANGE, 0);
	u64("99999999999999999999999", UINT64_MAX, -ERANGE, 0);
	/* not numbers: everything atoi/strtoul would let through */
	u64(NULL, 10, -EINVAL, 0);
	u64("", 10, -EINVAL, 0);
	u64("0x", 10, -EINVAL, 0);
	u64("-1", UINT64_MAX, -EINVAL, 0);
	u64("+1", 10, -EINVAL, 0);
	u64(" 1", 10, -EINVAL, 0);
	u64("1 ", 10, -EINVAL, 0);
	u64("12abc", UINT64_MAX, -EINVAL, 0);
	u64("0x1g", UINT64_MAX, -EINVAL, 0);
	u64("1e3", UINT64_MAX, -EINVAL, 0);
	u64("1k", UINT64_MAX, -EINVAL, 0);
	u64("0b101", UINT64_MAX, -EINVAL, 0);
	u64("99999999999999999999999x", UINT64_MAX, -EINVAL, 0);	/* junk wins over range */
	/* a leading zero: octal to C, hex to setpci; refused, not guessed */
	u64("010", 100, -EINVAL, 0);
	u64("00", 100, -EINVAL, 0);
	u64("08", 100, -EINVAL, 0);
	u64("0x", 100, -EINVAL, 0);
	u64("ff", UINT64_MAX, -EINVAL, 0);		/* hex needs its 0x */
	ok(!strcmp(uvnic_parse_why("010", 3, -EINVAL),
		   "a leading zero is ambiguous (decimal, or hex with 0x, no octal)"),
	   "why: a leading zero");
	ok(!strcmp(uvnic_parse_why("x1", 2, -EINVAL), "not a number (decimal, or hex with 0x)"),
	   "why: not a number");
	ok(!strcmp(uvnic_parse_why("0", 1, -EINVAL), "not a number (decimal, or hex with 0x)"),
	   "why: a lone 0 is no leading zero");
	{
		uint64_t v = 0;
		int rc = uvnic_parse_u64n("12345", 2, UINT64_MAX, &v);

		ok(rc == 0 && v == 12, "parse_u64n reads only its length: %d %" PRIu64, rc, v);
	}

	uint_("2", 2, 4096, 0, 2);
	uint_("1", 2, 4096, -ERANGE, 0);
	uint_("4097", 2, 4096, -ERANGE, 0);
	uint_("0x100", 2, 4096, 0, 256);
	uint_("4294967296", 0, UINT32_MAX, -ERANGE, 0);
	uint_("4294967295", 0, UINT32_MAX, 0, UINT32_MAX);
}

static void name_tests(void)
{
	char buf[64];

	name("a", 0, "\"a\"");
	name("loop0", 0, "\"loop0\"");
	memset(buf, 'n', 31);
	buf[31] = '\0';
	name(buf, 0, "31 characters");
	buf[31] = 'n';
	buf[32] = '\0';
	name(buf, -ENAMETOOLONG, "32 characters");
	memset(buf, 'n', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	name(buf, -ENAMETOOLONG, "63 characters");
	name("", -EINVAL, "\"\"");
	name(NULL, -EINVAL, "NULL");
	/* The characters are the kernel's to judge, not the library's. */
	name("a b/c", 0, "\"a b/c\" (left to the kernel)");

	/* copy_name: NUL-padded on success, the field untouched on error */
	char field[UVBUS_NAME_MAX + 1];
	size_t i;
	int pad = 1;

	memset(field, 'x', sizeof(field));
	ok(uvbus_copy_name(field, "dev0") == 0 && !strcmp(field, "dev0"),
	    "copy_name(\"dev0\") copies it");
	for (i = 4; i < UVBUS_NAME_MAX; i++)
		pad &= field[i] == '\0';
	ok(pad && field[UVBUS_NAME_MAX] == 'x',
	    "copy_name pads the field with NULs and writes nothing past it");
	memset(buf, 'n', 32);
	buf[32] = '\0';
	memset(field, 'x', sizeof(field));
	ok(uvbus_copy_name(field, buf) == -ENAMETOOLONG && field[0] == 'x' &&
	    field[UVBUS_NAME_MAX - 1] == 'x',
	    "copy_name of 32 characters: -ENAMETOOLONG, field untouched");
	ok(uvbus_copy_name(field, "") == -EINVAL && field[0] == 'x',
	    "copy_name(\"\"): -EINVAL, field untouched");
}

static void error_tests(void)
{
	char buf[128];
	int n;

	ok(!strcmp(uvnic_strerror(-ENOENT), "No such file or directory") &&
	    !strcmp(uvnic_strerror(ENOENT), "No such file or directory"),
	    "strerror takes either sign");
	ok(uvnic_strerror(-99999) != NULL, "strerror of an unknown value: \"%s\"",
	    uvnic_strerror(-99999));
	ok(uvnic_hint(-ENOENT, UVNIC_CTX_DEVICE) &&
	    strstr(uvnic_hint(-ENOENT, UVNIC_CTX_DEVICE), "uvbus.ko"),
	    "hint: opening the device, ENOENT mentions uvbus.ko");
	ok(uvnic_hint(-EACCES, UVNIC_CTX_DEVICE) &&
	    strstr(uvnic_hint(-EACCES, UVNIC_CTX_DEVICE), "root"),
	    "hint: opening the device, EACCES mentions root");
	ok(uvnic_hint(-EPERM, UVNIC_CTX_CHANNEL) &&
	    strstr(uvnic_hint(-EPERM, UVNIC_CTX_CHANNEL), "CAP_SYS_ADMIN"),
	    "hint: EPERM on a channel mentions CAP_SYS_ADMIN");
	ok(uvnic_hint(-ENOENT, UVNIC_CTX_CHANNEL) &&
	    !strstr(uvnic_hint(-ENOENT, UVNIC_CTX_CHANNEL), "uvbus.ko"),
	    "hint: ENOENT on a channel does not blame the module");
	ok(uvnic_hint(-EEXIST, UVNIC_CTX_CHANNEL) == NULL,
	    "hint: none for EEXIST (the description says it all)");

	n = uvnic_format_error(buf, sizeof(buf), -ENOENT, UVNIC_CTX_DEVICE);
	ok(n == (int)strlen(buf) &&
	    !strcmp(buf, "No such file or directory (is uvbus.ko loaded?)"),
	    "format_error: \"%s\"", buf);
	n = uvnic_format_error(buf, sizeof(buf), -EEXIST, UVNIC_CTX_CHANNEL);
	ok(!strcmp(buf, "File exists"), "format_error: \"%s\"", buf);
	n = uvnic_format_error(buf, 8, -ENOENT, UVNIC_CTX_DEVICE);
	ok(n > 8 && strlen(buf) == 7, "format_error truncates and says how long");

	ok(!strcmp(uvbus_type_name(UVBUS_TYPE_LOOPBACK), "loopback") &&
	    !strcmp(uvbus_type_name(UVBUS_TYPE_UVPCI), "uvpci") &&
	    !strcmp(uvbus_type_name(77), "unknown"), "type names");
	ok(!strcmp(uvbus_state_name(UVBUS_STATE_OK), "ok") &&
	    !strcmp(uvbus_state_name(UVBUS_STATE_BROKEN), "broken"),
	    "state names");
}

/* Without the module: the device path and the errors the calls return. */
static void device_tests(void)
{
	struct uvbus_port *port = NULL;
	struct uvbus_info info;
	int fd, rc;

	setenv("UVBUS_DEVICE", "/nonexistent/uvbus", 1);
	ok(!strcmp(uvbus_device_path(), "/nonexistent/uvbus"),
	    "$UVBUS_DEVICE names the device");
	rc = uvbus_open();
	ok(rc == -ENOENT, "open of a missing device: %d", rc);
	rc = uvbus_port_open("x", 0, 0, &port);
	ok(rc == -ENOENT && !port, "port_open of a missing device: %d", rc);

	/* A character device that is not uvbus: every ioctl is -ENOTTY. */
	setenv("UVBUS_DEVICE", "/dev/null", 1);
	fd = uvbus_open();
	ok(fd >= 0, "open /dev/null as the device: %d", fd);
	if (fd >= 0) {
		rc = uvbus_check_version(fd);
		ok(rc == -ENOTTY, "version on a non-uvbus device: %d", rc);
		rc = uvbus_info(fd, "x", &info);
		ok(rc == -ENOTTY, "info on a non-uvbus device: %d", rc);
		rc = uvbus_info(fd, "", &info);
		ok(rc == -EINVAL, "info with an empty name, before any ioctl: %d", rc);
		rc = uvbus_create_loopback(fd, "0123456789012345678901234567890123", 0);
		ok(rc == -ENAMETOOLONG, "create with a 34-character name: %d", rc);
		close(fd);
	}
	rc = uvbus_port_open("x", 0, 0, &port);
	ok(rc == -ENOTTY && !port, "port_open on a non-uvbus device: %d", rc);

	unsetenv("UVBUS_DEVICE");
	ok(!strcmp(uvbus_device_path(), "/dev/uvbus"), "default device path");
}

int main(void)
{
	number_tests();
	name_tests();
	error_tests();
	device_tests();
	return tap_done();
}
