/* SPDX-License-Identifier: GPL-2.0 */
/*
 * helper.h - what the test helper programs share: fail() prints
 * "PROG SUBCOMMAND: message" and exits 1. Each program names itself in
 * helper_prog and sets helper_cmd to its subcommand once it knows it.
 */
#ifndef UVNIC_T_HELPER_H
#define UVNIC_T_HELPER_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *helper_cmd = "";

__attribute__((noreturn, format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", helper_prog, helper_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

#endif
