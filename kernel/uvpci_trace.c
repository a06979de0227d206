// SPDX-License-Identifier: GPL-2.0
/*
 * The definitions of uvpci.ko's tracepoints (uvpci_trace.h); the other
 * files include the header without CREATE_TRACE_POINTS and call them.
 */
#define CREATE_TRACE_POINTS
#include "uvpci_trace.h"
