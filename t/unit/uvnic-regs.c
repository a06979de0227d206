// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvnic-regs.c - the uvNIC hardware interface did not move when its
 * register spec became data: every macro kernel/uapi/uvnic.h defined by
 * hand before kernel/uapi/uvnic.regmap (frozen here, values as they were
 * written) has the same value and type size now that the register part
 * is generated (uvnic_regs.h). A change to the map that changes the ABI
 * the driver and model were built against fails here.
 */
#include <stdint.h>
#include <stdio.h>

#include <linux/types.h>
#include "uvnic.h"
#include "tap.h"

struct abi {
	const char *name;
	uint64_t now, then;
	size_t now_size, then_size;
};

#define CHECK(name, then) { #name, (name), (then), sizeof(name), sizeof(then) }

static const struct abi abi[] = {
	CHECK(UVNIC_VENDOR_ID, 0x5556),
	CHECK(UVNIC_DEVICE_ID, 0x0100),
	CHECK(UVNIC_CLASS, 0x020000),
	CHECK(UVNIC_BAR0_SIZE, 4096),
	CHECK(UVNIC_MSI_COUNT, 3),
	CHECK(UVNIC_REG_ID, 0x000),
	CHECK(UVNIC_REG_VERSION, 0x004),
	CHECK(UVNIC_ID_MAGIC, 0x55564e43),
	CHECK(UVNIC_HW_VERSION, 0x00010002),
	CHECK(UVNIC_REG_CTRL, 0x008),
	CHECK(UVNIC_CTRL_RX_EN, (1U << 0)),
	CHECK(UVNIC_CTRL_TX_EN, (1U << 1)),
	CHECK(UVNIC_CTRL_RESET, (1U << 31)),
	CHECK(UVNIC_REG_STATUS, 0x00c),
	CHECK(UVNIC_STATUS_LINK_UP, (1U << 0)),
	CHECK(UVNIC_REG_MAC_LO, 0x010),
	CHECK(UVNIC_REG_MAC_HI, 0x014),
	CHECK(UVNIC_REG_MAX_FRAME, 0x018),
	CHECK(UVNIC_MIN_FRAME, 60),
	CHECK(UVNIC_MAX_FRAME, 9018),
	CHECK(UVNIC_REG_FEATURES, 0x01c),
	CHECK(UVNIC_FEAT_SG, (1U << 0)),
	CHECK(UVNIC_FEAT_CSUM, (1U << 1)),
	CHECK(UVNIC_FEAT_TSO, (1U << 2)),
	CHECK(UVNIC_TX_MAX_DESCS, 32),
	CHECK(UVNIC_TSO_MAX_FRAME, 65535),
	CHECK(UVNIC_REG_ICR, 0x020),
	CHECK(UVNIC_REG_IMR, 0x024),
	CHECK(UVNIC_REG_IAM, 0x028),
	CHECK(UVNIC_INT_RX, (1U << 0)),
	CHECK(UVNIC_INT_TX, (1U << 1)),
	CHECK(UVNIC_INT_LINK, (1U << 2)),
	CHECK(UVNIC_INT_ERROR, (1U << 3)),
	CHECK(UVNIC_MSI_RX, 0),
	CHECK(UVNIC_MSI_TX, 1),
	CHECK(UVNIC_MSI_OTHER, 2),
	CHECK(UVNIC_REG_TX_BASE, 0x040),
	CHECK(UVNIC_REG_TX_LEN, 0x048),
	CHECK(UVNIC_REG_TX_TAIL, 0x04c),
	CHECK(UVNIC_REG_TX_HEAD, 0x050),
	CHECK(UVNIC_REG_RX_BASE, 0x060),
	CHECK(UVNIC_REG_RX_LEN, 0x068),
	CHECK(UVNIC_REG_RX_TAIL, 0x06c),
	CHECK(UVNIC_REG_RX_HEAD, 0x070),
	CHECK(UVNIC_RING_MIN, 8),
	CHECK(UVNIC_RING_MAX, 4096),
	CHECK(UVNIC_REG_RX_PACKETS, 0x100),
	CHECK(UVNIC_REG_RX_BYTES, 0x108),
	CHECK(UVNIC_REG_TX_PACKETS, 0x110),
	CHECK(UVNIC_REG_TX_BYTES, 0x118),
	CHECK(UVNIC_REG_RX_NO_DESC, 0x120),
	CHECK(UVNIC_REG_RX_ERRORS, 0x128),
	CHECK(UVNIC_REG_TX_ERRORS, 0x130),
	CHECK(UVNIC_REG_DMA_ERRORS, 0x138),
	CHECK(UVNIC_DESC_IRQ, (1U << 0)),
	CHECK(UVNIC_DESC_MORE, (1U << 1)),
	CHECK(UVNIC_DESC_CSUM, (1U << 2)),
	CHECK(UVNIC_DESC_TSO, (1U << 3)),
	CHECK(UVNIC_STAT_DONE, (1U << 0)),
	CHECK(UVNIC_STAT_ERR_ADDR, (1U << 1)),
	CHECK(UVNIC_STAT_ERR_LEN, (1U << 2)),
	CHECK(UVNIC_STAT_ERR_OFFLOAD, (1U << 3)),
};

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(abi) / sizeof(abi[0]); i++)
		ok(abi[i].now == abi[i].then && abi[i].now_size == abi[i].then_size,
		   "%s is %#llx (%zu bytes), as before the map (%#llx, %zu bytes)",
		   abi[i].name, (unsigned long long)abi[i].now, abi[i].now_size,
		   (unsigned long long)abi[i].then, abi[i].then_size);
	return tap_done();
}
