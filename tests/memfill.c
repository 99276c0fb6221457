// SPDX-License-Identifier: GPL-2.0
/*
 * memfill - dirty most of free memory with a pattern, then exit.
 *
 * The pages go back to the page allocator full of 0xA5 (or of the kernel's
 * free-page poison), so a driver that hands out memory without zeroing it
 * shows non-zero bytes afterwards.  Usage: memfill [percent of MemAvailable]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long mem_available_kb(void)
{
	char line[256];
	unsigned long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	unsigned long pct = argc > 1 ? strtoul(argv[1], NULL, 0) : 70;
	size_t n = mem_available_kb() * 1024 / 100 * pct;
	char *p = malloc(n);

	if (!p) {
		perror("memfill: malloc");
		return 1;
	}
	memset(p, 0xA5, n);
	printf("# memfill: dirtied %zu MiB with 0xA5\n", n >> 20);
	return 0;
}
