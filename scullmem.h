/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's internal header: what the files of scull.ko share.  User
 * space includes scull_ioctl.h instead, which this file includes.
 *
 * A device stores its data in quanta of @quantum bytes (PAGE_SIZE << order
 * by default, any size from 1 byte to its allocator's limit).  Quanta
 * are grouped in qsets of @qset pointers, as in LDD3's scull; the qsets
 * are indexed by number in an xarray, so the quantum at any offset is found
 * without walking a list.
 *
 * The files and what each exports are listed at the end, one block each.
 */
#ifndef _SCULLMEM_H
#define _SCULLMEM_H

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/string.h>
#include <linux/overflow.h>
#include <linux/xarray.h>

#include "scull_ioctl.h"

struct attribute_group;
struct file;
struct seq_file;

#define SCULL_NR_DEVS	7
#define SCULL_QSET_MAX	65536U

/*
 * A quantum stays below 2^32 bytes: its size is a u32 divisor for
 * div_u64_rem(), and size_t arithmetic on it works on 32-bit kernels.
 */
#define SCULL_QUANTUM_MAX	((u64)U32_MAX)

/*
 * Device data is charged to the writer's memory cgroup, as tmpfs data is,
 * and its allocation may fail but never calls in the OOM killer.  This is
 * the default choice of flags for quanta (scull_gfp_mask() makes the
 * others) and the flags of the core's own qset arrays and index.
 */
#define SCULL_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/* Where a backend's quanta take memory from (struct scull_backend). */
enum scull_reserve {
	SCULL_RESERVE_ANY,	/* pages of any zone, high memory included */
	SCULL_RESERVE_LOWMEM,	/* pages with a logical address: lowmem only */
	SCULL_RESERVE_VMALLOC,	/* any pages, and a stretch of the vmalloc range */
	SCULL_RESERVE_LOWMEM_VMALLOC,	/* either: lowmem or the vmalloc range */
};

/**
 * struct scull_held - what an allocator set aside for one quantum
 * @bytes:	the bytes it holds for the quantum, which nothing else can use
 *		while the quantum lives: the slab object's slot, the pages
 * @span:	for a vmalloc quantum, the stretch of the vmalloc range it
 *		takes, its guard page included; 0 for the others
 *
 * Numbers only: the store adds them up under the device's lock at every
 * allocation and free.  Where a quantum came from (the kmalloc cache,
 * kvmalloc's choice) is told only when /proc/scullmem prints it
 * (struct scull_backend's @show_held).
 */
struct scull_held {
	size_t bytes;
	size_t span;
};

/**
 * struct scull_backend - one memory allocator behind a device
 * @devname:	name of the device node that uses this allocator
 * @name:	name of the allocator, as shown in /proc/scullmem
 * @max_order:	the allocator's limit: quanta of up to PAGE_SIZE << @max_order
 *		bytes (and below SCULL_QUANTUM_MAX)
 * @mmap_min_order: smallest order (get_order() of the quantum size) whose
 *		quanta may be mapped to user space, when the size is a whole
 *		number of pages (slab memory may not be; above @max_order:
 *		none may).  Reads copy the quanta of these orders a page at a
 *		time with copy_page_to_iter(), and the others with
 *		copy_to_iter()
 * @nommap:	when none may, why: the end of the dmesg line of a refused
 *		mmap, after "mmap: <name> quanta "
 * @reserve:	where the memory of its quanta comes from, which
 *		scull_memory_low() checks before each allocation
 * @kmap:	a quantum may have no permanent kernel address (@vaddr NULL:
 *		high memory), its bytes mapped a page at a time for each
 *		access; /proc/scullmem counts those quanta in the header
 * @zone_rules: for each SCULL_GFP_ZONE_*, why the allocator refuses it,
 *		or NULL if it takes it
 * @act_rules:	the same for each SCULL_GFP_ACT_*
 * @setup:	optional: make the state that quanta of @size bytes need (a
 *		kmem_cache of quantum-sized objects): at load, and when
 *		SET_QUANTUM or SET_ORDER changes the quantum of an empty
 *		device.  Returns the context passed to @alloc, @free and
 *		@teardown, or an ERR_PTR
 * @teardown:	optional: undo @setup, once every quantum of it is freed
 * @alloc:	allocate one quantum of exactly @size bytes, not zeroed,
 *		preferably on NUMA node @node (NUMA_NO_NODE: wherever the
 *		allocator itself would choose), through the allocator's
 *		node-aware form.  It may still fall back to another node.
 *		Returns its handle, which only the backend understands, or
 *		NULL
 * @nohuge:	why the allocator cannot map quanta with huge page-table
 *		entries on request (the device's huge=1), or NULL if
 *		@alloc_huge can
 * @alloc_huge:	optional: @alloc, the mapping made of huge entries where
 *		the kernel can (a device with huge=1 uses it)
 * @free:	free a quantum returned by @alloc
 * @page:	the page that holds byte @offset of a quantum
 * @map:	a kernel address of byte @offset of a quantum, and in *@len
 *		how many bytes from there are mapped contiguously: to the end
 *		of the quantum, or of the page for one mapped a page at a
 *		time.  The mapping lasts until @unmap
 * @unmap:	optional: end a mapping made by @map, given its address
 * @vaddr:	the quantum's permanent kernel address, or NULL if it has none
 * @held:	fill *@h, zeroed by the caller, with what the allocator set
 *		aside for a quantum of @size bytes (/proc/scullmem's holds)
 * @show_held:	optional: print, after a quantum line's holds, where the
 *		quantum came from (" from kmalloc-cg-8k", " via vmalloc"),
 *		given the flags it was allocated with
 * @cache:	optional: the name of the kmem_cache whose objects the quanta
 *		are, for /proc/scullmem
 * @show:	optional: print more lines of the device's header in
 *		/proc/scullmem (two spaces first, one newline last)
 * @last_map:	optional: the address @map returned last, a hint read
 *		without a lock (NULL: none yet), for /proc/scullmem: where
 *		kmap_local_page() mapped a page
 *
 * The core reaches quantum bytes only through @map and @page: it never
 * dereferences a handle, and never learns which allocator is behind it.
 */
struct scull_backend {
	const char *devname;
	const char *name;
	unsigned int max_order;
	unsigned int mmap_min_order;
	const char *nommap;
	enum scull_reserve reserve;
	bool kmap;
	const char *zone_rules[SCULL_GFP_NR_ZONES];
	const char *act_rules[SCULL_GFP_NR_ACTS];
	void *(*setup)(size_t size);
	void (*teardown)(void *ctx);
	void *(*alloc)(void *ctx, size_t size, gfp_t gfp, int node);
	const char *nohuge;
	void *(*alloc_huge)(void *ctx, size_t size, gfp_t gfp, int node);
	void (*free)(void *ctx, void *quantum, size_t size);
	struct page *(*page)(void *quantum, size_t offset);
	void *(*map)(void *quantum, size_t offset, size_t size, size_t *len);
	void (*unmap)(void *quantum, void *addr);
	void *(*vaddr)(void *quantum);
	void (*held)(void *ctx, void *quantum, size_t size, struct scull_held *h);
	void (*show_held)(void *ctx, void *quantum, size_t size, gfp_t gfp,
			  struct seq_file *m);
	const char *(*cache)(void *ctx);
	void (*show)(void *ctx, struct seq_file *m);
	void *(*last_map)(void);
};

extern const struct scull_backend *const scull_backends[];	/* SCULL_NR_DEVS */

#define SCULL_LAT_BUCKETS	32

/**
 * struct scull_stats - what a device's allocator has done since load or reset
 * @allocs:	quanta allocated
 * @frees:	quanta freed
 * @failures:	quantum allocations that failed
 * @qset_failures: qset array allocations that failed
 * @index_failures: xarray insertions that failed for want of memory
 * @lat_min:	shortest allocation, in ns
 * @lat_max:	longest allocation, in ns
 * @lat_sum:	sum of the allocation times, for the mean, in ns
 * @lat_hist:	allocation times: bucket i counts [2^i, 2^(i+1)) ns
 */
struct scull_stats {
	unsigned long allocs;
	unsigned long frees;
	unsigned long failures;
	unsigned long qset_failures;
	unsigned long index_failures;
	u64 lat_min;
	u64 lat_max;
	u64 lat_sum;
	unsigned long lat_hist[SCULL_LAT_BUCKETS];
};

/**
 * struct scull_dev - one scull device
 * @rwsem:	the outer lock, as i_rwsem is a file's: held for writing for
 *		a whole write(), a truncation and a change of geometry or
 *		flags, and for reading by read(), so that readers run side by
 *		side.  The fault handler never takes it
 * @lock:	the inner lock, as invalidate_lock is a file's: serialises
 *		changes to the fields below and to the index (a fault that
 *		allocates takes only it).  A write drops only this one to fault
 *		its buffer in.  A field that only a holder of both changes
 *		(@quantum, @order, @qset, @size, @gfp) may be read under either
 * @inode:	an inode of the device's own, whose address_space every open
 *		file of the device uses: through it a truncation finds and
 *		zaps the user mappings
 * @be:		allocator that provides the quanta
 * @be_ctx:	its state for the device's geometry (from @be->setup), or NULL
 * @qsets:	qset number -> array of @qset quantum handles
 * @quantum:	bytes of a quantum: what the backend's alloc is asked for
 * @order:	get_order(@quantum): the page order a page allocator rounds
 *		the quantum up to
 * @qset:	quanta per qset
 * @size:	amount of data stored: one past the highest byte written
 * @nr_quanta:	quanta allocated
 * @nr_qsets:	qset arrays allocated
 * @stats:	allocation statistics
 * @gfp:	the flags chosen for quanta
 * @gfp_mask:	what they make: the gfp_t passed to the backend's alloc
 * @node:	the NUMA node new quanta are asked of, or NUMA_NO_NODE (the
 *		allocator's own choice): changed at any time, under @lock
 *		with WRITE_ONCE(), read with READ_ONCE()
 * @huge:	quanta come from the backend's alloc_huge, not its alloc
 * @zone_quanta: quanta allocated with a page in each zone, by zone index
 *		(kept as quanta come and go, for /proc/scullmem)
 * @node_quanta: quanta allocated, by the node of their first page
 *		(nr_node_ids counts, kept the same way)
 * @nr_multinode: quanta allocated whose pages lie on more than one node
 * @nr_unmapped: quanta allocated with no permanent kernel address
 * @held_bytes:	what the allocator holds for the quanta allocated, the sum
 *		of their struct scull_held's @bytes (kept as they come and go)
 * @held_span:	the stretch of the vmalloc range they take, the sum of
 *		their @span (kept the same way)
 * @nr_maps:	user mappings of the device: while there are none, no page of
 *		it can be mapped or on its way to a page table
 * @device:	the device in the driver model
 */
struct scull_dev {
	struct rw_semaphore rwsem;	/* outer: writes, truncation, geometry */
	struct mutex lock;		/* inner: the index and the fields */
	struct inode *inode;
	const struct scull_backend *be;
	void *be_ctx;
	struct xarray qsets;
	size_t quantum;
	unsigned int order;
	unsigned int qset;
	loff_t size;
	unsigned long nr_quanta;
	unsigned long nr_qsets;
	struct scull_stats stats;
	struct scull_gfp gfp;
	gfp_t gfp_mask;
	int node;
	bool huge;
	unsigned long zone_quanta[MAX_NR_ZONES];
	unsigned long *node_quanta;
	unsigned long nr_multinode;
	unsigned long nr_unmapped;
	u64 held_bytes;
	u64 held_span;
	atomic_t nr_maps;
	struct device *device;
};

/* How a quantum's kernel mapping is known (struct scull_map). */
enum scull_map_state {
	SCULL_MAP_SIZES,	/* entry sizes known: the runs */
	SCULL_MAP_NONE,		/* no permanent mapping: high memory */
	SCULL_MAP_UNKNOWN,	/* a module cannot read the page tables here */
};

#define SCULL_MAP_NR_SIZES	3	/* PAGE_SIZE, PMD_SIZE, PUD_SIZE */
#define SCULL_MAP_RUNS		4

/**
 * struct scull_map - the kernel page-table entries that map a quantum
 * @state:	whether the sizes are known
 * @nr_runs:	runs kept in @runs: entries of one size in a row
 * @more:	there were more runs than @runs keeps
 * @entries:	distinct entries that map the quantum, all runs counted
 * @runs:	each run: the index of its entry size in scull_map_sizes[]
 *		and the number of entries in it
 */
struct scull_map {
	enum scull_map_state state;
	unsigned int nr_runs;
	bool more;
	unsigned int entries;
	struct {
		unsigned int size;
		unsigned int count;
	} runs[SCULL_MAP_RUNS];
};

/* What the first page of a quantum is, as the page allocator sees it. */
enum scull_page_kind {
	SCULL_KIND_PAGE,	/* a page of its own (order 0, not compound) */
	SCULL_KIND_COMPOUND,	/* part of a compound page */
	SCULL_KIND_SLAB,	/* part of a slab */
};

/**
 * struct scull_layout - where a quantum lies in physical memory
 * @virt:	its permanent kernel address (the backend's vaddr), or NULL
 * @offset:	where it starts in its first page: 0 but for a slab object
 *		that is not page-aligned (slub_debug's red zone before it)
 * @pfn:	page frame number of its first page
 * @pages:	number of pages its bytes touch: the quantum size in pages,
 *		rounded up, one more when @offset pushes its end into the next
 * @runs:	number of physically contiguous runs of pages (1: contiguous)
 * @vmalloc:	@virt lies in the vmalloc area, not the linear map (with no
 *		@virt, neither: the quantum is in high memory)
 * @zones:	the zones that hold its pages, by zone index (NULL: none)
 * @nodes:	bit n: a page is on NUMA node n (higher nodes count as the
 *		last bit)
 * @nid:	the NUMA node of its first page
 * @kind:	what its first page is
 * @order:	for SCULL_KIND_COMPOUND, the order of that compound page
 * @map:	how the kernel's page tables map it: filled only by
 *		scull_quantum_map(), which looks them up
 */
struct scull_layout {
	void *virt;
	size_t offset;
	unsigned long pfn;
	unsigned int pages;
	unsigned int runs;
	bool vmalloc;
	struct zone *zones[MAX_NR_ZONES];
	unsigned long nodes;
	int nid;
	enum scull_page_kind kind;
	unsigned int order;
	struct scull_map map;
};

/**
 * struct scull_map_count - the page-table entries that map a device's data
 * @unknown:	the entries of a quantum could not be told
 * @entries:	distinct entries, by size index (scull_map_sizes[])
 * @seen:	huge entries of the linear map already counted, by their
 *		PMD-sized slot from PAGE_OFFSET (NULL: none could be kept)
 * @nbits:	bits in @seen
 * @prev:	the last entry counted, which the next page may share
 * @prev_size:	its size, 0 for none
 * @shared:	the pages of the direct map that quanta fill in part (slab
 *		objects off a page boundary), each counted once
 * @first_part:	the page the quantum being counted starts in, when it
 *		fills it in part; ULONG_MAX otherwise
 * @last_part:	the same for the page it ends in
 */
struct scull_map_count {
	bool unknown;
	unsigned long entries[SCULL_MAP_NR_SIZES];
	unsigned long *seen;
	unsigned long nbits;
	unsigned long prev;
	unsigned long prev_size;
	struct xarray shared;
	unsigned long first_part;
	unsigned long last_part;
};

/*
 * Geometry arithmetic, kept pure so that tests/kunit can check it.
 */

/**
 * struct scull_pos - where a byte of a device lies
 * @qidx:	index of its quantum: offset / quantum size
 * @nr:		number of the qset that holds the quantum
 * @slot:	slot of the quantum in that qset
 * @off:	offset of the byte in the quantum
 */
struct scull_pos {
	unsigned long qidx;
	unsigned long nr;
	unsigned int slot;
	size_t off;
};

/*
 * Positions are divided by the quantum with div_u64_rem(): a quantum need
 * not be a power of two, and a 32-bit kernel has no 64-bit division but
 * through it.
 */
static inline void scull_locate(loff_t pos, size_t quantum, unsigned int qset,
				struct scull_pos *p)
{
	u32 off;

	p->qidx = div_u64_rem(pos, quantum, &off);
	p->nr = p->qidx / qset;
	p->slot = p->qidx % qset;
	p->off = off;
}

/*
 * Quantum indexes stay below 2^SCULL_QIDX_BITS, so that /proc/scullmem's
 * positions hold one with the device's number above it (scull_proc.c).
 */
#define SCULL_QIDX_BITS	58

/*
 * The first byte past what a device addresses: whole quanta below 2^63
 * bytes, whose index and the index after it fit in an unsigned long
 * (struct scull_pos; /proc/scullmem moves to index + 1, and ULONG_MAX
 * stands for no quantum there), and in SCULL_QIDX_BITS.  On a 32-bit
 * kernel that is 2^32 - 1 quanta: 2^44 - 4 KiB bytes at 4 KiB, 2^32 - 1
 * bytes with a quantum of one byte.  On a 64-bit one, quanta below 32
 * bytes reach 2^58 quanta first.
 */
static inline loff_t scull_limit_of(size_t quantum)
{
	u32 rem;

	if (BITS_PER_LONG < 64 && quantum <= S32_MAX)
		return (loff_t)quantum * ULONG_MAX;
	if (quantum < (1ULL << (63 - SCULL_QIDX_BITS)))
		return (loff_t)quantum << SCULL_QIDX_BITS;
	div_u64_rem(LLONG_MAX, quantum, &rem);
	return LLONG_MAX - rem;
}

/* Does a write of @count bytes at @pos end at or before @limit? */
static inline bool scull_write_fits(loff_t pos, size_t count, loff_t limit)
{
	return pos >= 0 && pos < limit && count <= (u64)(limit - pos);
}

/* @base + @off as a position below @limit, or -EINVAL. */
static inline loff_t scull_seek_pos(loff_t base, loff_t off, loff_t limit)
{
	loff_t pos;

	if (check_add_overflow(base, off, &pos) || pos < 0 || pos > limit)
		return -EINVAL;
	return pos;
}

static inline bool scull_qset_valid(unsigned int qset)
{
	return qset >= 1 && qset <= SCULL_QSET_MAX;
}

/*
 * The largest quantum an allocator that serves orders 0..@max_order can
 * give: PAGE_SIZE << @max_order bytes, below SCULL_QUANTUM_MAX.
 */
static inline u64 scull_quantum_max(unsigned int max_order)
{
	if (max_order >= 32 - PAGE_SHIFT)
		return SCULL_QUANTUM_MAX;
	return min_t(u64, (u64)PAGE_SIZE << max_order, SCULL_QUANTUM_MAX);
}

/* May an allocator that serves orders 0..@max_order give quanta of @size bytes? */
static inline bool scull_quantum_valid(u64 size, unsigned int max_order)
{
	return size >= 1 && size <= scull_quantum_max(max_order);
}

/*
 * May it give quanta of @order, PAGE_SIZE << @order bytes?  The order is
 * checked first, so that the shift cannot overflow.
 */
static inline bool scull_order_valid(unsigned int order, unsigned int max_order)
{
	return order <= max_order && order < 32 - PAGE_SHIFT &&
	       scull_quantum_valid((u64)PAGE_SIZE << order, max_order);
}

static inline bool scull_geometry_valid(size_t quantum, unsigned int qset,
					unsigned int max_order)
{
	return scull_quantum_valid(quantum, max_order) && scull_qset_valid(qset);
}

static inline size_t scull_quantum_size_of(unsigned int order)
{
	return PAGE_SIZE << order;
}

static inline size_t scull_quantum_size(const struct scull_dev *dev)
{
	return dev->quantum;
}

static inline loff_t scull_limit(const struct scull_dev *dev)
{
	return scull_limit_of(dev->quantum);
}

/*
 * May the device's quanta be mapped to user space?  Only whole pages can
 * be, of an allocator whose memory may be (@mmap_min_order).
 */
static inline bool scull_mappable(const struct scull_dev *dev)
{
	return offset_in_page(dev->quantum) == 0 &&
	       dev->order >= dev->be->mmap_min_order;
}

/* Report bad input from user space once in dmesg, without letting it flood. */
#define scull_user_err(dev, fmt, ...) \
	dev_info_ratelimited((dev)->device, fmt, ##__VA_ARGS__)

/* scull_module.c: the devices, init and exit */
struct scull_dev *scull_dev_get(unsigned int minor);

/* scullmem.c: the char device */
extern const struct file_operations scull_fops;
void scull_max_size_default(void);
int scull_truncate(struct scull_dev *dev);	/* takes both locks */
int scull_lock_all(struct scull_dev *dev);
void scull_unlock_all(struct scull_dev *dev);

/* scull_mmap.c */
int scull_mmap(struct file *filp, struct vm_area_struct *vma);

/* scull_ctl.c */
long scull_ioctl(struct file *filp, unsigned int cmd, unsigned long arg);
extern const struct attribute_group *scull_groups[];

/* scull_store.c: the caller holds the device's lock, unless said otherwise. */
/*
 * The qset array last looked up by a read or write loop: consecutive quanta
 * share it, so the index is searched once per qset, not once per quantum.
 * Valid only while the device lock is held without a break.
 */
struct scull_cursor {
	unsigned long nr;	/* qset number of @qset */
	void **qset;		/* NULL: nothing cached */
};

#define SCULL_CURSOR_INIT	((struct scull_cursor){ .qset = NULL })

void **scull_slot(struct scull_dev *dev, struct scull_cursor *c,
		  const struct scull_pos *p, bool create);
void *scull_find_quantum(struct scull_dev *dev, unsigned long *qidx,
			 void ***qset);
unsigned long scull_find_hole(struct scull_dev *dev, unsigned long qidx);
void *scull_new_quantum(struct scull_dev *dev, unsigned long qidx,
			size_t off, size_t len);
void scull_publish(struct scull_dev *dev, void **slot, void *quantum);
void scull_wait_faults(struct scull_dev *dev);
void scull_free_quantum(struct scull_dev *dev, unsigned long qidx,
			void *quantum);
void scull_trim(struct scull_dev *dev);
size_t scull_meta_bytes(struct scull_dev *dev);
void scull_reset_stats(void);	/* takes each device's lock */
int scull_store_init(struct scull_dev *dev, size_t quantum);
void scull_store_exit(struct scull_dev *dev);
int scull_store_set_quantum(struct scull_dev *dev, size_t quantum);
void scull_zero(struct scull_dev *dev, void *quantum, size_t from, size_t to);
void scull_flush_written(struct scull_dev *dev, void *quantum, size_t from,
			 size_t to);

/* Bytes of a quantum, mapped through its backend: see struct scull_backend. */
static inline void *scull_map(struct scull_dev *dev, void *quantum, size_t off,
			      size_t *len)
{
	return dev->be->map(quantum, off, dev->quantum, len);
}

static inline void scull_unmap(struct scull_dev *dev, void *quantum, void *addr)
{
	if (dev->be->unmap)
		dev->be->unmap(quantum, addr);
}

static inline struct page *scull_quantum_page(struct scull_dev *dev,
					      void *quantum, size_t off)
{
	return dev->be->page(quantum, off);
}

static inline void scull_held(struct scull_dev *dev, void *quantum,
			      struct scull_held *h)
{
	*h = (struct scull_held){ };
	dev->be->held(dev->be_ctx, quantum, dev->quantum, h);
}

/* scull_alloc.c */
extern const char *const scull_gfp_zone_names[SCULL_GFP_NR_ZONES];
extern const char *const scull_gfp_act_names[SCULL_GFP_NR_ACTS];
gfp_t scull_gfp_mask(const struct scull_gfp *g);
const char *scull_gfp_refusal(const struct scull_backend *be,
			      const struct scull_gfp *g);

/* scull_layout.c */
void scull_quantum_layout(const struct scull_backend *be, void *quantum,
			  size_t size, struct scull_layout *layout);
struct page *scull_layout_page(const struct scull_backend *be, void *quantum,
			       const struct scull_layout *layout, unsigned int i);
void scull_page_span(const struct scull_backend *be, void *quantum,
		     size_t size, unsigned long *lo, unsigned long *hi);
extern const unsigned long scull_map_sizes[SCULL_MAP_NR_SIZES];
void scull_quantum_map(struct scull_layout *layout, size_t size);
int scull_map_count_start(struct scull_map_count *c);
void scull_map_count_quantum(struct scull_map_count *c,
			     const struct scull_backend *be, void *quantum,
			     size_t size);
unsigned long scull_map_count_total(const struct scull_map_count *c);
void scull_map_count_end(struct scull_map_count *c);

/*
 * Kernel virtual addresses are printed as wide as a pointer: 16 digits on
 * 64-bit kernels, 8 on 32-bit ones (as /proc/vmallocinfo prints them).
 */
#define SCULL_VIRT_WIDTH	((int)(2 * sizeof(void *)))

/* scull_banner.c */
void scull_show_machine(struct seq_file *m, bool privileged);

/* scull_proc.c */
int scull_proc_init(void);
void scull_proc_exit(void);

#endif /* _SCULLMEM_H */
