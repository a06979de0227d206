/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uvpci-trace.h - a uvPCI device's transactions from the kernel's
 * tracepoints (kernel/uvpci_trace.h, kernel/uvbus_trace.h): a tracefs
 * session that records one device's events in an instance of its own,
 * the records, the text file format uvpci-trace(1) writes and reads back,
 * and each record in words, with register names from a map. The
 * library's own (uvpci-trace.c), for uvpci-trace(1): not installed.
 *
 * A record is one event: the time the kernel stamped it, the task that
 * caused it, the event's name and its KEY=VALUE fields, in the order the
 * kernel printed them (every event's first field is dev=NAME; a why=
 * field, when there is one, is the last and runs to the end of the line).
 */
#ifndef UVPCI_TRACE_H
#define UVPCI_TRACE_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define UVPCI_TRACE_FIELDS_MAX	16
#define UVPCI_TRACE_LINE_MAX	1024
/* The first line of a file uvpci_trace_write() writes. */
#define UVPCI_TRACE_MAGIC	"# uvpci-trace 1"

/**
 * struct uvpci_trace_rec - one event. Its strings point into @buf: do not
 * copy a record by assignment.
 * @time:  "SECONDS.MICROSECONDS", the kernel's trace clock
 * @task:  "COMM-PID" of the task it happened in (blanks in COMM as '_')
 * @event: the tracepoint, e.g. "uvpci_mmio_write"
 * @key, @val: its fields, @nfields of them
 */
struct uvpci_trace_rec {
	const char *time;
	const char *task;
	const char *event;
	unsigned int nfields;
	const char *key[UVPCI_TRACE_FIELDS_MAX];
	const char *val[UVPCI_TRACE_FIELDS_MAX];
	char buf[UVPCI_TRACE_LINE_MAX];
};

/**
 * uvpci_trace_parse_pipe() - a line of a tracefs trace or trace_pipe
 * ("  COMM-PID  [CPU] FLAGS  TIME: EVENT: FIELDS") into @rec.
 * @return 0; -ENOENT for a line that is not a uvpci or uvbus event (a
 *         header comment, another system's event); -EINVAL when one is
 *         malformed.
 */
int uvpci_trace_parse_pipe(const char *line, struct uvpci_trace_rec *rec);

/**
 * uvpci_trace_lost() - the events a "CPU:N [LOST M EVENTS]" line of
 * trace_pipe says were lost (the buffer overran).
 * @return M, or 0 for any other line.
 */
unsigned long uvpci_trace_lost(const char *line);

/**
 * uvpci_trace_parse_file() - a line of a file uvpci_trace_write() wrote
 * ("TIME TASK EVENT FIELDS") into @rec.
 * @return 0; -ENOENT for a comment or an empty line; -EINVAL when the
 *         line is malformed.
 */
int uvpci_trace_parse_file(const char *line, struct uvpci_trace_rec *rec);

/**
 * uvpci_trace_write() - @rec as one line of the file format.
 * @return 0 or -errno of writing.
 */
int uvpci_trace_write(FILE *out, const struct uvpci_trace_rec *rec);

/** uvpci_trace_get() - the value of field @key, or NULL. */
const char *uvpci_trace_get(const struct uvpci_trace_rec *rec, const char *key);

struct uvregmap;

/**
 * uvpci_trace_format() - @rec in words, one line without its newline:
 * "TIME TASK WHAT", WHAT being e.g. "write 0:0x8.l = 0x00000001" or, with
 * @map, "write CTRL = 0x1 RESET=1" (uvregmap_decode()); "read ... in N ns",
 * "dma-write 0x... +64 (16 dw)", "msi 0", "deliver msi 0 irq 28", and a
 * status other than ok in parentheses ("(timed-out)", "refused: why").
 * @map: a register map for BAR accesses, or NULL
 * @return as snprintf().
 */
int uvpci_trace_format(const struct uvpci_trace_rec *rec,
		       const struct uvregmap *map, char *buf, size_t len);

struct uvpci_trace_session;

/**
 * uvpci_trace_start() - record device @dev's events: a tracefs instance
 * "uvpci-trace-PID" of its own (tracefs is mounted first if it is not),
 * every uvpci and uvbus event on in it, filtered on dev == @dev. Other
 * tracing (trace-cmd, perf, the top instance) is left alone.
 * @err: the reason on failure, one line (may be NULL)
 * @return 0; -ENOENT (no tracefs, or no uvpci events: uvpci.ko not
 *         loaded), -EEXIST, -errno of tracefs.
 */
int uvpci_trace_start(const char *dev, struct uvpci_trace_session **sp,
		      char *err, size_t errlen);

/**
 * uvpci_trace_next() - the session's next event, waiting up to
 * @timeout_ms (-1: for ever; 0: not at all) for one.
 * @return 1 with @rec filled; 0 when none came in time; -EINTR when a
 *         signal came; -errno of reading.
 */
int uvpci_trace_next(struct uvpci_trace_session *s, struct uvpci_trace_rec *rec,
		     int timeout_ms);

/**
 * uvpci_trace_pause() - stop recording; what was recorded can still be
 * read with uvpci_trace_next() (until it returns 0).
 */
void uvpci_trace_pause(struct uvpci_trace_session *s);

/**
 * uvpci_trace_overruns() - events the instance's buffer lost so far
 * (per-CPU overruns, and lines of lost events seen in the pipe).
 */
unsigned long uvpci_trace_overruns(const struct uvpci_trace_session *s);

/** uvpci_trace_instance() - the instance's directory in tracefs. */
const char *uvpci_trace_instance(const struct uvpci_trace_session *s);

/** uvpci_trace_stop() - end the session and remove its instance. */
void uvpci_trace_stop(struct uvpci_trace_session *s);

#ifdef __cplusplus
}
#endif

#endif /* UVPCI_TRACE_H */
