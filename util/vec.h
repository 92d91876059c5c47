/* SPDX-License-Identifier: MIT */
/*
 * vec.h - the one growable array of the project: room for @need elements
 * in an array that doubles, its size checked for overflow (libbpf's
 * libbpf_ensure_mem is the model). The lowest layer: libc only, included
 * by every folder, owns nothing; the caller owns the array and frees it.
 */
#ifndef USDTRACE_VEC_H
#define USDTRACE_VEC_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * Make *@arr (capacity *@cap elements of @elem bytes) hold at least @need,
 * doubling from @first. The contents are kept; on failure *@arr and *@cap
 * are untouched. 0, or -ENOMEM (out of memory, or a size past SIZE_MAX).
 */
static inline int vec__reserve(void **arr, size_t *cap, size_t need, size_t elem,
			       size_t first)
{
	size_t n = *cap ? *cap : first;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	if (!elem || n > SIZE_MAX / elem)
		return -ENOMEM;
	p = realloc(*arr, n * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

/* Room for @need elements in the array @arr of capacity @cap (a size_t lvalue). */
#define VEC_RESERVE(arr, cap, need) \
	vec__reserve((void **)&(arr), &(cap), (need), sizeof(*(arr)), 16)

#endif /* USDTRACE_VEC_H */
