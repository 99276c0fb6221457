// SPDX-License-Identifier: GPL-2.0
/*
 * faultinj - writes to a scull device while its allocations fail on purpose.
 *
 *   faultinj [-n] /dev/scullX ITERATIONS SEED
 *
 * After the dense writes, as many again land one per quantum in NWIN
 * windows spread SCULL_STRIDE quanta apart, each in a new window first,
 * so that new qset arrays and xarray index nodes are needed (and fail) too.
 *
 * failslab and fail_page_alloc must be set up with task-filter=Y (see
 * tests/debug-guest.sh); this program turns /proc/self/make-it-fail on
 * around each write only, with its own memory locked, so that only the
 * driver's allocations for that write can fail.  -n injects nothing (for
 * a kernel without fault injection): every check still runs.
 *
 * Every write must store all of its bytes, a non-empty prefix (short
 * count) or nothing (-1, ENOMEM); a write that returns 0, or another
 * error, fails the run.  The device's size and every byte read back must
 * match a model of what was stored, and the device stays usable.
 * /proc/scullmem is opened and read under failure too: open or read fails
 * with ENOMEM, or the whole text comes back, well formed, and agrees with
 * the model: the device's size, exactly the quanta the model says hold
 * data (in order, in the right qset, with the right pages and region),
 * the header's quanta count and the allocation counters.  Prints the
 * outcome counts.
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

static int failfd = -1;

static void make_it_fail(int on)
{
	if (failfd >= 0 && pwrite(failfd, on ? "1" : "0", 1, 0) != 1) {
		perror("make-it-fail");
		exit(2);
	}
}

#define DENSE_QUANTA	64
#define SCULL_STRIDE	1025UL	/* quanta between windows: a new xarray node each */
/*
 * Each window costs one xarray node.  The node allocation is tried twice
 * (GFP_NOWAIT under the lock, then with the caller's flags), so one fails
 * only when both do: about 2% of windows at 15%.  512 windows make an
 * index failure at every device and order all but certain.
 */
#define NWIN		512

/* What the device must hold. */
struct model {
	const char *name;	/* scullp, scullv, scullk, scullc or scullh */
	size_t quantum;
	unsigned long qset;
	unsigned long long size;
	unsigned char dense[DENSE_QUANTA];	/* quantum i holds data */
	unsigned char win[NWIN];		/* window w's quantum holds data */
	long base_live;		/* allocs - frees before the first write */
};

static unsigned char *held(struct model *m, unsigned long idx)
{
	if (idx < DENSE_QUANTA)
		return &m->dense[idx];
	if (idx % SCULL_STRIDE == 0 && idx / SCULL_STRIDE >= 1 && idx / SCULL_STRIDE <= NWIN)
		return &m->win[idx / SCULL_STRIDE - 1];
	return NULL;
}

/* @r bytes were stored at @off. */
static void stored(struct model *m, unsigned long long off, size_t r)
{
	unsigned long i;

	if (!r)
		return;
	for (i = off / m->quantum; i <= (off + r - 1) / m->quantum; i++)
		*held(m, i) = 1;
	if (off + r > m->size)
		m->size = off + r;
}

static long model_quanta(const struct model *m)
{
	long n = 0;
	int i;

	for (i = 0; i < DENSE_QUANTA; i++)
		n += m->dense[i];
	for (i = 0; i < NWIN; i++)
		n += m->win[i];
	return n;
}

static char procbuf[1 << 20];
static const char *const devs[] = { "scullp", "scullv", "scullk", "scullc", "scullh",
				    "scullx", "scullkv" };
static const char *const backends[] = { "__get_free_pages,", "vmalloc,", "kmalloc,",
					"kmem_cache,", "alloc_pages,", "alloc_pages_exact,",
					"kvmalloc," };
#define NDEVS	((int)(sizeof(devs) / sizeof(devs[0])))

/*
 * The field " pfns RUNS" of a quantum line, the last but for what the
 * allocator holds (" holds N ..."): the runs of page frames must add up to
 * @pages pages in @runs runs, the first starting at @pfn.
 */
static int pfns_ok(const char *line, unsigned long long pfn, unsigned int pages,
		   unsigned int runs)
{
	const char *s = strstr(line, " pfns "), *nl = strchr(line, '\n');
	unsigned long long a, b, n = 0, r = 0;
	char *end;

	if (!s || s > nl)
		return 0;
	for (s += 6;; s = end + 1) {
		a = b = strtoull(s, &end, 16);
		if (end == s)
			return 0;
		if (r == 0 && a != pfn)
			return 0;
		if (*end == '-') {
			s = end + 1;
			b = strtoull(s, &end, 16);
			if (end == s || b <= a)
				return 0;
		}
		n += b - a + 1;
		r++;
		if (*end != ',')
			break;
	}
	return (end == nl || !strncmp(end, " holds ", 7)) && n == pages && r == runs;
}

/*
 * The last fields of a quantum line: " holds N", then " span N" (vmalloc),
 * " from CACHE" (kmalloc) and " via kmalloc|vmalloc" (kvmalloc), as the
 * device's allocator has them; N is at least the quantum.
 */
static int holds_ok(const char *line, const char *name, size_t quantum)
{
	const char *s = strstr(line, " holds "), *nl = strchr(line, '\n');
	unsigned long long held, span = 0;
	int vm = !strcmp(name, "scullv"), km = !strcmp(name, "scullk");
	int k = 0;

	if (!s || s > nl || sscanf(s, " holds %llu%n", &held, &k) != 1 || held < quantum)
		return 0;
	s += k;
	if (!strcmp(name, "scullkv")) {
		vm = strstr(s, " via vmalloc") && strstr(s, " via vmalloc") < nl;
		km = !vm;
	}
	if (vm) {
		if (sscanf(s, " span %llu%n", &span, &k) != 1 || span <= held)
			return 0;
		s += k;
	}
	if (km) {
		if (strncmp(s, " from ", 6))
			return 0;
		s = strpbrk(s + 6, " \n");
	}
	if (!strcmp(name, "scullkv"))
		return !strncmp(s, vm ? " via vmalloc\n" : " via kmalloc\n", 13);
	return s == nl;
}

/* The header's "  held: asked A bytes, held H bytes, overhead P%" line. */
static int held_line_ok(const char *line, unsigned long nq, size_t quantum)
{
	unsigned long long asked, held;
	unsigned int pi, pf;
	int k = 0;

	return sscanf(line, "  held: asked %llu bytes, held %llu bytes, overhead %u.%u%%%n",
		      &asked, &held, &pi, &pf, &k) == 4 && line[k] == '\n' &&
	       asked == (unsigned long long)nq * quantum && held >= asked;
}

/*
 * scullc's header line: "  cache scullc-Q, object size Q, objects per slab
 * N, slab order O", Q its quantum.
 */
static int cache_line_ok(const char *line, size_t quantum)
{
	unsigned long q1, q2;
	unsigned int per, order;
	int k = 0;

	return sscanf(line, "  cache scullc-%lu, object size %lu, objects per slab %u, slab order %u%n",
		      &q1, &q2, &per, &order, &k) == 4 && line[k] == '\n' &&
	       q1 == quantum && q2 == quantum && per >= 1;
}

static int bad(const char *line, const char *why)
{
	const char *nl = line ? strchr(line, '\n') : NULL;

	fprintf(stderr, "faultinj: /proc/scullmem: %s%s%.*s\n", why, line ? ": " : "",
		line ? (int)(nl ? nl - line : (long)strlen(line)) : 0, line ? line : "");
	return -1;
}

/*
 * Check the whole text of /proc/scullmem against the model.  @live is set
 * to the device's allocs - frees.
 */
static int check_proc(struct model *m, char *text, size_t len, long *live)
{
	char *line = text, *next;
	int d, found = 0;

	if (!len || text[len - 1] != '\n')
		return bad(NULL, "empty, or not ending in a newline");
	text[len] = '\0';
	next = strchr(line, '\n');
	if (strncmp(line, "scullmem: page_size 4096, view privileged\n", next + 1 - line))
		return bad(line, "bad banner (not root?)");
	line = next + 1;
	next = strchr(line, '\n');
	if (!next || strncmp(line, "layout: linear ", 15))
		return bad(line, "no layout line after the banner");
	line = next + 1;
	/* The other regions and the module's own spans (root's view). */
	while (!strncmp(line, "region ", 7) || !strncmp(line, "module ", 7)) {
		next = strchr(line, '\n');
		if (!next)
			return bad(line, "a region line without a newline");
		line = next + 1;
	}
	next = strchr(line, '\n');
	if (!next || strncmp(line, "kernel ", 7))
		return bad(line, "no kernel line after the layout");
	line = next + 1;
	/* One line per online node ("pfn -" for one without memory): at least one. */
	for (d = 0; !strncmp(line, "node ", 5); d++) {
		char *end = strchr(line, '\n'), *pfn = strstr(line, " pfn ");
		int node;

		/* Its CPU list may be empty (a node of memory alone). */
		if (sscanf(line, "node %d cpus ", &node) != 1 || node < 0 ||
		    !pfn || pfn > end || !strstr(pfn, " present ") ||
		    strstr(pfn, " present ") > end)
			return bad(line, "bad node line");
		line = end + 1;
	}
	if (!d)
		return bad(line, "no node line after the kernel line");
	/* One line per populated zone: at least one. */
	for (d = 0; !strncmp(line, "zone ", 5); d++) {
		unsigned long lo, hi, present;
		char zone[16];
		int node;

		if (sscanf(line, "zone %15s node %d pfn %lx-%lx present %lu\n",
			   zone, &node, &lo, &hi, &present) != 5 || hi < lo || !present)
			return bad(line, "bad zone line");
		line = strchr(line, '\n') + 1;
	}
	if (!d)
		return bad(line, "no zone line after the nodes");
	/* Four lines of statistics per device. */
	for (d = 0; d < NDEVS; d++) {
		unsigned long allocs, frees, fails, qf, xf;
		unsigned long long a, b, c, meta, data, pi, pf;
		char name[16], expect[64];
		int k;

		if (sscanf(line, "stats %15[a-z]: allocs %lu, frees %lu, failures %lu, alloc ns min %llu mean %llu max %llu\n",
			   name, &allocs, &frees, &fails, &a, &b, &c) != 7 || strcmp(name, devs[d]))
			return bad(line, "bad allocation statistics");
		line = strchr(line, '\n') + 1;
		if (sscanf(line, "stats %15[a-z]: qset array failures %lu, index failures %lu\n",
			   name, &qf, &xf) != 3 || strcmp(name, devs[d]))
			return bad(line, "bad failure statistics");
		line = strchr(line, '\n') + 1;
		snprintf(expect, sizeof(expect), "stats %s: alloc ns log2 histogram:", devs[d]);
		if (strncmp(line, expect, strlen(expect)))
			return bad(line, "bad histogram");
		line = strchr(line, '\n') + 1;
		if (sscanf(line, "stats %15[a-z]: metadata %llu bytes, data %llu bytes, metadata/data %llu.%llu%n",
			   name, &meta, &data, &pi, &pf, &k) != 5 || strcmp(name, devs[d]) ||
		    strncmp(line + k, "%\n", 2))
			return bad(line, "bad metadata statistics");
		if (!strcmp(devs[d], m->name)) {
			*live = (long)(allocs - frees);
			if (data != (unsigned long long)model_quanta(m) * m->quantum)
				return bad(line, "data bytes are not the quanta held");
		}
		line = strchr(line, '\n') + 1;
	}
	/* Then each device's header and quanta. */
	for (d = 0; d < NDEVS; d++) {
		unsigned long long sz;
		unsigned long qs, nq, nqsets, idx, cur_qset = -1UL, prev = 0, lines = 0, shown = 0;
		unsigned long nhigh, novirt = 0;
		unsigned long long virt, phys, pfn, in_page;
		unsigned int order, pages, runs;
		char name[16], backend[32], region[16], word[16];
		size_t quantum;
		int mine = !strcmp(devs[d], m->name);

		if (sscanf(line, "Device %15[a-z]: qset %lu, order %u, sz %llu\n",
			   name, &qs, &order, &sz) != 4 || strcmp(name, devs[d]))
			return bad(line, "bad device header");
		line = strchr(line, '\n') + 1;
		if (sscanf(line, "  backend %31s quantum %zu, quanta %lu, qsets %lu\n",
			   backend, &quantum, &nq, &nqsets) != 4 || quantum != 4096UL << order ||
		    strcmp(backend, backends[d]))
			return bad(line, "bad backend line");
		line = strchr(line, '\n') + 1;
		if (!held_line_ok(line, nq, quantum))
			return bad(line, "bad held line");
		line = strchr(line, '\n') + 1;
		if (!strcmp(name, "scullc") && !cache_line_ok(line, quantum))
			return bad(line, "no cache line for scullc");
		if (!strcmp(name, "scullc"))
			line = strchr(line, '\n') + 1;
		/* scullkv's: which of kmalloc and vmalloc served its quanta. */
		if (!strcmp(name, "scullkv") && strncmp(line, "  kvmalloc: kmalloc served ", 27))
			return bad(line, "no kvmalloc line for scullkv");
		if (!strcmp(name, "scullkv"))
			line = strchr(line, '\n') + 1;
		if (strncmp(line, "  quanta by zone: ", 18))
			return bad(line, "no quanta by zone line");
		line = strchr(line, '\n') + 1;
		/* scullh's quanta in high memory, with no kernel address. */
		nhigh = 0;
		if (!strcmp(name, "scullh") &&
		    sscanf(line, "  highmem quanta %lu (no kernel mapping: virt -)\n", &nhigh) != 1)
			return bad(line, "no highmem quanta line for scullh");
		if (!strcmp(name, "scullh"))
			line = strchr(line, '\n') + 1;
		/* Its quanta by node, and the node asked of the allocator. */
		if (strncmp(line, "  quanta by node: ", 18))
			return bad(line, "no quanta by node line");
		line = strchr(line, '\n') + 1;
		/* The count of page-table entries: "?" too when its memory failed. */
		if (strncmp(line, "  page-table entries: ", 22))
			return bad(line, "no page-table entries line");
		line = strchr(line, '\n') + 1;
		/* Where its quanta's struct pages are ("-" with none). */
		if (strncmp(line, "  struct pages ", 15))
			return bad(line, "no struct pages line");
		line = strchr(line, '\n') + 1;
		/* scullh's: where its last kmap_local_page() mapped a page. */
		if (!strncmp(line, "  kmap last ", 12))
			line = strchr(line, '\n') + 1;
		if (mine && (sz != m->size || qs != m->qset || quantum != m->quantum)) {
			fprintf(stderr, "faultinj: /proc/scullmem: %s: sz %llu qset %lu quantum %zu, expected %llu %lu %zu\n",
				name, sz, qs, quantum, m->size, m->qset, m->quantum);
			return -1;
		}
		if (mine && (long)nq != model_quanta(m)) {
			fprintf(stderr, "faultinj: /proc/scullmem: %s: quanta %lu, the model has %ld\n",
				name, nq, model_quanta(m));
			return -1;
		}
		while (*line && strncmp(line, "Device ", 7)) {
			unsigned long qn;
			unsigned char *h;

			if (sscanf(line, "  qset %lu at %llx\n", &qn, &virt) == 2) {
				if (cur_qset != -1UL && qn <= cur_qset)
					return bad(line, "qset out of order");
				cur_qset = qn;
				shown++;
				line = strchr(line, '\n') + 1;
				continue;
			}
			/* "virt -": a scullh quantum in high memory, no kernel address. */
			virt = 0;
			if (sscanf(line, "    quantum %lu: virt - phys %llx pfn %llx %15s pages %u runs %u %15s\n",
				   &idx, &phys, &pfn, region, &pages, &runs, word) == 7) {
				if (strcmp(name, "scullh") || strcmp(region, "highmem"))
					return bad(line, "virt - outside scullh's high memory");
				novirt++;
			} else if (sscanf(line, "    quantum %lu: virt %llx phys %llx pfn %llx %15s pages %u runs %u %15s\n",
					  &idx, &virt, &phys, &pfn, region, &pages, &runs, word) != 8 ||
				   !virt || (strcmp(region, strcmp(name, "scullv") ? "linear" : "vmalloc") &&
					     (strcmp(name, "scullkv") || strcmp(region, "vmalloc")))) {
				return bad(line, "malformed line, or an address in the wrong region");
			}
			if (idx / qs != cur_qset || (lines && idx <= prev))
				return bad(line, "quantum out of order or outside its qset");
			/*
			 * A slab object need not start on a page boundary (a
			 * red zone or KASAN's metadata before it): its phys is
			 * its own, and it touches one page more.
			 */
			in_page = strcmp(region, "vmalloc") ? virt & 0xfff : 0;
			if (!pfn || phys != (pfn << 12) + in_page ||
			    pages != (in_page + quantum + 4095) / 4096 ||
			    !runs || runs > pages ||
			    strcmp(word, runs == 1 ? "contiguous" : "scattered") ||
			    (strcmp(region, "vmalloc") && runs != 1) ||
			    !pfns_ok(line, pfn, pages, runs) || !holds_ok(line, name, quantum))
				return bad(line, "wrong fields");
			if (mine) {
				h = held(m, idx);
				if (!h || !*h)
					return bad(line, "a quantum the model does not hold");
			}
			prev = idx;
			lines++;
			line = strchr(line, '\n') + 1;
		}
		if (lines != nq)
			return bad(NULL, "the quantum lines do not add up to the header's quanta");
		if (novirt != nhigh)
			return bad(NULL, "the quanta shown virt - are not the header's highmem quanta");
		/* Each qset shown once; an empty qset array may stay unshown. */
		if (shown > nqsets)
			return bad(NULL, "more qsets shown than the header counts");
		found |= mine;
	}
	if (*line)
		return bad(line, "trailing text");
	return found ? 0 : bad(NULL, "the device is missing");
}

/* Read all of /proc/scullmem into procbuf; its length, or -1 with errno. */
static ssize_t read_proc(int fd)
{
	size_t len = 0;
	ssize_t n;

	do {
		n = read(fd, procbuf + len, sizeof(procbuf) - 1 - len);
		if (n > 0)
			len += n;
	} while (n > 0 && len < sizeof(procbuf) - 1);
	if (n < 0)
		return -1;
	if (len == sizeof(procbuf) - 1) {
		errno = EFBIG;
		return -1;
	}
	return len;
}

/*
 * Open and read /proc/scullmem under failure: a clean ENOMEM, or all of it,
 * checked against the model.
 */
static int proc_under_failure(struct model *m, unsigned long *enomem, unsigned long *whole)
{
	ssize_t n;
	long live = 0;
	int fd;

	make_it_fail(1);
	fd = open("/proc/scullmem", O_RDONLY);
	if (fd < 0) {
		make_it_fail(0);
		if (errno != ENOMEM)
			return bad(NULL, strerror(errno));
		++*enomem;
		return 0;
	}
	n = read_proc(fd);
	make_it_fail(0);
	close(fd);
	if (n < 0) {
		if (errno != ENOMEM)
			return bad(NULL, strerror(errno));
		++*enomem;
		return 0;
	}
	++*whole;
	if (check_proc(m, procbuf, n, &live))
		return -1;
	if (live - m->base_live != model_quanta(m)) {
		fprintf(stderr, "faultinj: /proc/scullmem: %s: allocs - frees went up by %ld, the model holds %ld quanta\n",
			m->name, live - m->base_live, model_quanta(m));
		return -1;
	}
	return 0;
}

/*
 * One write under failure.  Returns the bytes stored (0 for ENOMEM), or
 * -1 for any other result: 0 for a non-empty write, or another error.
 */
static ssize_t write_under_failure(int fd, const unsigned char *buf, size_t len, off_t at,
				   unsigned long *full, unsigned long *partial,
				   unsigned long *enomem)
{
	ssize_t r;

	make_it_fail(1);
	r = pwrite(fd, buf, len, at);
	make_it_fail(0);
	if (r == (ssize_t)len) {
		++*full;
	} else if (r > 0 && r < (ssize_t)len) {
		++*partial;
	} else if (r < 0 && errno == ENOMEM) {
		++*enomem;
		r = 0;
	} else {
		fprintf(stderr, "faultinj: write of %zu at %lld returned %zd (errno %d)\n",
			len, (long long)at, r, r < 0 ? errno : 0);
		return -1;
	}
	return r;
}

/* Writes within one quantum of one of NWIN far-apart windows, past the dense span. */
static int sparse_writes(int fd, struct model *m, unsigned long iters, unsigned char *buf,
			 unsigned char *back, unsigned long *full, unsigned long *partial,
			 unsigned long *enomem, unsigned long *proc_enomem,
			 unsigned long *proc_whole)
{
	size_t quantum = m->quantum;
	unsigned char *data = calloc(NWIN, quantum);
	unsigned long i;
	unsigned int w;

	if (!data)
		return 1;
	for (i = 0; i < iters; i++) {
		size_t off = rnd() % quantum, len = 1 + rnd() % (quantum - off), k;
		off_t at;
		ssize_t r;

		/* A new window each time first, then anywhere. */
		w = i < NWIN ? i : rnd() % NWIN;
		at = (off_t)((w + 1) * SCULL_STRIDE) * quantum + off;
		for (k = 0; k < len; k++)
			buf[k] = rnd();
		r = write_under_failure(fd, buf, len, at, full, partial, enomem);
		if (r < 0)
			return 1;
		memcpy(data + w * quantum + off, buf, r);
		stored(m, at, r);
		if (i % 25 == 0 && proc_under_failure(m, proc_enomem, proc_whole))
			return 1;
	}
	if ((unsigned long long)lseek(fd, 0, SEEK_END) != m->size) {
		fprintf(stderr, "faultinj: size %lld, expected %llu\n",
			(long long)lseek(fd, 0, SEEK_END), m->size);
		return 1;
	}
	for (w = 0; w < NWIN; w++) {
		unsigned long long start = (w + 1) * SCULL_STRIDE * quantum;
		size_t want = m->size <= start ? 0 :
			      m->size - start < quantum ? m->size - start : quantum;
		ssize_t n = pread(fd, back, quantum, start);

		if (n != (ssize_t)want || memcmp(back, data + w * quantum, want)) {
			fprintf(stderr, "faultinj: window %u: read %zd of %zu bytes, or they differ\n",
				w, n, want);
			return 1;
		}
	}
	free(data);
	return 0;
}

static int read_attr(const char *dev, const char *name, unsigned long *v)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/class/scullmem/%s/%s", dev, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = fscanf(f, "%lu", v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	unsigned long full = 0, partial = 0, enomem = 0, proc_enomem = 0, proc_whole = 0;
	unsigned long i, iters, quantum, qset, nq;
	struct model m = { 0 };
	size_t span, k;
	unsigned char *data, *buf, *back;
	int fd, inject = 1, a = 1, procfd;
	ssize_t n;

	if (argc > 1 && !strcmp(argv[1], "-n")) {
		inject = 0;
		a = 2;
	}
	if (argc != a + 3 || strncmp(argv[a], "/dev/", 5)) {
		fprintf(stderr, "usage: faultinj [-n] /dev/scullX ITERATIONS SEED\n");
		return 2;
	}
	m.name = argv[a] + 5;
	iters = strtoul(argv[a + 1], NULL, 0);
	rng = strtoull(argv[a + 2], NULL, 0) | 1;
	if (read_attr(m.name, "quantum", &quantum) || read_attr(m.name, "qset", &qset)) {
		fprintf(stderr, "faultinj: cannot read the geometry of %s\n", m.name);
		return 2;
	}
	m.quantum = quantum;
	m.qset = qset;
	span = DENSE_QUANTA * quantum;
	data = calloc(1, span);
	buf = malloc(4 * quantum);
	back = malloc(span);
	if (inject)
		failfd = open("/proc/self/make-it-fail", O_WRONLY);
	fd = open(argv[a], O_RDWR | O_TRUNC);
	if (!data || !buf || !back || (inject && failfd < 0) || fd < 0) {
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
	/* The counters as they are, empty: the run's allocations add to them. */
	procfd = open("/proc/scullmem", O_RDONLY);
	n = procfd < 0 ? -1 : read_proc(procfd);
	if (n < 0 || check_proc(&m, procbuf, n, &m.base_live)) {
		fprintf(stderr, "faultinj: /proc/scullmem unreadable before the run\n");
		return 1;
	}
	close(procfd);

	for (i = 0; i < iters; i++) {
		size_t off = rnd() % span, len = 1 + rnd() % (3 * quantum);
		ssize_t r;

		if (off + len > span)
			len = span - off;
		for (k = 0; k < len; k++)
			buf[k] = rnd();
		r = write_under_failure(fd, buf, len, off, &full, &partial, &enomem);
		if (r < 0)
			return 1;
		memcpy(data + off, buf, r);
		stored(&m, off, r);
		if (i % 50 == 49 || i + 1 == iters) {
			n = pread(fd, back, span, 0);
			if (n != (ssize_t)m.size || memcmp(back, data, m.size)) {
				fprintf(stderr, "faultinj: %s: after %lu writes read %zd of %llu bytes, or they differ\n",
					argv[a], i + 1, n, m.size);
				return 1;
			}
		}
		if (i % 25 == 0 && proc_under_failure(&m, &proc_enomem, &proc_whole))
			return 1;
	}
	if (sparse_writes(fd, &m, iters, buf, back, &full, &partial, &enomem,
			  &proc_enomem, &proc_whole))
		return 1;
	if (read_attr(m.name, "quanta", &nq) || (long)nq != model_quanta(&m)) {
		fprintf(stderr, "faultinj: %s: %lu quanta in sysfs, the model holds %ld\n",
			argv[a], nq, model_quanta(&m));
		return 1;
	}
	/* Usable afterwards: a write and a read with no failure injected. */
	if (pwrite(fd, buf, quantum, 0) != (ssize_t)quantum ||
	    pread(fd, back, quantum, 0) != (ssize_t)quantum || memcmp(buf, back, quantum)) {
		fprintf(stderr, "faultinj: %s: unusable after the run\n", argv[a]);
		return 1;
	}
	printf("# faultinj %s%s: %lu writes: %lu whole, %lu short, %lu ENOMEM; /proc read whole and checked %lu, ENOMEM %lu\n",
	       argv[a], inject ? "" : " (nothing injected)", 2 * iters, full, partial, enomem,
	       proc_whole, proc_enomem);
	close(fd);
	return 0;
}
