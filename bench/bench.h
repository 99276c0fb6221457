/* SPDX-License-Identifier: GPL-2.0 */
/* Timing helpers shared by the bench's programs. */
#ifndef SCULL_BENCH_H
#define SCULL_BENCH_H

#include <stdlib.h>
#include <time.h>

#define MIB (1UL << 20)

/* Seconds on the monotonic clock. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of v[0..n), which it sorts. */
static inline double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif /* SCULL_BENCH_H */
