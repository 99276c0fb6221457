/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the test programs share: the running kernel's version, and what
 * follows from it for the devices.
 */
#ifndef _SCULL_TESTLIB_H
#define _SCULL_TESTLIB_H

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

/* The running kernel is at least major.minor. */
static inline int kernel_at_least(int major, int minor)
{
	struct utsname u;
	int a = 0, b = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return 1;
	return a > major || (a == major && b >= minor);
}

/*
 * scullk's quanta can be mapped when they are compound pages from the page
 * allocator (order 2 and up: above KMALLOC_MAX_CACHE_SIZE) on kernels
 * before 6.17; since 6.17 large kmalloc buffers have a page type of their
 * own and cannot be mapped at all (see scull_compat.h).
 */
static inline int kmalloc_mappable(unsigned int order)
{
	return order >= 2 && !kernel_at_least(6, 17);
}

/*
 * Can quanta of device @dev ("scullk") at @order be mapped?  scullc's are
 * slab objects at every order, which must never be; scullk's as above;
 * the others' are whole pages.
 */
static inline int scull_mappable(const char *dev, unsigned int order)
{
	if (!strcmp(dev, "scullc"))
		return 0;
	if (!strcmp(dev, "scullk"))
		return kmalloc_mappable(order);
	return 1;
}

/*
 * The width of the running kernel's unsigned long: 32 on the 32-bit
 * kernels the tests boot (i386's i686), 64 on the others.  A device's
 * quantum index is one, so its limit depends on it (scullmem.h).
 */
static inline int kernel_long_bits(void)
{
	struct utsname u;

	if (uname(&u))
		return 64;
	return (u.machine[0] == 'i' && !strcmp(u.machine + 2, "86")) ||
	       !strncmp(u.machine, "armv", 4) ? 32 : 64;
}

/*
 * The first byte past what a device of quanta of 4096 << @order addresses:
 * on a 32-bit kernel 2^32 - 1 quanta (an index and the next must fit in
 * an unsigned long), else whole quanta below 2^63.
 */
static inline long long scull_limit_of(unsigned int order)
{
	int bits = kernel_long_bits() + 12 + order;

	if (bits < 63)
		return (1LL << bits) - (4096LL << order);
	return 0x7fffffffffffffffLL & ~((4096LL << order) - 1);
}

#endif /* _SCULL_TESTLIB_H */
