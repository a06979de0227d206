/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * deadline.h - libuvnic-internal: monotonic deadlines for the waits of
 * lib/transport/port.c and lib/device/uvpci-device.c. Not installed API.
 */
#ifndef UVNIC_DEADLINE_H
#define UVNIC_DEADLINE_H

#include <stdint.h>

#define NO_DEADLINE	INT64_MAX

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t uvnic_now_ns(void);

/* The deadline @timeout_ms from now; NO_DEADLINE for a negative timeout. */
int64_t uvnic_deadline_after(int timeout_ms);

/* Milliseconds left for poll(2), rounded up so it never wakes early; -1: none. */
int uvnic_ms_left(int64_t deadline);

#define now_ns()		uvnic_now_ns()
#define deadline_after(ms)	uvnic_deadline_after(ms)
#define ms_left(d)		uvnic_ms_left(d)

#endif /* UVNIC_DEADLINE_H */
