// SPDX-License-Identifier: GPL-2.0
/*
 * stress - many threads at once on one scull device.
 *
 *   stress [--seed S] [--threads T] [--ops N] [--time SEC] DEVICE
 *
 * T threads (default 4) each run N random operations (default 3000) on
 * the same device, or stop when SEC seconds (default 120) have gone by:
 * pwrite, pread, pwritev and preadv of random sizes at random offsets of
 * the first few MiB, open with O_TRUNC, the SET_ORDER, SET_QSET, RESET,
 * SET_GFP and SET_NODE ioctls (local, or a node online, or one past the
 * last online node, which must be refused), mmap with reads and writes of the mapping, SEEK_DATA
 * and SEEK_HOLE, and whole reads of /proc/scullmem.  Meanwhile a child
 * process tries to unload the module, which the open descriptors must
 * refuse.
 *
 * Nothing can be predicted of one result under concurrency, so each is
 * checked against what is documented for it: data, or an errno of the
 * operation's allow list (EBUSY for a geometry change of a device that
 * holds data, ENXIO from SEEK_DATA past the data, SIGBUS past the end of
 * a mapping...).  Every thread writes only bytes of a small alphabet
 * ('A'..'H'), so a read that returns any other byte than those and zero
 * returned memory nobody wrote: stale or uninitialised quanta.  Then,
 * single-threaded, the device's geometry is put back, and a known buffer
 * written must read back intact.
 *
 * Prints the seed (the same seed replays each thread's sequence of
 * operations, though not their interleaving), the count of each outcome
 * of each operation, and operations per second.  Exit 0 when every result
 * was a documented one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../scull_ioctl.h"
#include "testlib.h"

#define SPAN		(2UL << 20)	/* offsets stay below 2 MiB */
#define MAX_ORDER_SET	3		/* SET_ORDER picks 0..3: every device takes them */
#define MAX_IO		(64UL << 10)	/* largest read or write */
#define MAX_THREADS	64
#define MAX_FAILS	20		/* failures printed */
#define PROC_BUF	(64UL << 10)
#define NR(a)		(sizeof(a) / sizeof((a)[0]))

enum op {
	OP_PWRITE, OP_PREAD, OP_PWRITEV, OP_PREADV, OP_OPEN_TRUNC,
	OP_SET_ORDER, OP_SET_QSET, OP_RESET, OP_SET_GFP, OP_MMAP, OP_TOUCH,
	OP_MAP_IO, OP_SEEK_DATA, OP_SEEK_HOLE, OP_PROC, OP_RMMOD, OP_SET_NODE,
	NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"pwrite", "pread", "pwritev", "preadv", "open O_TRUNC",
	"SET_ORDER", "SET_QSET", "RESET", "SET_GFP", "mmap", "mapped access",
	"pread/pwrite with the buffer in a mapping of the device",
	"SEEK_DATA", "SEEK_HOLE", "/proc/scullmem read", "delete_module (child)",
	"SET_NODE",
};

/* Outcomes: 0 whole, an errno, or one of these. */
#define OUT_SHORT	(NR_ERRNO)
#define OUT_SIGBUS	(NR_ERRNO + 1)
#define NR_ERRNO	134
#define NR_OUT		(NR_ERRNO + 2)

/* Bit e: errno e is documented for the operation (bit 0: success). */
#define A(e)		(1ULL << (e))
static unsigned long long allowed[NR_OPS] = {
	[OP_PWRITE]	= A(0),
	[OP_PWRITEV]	= A(0),
	/* A read returns less when it meets the end of data. */
	[OP_PREAD]	= A(0),
	[OP_PREADV]	= A(0),
	/* A mapping never blocks truncation: it is zapped. */
	[OP_OPEN_TRUNC]	= A(0),
	[OP_RESET]	= A(0),
	/* EBUSY: the device holds data. */
	[OP_SET_ORDER]	= A(0) | A(EBUSY),
	[OP_SET_QSET]	= A(0) | A(EBUSY),
	[OP_SET_GFP]	= A(0) | A(EBUSY),
	/* At any time; the offline node's EINVAL is checked by op_set_node(). */
	[OP_SET_NODE]	= A(0),
	/* ENODEV: quanta that cannot be mapped (set per device in main). */
	[OP_MMAP]	= 0,
	[OP_TOUCH]	= A(0),
	/*
	 * EFAULT: the buffer is in a mapping of the device, past its end
	 * (where an access gets SIGBUS).
	 */
	[OP_MAP_IO]	= A(0) | A(EFAULT),
	/* ENXIO: at or past the end of data, or no data after the offset. */
	[OP_SEEK_DATA]	= A(0) | A(ENXIO),
	[OP_SEEK_HOLE]	= A(0) | A(ENXIO),
	[OP_PROC]	= A(0),
	/* O_NONBLOCK with references held: EWOULDBLOCK (EAGAIN). */
	[OP_RMMOD]	= A(EBUSY) | A(EWOULDBLOCK),
};

struct counts {
	unsigned long n[NR_OPS][NR_OUT];
};

struct worker {
	pthread_t tid;
	int id;
	uint64_t rng;
	int fd;
	unsigned long op;
	unsigned char *buf;
	struct counts c;
};

static const char *name;	/* "scullp" */
static char path[64];		/* "/dev/scullp" */
static int nthreads = 4;
static unsigned long nops = 3000;
static unsigned int max_secs = 120;
static struct timespec t_start;
static volatile int stop;	/* a failure or the time bound: all threads stop */
static int nfails;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static __thread sigjmp_buf bus_jmp;
static __thread volatile sig_atomic_t bus_armed;

static uint64_t rnd(struct worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

static double elapsed(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t_start.tv_sec) + (t.tv_nsec - t_start.tv_nsec) / 1e9;
}

static void fail(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	if (nfails++ < MAX_FAILS) {
		printf("# stress: %s: FAIL: thread %d, op %lu: ", name, w ? w->id : -1,
		       w ? w->op : 0);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
		fflush(stdout);
	}
	stop = 1;
	pthread_mutex_unlock(&out_lock);
}

static const char *errname(int e)
{
	static __thread char other[24];

	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EWOULDBLOCK";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case ENOTTY: return "ENOTTY";
	}
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

/* Count the outcome of op: r < 0 is errno's; check it against the list. */
static void outcome(struct worker *w, enum op op, long long r, int err)
{
	int out = r >= 0 ? 0 : err > 0 && err < NR_ERRNO ? err : NR_ERRNO - 1;

	w->c.n[op][out]++;
	if (out >= 64 || !(allowed[op] & A(out)))
		fail(w, "%s: %s, which is not documented for it", op_names[op],
		     r >= 0 ? "success" : errname(err));
}

/* A byte some thread may have written: zero or one of 'A'..'H'. */
static int written(unsigned char b)
{
	return !b || (b >= 'A' && b <= 'H');
}

static void check_read(struct worker *w, enum op op, ssize_t r, int err,
		       const unsigned char *buf, size_t want, off_t off)
{
	ssize_t i;

	if (r < 0) {
		outcome(w, op, r, err);
		return;
	}
	if ((size_t)r > want) {
		fail(w, "%s of %zu bytes at %lld returned %zd", op_names[op], want,
		     (long long)off, r);
		return;
	}
	w->c.n[op][(size_t)r < want ? OUT_SHORT : 0]++;
	for (i = 0; i < r; i++) {
		if (!written(buf[i])) {
			fail(w, "%s of %zu bytes at %lld: byte %lld is %#x, which no thread wrote",
			     op_names[op], want, (long long)off, (long long)(off + i), buf[i]);
			return;
		}
	}
}

static void check_write(struct worker *w, enum op op, ssize_t r, int err,
			size_t want, off_t off)
{
	if (r < 0) {
		outcome(w, op, r, err);
		return;
	}
	if ((size_t)r != want) {
		w->c.n[op][OUT_SHORT]++;
		fail(w, "%s of %zu bytes at %lld wrote %zd", op_names[op], want,
		     (long long)off, r);
		return;
	}
	w->c.n[op][0]++;
}

/* Mostly small, sometimes up to MAX_IO bytes. */
static size_t io_size(struct worker *w)
{
	return rnd(w) % 4 ? rnd(w) % 8192 : rnd(w) % MAX_IO;
}

static off_t io_offset(struct worker *w, size_t n)
{
	off_t off = rnd(w) % SPAN;

	/* Often at a quantum's boundary, where chunks split. */
	if (rnd(w) % 4 == 0)
		off &= ~(off_t)((4096 << (rnd(w) % (MAX_ORDER_SET + 1))) - 1);
	return off + n > SPAN ? (off_t)(SPAN - n) : off;
}

static void fill(struct worker *w, size_t n)
{
	memset(w->buf, 'A' + rnd(w) % 8, n);
}

/*
 * Sometimes drop the buffer's pages, so that the copy faults: the driver
 * copies with page faults disabled, and on a fault drops the device's lock
 * to fault the pages in, which lets the other threads change the device
 * in the middle of the request.  A dropped page reads as zeros.
 */
static void unfault(struct worker *w, size_t n)
{
	if (n >= 4096 && rnd(w) % 4 == 0)
		madvise(w->buf, n & ~4095UL, MADV_DONTNEED);
}

static void op_pwrite(struct worker *w)
{
	size_t n = io_size(w);
	off_t off = io_offset(w, n);
	ssize_t r;

	fill(w, n);
	unfault(w, n);
	r = pwrite(w->fd, w->buf, n, off);
	check_write(w, OP_PWRITE, r, errno, n, off);
}

static void op_pread(struct worker *w)
{
	size_t n = io_size(w);
	off_t off = rnd(w) % (SPAN + MAX_IO);
	ssize_t r;

	memset(w->buf, 0xee, n);
	unfault(w, n);
	r = pread(w->fd, w->buf, n, off);
	check_read(w, OP_PREAD, r, errno, w->buf, n, off);
}

/* Up to three segments, one of them possibly empty. */
static int make_iov(struct worker *w, struct iovec *iov, size_t *total)
{
	int i, cnt = 1 + rnd(w) % 3;
	size_t at = 0, n;

	for (i = 0; i < cnt; i++) {
		n = io_size(w) / cnt;
		if (at + n > MAX_IO)
			n = MAX_IO - at;
		iov[i].iov_base = w->buf + at;
		iov[i].iov_len = n;
		at += n;
	}
	*total = at;
	return cnt;
}

static void op_pwritev(struct worker *w)
{
	struct iovec iov[3];
	size_t n;
	int cnt = make_iov(w, iov, &n);
	off_t off = io_offset(w, n);
	ssize_t r;

	fill(w, n);
	unfault(w, n);
	r = pwritev(w->fd, iov, cnt, off);
	check_write(w, OP_PWRITEV, r, errno, n, off);
}

static void op_preadv(struct worker *w)
{
	struct iovec iov[3];
	size_t n;
	int cnt = make_iov(w, iov, &n);
	off_t off = rnd(w) % (SPAN + MAX_IO);
	ssize_t r;

	memset(w->buf, 0xee, n);
	unfault(w, n);
	r = preadv(w->fd, iov, cnt, off);
	check_read(w, OP_PREADV, r, errno, w->buf, n, off);
}

static void op_open_trunc(struct worker *w)
{
	int fd = open(path, O_RDWR | O_TRUNC);

	outcome(w, OP_OPEN_TRUNC, fd, errno);
	if (fd < 0)
		return;
	close(w->fd);
	w->fd = fd;
}

static void op_reset(struct worker *w)
{
	int r = ioctl(w->fd, SCULL_IOC_RESET);

	outcome(w, OP_RESET, r, errno);
}

/* Half of the time right after a RESET: the change has a chance then. */
static void op_set(struct worker *w)
{
	static const __u32 qsets[] = { 1, 2, 7, 16, 500 };
	enum op op = rnd(w) & 1 ? OP_SET_ORDER : OP_SET_QSET;
	__u32 v = op == OP_SET_ORDER ? rnd(w) % (MAX_ORDER_SET + 1) : qsets[rnd(w) % 5];
	int r;

	if (rnd(w) & 1)
		op_reset(w);
	r = ioctl(w->fd, op == OP_SET_ORDER ? SCULL_IOC_SET_ORDER : SCULL_IOC_SET_QSET, &v);
	outcome(w, op, r, errno);
}

/*
 * The allocation flags this device takes (probed at the start, see
 * probe_gfp()): zones and actions whose allocations may sleep, so that
 * the writes must not fail.  tests/guest.sh's gfp_choices checks the
 * refusals themselves.
 */
static struct scull_gfp gfp_ok[16];
static int ngfp_ok;

static void op_set_gfp(struct worker *w)
{
	struct scull_gfp g = gfp_ok[rnd(w) % ngfp_ok];
	int r;

	if (rnd(w) & 1)
		op_reset(w);
	r = ioctl(w->fd, SCULL_IOC_SET_GFP, &g);
	outcome(w, OP_SET_GFP, r, errno);
}

/* The online nodes (/sys/devices/system/node/online; none: node 0). */
static int nodes_ok[64], nnodes_ok;

static void probe_nodes(void)
{
	char buf[256] = "", *s = buf, *end;
	FILE *f = fopen("/sys/devices/system/node/online", "r");
	long a, b;

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	for (;;) {
		a = strtol(s, &end, 10);
		if (end == s)
			break;
		b = *end == '-' ? strtol(end + 1, &end, 10) : a;
		for (; a <= b && nnodes_ok < (int)NR(nodes_ok); a++)
			nodes_ok[nnodes_ok++] = a;
		if (*end != ',')
			break;
		s = end + 1;
	}
	if (!nnodes_ok)
		nodes_ok[nnodes_ok++] = 0;
}

/*
 * SET_NODE while the others write: local, an online node, or now and then
 * one past the last online node, which must get EINVAL.
 */
static void op_set_node(struct worker *w)
{
	unsigned int pick = rnd(w) % (nnodes_ok + 2);
	__s32 node = pick < (unsigned int)nnodes_ok ? nodes_ok[pick] : SCULL_NODE_LOCAL;
	int r;

	if (pick == (unsigned int)nnodes_ok + 1) {
		node = nodes_ok[nnodes_ok - 1] + 1;
		r = ioctl(w->fd, SCULL_IOC_SET_NODE, &node);
		if (r != -1 || errno != EINVAL)
			fail(w, "SET_NODE %d (not online): %s, not EINVAL", node,
			     r ? strerror(errno) : "success");
		return;
	}
	r = ioctl(w->fd, SCULL_IOC_SET_NODE, &node);
	outcome(w, OP_SET_NODE, r, errno);
}

/*
 * Try each zone (not dma: ZONE_DMA's 16 MiB could run out, and a write
 * then fail) with each action that may sleep on the emptied device, and
 * keep those it takes; then put back what it had.  Refusals are EINVAL.
 */
static int probe_gfp(int fd, const struct scull_gfp *gfp0)
{
	static const __u32 zones[] = {
		SCULL_GFP_ZONE_NORMAL, SCULL_GFP_ZONE_DMA32, SCULL_GFP_ZONE_HIGHMEM,
	};
	static const __u32 acts[] = {
		SCULL_GFP_ACT_KERNEL, SCULL_GFP_ACT_NOIO, SCULL_GFP_ACT_NOFS,
	};
	unsigned int z, a;

	if (ioctl(fd, SCULL_IOC_RESET))
		return -1;
	for (z = 0; z < NR(zones); z++) {
		for (a = 0; a < NR(acts); a++) {
			struct scull_gfp g = { .zone = zones[z], .action = acts[a] };

			if (!ioctl(fd, SCULL_IOC_SET_GFP, &g))
				gfp_ok[ngfp_ok++] = g;
			else if (errno != EINVAL)
				return -1;
		}
	}
	return ngfp_ok && !ioctl(fd, SCULL_IOC_SET_GFP, gfp0) ? 0 : -1;
}

static void on_sigbus(int sig)
{
	if (bus_armed) {
		bus_armed = 0;
		siglongjmp(bus_jmp, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Map up to 64 pages somewhere in the span, and read or write 8 bytes of
 * them.  Past the end of data an access gets SIGBUS, a documented outcome.
 */
static void op_mmap(struct worker *w)
{
	size_t pages = 1 + rnd(w) % 64, len = pages * 4096;
	off_t off = (off_t)(rnd(w) % (SPAN / 4096 - pages)) * 4096;
	volatile unsigned char *p;
	volatile size_t at;
	volatile int k;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd, off);
	if (p == MAP_FAILED) {
		outcome(w, OP_MMAP, -1, errno);
		return;
	}
	outcome(w, OP_MMAP, 0, 0);
	for (k = 0; k < 8 && !stop; k++) {
		at = rnd(w) % len;
		if (sigsetjmp(bus_jmp, 1)) {
			w->c.n[OP_TOUCH][OUT_SIGBUS]++;
			continue;
		}
		bus_armed = 1;
		if (rnd(w) & 1) {
			unsigned char b = p[at];

			bus_armed = 0;
			if (!written(b)) {
				fail(w, "mapped byte at %lld is %#x, which no thread wrote",
				     (long long)(off + at), b);
				break;
			}
		} else {
			p[at] = 'A' + rnd(w) % 8;
			bus_armed = 0;
		}
		w->c.n[OP_TOUCH][0]++;
	}
	/*
	 * A read into the mapping, or a write from it: the copy faults on
	 * pages not yet mapped, and the fault takes the device's lock, which
	 * the driver must not hold then.
	 */
	if (!stop && rnd(w) % 2) {
		size_t n = 1 + rnd(w) % len;
		off_t from = io_offset(w, n);
		ssize_t r;

		at = rnd(w) % (len - n + 1);
		if (rnd(w) & 1)
			r = pread(w->fd, (void *)(p + at), n, from);
		else
			r = pwrite(w->fd, (void *)(p + at), n, from);
		/* Short: the end of data, or of the mapping's valid part. */
		if (r > (ssize_t)n)
			fail(w, "%s of %zu bytes returned %zd", op_names[OP_MAP_IO], n, r);
		else if (r >= 0 && r < (ssize_t)n)
			w->c.n[OP_MAP_IO][OUT_SHORT]++;
		else
			outcome(w, OP_MAP_IO, r, errno);
	}
	if (munmap((void *)p, len))
		fail(w, "munmap: %s", strerror(errno));
}

static void op_seek(struct worker *w)
{
	enum op op = rnd(w) & 1 ? OP_SEEK_DATA : OP_SEEK_HOLE;
	off_t off = rnd(w) % (SPAN + MAX_IO);
	off_t r = lseek(w->fd, off, op == OP_SEEK_DATA ? SEEK_DATA : SEEK_HOLE);

	outcome(w, op, r, errno);
	/* Data never reaches past the span: writes stay in it. */
	if (r >= 0 && (r < off || r > (off_t)SPAN))
		fail(w, "%s from %lld returned %lld", op_names[op], (long long)off,
		     (long long)r);
}

static void op_proc(struct worker *w)
{
	char *buf = malloc(PROC_BUF);
	size_t total = 0;
	ssize_t r = -1;
	int fd = open("/proc/scullmem", O_RDONLY);

	if (fd >= 0 && buf) {
		while ((r = read(fd, buf, PROC_BUF)) > 0)
			total += r;
	}
	outcome(w, OP_PROC, fd < 0 ? -1 : r, errno);
	if (fd >= 0 && r == 0 && !total)
		fail(w, "/proc/scullmem read empty");
	if (fd >= 0)
		close(fd);
	free(buf);
}

static void *worker(void *arg)
{
	struct worker *w = arg;

	w->fd = open(path, O_RDWR);
	if (w->fd < 0) {
		fail(w, "open %s: %s", path, strerror(errno));
		return NULL;
	}
	for (w->op = 0; w->op < nops && !stop; w->op++) {
		unsigned int pick = rnd(w) % 100;

		if (pick < 20)
			op_pwrite(w);
		else if (pick < 40)
			op_pread(w);
		else if (pick < 48)
			op_pwritev(w);
		else if (pick < 56)
			op_preadv(w);
		else if (pick < 59)
			op_open_trunc(w);
		else if (pick < 65)
			op_set(w);
		else if (pick < 68)
			op_reset(w);
		else if (pick < 71)
			op_set_gfp(w);
		else if (pick < 83)
			op_mmap(w);
		else if (pick < 95)
			op_seek(w);
		else if (pick < 97)
			op_set_node(w);
		else
			op_proc(w);
		if (!(w->op & 63) && elapsed() > max_secs)
			stop = 2;
	}
	close(w->fd);
	return NULL;
}

/*
 * The child: try to unload the module every 10 ms until told to stop.
 * Each attempt must be refused while the parent holds descriptors open.
 */
static void rmmod_child(struct counts *c, volatile int *done)
{
	struct worker w = { .id = -1 };
	long r;

	while (!*done) {
		r = syscall(SYS_delete_module, "scull", O_NONBLOCK);
		outcome(&w, OP_RMMOD, r, errno);
		if (stop)
			break;
		usleep(10000);
	}
	for (r = 0; r < NR_OUT; r++)
		c->n[OP_RMMOD][r] = w.c.n[OP_RMMOD][r];
	_exit(stop ? 1 : 0);
}

static void print_counts(const struct counts *c)
{
	char line[512];
	int op, o, len;

	for (op = 0; op < NR_OPS; op++) {
		len = 0;
		for (o = 0; o < NR_OUT; o++) {
			if (!c->n[op][o])
				continue;
			len += snprintf(line + len, sizeof(line) - len, "%s %s %lu",
					len ? "," : "", o == 0 ? "ok" : o == OUT_SHORT ? "short" :
					o == OUT_SIGBUS ? "SIGBUS" : errname(o), c->n[op][o]);
		}
		printf("# stress: %s: %s:%s\n", name, op_names[op], len ? line : " none");
	}
}

/* Single-threaded: put the geometry back, then a write must read back. */
static int final_check(const struct scull_geometry *g0, const struct scull_gfp *gfp0)
{
	struct scull_geometry g;
	size_t q = g0->quantum, len = 3 * q + 123, i;
	off_t off = q + q / 2;	/* a hole first, then partial quanta */
	unsigned char *want = malloc(len), *got = malloc(off + len + 4096);
	int fd = open(path, O_RDWR), rc = 1;
	__s32 local = SCULL_NODE_LOCAL;
	__u32 v;
	ssize_t r;

	if (fd < 0 || !want || !got) {
		fail(NULL, "final check: open %s: %s", path, strerror(errno));
		goto out;
	}
	v = g0->order;
	if (ioctl(fd, SCULL_IOC_RESET) || ioctl(fd, SCULL_IOC_SET_ORDER, &v)) {
		fail(NULL, "final check: RESET or SET_ORDER %u: %s", v, strerror(errno));
		goto out;
	}
	v = g0->qset;
	if (ioctl(fd, SCULL_IOC_SET_QSET, &v) || ioctl(fd, SCULL_IOC_SET_GFP, gfp0) ||
	    ioctl(fd, SCULL_IOC_SET_NODE, &local)) {
		fail(NULL, "final check: SET_QSET %u, SET_GFP or SET_NODE local: %s", v,
		     strerror(errno));
		goto out;
	}
	srand(len);
	for (i = 0; i < len; i++)
		want[i] = 'A' + rand() % 8;
	r = pwrite(fd, want, len, off);
	if (r != (ssize_t)len) {
		fail(NULL, "final check: pwrite of %zu returned %zd (%s)", len, r, strerror(errno));
		goto out;
	}
	r = pread(fd, got, off + len + 4096, 0);
	if (r != (ssize_t)(off + len)) {
		fail(NULL, "final check: pread returned %zd, %lld expected", r,
		     (long long)(off + len));
		goto out;
	}
	for (i = 0; i < (size_t)off; i++) {
		if (got[i]) {
			fail(NULL, "final check: byte %zu of the hole is %#x", i, got[i]);
			goto out;
		}
	}
	if (memcmp(got + off, want, len)) {
		fail(NULL, "final check: the data read back differs from the data written");
		goto out;
	}
	if (ioctl(fd, SCULL_IOC_GET_GEOMETRY, &g) || g.size != (__u64)(off + len) ||
	    g.order != g0->order || g.qset != g0->qset) {
		fail(NULL, "final check: geometry order %u qset %u size %llu", g.order, g.qset,
		     (unsigned long long)g.size);
		goto out;
	}
	printf("# stress: %s: single-threaded at the end: %zu bytes written at %lld read back intact, order %u qset %u restored\n",
	       name, len, (long long)off, g.order, g.qset);
	rc = ioctl(fd, SCULL_IOC_RESET) ? 1 : 0;
out:
	if (fd >= 0)
		close(fd);
	free(want);
	free(got);
	return rc;
}

int main(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	struct worker *ws;
	struct counts *total, *shared;
	struct scull_geometry g0;
	struct scull_gfp gfp0;
	struct sigaction sa = { .sa_handler = on_sigbus };
	volatile int *done;
	unsigned long all = 0;
	int i, op, o, fd, st, rc = 0;
	double secs;
	pid_t child;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--ops"))
			nops = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--threads"))
			nthreads = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--time"))
			max_secs = strtoul(argv[i + 1], NULL, 0);
		else
			break;
	}
	if (i != argc - 1 || nthreads < 1 || nthreads > MAX_THREADS) {
		fprintf(stderr, "usage: stress [--seed S] [--threads 1..%d] [--ops N] [--time SEC] DEVICE\n",
			MAX_THREADS);
		return 2;
	}
	name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
	snprintf(path, sizeof(path), "/dev/%s", name);
	/* scullc's quanta are never mapped; scullk's only at some orders. */
	allowed[OP_MMAP] = A(0);
	if (!strcmp(name, "scullc"))
		allowed[OP_MMAP] = A(ENODEV);
	else if (!strcmp(name, "scullk"))
		allowed[OP_MMAP] = kmalloc_mappable(MAX_ORDER_SET) ? A(0) | A(ENODEV) : A(ENODEV);

	printf("# stress: %s: seed %" PRIu64 ", %d threads x %lu operations (replay: stress --seed %" PRIu64
	       " --threads %d --ops %lu %s)\n", name, seed, nthreads, nops, seed, nthreads, nops,
	       name);
	fflush(stdout);

	/* Held open throughout: the module must stay. */
	fd = open(path, O_RDWR);
	if (fd < 0 || ioctl(fd, SCULL_IOC_GET_GEOMETRY, &g0) ||
	    ioctl(fd, SCULL_IOC_GET_GFP, &gfp0)) {
		printf("# stress: %s: FAIL: open or GET_GEOMETRY or GET_GFP: %s\n", name,
		       strerror(errno));
		return 1;
	}
	if (probe_gfp(fd, &gfp0)) {
		printf("# stress: %s: FAIL: probing the allocation flags it takes: %s\n", name,
		       strerror(errno));
		return 1;
	}
	probe_nodes();
	printf("# stress: %s: SET_NODE among local and %d online nodes\n", name, nnodes_ok);
	printf("# stress: %s: SET_GFP among the %d choices of zone (normal, dma32, highmem) and action (kernel, noio, nofs) it takes\n",
	       name, ngfp_ok);
	sigaction(SIGBUS, &sa, NULL);

	shared = mmap(NULL, sizeof(*shared) + sizeof(int), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return 1;
	memset(shared, 0, sizeof(*shared) + sizeof(int));
	done = (volatile int *)(shared + 1);
	child = fork();
	if (child < 0) {
		perror("stress: fork");
		return 1;
	}
	if (!child)
		rmmod_child(shared, done);

	ws = calloc(nthreads, sizeof(*ws));
	total = calloc(1, sizeof(*total));
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	for (i = 0; i < nthreads; i++) {
		ws[i].id = i;
		ws[i].rng = seed * MAX_THREADS + i + 1;
		/* Page-aligned, for MADV_DONTNEED. */
		ws[i].buf = mmap(NULL, MAX_IO, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ws[i].buf == MAP_FAILED) {
			fail(NULL, "mmap of a buffer: %s", strerror(errno));
			nthreads = i;
			break;
		}
		if (pthread_create(&ws[i].tid, NULL, worker, &ws[i])) {
			fail(NULL, "pthread_create failed");
			nthreads = i;
			break;
		}
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(ws[i].tid, NULL);
		all += ws[i].op;
		for (op = 0; op < NR_OPS; op++)
			for (o = 0; o < NR_OUT; o++)
				total->n[op][o] += ws[i].c.n[op][o];
	}
	secs = elapsed();
	*done = 1;
	if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fail(NULL, "the delete_module child failed (status %#x): an attempt was not refused",
		     st);
	}
	memcpy(total->n[OP_RMMOD], shared->n[OP_RMMOD], sizeof(total->n[OP_RMMOD]));
	print_counts(total);
	printf("# stress: %s: %lu operations in %.1f s: %.0f ops/s%s\n", name, all, secs,
	       all / (secs > 0 ? secs : 1), stop == 2 ? " (stopped by the time bound)" : "");
	if (!total->n[OP_RMMOD][EBUSY] && !total->n[OP_RMMOD][EWOULDBLOCK])
		fail(NULL, "no delete_module attempt was made");
	/* The time bound ends a run that hangs; a run it cut short tested little. */
	if (stop == 2 && all < (unsigned long)nthreads * nops / 2)
		fail(NULL, "the time bound (%u s) stopped it after %lu of %lu operations",
		     max_secs, all, (unsigned long)nthreads * nops);
	if (!nfails)
		rc = final_check(&g0, &gfp0);
	close(fd);
	if (nfails)
		rc = 1;
	printf("# stress: %s: %s\n", name, rc ? "FAILED" : "every result was a documented one");
	return rc;
}
