// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * trace-parse.c - unit test of the uvpci-trace records (lib/tools/uvpci-trace.h):
 * trace_pipe lines of each kind the kernel prints (copied from a guest
 * run), lines that are not ours, the file format written and read back
 * to the same record, and each record in words, with and without a
 * register map.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libuvnic.h"
#include "uvpci-trace.h"
#include "uvregmap.h"
#include "tap.h"

static const struct {
	const char *line;	/* as trace_pipe prints it */
	const char *words;	/* uvpci_trace_format(), no map */
} pipe_lines[] = {
	{ "      uvpci-poke-138     [001] .....     5.002250: uvpci_mmio_write: dev=tr0 bar=0 off=0x8 size=4 value=0x1 lat_ns=343560 status=regfile\n",
	  "5.002250 uvpci-poke-138 write 0:0x8.l = 0x00000001 (regfile)" },
	{ "      uvpci-peek-139     [000] .....     5.061938: uvpci_mmio_read: dev=tr0 bar=0 off=0x10 size=8 value=0xfffffffff000 lat_ns=160270 status=ok\n",
	  "5.061938 uvpci-peek-139 read 0:0x10.q = 0x0000fffffffff000 in 160270 ns" },
	{ "   kworker/0:1-17      [000] .....     5.548680: uvpci_mmio_read: dev=tr0 bar=0 off=0x0 size=4 value=0xffffffff lat_ns=1000000 status=timed-out\n",
	  "5.548680 kworker/0:1-17 read 0:0x0.l = 0xffffffff in 1000000 ns (timed-out)" },
	{ "          insmod-142     [000] .....     5.438443: uvpci_cfg_write: dev=tr0 off=0x4 size=2 value=0x2 status=ok\n",
	  "5.438443 insmod-142 cfg-write 0x04.w COMMAND = 0x0002" },
	{ "          insmod-142     [000] .....     5.438088: uvpci_cfg_read: dev=tr0 off=0x44 size=2 value=0x8 status=ok\n",
	  "5.438088 insmod-142 cfg-read 0x44.w = 0x0008" },
	{ "    uvdma-inject-141     [000] d..1.     5.181512: uvpci_dma_request: dev=tr0 dir=write addr=0x1000 len=4 ndw=1 be=0xf/0x0 err=-1 status=refused why=bus mastering disabled\n",
	  "5.181512 uvdma-inject-141 dma-write 0x1000 +4 (1 dw) (refused: bus mastering disabled)" },
	{ "    uvdma-inject-144     [001] d..1.     5.516397: uvpci_dma_request: dev=tr0 dir=read addr=0xfffffffff000 len=128 ndw=32 be=0xf/0xf err=0 status=ok why=\n",
	  "5.516397 uvdma-inject-144 dma-read 0xfffffffff000 +128 (32 dw)" },
	{ "      uvmsi-fire-145     [001] d..1.     5.538123: uvpci_msi_fire: dev=tr0 vector=3 err=0 status=ok why=\n",
	  "5.538123 uvmsi-fire-145 msi 3" },
	{ "      uvmsi-fire-140     [000] d..1.     5.122923: uvpci_msi_fire: dev=tr0 vector=0 err=-1 status=refused why=MSI not enabled by the driver\n",
	  "5.122923 uvmsi-fire-140 msi 0 (refused: MSI not enabled by the driver)" },
	{ "      uvmsi-fire-150     [001] d..1.     6.000001: uvpci_intx_set: dev=tr0 level=1 err=0 status=ok why=\n",
	  "6.000001 uvmsi-fire-150 intx assert" },
	{ "          <idle>-0       [000] d.h1.     5.539728: uvpci_irq_deliver: dev=tr0 kind=msi vector=0 irq=28\n",
	  "5.539728 <idle>-0 deliver msi 0 irq 28" },
	{ "          <idle>-0       [001] d.h1.     5.539730: uvpci_irq_deliver: dev=tr0 kind=msix vector=17 irq=40\n",
	  "5.539730 <idle>-0 deliver msix 17 irq 40" },
	{ "          <idle>-0       [000] d.h1.     5.539729: uvpci_irq_deliver: dev=tr0 kind=intx vector=0 irq=27\n",
	  "5.539729 <idle>-0 deliver intx irq 27" },
	{ "          insmod-142     [000] d..1.     5.439370: uvpci_dma_map: dev=tr0 addr=0xfffffffff000 size=4096 dir=bidirectional coherent=1\n",
	  "5.439370 insmod-142 map 0xfffffffff000 +4096 bidirectional coherent" },
	{ "           rmmod-146     [001] .....     5.604690: uvpci_dma_unmap: dev=tr0 addr=0xffffffffe7c0 size=64 dir=to-device coherent=0 status=unbind\n",
	  "5.604690 rmmod-146 unmap 0xffffffffe7c0 +64 to-device (unbind)" },
	{ "       uvbus-ctl-137     [001] .....     4.947165: uvbus_channel_create: dev=tr0 type=uvpci flags=0x0\n",
	  "4.947165 uvbus-ctl-137 create uvpci" },
	{ "    uvnic-bridge-200     [001] .....     7.000000: uvbus_port_attach: dev=tr0 port=5 entries=256 flags=0x1\n",
	  "7.000000 uvnic-bridge-200 attach port 5 (model)" },
	{ "    uvnic-bridge-200     [000] d..1.     7.500000: uvbus_channel_broken: dev=tr0 why=u2k ring of port 5: tail 0x9999 impossible (kernel head 0x10, 256 entries)\n",
	  "7.500000 uvnic-bridge-200 broken: u2k ring of port 5: tail 0x9999 impossible (kernel head 0x10, 256 entries)" },
	{ "       uvbus-ctl-148     [001] .....     5.694929: uvbus_channel_destroy: dev=tr0\n",
	  "5.694929 uvbus-ctl-148 destroy" },
	/* A comm with a blank in it, as prctl(PR_SET_NAME) allows. */
	{ "     my model-77      [001] .....     8.000000: uvpci_mmio_write: dev=tr0 bar=2 off=0x40 size=1 value=0xff lat_ns=5 status=ok\n",
	  "8.000000 my_model-77 write 2:0x40.b = 0xff" },
};

static const char *const not_ours[] = {
	"# tracer: nop\n",
	"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n",
	"          <idle>-0       [000] d.h1.     5.539728: irq_handler_entry: irq=28 name=uvpci_sample\n",
	"\n",
};

static const char map_text[] =
	"device T\n"
	"bar 0 4096\n"
	"reg CTRL 0:0x008 32 RW -- control\n"
	"field RESET 31\n"
	"field EN 0\n";

int main(void)
{
	struct uvpci_trace_rec rec, back;
	char words[1024], file[2048], err[UVREGMAP_ERR_MAX];
	struct uvregmap *map;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(pipe_lines) / sizeof(pipe_lines[0]); i++) {
		FILE *f;

		rc = uvpci_trace_parse_pipe(pipe_lines[i].line, &rec);
		ok(rc == 0, "line %zu parses (%d)", i, rc);
		if (rc)
			continue;
		ok(!strcmp(uvpci_trace_get(&rec, "dev"), "tr0"), "line %zu: dev=tr0", i);
		uvpci_trace_format(&rec, NULL, words, sizeof(words));
		ok(!strcmp(words, pipe_lines[i].words), "line %zu in words: '%s'", i, words);

		/* Written to the file format and read back: the same words. */
		f = fmemopen(file, sizeof(file), "w");
		ok(f && !uvpci_trace_write(f, &rec), "line %zu written", i);
		if (f)
			fclose(f);
		rc = uvpci_trace_parse_file(file, &back);
		ok(rc == 0, "line %zu read back (%d)", i, rc);
		if (rc)
			continue;
		ok(back.nfields == rec.nfields && !strcmp(back.event, rec.event) &&
		   !strcmp(back.task, rec.task) && !strcmp(back.time, rec.time),
		   "line %zu: the same record", i);
		uvpci_trace_format(&back, NULL, words, sizeof(words));
		ok(!strcmp(words, pipe_lines[i].words), "line %zu read back in words", i);
	}
	for (i = 0; i < sizeof(not_ours) / sizeof(not_ours[0]); i++)
		ok(uvpci_trace_parse_pipe(not_ours[i], &rec) == -ENOENT,
		   "not ours: line %zu", i);
	ok(uvpci_trace_lost("CPU:1 [LOST 42 EVENTS]\n") == 42, "lost events counted");
	ok(uvpci_trace_lost(pipe_lines[0].line) == 0, "an event loses nothing");
	ok(uvpci_trace_parse_pipe("  x-1 [000] ..... 1.0: uvpci_mmio_read: bar=0\n", &rec) == -EINVAL,
	   "an event without dev= is malformed");
	ok(uvpci_trace_parse_file("1.0 x-1 uvpci_mmio_read dev=a bar\n", &rec) == -EINVAL,
	   "a field without '=' is malformed");
	ok(uvpci_trace_parse_file("1.0 x-1 sched_switch dev=a\n", &rec) == -EINVAL,
	   "another system's event in a file is malformed");
	ok(uvpci_trace_parse_file("# uvpci-trace 1\n", &rec) == -ENOENT, "a comment");

	rc = uvregmap_parse(map_text, "t.regmap", &map, err, sizeof(err));
	ok(rc == 0, "map parses (%s)", rc ? err : "");
	if (!rc) {
		uvpci_trace_parse_pipe("  k-1 [000] ..... 1.000000: uvpci_mmio_write: dev=a bar=0 off=0x8 size=4 value=0x80000001 lat_ns=1 status=ok\n",
				       &rec);
		uvpci_trace_format(&rec, map, words, sizeof(words));
		ok(!strcmp(words, "1.000000 k-1 write CTRL = 0x80000001 EN=1 RESET=1"),
		   "a write in the map's words: '%s'", words);
		uvpci_trace_parse_pipe("  k-1 [000] ..... 1.000000: uvpci_mmio_read: dev=a bar=0 off=0x100 size=4 value=0x0 lat_ns=7 status=ok\n",
				       &rec);
		uvpci_trace_format(&rec, map, words, sizeof(words));
		ok(!strcmp(words, "1.000000 k-1 read 0:0x100 = 0 in 7 ns"),
		   "an offset the map lacks: '%s'", words);
		uvregmap_free(map);
	}
	return tap_done();
}
