// SPDX-License-Identifier: GPL-2.0
/*
 * seekread - does reading far into a device cost more than at its start?
 *
 *   seekread DEVICE [MiB to fill, default 1024] [repetitions, default 200]
 *
 * Truncates the device and fills it with MiB MiB (1 MiB writes), then reads
 * 1 MiB at offset 0 and 1 MiB ending at the end of the data, alternately,
 * the given number of times each, and prints the median times:
 * "seekread fill_mib M fill_s S start_us A end_us B ratio B/A".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static double timed_read(int fd, char *buf, off_t off)
{
	double t = now();

	if (pread(fd, buf, MIB, off) != (ssize_t)MIB) {
		perror("seekread: pread");
		exit(1);
	}
	return now() - t;
}

int main(int argc, char **argv)
{
	unsigned long mib = argc > 2 ? strtoul(argv[2], NULL, 0) : 1024, i;
	int reps = argc > 3 ? atoi(argv[3]) : 200;
	double *start = calloc(reps, sizeof(double)), *end = calloc(reps, sizeof(double));
	char *buf = malloc(MIB);
	off_t last = (off_t)(mib - 1) * MIB;
	double t, a, b;
	int fd, r;

	if (argc < 2 || !start || !end || !buf || reps < 1 || mib < 2)
		return 2;
	fd = open(argv[1], O_RDWR | O_TRUNC);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	memset(buf, 0x42, MIB);
	t = now();
	for (i = 0; i < mib; i++) {
		if (pwrite(fd, buf, MIB, (off_t)i * MIB) != (ssize_t)MIB) {
			perror("seekread: fill");
			return 1;
		}
	}
	t = now() - t;
	timed_read(fd, buf, 0);		/* warm up */
	timed_read(fd, buf, last);
	for (r = 0; r < reps; r++) {
		start[r] = timed_read(fd, buf, 0);
		end[r] = timed_read(fd, buf, last);
	}
	a = median(start, reps) * 1e6;
	b = median(end, reps) * 1e6;
	printf("seekread fill_mib %lu fill_s %.3f start_us %.1f end_us %.1f ratio %.3f\n",
	       mib, t, a, b, b / a);
	close(fd);	/* the data stays for the metadata figure */
	return 0;
}
