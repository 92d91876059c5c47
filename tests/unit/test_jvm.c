// SPDX-License-Identifier: MIT
/*
 * test_jvm.c - HotSpot's compressed streams as the Java frame reader
 * decodes them (lang-adapters/jvmstream.c): line number tables written as
 * CompressedLineNumberWriteStream writes them (short pairs, escaped wide
 * ones, entries out of bci order), scope descriptors as
 * DebugInformationRecorder writes them (UNSIGNED5 ints, a chain of
 * senders), class names.
 */
#include <stdio.h>
#include <string.h>

#include "../../lang-adapters/jvm.h"
#include "test.h"

/* UNSIGNED5 as CompressedWriteStream::write_int writes it. */
static size_t put_u5(uint8_t *b, uint32_t v)
{
	size_t n = 0;

	while (v >= 192 && n < 4) {
		b[n++] = (uint8_t)(192 + (v - 192) % 64);
		v = (v - 192) / 64;
	}
	b[n++] = (uint8_t)v;
	return n;
}

static size_t put_s5(uint8_t *b, int v)
{
	return put_u5(b, ((uint32_t)v << 1) ^ (uint32_t)(v >> 31));
}

/* One pair as CompressedLineNumberWriteStream::write_pair_inline writes it. */
static size_t put_pair(uint8_t *b, int dbci, int dline)
{
	size_t n = 1;

	if (dbci >= 0 && dbci < 32 && dline >= 0 && dline < 8) {
		b[0] = (uint8_t)((dbci << 3) | dline);
		return 1;
	}
	b[0] = 0xFF;
	n += put_s5(b + n, dbci);
	n += put_s5(b + n, dline);
	return n;
}

static void test_lines(struct test_stats *st)
{
	static const struct { int bci, line; } want[] = {
		{ 0, 10 }, { 1, 10 }, { 2, 9 }, { 3, 9 }, { 4, 11 }, { 299, 11 }, { 300, 40 },
		{ 5000, 40 },
	};
	uint8_t t[64];
	size_t n = 0, i;
	int bad = -1;

	/* bci 0 line 10, bci 4 line 11, bci 300 line 40 (an escaped pair), then
	 * bci 2 line 9: out of bci order, negative deltas */
	n += put_pair(t + n, 0, 10);
	n += put_pair(t + n, 4, 1);
	n += put_pair(t + n, 296, 29);
	n += put_pair(t + n, -298, -31);
	t[n++] = 0;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (jvm_line_of(t, n, want[i].bci) != want[i].line)
			bad = (int)i;
	}
	CHECK(st, bad < 0, "jvm lines: the exact bci, else the closest below, in any order",
	      "bci %d: %d", bad < 0 ? 0 : want[bad].bci,
	      bad < 0 ? 0 : jvm_line_of(t, n, want[bad].bci));
	/* cut before its last pair's line delta (and its end) */
	CHECK(st, jvm_line_of(t, n - 2, 3) == 0 && jvm_line_of(t + n - 1, 1, 3) == 0,
	      "jvm lines: a table cut inside an escaped pair, an empty one: no line", "%d",
	      jvm_line_of(t, n - 2, 3));
}

static void test_scopes(struct test_stats *st)
{
	uint8_t d[64] = { 0 };	/* offset 0 is the recorder's "no scope" */
	size_t n = 1, outer, inner;
	uint32_t s1 = 9, i1 = 9, s2 = 9, i2 = 9, s3, i3;
	int b1 = 9, b2 = 9, b3, r1, r2;

	outer = n;		/* the compiled method itself, at bci 1000 (a wide int) */
	n += put_u5(d + n, 0);
	n += put_u5(d + n, 1);
	n += put_u5(d + n, 1000 + 1);
	n += put_u5(d + n, 0);	/* its locals, expressions, monitors */
	n += put_u5(d + n, 0);
	n += put_u5(d + n, 0);
	inner = n;		/* inlined into it, at bci 7 */
	n += put_u5(d + n, (uint32_t)outer);
	n += put_u5(d + n, 2);
	n += put_u5(d + n, 7 + 1);
	r1 = jvm_scope_at(d, n, (uint32_t)inner, &s1, &i1, &b1);
	r2 = jvm_scope_at(d, n, s1, &s2, &i2, &b2);
	CHECK(st, !r1 && s1 == outer && i1 == 2 && b1 == 7 && !r2 && s2 == 0 && i2 == 1 &&
	      b2 == 1000, "jvm scopes: an inlined method's scope, then its sender's",
	      "%d %u %u %d / %d %u %u %d", r1, s1, i1, b1, r2, s2, i2, b2);
	r1 = jvm_scope_at(d, n, 0, &s3, &i3, &b3);
	r2 = jvm_scope_at(d, n, (uint32_t)n, &s3, &i3, &b3);
	d[outer] = (uint8_t)inner;	/* a sender written after its callee: a loop */
	CHECK(st, r1 == -22 && r2 == -22 && jvm_scope_at(d, n, (uint32_t)outer, &s3, &i3, &b3) ==
	      -22, "jvm scopes: no scope, past the data, a sender after its callee: refused",
	      "%d %d", r1, r2);
}

static void test_names(struct test_stats *st)
{
	char name[] = "java/util/Arrays";

	jvm_dotted(name);
	CHECK(st, !strcmp(name, "java.util.Arrays"), "jvm names: a class name as Java writes it",
	      "%s", name);
}

int main(void)
{
	struct test_stats st = {};

	test_lines(&st);
	test_scopes(&st);
	test_names(&st);
	return st.failed ? 1 : 0;
}
