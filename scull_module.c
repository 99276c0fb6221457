// SPDX-License-Identifier: GPL-2.0
/*
 * The module of scullmem: its parameters (order, quantum, qset), the devices, each
 * with an inode of its own, the char device region and the nodes, module
 * init and exit.  It calls the quantum store's setup and teardown
 * (scull_store.c), /proc/scullmem's (scull_proc.c), and hands the devices
 * scullmem.c's file operations and scull_ctl.c's sysfs attributes.  It
 * never knows which allocator is behind a device (scull_alloc.c lists
 * them, by minor number).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "scull_compat.h"	/* first: it stops a build for too old a kernel */

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mount.h>
#include <linux/numa.h>
#include <linux/pseudo_fs.h>

#include "scullmem.h"

/*
 * order=N: quanta of PAGE_SIZE << N bytes, as ever.  Whether it was given
 * is kept, so that a quantum= given too can be checked against it.
 */
static unsigned int scull_order;
static bool scull_order_given;

static int scull_order_set(const char *val, const struct kernel_param *kp)
{
	int err = param_set_uint(val, kp);

	if (!err)
		scull_order_given = true;
	return err;
}

static const struct kernel_param_ops scull_order_ops = {
	.set	= scull_order_set,
	.get	= param_get_uint,
};

module_param_cb(order, &scull_order_ops, &scull_order, 0444);
MODULE_PARM_DESC(order,
		 "Page order of a quantum: quantum = PAGE_SIZE << order bytes (default 0; at most the largest order every device's allocator serves: dmesg names the one that refuses); read back, get_order() of the quantum");

/*
 * quantum=BYTES: quanta of any size, from 1 byte to the smallest limit of
 * the devices' allocators.  The text is kept as given and checked at init,
 * so that a bad one gets one dmesg line that names the limit (a parameter
 * refused by its set function gets the kernel's line as well).  Read back,
 * it is the quantum the devices were given.
 */
static char scull_quantum_arg[24];
static bool scull_quantum_given;
static bool scull_quantum_toolong;
static size_t scull_quantum;

static int scull_quantum_set(const char *val, const struct kernel_param *kp)
{
	scull_quantum_given = true;
	scull_quantum_toolong = strscpy(scull_quantum_arg, val,
					sizeof(scull_quantum_arg)) < 0;
	return 0;
}

static int scull_quantum_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%zu\n", scull_quantum);
}

static const struct kernel_param_ops scull_quantum_ops = {
	.set	= scull_quantum_set,
	.get	= scull_quantum_get,
};

module_param_cb(quantum, &scull_quantum_ops, NULL, 0444);
MODULE_PARM_DESC(quantum,
		 "Bytes of a quantum: 1 up to the smallest limit of the devices' allocators (default PAGE_SIZE << order; with order given too, both must agree)");

static unsigned int scull_qset = 500;
module_param_named(qset, scull_qset, uint, 0444);
MODULE_PARM_DESC(qset, "Quanta per qset array (default 500; 1..65536)");

static struct scull_dev scull_devs[SCULL_NR_DEVS];
static dev_t scull_devt;
static struct cdev scull_cdev;
static struct class *scull_class;

struct scull_dev *scull_dev_get(unsigned int minor)
{
	return minor < SCULL_NR_DEVS ? &scull_devs[minor] : NULL;
}

/* The largest quantum every device's allocator serves. */
static u64 __init scull_quantum_limit(void)
{
	u64 max = SCULL_QUANTUM_MAX;
	unsigned int i;

	for (i = 0; i < SCULL_NR_DEVS; i++)
		max = min(max, scull_quantum_max(scull_backends[i]->max_order));
	return max;
}

/*
 * Does every device take quanta of @q bytes (from order=N if @order)?  If
 * not, one dmesg line: for order=, the first device that refuses and its
 * limit; for quantum=, the module's limit, the smallest of the devices'
 * (as the line for a quantum= that is not a number says).
 */
static bool __init scull_quantum_fits(u64 q, bool order)
{
	const struct scull_backend *be;
	unsigned int i;

	if (!order) {
		if (q >= 1 && q <= scull_quantum_limit())
			return true;
		pr_err("quantum=%llu is out of range: give 1..%llu\n", q,
		       scull_quantum_limit());
		return false;
	}
	for (i = 0; i < SCULL_NR_DEVS; i++) {
		be = scull_backends[i];
		if (!scull_order_valid(scull_order, be->max_order)) {
			pr_err("order=%u is out of range: %s (%s) takes 0..%u\n",
			       scull_order, be->devname, be->name, be->max_order);
			return false;
		}
	}
	return true;
}

/* The quantum that order= and quantum= give, or 0 after one dmesg line. */
static size_t __init scull_quantum_param(void)
{
	size_t from_order = 0;
	u64 q;

	if (!scull_quantum_given || scull_order_given) {
		if (!scull_quantum_fits(0, true))
			return 0;
		from_order = scull_quantum_size_of(scull_order);
		if (!scull_quantum_given)
			return from_order;
	}
	if (scull_quantum_toolong || kstrtou64(scull_quantum_arg, 0, &q)) {
		pr_err("quantum=%s%s is not a number of bytes: give 1..%llu\n",
		       scull_quantum_arg, scull_quantum_toolong ? "..." : "",
		       scull_quantum_limit());
		return 0;
	}
	if (!scull_quantum_fits(q, false))
		return 0;
	if (from_order && q != from_order) {
		pr_err("quantum=%llu and order=%u disagree: order=%u is quantum=%zu; give one of them\n",
		       q, scull_order, scull_order, from_order);
		return 0;
	}
	return q;
}

static int __init scull_check_params(void)
{
	scull_quantum = scull_quantum_param();
	if (!scull_quantum)
		return -EINVAL;
	/* /sys/module/scull/parameters/order: the order of the quanta given. */
	scull_order = get_order(scull_quantum);
	if (!scull_qset_valid(scull_qset)) {
		pr_err("qset=%u is out of range: 1..%u\n", scull_qset, SCULL_QSET_MAX);
		return -EINVAL;
	}
	return 0;
}

/*
 * Each device has an inode of its own, on a pseudo filesystem that is
 * never registered or mounted where anyone could see it (as DRM's
 * devices have): every file of the device takes its address_space as
 * f_mapping, so that the device's user mappings are in one i_mmap tree,
 * which a truncation walks with unmap_mapping_range().  The mapping holds
 * no page: the quanta are not page cache.  The filesystem has no owner:
 * its mount lives from init to exit, and a reference on the module would
 * keep it from ever being unloaded.
 */
#define SCULL_FS_MAGIC	0x5c011e4d

static int scull_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, SCULL_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type scull_fs_type = {
	.name		= "scullmem",
	.init_fs_context = scull_fs_init_fs_context,
	.kill_sb	= kill_anon_super,
};

static struct vfsmount *scull_mnt;
static int scull_mnt_count;

static void scull_put_inodes(unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		iput(scull_devs[i].inode);
	simple_release_fs(&scull_mnt, &scull_mnt_count);
}

static int __init scull_get_inodes(void)
{
	unsigned int i;
	int err;

	err = simple_pin_fs(&scull_fs_type, &scull_mnt, &scull_mnt_count);
	if (err) {
		pr_err("cannot mount the inode filesystem: %d\n", err);
		return err;
	}
	for (i = 0; i < SCULL_NR_DEVS; i++) {
		struct inode *inode = alloc_anon_inode(scull_mnt->mnt_sb);

		if (IS_ERR(inode)) {
			pr_err("cannot allocate an inode: %ld\n", PTR_ERR(inode));
			scull_put_inodes(i);
			return PTR_ERR(inode);
		}
		scull_devs[i].inode = inode;
	}
	return 0;
}

/* Free the data and the allocator state of the first @count devices. */
static void scull_exit_devs(unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		scull_store_exit(&scull_devs[i]);
}

static int __init scull_init_devs(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < SCULL_NR_DEVS; i++) {
		struct scull_dev *dev = &scull_devs[i];

		init_rwsem(&dev->rwsem);
		mutex_init(&dev->lock);
		xa_init(&dev->qsets);
		atomic_set(&dev->nr_maps, 0);
		dev->be = scull_backends[i];
		dev->qset = scull_qset;
		dev->gfp_mask = scull_gfp_mask(&dev->gfp);
		dev->node = NUMA_NO_NODE;
		err = scull_store_init(dev, scull_quantum);
		if (err) {
			pr_err("cannot set up %s (%s) for quanta of %zu bytes: %d\n",
			       dev->be->devname, dev->be->name, scull_quantum, err);
			scull_exit_devs(i);
			return err;
		}
	}
	return 0;
}

/* Remove the first @count device nodes. */
static void scull_destroy_devices(unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		device_destroy(scull_class, MKDEV(MAJOR(scull_devt), i));
}

static int __init scull_create_devices(void)
{
	unsigned int i;

	for (i = 0; i < SCULL_NR_DEVS; i++) {
		struct scull_dev *dev = &scull_devs[i];

		dev->device = device_create_with_groups(scull_class, NULL,
							MKDEV(MAJOR(scull_devt), i),
							dev, scull_groups, "%s",
							dev->be->devname);
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
	scull_max_size_default();

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
	err = scull_get_inodes();
	if (err)
		goto out_class;
	err = scull_init_devs();
	if (err)
		goto out_inodes;
	err = scull_proc_init();
	if (err)
		goto out_devs;
	err = scull_create_devices();
	if (err)
		goto out_proc;
	/*
	 * Last: from here on an open through any node of the major (a
	 * devtmpfs one, or one made by hand before the load) reaches the
	 * devices and takes a reference on the module, so nothing may fail
	 * after it: init would free what the open file uses.  Before it, such
	 * an open gets ENXIO.
	 */
	cdev_init(&scull_cdev, &scull_fops);
	scull_cdev.owner = THIS_MODULE;
	err = cdev_add(&scull_cdev, scull_devt, SCULL_NR_DEVS);
	if (err) {
		pr_err("cannot add cdev: %d\n", err);
		goto out_devices;
	}

	pr_info("major %u, order %u (quantum %zu bytes), qset %u\n",
		MAJOR(scull_devt), get_order(scull_quantum), scull_quantum,
		scull_qset);
	return 0;

out_devices:
	scull_destroy_devices(SCULL_NR_DEVS);
out_proc:
	scull_proc_exit();
out_devs:
	scull_exit_devs(SCULL_NR_DEVS);
out_inodes:
	scull_put_inodes(SCULL_NR_DEVS);
out_class:
	class_destroy(scull_class);
out_unregister:
	unregister_chrdev_region(scull_devt, SCULL_NR_DEVS);
	return err;
}
module_init(scull_init);

static void __exit scull_exit(void)
{
	cdev_del(&scull_cdev);
	scull_destroy_devices(SCULL_NR_DEVS);
	scull_proc_exit();
	scull_exit_devs(SCULL_NR_DEVS);
	scull_put_inodes(SCULL_NR_DEVS);
	class_destroy(scull_class);
	unregister_chrdev_region(scull_devt, SCULL_NR_DEVS);
}
module_exit(scull_exit);

MODULE_DESCRIPTION("scull-style char devices, one per kernel memory allocator, and /proc/scullmem");
MODULE_AUTHOR("The scullmem developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(SCULL_VERSION);
