// SPDX-License-Identifier: GPL-2.0
/*
 * The char device core of scullmem.
 *
 * A descendant of LDD3's scullp and scullv: one device per allocator
 * (minor numbers and allocators are listed in scull_alloc.c), each storing
 * its data in quanta grouped in qsets.  This file never knows which
 * allocator is behind a device; it only calls the device's backend.
 *
 * Unlike LDD3: the qset for an offset is found in O(1) through an xarray,
 * read() and write() move the whole request, holes read as zeros, and the
 * nodes come from devtmpfs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "scull_compat.h"
#include "scullmem.h"

static unsigned int scull_order;
module_param_named(order, scull_order, uint, 0444);
MODULE_PARM_DESC(order,
		 "Page order of a quantum: quantum = PAGE_SIZE << order bytes (default 0; 0..MAX_PAGE_ORDER, 10 on x86_64)");

static unsigned int scull_qset = 500;
module_param_named(qset, scull_qset, uint, 0444);
MODULE_PARM_DESC(qset, "Quanta per qset array (default 500; 1..65536)");

static struct scull_dev scull_devs[SCULL_NR_DEVS];
static dev_t scull_devt;
static struct cdev scull_cdev;
static struct class *scull_class;

/* Report bad input from user space once in dmesg, without letting it flood. */
#define scull_user_err(dev, fmt, ...) \
	dev_info_ratelimited((dev)->device, fmt, ##__VA_ARGS__)

struct scull_dev *scull_dev_get(unsigned int minor)
{
	return minor < SCULL_NR_DEVS ? &scull_devs[minor] : NULL;
}

/* Return the slot of quantum @qidx, creating its qset array if @create. */
static void **scull_slot(struct scull_dev *dev, unsigned long qidx, bool create)
{
	unsigned long nr = qidx / dev->qset;
	void **qset = xa_load(&dev->qsets, nr);

	if (!qset && create) {
		qset = kvcalloc(dev->qset, sizeof(*qset), SCULL_GFP);
		if (!qset)
			return NULL;
		if (xa_insert(&dev->qsets, nr, qset, SCULL_GFP)) {
			kvfree(qset);
			return NULL;
		}
		dev->nr_qsets++;
	}
	return qset ? &qset[qidx % dev->qset] : NULL;
}

/**
 * scull_find_quantum - find the first allocated quantum at or after an index
 * @dev:	the device; the caller holds its lock
 * @qidx:	in: the index to start at; out: the index of the quantum found
 * @qset:	out: the qset array that holds it
 *
 * Return: the quantum, or NULL when none is allocated at or after @qidx.
 */
void *scull_find_quantum(struct scull_dev *dev, unsigned long *qidx,
			 void ***qset)
{
	unsigned long nr = *qidx / dev->qset;
	unsigned int slot = *qidx % dev->qset;
	void **arr;

	xa_for_each_start(&dev->qsets, nr, arr, nr) {
		for (; slot < dev->qset; slot++) {
			if (arr[slot]) {
				*qidx = nr * dev->qset + slot;
				*qset = arr;
				return arr[slot];
			}
		}
		slot = 0;
	}
	return NULL;
}

/* Free every quantum and qset array of @dev; the caller holds its lock. */
static void scull_trim(struct scull_dev *dev)
{
	unsigned long nr;
	unsigned int slot;
	void **qset;

	xa_for_each(&dev->qsets, nr, qset) {
		for (slot = 0; slot < dev->qset; slot++) {
			if (qset[slot])
				dev->be->free(qset[slot], dev->order);
		}
		kvfree(qset);
		cond_resched();
	}
	xa_destroy(&dev->qsets);
	dev->size = 0;
	dev->nr_quanta = 0;
	dev->nr_qsets = 0;
}

static int scull_open(struct inode *inode, struct file *filp)
{
	struct scull_dev *dev = scull_dev_get(iminor(inode));

	if (!dev)
		return -ENXIO;
	filp->private_data = dev;

	if ((filp->f_flags & O_TRUNC) && (filp->f_mode & FMODE_WRITE)) {
		if (mutex_lock_interruptible(&dev->lock))
			return -ERESTARTSYS;
		scull_trim(dev);
		mutex_unlock(&dev->lock);
	}
	return 0;
}

static ssize_t scull_read_locked(struct scull_dev *dev, loff_t pos,
				 struct iov_iter *to)
{
	size_t quantum = scull_quantum_size(dev);
	size_t total, done = 0;

	if (pos >= dev->size)
		return 0;
	total = min_t(loff_t, iov_iter_count(to), dev->size - pos);

	while (done < total) {
		size_t off = pos & (quantum - 1);
		size_t chunk = min(total - done, quantum - off);
		void **slot = scull_slot(dev, pos >> scull_quantum_shift(dev), false);
		size_t n;

		if (slot && *slot)
			n = copy_to_iter(*slot + off, chunk, to);
		else
			n = iov_iter_zero(chunk, to);	/* a hole */
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
	if (mutex_lock_interruptible(&dev->lock))
		return -ERESTARTSYS;
	ret = scull_read_locked(dev, iocb->ki_pos, to);
	mutex_unlock(&dev->lock);
	if (ret > 0)
		iocb->ki_pos += ret;
	return ret;
}

/*
 * Store up to one quantum's worth of @from at @pos.  A new quantum is
 * zeroed around the bytes copied into it before it becomes visible, so no
 * reader ever sees memory the allocator handed out uninitialised.
 */
static ssize_t scull_write_chunk(struct scull_dev *dev, loff_t pos,
				 size_t chunk, struct iov_iter *from)
{
	size_t quantum = scull_quantum_size(dev);
	size_t off = pos & (quantum - 1);
	void **slot = scull_slot(dev, pos >> scull_quantum_shift(dev), true);
	void *fresh;
	size_t n;

	if (!slot)
		return -ENOMEM;
	if (*slot)
		return copy_from_iter(*slot + off, chunk, from);

	fresh = dev->be->alloc(dev->order, SCULL_GFP);
	if (!fresh)
		return -ENOMEM;
	n = copy_from_iter(fresh + off, chunk, from);
	if (!n) {
		dev->be->free(fresh, dev->order);
		return 0;
	}
	memset(fresh, 0, off);
	memset(fresh + off + n, 0, quantum - off - n);
	*slot = fresh;
	dev->nr_quanta++;
	return n;
}

static ssize_t scull_write_locked(struct scull_dev *dev, loff_t pos,
				  struct iov_iter *from)
{
	size_t quantum = scull_quantum_size(dev);
	size_t total = iov_iter_count(from), done = 0;
	ssize_t n = 0;

	while (done < total) {
		size_t chunk = min(total - done, quantum - (pos & (quantum - 1)));

		n = scull_write_chunk(dev, pos, chunk, from);
		if (n <= 0)
			break;
		done += n;
		pos += n;
		if (pos > dev->size)
			dev->size = pos;
		if (n < chunk) {
			n = -EFAULT;
			break;
		}
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	if (done)
		return done;
	return n < 0 ? n : -EFAULT;
}

static ssize_t scull_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct scull_dev *dev = iocb->ki_filp->private_data;
	size_t count = iov_iter_count(from);
	loff_t pos, limit = scull_limit(dev);
	ssize_t ret;

	if (!count)
		return 0;
	if (mutex_lock_interruptible(&dev->lock))
		return -ERESTARTSYS;
	pos = (iocb->ki_flags & IOCB_APPEND) ? dev->size : iocb->ki_pos;
	if (pos >= limit || count > limit - pos) {
		scull_user_err(dev, "write of %zu bytes at %lld passes the device limit %lld\n",
			       count, pos, limit);
		ret = -EFBIG;
		goto out_unlock;
	}
	ret = scull_write_locked(dev, pos, from);
	if (ret > 0)
		iocb->ki_pos = pos + ret;
	else if (ret == -ENOMEM)
		scull_user_err(dev, "out of memory writing at %lld\n", pos);
out_unlock:
	mutex_unlock(&dev->lock);
	return ret;
}

static loff_t scull_llseek(struct file *filp, loff_t off, int whence)
{
	struct scull_dev *dev = filp->private_data;
	loff_t base, pos;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = filp->f_pos;
		break;
	case SEEK_END:
		if (mutex_lock_interruptible(&dev->lock))
			return -ERESTARTSYS;
		base = dev->size;
		mutex_unlock(&dev->lock);
		break;
	default:
		scull_user_err(dev, "llseek: unsupported whence %d\n", whence);
		return -EINVAL;
	}
	if (check_add_overflow(base, off, &pos) || pos < 0 || pos > scull_limit(dev)) {
		scull_user_err(dev, "llseek: offset %lld whence %d is out of range\n",
			       off, whence);
		return -EINVAL;
	}
	filp->f_pos = pos;
	return pos;
}

static const struct file_operations scull_fops = {
	.owner		= THIS_MODULE,
	.open		= scull_open,
	.llseek		= scull_llseek,
	.read_iter	= scull_read_iter,
	.write_iter	= scull_write_iter,
	.splice_read	= scull_splice_read,
	.splice_write	= iter_file_splice_write,
};

static int __init scull_check_params(void)
{
	unsigned int i;

	for (i = 0; i < SCULL_NR_DEVS; i++) {
		const struct scull_backend *be = scull_backends[i];

		if (scull_order > be->max_order) {
			pr_err("order=%u is out of range: %s (%s) takes 0..%u\n",
			       scull_order, be->devname, be->name, be->max_order);
			return -EINVAL;
		}
	}
	if (scull_qset < 1 || scull_qset > SCULL_QSET_MAX) {
		pr_err("qset=%u is out of range: 1..%u\n", scull_qset, SCULL_QSET_MAX);
		return -EINVAL;
	}
	return 0;
}

static void __init scull_init_devs(void)
{
	unsigned int i;

	for (i = 0; i < SCULL_NR_DEVS; i++) {
		struct scull_dev *dev = &scull_devs[i];

		mutex_init(&dev->lock);
		xa_init(&dev->qsets);
		dev->be = scull_backends[i];
		dev->order = scull_order;
		dev->qset = scull_qset;
	}
}

/* Remove the first @count device nodes and free all data. */
static void scull_destroy_devices(unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		device_destroy(scull_class, MKDEV(MAJOR(scull_devt), i));
	for (i = 0; i < SCULL_NR_DEVS; i++)
		scull_trim(&scull_devs[i]);
}

static int __init scull_create_devices(void)
{
	unsigned int i;

	for (i = 0; i < SCULL_NR_DEVS; i++) {
		struct scull_dev *dev = &scull_devs[i];

		dev->device = device_create(scull_class, NULL,
					    MKDEV(MAJOR(scull_devt), i), dev,
					    "%s", dev->be->devname);
		if (IS_ERR(dev->device)) {
			int err = PTR_ERR(dev->device);

			pr_err("cannot create device %s: %d\n", dev->be->devname, err);
			scull_destroy_devices(i);
			return err;
		}
	}
	return 0;
}

static int __init scull_init(void)
{
	int err;

	err = scull_check_params();
	if (err)
		return err;

	err = alloc_chrdev_region(&scull_devt, 0, SCULL_NR_DEVS, "scullmem");
	if (err) {
		pr_err("cannot allocate a char device region: %d\n", err);
		return err;
	}
	scull_class = scull_class_create("scullmem");
	if (IS_ERR(scull_class)) {
		err = PTR_ERR(scull_class);
		pr_err("cannot create class: %d\n", err);
		goto out_unregister;
	}
	scull_init_devs();
	cdev_init(&scull_cdev, &scull_fops);
	scull_cdev.owner = THIS_MODULE;
	err = cdev_add(&scull_cdev, scull_devt, SCULL_NR_DEVS);
	if (err) {
		pr_err("cannot add cdev: %d\n", err);
		goto out_class;
	}
	err = scull_create_devices();
	if (err)
		goto out_cdev;
	err = scull_proc_init();
	if (err)
		goto out_devices;

	pr_info("major %u, order %u (quantum %lu bytes), qset %u\n",
		MAJOR(scull_devt), scull_order, PAGE_SIZE << scull_order, scull_qset);
	return 0;

out_devices:
	scull_destroy_devices(SCULL_NR_DEVS);
out_cdev:
	cdev_del(&scull_cdev);
out_class:
	class_destroy(scull_class);
out_unregister:
	unregister_chrdev_region(scull_devt, SCULL_NR_DEVS);
	return err;
}
module_init(scull_init);

static void __exit scull_exit(void)
{
	scull_proc_exit();
	scull_destroy_devices(SCULL_NR_DEVS);
	cdev_del(&scull_cdev);
	class_destroy(scull_class);
	unregister_chrdev_region(scull_devt, SCULL_NR_DEVS);
}
module_exit(scull_exit);

MODULE_DESCRIPTION("scull-style char devices backed by __get_free_pages, vmalloc and kmalloc");
MODULE_AUTHOR("The scullmem developers");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1.0");
