// SPDX-License-Identifier: GPL-2.0
/*
 * memcpy_bw - user-space memcpy bandwidth, the physical limit of a read().
 *
 *   memcpy_bw [MiB of source, default 256] [passes, default 5]
 *
 * Two patterns, each timed over whole passes, median reported in MB/s
 * (10^6 bytes/s):
 *   block: 1 MiB blocks from a large source into one 1 MiB buffer, which is
 *          what a sequential 1 MiB read() does (source cold, target reused);
 *   large: the whole source into a destination as large.
 * Output: "memcpy block_mbps N" and "memcpy large_mbps N".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 256;
	int passes = argc > 2 ? atoi(argv[2]) : 5, p;
	size_t size = mib * MIB, off;
	char *src = malloc(size), *dst = malloc(size), *blk = malloc(MIB);
	double t, block[64], large[64];
	volatile char sink = 0;

	if (!src || !dst || !blk || passes < 1 || passes > 64) {
		fprintf(stderr, "memcpy_bw: cannot allocate 2 x %zu MiB\n", mib);
		return 1;
	}
	memset(src, 0x5a, size);
	memset(dst, 0, size);
	memset(blk, 0, MIB);
	for (p = 0; p < passes; p++) {
		t = now();
		for (off = 0; off < size; off += MIB) {
			memcpy(blk, src + off, MIB);
			sink += blk[off / MIB % MIB];
		}
		block[p] = size / (now() - t) / 1e6;
		t = now();
		memcpy(dst, src, size);
		sink += dst[p];
		large[p] = size / (now() - t) / 1e6;
	}
	printf("memcpy block_mbps %.1f\n", median(block, passes));
	printf("memcpy large_mbps %.1f\n", median(large, passes));
	return sink == 1;	/* keep the copies */
}
