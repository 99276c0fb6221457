/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers proposed for scullmem.h, which tests/kunit does not own: with
 * `make SCULL_KUNIT_PROPOSED=1` the tests run against this copy.  Once
 * scullmem.h has them (and defines SCULL_HAVE_GEOMETRY_VALID), this file
 * is not needed and includes nothing.
 */
#ifndef _SCULL_KUNIT_PROPOSED_H
#define _SCULL_KUNIT_PROPOSED_H

#ifndef SCULL_HAVE_GEOMETRY_VALID
#define SCULL_HAVE_GEOMETRY_VALID

/* Quantum shift and size for @order, before there is a device. */
static inline unsigned int scull_quantum_shift_of(unsigned int order)
{
	return PAGE_SHIFT + order;
}

static inline size_t scull_quantum_size_of(unsigned int order)
{
	return PAGE_SIZE << order;
}

/*
 * May a device whose allocator serves orders 0..@max_order use quanta of
 * @order in qsets of @qset?  The order is also checked against the
 * arithmetic: a quantum shift of 63 or more would overflow size_t quanta
 * and leave no byte below the 2^63 limit.
 */
static inline bool scull_geometry_valid(unsigned int order, unsigned int qset,
					unsigned int max_order)
{
	return order <= max_order && order < 63 - PAGE_SHIFT &&
	       scull_qset_valid(qset);
}

#endif /* SCULL_HAVE_GEOMETRY_VALID */
#endif /* _SCULL_KUNIT_PROPOSED_H */
