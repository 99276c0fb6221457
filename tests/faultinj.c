// SPDX-License-Identifier: GPL-2.0
/*
 * faultinj - writes to a scull device while its allocations fail on purpose.
 *
 *   faultinj /dev/scullX ITERATIONS SEED
 *
 * After the dense writes, as many again land one per quantum in 64
 * windows spread SCULL_STRIDE quanta apart, so that new qset arrays and
 * xarray index nodes are needed (and fail) too.
 *
 * failslab and fail_page_alloc must be set up with task-filter=Y (see
 * tests/debug-guest.sh); this program turns /proc/self/make-it-fail on
 * around each write only, with its own memory locked, so that only the
 * driver's allocations for that write can fail.  Every write must store
 * all of its bytes, a prefix (short count), or nothing (ENOMEM); the data
 * stored before stays intact, checked against a model; the device stays
 * usable.  /proc/scullmem is opened and read under failure too: a clean
 * ENOMEM or the full text.  Prints the outcome counts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int failfd;

static void make_it_fail(int on)
{
	if (pwrite(failfd, on ? "1" : "0", 1, 0) != 1) {
		perror("make-it-fail");
		exit(2);
	}
}

static char procbuf[1 << 20];

/* Open and read /proc/scullmem under failure: all of it, or a clean ENOMEM. */
static int proc_under_failure(unsigned long *enomem)
{
	ssize_t n;
	int fd;

	make_it_fail(1);
	fd = open("/proc/scullmem", O_RDONLY);
	if (fd < 0) {
		make_it_fail(0);
		if (errno != ENOMEM)
			return -1;
		++*enomem;
		return 0;
	}
	do
		n = read(fd, procbuf, sizeof(procbuf));
	while (n > 0);
	make_it_fail(0);
	close(fd);
	if (n < 0 && errno != ENOMEM)
		return -1;
	if (n < 0)
		++*enomem;
	return 0;
}

#define SCULL_STRIDE	1025UL	/* quanta between windows: a new xarray node each */
#define NWIN		64

/* Writes within one quantum of one of NWIN far-apart windows, past the dense span. */
static int sparse_writes(int fd, size_t quantum, unsigned long iters,
			 unsigned char *buf, unsigned char *back, unsigned long *full,
			 unsigned long *partial, unsigned long *enomem)
{
	unsigned char *model = calloc(NWIN, quantum);
	unsigned long i;
	unsigned int w;

	if (!model)
		return 1;
	for (i = 0; i < iters; i++) {
		size_t off = rnd() % quantum, len = 1 + rnd() % (quantum - off), k;
		off_t at;
		ssize_t r;

		w = rnd() % NWIN;
		at = (off_t)((w + 1) * SCULL_STRIDE) * quantum + off;
		for (k = 0; k < len; k++)
			buf[k] = rnd();
		make_it_fail(1);
		r = pwrite(fd, buf, len, at);
		make_it_fail(0);
		if (r == (ssize_t)len) {
			++*full;
		} else if (r >= 0) {
			++*partial;	/* one quantum: only 0 bytes is short */
		} else if (errno == ENOMEM) {
			++*enomem;
			r = 0;
		} else {
			fprintf(stderr, "faultinj: sparse write at %lld: errno %d\n",
				(long long)at, errno);
			return 1;
		}
		memcpy(model + w * quantum + off, buf, r);
	}
	for (w = 0; w < NWIN; w++) {
		ssize_t n = pread(fd, back, quantum, (off_t)((w + 1) * SCULL_STRIDE) * quantum);

		if (n < 0 || memcmp(back, model + w * quantum, n)) {
			fprintf(stderr, "faultinj: window %u differs\n", w);
			return 1;
		}
	}
	free(model);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long full = 0, partial = 0, enomem = 0, proc_enomem = 0, i, iters;
	size_t quantum, span, k;
	unsigned char *model, *buf, *back;
	char path[128];
	int fd;

	if (argc != 4)
		return 2;
	iters = strtoul(argv[2], NULL, 0);
	rng = strtoull(argv[3], NULL, 0) | 1;
	snprintf(path, sizeof(path), "/sys/class/scullmem/%s/quantum", argv[1] + 5);
	{
		FILE *f = fopen(path, "r");

		if (!f || fscanf(f, "%zu", &quantum) != 1)
			return 2;
		fclose(f);
	}
	span = 64 * quantum;
	model = calloc(1, span);
	buf = malloc(4 * quantum);
	back = malloc(span);
	failfd = open("/proc/self/make-it-fail", O_WRONLY);
	fd = open(argv[1], O_RDWR | O_TRUNC);
	if (!model || !buf || !back || failfd < 0 || fd < 0) {
		perror("faultinj: setup");
		return 2;
	}
	/* No page fault of ours may need an allocation while failing. */
	if (mlockall(MCL_CURRENT | MCL_FUTURE)) {
		perror("mlockall");
		return 2;
	}
	memset(buf, 0, 4 * quantum);
	memset(back, 0, span);
	memset(procbuf, 0, sizeof(procbuf));

	for (i = 0; i < iters; i++) {
		size_t off = rnd() % span, len = 1 + rnd() % (3 * quantum);
		ssize_t r;

		if (off + len > span)
			len = span - off;
		for (k = 0; k < len; k++)
			buf[k] = rnd();
		make_it_fail(1);
		r = pwrite(fd, buf, len, off);
		make_it_fail(0);
		if (r == (ssize_t)len) {
			full++;
		} else if (r > 0 && r < (ssize_t)len) {
			partial++;
		} else if (r < 0 && errno == ENOMEM) {
			enomem++;
			r = 0;
		} else {
			fprintf(stderr, "faultinj: %s: write %zu at %zu returned %zd (errno %d)\n",
				argv[1], len, off, r, r < 0 ? errno : 0);
			return 1;
		}
		memcpy(model + off, buf, r);
		if (i % 50 == 49 || i + 1 == iters) {
			ssize_t n = pread(fd, back, span, 0);

			if (n < 0 || memcmp(back, model, n) || (size_t)n > span) {
				fprintf(stderr, "faultinj: %s: data differ after %lu writes\n",
					argv[1], i + 1);
				return 1;
			}
		}
		if (i % 25 == 0 && proc_under_failure(&proc_enomem)) {
			fprintf(stderr, "faultinj: /proc/scullmem failed uncleanly: %s\n",
				strerror(errno));
			return 1;
		}
	}
	if (sparse_writes(fd, quantum, iters, buf, back, &full, &partial, &enomem))
		return 1;
	/* Usable afterwards: a write and a read with no failure injected. */
	if (pwrite(fd, buf, quantum, 0) != (ssize_t)quantum ||
	    pread(fd, back, quantum, 0) != (ssize_t)quantum || memcmp(buf, back, quantum)) {
		fprintf(stderr, "faultinj: %s: unusable after the run\n", argv[1]);
		return 1;
	}
	printf("# faultinj %s: %lu writes: %lu whole, %lu short, %lu ENOMEM; /proc ENOMEM %lu\n",
	       argv[1], iters, full, partial, enomem, proc_enomem);
	close(fd);
	return 0;
}
