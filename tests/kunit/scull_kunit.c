// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the pure geometry helpers of scullmem.h: where a byte
 * offset lies (qset number, slot, offset in the quantum) for quanta of
 * any size, quantum sizes and their validation, the device limit, the
 * write and seek range checks, qset validation and the page order limits
 * of scull_compat.h.
 *
 * Built only against kernels with CONFIG_KUNIT (the debug kernel of
 * scripts/debug-kernel.sh); loading scull_kunit.ko runs the suite and
 * prints KTAP to the kernel log and to /sys/kernel/debug/kunit/scullmem/results.
 * It needs no scull.ko: the helpers are static inline.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "scullmem.h"
#include "scull_compat.h"

/* Orders every backend must take on x86_64 (contract: max order 10). */
#define ORDERS		11

/* 2^63, the first byte offset no device may reach. */
#define POS_END		BIT_ULL(63)

static struct scull_dev *scull_kunit_dev(struct kunit *test, unsigned int order,
					 unsigned int qset)
{
	struct scull_dev *dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, dev);
	dev->order = order;
	dev->quantum = PAGE_SIZE << order;
	dev->qset = qset;
	return dev;
}

/* scull_quantum_size(), orders 0..10. */
static void scull_kunit_quantum_size(struct kunit *test)
{
	unsigned int order;

	for (order = 0; order < ORDERS; order++) {
		struct scull_dev *dev = scull_kunit_dev(test, order, 500);
		size_t size = scull_quantum_size(dev);

		KUNIT_EXPECT_EQ_MSG(test, size, PAGE_SIZE << order, "order %u", order);
		KUNIT_EXPECT_TRUE_MSG(test, is_power_of_2(size), "order %u", order);
		KUNIT_EXPECT_EQ_MSG(test, get_order(size), order, "order %u", order);
	}
	if (PAGE_SIZE == 4096) {
		KUNIT_EXPECT_EQ(test, scull_quantum_size(scull_kunit_dev(test, 0, 1)), 4096UL);
		KUNIT_EXPECT_EQ(test, scull_quantum_size(scull_kunit_dev(test, 10, 1)), 4UL << 20);
	}
}

/* scull_limit() and scull_limit_of(): (LLONG_MAX + 1) - quantum. */
static void scull_kunit_limit(struct kunit *test)
{
	unsigned int order;

	for (order = 0; order < ORDERS; order++) {
		struct scull_dev *dev = scull_kunit_dev(test, order, 500);
		u64 quantum = PAGE_SIZE << order;
		loff_t limit = scull_limit(dev);

		KUNIT_EXPECT_EQ_MSG(test, limit, scull_limit_of(quantum), "order %u", order);
		KUNIT_EXPECT_GT_MSG(test, limit, 0LL, "order %u", order);
		KUNIT_EXPECT_EQ_MSG(test, (u64)limit + quantum, POS_END, "order %u", order);
		KUNIT_EXPECT_EQ_MSG(test, (u64)limit & (quantum - 1), 0ULL, "order %u", order);
		KUNIT_EXPECT_EQ_MSG(test, (u64)(LLONG_MAX - limit), quantum - 1,
				    "order %u", order);
	}
	if (PAGE_SIZE == 4096) {
		KUNIT_EXPECT_EQ(test, scull_limit_of(4096), 0x7ffffffffffff000LL);
		KUNIT_EXPECT_EQ(test, scull_limit_of(4 << 20), 0x7fffffffffc00000LL);
	}
}

/*
 * scull_limit_of() for quanta of any size: a whole number of quanta, the
 * last whole one below 2^63 left out (2^63 - 1 = 1000 * 9223372036854775
 * + 807), and at most 2^SCULL_QIDX_BITS quanta (on 32-bit kernels, 2^32 - 1).
 */
static void scull_kunit_limit_bytes(struct kunit *test)
{
	static const size_t sizes[] = { 1, 100, 4000, 4099, 5000, 12288, 1000 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u64 limit = scull_limit_of(sizes[i]);
		u32 rem;

		div_u64_rem(limit, sizes[i], &rem);
		KUNIT_EXPECT_EQ_MSG(test, rem, 0U, "quantum %zu", sizes[i]);
		if (BITS_PER_LONG == 64 && sizes[i] >= 32)
			KUNIT_EXPECT_LT_MSG(test, (u64)LLONG_MAX - limit, (u64)sizes[i],
					    "quantum %zu", sizes[i]);
		else if (BITS_PER_LONG == 64)
			KUNIT_EXPECT_EQ_MSG(test, limit, (u64)sizes[i] << SCULL_QIDX_BITS,
					    "quantum %zu", sizes[i]);
		else
			KUNIT_EXPECT_EQ_MSG(test, limit, (u64)sizes[i] * ULONG_MAX,
					    "quantum %zu", sizes[i]);
	}
	if (BITS_PER_LONG == 64) {
		KUNIT_EXPECT_EQ(test, scull_limit_of(1), 1LL << SCULL_QIDX_BITS);
		KUNIT_EXPECT_EQ(test, scull_limit_of(31), 31LL << SCULL_QIDX_BITS);
		KUNIT_EXPECT_EQ(test, scull_limit_of(32), LLONG_MAX - 31);
		KUNIT_EXPECT_EQ(test, scull_limit_of(1000), LLONG_MAX - 807);
	}
}

/* scull_locate(): fixed cases, computed by hand for 4 KiB pages. */
struct scull_locate_case {
	const char *name;
	loff_t pos;
	size_t quantum;
	unsigned int qset;
	unsigned long qidx, nr;
	unsigned int slot;
	size_t off;
};

#define LIMIT0	0x7ffffffffffff000LL		/* scull_limit_of(0) */
#define LIMIT10	0x7fffffffffc00000LL		/* scull_limit_of(10) */

static const struct scull_locate_case scull_locate_cases[] = {
	{ "zero",		0,			4096, 500,   0, 0, 0, 0 },
	{ "last_of_quantum0",	4095,			4096, 500,   0, 0, 0, 4095 },
	{ "first_of_quantum1",	4096,			4096, 500,   1, 0, 1, 0 },
	{ "last_of_qset0",	500 * 4096 - 1,		4096, 500,   499, 0, 499, 4095 },
	{ "first_of_qset1",	500 * 4096,		4096, 500,   500, 1, 0, 0 },
	{ "order1_qset2",	3 * 8192 + 5,		8192, 2,  3, 1, 1, 5 },
	{ "qset1",		3 * 4096 + 7,		4096, 1,  3, 3, 0, 7 },
	{ "order10",		(5LL << 22) + 12345,	4 << 20, 4, 5, 1, 1, 12345 },
	/*
	 * The last byte below the limit is in quantum 2^(63 - shift) - 2: the
	 * limit leaves out the last whole quantum below 2^63.
	 * 2^51 - 2 = 500 * 4503599627370 + 246.
	 */
	{ "limit0_last_byte",	LIMIT0 - 1,		4096, 500,   (1UL << 51) - 2,
	  4503599627370UL, 246, 4095 },
	/* 2^41 - 2 = 65536 * (2^25 - 1) + 65534 */
	{ "limit10_last_byte",	LIMIT10 - 1,		4 << 20, 65536, (1UL << 41) - 2,
	  (1UL << 25) - 1, 65534, (4UL << 20) - 1 },
	{ "limit10_qset1",	LIMIT10 - 1,		4 << 20, 1,    (1UL << 41) - 2,
	  (1UL << 41) - 2, 0, (4UL << 20) - 1 },
	{ "limit10_last_quantum", LIMIT10 - (4LL << 20),	4 << 20, 3,
	  (1UL << 41) - 2, ((1UL << 41) - 2) / 3, ((1UL << 41) - 2) % 3, 0 },
	/* Quanta that are no power of two, as LDD3's 4000 bytes. */
	{ "q4000_first",	3999,			4000, 500,  0, 0, 0, 3999 },
	{ "q4000_second",	4000,			4000, 500,  1, 0, 1, 0 },
	{ "q4000_qset1",	500 * 4000 + 1,		4000, 500,  500, 1, 0, 1 },
	{ "q1",			123456789,		1, 1000,    123456789, 123456, 789, 0 },
	{ "q4099",		4099 * 7 + 4098,	4099, 3,    7, 2, 1, 4098 },
	{ "q5000_big",		5000LL * 123456789012LL + 4321, 5000, 1000,
	  123456789012UL, 123456789, 12, 4321 },
	/* 2^63 - 1 = 100 * 92233720368547758 + 7: the last byte below the limit. */
	{ "q100_limit",		LLONG_MAX - 8,		100, 1,
	  92233720368547757UL, 92233720368547757UL, 0, 99 },
};

static void scull_locate_case_desc(const struct scull_locate_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(scull_locate, scull_locate_cases, scull_locate_case_desc);

static void scull_kunit_locate(struct kunit *test)
{
	const struct scull_locate_case *c = test->param_value;
	struct scull_pos p;

	if (PAGE_SIZE != 4096)
		kunit_skip(test, "the table assumes 4 KiB pages");
	if (BITS_PER_LONG < 64 && c->pos >= scull_limit_of(c->quantum))
		kunit_skip(test, "beyond a 32-bit kernel's limit");
	scull_locate(c->pos, c->quantum, c->qset, &p);
	KUNIT_EXPECT_EQ(test, p.qidx, c->qidx);
	KUNIT_EXPECT_EQ(test, p.nr, c->nr);
	KUNIT_EXPECT_EQ(test, p.slot, c->slot);
	KUNIT_EXPECT_EQ(test, p.off, c->off);
}

/*
 * scull_locate(), every order, quanta that are no power of two, and a
 * spread of qsets and offsets: the split is in range and puts the offset
 * back together exactly.
 */
static void scull_kunit_locate_roundtrip(struct kunit *test)
{
	static const unsigned int qsets[] = { 1, 2, 3, 7, 500, 4096, 65535, SCULL_QSET_MAX };
	static const size_t odd[] = { 1, 3, 100, 4000, 4099, 5000, 12289, 1000003 };
	unsigned int n, i, j, bad = 0;

	for (n = 0; n < ORDERS + ARRAY_SIZE(odd); n++) {
		u64 q = n < ORDERS ? PAGE_SIZE << n : odd[n - ORDERS];
		u64 limit = scull_limit_of(q);

		for (i = 0; i < ARRAY_SIZE(qsets); i++) {
			u64 qs = q * qsets[i];
			u64 pos[] = {
				0, 1, q - 1, q, q + 1, 2 * q - 1, qs - 1, qs, qs + 1,
				3 * qs + q / 2, 0x123456789abcdefULL, BIT_ULL(40),
				BIT_ULL(62) + 3, limit - q, limit - 1,
			};

			for (j = 0; j < ARRAY_SIZE(pos); j++) {
				struct scull_pos p;

				if (pos[j] >= limit)
					continue;
				scull_locate(pos[j], q, qsets[i], &p);
				if (p.slot < qsets[i] && p.off < q &&
				    (u64)p.nr * qsets[i] + p.slot == p.qidx &&
				    (u64)p.qidx * q + p.off == pos[j])
					continue;
				if (bad++ < 8)
					KUNIT_FAIL(test,
						   "quantum %llu qset %u pos %llu: qidx %lu nr %lu slot %u off %zu",
						   q, qsets[i], pos[j], p.qidx, p.nr, p.slot,
						   p.off);
			}
		}
	}
	KUNIT_EXPECT_EQ(test, bad, 0U);
}

/* scull_write_fits(): a write must end at or before the limit. */
static void scull_kunit_write_fits(struct kunit *test)
{
	loff_t limit = scull_limit_of(4096);
	u64 room = limit;

	KUNIT_EXPECT_TRUE(test, scull_write_fits(0, 1, limit));
	KUNIT_EXPECT_TRUE(test, scull_write_fits(0, room, limit));
	KUNIT_EXPECT_FALSE(test, scull_write_fits(0, room + 1, limit));
	KUNIT_EXPECT_TRUE(test, scull_write_fits(1, room - 1, limit));
	KUNIT_EXPECT_FALSE(test, scull_write_fits(1, room, limit));
	KUNIT_EXPECT_TRUE(test, scull_write_fits(limit - 1, 1, limit));
	KUNIT_EXPECT_FALSE(test, scull_write_fits(limit - 1, 2, limit));
	KUNIT_EXPECT_TRUE(test, scull_write_fits(limit - 4096, 4096, limit));
	KUNIT_EXPECT_FALSE(test, scull_write_fits(limit, 1, limit));
	KUNIT_EXPECT_FALSE(test, scull_write_fits(LLONG_MAX, 1, limit));
	KUNIT_EXPECT_FALSE(test, scull_write_fits(-1, 1, limit));
	KUNIT_EXPECT_FALSE(test, scull_write_fits(LLONG_MIN, 1, limit));
	/* Counts that would wrap pos + count around. */
	KUNIT_EXPECT_FALSE(test, scull_write_fits(0, SIZE_MAX, limit));
	KUNIT_EXPECT_FALSE(test, scull_write_fits(4096, SIZE_MAX - 4095, limit));
	KUNIT_EXPECT_FALSE(test, scull_write_fits(limit - 1, SIZE_MAX, limit));
	/* The largest order: the limit moves down by a quantum. */
	limit = scull_limit_of(4 << 20);
	KUNIT_EXPECT_TRUE(test, scull_write_fits(limit - 1, 1, limit));
	KUNIT_EXPECT_FALSE(test, scull_write_fits(limit, 1, limit));
}

/* scull_seek_pos(): base + off, in 0..limit, without overflow. */
static void scull_kunit_seek_pos(struct kunit *test)
{
	loff_t limit = scull_limit_of(4096);

	KUNIT_EXPECT_EQ(test, scull_seek_pos(0, 0, limit), 0LL);
	KUNIT_EXPECT_EQ(test, scull_seek_pos(100, -100, limit), 0LL);
	KUNIT_EXPECT_EQ(test, scull_seek_pos(100, -101, limit), (loff_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, scull_seek_pos(0, limit, limit), limit);
	KUNIT_EXPECT_EQ(test, scull_seek_pos(limit - 10, 10, limit), limit);
	KUNIT_EXPECT_EQ(test, scull_seek_pos(limit, 0, limit), limit);
	KUNIT_EXPECT_EQ(test, scull_seek_pos(limit, 1, limit), (loff_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, scull_seek_pos(0, limit + 1, limit), (loff_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, scull_seek_pos(0, -1, limit), (loff_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, scull_seek_pos(0, LLONG_MIN, limit), (loff_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, scull_seek_pos(0, LLONG_MAX, limit), (loff_t)-EINVAL);
	/* base + off overflows loff_t. */
	KUNIT_EXPECT_EQ(test, scull_seek_pos(LLONG_MAX, 1, limit), (loff_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, scull_seek_pos(limit, LLONG_MAX, limit), (loff_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, scull_seek_pos(5, LLONG_MAX, limit), (loff_t)-EINVAL);
	/* ... and comes back in range: still no wrap-around accepted. */
	KUNIT_EXPECT_EQ(test, scull_seek_pos(LLONG_MAX, LLONG_MIN + 1, limit), 0LL);
	KUNIT_EXPECT_EQ(test, scull_seek_pos(LLONG_MAX, -LLONG_MAX, limit), 0LL);
}

/* scull_qset_valid(): 1..SCULL_QSET_MAX (65536). */
static void scull_kunit_qset_valid(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, SCULL_QSET_MAX, 65536U);
	KUNIT_EXPECT_FALSE(test, scull_qset_valid(0));
	KUNIT_EXPECT_TRUE(test, scull_qset_valid(1));
	KUNIT_EXPECT_TRUE(test, scull_qset_valid(500));
	KUNIT_EXPECT_TRUE(test, scull_qset_valid(65536));
	KUNIT_EXPECT_FALSE(test, scull_qset_valid(65537));
	KUNIT_EXPECT_FALSE(test, scull_qset_valid(UINT_MAX));
	KUNIT_EXPECT_FALSE(test, scull_qset_valid((unsigned int)-1));
}

/*
 * scull_compat.h: the largest orders are those of the buddy allocator and
 * of kmalloc(), whatever the kernel calls MAX_ORDER; 10 on x86_64.
 */
static void scull_kunit_max_orders(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1UL << SCULL_MAX_PAGE_ORDER, (unsigned long)MAX_ORDER_NR_PAGES);
	KUNIT_EXPECT_EQ(test, PAGE_SIZE << SCULL_MAX_KMALLOC_ORDER,
			(unsigned long)KMALLOC_MAX_SIZE);
	if (IS_ENABLED(CONFIG_X86_64) && PAGE_SIZE == 4096) {
		KUNIT_EXPECT_EQ(test, SCULL_MAX_PAGE_ORDER, 10);
		KUNIT_EXPECT_EQ(test, SCULL_MAX_KMALLOC_ORDER, 10);
	}
	/* Every order the backends take keeps quanta and limits in range. */
	KUNIT_EXPECT_LT(test, PAGE_SHIFT + SCULL_MAX_PAGE_ORDER, 63UL);
	KUNIT_EXPECT_GT(test, scull_limit_of(PAGE_SIZE << SCULL_MAX_PAGE_ORDER), 0LL);
	KUNIT_EXPECT_LE(test, (u64)PAGE_SIZE << SCULL_MAX_PAGE_ORDER, SCULL_QUANTUM_MAX);
}

/* Order, quantum and qset validation, as insmod and the SET ioctls apply it. */
static void scull_kunit_geometry_valid(struct kunit *test)
{
	unsigned int order;

	for (order = 0; order < ORDERS; order++) {
		KUNIT_EXPECT_EQ(test, scull_quantum_size_of(order), PAGE_SIZE << order);
		KUNIT_EXPECT_EQ(test, scull_quantum_size_of(order),
				scull_quantum_size(scull_kunit_dev(test, order, 1)));
		KUNIT_EXPECT_TRUE(test, scull_order_valid(order, 10));
	}
	KUNIT_EXPECT_FALSE(test, scull_order_valid(11, 10));
	KUNIT_EXPECT_FALSE(test, scull_order_valid(3, 2));
	KUNIT_EXPECT_FALSE(test, scull_order_valid(UINT_MAX, UINT_MAX));
	/* Quanta stay below 2^32 bytes, whatever the allocator could give. */
	KUNIT_EXPECT_TRUE(test, scull_order_valid(31 - PAGE_SHIFT, UINT_MAX));
	KUNIT_EXPECT_FALSE(test, scull_order_valid(32 - PAGE_SHIFT, UINT_MAX));
	KUNIT_EXPECT_EQ(test, scull_quantum_max(UINT_MAX), SCULL_QUANTUM_MAX);
	KUNIT_EXPECT_EQ(test, scull_quantum_max(0), (u64)PAGE_SIZE);

	KUNIT_EXPECT_TRUE(test, scull_geometry_valid(PAGE_SIZE, 500, 10));
	KUNIT_EXPECT_TRUE(test, scull_geometry_valid(1, 500, 0));
	KUNIT_EXPECT_TRUE(test, scull_geometry_valid(4000, 500, 0));
	KUNIT_EXPECT_TRUE(test, scull_geometry_valid(PAGE_SIZE << 10, 1, 10));
	KUNIT_EXPECT_TRUE(test, scull_geometry_valid(PAGE_SIZE << 10, SCULL_QSET_MAX, 10));
	KUNIT_EXPECT_FALSE(test, scull_geometry_valid((PAGE_SIZE << 10) + 1, 500, 10));
	KUNIT_EXPECT_FALSE(test, scull_geometry_valid(PAGE_SIZE + 1, 500, 0));
	KUNIT_EXPECT_FALSE(test, scull_geometry_valid(0, 500, 10));
	KUNIT_EXPECT_FALSE(test, scull_geometry_valid(PAGE_SIZE, 0, 10));
	KUNIT_EXPECT_FALSE(test, scull_geometry_valid(PAGE_SIZE, SCULL_QSET_MAX + 1, 10));
	KUNIT_EXPECT_FALSE(test, scull_quantum_valid(SCULL_QUANTUM_MAX + 1, UINT_MAX));
	KUNIT_EXPECT_TRUE(test, scull_quantum_valid(SCULL_QUANTUM_MAX, UINT_MAX));
}

static struct kunit_case scull_kunit_cases[] = {
	KUNIT_CASE(scull_kunit_quantum_size),
	KUNIT_CASE(scull_kunit_limit),
	KUNIT_CASE(scull_kunit_limit_bytes),
	KUNIT_CASE_PARAM(scull_kunit_locate, scull_locate_gen_params),
	KUNIT_CASE(scull_kunit_locate_roundtrip),
	KUNIT_CASE(scull_kunit_write_fits),
	KUNIT_CASE(scull_kunit_seek_pos),
	KUNIT_CASE(scull_kunit_qset_valid),
	KUNIT_CASE(scull_kunit_max_orders),
	KUNIT_CASE(scull_kunit_geometry_valid),
	{}
};

static struct kunit_suite scull_kunit_suite = {
	.name = "scullmem",
	.test_cases = scull_kunit_cases,
};

kunit_test_suite(scull_kunit_suite);

MODULE_DESCRIPTION("KUnit tests of the scullmem geometry helpers");
MODULE_LICENSE("GPL");
