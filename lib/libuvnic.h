/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libuvnic.h - the uvNIC userspace library: the uvBus transport (channels,
 * ports, rings, signals), error reporting, and the CLI support every uvNIC
 * tool shares.
 *
 * The ring algorithm, the message layouts and the ioctl ABI are not here:
 * they live in the one shared header, uvbus.h (kernel/uapi/), which this
 * file includes. See uvbus(4).
 *
 * Conventions, for every function below unless its comment says otherwise:
 *  - success returns 0 or a non-negative count; failure returns -errno
 *    (a negative errno value, e.g. -ENOENT). errno itself is left as the
 *    failing system call set it, but callers should use the return value.
 *  - the library never prints, except through the functions under "CLI
 *    support", whose job is to print.
 *  - names are channel names: 1..UVBUS_NAME_MAX-1 bytes; the library only
 *    checks the length (see uvbus_check_name()); the kernel checks the rest.
 *
 * Prefixes: uvbus_ for the transport, uvnic_ for general helpers.
 */
#ifndef LIBUVNIC_H
#define LIBUVNIC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "uvbus.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================== */
/* Channel control: operations on a /dev/uvbus descriptor              */
/* ================================================================== */

/**
 * uvbus_device_path() - the uvBus device node the library opens.
 *
 * @return $UVBUS_DEVICE when it is set and non-empty, else "/dev/uvbus"
 *         (UVBUS_DEVICE_PATH). Never NULL. For messages ("cannot open %s").
 */
const char *uvbus_device_path(void);

/**
 * uvbus_open() - open the uvBus device for control operations.
 *
 * Opens uvbus_device_path() with O_RDWR | O_CLOEXEC. The descriptor serves
 * every call below that takes @fd; close it with close(2). Closing it
 * destroys the channels it created with UVBUS_CREATE_EPHEMERAL.
 *
 * @return the descriptor (>= 0), or -errno from open(2): -ENOENT when the
 *         module is not loaded, -EACCES when not root, ...
 */
int uvbus_open(void);

/**
 * uvbus_check_name() - the checks a name needs before it is copied into
 * the fixed-size name field of an ioctl argument.
 * @name: a channel name
 *
 * Only the length is checked here: the characters allowed are the
 * kernel's to decide (it answers -EINVAL).
 *
 * @return 0; -EINVAL if @name is NULL or empty; -ENAMETOOLONG if it has
 *         UVBUS_NAME_MAX (32) bytes or more.
 */
int uvbus_check_name(const char *name);

/**
 * uvbus_copy_name() - uvbus_check_name(), then copy @name into @dst, the
 * name field of an ioctl argument (NUL-padded: the kernel sees no stale
 * bytes after the name).
 * @dst: UVBUS_NAME_MAX bytes
 * @name: a channel name
 *
 * @return as uvbus_check_name(); @dst is untouched on error.
 */
int uvbus_copy_name(char dst[UVBUS_NAME_MAX], const char *name);

/**
 * uvbus_version() - query the module's ABI (UVBUS_IOC_VERSION).
 * @fd: from uvbus_open()
 * @v:  filled in on success
 *
 * @return 0 or -errno (-ENOTTY: @fd is not a uvBus device).
 */
int uvbus_version(int fd, struct uvbus_version *v);

/**
 * uvbus_check_version() - uvbus_version(), then check that the module
 * speaks the ABI this library was built for (abi and message size).
 * @fd: from uvbus_open()
 *
 * @return 0, -ENOPROTOOPT on a mismatch, or uvbus_version()'s -errno.
 */
int uvbus_check_version(int fd);

/**
 * uvbus_create() - create a channel (UVBUS_IOC_CREATE). Needs CAP_SYS_ADMIN.
 * @fd:  from uvbus_open()
 * @req: the request; its reserved fields and unused union members must be
 *       zero (start from a zeroed struct). @req->name must be NUL-terminated
 *       within the field.
 *
 * @return 0, -EINVAL (unterminated or empty name, or the kernel refused the
 *         request), -ENAMETOOLONG, -EEXIST, -EPERM, -ENOSPC (too many
 *         channels), -EPROTONOSUPPORT (the type's module, e.g. uvpci.ko, is
 *         not loaded), or another -errno.
 */
int uvbus_create(int fd, const struct uvbus_create *req);

/**
 * uvbus_create_loopback() - create a loopback channel: the kernel echoes
 * every message (and every user signal bit) back to the port that sent it.
 * @fd:    from uvbus_open()
 * @name:  channel name
 * @flags: UVBUS_CREATE_* (UVBUS_CREATE_EPHEMERAL: destroyed when @fd closes)
 *
 * @return as uvbus_create(); -EINVAL/-ENAMETOOLONG from uvbus_check_name().
 */
int uvbus_create_loopback(int fd, const char *name, uint32_t flags);

/**
 * uvbus_destroy() - destroy a channel (UVBUS_IOC_DESTROY). Its ports see
 * POLLHUP and uvbus_port_wait() returns -ENODEV.
 *
 * @return 0, -ENOENT (no such channel), -EPERM, -EINVAL/-ENAMETOOLONG
 *         (name), or another -errno.
 */
int uvbus_destroy(int fd, const char *name);

/**
 * uvbus_reset() - reset a channel (UVBUS_IOC_RESET); what that means is the
 * channel type's (a uvPCI device: a device reset).
 *
 * @return 0, -ENOENT, -EOPNOTSUPP (the type has no reset), or -errno.
 */
int uvbus_reset(int fd, const char *name);

/**
 * uvpci_release() - let drivers bind to a uvPCI device created with
 * UVBUS_CREATE_HELD (UVPCI_IOC_RELEASE): the bus probes it before this
 * returns. Needs CAP_SYS_ADMIN.
 *
 * @return 0, -EALREADY (not held, or already released), -ENOENT (no such
 *         channel), -ENOTTY (not a uvPCI device), -EPERM, or -errno.
 */
int uvpci_release(int fd, const char *name);

/**
 * uvbus_info() - a channel's identity, state and counters (UVBUS_IOC_INFO).
 * @info: zeroed, then filled in on success
 *
 * @return 0, -ENOENT, -EINVAL/-ENAMETOOLONG (name), or -errno.
 */
int uvbus_info(int fd, const char *name, struct uvbus_info *info);

/**
 * uvbus_list() - the channel at position @index (UVBUS_IOC_LIST). Iterate
 * from 0 until -ENOENT. Channels created or destroyed meanwhile may be
 * skipped or seen twice: this is a snapshot per call, not per walk.
 * @info: zeroed, then filled in on success
 *
 * @return 0, -ENOENT past the last channel, or -errno.
 */
int uvbus_list(int fd, uint32_t index, struct uvbus_info *info);

/**
 * uvbus_type_name() - "loopback", "uvpci", or "unknown".
 * @return a static string, never NULL.
 */
const char *uvbus_type_name(uint32_t type);

/**
 * uvbus_state_name() - "ok", "broken", or "unknown".
 * @return a static string, never NULL.
 */
const char *uvbus_state_name(uint32_t state);

/* ================================================================== */
/* Ports: an attached descriptor, its mapping and its two rings        */
/* ================================================================== */

/*
 * A port is one attachment to a channel: its own descriptor, the mapping
 * of its two rings (k2u: kernel->user, which the port consumes; u2k:
 * user->kernel, which it produces), and the signal bits read from the
 * descriptor but not yet handed to the caller.
 *
 * THE SPSC RULE. Each ring has exactly one producer and one consumer, and
 * the library adds no locks. So a port may be used by at most two threads
 * at once, split by direction:
 *   - the sending thread:   uvbus_port_send(), uvbus_port_send_all(),
 *                           uvbus_port_signal();
 *   - the receiving thread: uvbus_port_recv(), uvbus_port_recv_wait(),
 *                           uvbus_port_wait().
 * Two threads sending (or two receiving) on one port must serialise
 * themselves; a process that needs two independent producers opens two
 * ports. uvbus_port_fd() and uvbus_port_entries() are safe from any thread;
 * uvbus_port_close() must not race with anything.
 *
 * Signals. The kernel raises UVBUS_SIG_RING after it queues k2u messages;
 * a loopback channel also echoes user bits (UVBUS_SIG_USER_SHIFT and up).
 * The port's descriptor is non-blocking and is POLLIN while bits are
 * pending, so it can sit in the caller's own poll/epoll loop (then call
 * uvbus_port_wait() with timeout 0 to collect the bits).
 */
struct uvbus_port;

/**
 * uvbus_port_open() - open the device, attach to channel @name and map its
 * rings.
 * @name:    channel name
 * @flags:   UVBUS_ATTACH_* (UVBUS_ATTACH_MODEL: the device model of a uvPCI
 *           channel); 0 otherwise
 * @entries: ring size wanted, a power of two from UVBUS_RING_MIN_ENTRIES to
 *           UVBUS_RING_MAX_ENTRIES; 0 for the default (256). The kernel may
 *           grant another size: see uvbus_port_entries().
 * @portp:   set to the new port on success, untouched on failure
 *
 * @return 0, or -errno: as uvbus_open(); -ENOENT (no such channel);
 *         -EINVAL (bad @flags or @entries); -EBUSY; -EPIPE (the channel is
 *         broken); -ENOPROTOOPT (ABI mismatch, see uvbus_check_version());
 *         -EPROTO (the kernel's ring layout does not fit its mapping);
 *         -ENOMEM.
 */
int uvbus_port_open(const char *name, uint32_t flags, unsigned int entries,
		    struct uvbus_port **portp);

/**
 * uvbus_port_open_fd() - as uvbus_port_open(), on a descriptor the caller
 * already opened with uvbus_open() (for instance the one that created an
 * ephemeral channel, so that channel lives exactly as long as the port).
 * On success the port owns @fd (uvbus_port_close() closes it) and sets it
 * O_NONBLOCK; on failure @fd is left open and the caller still owns it.
 *
 * @return as uvbus_port_open(); -EBUSY if @fd is already attached.
 */
int uvbus_port_open_fd(int fd, const char *name, uint32_t flags,
		       unsigned int entries, struct uvbus_port **portp);

/**
 * uvbus_port_close() - unmap, close the descriptor (which detaches) and
 * free the port. Messages still in the u2k ring may never be consumed.
 * @port: may be NULL (then nothing happens)
 */
void uvbus_port_close(struct uvbus_port *port);

/**
 * uvbus_port_fd() - the port's descriptor, for poll/epoll (POLLIN: signal
 * bits pending; POLLERR: channel broken; POLLHUP: channel destroyed).
 * Owned by the port: do not read, write or close it.
 *
 * @return the descriptor (>= 0).
 */
int uvbus_port_fd(const struct uvbus_port *port);

/**
 * uvbus_port_entries() - the ring size the kernel granted, in messages.
 *
 * @return the size (a power of two); the most messages each ring can hold.
 */
unsigned int uvbus_port_entries(const struct uvbus_port *port);

/**
 * uvbus_port_name() - the channel this port is attached to.
 *
 * @return the name, owned by the port.
 */
const char *uvbus_port_name(const struct uvbus_port *port);

/**
 * uvbus_port_send() - queue up to @n messages on the u2k ring, in order,
 * without waiting and without signalling: call uvbus_port_signal() with
 * UVBUS_SIG_RING once a batch is queued, so the kernel drains it.
 * Sending thread only.
 *
 * @return how many were queued (0 when the ring is full), or -EPROTO if
 *         the kernel's published head is impossible (the ring is corrupt;
 *         nothing was written).
 */
int uvbus_port_send(struct uvbus_port *port, const struct uvbus_msg *msgs,
		    unsigned int n);

/**
 * uvbus_port_recv() - take up to @n messages off the k2u ring, in order,
 * without waiting. The copies in @msgs are the caller's; validate them,
 * never the shared slots. Receiving thread only.
 *
 * @return how many were taken (0 when the ring is empty), or -EPROTO if
 *         the published tail is impossible (nothing was read).
 */
int uvbus_port_recv(struct uvbus_port *port, struct uvbus_msg *msgs,
		    unsigned int n);

/**
 * uvbus_port_signal() - ring the kernel's doorbell: write(2) of @bits.
 * UVBUS_SIG_RING asks the kernel to drain this port's u2k ring; other bits
 * go to the channel type (a loopback channel echoes them back).
 * Sending thread only.
 *
 * @return 0, -EINVAL (the kernel refused @bits), -EPIPE (channel broken),
 *         -ENODEV (channel destroyed), or -errno from write(2).
 */
int uvbus_port_signal(struct uvbus_port *port, uint64_t bits);

/**
 * uvbus_port_kick() - after uvbus_port_send(): ring UVBUS_SIG_RING unless
 * the kernel is spinning on the u2k ring (UVBUS_RING_F_POLLING, set while
 * a host MMIO read waits for its completion), which then finds the
 * messages without a system call. Sending thread only.
 *
 * @return 1 if the doorbell rang, 0 if it was not needed, or as
 *         uvbus_port_signal().
 */
int uvbus_port_kick(struct uvbus_port *port);

/**
 * uvbus_port_wait() - wait until signal bits are pending, collect them and
 * clear them.
 * @timeout_ms: -1 waits for ever, 0 only collects what is already pending
 * @bits:       set to the collected bits on success (never 0)
 *
 * UVBUS_SIG_RING is also reported, without a system call, while the k2u
 * ring still holds messages, so draining with uvbus_port_recv() until it
 * returns 0 is never needed for correctness. The converse does not hold:
 * a reported UVBUS_SIG_RING may find the ring already empty (a signal for
 * messages a previous call consumed). Receiving thread only.
 *
 * @return 0; -ETIMEDOUT; -EPIPE (the channel is broken: a ring was
 *         corrupted, see the kernel log); -ENODEV (the channel was
 *         destroyed); or -errno from poll(2)/read(2). EINTR is retried.
 */
int uvbus_port_wait(struct uvbus_port *port, int timeout_ms, uint64_t *bits);

/**
 * uvbus_port_send_all() - send @n messages, batching: queue as many as fit,
 * signal UVBUS_SIG_RING, and while the ring stays full signal again and
 * back off (the kernel frees slots as it drains; no signal says so).
 * Sending thread only.
 * @timeout_ms: -1 for ever; the time allowed for all @n to be queued
 *
 * When the time runs out, a partial send is reported as a count, as by
 * write(2), so a caller that retries never sends a message twice. An error
 * (the channel broken or destroyed) is reported as such even after some
 * messages were queued: nobody will consume them.
 *
 * @return @n when all were queued and signalled; fewer (> 0) when the time
 *         ran out after some were queued; -ETIMEDOUT if none could be queued
 *         in time; -EPIPE (broken), -ENODEV (destroyed), -EPROTO (corrupt
 *         ring), or -errno from write(2).
 */
int uvbus_port_send_all(struct uvbus_port *port, const struct uvbus_msg *msgs,
			unsigned int n, int timeout_ms);

/**
 * uvbus_port_recv_wait() - receive at least one and at most @n messages,
 * waiting up to @timeout_ms (-1: for ever) for the first. Signal bits other
 * than UVBUS_SIG_RING that arrive meanwhile are kept for uvbus_port_wait().
 * Receiving thread only.
 *
 * @return how many were received (>= 1), -ETIMEDOUT, -EPIPE, -ENODEV,
 *         -EPROTO or -errno. @n == 0 returns 0 at once.
 */
int uvbus_port_recv_wait(struct uvbus_port *port, struct uvbus_msg *msgs,
			 unsigned int n, int timeout_ms);

/* ================================================================== */
/* Errors                                                              */
/* ================================================================== */

/**
 * uvnic_strerror() - the description of an errno value.
 * @err: an errno value, negative (as the library returns them) or positive
 *
 * @return a static string ("No such file or directory"), never NULL;
 *         safe from any thread.
 */
const char *uvnic_strerror(int err);

/** What a failed call was doing, so uvnic_hint() can say what to check. */
enum uvnic_ctx {
	UVNIC_CTX_NONE = 0,	/* no particular context */
	UVNIC_CTX_DEVICE,	/* opening the uvBus device (uvbus_open()) */
	UVNIC_CTX_CHANNEL,	/* an operation on a named channel */
};

/**
 * uvnic_hint() - a short hint for an error, to append in parentheses:
 * "cannot open /dev/uvbus: No such file or directory (is uvbus.ko loaded?)".
 * @err: errno value, either sign
 * @ctx: what was being done
 *
 * @return a static string, or NULL when there is nothing useful to add.
 */
const char *uvnic_hint(int err, enum uvnic_ctx ctx);

/**
 * uvnic_format_error() - "<description>" or "<description> (<hint>)" into
 * @buf, truncated to @size (always NUL-terminated when @size > 0).
 *
 * @return the length the full text needs, as snprintf(3).
 */
int uvnic_format_error(char *buf, size_t size, int err, enum uvnic_ctx ctx);

/* ================================================================== */
/* Number parsing                                                      */
/* ================================================================== */

/*
 * The number rule of every uvNIC tool, for messages and man pages: a
 * number is decimal ("4096") or hexadecimal with 0x or 0X ("0x1000"), and
 * nothing else: no sign, no blanks, no suffix, no leading zero ("010" is
 * octal to C, hex to setpci: refused, not guessed). A number accepted
 * means what strtoull(s, NULL, 0) makes of it.
 */
#define UVNIC_NUMBER_RULE "decimal, or hex with 0x"

/**
 * uvnic_parse_u64n() - parse the @len bytes at @s (no NUL needed) as one
 * number under the rule above, bounded by @max. Every number a uvNIC tool
 * reads, register specs included, goes through here.
 * @out: set on success only
 *
 * @return 0; -EINVAL if @s is NULL, empty or not a number (a leading
 *         zero included); -ERANGE if the value is above @max (including
 *         overflow of 64 bits).
 */
int uvnic_parse_u64n(const char *s, size_t len, uint64_t max, uint64_t *out);

/**
 * uvnic_parse_u64() - uvnic_parse_u64n() on the NUL-terminated @s.
 */
int uvnic_parse_u64(const char *s, uint64_t max, uint64_t *out);

/**
 * uvnic_parse_why() - why uvnic_parse_u64n(@s, @len) failed with @rc, in
 * words, for a message: "not a number (decimal, or hex with 0x)", "a
 * leading zero is ambiguous (...)", or "too large" for -ERANGE (a caller
 * that knows the range says it instead).
 */
const char *uvnic_parse_why(const char *s, size_t len, int rc);

/**
 * uvnic_parse_uint() - uvnic_parse_u64() into an unsigned int, between
 * @min and @max inclusive.
 *
 * @return 0, -EINVAL, or -ERANGE (below @min or above @max).
 */
int uvnic_parse_uint(const char *s, unsigned int min, unsigned int max,
		     unsigned int *out);

/**
 * uvnic_hex_digit() - the value of hex digit @c (either case), or -1.
 */
int uvnic_hex_digit(char c);

/* ================================================================== */
/* JSON output                                                         */
/* ================================================================== */

/**
 * uvnic_json_string() - write @s to @fp as one JSON string (RFC 8259):
 * quoted; '"', '\\' and control characters escaped; valid UTF-8 kept as
 * it is; any byte that is not part of valid UTF-8 written as \ufffd (the
 * replacement character), so the output is valid JSON whatever @s holds.
 * A NULL @s is written as null.
 */
void uvnic_json_string(FILE *fp, const char *s);

/* ================================================================== */
/* CLI support: the argtable2 flow and the messages every tool shares  */
/* ================================================================== */

/*
 * A tool describes its command line as one or more syntaxes, each an
 * argtable2 table ending in arg_end(). A tool with subcommands gives each
 * syntax a command word; its table's FIRST entry must then be
 * uvnic_cli_command(word). The library adds the generic syntax
 * ([-h|--help] [--version]) itself: tools never declare those options.
 *
 * Give an argument that appears in several syntaxes (NAME) a glossary
 * only once, in the first table, so --help lists it once.
 *
 *	struct arg_str *name = arg_str1(NULL, NULL, "NAME", "channel name");
 *	struct arg_end *end = arg_end(5);
 *	void *show[] = { uvnic_cli_command("show"), name, end };
 *	struct uvnic_cli_syntax syn[] = {
 *		{ "show", "print a channel's counters", show, ARRAY_SIZE(show) },
 *	};
 *	struct uvnic_cli cli = { "uvbus-ctl", "Manage uvBus channels.", NULL,
 *				 syn, ARRAY_SIZE(syn) };
 *	int which = uvnic_cli_parse(&cli, argc, argv);
 *	... use the parsed values ...
 *	uvnic_cli_free(&cli);
 */
struct uvnic_cli_syntax {
	const char *command;	/* subcommand word, or NULL (a single-syntax tool) */
	const char *summary;	/* one line for the Commands: list, or NULL */
	void **argtable;	/* argtable2 entries, the last from arg_end() */
	size_t count;		/* entries in @argtable, the arg_end included */
};

struct uvnic_cli {
	const char *prog;	/* tool name, used in every message */
	const char *purpose;	/* a line or two printed by --help */
	const char *epilog;	/* printed last by --help, or NULL */
	const struct uvnic_cli_syntax *syntax;
	size_t nsyntax;
};

struct arg_str;		/* <argtable2.h> */

/**
 * uvnic_cli_command() - the argtable2 entry for a subcommand word; put it
 * first in that syntax's table. Its text appears as-is in the usage line.
 *
 * @return the entry, or NULL when out of memory (uvnic_cli_parse()'s null
 *         check reports it).
 */
struct arg_str *uvnic_cli_command(const char *word);

/**
 * uvnic_cli_parse() - the one argtable2 flow of every uvNIC tool.
 *
 * Checks every table for allocation failures, parses @argv against each
 * syntax and the generic one, and then, in this order:
 *  - -h/--help anywhere on the line: prints the usage (every syntax), the
 *    purpose, the commands and the glossary to stdout; frees every table;
 *    exits 0, whatever else the line holds;
 *  - --version alone: prints "PROG (uvNIC) VERSION" to stdout, frees,
 *    exits 0;
 *  - one syntax matches without error: returns its index in cli->syntax;
 *  - otherwise: prints ONE error line, "PROG: ...", to stderr, then
 *    "Try 'PROG --help'.", frees every table, exits 1.
 * From here on, messages from uvnic_die() and friends say cli->prog, and
 * they free @cli's tables before exiting. One command line per process.
 *
 * @return the index of the syntax that matched (only returns on a match).
 */
int uvnic_cli_parse(const struct uvnic_cli *cli, int argc, char **argv);

/**
 * uvnic_cli_usage() - print the --help text (what -h prints) to @fp.
 */
void uvnic_cli_usage(const struct uvnic_cli *cli, FILE *fp);

/**
 * uvnic_cli_free() - arg_freetable() on every table of @cli. Call it once,
 * after the last use of the parsed values (every exit inside the library
 * calls it first).
 */
void uvnic_cli_free(const struct uvnic_cli *cli);

/**
 * uvnic_version() - this build's version string ("0.1.0").
 * @return a static string.
 */
const char *uvnic_version(void);

/**
 * uvnic_die() - print "PROG: <message>" to stderr and exit(1), as errx(3).
 */
__attribute__((noreturn, format(printf, 1, 2)))
void uvnic_die(const char *fmt, ...);

/**
 * uvnic_die_err() - print "PROG: <message>: <description> (<hint>)" for the
 * errno value @err (either sign) in context @ctx, and exit(1).
 */
__attribute__((noreturn, format(printf, 3, 4)))
void uvnic_die_err(int err, enum uvnic_ctx ctx, const char *fmt, ...);

/**
 * uvnic_warn_err() - as uvnic_die_err(), without exiting.
 */
__attribute__((format(printf, 3, 4)))
void uvnic_warn_err(int err, enum uvnic_ctx ctx, const char *fmt, ...);

/**
 * uvnic_usage_die() - a bad command line found after uvnic_cli_parse():
 * print "PROG: <message>" and "Try 'PROG --help'." to stderr, free the
 * tables of the command line being parsed and exit(1).
 */
__attribute__((noreturn, format(printf, 1, 2)))
void uvnic_usage_die(const char *fmt, ...);

/**
 * uvnic_cli_number() - parse an option's value with uvnic_parse_u64() and
 * bounds, or uvnic_usage_die() with one line naming @what:
 * "PROG: invalid --msi 'abc': not a number (decimal, or hex with 0x)",
 * "PROG: invalid --msi '40': out of range (0 to 32)".
 * @what: the option or argument as the user knows it ("--entries")
 *
 * @return the value, between @min and @max.
 */
uint64_t uvnic_cli_number(const char *what, const char *s, uint64_t min,
			  uint64_t max);

/**
 * uvnic_cli_name() - uvbus_check_name() on a NAME argument, or
 * uvnic_usage_die() with one line.
 *
 * @return @name.
 */
const char *uvnic_cli_name(const char *name);

/**
 * uvnic_cli_open_bus() - uvbus_open(), or uvnic_die_err() with
 * "cannot open /dev/uvbus: <description> (<hint>)".
 *
 * @return the descriptor.
 */
int uvnic_cli_open_bus(void);

/**
 * uvnic_cli_port_open() - uvnic_cli_open_bus(), then uvbus_port_open_fd(),
 * or uvnic_die_err() with "attach 'NAME': <description> (<hint>)"; so a
 * missing device and a missing channel get different messages.
 *
 * @return the port.
 */
struct uvbus_port *uvnic_cli_port_open(const char *name, uint32_t flags,
				       unsigned int entries);

/**
 * uvnic_cli_stop_on_signals() - call @handler on SIGINT and SIGTERM,
 * without SA_RESTART: a model blocked in uvpci_device_process() then
 * returns -EINTR and can look at the flag @handler set.
 */
void uvnic_cli_stop_on_signals(void (*handler)(int));

/**
 * uvnic_cli_ready() - create the empty file @path (a model's --ready
 * FILE) for a script waiting until the program has attached; or
 * uvnic_die_err() naming it.
 */
void uvnic_cli_ready(const char *path);

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#ifdef __cplusplus
}
#endif

#include "uvpci-device.h"
#include "uvpci-regspec.h"
#include "uvregmap.h"

#endif /* LIBUVNIC_H */
