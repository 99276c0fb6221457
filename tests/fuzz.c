// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz - differential fuzzer of the scull devices.
 *
 *   fuzz [--seed S] [--ops N]
 *
 * One process per device runs N random operations (open with and without
 * O_TRUNC, close, read, write, pread, pwrite, readv, writev, lseek with
 * every whence, ioctl, mmap) and checks every result against a model of
 * the device: its bytes, its size, which quanta are allocated (for
 * SEEK_DATA/SEEK_HOLE) and each descriptor's position.  The whole content
 * is compared at the end.  The seed is printed; the same seed replays.
 * Exit 0 when every check held.
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

static const char *const devs[] = { "scullp", "scullv", "scullk", "scullc", "scullh" };
#define NDEVS	(sizeof(devs) / sizeof(devs[0]))

struct model {
	const char *name;
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

static void fail(struct model *m, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: %s: op %lu: ", m->name, m->op);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static unsigned long long sysval(const char *path)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");

	if (!f || !fgets(buf, sizeof(buf), f))
		exit(2);
	fclose(f);
	return strtoull(buf, NULL, 0);
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
	size_t q, n = 0;

	switch (rnd(m) % 5) {
	case 0:
		expect(m, 0, ioctl(m->fd[i], SCULL_IOC_GET_GEOMETRY, &g), "GET_GEOMETRY");
		for (q = 0; q < SPAN_QUANTA; q++)
			n += m->alloc[q];
		if (g.size != m->size || g.quanta != n || g.order != m->order ||
		    g.qset != m->qset || g.bytes_allocated != n * m->quantum)
			fail(m, "GET_GEOMETRY: size %llu quanta %llu, model %zu %zu",
			     (unsigned long long)g.size, (unsigned long long)g.quanta, m->size, n);
		break;
	case 1:
		if (rnd(m) % 8)
			break;	/* resets are rarer */
		expect(m, 0, ioctl(m->fd[i], SCULL_IOC_RESET), "RESET");
		model_trunc(m);
		break;
	case 2:
		v = m->qset;	/* the same value: EBUSY when holding data */
		expect(m, m->size ? -1 : 0, ioctl(m->fd[i], SCULL_IOC_SET_QSET, &v), "SET_QSET");
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
	int i = pick_fd(m), mappable = scull_mappable(m->name, m->order);
	size_t len = (m->size + 4095) & ~4095UL, k;
	unsigned char *p;

	if (!len)
		return;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd[i], 0);
	if (!mappable) {
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

static int run(const char *name, uint64_t seed, unsigned long ops)
{
	struct model m = { .name = name, .rng = seed ? seed : 1 };
	unsigned char *buf, *all;
	char path[128];
	int i;

	snprintf(m.path, sizeof(m.path), "/dev/%s", name);
	snprintf(path, sizeof(path), "/sys/class/scullmem/%s/order", name);
	m.order = sysval(path);
	snprintf(path, sizeof(path), "/sys/class/scullmem/%s/qset", name);
	m.qset = sysval(path);
	m.quantum = 4096UL << m.order;
	m.span = SPAN_QUANTA * m.quantum;
	m.nodes = online_nodes();
	m.data = calloc(1, m.span);
	m.alloc = calloc(1, SPAN_QUANTA);
	buf = malloc(4 * m.quantum);
	for (i = 0; i < NFD; i++)
		m.fd[i] = -1;
	i = open(m.path, O_WRONLY | O_TRUNC);
	if (i < 0)
		fail(&m, "open: %s", strerror(errno));
	close(i);

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
	printf("# fuzz: %s: %lu operations, final size %zu, all checks held\n", name, ops, m.size);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	unsigned long ops = 34000;
	int i, st, bad = 0;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--ops"))
			ops = strtoul(argv[i + 1], NULL, 0);
	}
	printf("# fuzz: seed %" PRIu64 ", %lu operations per device (replay: fuzz --seed %" PRIu64
	       " --ops %lu)\n", seed, ops, seed, ops);
	fflush(stdout);
	for (i = 0; i < (int)NDEVS; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fuzz: fork");
			bad++;
		} else if (!pid) {
			exit(run(devs[i], seed * NDEVS + i + 1, ops));
		}
	}
	for (i = 0; i < (int)NDEVS; i++) {
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	}
	printf("# fuzz: %lu operations in all, %d device(s) failed\n", NDEVS * ops, bad);
	return bad ? 1 : 0;
}
