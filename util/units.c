// SPDX-License-Identifier: MIT
/*
 * units.c - durations and sizes with their units (units.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "units.h"

static const struct {
	const char *unit;
	double ns;
} durations[] = {
	{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
};

int units_duration_ns(const char *s, double bare_ns, uint64_t *ns)
{
	size_t digits = s ? strspn(s, "0123456789.") : 0;
	double v, per = 0;
	char *end;
	size_t i;

	if (!digits)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	/* the number as written: digits and a point (no sign, exponent, hex) */
	if (errno || end != s + digits || !isfinite(v) || v <= 0)
		return -EINVAL;
	if (!*end)
		per = bare_ns;
	for (i = 0; *end && i < sizeof(durations) / sizeof(durations[0]); i++) {
		if (!strcmp(end, durations[i].unit))
			per = durations[i].ns;
	}
	if (per <= 0)
		return -EINVAL;
	v *= per;
	if (v < 1)
		return -EINVAL;		/* under a nanosecond: nothing */
	if (v >= 9.2e18)
		return -ERANGE;
	*ns = (uint64_t)(v + 0.5);
	return 0;
}

int units_size(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end) {
		static const char units[] = "kmg";
		const char *u = strchr(units, end[0] | 0x20);

		/* k, K, KB, KiB: binary multiples all */
		if (!u || (end[1] && strcasecmp(end + 1, "iB") && strcasecmp(end + 1, "B")))
			return -EINVAL;
		shift = 10 * (unsigned int)(u - units + 1);
	}
	if (v > (1ULL << 62) >> shift)
		return -ERANGE;
	*bytes = (uint64_t)v << shift;
	return 0;
}
