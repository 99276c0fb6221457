// SPDX-License-Identifier: GPL-2.0
/*
 * scullctl - show or change the geometry of a scull device.
 *
 *   scullctl /dev/scullv              print geometry and usage
 *   scullctl /dev/scullv order=4      set order (and/or qset=N) of an empty device
 *   scullctl /dev/scullk quantum=4000 set the quantum of an empty device in
 *                                     bytes (order=N is quantum=PAGE_SIZE << N)
 *   scullctl /dev/scullv reset        free all of its data
 *   scullctl /dev/scullp gfp=dma32,atomic
 *                                     choose the allocation flags of an empty
 *                                     device: a zone (normal, dma, dma32,
 *                                     highmem, movable) and/or an action
 *                                     (kernel, atomic, nowait, noio, nofs)
 *   scullctl /dev/scullk node=1       ask for new quanta on NUMA node 1, at
 *                                     any time; node=local: the allocator's
 *                                     own choice (the default)
 *   scullctl /dev/scullv huge=1       map an empty scullv's quanta with huge
 *                                     page-table entries (vmalloc_huge)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../scull_ioctl.h"

static const char scullctl_usage[] =
	"usage: scullctl DEVICE [order=N] [quantum=BYTES] [qset=N] [gfp=[ZONE][,ACTION]]\n"
	"                [node=local|N] [huge=0|1] [reset]\n";

static const char *const zone_names[SCULL_GFP_NR_ZONES] = SCULL_GFP_ZONE_NAMES;
static const char *const act_names[SCULL_GFP_NR_ACTS] = SCULL_GFP_ACT_NAMES;

static int usage(void)
{
	fputs(scullctl_usage, stderr);
	return 2;
}

static int name_index(const char *const *names, int n, const char *word)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(names[i], word))
			return i;
	}
	return -1;
}

/*
 * ioctl @cmd with @argp, for the setting @arg (as the user wrote it); on
 * failure, say why, with a hint for EBUSY and for EINVAL (@einval).
 */
static int set_ioctl(int fd, const char *path, const char *arg, unsigned long cmd,
		     void *argp, const char *einval)
{
	if (ioctl(fd, cmd, argp) == 0)
		return 0;
	fprintf(stderr, "scullctl: %s: %s: %s%s\n", path, arg, strerror(errno),
		errno == EBUSY ? " (the device holds data: reset it first)" :
		errno == EINVAL ? einval : "");
	return 1;
}

/* gfp=WORD[,WORD]: a zone and/or an action; what is not given is the default. */
static int set_gfp(int fd, const char *path, const char *arg)
{
	struct scull_gfp g = { SCULL_GFP_ZONE_NORMAL, SCULL_GFP_ACT_KERNEL };
	int zone = 0, action = 0, i;
	char buf[64], *words = buf, *word;

	if (strlen(arg + 4) >= sizeof(buf))
		return usage();
	strcpy(buf, arg + 4);
	while ((word = strsep(&words, ","))) {
		i = name_index(zone_names, SCULL_GFP_NR_ZONES, word);
		if (i >= 0 && !zone++) {
			g.zone = i;
			continue;
		}
		i = name_index(act_names, SCULL_GFP_NR_ACTS, word);
		if (i >= 0 && !action++) {
			g.action = i;
			continue;
		}
		fprintf(stderr,
			"scullctl: %s: %s is not a zone (normal, dma, dma32, highmem, movable) or an action (kernel, atomic, nowait, noio, nofs), or repeats one\n",
			arg, word);
		return 2;
	}
	return set_ioctl(fd, path, arg, SCULL_IOC_SET_GFP, &g, " (dmesg says why)");
}

/* node=local or node=N. */
static int set_node(int fd, const char *path, const char *arg)
{
	const char *val = arg + 5;
	__s32 node = SCULL_NODE_LOCAL;
	char *end;
	long v;

	if (strcmp(val, "local")) {
		errno = 0;
		v = strtol(val, &end, 10);
		if (errno || !*val || *end || v < 0 || v > INT32_MAX) {
			fprintf(stderr, "scullctl: %s: not local or a node number\n", arg);
			return 2;
		}
		node = v;
	}
	return set_ioctl(fd, path, arg, SCULL_IOC_SET_NODE, &node,
			 " (not an online node: dmesg lists them)");
}

/*
 * NAME=NUMBER for @cmd: a 64-bit argument for quantum=, so that a size
 * too big is refused, not cut; 32 bits for the others.
 */
static int set_number(int fd, const char *path, const char *arg, unsigned long cmd)
{
	const char *val = strchr(arg, '=') + 1;
	int wide = cmd == SCULL_IOC_SET_QUANTUM;
	unsigned long long v;
	__u64 v64;
	__u32 v32;
	char *end;

	errno = 0;
	v = strtoull(val, &end, 0);
	if (errno || !*val || *end || *val == '-' || (!wide && v > UINT32_MAX)) {
		fprintf(stderr, "scullctl: %s: not a number%s\n", arg, wide ? " of bytes" : "");
		return 2;
	}
	v64 = v;
	v32 = v;
	return set_ioctl(fd, path, arg, cmd, wide ? (void *)&v64 : (void *)&v32,
			 wide ? " (out of range: dmesg names the limit)" : " (dmesg says why)");
}

static int show(int fd, const char *path)
{
	struct scull_geometry g;
	struct scull_gfp f;
	__s32 node;
	__u32 huge;

	if (ioctl(fd, SCULL_IOC_GET_GEOMETRY, &g) < 0) {
		fprintf(stderr, "scullctl: %s: GET_GEOMETRY: %s\n", path, strerror(errno));
		return 1;
	}
	printf("%s: order %u, qset %u, quantum %llu, size %llu, quanta %llu, ",
	       path, g.order, g.qset, (unsigned long long)g.quantum,
	       (unsigned long long)g.size, (unsigned long long)g.quanta);
	printf("bytes_allocated %llu", (unsigned long long)g.bytes_allocated);
	if (ioctl(fd, SCULL_IOC_GET_HUGE, &huge) < 0) {
		fprintf(stderr, "\nscullctl: %s: GET_HUGE: %s\n", path, strerror(errno));
		return 1;
	}
	printf(", huge %u", huge);
	if (ioctl(fd, SCULL_IOC_GET_GFP, &f) < 0 || f.zone >= SCULL_GFP_NR_ZONES ||
	    f.action >= SCULL_GFP_NR_ACTS) {
		fprintf(stderr, "\nscullctl: %s: GET_GFP: %s\n", path, strerror(errno));
		return 1;
	}
	printf(", gfp %s,%s", zone_names[f.zone], act_names[f.action]);
	if (ioctl(fd, SCULL_IOC_GET_NODE, &node) < 0) {
		fprintf(stderr, "\nscullctl: %s: GET_NODE: %s\n", path, strerror(errno));
		return 1;
	}
	if (node == SCULL_NODE_LOCAL)
		printf(", node local\n");
	else
		printf(", node %d\n", node);
	return 0;
}

static int set(int fd, const char *path, const char *arg)
{
	if (!strcmp(arg, "reset")) {
		if (ioctl(fd, SCULL_IOC_RESET) < 0) {
			fprintf(stderr, "scullctl: %s: reset: %s\n", path, strerror(errno));
			return 1;
		}
		return 0;
	}
	if (!strncmp(arg, "gfp=", 4))
		return set_gfp(fd, path, arg);
	if (!strncmp(arg, "node=", 5))
		return set_node(fd, path, arg);
	if (!strncmp(arg, "quantum=", 8))
		return set_number(fd, path, arg, SCULL_IOC_SET_QUANTUM);
	if (!strncmp(arg, "order=", 6))
		return set_number(fd, path, arg, SCULL_IOC_SET_ORDER);
	if (!strncmp(arg, "qset=", 5))
		return set_number(fd, path, arg, SCULL_IOC_SET_QSET);
	if (!strncmp(arg, "huge=", 5))
		return set_number(fd, path, arg, SCULL_IOC_SET_HUGE);
	return usage();
}

int main(int argc, char **argv)
{
	int fd, i, ret = 0;

	if (argc < 2 || argv[1][0] == '-')
		return usage();
	fd = open(argv[1], argc > 2 ? O_RDWR : O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "scullctl: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (i = 2; i < argc && !ret; i++)
		ret = set(fd, argv[1], argv[i]);
	if (!ret)
		ret = show(fd, argv[1]);
	close(fd);
	return ret;
}
