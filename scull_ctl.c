// SPDX-License-Identifier: GPL-2.0
/*
 * The control interfaces of a scull device: its ioctls and its attributes
 * in /sys/class/scullmem/scull?/.
 *
 * Owns the geometry and the allocation flags as user space sees and sets
 * them: SCULL_IOC_* (scull_ioctl.h) and the sysfs files order, qset,
 * quantum, size, quanta, bytes_allocated, gfp, node and huge.  It calls
 * the quantum store (scull_trim, scull_store_set_quantum), the char device
 * for RESET (scull_truncate), and the gfp helpers of scull_alloc.c, which
 * answer for the device's backend: it never names an allocator.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "scull_compat.h"	/* first: it stops a build for too old a kernel */

#include <linux/capability.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/nodemask.h>
#include <linux/numa.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>

#include "scullmem.h"

static void scull_get_geometry(struct scull_dev *dev, struct scull_geometry *g)
{
	mutex_lock(&dev->lock);
	g->order = dev->order;
	g->qset = dev->qset;
	g->quantum = scull_quantum_size(dev);
	g->size = dev->size;
	g->quanta = dev->nr_quanta;
	g->bytes_allocated = (u64)dev->nr_quanta * g->quantum;
	mutex_unlock(&dev->lock);
}

static int scull_ioc_get_geometry(struct scull_dev *dev, void __user *arg)
{
	struct scull_geometry g = { };

	scull_get_geometry(dev, &g);
	if (copy_to_user(arg, &g, sizeof(g))) {
		scull_user_err(dev, "ioctl GET_GEOMETRY: bad user pointer\n");
		return -EFAULT;
	}
	return 0;
}

/*
 * The geometry and the flags change only while the device is empty: take
 * every lock (scull_lock_all()) and return 0 with them held if it is, or
 * -EBUSY, and one dmesg line that says what @what could not change.
 */
static int scull_lock_empty(struct scull_dev *dev, const char *what)
{
	int err = scull_lock_all(dev);

	if (err)
		return err;
	if (!dev->size && !dev->nr_quanta)
		return 0;
	scull_unlock_all(dev);
	scull_user_err(dev, "%s: the device holds data; truncate it first\n", what);
	return -EBUSY;
}

/*
 * Give an empty device quanta of @quantum bytes, for SET_QUANTUM,
 * SET_ORDER and the quantum attribute: the range was checked.
 */
static int scull_set_quantum(struct scull_dev *dev, size_t quantum)
{
	int err = scull_lock_empty(dev, "quantum");

	if (err)
		return err;
	err = scull_store_set_quantum(dev, quantum);
	scull_unlock_all(dev);
	return err;
}

/* Is @quantum in the backend's range?  If not, say which range it is. */
static bool scull_check_quantum(struct scull_dev *dev, u64 quantum,
				const char *what)
{
	if (scull_quantum_valid(quantum, dev->be->max_order))
		return true;
	scull_user_err(dev, "%s: quantum %llu is out of range: %s (%s) takes 1..%llu bytes\n",
		       what, quantum, dev->be->devname, dev->be->name,
		       scull_quantum_max(dev->be->max_order));
	return false;
}

static int scull_ioc_quantum(struct scull_dev *dev, unsigned int cmd,
			     u64 __user *arg)
{
	u64 val;

	if (cmd == SCULL_IOC_GET_QUANTUM) {
		if (!put_user((u64)READ_ONCE(dev->quantum), arg))
			return 0;
	} else if (!capable(CAP_SYS_ADMIN)) {
		return -EPERM;
	} else if (!get_user(val, arg)) {
		if (!scull_check_quantum(dev, val, "ioctl SET_QUANTUM"))
			return -EINVAL;
		return scull_set_quantum(dev, val);
	}
	scull_user_err(dev, "ioctl %s_QUANTUM: bad user pointer\n",
		       cmd == SCULL_IOC_GET_QUANTUM ? "GET" : "SET");
	return -EFAULT;
}

static int scull_ioc_set(struct scull_dev *dev, unsigned int cmd,
			 u32 __user *arg)
{
	bool is_order = cmd == SCULL_IOC_SET_ORDER;
	u32 val, lo = is_order ? 0 : 1;
	u32 hi = is_order ? dev->be->max_order : SCULL_QSET_MAX;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (get_user(val, arg)) {
		scull_user_err(dev, "ioctl SET: bad user pointer\n");
		return -EFAULT;
	}
	if (is_order ? !scull_order_valid(val, hi) : !scull_qset_valid(val)) {
		scull_user_err(dev, "ioctl SET: %s=%u is out of range: %u..%u\n",
			       is_order ? "order" : "qset", val, lo, hi);
		return -EINVAL;
	}
	if (is_order)
		return scull_set_quantum(dev, scull_quantum_size_of(val));
	err = scull_lock_empty(dev, "ioctl SET");
	if (err)
		return err;
	scull_trim(dev);	/* empty qset arrays sized for the old qset */
	dev->qset = val;
	scull_unlock_all(dev);
	return 0;
}

/*
 * Choose the allocation flags of an empty device's quanta, for the
 * SET_GFP ioctl and the gfp attribute.  What the backend refuses, it says
 * why, and that goes to dmesg.
 */
static int scull_set_gfp(struct scull_dev *dev, const struct scull_gfp *g)
{
	const char *rule;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (g->zone >= SCULL_GFP_NR_ZONES || g->action >= SCULL_GFP_NR_ACTS) {
		scull_user_err(dev, "gfp: zone %u or action %u is out of range: 0..%u, 0..%u\n",
			       g->zone, g->action, SCULL_GFP_NR_ZONES - 1,
			       SCULL_GFP_NR_ACTS - 1);
		return -EINVAL;
	}
	rule = scull_gfp_refusal(dev->be, g);
	if (rule) {
		scull_user_err(dev, "gfp=%s,%s refused: %s\n",
			       scull_gfp_zone_names[g->zone],
			       scull_gfp_act_names[g->action], rule);
		return -EINVAL;
	}
	err = scull_lock_empty(dev, "gfp");
	if (err)
		return err;
	dev->gfp = *g;
	dev->gfp_mask = scull_gfp_mask(g);
	scull_unlock_all(dev);
	return 0;
}

static void scull_get_gfp(struct scull_dev *dev, struct scull_gfp *g,
			  gfp_t *mask)
{
	mutex_lock(&dev->lock);
	*g = dev->gfp;
	*mask = dev->gfp_mask;
	mutex_unlock(&dev->lock);
}

static int scull_ioc_gfp(struct scull_dev *dev, unsigned int cmd,
			 struct scull_gfp __user *arg)
{
	struct scull_gfp g;
	gfp_t mask;

	if (cmd == SCULL_IOC_GET_GFP) {
		scull_get_gfp(dev, &g, &mask);
		if (!copy_to_user(arg, &g, sizeof(g)))
			return 0;
	} else if (!copy_from_user(&g, arg, sizeof(g))) {
		return scull_set_gfp(dev, &g);
	}
	scull_user_err(dev, "ioctl %s_GFP: bad user pointer\n",
		       cmd == SCULL_IOC_GET_GFP ? "GET" : "SET");
	return -EFAULT;
}

/*
 * Choose the node of new quanta, for SET_NODE and the node attribute: an
 * online node, or NUMA_NO_NODE (SCULL_NODE_LOCAL).  It may change while
 * the device holds data, and while a write runs: the store reads it once
 * for each quantum (READ_ONCE), so no lock is taken, and a change does
 * not wait for a long write to end.
 */
static int scull_set_node(struct scull_dev *dev, int node)
{
	BUILD_BUG_ON(SCULL_NODE_LOCAL != NUMA_NO_NODE);
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (node != NUMA_NO_NODE &&
	    (node < 0 || (unsigned int)node >= nr_node_ids || !node_online(node))) {
		scull_user_err(dev, "node: %d is not an online node: write local or one of %*pbl\n",
			       node, nodemask_pr_args(&node_states[N_ONLINE]));
		return -EINVAL;
	}
	WRITE_ONCE(dev->node, node);
	return 0;
}

static int scull_ioc_node(struct scull_dev *dev, unsigned int cmd,
			  s32 __user *arg)
{
	s32 node;

	if (cmd == SCULL_IOC_GET_NODE) {
		if (!put_user(READ_ONCE(dev->node), arg))
			return 0;
	} else if (!get_user(node, arg)) {
		return scull_set_node(dev, node);
	}
	scull_user_err(dev, "ioctl %s_NODE: bad user pointer\n",
		       cmd == SCULL_IOC_GET_NODE ? "GET" : "SET");
	return -EFAULT;
}

/*
 * Ask for huge page-table entries for an empty device's quanta (1) or not
 * (0), for the SET_HUGE ioctl and the huge attribute.  A backend that
 * cannot says why, and that goes to dmesg.
 */
static int scull_set_huge(struct scull_dev *dev, u32 val)
{
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (val > 1) {
		scull_user_err(dev, "huge=%u: write 0 or 1\n", val);
		return -EINVAL;
	}
	if (val && dev->be->nohuge) {
		scull_user_err(dev, "huge=1 refused: %s\n", dev->be->nohuge);
		return -EINVAL;
	}
	err = scull_lock_empty(dev, "huge");
	if (err)
		return err;
	WRITE_ONCE(dev->huge, val);
	scull_unlock_all(dev);
	return 0;
}

/* Without the lock, which a long write holds: a flag, read once. */
static u32 scull_get_huge(struct scull_dev *dev)
{
	return READ_ONCE(dev->huge);
}

static int scull_ioc_huge(struct scull_dev *dev, unsigned int cmd,
			  u32 __user *arg)
{
	u32 val;

	if (cmd == SCULL_IOC_GET_HUGE) {
		if (!put_user(scull_get_huge(dev), arg))
			return 0;
	} else if (!get_user(val, arg)) {
		return scull_set_huge(dev, val);
	}
	scull_user_err(dev, "ioctl %s_HUGE: bad user pointer\n",
		       cmd == SCULL_IOC_GET_HUGE ? "GET" : "SET");
	return -EFAULT;
}

static int scull_ioc_reset(struct scull_dev *dev, struct file *filp)
{
	if (!(filp->f_mode & FMODE_WRITE))
		return -EBADF;
	return scull_truncate(dev);
}

long scull_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct scull_dev *dev = filp->private_data;

	switch (cmd) {
	case SCULL_IOC_GET_GEOMETRY:
		return scull_ioc_get_geometry(dev, (void __user *)arg);
	case SCULL_IOC_SET_ORDER:
	case SCULL_IOC_SET_QSET:
		return scull_ioc_set(dev, cmd, (u32 __user *)arg);
	case SCULL_IOC_RESET:
		return scull_ioc_reset(dev, filp);
	case SCULL_IOC_SET_GFP:
	case SCULL_IOC_GET_GFP:
		return scull_ioc_gfp(dev, cmd, (struct scull_gfp __user *)arg);
	case SCULL_IOC_SET_NODE:
	case SCULL_IOC_GET_NODE:
		return scull_ioc_node(dev, cmd, (s32 __user *)arg);
	case SCULL_IOC_SET_HUGE:
	case SCULL_IOC_GET_HUGE:
		return scull_ioc_huge(dev, cmd, (u32 __user *)arg);
	case SCULL_IOC_SET_QUANTUM:
	case SCULL_IOC_GET_QUANTUM:
		return scull_ioc_quantum(dev, cmd, (u64 __user *)arg);
	default:
		/* Not logged: isatty() probes every file this way. */
		return -ENOTTY;
	}
}

/* Read-only attributes in /sys/class/scullmem/scull?/, one value each. */
enum scull_attr_field {
	SCULL_ATTR_ORDER,
	SCULL_ATTR_QSET,
	SCULL_ATTR_SIZE,
	SCULL_ATTR_QUANTA,
	SCULL_ATTR_BYTES_ALLOCATED,
};

static ssize_t scull_attr_show(struct device *device,
			       struct device_attribute *attr, char *buf)
{
	unsigned long field = (unsigned long)container_of(attr,
					struct dev_ext_attribute, attr)->var;
	struct scull_geometry g;
	u64 val;

	scull_get_geometry(dev_get_drvdata(device), &g);
	switch (field) {
	case SCULL_ATTR_ORDER:
		val = g.order;
		break;
	case SCULL_ATTR_QSET:
		val = g.qset;
		break;
	case SCULL_ATTR_SIZE:
		val = g.size;
		break;
	case SCULL_ATTR_QUANTA:
		val = g.quanta;
		break;
	default:
		val = g.bytes_allocated;
		break;
	}
	return sysfs_emit(buf, "%llu\n", val);
}

#define SCULL_ATTR(_name, _field)					\
	struct dev_ext_attribute scull_attr_##_name = {			\
		__ATTR(_name, 0444, scull_attr_show, NULL),		\
		(void *)(_field)					\
	}

static SCULL_ATTR(order, SCULL_ATTR_ORDER);
static SCULL_ATTR(qset, SCULL_ATTR_QSET);
static SCULL_ATTR(size, SCULL_ATTR_SIZE);
static SCULL_ATTR(quanta, SCULL_ATTR_QUANTA);
static SCULL_ATTR(bytes_allocated, SCULL_ATTR_BYTES_ALLOCATED);

/*
 * quantum: the bytes of a quantum, written as a number of bytes (decimal,
 * or 0x for hex) while the device is empty.
 */
static ssize_t quantum_show(struct device *device, struct device_attribute *attr,
			    char *buf)
{
	struct scull_geometry g;

	scull_get_geometry(dev_get_drvdata(device), &g);
	return sysfs_emit(buf, "%llu\n", g.quantum);
}

static ssize_t quantum_store(struct device *device, struct device_attribute *attr,
			     const char *buf, size_t count)
{
	struct scull_dev *dev = dev_get_drvdata(device);
	u64 val;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (kstrtou64(buf, 0, &val)) {
		scull_user_err(dev, "quantum: write a number of bytes, 1..%llu\n",
			       scull_quantum_max(dev->be->max_order));
		return -EINVAL;
	}
	if (!scull_check_quantum(dev, val, "quantum"))
		return -EINVAL;
	err = scull_set_quantum(dev, val);
	return err ? err : count;
}
static DEVICE_ATTR_RW(quantum);

/*
 * gfp: the allocation flags of the quanta, as "ZONE,ACTION" and as the
 * kernel prints a gfp mask; written as ZONE, ACTION or "ZONE,ACTION" (what
 * is not given is the default: normal, kernel).
 */
static ssize_t gfp_show(struct device *device, struct device_attribute *attr,
			char *buf)
{
	struct scull_gfp g;
	gfp_t mask;

	scull_get_gfp(dev_get_drvdata(device), &g, &mask);
	return sysfs_emit(buf, "%s,%s %pGg\n", scull_gfp_zone_names[g.zone],
			  scull_gfp_act_names[g.action], &mask);
}

/* One word of a gfp attribute write: a zone or an action, set in @g. */
static int scull_gfp_word(const char *word, struct scull_gfp *g,
			  bool *zone, bool *action)
{
	int i;

	i = match_string(scull_gfp_zone_names, SCULL_GFP_NR_ZONES, word);
	if (i >= 0 && !*zone) {
		g->zone = i;
		*zone = true;
		return 0;
	}
	i = match_string(scull_gfp_act_names, SCULL_GFP_NR_ACTS, word);
	if (i >= 0 && !*action) {
		g->action = i;
		*action = true;
		return 0;
	}
	return -EINVAL;
}

static ssize_t gfp_store(struct device *device, struct device_attribute *attr,
			 const char *buf, size_t count)
{
	struct scull_dev *dev = dev_get_drvdata(device);
	struct scull_gfp g = { };
	bool zone = false, action = false;
	char text[32], *words, *word;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (strscpy(text, buf, sizeof(text)) < 0)
		goto bad;
	words = strim(text);
	while ((word = strsep(&words, ","))) {
		if (scull_gfp_word(word, &g, &zone, &action))
			goto bad;
	}
	err = scull_set_gfp(dev, &g);
	return err ? err : count;
bad:
	scull_user_err(dev, "gfp: write ZONE, ACTION or ZONE,ACTION: a zone of normal, dma, dma32, highmem, movable; an action of kernel, atomic, nowait, noio, nofs\n");
	return -EINVAL;
}
static DEVICE_ATTR_RW(gfp);

/* node: "local" (the allocator's own choice) or the number of a node. */
static ssize_t node_show(struct device *device, struct device_attribute *attr,
			 char *buf)
{
	struct scull_dev *dev = dev_get_drvdata(device);
	int node = READ_ONCE(dev->node);

	if (node == NUMA_NO_NODE)
		return sysfs_emit(buf, "local\n");
	return sysfs_emit(buf, "%d\n", node);
}

static ssize_t node_store(struct device *device, struct device_attribute *attr,
			  const char *buf, size_t count)
{
	struct scull_dev *dev = dev_get_drvdata(device);
	int node, err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (sysfs_streq(buf, "local")) {
		node = NUMA_NO_NODE;
	} else if (kstrtoint(buf, 10, &node) || node < 0) {
		scull_user_err(dev, "node: write local or one of the online nodes %*pbl\n",
			       nodemask_pr_args(&node_states[N_ONLINE]));
		return -EINVAL;
	}
	err = scull_set_node(dev, node);
	return err ? err : count;
}
static DEVICE_ATTR_RW(node);

/* huge: 0 or 1, as SET_HUGE takes it. */
static ssize_t huge_show(struct device *device, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%u\n", scull_get_huge(dev_get_drvdata(device)));
}

static ssize_t huge_store(struct device *device, struct device_attribute *attr,
			  const char *buf, size_t count)
{
	struct scull_dev *dev = dev_get_drvdata(device);
	unsigned int val;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (kstrtouint(buf, 10, &val)) {
		scull_user_err(dev, "huge: write 0 or 1\n");
		return -EINVAL;
	}
	err = scull_set_huge(dev, val);
	return err ? err : count;
}
static DEVICE_ATTR_RW(huge);

static struct attribute *scull_attrs[] = {
	&scull_attr_order.attr.attr,
	&scull_attr_qset.attr.attr,
	&dev_attr_quantum.attr,
	&scull_attr_size.attr.attr,
	&scull_attr_quanta.attr.attr,
	&scull_attr_bytes_allocated.attr.attr,
	&dev_attr_gfp.attr,
	&dev_attr_node.attr,
	&dev_attr_huge.attr,
	NULL
};

static const struct attribute_group scull_group = {
	.attrs = scull_attrs,
};

/* For device_create_with_groups(): the attributes of each node. */
const struct attribute_group *scull_groups[] = {
	&scull_group,
	NULL
};
