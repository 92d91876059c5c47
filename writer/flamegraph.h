/* SPDX-License-Identifier: MIT */
/*
 * flamegraph.h - folded stacks (folded.h) drawn as a self-contained SVG
 * flame graph: hover shows a frame's name and share, a click zooms into
 * it. Debian ships no flame graph tool; this needs none.
 */
#ifndef USDTRACE_FLAMEGRAPH_H
#define USDTRACE_FLAMEGRAPH_H

#include "folded.h"

/*
 * Draw @f to @path, titled @title, values in @unit ("hits", "calls",
 * "ns"). Returns 0 or -errno.
 */
int flamegraph__write(const struct folded *f, const char *path, const char *title,
		      const char *unit);

#endif /* USDTRACE_FLAMEGRAPH_H */
