// SPDX-License-Identifier: GPL-2.0
/*
 * uvnic: driver for the uvNIC reference NIC, an Ethernet controller whose
 * hardware is a program (the device model behind a uvPCI device, run by
 * uvnic-bridge). Its register interface is kernel/uapi/uvnic.h, documented
 * in uvnic(4).
 *
 * The driver is written name for name as a PCI driver: contrib/uvpci-port
 * --to-pci turns it into one that builds against <linux/pci.h>, and
 * --to-uvpci gives this file back byte for byte.
 */

/**
 * DOC: Design
 *
 * Rings. One TX and one RX ring of &struct uvnic_desc in coherent DMA
 * memory, sizes powers of two (256 and 1024 by default; ethtool -G). The
 * driver keeps free-running producer (next_to_use) and consumer
 * (next_to_clean) counters and writes ``next_to_use & (count - 1)`` to the
 * TAIL doorbell; at most count - 1 descriptors are with the device, so
 * HEAD == TAIL always means "empty". RX buffers are skbs of MTU + 18 bytes
 * (header and one VLAN tag: also what MAX_FRAME is set to) mapped
 * DMA_FROM_DEVICE. TX maps an skb's head and page fragments
 * DMA_TO_DEVICE, one descriptor each (DESC_MORE on all but the last):
 * with a 1.2 device (FEATURES) the driver offers scatter-gather, TCP/UDP
 * checksum and TCP segmentation offload (NETIF_F_SG, _IP_CSUM,
 * _IPV6_CSUM, _TSO, _TSO6), so the stack hands it super-packets of up
 * to 64 KiB in place of 1514-byte frames it copied and checksummed
 * itself. What the device cannot parse (uvnic(4): one VLAN tag, IPv6
 * without extension headers) the stack finishes in software
 * (ndo_features_check). A frame uses at most max_descs descriptors (a
 * quarter of the ring, at most MAX_SKB_FRAGS + 1); an skb with more
 * fragments is linearized.
 *
 * What is trusted. Nothing the device writes: the driver reads HEAD never,
 * only the status word of the next descriptor it handed over, and uses its
 * own copy of each buffer's address and length for unmapping. A descriptor
 * that completes with an error status, or an RX length shorter than an
 * Ethernet header or longer than its buffer, is counted and its buffer
 * reused: it never reaches the stack. A completed descriptor with what
 * neither side writes (status bits the device never sets, an address or
 * TX length not the driver's) means the ring was overwritten: NAPI stops
 * there and the device is reset (uvnic_schedule_reset()).
 *
 * Interrupts. Three MSI vectors: RX and TX completions each just schedule
 * the one NAPI context, with no register access; LINK and ERROR share the
 * third, handled in an IRQ thread that acks them and reads STATUS. RX and
 * TX are auto-masked (IAM, uvnic(4)): sending their MSI clears them from
 * ICR and IMR, so completions while NAPI polls latch the cause silently;
 * once the poll is done, one posted IMR write enables them again, and the
 * device sends the MSI at once if a cause latched meanwhile. No completion
 * can slip between an ack and a re-check, so there is no register read to
 * flush an ack: a read in NAPI (softirq) could only spin, and would spin a
 * whole device timeout on a model that was just killed.
 *
 * MMIO on the hot path (each access is a message to a userspace model
 * here, and a read waits for its answer, so they are counted): one
 * posted TX_TAIL write per batch of frames (xmit_more), one posted
 * RX_TAIL write per poll that refilled, one posted IMR write per NAPI
 * completion, and no read. Register reads happen in process context
 * only: open/close, the LINK/ERROR IRQ thread, the watchdog, ethtool -S.
 *
 * TX backpressure. BQL (bytes in the ring) and TCP Small Queues work as
 * usual; since completions are slow here, sockets that send through uvnic
 * get a larger TSQ budget (UVNIC_TX_PACING_SHIFT).
 *
 * Watchdog. Every two seconds, while up: STATUS (carrier, and a device
 * that reads all-ones is "not responding": carrier off before the stack's
 * TX timeout can fire), CTRL (a model that was restarted comes back with
 * its rings disabled: the driver resets and reprograms them), RX_NO_DESC
 * (rx_missed_errors), and a NAPI kick if a completion is waiting that no
 * interrupt reported or RX buffers could not be refilled. It also finds
 * what a reset recovers from: TX pending without a completion for
 * UVNIC_TX_TIMEOUT (the stack's TX timeout needs a stopped queue), and an
 * RX ring out of step with the device (uvnic_rx_out_of_step()).
 *
 * Reset. reset_work (delayed, backing off: UVNIC_RESET_CALM) quiesces
 * everything, writes CTRL.RESET, frees both rings and sets them up again;
 * ethtool -S counts resets, ring_corrupt and tx_timeouts. Opening the
 * interface starts the back-off again.
 */
#include <linux/bitops.h>
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/interrupt.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/ratelimit.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/ip.h>
#include <net/sock.h>

#include "uvpci.h"
#include "uapi/uvnic.h"

#define UVNIC_TX_RING_DEFAULT	256
/* Frames arrive in bursts faster than NAPI gets to run: 256 dropped some. */
#define UVNIC_RX_RING_DEFAULT	1024
#define UVNIC_TX_WAKE_MAX	32
#define UVNIC_WATCHDOG_PERIOD	(2 * HZ)
#define UVNIC_TX_TIMEOUT	(5 * HZ)
/*
 * Resets back off: one within UVNIC_RESET_CALM of the last waits twice as
 * long as the one before (from UVNIC_RESET_DELAY_MIN up to _MAX), so a
 * device that keeps breaking its rings costs a reset now and then, not a
 * CPU.
 */
#define UVNIC_RESET_CALM	(30 * HZ)
#define UVNIC_RESET_DELAY_MIN	HZ
#define UVNIC_RESET_DELAY_MAX	(32 * HZ)

/*
 * TX completions take milliseconds here (the device is a userspace
 * program), and TCP Small Queues lets a socket keep only about 1 ms worth
 * of data (its pacing rate >> 10) in the qdisc and the ring: a TCP sender
 * would idle waiting for completions. As mac80211 does for aggregating
 * WiFi, allow about 16 ms (>> 6): three times the TX throughput in
 * measurements, while the socket keeps its backpressure.
 */
#define UVNIC_TX_PACING_SHIFT	6

/* The largest frame for an MTU: Ethernet header and one VLAN tag. */
#define uvnic_max_frame(mtu)	((mtu) + VLAN_ETH_HLEN)

#define UVNIC_INT_RING		(UVNIC_INT_RX | UVNIC_INT_TX)
#define UVNIC_INT_OTHER		(UVNIC_INT_LINK | UVNIC_INT_ERROR)
#define UVNIC_INT_ALL		(UVNIC_INT_RING | UVNIC_INT_OTHER)
#define UVNIC_CTRL_RINGS	(UVNIC_CTRL_RX_EN | UVNIC_CTRL_TX_EN)
#define UVNIC_STAT_ERR		(UVNIC_STAT_ERR_ADDR | UVNIC_STAT_ERR_LEN | \
				 UVNIC_STAT_ERR_OFFLOAD)
/* Bits a device writes into a status word; any other is not the device's. */
#define UVNIC_STAT_ALL		(UVNIC_STAT_DONE | UVNIC_STAT_ERR)

/* VERSION minors: IAM (NAPI needs it) and FEATURES (the TX offloads). */
#define UVNIC_MINOR_IAM		1
#define UVNIC_MINOR_FEATURES	2

/* priv->state bits */
enum {
	UVNIC_STATE_UP,		/* rings, IRQs and NAPI are live */
	UVNIC_STATE_DEAD,	/* the device reads all-ones */
	UVNIC_STATE_LINK,	/* STATUS.LINK_UP as last read and logged */
	UVNIC_STATE_RESET,	/* reset_work is scheduled and has not started */
};

/**
 * struct uvnic_tx_buf - what one TX descriptor carries.
 * @skb:    the frame's skb, on its last descriptor only
 * @dma:    the mapping (@len 0: none)
 * @len:    its length
 * @page:   mapped with skb_frag_dma_map(), not dma_map_single()
 * @segs:   last descriptor: segments the device sends (TSO), else 1
 * @bytes:  last descriptor: bytes those segments take on the wire
 * @bql:    last descriptor: bytes reported to BQL (skb->len)
 */
struct uvnic_tx_buf {
	struct sk_buff *skb;
	dma_addr_t dma;
	unsigned int len;
	bool page;
	u16 segs;
	unsigned int bytes;
	unsigned int bql;
};

struct uvnic_rx_buf {
	struct sk_buff *skb;
	dma_addr_t dma;
};

/**
 * struct uvnic_tx_ring - the TX descriptor ring.
 * @desc:          @count descriptors, coherent
 * @dma:           their bus address (TX_BASE)
 * @buf:           what each descriptor carries, as the driver mapped it
 * @count:         descriptors, a power of two
 * @max_descs:     descriptors one frame may take (1 without SG); the
 *                 queue stops while fewer are free
 * @next_to_use:   free-running: next descriptor xmit fills (xmit writes)
 * @next_to_clean: free-running: next descriptor to complete (NAPI writes)
 */
struct uvnic_tx_ring {
	struct uvnic_desc *desc;
	dma_addr_t dma;
	struct uvnic_tx_buf *buf;
	unsigned int count;
	unsigned int max_descs;
	unsigned int next_to_use;
	unsigned int next_to_clean;
};

/**
 * struct uvnic_rx_ring - the RX descriptor ring.
 * @desc:          @count descriptors, coherent
 * @dma:           their bus address (RX_BASE)
 * @buf:           the buffer of each slot; a slot keeps a buffer that came
 *                 back with an error and hands it over again
 * @count:         descriptors, a power of two
 * @buf_len:       bytes per buffer: the largest frame, MTU + 18
 * @next_to_use:   free-running: next slot to hand over
 * @next_to_clean: free-running: next slot to complete
 *
 * Only NAPI (and open, before NAPI runs) touches it.
 */
struct uvnic_rx_ring {
	struct uvnic_desc *desc;
	dma_addr_t dma;
	struct uvnic_rx_buf *buf;
	unsigned int count;
	unsigned int buf_len;
	unsigned int next_to_use;
	unsigned int next_to_clean;
};

/* Counters written by NAPI's RX half. */
struct uvnic_rx_stats {
	struct u64_stats_sync syncp;
	u64 packets;
	u64 bytes;
	u64 desc_errors;
	u64 length_errors;
	u64 alloc_failed;
	u64 map_failed;
};

/* Counters written by NAPI's TX completion. */
struct uvnic_tx_stats {
	struct u64_stats_sync syncp;
	u64 packets;
	u64 bytes;
	u64 desc_errors;
	u64 restarts;
};

/* Counters written by ndo_start_xmit (under the TX queue lock). */
struct uvnic_xmit_stats {
	struct u64_stats_sync syncp;
	u64 dropped;
	u64 busy;
	u64 stops;
	u64 tso;
	u64 csum;
	u64 linearized;
};

/* A consistent copy of every driver counter: what ethtool -S shows. */
struct uvnic_sw_stats {
	u64 rx_packets;
	u64 rx_bytes;
	u64 rx_desc_errors;
	u64 rx_length_errors;
	u64 rx_alloc_failed;
	u64 rx_map_failed;
	u64 tx_packets;
	u64 tx_bytes;
	u64 tx_desc_errors;
	u64 tx_dropped;
	u64 tx_busy;
	u64 tx_queue_stops;
	u64 tx_queue_restarts;
	u64 tx_tso;
	u64 tx_csum_offload;
	u64 tx_linearized;
	u64 resets;
	u64 ring_corrupt;
	u64 tx_timeouts;
	u64 not_responding;
};

/**
 * struct uvnic_priv - the driver's state, after the net_device.
 * @netdev:         the interface
 * @udev:           the uvPCI device
 * @dmadev:         &udev->dev, for the DMA API
 * @hw:             BAR0
 * @napi:           one NAPI context for RX and TX completions
 * @tx:             the TX ring (while up)
 * @rx:             the RX ring (while up)
 * @tx_count:       TX ring size for the next open (ethtool -G)
 * @rx_count:       RX ring size for the next open
 * @state:          UVNIC_STATE_* bits
 * @version:        the device's VERSION register, read at probe
 * @irq_name:       names in /proc/interrupts, per vector
 * @link_lock:      serialises STATUS reads with carrier changes
 * @watchdog:       the periodic check described in DOC: Design
 * @reset_work:     reset the device and its rings under RTNL (TX hang,
 *                  broken ring, lost config); see uvnic_schedule_reset()
 * @reset_rs:       rate limit of the lines that say why a reset is due
 * @reset_last:     jiffies when reset_work last ran
 * @reset_delay:    the back-off of the last reset scheduled (0: none)
 * @rx_stats:       see &struct uvnic_rx_stats
 * @tx_stats:       see &struct uvnic_tx_stats
 * @xmit_stats:     see &struct uvnic_xmit_stats
 * @resets:         times reset_work restarted the device (RTNL)
 * @ring_corrupt:   resets asked for because a ring held what the driver
 *                  never wrote, or was out of step with the device
 * @tx_timeouts:    resets asked for because TX descriptors did not complete
 * @tx_watch_ntc:   TX next_to_clean as the watchdog last saw it
 * @tx_watch_since: jiffies since when TX has been pending at @tx_watch_ntc
 * @rx_watch_ntc:   RX next_to_clean as the watchdog last saw it
 * @rx_watch_stuck: watchdog periods in a row that RX looked out of step
 * @not_responding: times the device was found reading all-ones
 * @hw_rx_no_desc:  last value read from RX_NO_DESC
 */
struct uvnic_priv {
	struct net_device *netdev;
	struct uvpci_dev *udev;
	struct device *dmadev;
	void __iomem *hw;
	struct napi_struct napi;
	struct uvnic_tx_ring tx;
	struct uvnic_rx_ring rx;
	unsigned int tx_count;
	unsigned int rx_count;
	unsigned long state;
	u32 version;
	char irq_name[UVNIC_MSI_COUNT][IFNAMSIZ + 8];
	struct mutex link_lock;
	struct delayed_work watchdog;
	struct delayed_work reset_work;
	struct ratelimit_state reset_rs;
	unsigned long reset_last;
	unsigned long reset_delay;
	struct uvnic_rx_stats rx_stats;
	struct uvnic_tx_stats tx_stats;
	struct uvnic_xmit_stats xmit_stats;
	unsigned long resets;
	unsigned long ring_corrupt;
	unsigned long tx_timeouts;
	unsigned long not_responding;
	u64 hw_rx_no_desc;
	unsigned int tx_watch_ntc;
	unsigned long tx_watch_since;
	unsigned int rx_watch_ntc;
	unsigned int rx_watch_stuck;
};

static u32 uvnic_rd32(struct uvnic_priv *priv, unsigned int reg)
{
	return uv_readl(priv->hw + reg);
}

static void uvnic_wr32(struct uvnic_priv *priv, unsigned int reg, u32 val)
{
	uv_writel(val, priv->hw + reg);
}

/* ------------------------------------------------------------------ */
/* Statistics                                                          */
/* ------------------------------------------------------------------ */

static void uvnic_get_sw_stats(struct uvnic_priv *priv,
			       struct uvnic_sw_stats *s)
{
	const struct uvnic_rx_stats *rx = &priv->rx_stats;
	const struct uvnic_tx_stats *tx = &priv->tx_stats;
	const struct uvnic_xmit_stats *xs = &priv->xmit_stats;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&rx->syncp);
		s->rx_packets = rx->packets;
		s->rx_bytes = rx->bytes;
		s->rx_desc_errors = rx->desc_errors;
		s->rx_length_errors = rx->length_errors;
		s->rx_alloc_failed = rx->alloc_failed;
		s->rx_map_failed = rx->map_failed;
	} while (u64_stats_fetch_retry(&rx->syncp, start));
	do {
		start = u64_stats_fetch_begin(&tx->syncp);
		s->tx_packets = tx->packets;
		s->tx_bytes = tx->bytes;
		s->tx_desc_errors = tx->desc_errors;
		s->tx_queue_restarts = tx->restarts;
	} while (u64_stats_fetch_retry(&tx->syncp, start));
	do {
		start = u64_stats_fetch_begin(&xs->syncp);
		s->tx_dropped = xs->dropped;
		s->tx_busy = xs->busy;
		s->tx_queue_stops = xs->stops;
		s->tx_tso = xs->tso;
		s->tx_csum_offload = xs->csum;
		s->tx_linearized = xs->linearized;
	} while (u64_stats_fetch_retry(&xs->syncp, start));
	s->resets = READ_ONCE(priv->resets);
	s->ring_corrupt = READ_ONCE(priv->ring_corrupt);
	s->tx_timeouts = READ_ONCE(priv->tx_timeouts);
	s->not_responding = READ_ONCE(priv->not_responding);
}

static void uvnic_count_rx_error(struct uvnic_priv *priv, u64 *counter)
{
	u64_stats_update_begin(&priv->rx_stats.syncp);
	(*counter)++;
	u64_stats_update_end(&priv->rx_stats.syncp);
}

static void uvnic_count_xmit(struct uvnic_priv *priv, u64 *counter)
{
	u64_stats_update_begin(&priv->xmit_stats.syncp);
	(*counter)++;
	u64_stats_update_end(&priv->xmit_stats.syncp);
}

/* ------------------------------------------------------------------ */
/* Reset requests                                                      */
/* ------------------------------------------------------------------ */

/* Why a reset is due: rate-limited, since a broken ring may say it often. */
#define uvnic_reset_log(priv, fmt, ...)					\
	do {								\
		if (__ratelimit(&(priv)->reset_rs))			\
			netdev_err((priv)->netdev, fmt, ##__VA_ARGS__);	\
	} while (0)

/**
 * uvnic_schedule_reset() - have reset_work reset the device and its rings.
 * @priv:    the driver
 * @counter: the cause's counter (&priv->ring_corrupt, ...), or NULL
 *
 * One reset at a time: a request while one is scheduled is dropped, as
 * that reset recovers from every cause. A request within UVNIC_RESET_CALM
 * of the last reset waits twice as long as the one before (see
 * UVNIC_RESET_DELAY_MIN), so a device that keeps breaking its rings
 * cannot keep the driver resetting. Only the caller that scheduled the
 * reset counts it, so a broken ring NAPI finds again and again while the
 * reset waits is counted once.
 * Context: any (NAPI, the IRQ thread, the watchdog, the stack's TX
 * watchdog timer).
 * Return: true if this call scheduled the reset (the caller logs why).
 */
static bool uvnic_schedule_reset(struct uvnic_priv *priv,
				 unsigned long *counter)
{
	unsigned long delay = 0;

	if (test_and_set_bit(UVNIC_STATE_RESET, &priv->state))
		return false;
	/* Serialised by the bit (reset_work clears it under RTNL). */
	if (counter)
		WRITE_ONCE(*counter, *counter + 1);
	if (READ_ONCE(priv->resets) &&
	    time_before(jiffies, READ_ONCE(priv->reset_last) + UVNIC_RESET_CALM))
		delay = clamp_t(unsigned long, priv->reset_delay * 2,
				UVNIC_RESET_DELAY_MIN, UVNIC_RESET_DELAY_MAX);
	priv->reset_delay = delay;
	schedule_delayed_work(&priv->reset_work, delay);
	return true;
}

/*
 * A descriptor the device completed holds what neither side wrote: status
 * bits the device never sets, or a buffer address or TX length other than
 * the driver's (the device writes back only len, RX, and status). Someone
 * overwrote the ring, and where the device is in it is unknown: only a
 * reset puts both sides at the same place again.
 */
static void uvnic_ring_corrupt(struct uvnic_priv *priv, const char *ring,
			       unsigned int i, u64 addr, u16 len, u16 status)
{
	if (uvnic_schedule_reset(priv, &priv->ring_corrupt))
		uvnic_reset_log(priv, "%s ring overwritten: descriptor %u has addr %#llx len %u status %#06x, not written by the driver or the device: resetting\n",
				ring, i, addr, len, status);
}

/* ------------------------------------------------------------------ */
/* Link                                                                */
/* ------------------------------------------------------------------ */

/**
 * uvnic_update_link() - read STATUS and set the carrier from LINK_UP.
 * @priv: the driver
 *
 * A device that reads all-ones (its model is gone) is "not responding":
 * carrier off, logged once until it answers again.
 * Context: process context (the IRQ thread, the watchdog, open).
 * Return: the STATUS value read.
 */
static u32 uvnic_update_link(struct uvnic_priv *priv)
{
	struct net_device *netdev = priv->netdev;
	u32 status;

	mutex_lock(&priv->link_lock);
	status = uvnic_rd32(priv, UVNIC_REG_STATUS);
	if (status == ~0U) {
		if (!test_and_set_bit(UVNIC_STATE_DEAD, &priv->state)) {
			WRITE_ONCE(priv->not_responding,
				   priv->not_responding + 1);
			netdev_err(netdev, "device not responding (registers read all-ones)\n");
		}
		clear_bit(UVNIC_STATE_LINK, &priv->state);
		if (netif_carrier_ok(netdev))
			netif_carrier_off(netdev);
		goto out;
	}
	if (test_and_clear_bit(UVNIC_STATE_DEAD, &priv->state))
		netdev_info(netdev, "device responding again\n");

	/* Logged when the device's link changes, not at each restart. */
	if (status & UVNIC_STATUS_LINK_UP) {
		if (!test_and_set_bit(UVNIC_STATE_LINK, &priv->state))
			netdev_info(netdev, "link up\n");
		if (!netif_carrier_ok(netdev))
			netif_carrier_on(netdev);
	} else {
		if (test_and_clear_bit(UVNIC_STATE_LINK, &priv->state))
			netdev_info(netdev, "link down\n");
		if (netif_carrier_ok(netdev))
			netif_carrier_off(netdev);
	}
out:
	mutex_unlock(&priv->link_lock);
	return status;
}

/* ------------------------------------------------------------------ */
/* TX                                                                  */
/* ------------------------------------------------------------------ */

/* Descriptors xmit may still fill: one stays unused so HEAD == TAIL is empty. */
static unsigned int uvnic_tx_unused(const struct uvnic_tx_ring *tx)
{
	return tx->count - 1 -
	       (READ_ONCE(tx->next_to_use) - READ_ONCE(tx->next_to_clean));
}

static void uvnic_tx_doorbell(struct uvnic_priv *priv)
{
	struct uvnic_tx_ring *tx = &priv->tx;

	/* MMIO writes are ordered after earlier writes to memory: no wmb(). */
	uvnic_wr32(priv, UVNIC_REG_TX_TAIL, tx->next_to_use & (tx->count - 1));
}

/* Stop the queue while a frame might not fit; paired with uvnic_clean_tx(). */
static bool uvnic_maybe_stop_tx(struct uvnic_priv *priv)
{
	struct uvnic_tx_ring *tx = &priv->tx;

	if (likely(uvnic_tx_unused(tx) >= tx->max_descs))
		return false;
	netif_stop_queue(priv->netdev);
	uvnic_count_xmit(priv, &priv->xmit_stats.stops);
	/* Order the stop before re-reading next_to_clean (NAPI's smp_mb()). */
	smp_mb();
	if (likely(uvnic_tx_unused(tx) < tx->max_descs))
		return true;
	/* NAPI made room meanwhile and may have missed the stop: undo it. */
	netif_start_queue(priv->netdev);
	return false;
}

/* Unmap one descriptor's buffer, if it has one. */
static void uvnic_tx_unmap(struct uvnic_priv *priv, struct uvnic_tx_buf *buf)
{
	if (!buf->len)
		return;
	if (buf->page)
		dma_unmap_page(priv->dmadev, buf->dma, buf->len, DMA_TO_DEVICE);
	else
		dma_unmap_single(priv->dmadev, buf->dma, buf->len,
				 DMA_TO_DEVICE);
	buf->len = 0;
}

/*
 * Whether the device can checksum (and segment) @skb itself: it finds the
 * TCP or UDP header by parsing the frame (uvnic(4), "Transmit offloads"),
 * so the stack's offsets must be where it will look.
 */
static bool uvnic_tx_offload_ok(struct sk_buff *skb)
{
	unsigned int nh = skb_network_offset(skb), l4;
	u8 proto;

	if (skb->encapsulation)
		return false;
	if (nh != ETH_HLEN && !(nh == VLAN_ETH_HLEN &&
				eth_hdr(skb)->h_proto == htons(ETH_P_8021Q)))
		return false;
	l4 = skb_checksum_start_offset(skb);
	if (l4 != skb_transport_offset(skb))
		return false;
	switch (vlan_get_protocol(skb)) {
	case htons(ETH_P_IP):
		if (skb_headlen(skb) < nh + sizeof(struct iphdr) ||
		    l4 != nh + ip_hdr(skb)->ihl * 4 || ip_is_fragment(ip_hdr(skb)))
			return false;
		proto = ip_hdr(skb)->protocol;
		break;
	case htons(ETH_P_IPV6):
		if (skb_headlen(skb) < nh + sizeof(struct ipv6hdr) ||
		    l4 != nh + sizeof(struct ipv6hdr))
			return false;
		proto = ipv6_hdr(skb)->nexthdr;
		break;
	default:
		return false;
	}
	if (proto == IPPROTO_TCP)
		return skb->csum_offset == offsetof(struct tcphdr, check) &&
		       skb_headlen(skb) >= l4 + sizeof(struct tcphdr);
	if (proto == IPPROTO_UDP && !skb_is_gso(skb))
		return skb->csum_offset == offsetof(struct udphdr, check) &&
		       skb_headlen(skb) >= l4 + sizeof(struct udphdr);
	return false;
}

static netdev_features_t uvnic_features_check(struct sk_buff *skb,
					      struct net_device *netdev,
					      netdev_features_t features)
{
	features = vlan_features_check(skb, features);
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		return features;
	if (!uvnic_tx_offload_ok(skb))
		return features & ~(NETIF_F_CSUM_MASK | NETIF_F_GSO_MASK);
	/* Beyond the device's limits (a forwarded GRO packet): software GSO. */
	if (skb_is_gso(skb) &&
	    (skb->len > UVNIC_TSO_MAX_FRAME ||
	     skb_tcp_all_headers(skb) + skb_shinfo(skb)->gso_size >
	     uvnic_max_frame(netdev->mtu)))
		features &= ~NETIF_F_GSO_MASK;
	return features;
}

/*
 * Map @skb's head and fragments onto descriptors from @ntu on; fill in
 * everything but the flags of the first and the last. Returns the number
 * of descriptors, or 0 (all unmapped again) if a mapping failed.
 */
static unsigned int uvnic_tx_map(struct uvnic_priv *priv, struct sk_buff *skb,
				 unsigned int ntu)
{
	struct uvnic_tx_ring *tx = &priv->tx;
	unsigned int mask = tx->count - 1, n = 0, f, len;
	const skb_frag_t *frag;
	struct uvnic_tx_buf *buf;
	struct uvnic_desc *desc;
	dma_addr_t dma;

	for (f = 0; f <= skb_shinfo(skb)->nr_frags; f++) {
		buf = &tx->buf[(ntu + n) & mask];
		if (!f) {
			len = skb_headlen(skb);
			if (!len)
				continue;
			dma = dma_map_single(priv->dmadev, skb->data, len,
					     DMA_TO_DEVICE);
		} else {
			frag = &skb_shinfo(skb)->frags[f - 1];
			len = skb_frag_size(frag);
			dma = skb_frag_dma_map(priv->dmadev, frag, 0, len,
					       DMA_TO_DEVICE);
		}
		if (dma_mapping_error(priv->dmadev, dma))
			goto unmap;
		buf->dma = dma;
		buf->len = len;
		buf->page = f;
		desc = &tx->desc[(ntu + n) & mask];
		desc->addr = cpu_to_le64(dma);
		desc->len = cpu_to_le16(len);
		desc->flags = cpu_to_le16(UVNIC_DESC_MORE);
		desc->status = 0;
		desc->mss = 0;
		n++;
	}
	return n;

unmap:
	if (net_ratelimit())
		netdev_err(priv->netdev, "TX DMA mapping of %u bytes failed\n",
			   len);
	while (n--)
		uvnic_tx_unmap(priv, &tx->buf[(ntu + n) & mask]);
	return 0;
}

static netdev_tx_t uvnic_start_xmit(struct sk_buff *skb,
				    struct net_device *netdev)
{
	struct uvnic_priv *priv = netdev_priv(netdev);
	struct uvnic_tx_ring *tx = &priv->tx;
	unsigned int ntu = tx->next_to_use, mask = tx->count - 1;
	struct uvnic_desc *first, *last;
	struct uvnic_tx_buf *buf;
	unsigned int n, limit;
	u16 flags = 0, mss = 0, segs = 1;
	unsigned int bytes;

	if (unlikely(uvnic_tx_unused(tx) < tx->max_descs)) {
		/* The queue is stopped before the ring fills: a bug. */
		netif_stop_queue(netdev);
		uvnic_count_xmit(priv, &priv->xmit_stats.busy);
		return NETDEV_TX_BUSY;
	}

	/* Runts are padded as on the wire; skb_put_padto() frees on error. */
	if (skb_put_padto(skb, UVNIC_MIN_FRAME))
		goto dropped;
	if (skb_shinfo(skb)->nr_frags + 1 > tx->max_descs) {
		if (skb_linearize(skb))
			goto drop;
		uvnic_count_xmit(priv, &priv->xmit_stats.linearized);
	}
	bytes = skb->len;
	if (skb_is_gso(skb)) {
		flags = UVNIC_DESC_TSO | UVNIC_DESC_CSUM;
		mss = skb_shinfo(skb)->gso_size;
		segs = skb_shinfo(skb)->gso_segs;
		bytes += (segs - 1) * skb_tcp_all_headers(skb);
		limit = UVNIC_TSO_MAX_FRAME;
	} else {
		if (skb->ip_summed == CHECKSUM_PARTIAL)
			flags = UVNIC_DESC_CSUM;
		limit = uvnic_max_frame(netdev->mtu);
	}
	if (unlikely(skb->len > limit))
		goto drop;
	/* See UVNIC_TX_PACING_SHIFT. */
	sk_pacing_shift_update(skb->sk, UVNIC_TX_PACING_SHIFT);

	n = uvnic_tx_map(priv, skb, ntu);
	if (!n)
		goto drop;
	if (flags & UVNIC_DESC_TSO)
		uvnic_count_xmit(priv, &priv->xmit_stats.tso);
	else if (flags & UVNIC_DESC_CSUM)
		uvnic_count_xmit(priv, &priv->xmit_stats.csum);
	first = &tx->desc[ntu & mask];
	first->flags |= cpu_to_le16(flags);
	first->mss = cpu_to_le16(mss);
	last = &tx->desc[(ntu + n - 1) & mask];
	last->flags &= ~cpu_to_le16(UVNIC_DESC_MORE);
	last->flags |= cpu_to_le16(UVNIC_DESC_IRQ);
	buf = &tx->buf[(ntu + n - 1) & mask];
	buf->skb = skb;
	buf->segs = segs;
	buf->bytes = bytes;
	buf->bql = skb->len;
	skb_tx_timestamp(skb);

	/* Publish the slots to uvnic_clean_tx() after filling them. */
	smp_store_release(&tx->next_to_use, ntu + n);

	uvnic_maybe_stop_tx(priv);
	/* BQL; true when the doorbell cannot wait for the next frame. */
	if (__netdev_tx_sent_queue(netdev_get_tx_queue(netdev, 0), buf->bql,
				   netdev_xmit_more()))
		uvnic_tx_doorbell(priv);
	return NETDEV_TX_OK;

drop:
	dev_kfree_skb_any(skb);
dropped:
	uvnic_count_xmit(priv, &priv->xmit_stats.dropped);
	/* Frames queued before this one with xmit_more still need their bell. */
	if (!netdev_xmit_more())
		uvnic_tx_doorbell(priv);
	return NETDEV_TX_OK;
}

/**
 * uvnic_clean_tx() - complete the TX descriptors the device is done with.
 * @priv:   the driver
 * @budget: NAPI budget, for napi_consume_skb()
 *
 * Stops at the first descriptor without DONE, wakes the queue once there
 * is room again. A frame's status is in each of its descriptors (uvnic(4));
 * it is counted at its last one, which holds the skb. Context: NAPI.
 */
static void uvnic_clean_tx(struct uvnic_priv *priv, int budget)
{
	struct uvnic_tx_ring *tx = &priv->tx;
	struct net_device *netdev = priv->netdev;
	unsigned int mask = tx->count - 1;
	unsigned int ntc = tx->next_to_clean;
	/* Pairs with smp_store_release() in xmit: the slots up to it are filled. */
	unsigned int ntu = smp_load_acquire(&tx->next_to_use);
	unsigned int frames = 0, bytes = 0, packets = 0, sent = 0, errors = 0;

	while (ntc != ntu) {
		struct uvnic_desc *desc = &tx->desc[ntc & mask];
		struct uvnic_tx_buf *buf = &tx->buf[ntc & mask];
		u16 status = le16_to_cpu(READ_ONCE(desc->status));

		if (!(status & UVNIC_STAT_DONE))
			break;
		dma_rmb();	/* the rest of the descriptor after DONE */
		if (unlikely((status & ~UVNIC_STAT_ALL) ||
			     le64_to_cpu(desc->addr) != buf->dma ||
			     le16_to_cpu(desc->len) != buf->len)) {
			uvnic_ring_corrupt(priv, "TX", ntc & mask,
					   le64_to_cpu(desc->addr),
					   le16_to_cpu(desc->len), status);
			break;
		}
		uvnic_tx_unmap(priv, buf);
		ntc++;
		if (!buf->skb)
			continue;	/* not the frame's last descriptor */
		if (unlikely(status & UVNIC_STAT_ERR)) {
			errors++;
			if (net_ratelimit())
				netdev_warn(netdev, "TX descriptor %u failed: status %#06x\n",
					    (ntc - 1) & mask, status);
		} else {
			packets += buf->segs;
			sent += buf->bytes;
		}
		bytes += buf->bql;
		napi_consume_skb(buf->skb, budget);
		buf->skb = NULL;
		frames++;
	}
	if (ntc == tx->next_to_clean)
		return;

	WRITE_ONCE(tx->next_to_clean, ntc);
	netdev_completed_queue(netdev, frames, bytes);

	u64_stats_update_begin(&priv->tx_stats.syncp);
	priv->tx_stats.packets += packets;
	priv->tx_stats.bytes += sent;
	priv->tx_stats.desc_errors += errors;
	u64_stats_update_end(&priv->tx_stats.syncp);

	/* Order next_to_clean before the stopped test (xmit's smp_mb()). */
	smp_mb();
	if (unlikely(netif_queue_stopped(netdev)) &&
	    uvnic_tx_unused(tx) >= max(tx->max_descs,
				       min_t(unsigned int, UVNIC_TX_WAKE_MAX,
					     tx->count / 4)) &&
	    test_bit(UVNIC_STATE_UP, &priv->state)) {
		netif_wake_queue(netdev);
		u64_stats_update_begin(&priv->tx_stats.syncp);
		priv->tx_stats.restarts++;
		u64_stats_update_end(&priv->tx_stats.syncp);
	}
}

static bool uvnic_tx_pending(struct uvnic_priv *priv)
{
	struct uvnic_tx_ring *tx = &priv->tx;
	unsigned int ntc = READ_ONCE(tx->next_to_clean);

	/* As in uvnic_clean_tx(): slots below next_to_use are filled. */
	if (ntc == smp_load_acquire(&tx->next_to_use))
		return false;
	return le16_to_cpu(READ_ONCE(tx->desc[ntc & (tx->count - 1)].status)) &
	       UVNIC_STAT_DONE;
}

/* ------------------------------------------------------------------ */
/* RX                                                                  */
/* ------------------------------------------------------------------ */

static int uvnic_rx_alloc(struct uvnic_priv *priv, struct uvnic_rx_buf *buf,
			  bool in_napi)
{
	struct uvnic_rx_ring *rx = &priv->rx;
	struct sk_buff *skb;
	dma_addr_t dma;

	if (in_napi)
		skb = napi_alloc_skb(&priv->napi, rx->buf_len);
	else
		skb = __netdev_alloc_skb_ip_align(priv->netdev, rx->buf_len,
						  GFP_KERNEL);
	if (!skb) {
		uvnic_count_rx_error(priv, &priv->rx_stats.alloc_failed);
		return -ENOMEM;
	}
	dma = dma_map_single(priv->dmadev, skb->data, rx->buf_len,
			     DMA_FROM_DEVICE);
	if (dma_mapping_error(priv->dmadev, dma)) {
		dev_kfree_skb_any(skb);
		uvnic_count_rx_error(priv, &priv->rx_stats.map_failed);
		return -ENOMEM;
	}
	buf->skb = skb;
	buf->dma = dma;
	return 0;
}

/**
 * uvnic_rx_refill() - hand every free RX slot to the device again.
 * @priv:    the driver
 * @in_napi: allocating from NAPI (else process context, GFP_KERNEL)
 *
 * A slot that kept its buffer (its frame was dropped) gets that buffer
 * back; an empty slot gets a new one. Stops at the first allocation
 * failure; the watchdog schedules NAPI to try again. Rings no doorbell.
 * Return: how many descriptors were handed over.
 */
static unsigned int uvnic_rx_refill(struct uvnic_priv *priv, bool in_napi)
{
	struct uvnic_rx_ring *rx = &priv->rx;
	unsigned int mask = rx->count - 1;
	unsigned int posted = 0;

	while (rx->next_to_use - rx->next_to_clean < rx->count - 1) {
		unsigned int i = rx->next_to_use & mask;
		struct uvnic_rx_buf *buf = &rx->buf[i];
		struct uvnic_desc *desc = &rx->desc[i];

		if (!buf->skb && uvnic_rx_alloc(priv, buf, in_napi))
			break;
		desc->addr = cpu_to_le64(buf->dma);
		desc->len = cpu_to_le16(rx->buf_len);
		desc->flags = cpu_to_le16(UVNIC_DESC_IRQ);
		desc->status = 0;
		desc->mss = 0;
		WRITE_ONCE(rx->next_to_use, rx->next_to_use + 1);
		posted++;
	}
	return posted;
}

static void uvnic_rx_doorbell(struct uvnic_priv *priv)
{
	struct uvnic_rx_ring *rx = &priv->rx;

	uvnic_wr32(priv, UVNIC_REG_RX_TAIL, rx->next_to_use & (rx->count - 1));
}

/**
 * uvnic_clean_rx() - pass received frames up, refill, ring the doorbell.
 * @priv:   the driver
 * @budget: most descriptors to complete
 *
 * Context: NAPI.
 * Return: descriptors completed (frames passed up or dropped).
 */
static int uvnic_clean_rx(struct uvnic_priv *priv, int budget)
{
	struct uvnic_rx_ring *rx = &priv->rx;
	struct net_device *netdev = priv->netdev;
	unsigned int mask = rx->count - 1;
	u64 packets = 0, bytes = 0, desc_errors = 0, length_errors = 0;
	int done = 0;

	/* netpoll: TX completions only, and no allocation in its context. */
	if (!budget)
		return 0;

	while (done < budget && rx->next_to_clean != rx->next_to_use) {
		unsigned int i = rx->next_to_clean & mask;
		struct uvnic_desc *desc = &rx->desc[i];
		struct uvnic_rx_buf *buf = &rx->buf[i];
		u16 status = le16_to_cpu(READ_ONCE(desc->status));
		struct sk_buff *skb;
		unsigned int len;

		if (!(status & UVNIC_STAT_DONE))
			break;
		/* The device writes len before status: read it after. */
		dma_rmb();
		len = le16_to_cpu(desc->len);
		if (unlikely((status & ~UVNIC_STAT_ALL) ||
			     le64_to_cpu(desc->addr) != buf->dma)) {
			uvnic_ring_corrupt(priv, "RX", i,
					   le64_to_cpu(desc->addr), len, status);
			break;
		}
		WRITE_ONCE(rx->next_to_clean, rx->next_to_clean + 1);
		done++;

		/* A failed or absurd descriptor: drop the frame, keep the buffer. */
		if (unlikely(status & UVNIC_STAT_ERR)) {
			desc_errors++;
			if (net_ratelimit())
				netdev_warn(netdev, "RX descriptor %u failed: status %#06x\n",
					    i, status);
			continue;
		}
		if (unlikely(len < ETH_HLEN || len > rx->buf_len)) {
			length_errors++;
			if (net_ratelimit())
				netdev_warn(netdev, "RX descriptor %u: bad length %u (buffer %u)\n",
					    i, len, rx->buf_len);
			continue;
		}

		skb = buf->skb;
		buf->skb = NULL;
		dma_unmap_single(priv->dmadev, buf->dma, rx->buf_len,
				 DMA_FROM_DEVICE);
		skb_put(skb, len);
		skb->protocol = eth_type_trans(skb, netdev);
		napi_gro_receive(&priv->napi, skb);
		packets++;
		bytes += len;
	}

	if (done) {
		u64_stats_update_begin(&priv->rx_stats.syncp);
		priv->rx_stats.packets += packets;
		priv->rx_stats.bytes += bytes;
		priv->rx_stats.desc_errors += desc_errors;
		priv->rx_stats.length_errors += length_errors;
		u64_stats_update_end(&priv->rx_stats.syncp);
	}
	if (uvnic_rx_refill(priv, true))
		uvnic_rx_doorbell(priv);
	return done;
}

static bool uvnic_rx_pending(struct uvnic_priv *priv)
{
	struct uvnic_rx_ring *rx = &priv->rx;
	unsigned int ntc = READ_ONCE(rx->next_to_clean);

	if (ntc == READ_ONCE(rx->next_to_use))
		return false;
	return le16_to_cpu(READ_ONCE(rx->desc[ntc & (rx->count - 1)].status)) &
	       UVNIC_STAT_DONE;
}

/* ------------------------------------------------------------------ */
/* Interrupts and NAPI                                                 */
/* ------------------------------------------------------------------ */

/* RX and TX vectors: no register access; the latched cause masks them. */
static irqreturn_t uvnic_ring_irq(int irq, void *data)
{
	struct uvnic_priv *priv = data;

	napi_schedule_irqoff(&priv->napi);
	return IRQ_HANDLED;
}

static void uvnic_check_ctrl(struct uvnic_priv *priv);

/* LINK and ERROR: threaded, since register reads wait for the device. */
static irqreturn_t uvnic_other_irq(int irq, void *data)
{
	struct uvnic_priv *priv = data;
	u32 icr = uvnic_rd32(priv, UVNIC_REG_ICR);

	/* Ack first, then read STATUS: a change after the ack sends an MSI. */
	uvnic_wr32(priv, UVNIC_REG_ICR, UVNIC_INT_OTHER);
	uvnic_update_link(priv);
	/* A ring the device gave up on (uvnic(4)): reset now, not at the watchdog. */
	if (icr != ~0U && (icr & UVNIC_INT_ERROR))
		uvnic_check_ctrl(priv);
	return IRQ_HANDLED;
}

static int uvnic_poll(struct napi_struct *napi, int budget)
{
	struct uvnic_priv *priv = container_of(napi, struct uvnic_priv, napi);
	int done;

	uvnic_clean_tx(priv, budget);
	done = uvnic_clean_rx(priv, budget);
	if (done == budget)
		return budget;

	/*
	 * Unmask RX and TX (their MSI masked them, IAM): a completion since
	 * that MSI latched its cause, and the device sends the MSI again.
	 */
	if (napi_complete_done(napi, done))
		uvnic_wr32(priv, UVNIC_REG_IMR, UVNIC_INT_ALL);
	return done;
}

static int uvnic_request_irqs(struct uvnic_priv *priv)
{
	static const char * const suffix[UVNIC_MSI_COUNT] = {
		[UVNIC_MSI_RX] = "rx",
		[UVNIC_MSI_TX] = "tx",
		[UVNIC_MSI_OTHER] = "other",
	};
	int irq[UVNIC_MSI_COUNT];
	int err, i;

	for (i = 0; i < UVNIC_MSI_COUNT; i++) {
		irq[i] = uvpci_irq_vector(priv->udev, i);
		if (irq[i] < 0)
			return irq[i];
		snprintf(priv->irq_name[i], sizeof(priv->irq_name[i]), "%s-%s",
			 priv->netdev->name, suffix[i]);
	}

	err = request_irq(irq[UVNIC_MSI_RX], uvnic_ring_irq, 0,
			  priv->irq_name[UVNIC_MSI_RX], priv);
	if (err)
		goto err_out;
	err = request_irq(irq[UVNIC_MSI_TX], uvnic_ring_irq, 0,
			  priv->irq_name[UVNIC_MSI_TX], priv);
	if (err)
		goto err_free_rx_irq;
	err = request_threaded_irq(irq[UVNIC_MSI_OTHER], NULL, uvnic_other_irq,
				   IRQF_ONESHOT, priv->irq_name[UVNIC_MSI_OTHER],
				   priv);
	if (err)
		goto err_free_tx_irq;
	return 0;

err_free_tx_irq:
	free_irq(irq[UVNIC_MSI_TX], priv);
err_free_rx_irq:
	free_irq(irq[UVNIC_MSI_RX], priv);
err_out:
	netdev_err(priv->netdev, "cannot request IRQs: %d\n", err);
	return err;
}

static void uvnic_free_irqs(struct uvnic_priv *priv)
{
	int i;

	for (i = UVNIC_MSI_COUNT - 1; i >= 0; i--)
		free_irq(uvpci_irq_vector(priv->udev, i), priv);
}

/* ------------------------------------------------------------------ */
/* Rings                                                               */
/* ------------------------------------------------------------------ */

static void uvnic_free_tx_ring(struct uvnic_priv *priv)
{
	struct uvnic_tx_ring *tx = &priv->tx;
	unsigned int i;

	if (!tx->desc)
		return;
	for (i = 0; i < tx->count; i++) {
		struct uvnic_tx_buf *buf = &tx->buf[i];

		uvnic_tx_unmap(priv, buf);
		if (!buf->skb)
			continue;
		dev_kfree_skb_any(buf->skb);
		buf->skb = NULL;
	}
	netdev_reset_queue(priv->netdev);
	dma_free_coherent(priv->dmadev, tx->count * sizeof(*tx->desc),
			  tx->desc, tx->dma);
	tx->desc = NULL;
	kfree(tx->buf);
	tx->buf = NULL;
}

static void uvnic_free_rx_ring(struct uvnic_priv *priv)
{
	struct uvnic_rx_ring *rx = &priv->rx;
	unsigned int i;

	if (!rx->desc)
		return;
	for (i = 0; i < rx->count; i++) {
		struct uvnic_rx_buf *buf = &rx->buf[i];

		if (!buf->skb)
			continue;
		dma_unmap_single(priv->dmadev, buf->dma, rx->buf_len,
				 DMA_FROM_DEVICE);
		dev_kfree_skb_any(buf->skb);
		buf->skb = NULL;
	}
	dma_free_coherent(priv->dmadev, rx->count * sizeof(*rx->desc),
			  rx->desc, rx->dma);
	rx->desc = NULL;
	kfree(rx->buf);
	rx->buf = NULL;
}

static int uvnic_alloc_tx_ring(struct uvnic_priv *priv)
{
	struct uvnic_tx_ring *tx = &priv->tx;

	tx->count = priv->tx_count;
	BUILD_BUG_ON(MAX_SKB_FRAGS + 1 > UVNIC_TX_MAX_DESCS);
	/* Without SG every skb is linear: one descriptor. */
	tx->max_descs = 1;
	if (priv->netdev->features & NETIF_F_SG)
		tx->max_descs = min_t(unsigned int, MAX_SKB_FRAGS + 1,
				      tx->count / 4);
	tx->next_to_use = 0;
	tx->next_to_clean = 0;
	tx->buf = kcalloc(tx->count, sizeof(*tx->buf), GFP_KERNEL);
	if (!tx->buf)
		return -ENOMEM;
	tx->desc = dma_alloc_coherent(priv->dmadev,
				      tx->count * sizeof(*tx->desc), &tx->dma,
				      GFP_KERNEL);
	if (!tx->desc) {
		kfree(tx->buf);
		tx->buf = NULL;
		return -ENOMEM;
	}
	/* BQL starts over with the ring (and from limit_min, if set). */
	netdev_reset_queue(priv->netdev);
	return 0;
}

static int uvnic_alloc_rx_ring(struct uvnic_priv *priv)
{
	struct uvnic_rx_ring *rx = &priv->rx;

	rx->count = priv->rx_count;
	rx->buf_len = uvnic_max_frame(priv->netdev->mtu);
	rx->next_to_use = 0;
	rx->next_to_clean = 0;
	rx->buf = kcalloc(rx->count, sizeof(*rx->buf), GFP_KERNEL);
	if (!rx->buf)
		return -ENOMEM;
	rx->desc = dma_alloc_coherent(priv->dmadev,
				      rx->count * sizeof(*rx->desc), &rx->dma,
				      GFP_KERNEL);
	if (!rx->desc) {
		kfree(rx->buf);
		rx->buf = NULL;
		return -ENOMEM;
	}
	/* Some buffers are enough to start; NAPI refills the others. */
	if (!uvnic_rx_refill(priv, false)) {
		uvnic_free_rx_ring(priv);
		return -ENOMEM;
	}
	return 0;
}

static int uvnic_alloc_rings(struct uvnic_priv *priv)
{
	int err;

	err = uvnic_alloc_tx_ring(priv);
	if (err)
		return err;
	err = uvnic_alloc_rx_ring(priv);
	if (err)
		uvnic_free_tx_ring(priv);
	return err;
}

static void uvnic_free_rings(struct uvnic_priv *priv)
{
	uvnic_free_rx_ring(priv);
	uvnic_free_tx_ring(priv);
}

/* ------------------------------------------------------------------ */
/* Up and down                                                         */
/* ------------------------------------------------------------------ */

static void uvnic_hw_reset(struct uvnic_priv *priv)
{
	/*
	 * Self-clearing, and the device handles register writes in order:
	 * nothing to wait for (and no loop on a device that never answers).
	 */
	uvnic_wr32(priv, UVNIC_REG_CTRL, UVNIC_CTRL_RESET);
}

static void uvnic_hw_start(struct uvnic_priv *priv)
{
	struct uvnic_tx_ring *tx = &priv->tx;
	struct uvnic_rx_ring *rx = &priv->rx;

	uvnic_wr32(priv, UVNIC_REG_MAX_FRAME, uvnic_max_frame(priv->netdev->mtu));
	uv_writeq(tx->dma, priv->hw + UVNIC_REG_TX_BASE);
	uvnic_wr32(priv, UVNIC_REG_TX_LEN, tx->count);
	uv_writeq(rx->dma, priv->hw + UVNIC_REG_RX_BASE);
	uvnic_wr32(priv, UVNIC_REG_RX_LEN, rx->count);
	/* Auto-mask RX and TX; enable the causes, then ack what was latched. */
	uvnic_wr32(priv, UVNIC_REG_IAM, UVNIC_INT_RING);
	uvnic_wr32(priv, UVNIC_REG_IMR, UVNIC_INT_ALL);
	uvnic_wr32(priv, UVNIC_REG_ICR, UVNIC_INT_ALL);
	/* Enabling resets HEAD and TAIL to 0: ring the RX doorbell after. */
	uvnic_wr32(priv, UVNIC_REG_CTRL, UVNIC_CTRL_RINGS);
	uvnic_rx_doorbell(priv);
}

static void uvnic_hw_stop(struct uvnic_priv *priv)
{
	uvnic_wr32(priv, UVNIC_REG_IMR, 0);
	uvnic_wr32(priv, UVNIC_REG_CTRL, 0);
	/*
	 * Flush: the read cannot pass the writes, so once it returns the
	 * device has stopped both rings and its last DMA has landed. On a
	 * dead device it returns all-ones at once.
	 */
	uvnic_rd32(priv, UVNIC_REG_CTRL);
}

/**
 * uvnic_up() - allocate the rings, request the IRQs, start the device.
 * @priv: the driver
 *
 * Context: process context, RTNL held.
 * Return: 0 or -errno, with nothing left allocated.
 */
static int uvnic_up(struct uvnic_priv *priv)
{
	int err;

	err = uvnic_alloc_rings(priv);
	if (err) {
		netdev_err(priv->netdev, "cannot allocate %u TX and %u RX descriptors with %u-byte buffers\n",
			   priv->tx_count, priv->rx_count,
			   uvnic_max_frame(priv->netdev->mtu));
		return err;
	}
	err = uvnic_request_irqs(priv);
	if (err)
		goto err_free_rings;

	priv->tx_watch_ntc = 0;
	priv->tx_watch_since = jiffies;
	priv->rx_watch_ntc = 0;
	priv->rx_watch_stuck = 0;
	napi_enable(&priv->napi);
	uvnic_hw_start(priv);
	set_bit(UVNIC_STATE_UP, &priv->state);
	netif_start_queue(priv->netdev);
	uvnic_update_link(priv);
	schedule_delayed_work(&priv->watchdog, UVNIC_WATCHDOG_PERIOD);
	return 0;

err_free_rings:
	uvnic_free_rings(priv);
	return err;
}

/**
 * uvnic_down() - stop the device, free the IRQs and the rings.
 * @priv: the driver
 *
 * Does nothing unless up. Never waits on the device beyond one register
 * read, so a dead device cannot hold it up.
 * Context: process context, RTNL held.
 */
static void uvnic_down(struct uvnic_priv *priv)
{
	if (!test_and_clear_bit(UVNIC_STATE_UP, &priv->state))
		return;
	cancel_delayed_work_sync(&priv->watchdog);
	napi_disable(&priv->napi);
	netif_tx_disable(priv->netdev);
	uvnic_hw_stop(priv);
	uvnic_free_irqs(priv);
	netif_carrier_off(priv->netdev);
	uvnic_wr32(priv, UVNIC_REG_ICR, UVNIC_INT_ALL);
	uvnic_free_rings(priv);
}

/**
 * uvnic_reconfigure() - apply a new MTU or ring sizes, restarting if up.
 * @priv:     the driver
 * @mtu:      the new MTU
 * @tx_count: the new TX ring size
 * @rx_count: the new RX ring size
 *
 * If the restart fails, the old settings come back (and are restarted).
 * Context: RTNL held.
 * Return: 0 or -errno.
 */
static int uvnic_reconfigure(struct uvnic_priv *priv, unsigned int mtu,
			     unsigned int tx_count, unsigned int rx_count)
{
	struct net_device *netdev = priv->netdev;
	unsigned int old_mtu = netdev->mtu;
	unsigned int old_tx = priv->tx_count, old_rx = priv->rx_count;
	bool running = netif_running(netdev);
	int err;

	if (running)
		uvnic_down(priv);
	WRITE_ONCE(netdev->mtu, mtu);
	priv->tx_count = tx_count;
	priv->rx_count = rx_count;
	if (!running)
		return 0;

	err = uvnic_up(priv);
	if (!err)
		return 0;
	WRITE_ONCE(netdev->mtu, old_mtu);
	priv->tx_count = old_tx;
	priv->rx_count = old_rx;
	if (uvnic_up(priv))
		netdev_err(netdev, "cannot restart: the interface stays down until it is reopened\n");
	return err;
}

/*
 * What e1000's reset_task does: quiesce (NAPI, the queue, the watchdog,
 * IRQs), stop the device, CTRL.RESET it, free every buffer and both rings
 * (each mapping undone, each skb freed or completed), then set all up again
 * from the start. The request bit clears only once the new rings run, so
 * what the old ones still show while they go is not a new request.
 */
static void uvnic_reset_task(struct work_struct *work)
{
	struct uvnic_priv *priv = container_of(to_delayed_work(work),
					       struct uvnic_priv, reset_work);

	rtnl_lock();
	if (netif_running(priv->netdev) &&
	    test_bit(UVNIC_STATE_UP, &priv->state)) {
		WRITE_ONCE(priv->resets, priv->resets + 1);
		WRITE_ONCE(priv->reset_last, jiffies);
		uvnic_down(priv);
		uvnic_hw_reset(priv);
		if (uvnic_up(priv))
			netdev_err(priv->netdev, "reset failed: the interface stays down until it is reopened\n");
	}
	clear_bit(UVNIC_STATE_RESET, &priv->state);
	rtnl_unlock();
}

/*
 * CTRL without the ring bits the driver set: a model that was restarted
 * (it starts from reset), or one that disabled a ring it could not use
 * (uvnic(4): a refused descriptor DMA). Context: process (may read).
 */
static void uvnic_check_ctrl(struct uvnic_priv *priv)
{
	u32 ctrl = uvnic_rd32(priv, UVNIC_REG_CTRL);

	if (ctrl == ~0U || (ctrl & UVNIC_CTRL_RINGS) == UVNIC_CTRL_RINGS ||
	    !test_bit(UVNIC_STATE_UP, &priv->state))
		return;
	if (uvnic_schedule_reset(priv, NULL))
		uvnic_reset_log(priv, "device lost its configuration (CTRL %#x): resetting it\n",
				ctrl);
}

static void uvnic_report_tx_hang(struct uvnic_priv *priv)
{
	struct uvnic_tx_ring *tx = &priv->tx;
	unsigned int ntc = READ_ONCE(tx->next_to_clean);

	if (uvnic_schedule_reset(priv, &priv->tx_timeouts))
		uvnic_reset_log(priv, "TX timeout: %u descriptors pending since %u: resetting\n",
				READ_ONCE(tx->next_to_use) - ntc,
				ntc & (tx->count - 1));
}

/*
 * TX pending at one next_to_clean for UVNIC_TX_TIMEOUT: a hang, whether
 * or not the queue stopped (the stack's TX timeout needs a stopped queue,
 * which a frame a second never fills). Memory reads only, so it runs even
 * when the device does not answer. Context: the watchdog.
 */
static bool uvnic_tx_hung(struct uvnic_priv *priv)
{
	struct uvnic_tx_ring *tx = &priv->tx;
	unsigned int ntc = READ_ONCE(tx->next_to_clean);

	if (ntc == READ_ONCE(tx->next_to_use) || ntc != priv->tx_watch_ntc ||
	    uvnic_tx_pending(priv)) {
		priv->tx_watch_ntc = ntc;
		priv->tx_watch_since = jiffies;
		return false;
	}
	return time_after(jiffies, priv->tx_watch_since + UVNIC_TX_TIMEOUT);
}

/* Whether a handed-over RX descriptor after next_to_clean @ntc is DONE. */
static bool uvnic_rx_done_beyond(struct uvnic_priv *priv, unsigned int ntc)
{
	struct uvnic_rx_ring *rx = &priv->rx;
	unsigned int ntu = READ_ONCE(rx->next_to_use), i;

	for (i = ntc + 1; i != ntu; i++)
		if (le16_to_cpu(READ_ONCE(rx->desc[i & (rx->count - 1)].status)) &
		    UVNIC_STAT_DONE)
			return true;
	return false;
}

/*
 * RX out of step with the device: the descriptor at next_to_clean is not
 * done, the driver completed nothing for a whole watchdog period, and yet
 * the device has filled descriptors after it, or drops frames for want of
 * descriptors (RX_NO_DESC rose) while the driver has handed it half the
 * ring or more. The device fills in order, so it is elsewhere in the ring
 * than the driver: what an overwritten ring leaves, when a DONE the device
 * never wrote made the driver complete, and hand over again, descriptors
 * the device was still to fill. Neither side moves on by itself. Three
 * periods in a row, so that nothing a device does in order looks like it.
 * Context: the watchdog.
 */
static bool uvnic_rx_out_of_step(struct uvnic_priv *priv, u64 no_desc)
{
	struct uvnic_rx_ring *rx = &priv->rx;
	unsigned int ntc = READ_ONCE(rx->next_to_clean);
	bool stuck = ntc == priv->rx_watch_ntc && !uvnic_rx_pending(priv);

	if (stuck)
		stuck = uvnic_rx_done_beyond(priv, ntc) ||
			(no_desc > READ_ONCE(priv->hw_rx_no_desc) &&
			 READ_ONCE(rx->next_to_use) - ntc >= rx->count / 2);
	/* NAPI moved meanwhile: no verdict from a ring in motion. */
	if (READ_ONCE(rx->next_to_clean) != ntc)
		stuck = false;
	priv->rx_watch_stuck = stuck ? priv->rx_watch_stuck + 1 : 0;
	priv->rx_watch_ntc = ntc;
	return priv->rx_watch_stuck >= 3;
}

static void uvnic_watchdog_task(struct work_struct *work)
{
	struct uvnic_priv *priv = container_of(to_delayed_work(work),
					       struct uvnic_priv, watchdog);
	struct uvnic_rx_ring *rx = &priv->rx;
	u64 no_desc;

	/* First, as it needs no answer from the device. */
	if (uvnic_tx_hung(priv))
		uvnic_report_tx_hang(priv);
	uvnic_check_ctrl(priv);
	if (uvnic_update_link(priv) != ~0U) {
		no_desc = uv_readq(priv->hw + UVNIC_REG_RX_NO_DESC);
		if (no_desc != ~0ULL) {
			if (uvnic_rx_out_of_step(priv, no_desc) &&
			    uvnic_schedule_reset(priv, &priv->ring_corrupt))
				uvnic_reset_log(priv, "RX ring out of step: descriptor %u waits while the device is elsewhere: resetting\n",
						READ_ONCE(rx->next_to_clean) &
						(rx->count - 1));
			WRITE_ONCE(priv->hw_rx_no_desc, no_desc);
		}
	}

	/*
	 * Completions no interrupt reported (an IMR write the device never
	 * got), or RX buffers that could not be allocated: let NAPI have
	 * another look. Racy reads, but only of what NAPI owns.
	 */
	if (uvnic_rx_pending(priv) || uvnic_tx_pending(priv) ||
	    READ_ONCE(rx->next_to_use) - READ_ONCE(rx->next_to_clean) <
	    rx->count / 2) {
		local_bh_disable();
		napi_schedule(&priv->napi);
		local_bh_enable();
	}
	schedule_delayed_work(&priv->watchdog, UVNIC_WATCHDOG_PERIOD);
}

/* ------------------------------------------------------------------ */
/* net_device_ops                                                      */
/* ------------------------------------------------------------------ */

/*
 * An administrator's ip link set up is a fresh start: the reset back-off
 * begins again at UVNIC_RESET_DELAY_MIN, however the device behaved
 * before it was taken down. Nothing schedules a reset while it is down.
 */
static int uvnic_open(struct net_device *netdev)
{
	struct uvnic_priv *priv = netdev_priv(netdev);

	priv->reset_delay = 0;
	return uvnic_up(priv);
}

static int uvnic_stop(struct net_device *netdev)
{
	uvnic_down(netdev_priv(netdev));
	return 0;
}

static int uvnic_change_mtu(struct net_device *netdev, int new_mtu)
{
	struct uvnic_priv *priv = netdev_priv(netdev);

	return uvnic_reconfigure(priv, new_mtu, priv->tx_count,
				 priv->rx_count);
}

static void uvnic_tx_timeout(struct net_device *netdev, unsigned int txqueue)
{
	uvnic_report_tx_hang(netdev_priv(netdev));
}

static void uvnic_get_stats64(struct net_device *netdev,
			      struct rtnl_link_stats64 *stats)
{
	struct uvnic_priv *priv = netdev_priv(netdev);
	struct uvnic_sw_stats s;

	uvnic_get_sw_stats(priv, &s);
	stats->rx_packets = s.rx_packets;
	stats->rx_bytes = s.rx_bytes;
	stats->rx_errors = s.rx_desc_errors + s.rx_length_errors;
	stats->rx_length_errors = s.rx_length_errors;
	stats->rx_missed_errors = READ_ONCE(priv->hw_rx_no_desc);
	stats->tx_packets = s.tx_packets;
	stats->tx_bytes = s.tx_bytes;
	stats->tx_errors = s.tx_desc_errors;
	stats->tx_dropped = s.tx_dropped;
}

static const struct net_device_ops uvnic_netdev_ops = {
	.ndo_open		= uvnic_open,
	.ndo_stop		= uvnic_stop,
	.ndo_start_xmit		= uvnic_start_xmit,
	.ndo_features_check	= uvnic_features_check,
	.ndo_get_stats64	= uvnic_get_stats64,
	.ndo_change_mtu		= uvnic_change_mtu,
	.ndo_tx_timeout		= uvnic_tx_timeout,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

/* ------------------------------------------------------------------ */
/* ethtool                                                             */
/* ------------------------------------------------------------------ */

struct uvnic_hw_stat {
	char name[ETH_GSTRING_LEN];
	unsigned int reg;
};

/* The device's own counters, read live (ethtool -S). */
static const struct uvnic_hw_stat uvnic_hw_stats[] = {
	{ "dev_rx_packets",	UVNIC_REG_RX_PACKETS },
	{ "dev_rx_bytes",	UVNIC_REG_RX_BYTES },
	{ "dev_tx_packets",	UVNIC_REG_TX_PACKETS },
	{ "dev_tx_bytes",	UVNIC_REG_TX_BYTES },
	{ "dev_rx_no_desc",	UVNIC_REG_RX_NO_DESC },
	{ "dev_rx_errors",	UVNIC_REG_RX_ERRORS },
	{ "dev_tx_errors",	UVNIC_REG_TX_ERRORS },
	{ "dev_dma_errors",	UVNIC_REG_DMA_ERRORS },
};

struct uvnic_sw_stat {
	char name[ETH_GSTRING_LEN];
	size_t offset;
};

#define UVNIC_SW_STAT(m) { #m, offsetof(struct uvnic_sw_stats, m) }

/* The driver's counters: everything in struct uvnic_sw_stats. */
static const struct uvnic_sw_stat uvnic_sw_stats[] = {
	UVNIC_SW_STAT(rx_packets),
	UVNIC_SW_STAT(rx_bytes),
	UVNIC_SW_STAT(rx_desc_errors),
	UVNIC_SW_STAT(rx_length_errors),
	UVNIC_SW_STAT(rx_alloc_failed),
	UVNIC_SW_STAT(rx_map_failed),
	UVNIC_SW_STAT(tx_packets),
	UVNIC_SW_STAT(tx_bytes),
	UVNIC_SW_STAT(tx_desc_errors),
	UVNIC_SW_STAT(tx_dropped),
	UVNIC_SW_STAT(tx_busy),
	UVNIC_SW_STAT(tx_queue_stops),
	UVNIC_SW_STAT(tx_queue_restarts),
	UVNIC_SW_STAT(tx_tso),
	UVNIC_SW_STAT(tx_csum_offload),
	UVNIC_SW_STAT(tx_linearized),
	UVNIC_SW_STAT(resets),
	UVNIC_SW_STAT(ring_corrupt),
	UVNIC_SW_STAT(tx_timeouts),
	UVNIC_SW_STAT(not_responding),
};

static void uvnic_get_drvinfo(struct net_device *netdev,
			      struct ethtool_drvinfo *info)
{
	struct uvnic_priv *priv = netdev_priv(netdev);

	/* info->version stays the kernel release, as for in-tree drivers. */
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->bus_info, uvpci_name(priv->udev), sizeof(info->bus_info));
	snprintf(info->fw_version, sizeof(info->fw_version), "%u.%u",
		 priv->version >> 16, priv->version & 0xffff);
}

/*
 * The model moves frames to and from a host interface at whatever speed
 * that has: there is no line rate to report, so speed is unknown (as for
 * virtio-net), full duplex while the link is up, no autonegotiation.
 */
static int uvnic_get_link_ksettings(struct net_device *netdev,
				    struct ethtool_link_ksettings *cmd)
{
	ethtool_link_ksettings_zero_link_mode(cmd, supported);
	ethtool_link_ksettings_zero_link_mode(cmd, advertising);
	cmd->base.speed = SPEED_UNKNOWN;
	cmd->base.duplex = netif_carrier_ok(netdev) ? DUPLEX_FULL :
						      DUPLEX_UNKNOWN;
	cmd->base.port = PORT_OTHER;
	cmd->base.autoneg = AUTONEG_DISABLE;
	return 0;
}

static int uvnic_get_sset_count(struct net_device *netdev, int sset)
{
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return ARRAY_SIZE(uvnic_hw_stats) + ARRAY_SIZE(uvnic_sw_stats);
}

static void uvnic_get_strings(struct net_device *netdev, u32 sset, u8 *data)
{
	unsigned int i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < ARRAY_SIZE(uvnic_hw_stats); i++, data += ETH_GSTRING_LEN)
		memcpy(data, uvnic_hw_stats[i].name, ETH_GSTRING_LEN);
	for (i = 0; i < ARRAY_SIZE(uvnic_sw_stats); i++, data += ETH_GSTRING_LEN)
		memcpy(data, uvnic_sw_stats[i].name, ETH_GSTRING_LEN);
}

static void uvnic_get_ethtool_stats(struct net_device *netdev,
				    struct ethtool_stats *stats, u64 *data)
{
	struct uvnic_priv *priv = netdev_priv(netdev);
	struct uvnic_sw_stats s;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(uvnic_hw_stats); i++)
		*data++ = uv_readq(priv->hw + uvnic_hw_stats[i].reg);
	uvnic_get_sw_stats(priv, &s);
	for (i = 0; i < ARRAY_SIZE(uvnic_sw_stats); i++)
		*data++ = *(u64 *)((u8 *)&s + uvnic_sw_stats[i].offset);
}

static void uvnic_get_ringparam(struct net_device *netdev,
				struct ethtool_ringparam *ring,
				struct kernel_ethtool_ringparam *kring,
				struct netlink_ext_ack *extack)
{
	struct uvnic_priv *priv = netdev_priv(netdev);

	ring->rx_max_pending = UVNIC_RING_MAX;
	ring->tx_max_pending = UVNIC_RING_MAX;
	ring->rx_pending = priv->rx_count;
	ring->tx_pending = priv->tx_count;
}

/* Ring sizes are powers of two: a size in between is rounded up. */
static int uvnic_set_ringparam(struct net_device *netdev,
			       struct ethtool_ringparam *ring,
			       struct kernel_ethtool_ringparam *kring,
			       struct netlink_ext_ack *extack)
{
	struct uvnic_priv *priv = netdev_priv(netdev);
	unsigned int tx, rx;

	if (ring->rx_mini_pending || ring->rx_jumbo_pending)
		return -EINVAL;
	if (ring->tx_pending > UVNIC_RING_MAX ||
	    ring->rx_pending > UVNIC_RING_MAX)
		return -EINVAL;
	tx = roundup_pow_of_two(max_t(u32, ring->tx_pending, UVNIC_RING_MIN));
	rx = roundup_pow_of_two(max_t(u32, ring->rx_pending, UVNIC_RING_MIN));
	if (tx == priv->tx_count && rx == priv->rx_count)
		return 0;
	return uvnic_reconfigure(priv, netdev->mtu, tx, rx);
}

static const struct ethtool_ops uvnic_ethtool_ops = {
	.get_drvinfo		= uvnic_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= uvnic_get_link_ksettings,
	.get_sset_count		= uvnic_get_sset_count,
	.get_strings		= uvnic_get_strings,
	.get_ethtool_stats	= uvnic_get_ethtool_stats,
	.get_ringparam		= uvnic_get_ringparam,
	.set_ringparam		= uvnic_set_ringparam,
};

/* ------------------------------------------------------------------ */
/* Probe and remove                                                    */
/* ------------------------------------------------------------------ */

static int uvnic_check_id(struct uvnic_priv *priv)
{
	struct device *dev = &priv->udev->dev;
	u32 id = uvnic_rd32(priv, UVNIC_REG_ID);

	if (id == ~0U) {
		dev_err(dev, "device not responding (ID reads all-ones)\n");
		return -ENODEV;
	}
	if (id != UVNIC_ID_MAGIC) {
		dev_err(dev, "not a uvNIC: ID %#010x, expected %#010x\n",
			id, UVNIC_ID_MAGIC);
		return -ENODEV;
	}
	priv->version = uvnic_rd32(priv, UVNIC_REG_VERSION);
	if (priv->version >> 16 != UVNIC_HW_VERSION >> 16) {
		dev_err(dev, "unsupported version %u.%u: this driver knows %u.x\n",
			priv->version >> 16, priv->version & 0xffff,
			UVNIC_HW_VERSION >> 16);
		return -ENODEV;
	}
	/* NAPI relies on IAM to ack without reading ICR. */
	if ((priv->version & 0xffff) < UVNIC_MINOR_IAM) {
		dev_err(dev, "unsupported version %u.%u: this driver needs %u.%u or later (IAM)\n",
			priv->version >> 16, priv->version & 0xffff,
			UVNIC_HW_VERSION >> 16, UVNIC_MINOR_IAM);
		return -ENODEV;
	}
	return 0;
}

/*
 * The TX offloads the device has (FEATURES, since 1.2): each needs the
 * ones before it, as the stack does (SG needs a checksum offload, TSO
 * needs SG).
 */
static netdev_features_t uvnic_hw_features(struct uvnic_priv *priv)
{
	netdev_features_t features = 0;
	u32 feat;

	if ((priv->version & 0xffff) < UVNIC_MINOR_FEATURES)
		return 0;
	feat = uvnic_rd32(priv, UVNIC_REG_FEATURES);
	if (feat == ~0U || !(feat & UVNIC_FEAT_CSUM))
		return 0;
	features |= NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM;
	if (!(feat & UVNIC_FEAT_SG))
		return features;
	features |= NETIF_F_SG;
	if (feat & UVNIC_FEAT_TSO)
		features |= NETIF_F_TSO | NETIF_F_TSO6;
	return features;
}

static void uvnic_read_mac(struct uvnic_priv *priv)
{
	struct net_device *netdev = priv->netdev;
	u32 lo = uvnic_rd32(priv, UVNIC_REG_MAC_LO);
	u32 hi = uvnic_rd32(priv, UVNIC_REG_MAC_HI);
	u8 addr[ETH_ALEN];

	addr[0] = lo;
	addr[1] = lo >> 8;
	addr[2] = lo >> 16;
	addr[3] = lo >> 24;
	addr[4] = hi;
	addr[5] = hi >> 8;
	if (is_valid_ether_addr(addr)) {
		eth_hw_addr_set(netdev, addr);
		return;
	}
	eth_hw_addr_random(netdev);
	dev_warn(&priv->udev->dev, "invalid MAC address %pM in MAC_LO/MAC_HI: using random %pM\n",
		 addr, netdev->dev_addr);
}

static int uvnic_probe(struct uvpci_dev *udev, const struct uvpci_device_id *id)
{
	struct net_device *netdev;
	struct uvnic_priv *priv;
	int err, nvec;

	err = uvpci_enable_device(udev);
	if (err)
		return err;
	err = dma_set_mask_and_coherent(&udev->dev, DMA_BIT_MASK(64));
	if (err) {
		dev_err(&udev->dev, "no usable DMA configuration\n");
		goto err_disable_device;
	}
	err = uvpci_request_regions(udev, KBUILD_MODNAME);
	if (err)
		goto err_disable_device;
	if (!(uvpci_resource_flags(udev, 0) & IORESOURCE_MEM) ||
	    uvpci_resource_len(udev, 0) < UVNIC_BAR0_SIZE) {
		dev_err(&udev->dev, "BAR0 missing or smaller than %u bytes\n",
			UVNIC_BAR0_SIZE);
		err = -ENODEV;
		goto err_release_regions;
	}
	uvpci_set_master(udev);

	netdev = alloc_etherdev(sizeof(*priv));
	if (!netdev) {
		err = -ENOMEM;
		goto err_clear_master;
	}
	SET_NETDEV_DEV(netdev, &udev->dev);
	uvpci_set_drvdata(udev, netdev);
	priv = netdev_priv(netdev);
	priv->netdev = netdev;
	priv->udev = udev;
	priv->dmadev = &udev->dev;
	priv->tx_count = UVNIC_TX_RING_DEFAULT;
	priv->rx_count = UVNIC_RX_RING_DEFAULT;
	mutex_init(&priv->link_lock);
	INIT_DELAYED_WORK(&priv->watchdog, uvnic_watchdog_task);
	INIT_DELAYED_WORK(&priv->reset_work, uvnic_reset_task);
	/* Why resets are due: a few lines, then one a minute. */
	ratelimit_state_init(&priv->reset_rs, 60 * HZ, 5);
	u64_stats_init(&priv->rx_stats.syncp);
	u64_stats_init(&priv->tx_stats.syncp);
	u64_stats_init(&priv->xmit_stats.syncp);

	priv->hw = uvpci_iomap(udev, 0, UVNIC_BAR0_SIZE);
	if (!priv->hw) {
		err = -ENOMEM;
		goto err_free_netdev;
	}
	err = uvnic_check_id(priv);
	if (err)
		goto err_iounmap;
	uvnic_hw_reset(priv);
	uvnic_read_mac(priv);

	nvec = uvpci_alloc_irq_vectors(udev, UVNIC_MSI_COUNT, UVNIC_MSI_COUNT,
				       PCI_IRQ_MSI);
	if (nvec < 0) {
		err = nvec;
		dev_err(&udev->dev, "cannot get %u MSI vectors: %d\n",
			UVNIC_MSI_COUNT, err);
		goto err_iounmap;
	}

	netdev->netdev_ops = &uvnic_netdev_ops;
	netdev->ethtool_ops = &uvnic_ethtool_ops;
	netdev->watchdog_timeo = UVNIC_TX_TIMEOUT;
	netdev->min_mtu = ETH_MIN_MTU;
	netdev->max_mtu = UVNIC_MAX_FRAME - VLAN_ETH_HLEN;
	netdev->hw_features = uvnic_hw_features(priv);
	netdev->features = netdev->hw_features;
	/* The stack inserts VLAN tags in software; the device parses one. */
	netdev->vlan_features = netdev->hw_features;
	netif_set_tso_max_size(netdev, UVNIC_TSO_MAX_FRAME);
	/* The device filters nothing: a new address needs no register. */
	netdev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	netif_napi_add(netdev, &priv->napi, uvnic_poll);
	netif_carrier_off(netdev);

	err = register_netdev(netdev);
	if (err) {
		dev_err(&udev->dev, "cannot register the net device: %d\n", err);
		goto err_free_irq_vectors;
	}
	netdev_info(netdev, "uvNIC %u.%u at %s, MAC %pM, %u MSI vectors\n",
		    priv->version >> 16, priv->version & 0xffff,
		    uvpci_name(udev), netdev->dev_addr, nvec);
	return 0;

err_free_irq_vectors:
	netif_napi_del(&priv->napi);
	uvpci_free_irq_vectors(udev);
err_iounmap:
	uvpci_iounmap(udev, priv->hw);
err_free_netdev:
	free_netdev(netdev);
err_clear_master:
	uvpci_clear_master(udev);
err_release_regions:
	uvpci_release_regions(udev);
err_disable_device:
	uvpci_disable_device(udev);
	return err;
}

static void uvnic_remove(struct uvpci_dev *udev)
{
	struct net_device *netdev = uvpci_get_drvdata(udev);
	struct uvnic_priv *priv = netdev_priv(netdev);

	/* Closes the interface: uvnic_down() stops the device. */
	unregister_netdev(netdev);
	cancel_delayed_work_sync(&priv->reset_work);
	uvnic_hw_reset(priv);
	netif_napi_del(&priv->napi);
	uvpci_free_irq_vectors(udev);
	uvpci_iounmap(udev, priv->hw);
	free_netdev(netdev);
	uvpci_clear_master(udev);
	uvpci_release_regions(udev);
	uvpci_disable_device(udev);
}

static void uvnic_shutdown(struct uvpci_dev *udev)
{
	struct net_device *netdev = uvpci_get_drvdata(udev);
	struct uvnic_priv *priv = netdev_priv(netdev);

	rtnl_lock();
	netif_device_detach(netdev);
	uvnic_down(priv);
	rtnl_unlock();
	uvnic_hw_reset(priv);
}

static const struct uvpci_device_id uvnic_ids[] = {
	{ PCI_DEVICE(UVNIC_VENDOR_ID, UVNIC_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(uvpci, uvnic_ids);

static struct uvpci_driver uvnic_driver = {
	.name		= KBUILD_MODNAME,
	.id_table	= uvnic_ids,
	.probe		= uvnic_probe,
	.remove		= uvnic_remove,
	.shutdown	= uvnic_shutdown,
};
module_uvpci_driver(uvnic_driver);

MODULE_DESCRIPTION("uvNIC reference NIC driver");
MODULE_AUTHOR("uvNIC project");
MODULE_LICENSE("GPL");
