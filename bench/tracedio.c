// SPDX-License-Identifier: GPL-2.0
/*
 * tracedio - 1 MiB read()s or write()s with tracing switched on around
 * them only.
 *
 *   tracedio read|write FILE MIB
 *
 * The buffer is touched and one call made before tracing starts, so that
 * neither page faults on the buffer nor the first call's setup land in the
 * trace.  write truncates FILE first (O_TRUNC), so the traced writes
 * allocate.  Tracing is switched by /sys/kernel/tracing/tracing_on.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB (1UL << 20)

static void tracing(const char *on)
{
	int fd = open("/sys/kernel/tracing/tracing_on", O_WRONLY);

	if (fd < 0 || write(fd, on, 1) != 1) {
		perror("tracedio: tracing_on");
		exit(1);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	int wr, fd;
	unsigned long mib, i;
	char *buf = malloc(MIB);

	if (argc != 4 || !buf) {
		fprintf(stderr, "usage: tracedio read|write FILE MIB\n");
		return 2;
	}
	wr = !strcmp(argv[1], "write");
	mib = strtoul(argv[3], NULL, 0);
	fd = open(argv[2], wr ? O_WRONLY | O_TRUNC | O_CREAT : O_RDONLY, 0600);
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	memset(buf, 0x5c, MIB);
	for (i = 0; i <= mib; i++) {
		ssize_t n = wr ? write(fd, buf, MIB) : read(fd, buf, MIB);

		if (n != (ssize_t)MIB) {
			perror("tracedio: short read or write");
			break;
		}
		if (i == 0)
			tracing("1");
	}
	tracing("0");
	close(fd);
	return i > mib ? 0 : 1;
}
