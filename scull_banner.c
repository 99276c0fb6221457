// SPDX-License-Identifier: GPL-2.0
/*
 * The machine's memory, for the banner of /proc/scullmem: where the
 * kernel's linear map and vmalloc range are, with the rest of its address
 * space and scull.ko's own sections (to a privileged reader only: KASLR
 * moves them), the kernel's release, and each online node and
 * populated zone with its span of page frames, so that a saved snapshot
 * says where they were.  It only presents what the kernel's own
 * structures say; it touches no device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "scull_compat.h"	/* first: it stops a build for too old a kernel */

#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/seq_file.h>
#include <linux/topology.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>

#include "scullmem.h"

/* The last page frame of the machine: the end of the last node's span. */
static unsigned long scull_last_pfn(void)
{
	unsigned long last = 0;
	int nid;

	for_each_online_node(nid) {
		if (node_spanned_pages(nid))
			last = max(last, node_end_pfn(nid) - 1);
	}
	return last;
}

/*
 * The rest of the kernel's address space, one "region NAME START-END" line
 * each (END exclusive), from scull_arch_regions(), then "module NAME text
 * A-B, rodata C-D, data E-F": where scull.ko's own code, read-only data
 * and data (with bss) were loaded.
 */
static void scull_show_regions(struct seq_file *m)
{
	struct scull_region r[SCULL_NR_REGIONS];
	struct scull_module_spans s;
	unsigned int i, n;

	n = scull_arch_regions(r, scull_last_pfn());
	for (i = 0; i < n; i++)
		seq_printf(m, "region %s %0*lx-%0*lx\n", r[i].name,
			   SCULL_VIRT_WIDTH, r[i].start, SCULL_VIRT_WIDTH, r[i].end);
	scull_module_spans(THIS_MODULE, &s);
	seq_printf(m, "module %s text %0*lx-%0*lx, rodata %0*lx-%0*lx, data %0*lx-%0*lx\n",
		   KBUILD_MODNAME, SCULL_VIRT_WIDTH, s.text, SCULL_VIRT_WIDTH, s.text_end,
		   SCULL_VIRT_WIDTH, s.rodata, SCULL_VIRT_WIDTH, s.rodata_end,
		   SCULL_VIRT_WIDTH, s.data, SCULL_VIRT_WIDTH, s.data_end);
}

/*
 * Where the quanta can be: the linear map (PAGE_OFFSET up to high_memory,
 * the end of the RAM it maps: about 896 MiB on 32-bit x86) and the vmalloc
 * range.  KASLR moves both on x86_64, so only a privileged reader sees them.
 */
static void scull_show_layout(struct seq_file *m, bool privileged)
{
	if (!privileged) {
		seq_puts(m, "layout: hidden\n");
		return;
	}
	seq_printf(m, "layout: linear %0*lx-%0*lx, vmalloc %0*lx-%0*lx\n",
		   SCULL_VIRT_WIDTH, (unsigned long)PAGE_OFFSET,
		   SCULL_VIRT_WIDTH, (unsigned long)high_memory,
		   SCULL_VIRT_WIDTH, (unsigned long)VMALLOC_START,
		   SCULL_VIRT_WIDTH, (unsigned long)VMALLOC_END);
	scull_show_regions(m);
}

/*
 * Each populated zone of the machine, with its node and the span of its
 * pfns (holes included, as /proc/zoneinfo's start_pfn and spanned), so
 * that a saved snapshot says where the zones were.
 */
static void scull_show_machine_zones(struct seq_file *m)
{
	struct zone *zone;
	int nid, i;

	for_each_online_node(nid) {
		for (i = 0; i < MAX_NR_ZONES; i++) {
			zone = &NODE_DATA(nid)->node_zones[i];
			if (!populated_zone(zone))
				continue;
			seq_printf(m, "zone %s node %d pfn %lx-%lx present %lu\n",
				   zone->name, nid, zone->zone_start_pfn,
				   zone_end_pfn(zone) - 1, zone->present_pages);
		}
	}
}

/*
 * Each online node with its CPUs and the span of its pfns (holes included:
 * node_start_pfn to node_end_pfn, as the zones' spans), and its present
 * pages.  A kernel without CONFIG_NUMA has one node, 0, with every CPU.
 */
static void scull_show_machine_nodes(struct seq_file *m)
{
	int nid;

	for_each_online_node(nid) {
		seq_printf(m, "node %d cpus %*pbl", nid,
			   cpumask_pr_args(cpumask_of_node(nid)));
		if (node_spanned_pages(nid))
			seq_printf(m, " pfn %lx-%lx", node_start_pfn(nid),
				   node_end_pfn(nid) - 1);
		else
			seq_puts(m, " pfn -");	/* a node without memory */
		seq_printf(m, " present %lu\n", node_present_pages(nid));
	}
}

/**
 * scull_show_machine - the banner's lines on the machine
 * @m:		the seq_file
 * @privileged:	the reader may see kernel addresses
 */
void scull_show_machine(struct seq_file *m, bool privileged)
{
	scull_show_layout(m, privileged);
	seq_printf(m, "kernel %s %s\n", init_utsname()->release,
		   init_utsname()->machine);
	scull_show_machine_nodes(m);
	scull_show_machine_zones(m);
}
