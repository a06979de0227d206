// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvpci-poke - write registers of a uvPCI device, as the host (setpci-like):
 * each BAR:OFFSET[.WIDTH]=VALUE[:MASK] is written in order down the
 * driver's path (an attached model sees it); a MASK makes it a
 * read-modify-write; with a register map, registers go by name. Quiet.
 * See uvpci-poke(8).
 */
#include <argtable2.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "libuvnic.h"
#include "uvpci-cli.h"

int main(int argc, char **argv)
{
	struct arg_str *dev = arg_str1(NULL, NULL, "DEV", "uvPCI device (channel) name");
	struct arg_str *regs = arg_strn(NULL, NULL, "REG=VALUE", 1, 256,
					"BAR:OFFSET[.b|.w|.l|.q]=VALUE[:MASK]: BAR 0-5, OFFSET, VALUE and MASK decimal or 0x hex, width 8, 16, 32 (default) or 64 bits; with MASK only its bits change (read-modify-write)");
	struct arg_str *mapf = arg_str0(NULL, "map", "FILE",
					"a register map (uvregmap(5)): REG may be a register's name, as in CTRL=1");
	struct arg_end *end = arg_end(5);
	void *table[] = { dev, regs, mapf, end };
	const struct uvnic_cli_syntax syntax[] = {
		{ NULL, NULL, table, ARRAY_SIZE(table) },
	};
	const struct uvnic_cli cli = {
		.prog = "uvpci-poke",
		.purpose = "Write registers of a uvPCI device as the host does, in order. Quiet.",
		.epilog = "Exit status: 0 on success, 1 on any error. See uvpci-poke(8).",
		.syntax = syntax,
		.nsyntax = ARRAY_SIZE(syntax),
	};
	struct uvpci_regspec *specs, *s;
	struct uvregmap *map;
	const char *name;
	uint64_t old, v;
	int i, n, fd, rc;

	uvnic_cli_parse(&cli, argc, argv);
	name = uvnic_cli_name(dev->sval[0]);
	n = regs->count;
	map = uvpci_cli_map(mapf->count ? mapf->sval[0] : NULL);
	specs = uvpci_cli_regspecs_map(name, map, regs->sval, n, UVPCI_REGSPEC_NEED_VALUE, &fd);
	uvregmap_free(map);

	for (i = 0; i < n; i++) {
		s = &specs[i];
		old = 0;
		if (uvpci_regspec_is_rmw(s)) {
			rc = uvpci_mmio_read(fd, name, s->bar, s->offset, s->size, &old);
			if (rc)
				uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "%s: read %s",
					      name, regs->sval[i]);
		}
		v = uvpci_regspec_apply(s, old);
		rc = uvpci_mmio_write(fd, name, s->bar, s->offset, s->size, v);
		if (rc)
			uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "%s: write %s", name,
				      regs->sval[i]);
	}
	close(fd);
	free(specs);
	uvnic_cli_free(&cli);
	return 0;
}
