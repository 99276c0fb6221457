// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz - differential fuzzer of the scull devices.
 *
 *   fuzz [--seed S] [--ops N] [--quantum BYTES[,BYTES]...] [--qset N]
 *
 * One process per device runs N random operations (open with and without
 * O_TRUNC, close, read, write, pread, pwrite, readv, writev, lseek with
 * every whence, ioctl, mmap) and checks every result against a model of
 * the device: its bytes, its size, which quanta are allocated (for
 * SEEK_DATA/SEEK_HOLE) and each descriptor's position.  The whole content
 * is compared at the end.  The seed is printed; the same seed replays.
 * Exit 0 when every check held.
 *
 * Without --quantum, on the five devices of the page orders, each at the
 * geometry the module has (quanta of PAGE_SIZE << order).  With it, on
 * all seven devices, N operations at each quantum size in turn (issue 26:
 * any size in bytes): the device is emptied and given the size with
 * SCULL_IOC_SET_QUANTUM, and the model uses it; mmap must then fail with
 * ENODEV unless the size is a whole number of pages.  --qset N sets the
 * qset the same way.  At the end every device is emptied and given back
 * the quantum and qset it had, whether the checks held or not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../scull_ioctl.h"
#include "testlib.h"

#define NFD	4
#define SPAN_QUANTA	48	/* offsets stay below this many quanta */

/* The devices of the page orders; with --quantum, all seven. */
static const char *const devs[] = {
	"scullp", "scullv", "scullk", "scullc", "scullh", "scullx", "scullkv"
};
#define NDEVS_ORDERS	5
#define NDEVS_ALL	(sizeof(devs) / sizeof(devs[0]))
#define MAX_QUANTA	16	/* sizes one --quantum names */

static size_t page_size;

struct model {
	const char *name;
	char label[64];		/* for messages: the name, and the quantum if set */
	char path[64];
	size_t quantum;
	size_t span;
	unsigned int order;
	unsigned int qset;
	unsigned char *data;	/* span bytes */
	unsigned char *alloc;	/* one flag per quantum */
	size_t size;
	int fd[NFD];
	off_t pos[NFD];
	unsigned long op;
	uint64_t rng;
	int nodes;		/* online nodes, numbered 0 to nodes - 1 */
};

static uint64_t rnd(struct model *m)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng;
}

/* One line, written at once: the devices' processes fail side by side. */
static void fail(struct model *m, const char *fmt, ...)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "fuzz: %s: op %lu: ", m->label, m->op);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
	exit(1);
}

static unsigned long long sysval(const char *path)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");

	if (!f || !fgets(buf, sizeof(buf), f)) {
		fprintf(stderr, "fuzz: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	return strtoull(buf, NULL, 0);
}

/* /sys/class/scullmem/DEV/ATTR */
static unsigned long long devattr(const char *dev, const char *attr)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/scullmem/%s/%s", dev, attr);
	return sysval(path);
}

/* The kernel's get_order(): the order of the fewest pages that hold @size. */
static unsigned int order_of(size_t size)
{
	unsigned int order = 0;

	while ((page_size << order) < size)
		order++;
	return order;
}

/*
 * Can the device's quanta be mapped?  Only whole pages (scull_mmap.c), and
 * then as testlib.h says for the five devices of the page orders; scullx's
 * are pages from alloc_pages_exact(), scullkv's never (kvmalloc's may be
 * slab memory).
 */
static int mappable(const char *name, size_t quantum, unsigned int order)
{
	if (quantum % page_size || !strcmp(name, "scullkv"))
		return 0;
	return scull_mappable(name, order);
}

static void model_write(struct model *m, off_t off, const unsigned char *p, size_t n)
{
	size_t q;

	if (!n)
		return;
	memcpy(m->data + off, p, n);
	for (q = off / m->quantum; q <= (off + n - 1) / m->quantum; q++)
		m->alloc[q] = 1;
	if ((size_t)off + n > m->size)
		m->size = off + n;
}

static void model_trunc(struct model *m)
{
	memset(m->data, 0, m->span);
	memset(m->alloc, 0, SPAN_QUANTA);
	m->size = 0;
}

static void expect(struct model *m, long long want, long long got, const char *what)
{
	size_t q;

	if (want != got && getenv("FUZZ_DEBUG")) {
		fprintf(stderr, "allocated quanta:");
		for (q = 0; q < SPAN_QUANTA; q++)
			fprintf(stderr, "%c", m->alloc[q] ? '#' : '.');
		fprintf(stderr, "\n");
	}
	if (want != got)
		fail(m, "%s returned %lld, the model says %lld (errno %d)", what, got, want,
		     got < 0 ? errno : 0);
}

static void check_bytes(struct model *m, const unsigned char *got, off_t off,
			size_t n, const char *what)
{
	if (n && memcmp(got, m->data + off, n)) {
		size_t i = 0;

		while (got[i] == m->data[off + i])
			i++;
		fail(m, "%s: byte %lld is %#x, the model says %#x", what,
		     (long long)(off + i), got[i], m->data[off + i]);
	}
}

static int pick_fd(struct model *m)
{
	int i = rnd(m) % NFD;

	if (m->fd[i] < 0) {
		m->fd[i] = open(m->path, O_RDWR);
		m->pos[i] = 0;
		if (m->fd[i] < 0)
			fail(m, "open: %s", strerror(errno));
	}
	return i;
}

/* How many bytes a read of n at off returns, by the model. */
static size_t readable(struct model *m, off_t off, size_t n)
{
	if ((size_t)off >= m->size)
		return 0;
	return n < m->size - off ? n : m->size - off;
}

static void op_open(struct model *m)
{
	int i = rnd(m) % NFD, trunc = rnd(m) % 4 == 0;

	if (m->fd[i] >= 0)
		close(m->fd[i]);
	m->fd[i] = open(m->path, O_RDWR | (trunc ? O_TRUNC : 0));
	if (m->fd[i] < 0)
		fail(m, "open: %s", strerror(errno));
	m->pos[i] = 0;
	if (trunc)
		model_trunc(m);
}

static void op_write(struct model *m, unsigned char *buf, int positional)
{
	int i = pick_fd(m);
	off_t off = positional ? (off_t)(rnd(m) % m->span) : m->pos[i];
	size_t n = rnd(m) % (3 * m->quantum);
	ssize_t r;
	size_t k;

	if ((size_t)off >= m->span)
		n = 0;
	else if (off + n > m->span)
		n = m->span - off;
	for (k = 0; k < n; k++)
		buf[k] = rnd(m);
	r = positional ? pwrite(m->fd[i], buf, n, off) : write(m->fd[i], buf, n);
	expect(m, n, r, positional ? "pwrite" : "write");
	model_write(m, off, buf, n);
	if (!positional)
		m->pos[i] += n;
}

static void op_read(struct model *m, unsigned char *buf, int positional)
{
	int i = pick_fd(m);
	off_t off = positional ? (off_t)(rnd(m) % (m->span + m->quantum)) : m->pos[i];
	size_t n = rnd(m) % (3 * m->quantum);
	ssize_t r;

	r = positional ? pread(m->fd[i], buf, n, off) : read(m->fd[i], buf, n);
	expect(m, readable(m, off, n), r, positional ? "pread" : "read");
	check_bytes(m, buf, off, r, positional ? "pread" : "read");
	if (!positional)
		m->pos[i] += r;
}

static void op_vector(struct model *m, unsigned char *buf)
{
	int i = pick_fd(m), w = rnd(m) & 1;
	size_t a = rnd(m) % m->quantum, b = rnd(m) % (2 * m->quantum), k;
	struct iovec iov[2] = { { buf, a }, { buf + a, b } };
	off_t off = m->pos[i];
	ssize_t r;

	if (w) {
		if (off + a + b > m->span)
			return;
		for (k = 0; k < a + b; k++)
			buf[k] = rnd(m);
		r = writev(m->fd[i], iov, 2);
		expect(m, a + b, r, "writev");
		model_write(m, off, buf, a + b);
	} else {
		r = readv(m->fd[i], iov, 2);
		expect(m, readable(m, off, a + b), r, "readv");
		check_bytes(m, buf, off, r, "readv");
	}
	m->pos[i] += r;
}

static off_t model_seek_data(struct model *m, off_t off, int hole)
{
	size_t q;

	if (off < 0 || (size_t)off >= m->size)
		return -1;
	for (q = off / m->quantum; q * m->quantum < m->size; q++) {
		if (m->alloc[q] != hole) {
			off_t at = (off_t)(q * m->quantum);

			return at > off ? at : off;
		}
	}
	return hole ? (off_t)m->size : -1;
}

static void op_lseek(struct model *m)
{
	int i = pick_fd(m), whence = rnd(m) % 5;
	off_t off = (off_t)(rnd(m) % (m->span + m->quantum)) - (rnd(m) % 8 == 0 ? m->span : 0);
	off_t base = 0, want;
	char what[96];

	switch (whence) {
	case SEEK_CUR:
		base = m->pos[i];
		break;
	case SEEK_END:
		base = m->size;
		off -= m->span / 2;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		base = model_seek_data(m, off, whence == SEEK_HOLE);
		want = base;
		goto check;
	}
	want = base + off < 0 ? -1 : base + off;
check:
	errno = 0;
	snprintf(what, sizeof(what), "lseek(%lld, whence %d) with size %zu", (long long)off,
		 whence, m->size);
	expect(m, want, lseek(m->fd[i], off, whence), what);
	if (want >= 0)
		m->pos[i] = want;
	else if (errno != (whence >= SEEK_DATA ? ENXIO : EINVAL))
		fail(m, "lseek whence %d: errno %d", whence, errno);
}

/*
 * SET_NODE, at any time, data or not: local (-1), an online node, or one
 * past the last online node (EINVAL); GET_NODE reads back what was set.
 * The data does not care: only where new quanta come from changes.
 */
static void op_node(struct model *m, int i)
{
	__s32 node = (__s32)(rnd(m) % (m->nodes + 2)) - 1, got;
	int ok = node < m->nodes;

	expect(m, ok ? 0 : -1, ioctl(m->fd[i], SCULL_IOC_SET_NODE, &node), "SET_NODE");
	if (!ok) {
		if (errno != EINVAL)
			fail(m, "SET_NODE %d: errno %d", node, errno);
		return;
	}
	expect(m, 0, ioctl(m->fd[i], SCULL_IOC_GET_NODE, &got), "GET_NODE");
	if (got != node)
		fail(m, "GET_NODE: %d after SET_NODE %d", got, node);
}

/* The online nodes, if they are 0 to N - 1 ("0", "0-1"); 1 otherwise. */
static int online_nodes(void)
{
	FILE *f = fopen("/sys/devices/system/node/online", "r");
	int lo = 0, hi = 0;

	if (!f)
		return 1;	/* no CONFIG_NUMA: node 0 */
	if (fscanf(f, "%d-%d", &lo, &hi) < 1 || lo != 0)
		hi = 0;
	fclose(f);
	return hi + 1;
}

static void op_ioctl(struct model *m)
{
	int i = pick_fd(m);
	struct scull_geometry g;
	__u32 v;
	__u64 bytes;
	size_t q, n = 0;

	switch (rnd(m) % 5) {
	case 0:
		expect(m, 0, ioctl(m->fd[i], SCULL_IOC_GET_GEOMETRY, &g), "GET_GEOMETRY");
		for (q = 0; q < SPAN_QUANTA; q++)
			n += m->alloc[q];
		if (g.size != m->size || g.quanta != n || g.order != m->order ||
		    g.qset != m->qset || g.quantum != m->quantum ||
		    g.bytes_allocated != n * m->quantum)
			fail(m, "GET_GEOMETRY: size %llu quanta %llu order %u qset %u quantum %llu bytes_allocated %llu; the model says %zu %zu %u %u %zu %zu",
			     (unsigned long long)g.size, (unsigned long long)g.quanta, g.order,
			     g.qset, (unsigned long long)g.quantum,
			     (unsigned long long)g.bytes_allocated, m->size, n, m->order,
			     m->qset, m->quantum, n * m->quantum);
		break;
	case 1:
		if (rnd(m) % 8)
			break;	/* resets are rarer */
		expect(m, 0, ioctl(m->fd[i], SCULL_IOC_RESET), "RESET");
		model_trunc(m);
		break;
	case 2:
		/* The same value: EBUSY when holding data. */
		if (rnd(m) & 1) {
			v = m->qset;
			expect(m, m->size ? -1 : 0, ioctl(m->fd[i], SCULL_IOC_SET_QSET, &v),
			       "SET_QSET");
		} else {
			bytes = m->quantum;
			expect(m, m->size ? -1 : 0, ioctl(m->fd[i], SCULL_IOC_SET_QUANTUM, &bytes),
			       "SET_QUANTUM");
		}
		if (m->size && errno != EBUSY)
			fail(m, "SET_QSET or SET_QUANTUM with data: errno %d, not EBUSY", errno);
		expect(m, 0, ioctl(m->fd[i], SCULL_IOC_GET_QUANTUM, &bytes), "GET_QUANTUM");
		if (bytes != m->quantum)
			fail(m, "GET_QUANTUM: %llu, the model says %zu", (unsigned long long)bytes,
			     m->quantum);
		break;
	case 3:
		op_node(m, i);
		break;
	default:
		expect(m, -1, ioctl(m->fd[i], _IO(SCULL_IOC_MAGIC, 77 + rnd(m) % 20)), "bad ioctl");
		if (errno != ENOTTY)
			fail(m, "bad ioctl: errno %d", errno);
		break;
	}
}

static void op_mmap(struct model *m)
{
	int i = pick_fd(m), ok = mappable(m->name, m->quantum, m->order);
	size_t len = (m->size + page_size - 1) & ~(page_size - 1), k;
	unsigned char *p;

	if (!len)
		return;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd[i], 0);
	if (!ok) {
		if (p != MAP_FAILED || errno != ENODEV)
			fail(m, "mmap of unmappable quanta: %s", p == MAP_FAILED ? strerror(errno) : "mapped");
		return;
	}
	if (p == MAP_FAILED)
		fail(m, "mmap %zu: %s", len, strerror(errno));
	for (k = 0; k < 8; k++) {
		off_t off = rnd(m) % m->size;
		size_t n = rnd(m) % 512, j;

		if (off + n > m->size)
			n = m->size - off;
		if (rnd(m) & 1) {
			check_bytes(m, p + off, off, n, "mmap read");
			/* Touching a hole allocates its quantum. */
			if (n)
				m->alloc[off / m->quantum] = 1;
			if (n > 1)
				m->alloc[(off + n - 1) / m->quantum] = 1;
		} else {
			for (j = 0; j < n; j++)
				p[off + j] = rnd(m);
			memcpy(m->data + off, p + off, n);
			if (n) {
				m->alloc[off / m->quantum] = 1;
				m->alloc[(off + n - 1) / m->quantum] = 1;
			}
		}
	}
	munmap(p, len);
}

/*
 * Empty the device and, if @quantum (bytes) or @qset is not 0, give it that
 * quantum or qset; both as the device reads them back after.
 */
static void setup(struct model *m, size_t quantum, unsigned int qset)
{
	__u64 bytes = quantum, got;
	__u32 v = qset;
	int fd = open(m->path, O_WRONLY | O_TRUNC);

	if (fd < 0)
		fail(m, "open: %s", strerror(errno));
	if (quantum) {
		expect(m, 0, ioctl(fd, SCULL_IOC_SET_QUANTUM, &bytes), "SET_QUANTUM");
		expect(m, 0, ioctl(fd, SCULL_IOC_GET_QUANTUM, &got), "GET_QUANTUM");
		if (got != quantum)
			fail(m, "GET_QUANTUM: %llu after SET_QUANTUM %zu",
			     (unsigned long long)got, quantum);
	}
	if (qset)
		expect(m, 0, ioctl(fd, SCULL_IOC_SET_QSET, &v), "SET_QSET");
	close(fd);
}

/*
 * @ops operations on device @name; at quanta of @quantum bytes and a qset
 * of @qset if they are not 0, else at the geometry the device has.
 */
static int run(const char *name, uint64_t seed, unsigned long ops, size_t quantum,
	       unsigned int qset)
{
	struct model m = { .name = name, .rng = seed ? seed : 1 };
	unsigned char *buf, *all;
	int i;

	snprintf(m.label, sizeof(m.label), "%s", name);
	if (quantum)
		snprintf(m.label, sizeof(m.label), "%s at quantum %zu", name, quantum);
	snprintf(m.path, sizeof(m.path), "/dev/%s", name);
	setup(&m, quantum, qset);
	m.order = devattr(name, "order");
	m.qset = devattr(name, "qset");
	/*
	 * The model's own geometry: the size set, or the order's pages.  The
	 * device's order must be get_order() of it: the sysfs file, then
	 * GET_GEOMETRY.
	 */
	m.quantum = quantum ? quantum : page_size << m.order;
	if (quantum && m.order != order_of(quantum))
		fail(&m, "order %u at quantum %zu: get_order() is %u", m.order, quantum,
		     order_of(quantum));
	if (qset && m.qset != qset)
		fail(&m, "qset %u after SET_QSET %u", m.qset, qset);
	if (devattr(name, "quantum") != m.quantum)
		fail(&m, "sysfs quantum %llu, the model says %zu", devattr(name, "quantum"),
		     m.quantum);
	m.span = SPAN_QUANTA * m.quantum;
	m.nodes = online_nodes();
	m.data = calloc(1, m.span);
	m.alloc = calloc(1, SPAN_QUANTA);
	buf = malloc(4 * m.quantum);
	if (!m.data || !m.alloc || !buf)
		fail(&m, "out of memory");
	for (i = 0; i < NFD; i++)
		m.fd[i] = -1;

	for (m.op = 0; m.op < ops; m.op++) {
		switch (rnd(&m) % 12) {
		case 0:
			op_open(&m);
			break;
		case 1:
			i = rnd(&m) % NFD;
			if (m.fd[i] >= 0)
				close(m.fd[i]);
			m.fd[i] = -1;
			break;
		case 2:
		case 3:
			op_write(&m, buf, rnd(&m) & 1);
			break;
		case 4:
		case 5:
			op_read(&m, buf, rnd(&m) & 1);
			break;
		case 6:
			op_vector(&m, buf);
			break;
		case 7:
		case 8:
			op_lseek(&m);
			break;
		case 9:
			op_ioctl(&m);
			break;
		default:
			op_mmap(&m);
			break;
		}
	}
	all = malloc(m.span + 1);
	i = pick_fd(&m);
	expect(&m, m.size, pread(m.fd[i], all, m.span + 1, 0), "final pread");
	check_bytes(&m, all, 0, m.size, "final contents");
	i = -1;
	expect(&m, 0, ioctl(m.fd[pick_fd(&m)], SCULL_IOC_SET_NODE, &i), "SET_NODE local");
	printf("# fuzz: %s: %lu operations, final size %zu, all checks held\n", m.label, ops,
	       m.size);
	fflush(stdout);
	for (i = 0; i < NFD; i++) {
		if (m.fd[i] >= 0)
			close(m.fd[i]);
	}
	free(all);
	free(buf);
	free(m.data);
	free(m.alloc);
	return 0;
}

/*
 * Give device @name back @quantum and @qset, as it had them before the
 * run, emptied: 0 if it took them.
 */
static int restore(const char *name, __u64 quantum, __u32 qset)
{
	char path[64];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/dev/%s", name);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0 || ioctl(fd, SCULL_IOC_SET_QUANTUM, &quantum) ||
	    ioctl(fd, SCULL_IOC_SET_QSET, &qset)) {
		fprintf(stderr, "fuzz: %s: cannot restore quantum %llu qset %u: %s\n", name,
			(unsigned long long)quantum, qset, strerror(errno));
		rc = 1;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

static void usage(void)
{
	fprintf(stderr, "usage: fuzz [--seed S] [--ops N] [--quantum BYTES[,BYTES]...] [--qset N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	unsigned long ops = 34000;
	size_t quanta[MAX_QUANTA] = { 0 };	/* 0: the device's own */
	unsigned int nquanta = 1, qset = 0, ndevs = NDEVS_ORDERS, k;
	const char *qarg = NULL;
	__u64 old_quantum[NDEVS_ALL];
	__u32 old_qset[NDEVS_ALL];
	int i, st, bad = 0;
	char *end, opts[128];

	page_size = sysconf(_SC_PAGESIZE);
	for (i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--seed")) {
			seed = strtoull(argv[i + 1], NULL, 0);
		} else if (!strcmp(argv[i], "--ops")) {
			ops = strtoul(argv[i + 1], NULL, 0);
		} else if (!strcmp(argv[i], "--qset")) {
			qset = strtoul(argv[i + 1], &end, 0);
			if (!qset || *end)
				usage();
		} else if (!strcmp(argv[i], "--quantum")) {
			qarg = argv[i + 1];
			end = argv[i + 1];
			for (nquanta = 0; nquanta < MAX_QUANTA; ) {
				quanta[nquanta++] = strtoul(end, &end, 0);
				if (!quanta[nquanta - 1] || (*end && *end != ','))
					usage();
				if (!*end++)
					break;
			}
			if (end[-1])
				usage();	/* more than MAX_QUANTA */
		} else {
			usage();
		}
	}
	/* A size or a qset is set on every device, the issue 26 ones too. */
	if (qarg || qset)
		ndevs = NDEVS_ALL;
	opts[0] = '\0';
	if (qarg)
		snprintf(opts, sizeof(opts), " --quantum %s", qarg);
	if (qset)
		snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), " --qset %u", qset);
	printf("# fuzz: seed %" PRIu64 ", %lu operations per device%s%s on %u devices (replay: fuzz --seed %"
	       PRIu64 " --ops %lu%s)\n", seed, ops, qarg ? " at each quantum of " : "",
	       qarg ? qarg : "", ndevs, seed, ops, opts);
	fflush(stdout);
	for (i = 0; i < (int)ndevs; i++) {
		old_quantum[i] = devattr(devs[i], "quantum");
		old_qset[i] = devattr(devs[i], "qset");
	}
	for (i = 0; i < (int)ndevs; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fuzz: fork");
			bad++;
		} else if (!pid) {
			for (k = 0; k < nquanta; k++)
				run(devs[i], (seed * ndevs + i + 1) ^ ((uint64_t)k << 40), ops,
				    quanta[k], qset);
			exit(0);
		}
	}
	for (i = 0; i < (int)ndevs; i++) {
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	}
	for (i = 0; qarg || qset ? i < (int)ndevs : 0; i++)
		bad += restore(devs[i], old_quantum[i], old_qset[i]);
	printf("# fuzz: %lu operations in all, %d device(s) failed\n", ndevs * nquanta * ops, bad);
	return bad ? 1 : 0;
}
