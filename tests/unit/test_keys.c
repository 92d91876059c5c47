// SPDX-License-Identifier: MIT
/*
 * test_keys.c - the key layout that is the contract with BPF
 * (attach/key_layout.c), the keyed-row table of the results layer
 * (agg/keytab.c), and count's table written from it (writer/keys.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../agg/keytab.h"
#include "../../attach/key_layout.h"
#include "../../writer/keys.h"
#include "test.h"

static void parse(const char *text, struct probe_spec *p)
{
	const char *why;

	if (probe_spec__parse(text, p, &why))
		abort();
}

static void test_layout(struct test_stats *st)
{
	struct probe_spec p[2];
	struct key_layout l;
	char err[160] = "";
	int rc;

	parse("sample:str(s,d)", &p[0]);
	rc = key_layout__make("probe", p, 1, 64, &l, err, sizeof(err));
	CHECK(st, !rc && l.nr == 0 && !l.site && l.key_size == UT_KEY_HEAD,
	      "layout: probe alone is the head only", "rc %d nr %d size %u", rc, l.nr, l.key_size);
	rc = key_layout__make("site", p, 1, 64, &l, err, sizeof(err));
	CHECK(st, !rc && l.nr == 0 && l.site, "layout: site is no part, a row per site",
	      "rc %d nr %d", rc, l.nr);
	rc = key_layout__make("arg0,pid,arg1", p, 1, 64, &l, err, sizeof(err));
	/* fixed parts first (pid 4 bytes at 8, arg1 8-aligned at 16), the string last */
	CHECK(st, !rc && l.nr == 3 && l.parts[1].kind == UT_KEY_PID && l.parts[1].off == 8 &&
	      l.parts[2].kind == UT_KEY_ARG && l.parts[2].off == 16 &&
	      l.parts[0].kind == UT_KEY_ARG_STR && l.parts[0].off == 24 &&
	      l.parts[0].size == 64 && l.key_size == 88,
	      "layout: numbers aligned first, strings last", "off %u %u %u size %u",
	      l.parts[0].off, l.parts[1].off, l.parts[2].off, l.key_size);
	rc = key_layout__make("arg0,arg1", p, 1, 4096, &l, err, sizeof(err));
	CHECK(st, !rc && l.key_size <= UT_KEY_MAX && l.parts[0].off + l.parts[0].size <= UT_KEY_MAX,
	      "layout: a long --strlen still fits the key", "size %u", l.key_size);
	parse("sample:str(d,d)", &p[1]);
	rc = key_layout__make("arg0", p, 2, 64, &l, err, sizeof(err));
	CHECK(st, rc == -EINVAL && strstr(err, "a string in one probe"),
	      "layout: an argument a string in one probe and a number in another is refused",
	      "rc %d %s", rc, err);
	rc = key_layout__make("pid,tid,comm,arg0,arg1", p, 1, 64, &l, err, sizeof(err));
	CHECK(st, rc == -EINVAL, "layout: at most UT_MAX_KEYS parts", "rc %d", rc);
	rc = key_layout__make("pid", p, 1, 64, &l, err, sizeof(err));
	rc = rc ? rc : key_layout__add_stack(&l);
	CHECK(st, !rc && l.nr == 2 && l.parts[1].kind == UT_KEY_USTACK && l.parts[1].off == 16 &&
	      l.key_size == 32, "layout: the FP stack part after pid, 8-aligned",
	      "rc %d off %u size %u", rc, l.parts[1].off, l.key_size);
	CHECK(st, key_layout__valid("site,pid,arg11") && !key_layout__valid("arg12") &&
	      !key_layout__valid("pid,") && !key_layout__valid("arg01") &&
	      !key_layout__valid("stack"), "layout: the --by words", "valid");
	probe_spec__free(&p[0]);
	probe_spec__free(&p[1]);
}

static void make_key(uint8_t *key, uint32_t site, uint32_t pid, uint8_t faults)
{
	struct ut_key_head h = { .site_id = site, .faults = faults };

	memset(key, 0, UT_KEY_MAX);
	memcpy(key, &h, sizeof(h));
	memcpy(key + UT_KEY_HEAD, &pid, sizeof(pid));
}

static void test_table(struct test_stats *st)
{
	struct key_layout l = { .nr = 1, .key_size = 16,
				.parts = { { .kind = UT_KEY_PID, .off = 8, .size = 4 } } };
	struct site_info a1 = { .label = "p:a", .object = "/x", .offset = 1 };
	struct site_info a2 = { .label = "p:a", .object = "/x", .offset = 2 };
	struct site_info b = { .label = "p:b", .object = "/x", .offset = 3 };
	uint8_t key[UT_KEY_MAX];
	struct keytab t;
	struct keytab_row *r;
	bool fresh;
	uint32_t i;
	int ok = 1;

	keytab__init(&t, &l, sizeof(struct keytab_row));
	make_key(key, 0, 7, 0);
	r = keytab__row(&t, &a1, key, &fresh);
	r->total += 5;
	make_key(key, 1, 7, 0);		/* the probe's other site: the same row */
	r = keytab__row(&t, &a2, key, &fresh);
	r->total += 6;
	CHECK(st, t.nr == 1 && !fresh && r->total == 11, "table: the sites of a probe merge",
	      "nr %zu total %llu", t.nr, (unsigned long long)r->total);
	make_key(key, 2, 7, 0);
	keytab__row(&t, &b, key, &fresh)->total = 20;
	make_key(key, 0, 8, 0);
	keytab__row(&t, &a1, key, &fresh)->total = 1;
	CHECK(st, t.nr == 3 && fresh, "table: another probe or pid is another row", "nr %zu", t.nr);
	keytab__sort(&t, NULL);
	CHECK(st, keytab__at(&t, 0)->total == 20 && keytab__at(&t, 2)->total == 1 &&
	      keytab__sum(&t) == 32, "table: sorted by total, largest first", "sum %llu",
	      (unsigned long long)keytab__sum(&t));
	make_key(key, 0, 7, 0);
	r = keytab__row(&t, &a1, key, &fresh);
	CHECK(st, !fresh && r->total == 11, "table: found again after sorting", "fresh %d", fresh);
	keytab__advance(&t);
	keytab__zero(&t);
	r->total = 15;
	CHECK(st, r->total - r->prev == 4, "table: an interval is total - prev", "%llu",
	      (unsigned long long)(r->total - r->prev));
	for (i = 0; i < 20000; i++) {	/* the index grows past its first size */
		make_key(key, 0, 100 + i, 0);
		r = keytab__row(&t, &a1, key, &fresh);
		ok &= r && fresh;
		r->total = i;
	}
	for (i = 0; i < 20000; i++) {
		make_key(key, 0, 100 + i, 0);
		r = keytab__row(&t, &a1, key, &fresh);
		ok &= r && !fresh && r->total == i;
	}
	CHECK(st, ok && t.nr == 20003, "table: 20,000 keys found by key", "nr %zu", t.nr);
	keytab__free(&t);
}

static char *render(const struct keytab *t, const struct count_table_view *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	count_table__write(f, t, v);
	fclose(f);
	return buf;
}

static void test_write(struct test_stats *st)
{
	struct key_layout l = { .nr = 1, .key_size = 16,
				.parts = { { .kind = UT_KEY_PID, .off = 8, .size = 4 } } };
	struct site_info a = { .label = "p:a", .object = "/x", .offset = 1 };
	struct count_table_view v = { .final = true };
	uint8_t key[UT_KEY_MAX];
	struct keytab t;
	bool fresh;
	char *out;

	keytab__init(&t, &l, 0);
	make_key(key, 0, 7, 0);
	keytab__row(&t, &a, key, &fresh)->total = 12;
	make_key(key, 0, 123456, 0);
	keytab__row(&t, &a, key, &fresh)->total = 3;
	make_key(key, 0, 0, 1);		/* the pid could not be read */
	keytab__row(&t, &a, key, &fresh)->total = 1;
	keytab__sort(&t, NULL);
	out = render(&t, &v);
	CHECK(st, !strcmp(out, "PROBE  pid             COUNT\n"
			       "p:a    7                  12\n"
			       "p:a    123456              3\n"
			       "p:a    <fault>             1\n"),
	      "write: text columns aligned, a fault said", "\n%s", out);
	free(out);
	v.json = true;
	v.overflow = 9;
	v.top = 1;
	out = render(&t, &v);
	CHECK(st, !strcmp(out, "{\"type\":\"count\",\"probe\":\"p:a\",\"pid\":7,\"count\":12}\n"
			       "{\"type\":\"count\",\"overflow\":true,\"count\":9}\n"),
	      "write: JSON records, -n, the overflow record", "\n%s", out);
	free(out);
	keytab__free(&t);
}

int main(void)
{
	struct test_stats st = {};

	test_layout(&st);
	test_table(&st);
	test_write(&st);
	return st.failed ? 1 : 0;
}
