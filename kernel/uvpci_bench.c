// SPDX-License-Identifier: GPL-2.0
/*
 * uvpci_bench.ko - a uvPCI driver that times the uvPCI paths from the
 * driver's side, with ktime_get_ns(): MMIO read round trips, posted
 * writes, MSI fire-to-handler latency and DMA in both directions. Its
 * device model is t/bench/uvpci-bench-model; t/bench/uvpci-bench runs the
 * lot in the uvnic-vm guest ('make bench'). Registers: uapi/uvpci_bench.h.
 *
 * Each bound device gets /sys/kernel/debug/uvpci_bench/NAME/run. Write a
 * case and options to it; the write returns when the case is done (or
 * fails with -errno: -EINVAL a bad command, -ENODEV no model answers or
 * it went away, -ETIMEDOUT no MSI in time, -EIO wrong data, -EINTR a
 * fatal signal or the driver unbinding); then read one line back, the
 * result (times in ns) or "error: WHY":
 *
 *   uvbus-ctl create b0 --vendor 0x5556 --device 0x00b0 --bar 0:4096 --msi 1
 *   insmod kernel/uvpci_bench.ko; t/bench/uvpci-bench-model b0 &
 *   echo "mmio_read count=100000 ms=1000" > /sys/kernel/debug/uvpci_bench/b0/run
 *   cat /sys/kernel/debug/uvpci_bench/b0/run
 *   mmio_read n=41234 mean_ns=24100 min_ns=... median_ns=... p99_ns=...
 *   max_ns=... clock_ns=...    (one line; clock_ns: an empty timed section)
 *
 * Cases (each runs until count= iterations or ms= milliseconds, whichever
 * comes first, at least one iteration; defaults count=1000000 ms=1000
 * len=1048576):
 *   mmio_read     uv_readl() of ID, each timed: latency statistics
 *   posted_write  uv_writel() to POST, then one read of WRITES to flush
 *                 (a read does not pass posted writes): writes per second;
 *                 the model's count must match
 *   msi           write MSI (posted); the model stamps CLOCK_MONOTONIC and
 *                 fires; the handler takes ktime_get_ns() (the same clock):
 *                 latency statistics of the difference
 *   dma_to_host   the model uvpci_dma_write()s len= bytes of a pattern into
 *   dma_from_host a coherent buffer, or uvpci_dma_read()s them, then fires
 *                 the MSI: bytes and ns from the doorbell to the handler;
 *                 the data is checked (by the driver, or by the model into
 *                 DMA_STATUS) outside the timed part
 */
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "uvpci.h"
#include "uapi/uvpci_bench.h"

#define DRV_NAME		"uvpci_bench"

#define BENCH_MAX_COUNT		1000000
#define BENCH_MAX_MS		60000
#define BENCH_CMD_MAX		128
#define BENCH_RESULT_MAX	256
/* Longer than any transfer takes even under TCG: the model is stuck or gone. */
#define BENCH_WAIT_MS		5000
#define BENCH_SLICE_MS		100
#define BENCH_CLOCK_SAMPLES	64

struct uvpci_bench {
	struct uvpci_dev *udev;
	void __iomem *regs;
	void *buf;		/* UVPCI_BENCH_DMA_MAX bytes, coherent */
	dma_addr_t buf_dma;
	int irq;
	struct completion done;	/* completed by each MSI */
	u64 irq_ns;		/* ktime_get_ns() in the last MSI handler */
	struct dentry *dir;
	bool stopping;		/* remove() is waiting: end any run early */
	struct mutex lock;	/* one run at a time; guards seq and result */
	u32 seq;
	char result[BENCH_RESULT_MAX];
};

struct bench_args {
	u32 count;
	u32 ms;
	u32 len;
};

static struct dentry *bench_root;

static irqreturn_t uvpci_bench_irq(int irq, void *data)
{
	struct uvpci_bench *b = data;

	WRITE_ONCE(b->irq_ns, ktime_get_ns());
	complete(&b->done);
	return IRQ_HANDLED;
}

__printf(2, 3)
static void bench_result(struct uvpci_bench *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->result, sizeof(b->result), fmt, ap);
	va_end(ap);
}

/* 0: go on; 1: the time is up; -EINTR: a fatal signal or remove(). */
static int bench_check(struct uvpci_bench *b, u64 end_ns)
{
	if (READ_ONCE(b->stopping) || fatal_signal_pending(current)) {
		bench_result(b, "error: interrupted");
		return -EINTR;
	}
	cond_resched();
	return ktime_get_ns() >= end_ns;
}

/* Whether the model answers: a register file or a gone model does not. */
static int bench_check_model(struct uvpci_bench *b)
{
	u32 id = uv_readl(b->regs + UVPCI_BENCH_REG_ID);

	if (id == UVPCI_BENCH_MAGIC)
		return 0;
	bench_result(b, "error: no model answers (ID reads %#x, not %#x)",
		     id, UVPCI_BENCH_MAGIC);
	return -ENODEV;
}

/*
 * After a register read that was not what the model would answer: -ENODEV
 * if the model went away (reads return all-ones), else 0 and the caller
 * reports wrong data.
 */
static int bench_gone(struct uvpci_bench *b)
{
	if (uvpci_device_is_present(b->udev))
		return 0;
	bench_result(b, "error: the device model went away");
	return -ENODEV;
}

/*
 * Wait for the MSI: its handler's timestamp, or -errno. In slices, so
 * that neither remove() nor a gone model waits out a whole BENCH_WAIT_MS.
 */
static int bench_wait_msi(struct uvpci_bench *b, u64 *irq_ns)
{
	unsigned int waited;
	long left;

	for (waited = 0; waited < BENCH_WAIT_MS; waited += BENCH_SLICE_MS) {
		left = wait_for_completion_killable_timeout(&b->done,
							    msecs_to_jiffies(BENCH_SLICE_MS));
		if (left > 0) {
			*irq_ns = READ_ONCE(b->irq_ns);
			return 0;
		}
		if (left < 0 || READ_ONCE(b->stopping)) {
			bench_result(b, "error: interrupted");
			return -EINTR;
		}
		if (bench_gone(b))
			return -ENODEV;
	}
	bench_result(b, "error: no MSI within %u ms", BENCH_WAIT_MS);
	return -ETIMEDOUT;
}

static int bench_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static u32 bench_clamp_ns(u64 ns)
{
	return ns > U32_MAX ? U32_MAX : ns;
}

/*
 * The median of an empty timed section: what reading the clock adds to a
 * sample (under TCG, with the HPET as clocksource, it is not nothing).
 */
static u32 bench_clock_ns(void)
{
	u32 ns[BENCH_CLOCK_SAMPLES];
	unsigned int i;
	u64 t0;

	for (i = 0; i < BENCH_CLOCK_SAMPLES; i++) {
		t0 = ktime_get_ns();
		ns[i] = bench_clamp_ns(ktime_get_ns() - t0);
	}
	sort(ns, BENCH_CLOCK_SAMPLES, sizeof(*ns), bench_cmp_u32, NULL);
	return ns[BENCH_CLOCK_SAMPLES / 2];
}

static void bench_latency_result(struct uvpci_bench *b, const char *name,
				 u32 *ns, u32 n, u32 clock)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < n; i++)
		sum += ns[i];
	sort(ns, n, sizeof(*ns), bench_cmp_u32, NULL);
	bench_result(b, "%s n=%u mean_ns=%llu min_ns=%u median_ns=%u p99_ns=%u max_ns=%u clock_ns=%u",
		     name, n, div_u64(sum, n), ns[0], ns[n / 2],
		     ns[(u32)div_u64((u64)n * 99, 100)], ns[n - 1], clock);
}

static int bench_mmio_read(struct uvpci_bench *b, const struct bench_args *a)
{
	u64 t0, t1, end;
	u32 *ns, v, clock, n = 0;
	int err = 0;

	ns = vmalloc(array_size(a->count, sizeof(*ns)));
	if (!ns)
		return -ENOMEM;
	clock = bench_clock_ns();
	end = ktime_get_ns() + (u64)a->ms * NSEC_PER_MSEC;
	while (n < a->count) {
		t0 = ktime_get_ns();
		v = uv_readl(b->regs + UVPCI_BENCH_REG_ID);
		t1 = ktime_get_ns();
		if (v != UVPCI_BENCH_MAGIC) {
			err = bench_gone(b);
			if (!err) {
				bench_result(b, "error: read %u returned %#x, not %#x",
					     n, v, UVPCI_BENCH_MAGIC);
				err = -EIO;
			}
			break;
		}
		ns[n++] = bench_clamp_ns(t1 - t0);
		err = bench_check(b, end);
		if (err)
			break;
	}
	if (err >= 0)
		bench_latency_result(b, "mmio_read", ns, n, clock);
	vfree(ns);
	return err < 0 ? err : 0;
}

static int bench_posted_write(struct uvpci_bench *b, const struct bench_args *a)
{
	u32 c0, c1, n = 0;
	u64 t0, t1, end;
	int err = 0;

	c0 = uv_readl(b->regs + UVPCI_BENCH_REG_WRITES);
	t0 = ktime_get_ns();
	end = t0 + (u64)a->ms * NSEC_PER_MSEC;
	while (n < a->count) {
		uv_writel(n, b->regs + UVPCI_BENCH_REG_POST);
		/* Look at the clock now and then only: it costs as much as a write. */
		if (!(++n % 64)) {
			err = bench_check(b, end);
			if (err)
				break;
		}
	}
	if (err < 0)
		return err;
	/* Not before every write reached the model. */
	c1 = uv_readl(b->regs + UVPCI_BENCH_REG_WRITES);
	t1 = ktime_get_ns();
	if (c1 - c0 != n) {
		err = bench_gone(b);
		if (err)
			return err;
		bench_result(b, "error: the model counted %u of %u posted writes",
			     c1 - c0, n);
		return -EIO;
	}
	bench_result(b, "posted_write n=%u ns=%llu per_s=%llu", n, t1 - t0,
		     div64_u64((u64)n * NSEC_PER_SEC, max_t(u64, t1 - t0, 1)));
	return 0;
}

static int bench_msi(struct uvpci_bench *b, const struct bench_args *a)
{
	u64 end, irq_ns, stamp;
	u32 *ns, seq, got, n = 0;
	int err = 0;

	ns = vmalloc(array_size(a->count, sizeof(*ns)));
	if (!ns)
		return -ENOMEM;
	end = ktime_get_ns() + (u64)a->ms * NSEC_PER_MSEC;
	while (n < a->count) {
		seq = ++b->seq;
		reinit_completion(&b->done);
		uv_writel(seq, b->regs + UVPCI_BENCH_REG_MSI);
		err = bench_wait_msi(b, &irq_ns);
		if (err)
			break;
		/* Outside the timed part: which fire that was, and when. */
		got = uv_readl(b->regs + UVPCI_BENCH_REG_MSI_SEQ);
		stamp = uv_readq(b->regs + UVPCI_BENCH_REG_STAMP);
		if (got != seq || stamp > irq_ns) {
			err = bench_gone(b);
			if (err)
				break;
			if (got != seq)
				bench_result(b, "error: MSI %u: MSI_SEQ reads %#x, not %#x (a stale MSI?)",
					     n, got, seq);
			else
				bench_result(b, "error: MSI %u: the model's stamp %llu is after the handler's %llu",
					     n, stamp, irq_ns);
			err = -EIO;
			break;
		}
		ns[n++] = bench_clamp_ns(irq_ns - stamp);
		err = bench_check(b, end);
		if (err)
			break;
	}
	if (err >= 0)
		bench_latency_result(b, "msi", ns, n, bench_clock_ns());
	vfree(ns);
	return err < 0 ? err : 0;
}

/* The first word of the buffer that is not the pattern, or words if none. */
static u32 bench_pattern_check(const __le32 *w, u32 words, u32 seed)
{
	u32 i;

	for (i = 0; i < words; i++)
		if (le32_to_cpu(w[i]) != uvpci_bench_pattern(seed, i))
			break;
	return i;
}

static int bench_dma(struct uvpci_bench *b, const struct bench_args *a,
		     bool to_host)
{
	const char *name = to_host ? "dma_to_host" : "dma_from_host";
	u32 words = a->len / 4, seed, status, bad, i, n = 0;
	u64 t0, irq_ns, end, total = 0;
	__le32 *w = b->buf;
	int err = 0;

	uv_writeq(b->buf_dma, b->regs + UVPCI_BENCH_REG_DMA_ADDR);
	uv_writel(a->len, b->regs + UVPCI_BENCH_REG_DMA_LEN);
	end = ktime_get_ns() + (u64)a->ms * NSEC_PER_MSEC;
	while (n < a->count) {
		seed = get_random_u32();
		if (to_host) {
			memset(b->buf, 0, a->len);
		} else {
			for (i = 0; i < words; i++)
				w[i] = cpu_to_le32(uvpci_bench_pattern(seed, i));
		}
		uv_writel(seed, b->regs + UVPCI_BENCH_REG_DMA_SEED);
		/* The model built its pattern before this read is answered. */
		uv_readl(b->regs + UVPCI_BENCH_REG_DMA_STATUS);
		reinit_completion(&b->done);
		t0 = ktime_get_ns();
		uv_writel(to_host ? UVPCI_BENCH_DMA_TO_HOST :
			  UVPCI_BENCH_DMA_FROM_HOST,
			  b->regs + UVPCI_BENCH_REG_DMA_GO);
		err = bench_wait_msi(b, &irq_ns);
		if (err)
			break;
		status = uv_readl(b->regs + UVPCI_BENCH_REG_DMA_STATUS);
		if (status || irq_ns < t0) {
			err = bench_gone(b);
			if (err)
				break;
			bench_result(b, "error: %s %u: model status %u%s", name,
				     n, status, irq_ns < t0 ? ", stale MSI" : "");
			err = -EIO;
			break;
		}
		if (to_host) {
			bad = bench_pattern_check(w, words, seed);
			if (bad < words) {
				bench_result(b, "error: %s %u: word %u is %#x, not %#x",
					     name, n, bad, le32_to_cpu(w[bad]),
					     uvpci_bench_pattern(seed, bad));
				err = -EIO;
				break;
			}
		}
		total += irq_ns - t0;
		n++;
		err = bench_check(b, end);
		if (err)
			break;
	}
	if (err < 0)
		return err;
	/* MB/s with MB = 10^6 bytes: bytes per ns times 1000. */
	bench_result(b, "%s len=%u n=%u bytes=%llu ns=%llu mb_s=%llu", name,
		     a->len, n, (u64)a->len * n, total,
		     div64_u64((u64)a->len * n * 1000, max_t(u64, total, 1)));
	return 0;
}

static int bench_dma_to_host(struct uvpci_bench *b, const struct bench_args *a)
{
	return bench_dma(b, a, true);
}

static int bench_dma_from_host(struct uvpci_bench *b, const struct bench_args *a)
{
	return bench_dma(b, a, false);
}

/* "CASE [count=N] [ms=N] [len=N]"; 0 or -EINVAL with the reason in result. */
static int bench_parse(struct uvpci_bench *b, char *cmd, const char **name,
		       struct bench_args *a)
{
	char *tok, *val;
	u32 *field;

	a->count = BENCH_MAX_COUNT;
	a->ms = 1000;
	a->len = UVPCI_BENCH_DMA_MAX;
	*name = strsep(&cmd, " \t");
	while ((tok = strsep(&cmd, " \t"))) {
		if (!*tok)
			continue;
		val = strchr(tok, '=');
		if (val)
			*val++ = '\0';
		if (!strcmp(tok, "count"))
			field = &a->count;
		else if (!strcmp(tok, "ms"))
			field = &a->ms;
		else if (!strcmp(tok, "len"))
			field = &a->len;
		else
			goto err_syntax;
		if (!val || kstrtou32(val, 0, field))
			goto err_syntax;
	}
	if (!a->count || a->count > BENCH_MAX_COUNT || !a->ms ||
	    a->ms > BENCH_MAX_MS || !a->len || a->len % 4 ||
	    a->len > UVPCI_BENCH_DMA_MAX) {
		bench_result(b, "error: count is 1 to %u, ms 1 to %u, len a multiple of 4 up to %u",
			     BENCH_MAX_COUNT, BENCH_MAX_MS, UVPCI_BENCH_DMA_MAX);
		return -EINVAL;
	}
	return 0;

err_syntax:
	bench_result(b, "error: bad option '%s': expected count=N, ms=N or len=N",
		     tok);
	return -EINVAL;
}

static const struct bench_case {
	const char *name;
	int (*run)(struct uvpci_bench *b, const struct bench_args *a);
} bench_cases[] = {
	{ "mmio_read",		bench_mmio_read },
	{ "posted_write",	bench_posted_write },
	{ "msi",		bench_msi },
	{ "dma_to_host",	bench_dma_to_host },
	{ "dma_from_host",	bench_dma_from_host },
};

static int bench_run(struct uvpci_bench *b, char *cmd)
{
	struct bench_args a;
	const char *name;
	unsigned int i;
	int err;

	err = bench_parse(b, cmd, &name, &a);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(bench_cases); i++)
		if (!strcmp(name, bench_cases[i].name))
			break;
	if (i == ARRAY_SIZE(bench_cases)) {
		bench_result(b, "error: unknown case '%s' (mmio_read, posted_write, msi, dma_to_host, dma_from_host)",
			     name);
		return -EINVAL;
	}
	if (READ_ONCE(b->stopping)) {
		bench_result(b, "error: interrupted");
		return -EINTR;
	}
	err = bench_check_model(b);
	if (err)
		return err;
	return bench_cases[i].run(b, &a);
}

static ssize_t bench_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	struct uvpci_bench *b = file->private_data;
	char cmd[BENCH_CMD_MAX];
	int err;

	if (!len || len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	cmd[len] = '\0';
	if (mutex_lock_killable(&b->lock))
		return -EINTR;
	b->result[0] = '\0';
	err = bench_run(b, strim(cmd));
	mutex_unlock(&b->lock);
	return err ? err : len;
}

static ssize_t bench_read(struct file *file, char __user *ubuf, size_t len,
			  loff_t *ppos)
{
	struct uvpci_bench *b = file->private_data;
	char line[BENCH_RESULT_MAX + 1];
	size_t n;

	if (mutex_lock_killable(&b->lock))
		return -EINTR;
	n = scnprintf(line, sizeof(line), "%s\n", b->result);
	mutex_unlock(&b->lock);
	return simple_read_from_buffer(ubuf, len, ppos, line, n);
}

static const struct file_operations bench_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= bench_read,
	.write	= bench_write,
	.llseek	= default_llseek,
};

static int uvpci_bench_probe(struct uvpci_dev *udev,
			     const struct uvpci_device_id *id)
{
	struct uvpci_bench *b;
	int err;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->udev = udev;
	mutex_init(&b->lock);
	init_completion(&b->done);
	uvpci_set_drvdata(udev, b);

	err = uvpci_enable_device(udev);
	if (err)
		goto err_free_b;
	err = uvpci_request_regions(udev, DRV_NAME);
	if (err)
		goto err_disable_device;
	if (uvpci_resource_len(udev, 0) < UVPCI_BENCH_BAR0_SIZE) {
		dev_err(&udev->dev, "BAR0 missing or smaller than %u bytes\n",
			UVPCI_BENCH_BAR0_SIZE);
		err = -ENODEV;
		goto err_release_regions;
	}
	b->regs = uvpci_iomap(udev, 0, 0);
	if (!b->regs) {
		err = -ENOMEM;
		goto err_release_regions;
	}
	err = dma_set_mask_and_coherent(&udev->dev, DMA_BIT_MASK(64));
	if (err)
		goto err_unmap;
	uvpci_set_master(udev);
	b->buf = dma_alloc_coherent(&udev->dev, UVPCI_BENCH_DMA_MAX,
				    &b->buf_dma, GFP_KERNEL);
	if (!b->buf) {
		err = -ENOMEM;
		goto err_clear_master;
	}
	err = uvpci_alloc_irq_vectors(udev, 1, 1, PCI_IRQ_MSI);
	if (err < 0) {
		dev_err(&udev->dev, "no MSI vector (%d): the device needs --msi 1\n",
			err);
		goto err_free_buf;
	}
	b->irq = uvpci_irq_vector(udev, 0);
	err = request_irq(b->irq, uvpci_bench_irq, 0, DRV_NAME, b);
	if (err)
		goto err_free_vectors;

	/* No checks, as debugfs wants: without it there is just no file. */
	b->dir = debugfs_create_dir(uvpci_name(udev), bench_root);
	debugfs_create_file("run", 0600, b->dir, b, &bench_fops);
	dev_info(&udev->dev, "ready: irq %d, %u-byte DMA buffer; write a case to debugfs %s/%s/run\n",
		 b->irq, UVPCI_BENCH_DMA_MAX, DRV_NAME, uvpci_name(udev));
	return 0;

err_free_vectors:
	uvpci_free_irq_vectors(udev);
err_free_buf:
	dma_free_coherent(&udev->dev, UVPCI_BENCH_DMA_MAX, b->buf, b->buf_dma);
err_clear_master:
	uvpci_clear_master(udev);
err_unmap:
	uvpci_iounmap(udev, b->regs);
err_release_regions:
	uvpci_release_regions(udev);
err_disable_device:
	uvpci_disable_device(udev);
err_free_b:
	kfree(b);
	return err;
}

static void uvpci_bench_remove(struct uvpci_dev *udev)
{
	struct uvpci_bench *b = uvpci_get_drvdata(udev);

	/* A run in progress ends at its next check; debugfs waits for it. */
	WRITE_ONCE(b->stopping, true);
	debugfs_remove_recursive(b->dir);
	free_irq(b->irq, b);
	uvpci_free_irq_vectors(udev);
	/* Bus mastering off first: a DMA still in flight is refused, not done. */
	uvpci_clear_master(udev);
	dma_free_coherent(&udev->dev, UVPCI_BENCH_DMA_MAX, b->buf, b->buf_dma);
	uvpci_iounmap(udev, b->regs);
	uvpci_release_regions(udev);
	uvpci_disable_device(udev);
	mutex_destroy(&b->lock);
	kfree(b);
}

static const struct uvpci_device_id uvpci_bench_ids[] = {
	{ PCI_DEVICE(UVPCI_BENCH_VENDOR_ID, UVPCI_BENCH_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(uvpci, uvpci_bench_ids);

static struct uvpci_driver uvpci_bench_driver = {
	.name		= DRV_NAME,
	.id_table	= uvpci_bench_ids,
	.probe		= uvpci_bench_probe,
	.remove		= uvpci_bench_remove,
};

static int __init uvpci_bench_init(void)
{
	int err;

	bench_root = debugfs_create_dir(DRV_NAME, NULL);
	err = uvpci_register_driver(&uvpci_bench_driver);
	if (err)
		debugfs_remove_recursive(bench_root);
	return err;
}
module_init(uvpci_bench_init);

static void __exit uvpci_bench_exit(void)
{
	uvpci_unregister_driver(&uvpci_bench_driver);
	debugfs_remove_recursive(bench_root);
}
module_exit(uvpci_bench_exit);

MODULE_DESCRIPTION("uvPCI benchmark driver: MMIO, posted writes, MSI and DMA, timed");
MODULE_AUTHOR("uvNIC project");
MODULE_LICENSE("GPL");
