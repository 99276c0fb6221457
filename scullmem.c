// SPDX-License-Identifier: GPL-2.0
/*
 * The char device of scullmem: open, read/write, llseek and truncation,
 * and the file operations (scull_module.c makes the devices and
 * registers them).
 *
 * A descendant of LDD3's scullp and scullv: one device per allocator
 * (minor numbers and allocators are listed in scull_alloc.c), each storing
 * its data in quanta grouped in qsets.  It calls the quantum store
 * (scull_store.c) and reaches quantum bytes only through scull_map() and
 * scull_quantum_page(); mmap is scull_mmap.c's, ioctl and sysfs are
 * scull_ctl.c's, /proc/scullmem is scull_proc.c's.  It never knows which
 * allocator is behind a device.
 *
 * Unlike LDD3: the qset for an offset is found in O(1) through an xarray,
 * read() and write() move the whole request, holes read as zeros, and the
 * nodes come from devtmpfs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "scull_compat.h"	/* first: it stops a build for too old a kernel */

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "scullmem.h"

/*
 * Written at run time through sysfs while writes read it: an atomic64_t,
 * so that a 32-bit kernel never reads half of an old value and half of a
 * new one (READ_ONCE() of a u64 is two loads there).
 */
static atomic64_t scull_max_size = ATOMIC64_INIT(0);

static int scull_max_size_set(const char *val, const struct kernel_param *kp)
{
	u64 v;
	int err = kstrtoull(val, 0, &v);

	if (err)
		return err;
	atomic64_set(kp->arg, v);
	return 0;
}

static int scull_max_size_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%llu\n", (u64)atomic64_read(kp->arg));
}

static const struct kernel_param_ops scull_max_size_ops = {
	.set	= scull_max_size_set,
	.get	= scull_max_size_get,
};

module_param_cb(max_size, &scull_max_size_ops, &scull_max_size, 0644);
MODULE_PARM_DESC(max_size,
		 "Largest size of a device in bytes; writable at run time (default: half of RAM, as tmpfs)");

/* At init: max_size left at 0 means half of RAM. */
void __init scull_max_size_default(void)
{
	if (!atomic64_read(&scull_max_size))
		atomic64_set(&scull_max_size,
			     (u64)totalram_pages() << (PAGE_SHIFT - 1));
}

/*
 * Take both locks of @dev, the outer one first, for a change that no read,
 * write or fault may see half done: a truncation, or a change of geometry
 * or flags.  Killable, as the wait may last a whole write.
 */
int scull_lock_all(struct scull_dev *dev)
{
	if (down_write_killable(&dev->rwsem))
		return -EINTR;
	mutex_lock(&dev->lock);
	return 0;
}

void scull_unlock_all(struct scull_dev *dev)
{
	mutex_unlock(&dev->lock);
	up_write(&dev->rwsem);
}

/*
 * Take every page of @dev out of user space before its quanta go, as a
 * truncated tmpfs file's: zap the page tables that map them, wait for the
 * faults that found a page before the caller took the inner lock (each
 * holds its page locked until the page is in a page table:
 * scull_vm_fault()), and zap what they mapped.  An access to the mapping
 * then faults again, and past the new end gets SIGBUS.  With no mapping
 * of the device, no page can be mapped or on its way; a new one is made
 * under the inner lock, which the caller holds (scull_mmap()).
 */
static void scull_unmap_all(struct scull_dev *dev)
{
	if (!atomic_read(&dev->nr_maps))
		return;
	unmap_mapping_range(dev->inode->i_mapping, 0, 0, 1);
	scull_wait_faults(dev);
	unmap_mapping_range(dev->inode->i_mapping, 0, 0, 1);
}

/*
 * Free all data of @dev, for an open with O_TRUNC and for SCULL_IOC_RESET.
 * A mapping never blocks it: the mapped pages are zapped first.  Takes both
 * locks.
 */
int scull_truncate(struct scull_dev *dev)
{
	int err = scull_lock_all(dev);

	if (err)
		return err;
	scull_unmap_all(dev);
	scull_trim(dev);
	scull_unlock_all(dev);
	return 0;
}

static int scull_open(struct inode *inode, struct file *filp)
{
	struct scull_dev *dev = scull_dev_get(iminor(inode));

	if (!dev)
		return -ENXIO;
	filp->private_data = dev;
	/* Every file of the device maps through one address_space. */
	filp->f_mapping = dev->inode->i_mapping;

	if ((filp->f_flags & O_TRUNC) && (filp->f_mode & FMODE_WRITE))
		return scull_truncate(dev);
	return 0;
}

/*
 * A write copies from user memory with the inner lock held and page faults
 * disabled, because a fault on a mapping of a scull device takes that
 * device's inner lock.  When a copy stops short, drop the inner lock (the
 * outer one, held throughout, keeps every other write, truncation and
 * change of geometry out, so the write's position and the device's
 * geometry stay as they were), fault the pages in and go on.  A read holds
 * the outer lock only, shared, and copies with page faults enabled.
 *
 * The fault-in succeeds when it got the first page, yet the copy may still
 * stop before it: a copy may stop up to a word short of the fault (6.1's
 * clear_user() stores eight bytes at a time, and a store that straddles
 * the unmapped page faults whole), so a buffer that ends a few bytes into
 * a page that cannot be faulted in gets no byte, however often it is
 * retried.  So the request ends, with what was done or EFAULT, once the
 * copy made no progress after SCULL_FAULT_STALLS fault-ins in a row
 * (@stalls counts them; a copy that makes progress zeroes it): more than
 * one, so that a page reclaimed or migrated between a fault-in and the
 * copy is not taken for a bad buffer.  Looping there for ever was a livelock
 * (race stress, scullv, 6.1); btrfs's direct I/O stops in the same way.
 */
#define SCULL_FAULT_STALLS	2

static int scull_fault_in(struct scull_dev *dev, struct iov_iter *iter,
			  size_t len, unsigned int *stalls)
{
	size_t left;

	if ((*stalls)++ >= SCULL_FAULT_STALLS)
		return -EFAULT;
	mutex_unlock(&dev->lock);
	left = scull_fault_in_iov_iter_readable(iter, len);
	mutex_lock(&dev->lock);
	return left == len ? -EFAULT : 0;
}

/*
 * Whether a read copies page by page with copy_page_to_iter(), as tmpfs
 * reads its pages.  That copy skips hardened usercopy's check of the
 * kernel address, which the driver needs no more than tmpfs does (the
 * bytes lie in one page of its own quantum), and which for a vmalloc
 * address searches the vmap areas under their lock.  It is the quantum's
 * order that decides, not its size: page-backed quanta are copied page
 * by page whether or not they are a whole number of pages (a quantum of
 * 5000 bytes too, though it cannot be mapped).  Those of an order whose
 * memory may not be mapped (the backend's mmap_min_order: slab memory,
 * or memory that may be) keep copy_to_iter(), so that hardened usercopy
 * checks each copy against its cache, which is part of what a slab
 * backend shows.  Into user memory only: given a pipe (splice, before v6.5),
 * copy_page_to_iter() would hand it the page itself, which the next write
 * to the device would change.
 */
static bool scull_copy_by_page(struct scull_dev *dev, const struct iov_iter *to)
{
	/* dev->order <= max_order (insmod, SET_QUANTUM): none above it. */
	return dev->order >= dev->be->mmap_min_order &&
	       scull_user_backed_iter(to);
}

/* Up to the end of the page of byte @off of @quantum, with copy_page_to_iter(). */
static size_t scull_copy_page_out(struct scull_dev *dev, void *quantum,
				  size_t off, size_t len, size_t *want,
				  struct iov_iter *to)
{
	size_t poff = offset_in_page(off);

	*want = min_t(size_t, PAGE_SIZE - poff, len);
	return copy_page_to_iter(scull_quantum_page(dev, quantum, off), poff,
				 *want, to);
}

/*
 * Copy @len bytes at @off of @quantum to @to: a page at a time, or over
 * whatever the backend maps (once for a quantum mapped whole, a page at a
 * time for one mapped page by page).  A hole (@quantum NULL) reads as zeros.
 * Page faults may be taken: the caller holds no inner lock.
 */
static size_t scull_copy_out(struct scull_dev *dev, void *quantum, size_t off,
			     size_t len, struct iov_iter *to)
{
	size_t done = 0, avail, want, n;
	bool by_page;
	void *addr;

	if (!quantum)
		return iov_iter_zero(len, to);
	by_page = scull_copy_by_page(dev, to);
	while (done < len) {
		if (by_page) {
			n = scull_copy_page_out(dev, quantum, off + done,
						len - done, &want, to);
		} else {
			addr = scull_map(dev, quantum, off + done, &avail);
			want = min(avail, len - done);
			n = copy_to_iter(addr, want, to);
			scull_unmap(dev, quantum, addr);
		}
		done += n;
		if (n < want)
			break;
	}
	return done;
}

static size_t scull_copy_in(struct scull_dev *dev, void *quantum, size_t off,
			    size_t len, struct iov_iter *from)
{
	size_t done = 0, avail, want, n;
	void *addr;

	pagefault_disable();
	while (done < len) {
		addr = scull_map(dev, quantum, off + done, &avail);
		want = min(avail, len - done);
		n = copy_from_iter(addr, want, from);
		scull_unmap(dev, quantum, addr);
		done += n;
		if (n < want)
			break;
	}
	pagefault_enable();
	scull_flush_written(dev, quantum, off, off + done);
	return done;
}

/*
 * Under the outer lock, shared: the size, the geometry and every quantum
 * and qset array present stay as they are (only a holder of the outer lock
 * for writing changes or frees them).  A fault may add a quantum to a hole
 * meanwhile, under the inner lock: its slot is read with acquire, paired
 * with scull_publish(), so a quantum seen is a zeroed one.  A copy that
 * stops short is a bad user buffer: what was done, or EFAULT.
 */
static ssize_t scull_read_shared(struct scull_dev *dev, loff_t pos,
				 struct iov_iter *to)
{
	struct scull_cursor c = SCULL_CURSOR_INIT;
	size_t qsize = scull_quantum_size(dev);
	ssize_t done = 0;

	while (iov_iter_count(to) && pos < dev->size) {
		void **slot, *quantum;
		struct scull_pos p;
		size_t chunk, n;

		scull_locate(pos, dev->quantum, dev->qset, &p);
		chunk = min_t(loff_t, min(iov_iter_count(to), qsize - p.off),
			      dev->size - pos);
		slot = scull_slot(dev, &c, &p, false);
		/* Pairs with the smp_store_release() of scull_publish(). */
		quantum = slot ? smp_load_acquire(slot) : NULL;
		n = scull_copy_out(dev, quantum, p.off, chunk, to);
		done += n;
		pos += n;
		if (n < chunk)
			return done ? done : -EFAULT;
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	return done;
}

static ssize_t scull_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct scull_dev *dev = iocb->ki_filp->private_data;
	ssize_t ret;

	if (!iov_iter_count(to))
		return 0;
	if (down_read_killable(&dev->rwsem))
		return -EINTR;
	ret = scull_read_shared(dev, iocb->ki_pos, to);
	up_read(&dev->rwsem);
	if (ret > 0)
		iocb->ki_pos += ret;
	return ret;
}

/*
 * Store up to one quantum's worth of @from at @pos.  A new quantum is zeroed
 * around the bytes copied into it, and it becomes visible only once it
 * holds something: no reader ever sees memory the allocator handed out.
 */
static ssize_t scull_write_chunk(struct scull_dev *dev, struct scull_cursor *c,
				 loff_t pos, size_t chunk, struct iov_iter *from)
{
	struct scull_pos p;
	void **slot, *fresh;
	size_t n;

	scull_locate(pos, dev->quantum, dev->qset, &p);
	slot = scull_slot(dev, c, &p, true);
	if (!slot)
		return -ENOMEM;
	if (*slot)
		return scull_copy_in(dev, *slot, p.off, chunk, from);

	fresh = scull_new_quantum(dev, p.qidx, p.off, chunk);
	if (!fresh)
		return -ENOMEM;
	n = scull_copy_in(dev, fresh, p.off, chunk, from);
	if (!n) {
		scull_free_quantum(dev, p.qidx, fresh);
		return 0;
	}
	scull_zero(dev, fresh, p.off + n, p.off + chunk);
	scull_publish(dev, slot, fresh);
	return n;
}

static ssize_t scull_write_locked(struct scull_dev *dev, loff_t pos,
				  struct iov_iter *from)
{
	struct scull_cursor c = SCULL_CURSOR_INIT;
	unsigned int stalls = 0;
	ssize_t n = 0, done = 0;

	/* The geometry stays: the caller holds the outer lock throughout. */
	size_t quantum = scull_quantum_size(dev);

	while (iov_iter_count(from)) {
		u32 off;
		size_t chunk;

		/* A quantum is below 2^32 bytes: a u32 divisor (32-bit). */
		div_u64_rem(pos, quantum, &off);
		chunk = min_t(size_t, iov_iter_count(from), quantum - off);

		n = scull_write_chunk(dev, &c, pos, chunk, from);
		if (n < 0)
			break;
		done += n;
		pos += n;
		if (pos > dev->size)
			dev->size = pos;
		if (n)
			stalls = 0;
		if (n < chunk) {
			/*
			 * The inner lock is dropped: a fault may add a qset
			 * array meanwhile, so the cursor is looked up again.
			 */
			c = SCULL_CURSOR_INIT;
			n = scull_fault_in(dev, from, chunk - n, &stalls);
			if (n)
				break;
		}
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	return done ? done : n;
}

/* Clip a write at @pos to max_size (read once: @max); 0 when nothing fits. */
static size_t scull_fit(loff_t pos, size_t count, u64 max)
{
	if (pos >= max)
		return 0;
	return min_t(u64, count, max - pos);
}

static ssize_t scull_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct scull_dev *dev = iocb->ki_filp->private_data;
	size_t fit, count = iov_iter_count(from);
	u64 max = atomic64_read(&scull_max_size);
	loff_t pos, limit;
	ssize_t ret;

	if (!count)
		return 0;
	/*
	 * Both locks for the whole write: the outer one keeps other writes,
	 * truncation and changes of geometry out even while the inner one is
	 * dropped to fault the buffer in, so that an O_APPEND write lands
	 * whole at the end it found, and no truncation lands inside a write.
	 */
	ret = scull_lock_all(dev);
	if (ret)
		return ret;
	limit = scull_limit(dev);
	pos = (iocb->ki_flags & IOCB_APPEND) ? dev->size : iocb->ki_pos;
	if (!scull_write_fits(pos, count, limit)) {
		scull_user_err(dev, "write of %zu bytes at %lld passes the device limit %lld\n",
			       count, pos, limit);
		ret = -EFBIG;
		goto out_unlock;
	}
	fit = scull_fit(pos, count, max);
	if (!fit) {
		scull_user_err(dev, "write at %lld: max_size %llu reached\n",
			       pos, max);
		ret = -ENOSPC;
		goto out_unlock;
	}
	iov_iter_truncate(from, fit);
	ret = scull_write_locked(dev, pos, from);
	iov_iter_reexpand(from, iov_iter_count(from) + count - fit);
	if (ret > 0)
		iocb->ki_pos = pos + ret;
	else if (ret == -ENOMEM)
		scull_user_err(dev, "out of memory writing at %lld\n", pos);
out_unlock:
	scull_unlock_all(dev);
	return ret;
}

/*
 * SEEK_DATA and SEEK_HOLE, at quantum granularity as in tmpfs, whatever
 * the quantum's size: positions go through div_u64() and back.
 */
static loff_t scull_seek_data(struct scull_dev *dev, loff_t off, int whence)
{
	size_t quantum = scull_quantum_size(dev);
	unsigned long qidx;
	void **qset;
	loff_t pos;

	if (off < 0 || off >= dev->size)
		return -ENXIO;
	qidx = div_u64(off, quantum);
	if (whence == SEEK_HOLE) {
		pos = (loff_t)scull_find_hole(dev, qidx) * quantum;
		return min(max(pos, off), dev->size);
	}
	if (!scull_find_quantum(dev, &qidx, &qset))
		return -ENXIO;
	pos = max((loff_t)qidx * (loff_t)quantum, off);
	return pos < dev->size ? pos : -ENXIO;
}

static loff_t scull_llseek(struct file *filp, loff_t off, int whence)
{
	struct scull_dev *dev = filp->private_data;
	loff_t base = 0, pos, limit;

	switch (whence) {
	case SEEK_SET:
	case SEEK_CUR:
		/*
		 * Without the lock: SET_QUANTUM may change the quantum
		 * meanwhile (of an empty device only).  That race is benign:
		 * a position checked against the old quantum's limit is
		 * checked again, under the lock, by the write, read or fault
		 * that uses it (EFBIG, end of data, SIGBUS).  READ_ONCE pairs
		 * with the WRITE_ONCE of scull_store_set_quantum().
		 */
		limit = scull_limit_of(READ_ONCE(dev->quantum));
		if (whence == SEEK_CUR)
			base = filp->f_pos;
		break;
	case SEEK_END:
	case SEEK_DATA:
	case SEEK_HOLE:
		if (mutex_lock_interruptible(&dev->lock))
			return -ERESTARTSYS;
		limit = scull_limit(dev);
		if (whence == SEEK_END) {
			base = dev->size;
		} else {
			base = scull_seek_data(dev, off, whence);
			off = 0;
		}
		mutex_unlock(&dev->lock);
		if (base < 0)
			return base;	/* ENXIO: at or past the end; not an error to log */
		break;
	default:
		scull_user_err(dev, "llseek: unsupported whence %d\n", whence);
		return -EINVAL;
	}
	pos = scull_seek_pos(base, off, limit);
	if (pos < 0) {
		scull_user_err(dev, "llseek: offset %lld whence %d is out of range\n",
			       off, whence);
		return pos;
	}
	filp->f_pos = pos;
	return pos;
}

const struct file_operations scull_fops = {
	.owner		= THIS_MODULE,
	.open		= scull_open,
	.llseek		= scull_llseek,
	.read_iter	= scull_read_iter,
	.write_iter	= scull_write_iter,
	.mmap		= scull_mmap,
	.fsync		= noop_fsync,	/* memory is as stable as it gets */
	.unlocked_ioctl	= scull_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.splice_read	= scull_splice_read,
	.splice_write	= iter_file_splice_write,
};

