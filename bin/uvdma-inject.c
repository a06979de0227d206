// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvdma-inject - DMA into (or out of) host memory from the device side of a
 * uvPCI device, as the device would: the bytes go through the same checks
 * as a model's DMA (the host refuses anything outside its live mappings).
 * Attaches as an auxiliary port, so it works while a model runs; waits for
 * the host's verdict (uvpci_device_sync()) before exiting.
 * See uvdma-inject(8).
 */
#include <argtable2.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libuvnic.h"
#include "uvpci-cli.h"

/* The most one run moves either way: 16 MiB. */
#define MAX_BYTES	(16U << 20)

/* --hex BYTES: pairs of hex digits, nothing else. */
static uint8_t *parse_hex(const char *s, size_t *lenp)
{
	size_t n = strlen(s), i;
	uint8_t *buf;

	if (!n)
		uvnic_usage_die("invalid --hex '': no bytes");
	for (i = 0; i < n; i++)
		if (uvnic_hex_digit(s[i]) < 0)
			uvnic_usage_die("invalid --hex '%s': '%c' is not a hex digit (give bytes as pairs of hex digits, e.g. deadbeef)",
					s, s[i]);
	if (n % 2)
		uvnic_usage_die("invalid --hex '%s': odd number of hex digits (give whole bytes, e.g. 0f)",
				s);
	if (n / 2 > MAX_BYTES)
		uvnic_usage_die("invalid --hex: more than %u bytes", MAX_BYTES);
	buf = malloc(n / 2);
	if (!buf)
		uvnic_die("out of memory");
	for (i = 0; i < n / 2; i++)
		buf[i] = (uint8_t)(uvnic_hex_digit(s[2 * i]) << 4 | uvnic_hex_digit(s[2 * i + 1]));
	*lenp = n / 2;
	return buf;
}

/* All of @fd (a file or standard input), at most MAX_BYTES. */
static uint8_t *slurp(int fd, const char *what, size_t *lenp)
{
	size_t len = 0, cap = 65536;
	uint8_t *buf = malloc(cap);
	ssize_t n;

	if (!buf)
		uvnic_die("out of memory");
	for (;;) {
		if (len == cap) {
			if (cap > MAX_BYTES)
				uvnic_die("%s: more than %u bytes", what, MAX_BYTES);
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				uvnic_die("out of memory");
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			uvnic_die_err(errno, UVNIC_CTX_NONE, "%s", what);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > MAX_BYTES)
		uvnic_die("%s: more than %u bytes", what, MAX_BYTES);
	if (!len)
		uvnic_die("%s: no bytes to write", what);
	*lenp = len;
	return buf;
}

/* One line per failure: "NAME: DMA write of N bytes at 0xADDR: why". */
static __attribute__((noreturn)) void dma_die(const char *name, int write,
					      size_t len, uint64_t addr, int err)
{
	const char *why = uvpci_cli_refusal(err, write);

	if (why)
		uvnic_die("%s: DMA %s of %zu byte%s at %#" PRIx64 ": %s", name,
			  write ? "write" : "read", len, len == 1 ? "" : "s",
			  addr, why);
	uvnic_die_err(err, UVNIC_CTX_CHANNEL, "%s: DMA %s of %zu byte%s at %#" PRIx64,
		      name, write ? "write" : "read", len, len == 1 ? "" : "s",
		      addr);
}

/* Plain hex, 32 bytes (64 digits) per line: what --hex reads back. */
static void print_hex(const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		printf("%02x%s", buf[i], (i + 1) % 32 == 0 || i + 1 == len ? "\n" : "");
}

int main(int argc, char **argv)
{
	struct arg_str *dev = arg_str1(NULL, NULL, "DEV", "uvPCI device (channel) name");
	struct arg_str *addr = arg_str1(NULL, NULL, "ADDR",
					"bus address (as the driver gave it to the device), decimal or 0x hex");
	struct arg_str *dash = arg_str0(NULL, NULL, "-", "write the bytes read from standard input");
	struct arg_str *hex = arg_str0(NULL, "hex", "BYTES",
				       "write these bytes: pairs of hex digits, e.g. deadbeef");
	struct arg_str *file = arg_str0(NULL, "file", "PATH", "write the bytes of this file");
	struct arg_str *rd = arg_str0(NULL, "read", "LEN",
				      "then read LEN bytes at ADDR and print them in hex, 32 bytes a line");
	struct arg_end *end = arg_end(5);
	void *table[] = { dev, addr, dash, hex, file, rd, end };
	const struct uvnic_cli_syntax syntax[] = {
		{ NULL, NULL, table, ARRAY_SIZE(table) },
	};
	const struct uvnic_cli cli = {
		.prog = "uvdma-inject",
		.purpose = "Write host memory at a bus address from the device side of a uvPCI device,\n"
			   "as its DMA would (give exactly one of --hex, --file, -), and/or read it\n"
			   "back with --read. Works while a device model runs. Quiet unless --read.",
		.epilog = "Up to 16 MiB each way. Exit status: 0 when the host accepted every\n"
			  "request, 1 otherwise (one line on stderr). See uvdma-inject(8).",
		.syntax = syntax,
		.nsyntax = ARRAY_SIZE(syntax),
	};
	struct uvpci_device *d;
	uint8_t *data = NULL, *back = NULL;
	size_t len = 0, rlen = 0;
	const char *name;
	uint64_t a;
	int sources, rc;

	uvnic_cli_parse(&cli, argc, argv);
	name = uvnic_cli_name(dev->sval[0]);
	a = uvnic_cli_number("ADDR", addr->sval[0], 0, UINT64_MAX);
	if (dash->count && strcmp(dash->sval[0], "-"))
		uvnic_usage_die("unexpected argument '%s'", dash->sval[0]);
	sources = dash->count + hex->count + file->count;
	if (sources > 1)
		uvnic_usage_die("give the bytes one way only: --hex, --file or -");
	if (!sources && !rd->count)
		uvnic_usage_die("nothing to do: give the bytes (--hex BYTES, --file PATH or -) or --read LEN");
	if (rd->count)
		rlen = uvnic_cli_number("--read", rd->sval[0], 1, MAX_BYTES);

	if (hex->count) {
		data = parse_hex(hex->sval[0], &len);
	} else if (file->count) {
		int fd = open(file->sval[0], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			uvnic_die_err(errno, UVNIC_CTX_NONE, "%s", file->sval[0]);
		data = slurp(fd, file->sval[0], &len);
		close(fd);
	} else if (dash->count) {
		data = slurp(STDIN_FILENO, "standard input", &len);
	}
	if ((len && a + (len - 1) < a) || (rlen && a + (rlen - 1) < a))
		uvnic_usage_die("invalid ADDR '%s': the transfer would run past the end of the 64-bit bus address space",
				addr->sval[0]);

	d = uvpci_cli_device_open(name, 0);
	if (len) {
		rc = uvpci_dma_write(d, a, data, len);
		if (!rc)
			rc = uvpci_device_sync(d);
		if (rc)
			dma_die(name, 1, len, a, rc);
	}
	if (rlen) {
		back = malloc(rlen);
		if (!back)
			uvnic_die("out of memory");
		rc = uvpci_dma_read(d, a, back, rlen);
		if (rc)
			dma_die(name, 0, rlen, a, rc);
		print_hex(back, rlen);
	}
	uvpci_device_close(d);
	free(data);
	free(back);
	if (fflush(stdout) || ferror(stdout))
		uvnic_die_err(errno, UVNIC_CTX_NONE, "write error");
	uvnic_cli_free(&cli);
	return 0;
}
