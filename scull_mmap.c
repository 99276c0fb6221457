// SPDX-License-Identifier: GPL-2.0
/*
 * mmap of a scull device and its fault handler.
 *
 * Owns the device's user mappings: it checks that a mapping may be made,
 * counts the mappings (nr_maps: while there are none, a truncation has no
 * page tables to zap) and maps a quantum's page into a process on a fault,
 * allocating a zeroed quantum for a hole.  It calls the quantum store
 * (scull_slot, scull_new_quantum, scull_publish) and reaches a quantum's
 * pages only through scull_quantum_page(): it never names an allocator.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "scull_compat.h"	/* first: it stops a build for too old a kernel */

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "scullmem.h"

static void scull_vm_open(struct vm_area_struct *vma)
{
	struct scull_dev *dev = vma->vm_private_data;

	atomic_inc(&dev->nr_maps);
}

static void scull_vm_close(struct vm_area_struct *vma)
{
	struct scull_dev *dev = vma->vm_private_data;

	atomic_dec(&dev->nr_maps);
}

/*
 * Map the page that holds offset pgoff << PAGE_SHIFT, allocating a zeroed
 * quantum for a hole.  Past the end of data, as past the end of a file,
 * the access gets SIGBUS; so does one that finds no memory, which must not
 * wake the OOM killer, and one at a quantum size that may not be mapped
 * (slab memory, or not whole pages), which the device may have been given
 * since the mmap.
 *
 * Only the inner lock: a write holding the outer one may fault on a
 * mapping of its own device.  The page is returned locked
 * (VM_FAULT_LOCKED), locked before the inner lock is dropped: a truncation,
 * which zaps the device's mappings under that lock, waits for it and so
 * for the page to be in the page table (scull_unmap_all()), and no fault
 * maps a page of quanta already freed.
 *
 * A read fault on a hole allocates, whatever the opener's access, as in
 * tmpfs: the mapping is shared and must see what a later write stores
 * there, which the shared zero page would not.  It is charged to the
 * faulting task's memory cgroup and bounded by the device's size, which
 * only a writer sets.
 */
static vm_fault_t scull_vm_fault(struct vm_fault *vmf)
{
	struct scull_dev *dev = vmf->vma->vm_private_data;
	loff_t pos = (loff_t)vmf->pgoff << PAGE_SHIFT;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	struct scull_cursor c = SCULL_CURSOR_INIT;
	struct scull_pos p;
	void **slot;

	mutex_lock(&dev->lock);
	if (pos >= dev->size || !scull_mappable(dev))
		goto out_unlock;
	scull_locate(pos, dev->quantum, dev->qset, &p);
	slot = scull_slot(dev, &c, &p, true);
	if (slot && !*slot) {
		void *fresh = scull_new_quantum(dev, p.qidx, 0, 0);

		if (fresh)
			scull_publish(dev, slot, fresh);
	}
	if (!slot || !*slot) {
		scull_user_err(dev, "out of memory mapping offset %lld\n", pos);
		goto out_unlock;
	}
	vmf->page = scull_quantum_page(dev, *slot, p.off);
	get_page(vmf->page);
	lock_page(vmf->page);
	ret = VM_FAULT_LOCKED;
out_unlock:
	mutex_unlock(&dev->lock);
	return ret;
}

static const struct vm_operations_struct scull_vm_ops = {
	.open	= scull_vm_open,
	.close	= scull_vm_close,
	.fault	= scull_vm_fault,
};

int scull_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct scull_dev *dev = filp->private_data;
	unsigned long above;
	u64 last;
	int err = 0;

	mutex_lock(&dev->lock);
	/*
	 * Read under the lock, as the order is.  A u64: on a 32-bit kernel
	 * the limit is 2^32 quanta, whose page count an unsigned long cannot
	 * hold (it read as 0, and every mmap failed).
	 */
	last = scull_limit(dev) >> PAGE_SHIFT;
	if (vma->vm_pgoff > last || vma_pages(vma) > last - vma->vm_pgoff) {
		scull_user_err(dev, "mmap: offset %lu pages is out of range\n",
			       vma->vm_pgoff);
		err = -EINVAL;
		goto out_unlock;
	}
	if (dev->be->mmap_min_order > dev->be->max_order) {
		scull_user_err(dev, "mmap: %s quanta %s\n", dev->be->name,
			       dev->be->nommap);
		err = -ENODEV;
		goto out_unlock;
	}
	if (dev->order < dev->be->mmap_min_order) {
		/* mmap_min_order > order >= 0: the shift is by 0 or more. */
		above = PAGE_SIZE << (dev->be->mmap_min_order - 1);
		scull_user_err(dev, "mmap: %s quanta of %zu bytes are slab memory, which cannot be mapped; use a whole number of pages above %lu bytes (%lu or more)\n",
			       dev->be->name, dev->quantum, above, above + PAGE_SIZE);
		err = -ENODEV;
		goto out_unlock;
	}
	if (offset_in_page(dev->quantum)) {
		scull_user_err(dev, "mmap: quanta of %zu bytes are not a whole number of pages of %lu bytes, which mmap maps\n",
			       dev->quantum, PAGE_SIZE);
		err = -ENODEV;
		goto out_unlock;
	}
	vma->vm_ops = &scull_vm_ops;
	vma->vm_private_data = dev;
	scull_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	scull_vm_open(vma);
out_unlock:
	mutex_unlock(&dev->lock);
	return err;
}
