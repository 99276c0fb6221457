// SPDX-License-Identifier: GPL-2.0
/*
 * fragment - fragment physical memory and keep it fragmented.
 *
 *   fragment [MiB to leave, default 4]
 *
 * Populates anonymous memory, locked with mlock(), until the free memory
 * that user pages may still take is down to the given amount (it never
 * takes a zone below its high watermark plus its lowmem protection, so
 * there is no OOM), then unmaps every other page of it.  The freed pages
 * are order-0 holes between locked pages, so the buddy allocator has few
 * or no free blocks of order >= 1.  Locked pages are not migrated by
 * compaction while /proc/sys/vm/compact_unevictable_allowed is 0 (the
 * caller sets it), so the fragmentation lasts as long as this process:
 * it prints its figures and "ready" and sleeps until killed.  What is left
 * free and unfragmented is about the high watermark, so the caller lowers
 * /proc/sys/vm/min_free_kbytes for the duration.  Every unmapped page
 * splits a mapping, so the caller raises /proc/sys/vm/max_map_count.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB (1UL << 20)

static unsigned long meminfo_kb(const char *key)
{
	char line[256];
	unsigned long kb = 0;
	size_t len = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, len) && line[len] == ':') {
			kb = strtoul(line + len + 1, NULL, 10);
			break;
		}
	}
	if (f)
		fclose(f);
	return kb;
}

/*
 * Free memory (kB) that user pages should not take: per zone, its high
 * watermark plus what lowmem protection keeps for allocations that may
 * not use higher zones (ZONE_DMA's protection), at most its free pages.
 */
static unsigned long reserved_kb(void)
{
	unsigned long free = 0, high = 0, prot, maxprot = 0, total = 0;
	char line[512], *p;
	FILE *f = fopen("/proc/zoneinfo", "r");
	int in_zone = 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Node ", 5)) {
			if (in_zone)
				total += free < high + maxprot ? free : high + maxprot;
			in_zone = 1;
			free = high = maxprot = 0;
		} else if (sscanf(line, "  pages free %lu", &free) == 1) {
			continue;
		} else if (sscanf(line, " high %lu", &high) == 1) {
			continue;
		} else if ((p = strstr(line, "protection: ("))) {
			for (p += 13; *p && *p != ')'; p++) {
				prot = strtoul(p, &p, 10);
				if (prot > maxprot)
					maxprot = prot;
				if (*p == ')')
					break;
			}
		}
	}
	if (in_zone)
		total += free < high + maxprot ? free : high + maxprot;
	if (f)
		fclose(f);
	return total * (sysconf(_SC_PAGESIZE) / 1024);
}

struct chunk {
	char *addr;
	size_t len;
};

int main(int argc, char **argv)
{
	unsigned long leave_kb = (argc > 1 ? strtoul(argv[1], NULL, 0) : 4) * 1024;
	unsigned long reserve_kb = reserved_kb(), target_kb = reserve_kb + leave_kb;
	long page = sysconf(_SC_PAGESIZE);
	static struct chunk chunks[1 << 16];
	size_t n = 0, i, off, locked = 0, freed = 0, fails = 0;
	unsigned long before = meminfo_kb("MemFree");

	for (;;) {
		unsigned long free_kb = meminfo_kb("MemFree");
		size_t len = 16 * MIB;
		char *p;

		if (free_kb <= target_kb + 1024 || n == sizeof(chunks) / sizeof(chunks[0]))
			break;
		if ((free_kb - target_kb) * 1024 < len * 2)
			len = MIB;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			break;
		madvise(p, len, MADV_NOHUGEPAGE);	/* 4 KiB pages only */
		if (mlock(p, len)) {
			perror("fragment: mlock");
			munmap(p, len);
			break;
		}
		memset(p, 0x3c, len);
		chunks[n].addr = p;
		chunks[n++].len = len;
		locked += len;
	}
	/* Every other page back to the allocator. */
	for (i = 0; i < n; i++) {
		for (off = page; off < chunks[i].len; off += 2 * page) {
			if (munmap(chunks[i].addr + off, page)) {
				if (!fails++)
					fprintf(stderr, "fragment: munmap: %s\n", strerror(errno));
				continue;
			}
			freed += page;
		}
	}
	printf("fragment memfree_before_kb %lu reserved_kb %lu locked_kb %zu freed_kb %zu held_kb %zu munmap_failures %zu memfree_after_kb %lu\n",
	       before, reserve_kb, locked / 1024, freed / 1024, (locked - freed) / 1024,
	       fails, meminfo_kb("MemFree"));
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
