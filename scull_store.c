// SPDX-License-Identifier: GPL-2.0
/*
 * The quantum store of scullmem: where a device keeps its quanta.
 *
 * A device's data is an array of quanta, grouped in qset arrays of
 * @qset slots as in LDD3's scull; the qset arrays are indexed by number in
 * an xarray, so the quantum at any offset is found without walking a list.
 * This file finds a quantum's slot (with a cursor that caches the qset
 * array of the last lookup), allocates, zeroes and accounts new quanta,
 * publishes them, frees them and estimates the memory the index costs.
 * The char device (scullmem.c) reads and writes through it, as brd.c's
 * request handling goes through its page store, and so do the fault
 * handler (scull_mmap.c) and the geometry changes (scull_ctl.c).  It calls
 * only the device's backend (struct scull_backend), never an allocator by
 * name.  Every function here expects the device's lock to be held, unless
 * it says otherwise.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "scull_compat.h"	/* first: it stops a build for too old a kernel */

#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmstat.h>
#include <linux/xarray.h>

#include "scullmem.h"

#define CREATE_TRACE_POINTS
#include "scull_trace.h"

/*
 * Return the slot of the quantum at @p (from scull_locate()), creating its
 * qset array if @create.
 */
void **scull_slot(struct scull_dev *dev, struct scull_cursor *c,
		  const struct scull_pos *p, bool create)
{
	unsigned long nr = p->nr;
	void **qset;

	if (c->qset && c->nr == nr)
		return &c->qset[p->slot];

	qset = xa_load(&dev->qsets, nr);
	if (!qset && create) {
		qset = kvcalloc(dev->qset, sizeof(*qset), SCULL_GFP);
		if (!qset) {
			dev->stats.qset_failures++;
			return NULL;
		}
		if (xa_insert(&dev->qsets, nr, qset, SCULL_GFP)) {
			dev->stats.index_failures++;
			kvfree(qset);
			return NULL;
		}
		dev->nr_qsets++;
	}
	c->nr = nr;
	c->qset = qset;
	return qset ? &qset[p->slot] : NULL;
}

/**
 * scull_find_quantum - find the first allocated quantum at or after an index
 * @dev:	the device; the caller holds its lock
 * @qidx:	in: the index to start at; out: the index of the quantum found
 * @qset:	out: the qset array that holds it
 *
 * Return: the quantum, or NULL when none is allocated at or after @qidx.
 */
void *scull_find_quantum(struct scull_dev *dev, unsigned long *qidx,
			 void ***qset)
{
	unsigned long first = *qidx / dev->qset, nr;
	unsigned int slot;
	void **arr;

	xa_for_each_start(&dev->qsets, nr, arr, first) {
		/* Start inside the qset of @qidx, at the start of any later one. */
		for (slot = nr == first ? *qidx % dev->qset : 0; slot < dev->qset; slot++) {
			if (arr[slot]) {
				*qidx = nr * dev->qset + slot;
				*qset = arr;
				return arr[slot];
			}
		}
	}
	return NULL;
}

/*
 * Count a quantum in (@sign 1) or out of (@sign -1) the zones of its pages
 * and the node of its first page, and among those on several nodes, for
 * /proc/scullmem's header: a walk of its pages now, as it comes and goes,
 * instead of a walk of every quantum under the lock at each read.
 */
static void scull_account_zones(struct scull_dev *dev, void *quantum, long sign)
{
	struct scull_layout l;
	unsigned int i;

	scull_quantum_layout(dev->be, quantum, dev->quantum, &l);
	for (i = 0; i < MAX_NR_ZONES; i++) {
		if (l.zones[i])
			dev->zone_quanta[i] += sign;
	}
	if (!l.virt)
		dev->nr_unmapped += sign;
	dev->node_quanta[l.nid] += sign;
	if (hweight_long(l.nodes) > 1)
		dev->nr_multinode += sign;
}

/*
 * Count what the allocator holds for a quantum in (@in) or out of the
 * device's sum: numbers only (struct scull_held), at every allocation
 * and free, under the lock.
 */
static void scull_account_held(struct scull_dev *dev, void *quantum, bool in)
{
	struct scull_held h;

	scull_held(dev, quantum, &h);
	if (in) {
		dev->held_bytes += h.bytes;
		dev->held_span += h.span;
	} else {
		dev->held_bytes -= h.bytes;
		dev->held_span -= h.span;
	}
}

void scull_free_quantum(struct scull_dev *dev, unsigned long qidx,
			void *quantum)
{
	trace_scull_quantum_free(dev->be->devname, qidx, quantum, dev->order);
	scull_account_zones(dev, quantum, -1);
	scull_account_held(dev, quantum, false);
	dev->be->free(dev->be_ctx, quantum, dev->quantum);
	dev->stats.frees++;
}

/* Forget the allocation statistics of every device. */
void scull_reset_stats(void)
{
	unsigned int i;

	for (i = 0; i < SCULL_NR_DEVS; i++) {
		struct scull_dev *dev = scull_dev_get(i);

		mutex_lock(&dev->lock);
		memset(&dev->stats, 0, sizeof(dev->stats));
		mutex_unlock(&dev->lock);
	}
}

#define SCULL_XA_LEVELS	DIV_ROUND_UP(BITS_PER_LONG, XA_CHUNK_SHIFT)

/**
 * scull_meta_bytes - memory spent on finding the data of a device
 * @dev:	the device; the caller holds its lock
 *
 * Return: the bytes of its qset arrays, as allocated, plus those of the
 * xarray nodes that index them.  The nodes are not visible, so they are
 * counted from the indexes in use: a tree over indexes up to max has one
 * level per XA_CHUNK_SHIFT bits of max, and at each level one node per
 * distinct index >> (XA_CHUNK_SHIFT * level).
 */
size_t scull_meta_bytes(struct scull_dev *dev)
{
	size_t sz = dev->qset * sizeof(void *), bytes = 0, nodes = 0;
	unsigned long distinct[SCULL_XA_LEVELS] = { };
	unsigned long prev[SCULL_XA_LEVELS] = { };
	unsigned long nr, max = 0;
	unsigned int l;
	void **qset;

	xa_for_each(&dev->qsets, nr, qset) {
		bytes += is_vmalloc_addr(qset) ? PAGE_ALIGN(sz) : scull_kmalloc_size_roundup(sz);
		for (l = 0; l < SCULL_XA_LEVELS; l++) {
			unsigned int shift = XA_CHUNK_SHIFT * (l + 1);
			/* A shift by the width of the type or more is undefined. */
			unsigned long id = shift < BITS_PER_LONG ? nr >> shift : 0;

			if (!distinct[l] || id != prev[l]) {
				distinct[l]++;
				prev[l] = id;
			}
		}
		max = nr;
	}
	for (l = 0; l < SCULL_XA_LEVELS && max; l++, max >>= XA_CHUNK_SHIFT)
		nodes += distinct[l];
	return bytes + nodes * sizeof(struct xa_node);
}

/* Free every quantum and qset array of @dev; the caller holds its lock. */
void scull_trim(struct scull_dev *dev)
{
	unsigned long nr;
	unsigned int slot;
	void **qset;

	xa_for_each(&dev->qsets, nr, qset) {
		for (slot = 0; slot < dev->qset; slot++) {
			if (qset[slot])
				scull_free_quantum(dev, nr * dev->qset + slot, qset[slot]);
		}
		kvfree(qset);
		cond_resched();
	}
	xa_destroy(&dev->qsets);
	dev->size = 0;
	dev->nr_quanta = 0;
	dev->nr_qsets = 0;
}

static void scull_account_alloc(struct scull_dev *dev, unsigned long qidx,
				void *quantum, u64 ns)
{
	struct scull_stats *st = &dev->stats;

	trace_scull_quantum_alloc(dev->be->devname, qidx, quantum, dev->order,
				  ns, quantum);
	if (!quantum) {
		st->failures++;
		return;
	}
	/* 0 ns is a sample too: the clock may not tick between two reads. */
	if (!st->allocs++ || ns < st->lat_min)
		st->lat_min = ns;
	st->lat_max = max(st->lat_max, ns);
	st->lat_sum += ns;
	st->lat_hist[min_t(unsigned int, ns ? ilog2(ns) : 0, SCULL_LAT_BUCKETS - 1)]++;
}

#define SCULL_RESERVE_SHIFT	5
#define SCULL_RESERVE_MIN	(SZ_16M / PAGE_SIZE)	/* unsigned long, as totalram_pages() */

/* The reserve to keep out of @total pages, and room for a quantum of @order. */
static unsigned long scull_reserve(unsigned long total, unsigned int order)
{
	return max(total >> SCULL_RESERVE_SHIFT, SCULL_RESERVE_MIN) + (1UL << order);
}

static bool scull_memory_low_global(unsigned int order)
{
	unsigned long want = scull_reserve(totalram_pages(), order);
	unsigned long cma = global_zone_page_state(NR_FREE_CMA_PAGES);
	unsigned long free = global_zone_page_state(NR_FREE_PAGES);

	if (free > cma && free - cma > 2 * want)
		return false;
	return si_mem_available() - (long)cma < (long)want;
}

/*
 * Quanta with a logical address come from the zones up to ZONE_NORMAL, the
 * lowmem that every kernel allocation of the machine needs.  On a 32-bit
 * kernel with high memory, MemAvailable counts the high memory too, and
 * those devices would drain lowmem while it still looked plentiful: the
 * next GFP_KERNEL allocation of any task would then wake the OOM killer
 * (i386 with 2 GiB: it killed every task and panicked).  So lowmem has a
 * reserve of its own, 1/32 of it and at least 16 MiB, on top of what each
 * lowmem zone keeps for itself: its high watermark (on i386 with 2 GiB,
 * ZONE_NORMAL's min watermark alone is 39 MiB, above a 1/32 reserve) and
 * what it holds back from allocations that could use ZONE_NORMAL.  Only
 * free pages count: reclaimable lowmem is little there (page cache and
 * user memory go to high memory first).  Without high memory, lowmem is
 * all of memory, which the global check looks after.
 */
static bool scull_lowmem_low(unsigned int order)
{
	unsigned long total = 0, usable = 0, free, kept;
	struct zone *zone;
	int nid, i;

	if (!totalhigh_pages())
		return false;
	for_each_online_node(nid) {
		for (i = 0; i <= ZONE_NORMAL; i++) {
			zone = &NODE_DATA(nid)->node_zones[i];
			if (!populated_zone(zone))
				continue;
			total += zone_managed_pages(zone);
			free = zone_page_state(zone, NR_FREE_PAGES);
			free -= min(free, zone_page_state(zone, NR_FREE_CMA_PAGES));
			kept = high_wmark_pages(zone) + zone->lowmem_reserve[ZONE_NORMAL];
			usable += free > kept ? free - kept : 0;
		}
	}
	return usable < scull_reserve(total, order);
}

/*
 * A vmalloc quantum takes a stretch of the vmalloc range, its pages and a
 * guard page.  On a 32-bit kernel the range is small (about 120 MiB on
 * i386), far smaller than memory: filled, it would leave no room for
 * module loading and every other vmalloc user of the machine.  So a
 * device's quanta take at most half of the range, which on a 64-bit kernel
 * (terabytes) never binds.  What its quanta take is the sum of their
 * measured spans (a huge area's rounding included, and nothing for
 * scullkv's kmalloc quanta); the next one is assumed to take its pages
 * and a guard page.
 */
static bool scull_vmalloc_low(struct scull_dev *dev)
{
	unsigned long range = (VMALLOC_END - VMALLOC_START) >> PAGE_SHIFT;
	unsigned long each = DIV_ROUND_UP(dev->quantum, PAGE_SIZE) + 1;
	u64 taken = dev->held_span >> PAGE_SHIFT;

	return taken + each > range / 2;
}

/*
 * Leave memory to everyone else.  __GFP_RETRY_MAYFAIL keeps the devices'
 * own allocations from calling in the OOM killer, but once they had taken
 * all memory down to the watermarks, the next page fault of any other task
 * would.  So no quantum is allocated while less than 1/32 of RAM, and at
 * least 16 MiB, would be left available.  Free pages are checked first:
 * reading them is cheap, and while there are plenty the estimate is not
 * needed.  (1/64 of RAM still let 6.1 OOM-kill dd in a 256 MiB guest.)
 * Where the backend's memory comes from has its own limit too (struct
 * scull_backend's @reserve): lowmem, the vmalloc range, or both for an
 * allocator that may take either (kvmalloc: kmalloc's lowmem, or
 * vmalloc's range when kmalloc fails or the quantum is too large for it).
 *
 * Free pages of a CMA area do not count: they serve only movable
 * allocations, neither the quanta nor most of what others allocate, yet
 * both counters include them.  Debian's arm64 kernels reserve 64 MiB of CMA
 * at boot; counted, they let the devices fill a 256 MiB guest until dd was
 * OOM-killed.
 */
static bool scull_memory_low(struct scull_dev *dev)
{
	if (scull_memory_low_global(dev->order))
		return true;
	switch (dev->be->reserve) {
	case SCULL_RESERVE_LOWMEM:
		return scull_lowmem_low(dev->order);
	case SCULL_RESERVE_VMALLOC:
		return scull_vmalloc_low(dev);
	case SCULL_RESERVE_LOWMEM_VMALLOC:
		return scull_lowmem_low(dev->order) || scull_vmalloc_low(dev);
	default:
		return false;
	}
}

/**
 * scull_zero - zero bytes [@from, @to) of a quantum
 * @dev:	its device
 * @quantum:	the quantum's handle
 * @from:	first byte to zero
 * @to:		one past the last
 *
 * Through the backend's mapping, a page at a time for quanta mapped that way.
 */
void scull_zero(struct scull_dev *dev, void *quantum, size_t from, size_t to)
{
	while (from < to) {
		size_t len;
		void *addr = scull_map(dev, quantum, from, &len);

		len = min(len, to - from);
		memset(addr, 0, len);
		scull_unmap(dev, quantum, addr);
		from += len;
	}
}

/**
 * scull_flush_written - the kernel wrote bytes [@from, @to) of a quantum
 * @dev:	its device
 * @quantum:	the quantum's handle
 * @from:	first byte written
 * @to:		one past the last
 *
 * A quantum's pages may be mapped to user space; on an architecture whose
 * data cache can hold two aliases of a page, or whose instruction cache
 * must be made to see new data (arm64's PG_dcache_clean), each page the
 * kernel wrote gets flush_dcache_page(), as brd does after its copies.
 * A vmalloc quantum was written through its vmalloc alias, which is
 * flushed as well.  On x86 both are no-ops.
 */
void scull_flush_written(struct scull_dev *dev, void *quantum, size_t from,
			 size_t to)
{
	void *virt;
	size_t off;

	/* Quanta that cannot be mapped (slab objects) need none of this. */
	if (from >= to || !scull_mappable(dev))
		return;
	virt = dev->be->vaddr(quantum);
	if (virt && is_vmalloc_addr(virt))
		flush_kernel_vmap_range(virt + from, to - from);
	for (off = from & PAGE_MASK; off < to; off += PAGE_SIZE)
		flush_dcache_page(scull_quantum_page(dev, quantum, off));
}

/*
 * Allocate quantum @qidx, zeroed but for [@off, @off + @len), which the
 * caller fills.  The time taken by the backend is accounted, read from
 * local_clock(): the clock of the scheduler and of tracing, a TSC read on
 * x86.  ktime_get_ns() reads the clocksource, which in a QEMU guest without
 * a stable TSC is the emulated HPET, at several microseconds a read.  A
 * task that moved to another CPU in between may see the clock go back:
 * that counts as 0.
 */
void *scull_new_quantum(struct scull_dev *dev, unsigned long qidx,
			size_t off, size_t len)
{
	size_t quantum = scull_quantum_size(dev);
	int node = READ_ONCE(dev->node);
	u64 start = local_clock(), end;
	void *fresh = NULL;

	/* A node chosen while online may have gone since (memory hot-remove). */
	if (node != NUMA_NO_NODE && !node_online(node))
		node = NUMA_NO_NODE;
	if (!scull_memory_low(dev))
		fresh = (dev->huge ? dev->be->alloc_huge : dev->be->alloc)
			(dev->be_ctx, dev->quantum, dev->gfp_mask, node);
	end = local_clock();
	scull_account_alloc(dev, qidx, fresh, end > start ? end - start : 0);
	if (fresh) {
		scull_account_zones(dev, fresh, 1);
		scull_account_held(dev, fresh, true);
		scull_zero(dev, fresh, 0, off);
		scull_zero(dev, fresh, off + len, quantum);
	}
	return fresh;
}

/*
 * Make a quantum, zeroed and filled, visible.  With release: a reader
 * holds only the outer lock and may look at the slot while a fault fills
 * the hole (scull_read_shared()).
 */
void scull_publish(struct scull_dev *dev, void **slot, void *quantum)
{
	/* Pairs with the smp_load_acquire() of scull_read_shared(). */
	smp_store_release(slot, quantum);
	dev->nr_quanta++;
}

/*
 * Wait for the faults that found a page of @dev and are putting it in a
 * page table: each holds the page locked until it is there (VM_FAULT_LOCKED,
 * scull_vm_fault()).  The caller holds both locks, so no new fault finds
 * one, and has zapped the page tables; it zaps them again after.
 */
void scull_wait_faults(struct scull_dev *dev)
{
	size_t quantum = scull_quantum_size(dev), off;
	unsigned long nr;
	unsigned int slot;
	void **qset;

	if (!scull_mappable(dev))
		return;		/* never mapped */
	xa_for_each(&dev->qsets, nr, qset) {
		for (slot = 0; slot < dev->qset; slot++) {
			if (!qset[slot])
				continue;
			for (off = 0; off < quantum; off += PAGE_SIZE) {
				struct page *page = scull_quantum_page(dev, qset[slot], off);

				lock_page(page);
				unlock_page(page);
			}
		}
		cond_resched();
	}
}

/*
 * The first quantum index at or after @qidx that holds no quantum: past
 * as many quanta as the device holds, so with a break now and then.
 */
unsigned long scull_find_hole(struct scull_dev *dev, unsigned long qidx)
{
	for (;; qidx++) {
		void **qset = xa_load(&dev->qsets, qidx / dev->qset);

		if (!qset || !qset[qidx % dev->qset])
			return qidx;
		cond_resched();
	}
}

/**
 * scull_store_init - make an empty store of quanta of @quantum bytes
 * @dev:	the device, its backend and qset set, not yet visible
 * @quantum:	bytes of its quanta, valid for the backend
 *
 * The per-node counts of its quanta are allocated here, one for each
 * possible node id.
 *
 * Return: 0, -ENOMEM, or the error of the backend's setup.
 */
int scull_store_init(struct scull_dev *dev, size_t quantum)
{
	void *ctx = NULL;

	dev->node_quanta = kcalloc(nr_node_ids, sizeof(*dev->node_quanta),
				   GFP_KERNEL);
	if (!dev->node_quanta)
		return -ENOMEM;
	if (dev->be->setup) {
		ctx = dev->be->setup(quantum);
		if (IS_ERR(ctx))
			goto out_free_counts;
	}
	dev->be_ctx = ctx;
	dev->quantum = quantum;
	dev->order = get_order(quantum);
	return 0;

out_free_counts:
	kfree(dev->node_quanta);
	dev->node_quanta = NULL;
	return PTR_ERR(ctx);
}

/* Free every quantum, then what the backend set up for them. */
void scull_store_exit(struct scull_dev *dev)
{
	scull_trim(dev);
	if (dev->be->teardown)
		dev->be->teardown(dev->be_ctx);
	dev->be_ctx = NULL;
	kfree(dev->node_quanta);
	dev->node_quanta = NULL;
}

/**
 * scull_store_set_quantum - give an empty device quanta of another size
 * @dev:	the device; the caller holds both its locks, and it holds no data
 * @quantum:	the new size in bytes, valid for the backend
 *
 * The backend's state for the new size is made before the old one goes,
 * so that on failure the device is left as it was.
 *
 * Return: 0, or the error of the backend's setup.
 */
int scull_store_set_quantum(struct scull_dev *dev, size_t quantum)
{
	void *old = dev->be_ctx, *ctx = NULL;

	scull_trim(dev);	/* empty qset arrays sized for the old geometry */
	if (quantum == dev->quantum)
		return 0;
	if (dev->be->setup) {
		ctx = dev->be->setup(quantum);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}
	dev->be_ctx = ctx;
	/* Read without the lock by llseek: see scull_llseek(). */
	WRITE_ONCE(dev->quantum, quantum);
	dev->order = get_order(quantum);
	if (dev->be->teardown)
		dev->be->teardown(old);
	return 0;
}
