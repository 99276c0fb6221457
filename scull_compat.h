/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference scullmem cares about.
 *
 * The rest of the module is written against the newest API; this header
 * maps it onto older kernels.  Keep each shim small and say when the API
 * changed, so the shim can be deleted once the old kernel is dropped.
 */
#ifndef _SCULL_COMPAT_H
#define _SCULL_COMPAT_H

#include <linux/version.h>

/*
 * Checked before any other header is read, and each .c file includes this
 * header first, so that on an older kernel this is the first error shown,
 * not a missing header or function further on.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 10, 0)
#error "scullmem needs Linux 5.10 or newer (this is older: set KVER= or KDIR= to newer headers)"
#endif

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/splice.h>
#include <linux/uio.h>

/*
 * Largest page order the buddy allocator hands out.  v6.4 made MAX_ORDER
 * inclusive, v6.8 renamed it MAX_PAGE_ORDER.
 */
#if defined(MAX_PAGE_ORDER)
#define SCULL_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define SCULL_MAX_PAGE_ORDER	MAX_ORDER
#else
#define SCULL_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

/* Largest order kmalloc() serves, from its size limit. */
#define SCULL_MAX_KMALLOC_ORDER	(KMALLOC_SHIFT_MAX - PAGE_SHIFT)

/*
 * Smallest order of kmalloc() quanta that may be mapped to user space.
 * Above KMALLOC_MAX_CACHE_SIZE kmalloc() hands out compound pages of the
 * page allocator, which a fault handler can map; smaller ones are slab
 * memory, which must not be.  v6.17 gave those large buffers a page type
 * of their own and made get_page() refuse them (a WARN, and no reference
 * taken): since then no kmalloc() memory can be mapped.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
#define SCULL_KMALLOC_MMAP_MIN_ORDER	(SCULL_MAX_KMALLOC_ORDER + 1)
#else
#define SCULL_KMALLOC_MMAP_MIN_ORDER	(KMALLOC_SHIFT_HIGH + 1 - PAGE_SHIFT)
#endif

/*
 * Largest order of scullc's quanta, objects of a kmem_cache of quantum-sized
 * objects.  SLUB makes a slab of at most the buddy allocator's largest
 * order, and an object takes more than its size there: with slub_debug's
 * red zones, free pointer and tracking (the tests boot with
 * slub_debug=FZPU) and, on a KASAN kernel, KASAN's metadata and red zone
 * (2 KiB at most).  An object of PAGE_SIZE << SCULL_MAX_PAGE_ORDER bytes
 * does not fit in the largest slab then, and kmem_cache_create() fails
 * with a stack dump.  One order less leaves an object room for as much
 * metadata as its own size, far more than either adds.
 */
#define SCULL_MAX_SLAB_CACHE_ORDER	(SCULL_MAX_PAGE_ORDER - 1)

/*
 * KFENCE (v5.12) hands out some slab objects from a pool of its own, one
 * on each page, outside any slab of their cache.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 12, 0)
#include <linux/kfence.h>
#define scull_kfence_object(addr)	is_kfence_address(addr)
#else
#define scull_kfence_object(addr)	false
#endif

/*
 * The slab that holds a slab object: its first byte and its order.  A slab
 * is a folio since v5.16; before, a compound page whose head says it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 16, 0)
#define scull_slab_start(obj)	folio_address(virt_to_folio(obj))
#define scull_slab_order(obj)	folio_order(virt_to_folio(obj))
#else
#define scull_slab_start(obj)	page_address(virt_to_head_page(obj))
#define scull_slab_order(obj)	compound_order(virt_to_head_page(obj))
#endif

/*
 * v5.11 added kmap_local_page(): a mapping of one page, private to the
 * task that made it, which may be preempted and may sleep while it holds
 * it.  Before, use kmap(), which may sleep too, not kmap_atomic(): that
 * disables preemption until kunmap_atomic(), and a copy made meanwhile may
 * sleep.  Page faults are disabled around the copies, but a splice read
 * copies into a pipe iterator, whose copy_to_iter() allocates the pipe's
 * pages with GFP_USER, and reclaim may sleep there.  kunmap() wants the
 * page, which kmap_to_page() finds from any address in it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 11, 0)
#define scull_kmap_local_page	kmap_local_page
#define scull_kunmap_local	kunmap_local
#else
#define scull_kmap_local_page	kmap
#define scull_kunmap_local(addr)	kunmap(kmap_to_page(addr))
#endif

/*
 * Is @page part of a slab?  The mark is on the slab's head page: v5.10's
 * PageSlab() looks there, and v5.16's folio_test_slab() on the folio; v7.x's
 * PageSlab() (a page type since v6.10) tests only the page it is given.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 16, 0)
#define scull_page_slab(page)	folio_test_slab(page_folio(page))
#else
#define scull_page_slab(page)	PageSlab(page)
#endif

/*
 * The zone that each zone modifier names, or -1 where this kernel has none:
 * ZONE_DMA and ZONE_DMA32 come with the architecture (32-bit x86 has no
 * DMA32), ZONE_HIGHMEM only with 32-bit kernels.
 */
#ifdef CONFIG_ZONE_DMA
#define SCULL_ZONE_IDX_DMA	ZONE_DMA
#else
#define SCULL_ZONE_IDX_DMA	(-1)
#endif
#ifdef CONFIG_ZONE_DMA32
#define SCULL_ZONE_IDX_DMA32	ZONE_DMA32
#else
#define SCULL_ZONE_IDX_DMA32	(-1)
#endif
#ifdef CONFIG_HIGHMEM
#define SCULL_ZONE_IDX_HIGHMEM	ZONE_HIGHMEM
#else
#define SCULL_ZONE_IDX_HIGHMEM	(-1)
#endif

/*
 * v5.17 made __vmalloc() honour GFP_NOFS and GFP_NOIO, by allocating its
 * page tables in a memalloc_nofs/noio scope.  Before, it allocated them
 * with GFP_KERNEL whatever it was given: vmalloc refuses both there.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 17, 0)
#define SCULL_VMALLOC_SCOPED_RULE	NULL
#else
#define SCULL_VMALLOC_SCOPED_RULE \
	"before v5.17 __vmalloc allocates its page tables with GFP_KERNEL whatever it is given, so it may recurse into I/O and filesystems"
#endif

/*
 * v6.19 made __vmalloc() take no zone modifier: it keeps only the flags of
 * GFP_VMALLOC_SUPPORTED (mm/vmalloc.c), drops __GFP_DMA, __GFP_DMA32 and
 * __GFP_HIGHMEM with a WARN, and picks pages from any zone.  Before, it
 * honoured __GFP_DMA and __GFP_DMA32 and added __GFP_HIGHMEM itself
 * otherwise.  So from v6.19 vmalloc refuses every zone modifier.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
#define SCULL_VMALLOC_ZONE_RULE \
	"since v6.19 __vmalloc takes no zone modifier: it drops it with a warning and takes pages from any zone"
#else
#define SCULL_VMALLOC_ZONE_RULE	NULL
#endif

/*
 * v6.10 made the allocators' entry points macros over *_noprof functions
 * (memory allocation profiling): alloc_pages_exact(), kvmalloc_node(),
 * kmalloc() and the rest keep their names and arguments, so the same calls
 * build from v5.10 to v7.x; split_page() and free_pages_exact() stayed
 * functions.  All are exported on every kernel here (split_page() to GPL
 * modules).  Nothing to map, then: this note says why there is no shim.
 */

/* v6.4 dropped the owner argument of class_create(). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define scull_class_create(name)	class_create(name)
#else
#define scull_class_create(name)	class_create(THIS_MODULE, name)
#endif

/* v6.5 replaced generic_file_splice_read() with copy_splice_read(). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define scull_splice_read	copy_splice_read
#else
#define scull_splice_read	generic_file_splice_read
#endif

/* v6.3 made vma->vm_flags read-only and added vm_flags_set(). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define scull_vm_flags_set(vma, flags)	vm_flags_set(vma, flags)
#else
#define scull_vm_flags_set(vma, flags)	((vma)->vm_flags |= (flags))
#endif

/* v6.10 made __assign_str() in tracepoints take the field name only. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define scull_assign_str(field, src)	__assign_str(field)
#else
#define scull_assign_str(field, src)	__assign_str(field, src)
#endif

/*
 * v6.1 added kmalloc_size_roundup(): the size of the object kmalloc() returns
 * for @size.  Before, work it out as v6.1 does: the size of the cache that
 * kmalloc_index() picks, or whole pages above the largest cache.  ksize()
 * would need an object, and on a KASAN kernel it unpoisons all of it, so
 * that an overflow past @size would no longer be caught.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
#define scull_kmalloc_size_roundup	kmalloc_size_roundup
#else
static inline size_t scull_kmalloc_size_roundup(size_t size)
{
	unsigned int i;

	if (size > KMALLOC_MAX_CACHE_SIZE)
		return PAGE_SIZE << get_order(size);
	i = kmalloc_index(size);
	/* kmalloc_index()'s 1 and 2 are the 96 and 192 byte caches. */
	return i == 1 ? 96 : i == 2 ? 192 : i ? 1UL << i : 0;
}
#endif

/*
 * The name of the kmalloc cache that serves flags @gfp starts with this,
 * before its size: kmalloc_type() picks the kind (mm/slab_common.c names
 * them in kmalloc_info[]).  __GFP_DMA goes first, to dma-kmalloc-, then
 * __GFP_RECLAIMABLE, to kmalloc-rcl- (none with v6.2's CONFIG_SLUB_TINY),
 * then __GFP_ACCOUNT, to kmalloc-cg-: v5.14 gave accounted objects caches
 * of their own, and KMALLOC_NOT_NORMAL_BITS with them, which has
 * __GFP_ACCOUNT where kernel memory is accounted (CONFIG_MEMCG_KMEM, then
 * CONFIG_MEMCG).  Before v5.14 accounted objects share the plain
 * kmalloc- caches.  kmalloc_type() itself is not called: it gained an
 * argument in v6.6 and again in v7.x, and where a kind is configured out
 * its value aliases another's.  A kernel booted with cgroup.memory=nokmem
 * points its kmalloc-cg- caches at the plain ones, which a module cannot
 * tell: the name says kmalloc-cg- there too.
 */
#ifdef KMALLOC_NOT_NORMAL_BITS
#define SCULL_KMALLOC_CG_FLAGS	(KMALLOC_NOT_NORMAL_BITS & __GFP_ACCOUNT)
#else
#define SCULL_KMALLOC_CG_FLAGS	0
#endif

static inline const char *scull_kmalloc_prefix(gfp_t gfp)
{
	if (IS_ENABLED(CONFIG_ZONE_DMA) && (gfp & __GFP_DMA))
		return "dma-kmalloc-";
	if (!IS_ENABLED(CONFIG_SLUB_TINY) && (gfp & __GFP_RECLAIMABLE))
		return "kmalloc-rcl-";
	if (gfp & SCULL_KMALLOC_CG_FLAGS)
		return "kmalloc-cg-";
	return "kmalloc-";
}

/*
 * The smallest alignment of a slab object: ARCH_SLAB_MINALIGN, which
 * v5.19 made a run-time figure, arch_slab_minalign() (arm64 raises it at
 * boot where MTE tags memory).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 19, 0)
#define scull_arch_slab_minalign()	arch_slab_minalign()
#else
#define scull_arch_slab_minalign()	((unsigned int)ARCH_SLAB_MINALIGN)
#endif

/*
 * v6.0 added user_backed_iter(), for the ITER_UBUF it added: before, the
 * only iterator over user memory was ITER_IOVEC.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 0, 0)
#define scull_user_backed_iter	user_backed_iter
#else
#define scull_user_backed_iter	iter_is_iovec
#endif

/*
 * v5.16 added fault_in_iov_iter_readable() and fault_in_iov_iter_writeable(),
 * which return the bytes they could not fault in.  Before, there were only
 * iov_iter_fault_in_readable(), which fails the whole range when any page of
 * it fails, and, for writing, fault_in_pages_writeable(), which stores zeros:
 * a read() into a mapping of a scull device would overwrite its data.  So
 * fault in page by page, from the iterator's position to the end of its
 * first segment or of @size: for reading with a load, as v5.16 does, and
 * for writing with fixup_user_fault(), which leaves the data alone, as
 * v6.1's fault_in_safe_writeable() does.  A caller that retries its copy
 * and asks again needs no more.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 16, 0)
#define scull_fault_in_iov_iter_readable	fault_in_iov_iter_readable
#define scull_fault_in_iov_iter_writeable	fault_in_iov_iter_writeable
#else
static inline size_t scull_fault_in_iov(const struct iov_iter *i, size_t size,
					bool write)
{
	const struct iovec *iov = i->iov;
	size_t skip = i->iov_offset, len = min(size, iov_iter_count(i));
	struct mm_struct *mm = current->mm;
	unsigned long start, addr, end;
	bool unlocked = false;
	int err;

	if (!iter_is_iovec(i))
		return 0;
	if (!len)
		return size;
	/* Skip the segments already used up, and empty ones. */
	while (skip >= iov->iov_len) {
		iov++;
		skip = 0;
	}
	/* The segment passed access_ok() when it was imported: no overflow. */
	start = (unsigned long)iov->iov_base + skip;
	end = start + min(len, iov->iov_len - skip);
	if (write)
		mmap_read_lock(mm);
	for (addr = start; addr < end; addr = (addr & PAGE_MASK) + PAGE_SIZE) {
		if (write)
			err = fixup_user_fault(mm, addr, FAULT_FLAG_WRITE, &unlocked);
		else
			err = fault_in_pages_readable((const char __user *)addr, 1);
		if (err)
			break;
	}
	if (write)
		mmap_read_unlock(mm);
	return size - (min(addr, end) - start);
}

#define scull_fault_in_iov_iter_readable(i, size) \
	scull_fault_in_iov(i, size, false)
#define scull_fault_in_iov_iter_writeable(i, size) \
	scull_fault_in_iov(i, size, true)
#endif

/*
 * The size of the kernel page-table entry that maps @addr, a kernel
 * virtual address: PAGE_SIZE, or a huge entry's (2 MiB or 1 GiB on x86_64
 * and i386 PAE), or 0 where a module cannot tell.  x86 exports
 * lookup_address() (GPL, since well before v5.10), which walks init_mm's
 * page tables and says at which level it stopped.  arm64 exports no
 * walker, and not init_mm either, whose tables a module would walk
 * itself: 0 there, shown as "map ?".
 */
#ifdef CONFIG_X86
#include <asm/pgtable.h>

static inline unsigned long scull_map_size(const void *addr)
{
	unsigned int level;
	pte_t *pte = lookup_address((unsigned long)addr, &level);

	if (!pte || !pte_present(*pte))
		return 0;
	return page_level_size(level);
}
#else
static inline unsigned long scull_map_size(const void *addr)
{
	return 0;
}
#endif

/*
 * v5.18 added vmalloc_huge(), which maps an area of PMD_SIZE or more with
 * huge entries where the architecture allows it (HAVE_ARCH_HUGE_VMALLOC:
 * x86_64 and arm64, not i386) and falls back to small pages otherwise;
 * v6.10 made it a macro over vmalloc_huge_noprof(), v7.x over
 * vmalloc_huge_node_noprof(): the name stays.  Before, nothing exported
 * can map vmalloc memory with huge entries: scullv refuses huge=1.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 18, 0)
#define SCULL_VMALLOC_HUGE_RULE	NULL
#define scull_vmalloc_huge(size, gfp)	vmalloc_huge(size, gfp)
#else
#define SCULL_VMALLOC_HUGE_RULE \
	"this kernel has no vmalloc_huge() (added in v5.18): vmalloc maps every page with its own entry"
#define scull_vmalloc_huge(size, gfp)	((void)(size), (void)(gfp), NULL)
#endif

/*
 * May a vmalloc area be mapped past the pages asked for, rounded up to a
 * huge entry?  From v5.18 (vmalloc_huge(), VM_ALLOW_HUGE_VMAP for
 * kvmalloc's fallback).  Before, an area is its pages and a guard page;
 * and before v5.13 vmalloc_to_page() WARNs on an address whose PMD is
 * empty, as the one past a guard page may be.  So the pages past a
 * quantum's last are looked up (scull_alloc.c) from v5.18 only.
 */
#define SCULL_VMALLOC_ROUNDS_UP	(LINUX_VERSION_CODE >= KERNEL_VERSION(5, 18, 0))

/*
 * The regions of the kernel's address space beyond the linear map and the
 * vmalloc range, from the architecture's constants (and, on x86, the
 * variables its headers read, which are exported: vmemmap_base for
 * x86_64's VMEMMAP_START under KASLR, __FIXADDR_TOP for i386's fixmap).
 * @end is exclusive.  SCULL_NR_REGIONS is the most an architecture has.
 *   modules: where modules are loaded (x86_64 and arm64: MODULES_VADDR to
 *	MODULES_END; i386 loads them into the vmalloc range, whose bounds
 *	its MODULES_VADDR and MODULES_END are);
 *   vmemmap: the virtual array of struct pages (SPARSEMEM_VMEMMAP: x86_64
 *	and arm64).  x86_64 names no end: its region ends here after the
 *	struct page of the last page frame, @last_pfn.  i386 has none: its
 *	struct pages are in the linear map;
 *   pkmap: i386's LAST_PKMAP pages for kmap()'s long-lived mappings;
 *   fixmap: addresses fixed at build time (FIXADDR_START to FIXADDR_TOP),
 *	among them, on i386, the per-CPU slots of kmap_local_page();
 *   pci-io: arm64's window onto PCI I/O ports.
 */
#define SCULL_NR_REGIONS	4

#if defined(CONFIG_X86) || defined(CONFIG_ARM64)
#include <asm/fixmap.h>
#endif

struct scull_region {
	const char *name;
	unsigned long start;
	unsigned long end;
};

static inline unsigned int scull_arch_regions(struct scull_region *r,
					      unsigned long last_pfn)
{
	unsigned int n = 0;

#if defined(CONFIG_X86) || defined(CONFIG_ARM64)
	r[n++] = (struct scull_region){ "modules", MODULES_VADDR, MODULES_END };
#endif
#if defined(CONFIG_ARM64)
	r[n++] = (struct scull_region){ "vmemmap", VMEMMAP_START, VMEMMAP_END };
	r[n++] = (struct scull_region){ "pci-io", PCI_IO_START, PCI_IO_END };
#elif defined(CONFIG_X86_64)
	r[n++] = (struct scull_region){ "vmemmap", VMEMMAP_START,
		(unsigned long)(pfn_to_page(last_pfn) + 1) };
#endif
#ifdef CONFIG_X86_32
	r[n++] = (struct scull_region){ "pkmap", PKMAP_BASE,
		PKMAP_BASE + LAST_PKMAP * PAGE_SIZE };
#endif
#if defined(CONFIG_X86) || defined(CONFIG_ARM64)
	r[n++] = (struct scull_region){ "fixmap", FIXADDR_START, FIXADDR_TOP };
#endif
	return n;
}

/*
 * Where this module's own code and data are, each span [start, end).
 * v6.4 gave each kind of a module's memory an allocation of its own:
 * mod->mem[MOD_TEXT], [MOD_RODATA], [MOD_DATA] (data and bss).  Before,
 * its core was one allocation, core_layout: text (text_size bytes), then
 * read-only data up to ro_size, data read-only after init up to
 * ro_after_init_size, then data and bss up to size.
 */
struct scull_module_spans {
	unsigned long text, text_end;
	unsigned long rodata, rodata_end;
	unsigned long data, data_end;
};

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
static inline void scull_module_spans(const struct module *mod,
				      struct scull_module_spans *s)
{
	const struct module_memory *t = &mod->mem[MOD_TEXT];
	const struct module_memory *ro = &mod->mem[MOD_RODATA];
	const struct module_memory *d = &mod->mem[MOD_DATA];

	s->text = (unsigned long)t->base;
	s->text_end = s->text + t->size;
	s->rodata = (unsigned long)ro->base;
	s->rodata_end = s->rodata + ro->size;
	s->data = (unsigned long)d->base;
	s->data_end = s->data + d->size;
}
#else
static inline void scull_module_spans(const struct module *mod,
				      struct scull_module_spans *s)
{
	const struct module_layout *l = &mod->core_layout;
	unsigned long base = (unsigned long)l->base;

	s->text = base;
	s->text_end = base + l->text_size;
	s->rodata = s->text_end;
	s->rodata_end = base + l->ro_size;
	s->data = base + l->ro_after_init_size;
	s->data_end = base + l->size;
}
#endif

#endif /* _SCULL_COMPAT_H */
