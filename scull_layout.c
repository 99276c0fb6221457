// SPDX-License-Identifier: GPL-2.0
/*
 * Where a quantum lies and how the kernel maps it: its pages, looked up
 * one by one through its backend (their pfns, contiguous runs, zones,
 * nodes and kind), and the page-table entries that map it, that is the
 * TLB entries its data needs (lookup_address() on x86; unknown where a
 * module cannot read the kernel's page tables).  /proc/scullmem presents
 * what this measures; nothing here allocates a quantum.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "scull_compat.h"	/* first: it stops a build for too old a kernel */

#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "scullmem.h"

static void scull_page_kind(struct page *page, struct scull_layout *layout)
{
	layout->order = 0;
	if (scull_page_slab(page)) {
		layout->kind = SCULL_KIND_SLAB;
	} else if (PageCompound(page)) {
		layout->kind = SCULL_KIND_COMPOUND;
		layout->order = compound_order(compound_head(page));
	} else {
		layout->kind = SCULL_KIND_PAGE;
	}
}

static void scull_page_where(struct page *page, struct scull_layout *layout)
{
	struct zone *zone = page_zone(page);
	int nid = page_to_nid(page);

	layout->zones[zone_idx(zone)] = zone;
	layout->nodes |= BIT(min_t(int, nid, BITS_PER_LONG - 1));
}

/**
 * scull_layout_page - the @i-th page that a quantum touches
 * @be:		its backend
 * @quantum:	the quantum
 * @layout:	its layout, from scull_quantum_layout()
 * @i:		below @layout->pages
 *
 * A slab object that is not page-aligned starts @layout->offset bytes into
 * its first page and ends in the page after its last whole one.
 */
struct page *scull_layout_page(const struct scull_backend *be, void *quantum,
			       const struct scull_layout *layout, unsigned int i)
{
	return be->page(quantum, i ? ((size_t)i << PAGE_SHIFT) - layout->offset : 0);
}

/**
 * scull_quantum_layout - describe where a quantum lies in physical memory
 * @be:		its backend
 * @quantum:	the quantum, as returned by the backend's alloc
 * @size:	its size in bytes
 * @layout:	filled with its kernel address and its offset in its first
 *		page, its first pfn, the pages it touches and their
 *		contiguous runs, the zones and nodes of those pages and what
 *		its first page is
 *
 * The pages are looked up one by one through the backend, so the
 * contiguity reported is measured, not assumed from the allocator's name.
 */
void scull_quantum_layout(const struct scull_backend *be, void *quantum,
			  size_t size, struct scull_layout *layout)
{
	unsigned long pfn, prev = 0;
	struct page *page;
	unsigned int i;

	memset(layout, 0, sizeof(*layout));
	layout->virt = be->vaddr(quantum);
	layout->vmalloc = layout->virt && is_vmalloc_addr(layout->virt);
	if (layout->virt)
		layout->offset = offset_in_page(layout->virt);
	layout->pages = DIV_ROUND_UP(layout->offset + size, PAGE_SIZE);
	for (i = 0; i < layout->pages; i++) {
		page = scull_layout_page(be, quantum, layout, i);
		pfn = page_to_pfn(page);
		if (i == 0) {
			layout->pfn = pfn;
			layout->nid = page_to_nid(page);
			scull_page_kind(page, layout);
		}
		if (i == 0 || pfn != prev + 1)
			layout->runs++;
		scull_page_where(page, layout);
		prev = pfn;
	}
}

/**
 * scull_page_span - widen a span of struct page addresses to a quantum's
 * @be:		its backend
 * @quantum:	the quantum
 * @size:	its size in bytes
 * @lo:		lowest struct page address so far (ULONG_MAX: none yet)
 * @hi:		one past the highest struct page so far (0: none yet)
 *
 * The struct pages of the pages the quantum touches, wherever the kernel
 * keeps them: in vmemmap on x86_64 and arm64, in the linear map on i386.
 */
void scull_page_span(const struct scull_backend *be, void *quantum,
		     size_t size, unsigned long *lo, unsigned long *hi)
{
	struct scull_layout l;
	unsigned long addr;
	unsigned int i;

	scull_quantum_layout(be, quantum, size, &l);
	for (i = 0; i < l.pages; i++) {
		addr = (unsigned long)scull_layout_page(be, quantum, &l, i);
		*lo = min(*lo, addr);
		*hi = max(*hi, addr + sizeof(struct page));
	}
}

/*
 * The sizes of the kernel's page-table entries: a page, a PMD's (2 MiB on
 * x86_64, i386 PAE and arm64 with 4 KiB pages) and a PUD's (1 GiB).
 */
const unsigned long scull_map_sizes[SCULL_MAP_NR_SIZES] = {
	PAGE_SIZE, PMD_SIZE, PUD_SIZE,
};

static int scull_map_index(unsigned long size)
{
	int i;

	for (i = 0; i < SCULL_MAP_NR_SIZES; i++) {
		if (scull_map_sizes[i] == size)
			return i;
	}
	return -1;
}

typedef void (*scull_map_fn)(void *arg, unsigned long base, unsigned int idx);

/*
 * Call @fn once for each kernel page-table entry that maps a byte of
 * [@virt, @virt + @len), in address order, with the entry's first address
 * and the index of its size.  Returns false, having stopped, at a page
 * whose entry cannot be told (scull_map_size()).
 */
static bool scull_map_walk(const void *virt, size_t len, scull_map_fn fn,
			   void *arg)
{
	unsigned long addr = (unsigned long)virt & PAGE_MASK;
	unsigned long end = (unsigned long)virt + len;
	unsigned long size, base;
	int idx;

	while (addr < end) {
		size = scull_map_size((void *)addr);
		idx = scull_map_index(size);
		if (idx < 0)
			return false;
		base = addr & ~(size - 1);
		fn(arg, base, idx);
		if (check_add_overflow(base, size, &addr))
			break;	/* the last entry of the address space */
	}
	return true;
}

/* One more entry in a quantum's runs. */
static void scull_map_entry(void *arg, unsigned long base, unsigned int idx)
{
	struct scull_map *map = arg;

	map->entries++;
	if (map->more)
		return;
	if (map->nr_runs && map->runs[map->nr_runs - 1].size == idx) {
		map->runs[map->nr_runs - 1].count++;
		return;
	}
	if (map->nr_runs == SCULL_MAP_RUNS) {
		map->more = true;
		return;
	}
	map->runs[map->nr_runs].size = idx;
	map->runs[map->nr_runs++].count = 1;
}

/**
 * scull_quantum_map - how the kernel's page tables map a quantum
 * @layout:	its layout, from scull_quantum_layout(): @layout->map is set
 * @size:	its size in bytes
 *
 * The entries are looked up for each stretch of the quantum's permanent
 * kernel address (one lookup per entry, not per page): the direct map's
 * 2 MiB or 1 GiB entries, vmalloc's 4 KiB ones, or a huge vmalloc
 * area's 2 MiB ones.  A quantum with no permanent address (high memory)
 * has none; where the entries cannot be told, none are counted.
 */
void scull_quantum_map(struct scull_layout *layout, size_t size)
{
	struct scull_map *map = &layout->map;

	memset(map, 0, sizeof(*map));
	if (!layout->virt) {
		map->state = SCULL_MAP_NONE;
		return;
	}
	if (!scull_map_walk(layout->virt, size, scull_map_entry, map)) {
		memset(map, 0, sizeof(*map));
		map->state = SCULL_MAP_UNKNOWN;
	}
}

/*
 * The count's own memory is small, and a reader of /proc/scullmem is no
 * reason to reclaim hard or to call in the OOM killer when the devices
 * have filled memory: without it the count is shown as unknown.
 */
#define SCULL_MAP_COUNT_GFP	(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN)

/**
 * scull_map_count_start - begin counting the entries that map a device
 * @c:	the count, emptied
 *
 * Return: 0, or -ENOMEM when there is no memory for the bitmap of the
 * direct map's huge entries (a bit per 2 MiB of it: 64 bytes a GiB).
 */
int scull_map_count_start(struct scull_map_count *c)
{
	memset(c, 0, sizeof(*c));
	xa_init(&c->shared);
	c->nbits = (((unsigned long)high_memory - 1 - PAGE_OFFSET) >> PMD_SHIFT) + 1;
	c->seen = bitmap_zalloc(c->nbits, SCULL_MAP_COUNT_GFP);
	return c->seen ? 0 : -ENOMEM;
}

/*
 * Has a 4K entry of the direct map been counted for another quantum?
 * Only a page that a quantum fills in part (a slab object off a page
 * boundary: slub_debug's red zone) can hold another quantum too: those
 * pages are kept in @c->shared, at most two a quantum.
 */
static bool scull_map_count_shared(struct scull_map_count *c,
				   unsigned long base)
{
	int err;

	if (base != c->first_part && base != c->last_part)
		return false;
	err = xa_insert(&c->shared, base >> PAGE_SHIFT, xa_mk_value(1),
			SCULL_MAP_COUNT_GFP);
	if (err == -ENOMEM)
		c->unknown = true;
	return err != 0;
}

/*
 * One entry of a device's quanta, counted unless counted already: a huge
 * entry of the direct map may map many quanta (the bitmap), and slab
 * objects may share a page (scull_map_count_shared()).  Every other entry
 * maps one quantum's pages only: each vmalloc area has its own, and a
 * whole page of the direct map belongs to one quantum.
 */
static void scull_map_count_entry(void *arg, unsigned long base,
				  unsigned int idx)
{
	struct scull_map_count *c = arg;
	unsigned long slot;

	if (base == c->prev && scull_map_sizes[idx] == c->prev_size)
		return;
	c->prev = base;
	c->prev_size = scull_map_sizes[idx];
	if (base >= PAGE_OFFSET && base < (unsigned long)high_memory) {
		slot = (base - PAGE_OFFSET) >> PMD_SHIFT;
		if (idx && slot < c->nbits && __test_and_set_bit(slot, c->seen))
			return;
		if (!idx && scull_map_count_shared(c, base))
			return;
	}
	c->entries[idx]++;
}

/**
 * scull_map_count_quantum - count the entries that map a quantum
 * @c:		the count, from scull_map_count_start()
 * @be:		the quantum's backend
 * @quantum:	the quantum
 * @size:	its size in bytes
 *
 * A quantum with no permanent kernel address adds none.
 */
void scull_map_count_quantum(struct scull_map_count *c,
			     const struct scull_backend *be, void *quantum,
			     size_t size)
{
	void *virt = be->vaddr(quantum);
	size_t len = size;

	if (!virt)
		return;
	/* The pages it fills in part, if any (ULONG_MAX: none). */
	c->first_part = offset_in_page(virt) ? (unsigned long)virt & PAGE_MASK : ULONG_MAX;
	c->last_part = offset_in_page(virt + len) ?
		       (unsigned long)(virt + len) & PAGE_MASK : ULONG_MAX;
	if (!scull_map_walk(virt, len, scull_map_count_entry, c))
		c->unknown = true;
}

unsigned long scull_map_count_total(const struct scull_map_count *c)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < SCULL_MAP_NR_SIZES; i++)
		n += c->entries[i];
	return n;
}

void scull_map_count_end(struct scull_map_count *c)
{
	xa_destroy(&c->shared);
	bitmap_free(c->seen);
	c->seen = NULL;
}
