// SPDX-License-Identifier: GPL-2.0
/*
 * holes - leave one-page holes in the kernel's own memory, as a kernel that
 * has run for a while has them.
 *
 *   holes [MiB, default 64]
 *
 * Fills MiB pipes of 1 MiB each, one page at a time and round robin, so
 * that pages the kernel hands out one after the other (side by side in
 * physical memory on a freshly booted machine) go to different pipes;
 * then closes every other pipe.  Pipe buffers are pages the kernel
 * allocates for itself, one at a time, unmovable as vmalloc's are, so
 * what is left is about MiB / 2 of free single pages, each between two
 * held ones: the kernel's next one-page allocations take those first.
 * Prints its figures and "ready", and holds the other pipes until its
 * standard input ends (or it is killed).  make demo runs it
 * (scripts/demo-guest.sh) before it writes scullv.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PIPE_BYTES (1 << 20)

int main(int argc, char **argv)
{
	unsigned long mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 64;
	long page = sysconf(_SC_PAGESIZE);
	unsigned long i, n, pages, held = 0, freed = 0;
	int (*fds)[2];
	char *buf, c;

	if (mib < 2 || mib > 512) {
		fprintf(stderr, "holes: MiB must be 2..512, not %lu\n", mib);
		return 2;
	}
	n = mib;
	pages = PIPE_BYTES / page;
	fds = calloc(n, sizeof(*fds));
	buf = malloc(page);
	if (!fds || !buf) {
		perror("holes");
		return 1;
	}
	memset(buf, 0x5a, page);
	for (i = 0; i < n; i++) {
		if (pipe(fds[i]) || fcntl(fds[i][1], F_SETPIPE_SZ, PIPE_BYTES) < PIPE_BYTES) {
			fprintf(stderr, "holes: pipe %lu of %lu MiB: %s\n", i, n, strerror(errno));
			return 1;
		}
	}
	/* Page k of every pipe, then page k + 1 of every pipe. */
	for (unsigned long k = 0; k < pages; k++) {
		for (i = 0; i < n; i++) {
			if (write(fds[i][1], buf, page) != page) {
				fprintf(stderr, "holes: write: %s\n", strerror(errno));
				return 1;
			}
		}
	}
	for (i = 0; i < n; i++) {
		if (i % 2) {
			close(fds[i][0]);
			close(fds[i][1]);
			freed += pages;
		} else {
			held += pages;
		}
	}
	printf("holes: %lu pipe pages held, %lu freed between them (%lu KiB)\n",
	       held, freed, freed * page / 1024);
	printf("ready\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
