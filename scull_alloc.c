// SPDX-License-Identifier: GPL-2.0
/*
 * The three allocators behind /dev/scullp, scullv, scullk.
 *
 * Each backend hands out quanta of PAGE_SIZE << order bytes.  None of them
 * zeroes: the char device core zeroes whatever part of a new quantum a
 * write does not fill, so a full-quantum write touches memory only once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "scull_compat.h"	/* first: it stops a build for too old a kernel */

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "scullmem.h"

/*
 * scullp: whole pages from the buddy allocator, as LDD3's scullp.  A
 * multi-page quantum is a compound page, so that each of its pages can be
 * mapped to user space and counted on its own.
 */
static void *scull_pages_alloc(unsigned int order, gfp_t gfp)
{
	return (void *)__get_free_pages(gfp | __GFP_COMP, order);
}

static void scull_pages_free(void *quantum, unsigned int order)
{
	free_pages((unsigned long)quantum, order);
}

static const struct scull_backend scull_pages_backend = {
	.devname	= "scullp",
	.name		= "__get_free_pages",
	.max_order	= SCULL_MAX_PAGE_ORDER,
	.mmap_min_order	= 0,
	.alloc		= scull_pages_alloc,
	.free		= scull_pages_free,
};

/* scullv: virtually contiguous memory, as LDD3's scullv. */
static void *scull_vmalloc_alloc(unsigned int order, gfp_t gfp)
{
	return __vmalloc(PAGE_SIZE << order, gfp);
}

static void scull_vmalloc_free(void *quantum, unsigned int order)
{
	vfree(quantum);
}

static const struct scull_backend scull_vmalloc_backend = {
	.devname	= "scullv",
	.name		= "vmalloc",
	.max_order	= SCULL_MAX_PAGE_ORDER,
	.mmap_min_order	= 0,
	.alloc		= scull_vmalloc_alloc,
	.free		= scull_vmalloc_free,
};

/*
 * scullk: kmalloc, served by slab caches up to KMALLOC_MAX_CACHE_SIZE (8 KiB
 * with SLUB) and by compound pages from the page allocator above.  Only the
 * latter may be mapped to user space, and only before v6.17
 * (SCULL_KMALLOC_MMAP_MIN_ORDER).
 */
static void *scull_kmalloc_alloc(unsigned int order, gfp_t gfp)
{
	return kmalloc(PAGE_SIZE << order, gfp);
}

static void scull_kmalloc_free(void *quantum, unsigned int order)
{
	kfree(quantum);
}

static const struct scull_backend scull_kmalloc_backend = {
	.devname	= "scullk",
	.name		= "kmalloc",
	.max_order	= SCULL_MAX_KMALLOC_ORDER,
	.mmap_min_order	= SCULL_KMALLOC_MMAP_MIN_ORDER,
	.alloc		= scull_kmalloc_alloc,
	.free		= scull_kmalloc_free,
};

/* Indexed by minor number. */
const struct scull_backend *const scull_backends[SCULL_NR_DEVS] = {
	&scull_pages_backend,
	&scull_vmalloc_backend,
	&scull_kmalloc_backend,
};

static unsigned long scull_addr_to_pfn(const void *addr, bool vmalloc)
{
	return vmalloc ? vmalloc_to_pfn(addr) : page_to_pfn(virt_to_page(addr));
}

/**
 * scull_quantum_page - the page that holds a byte of a quantum
 * @quantum:	the quantum, as returned by a backend's alloc
 * @offset:	offset of the byte in the quantum
 */
struct page *scull_quantum_page(void *quantum, size_t offset)
{
	void *addr = quantum + offset;

	return is_vmalloc_addr(addr) ? vmalloc_to_page(addr) : virt_to_page(addr);
}

/**
 * scull_quantum_layout - describe where a quantum lies in physical memory
 * @quantum:	the quantum, as returned by a backend's alloc
 * @order:	its order
 * @layout:	filled with its first pfn and its contiguous runs of pages
 *
 * The pages are looked up one by one, so the contiguity reported is
 * measured, not assumed from the allocator's name.
 */
void scull_quantum_layout(const void *quantum, unsigned int order,
			  struct scull_layout *layout)
{
	unsigned int i, pages = 1U << order;
	unsigned long pfn, prev = 0;

	layout->vmalloc = is_vmalloc_addr(quantum);
	layout->pages = pages;
	layout->runs = 0;
	for (i = 0; i < pages; i++) {
		pfn = scull_addr_to_pfn(quantum + i * PAGE_SIZE, layout->vmalloc);
		if (i == 0)
			layout->pfn = pfn;
		if (i == 0 || pfn != prev + 1)
			layout->runs++;
		prev = pfn;
	}
}
