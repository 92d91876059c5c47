// SPDX-License-Identifier: MIT
/*
 * test_objects.c - /proc/PID/maps lines and ld.so.cache lookups from bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "../../attach/objects.h"
#include "../../attach/proctree.h"
#include "test.h"

static void test_maps(struct test_stats *st)
{
	char l1[] = "7f1c2a400000-7f1c2a428000 r--p 00000000 fe:01 1835 "
		    "   /usr/lib/x86_64-linux-gnu/libc.so.6\n";
	char l2[] = "55d4c8a1b000-55d4c8a3c000 rw-p 00000000 00:00 0   [heap]\n";
	char l3[] = "7f00 r--p";
	char l4[] = "7f1c2a400000-7f1c2a428000 r-xp 00000000 00:05 99 /memfd:x (deleted)\n";
	char l5[] = "7f1c2a400000-7f1c2a428000 r-xp 00000000 08:02 77 /opt/my app/lib x.so\n";
	struct maps_entry e = {};

	CHECK(st, !maps_line__parse(l1, &e) &&
	      !strcmp(e.path, "/usr/lib/x86_64-linux-gnu/libc.so.6") &&
	      e.dev == makedev(0xfe, 1) && e.ino == 1835 && e.start == 0x7f1c2a400000 &&
	      e.end == 0x7f1c2a428000, "maps file line", "path %s", e.path);
	CHECK(st, maps_line__parse(l2, &e) == -ENOENT, "maps heap line", "accepted");
	CHECK(st, maps_line__parse(l3, &e) == -EINVAL, "maps garbage line", "accepted");
	CHECK(st, maps_line__parse(l4, &e) == -ENOENT, "maps deleted file line",
	      "accepted");
	CHECK(st, !maps_line__parse(l5, &e) && !strcmp(e.path, "/opt/my app/lib x.so"),
	      "maps path with blanks", "path %s", e.path);
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void test_ldcache(struct test_stats *st)
{
	unsigned char c[256] = "glibc-ld.so.cache1.1";
	const char *hit;
	size_t strings = 48 + 2 * 24;

	put32(c + 20, 2);			/* nlibs */
	/* entry 0: an i386 library, entry 1: the x86-64 one */
	put32(c + 48, 0x0003);
	put32(c + 52, (uint32_t)strings);
	put32(c + 56, (uint32_t)strings + 10);
	put32(c + 72, 0x0303);
	put32(c + 76, (uint32_t)strings);
	put32(c + 80, (uint32_t)strings + 30);
	memcpy(c + strings, "libx.so.1", 10);
	memcpy(c + strings + 10, "/lib32/libx.so.1", 17);
	memcpy(c + strings + 30, "/lib64/libx.so.1", 17);

	hit = ldcache_lookup(c, sizeof(c), "libx.so.1", 0x0303);
	CHECK(st, hit && !strcmp(hit, "/lib64/libx.so.1"), "ldcache host flags",
	      "got %s", hit ? hit : "NULL");
	hit = ldcache_lookup(c, sizeof(c), "liby.so.1", 0x0303);
	CHECK(st, !hit, "ldcache miss", "got %s", hit);
	put32(c + 20, 1000000);
	CHECK(st, !ldcache_lookup(c, sizeof(c), "libx.so.1", 0x0303),
	      "ldcache nlibs past the end", "accepted");
	put32(c + 20, 2);
	put32(c + 80, 100000);
	CHECK(st, !ldcache_lookup(c, sizeof(c), "libx.so.1", 0x0303),
	      "ldcache string offset past the end", "accepted");
	CHECK(st, !ldcache_lookup(c, 20, "libx.so.1", 0x0303), "ldcache short",
	      "accepted");
}

static void test_list(struct test_stats *st)
{
	struct object_list l = {};
	int err = 0;

	err |= object_list__add(&l, "/a", "/proc/1/root/a", 1, 10);
	err |= object_list__add(&l, "/b", "/proc/1/root/b", 1, 10);	/* same inode */
	err |= object_list__add(&l, "/a", "/proc/1/root/a", 1, 11);	/* same path */
	err |= object_list__add(&l, "/c", "/c", 0, 0);
	CHECK(st, !err && l.nr == 2 && !strcmp(l.objs[1].path, "/c"),
	      "object list dedup by path and inode", "nr %zu", l.nr);
	object_list__free(&l);
	object_list__free(NULL);
}

/* --follow's processes already there: a postmaster, its backends, a grandchild. */
static void test_proctree(struct test_stats *st)
{
	struct proc_link links[] = {
		{ 1, 0 }, { 100, 1 }, { 101, 100 }, { 102, 100 }, { 200, 1 }, { 103, 101 },
		{ 104, 102 }, { 300, 200 }, { 105, 100 },
	};
	struct proc_link l;
	pid_t out[9], root = 100;
	size_t n = proctree_descendants(links, 9, &root, 1, out);
	int seen = 0;
	size_t k;

	for (k = 0; k < n; k++)
		seen |= out[k] >= 101 && out[k] <= 105 ? 1 << (out[k] - 101) : 1 << 8;
	CHECK(st, n == 5 && seen == 0x1f, "proctree: children and grandchildren of 100, only",
	      "n=%zu seen=%#x", n, seen);
	root = 999;
	CHECK(st, proctree_descendants(links, 9, &root, 1, out) == 0,
	      "proctree: a root without children has none", "some");
	CHECK(st, !proctree_parse_stat("4242 (post) ma(ster) S 17 4242 4242 0", &l) &&
	      l.pid == 4242 && l.ppid == 17, "proctree: stat with ') ' in comm", "%d %d",
	      (int)l.pid, (int)l.ppid);
	CHECK(st, proctree_parse_stat("4242 (post", &l) == -EINVAL,
	      "proctree: a cut stat refused", "accepted");
}

int main(void)
{
	struct test_stats st = {};

	test_maps(&st);
	test_ldcache(&st);
	test_list(&st);
	test_proctree(&st);
	return st.failed ? 1 : 0;
}
