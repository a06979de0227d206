// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cli.c - what every uvNIC tool's command line shares: the generic options
 * (-h/--help, --version), the one argtable2 flow (null check, parse, help
 * first, one error line + "Try", always arg_freetable), bounded numbers
 * and names, and the one-line error messages ("prog: message").
 *
 * This is the only part of the library that prints.
 */
#include <argtable2.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libuvnic.h"

#ifndef UVNIC_VERSION
#define UVNIC_VERSION "unknown"
#endif

#define GLOSSARY_FORMAT	"  %-22s %s\n"

/* The generic syntax, added to every tool, and the command line in use. */
static struct {
	struct arg_lit *help;
	struct arg_lit *version;
	struct arg_end *end;
	void *table[3];
} generic;

static const struct uvnic_cli *current;

const char *uvnic_version(void)
{
	return UVNIC_VERSION;
}

struct arg_str *uvnic_cli_command(const char *word)
{
	return arg_str1(NULL, NULL, word, NULL);
}

static struct arg_end *table_end(const struct uvnic_cli_syntax *syn)
{
	return syn->argtable[syn->count - 1];
}

static struct arg_str *table_command(const struct uvnic_cli_syntax *syn)
{
	return syn->command ? syn->argtable[0] : NULL;
}

/* Did this syntax's command word receive the word it stands for? */
static int command_matches(const struct uvnic_cli_syntax *syn)
{
	struct arg_str *cmd = table_command(syn);

	return !cmd || (cmd->count > 0 && !strcmp(cmd->sval[0], syn->command));
}

void uvnic_cli_free(const struct uvnic_cli *cli)
{
	size_t i;

	if (!cli)
		return;
	for (i = 0; i < cli->nsyntax; i++)
		arg_freetable(cli->syntax[i].argtable, cli->syntax[i].count);
	arg_freetable(generic.table, ARRAY_SIZE(generic.table));
	memset(&generic, 0, sizeof(generic));
	if (current == cli)
		current = NULL;
}

/* Every exit from here frees the tables first. */
static __attribute__((noreturn)) void cli_exit(int status)
{
	uvnic_cli_free(current);
	exit(status);
}

void uvnic_cli_usage(const struct uvnic_cli *cli, FILE *fp)
{
	size_t i, w = 0;

	for (i = 0; i < cli->nsyntax; i++) {
		fprintf(fp, "%s %s", i ? "      " : "Usage:", cli->prog);
		arg_print_syntaxv(fp, cli->syntax[i].argtable, "\n");
	}
	fprintf(fp, "%s %s", cli->nsyntax ? "      " : "Usage:", cli->prog);
	arg_print_syntaxv(fp, generic.table, "\n");

	if (cli->purpose)
		fprintf(fp, "\n%s\n", cli->purpose);

	for (i = 0; i < cli->nsyntax; i++)
		if (cli->syntax[i].command && strlen(cli->syntax[i].command) > w)
			w = strlen(cli->syntax[i].command);
	if (w) {
		fprintf(fp, "\nCommands:\n");
		for (i = 0; i < cli->nsyntax; i++)
			if (cli->syntax[i].command && cli->syntax[i].summary)
				fprintf(fp, "  %-*s  %s\n", (int)w,
					cli->syntax[i].command,
					cli->syntax[i].summary);
	}

	fprintf(fp, "\nOptions:\n");
	for (i = 0; i < cli->nsyntax; i++)
		arg_print_glossary(fp, cli->syntax[i].argtable, GLOSSARY_FORMAT);
	arg_print_glossary(fp, generic.table, GLOSSARY_FORMAT);

	if (cli->epilog)
		fprintf(fp, "\n%s\n", cli->epilog);
}

/*
 * The first error argtable2 recorded, as one line "prog: ...". Positional
 * arguments get plainer words than argtable2's ("missing option NAME",
 * "excess option foo"); options keep its wording.
 */
static void print_first_error(const char *prog, struct arg_end *end)
{
	struct arg_hdr *hdr;
	const char *val;
	char *buf = NULL, *nl;
	size_t len = 0;
	FILE *mem;

	if (end->count > 0 && end->parent[0] != end) {
		hdr = end->parent[0];
		val = end->argval[0];
		if (!hdr->shortopts && !hdr->longopts) {
			if (val && *val)
				fprintf(stderr, "%s: unexpected argument '%s'\n", prog, val);
			else
				fprintf(stderr, "%s: missing %s\n", prog,
					hdr->datatype ? hdr->datatype : "argument");
			return;
		}
	}

	mem = open_memstream(&buf, &len);
	if (!mem) {
		fprintf(stderr, "%s: invalid command line\n", prog);
		return;
	}
	arg_print_errors(mem, end, prog);
	fclose(mem);
	nl = buf ? strchr(buf, '\n') : NULL;
	if (nl)
		*nl = '\0';
	if (buf && *buf)
		fprintf(stderr, "%s\n", buf);
	else
		fprintf(stderr, "%s: invalid command line\n", prog);
	free(buf);
}

static __attribute__((noreturn)) void usage_error_tail(void)
{
	fprintf(stderr, "Try '%s --help'.\n", program_invocation_short_name);
	cli_exit(1);
}

int uvnic_cli_parse(const struct uvnic_cli *cli, int argc, char **argv)
{
	struct arg_str *cmd0;
	size_t i;
	int gerr;

	current = cli;
	/* errx/warnx and our messages say the tool's name, whatever argv[0]. */
	program_invocation_short_name = (char *)cli->prog;

	generic.help = arg_lit0("h", "help", "print this help and exit");
	generic.version = arg_lit0(NULL, "version", "print the version and exit");
	generic.end = arg_end(5);
	generic.table[0] = generic.help;
	generic.table[1] = generic.version;
	generic.table[2] = generic.end;
	if (arg_nullcheck(generic.table))
		uvnic_die("out of memory");
	for (i = 0; i < cli->nsyntax; i++) {
		if (arg_nullcheck(cli->syntax[i].argtable))
			uvnic_die("out of memory");
		if (cli->syntax[i].command &&
		    strcmp(((struct arg_hdr *)cli->syntax[i].argtable[0])->datatype,
			   cli->syntax[i].command))
			uvnic_die("internal error: syntax '%s' must start with uvnic_cli_command()",
				  cli->syntax[i].command);
	}

	gerr = arg_parse(argc, argv, generic.table);

	/* --help wins over everything, errors included. */
	if (generic.help->count) {
		uvnic_cli_usage(cli, stdout);
		cli_exit(0);
	}
	if (generic.version->count) {
		printf("%s (uvNIC) %s\n", cli->prog, UVNIC_VERSION);
		cli_exit(0);
	}

	/* Parse every syntax, so that all are filled in for the errors below. */
	for (i = 0; i < cli->nsyntax; i++)
		if (arg_parse(argc, argv, cli->syntax[i].argtable) == 0 &&
		    command_matches(&cli->syntax[i]))
			return (int)i;

	/*
	 * argtable2 takes "--opt ''" for a missing value and loses the
	 * option's name ("option \"\" requires an argument"): name it.
	 */
	for (i = 2; i < (size_t)argc; i++) {
		if (!argv[i][0] && argv[i - 1][0] == '-' && argv[i - 1][1] &&
		    !strchr(argv[i - 1], '=')) {
			fprintf(stderr, "%s: option %s: empty value\n", cli->prog,
				argv[i - 1]);
			usage_error_tail();
		}
	}

	/* The syntax the user meant, by its command word: say what is wrong. */
	for (i = 0; i < cli->nsyntax; i++) {
		if (command_matches(&cli->syntax[i])) {
			print_first_error(cli->prog, table_end(&cli->syntax[i]));
			usage_error_tail();
		}
	}

	/* No command word matched. */
	cmd0 = cli->nsyntax ? table_command(&cli->syntax[0]) : NULL;
	if (cmd0 && cmd0->count > 0)
		fprintf(stderr, "%s: unknown command '%s'\n", cli->prog, cmd0->sval[0]);
	else if (gerr)
		print_first_error(cli->prog, generic.end);
	else
		fprintf(stderr, "%s: missing command\n", cli->prog);
	usage_error_tail();
}

/* ---------------------------------------------------------------- */
/* messages                                                          */
/* ---------------------------------------------------------------- */

void uvnic_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	cli_exit(1);
}

static void vwarn_err(int err, enum uvnic_ctx ctx, const char *fmt, va_list ap)
{
	char msg[512], why[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	uvnic_format_error(why, sizeof(why), err, ctx);
	warnx("%s: %s", msg, why);
}

void uvnic_die_err(int err, enum uvnic_ctx ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_err(err, ctx, fmt, ap);
	va_end(ap);
	cli_exit(1);
}

void uvnic_warn_err(int err, enum uvnic_ctx ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_err(err, ctx, fmt, ap);
	va_end(ap);
}

void uvnic_usage_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	usage_error_tail();
}

uint64_t uvnic_cli_number(const char *what, const char *s, uint64_t min,
			  uint64_t max)
{
	uint64_t v;
	int rc = uvnic_parse_u64(s, max, &v);

	if (rc == -EINVAL)
		uvnic_usage_die("invalid %s '%s': %s", what, s ? s : "",
				uvnic_parse_why(s, s ? strlen(s) : 0, rc));
	if (rc || v < min) {
		if (max > 0xffff)
			uvnic_usage_die("invalid %s '%s': out of range (0x%llx to 0x%llx)",
					what, s, (unsigned long long)min,
					(unsigned long long)max);
		uvnic_usage_die("invalid %s '%s': out of range (%llu to %llu)",
				what, s, (unsigned long long)min,
				(unsigned long long)max);
	}
	return v;
}

const char *uvnic_cli_name(const char *name)
{
	int rc = uvbus_check_name(name);

	if (rc == -ENAMETOOLONG)
		uvnic_usage_die("invalid NAME '%s': longer than %d characters",
				name, UVBUS_NAME_MAX - 1);
	if (rc)
		uvnic_usage_die("invalid NAME: empty");
	return name;
}

int uvnic_cli_open_bus(void)
{
	int fd = uvbus_open();

	if (fd < 0)
		uvnic_die_err(fd, UVNIC_CTX_DEVICE, "cannot open %s",
			      uvbus_device_path());
	return fd;
}

void uvnic_cli_stop_on_signals(void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL))
		uvnic_die_err(-errno, UVNIC_CTX_NONE, "sigaction");
}

void uvnic_cli_ready(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		uvnic_die_err(-errno, UVNIC_CTX_NONE, "%s", path);
	close(fd);
}

struct uvbus_port *uvnic_cli_port_open(const char *name, uint32_t flags,
				       unsigned int entries)
{
	struct uvbus_port *port;
	int fd = uvnic_cli_open_bus();
	int rc = uvbus_port_open_fd(fd, name, flags, entries, &port);

	if (rc) {
		close(fd);
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "attach '%s'", name);
	}
	return port;
}
