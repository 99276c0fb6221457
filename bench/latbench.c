// SPDX-License-Identifier: GPL-2.0
/*
 * latbench - make each scull device allocate quanta of orders 0..N, with
 * memory as it is or fragmented, for the scull_quantum_alloc tracepoint.
 *
 *   latbench [-f FRAGMENTER] [-l LEAVE_MIB] COUNT MAX_ORDER DEVICE...
 *
 * For each order: open each DEVICE (/dev/scullp, ...) with
 * O_TRUNC, SCULL_IOC_SET_ORDER, then COUNT writes of one whole quantum to
 * each, at successive quantum offsets, the devices taking turns.  A write
 * that fails with ENOMEM (the allocator said no) is counted, and the next
 * offset is tried, so each write is exactly one allocation attempt.  Then
 * SCULL_IOC_RESET.
 *
 * With -f, the fragmenter program is started first (as "FRAGMENTER
 * LEAVE_MIB"), and the attempts are made once it reports "ready" on its
 * standard output; it is killed at the end.  While memory is fragmented
 * this program does nothing that could need a high-order allocation of
 * its own: it is meant to be a static binary on tmpfs, it locks its pages,
 * does no file I/O but on the devices, and keeps its report in memory
 * until the fragmenter is gone.  The caller reads the trace afterwards.
 *
 * Output, one line per device and order:
 *   latbench DEV order O quantum Q attempts N failures F seconds S
 * and the fragmenter's report and /proc/buddyinfo before/after.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../scull_ioctl.h"
#include "bench.h"

/* Order 10, the largest of x86_64, with 4 KiB pages. */
#define QUANTUM_MAX	(4096UL << 10)

#define MAXDEVS	8
static char *devs[MAXDEVS];
static int ndevs;

static char report[1 << 16];
static size_t used;

static void say(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(report + used, sizeof(report) - used, fmt, ap);
	va_end(ap);
	if (n > 0)
		used = used + n < sizeof(report) ? used + n : sizeof(report) - 1;
}

/* "scullp" of "/dev/scullp". */
static const char *base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Copy /proc/buddyinfo into the report, lines prefixed. */
static void buddyinfo(const char *when)
{
	char buf[4096], *line, *save;
	int fd = open("/proc/buddyinfo", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		say("buddyinfo %s %s\n", when, line);
}

/*
 * One order: all the devices at once, attempt i on each device in turn,
 * starting with a different device each time, so that no allocator always
 * comes first and reaps what another one's reclaim or compaction freed.
 */
static void attempt(unsigned int order, unsigned long count, char *buf)
{
	struct scull_geometry g[MAXDEVS];
	unsigned long i, fails[MAXDEVS] = { 0 }, done[MAXDEVS] = { 0 };
	double t, secs[MAXDEVS] = { 0 };
	int fd[MAXDEVS], j, d, bad[MAXDEVS] = { 0 };

	for (d = 0; d < ndevs; d++) {
		fd[d] = open(devs[d], O_RDWR | O_TRUNC);
		if (fd[d] < 0 || ioctl(fd[d], SCULL_IOC_SET_ORDER, &order) ||
		    ioctl(fd[d], SCULL_IOC_GET_GEOMETRY, &g[d])) {
			say("latbench %s order %u error %s\n", base(devs[d]), order, strerror(errno));
			bad[d] = 1;
		}
	}
	for (i = 0; i < count; i++) {
		for (j = 0; j < ndevs; j++) {
			ssize_t n;

			d = (i + j) % ndevs;
			if (bad[d])
				continue;
			t = now();
			n = pwrite(fd[d], buf, g[d].quantum, i * g[d].quantum);
			secs[d] += now() - t;
			done[d]++;
			if (n < 0 && (errno == ENOMEM || errno == ENOSPC)) {
				fails[d]++;
			} else if (n != (ssize_t)g[d].quantum) {
				say("latbench %s order %u error write %lu: %s\n", base(devs[d]),
				    order, i, n < 0 ? strerror(errno) : "short");
				bad[d] = 1;
			}
		}
	}
	for (d = 0; d < ndevs; d++) {
		if (fd[d] < 0)
			continue;
		if (!bad[d])
			say("latbench %s order %u quantum %llu attempts %lu failures %lu seconds %.3f\n",
			    base(devs[d]), order, (unsigned long long)g[d].quantum, done[d],
			    fails[d], secs[d]);
		ioctl(fd[d], SCULL_IOC_RESET);
		close(fd[d]);
	}
}

int main(int argc, char **argv)
{
	const char *frag = NULL, *leave = "32";
	unsigned long count;
	unsigned int order, max_order;
	pid_t child = -1;
	char *buf;
	int opt;

	while ((opt = getopt(argc, argv, "f:l:")) != -1) {
		if (opt == 'f')
			frag = optarg;
		else if (opt == 'l')
			leave = optarg;
		else
			return 2;
	}
	if (argc - optind < 3 || argc - optind > 2 + MAXDEVS) {
		fprintf(stderr, "usage: latbench [-f FRAGMENTER] [-l LEAVE_MIB] COUNT MAX_ORDER DEVICE...\n");
		return 2;
	}
	count = strtoul(argv[optind], NULL, 0);
	max_order = strtoul(argv[optind + 1], NULL, 0);
	if (max_order > 10)
		return 2;
	for (ndevs = 0; optind + 2 + ndevs < argc; ndevs++)
		devs[ndevs] = argv[optind + 2 + ndevs];
	buf = malloc(QUANTUM_MAX);
	if (!buf)
		return 1;
	memset(buf, 0x6b, QUANTUM_MAX);
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		perror("latbench: mlockall");

	buddyinfo("before");
	if (frag) {
		int pfd[2];
		char line[512];
		bool ready = false;
		FILE *f;

		if (pipe(pfd))
			return 1;
		child = fork();
		if (child < 0)
			return 1;
		if (!child) {
			dup2(pfd[1], 1);
			close(pfd[0]);
			close(pfd[1]);
			execl(frag, frag, leave, (char *)NULL);
			_exit(127);
		}
		close(pfd[1]);
		f = fdopen(pfd[0], "r");
		while (f && fgets(line, sizeof(line), f)) {
			ready = !strcmp(line, "ready\n");
			if (ready)
				break;
			say("%s", line);
		}
		if (!ready) {
			/* No figure of fragmented memory without fragmentation. */
			fprintf(stderr, "latbench: %s ended without saying ready\n", frag);
			kill(child, SIGKILL);
			waitpid(child, NULL, 0);
			return 1;
		}
		buddyinfo("fragmented");
	}
	for (order = 0; order <= max_order; order++)
		attempt(order, count, buf);
	if (child > 0) {
		buddyinfo("end");
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		buddyinfo("after");
	}
	fwrite(report, 1, used, stdout);
	return 0;
}
