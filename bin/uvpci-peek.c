// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvpci-peek - read registers of a uvPCI device, as the host (setpci-like):
 * each BAR:OFFSET[.WIDTH] is read in order down the driver's path (an
 * attached model answers it) and printed in hex, one per line; with a
 * register map, registers go by name and values print decoded.
 * See uvpci-peek(8).
 */
#include <argtable2.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "libuvnic.h"
#include "uvpci-cli.h"

int main(int argc, char **argv)
{
	struct arg_str *dev = arg_str1(NULL, NULL, "DEV", "uvPCI device (channel) name");
	struct arg_str *regs = arg_strn(NULL, NULL, "REG", 1, 256,
					"BAR:OFFSET[.b|.w|.l|.q]: BAR 0-5, OFFSET decimal or 0x hex, width 8, 16, 32 (default) or 64 bits");
	struct arg_str *mapf = arg_str0(NULL, "map", "FILE",
					"a register map (uvregmap(5)): REG may be a register's name, and each value prints decoded");
	struct arg_end *end = arg_end(5);
	void *table[] = { dev, regs, mapf, end };
	const struct uvnic_cli_syntax syntax[] = {
		{ NULL, NULL, table, ARRAY_SIZE(table) },
	};
	const struct uvnic_cli cli = {
		.prog = "uvpci-peek",
		.purpose = "Read registers of a uvPCI device as the host does, in order, and print\n"
			   "each value in hex (0x, zero-padded to its width), one per line.",
		.epilog = "Exit status: 0 on success, 1 on any error. See uvpci-peek(8).",
		.syntax = syntax,
		.nsyntax = ARRAY_SIZE(syntax),
	};
	struct uvpci_regspec *specs;
	struct uvregmap *map;
	char line[1024];
	const char *name;
	uint64_t v;
	int i, n, fd, rc;

	uvnic_cli_parse(&cli, argc, argv);
	name = uvnic_cli_name(dev->sval[0]);
	n = regs->count;
	map = uvpci_cli_map(mapf->count ? mapf->sval[0] : NULL);
	specs = uvpci_cli_regspecs_map(name, map, regs->sval, n, UVPCI_REGSPEC_NO_VALUE, &fd);

	for (i = 0; i < n; i++) {
		rc = uvpci_mmio_read(fd, name, specs[i].bar, specs[i].offset,
				     specs[i].size, &v);
		if (rc)
			uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "%s: read %s", name,
				      regs->sval[i]);
		if (map) {
			uvregmap_decode(map, specs[i].bar, specs[i].offset, specs[i].size,
					true, v, line, sizeof(line));
			printf("%s\n", line);
		} else {
			printf("0x%0*" PRIx64 "\n", (int)specs[i].size * 2, v);
		}
	}
	uvregmap_free(map);
	close(fd);
	free(specs);
	if (fflush(stdout) || ferror(stdout))
		uvnic_die_err(errno, UVNIC_CTX_NONE, "write error");
	uvnic_cli_free(&cli);
	return 0;
}
