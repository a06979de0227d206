// SPDX-License-Identifier: LGPL-2.1-or-later
/* deadline.c - monotonic deadlines for libuvnic's waits (see deadline.h). */
#include <time.h>

#include "deadline.h"

int64_t uvnic_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t uvnic_deadline_after(int timeout_ms)
{
	if (timeout_ms < 0)
		return NO_DEADLINE;
	return uvnic_now_ns() + (int64_t)timeout_ms * 1000000;
}

int uvnic_ms_left(int64_t deadline)
{
	int64_t left;

	if (deadline == NO_DEADLINE)
		return -1;
	left = deadline - uvnic_now_ns();
	if (left <= 0)
		return 0;
	left = (left + 999999) / 1000000;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}
