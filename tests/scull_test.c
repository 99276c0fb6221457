// SPDX-License-Identifier: GPL-2.0
/*
 * Functional tests of the scull devices, one fixture variant per device.
 *
 * Run as root in the guest with scull.ko loaded.  The geometry is read
 * from /sys/module/scull/parameters, so the same tests run at every order
 * and qset the module was loaded with.  SCULL_SEED sets the seed of the
 * random tests (printed either way); SCULL_TESTS=",a,b," runs only tests
 * a and b (a name that matches no test is an error).
 */
#define _GNU_SOURCE
#include <alloca.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kernel-page-flags.h>

#include "kselftest_harness.h"
#include "../scull_ioctl.h"
#include "testlib.h"

/* ---- helpers ---------------------------------------------------------- */

static unsigned long long read_ull(const char *path)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");

	if (!f || !fgets(buf, sizeof(buf), f)) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	return strtoull(buf, NULL, 0);
}

static unsigned long long param(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/scull/parameters/%s", name);
	return read_ull(path);
}

static unsigned long long attr(const char *dev, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/scullmem/%s/%s", dev, name);
	return read_ull(path);
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void seed_rng(const char *what)
{
	const char *s = getenv("SCULL_SEED");

	rng_state = s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL) * 2654435761u;
	if (!rng_state)
		rng_state = 1;
	printf("# %s: seed %llu (replay with SCULL_SEED=%llu)\n", what,
	       (unsigned long long)rng_state, (unsigned long long)rng_state);
}

static void fill_rnd(unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = rnd() >> 24;
}

static int all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Write all of buf at off with pwrite, looping over short counts. */
static ssize_t pwrite_all(int fd, const void *buf, size_t n, off_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pwrite(fd, (const char *)buf + done, n - done, off + done);

		if (r <= 0)
			return r < 0 ? r : (ssize_t)done;
		done += r;
	}
	return done;
}

/*
 * The first line of Device @dev's block in /proc/scullmem that starts
 * with @prefix, into @line (@size bytes).  Return: 0, or -1 when there is
 * none or the file cannot be read.
 */
static int proc_dev_line(const char *dev, const char *prefix, char *line, size_t size)
{
	char hdr[64];
	int in = 0, rc = -1;
	FILE *f = fopen("/proc/scullmem", "r");

	if (!f)
		return -1;
	snprintf(hdr, sizeof(hdr), "Device %s:", dev);
	while (fgets(line, size, f)) {
		if (!strncmp(line, "Device ", 7))
			in = !strncmp(line, hdr, strlen(hdr));
		if (in && !strncmp(line, prefix, strlen(prefix))) {
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

/* Count the quantum lines of one device in /proc/scullmem. */
static long proc_quanta(const char *dev, int *privileged)
{
	static char line[1 << 16];
	char hdr[64];
	long n = 0;
	int in = 0;
	FILE *f = fopen("/proc/scullmem", "r");

	if (!f)
		return -1;
	snprintf(hdr, sizeof(hdr), "Device %s:", dev);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "scullmem:", 9) && privileged)
			*privileged = !!strstr(line, "view privileged");
		if (!strncmp(line, "Device ", 7))
			in = !strncmp(line, hdr, strlen(hdr));
		else if (in && !strncmp(line, "    quantum ", 12))
			n++;
	}
	fclose(f);
	return n;
}

/* One quantum line of /proc/scullmem. */
#define QL_MAXP	64	/* pages of a quantum whose pfns are kept */
struct qline {
	unsigned long idx;
	unsigned long long virt, phys, pfn;
	int novirt;		/* "virt -": no kernel address (high memory) */
	char region[16], word[16];
	unsigned int pages, runs;
	/* The "pfns" field: its runs, the pages they add up to, the first QL_MAXP pfns. */
	unsigned int pfn_runs, pfn_pages;
	unsigned long long pfns[QL_MAXP];
};

/*
 * The field of a quantum line " pfns FIRST-LAST,PFN,...", the last but for
 * what the allocator holds (" holds N ..."): the runs of page frames in the
 * quantum's page order.  Returns 0, or -1 when it is missing or malformed,
 * or "-" (unprivileged).
 */
static int parse_pfns(const char *line, struct qline *q)
{
	const char *s = strstr(line, " pfns ");
	unsigned long long a, b;
	char *end;

	q->pfn_runs = 0;
	q->pfn_pages = 0;
	if (!s)
		return -1;
	for (s += 6;; s = end + 1) {
		a = strtoull(s, &end, 16);
		if (end == s)
			return -1;
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtoull(s, &end, 16);
			if (end == s || b <= a)
				return -1;
		}
		q->pfn_runs++;
		for (; a <= b; a++, q->pfn_pages++)
			if (q->pfn_pages < QL_MAXP)
				q->pfns[q->pfn_pages] = a;
		if (*end != ',')
			break;
	}
	return *end == '\n' || *end == '\0' || !strncmp(end, " holds ", 7) ? 0 : -1;
}

/* The virt field: hex, or "-" for a quantum with no kernel address. */
static int parse_virt(const char *s, struct qline *q)
{
	char *end;

	q->novirt = !strcmp(s, "-");
	q->virt = q->novirt ? 0 : strtoull(s, &end, 16);
	return !q->novirt && (end == s || *end);
}

/*
 * Parse the quantum lines of one device into out[] (at most max); returns
 * how many there were (possibly more than max), -1 on a malformed line.
 * With @pfns, the pfns field must be there and add up to the line's pages
 * and runs (privileged view).
 */
static long proc_qlines_pfns(const char *dev, struct qline *out, long max, int pfns)
{
	static char line[1 << 16];
	char hdr[64];
	long n = 0;
	int in = 0;
	FILE *f = fopen("/proc/scullmem", "r");

	if (!f)
		return -1;
	snprintf(hdr, sizeof(hdr), "Device %s:", dev);
	while (fgets(line, sizeof(line), f)) {
		struct qline q;
		char virt[24];

		if (!strncmp(line, "Device ", 7))
			in = !strncmp(line, hdr, strlen(hdr));
		if (!in || strncmp(line, "    quantum ", 12))
			continue;
		if (sscanf(line, "    quantum %lu: virt %23s phys %llx pfn %llx %15s pages %u runs %u %15s",
			   &q.idx, virt, &q.phys, &q.pfn, q.region, &q.pages, &q.runs,
			   q.word) != 8 ||
		    parse_virt(virt, &q) ||
		    (pfns && (parse_pfns(line, &q) || q.pfn_pages != q.pages ||
			      q.pfn_runs != q.runs || q.pfns[0] != q.pfn))) {
			fprintf(stderr, "# malformed: %s", line);
			n = -1;
			break;
		}
		if (n < max)
			out[n] = q;
		n++;
	}
	fclose(f);
	return n;
}

static long proc_qlines(const char *dev, struct qline *out, long max)
{
	return proc_qlines_pfns(dev, out, max, 1);
}

/* The region a quantum line must show: vmalloc, highmem (no virt), linear. */
static const char *region_of(int vmalloc, const struct qline *q)
{
	return vmalloc ? "vmalloc" : q->novirt ? "highmem" : "linear";
}

/*
 * The kernel's address-space layout, from the banner's `layout:` line
 * (privileged view): the linear map [lo, hi) and the vmalloc range.
 * Returns 0, or -1 when the line is missing or hidden.
 */
struct layout {
	unsigned long long linear_lo, linear_hi, vmalloc_lo, vmalloc_hi;
};

static int proc_layout(struct layout *l)
{
	char line[512];
	int n = -1;
	FILE *f = fopen("/proc/scullmem", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "layout: ", 8))
			continue;
		if (sscanf(line, "layout: linear %llx-%llx, vmalloc %llx-%llx",
			   &l->linear_lo, &l->linear_hi, &l->vmalloc_lo, &l->vmalloc_hi) == 4 &&
		    l->linear_lo < l->linear_hi && l->vmalloc_lo < l->vmalloc_hi)
			n = 0;
		break;
	}
	fclose(f);
	return n;
}

/* ---- fixture ---------------------------------------------------------- */

FIXTURE(scull) {
	int fd;
	const char *name;
	size_t quantum;
	size_t qset;
	unsigned int order;
};

/*
 * @slab_below: quanta of lower orders are slab objects (scullk: up to
 * KMALLOC_MAX_CACHE_SIZE; scullc: every order, SLAB_ALL).  @highmem: a
 * quantum may be in high memory, with no kernel address ("virt -").
 */
#define SLAB_ALL	64
FIXTURE_VARIANT(scull) {
	const char *path;
	unsigned int slab_below;
	int highmem;
};

FIXTURE_VARIANT_ADD(scull, scullp) { .path = "/dev/scullp", .slab_below = 0 };
FIXTURE_VARIANT_ADD(scull, scullv) { .path = "/dev/scullv", .slab_below = 0 };
FIXTURE_VARIANT_ADD(scull, scullk) { .path = "/dev/scullk", .slab_below = 2 };
FIXTURE_VARIANT_ADD(scull, scullc) { .path = "/dev/scullc", .slab_below = SLAB_ALL };
FIXTURE_VARIANT_ADD(scull, scullh) { .path = "/dev/scullh", .highmem = 1 };

FIXTURE_SETUP(scull)
{
	self->name = variant->path + 5;
	self->order = param("order");
	self->qset = param("qset");
	self->quantum = 4096UL << self->order;
	self->fd = open(variant->path, O_RDWR | O_TRUNC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", variant->path, strerror(errno));
	ASSERT_EQ(0, attr(self->name, "size"));
	ASSERT_EQ(0, attr(self->name, "quanta"));
}

/*
 * After a test that failed half-way: the module's order and qset, huge 0,
 * node local, gfp normal,kernel, so that one failure does not take the
 * device's next tests with it.  A test that passes puts back what it
 * changed itself (a later test would fail if it did not).
 */
static void restore_device(int fd, const char *name, unsigned int order, size_t qset)
{
	char path[96];
	__s32 node = -1;
	__u32 v = 0;
	int afd;

	ioctl(fd, SCULL_IOC_RESET);
	ioctl(fd, SCULL_IOC_SET_HUGE, &v);
	v = order;
	ioctl(fd, SCULL_IOC_SET_ORDER, &v);
	v = qset;
	ioctl(fd, SCULL_IOC_SET_QSET, &v);
	ioctl(fd, SCULL_IOC_SET_NODE, &node);
	snprintf(path, sizeof(path), "/sys/class/scullmem/%s/gfp", name);
	afd = open(path, O_WRONLY);
	if (afd >= 0) {
		if (write(afd, "normal,kernel", 13) < 0)
			perror(path);
		close(afd);
	}
}

FIXTURE_TEARDOWN(scull)
{
	int fd = open(variant->path, O_WRONLY | O_TRUNC);

	if (fd >= 0) {
		if (!_metadata->passed)
			restore_device(fd, self->name, param("order"), param("qset"));
		close(fd);
	}
	close(self->fd);
}

/* ---- round trips -------------------------------------------------------- */

static void round_trip(struct __test_metadata *_metadata, int fd, size_t n)
{
	unsigned char *in = malloc(n + 1), *out = malloc(n + 64);
	struct stat st;
	ssize_t r;

	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	fill_rnd(in, n);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	r = write(fd, in, n);
	ASSERT_EQ((ssize_t)n, r) TH_LOG("write of %zu bytes returned %zd", n, r);
	ASSERT_EQ((off_t)n, lseek(fd, 0, SEEK_END));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	/* One read() of more than is there returns exactly what is there. */
	r = read(fd, out, n + 64);
	ASSERT_EQ((ssize_t)n, r) TH_LOG("read returned %zd for %zu bytes", r, n);
	ASSERT_EQ(0, memcmp(in, out, n));
	ASSERT_EQ(0, read(fd, out, 64));	/* EOF at size */
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	free(in);
	free(out);
}

TEST_F_TIMEOUT(scull, round_trip_sizes, 300)
{
	size_t q = self->quantum, qs = self->qset * q;
	size_t sizes[] = { 0, 1, q - 1, q, q + 1, qs - 1, qs, qs + 1, 3 << 20 };
	unsigned int i;

	seed_rng("round_trip_sizes");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int fd = open(variant->path, O_RDWR | O_TRUNC);

		ASSERT_LE(0, fd);
		round_trip(_metadata, fd, sizes[i]);
		close(fd);
		ASSERT_EQ(sizes[i], attr(self->name, "size"));
		ASSERT_EQ((sizes[i] + q - 1) / q, attr(self->name, "quanta"));
		ASSERT_EQ((long)((sizes[i] + q - 1) / q), proc_quanta(self->name, NULL));
	}
}

TEST_F(scull, persists_across_reopen)
{
	char buf[100] = "persistent data", out[100] = "";
	int fd;

	ASSERT_EQ(100, write(self->fd, buf, 100));
	close(self->fd);
	self->fd = open(variant->path, O_RDONLY);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(100, read(self->fd, out, 100));
	ASSERT_EQ(0, memcmp(buf, out, 100));
	/* Opening for write without O_TRUNC keeps the data, too. */
	fd = open(variant->path, O_WRONLY);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(100, attr(self->name, "size"));
}

TEST_F(scull, o_trunc)
{
	char buf[10000];
	int fd;

	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(buf), write(self->fd, buf, sizeof(buf)));
	ASSERT_LT(0, proc_quanta(self->name, NULL));
	/* O_TRUNC on a read-only open changes nothing. */
	fd = open(variant->path, O_RDONLY | O_TRUNC);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(sizeof(buf), attr(self->name, "size"));
	fd = open(variant->path, O_WRONLY | O_TRUNC);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, attr(self->name, "size"));
	ASSERT_EQ(0, attr(self->name, "quanta"));
	ASSERT_EQ(0, proc_quanta(self->name, NULL));
	ASSERT_EQ((ssize_t)sizeof(buf), pwrite(self->fd, buf, sizeof(buf), 0));
	fd = open(variant->path, O_RDWR | O_TRUNC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, read(fd, buf, 1));
	close(fd);
	ASSERT_EQ(0, attr(self->name, "size"));
	ASSERT_EQ(0, attr(self->name, "quanta"));
	ASSERT_EQ(0, proc_quanta(self->name, NULL));
}

TEST_F(scull, reads_at_and_after_size)
{
	char buf[64];

	ASSERT_EQ(10, write(self->fd, "0123456789", 10));
	ASSERT_EQ(0, pread(self->fd, buf, sizeof(buf), 10));
	ASSERT_EQ(0, pread(self->fd, buf, sizeof(buf), 1 << 20));
	ASSERT_EQ(5, pread(self->fd, buf, sizeof(buf), 5));
	ASSERT_EQ(0, memcmp(buf, "56789", 5));
}

TEST_F(scull, o_append)
{
	char out[8];
	int fd;

	ASSERT_EQ(3, write(self->fd, "abc", 3));
	fd = open(variant->path, O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	ASSERT_EQ(3, write(fd, "def", 3));
	close(fd);
	ASSERT_EQ(6, pread(self->fd, out, sizeof(out), 0));
	ASSERT_EQ(0, memcmp(out, "abcdef", 6));
}

/*
 * An O_APPEND write lands whole at the end it found, even when its buffer
 * faults while it is copied (the driver then drops a lock to fault it in):
 * one process appends 8 KiB blocks, each from a fresh mapping of a tmpfs
 * file, so that the copy of each page faults; another appends 16-byte
 * records meanwhile.  Every record must be there once, and every block
 * whole.  Before the outer lock was held across the fault-in, the block
 * writer went on at its old position and overwrote records appended in
 * between (6.12, order 0: 1024 of 12000 on scullp).
 */
#define APPEND_BLOCKS	400
#define APPEND_RECORDS	3000
#define APPEND_BLOCK	8192

static void append_blocks(const char *path, const char *file)
{
	int fd = open(path, O_WRONLY | O_APPEND), src = open(file, O_RDONLY), i;

	if (fd < 0 || src < 0)
		_exit(2);
	for (i = 0; i < APPEND_BLOCKS; i++) {
		void *m = mmap(NULL, APPEND_BLOCK, PROT_READ, MAP_SHARED, src, 0);

		if (m == MAP_FAILED || write(fd, m, APPEND_BLOCK) != APPEND_BLOCK)
			_exit(3);
		munmap(m, APPEND_BLOCK);
	}
	_exit(0);
}

static void append_records(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND), i;
	char rec[17];

	if (fd < 0)
		_exit(2);
	for (i = 0; i < APPEND_RECORDS; i++) {
		snprintf(rec, sizeof(rec), "R%014d\n", i);
		if (write(fd, rec, 16) != 16)
			_exit(3);
	}
	_exit(0);
}

TEST_F_TIMEOUT(scull, o_append_whole_across_fault_in, 300)
{
	size_t size = (size_t)APPEND_BLOCKS * APPEND_BLOCK + APPEND_RECORDS * 16, off;
	char file[] = "/tmp/scull-append-XXXXXX";
	unsigned char *data = malloc(size), *seen = calloc(1, APPEND_RECORDS);
	int tmp = mkstemp(file), st, blocks = 0, records = 0, bad = 0;
	pid_t a, b;

	ASSERT_NE(NULL, data);
	ASSERT_NE(NULL, seen);
	ASSERT_LE(0, tmp);
	memset(data, 'B', APPEND_BLOCK);
	ASSERT_EQ(APPEND_BLOCK, write(tmp, data, APPEND_BLOCK));
	close(tmp);
	a = fork();
	ASSERT_LE(0, a);
	if (!a)
		append_blocks(variant->path, file);
	b = fork();
	ASSERT_LE(0, b);
	if (!b)
		append_records(variant->path);
	ASSERT_EQ(a, waitpid(a, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st)) TH_LOG("block writer: status %#x", st);
	ASSERT_EQ(b, waitpid(b, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st)) TH_LOG("record writer: status %#x", st);
	unlink(file);
	ASSERT_EQ(size, attr(self->name, "size"));
	ASSERT_EQ((ssize_t)size, pread(self->fd, data, size, 0));
	for (off = 0; off < size;) {
		if (data[off] == 'R' && off + 16 <= size && data[off + 15] == '\n') {
			int i = atoi((char *)data + off + 1);

			if (i >= 0 && i < APPEND_RECORDS && !seen[i]++)
				records++;
			else
				bad++;
			off += 16;
		} else if (off + APPEND_BLOCK <= size && data[off] == 'B') {
			size_t k;

			for (k = 0; k < APPEND_BLOCK && data[off + k] == 'B'; k++)
				;
			if (k < APPEND_BLOCK) {
				/* A record written over the block's tail. */
				bad++;
				off += k;
				continue;
			}
			blocks++;
			off += APPEND_BLOCK;
		} else {
			bad++;
			off++;
		}
	}
	TH_LOG("%d blocks, %d of %d records whole, %d bytes or pieces out of place",
	       blocks, records, APPEND_RECORDS, bad);
	ASSERT_EQ(APPEND_BLOCKS, blocks);
	ASSERT_EQ(APPEND_RECORDS, records);
	ASSERT_EQ(0, bad);
	free(data);
	free(seen);
}

TEST_F(scull, sendfile_in_and_out)
{
	char path[] = "/tmp/scull-sendfile-XXXXXX", *buf, *out;
	size_t n = 3 * self->quantum + 123;
	off_t off = 0;
	ssize_t r;
	int tfd;

	buf = malloc(n);
	out = malloc(n);
	seed_rng("sendfile");
	fill_rnd((unsigned char *)buf, n);
	tfd = mkstemp(path);
	ASSERT_LE(0, tfd);
	unlink(path);
	ASSERT_EQ((ssize_t)n, pwrite_all(tfd, buf, n, 0));
	ASSERT_EQ((ssize_t)n, sendfile(self->fd, tfd, &off, n));
	ASSERT_EQ((ssize_t)n, pread(self->fd, out, n, 0));
	ASSERT_EQ(0, memcmp(buf, out, n));
	/*
	 * And out of the device, through splice_read.  Before v6.0 (5.10
	 * here) sendfile refused input that is neither a regular file nor a
	 * block device (splice_direct_to_actor(): EINVAL); splice through a
	 * pipe reaches the same splice_read.
	 */
	ASSERT_EQ(0, ftruncate(tfd, 0));
	off = 0;
	ASSERT_EQ(0, lseek(tfd, 0, SEEK_SET));
	r = sendfile(tfd, self->fd, &off, n);
	if (r < 0 && errno == EINVAL && !kernel_at_least(6, 0)) {
		int p[2];
		loff_t in = 0, to = 0;
		size_t done = 0;

		TH_LOG("sendfile from a char device: EINVAL before 6.0; splice(2) instead");
		ASSERT_EQ(0, pipe(p));
		while (done < n) {
			ssize_t k = splice(self->fd, &in, p[1], NULL, n - done, 0);

			ASSERT_LT(0, k);
			ASSERT_EQ(k, splice(p[0], NULL, tfd, &to, k, 0));
			done += k;
		}
		close(p[0]);
		close(p[1]);
		r = done;
	}
	ASSERT_EQ((ssize_t)n, r);
	ASSERT_EQ((ssize_t)n, pread(tfd, out, n, 0));
	ASSERT_EQ(0, memcmp(buf, out, n));
	close(tfd);
	free(buf);
	free(out);
}

/* ---- vectored I/O ------------------------------------------------------- */

TEST_F(scull, readv_writev_pv2)
{
	size_t q = self->quantum;
	size_t lens[] = { 1, q - 1, q + 7, 2 * q, 5 };
	struct iovec iov[5], oiov[5];
	size_t total = 0;
	unsigned int i;

	seed_rng("readv_writev");
	for (i = 0; i < 5; i++) {
		iov[i].iov_base = malloc(lens[i]);
		iov[i].iov_len = lens[i];
		fill_rnd(iov[i].iov_base, lens[i]);
		oiov[i].iov_base = malloc(lens[i]);
		oiov[i].iov_len = lens[i];
		total += lens[i];
	}
	ASSERT_EQ((ssize_t)total, writev(self->fd, iov, 5));
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));
	ASSERT_EQ((ssize_t)total, readv(self->fd, oiov, 5));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, memcmp(iov[i].iov_base, oiov[i].iov_base, lens[i]));
	/* pwritev2/preadv2 at an offset that straddles quanta. */
	ASSERT_EQ((ssize_t)total, pwritev2(self->fd, iov, 5, q / 2, 0));
	for (i = 0; i < 5; i++)
		memset(oiov[i].iov_base, 0, lens[i]);
	ASSERT_EQ((ssize_t)total, preadv2(self->fd, oiov, 5, q / 2, 0));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, memcmp(iov[i].iov_base, oiov[i].iov_base, lens[i]));
	ASSERT_EQ(total + q / 2, attr(self->name, "size"));
	for (i = 0; i < 5; i++) {
		free(iov[i].iov_base);
		free(oiov[i].iov_base);
	}
}

/* ---- random operations against a reference file -------------------------- */

/* Cut buf[0..len) into 1 to 8 consecutive pieces at random places. */
static int split_iov(struct iovec *iov, unsigned char *buf, size_t len)
{
	int n = 1 + rnd() % 8, i;
	size_t done = 0;

	for (i = 0; i < n; i++) {
		size_t l = i == n - 1 ? len - done : rnd() % (len - done + 1);

		iov[i].iov_base = buf + done;
		iov[i].iov_len = l;
		done += l;
	}
	return n;
}

TEST_F_TIMEOUT(scull, random_ops_vs_reference, 600)
{
	size_t span = 2 * self->qset * self->quantum + 3 * self->quantum;
	size_t maxlen = 3 * self->quantum;
	char path[] = "/tmp/scull-ref-XXXXXX";
	unsigned char *a = malloc(maxlen), *b = malloc(maxlen);
	int ref, i, ops = getenv("SCULL_OPS") ? atoi(getenv("SCULL_OPS")) : 3000;
	struct iovec iov[8];
	off_t pos;

	if (span > (64UL << 20))
		span = 64UL << 20;
	seed_rng("random_ops_vs_reference");
	ref = mkstemp(path);
	ASSERT_LE(0, ref);
	unlink(path);
	for (i = 0; i < ops; i++) {
		off_t off = rnd() % span;
		size_t len = rnd() % maxlen;
		ssize_t r1, r2;

		switch (rnd() % 6) {
		case 4:	/* pwritev2 of the same bytes in up to 8 pieces */
			fill_rnd(a, len);
			r1 = pwritev2(self->fd, iov, split_iov(iov, a, len), off, 0);
			r2 = pwrite(ref, a, len, off);
			ASSERT_EQ(r2, r1) TH_LOG("op %d: pwritev2 %zu at %lld", i, len, (long long)off);
			break;
		case 5:	/* preadv2 into up to 8 pieces */
			memset(a, 0xee, len);
			r1 = preadv2(self->fd, iov, split_iov(iov, a, len), off, 0);
			r2 = pread(ref, b, len, off);
			ASSERT_EQ(r2, r1) TH_LOG("op %d: preadv2 %zu at %lld", i, len, (long long)off);
			ASSERT_EQ(0, memcmp(a, b, r1 > 0 ? r1 : 0)) TH_LOG("op %d: data differ", i);
			break;
		case 0:
		case 1:
			fill_rnd(a, len);
			r1 = pwrite(self->fd, a, len, off);
			r2 = pwrite(ref, a, len, off);
			ASSERT_EQ(r2, r1) TH_LOG("op %d: pwrite %zu at %lld", i, len, (long long)off);
			break;
		case 2:
			r1 = pread(self->fd, a, len, off);
			r2 = pread(ref, b, len, off);
			ASSERT_EQ(r2, r1) TH_LOG("op %d: pread %zu at %lld", i, len, (long long)off);
			ASSERT_EQ(0, memcmp(a, b, r1 > 0 ? r1 : 0)) TH_LOG("op %d: data differ", i);
			break;
		default:
			pos = lseek(ref, 0, SEEK_END);
			ASSERT_EQ(pos, lseek(self->fd, 0, SEEK_END)) TH_LOG("op %d: size", i);
			pos = lseek(ref, off, SEEK_SET);
			ASSERT_EQ(pos, lseek(self->fd, off, SEEK_SET));
			r1 = read(self->fd, a, len);
			r2 = read(ref, b, len);
			ASSERT_EQ(r2, r1);
			ASSERT_EQ(0, memcmp(a, b, r1 > 0 ? r1 : 0));
			ASSERT_EQ(lseek(ref, 0, SEEK_CUR), lseek(self->fd, 0, SEEK_CUR));
			break;
		}
	}
	/* The whole contents, compared at the end. */
	pos = lseek(ref, 0, SEEK_END);
	ASSERT_EQ(pos, lseek(self->fd, 0, SEEK_END));
	for (off_t off = 0; off < pos; off += maxlen) {
		ssize_t r1 = pread(self->fd, a, maxlen, off), r2 = pread(ref, b, maxlen, off);

		ASSERT_EQ(r2, r1);
		ASSERT_EQ(0, memcmp(a, b, r1));
	}
	close(ref);
	free(a);
	free(b);
}

/* ---- holes -------------------------------------------------------------- */

TEST_F(scull, holes_read_as_zeros)
{
	size_t q = self->quantum, n = 4 * q;
	unsigned char *buf = malloc(n);
	off_t far = (off_t)self->qset * q * 3 + q / 2;

	/* Partly written quanta: the bytes around the write are zero too. */
	ASSERT_EQ(3, pwrite(self->fd, "abc", 3, q + 100));
	ASSERT_EQ(3, pwrite(self->fd, "xyz", 3, far));
	ASSERT_EQ(far + 3, lseek(self->fd, 0, SEEK_END));
	ASSERT_EQ(2, attr(self->name, "quanta"));
	memset(buf, 0xee, n);
	ASSERT_EQ((ssize_t)n, pread(self->fd, buf, n, 0));
	ASSERT_TRUE(all_zero(buf, q + 100));
	ASSERT_EQ(0, memcmp(buf + q + 100, "abc", 3));
	ASSERT_TRUE(all_zero(buf + q + 103, n - q - 103));
	memset(buf, 0xee, n);
	ASSERT_EQ((ssize_t)(q / 2 + 3), pread(self->fd, buf, n, far - q / 2));
	ASSERT_TRUE(all_zero(buf, q / 2));
	ASSERT_EQ(0, memcmp(buf + q / 2, "xyz", 3));
	/* A read spanning the whole hole between them. */
	{
		size_t len = far - q;
		unsigned char *big = malloc(len);

		memset(big, 0xee, len);
		ASSERT_EQ((ssize_t)len, pread(self->fd, big, len, q));
		ASSERT_TRUE(all_zero(big + 103, len - 103));
		free(big);
	}
	free(buf);
}

/* What a copy into or out of k bytes may give: some of them, or EFAULT. */
static int fits(ssize_t r, size_t k)
{
	return (r > 0 && (size_t)r <= k) || (r == -1 && errno == EFAULT);
}

/*
 * A buffer that ends k bytes before a page that cannot be faulted in
 * (PROT_NONE): a read of data, a read of a hole and a write each give
 * some of what fits, or EFAULT, and return.  On 6.1, clear_user() stores eight
 * bytes at a time and a store straddling the page faults whole, so the
 * hole's zeros never fit: a driver that retried its copy after each
 * fault-in that got the first page looped in the kernel for ever (found
 * by tests/stress.c on scullv).
 */
TEST_F_TIMEOUT(scull, copy_ending_before_unmapped_page, 120)
{
	size_t q = self->quantum, k;
	unsigned char *b = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* The device's first bytes: "0123456789", then zeros. */
	static const char data[16] = "0123456789";
	ssize_t r;

	ASSERT_NE(MAP_FAILED, b);
	ASSERT_EQ(0, mprotect(b + 4096, 4096, PROT_NONE));
	ASSERT_EQ(10, pwrite(self->fd, data, 10, 0));
	/* A hole from q to 3 q: the read at q + 100 gets zeros. */
	ASSERT_EQ(10, pwrite(self->fd, data, 10, 3 * q));
	for (k = 1; k < 16; k++) {
		unsigned char *at = b + 4096 - k;

		memset(b, 0xee, 4096);
		r = pread(self->fd, at, 4096, 0);
		ASSERT_TRUE(fits(r, k))
			TH_LOG("read of data into %zu bytes: %zd (%s)", k, r, strerror(errno));
		if (r > 0)
			ASSERT_EQ(0, memcmp(at, data, r));
		memset(b, 0xee, 4096);
		r = pread(self->fd, at, 4096, q + 100);
		ASSERT_TRUE(fits(r, k))
			TH_LOG("read of a hole into %zu bytes: %zd (%s)", k, r, strerror(errno));
		if (r > 0)
			ASSERT_TRUE(all_zero(at, r));
		memset(b, 'w', 4096);
		r = pwrite(self->fd, at, 4096, 5 * q);
		ASSERT_TRUE(fits(r, k))
			TH_LOG("write of %zu bytes: %zd (%s)", k, r, strerror(errno));
		if (r > 0) {
			unsigned char back[16];

			ASSERT_EQ(r, pread(self->fd, back, r, 5 * q));
			ASSERT_EQ(0, memcmp(back, at, r));
		}
	}
	munmap(b, 8192);
}

/* ---- llseek ------------------------------------------------------------- */

TEST_F(scull, llseek_edges)
{
	off_t limit = scull_limit_of(self->order);
	char c = 'z';

	ASSERT_EQ(100, pwrite(self->fd, "0123456789", 10, 90) + 90);
	ASSERT_EQ(100, lseek(self->fd, 0, SEEK_END));
	ASSERT_EQ(90, lseek(self->fd, -10, SEEK_END));
	ASSERT_EQ(95, lseek(self->fd, 5, SEEK_CUR));
	ASSERT_EQ(0, lseek(self->fd, -95, SEEK_CUR));
	ASSERT_EQ(1000000, lseek(self->fd, 1000000, SEEK_SET));
	/* Errors. */
	errno = 0;
	ASSERT_EQ(-1, lseek(self->fd, -1, SEEK_SET));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, lseek(self->fd, -101, SEEK_END));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(1000000, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(-1, lseek(self->fd, -1000001, SEEK_CUR));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, lseek(self->fd, 0, SEEK_DATA + 42));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, lseek(self->fd, 0, -1));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(1000000, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(-1, lseek(self->fd, 0, 42));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(limit, lseek(self->fd, limit, SEEK_SET));
	ASSERT_EQ(-1, lseek(self->fd, limit + 1, SEEK_SET));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, lseek(self->fd, LLONG_MAX, SEEK_CUR));
	ASSERT_EQ(EINVAL, errno);
	/* The position was left where it was. */
	ASSERT_EQ(limit, lseek(self->fd, 0, SEEK_CUR));
	/* A write ending past what the geometry addresses is EFBIG. */
	ASSERT_EQ(-1, pwrite(self->fd, &c, 1, limit));
	ASSERT_EQ(EFBIG, errno);
	ASSERT_EQ(-1, pwrite(self->fd, "ab", 2, limit - 1));
	ASSERT_EQ(EFBIG, errno);
	ASSERT_EQ(100, attr(self->name, "size"));
	/* Negative offsets and overflowing ones are refused by the VFS. */
	ASSERT_EQ(-1, pwrite(self->fd, &c, 1, -1));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(scull, seek_data_and_hole)
{
	size_t q = self->quantum;
	off_t far = 5 * q;

	errno = 0;
	ASSERT_EQ(-1, lseek(self->fd, 0, SEEK_DATA));
	ASSERT_EQ(ENXIO, errno);
	ASSERT_EQ(1, pwrite(self->fd, "a", 1, q + 1));
	ASSERT_EQ(1, pwrite(self->fd, "b", 1, far + 7));
	ASSERT_EQ((off_t)q, lseek(self->fd, 0, SEEK_DATA));
	ASSERT_EQ((off_t)(q + 5), lseek(self->fd, q + 5, SEEK_DATA));
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_HOLE));
	ASSERT_EQ((off_t)(2 * q), lseek(self->fd, q, SEEK_HOLE));
	ASSERT_EQ(far, lseek(self->fd, 2 * q, SEEK_DATA));
	ASSERT_EQ(far + 8, lseek(self->fd, far, SEEK_HOLE));	/* EOF is a hole */
	ASSERT_EQ(-1, lseek(self->fd, far + 8, SEEK_DATA));
	ASSERT_EQ(ENXIO, errno);
	ASSERT_EQ(-1, lseek(self->fd, far + 8, SEEK_HOLE));
	ASSERT_EQ(ENXIO, errno);
}

/*
 * Data near the end of qset 0 and at the start of qset 2, none in qset 1:
 * a search from the end of qset 0 must restart at slot 0 of qset 2.
 */
TEST_F(scull, seek_data_skips_missing_qset)
{
	off_t q = self->quantum, qs = (off_t)self->qset * q;
	off_t a = qs - 2 * q, b = 2 * qs + q;

	ASSERT_EQ(1, pwrite(self->fd, "a", 1, a));
	ASSERT_EQ(1, pwrite(self->fd, "b", 1, b));
	ASSERT_EQ(a, lseek(self->fd, 0, SEEK_DATA));
	ASSERT_EQ(b, lseek(self->fd, a + q, SEEK_DATA));
	ASSERT_EQ(b, lseek(self->fd, qs - 1, SEEK_DATA));
	ASSERT_EQ(a + q, lseek(self->fd, a, SEEK_HOLE));
	ASSERT_EQ(2, proc_quanta(self->name, NULL));
}

/* ---- size limit --------------------------------------------------------- */

static void set_max_size(unsigned long long v)
{
	FILE *f = fopen("/sys/module/scull/parameters/max_size", "w");

	if (!f || fprintf(f, "%llu\n", v) < 0 || fclose(f)) {
		fprintf(stderr, "cannot set max_size\n");
		exit(1);
	}
}

TEST_F(scull, max_size)
{
	unsigned long long old = param("max_size");
	size_t q = self->quantum;
	char *buf = calloc(1, 3 * q);

	set_max_size(2 * q + 10);
	errno = 0;
	/* What fits is stored, and that count returned. */
	EXPECT_EQ((ssize_t)(q + 10), pwrite(self->fd, buf, 3 * q, q));
	EXPECT_EQ(2 * q + 10, attr(self->name, "size"));
	EXPECT_EQ(-1, pwrite(self->fd, buf, 1, 2 * q + 10));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, 1, (off_t)1 << 40));
	EXPECT_EQ(ENOSPC, errno);
	set_max_size(old);
	EXPECT_EQ(1, pwrite(self->fd, buf, 1, 2 * q + 10));
	free(buf);
}

/* ---- sysfs and ioctl ---------------------------------------------------- */

TEST_F(scull, sysfs_and_get_geometry)
{
	struct scull_geometry g;

	ASSERT_EQ(5, pwrite(self->fd, "hello", 5, 3 * self->quantum));
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_GET_GEOMETRY, &g));
	ASSERT_EQ(self->order, g.order);
	ASSERT_EQ(self->qset, g.qset);
	ASSERT_EQ(self->quantum, g.quantum);
	ASSERT_EQ(3 * self->quantum + 5, g.size);
	ASSERT_EQ(1, g.quanta);
	ASSERT_EQ(self->quantum, g.bytes_allocated);
	ASSERT_EQ(g.order, attr(self->name, "order"));
	ASSERT_EQ(g.qset, attr(self->name, "qset"));
	ASSERT_EQ(g.quantum, attr(self->name, "quantum"));
	ASSERT_EQ(g.size, attr(self->name, "size"));
	ASSERT_EQ(g.quanta, attr(self->name, "quanta"));
	ASSERT_EQ(g.bytes_allocated, attr(self->name, "bytes_allocated"));
}

TEST_F(scull, ioctl_errors)
{
	__u32 v = self->order;
	int rfd;

	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, SCULL_IOC_GET_GEOMETRY, (void *)8));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->fd, _IO(SCULL_IOC_MAGIC, 99)));
	ASSERT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(self->fd, SCULL_IOC_SET_ORDER, (void *)8));
	ASSERT_EQ(EFAULT, errno);
	v = 99;
	ASSERT_EQ(-1, ioctl(self->fd, SCULL_IOC_SET_ORDER, &v));
	ASSERT_EQ(EINVAL, errno);
	v = 0;
	ASSERT_EQ(-1, ioctl(self->fd, SCULL_IOC_SET_QSET, &v));
	ASSERT_EQ(EINVAL, errno);
	v = 65537;
	ASSERT_EQ(-1, ioctl(self->fd, SCULL_IOC_SET_QSET, &v));
	ASSERT_EQ(EINVAL, errno);
	/* Holding data: EBUSY. */
	ASSERT_EQ(1, write(self->fd, "x", 1));
	v = self->qset;
	ASSERT_EQ(-1, ioctl(self->fd, SCULL_IOC_SET_QSET, &v));
	ASSERT_EQ(EBUSY, errno);
	/* RESET needs write access. */
	rfd = open(variant->path, O_RDONLY);
	ASSERT_LE(0, rfd);
	ASSERT_EQ(-1, ioctl(rfd, SCULL_IOC_RESET));
	ASSERT_EQ(EBADF, errno);
	close(rfd);
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_RESET));
	ASSERT_EQ(0, attr(self->name, "size"));
	ASSERT_EQ(0, attr(self->name, "quanta"));
}

TEST_F(scull, ioctl_set_geometry)
{
	unsigned int order = self->order, qset = self->qset;
	__u32 v;
	pid_t pid;
	int st;

	/* Unprivileged: EPERM. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		__u32 o = 1;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(ioctl(self->fd, SCULL_IOC_SET_ORDER, &o) == -1 && errno == EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	/* Killed by a signal, WEXITSTATUS() would read 0. */
	ASSERT_TRUE(WIFEXITED(st)) TH_LOG("the child died of signal %d", WTERMSIG(st));
	ASSERT_EQ(0, WEXITSTATUS(st));
	/* Empty and privileged: the new geometry is used. */
	v = order == 0 ? 1 : 0;
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_ORDER, &v));
	v = 7;
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_QSET, &v));
	ASSERT_EQ(order == 0 ? 8192 : 4096, attr(self->name, "quantum"));
	ASSERT_EQ(7, attr(self->name, "qset"));
	{
		size_t n = 20 * attr(self->name, "quantum") + 1;
		unsigned char *a = malloc(n), *b = malloc(n);

		seed_rng("ioctl_set_geometry");
		fill_rnd(a, n);
		ASSERT_EQ((ssize_t)n, pwrite(self->fd, a, n, 0));
		ASSERT_EQ((ssize_t)n, pread(self->fd, b, n, 0));
		ASSERT_EQ(0, memcmp(a, b, n));
		free(a);
		free(b);
	}
	/* Put it back. */
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_RESET));
	v = order;
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_ORDER, &v));
	v = qset;
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_QSET, &v));
}

TEST_F(scull, ioctl_gfp)
{
	struct scull_gfp g = { 0, 0 }, got;
	pid_t pid;
	int st;

	/* The default; bad pointers, out-of-range values. */
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_GET_GFP, &got));
	ASSERT_EQ(SCULL_GFP_ZONE_NORMAL, got.zone);
	ASSERT_EQ(SCULL_GFP_ACT_KERNEL, got.action);
	ASSERT_EQ(-1, ioctl(self->fd, SCULL_IOC_GET_GFP, (void *)8));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->fd, SCULL_IOC_SET_GFP, (void *)8));
	ASSERT_EQ(EFAULT, errno);
	g.zone = SCULL_GFP_NR_ZONES;
	ASSERT_EQ(-1, ioctl(self->fd, SCULL_IOC_SET_GFP, &g));
	ASSERT_EQ(EINVAL, errno);
	g.zone = 0;
	g.action = 0xffffffffu;
	ASSERT_EQ(-1, ioctl(self->fd, SCULL_IOC_SET_GFP, &g));
	ASSERT_EQ(EINVAL, errno);
	/* Movable: refused by every allocator. */
	g.zone = SCULL_GFP_ZONE_MOVABLE;
	g.action = 0;
	ASSERT_EQ(-1, ioctl(self->fd, SCULL_IOC_SET_GFP, &g));
	ASSERT_EQ(EINVAL, errno);
	/* Unprivileged: EPERM. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct scull_gfp n = { 0, SCULL_GFP_ACT_NOFS };

		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(ioctl(self->fd, SCULL_IOC_SET_GFP, &n) == -1 && errno == EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st)) TH_LOG("the child died of signal %d", WTERMSIG(st));
	ASSERT_EQ(0, WEXITSTATUS(st));
	/* Holding data: EBUSY, and the choice stays. */
	ASSERT_EQ(1, write(self->fd, "x", 1));
	g.zone = 0;
	g.action = SCULL_GFP_ACT_KERNEL;
	ASSERT_EQ(-1, ioctl(self->fd, SCULL_IOC_SET_GFP, &g));
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_RESET));
	/* Empty: the default can always be set again, and reads back. */
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_GFP, &g));
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_GET_GFP, &got));
	ASSERT_EQ(0, memcmp(&g, &got, sizeof(g)));
}

/* ---- mmap --------------------------------------------------------------- */

static int can_map(const FIXTURE_VARIANT(scull) *variant, unsigned int order)
{
	return scull_mappable(variant->path + 5, order);
}

/*
 * The kernel log from now on: /dev/kmsg, at its end.  kmsg_count() then
 * counts the records logged since that contain @needle.
 */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* @src into @dst of @len bytes, cut short if need be. */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * The records logged since kmsg_open() that contain @needle: how many,
 * and (if @out) the text of the last in @out.
 */
static int kmsg_last(int fd, const char *needle, char *out, size_t len)
{
	char rec[8192];
	ssize_t n;
	int found = 0;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten: go on with the next */
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (strstr(rec, needle)) {
			found++;
			if (out)
				copy_str(out, len, rec);
		}
	}
	return found;
}

static int kmsg_count(int fd, const char *needle)
{
	return kmsg_last(fd, needle, NULL, 0);
}

/*
 * Slab memory must not be mapped: ENODEV, and one dmesg line that says
 * "<dev>: mmap: <allocator> quanta ...".  Other quanta map.
 */
TEST_F(scull, mmap_refused_for_slab)
{
	char needle[32];
	int kmsg;
	void *p;

	ASSERT_EQ(1, write(self->fd, "x", 1));
	kmsg = kmsg_open();
	ASSERT_LE(0, kmsg) TH_LOG("/dev/kmsg: %s", strerror(errno));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 0);
	snprintf(needle, sizeof(needle), "%s: mmap: ", self->name);
	if (can_map(variant, self->order)) {
		ASSERT_NE(MAP_FAILED, p);
		munmap(p, 4096);
		ASSERT_EQ(0, kmsg_count(kmsg, needle));
	} else {
		ASSERT_EQ(MAP_FAILED, p);
		ASSERT_EQ(ENODEV, errno);
		ASSERT_EQ(1, kmsg_count(kmsg, needle))
			TH_LOG("no single dmesg line with '%s'", needle);
	}
	close(kmsg);
}

TEST_F(scull, mmap_coherent_both_ways)
{
	size_t q = self->quantum, n = 3 * q + 4096;
	unsigned char *a = malloc(n), *b = malloc(n), *m;
	int fd;

	if (!can_map(variant, self->order))
		SKIP(return, "%s quanta of order %u cannot be mapped on this kernel", self->name, self->order);
	seed_rng("mmap_coherent");
	fill_rnd(a, n);
	ASSERT_EQ((ssize_t)n, pwrite(self->fd, a, n, 0));
	m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, memcmp(m, a, n));		/* write() -> mapping */
	fill_rnd(a, n);
	memcpy(m, a, n);			/* mapping -> read() */
	ASSERT_EQ((ssize_t)n, pread(self->fd, b, n, 0));
	ASSERT_EQ(0, memcmp(a, b, n));
	/* read() of the device into its own mapping: no deadlock. */
	ASSERT_EQ((ssize_t)q, pread(self->fd, m + q, q, 0));
	ASSERT_EQ(0, memcmp(m + q, a, q));
	/* write() from its own mapping. */
	ASSERT_EQ((ssize_t)q, pwrite(self->fd, m, q, 2 * q));
	ASSERT_EQ(0, memcmp(m + 2 * q, a, q));
	/* Truncation while mapped empties the device; a rewrite shows through. */
	fd = open(variant->path, O_WRONLY | O_TRUNC);
	ASSERT_LE(0, fd) TH_LOG("open O_TRUNC while mapped: %s", strerror(errno));
	close(fd);
	ASSERT_EQ(0, attr(self->name, "quanta"));
	ASSERT_EQ((ssize_t)n, pwrite(self->fd, b, n, 0));
	ASSERT_EQ(0, memcmp(m, b, n));
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_RESET));
	ASSERT_EQ(0, munmap(m, n));
	free(a);
	free(b);
}

TEST_F(scull, mmap_hole_and_sigbus)
{
	size_t q = self->quantum;
	unsigned char *m;
	pid_t pid;
	int st;

	if (!can_map(variant, self->order))
		SKIP(return, "%s quanta of order %u cannot be mapped on this kernel", self->name, self->order);
	/* Size 3q, with quantum 1 a hole. */
	ASSERT_EQ(1, pwrite(self->fd, "a", 1, 0));
	ASSERT_EQ(1, pwrite(self->fd, "c", 1, 3 * q - 1));
	m = mmap(NULL, 4 * q, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_TRUE(all_zero(m + q, q));	/* the hole maps zeros */
	m[q + 5] = 'h';
	{
		char c;

		ASSERT_EQ(1, pread(self->fd, &c, 1, q + 5));
		ASSERT_EQ('h', c);
	}
	/* Past the end of data: SIGBUS. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		volatile unsigned char x = m[3 * q];

		(void)x;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFSIGNALED(st));
	ASSERT_EQ(SIGBUS, WTERMSIG(st));
	munmap(m, 4 * q);
}

/* Does touching @p kill a child with SIGBUS? */
static int sigbus_on_read(const volatile unsigned char *p)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (!pid) {
		(void)*p;
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS;
}

/*
 * A user who may only read a node maps it read-only and holds the mapping:
 * that blocks nothing.  Opening with O_TRUNC, RESET and the geometry and
 * flag changes of the then empty device all work; the truncation zaps the
 * mapping, whose next access past the new end gets SIGBUS, and data
 * written later shows through it.  Before, each of them failed with EBUSY.
 */
TEST_F(scull, readonly_mapping_never_blocks_truncation)
{
	size_t q = self->quantum;
	struct scull_gfp g = { 0 };
	unsigned int qset = self->qset;
	unsigned char *m, *buf = malloc(q);
	int ro, fd;

	if (!can_map(variant, self->order))
		SKIP(return, "%s quanta of order %u cannot be mapped on this kernel", self->name, self->order);
	ASSERT_NE(NULL, buf);
	memset(buf, 'a', q);
	ASSERT_EQ((ssize_t)q, pwrite(self->fd, buf, q, 0));
	ro = open(variant->path, O_RDONLY);
	ASSERT_LE(0, ro);
	m = mmap(NULL, q, PROT_READ, MAP_SHARED, ro, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ('a', m[q - 1]);
	fd = open(variant->path, O_WRONLY | O_TRUNC);
	ASSERT_LE(0, fd) TH_LOG("open O_TRUNC while a reader maps the device: %s", strerror(errno));
	close(fd);
	ASSERT_EQ(0, attr(self->name, "size"));
	ASSERT_EQ(0, attr(self->name, "quanta"));
	ASSERT_EQ(1, sigbus_on_read(m)) TH_LOG("no SIGBUS past the end after truncation");
	memset(buf, 'b', q);
	ASSERT_EQ((ssize_t)q, pwrite(self->fd, buf, q, 0));
	ASSERT_EQ('b', m[0]);
	ASSERT_EQ('b', m[q - 1]);
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_RESET)) TH_LOG("RESET: %s", strerror(errno));
	ASSERT_EQ(1, sigbus_on_read(m + q - 1));
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_QSET, &qset)) TH_LOG("SET_QSET: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_ORDER, &self->order))
		TH_LOG("SET_ORDER: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_GFP, &g)) TH_LOG("SET_GFP: %s", strerror(errno));
	ASSERT_EQ(0, munmap(m, q));
	close(ro);
	free(buf);
}

/*
 * A quantum's index is an unsigned long: on a 32-bit kernel the index of
 * byte 2^(44 + order) is 2^32, which wrapped to 0, so that a write there
 * landed on byte 0.  Now the device addresses no further (EFBIG), and on a
 * 64-bit kernel the write lands where it was aimed.
 */
TEST_F(scull, far_write_stays_where_aimed)
{
	unsigned long long old = param("max_size");
	off_t far = (off_t)1 << (44 + self->order);
	char c = 0;
	ssize_t r;

	set_max_size(~0ULL);
	ASSERT_EQ(~0ULL, param("max_size"));
	errno = 0;
	r = pwrite(self->fd, "X", 1, far);
	set_max_size(old);
	if (kernel_long_bits() == 32) {
		ASSERT_EQ(-1, r) TH_LOG("a write at 2^%u on a 32-bit kernel", 44 + self->order);
		ASSERT_EQ(EFBIG, errno);
		ASSERT_EQ(0, pread(self->fd, &c, 1, 0));
		ASSERT_EQ(0, attr(self->name, "size"));
	} else {
		ASSERT_EQ(1, r) TH_LOG("pwrite: %s", strerror(errno));
		ASSERT_EQ(1, pread(self->fd, &c, 1, far));
		ASSERT_EQ('X', c);
		ASSERT_EQ(1, pread(self->fd, &c, 1, 0));
		ASSERT_EQ(0, c);
		ASSERT_EQ(1, attr(self->name, "quanta"));
	}
}

/*
 * A quantum of one byte, and max_size lifted: the device addresses 2^58
 * bytes on a 64-bit kernel (its quantum indexes must fit in
 * /proc/scullmem's positions), 2^32 - 1 on a 32-bit one (an index and the
 * one after it must fit in an unsigned long).  A write at the last
 * byte is taken, one past it is EFBIG, and /proc/scullmem shows that
 * quantum once and ends (a position that overflowed showed it forever).
 */
TEST_F(scull, tiny_quantum_far_end)
{
	unsigned long long old = param("max_size"), lines = 0;
	off_t end = kernel_long_bits() == 32 ? ((off_t)1 << 32) - 1 : (off_t)1 << 58;
	char want[64], line[512];
	__u64 q = 1;
	int seen = 0;
	ssize_t r, r2;
	FILE *f;

	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_QUANTUM, &q)) TH_LOG("%s", strerror(errno));
	set_max_size(~0ULL);
	r = pwrite(self->fd, "X", 1, end - 1);
	errno = 0;
	r2 = pwrite(self->fd, "Y", 1, end);
	set_max_size(old);
	ASSERT_EQ(1, r) TH_LOG("pwrite at %lld: %s", (long long)end - 1, strerror(errno));
	ASSERT_EQ(-1, r2);
	ASSERT_EQ(EFBIG, errno);
	snprintf(want, sizeof(want), "    quantum %lld:", (long long)end - 1);
	f = fopen("/proc/scullmem", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f) && ++lines < 100000)
		seen += !strncmp(line, want, strlen(want));
	fclose(f);
	ASSERT_LT(lines, 100000) TH_LOG("/proc/scullmem does not end");
	ASSERT_EQ(1, seen) TH_LOG("'%s' shown %d times", want, seen);
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_RESET));
	q = self->quantum;
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_QUANTUM, &q));
}

TEST_F_TIMEOUT(scull, mmap_differential, 300)
{
	size_t q = self->quantum, n = 4 * q;
	unsigned char *ref = calloc(1, n), *m, *buf = malloc(q);
	int i;

	if (!can_map(variant, self->order))
		SKIP(return, "%s quanta of order %u cannot be mapped on this kernel", self->name, self->order);
	seed_rng("mmap_differential");
	ASSERT_EQ(1, pwrite(self->fd, "", 1, n - 1));
	m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	for (i = 0; i < 2000; i++) {
		size_t off = rnd() % n, len = rnd() % (n - off) % q;

		fill_rnd(buf, len);
		memcpy(ref + off, buf, len);
		if (rnd() & 1)
			memcpy(m + off, buf, len);
		else
			ASSERT_EQ((ssize_t)len, pwrite(self->fd, buf, len, off));
		if (i % 100 == 0)
			ASSERT_EQ(0, memcmp(m, ref, n));
	}
	ASSERT_EQ(0, memcmp(m, ref, n));
	{
		unsigned char *all = malloc(n);

		ASSERT_EQ((ssize_t)n, pread(self->fd, all, n, 0));
		ASSERT_EQ(0, memcmp(all, ref, n));
		free(all);
	}
	munmap(m, n);
}

/* ---- /proc/scullmem against the page tables ----------------------------- */

/*
 * The pfn behind a page of this process's mappings, faulted in first, from
 * /proc/self/pagemap: 0 when it is not present or the entry cannot be read,
 * and when pagemap hides pfns (without CAP_SYS_ADMIN).
 */
static unsigned long long mapped_pfn(int pm, const volatile unsigned char *addr)
{
	unsigned long long e = 0;

	(void)*addr;
	if (pread(pm, &e, 8, (uintptr_t)addr / 4096 * 8) != 8 || !(e >> 63))
		return 0;
	return e & ((1ULL << 55) - 1);
}

/*
 * Map the device, fault in every page of the written quanta, read their
 * pfns from /proc/self/pagemap and check each quantum line's pfn, phys,
 * pages, runs and contiguous/scattered word against them.
 */
TEST_F_TIMEOUT(scull, proc_matches_pagemap, 120)
{
	size_t q = self->quantum, pages = q / 4096;
	unsigned long idx[4] = { 0, 1, 2, self->qset + 3 };	/* the last in another qset */
	size_t len = (idx[3] + 1) * q;
	int vmalloc = !strcmp(self->name, "scullv"), pm, i;
	unsigned char *m, *buf = malloc(q);
	unsigned long long offset0 = 0;
	int have_offset = 0;
	struct qline ql[8];
	struct layout lay;

	if (!can_map(variant, self->order))
		SKIP(return, "%s quanta of order %u cannot be mapped on this kernel", self->name, self->order);
	ASSERT_EQ(0, proc_layout(&lay)) TH_LOG("no layout line in /proc/scullmem");
	seed_rng("proc_matches_pagemap");
	for (i = 0; i < 4; i++) {
		fill_rnd(buf, q);
		ASSERT_EQ((ssize_t)q, pwrite(self->fd, buf, q, idx[i] * q));
	}
	ASSERT_EQ(4, proc_qlines(self->name, ql, 8));
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	pm = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_LE(0, pm);
	for (i = 0; i < 4; i++) {
		unsigned long long prev = 0;
		unsigned int runs = 0;
		size_t p;

		ASSERT_EQ(idx[i], ql[i].idx);
		ASSERT_EQ(pages, ql[i].pages);
		ASSERT_STREQ(region_of(vmalloc, &ql[i]), ql[i].region);
		if (ql[i].novirt) {
			ASSERT_TRUE(variant->highmem) TH_LOG("quantum %lu: virt -", idx[i]);
		} else {
			ASSERT_NE(0, ql[i].virt);
		}
		ASSERT_EQ(ql[i].pfn << 12, ql[i].phys);
		for (p = 0; p < pages; p++) {
			unsigned long long pfn = mapped_pfn(pm, m + idx[i] * q + p * 4096);

			ASSERT_NE(0, pfn)
				TH_LOG("quantum %lu page %zu not present, or pagemap hides pfns (not CAP_SYS_ADMIN?)",
				       idx[i], p);
			if (p == 0) {
				ASSERT_EQ(pfn, ql[i].pfn)
					TH_LOG("quantum %lu: proc pfn %llx, mapped %llx",
					       idx[i], ql[i].pfn, pfn);
			}
			/* Each page where the pfns field says it is. */
			ASSERT_GT(QL_MAXP, p);
			ASSERT_EQ(pfn, ql[i].pfns[p])
				TH_LOG("quantum %lu page %zu: proc pfns say %llx, mapped %llx",
				       idx[i], p, ql[i].pfns[p], pfn);
			if (p == 0 || pfn != prev + 1)
				runs++;
			prev = pfn;
		}
		ASSERT_EQ(runs, ql[i].runs) TH_LOG("quantum %lu", idx[i]);
		ASSERT_STREQ(runs == 1 ? "contiguous" : "scattered", ql[i].word);
		if (ql[i].novirt) {
			continue;	/* high memory: no address to check */
		} else if (!vmalloc) {
			/* The linear map: one virt - phys offset for all. */
			if (!have_offset)
				offset0 = ql[i].virt - ql[i].phys;
			have_offset = 1;
			ASSERT_EQ(offset0, ql[i].virt - ql[i].phys);
			ASSERT_LE(lay.linear_lo, ql[i].virt);
			ASSERT_GT(lay.linear_hi, ql[i].virt);
		} else {
			ASSERT_LE(lay.vmalloc_lo, ql[i].virt);
			ASSERT_GT(lay.vmalloc_hi, ql[i].virt);
		}
	}
	close(pm);
	munmap(m, len);
	free(buf);
}

/* ---- /proc/scullmem: the rest of the kernel's address space ----------- */

#define MAX_REGIONS	8

/*
 * The banner's "region NAME A-B" lines (END exclusive) and its "module
 * scull text A-B, rodata C-D, data E-F" line.
 */
struct kregions {
	int n;
	char name[MAX_REGIONS][16];
	unsigned long long lo[MAX_REGIONS], hi[MAX_REGIONS];
	unsigned long long text, text_end, rodata, rodata_end, data, data_end;
	int have_module;
};

static int proc_kregions(struct kregions *r)
{
	char line[512];
	int bad = 0;
	FILE *f = fopen("/proc/scullmem", "r");

	memset(r, 0, sizeof(*r));
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Device ", 7))
			break;
		if (!strncmp(line, "region ", 7)) {
			if (r->n == MAX_REGIONS ||
			    sscanf(line, "region %15s %llx-%llx\n", r->name[r->n],
				   &r->lo[r->n], &r->hi[r->n]) != 3 ||
			    r->lo[r->n] >= r->hi[r->n])
				bad = 1;
			else
				r->n++;
		} else if (!strncmp(line, "module ", 7)) {
			if (sscanf(line, "module scull text %llx-%llx, rodata %llx-%llx, data %llx-%llx\n",
				   &r->text, &r->text_end, &r->rodata, &r->rodata_end,
				   &r->data, &r->data_end) != 6 ||
			    r->text >= r->text_end || r->data >= r->data_end ||
			    r->rodata > r->rodata_end)
				bad = 1;
			else
				r->have_module = 1;
		}
	}
	fclose(f);
	if (bad)
		fprintf(stderr, "# malformed region or module line\n");
	return bad ? -1 : 0;
}

/* Region @name's index, or -1. */
static int region_index(const struct kregions *r, const char *name)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->name[i], name))
			return i;
	return -1;
}

/* Is [lo, hi) inside region @i? */
static int in_region(const struct kregions *r, int i,
		     unsigned long long lo, unsigned long long hi)
{
	return i >= 0 && lo >= r->lo[i] && hi <= r->hi[i] && lo < hi;
}

/*
 * Is [lo, hi) where a module may be loaded: inside region @i (modules),
 * or, on arm64, inside the vmalloc range, where KASLR puts modules next
 * to the kernel's image (the modules area is used without KASLR only).
 */
static int in_modules(const struct kregions *r, int i, const struct layout *lay,
		      unsigned long long lo, unsigned long long hi)
{
	struct utsname u;

	if (in_region(r, i, lo, hi))
		return 1;
	if (uname(&u) || strcmp(u.machine, "aarch64"))
		return 0;
	fprintf(stderr, "# arm64: %llx-%llx outside the modules area: in the vmalloc range?\n",
		lo, hi);
	return lo >= lay->vmalloc_lo && hi <= lay->vmalloc_hi && lo < hi;
}

/* /sys/module/scull/sections/NAME, or 0 when missing. */
static unsigned long long section_addr(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/scull/sections/%s", name);
	return access(path, R_OK) ? 0 : read_ull(path);
}

/*
 * A device header's "  struct pages A-B" (1), "-" (0), -1 when missing
 * or malformed; or its "  kmap last ADDR" with @kmap.
 */
static int proc_dev_span(const char *dev, const char *what,
			 unsigned long long *lo, unsigned long long *hi)
{
	char line[512], fmt[64];
	size_t k = strlen(what);

	if (proc_dev_line(dev, what, line, sizeof(line)))
		return -1;
	snprintf(fmt, sizeof(fmt), "%s%%llx-%%llx\n", what);
	if (!strcmp(line + k, "-\n"))
		return 0;
	if (hi && sscanf(line, fmt, lo, hi) == 2 && *lo < *hi)
		return 1;
	if (!hi && sscanf(line + k, "%llx\n", lo) == 1)
		return 1;
	return -1;
}

/*
 * The module's own spans against the kernel's view of its sections
 * (/sys/module/scull/sections), and against the modules area; the struct
 * pages of a device's quanta inside vmemmap (the linear map on i386,
 * which has none); and, for scullh, the address kmap_local_page() gave a
 * write: the page's linear-map address for a page of low memory, in the
 * fixmap (or pkmap) for one of high memory.
 */
TEST_F_TIMEOUT(scull, proc_kernel_regions, 120)
{
	size_t q = self->quantum;
	unsigned char *buf = malloc(q);
	unsigned long long lo, hi, text, data, bss, rodata, k;
	struct kregions r;
	struct layout lay;
	struct qline ql[4];
	int i, vm, fix, pk;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, proc_layout(&lay)) TH_LOG("no layout line in /proc/scullmem");
	ASSERT_EQ(0, proc_kregions(&r));
	ASSERT_TRUE(r.have_module) TH_LOG("no 'module scull' line");
	i = region_index(&r, "modules");
	ASSERT_LE(0, i) TH_LOG("no 'region modules' line");
	/*
	 * The module's memory is in the modules area; on arm64 under KASLR
	 * (QEMU's virt board passes a seed) within 2 GiB of the kernel's
	 * randomised image instead, which lies in the vmalloc range.
	 */
	EXPECT_TRUE(in_modules(&r, i, &lay, r.text, r.text_end))
		TH_LOG("text %llx-%llx outside modules %llx-%llx", r.text, r.text_end, r.lo[i], r.hi[i]);
	EXPECT_TRUE(in_modules(&r, i, &lay, r.data, r.data_end))
		TH_LOG("data %llx-%llx outside modules %llx-%llx", r.data, r.data_end, r.lo[i], r.hi[i]);
	/* The kernel's own record of where each section went. */
	text = section_addr(".text");
	data = section_addr(".data");
	bss = section_addr(".bss");
	rodata = section_addr(".rodata");
	ASSERT_NE(0, text) TH_LOG("/sys/module/scull/sections/.text unreadable (not root?)");
	EXPECT_TRUE(text >= r.text && text < r.text_end)
		TH_LOG(".text at %llx, text %llx-%llx", text, r.text, r.text_end);
	if (data) {
		EXPECT_TRUE(data >= r.data && data < r.data_end)
			TH_LOG(".data at %llx, data %llx-%llx", data, r.data, r.data_end);
	}
	if (bss) {
		EXPECT_TRUE(bss >= r.data && bss < r.data_end)
			TH_LOG(".bss at %llx, data %llx-%llx", bss, r.data, r.data_end);
	}
	if (rodata) {
		EXPECT_TRUE(rodata >= r.rodata && rodata < r.rodata_end)
			TH_LOG(".rodata at %llx, rodata %llx-%llx", rodata, r.rodata, r.rodata_end);
	}
	ASSERT_TRUE(data || bss) TH_LOG("neither .data nor .bss in /sys/module/scull/sections");

	/* Where the struct pages of the device's quanta are. */
	ASSERT_EQ(0, proc_dev_span(self->name, "  struct pages ", &lo, &hi))
		TH_LOG("an empty device has a struct page span");
	fill_rnd(buf, q);
	for (i = 0; i < 3; i++)
		ASSERT_EQ((ssize_t)q, pwrite(self->fd, buf, q, i * q));
	ASSERT_EQ(1, proc_dev_span(self->name, "  struct pages ", &lo, &hi));
	vm = region_index(&r, "vmemmap");
	if (vm >= 0) {
		EXPECT_TRUE(in_region(&r, vm, lo, hi))
			TH_LOG("struct pages %llx-%llx outside vmemmap %llx-%llx", lo, hi, r.lo[vm], r.hi[vm]);
	} else {
		EXPECT_TRUE(lo >= lay.linear_lo && hi <= lay.linear_hi)
			TH_LOG("struct pages %llx-%llx outside the linear map, and no vmemmap", lo, hi);
	}
	/* Three quanta's pages take three quanta's struct pages at least. */
	EXPECT_LE(3 * (q / 4096) * 32, hi - lo);

	if (strcmp(self->name, "scullh"))
		return;
	/*
	 * The last page a write to scullh mapped: quantum 1's second page.  A
	 * read into user memory copies with copy_page_to_iter(), which maps the
	 * page itself: the driver never sees where.
	 */
	ASSERT_EQ(3, proc_qlines(self->name, ql, 4));
	ASSERT_EQ(1, (long)pwrite(self->fd, buf, 1, q + (q > 4096 ? 4096 : 0)));
	ASSERT_EQ(1, proc_dev_span(self->name, "  kmap last ", &k, NULL));
	if (!ql[1].novirt) {
		EXPECT_EQ(ql[1].virt + (q > 4096 ? 4096 : 0), k)
			TH_LOG("a page of low memory is mapped at its linear-map address");
	} else {
		fix = region_index(&r, "fixmap");
		pk = region_index(&r, "pkmap");
		EXPECT_TRUE(in_region(&r, fix, k, k + 4096) || in_region(&r, pk, k, k + 4096))
			TH_LOG("kmap of a page of high memory at %llx, outside fixmap and pkmap", k);
	}
	free(buf);
}

/* ---- /proc/scullmem: the page-table entries that map the quanta ------- */

#define MAP_MAXRUNS	8
#define SZ_4K	(4096ULL)
#define SZ_2M	(2ULL << 20)
#define SZ_1G	(1ULL << 30)

/*
 * A quantum line's " map " field: "-", "?", or runs "SIZE[xN]" joined by
 * commas.  @state: '-', '?' or 's' (sizes); @runs sizes in bytes.
 */
struct qmap {
	unsigned long idx;
	unsigned long long virt;
	int novirt, slab;
	unsigned int pages;
	char state;
	unsigned int nr_runs, entries;
	unsigned long long size[MAP_MAXRUNS];
	unsigned int count[MAP_MAXRUNS];
};

static unsigned long long parse_entry_size(const char *s, char **end)
{
	unsigned long long n = strtoull(s, end, 10);

	if (*end == s)
		return 0;
	switch (**end) {
	case 'K': n <<= 10; break;
	case 'M': n <<= 20; break;
	case 'G': n <<= 30; break;
	default: return 0;
	}
	(*end)++;
	return n;
}

static int parse_map(const char *line, struct qmap *q)
{
	const char *s = strstr(line, " map ");
	char *end;

	q->nr_runs = 0;
	q->entries = 0;
	if (!s)
		return -1;
	s += 5;
	if (*s == '-' || *s == '?') {
		q->state = *s;
		return s[1] == ' ' ? 0 : -1;
	}
	q->state = 's';
	for (;; s = end + 1) {
		unsigned long long size = parse_entry_size(s, &end);
		unsigned long n = 1;

		if (!size || q->nr_runs == MAP_MAXRUNS)
			return -1;
		if (*end == 'x') {
			n = strtoul(end + 1, &end, 10);
			if (n < 2)
				return -1;
		}
		q->size[q->nr_runs] = size;
		q->count[q->nr_runs++] = n;
		q->entries += n;
		if (*end != ',')
			break;
	}
	return *end == ' ' ? 0 : -1;
}

/* The map fields of one device's quantum lines; returns how many, -1 if malformed. */
static long proc_qmaps(const char *dev, struct qmap *out, long max)
{
	static char line[1 << 16];
	char hdr[64];
	long n = 0;
	int in = 0;
	FILE *f = fopen("/proc/scullmem", "r");

	if (!f)
		return -1;
	snprintf(hdr, sizeof(hdr), "Device %s:", dev);
	while (fgets(line, sizeof(line), f)) {
		struct qmap q;
		char virt[24];

		if (!strncmp(line, "Device ", 7))
			in = !strncmp(line, hdr, strlen(hdr));
		if (!in || strncmp(line, "    quantum ", 12))
			continue;
		if (sscanf(line, "    quantum %lu: virt %23s", &q.idx, virt) != 2 ||
		    !strstr(line, " pages ") ||
		    sscanf(strstr(line, " pages "), " pages %u", &q.pages) != 1 ||
		    parse_map(line, &q)) {
			fprintf(stderr, "# malformed: %s", line);
			n = -1;
			break;
		}
		q.novirt = !strcmp(virt, "-");
		q.virt = q.novirt ? 0 : strtoull(virt, NULL, 16);
		q.slab = !!strstr(line, " kind slab ");
		if (n < max)
			out[n] = q;
		n++;
	}
	fclose(f);
	return n;
}

/*
 * The header's "  page-table entries: N (4K A, 2M B, 1G C)" of a device:
 * returns N and fills by[0..2] (4K, 2M, 1G); -1 for "?", -2 for "-",
 * -3 when missing or malformed.
 */
static long proc_map_summary(const char *dev, unsigned long by[3])
{
	char line[512], *end;
	const char *s = line + 22;
	long n;

	by[0] = by[1] = by[2] = 0;
	if (proc_dev_line(dev, "  page-table entries: ", line, sizeof(line)))
		return -3;
	if (!strcmp(s, "?\n") || !strcmp(s, "-\n"))
		return *s == '?' ? -1 : -2;
	n = strtol(s, &end, 10);
	if (end == s || n < 0)
		return -3;
	if (*end != ' ' || end[1] != '(')
		return *end == '\n' ? n : -3;
	for (s = end + 2;; s = end + 2) {
		unsigned long long size = parse_entry_size(s, &end);
		unsigned long k;

		if (*end != ' ')
			size = 0;
		k = strtoul(end + 1, &end, 10);
		if (size == SZ_4K)
			by[0] = k;
		else if (size == SZ_2M)
			by[1] = k;
		else if (size == SZ_1G)
			by[2] = k;
		else
			n = -3;
		if (*end != ',')
			break;
	}
	return strcmp(end, ")\n") ? -3 : n;
}

/* /proc/meminfo's DirectMap<what> in kB, 0 when missing. */
static unsigned long long direct_map_kb(const char *what)
{
	char line[128], key[32];
	unsigned long long kb = 0, v;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	snprintf(key, sizeof(key), "DirectMap%s: %%llu", what);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, key, &v) == 1)
			kb = v;
	fclose(f);
	return kb;
}

static int size_index(unsigned long long size)
{
	return size == SZ_4K ? 0 : size == SZ_2M ? 1 : size == SZ_1G ? 2 : -1;
}

#define MAP_QUANTA	16
#define MAP_BASES	(MAP_QUANTA * 1024)

/*
 * Each quantum line's "map": on x86 the sizes of the kernel page-table
 * entries that map it, from lookup_address().  vmalloc maps every page
 * with its own 4K entry (scullv: "4K" or "4KxPAGES", always).  The direct
 * map, which the linear allocators' quanta lie in, is built of 2M or 1G
 * entries, but the kernel splits a 2 MiB of it into 4K ones where it
 * changes the attributes of a part (its own image's alias; each module's
 * text, loaded anywhere), and never merges them back on 6.1: in the 6.1
 * guest 32 MB of it are 4K right after boot, where many early quanta
 * land.  So a linear quantum may read 4K, 2M or 1G, and the regions read
 * at each size may not add up to more than /proc/meminfo's DirectMap
 * says the direct map has of that size.  A quantum in high memory has no
 * mapping: "map -" (scullh on
 * i386, where it must happen).  arm64's page tables are out of a
 * module's reach: "map ?".  The header's count of distinct entries must
 * be what the lines add up to, worked out from each quantum's address.
 */
TEST_F_TIMEOUT(scull, proc_map_entries, 120)
{
	size_t q = self->quantum;
	long n = MAP_QUANTA, i;
	int vmalloc = !strcmp(self->name, "scullv"), on_x86, on_arm64, on_i386, privileged = 0;
	unsigned long long *bases = calloc(MAP_BASES, sizeof(*bases)), want[3] = { 0 };
	unsigned long by[3], nbases = 0, huge = 0, linear = 0, novirt = 0;
	static unsigned long long region[MAP_BASES];
	static int rsize[MAP_BASES];
	static const unsigned long long sizes[3] = { SZ_4K, SZ_2M, SZ_1G };
	unsigned long long regions[3] = { 0 };
	unsigned long nregions = 0;
	unsigned char *buf = malloc(q);
	struct qmap qm[MAP_QUANTA];
	struct utsname u;
	long total;

	ASSERT_NE(NULL, bases);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, uname(&u));
	on_arm64 = !strcmp(u.machine, "aarch64");
	on_i386 = u.machine[0] == 'i' && !strcmp(u.machine + 2, "86");
	on_x86 = on_i386 || !strcmp(u.machine, "x86_64");
	ASSERT_TRUE(on_x86 || on_arm64) TH_LOG("no expectations for %s", u.machine);
	/* At most 8 MiB of data, at least 4 quanta. */
	while (n > 4 && n * q > (8u << 20))
		n /= 2;
	fill_rnd(buf, q);
	for (i = 0; i < n; i++)
		ASSERT_EQ((ssize_t)q, pwrite(self->fd, buf, q, i * q));
	ASSERT_EQ(n, proc_quanta(self->name, &privileged));
	ASSERT_TRUE(privileged) TH_LOG("the suite runs as root: addresses must be shown");
	ASSERT_EQ(n, proc_qmaps(self->name, qm, MAP_QUANTA));
	for (i = 0; i < n; i++) {
		struct qmap *m = &qm[i];
		unsigned int r;

		if (m->novirt) {
			ASSERT_TRUE(variant->highmem);
			ASSERT_EQ('-', m->state) TH_LOG("quantum %lu: no virt, but a map", m->idx);
			novirt++;
			continue;
		}
		if (on_arm64) {
			ASSERT_EQ('?', m->state) TH_LOG("quantum %lu: arm64 shows no map", m->idx);
			continue;
		}
		ASSERT_EQ('s', m->state) TH_LOG("quantum %lu: x86 can tell its map", m->idx);
		if (vmalloc) {
			ASSERT_EQ(1, m->nr_runs);
			ASSERT_EQ(SZ_4K, m->size[0]) TH_LOG("quantum %lu: vmalloc maps 4K pages", m->idx);
			ASSERT_EQ(m->pages, m->count[0]);
		} else {
			linear++;
			huge += m->nr_runs == 1 && m->size[0] > SZ_4K;
		}
		for (r = 0; r < m->nr_runs; r++)
			ASSERT_LE(0, size_index(m->size[r]))
				TH_LOG("quantum %lu: entry size %llu", m->idx, m->size[r]);
		if (!vmalloc && m->nr_runs == 1) {
			/* The direct map's regions it lies in: 2 MiB ones for 4K. */
			int k = size_index(m->size[0]);
			unsigned long long sz = k ? m->size[0] : SZ_2M, b, j;

			for (b = m->virt & ~(sz - 1); b < m->virt + q; b += sz) {
				for (j = 0; j < nregions && (region[j] != b || rsize[j] != k); j++)
					;
				if (j == nregions && nregions < MAP_BASES) {
					region[nregions] = b;
					rsize[nregions++] = k;
					regions[k]++;
				}
			}
		}
		if (m->nr_runs == 1) {
			/* The entries of one size that cover [virt, virt + q). */
			unsigned long long sz = m->size[0], b;
			unsigned long long first = m->virt & ~(sz - 1);
			unsigned long long last = (m->virt + q - 1) & ~(sz - 1);
			unsigned long j;

			ASSERT_EQ((last - first) / sz + 1, m->count[0]) TH_LOG("quantum %lu", m->idx);
			for (b = first; b <= last; b += sz) {
				for (j = 0; j < nbases && bases[j] != b; j++)
					;
				if (j == nbases) {
					ASSERT_GT(MAP_BASES, nbases);
					bases[nbases++] = b;
					want[size_index(sz)]++;
				}
			}
		} else {
			ASSERT_LT(1, m->entries);
		}
	}
	if (on_x86 && linear) {
		/*
		 * No more memory in entries of each size than the direct map
		 * has: a 4K entry of it means its whole 2 MiB was split (the
		 * first 2 MiB, with its hole, has fewer pages: one region of
		 * slack).
		 */
		static const char *const dm[] = { "4k", "2M", "1G" };

		for (i = 0; i < 3; i++) {
			unsigned long long kb = direct_map_kb(dm[i]);
			unsigned long long need = regions[i] * (i ? sizes[i] : SZ_2M) >> 10;

			ASSERT_GE(kb + (i ? 0 : SZ_2M >> 10), need)
				TH_LOG("%llu kB of linear quanta's regions read %s, /proc/meminfo's DirectMap%s is %llu kB",
				       need, dm[i], dm[i], kb);
		}
		printf("# %s: %lu of %lu linear quanta in one 2M or 1G entry; DirectMap4k %llu kB\n",
		       self->name, huge, linear, direct_map_kb("4k"));
	}
	if (on_i386 && variant->highmem)
		ASSERT_LT(0, novirt) TH_LOG("no scullh quantum in high memory on i386");
	total = proc_map_summary(self->name, by);
	if (on_arm64 && novirt < (unsigned long)n) {
		ASSERT_EQ(-1, total) TH_LOG("arm64: the header's count must be ?");
	} else {
		ASSERT_LE(0, total);
		ASSERT_EQ((long)(by[0] + by[1] + by[2]), total);
		for (i = 0; i < n && qm[i].nr_runs <= 1; i++)
			;
		if (i == n) {	/* no quantum of mixed sizes: the exact count */
			ASSERT_EQ(want[0], by[0]);
			ASSERT_EQ(want[1], by[1]);
			ASSERT_EQ(want[2], by[2]);
		}
		if (vmalloc)
			ASSERT_EQ((unsigned long)n * (q / 4096), by[0]);
	}
	free(bases);
	free(buf);
}

/* Write @text to a device's attribute: 0, or the errno. */
static int attr_write(const char *dev, const char *name, const char *text)
{
	char path[128];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/sys/class/scullmem/%s/%s", dev, name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	if (write(fd, text, strlen(text)) < 0)
		err = errno;
	close(fd);
	return err;
}

static int online_nodes(int *first, int *second);

/*
 * huge: 0 or 1, and only scullv takes 1, on a kernel with vmalloc_huge()
 * (5.18 and later); anything else is EINVAL, data in the device EBUSY.
 * With 1, at order 9 each 2 MiB quantum of scullv is one 2M entry on
 * x86_64 (in a fresh 1 GiB guest the buddy allocator has 2 MiB blocks:
 * a fall back to 4K pages would show, and fail), 4K ones on i386, which
 * has no huge vmalloc, and "?" on arm64; the data round-trips either way.
 *
 * Before 6.13, vmalloc_huge() with no node maps with PMDs only when the
 * size divided by the online nodes is PMD_SIZE or more (mm/vmalloc.c's
 * size_per_node, removed by "mm: vmalloc: don't account for number of
 * nodes for HUGE_VMAP allocations"): on the suite's two-node guests a
 * 2 MiB quantum gets 512 4K entries there, and the quanta of a second
 * round, nodes x 2 MiB, 2M ones.
 */
TEST_F_TIMEOUT(scull, huge_vmalloc, 120)
{
	int vmalloc = !strcmp(self->name, "scullv"), on_x86_64, on_i386, on_arm64;
	int nodes, n0, n1, per_node, rounds, r;
	unsigned int order = self->order;
	unsigned char *a, *b;
	struct qmap qm[2];
	struct utsname u;
	__u32 v;
	long i;

	ASSERT_EQ(0, uname(&u));
	on_arm64 = !strcmp(u.machine, "aarch64");
	on_i386 = u.machine[0] == 'i' && !strcmp(u.machine + 2, "86");
	on_x86_64 = !strcmp(u.machine, "x86_64");
	ASSERT_EQ(0, attr(self->name, "huge"));
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_GET_HUGE, &v));
	ASSERT_EQ(0, v);
	ASSERT_EQ(EINVAL, attr_write(self->name, "huge", "2"));
	ASSERT_EQ(EINVAL, attr_write(self->name, "huge", "yes"));
	v = 2;
	ASSERT_EQ(-1, ioctl(self->fd, SCULL_IOC_SET_HUGE, &v));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, attr_write(self->name, "huge", "0"));
	if (!vmalloc || !kernel_at_least(5, 18)) {
		ASSERT_EQ(EINVAL, attr_write(self->name, "huge", "1"));
		v = 1;
		ASSERT_EQ(-1, ioctl(self->fd, SCULL_IOC_SET_HUGE, &v));
		ASSERT_EQ(EINVAL, errno);
		ASSERT_EQ(0, attr(self->name, "huge"));
		return;
	}
	/* Data in the device: EBUSY. */
	ASSERT_EQ(1, pwrite(self->fd, "x", 1, 0));
	ASSERT_EQ(EBUSY, attr_write(self->name, "huge", "1"));
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_RESET));
	v = 1;
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_HUGE, &v));
	ASSERT_EQ(1, attr(self->name, "huge"));
	nodes = online_nodes(&n0, &n1);
	per_node = on_x86_64 && nodes > 1 && !kernel_at_least(6, 13);
	rounds = per_node ? 2 : 1;
	seed_rng("huge_vmalloc");
	for (r = 0; r < rounds; r++) {
		/* The second round: the smallest order with 2 MiB a node. */
		unsigned int qorder = 9;
		size_t q, n;
		int small = per_node && r == 0;
		unsigned long long esize = small ? SZ_4K : SZ_2M;

		while (r && (1 << (qorder - 9)) < nodes)
			qorder++;
		q = 4096UL << qorder;
		n = 2 * q;
		v = qorder;
		ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_ORDER, &v));
		a = malloc(n);
		b = malloc(n);
		ASSERT_NE(NULL, a);
		ASSERT_NE(NULL, b);
		fill_rnd(a, n);
		ASSERT_EQ((ssize_t)n, pwrite(self->fd, a, n, 0));
		ASSERT_EQ((ssize_t)n, pread(self->fd, b, n, 0));
		ASSERT_EQ(0, memcmp(a, b, n));
		free(a);
		free(b);
		ASSERT_EQ(2, proc_qmaps(self->name, qm, 2));
		for (i = 0; i < 2; i++) {
			if (on_arm64) {
				ASSERT_EQ('?', qm[i].state);
				continue;
			}
			ASSERT_EQ('s', qm[i].state);
			ASSERT_EQ(1, qm[i].nr_runs);
			if (on_x86_64) {
				ASSERT_EQ(esize, qm[i].size[0])
					TH_LOG("quantum %ld of %zu KiB, %d node(s): not in %llu KiB entries",
					       i, q >> 10, nodes, esize >> 10);
				ASSERT_EQ(q / esize, qm[i].count[0]);
			} else {
				ASSERT_TRUE(on_i386);
				ASSERT_EQ(SZ_4K, qm[i].size[0]);
				ASSERT_EQ(q / SZ_4K, qm[i].count[0]);
			}
		}
		if (on_x86_64) {
			unsigned long by[3];

			ASSERT_EQ(2 * q / esize, proc_map_summary(self->name, by));
			ASSERT_EQ(2 * q / esize, by[esize == SZ_4K ? 0 : 1]);
		}
		ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_RESET));
	}
	ASSERT_EQ(1, pwrite(self->fd, "x", 1, 0));
	/* Put it back. */
	ASSERT_EQ(EBUSY, attr_write(self->name, "huge", "0"));
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_RESET));
	ASSERT_EQ(0, attr_write(self->name, "huge", "0"));
	v = order;
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_ORDER, &v));
}

/*
 * The same lines checked without mapping the device, so also for scullk's
 * slab quanta: /proc/kpageflags at each reported pfn must show the kind of
 * page the backend hands out.  SLAB on every page of a slab quantum (the
 * kernel reports it on a slab's tail pages too), a compound head at the
 * first pfn of a multi-page linear quantum and tails on the others, with
 * the compound ending where the quantum ends; neither for order-0 scullp
 * pages nor for the pages of a vmalloc quantum, whose pfns come from
 * pagemap.  No page may be free, mapped, on an LRU, anonymous, reserved or
 * a page table.  And a linear quantum's phys must be where the linear map
 * puts its virt, to the byte, the map's offset measured on a scullp page
 * through pagemap: this catches a pfn off by one page, which kpageflags
 * alone would not when the next page belongs to the same slab.  A slab
 * object that is not page-aligned (slub_debug's red zone before it, as the
 * guests boot) touches one page more than its order: the line counts and
 * lists every page it touches.
 *
 * One exception: KFENCE (on in the guests of 6.12 and later) hands out one
 * slab allocation in every sample interval from its own pool, whose pages
 * are boot-time memblock memory, so reserved, and marked slab.  A quantum
 * there is a slab page that is also reserved; it is accepted only while
 * KFENCE samples, and counted in the log.
 */
#define KPF_RESERVED	32	/* kernel-internal, exported by /proc/kpageflags */
#define KPF_BIT(b)	(1ULL << (b))

/* KFENCE is compiled in and samples allocations (sample_interval > 0). */
static int kfence_sampling(void)
{
	FILE *f = fopen("/sys/module/kfence/parameters/sample_interval", "r");
	unsigned long ms = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%lu", &ms) != 1)
		ms = 0;
	fclose(f);
	return ms > 0;
}

static unsigned long long kpageflags(int kpf, unsigned long long pfn)
{
	unsigned long long e = 0;

	if (pread(kpf, &e, 8, pfn * 8) != 8)
		return KPF_BIT(KPF_NOPAGE);
	return e;
}

/*
 * The linear map's virt - phys offset, measured on a scullp page whose pfn
 * comes from pagemap rather than from the driver's line.
 */
static unsigned long long linear_map_offset(struct __test_metadata *_metadata)
{
	int fd = open("/dev/scullp", O_RDWR | O_TRUNC), pm;
	unsigned long long pfn;
	unsigned char *m;
	struct qline ql;

	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pwrite(fd, "x", 1, 0));
	ASSERT_EQ(1, proc_qlines("scullp", &ql, 1));
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	pm = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_LE(0, pm);
	pfn = mapped_pfn(pm, m);
	ASSERT_NE(0, pfn);
	close(pm);
	munmap(m, 4096);
	close(fd);
	fd = open("/dev/scullp", O_WRONLY | O_TRUNC);
	ASSERT_LE(0, fd);
	close(fd);
	return (ql.virt & ~0xfffULL) - (pfn << 12);
}

TEST_F_TIMEOUT(scull, proc_matches_kpageflags, 120)
{
	const unsigned long long never = KPF_BIT(KPF_BUDDY) | KPF_BIT(KPF_LRU) |
		KPF_BIT(KPF_ANON) | KPF_BIT(KPF_NOPAGE) | KPF_BIT(KPF_PGTABLE) |
		KPF_BIT(KPF_ZERO_PAGE) | KPF_BIT(KPF_HUGE) | KPF_BIT(KPF_THP) |
		KPF_BIT(KPF_HWPOISON) | KPF_BIT(KPF_OFFLINE) | KPF_BIT(KPF_RESERVED) |
		KPF_BIT(KPF_MMAP);	/* what scullv maps below is unmapped by then */
	size_t q = self->quantum, qpages = q / 4096, p, pages;
	unsigned long idx[4] = { 0, 1, 2, self->qset + 3 };	/* the last in another qset */
	size_t len = (idx[3] + 1) * q, stride = qpages + 1;
	int vmalloc = !strcmp(self->name, "scullv");
	int slab = self->order < variant->slab_below;
	unsigned long long *pfn = calloc(4 * stride, sizeof(*pfn)), linear = 0;
	unsigned char *buf = malloc(q);
	struct qline ql[8];
	struct layout lay;
	int kpf, i;

	ASSERT_NE(NULL, pfn);
	ASSERT_NE(NULL, buf);
	if (!vmalloc)
		linear = linear_map_offset(_metadata);
	seed_rng("proc_matches_kpageflags");
	for (i = 0; i < 4; i++) {
		fill_rnd(buf, q);
		ASSERT_EQ((ssize_t)q, pwrite(self->fd, buf, q, idx[i] * q));
	}
	ASSERT_EQ(4, proc_qlines(self->name, ql, 8));
	for (i = 0; i < 4; i++) {
		/* The pages the quantum touches, from where it starts in its first. */
		unsigned long long in_page = vmalloc ? 0 : ql[i].virt & 0xfff;

		pages = (in_page + q + 4095) / 4096;
		ASSERT_EQ(idx[i], ql[i].idx);
		ASSERT_EQ(pages, ql[i].pages)
			TH_LOG("quantum %lu at virt %llx: %u pages shown, it touches %zu",
			       idx[i], ql[i].virt, ql[i].pages, pages);
		ASSERT_TRUE(pages == qpages || slab)
			TH_LOG("quantum %lu: only slab objects may start inside a page", idx[i]);
		ASSERT_STREQ(region_of(vmalloc, &ql[i]), ql[i].region);
		ASSERT_TRUE(!ql[i].novirt || variant->highmem);
		ASSERT_NE(0, ql[i].pfn) TH_LOG("no pfn shown: not CAP_SYS_ADMIN?");
		/* phys is the quantum's own address: its offset in the page too. */
		ASSERT_EQ((ql[i].pfn << 12) + in_page, ql[i].phys)
			TH_LOG("quantum %lu: virt %llx phys %llx pfn %llx", idx[i],
			       ql[i].virt, ql[i].phys, ql[i].pfn);
		ASSERT_GE(QL_MAXP, pages);
		for (p = 0; p < pages; p++)
			pfn[i * stride + p] = ql[i].pfns[p];
		if (vmalloc)
			continue;
		ASSERT_EQ(1, ql[i].runs);
		if (ql[i].novirt)
			continue;	/* high memory: no address to check */
		/* phys is where the linear map puts virt. */
		ASSERT_EQ(linear, ql[i].virt - ql[i].phys)
			TH_LOG("quantum %lu: virt %llx phys %llx", idx[i], ql[i].virt, ql[i].phys);
		ASSERT_EQ(0, proc_layout(&lay)) TH_LOG("no layout line in /proc/scullmem");
		ASSERT_LE(lay.linear_lo, ql[i].virt);
		ASSERT_GT(lay.linear_hi, ql[i].virt);
	}
	if (vmalloc) {
		/* Each page of a vmalloc quantum has its own pfn: ask pagemap. */
		unsigned char *m = mmap(NULL, len, PROT_READ, MAP_SHARED, self->fd, 0);
		int pm = open("/proc/self/pagemap", O_RDONLY);

		ASSERT_NE(MAP_FAILED, m);
		ASSERT_LE(0, pm);
		for (i = 0; i < 4; i++) {
			for (p = 0; p < qpages; p++) {
				pfn[i * stride + p] = mapped_pfn(pm, m + idx[i] * q + p * 4096);
				ASSERT_NE(0, pfn[i * stride + p]);
			}
			ASSERT_EQ(ql[i].pfn, pfn[i * stride]);
			for (p = 0; p < qpages; p++)
				ASSERT_EQ(ql[i].pfns[p], pfn[i * stride + p])
					TH_LOG("quantum %lu page %zu", idx[i], p);
		}
		close(pm);
		munmap((void *)m, len);
	}
	kpf = open("/proc/kpageflags", O_RDONLY);
	ASSERT_LE(0, kpf) TH_LOG("/proc/kpageflags: %s", strerror(errno));
	for (i = 0; i < 4; i++) {
		pages = ql[i].pages;
		for (p = 0; p < pages; p++) {
			unsigned long long f = kpageflags(kpf, pfn[i * stride + p]);
			int head = !!(f & KPF_BIT(KPF_COMPOUND_HEAD));
			int tail = !!(f & KPF_BIT(KPF_COMPOUND_TAIL));

/* What a failed check below prints. */
#define KPF_WHERE TH_LOG("quantum %lu page %zu pfn %llx: kpageflags %llx", \
			 idx[i], p, pfn[i * stride + p], f)
			ASSERT_EQ(slab, !!(f & KPF_BIT(KPF_SLAB))) KPF_WHERE;
			if (slab && (f & KPF_BIT(KPF_RESERVED))) {
				ASSERT_TRUE(kfence_sampling()) KPF_WHERE;
				TH_LOG("quantum %lu is a KFENCE object", idx[i]);
				f &= ~KPF_BIT(KPF_RESERVED);
			}
			ASSERT_EQ(0, f & never) KPF_WHERE;
			if (slab)
				continue;
			if (vmalloc || pages == 1) {
				ASSERT_EQ(0, head) KPF_WHERE;
				ASSERT_EQ(0, tail) KPF_WHERE;
			} else {
				ASSERT_EQ(p == 0, head) KPF_WHERE;
				ASSERT_EQ(p != 0, tail) KPF_WHERE;
			}
#undef KPF_WHERE
		}
		/* A compound quantum ends where the next compound or page starts. */
		if (!slab && !vmalloc && pages > 1) {
			unsigned long long after = kpageflags(kpf, ql[i].pfn + pages);

			ASSERT_EQ(0, after & KPF_BIT(KPF_COMPOUND_TAIL))
				TH_LOG("quantum %lu: the compound page goes on past %zu pages",
				       idx[i], pages);
		}
	}
	close(kpf);
	free(pfn);
	free(buf);
}

/*
 * A write() into a page that user space has mapped must leave the page as
 * flush_dcache_page() leaves it.  On arm64 that clears PG_dcache_clean
 * (/proc/kpageflags' KPF_ARCH), which mapping the page executable set, so
 * that the next executable mapping makes the instruction cache see the new
 * bytes; x86 keeps no such state (its caches never alias) and skips.
 */
#define KPF_ARCH	38	/* PG_arch_1: arm64's PG_dcache_clean */

TEST_F(scull, write_flushes_dcache_of_mapped_page)
{
	unsigned long long pfn, before, after;
	int pm, kpf, arm64;
	struct utsname u;
	unsigned char *m;

	if (!can_map(variant, self->order))
		SKIP(return, "%s quanta of order %u cannot be mapped on this kernel", self->name, self->order);
	ASSERT_EQ(0, uname(&u));
	arm64 = !strcmp(u.machine, "aarch64");
	if (!arm64)
		SKIP(return, "%s keeps no data cache state in PG_arch_1", u.machine);
	ASSERT_EQ(4096, pwrite(self->fd, memset(alloca(4096), 0, 4096), 4096, 0));
	m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m) TH_LOG("mmap PROT_EXEC: %s", strerror(errno));
	pm = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_LE(0, pm);
	pfn = mapped_pfn(pm, m);
	ASSERT_NE(0, pfn);
	close(pm);
	kpf = open("/proc/kpageflags", O_RDONLY);
	ASSERT_LE(0, kpf);
	before = kpageflags(kpf, pfn);
	ASSERT_TRUE(before & KPF_BIT(KPF_ARCH))
		TH_LOG("an executable mapping did not mark pfn %llx clean: kpageflags %llx",
		       pfn, before);
	ASSERT_EQ(1, pwrite(self->fd, "\x1f", 1, 100));
	after = kpageflags(kpf, pfn);
	ASSERT_EQ(0, after & KPF_BIT(KPF_ARCH))
		TH_LOG("pfn %llx still marked clean after write(): kpageflags %llx", pfn, after);
	ASSERT_EQ(0x1f, m[100]);
	close(kpf);
	munmap(m, 4096);
}

/* ---- zeroed allocations ---------------------------------------------------- */

/*
 * A few bytes written at random places of quanta spread over three qsets:
 * everything else, in those quanta and between them, reads as zeros.
 */
TEST_F_TIMEOUT(scull, sparse_partial_quanta_zeroed, 120)
{
	size_t q = self->quantum, span_q = 3 * self->qset + 2, nq = span_q < 32 ? span_q : 32;
	size_t span = span_q * q, end = 0, i, chunk = 1 << 20;
	unsigned char *ref = calloc(1, span), *buf = malloc(chunk);

	ASSERT_NE(NULL, ref);
	seed_rng("sparse_partial_quanta_zeroed");
	for (i = 0; i < nq; i++) {
		size_t qi = i * span_q / nq, len = 1 + rnd() % 64;
		size_t off = qi * q + rnd() % (q - len + 1);

		fill_rnd(ref + off, len);
		ref[off] |= 1;
		ASSERT_EQ((ssize_t)len, pwrite(self->fd, ref + off, len, off));
		if (off + len > end)
			end = off + len;
	}
	ASSERT_EQ(end, attr(self->name, "size"));
	ASSERT_EQ(nq, attr(self->name, "quanta"));
	ASSERT_EQ((long)nq, proc_quanta(self->name, NULL));
	for (i = 0; i < end; i += chunk) {
		size_t n = end - i < chunk ? end - i : chunk;

		memset(buf, 0xee, n);
		ASSERT_EQ((ssize_t)n, pread(self->fd, buf, n, i));
		ASSERT_EQ(0, memcmp(buf, ref + i, n)) TH_LOG("differs in [%zu, %zu)", i, i + n);
	}
	free(ref);
	free(buf);
}

/*
 * Quanta full of 0xA5 are freed by O_TRUNC; the next allocations likely
 * get the same pages back, and must still read as zeros where unwritten.
 */
TEST_F(scull, freed_quanta_reused_zeroed)
{
	size_t q = self->quantum, nq = 64, i;
	unsigned char *buf = malloc(nq * q);
	int fd;

	memset(buf, 0xA5, nq * q);
	ASSERT_EQ((ssize_t)(nq * q), pwrite(self->fd, buf, nq * q, 0));
	fd = open(variant->path, O_WRONLY | O_TRUNC);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, attr(self->name, "quanta"));
	for (i = 0; i < nq; i++)
		ASSERT_EQ(1, pwrite(self->fd, "Z", 1, i * q + q / 2));
	ASSERT_EQ(nq, attr(self->name, "quanta"));
	memset(buf, 0xee, nq * q);
	ASSERT_EQ((ssize_t)((nq - 1) * q + q / 2 + 1), pread(self->fd, buf, nq * q, 0));
	for (i = 0; i < nq; i++) {
		ASSERT_EQ('Z', buf[i * q + q / 2]);
		buf[i * q + q / 2] = 0;
	}
	ASSERT_TRUE(all_zero(buf, (nq - 1) * q + q / 2 + 1));
	free(buf);
}

/* ---- concurrency -------------------------------------------------------- */

TEST_F_TIMEOUT(scull, concurrent_regions, 600)
{
	int nproc = 6, i, st, ok = 1;
	size_t region = 2 * self->qset * self->quantum / 3 + 4099;

	if (region > (4UL << 20))
		region = (4UL << 20) + 4099;
	for (i = 0; i < nproc; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid) {
			unsigned char *a = malloc(region), *b = malloc(region);
			int fd = open(variant->path, O_RDWR), k;

			rng_state = 1000 + i;
			fill_rnd(a, region);
			for (k = 0; k < 5; k++) {
				size_t o = k * region / 5, chunk = (k + 1) * region / 5 - o;

				if (pwrite_all(fd, a + o, chunk, i * region + o) != (ssize_t)chunk)
					_exit(1);
				/* Readers run at the same time as the other writers. */
				if (pread(fd, b, o + chunk, i * region) != (ssize_t)(o + chunk) ||
				    memcmp(a, b, o + chunk))
					_exit(2);
			}
			_exit(0);
		}
	}
	for (i = 0; i < nproc; i++) {
		ASSERT_LT(0, wait(&st));
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			ok = 0;
	}
	ASSERT_TRUE(ok);
	/* Everything, checked afterwards. */
	for (i = 0; i < nproc; i++) {
		unsigned char *a = malloc(region), *b = malloc(region);

		rng_state = 1000 + i;
		fill_rnd(a, region);
		ASSERT_EQ((ssize_t)region, pread(self->fd, b, region, i * region));
		ASSERT_EQ(0, memcmp(a, b, region)) TH_LOG("region %d differs", i);
		free(a);
		free(b);
	}
}

/* Threads sharing one descriptor, each on its own region. */
struct region_arg {
	int fd;
	int i;
	size_t region;
	int ok;
};

static void fill_seeded(unsigned char *p, size_t n, uint64_t s)
{
	size_t i;

	for (i = 0; i < n; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		p[i] = s >> 24;
	}
}

static void *region_thread(void *p)
{
	struct region_arg *a = p;
	unsigned char *in = malloc(a->region), *out = malloc(a->region);
	off_t base = (off_t)a->i * a->region;
	int k;

	fill_seeded(in, a->region, 77 + a->i);
	a->ok = 1;
	for (k = 0; k < 8 && a->ok; k++) {
		size_t o = k * a->region / 8, n = (k + 1) * a->region / 8 - o;

		if (pwrite_all(a->fd, in + o, n, base + o) != (ssize_t)n ||
		    pread(a->fd, out, o + n, base) != (ssize_t)(o + n) || memcmp(in, out, o + n))
			a->ok = 0;
	}
	free(in);
	free(out);
	return NULL;
}

TEST_F_TIMEOUT(scull, concurrent_threads_one_fd, 300)
{
	enum { NT = 4 };
	struct region_arg a[NT];
	pthread_t t[NT];
	size_t region = self->qset * self->quantum / 2 + 1234;
	unsigned char *exp, *got;
	int i;

	if (region > (1UL << 20))
		region = (1UL << 20) + 1234;
	for (i = 0; i < NT; i++) {
		a[i] = (struct region_arg){ .fd = self->fd, .i = i, .region = region };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, region_thread, &a[i]));
	}
	for (i = 0; i < NT; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	for (i = 0; i < NT; i++)
		ASSERT_TRUE(a[i].ok) TH_LOG("thread %d saw wrong data", i);
	ASSERT_EQ(NT * region, attr(self->name, "size"));
	exp = malloc(region);
	got = malloc(region);
	for (i = 0; i < NT; i++) {
		fill_seeded(exp, region, 77 + i);
		ASSERT_EQ((ssize_t)region, pread(self->fd, got, region, (off_t)i * region));
		ASSERT_EQ(0, memcmp(exp, got, region)) TH_LOG("region %d differs", i);
	}
	free(exp);
	free(got);
}


/* ---- NUMA nodes ---------------------------------------------------------- */

#define NUMA_QUANTA	8	/* quanta each NUMA test writes */

/*
 * The first two online nodes, from /sys/devices/system/node/online ("0",
 * "0-1", "0,2-3"...).  Returns how many nodes are online, 0 if unknown.
 */
static int online_nodes(int *first, int *second)
{
	char buf[256], *s = buf, *end;
	int n = 0;
	long a, b;
	FILE *f = fopen("/sys/devices/system/node/online", "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	for (;;) {
		a = strtol(s, &end, 10);
		if (end == s)
			break;
		b = a;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (; a <= b; a++, n++) {
			if (n == 0)
				*first = a;
			else if (n == 1)
				*second = a;
		}
		if (*end != ',')
			break;
		s = end + 1;
	}
	return n;
}

/* The first CPU of @node, from its cpulist; -1 if it has none. */
static int node_first_cpu(int node)
{
	char path[96];
	int cpu = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", node);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &cpu) != 1)
		cpu = -1;
	fclose(f);
	return cpu;
}

static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Where a device's quanta are, as /proc/scullmem shows it: the header's
 * "quanta by node:" counts (@by_node, for nodes below @max) and its count
 * of quanta on several nodes, and from the quantum lines, how many say
 * "node @node" and how many say "nodes ...".  Returns 0, or -1 when the
 * header line is missing or malformed.
 */
struct node_view {
	unsigned long by_node[8], multi;
	unsigned long lines_on, lines_multi;
	char node_word[16];	/* the header's "node local" or "node N" */
};

static int proc_node_view(const char *dev, int node, struct node_view *v)
{
	static char line[1 << 16];
	char hdr[64], want[32], *p, *end;
	int in = 0, found = -1;
	FILE *f = fopen("/proc/scullmem", "r");

	memset(v, 0, sizeof(*v));
	if (!f)
		return -1;
	snprintf(hdr, sizeof(hdr), "Device %s:", dev);
	snprintf(want, sizeof(want), " node %d kind ", node);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Device ", 7))
			in = !strncmp(line, hdr, strlen(hdr));
		if (!in)
			continue;
		if (!strncmp(line, "  quanta by node:", 17)) {
			p = line + 17;
			if (!strncmp(p, " none;", 6)) {
				p += 5;
			} else {
				for (;;) {
					long n = strtol(p, &end, 10);
					unsigned long c;

					if (end == p || n < 0)
						break;
					c = strtoul(end, &p, 10);
					if (n < 8)
						v->by_node[n] = c;
					if (*p != ',')
						break;
					p++;
				}
			}
			if (sscanf(p, "; on several nodes %lu; node %15s", &v->multi,
				   v->node_word) == 2)
				found = 0;
		} else if (!strncmp(line, "    quantum ", 12)) {
			v->lines_on += !!strstr(line, want);
			v->lines_multi += !!strstr(line, " nodes ");
		}
	}
	fclose(f);
	return found;
}

static void write_quanta(struct __test_metadata *_metadata, int fd,
			 size_t quantum, unsigned int n)
{
	unsigned char *buf = malloc(quantum);
	unsigned int i;

	ASSERT_NE(NULL, buf);
	fill_rnd(buf, quantum);
	for (i = 0; i < n; i++)
		ASSERT_EQ((ssize_t)quantum, pwrite_all(fd, buf, quantum, (off_t)i * quantum));
	free(buf);
}

static int write_attr(const char *dev, const char *name, const char *val)
{
	char path[128];
	int fd, r;

	snprintf(path, sizeof(path), "/sys/class/scullmem/%s/%s", dev, name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	r = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return r;
}

static void read_attr(const char *dev, const char *name, char *buf, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/scullmem/%s/%s", dev, name);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

#define SKIP_ONE_NODE \
	"one NUMA node online: only the suite's amd64 and arm64 boots have two"

/*
 * The default, "local": a writer on a CPU of the second node gets every
 * quantum there, from every allocator (the page allocator's local node,
 * SLUB's CPU slab of that node, vmalloc's pages under the default policy).
 */
TEST_F(scull, numa_local_writer_on_node1)
{
	struct node_view v;
	int n0 = 0, n1 = 0, cpu;
	char word[32];

	if (online_nodes(&n0, &n1) < 2)
		SKIP(return, SKIP_ONE_NODE);
	ASSERT_LE(0, cpu = node_first_cpu(n1));
	read_attr(self->name, "node", word, sizeof(word));
	ASSERT_STREQ("local", word);
	ASSERT_EQ(0, pin_to_cpu(cpu)) TH_LOG("sched_setaffinity(%d): %s", cpu, strerror(errno));
	write_quanta(_metadata, self->fd, self->quantum, NUMA_QUANTA);
	ASSERT_EQ(0, proc_node_view(self->name, n1, &v));
	ASSERT_STREQ("local", v.node_word);
	EXPECT_EQ(NUMA_QUANTA, v.by_node[n1])
		TH_LOG("writer on CPU %d (node %d): quanta by node %d: %lu, node %d: %lu",
		       cpu, n1, n0, v.by_node[n0], n1, v.by_node[n1]);
	EXPECT_EQ(NUMA_QUANTA, v.lines_on);
	EXPECT_EQ(0, v.multi);
	EXPECT_EQ(0, v.lines_multi);
}

/*
 * node=N through sysfs, for the second node, written from a CPU of the
 * first: every new quantum is on node N, and the choice may change while
 * the device holds data.
 */
TEST_F(scull, numa_node_attr_from_node0)
{
	struct node_view v;
	int n0 = 0, n1 = 0, cpu;
	char word[32], val[16];

	if (online_nodes(&n0, &n1) < 2)
		SKIP(return, SKIP_ONE_NODE);
	ASSERT_LE(0, cpu = node_first_cpu(n0));
	ASSERT_EQ(0, pin_to_cpu(cpu));
	/* A quantum first, so that the change is made with data held. */
	write_quanta(_metadata, self->fd, self->quantum, 1);
	snprintf(val, sizeof(val), "%d\n", n1);
	ASSERT_EQ(0, write_attr(self->name, "node", val)) TH_LOG("node=%d: %s", n1, strerror(errno));
	read_attr(self->name, "node", word, sizeof(word));
	EXPECT_EQ(n1, atoi(word));
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_RESET));
	write_quanta(_metadata, self->fd, self->quantum, NUMA_QUANTA);
	ASSERT_EQ(0, proc_node_view(self->name, n1, &v));
	EXPECT_EQ(n1, atoi(v.node_word));
	EXPECT_EQ(NUMA_QUANTA, v.by_node[n1])
		TH_LOG("node=%d from CPU %d: quanta by node %d: %lu, node %d: %lu",
		       n1, cpu, n0, v.by_node[n0], n1, v.by_node[n1]);
	EXPECT_EQ(NUMA_QUANTA, v.lines_on);
	EXPECT_EQ(0, v.multi);
	EXPECT_EQ(0, write_attr(self->name, "node", "local"));
}

/*
 * SET_NODE, the same through the ioctl, to the first node from a CPU of
 * the second; GET_NODE reads it back, and -1 is local again.
 */
TEST_F(scull, numa_node_ioctl_from_node1)
{
	struct node_view v;
	int n0 = 0, n1 = 0, cpu;
	__s32 node;

	if (online_nodes(&n0, &n1) < 2)
		SKIP(return, SKIP_ONE_NODE);
	ASSERT_LE(0, cpu = node_first_cpu(n1));
	ASSERT_EQ(0, pin_to_cpu(cpu));
	node = n0;
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_NODE, &node));
	node = -5;
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_GET_NODE, &node));
	EXPECT_EQ(n0, node);
	write_quanta(_metadata, self->fd, self->quantum, NUMA_QUANTA);
	ASSERT_EQ(0, proc_node_view(self->name, n0, &v));
	EXPECT_EQ(NUMA_QUANTA, v.by_node[n0])
		TH_LOG("SET_NODE %d from CPU %d: quanta by node %d: %lu, node %d: %lu",
		       n0, cpu, n0, v.by_node[n0], n1, v.by_node[n1]);
	EXPECT_EQ(NUMA_QUANTA, v.lines_on);
	node = SCULL_NODE_LOCAL;
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_NODE, &node));
	node = 0;
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_GET_NODE, &node));
	EXPECT_EQ(SCULL_NODE_LOCAL, node);
}

/*
 * The node of a pfn as the kernel's memory blocks say it, outside
 * scull: /sys/devices/system/node/nodeN/memoryM is block M, of
 * /sys/devices/system/memory/block_size_bytes (hex) bytes.  -1 if no
 * node lists the block.
 */
static int pfn_node(unsigned long long pfn, int n0, int n1)
{
	static unsigned long long block_pages;
	int nodes[2] = { n0, n1 }, i;
	char path[128];

	if (!block_pages) {
		FILE *f = fopen("/sys/devices/system/memory/block_size_bytes", "r");

		if (!f || fscanf(f, "%llx", &block_pages) != 1)
			block_pages = 0;
		if (f)
			fclose(f);
		block_pages /= 4096;
		if (!block_pages)
			return -1;
	}
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/memory%llu",
			 nodes[i], pfn / block_pages);
		if (!access(path, F_OK))
			return nodes[i];
	}
	return -1;
}

/* The node a quantum line names (" node N kind"), -1 for several or none. */
static int proc_quantum_node(const char *dev, unsigned long qidx)
{
	static char line[1 << 16];
	char want[32];
	const char *p;
	int node = -1;

	snprintf(want, sizeof(want), "    quantum %lu: ", qidx);
	if (proc_dev_line(dev, want, line, sizeof(line)))
		return -1;
	p = strstr(line, " node ");
	if (p && sscanf(p, " node %d kind", &node) != 1)
		node = -1;
	return node;
}

/*
 * The node column against an outside view: quanta 0 and 1 written from a
 * CPU of the first node with node local, 2 and 3 with node set to the
 * second; the device mapped, each page's pfn read from /proc/self/pagemap
 * and its node from the memory blocks in sysfs must be the quantum line's
 * node, and the node the writer had.
 */
TEST_F(scull, numa_node_matches_pagemap)
{
	size_t q = self->quantum, pages = q / 4096, pg;
	int n0 = 0, n1 = 0, cpu, pm, i, want, shown, got;
	unsigned long long pfn;
	unsigned char *m;
	__s32 node;

	if (online_nodes(&n0, &n1) < 2)
		SKIP(return, SKIP_ONE_NODE);
	if (!can_map(variant, self->order))
		SKIP(return, "%s quanta of order %u cannot be mapped on this kernel", self->name, self->order);
	ASSERT_LE(0, cpu = node_first_cpu(n0));
	ASSERT_EQ(0, pin_to_cpu(cpu));
	write_quanta(_metadata, self->fd, self->quantum, 2);
	node = n1;
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_NODE, &node));
	for (i = 2; i < 4; i++) {
		unsigned char *buf = malloc(q);

		ASSERT_NE(NULL, buf);
		fill_rnd(buf, q);
		ASSERT_EQ((ssize_t)q, pwrite_all(self->fd, buf, q, (off_t)i * q));
		free(buf);
	}
	node = SCULL_NODE_LOCAL;
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_NODE, &node));
	m = mmap(NULL, 4 * q, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	pm = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_LE(0, pm);
	for (i = 0; i < 4; i++) {
		want = i < 2 ? n0 : n1;
		shown = proc_quantum_node(self->name, i);
		EXPECT_EQ(want, shown) TH_LOG("quantum %d: the line says node %d", i, shown);
		for (pg = 0; pg < pages; pg++) {
			pfn = mapped_pfn(pm, m + i * q + pg * 4096);
			ASSERT_NE(0, pfn) TH_LOG("no pfn in pagemap for quantum %d page %zu", i, pg);
			got = pfn_node(pfn, n0, n1);
			ASSERT_EQ(shown, got)
				TH_LOG("quantum %d page %zu: pfn %llx is on node %d (memory blocks), the line says %d",
				       i, pg, pfn, got, shown);
		}
	}
	close(pm);
	munmap(m, 4 * q);
}

/*
 * What is not local or an online node is refused with EINVAL, through
 * sysfs and the ioctl, and leaves the choice as it was.  One node or two.
 */
TEST_F(scull, numa_bad_node_refused)
{
	static const char *const bad[] = {
		"-1\n", "-2", "abc", "1x", "99999999999", "2147483648", "local2",
	};
	char word[32], val[16];
	int n0 = 0, n1 = 0, nodes, offline, i;
	__s32 node;

	/* No /sys/devices/system/node without CONFIG_NUMA (i386): node 0. */
	nodes = online_nodes(&n0, &n1);
	if (!nodes)
		nodes = 1;
	/* A node that is not online: one past the last online one. */
	offline = (nodes > 1 ? n1 : n0) + 1;
	ASSERT_EQ(0, write_attr(self->name, "node", "0"));
	for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
		errno = 0;
		EXPECT_EQ(-1, write_attr(self->name, "node", bad[i])) TH_LOG("node=%s", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("node=%s: %s", bad[i], strerror(errno));
	}
	snprintf(val, sizeof(val), "%d", offline);
	errno = 0;
	EXPECT_EQ(-1, write_attr(self->name, "node", val));
	EXPECT_EQ(EINVAL, errno);
	read_attr(self->name, "node", word, sizeof(word));
	EXPECT_STREQ("0", word);
	for (i = 0; i < 4; i++) {
		const __s32 vals[] = { offline, -2, INT32_MIN, INT32_MAX };

		node = vals[i];
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, SCULL_IOC_SET_NODE, &node)) TH_LOG("SET_NODE %d", vals[i]);
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(-1, ioctl(self->fd, SCULL_IOC_SET_NODE, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SCULL_IOC_GET_NODE, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	node = -5;
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_GET_NODE, &node));
	EXPECT_EQ(0, node);
	EXPECT_EQ(0, write_attr(self->name, "node", "local\n"));
	read_attr(self->name, "node", word, sizeof(word));
	EXPECT_STREQ("local", word);
}

/* ---- quanta of any size (issue 26) ---------------------------------------- */

/*
 * The store at odd quanta, as LDD3's 4000 bytes, on every device: the old
 * five as TEST_F(scull, ...), scullx and scullkv as TEST_F(newdev, ...),
 * which no other test loops over (each device added to every test made
 * the suite's boots 40% longer).  Each size takes a few quanta: seconds.
 */
static const size_t odd_sizes[] = { 1, 100, 4000, 5000, 4099 };

/* "stats DEV: allocs A, frees F": allocs - frees, or -1. */
static long proc_live(const char *dev)
{
	char line[512], want[64];
	unsigned long a, f;
	int k = 0;
	FILE *fp = fopen("/proc/scullmem", "r");
	long live = -1;

	if (!fp)
		return -1;
	snprintf(want, sizeof(want), "stats %s: allocs ", dev);
	while (fgets(line, sizeof(line), fp)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		if (sscanf(line + strlen(want), "%lu, frees %lu%n", &a, &f, &k) == 2 && k)
			live = (long)(a - f);
		break;
	}
	fclose(fp);
	return live;
}

/* What /sys/kernel/slab/CACHE/FILE says, or 0 when it is not there. */
static unsigned long long slab_attr(const char *cache, const char *file)
{
	char path[128], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/%s", cache, file);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtoull(buf, NULL, 10);
}

static size_t page_align(size_t n)
{
	return (n + 4095) & ~(size_t)4095;
}

static unsigned int order_of(size_t n)
{
	unsigned int order = 0;

	while ((4096UL << order) < n)
		order++;
	return order;
}

/*
 * The outside view of kmalloc for a quantum of @q bytes: the smallest
 * kmalloc cache in /sys/kernel/slab whose objects take @q bytes, of the
 * kmalloc-cg- kind where the kernel has it (5.14 on: the devices' quanta
 * are charged to a memory cgroup), the plain kmalloc- kind before; its
 * name goes to @name.  0 when no cache takes @q (above
 * KMALLOC_MAX_CACHE_SIZE: kmalloc takes pages from the page allocator),
 * ULLONG_MAX when there is no /sys/kernel/slab to look in.
 */
static unsigned long long kmalloc_cache_for(size_t q, char *name, size_t len)
{
	DIR *d = opendir("/sys/kernel/slab");
	unsigned long long best = 0, size;
	const char *kind;
	struct dirent *e;
	size_t k;
	int cg = 0;

	if (!d)
		return ULLONG_MAX;
	while ((e = readdir(d)))
		cg |= !strncmp(e->d_name, "kmalloc-cg-", 11);
	rewinddir(d);
	kind = cg ? "kmalloc-cg-" : "kmalloc-";
	k = strlen(kind);
	while ((e = readdir(d))) {
		/* kmalloc-cg-8k, not kmalloc-rcl-8k or kmalloc-rnd-01-8k. */
		if (strncmp(e->d_name, kind, k) || !isdigit((unsigned char)e->d_name[k]))
			continue;
		size = slab_attr(e->d_name, "object_size");
		if (size >= q && (!best || size < best)) {
			best = size;
			copy_str(name, len, e->d_name);
		}
	}
	closedir(d);
	return best;
}

/*
 * The area of /proc/vmallocinfo that starts at @virt: its size, the guard
 * page included, and its pages=N.  Returns 0, or -1 when there is none
 * or the file cannot be read (only root may).  Its addresses are %pK:
 * real for root only with kptr_restrict 1 (vmalloc_view()).
 */
static int vmalloc_area_at(unsigned long long virt, unsigned long long *size,
			   unsigned long long *pages)
{
	FILE *f = fopen("/proc/vmallocinfo", "r");
	unsigned long long start;
	char line[512];
	const char *pg;
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "0x%llx-%*s %llu", &start, size) != 2 || start != virt)
			continue;
		pg = strstr(line, " pages=");
		*pages = pg ? strtoull(pg + 7, NULL, 10) : 0;
		rc = 0;
		break;
	}
	fclose(f);
	return rc;
}

/*
 * /proc/vmallocinfo's addresses as they are, for root: kptr_restrict 1,
 * as guest.sh sets it (0, Debian's default, hashes them even for root).
 * Returns the value to put back, or -1 when it cannot be set.
 */
static int vmalloc_view(void)
{
	int fd = open("/proc/sys/kernel/kptr_restrict", O_RDWR), old = -1;
	char c;

	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) == 1 && c >= '0' && c <= '2' && pwrite(fd, "1\n", 2, 0) == 2)
		old = c - '0';
	close(fd);
	return old;
}

static void vmalloc_view_end(int old)
{
	char val[2] = { (char)('0' + old), '\n' };
	int fd;

	if (old < 0 || old == 1)
		return;
	fd = open("/proc/sys/kernel/kptr_restrict", O_WRONLY);
	if (fd < 0)
		return;
	if (write(fd, val, sizeof(val)) != (ssize_t)sizeof(val))
		perror("kptr_restrict");
	close(fd);
}

/*
 * A vmalloc quantum's holds and span against /proc/vmallocinfo, the
 * kernel's own view of its area, found by the quantum's address: its
 * size is the span (guard page included), its pages=N the holds.  The
 * caller has made the addresses visible (vmalloc_view()).
 */
static int vmalloc_matches(struct __test_metadata *_metadata, const char *dev,
			   const char *line, unsigned long long held,
			   unsigned long long span)
{
	unsigned long long virt, size, pages;
	int rc = 1;

	if (sscanf(line, "    quantum %*u: virt %llx", &virt) != 1) {
		rc = 0;
		TH_LOG("%s: a vmalloc quantum without an address: %s", dev, line);
	} else if (vmalloc_area_at(virt, &size, &pages)) {
		rc = 0;
		TH_LOG("%s: no area at %llx in /proc/vmallocinfo", dev, virt);
	} else if (size != span || pages * 4096 != held) {
		rc = 0;
		TH_LOG("%s: holds %llu span %llu, /proc/vmallocinfo: %llu bytes, pages=%llu",
		       dev, held, span, size, pages);
	}
	return rc;
}

/*
 * One quantum line's " holds N ..." against what the device's allocator
 * sets aside for @q bytes, and an outside view: kmalloc's class's and
 * scullc's cache's sizes in /sys/kernel/slab (where SLUB has it).
 * Returns the bytes held, 0 on a mismatch (logged).
 */
static unsigned long long check_holds(struct __test_metadata *_metadata,
				      const char *dev, const char *line, size_t q,
				      unsigned long long *span)
{
	const char *h = strstr(line, " holds ");
	unsigned long long held, want, align;
	char from[40] = "", via[16] = "", cache[48] = "";
	int vm;

	*span = 0;
	if (!h || sscanf(h, " holds %llu", &held) != 1) {
		TH_LOG("%s: no holds field: %s", dev, line);
		return 0;
	}
	if (strstr(h, " span "))
		sscanf(strstr(h, " span "), " span %llu", span);
	if (strstr(h, " from "))
		sscanf(strstr(h, " from "), " from %39s", from);
	if (strstr(h, " via "))
		sscanf(strstr(h, " via "), " via %15s", via);
	vm = !strcmp(dev, "scullv") || !strcmp(via, "vmalloc");
	if (vm) {
		/*
		 * Whole pages, at least the quantum's (a huge area rounds up
		 * further), and a guard page: proc_holds() checks both
		 * against /proc/vmallocinfo.
		 */
		want = held;
		if (held < page_align(q) || held % 4096 || *span != held + 4096) {
			TH_LOG("%s: vmalloc quantum of %zu bytes: holds %llu, span %llu",
			       dev, q, held, *span);
			return 0;
		}
	} else if (!strcmp(dev, "scullk") || !strcmp(via, "kmalloc")) {
		/* From the quantum's size, not from the line: which cache takes it. */
		want = kmalloc_cache_for(q, cache, sizeof(cache));
		if (want == ULLONG_MAX) {
			want = held;	/* no SLUB sysfs: trust the line */
			cache[0] = '\0';
		} else if (!want) {
			want = 4096ULL << order_of(q);	/* whole pages, a power of two */
			snprintf(cache, sizeof(cache), "page-allocator");
		}
		if (cache[0] && strcmp(from, cache)) {
			TH_LOG("%s: kmalloc quantum of %zu bytes from %s, want from %s",
			       dev, q, from, cache);
			return 0;
		}
	} else if (!strcmp(dev, "scullc")) {
		/* The object, aligned: debug metadata (slab_size) is not counted. */
		snprintf(cache, sizeof(cache), "scullc-%zu", q);
		want = slab_attr(cache, "object_size");
		align = slab_attr(cache, "align");
		if (!want || !align)
			want = held;	/* no SLUB sysfs: trust the line */
		else
			want = (want + align - 1) / align * align;
	} else if (!strcmp(dev, "scullx")) {
		want = page_align(q);
	} else {
		want = 4096ULL << order_of(q);	/* scullp, scullh */
	}
	if (held != want || held < q) {
		TH_LOG("%s: quantum of %zu bytes holds %llu, want %llu (%s)", dev, q,
		       held, want, line);
		return 0;
	}
	return held;
}

/* Every quantum line of @dev: holds as check_holds() says, summed into *@sum. */
static long proc_holds(struct __test_metadata *_metadata, const char *dev,
		       size_t q, unsigned long long *sum)
{
	static char line[1 << 16];
	char hdr[64];
	long n = 0;
	int in = 0, view;
	FILE *f = fopen("/proc/scullmem", "r");

	if (!f)
		return -1;
	view = vmalloc_view();
	*sum = 0;
	snprintf(hdr, sizeof(hdr), "Device %s:", dev);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long held, span;

		if (!strncmp(line, "Device ", 7))
			in = !strncmp(line, hdr, strlen(hdr));
		if (!in || strncmp(line, "    quantum ", 12))
			continue;
		held = check_holds(_metadata, dev, line, q, &span);
		if (!held || (span && view >= 0 &&
			      !vmalloc_matches(_metadata, dev, line, held, span))) {
			n = -1;
			break;
		}
		*sum += held;
		n++;
	}
	fclose(f);
	vmalloc_view_end(view);
	return n;
}


/*
 * The refusals' dmesg lines are ratelimited, 10 in 5 s for each place in
 * the driver that logs them, whatever the device: a run of
 * quantum_refusals() logs 7, so the next waits for a new interval, if
 * the one before began less than 6 s ago.  The harness runs each test in
 * a child of its own, so when the last run began is kept in a shared
 * mapping, made before the first fork.
 */
static struct timespec *refusal_last;

static void __attribute__((constructor)) refusal_shared(void)
{
	void *p = mmap(NULL, sizeof(*refusal_last), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	refusal_last = p == MAP_FAILED ? NULL : p;
}

static void refusal_interval(void)
{
	struct timespec now;
	long ms = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!refusal_last)
		ms = -1;
	else if (refusal_last->tv_sec)
		ms = (now.tv_sec - refusal_last->tv_sec) * 1000 +
		     (now.tv_nsec - refusal_last->tv_nsec) / 1000000;
	if (ms < 0 || (refusal_last->tv_sec && ms < 6000))
		usleep((6000 - (ms < 0 ? 0 : ms)) * 1000);
	if (refusal_last)
		clock_gettime(CLOCK_MONOTONIC, refusal_last);
}

/* A refusal: EINVAL, and one dmesg line with @needle, for each way in. */
static void refused(struct __test_metadata *_metadata, int fd, int kmsg, const char *dev,
		    __u64 q, const char *attr_text, const char *needle)
{
	char rec[512];
	__u64 v = q;

	if (attr_text) {
		errno = 0;
		EXPECT_EQ(-1, write_attr(dev, "quantum", attr_text));
	} else {
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, SCULL_IOC_SET_QUANTUM, &v));
	}
	EXPECT_EQ(EINVAL, errno) TH_LOG("%s: quantum %llu refused: %s", dev,
					(unsigned long long)q, strerror(errno));
	EXPECT_EQ(1, kmsg_last(kmsg, needle, rec, sizeof(rec))) TH_LOG("%s: no dmesg line '%s'",
								       dev, needle);
}

/*
 * SET_QUANTUM's and the quantum attribute's refusals: EINVAL and one
 * dmesg line each, which names the device's limit; the limit itself
 * accepted, one byte more refused; EBUSY with data.
 */
static void quantum_refusals(struct __test_metadata *_metadata, int fd,
			     const char *dev)
{
	char needle[160], rec[512], text[32];
	unsigned long long limit = 0;
	const char *takes;
	__u64 q = 1ULL << 32;
	int kmsg;

	refusal_interval();
	kmsg = kmsg_open();
	ASSERT_LE(0, kmsg) TH_LOG("/dev/kmsg: %s", strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, SCULL_IOC_SET_QUANTUM, &q));
	EXPECT_EQ(EINVAL, errno);
	snprintf(needle, sizeof(needle),
		 "%s: ioctl SET_QUANTUM: quantum 4294967296 is out of range: %s (", dev, dev);
	ASSERT_EQ(1, kmsg_last(kmsg, needle, rec, sizeof(rec))) TH_LOG("no '%s'", needle);
	takes = strstr(rec, ") takes 1..");
	ASSERT_NE(NULL, takes) TH_LOG("%s", rec);
	ASSERT_EQ(1, sscanf(takes, ") takes 1..%llu bytes", &limit)) TH_LOG("%s", rec);
	ASSERT_LT(limit, 1ULL << 32);

	snprintf(needle, sizeof(needle), "%s: ioctl SET_QUANTUM: quantum 0 is out of range", dev);
	refused(_metadata, fd, kmsg, dev, 0, NULL, needle);
	snprintf(needle, sizeof(needle), "%s: ioctl SET_QUANTUM: quantum %llu is out of range: %s",
		 dev, limit + 1, dev);
	refused(_metadata, fd, kmsg, dev, limit + 1, NULL, needle);
	snprintf(needle, sizeof(needle), "%s: quantum: write a number of bytes, 1..%llu",
		 dev, limit);
	refused(_metadata, fd, kmsg, dev, 0, "many\n", needle);
	snprintf(needle, sizeof(needle), "%s: quantum: quantum 0 is out of range", dev);
	refused(_metadata, fd, kmsg, dev, 0, "0\n", needle);
	snprintf(text, sizeof(text), "%llu\n", limit + 1);
	snprintf(needle, sizeof(needle), "%s: quantum: quantum %llu is out of range: %s (",
		 dev, limit + 1, dev);
	refused(_metadata, fd, kmsg, dev, limit + 1, text, needle);
	close(kmsg);

	/* The limit itself is taken, through both; nothing is allocated yet. */
	q = limit;
	ASSERT_EQ(0, ioctl(fd, SCULL_IOC_SET_QUANTUM, &q)) TH_LOG("%s: quantum %llu: %s", dev,
								   limit, strerror(errno));
	ASSERT_EQ(limit, attr(dev, "quantum"));
	snprintf(text, sizeof(text), "%llu\n", limit);
	ASSERT_EQ(0, write_attr(dev, "quantum", text));
	q = 4000;
	ASSERT_EQ(0, ioctl(fd, SCULL_IOC_SET_QUANTUM, &q));

	/* With data: EBUSY. */
	ASSERT_EQ(1, pwrite(fd, "x", 1, 0));
	q = 5000;
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, SCULL_IOC_SET_QUANTUM, &q));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, ioctl(fd, SCULL_IOC_RESET));
}

/*
 * At a quantum of @q bytes: a model written with a hole of whole quanta
 * between two runs, read back; seeks, SEEK_DATA/SEEK_HOLE at quantum
 * granularity; mmap refused (not whole pages); /proc's quantum lines,
 * their holds and the header's held line; allocs == frees once reset.
 */
static void odd_quantum(struct __test_metadata *_metadata, int fd,
			const char *dev, size_t q)
{
	size_t a_len = 3 * q + q / 2 + 7, b_off = a_len + 2 * q + 3, b_len = q + 5;
	size_t size = b_off + b_len, a_last = (a_len - 1) / q;
	size_t b_first = b_off / q, b_last = (size - 1) / q;
	unsigned char *model = calloc(1, size), *back = malloc(size + 16);
	unsigned long long asked, held, sum;
	char line[256], want_err[64];
	__u64 v = q;
	void *map;

	ASSERT_NE(NULL, model);
	ASSERT_NE(NULL, back);
	ASSERT_EQ(0, ioctl(fd, SCULL_IOC_RESET));
	ASSERT_EQ(0, ioctl(fd, SCULL_IOC_SET_QUANTUM, &v)) TH_LOG("%s: quantum %zu: %s", dev, q,
								   strerror(errno));
	v = 0;
	ASSERT_EQ(0, ioctl(fd, SCULL_IOC_GET_QUANTUM, &v));
	ASSERT_EQ(q, v);
	ASSERT_EQ(q, attr(dev, "quantum"));
	ASSERT_EQ(order_of(q), attr(dev, "order"));

	fill_rnd(model, a_len);
	fill_rnd(model + b_off, b_len);
	ASSERT_EQ((ssize_t)a_len, pwrite_all(fd, model, a_len, 0));
	ASSERT_EQ((ssize_t)b_len, pwrite_all(fd, model + b_off, b_len, b_off));
	ASSERT_EQ(size, attr(dev, "size"));
	ASSERT_EQ(a_last + 1 + b_last - b_first + 1, attr(dev, "quanta"));
	ASSERT_EQ((ssize_t)size, pread(fd, back, size + 16, 0));
	ASSERT_EQ(0, memcmp(model, back, size)) TH_LOG("%s: quantum %zu: data differ", dev, q);
	/* A read across a quantum boundary, from an odd place. */
	ASSERT_EQ(7, pread(fd, back, 7, q - 3 + (q > 3 ? 0 : 3)));
	ASSERT_EQ(0, memcmp(model + q - 3 + (q > 3 ? 0 : 3), back, 7));

	ASSERT_EQ((off_t)size, lseek(fd, 0, SEEK_END));
	ASSERT_EQ((off_t)(q + 1), lseek(fd, q + 1, SEEK_SET));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_DATA));
	ASSERT_EQ((off_t)((a_last + 1) * q), lseek(fd, 1, SEEK_HOLE));
	ASSERT_EQ((off_t)(b_first * q), lseek(fd, (a_last + 1) * q, SEEK_DATA));
	ASSERT_EQ((off_t)(b_off + 1), lseek(fd, b_off + 1, SEEK_DATA));
	ASSERT_EQ((off_t)size, lseek(fd, b_off, SEEK_HOLE));
	errno = 0;
	ASSERT_EQ(-1, lseek(fd, size, SEEK_DATA));
	ASSERT_EQ(ENXIO, errno);

	/* Not whole pages: mmap is refused, whatever the allocator. */
	errno = 0;
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_EQ(MAP_FAILED, map);
	ASSERT_EQ(ENODEV, errno);

	ASSERT_EQ((long)(a_last + 1 + b_last - b_first + 1), proc_holds(_metadata, dev, q, &sum));
	ASSERT_EQ(0, proc_dev_line(dev, "  held: ", line, sizeof(line)));
	ASSERT_EQ(2, sscanf(line, "  held: asked %llu bytes, held %llu bytes", &asked, &held));
	ASSERT_EQ((unsigned long long)attr(dev, "quanta") * q, asked);
	ASSERT_EQ(sum, held);
	ASSERT_EQ((long)attr(dev, "quanta"), proc_live(dev));

	ASSERT_EQ(0, ioctl(fd, SCULL_IOC_RESET));
	ASSERT_EQ(0, proc_live(dev)) TH_LOG("%s: quantum %zu: allocs != frees after reset", dev, q);
	ASSERT_EQ(0, proc_dev_line(dev, "  held: ", line, sizeof(line)));
	snprintf(want_err, sizeof(want_err), "  held: asked 0 bytes, held 0 bytes,");
	ASSERT_EQ(0, strncmp(line, want_err, strlen(want_err))) TH_LOG("%s", line);
	free(model);
	free(back);
}

static void odd_quanta(struct __test_metadata *_metadata, int fd, const char *dev,
		       unsigned int order)
{
	unsigned long long v = 4096ULL << order;
	char text[32];
	unsigned int i;

	seed_rng("odd_quanta");
	quantum_refusals(_metadata, fd, dev);
	for (i = 0; i < sizeof(odd_sizes) / sizeof(odd_sizes[0]); i++)
		odd_quantum(_metadata, fd, dev, odd_sizes[i]);
	/* Back to the module's quantum, through the attribute this time. */
	snprintf(text, sizeof(text), "%llu\n", v);
	ASSERT_EQ(0, write_attr(dev, "quantum", text));
	ASSERT_EQ(v, attr(dev, "quantum"));
	ASSERT_EQ(order, attr(dev, "order"));
}

TEST_F(scull, odd_quanta)
{
	odd_quanta(_metadata, self->fd, self->name, self->order);
}

/* scullx and scullkv, the devices of issue 26: the checks above, no other. */
FIXTURE(newdev) {
	int fd;
	const char *name;
	unsigned int order;
};

FIXTURE_VARIANT(newdev) {
	const char *path;
};

FIXTURE_VARIANT_ADD(newdev, scullx) { .path = "/dev/scullx" };
FIXTURE_VARIANT_ADD(newdev, scullkv) { .path = "/dev/scullkv" };

FIXTURE_SETUP(newdev)
{
	self->name = variant->path + 5;
	self->order = param("order");
	self->fd = open(variant->path, O_RDWR | O_TRUNC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", variant->path, strerror(errno));
}

FIXTURE_TEARDOWN(newdev)
{
	__u64 v = 4096ULL << self->order;

	ioctl(self->fd, SCULL_IOC_RESET);
	ioctl(self->fd, SCULL_IOC_SET_QUANTUM, &v);
	close(self->fd);
}

TEST_F(newdev, odd_quanta)
{
	odd_quanta(_metadata, self->fd, self->name, self->order);
}

/*
 * At the module's own quantum: a round trip, and the holds of whole-page
 * quanta: scullx's pages are the quantum's, and may be mapped; scullkv's
 * are kmalloc's or vmalloc's, never mapped.
 */
TEST_F(newdev, whole_pages)
{
	size_t q = 4096UL << self->order, n = 2 * q + 123;
	unsigned char *in = malloc(n), *out = malloc(n);
	unsigned long long sum;
	void *map;

	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	seed_rng("newdev whole_pages");
	fill_rnd(in, n);
	ASSERT_EQ((ssize_t)n, pwrite_all(self->fd, in, n, 0));
	ASSERT_EQ((ssize_t)n, pread(self->fd, out, n, 0));
	ASSERT_EQ(0, memcmp(in, out, n));
	ASSERT_EQ(3, proc_holds(_metadata, self->name, q, &sum));
	map = mmap(NULL, q, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	if (!strcmp(self->name, "scullx")) {
		ASSERT_NE(MAP_FAILED, map) TH_LOG("scullx: mmap: %s", strerror(errno));
		ASSERT_EQ(0, memcmp(map, in, q));
		((unsigned char *)map)[5] ^= 0xff;
		ASSERT_EQ(1, pread(self->fd, out, 1, 5));
		ASSERT_EQ((unsigned char)(in[5] ^ 0xff), out[0]);
		ASSERT_EQ(0, munmap(map, q));
	} else {
		ASSERT_EQ(MAP_FAILED, map);
		ASSERT_EQ(ENODEV, errno);
	}
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_RESET));
	ASSERT_EQ(0, proc_live(self->name));
	free(in);
	free(out);
}

/*
 * scullkv above KMALLOC_MAX_SIZE (4 MiB with the 4 KiB pages of every
 * target): kmalloc cannot serve such a quantum, so kvmalloc's vmalloc
 * does, every time, and each quantum line says "via vmalloc", its holds
 * and span as /proc/vmallocinfo has the area (proc_holds()): on x86_64
 * and arm64 the area may be mapped huge, and then holds whole 2 MiB
 * pages, 6 MiB here.  Two quanta, the second of 10 bytes written.
 * scullx refuses that quantum (EINVAL): alloc_pages_exact() splits one
 * buddy block, which is at most 4 MiB.
 */
TEST_F(newdev, kv_via_vmalloc)
{
	size_t q = (5 << 20) + 123, n = q + 10;
	unsigned char *in, *out;
	unsigned long long sum, held;
	char line[256];
	__u64 v = q;

	if (strcmp(self->name, "scullkv")) {
		/* scullx: one buddy block per quantum, at most MAX_ORDER's. */
		errno = 0;
		ASSERT_EQ(-1, ioctl(self->fd, SCULL_IOC_SET_QUANTUM, &v));
		ASSERT_EQ(EINVAL, errno);
		return;
	}
	in = malloc(n);
	out = malloc(n);
	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_RESET));
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_SET_QUANTUM, &v)) TH_LOG("quantum %zu: %s", q,
								    strerror(errno));
	seed_rng("newdev kv_via_vmalloc");
	fill_rnd(in, n);
	ASSERT_EQ((ssize_t)n, pwrite_all(self->fd, in, n, 0));
	ASSERT_EQ((ssize_t)n, pread(self->fd, out, n, 0));
	ASSERT_EQ(0, memcmp(in, out, n));
	ASSERT_EQ(2, proc_holds(_metadata, self->name, q, &sum));
	ASSERT_EQ(0, proc_dev_line(self->name, "  kvmalloc: ", line, sizeof(line)));
	ASSERT_EQ(0, strcmp(line, "  kvmalloc: kmalloc served 0, vmalloc served 2\n"))
		TH_LOG("%s", line);
	ASSERT_EQ(0, proc_dev_line(self->name, "  held: ", line, sizeof(line)));
	ASSERT_EQ(1, sscanf(line, "  held: asked %*u bytes, held %llu bytes", &held));
	ASSERT_EQ(sum, held);
	ASSERT_EQ(0, ioctl(self->fd, SCULL_IOC_RESET));
	ASSERT_EQ(0, proc_live(self->name));
	free(in);
	free(out);
}

/*
 * SCULL_TESTS=,name,name, runs only those tests: the harness of 6.1 has no
 * filter of its own, so the others are unlinked before it starts.  A name
 * that matches no test, or a list that names none, is an error: a renamed
 * test must not drop out of a run unnoticed.
 */
static int only_tests(const char *only)
{
	char *list = strdup(only), *name, *save = NULL, *names[128];
	struct __fixture_metadata *f;
	struct __test_metadata *t, *next;
	int n = 0, bad = 0, i;

	for (name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		int found = 0;

		for (f = __fixture_list; f; f = f->next)
			for (t = f->tests; t; t = t->next)
				found |= !strcmp(t->name, name);
		if (!found) {
			fprintf(stderr, "scull_test: SCULL_TESTS names no test called '%s'\n", name);
			bad = 1;
		}
		if (n == 128) {
			fprintf(stderr, "scull_test: SCULL_TESTS: too many names\n");
			return -1;
		}
		names[n++] = name;
	}
	if (!n)
		fprintf(stderr, "scull_test: SCULL_TESTS='%s' names no test\n", only);
	if (!n || bad)
		return -1;
	for (f = __fixture_list; f; f = f->next) {
		t = f->tests;
		f->tests = NULL;
		for (; t; t = next) {
			next = t->next;
			for (i = 0; i < n; i++) {
				if (!strcmp(t->name, names[i])) {
					__register_test(t);
					break;
				}
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *only = getenv("SCULL_TESTS");

	if (only && only_tests(only))
		return KSFT_FAIL;
	return test_harness_run(argc, argv);
}
