// SPDX-License-Identifier: GPL-2.0
/*
 * sparsemap - print a file's data extents as found by SEEK_DATA/SEEK_HOLE,
 * one "start end" line each, then "size N".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	off_t size, data, hole = 0;
	int fd;

	if (argc != 2 || (fd = open(argv[1], O_RDONLY)) < 0)
		return 2;
	size = lseek(fd, 0, SEEK_END);
	for (;;) {
		data = lseek(fd, hole, SEEK_DATA);
		if (data < 0)
			break;
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0)
			return 1;
		printf("%lld %lld\n", (long long)data, (long long)hole);
	}
	if (errno != ENXIO)
		return 1;
	printf("size %lld\n", (long long)size);
	return 0;
}
