// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvpci-trace - a uvPCI device's transactions as they happen, one line
 * each, from the kernel's uvpci and uvbus tracepoints (in a tracefs
 * instance of its own, filtered on the device); register names and
 * fields from a register map; recorded to a text file that -r reads back.
 * See uvpci-trace(1).
 */
#include <argtable2.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libuvnic.h"
#include "uvpci-cli.h"
#include "uvpci-trace.h"
#include "uvregmap.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct out {
	const struct uvregmap *map;
	FILE *rec;		/* -w FILE, or NULL */
	const char *rec_path;
	bool quiet;
	unsigned long count;	/* records so far */
};

static void emit(struct out *o, const struct uvpci_trace_rec *rec)
{
	char line[2048];

	if (o->rec && uvpci_trace_write(o->rec, rec))
		uvnic_die_err(errno, UVNIC_CTX_NONE, "-w %s", o->rec_path);
	if (!o->quiet) {
		uvpci_trace_format(rec, o->map, line, sizeof(line));
		printf("%s\n", line);
	}
	o->count++;
}

/* -r FILE: the records of a file, as they were printed live. */
static void replay(struct out *o, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct uvpci_trace_rec rec;
	char line[UVPCI_TRACE_LINE_MAX * 2];
	unsigned long lineno = 0;
	int rc;

	if (!f)
		uvnic_die_err(errno, UVNIC_CTX_NONE, "-r %s", path);
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (lineno == 1 && strncmp(line, UVPCI_TRACE_MAGIC, strlen(UVPCI_TRACE_MAGIC)))
			uvnic_die("%s: not a uvpci-trace file (no '%s' line first)", path,
				  UVPCI_TRACE_MAGIC);
		rc = uvpci_trace_parse_file(line, &rec);
		if (rc == -ENOENT)
			continue;
		if (rc)
			uvnic_die("%s:%lu: malformed record", path, lineno);
		emit(o, &rec);
	}
	if (ferror(f))
		uvnic_die_err(errno, UVNIC_CTX_NONE, "-r %s", path);
	if (!lineno)
		uvnic_die("%s: not a uvpci-trace file (empty)", path);
	if (f != stdin)
		fclose(f);
}

/* DEV: record live until a signal, -c N records, or the device's end. */
static int live(struct out *o, const char *name, unsigned long max, const char *ready)
{
	struct uvpci_trace_session *s;
	struct uvpci_trace_rec rec;
	char err[512];
	struct uvbus_info info;
	unsigned long lost;
	bool gone = false;
	int fd, rc;

	fd = uvnic_cli_open_bus();
	rc = uvbus_info(fd, name, &info);
	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "%s", name);
	close(fd);
	rc = uvpci_trace_start(name, &s, err, sizeof(err));
	if (rc)
		uvnic_die("%s", err);
	uvnic_cli_stop_on_signals(on_signal);
	if (ready)
		uvnic_cli_ready(ready);
	while (!stop && !gone && (!max || o->count < max)) {
		rc = uvpci_trace_next(s, &rec, 200);
		if (rc == -EINTR || !rc)
			continue;
		if (rc < 0) {
			uvpci_trace_stop(s);
			uvnic_die_err(rc, UVNIC_CTX_NONE, "reading the trace");
		}
		emit(o, &rec);
		gone = !strcmp(rec.event, "uvbus_channel_destroy");
	}
	/* What was recorded before the stop still counts. */
	uvpci_trace_pause(s);
	while ((!max || o->count < max) && uvpci_trace_next(s, &rec, 0) == 1)
		emit(o, &rec);
	lost = uvpci_trace_overruns(s);
	uvpci_trace_stop(s);
	if (lost) {
		fprintf(stderr, "uvpci-trace: %s: %lu events lost (the trace buffer overran): the record is incomplete\n",
			name, lost);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct arg_str *dev = arg_str1(NULL, NULL, "DEV", "uvPCI device (channel) name");
	struct arg_str *mapf = arg_str0(NULL, "map", "FILE",
					"a register map (uvregmap(5)): BAR accesses print register names and fields");
	struct arg_str *wfile = arg_str0("w", "write", "FILE",
					 "also record every transaction to FILE (a text file, for -r)");
	struct arg_lit *quiet = arg_lit0("q", "quiet", "print nothing (with -w: only record)");
	struct arg_str *count = arg_str0("c", "count", "N", "stop after N transactions");
	struct arg_str *ready = arg_str0(NULL, "ready", "FILE",
					 "create FILE once recording has begun (for scripts)");
	struct arg_end *end = arg_end(5);
	void *table[] = { dev, mapf, wfile, quiet, count, ready, end };
	struct arg_str *rfile = arg_str1("r", "read", "FILE",
					 "print the transactions recorded in FILE (-w), as they were printed live");
	struct arg_str *rmapf = arg_str0(NULL, "map", "FILE", NULL);
	struct arg_str *rwfile = arg_str0("w", "write", "FILE", NULL);
	struct arg_lit *rquiet = arg_lit0("q", "quiet", NULL);
	struct arg_end *rend = arg_end(5);
	void *rtable[] = { rfile, rmapf, rwfile, rquiet, rend };
	const struct uvnic_cli_syntax syntax[] = {
		{ NULL, NULL, table, ARRAY_SIZE(table) },
		{ NULL, NULL, rtable, ARRAY_SIZE(rtable) },
	};
	const struct uvnic_cli cli = {
		.prog = "uvpci-trace",
		.purpose = "Print every transaction of uvPCI device DEV as it happens, one line\n"
			   "each: MMIO reads and writes, config space, DMA, MSI and INTx, their\n"
			   "delivery, DMA mappings, ports attaching. Reads the kernel's uvpci and\n"
			   "uvbus tracepoints; stops on SIGINT or SIGTERM, after -c N, or when DEV\n"
			   "is destroyed. With -r, prints a recorded file instead.",
		.epilog = "Exit status: 0 on success, 1 on any error or when events were lost.\n"
			  "See uvpci-trace(1).",
		.syntax = syntax,
		.nsyntax = ARRAY_SIZE(syntax),
	};
	struct out o = { 0 };
	struct uvregmap *map;
	const char *w;
	unsigned long max = 0;
	int which, rc = 0;

	which = uvnic_cli_parse(&cli, argc, argv);
	if (which == 0) {
		dev->sval[0] = uvnic_cli_name(dev->sval[0]);
		if (count->count)
			max = (unsigned long)uvnic_cli_number("N", count->sval[0], 1, UINT32_MAX);
	}
	map = uvpci_cli_map(which ? (rmapf->count ? rmapf->sval[0] : NULL) :
				    (mapf->count ? mapf->sval[0] : NULL));
	o.map = map;
	o.quiet = which ? rquiet->count : quiet->count;
	w = which ? (rwfile->count ? rwfile->sval[0] : NULL) :
		    (wfile->count ? wfile->sval[0] : NULL);
	if (w) {
		o.rec_path = w;
		o.rec = strcmp(w, "-") ? fopen(w, "w") : stdout;
		if (!o.rec)
			uvnic_die_err(errno, UVNIC_CTX_NONE, "-w %s", w);
		if (o.rec == stdout)
			o.quiet = true;
		/* A line at a time: a run that is killed leaves a whole file. */
		setvbuf(o.rec, NULL, _IOLBF, 0);
		fprintf(o.rec, "%s\n", UVPCI_TRACE_MAGIC);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (which)
		replay(&o, rfile->sval[0]);
	else
		rc = live(&o, dev->sval[0], max, ready->count ? ready->sval[0] : NULL);

	if (o.rec && o.rec != stdout && fclose(o.rec))
		uvnic_die_err(errno, UVNIC_CTX_NONE, "-w %s", w);
	uvregmap_free(map);
	if (fflush(stdout) || ferror(stdout))
		uvnic_die_err(errno, UVNIC_CTX_NONE, "write error");
	uvnic_cli_free(&cli);
	return rc;
}
