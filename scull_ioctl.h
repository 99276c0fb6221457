/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user-space interface of the scull devices: the ioctl commands and
 * their arguments.  A program includes this file, as LDD3's scull.h was
 * included (scripts/scullctl.c, the tests and the bench do); the module
 * includes it through scullmem.h.  It holds nothing else.
 */
#ifndef _SCULL_IOCTL_H
#define _SCULL_IOCTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct scull_geometry - what SCULL_IOC_GET_GEOMETRY returns
 * @order:		page order of a quantum: get_order(@quantum)
 * @qset:		quanta per qset
 * @quantum:		bytes per quantum
 * @size:		bytes of data: one past the highest byte written
 * @quanta:		quanta allocated
 * @bytes_allocated:	bytes of quanta allocated (@quanta * @quantum)
 */
struct scull_geometry {
	__u32 order;
	__u32 qset;
	__u64 quantum;
	__u64 size;
	__u64 quanta;
	__u64 bytes_allocated;
};

#define SCULL_IOC_MAGIC		'k'	/* as in LDD3 */
/* Read the device's geometry and usage. */
#define SCULL_IOC_GET_GEOMETRY	_IOR(SCULL_IOC_MAGIC, 1, struct scull_geometry)
/* Set the order or qset of an empty device (CAP_SYS_ADMIN). */
#define SCULL_IOC_SET_ORDER	_IOW(SCULL_IOC_MAGIC, 2, __u32)
#define SCULL_IOC_SET_QSET	_IOW(SCULL_IOC_MAGIC, 3, __u32)
/* Free all data, as opening with O_TRUNC does (needs write access). */
#define SCULL_IOC_RESET		_IO(SCULL_IOC_MAGIC, 4)

/**
 * struct scull_gfp - how a device allocates its quanta (SET_GFP, GET_GFP)
 * @zone:	SCULL_GFP_ZONE_*: the zone modifier, where pages may come from
 * @action:	SCULL_GFP_ACT_*: the action type, how the allocation may wait
 *
 * Settable while the device is empty, by CAP_SYS_ADMIN.  Each backend
 * refuses what its allocator cannot do, with EINVAL and a dmesg line that
 * states the rule.
 */
struct scull_gfp {
	__u32 zone;
	__u32 action;
};

#define SCULL_GFP_ZONE_NORMAL	0	/* no modifier (default) */
#define SCULL_GFP_ZONE_DMA	1	/* __GFP_DMA */
#define SCULL_GFP_ZONE_DMA32	2	/* __GFP_DMA32 */
#define SCULL_GFP_ZONE_HIGHMEM	3	/* __GFP_HIGHMEM */
#define SCULL_GFP_ZONE_MOVABLE	4	/* __GFP_MOVABLE: always refused */
#define SCULL_GFP_NR_ZONES	5
#define SCULL_GFP_ZONE_NAMES	{ "normal", "dma", "dma32", "highmem", "movable" }

#define SCULL_GFP_ACT_KERNEL	0	/* GFP_KERNEL (default) */
#define SCULL_GFP_ACT_ATOMIC	1	/* GFP_ATOMIC */
#define SCULL_GFP_ACT_NOWAIT	2	/* GFP_NOWAIT */
#define SCULL_GFP_ACT_NOIO	3	/* GFP_NOIO */
#define SCULL_GFP_ACT_NOFS	4	/* GFP_NOFS */
#define SCULL_GFP_NR_ACTS	5
#define SCULL_GFP_ACT_NAMES	{ "kernel", "atomic", "nowait", "noio", "nofs" }

#define SCULL_IOC_SET_GFP	_IOW(SCULL_IOC_MAGIC, 5, struct scull_gfp)
#define SCULL_IOC_GET_GFP	_IOR(SCULL_IOC_MAGIC, 6, struct scull_gfp)

/*
 * Huge mappings for an empty scullv (CAP_SYS_ADMIN): 1 allocates its
 * quanta with vmalloc_huge(), which maps a quantum of 2 MiB or more with
 * PMD entries where the architecture and the memory allow, 0 with
 * vmalloc().  The other devices, and kernels without vmalloc_huge(),
 * refuse 1 with EINVAL and a dmesg line that says why.
 */
#define SCULL_IOC_SET_HUGE	_IOW(SCULL_IOC_MAGIC, 7, __u32)
#define SCULL_IOC_GET_HUGE	_IOR(SCULL_IOC_MAGIC, 8, __u32)

/*
 * The NUMA node a device asks its allocator for new quanta on: an online
 * node's number, or SCULL_NODE_LOCAL (the allocator's own choice, the
 * default).  Settable at any time, by CAP_SYS_ADMIN; it applies to quanta
 * allocated after.  Anything else is refused with EINVAL and a dmesg line
 * that lists the online nodes.
 */
#define SCULL_NODE_LOCAL	(-1)
#define SCULL_IOC_SET_NODE	_IOW(SCULL_IOC_MAGIC, 9, __s32)
#define SCULL_IOC_GET_NODE	_IOR(SCULL_IOC_MAGIC, 10, __s32)

/*
 * The quantum of an empty device in bytes (CAP_SYS_ADMIN): any size from 1
 * to its allocator's limit, which is below 2^32.  SET_ORDER sets it to
 * PAGE_SIZE << order.  A device that holds data refuses it with EBUSY, a
 * size out of range with EINVAL and a dmesg line that names the limit.
 */
#define SCULL_IOC_SET_QUANTUM	_IOW(SCULL_IOC_MAGIC, 11, __u64)
#define SCULL_IOC_GET_QUANTUM	_IOR(SCULL_IOC_MAGIC, 12, __u64)

#endif /* _SCULL_IOCTL_H */
