# SPDX-License-Identifier: GPL-2.0
"""Write the synthetic /proc/scullmem snapshots of tests/data/snapshots/.

    python3 tests/data/mksynthetic.py [DIR]     (default: its snapshots/)

They are made by hand, not captured: no module is loaded on the host.  Each
follows the format of scull_proc.c (and docs/proc.md's real snapshot from
Debian's 6.1) for one machine, with allocation patterns like the real ones:
__get_free_pages and kmalloc above 8 KiB hand out naturally aligned blocks,
often one after the other in the same free area; vmalloc takes its pages one
at a time from the per-CPU lists, so a quantum's pages land in several places
(and its quanta follow one another in the vmalloc range, a guard page
apart).  Real snapshots captured from guests are saved as <kver>.txt beside
them.  The output is the same on every run (a fixed seed).
"""

import os
import random
import sys

PAGE = 4096


class Machine:
    def __init__(self, bits, linear, vmalloc, zones, ram_start=0):
        self.bits = bits            # pointer width
        self.linear = linear        # (start, end)
        self.vmalloc = vmalloc
        self.zones = zones          # [(name, node, first, last, present)]
        self.ram_start = ram_start  # physical address PAGE_OFFSET maps
        self.used = set()

    def ptr(self, v):
        return "%0*x" % (self.bits // 4, v)

    def virt_of(self, pfn):
        return self.linear[0] + pfn * PAGE - self.ram_start

    def zone_of(self, pfn):
        for z in self.zones:
            if z[2] <= pfn <= z[3]:
                return z[0]
        raise ValueError("pfn %x in no zone" % pfn)

    def free(self, pfn, n):
        return all(p not in self.used for p in range(pfn, pfn + n))

    def take(self, pfn, n):
        self.used.update(range(pfn, pfn + n))


def blocks(m, rng, count, order, areas, burst=(3, 24)):
    """count naturally aligned 2^order-page blocks, in bursts of consecutive
    blocks (the buddy allocator splitting a larger free block), each burst
    in one of areas [(first, last)]."""
    n = 1 << order
    out = []
    while len(out) < count:
        lo, hi = rng.choice(areas)
        start = rng.randrange(lo, hi) & ~(n - 1)
        for i in range(rng.randint(*burst)):
            pfn = start + i * n
            if len(out) == count or pfn + n - 1 > hi or not m.free(pfn, n):
                break
            m.take(pfn, n)
            out.append(pfn)
    return out


def single_pages(m, rng, count, pages, areas, pair_every=0):
    """count quanta of pages pages each, taken one page at a time: mostly
    scattered, every pair_every-th quantum with two neighbours (a run of 2)."""
    out = []
    for q in range(count):
        pfns = []
        while len(pfns) < pages:
            lo, hi = rng.choice(areas)
            p = rng.randrange(lo, hi)
            want = 2 if (pair_every and q % pair_every == 3 and not pfns) else 1
            if not m.free(p, want) or any(abs(p - x) <= want for x in pfns):
                continue
            m.take(p, want)
            pfns.extend(range(p, p + want))
        out.append(pfns[:pages])
    return out


def runs_of(pfns):
    runs = []
    for p in pfns:
        if runs and runs[-1][1] + 1 == p:
            runs[-1][1] = p
        else:
            runs.append([p, p])
    return runs


def fmt_runs(runs):
    return ",".join("%x" % a if a == b else "%x-%x" % (a, b) for a, b in runs)


def stat_lines(name, nq, qsize, qsets, qset, ptr, lat, freed):
    """The stats lines; metadata: the qset arrays and the xarray node."""
    lo, mean, hi, hist = lat
    data = nq * qsize
    meta = qsets * qset * ptr + 1024 if nq else 0
    pct = "%d.%03d" % divmod(meta * 100000 // data, 1000) if data else "0.000"
    return [
        "stats %s: allocs %d, frees %d, failures 0, alloc ns min %d mean %d max %d" % (
            name, nq + freed, freed, lo, mean, hi),
        "stats %s: qset array failures 0, index failures 0" % name,
        "stats %s: alloc ns log2 histogram:%s" % (name, hist),
        "stats %s: metadata %d bytes, data %d bytes, metadata/data %s%%" % (name, meta, data, pct),
    ]


class Dev:
    def __init__(self, name, backend, order, qset, size):
        self.name, self.backend, self.order, self.qset = name, backend, order, qset
        self.size = size
        self.freed = 0      # quanta allocated, then freed (an emptied device)
        self.quanta = []    # dicts: virt, pfns (list), region, kind

    @property
    def qsize(self):
        return PAGE << self.order

    @property
    def nq(self):
        return -(-self.size // self.qsize)


def render(m, devs, banner_extra, old=False, lat=None, kernel=None, kernel_after_layout=False):
    out = []
    out.append("scullmem: page_size %d, view privileged" % PAGE)
    kline = "kernel %s" % kernel if kernel else None
    if kline and not kernel_after_layout:
        out.append(kline)
    out.append("layout: linear %s-%s, vmalloc %s-%s" % (
        m.ptr(m.linear[0]), m.ptr(m.linear[1]), m.ptr(m.vmalloc[0]), m.ptr(m.vmalloc[1])))
    if kline and kernel_after_layout:
        out.append(kline)
    if not old:
        for z in m.zones:
            out.append("zone %s node %d pfn %x-%x present %d" % z)
    out.extend(banner_extra)
    for d in devs:
        nq = len(d.quanta)
        qsets = -(-nq // d.qset) if nq else 0
        out.extend(stat_lines(d.name, nq, d.qsize, qsets, d.qset, m.bits // 8, lat[d.name],
                              0 if nq else d.freed))
    rng = random.Random(7)
    for d in devs:
        nq = len(d.quanta)
        qsets = -(-nq // d.qset) if nq else 0
        out.append("Device %s: qset %d, order %d, sz %d" % (d.name, d.qset, d.order, d.size if nq else 0))
        out.append("  backend %s, quantum %d, quanta %d, qsets %d" % (d.backend, d.qsize, nq, qsets))
        if not old:
            counts = {}
            for q in d.quanta:
                for z in sorted({m.zone_of(p) for p in q["pfns"]}):
                    counts[z] = counts.get(z, 0) + 1
            order = [z[0] for z in m.zones]
            by = ", ".join("%s %d" % (z, counts[z]) for z in order if z in counts)
            out.append("  quanta by zone:%s" % (" " + by if by else " none"))
        for i, q in enumerate(d.quanta):
            if i % d.qset == 0:
                base = m.zones[0][2] + 0x2000
                addr = m.virt_of(rng.randrange(base, base + 0x1000)) + rng.randrange(0, 16) * 0x400
                out.append("  qset %d at %s" % (i // d.qset, m.ptr(addr)))
            pfns = q["pfns"]
            runs = runs_of(pfns)
            virt = "-" if q["virt"] is None else m.ptr(q["virt"])
            line = "    quantum %d: virt %s phys %016x pfn %x %s pages %d runs %d %s" % (
                i, virt, pfns[0] * PAGE, pfns[0], q["region"], len(pfns), len(runs),
                "contiguous" if len(runs) == 1 else "scattered")
            if not old:
                zones = []
                for p in pfns:
                    z = m.zone_of(p)
                    if z not in zones:
                        zones.append(z)
                zones.sort(key=[z[0] for z in m.zones].index)
                line += " %s %s node 0 kind %s pfns %s" % (
                    "zones" if len(zones) > 1 else "zone", ",".join(zones), q["kind"], fmt_runs(runs))
            out.append(line)
    return "\n".join(out) + "\n"


def linear_quanta(m, d, pfn_list, kind):
    n = 1 << d.order
    for p in pfn_list:
        d.quanta.append({"virt": m.virt_of(p), "pfns": list(range(p, p + n)),
                         "region": "linear", "kind": kind})


def vmalloc_quanta(m, d, pages_list, vstart):
    stride = d.qsize + PAGE     # each area has a guard page after it
    for i, pfns in enumerate(pages_list):
        d.quanta.append({"virt": vstart + i * stride, "pfns": pfns,
                         "region": "vmalloc", "kind": "page"})


LAT = {
    "scullp": (16200, 25553, 698201, " 2^13:68 2^14:109 2^15:4 2^16:1 2^19:2"),
    "scullv": (76103, 101840, 674003, " 2^16:170 2^17:11 2^18:2 2^19:1"),
    "scullk": (17052, 23422, 415677, " 2^14:178 2^15:3 2^16:1 2^18:2"),
    "scullc": (9120, 14810, 301554, " 2^13:92 2^14:88 2^15:3 2^17:1"),
    "scullh": (15004, 22871, 512093, " 2^13:71 2^14:106 2^15:5 2^16:1 2^19:1"),
}


def x86_64(old=False, empty=False):
    rng = random.Random(0x5c011 + old)
    m = Machine(64, (0xffff8c9a40000000, 0xffff8c9a7ffe0000),
                (0xffffd10b40000000, 0xfffff10b3fffffff),
                [("DMA", 0, 0x1, 0xfff, 3998), ("DMA32", 0, 0x1000, 0x3ffdf, 258016)])
    if old:
        m.linear = (0xffff89cd00000000, 0xffff89cd3ffe0000)
        m.vmalloc = (0xffffca4080000000, 0xffffea407fffffff)
    # the kernel image and early allocations: 16 MiB - 64 MiB; free areas
    # after it and at the top of memory
    m.take(0x1000, 0x1c00)
    size = 0 if empty else 3000000
    p = Dev("scullp", "__get_free_pages", 2, 100, size)
    v = Dev("scullv", "vmalloc", 2, 100, size)
    k = Dev("scullk", "kmalloc", 2, 100, size)
    if empty:   # written, then truncated: every quantum freed
        for d in (p, v, k):
            d.freed = 184
    else:
        hot = [(0x2e00, 0x3600), (0x3f800, 0x3ffd0), (0x1ef00, 0x1f000)]
        linear_quanta(m, p, blocks(m, rng, p.nq, 2, hot), "compound order 2")
        linear_quanta(m, k, blocks(m, rng, k.nq, 2, hot), "compound order 2")
        spread = [(0x4000, 0x3ffd0), (0x1e000, 0x20000), (0x2a000, 0x2c000), (0x2e00, 0x3600)]
        vmalloc_quanta(m, v, single_pages(m, rng, v.nq, 4, spread), m.vmalloc[0] + 0x3f5000)
    return render(m, [p, v, k], [], old=old, lat=LAT,
                  kernel=None if old else "6.1.0-57-amd64 x86_64")


def i386():
    rng = random.Random(386)
    m = Machine(32, (0xc0000000, 0xf6ffe000), (0xf77fe000, 0xfeffe000),
                [("DMA", 0, 0x1, 0xfff, 3998),
                 ("Normal", 0, 0x1000, 0x36ffd, 0x36ffd - 0x1000 + 1),
                 ("HighMem", 0, 0x36ffe, 0x7ffdf, 0x7ffdf - 0x36ffe + 1)])
    m.take(0x1000, 0x1800)
    size = 3000000
    p = Dev("scullp", "__get_free_pages", 2, 100, size)
    v = Dev("scullv", "vmalloc", 2, 100, size)
    k = Dev("scullk", "kmalloc", 2, 100, size)
    c = Dev("scullc", "kmem_cache", 2, 100, size // 2)
    h = Dev("scullh", "alloc_pages highmem", 2, 100, size // 2)
    low = [(0x2800, 0x3400), (0x36000, 0x36ff0), (0x11000, 0x11800)]
    linear_quanta(m, p, blocks(m, rng, p.nq, 2, low), "compound order 2")
    linear_quanta(m, k, blocks(m, rng, k.nq, 2, low), "compound order 2")
    # kmem_cache "scullc": slabs of 8 pages, two 16 KiB objects each
    linear_quanta(m, c, blocks(m, rng, c.nq, 2, low, burst=(2, 2)), "slab cache scullc")
    high = [(0x36ffe, 0x7ffd0), (0x7f000, 0x7ffd0), (0x70000, 0x71000)]
    vmalloc_quanta(m, v, single_pages(m, rng, v.nq, 4, high), m.vmalloc[0] + 0x2a1000)
    for pfn in blocks(m, rng, h.nq, 2, high):
        h.quanta.append({"virt": None, "pfns": list(range(pfn, pfn + 4)),
                         "region": "unmapped", "kind": "compound order 2"})
    return render(m, [p, v, k, c, h], [], lat=LAT, kernel="6.1.0-57-686-pae i686",
                  kernel_after_layout=True)


def arm64():
    rng = random.Random(64)
    m = Machine(64, (0xffff000000000000, 0xffff000040000000),
                (0xffff800008000000, 0xfffffbfff0000000),
                [("DMA", 0, 0x40000, 0x7ffff, 262144)], ram_start=0x40000000)
    m.take(0x40000, 0x2400)     # the kernel image at the start of RAM
    size = 3000000
    p = Dev("scullp", "__get_free_pages", 1, 1000, size)
    v = Dev("scullv", "vmalloc", 1, 1000, size)
    k = Dev("scullk", "kmalloc", 1, 1000, size)
    areas = [(0x43000, 0x44000), (0x7e000, 0x7ff00), (0x5a000, 0x5a800)]
    linear_quanta(m, p, blocks(m, rng, p.nq, 1, areas), "compound order 1")
    # kmalloc-8k: slabs of 8 pages, four objects each, one after the other
    linear_quanta(m, k, blocks(m, rng, k.nq, 1, areas, burst=(4, 4)), "slab cache -")
    spread = [(0x44000, 0x7ff00), (0x7e000, 0x7ff00), (0x5a000, 0x5c000)]
    vmalloc_quanta(m, v, single_pages(m, rng, v.nq, 2, spread, pair_every=9),
                   m.vmalloc[0] + 0x2b2c000)
    return render(m, [p, v, k], [], lat=LAT, kernel="6.1.0-57-arm64 aarch64")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "snapshots")
    os.makedirs(out, exist_ok=True)
    for name, text in (("synthetic-x86_64-6.1.txt", x86_64()),
                       ("synthetic-i386-6.1.txt", i386()),
                       ("synthetic-arm64-6.1.txt", arm64()),
                       ("synthetic-x86_64-old-format.txt", x86_64(old=True)),
                       ("synthetic-x86_64-empty.txt", x86_64(empty=True))):
        with open(os.path.join(out, name), "w", encoding="ascii") as f:
            f.write(text)


if __name__ == "__main__":
    main()
