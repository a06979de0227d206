/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tap.h - the few lines of TAP the unit tests print: one "ok N - what"
 * or "not ok N - what" per check, and a trailing plan. Header-only: each
 * test is one program.
 */
#ifndef UVNIC_T_TAP_H
#define UVNIC_T_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_tests, tap_failures;

static void ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	/* Threads of ring-stress may print next: keep lines whole and in order. */
	fflush(stdout);
	if (!cond)
		tap_failures++;
}

/* Print the plan; the exit status: 0 when every check passed. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}

#endif
