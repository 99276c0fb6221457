// SPDX-License-Identifier: GPL-2.0
/*
 * The allocators behind the scull devices, one ops table each.
 *
 * Each backend hands out quanta of PAGE_SIZE << order bytes as handles
 * that only it understands, and maps their bytes for the core on demand
 * (struct scull_backend).  None of them zeroes: the quantum store zeroes
 * whatever part of a new quantum a write does not fill, so a full-quantum
 * write touches memory only once.  This is the one file that names the
 * kernel's allocators; it calls nothing else of the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "scull_compat.h"	/* first: it stops a build for too old a kernel */

#include <linux/err.h>
#include <linux/gcd.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
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
static void *scull_addr_map(void *quantum, size_t offset, unsigned int order,
			    size_t *len)
{
	*len = (PAGE_SIZE << order) - offset;
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
 * scullp: whole pages from the buddy allocator, as LDD3's scullp.  A
 * multi-page quantum is a compound page, so that each of its pages can be
 * mapped to user space and counted on its own.  __get_free_pages() has no
 * node form: its node-aware equivalent is alloc_pages_node() and the
 * page's logical address (the zone rules keep high memory out).
 */
static void *scull_pages_alloc(void *ctx, unsigned int order, gfp_t gfp,
			       int node)
{
	struct page *page = scull_alloc_pages_node(node, gfp | __GFP_COMP, order);

	return page ? page_address(page) : NULL;
}

static void scull_pages_free(void *ctx, void *quantum, unsigned int order)
{
	free_pages((unsigned long)quantum, order);
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

static void *scull_vmalloc_alloc(void *ctx, unsigned int order, gfp_t gfp,
				 int node)
{
	if (node == NUMA_NO_NODE)
		return __vmalloc(PAGE_SIZE << order, gfp);
	return scull_vmalloc_on_node(PAGE_SIZE << order, gfp, node);
}

static void scull_vmalloc_free(void *ctx, void *quantum, unsigned int order)
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
static void *scull_vmalloc_huge_alloc(void *ctx, unsigned int order, gfp_t gfp,
				      int node)
{
	return scull_vmalloc_huge(PAGE_SIZE << order, gfp);
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
	.act_rules	= {
		[SCULL_GFP_ACT_ATOMIC] = SCULL_RULE_VMALLOC_SLEEPS,
		[SCULL_GFP_ACT_NOWAIT] = SCULL_RULE_VMALLOC_SLEEPS,
		[SCULL_GFP_ACT_NOIO] = SCULL_VMALLOC_SCOPED_RULE,
		[SCULL_GFP_ACT_NOFS] = SCULL_VMALLOC_SCOPED_RULE,
	},
	.alloc		= scull_vmalloc_alloc,
	.nohuge		= SCULL_VMALLOC_HUGE_RULE,
	.alloc_huge	= scull_vmalloc_huge_alloc,
	.free		= scull_vmalloc_free,
	.page		= scull_vmalloc_page,
	.map		= scull_addr_map,
	.vaddr		= scull_addr_vaddr,
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
static void *scull_kmalloc_alloc(void *ctx, unsigned int order, gfp_t gfp,
				 int node)
{
	if (node == NUMA_NO_NODE)
		return kmalloc(PAGE_SIZE << order, gfp);
	return kmalloc_node(PAGE_SIZE << order, gfp, node);
}

static void scull_kmalloc_free(void *ctx, void *quantum, unsigned int order)
{
	kfree(quantum);
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

static void *scull_cache_setup(unsigned int order)
{
	size_t size = PAGE_SIZE << order;
	struct scull_cache *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return ERR_PTR(-ENOMEM);
	snprintf(c->name, sizeof(c->name), "scullc-%zu", size);
	c->cache = kmem_cache_create_usercopy(c->name, size, 0, 0, 0, size, NULL);
	if (!c->cache)
		goto out_free_ctx;
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

static void *scull_cache_alloc(void *ctx, unsigned int order, gfp_t gfp,
			       int node)
{
	struct scull_cache *c = ctx;

	return kmem_cache_alloc_node(c->cache, gfp, node);
}

static void scull_cache_free(void *ctx, void *quantum, unsigned int order)
{
	struct scull_cache *c = ctx;

	kmem_cache_free(c->cache, quantum);
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
static void *scull_highpages_alloc(void *ctx, unsigned int order, gfp_t gfp,
				   int node)
{
	/* "normal" means anywhere, high memory included, as for vmalloc. */
	if (!(gfp & GFP_ZONEMASK))
		gfp |= __GFP_HIGHMEM;
	if (order)
		gfp |= __GFP_COMP;
	return scull_alloc_pages_node(node, gfp, order);
}

static void scull_highpages_free(void *ctx, void *quantum, unsigned int order)
{
	__free_pages(quantum, order);
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

static void *scull_highpages_map(void *quantum, size_t offset,
				 unsigned int order, size_t *len)
{
	void *addr = scull_kmap_local_page(scull_highpages_page(quantum, offset));

	WRITE_ONCE(scull_highpages_last, addr);
	*len = PAGE_SIZE - offset_in_page(offset);
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
	.last_map	= scull_highpages_last_map,
};

/* Indexed by minor number. */
const struct scull_backend *const scull_backends[SCULL_NR_DEVS] = {
	&scull_pages_backend,
	&scull_vmalloc_backend,
	&scull_kmalloc_backend,
	&scull_cache_backend,
	&scull_highpages_backend,
};

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
