// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * uvpci-trace.c - a uvPCI device's transactions from the kernel's
 * tracepoints (uvpci-trace.h): parsing trace_pipe lines and the file
 * format, each record in words, and a tracefs session that records one
 * device in an instance of its own.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libuvnic.h"
#include "uvbus.h"
#include "uvpci-trace.h"
#include "uvregmap.h"

/* ---- records ------------------------------------------------------------ */

/* Append @n bytes of @s and a NUL to @rec's buffer; NULL when full. */
static const char *rec_add(struct uvpci_trace_rec *rec, size_t *used,
			   const char *s, size_t n)
{
	char *p = rec->buf + *used;

	if (*used + n + 1 > sizeof(rec->buf))
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	*used += n + 1;
	return p;
}

/* The fields "K=V K=V ... [why=REST]" of @s; @s ends at a newline or NUL. */
static int rec_fields(struct uvpci_trace_rec *rec, size_t *used, const char *s)
{
	size_t end = strcspn(s, "\n");

	rec->nfields = 0;
	while (end && s[end - 1] == ' ')
		end--;
	while (end) {
		const char *eq, *tok_end;
		size_t klen, vlen;

		while (end && *s == ' ') {
			s++;
			end--;
		}
		if (!end)
			break;
		eq = memchr(s, '=', end);
		tok_end = memchr(s, ' ', end);
		if (!eq || (tok_end && tok_end < eq) || eq == s)
			return -EINVAL;
		klen = (size_t)(eq - s);
		/* why= runs to the end of the line: it is made of words. */
		if (klen == 3 && !memcmp(s, "why", 3))
			tok_end = NULL;
		vlen = tok_end ? (size_t)(tok_end - eq - 1) : end - klen - 1;
		if (rec->nfields == UVPCI_TRACE_FIELDS_MAX)
			return -EINVAL;
		rec->key[rec->nfields] = rec_add(rec, used, s, klen);
		rec->val[rec->nfields] = rec_add(rec, used, eq + 1, vlen);
		if (!rec->key[rec->nfields] || !rec->val[rec->nfields])
			return -EINVAL;
		rec->nfields++;
		s = eq + 1 + vlen;
		end -= klen + 1 + vlen;
	}
	if (!rec->nfields || strcmp(rec->key[0], "dev"))
		return -EINVAL;
	return 0;
}

static bool is_our_event(const char *s)
{
	return !strncmp(s, "uvpci_", 6) || !strncmp(s, "uvbus_", 6);
}

int uvpci_trace_parse_pipe(const char *line, struct uvpci_trace_rec *rec)
{
	const char *ev = line, *colon, *t, *bracket;
	size_t used = 0, n, i;
	char *task;

	/* "TASK-PID [CPU] FLAGS TIME: EVENT: FIELDS" (TASK may hold blanks) */
	for (;;) {
		ev = strstr(ev, ": uv");
		if (!ev)
			return -ENOENT;
		if (is_our_event(ev + 2))
			break;
		ev += 2;
	}
	colon = strchr(ev + 2, ':');
	if (!colon || (colon[1] != ' ' && colon[1] != '\0' && colon[1] != '\n'))
		return -ENOENT;
	for (t = ev; t > line && t[-1] != ' '; t--)
		;
	bracket = NULL;
	for (i = 0; line + i < t; i++)
		if (line[i] == '[')
			bracket = line + i;
	if (!bracket || t == ev)
		return -EINVAL;
	while (*line == ' ')
		line++;
	n = (size_t)(bracket - line);
	while (n && line[n - 1] == ' ')
		n--;
	rec->time = rec_add(rec, &used, t, (size_t)(ev - t));
	task = (char *)rec_add(rec, &used, line, n);
	rec->event = rec_add(rec, &used, ev + 2, (size_t)(colon - ev - 2));
	if (!rec->time || !task || !rec->event)
		return -EINVAL;
	for (i = 0; task[i]; i++)
		if (task[i] == ' ')
			task[i] = '_';
	rec->task = task;
	return rec_fields(rec, &used, colon[1] ? colon + 2 : colon + 1);
}

unsigned long uvpci_trace_lost(const char *line)
{
	unsigned long cpu, lost;

	if (sscanf(line, "CPU:%lu [LOST %lu EVENTS]", &cpu, &lost) == 2)
		return lost;
	return 0;
}

int uvpci_trace_parse_file(const char *line, struct uvpci_trace_rec *rec)
{
	const char **parts[3] = { &rec->time, &rec->task, &rec->event };
	size_t used = 0, n;
	unsigned int i;

	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '#' || *line == '\n' || *line == '\0')
		return -ENOENT;
	for (i = 0; i < 3; i++) {
		n = strcspn(line, " \n");
		if (!n || line[n] != ' ')
			return -EINVAL;
		*parts[i] = rec_add(rec, &used, line, n);
		if (!*parts[i])
			return -EINVAL;
		line += n + 1;
	}
	if (!is_our_event(rec->event))
		return -EINVAL;
	return rec_fields(rec, &used, line);
}

int uvpci_trace_write(FILE *out, const struct uvpci_trace_rec *rec)
{
	unsigned int i;

	fprintf(out, "%s %s %s", rec->time, rec->task, rec->event);
	for (i = 0; i < rec->nfields; i++)
		fprintf(out, " %s=%s", rec->key[i], rec->val[i]);
	if (fputc('\n', out) == EOF || ferror(out))
		return -errno;
	return 0;
}

const char *uvpci_trace_get(const struct uvpci_trace_rec *rec, const char *key)
{
	unsigned int i;

	for (i = 0; i < rec->nfields; i++)
		if (!strcmp(rec->key[i], key))
			return rec->val[i];
	return NULL;
}

/* ---- in words ----------------------------------------------------------- */

static uint64_t num(const struct uvpci_trace_rec *rec, const char *key)
{
	const char *v = uvpci_trace_get(rec, key);

	return v ? strtoull(v, NULL, 0) : 0;
}

static const char *str(const struct uvpci_trace_rec *rec, const char *key)
{
	const char *v = uvpci_trace_get(rec, key);

	return v ? v : "";
}

/* The type 0 header's registers, for config accesses (PCI 3.0, 6.1). */
static const char *cfg_name(uint64_t off)
{
	static const struct { unsigned int off; const char *name; } regs[] = {
		{ 0x00, "VENDOR_ID" }, { 0x02, "DEVICE_ID" }, { 0x04, "COMMAND" },
		{ 0x06, "STATUS" }, { 0x08, "REVISION_ID" }, { 0x09, "CLASS_PROG" },
		{ 0x0a, "CLASS_DEVICE" }, { 0x0c, "CACHE_LINE_SIZE" },
		{ 0x0d, "LATENCY_TIMER" }, { 0x0e, "HEADER_TYPE" }, { 0x0f, "BIST" },
		{ 0x10, "BAR0" }, { 0x14, "BAR1" }, { 0x18, "BAR2" }, { 0x1c, "BAR3" },
		{ 0x20, "BAR4" }, { 0x24, "BAR5" }, { 0x2c, "SUBSYSTEM_VENDOR_ID" },
		{ 0x2e, "SUBSYSTEM_ID" }, { 0x30, "ROM_ADDRESS" },
		{ 0x34, "CAPABILITY_LIST" }, { 0x3c, "INTERRUPT_LINE" },
		{ 0x3d, "INTERRUPT_PIN" },
	};
	size_t i;

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (regs[i].off == off)
			return regs[i].name;
	return NULL;
}

static char width_letter(uint64_t size)
{
	return size == 1 ? 'b' : size == 2 ? 'w' : size == 8 ? 'q' : 'l';
}

int uvpci_trace_format(const struct uvpci_trace_rec *rec,
		       const struct uvregmap *map, char *buf, size_t len)
{
	const char *ev = rec->event, *status = str(rec, "status");
	const char *why = str(rec, "why");
	bool show_status = *status && strcmp(status, "ok");
	size_t n = 0;
	unsigned int i;
	int k;

#define ADD(...) do {							\
		k = snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, __VA_ARGS__); \
		if (k > 0)						\
			n += (size_t)k;					\
	} while (0)

	ADD("%s %s ", rec->time, rec->task);
	if (!strcmp(ev, "uvpci_mmio_read") || !strcmp(ev, "uvpci_mmio_write")) {
		unsigned int bar = (unsigned int)num(rec, "bar");
		uint64_t off = num(rec, "off"), size = num(rec, "size");
		uint64_t value = num(rec, "value");
		char dec[512];

		ADD("%s ", ev[11] == 'r' ? "read" : "write");
		if (map) {
			uvregmap_decode(map, bar, off, (unsigned int)size, true,
					value, dec, sizeof(dec));
			ADD("%s", dec);
		} else {
			ADD("%u:0x%" PRIx64 ".%c = 0x%0*" PRIx64, bar, off,
			    width_letter(size), (int)(size <= 8 ? size * 2 : 16),
			    value);
		}
		if (ev[11] == 'r')
			ADD(" in %" PRIu64 " ns", num(rec, "lat_ns"));
	} else if (!strcmp(ev, "uvpci_cfg_read") || !strcmp(ev, "uvpci_cfg_write")) {
		uint64_t off = num(rec, "off"), size = num(rec, "size");
		const char *name = cfg_name(off);

		ADD("cfg-%s 0x%02" PRIx64 ".%c%s%s = 0x%0*" PRIx64,
		    ev[10] == 'r' ? "read" : "write", off, width_letter(size),
		    name ? " " : "", name ? name : "",
		    (int)(size <= 4 ? size * 2 : 8), num(rec, "value"));
	} else if (!strcmp(ev, "uvpci_dma_request")) {
		ADD("dma-%s 0x%" PRIx64 " +%" PRIu64 " (%" PRIu64 " dw)",
		    str(rec, "dir"), num(rec, "addr"), num(rec, "len"),
		    num(rec, "ndw"));
	} else if (!strcmp(ev, "uvpci_msi_fire")) {
		ADD("msi %" PRIu64, num(rec, "vector"));
	} else if (!strcmp(ev, "uvpci_intx_set")) {
		ADD("intx %s", num(rec, "level") ? "assert" : "deassert");
	} else if (!strcmp(ev, "uvpci_irq_deliver")) {
		if (!strcmp(str(rec, "kind"), "intx"))
			ADD("deliver intx irq %" PRIu64, num(rec, "irq"));
		else
			ADD("deliver %s %" PRIu64 " irq %" PRIu64, str(rec, "kind"),
			    num(rec, "vector"), num(rec, "irq"));
	} else if (!strcmp(ev, "uvpci_dma_map") || !strcmp(ev, "uvpci_dma_unmap")) {
		ADD("%s 0x%" PRIx64 " +%" PRIu64 " %s%s",
		    ev[10] == 'm' ? "map" : "unmap", num(rec, "addr"),
		    num(rec, "size"), str(rec, "dir"),
		    num(rec, "coherent") ? " coherent" : "");
	} else if (!strcmp(ev, "uvbus_channel_create")) {
		ADD("create %s", str(rec, "type"));
	} else if (!strcmp(ev, "uvbus_channel_destroy")) {
		ADD("destroy");
	} else if (!strcmp(ev, "uvbus_port_attach")) {
		ADD("attach port %" PRIu64 "%s", num(rec, "port"),
		    num(rec, "flags") & UVBUS_ATTACH_MODEL ? " (model)" : "");
	} else if (!strcmp(ev, "uvbus_port_detach")) {
		ADD("detach port %" PRIu64, num(rec, "port"));
	} else if (!strcmp(ev, "uvbus_channel_broken")) {
		ADD("broken: %s", why);
		why = "";
	} else {
		/* An event of a newer kernel: as the kernel printed it. */
		ADD("%s", ev);
		for (i = 1; i < rec->nfields; i++)
			ADD(" %s=%s", rec->key[i], rec->val[i]);
		show_status = false;
		why = "";
	}
	if (show_status && *why)
		ADD(" (%s: %s)", status, why);
	else if (show_status)
		ADD(" (%s)", status);
#undef ADD
	return (int)n;
}

/* ---- the tracefs session ------------------------------------------------ */

struct uvpci_trace_session {
	char dir[512];		/* TRACEFS/instances/uvpci-trace-PID */
	int fd;			/* its trace_pipe */
	unsigned long lost;	/* from "LOST EVENTS" lines */
	size_t len;		/* bytes in @buf */
	char buf[65536];
};

#define TRACEFS_MAIN	"/sys/kernel/tracing"
#define TRACEFS_DEBUG	"/sys/kernel/debug/tracing"
/* Per CPU. */
#define UVPCI_TRACE_BUFFER_KB	"4096"

static int set_err(char *err, size_t errlen, int rc, const char *fmt, const char *arg)
{
	if (err && errlen) {
		size_t n = (size_t)snprintf(err, errlen, fmt, arg);

		if (rc != -ENOENT && n < errlen)
			snprintf(err + n, errlen - n, ": %s", strerror(-rc));
	}
	return rc;
}

static const char *tracefs_root(void)
{
	if (!access(TRACEFS_MAIN "/instances", F_OK))
		return TRACEFS_MAIN;
	if (!access(TRACEFS_DEBUG "/instances", F_OK))
		return TRACEFS_DEBUG;
	/* As trace-cmd does: mount it where the kernel expects it. */
	if (!mount("nodev", TRACEFS_MAIN, "tracefs", 0, NULL) &&
	    !access(TRACEFS_MAIN "/instances", F_OK))
		return TRACEFS_MAIN;
	return NULL;
}

/* Write @val to @dir/@file. */
static int put(const char *dir, const char *file, const char *val)
{
	char path[768];
	size_t n = strlen(val);
	ssize_t w;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, val, n);
	if (w < 0)
		rc = -errno;
	else if ((size_t)w != n)
		rc = -EIO;
	close(fd);
	return rc;
}

int uvpci_trace_start(const char *dev, struct uvpci_trace_session **sp,
		      char *err, size_t errlen)
{
	static const char *const files[] = {
		"events/uvpci/filter", "events/uvbus/filter",
		"events/uvpci/enable", "events/uvbus/enable",
	};
	struct uvpci_trace_session *s;
	char filter[UVBUS_NAME_MAX + 16], path[768];
	const char *root = tracefs_root();
	unsigned int i;
	int rc;

	if (uvbus_check_name(dev))
		return set_err(err, errlen, -EINVAL, "invalid device name '%s'", dev);
	if (!root)
		return set_err(err, errlen, -ENOENT,
			       "no tracefs at %s (mount -t tracefs nodev /sys/kernel/tracing)",
			       TRACEFS_MAIN);
	s = calloc(1, sizeof(*s));
	if (!s)
		return set_err(err, errlen, -ENOMEM, "%s", "out of memory");
	s->fd = -1;
	snprintf(s->dir, sizeof(s->dir), "%s/instances/uvpci-trace-%ld", root,
		 (long)getpid());
	if (mkdir(s->dir, 0755)) {
		rc = -errno;
		set_err(err, errlen, rc, "cannot create tracefs instance %s", s->dir);
		free(s);
		return rc;
	}
	/* Room for bursts (a driver's probe maps thousands of buffers). */
	put(s->dir, "buffer_size_kb", UVPCI_TRACE_BUFFER_KB);
	snprintf(filter, sizeof(filter), "dev == \"%s\"", dev);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *val = i < 2 ? filter : "1";

		rc = put(s->dir, files[i], val);
		if (rc == -ENOENT) {
			set_err(err, errlen, rc, "no %s events in tracefs (is uvpci.ko loaded?)",
				i % 2 ? "uvbus" : "uvpci");
			goto err_stop;
		}
		if (rc) {
			set_err(err, errlen, rc, "%s", files[i]);
			goto err_stop;
		}
	}
	snprintf(path, sizeof(path), "%s/trace_pipe", s->dir);
	s->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (s->fd < 0) {
		rc = -errno;
		set_err(err, errlen, rc, "%s", path);
		goto err_stop;
	}
	*sp = s;
	return 0;

err_stop:
	uvpci_trace_stop(s);
	return rc;
}

/* One line out of the buffer into @line, or false when none is whole. */
static bool take_line(struct uvpci_trace_session *s, char *line, size_t size)
{
	char *nl = memchr(s->buf, '\n', s->len);
	size_t n;

	if (!nl) {
		if (s->len < sizeof(s->buf))
			return false;
		nl = s->buf + s->len - 1;	/* an absurd line: cut it */
	}
	n = (size_t)(nl - s->buf) + 1;
	snprintf(line, size, "%.*s", (int)n, s->buf);
	memmove(s->buf, s->buf + n, s->len - n);
	s->len -= n;
	return true;
}

int uvpci_trace_next(struct uvpci_trace_session *s, struct uvpci_trace_rec *rec,
		     int timeout_ms)
{
	char line[UVPCI_TRACE_LINE_MAX * 2];
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	bool waited = false;
	ssize_t r;

	for (;;) {
		while (take_line(s, line, sizeof(line))) {
			if (!uvpci_trace_parse_pipe(line, rec))
				return 1;
			s->lost += uvpci_trace_lost(line);
		}
		r = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);
		if (r > 0) {
			s->len += (size_t)r;
			continue;
		}
		if (r < 0 && errno != EAGAIN)
			return -errno;
		if (waited || !timeout_ms)
			return 0;
		r = poll(&pfd, 1, timeout_ms);
		if (r < 0)
			return -errno;
		/* Read once more either way: a wakeup may lag the data. */
		waited = true;
	}
}

void uvpci_trace_pause(struct uvpci_trace_session *s)
{
	put(s->dir, "tracing_on", "0");
}

unsigned long uvpci_trace_overruns(const struct uvpci_trace_session *s)
{
	unsigned long total = s->lost, v;
	char path[1024], line[128];
	struct dirent *e;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "%s/per_cpu", s->dir);
	d = opendir(path);
	if (!d)
		return total;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "cpu", 3))
			continue;
		snprintf(path, sizeof(path), "%s/per_cpu/%s/stats", s->dir, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "overrun: %lu", &v) == 1)
				total += v;
		fclose(f);
	}
	closedir(d);
	return total;
}

const char *uvpci_trace_instance(const struct uvpci_trace_session *s)
{
	return s->dir;
}

void uvpci_trace_stop(struct uvpci_trace_session *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	put(s->dir, "events/uvpci/enable", "0");
	put(s->dir, "events/uvbus/enable", "0");
	rmdir(s->dir);
	free(s);
}
