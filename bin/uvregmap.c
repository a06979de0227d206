// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvregmap - register maps as data: check a uvregmap(5) map, generate its
 * C header, man-page table and model skeleton, decode register accesses,
 * report a model's register coverage. Everything is lib/regmap/uvregmap.h's;
 * this is its command line. See uvregmap(1).
 *
 * The Makefile builds it from the few lib/ objects it needs, before the
 * rest of lib/: the uvNIC header it generates is an input of those.
 */
#include <argtable2.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libuvnic.h"
#include "uvregmap.h"

#define MAXERR 5

static struct uvregmap *load(const char *path)
{
	char err[UVREGMAP_ERR_MAX];
	struct uvregmap *map;

	if (uvregmap_load(path, &map, err, sizeof(err)))
		uvnic_die("%s", err);
	return map;
}

/*
 * Output to FILE goes to FILE.tmp first, renamed over FILE only once
 * whole: a failed run never leaves a half header for make to trust.
 */
struct output {
	FILE *f;
	const char *path;
	char tmp[4096];
};

static void out_open(struct output *o, struct arg_str *opt)
{
	o->path = opt->count ? opt->sval[0] : NULL;
	if (!o->path) {
		o->f = stdout;
		return;
	}
	if (snprintf(o->tmp, sizeof(o->tmp), "%s.tmp", o->path) >= (int)sizeof(o->tmp))
		uvnic_die("-o %s: name too long", o->path);
	o->f = fopen(o->tmp, "w");
	if (!o->f)
		uvnic_die_err(errno, UVNIC_CTX_NONE, "%s", o->path);
}

static void out_close(struct output *o, int rc)
{
	if (!o->path) {
		if (rc || fflush(stdout) || ferror(stdout))
			uvnic_die_err(rc ? -rc : errno, UVNIC_CTX_NONE, "write error");
		return;
	}
	if (fclose(o->f) && !rc)
		rc = -errno;
	if (!rc && rename(o->tmp, o->path))
		rc = -errno;
	if (rc) {
		unlink(o->tmp);
		uvnic_die_err(-rc, UVNIC_CTX_NONE, "%s", o->path);
	}
}

/*
 * Options that land in generated C: refuse what would break it. @extra:
 * the characters allowed besides letters, digits and _; @ident: a C
 * identifier (no digit first); @what: the rule, for the message.
 */
static const char *check_word(const char *opt, const char *v, const char *extra,
			      bool ident, const char *what)
{
	size_t i;

	if (!*v)
		uvnic_usage_die("invalid %s: empty", opt);
	for (i = 0; v[i]; i++) {
		char c = v[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
		    (c >= '0' && c <= '9' && (i || !ident)) || strchr(extra, c))
			continue;
		uvnic_usage_die("invalid %s '%s': %s", opt, v, what);
	}
	return v;
}

/* "uvnic.regmap" -> "UVNIC_REGS_H" style guard from the map's prefix. */
static void default_guard(const struct uvregmap *map, char *buf, size_t len)
{
	snprintf(buf, len, "_%s_REGS_H", map->prefix);
}

/* "uvnic.regmap" -> "uvnic-model". */
static void default_prog(const struct uvregmap *map, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "%s-model", map->prefix);
	for (i = 0; buf[i]; i++)
		if (buf[i] >= 'A' && buf[i] <= 'Z')
			buf[i] = (char)(buf[i] - 'A' + 'a');
}

static int decode(const struct uvregmap *map, const char *const *specs, int n)
{
	char err[UVPCI_REGSPEC_ERR_MAX], line[1024];
	struct uvpci_regspec s;
	int i;

	for (i = 0; i < n; i++) {
		if (uvpci_regspec_parse(specs[i], 0, &s, err, sizeof(err)))
			uvnic_die("'%s': %s", specs[i], err);
		if (uvpci_regspec_is_rmw(&s))
			uvnic_die("'%s': a mask does not decode (give the value written)",
				  specs[i]);
		uvregmap_decode(map, s.bar, s.offset, s.size, s.has_value, s.value,
				line, sizeof(line));
		printf("%s\n", line);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct arg_str *c_map = arg_str1(NULL, NULL, "MAP", "the register map, a uvregmap(5) file ('-': stdin)");
	struct arg_end *c_end = arg_end(MAXERR);
	void *check_table[] = { uvnic_cli_command("check"), c_map, c_end };

	struct arg_str *h_map = arg_str1(NULL, NULL, "MAP", NULL);
	struct arg_str *h_out = arg_str0("o", "output", "FILE",
					 "header, man, skeleton: write FILE (whole, or not at all) instead of stdout");
	struct arg_str *h_guard = arg_str0(NULL, "guard", "MACRO",
					   "the header's include guard (default _PREFIX_REGS_H)");
	struct arg_str *h_spdx = arg_str0(NULL, "spdx", "LICENSE",
					  "the header's SPDX-License-Identifier (default GPL-2.0 WITH Linux-syscall-note)");
	struct arg_end *h_end = arg_end(MAXERR);
	void *header_table[] = { uvnic_cli_command("header"), h_map, h_out, h_guard, h_spdx, h_end };

	struct arg_str *m_map = arg_str1(NULL, NULL, "MAP", NULL);
	struct arg_str *m_out = arg_str0("o", "output", "FILE", NULL);
	struct arg_end *m_end = arg_end(MAXERR);
	void *man_table[] = { uvnic_cli_command("man"), m_map, m_out, m_end };

	struct arg_str *s_map = arg_str1(NULL, NULL, "MAP", NULL);
	struct arg_str *s_out = arg_str0("o", "output", "FILE", NULL);
	struct arg_str *s_name = arg_str0(NULL, "name", "PROG",
					  "skeleton: the model program's name (default prefix-model)");
	struct arg_end *s_end = arg_end(MAXERR);
	void *skel_table[] = { uvnic_cli_command("skeleton"), s_map, s_out, s_name, s_end };

	struct arg_str *d_map = arg_str1(NULL, NULL, "MAP", NULL);
	struct arg_str *d_specs = arg_strn(NULL, NULL, "ACCESS", 1, 4096,
					   "decode: BAR:OFFSET[.WIDTH][=VALUE], an access as uvpci-peek(8) and uvpci-poke(8) write it");
	struct arg_end *d_end = arg_end(MAXERR);
	void *decode_table[] = { uvnic_cli_command("decode"), d_map, d_specs, d_end };

	struct arg_str *v_map = arg_str1(NULL, NULL, "MAP", NULL);
	struct arg_str *v_files = arg_strn(NULL, NULL, "COUNTS", 1, 4096,
					   "coverage: a model's access counts (a skeleton's --coverage FILE); several are summed");
	struct arg_end *v_end = arg_end(MAXERR);
	void *cov_table[] = { uvnic_cli_command("coverage"), v_map, v_files, v_end };

	enum { CHECK, HEADER, MAN, SKELETON, DECODE, COVERAGE };
	const struct uvnic_cli_syntax syntax[] = {
		[CHECK] = { "check", "check a map: exit 0 if it is valid, else print its first error",
			    check_table, ARRAY_SIZE(check_table) },
		[HEADER] = { "header", "print the C header: BAR sizes, register offsets, field masks, constants",
			     header_table, ARRAY_SIZE(header_table) },
		[MAN] = { "man", "print the register table for a man page (tbl)",
			  man_table, ARRAY_SIZE(man_table) },
		[SKELETON] = { "skeleton", "print the C source of a device model serving the map",
			       skel_table, ARRAY_SIZE(skel_table) },
		[DECODE] = { "decode", "name the register (and fields) of each access",
			     decode_table, ARRAY_SIZE(decode_table) },
		[COVERAGE] = { "coverage", "report which registers and fields a run read or wrote",
			       cov_table, ARRAY_SIZE(cov_table) },
	};
	const struct uvnic_cli cli = {
		.prog = "uvregmap",
		.purpose = "Register maps as data: check a uvregmap(5) map and generate from it a C\n"
			   "header, a man-page table and a device model; decode accesses; report\n"
			   "register coverage.",
		.epilog = "Exit status: 0 on success, 1 on any error. See uvregmap(1), uvregmap(5).",
		.syntax = syntax,
		.nsyntax = ARRAY_SIZE(syntax),
	};
	char err[UVREGMAP_ERR_MAX] = "", name[UVREGMAP_NAME_MAX + 32];
	struct uvregmap *map = NULL;
	const char *guard = NULL, *spdx = "GPL-2.0 WITH Linux-syscall-note", *prog = NULL;
	struct output o;
	int which, rc = 0;

	which = uvnic_cli_parse(&cli, argc, argv);
	/* Checked before any file is read or written. */
	if (which == HEADER && h_guard->count)
		guard = check_word("--guard", h_guard->sval[0], "", true,
				   "a C identifier (letters, digits, _; not a digit first)");
	if (which == HEADER && h_spdx->count)
		spdx = check_word("--spdx", h_spdx->sval[0], " .-+()", false,
				  "letters, digits, spaces and . _ - + ( ) only");
	if (which == SKELETON && s_name->count)
		prog = check_word("--name", s_name->sval[0], ".-", false,
				  "letters, digits and . _ - only");
	switch (which) {
	case CHECK:
		map = load(c_map->sval[0]);
		break;
	case HEADER:
		map = load(h_map->sval[0]);
		default_guard(map, name, sizeof(name));
		out_open(&o, h_out);
		rc = uvregmap_emit_header(map, o.f, guard ? guard : name, spdx);
		out_close(&o, rc);
		break;
	case MAN:
		map = load(m_map->sval[0]);
		out_open(&o, m_out);
		out_close(&o, uvregmap_emit_man(map, o.f));
		break;
	case SKELETON:
		map = load(s_map->sval[0]);
		default_prog(map, name, sizeof(name));
		out_open(&o, s_out);
		rc = uvregmap_emit_skeleton(map, o.f, prog ? prog : name);
		out_close(&o, rc);
		break;
	case DECODE:
		map = load(d_map->sval[0]);
		decode(map, d_specs->sval, d_specs->count);
		out_close(&(struct output){ .f = stdout }, 0);
		break;
	case COVERAGE:
		map = load(v_map->sval[0]);
		rc = uvregmap_coverage_report(map, v_files->sval, (unsigned int)v_files->count,
					      stdout, err, sizeof(err));
		if (rc == -EINVAL || (rc && err[0]))
			uvnic_die("%s", err);
		out_close(&(struct output){ .f = stdout }, rc);
		break;
	}
	uvregmap_free(map);
	uvnic_cli_free(&cli);
	return 0;
}
