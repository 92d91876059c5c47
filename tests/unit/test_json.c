// SPDX-License-Identifier: MIT
/*
 * test_json.c - JSON string escaping keeps every output valid JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "../../writer/json.h"
#include "test.h"

struct json_case {
	const char *in;
	size_t len;
	const char *want;
};

static const struct json_case cases[] = {
	{ "plain", 5, "\"plain\"" },
	{ "a\"b\\c", 5, "\"a\\\"b\\\\c\"" },
	{ "l1\nl2\t\r", 7, "\"l1\\nl2\\t\\r\"" },
	{ "\x1b[31m", 5, "\"\\u001b[31m\"" },
	{ "caf\xc3\xa9", 5, "\"caf\xc3\xa9\"" },
	{ "bad\xff\xfe", 5, "\"bad\\u00ff\\u00fe\"" },
	{ "cut\xe2\x82", 5, "\"cut\\u00e2\\u0082\"" },
	{ "over\xc0\xaf", 6, "\"over\\u00c0\\u00af\"" },
	{ "nul\0x", 5, "\"nul\\u0000x\"" },
	{ "del\x7f", 4, "\"del\\u007f\"" },
};

int main(void)
{
	struct test_stats st = {};
	char name[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = NULL;
		size_t size = 0;
		FILE *f = open_memstream(&got, &size);

		json_write_strn(f, cases[i].in, cases[i].len);
		fclose(f);
		snprintf(name, sizeof(name), "json escape case %zu", i);
		CHECK(&st, !strcmp(got, cases[i].want), name, "got %s want %s", got,
		      cases[i].want);
		free(got);
	}
	return st.failed ? 1 : 0;
}
