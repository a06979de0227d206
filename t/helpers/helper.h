/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * helper.h - what the test helper programs share: fail() prints
 * "PROG SUBCOMMAND: message" and exits 1. Each program names itself in
 * helper_prog and sets helper_cmd to its subcommand once it knows it.
 *
 * helper_serve() is "PROG serve": a process start costs 20-50 ms in the
 * TCG guest (a fork a few), and a kernel suite makes dozens per test; so a
 * suite may keep one server per test and send it command lines over a
 * pipe (t/test_helper/guest.bash: serve_start, serve_call).
 */
#ifndef UVNIC_T_HELPER_H
#define UVNIC_T_HELPER_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *helper_cmd = "";

__attribute__((noreturn, format(printf, 1, 2)))
static inline void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", helper_prog, helper_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

#define HELPER_SERVE_LINE	65536
#define HELPER_SERVE_ARGS	64

/*
 * Read command lines from stdin, words split at blanks, and run each in a
 * forked child as "PROG WORDS..." would run (its output and errors as
 * that command's: run the server with 2>&1 to get both), then print
 * "=== STATUS" on stdout once it ended. Returns at the end of stdin.
 * A line too long or with too many words is answered "=== 2" with a
 * message, and nothing runs.
 */
static inline int helper_serve(int (*run)(int argc, char **argv), char *prog)
{
	static char line[HELPER_SERVE_LINE];
	char *argv[HELPER_SERVE_ARGS + 2], *tok, *save;
	int argc, status;
	pid_t pid;

	while (fgets(line, sizeof(line), stdin)) {
		argc = 0;
		argv[argc++] = prog;
		if (!strchr(line, '\n') && !feof(stdin)) {
			fprintf(stderr, "%s serve: command line longer than %d bytes\n",
				helper_prog, HELPER_SERVE_LINE - 1);
			while (fgets(line, sizeof(line), stdin) && !strchr(line, '\n'))
				;
			printf("=== 2\n");
			fflush(stdout);
			continue;
		}
		for (tok = strtok_r(line, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save)) {
			if (argc > HELPER_SERVE_ARGS)
				break;
			argv[argc++] = tok;
		}
		argv[argc] = NULL;
		if (tok) {
			fprintf(stderr, "%s serve: more than %d words\n",
				helper_prog, HELPER_SERVE_ARGS);
			printf("=== 2\n");
			fflush(stdout);
			continue;
		}
		fflush(stdout);
		fflush(stderr);
		pid = fork();
		if (pid < 0)
			fail("serve: fork: %s", strerror(errno));
		if (pid == 0)
			exit(run(argc, argv));
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				fail("serve: waitpid: %s", strerror(errno));
		printf("=== %d\n", WIFEXITED(status) ? WEXITSTATUS(status) :
		       128 + WTERMSIG(status));
		fflush(stdout);
	}
	return 0;
}

#endif
