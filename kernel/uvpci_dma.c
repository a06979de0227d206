// SPDX-License-Identifier: GPL-2.0
/*
 * uvPCI DMA: the DMA API on uvPCI devices, and DMA requests from the
 * device side checked like an IOMMU checks them.
 *
 * Every uvPCI device has uvpci_dma_ops (set_dma_ops() at creation), so
 * the ordinary DMA API works on &udev->dev. Bus addresses come from a
 * per-device IOVA domain (the IOMMU layer's allocator), top-down below the
 * device's DMA mask and below 2^48: a driver with a 64-bit mask gets
 * addresses above 4 GiB, so one that drops the upper half of an address
 * finds out at once. They are neither kernel virtual nor physical
 * addresses, and the page offset of the CPU buffer is kept, so each 4 KiB
 * bus page lies inside one page of memory.
 *
 * Each mapping (address, length, direction, backing pages) sits in an
 * rbtree. A DMA_WRITE or DMA_READ from the device is a PCIe-like memory
 * request: dword-aligned, 1..32 dwords, contiguous byte enables, no 4 KiB
 * boundary crossed. Its enabled bytes must lie inside ONE live mapping
 * (byte-exact: stricter than an IOMMU's page granularity) whose direction
 * lets the device write (DMA_FROM_DEVICE, DMA_BIDIRECTIONAL) or read
 * (DMA_TO_DEVICE, DMA_BIDIRECTIONAL) it, and bus mastering must be on.
 * Anything else is refused, logged like an IOMMU fault, counted, and
 * touches nothing. The copy happens under dma_lock, so an unmap that has
 * returned is never written to afterwards. The sync calls have nothing to
 * do: data lands in the CPU's buffer directly.
 */
#define pr_fmt(fmt) "uvpci: " fmt

#include <linux/dma-map-ops.h>
#include <linux/highmem.h>
#include <linux/iova.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "uvpci_priv.h"
#include "uvpci_trace.h"

#define UVPCI_IOVA_BITS		48

static struct uvpci_device *uvpci_dma_dev(struct device *dev)
{
	return to_uvpci_device(to_uvpci_dev(dev));
}

static const char *uvpci_dir_name(enum dma_data_direction dir)
{
	switch (dir) {
	case DMA_BIDIRECTIONAL:
		return "bidirectional";
	case DMA_TO_DEVICE:
		return "to-device";
	case DMA_FROM_DEVICE:
		return "from-device";
	default:
		return "none";
	}
}

/* The mapping that contains bus address @addr, or NULL. dma_lock held. */
static struct uvpci_dma_map *uvpci_dma_find(struct uvpci_device *d, u64 addr)
{
	struct rb_node *n = d->dma_maps.rb_node;
	struct uvpci_dma_map *best = NULL;

	while (n) {
		struct uvpci_dma_map *m = rb_entry(n, struct uvpci_dma_map, node);

		if (addr < m->addr) {
			n = n->rb_left;
		} else {
			best = m;
			n = n->rb_right;
		}
	}
	/* Mappings never overlap: only the last one starting at or below can hold it. */
	if (best && addr - best->addr < best->size)
		return best;
	return NULL;
}

static void uvpci_dma_link(struct uvpci_device *d, struct uvpci_dma_map *new)
{
	struct rb_node **link = &d->dma_maps.rb_node, *parent = NULL;

	while (*link) {
		struct uvpci_dma_map *m = rb_entry(*link, struct uvpci_dma_map, node);

		parent = *link;
		link = new->addr < m->addr ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&new->node, parent, link);
	rb_insert_color(&new->node, &d->dma_maps);
	d->dma_nmaps++;
}

/* Map @size bytes at @page + @offset; any context. */
static dma_addr_t uvpci_dma_insert(struct uvpci_device *d, struct page *page,
				   unsigned long offset, size_t size,
				   enum dma_data_direction dir, bool coherent,
				   u64 mask)
{
	unsigned long npages, limit;
	struct uvpci_dma_map *m;
	unsigned long flags;
	struct iova *iova;

	if (!size)
		return DMA_MAPPING_ERROR;
	page = nth_page(page, offset >> PAGE_SHIFT);
	offset = offset_in_page(offset);
	npages = PAGE_ALIGN(offset + size) >> PAGE_SHIFT;
	limit = min_t(u64, mask, DMA_BIT_MASK(UVPCI_IOVA_BITS)) >> PAGE_SHIFT;

	m = kzalloc(sizeof(*m), GFP_ATOMIC | __GFP_NOWARN);
	if (!m)
		return DMA_MAPPING_ERROR;

	spin_lock_irqsave(&d->dma_lock, flags);
	if (d->dma_dead) {
		spin_unlock_irqrestore(&d->dma_lock, flags);
		kfree(m);
		uvpci_rl(err, d, &d->rs_io, "DMA mapping on a destroyed device refused\n");
		return DMA_MAPPING_ERROR;
	}
	iova = alloc_iova(&d->iovad, npages, limit, false);
	if (!iova) {
		spin_unlock_irqrestore(&d->dma_lock, flags);
		kfree(m);
		uvpci_rl(err, d, &d->rs_io, "out of bus addresses for a %zu-byte DMA mapping\n",
			 size);
		return DMA_MAPPING_ERROR;
	}
	m->pfn_lo = iova->pfn_lo;
	m->addr = ((dma_addr_t)iova->pfn_lo << PAGE_SHIFT) + offset;
	m->size = size;
	m->page = page;
	m->offset = offset;
	m->dir = dir;
	m->coherent = coherent;
	uvpci_dma_link(d, m);
	trace_uvpci_dma_map(d, m->addr, m->size, dir, coherent, "ok");
	spin_unlock_irqrestore(&d->dma_lock, flags);
	return m->addr;
}

/* Unmap what starts at @addr, checking that it was mapped so; any context. */
static void uvpci_dma_remove(struct uvpci_device *d, dma_addr_t addr,
			     size_t size, enum dma_data_direction dir,
			     bool coherent)
{
	struct uvpci_dma_map *m;
	unsigned long flags;

	spin_lock_irqsave(&d->dma_lock, flags);
	m = uvpci_dma_find(d, addr);
	if (!m || m->addr != addr) {
		spin_unlock_irqrestore(&d->dma_lock, flags);
		trace_uvpci_dma_unmap(d, addr, size, dir, coherent, "not-mapped");
		uvpci_rl(err, d, &d->rs_io, "DMA unmap of bus address %#llx, which is not mapped\n",
			 (u64)addr);
		return;
	}
	rb_erase(&m->node, &d->dma_maps);
	d->dma_nmaps--;
	free_iova(&d->iovad, m->pfn_lo);
	spin_unlock_irqrestore(&d->dma_lock, flags);

	trace_uvpci_dma_unmap(d, addr, size, dir, coherent,
			      m->size != size || m->dir != dir ||
			      m->coherent != coherent ? "mismatch" : "ok");
	if (m->size != size || m->dir != dir || m->coherent != coherent)
		uvpci_rl(err, d, &d->rs_io, "DMA unmap of %#llx does not match its mapping: mapped %zu bytes %s%s, unmapped %zu bytes %s%s\n",
			 (u64)addr, m->size, uvpci_dir_name(m->dir),
			 m->coherent ? " coherent" : "", size,
			 uvpci_dir_name(dir), coherent ? " coherent" : "");
	kfree(m);
}

static dma_addr_t uvpci_dma_map_page(struct device *dev, struct page *page,
				     unsigned long offset, size_t size,
				     enum dma_data_direction dir,
				     unsigned long attrs)
{
	return uvpci_dma_insert(uvpci_dma_dev(dev), page, offset, size, dir,
				false, *dev->dma_mask);
}

static void uvpci_dma_unmap_page(struct device *dev, dma_addr_t addr,
				 size_t size, enum dma_data_direction dir,
				 unsigned long attrs)
{
	uvpci_dma_remove(uvpci_dma_dev(dev), addr, size, dir, false);
}

static void uvpci_dma_unmap_sg(struct device *dev, struct scatterlist *sgl,
			       int nents, enum dma_data_direction dir,
			       unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		uvpci_dma_remove(uvpci_dma_dev(dev), sg_dma_address(sg),
				 sg_dma_len(sg), dir, false);
}

/* One mapping per entry: nothing is merged. */
static int uvpci_dma_map_sg(struct device *dev, struct scatterlist *sgl,
			    int nents, enum dma_data_direction dir,
			    unsigned long attrs)
{
	struct scatterlist *sg;
	dma_addr_t addr;
	int i;

	for_each_sg(sgl, sg, nents, i) {
		addr = uvpci_dma_insert(uvpci_dma_dev(dev), sg_page(sg),
					sg->offset, sg->length, dir, false,
					*dev->dma_mask);
		if (addr == DMA_MAPPING_ERROR)
			goto err_unmap;
		sg_dma_address(sg) = addr;
		sg_dma_len(sg) = sg->length;
	}
	return nents;

err_unmap:
	uvpci_dma_unmap_sg(dev, sgl, i, dir, attrs);
	return -ENOMEM;
}

static void *uvpci_dma_alloc(struct device *dev, size_t size,
			     dma_addr_t *dma_handle, gfp_t gfp,
			     unsigned long attrs)
{
	void *vaddr;

	/* Where the memory is does not matter: the device sees only IOVAs. */
	gfp &= ~(__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM | __GFP_COMP);
	vaddr = alloc_pages_exact(size, gfp | __GFP_ZERO);
	if (!vaddr)
		return NULL;
	*dma_handle = uvpci_dma_insert(uvpci_dma_dev(dev), virt_to_page(vaddr),
				       0, size, DMA_BIDIRECTIONAL, true,
				       dev->coherent_dma_mask);
	if (*dma_handle == DMA_MAPPING_ERROR) {
		free_pages_exact(vaddr, size);
		return NULL;
	}
	return vaddr;
}

static void uvpci_dma_free(struct device *dev, size_t size, void *vaddr,
			   dma_addr_t dma_handle, unsigned long attrs)
{
	/* The device loses access first, then the memory goes. */
	uvpci_dma_remove(uvpci_dma_dev(dev), dma_handle, size,
			 DMA_BIDIRECTIONAL, true);
	free_pages_exact(vaddr, size);
}

static int uvpci_dma_mmap(struct device *dev, struct vm_area_struct *vma,
			  void *cpu_addr, dma_addr_t dma_addr, size_t size,
			  unsigned long attrs)
{
	unsigned long pages = PAGE_ALIGN(size) >> PAGE_SHIFT;

	if (vma->vm_pgoff >= pages ||
	    vma_pages(vma) > pages - vma->vm_pgoff)
		return -ENXIO;
	return remap_pfn_range(vma, vma->vm_start,
			       page_to_pfn(virt_to_page(cpu_addr)) + vma->vm_pgoff,
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

static int uvpci_dma_get_sgtable(struct device *dev, struct sg_table *sgt,
				 void *cpu_addr, dma_addr_t dma_addr,
				 size_t size, unsigned long attrs)
{
	int err = sg_alloc_table(sgt, 1, GFP_KERNEL);

	if (!err)
		sg_set_page(sgt->sgl, virt_to_page(cpu_addr), PAGE_ALIGN(size), 0);
	return err;
}

static int uvpci_dma_supported(struct device *dev, u64 mask)
{
	return mask >= DMA_BIT_MASK(24);
}

static u64 uvpci_dma_required_mask(struct device *dev)
{
	return DMA_BIT_MASK(UVPCI_IOVA_BITS);
}

const struct dma_map_ops uvpci_dma_ops = {
	.alloc			= uvpci_dma_alloc,
	.free			= uvpci_dma_free,
	.mmap			= uvpci_dma_mmap,
	.get_sgtable		= uvpci_dma_get_sgtable,
	.map_page		= uvpci_dma_map_page,
	.unmap_page		= uvpci_dma_unmap_page,
	.map_sg			= uvpci_dma_map_sg,
	.unmap_sg		= uvpci_dma_unmap_sg,
	.dma_supported		= uvpci_dma_supported,
	.get_required_mask	= uvpci_dma_required_mask,
};

/* ------------------------------------------------------------------ */
/* Lifetime                                                            */
/* ------------------------------------------------------------------ */

int uvpci_dma_global_init(void)
{
	return iova_cache_get();
}

void uvpci_dma_global_fini(void)
{
	iova_cache_put();
}

/**
 * uvpci_dma_init() - set up a device's IOVA domain and mapping tree.
 * @d: the device
 */
void uvpci_dma_init(struct uvpci_device *d)
{
	spin_lock_init(&d->dma_lock);
	d->dma_maps = RB_ROOT;
	/* Bus page 0 is never handed out. */
	init_iova_domain(&d->iovad, PAGE_SIZE, 1);
}

/**
 * uvpci_dma_unbind() - after remove(): take away what the driver left
 * mapped, so that the device can no longer reach that memory.
 * @d: the device
 *
 * Return: how many mappings there were.
 */
unsigned int uvpci_dma_unbind(struct uvpci_device *d)
{
	struct uvpci_dma_map *m;
	struct rb_node *n;
	unsigned int count = 0;
	unsigned long flags;

	spin_lock_irqsave(&d->dma_lock, flags);
	while ((n = rb_first(&d->dma_maps))) {
		m = rb_entry(n, struct uvpci_dma_map, node);
		rb_erase(n, &d->dma_maps);
		free_iova(&d->iovad, m->pfn_lo);
		trace_uvpci_dma_unmap(d, m->addr, m->size, m->dir, m->coherent,
				      "unbind");
		kfree(m);
		count++;
	}
	d->dma_nmaps = 0;
	spin_unlock_irqrestore(&d->dma_lock, flags);
	return count;
}

/**
 * uvpci_dma_fini() - refuse any further mapping and free the IOVA domain.
 * @d: the device
 */
void uvpci_dma_fini(struct uvpci_device *d)
{
	unsigned long flags;

	spin_lock_irqsave(&d->dma_lock, flags);
	d->dma_dead = true;
	spin_unlock_irqrestore(&d->dma_lock, flags);
	uvpci_dma_unbind(d);
	put_iova_domain(&d->iovad);
}

/* ------------------------------------------------------------------ */
/* DMA requests from the device                                        */
/* ------------------------------------------------------------------ */

/* A non-empty run of adjacent bits within the low four. */
static bool uvpci_be_contiguous(u8 be)
{
	if (!be || be > 0xf)
		return false;
	be >>= __ffs(be);
	return !(be & (be + 1));
}

/* Why a request's shape is illegal, or NULL. */
static const char *uvpci_dma_shape(const struct uvpci_dma *r)
{
	if (r->status)
		return "status set in a request";
	if (r->addr & 3)
		return "address not dword-aligned";
	if (!r->ndw || r->ndw > UVPCI_DMA_MAX_BYTES / 4)
		return "length not 1..32 dwords";
	if (!uvpci_be_contiguous(r->first_be))
		return "bad first byte enable";
	if (r->ndw == 1) {
		if (r->last_be)
			return "last byte enable set in a one-dword request";
	} else {
		if (!(r->first_be & 0x8))
			return "first byte enable does not reach the next dword";
		if (!uvpci_be_contiguous(r->last_be) || !(r->last_be & 0x1))
			return "bad last byte enable";
	}
	if ((r->addr & (UVPCI_DMA_BOUNDARY - 1)) + r->ndw * 4 > UVPCI_DMA_BOUNDARY)
		return "crosses a 4 KiB boundary";
	return NULL;
}

/*
 * Map the memory behind bus address @addr; unmap with kunmap_local(*base).
 * Bus pages line up with memory pages, and no request crosses one.
 */
static u8 *uvpci_dma_kmap(const struct uvpci_dma_map *m, u64 addr, u8 **base)
{
	u64 o = addr - m->addr + m->offset;

	*base = kmap_local_page(nth_page(m->page, o >> PAGE_SHIFT));
	return *base + offset_in_page(o);
}

/**
 * uvpci_dma_cpl_init() - the DMA_CPL answering a DMA_READ, without data.
 * @msg:    the DMA_READ
 * @cpl:    filled in: same tag, address, length and byte enables
 * @status: 0 or -errno
 */
void uvpci_dma_cpl_init(const struct uvbus_msg *msg, struct uvbus_msg *cpl,
			int status)
{
	memset(cpl, 0, sizeof(*cpl));
	cpl->type = UVPCI_MSG_DMA_CPL;
	cpl->tag = msg->tag;
	cpl->dma.addr = msg->dma.addr;
	cpl->dma.ndw = msg->dma.ndw;
	cpl->dma.first_be = msg->dma.first_be;
	cpl->dma.last_be = msg->dma.last_be;
	cpl->dma.status = status;
}

/**
 * uvpci_dma_rx() - a DMA_WRITE or DMA_READ from a port.
 * @d:   the device
 * @msg: the request
 * @cpl: for DMA_READ: filled with the DMA_CPL to send back (its status says
 *       whether the read was refused); NULL for DMA_WRITE
 *
 * Atomic context. Return: 0; -EINVAL (malformed), -EPERM (bus mastering
 * off), -EFAULT (outside every mapping), -EACCES (wrong direction); each
 * refusal is logged rate-limited and counted, and touches nothing.
 */
int uvpci_dma_rx(struct uvpci_device *d, const struct uvbus_msg *msg,
		 struct uvbus_msg *cpl)
{
	const struct uvpci_dma *r = &msg->dma;
	bool write = !cpl;
	const char *what = write ? "write" : "read";
	struct uvpci_dma_map *m;
	unsigned int len = 0;
	u64 first = 0, last;
	u8 *mem, *base;
	unsigned long flags;
	const char *why;
	int err;

	if (cpl)
		uvpci_dma_cpl_init(msg, cpl, 0);

	why = uvpci_dma_shape(r);
	if (why) {
		atomic64_inc(&d->stats.malformed);
		uvpci_rl(err, d, &d->rs_dev, "malformed DMA %s refused: %s (address %#llx, %u dwords, byte enables %#x/%#x)\n",
			 what, why, r->addr, r->ndw, r->first_be,
			 r->last_be);
		err = -EINVAL;
		goto out;
	}
	first = r->addr + __ffs(r->first_be);
	if (r->ndw == 1)
		last = r->addr + __fls(r->first_be);
	else
		last = r->addr + (r->ndw - 1) * 4 + __fls(r->last_be);
	len = last - first + 1;

	err = -EPERM;
	why = "bus mastering disabled";
	if (!READ_ONCE(d->master_on))
		goto fault;

	spin_lock_irqsave(&d->dma_lock, flags);
	m = uvpci_dma_find(d, first);
	if (!m || last - m->addr >= m->size) {
		spin_unlock_irqrestore(&d->dma_lock, flags);
		err = -EFAULT;
		why = "not inside one live mapping";
		goto fault;
	}
	if (m->dir != DMA_BIDIRECTIONAL &&
	    m->dir != (write ? DMA_FROM_DEVICE : DMA_TO_DEVICE)) {
		spin_unlock_irqrestore(&d->dma_lock, flags);
		err = -EACCES;
		why = write ? "mapping is to-device (read-only for the device)" :
			      "mapping is from-device (write-only for the device)";
		goto fault;
	}
	mem = uvpci_dma_kmap(m, first, &base);
	if (write)
		memcpy(mem, r->data + (first - r->addr), len);
	else
		memcpy(cpl->dma.data + (first - r->addr), mem, len);
	kunmap_local(base);
	spin_unlock_irqrestore(&d->dma_lock, flags);

	atomic64_inc(write ? &d->stats.dma_writes : &d->stats.dma_reads);
	atomic64_add(len, &d->stats.dma_bytes);
	trace_uvpci_dma_request(d, r, write, first, len, 0, NULL);
	return 0;

fault:
	atomic64_inc(&d->stats.dma_faults);
	uvpci_rl(err, d, &d->rs_dev, "DMA fault: device %s of %u bytes at bus address %#llx refused: %s\n",
		 what, len, first, why);
out:
	trace_uvpci_dma_request(d, r, write, first ?: r->addr, len, err, why);
	if (cpl)
		cpl->dma.status = err;
	return err;
}
