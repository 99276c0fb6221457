// SPDX-License-Identifier: GPL-2.0
/*
 * The allocators behind the scull devices, one ops table each.
 *
 * Each backend hands out quanta of exactly the device's quantum size, from
 * 1 byte to its allocator's limit (PAGE_SIZE << order by default), as handles
 * that only it understands, and maps their bytes for the core on demand
 * (struct scull_backend).  None of them zeroes: the quantum store zeroes
 * whatever part of a new quantum a write does not fill, so a full-quantum
 * write touches memory only once.  This is the one file that names the
 * kernel's allocators; it calls nothing else of the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "scull_compat.h"	/* first: it stops a build for too old a kernel */

#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/gcd.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "scullmem.h"

/*
 * What each allocator refuses, and why: the text goes to dmesg after
 * "scullX: gfp=ZONE,ACTION refused: ".
 */
#define SCULL_RULE_MOVABLE \
	"quanta are never migrated, and pages given __GFP_MOVABLE must be, or they defeat compaction and memory hot-remove"
#define SCULL_RULE_HIGHMEM(fn) fn " " SCULL_RULE_LOGICAL
#define SCULL_RULE_LOGICAL \
	"returns a logical address, which high memory does not have; only alloc_pages can return it"
#define SCULL_RULE_VMALLOC_SLEEPS \
	"vmalloc sleeps to map its pages and allocate page tables: it takes only kernel, noio and nofs"
/* vmalloc's actions, for scullv and for scullkv, which may take vmalloc. */
#define SCULL_VMALLOC_ACT_RULES { \
	[SCULL_GFP_ACT_ATOMIC] = SCULL_RULE_VMALLOC_SLEEPS, \
	[SCULL_GFP_ACT_NOWAIT] = SCULL_RULE_VMALLOC_SLEEPS, \
	[SCULL_GFP_ACT_NOIO] = SCULL_VMALLOC_SCOPED_RULE, \
	[SCULL_GFP_ACT_NOFS] = SCULL_VMALLOC_SCOPED_RULE, \
}

#define SCULL_RULE_KMALLOC_DMA32 \
	"kmalloc has no DMA32 caches: slab allocations may not ask for __GFP_DMA32 (dma takes the dma-kmalloc caches)"
#define SCULL_RULE_CACHE_DMA \
	"a kmem_cache serves __GFP_DMA only if it was created with SLAB_CACHE_DMA, and scullc's is not: its slabs may be in any zone"
#define SCULL_RULE_NOHUGE_LINEAR \
	"its quanta lie in the direct map, whose entries the kernel chose at boot (2M or 1G where it could): only vmalloc can be asked for huge ones"
#define SCULL_RULE_NOHUGE_HIGHPAGES \
	"alloc_pages maps nothing: a page is mapped for each access, in the direct map or, in high memory, a page at a time; only vmalloc can be asked for huge entries"
#define SCULL_RULE_CACHE_DMA32 \
	"slab allocations may not ask for __GFP_DMA32: a kmem_cache has no DMA32 variant"

/*
 * Quanta that are one stretch of kernel virtual memory (the linear map's or
 * vmalloc's): the handle is the address, mapped for good.
 */
static void *scull_addr_map(void *quantum, size_t offset, size_t size,
			    size_t *len)
{
	*len = size - offset;
	return quantum + offset;
}

static void *scull_addr_vaddr(void *quantum)
{
	return quantum;
}

/* The page of a byte of a quantum in the linear map. */
static struct page *scull_linear_page(void *quantum, size_t offset)
{
	return virt_to_page(quantum + offset);
}

/*
 * What each allocator holds for a quantum of @size bytes (struct
 * scull_held).  The buddy allocator's blocks are powers of two pages.
 */
static void scull_held_block(void *ctx, void *quantum, size_t size,
			     struct scull_held *h)
{
	h->bytes = PAGE_SIZE << get_order(size);
}

/*
 * vmalloc's pages, and its stretch of the vmalloc range: the pages and a
 * guard page after them (VM_NO_GUARD is for the kernel's own early areas
 * only).  Measured, not worked out from the size: an area that may be
 * mapped with huge entries (scullv's huge=1; kvmalloc's fallback, which
 * passes VM_ALLOW_HUGE_VMAP since v5.18) is rounded up by
 * __vmalloc_node_range() to a multiple of the entry size (PMD_SIZE, or on
 * arm64 a run of contiguous PTEs) and populated whole, so a quantum of
 * 3 MiB holds 4 MiB.  The area's size is private (find_vm_area() is not
 * exported), so the pages mapped past the quantum's last are looked up
 * one by one, with vmalloc_to_page(), up to the guard page, which is
 * never mapped: one lookup for an area of small pages, and no more than a
 * PMD's worth for a huge one, whose rounding stops there.  Kernels that
 * cannot round an area up (SCULL_VMALLOC_ROUNDS_UP) are not asked.
 */
static size_t scull_vmalloc_mapped(const void *addr, size_t size)
{
	size_t end = PAGE_ALIGN(size), most = ALIGN(end, PMD_SIZE);

	if (!SCULL_VMALLOC_ROUNDS_UP)
		return end;
	while (end < most && vmalloc_to_page(addr + end))
		end += PAGE_SIZE;
	return end;
}

static void scull_held_vmalloc(struct scull_held *h, const void *addr,
			       size_t size)
{
	h->bytes = scull_vmalloc_mapped(addr, size);
	h->span = h->bytes + PAGE_SIZE;
}

/*
 * " from CACHE": the kmalloc cache that served a quantum of @size bytes
 * allocated with @gfp, named as the kernel names it (its kind from the
 * flags, scull_kmalloc_prefix(), then its size class), or
 * "page-allocator" above KMALLOC_MAX_CACHE_SIZE.  Printed only when
 * /proc/scullmem shows it.
 */
static void scull_show_kmalloc_from(struct seq_file *m, size_t size, gfp_t gfp)
{
	size_t class = scull_kmalloc_size_roundup(size);
	const char *kind = scull_kmalloc_prefix(gfp);

	if (size > KMALLOC_MAX_CACHE_SIZE)
		seq_puts(m, " from page-allocator");
	else if (class >= SZ_1M && !(class % SZ_1M))
		seq_printf(m, " from %s%zuM", kind, class / SZ_1M);
	else if (class >= SZ_1K && !(class % SZ_1K))
		seq_printf(m, " from %s%zuk", kind, class / SZ_1K);
	else
		seq_printf(m, " from %s%zu", kind, class);
}

/*
 * kmalloc's size classes: kmalloc_size_roundup(), the object size of the
 * cache that serves @size, or whole pages above KMALLOC_MAX_CACHE_SIZE,
 * from the page allocator.  Every kind of cache (kmalloc-, kmalloc-cg-,
 * dma-kmalloc-...) has the same size classes.
 */
static void scull_held_kmalloc(struct scull_held *h, size_t size)
{
	h->bytes = scull_kmalloc_size_roundup(size);
}

/*
 * The buddy allocator's node form.  alloc_pages_node() given NUMA_NO_NODE
 * takes the CPU's nearest node and ignores the task's memory policy, which
 * alloc_pages() applies (in process context): so "no node" keeps to
 * alloc_pages(), the allocator's own choice.  A node given is preferred,
 * not forced (no __GFP_THISNODE): short of memory there, the zonelist falls
 * back to the next node, and the quantum's line says where it went.
 */
static struct page *scull_alloc_pages_node(int node, gfp_t gfp,
					   unsigned int order)
{
	if (node == NUMA_NO_NODE)
		return alloc_pages(gfp, order);
	return alloc_pages_node(node, gfp, order);
}

/*
 * scullp: whole pages from the buddy allocator, as LDD3's scullp: a
 * quantum of any size takes the power of two pages get_order() rounds it
 * up to.  A multi-page quantum is a compound page, so that each of its
 * pages can be mapped to user space and counted on its own.
 * __get_free_pages() has no node form: its node-aware equivalent is
 * alloc_pages_node() and the page's logical address (the zone rules keep
 * high memory out).
 */
static void *scull_pages_alloc(void *ctx, size_t size, gfp_t gfp, int node)
{
	struct page *page = scull_alloc_pages_node(node, gfp | __GFP_COMP,
						   get_order(size));

	return page ? page_address(page) : NULL;
}

static void scull_pages_free(void *ctx, void *quantum, size_t size)
{
	free_pages((unsigned long)quantum, get_order(size));
}

static const struct scull_backend scull_pages_backend = {
	.devname	= "scullp",
	.name		= "__get_free_pages",
	.max_order	= SCULL_MAX_PAGE_ORDER,
	.mmap_min_order	= 0,
	.reserve	= SCULL_RESERVE_LOWMEM,
	.zone_rules	= {
		[SCULL_GFP_ZONE_HIGHMEM] = SCULL_RULE_HIGHMEM("__get_free_pages"),
		[SCULL_GFP_ZONE_MOVABLE] = SCULL_RULE_MOVABLE,
	},
	.alloc		= scull_pages_alloc,
	.nohuge		= SCULL_RULE_NOHUGE_LINEAR,
	.free		= scull_pages_free,
	.page		= scull_linear_page,
	.map		= scull_addr_map,
	.vaddr		= scull_addr_vaddr,
	.held		= scull_held_block,
};

/*
 * scullv: virtually contiguous memory, as LDD3's scullv.  Without dma or
 * dma32, vmalloc adds __GFP_HIGHMEM itself: it maps every page anyway.
 * Since v6.19 it takes no zone modifier at all (SCULL_VMALLOC_ZONE_RULE).
 */
/*
 * vmalloc's node form for modules is vmalloc_node(), which takes no gfp
 * flags: __vmalloc_node(), which does, is not exported.  It allocates with
 * GFP_KERNEL, so quanta asked of a node are not charged to the writer's
 * memory cgroup, and a zone modifier does not apply; the action does,
 * through the scope that __vmalloc() itself opens since v5.17 (before,
 * noio and nofs are refused).  Without a node, __vmalloc() as ever.
 */
static void *scull_vmalloc_on_node(unsigned long size, gfp_t gfp, int node)
{
	unsigned int flags = 0;
	void *addr;

	if (!(gfp & __GFP_IO))
		flags = memalloc_noio_save();
	else if (!(gfp & __GFP_FS))
		flags = memalloc_nofs_save();
	addr = vmalloc_node(size, node);
	if (!(gfp & __GFP_IO))
		memalloc_noio_restore(flags);
	else if (!(gfp & __GFP_FS))
		memalloc_nofs_restore(flags);
	return addr;
}

/* vmalloc(size): whole pages, and a guard page after them. */
static void *scull_vmalloc_alloc(void *ctx, size_t size, gfp_t gfp, int node)
{
	if (node == NUMA_NO_NODE)
		return __vmalloc(size, gfp);
	return scull_vmalloc_on_node(size, gfp, node);
}

static void scull_vmalloc_free(void *ctx, void *quantum, size_t size)
{
	vfree(quantum);
}

/*
 * The same with huge=1: a quantum of PMD_SIZE or more is mapped with PMD
 * entries where the architecture can, from pages of PMD_SIZE when the
 * buddy allocator has them, and with small pages otherwise.  The exported
 * vmalloc_huge() takes no node: a chosen node does not apply here (the
 * quantum lines show where the pages went).
 */
static void *scull_vmalloc_huge_alloc(void *ctx, size_t size, gfp_t gfp,
				      int node)
{
	return scull_vmalloc_huge(size, gfp);
}

static void scull_vmalloc_held(void *ctx, void *quantum, size_t size,
			       struct scull_held *h)
{
	scull_held_vmalloc(h, quantum, size);
}

static struct page *scull_vmalloc_page(void *quantum, size_t offset)
{
	return vmalloc_to_page(quantum + offset);
}

static const struct scull_backend scull_vmalloc_backend = {
	.devname	= "scullv",
	.name		= "vmalloc",
	.max_order	= SCULL_MAX_PAGE_ORDER,
	.mmap_min_order	= 0,
	.reserve	= SCULL_RESERVE_VMALLOC,
	.zone_rules	= {
		[SCULL_GFP_ZONE_DMA] = SCULL_VMALLOC_ZONE_RULE,
		[SCULL_GFP_ZONE_DMA32] = SCULL_VMALLOC_ZONE_RULE,
		[SCULL_GFP_ZONE_HIGHMEM] = SCULL_VMALLOC_ZONE_RULE,
		[SCULL_GFP_ZONE_MOVABLE] = SCULL_RULE_MOVABLE,
	},
	.act_rules	= SCULL_VMALLOC_ACT_RULES,
	.alloc		= scull_vmalloc_alloc,
	.nohuge		= SCULL_VMALLOC_HUGE_RULE,
	.alloc_huge	= scull_vmalloc_huge_alloc,
	.free		= scull_vmalloc_free,
	.page		= scull_vmalloc_page,
	.map		= scull_addr_map,
	.vaddr		= scull_addr_vaddr,
	.held		= scull_vmalloc_held,
};

/*
 * scullk: kmalloc, served by slab caches up to KMALLOC_MAX_CACHE_SIZE (8 KiB
 * with SLUB) and by compound pages from the page allocator above.  Only the
 * latter may be mapped to user space, and only before v6.17
 * (SCULL_KMALLOC_MMAP_MIN_ORDER).
 */
/*
 * kmalloc() itself when no node is chosen: before 6.1, kmalloc_node() of
 * NUMA_NO_NODE took a buffer above KMALLOC_MAX_CACHE_SIZE from the CPU's
 * node (kmalloc_large_node), where kmalloc() applied the task's policy.
 */
static void *scull_kmalloc_alloc(void *ctx, size_t size, gfp_t gfp, int node)
{
	if (node == NUMA_NO_NODE)
		return kmalloc(size, gfp);
	return kmalloc_node(size, gfp, node);
}

static void scull_kmalloc_free(void *ctx, void *quantum, size_t size)
{
	kfree(quantum);
}

static void scull_kmalloc_held(void *ctx, void *quantum, size_t size,
			       struct scull_held *h)
{
	scull_held_kmalloc(h, size);
}

static void scull_kmalloc_show_held(void *ctx, void *quantum, size_t size,
				    gfp_t gfp, struct seq_file *m)
{
	scull_show_kmalloc_from(m, size, gfp);
}

static const struct scull_backend scull_kmalloc_backend = {
	.devname	= "scullk",
	.name		= "kmalloc",
	.max_order	= SCULL_MAX_KMALLOC_ORDER,
	.mmap_min_order	= SCULL_KMALLOC_MMAP_MIN_ORDER,
	.nommap		= "cannot be mapped on this kernel",
	.reserve	= SCULL_RESERVE_LOWMEM,
	.zone_rules	= {
		[SCULL_GFP_ZONE_DMA32] = SCULL_RULE_KMALLOC_DMA32,
		[SCULL_GFP_ZONE_HIGHMEM] = SCULL_RULE_HIGHMEM("kmalloc"),
		[SCULL_GFP_ZONE_MOVABLE] = SCULL_RULE_MOVABLE,
	},
	.alloc		= scull_kmalloc_alloc,
	.nohuge		= SCULL_RULE_NOHUGE_LINEAR,
	.free		= scull_kmalloc_free,
	.page		= scull_linear_page,
	.map		= scull_addr_map,
	.vaddr		= scull_addr_vaddr,
	.held		= scull_kmalloc_held,
	.show_held	= scull_kmalloc_show_held,
};

/*
 * scullc: a lookaside cache, as LDD3's scullc: each quantum is an object of
 * a kmem_cache of quantum-sized objects, one cache per geometry, named
 * scullc-<quantum bytes> in /proc/slabinfo and /sys/kernel/slab.  The cache
 * whitelists the whole object for copies to and from user space, so
 * hardened usercopy checks each copy against the cache, and passes it: a
 * cache that declares no usercopy region makes every copy_to_user() of
 * its objects abort (LDD3's maintained port of scullc oopses there).
 */
struct scull_cache {
	struct kmem_cache *cache;
	char name[32];			/* "scullc-" and up to 20 digits */
	unsigned int objs_per_slab;	/* 0: not known */
	int slab_order;			/* -1: not known */
	unsigned int held;		/* the object size, aligned: holds */
};

#define SCULL_PROBE_MAX	32
#define SCULL_PROBE_GFP	(GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

static unsigned long scull_distance(const void *a, const void *b)
{
	return a > b ? a - b : b - a;
}

/*
 * What SLUB made of a new cache, as the kernel has it, though the sizes in
 * struct kmem_cache are private to mm/ (and the struct itself since v6.8):
 * the order of a slab, from the folio of a live object, and the objects in
 * one.  Objects are allocated from the empty cache until one lands in a
 * second slab: the first is full by then, so the objects counted in it are
 * all it holds.  Should the task move to another CPU meanwhile, the first
 * slab stays part-used; but the distances between its objects are
 * multiples of the object stride, so the slab's size over their gcd bounds
 * the count from the other side.  KFENCE's objects, alone on a page of its
 * pool, are skipped.  All are freed, and the empty slabs given back.
 */
static void scull_cache_probe(struct scull_cache *c)
{
	void *obj[SCULL_PROBE_MAX], *first = NULL, *o;
	unsigned long stride = 0;
	unsigned int i, n = 0, count = 0;

	c->slab_order = -1;
	c->objs_per_slab = 0;
	while (n < SCULL_PROBE_MAX) {
		o = kmem_cache_alloc(c->cache, SCULL_PROBE_GFP);
		if (!o)
			break;
		obj[n++] = o;
		if (scull_kfence_object(o))
			continue;
		if (!first) {
			first = o;
			c->slab_order = scull_slab_order(o);
		} else if (scull_slab_start(o) == scull_slab_start(first)) {
			stride = gcd(stride, scull_distance(o, first));
		} else {
			break;	/* the first slab is full */
		}
		count++;
	}
	if (first) {
		c->objs_per_slab = count;
		if (stride)
			c->objs_per_slab = max_t(unsigned long, count,
						 (PAGE_SIZE << c->slab_order) / stride);
	}
	for (i = 0; i < n; i++)
		kmem_cache_free(c->cache, obj[i]);
	kmem_cache_shrink(c->cache);
}

/*
 * The cache is made with SLAB_HWCACHE_ALIGN, as LDD3's scullc made its
 * own: each object starts on a cache line (or, for objects of half a line
 * or less, on a fraction of one), so a quantum of 5000 bytes takes 5056
 * with 64-byte lines.  The alignment the kernel chose is private to mm/
 * (align in /sys/kernel/slab/<cache>, which the tests read): it is worked
 * out as mm/slab_common.c's calculate_alignment() does, from
 * cache_line_size() (exported on x86 and arm64), halved while the object
 * fits in half of it, and at least the architecture's minimum.
 */
static unsigned int scull_cache_align(unsigned int size)
{
	unsigned int align = cache_line_size();

	while (size <= align / 2)
		align /= 2;
	align = max_t(unsigned int, align, scull_arch_slab_minalign());
	return ALIGN(align, sizeof(void *));
}

static void *scull_cache_setup(size_t size)
{
	struct scull_cache *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return ERR_PTR(-ENOMEM);
	snprintf(c->name, sizeof(c->name), "scullc-%zu", size);
	c->cache = kmem_cache_create_usercopy(c->name, size, 0, SLAB_HWCACHE_ALIGN,
					      0, size, NULL);
	if (!c->cache)
		goto out_free_ctx;
	c->held = ALIGN(kmem_cache_size(c->cache),
			scull_cache_align(kmem_cache_size(c->cache)));
	scull_cache_probe(c);
	return c;

out_free_ctx:
	kfree(c);
	return ERR_PTR(-ENOMEM);
}

/* Every object is freed by now: no "objects remaining" complaint. */
static void scull_cache_teardown(void *ctx)
{
	struct scull_cache *c = ctx;

	kmem_cache_destroy(c->cache);
	kfree(c);
}

static void *scull_cache_alloc(void *ctx, size_t size, gfp_t gfp, int node)
{
	struct scull_cache *c = ctx;

	return kmem_cache_alloc_node(c->cache, gfp, node);
}

static void scull_cache_free(void *ctx, void *quantum, size_t size)
{
	struct scull_cache *c = ctx;

	kmem_cache_free(c->cache, quantum);
}

/*
 * What a quantum holds, as kmalloc's are counted: its object, rounded up
 * to the cache's alignment, which is what ksize() gives on a kernel
 * without slab debugging (s->size) and what the object may grow into.
 * slub_debug's red zones and tracking, and KASAN's metadata, are not
 * counted, on any kernel: they are the debugging's, not the allocator's
 * (scull_cache_show()'s objects per slab shows what they cost).  ksize()
 * itself is not called: it gives only the object size when red zones or
 * KASAN are on, and on a KASAN kernel it unpoisons the object's tail.
 */
static void scull_cache_held(void *ctx, void *quantum, size_t size,
			     struct scull_held *h)
{
	struct scull_cache *c = ctx;

	h->bytes = c->held;
}

static const char *scull_cache_name(void *ctx)
{
	struct scull_cache *c = ctx;

	return c->name;
}

/* A figure the probe could not find is shown as "-". */
static void scull_show_figure(struct seq_file *m, const char *what, long val)
{
	if (val >= 0)
		seq_printf(m, "%s%ld", what, val);
	else
		seq_printf(m, "%s-", what);
}

static void scull_cache_show(void *ctx, struct seq_file *m)
{
	struct scull_cache *c = ctx;

	seq_printf(m, "  cache %s, object size %u", c->name,
		   kmem_cache_size(c->cache));
	scull_show_figure(m, ", objects per slab ",
			  c->objs_per_slab ? (long)c->objs_per_slab : -1);
	scull_show_figure(m, ", slab order ", c->slab_order);
	seq_putc(m, '\n');
}

static const struct scull_backend scull_cache_backend = {
	.devname	= "scullc",
	.name		= "kmem_cache",
	.max_order	= SCULL_MAX_SLAB_CACHE_ORDER,
	.mmap_min_order	= SCULL_MAX_SLAB_CACHE_ORDER + 1,
	.nommap		= "are slab objects, which must never be mapped to user space",
	.reserve	= SCULL_RESERVE_LOWMEM,
	.zone_rules	= {
		[SCULL_GFP_ZONE_DMA] = SCULL_RULE_CACHE_DMA,
		[SCULL_GFP_ZONE_DMA32] = SCULL_RULE_CACHE_DMA32,
		[SCULL_GFP_ZONE_HIGHMEM] = SCULL_RULE_HIGHMEM("kmem_cache_alloc"),
		[SCULL_GFP_ZONE_MOVABLE] = SCULL_RULE_MOVABLE,
	},
	.setup		= scull_cache_setup,
	.teardown	= scull_cache_teardown,
	.alloc		= scull_cache_alloc,
	.nohuge		= SCULL_RULE_NOHUGE_LINEAR,
	.free		= scull_cache_free,
	.page		= scull_linear_page,
	.map		= scull_addr_map,
	.vaddr		= scull_addr_vaddr,
	.held		= scull_cache_held,
	.cache		= scull_cache_name,
	.show		= scull_cache_show,
};

/*
 * scullh: pages from alloc_pages(), high memory allowed, which is what
 * only alloc_pages() can return (Love's chapter 12): the handle is the
 * struct page of the block, never given a permanent kernel address.  Each
 * access maps one page with kmap_local_page() and unmaps it; on a 64-bit
 * kernel that is page_address(), on i386 a page of HighMem gets a
 * temporary mapping.  A multi-page quantum is a compound page, as
 * scullp's, so that mmap can map each of its pages.
 */
static void *scull_highpages_alloc(void *ctx, size_t size, gfp_t gfp,
				   int node)
{
	unsigned int order = get_order(size);

	/* "normal" means anywhere, high memory included, as for vmalloc. */
	if (!(gfp & GFP_ZONEMASK))
		gfp |= __GFP_HIGHMEM;
	if (order)
		gfp |= __GFP_COMP;
	return scull_alloc_pages_node(node, gfp, order);
}

static void scull_highpages_free(void *ctx, void *quantum, size_t size)
{
	__free_pages(quantum, get_order(size));
}

/*
 * A block of the buddy allocator never crosses a memory section, so its
 * struct pages are contiguous (nth_page(), gone in v6.18, is not needed).
 */
static struct page *scull_highpages_page(void *quantum, size_t offset)
{
	struct page *page = quantum;

	return page + (offset >> PAGE_SHIFT);
}

/*
 * The address kmap_local_page() returned last, for /proc/scullmem: a hint,
 * written and read without a lock (the last of racing accesses wins).  The
 * driver maps a page to write to it and to zero it; a read into user
 * memory copies with copy_page_to_iter(), which maps the page itself.
 */
static void *scull_highpages_last;

static void *scull_highpages_map(void *quantum, size_t offset, size_t size,
				 size_t *len)
{
	void *addr = scull_kmap_local_page(scull_highpages_page(quantum, offset));

	WRITE_ONCE(scull_highpages_last, addr);
	*len = min(PAGE_SIZE - offset_in_page(offset), size - offset);
	return addr + offset_in_page(offset);
}

static void *scull_highpages_last_map(void)
{
	return READ_ONCE(scull_highpages_last);
}

static void scull_highpages_unmap(void *quantum, void *addr)
{
	scull_kunmap_local(addr);
}

static void *scull_highpages_vaddr(void *quantum)
{
	struct page *page = quantum;

	return PageHighMem(page) ? NULL : page_address(page);
}

static const struct scull_backend scull_highpages_backend = {
	.devname	= "scullh",
	.name		= "alloc_pages",
	.max_order	= SCULL_MAX_PAGE_ORDER,
	.mmap_min_order	= 0,
	.reserve	= SCULL_RESERVE_ANY,
	.kmap		= true,
	.zone_rules	= {
		[SCULL_GFP_ZONE_MOVABLE] = SCULL_RULE_MOVABLE,
	},
	.alloc		= scull_highpages_alloc,
	.nohuge		= SCULL_RULE_NOHUGE_HIGHPAGES,
	.free		= scull_highpages_free,
	.page		= scull_highpages_page,
	.map		= scull_highpages_map,
	.unmap		= scull_highpages_unmap,
	.vaddr		= scull_highpages_vaddr,
	.held		= scull_held_block,
	.last_map	= scull_highpages_last_map,
};

/*
 * scullx: alloc_pages_exact(), the buddy allocator's answer to
 * __get_free_pages()' waste: it takes the power of two pages that
 * get_order() rounds the quantum up to, splits the block into pages of
 * their own (split_page()) and frees those past the last page the
 * quantum needs, so a quantum of 5 pages keeps 5, not 8.  Its pages are
 * order-0 pages, each with its own reference count, so they can be mapped
 * to user space one by one, and free_pages_exact() frees them one by one.
 *
 * alloc_pages_exact() has no node form a module can call:
 * alloc_pages_exact_nid() is not exported.  With a node chosen, the same
 * is done here, as mm/page_alloc.c's make_alloc_exact() does it, with two
 * differences: the tail goes back through __free_page(), to the per-CPU
 * lists, where mm frees it to the tail of the free lists (FPI_TO_TAIL, not
 * exported) so that it merges sooner; and there is no check that @gfp has
 * no __GFP_HIGHMEM, which scullx's zone rules refuse (page_address()).
 */
static void *scull_exact_on_node(size_t size, gfp_t gfp, int node)
{
	unsigned int order = get_order(size), i;
	unsigned int used = PAGE_ALIGN(size) >> PAGE_SHIFT;
	struct page *page;

	page = alloc_pages_node(node, gfp & ~__GFP_COMP, order);
	if (!page)
		return NULL;
	split_page(page, order);
	for (i = used; i < (1U << order); i++)
		__free_page(page + i);
	return page_address(page);
}

static void *scull_exact_alloc(void *ctx, size_t size, gfp_t gfp, int node)
{
	if (node == NUMA_NO_NODE)
		return alloc_pages_exact(size, gfp);
	return scull_exact_on_node(size, gfp, node);
}

static void scull_exact_free(void *ctx, void *quantum, size_t size)
{
	free_pages_exact(quantum, size);
}

/* The pages the quantum needs, and no more. */
static void scull_exact_held(void *ctx, void *quantum, size_t size,
			     struct scull_held *h)
{
	h->bytes = PAGE_ALIGN(size);
}

static const struct scull_backend scull_exact_backend = {
	.devname	= "scullx",
	.name		= "alloc_pages_exact",
	.max_order	= SCULL_MAX_PAGE_ORDER,
	.mmap_min_order	= 0,
	.reserve	= SCULL_RESERVE_LOWMEM,
	.zone_rules	= {
		[SCULL_GFP_ZONE_HIGHMEM] = SCULL_RULE_HIGHMEM("alloc_pages_exact"),
		[SCULL_GFP_ZONE_MOVABLE] = SCULL_RULE_MOVABLE,
	},
	.alloc		= scull_exact_alloc,
	.nohuge		= SCULL_RULE_NOHUGE_LINEAR,
	.free		= scull_exact_free,
	.page		= scull_linear_page,
	.map		= scull_addr_map,
	.vaddr		= scull_addr_vaddr,
	.held		= scull_exact_held,
};

/*
 * scullkv: kvmalloc(), which tries kmalloc and falls back to vmalloc when
 * that fails.  For more than a page kvmalloc's kmalloc gives up early
 * (__GFP_NORETRY) unless the caller asks for __GFP_RETRY_MAYFAIL, as the
 * device's default flags do: then kmalloc tries as hard as for the other
 * devices, and vmalloc serves only when memory is too fragmented for it.
 * Which of the two served a quantum is told by its address,
 * is_vmalloc_addr(), as kvfree() tells it: the quantum lines of
 * /proc/scullmem show it, and the header counts each.  Its quanta may be
 * slab objects, so none is mapped to user space.
 */
#define SCULL_RULE_KV_ZONE \
	"kvmalloc may fall back to vmalloc, which takes pages from any zone: it takes no zone modifier"
#define SCULL_RULE_KV_NOHUGE \
	"kvmalloc picks the mapping itself (direct map, or vmalloc's: huge since v5.18): ask scullv"

/*
 * scullkv's limit: quanta of up to 16 MiB.  Above KMALLOC_MAX_SIZE (4 MiB
 * with 4 KiB pages) kmalloc cannot serve a quantum at all: kvmalloc's
 * kmalloc fails, quietly (__GFP_NOWARN), and vmalloc serves it, so those
 * quanta always read "via vmalloc".  kvmalloc itself takes up to INT_MAX,
 * but a quantum is zeroed, copied and walked page by page in one piece,
 * under the device's lock: at 1 GiB, seconds without a resched point, and
 * more than the 32-bit kernels' vmalloc range can give.
 */
#define SCULL_MAX_KVMALLOC_ORDER	(24 - PAGE_SHIFT)

struct scull_kv {
	unsigned long by_kmalloc;	/* quanta allocated from each, under */
	unsigned long by_vmalloc;	/* the device's lock */
};

static void *scull_kv_setup(size_t size)
{
	struct scull_kv *kv = kzalloc(sizeof(*kv), GFP_KERNEL);

	return kv ? kv : ERR_PTR(-ENOMEM);
}

static void scull_kv_teardown(void *ctx)
{
	kfree(ctx);
}

static void *scull_kv_alloc(void *ctx, size_t size, gfp_t gfp, int node)
{
	struct scull_kv *kv = ctx;
	void *quantum = kvmalloc_node(size, gfp, node);

	if (quantum && is_vmalloc_addr(quantum))
		kv->by_vmalloc++;
	else if (quantum)
		kv->by_kmalloc++;
	return quantum;
}

static void scull_kv_free(void *ctx, void *quantum, size_t size)
{
	struct scull_kv *kv = ctx;

	if (is_vmalloc_addr(quantum))
		kv->by_vmalloc--;
	else
		kv->by_kmalloc--;
	kvfree(quantum);
}

static struct page *scull_kv_page(void *quantum, size_t offset)
{
	if (is_vmalloc_addr(quantum))
		return vmalloc_to_page(quantum + offset);
	return virt_to_page(quantum + offset);
}

static void scull_kv_held(void *ctx, void *quantum, size_t size,
			  struct scull_held *h)
{
	if (is_vmalloc_addr(quantum))
		scull_held_vmalloc(h, quantum, size);
	else
		scull_held_kmalloc(h, size);
}

static void scull_kv_show_held(void *ctx, void *quantum, size_t size,
			       gfp_t gfp, struct seq_file *m)
{
	if (is_vmalloc_addr(quantum)) {
		seq_puts(m, " via vmalloc");
		return;
	}
	scull_show_kmalloc_from(m, size, gfp);
	seq_puts(m, " via kmalloc");
}

static void scull_kv_show(void *ctx, struct seq_file *m)
{
	struct scull_kv *kv = ctx;

	seq_printf(m, "  kvmalloc: kmalloc served %lu, vmalloc served %lu\n",
		   kv->by_kmalloc, kv->by_vmalloc);
}

static const struct scull_backend scull_kv_backend = {
	.devname	= "scullkv",
	.name		= "kvmalloc",
	.max_order	= SCULL_MAX_KVMALLOC_ORDER,
	.mmap_min_order	= SCULL_MAX_KVMALLOC_ORDER + 1,
	.nommap		= "may be slab objects (kmalloc), which must never be mapped to user space",
	.reserve	= SCULL_RESERVE_LOWMEM_VMALLOC,
	.zone_rules	= {
		[SCULL_GFP_ZONE_DMA] = SCULL_RULE_KV_ZONE,
		[SCULL_GFP_ZONE_DMA32] = SCULL_RULE_KV_ZONE,
		[SCULL_GFP_ZONE_HIGHMEM] = SCULL_RULE_KV_ZONE,
		[SCULL_GFP_ZONE_MOVABLE] = SCULL_RULE_MOVABLE,
	},
	.act_rules	= SCULL_VMALLOC_ACT_RULES,
	.setup		= scull_kv_setup,
	.teardown	= scull_kv_teardown,
	.alloc		= scull_kv_alloc,
	.nohuge		= SCULL_RULE_KV_NOHUGE,
	.free		= scull_kv_free,
	.page		= scull_kv_page,
	.map		= scull_addr_map,
	.vaddr		= scull_addr_vaddr,
	.held		= scull_kv_held,
	.show_held	= scull_kv_show_held,
	.show		= scull_kv_show,
};

/* Indexed by minor number: one entry per device, SCULL_NR_DEVS of them. */
const struct scull_backend *const scull_backends[] = {
	&scull_pages_backend,
	&scull_vmalloc_backend,
	&scull_kmalloc_backend,
	&scull_cache_backend,
	&scull_highpages_backend,
	&scull_exact_backend,
	&scull_kv_backend,
};

static_assert(ARRAY_SIZE(scull_backends) == SCULL_NR_DEVS,
	      "SCULL_NR_DEVS must count the entries of scull_backends[]");

const char *const scull_gfp_zone_names[SCULL_GFP_NR_ZONES] = SCULL_GFP_ZONE_NAMES;
const char *const scull_gfp_act_names[SCULL_GFP_NR_ACTS] = SCULL_GFP_ACT_NAMES;

static const gfp_t scull_gfp_zone_flags[SCULL_GFP_NR_ZONES] = {
	[SCULL_GFP_ZONE_NORMAL]	= 0,
	[SCULL_GFP_ZONE_DMA]	= __GFP_DMA,
	[SCULL_GFP_ZONE_DMA32]	= __GFP_DMA32,
	[SCULL_GFP_ZONE_HIGHMEM] = __GFP_HIGHMEM,
	[SCULL_GFP_ZONE_MOVABLE] = __GFP_MOVABLE,
};

/* Those that may sleep may also retry hard, but never call the OOM killer. */
static const gfp_t scull_gfp_act_flags[SCULL_GFP_NR_ACTS] = {
	[SCULL_GFP_ACT_KERNEL]	= GFP_KERNEL | __GFP_RETRY_MAYFAIL,
	[SCULL_GFP_ACT_ATOMIC]	= GFP_ATOMIC,
	[SCULL_GFP_ACT_NOWAIT]	= GFP_NOWAIT,
	[SCULL_GFP_ACT_NOIO]	= GFP_NOIO | __GFP_RETRY_MAYFAIL,
	[SCULL_GFP_ACT_NOFS]	= GFP_NOFS | __GFP_RETRY_MAYFAIL,
};

/**
 * scull_gfp_mask - the gfp_t of a choice of flags
 * @g:	a choice that scull_gfp_refusal() accepts
 *
 * Quanta are always charged to the writer's memory cgroup, and a failure
 * is not worth a warning: it is the writer's ENOMEM.  The default choice
 * makes SCULL_GFP.
 */
gfp_t scull_gfp_mask(const struct scull_gfp *g)
{
	return scull_gfp_act_flags[g->action] | scull_gfp_zone_flags[g->zone] |
	       __GFP_ACCOUNT | __GFP_NOWARN;
}

static const int scull_zone_idx[SCULL_GFP_NR_ZONES] = {
	[SCULL_GFP_ZONE_NORMAL]	= ZONE_NORMAL,
	[SCULL_GFP_ZONE_DMA]	= SCULL_ZONE_IDX_DMA,
	[SCULL_GFP_ZONE_DMA32]	= SCULL_ZONE_IDX_DMA32,
	[SCULL_GFP_ZONE_HIGHMEM] = SCULL_ZONE_IDX_HIGHMEM,
	[SCULL_GFP_ZONE_MOVABLE] = ZONE_MOVABLE,
};

static const char *const scull_zone_missing[SCULL_GFP_NR_ZONES] = {
	[SCULL_GFP_ZONE_DMA]	= "this kernel has no ZONE_DMA",
	[SCULL_GFP_ZONE_DMA32]	= "this kernel has no ZONE_DMA32 (32-bit x86 has none)",
	[SCULL_GFP_ZONE_HIGHMEM] =
		"this kernel has no ZONE_HIGHMEM: only 32-bit kernels have high memory",
};

static const char *const scull_zone_empty[SCULL_GFP_NR_ZONES] = {
	[SCULL_GFP_ZONE_DMA]	= "ZONE_DMA is empty on this machine (see /proc/zoneinfo)",
	[SCULL_GFP_ZONE_DMA32]	= "ZONE_DMA32 is empty on this machine (see /proc/zoneinfo)",
	[SCULL_GFP_ZONE_HIGHMEM] = "ZONE_HIGHMEM is empty on this machine (see /proc/zoneinfo)",
};

static bool scull_zone_populated(int idx)
{
	int nid;

	for_each_online_node(nid) {
		if (populated_zone(&NODE_DATA(nid)->node_zones[idx]))
			return true;
	}
	return false;
}

/**
 * scull_gfp_refusal - why a backend cannot allocate with a choice of flags
 * @be:	the backend
 * @g:	the choice, its fields in range
 *
 * Return: NULL if it can, else the rule that forbids it: the allocator's
 * own (its entry's rules), or this machine's (a zone it does not have).
 */
const char *scull_gfp_refusal(const struct scull_backend *be,
			      const struct scull_gfp *g)
{
	int idx = scull_zone_idx[g->zone];

	if (be->zone_rules[g->zone])
		return be->zone_rules[g->zone];
	if (be->act_rules[g->action])
		return be->act_rules[g->action];
	if (g->zone == SCULL_GFP_ZONE_NORMAL)
		return NULL;
	if (idx < 0)
		return scull_zone_missing[g->zone];
	if (!scull_zone_populated(idx))
		return scull_zone_empty[g->zone];
	return NULL;
}
