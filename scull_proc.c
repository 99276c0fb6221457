// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/scullmem, a snapshot of every quantum of every device.
 *
 * The file is a seq_file, so it streams any number of quanta through a
 * small buffer.  The walk holds the lock of the device it is in between
 * start() and stop(), like /proc/misc holds misc_mtx.
 *
 * Its position encodes where the walk is: 0 is the banner, then for device
 * number d, (d + 1) << SCULL_POS_SHIFT is the device's header and
 * ((d + 1) << SCULL_POS_SHIFT) + i + 1 is quantum i.  Quantum indexes stay
 * below 2^SCULL_QIDX_BITS (scull_limit_of()), so i + 2 fits below the
 * shift, and the end, SCULL_NR_DEVS + 1 above it, fits in a loff_t.
 *
 * The banner, the machine's memory (scull_banner.c), is followed by each
 * device's allocation statistics; writing "reset" to the file clears them.
 *
 * It only presents: it calls scull_show_machine(), scull_dev_get(), the
 * store's lookups (scull_find_quantum, scull_meta_bytes),
 * scull_quantum_layout(), scull_quantum_map() and the map count of
 * scull_layout.c and, for "reset", scull_reset_stats(); it changes no
 * data.
 *
 * Kernel addresses are shown only to a reader who had CAP_SYS_ADMIN when
 * opening the file; everyone else sees zeros in their place, and "-" for
 * the runs of page frames.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "scull_compat.h"	/* first: it stops a build for too old a kernel */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/proc_fs.h>
#include <linux/sched/signal.h>
#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/math64.h>
#include <linux/mmzone.h>
#include <linux/numa.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "scullmem.h"

#define SCULL_PROC_NAME	"scullmem"
#define SCULL_POS_SHIFT	(SCULL_QIDX_BITS + 1)
#define SCULL_POS_SUB	((1ULL << SCULL_POS_SHIFT) - 1)
static_assert(SCULL_NR_DEVS + 1 <= (LLONG_MAX >> SCULL_POS_SHIFT),
	      "/proc/scullmem's positions must hold every device's number");

/**
 * struct scull_proc_iter - state of one reader of /proc/scullmem
 * @privileged:	the opener may see kernel addresses
 * @locked:	the device whose lock the walk holds, if any
 * @devno:	the device being shown
 * @header:	the device's header is being shown, not a quantum
 * @new_qset:	the quantum is the first one shown of its qset
 * @qidx:	index of the quantum being shown
 * @quantum:	the quantum being shown (its backend's handle)
 * @qset:	the qset array that holds it
 */
struct scull_proc_iter {
	bool privileged;
	struct scull_dev *locked;
	unsigned int devno;
	bool header;
	bool new_qset;
	unsigned long qidx;
	void *quantum;
	void **qset;
};

static loff_t scull_pos(unsigned int devno, unsigned long long sub)
{
	return ((loff_t)(devno + 1) << SCULL_POS_SHIFT) | sub;
}

static int scull_proc_lock(struct scull_proc_iter *it, struct scull_dev *dev)
{
	if (it->locked == dev)
		return 0;
	if (it->locked)
		mutex_unlock(&it->locked->lock);
	it->locked = NULL;
	if (mutex_lock_interruptible(&dev->lock))
		return -ERESTARTSYS;
	it->locked = dev;
	return 0;
}

/*
 * Move to the first record at or after *@pos and lock its device.  When
 * @from_start is set the walk resumes in a new read(), and whether the
 * quantum opens its qset is worked out from the start of that qset.
 */
static void *scull_proc_seek(struct scull_proc_iter *it, loff_t *pos,
			     bool from_start)
{
	unsigned int devno = (*pos >> SCULL_POS_SHIFT) - 1;
	unsigned long long sub = *pos & SCULL_POS_SUB;

	for (; devno < SCULL_NR_DEVS; devno++, sub = 0) {
		struct scull_dev *dev = scull_dev_get(devno);
		unsigned long want, first;
		int err;

		err = scull_proc_lock(it, dev);
		if (err)
			return ERR_PTR(err);
		it->devno = devno;
		*pos = scull_pos(devno, sub);
		if (!sub) {
			it->header = true;
			return it;
		}
		want = sub - 1;
		if (from_start) {
			/* Is there an earlier quantum in this qset? */
			first = rounddown(want, dev->qset);
			it->quantum = scull_find_quantum(dev, &first, &it->qset);
			if (it->quantum && first < want)
				it->quantum = scull_find_quantum(dev, &want, &it->qset);
			else
				want = first;
		} else {
			first = it->qidx;
			it->quantum = scull_find_quantum(dev, &want, &it->qset);
		}
		if (it->quantum) {
			it->header = false;
			it->new_qset = first == want ||
				       first / dev->qset != want / dev->qset;
			it->qidx = want;
			*pos = scull_pos(devno, want + 1ULL);
			return it;
		}
	}
	*pos = scull_pos(SCULL_NR_DEVS, 0);
	return NULL;
}

static void *scull_seq_start(struct seq_file *m, loff_t *pos)
{
	if (!*pos)
		return SEQ_START_TOKEN;
	return scull_proc_seek(m->private, pos, true);
}

static void *scull_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct scull_proc_iter *it = m->private;

	if (v == SEQ_START_TOKEN) {
		*pos = scull_pos(0, 0);
		return scull_proc_seek(it, pos, true);
	}
	if (it->header) {
		*pos = scull_pos(it->devno, 1);
		it->qidx = ULONG_MAX;	/* no quantum shown yet */
		return scull_proc_seek(it, pos, true);
	}
	*pos = scull_pos(it->devno, it->qidx + 2ULL);
	return scull_proc_seek(it, pos, false);
}

static void scull_seq_stop(struct seq_file *m, void *v)
{
	struct scull_proc_iter *it = m->private;

	if (it->locked)
		mutex_unlock(&it->locked->lock);
	it->locked = NULL;
}

static unsigned long scull_shown(const struct scull_proc_iter *it,
				 const void *addr)
{
	return it->privileged ? (unsigned long)addr : 0;
}

/* The names of the zones set in @zones, by zone index, comma-separated. */
static void scull_show_zones(struct seq_file *m, struct zone *const *zones)
{
	const char *sep = "";
	unsigned int i;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		if (zones[i]) {
			seq_printf(m, "%s%s", sep, zones[i]->name);
			sep = ",";
		}
	}
}

/*
 * The device's quanta per zone: a quantum counts in each zone that holds
 * one of its pages, so a scattered vmalloc quantum can count in several.
 * For a backend whose quanta may be in high memory, also how many have no
 * permanent kernel address.  The store keeps the counts as quanta come and
 * go: showing them costs the same whatever the device holds.
 */
static void scull_show_zone_counts(struct seq_file *m, struct scull_dev *dev)
{
	const struct zone *zones = NODE_DATA(first_online_node)->node_zones;
	const char *sep = " ";
	unsigned int i;

	seq_puts(m, "  quanta by zone:");
	for (i = 0; i < MAX_NR_ZONES; i++) {
		if (dev->zone_quanta[i]) {
			seq_printf(m, "%s%s %lu", sep, zones[i].name,
				   dev->zone_quanta[i]);
			sep = ", ";
		}
	}
	seq_puts(m, *sep == ' ' ? " none\n" : "\n");
	if (dev->be->kmap)
		seq_printf(m, "  highmem quanta %lu (no kernel mapping: virt -)\n",
			   dev->nr_unmapped);
}

/*
 * The device's quanta per node, by the node of each one's first page, and
 * how many of them have pages on more than one node (a vmalloc quantum's
 * pages are allocated one by one), also kept by the store.  Then the node
 * asked of the allocator: local (its own choice) or a number.
 */
static void scull_show_node_counts(struct seq_file *m, struct scull_dev *dev)
{
	int node = READ_ONCE(dev->node);
	const char *sep = " ";
	int nid;

	seq_puts(m, "  quanta by node:");
	for_each_node(nid) {
		if (dev->node_quanta[nid]) {
			seq_printf(m, "%s%d %lu", sep, nid, dev->node_quanta[nid]);
			sep = ", ";
		}
	}
	seq_printf(m, "%s; on several nodes %lu; node ",
		   *sep == ' ' ? " none" : "", dev->nr_multinode);
	if (node == NUMA_NO_NODE)
		seq_puts(m, "local\n");
	else
		seq_printf(m, "%d\n", node);
}

/* A page-table entry's size: "4K", "2M", "1G". */
static void scull_show_entry_size(struct seq_file *m, unsigned int idx)
{
	unsigned long size = scull_map_sizes[idx];

	if (size >= SZ_1G)
		seq_printf(m, "%luG", size / SZ_1G);
	else if (size >= SZ_1M)
		seq_printf(m, "%luM", size / SZ_1M);
	else
		seq_printf(m, "%luK", size / SZ_1K);
}

/*
 * "page-table entries: N (4K A, 2M B)": the distinct kernel page-table
 * entries, that is TLB entries, that map the device's data, by size.  It
 * takes a walk of every quantum under the lock, so only a privileged
 * reader gets it ("-" for the others): anyone else's read holds the lock
 * only for what it prints.  "?" where the entries cannot be told, or
 * there was no memory to count them.
 */
static void scull_show_map_count(struct seq_file *m, struct scull_proc_iter *it,
				 struct scull_dev *dev)
{
	struct scull_map_count c;
	unsigned long qidx = 0;
	const char *sep = " (";
	void **qset;
	void *quantum;
	unsigned int i;

	seq_puts(m, "  page-table entries: ");
	if (!it->privileged) {
		seq_puts(m, "-\n");
		return;
	}
	if (scull_map_count_start(&c)) {
		seq_puts(m, "?\n");
		return;
	}
	while ((quantum = scull_find_quantum(dev, &qidx, &qset))) {
		scull_map_count_quantum(&c, dev->be, quantum, dev->quantum);
		if (c.unknown || ++qidx == 0)
			break;
		/* A reader killed mid-walk lets the writers have the lock. */
		if (fatal_signal_pending(current)) {
			c.unknown = true;
			break;
		}
		cond_resched();
	}
	if (c.unknown) {
		seq_puts(m, "?\n");
		goto out_end;
	}
	seq_printf(m, "%lu", scull_map_count_total(&c));
	for (i = 0; i < SCULL_MAP_NR_SIZES; i++) {
		if (!c.entries[i])
			continue;
		seq_puts(m, sep);
		scull_show_entry_size(m, i);
		seq_printf(m, " %lu", c.entries[i]);
		sep = ", ";
	}
	seq_puts(m, *sep == ',' ? ")\n" : "\n");
out_end:
	scull_map_count_end(&c);
}

/*
 * "  struct pages A-B": where the struct pages of the device's data are,
 * from the lowest to one past the highest (in vmemmap on x86_64 and arm64,
 * in the linear map on i386); "-" with no quanta, "?" for a walk cut
 * short.  A walk of every quantum, as the count of page-table entries: a
 * privileged reader's only.
 */
static void scull_show_page_span(struct seq_file *m, struct scull_proc_iter *it,
				 struct scull_dev *dev)
{
	unsigned long lo = ULONG_MAX, hi = 0, qidx = 0;
	void **qset;
	void *quantum;

	seq_puts(m, "  struct pages ");
	if (!it->privileged) {
		seq_puts(m, "-\n");
		return;
	}
	while ((quantum = scull_find_quantum(dev, &qidx, &qset))) {
		scull_page_span(dev->be, quantum, dev->quantum, &lo, &hi);
		if (++qidx == 0)
			break;
		if (fatal_signal_pending(current)) {
			seq_puts(m, "?\n");
			return;
		}
		cond_resched();
	}
	if (lo >= hi)
		seq_puts(m, "-\n");
	else
		seq_printf(m, "%0*lx-%0*lx\n", SCULL_VIRT_WIDTH, lo,
			   SCULL_VIRT_WIDTH, hi);
}

/*
 * "  kmap last ADDR": where the backend's last temporary mapping of a page
 * was (kmap_local_page(): in the fixmap on i386 for a page of high memory,
 * the page's linear-map address for any other), "-" before the first.
 */
static void scull_show_last_map(struct seq_file *m, struct scull_proc_iter *it,
				struct scull_dev *dev)
{
	void *addr;

	if (!dev->be->last_map)
		return;
	addr = dev->be->last_map();
	if (addr)
		seq_printf(m, "  kmap last %0*lx\n", SCULL_VIRT_WIDTH,
			   scull_shown(it, addr));
	else
		seq_puts(m, "  kmap last -\n");
}

/*
 * "  held: asked A bytes, held H bytes, overhead P%": the bytes of the
 * quanta as asked of the allocator, what it holds for them (the store
 * keeps the sum as quanta come and go), and how much more that is, in
 * percent of what was asked, to a tenth.
 */
static void scull_show_held(struct seq_file *m, struct scull_dev *dev)
{
	u64 asked = (u64)dev->nr_quanta * scull_quantum_size(dev);
	u64 held = dev->held_bytes;
	u64 permille = 0, whole;
	u32 tenth;

	if (asked && held > asked)
		permille = div64_u64((held - asked) * 1000, asked);
	whole = div_u64_rem(permille, 10, &tenth);
	seq_printf(m, "  held: asked %llu bytes, held %llu bytes, overhead %llu.%u%%\n",
		   asked, held, whole, tenth);
}

static void scull_show_header(struct seq_file *m, struct scull_proc_iter *it,
			      struct scull_dev *dev)
{
	seq_printf(m, "Device %s: qset %u, order %u, sz %lld\n",
		   dev->be->devname, dev->qset, dev->order, dev->size);
	seq_printf(m, "  backend %s, quantum %zu, quanta %lu, qsets %lu\n",
		   dev->be->name, scull_quantum_size(dev), dev->nr_quanta,
		   dev->nr_qsets);
	scull_show_held(m, dev);
	if (dev->be->show)
		dev->be->show(dev->be_ctx, m);
	scull_show_zone_counts(m, dev);
	scull_show_node_counts(m, dev);
	scull_show_map_count(m, it, dev);
	scull_show_page_span(m, it, dev);
	scull_show_last_map(m, it, dev);
}

/*
 * The zones and NUMA nodes of a quantum's pages, and what its first page
 * is.  The slab cache of a slab page has no stable, exported accessor
 * (struct slab and, since v6.8, struct kmem_cache are private to mm/), so
 * its name is shown only when the backend owns the cache, "-" otherwise.
 */
static void scull_show_where(struct seq_file *m, struct scull_dev *dev,
			     const struct scull_layout *l)
{
	unsigned int i, n, nr_zones = 0;
	const char *sep = "";

	for (i = 0; i < MAX_NR_ZONES; i++)
		nr_zones += !!l->zones[i];
	seq_puts(m, nr_zones > 1 ? " zones " : " zone ");
	scull_show_zones(m, l->zones);
	seq_puts(m, hweight_long(l->nodes) > 1 ? " nodes " : " node ");
	for_each_set_bit(n, &l->nodes, BITS_PER_LONG) {
		seq_printf(m, "%s%u", sep, n);
		sep = ",";
	}
	switch (l->kind) {
	case SCULL_KIND_SLAB:
		seq_printf(m, " kind slab cache %s",
			   dev->be->cache ? dev->be->cache(dev->be_ctx) : "-");
		break;
	case SCULL_KIND_COMPOUND:
		seq_printf(m, " kind compound order %u", l->order);
		break;
	default:
		seq_puts(m, " kind page");
		break;
	}
}

/*
 * " map RUNS": the sizes of the kernel page-table entries that map the
 * quantum, in address order, a run of entries of one size each: "SIZE"
 * for one entry, "SIZExN" for N in a row, comma-separated ("2M",
 * "4Kx4", "2M,4Kx3"; ",..." when there were more runs than kept).  "-":
 * no permanent mapping (high memory); "?": the entries cannot be told.
 */
static void scull_show_map(struct seq_file *m, const struct scull_map *map)
{
	const char *sep = " map ";
	unsigned int i;

	if (map->state != SCULL_MAP_SIZES || !map->nr_runs) {
		seq_puts(m, map->state == SCULL_MAP_NONE ? " map -" : " map ?");
		return;
	}
	for (i = 0; i < map->nr_runs; i++) {
		seq_puts(m, sep);
		scull_show_entry_size(m, map->runs[i].size);
		if (map->runs[i].count > 1)
			seq_printf(m, "x%u", map->runs[i].count);
		sep = ",";
	}
	if (map->more)
		seq_puts(m, ",...");
}

/* A run of page frames, "FIRST-LAST" or "PFN" in hex, after @sep. */
static void scull_show_run(struct seq_file *m, const char *sep,
			   unsigned long first, unsigned long last)
{
	if (first == last)
		seq_printf(m, "%s%lx", sep, first);
	else
		seq_printf(m, "%s%lx-%lx", sep, first, last);
}

/*
 * " pfns RUNS": the physically contiguous runs of the pages a quantum
 * touches, in the quantum's order, comma-separated, as its backend finds
 * them.
 */
static void scull_show_pfns(struct seq_file *m, struct scull_dev *dev,
			    void *quantum, const struct scull_layout *l)
{
	unsigned long pfn, first = 0, last = 0;
	const char *sep = " pfns ";
	unsigned int i;

	for (i = 0; i < l->pages; i++) {
		pfn = page_to_pfn(scull_layout_page(dev->be, quantum, l, i));
		if (i && pfn == last + 1) {
			last = pfn;
			continue;
		}
		if (i) {
			scull_show_run(m, sep, first, last);
			sep = ",";
		}
		first = pfn;
		last = pfn;
	}
	scull_show_run(m, sep, first, last);
}

/*
 * " holds N": what the allocator set aside for the quantum, then for a
 * vmalloc quantum " span N", its stretch of the vmalloc range with the
 * guard page, and what the backend's show_held prints: for a kmalloc one
 * " from CACHE", the kmalloc cache that served it, and for a kvmalloc one
 * " via kmalloc" or " via vmalloc".  After the pfns, so that the fields
 * before keep their places.
 */
static void scull_show_holds(struct seq_file *m, struct scull_dev *dev,
			     void *quantum)
{
	struct scull_held h;

	scull_held(dev, quantum, &h);
	seq_printf(m, " holds %zu", h.bytes);
	if (h.span)
		seq_printf(m, " span %zu", h.span);
	if (dev->be->show_held)
		dev->be->show_held(dev->be_ctx, quantum, dev->quantum,
				   dev->gfp_mask, m);
}

static void scull_show_quantum(struct seq_file *m, struct scull_proc_iter *it,
			       struct scull_dev *dev)
{
	struct scull_layout l = { };
	unsigned long long phys = 0;

	if (it->new_qset)
		seq_printf(m, "  qset %lu at %0*lx\n", it->qidx / dev->qset,
			   SCULL_VIRT_WIDTH, scull_shown(it, it->qset));
	scull_quantum_layout(dev->be, it->quantum, dev->quantum, &l);
	if (it->privileged)
		phys = (unsigned long long)PFN_PHYS(l.pfn) + l.offset;
	else
		l.pfn = 0;
	seq_printf(m, "    quantum %lu: virt ", it->qidx);
	if (l.virt)
		seq_printf(m, "%0*lx", SCULL_VIRT_WIDTH, scull_shown(it, l.virt));
	else
		seq_putc(m, '-');	/* high memory: no permanent mapping */
	seq_printf(m, " phys %016llx pfn %lx %s pages %u runs %u %s", phys, l.pfn,
		   !l.virt ? "highmem" : l.vmalloc ? "vmalloc" : "linear",
		   l.pages, l.runs, l.runs == 1 ? "contiguous" : "scattered");
	scull_show_where(m, dev, &l);
	scull_quantum_map(&l, dev->quantum);
	scull_show_map(m, &l.map);
	if (it->privileged)
		scull_show_pfns(m, dev, it->quantum, &l);
	else
		seq_puts(m, " pfns -");
	scull_show_holds(m, dev, it->quantum);
	seq_putc(m, '\n');
}

static void scull_show_stats(struct seq_file *m, struct scull_dev *dev)
{
	const struct scull_stats *st = &dev->stats;
	const char *name = dev->be->devname;
	u64 data = (u64)dev->nr_quanta * scull_quantum_size(dev);
	u64 meta = scull_meta_bytes(dev);
	u64 milli = data ? div64_u64(meta * 100000, data) : 0;
	u32 frac;
	u64 whole = div_u64_rem(milli, 1000, &frac);
	unsigned int i;

	seq_printf(m, "stats %s: allocs %lu, frees %lu, failures %lu, alloc ns min %llu mean %llu max %llu\n",
		   name, st->allocs, st->frees, st->failures, st->lat_min,
		   st->allocs ? div64_u64(st->lat_sum, st->allocs) : 0,
		   st->lat_max);
	seq_printf(m, "stats %s: qset array failures %lu, index failures %lu\n",
		   name, st->qset_failures, st->index_failures);
	seq_printf(m, "stats %s: alloc ns log2 histogram:", name);
	for (i = 0; i < SCULL_LAT_BUCKETS; i++) {
		if (st->lat_hist[i])
			seq_printf(m, " 2^%u:%lu", i, st->lat_hist[i]);
	}
	seq_printf(m, "\nstats %s: metadata %llu bytes, data %llu bytes, metadata/data %llu.%03u%%\n",
		   name, meta, data, whole, frac);
}

static int scull_show_banner(struct seq_file *m, struct scull_proc_iter *it)
{
	unsigned int i;

	seq_printf(m, "scullmem: page_size %lu, view %s\n", PAGE_SIZE,
		   it->privileged ? "privileged" :
		   "unprivileged (addresses hidden)");
	scull_show_machine(m, it->privileged);
	for (i = 0; i < SCULL_NR_DEVS; i++) {
		struct scull_dev *dev = scull_dev_get(i);

		if (mutex_lock_interruptible(&dev->lock))
			return -ERESTARTSYS;
		scull_show_stats(m, dev);
		mutex_unlock(&dev->lock);
	}
	return 0;
}

static int scull_seq_show(struct seq_file *m, void *v)
{
	struct scull_proc_iter *it = m->private;
	struct scull_dev *dev;

	if (v == SEQ_START_TOKEN)
		return scull_show_banner(m, it);
	dev = scull_dev_get(it->devno);
	if (it->header)
		scull_show_header(m, it, dev);
	else
		scull_show_quantum(m, it, dev);
	return 0;
}

static const struct seq_operations scull_seq_ops = {
	.start	= scull_seq_start,
	.next	= scull_seq_next,
	.stop	= scull_seq_stop,
	.show	= scull_seq_show,
};

static int scull_proc_open(struct inode *inode, struct file *file)
{
	struct scull_proc_iter *it;

	it = __seq_open_private(file, &scull_seq_ops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	/* Decided once, with the opener's credentials, as for kptr_restrict. */
	it->privileged = file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);
	return 0;
}

/* "reset" clears the statistics. */
static ssize_t scull_proc_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	char buf[8];

	if (count >= sizeof(buf) || copy_from_user(buf, ubuf, count)) {
		pr_info_ratelimited("/proc/%s takes only \"reset\"\n", SCULL_PROC_NAME);
		return count >= sizeof(buf) ? -EINVAL : -EFAULT;
	}
	buf[count] = '\0';
	if (strcmp(strim(buf), "reset")) {
		pr_info_ratelimited("/proc/%s takes only \"reset\"\n", SCULL_PROC_NAME);
		return -EINVAL;
	}
	scull_reset_stats();
	return count;
}

static const struct proc_ops scull_proc_ops = {
	.proc_open	= scull_proc_open,
	.proc_write	= scull_proc_write,
	.proc_read_iter	= seq_read_iter,
	.proc_lseek	= seq_lseek,
	.proc_release	= seq_release_private,
};

int scull_proc_init(void)
{
	if (!proc_create(SCULL_PROC_NAME, 0644, NULL, &scull_proc_ops)) {
		pr_err("cannot create /proc/%s\n", SCULL_PROC_NAME);
		return -ENOMEM;
	}
	return 0;
}

void scull_proc_exit(void)
{
	remove_proc_entry(SCULL_PROC_NAME, NULL);
}
