// SPDX-License-Identifier: MIT
/*
 * test_note.c - stapsdt notes decoded from byte arrays: both classes, both
 * byte orders, whole sections with foreign notes, and every truncation.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../sdt/sdt.h"
#include "test.h"

struct buf {
	unsigned char b[512];
	size_t len;
};

static void put(struct buf *b, uint64_t v, size_t size, int data)
{
	size_t i;

	for (i = 0; i < size; i++) {
		size_t shift = data == ELFDATA2LSB ? i : size - 1 - i;

		b->b[b->len++] = (unsigned char)(v >> (8 * shift));
	}
}

static void put_str(struct buf *b, const char *s)
{
	size_t n = strlen(s) + 1;

	memcpy(b->b + b->len, s, n);
	b->len += n;
}

static void make_desc(struct buf *b, int cls, int data, uint64_t loc, uint64_t base,
		      uint64_t sem, const char *prov, const char *name, const char *args)
{
	size_t w = cls == ELFCLASS64 ? 8 : 4;

	b->len = 0;
	put(b, loc, w, data);
	put(b, base, w, data);
	put(b, sem, w, data);
	put_str(b, prov);
	put_str(b, name);
	put_str(b, args);
}

/* A whole note (header + "stapsdt" + desc), 4-byte aligned. */
static void append_note(struct buf *sec, int data, uint32_t type, const char *owner,
			const struct buf *desc)
{
	size_t nlen = strlen(owner) + 1;

	put(sec, nlen, 4, data);
	put(sec, desc->len, 4, data);
	put(sec, type, 4, data);
	memcpy(sec->b + sec->len, owner, nlen);
	sec->len = (sec->len + nlen + 3) & ~(size_t)3;
	memcpy(sec->b + sec->len, desc->b, desc->len);
	sec->len = (sec->len + desc->len + 3) & ~(size_t)3;
}

static void test_decode(struct test_stats *st)
{
	static const int classes[] = { ELFCLASS32, ELFCLASS64 };
	static const int datas[] = { ELFDATA2LSB, ELFDATA2MSB };
	char name[64];
	size_t i, j;

	for (i = 0; i < 2; i++) {
		for (j = 0; j < 2; j++) {
			struct sdt_note n;
			struct buf b;
			uint64_t big = classes[i] == ELFCLASS64 ? 0x1122334455667788ULL :
				       0x11223344;
			int err;

			make_desc(&b, classes[i], datas[j], big, 0x2000, 0x4010, "prov",
				  "name", "-4@%eax 8@%rbx");
			err = sdt_note_parse(b.b, b.len, classes[i], datas[j], &n);
			snprintf(name, sizeof(name), "note decode class %d data %d",
				 classes[i], datas[j]);
			CHECK(st, !err && n.location == big && n.base == 0x2000 &&
			      n.semaphore == 0x4010 && !strcmp(n.provider, "prov") &&
			      !strcmp(n.name, "name") && !strcmp(n.args, "-4@%eax 8@%rbx"),
			      name, "err %d loc %llx", err, (unsigned long long)n.location);
		}
	}
}

/* Every prefix of a valid descriptor must be refused, never over-read. */
static void test_truncated(struct test_stats *st)
{
	struct sdt_note n;
	struct buf b;
	size_t cut;
	int bad = 0;

	make_desc(&b, ELFCLASS64, ELFDATA2LSB, 1, 2, 3, "p", "n", "8@%rax");
	for (cut = 0; cut < b.len; cut++) {
		/* a heap copy of exactly @cut bytes lets valgrind/ASan catch over-reads */
		unsigned char *copy = malloc(cut ? cut : 1);

		memcpy(copy, b.b, cut);
		if (sdt_note_parse(copy, cut, ELFCLASS64, ELFDATA2LSB, &n) != -EBADMSG)
			bad++;
		free(copy);
	}
	CHECK(st, !bad, "note every truncation refused", "%d prefixes accepted", bad);
	CHECK(st, !sdt_note_parse(b.b, b.len, ELFCLASS64, ELFDATA2LSB, &n),
	      "note full length accepted", "refused");

	make_desc(&b, ELFCLASS64, ELFDATA2LSB, 1, 2, 3, "p", "n", "x");
	b.b[b.len - 1] = 'y';	/* args without NUL */
	CHECK(st, sdt_note_parse(b.b, b.len, ELFCLASS64, ELFDATA2LSB, &n) == -EBADMSG,
	      "note args without NUL", "accepted");
	make_desc(&b, ELFCLASS64, ELFDATA2LSB, 1, 2, 3, "", "n", "");
	CHECK(st, sdt_note_parse(b.b, b.len, ELFCLASS64, ELFDATA2LSB, &n) == -EBADMSG,
	      "note empty provider", "accepted");
	CHECK(st, sdt_note_parse(b.b, b.len, 7, ELFDATA2LSB, &n) == -EINVAL,
	      "note bad class", "accepted");
	CHECK(st, sdt_note_parse(b.b, b.len, ELFCLASS64, 9, &n) == -EINVAL,
	      "note bad byte order", "accepted");
}

struct walk_log {
	int good;
	int bad;
	uint64_t locs[8];
};

static void walk_cb(void *ctx, size_t index, const struct sdt_note *note, int err)
{
	struct walk_log *log = ctx;

	(void)index;
	if (err) {
		log->bad++;
		return;
	}
	if (log->good < 8)
		log->locs[log->good] = note->location;
	log->good++;
}

static void test_walk(struct test_stats *st)
{
	struct buf sec = {}, d;
	struct walk_log log = {};
	int err;

	make_desc(&d, ELFCLASS32, ELFDATA2MSB, 0x100, 0, 0, "a", "one", "");
	append_note(&sec, ELFDATA2MSB, SDT_NOTE_TYPE, "stapsdt", &d);
	make_desc(&d, ELFCLASS32, ELFDATA2MSB, 0x999, 0, 0, "gnu", "x", "");
	append_note(&sec, ELFDATA2MSB, 1, "GNU", &d);		/* foreign note */
	append_note(&sec, ELFDATA2MSB, 4, "stapsdt", &d);	/* other type */
	d.len = 5;						/* too short */
	append_note(&sec, ELFDATA2MSB, SDT_NOTE_TYPE, "stapsdt", &d);
	make_desc(&d, ELFCLASS32, ELFDATA2MSB, 0x200, 0, 0, "a", "two", "4@%eax");
	append_note(&sec, ELFDATA2MSB, SDT_NOTE_TYPE, "stapsdt", &d);

	err = sdt_notes_walk(sec.b, sec.len, 4, ELFCLASS32, ELFDATA2MSB, walk_cb, &log);
	CHECK(st, !err && log.good == 2 && log.bad == 1 && log.locs[0] == 0x100 &&
	      log.locs[1] == 0x200, "walk big-endian section with foreign notes",
	      "err %d good %d bad %d", err, log.good, log.bad);

	memset(&log, 0, sizeof(log));
	err = sdt_notes_walk(sec.b, sec.len - 9, 4, ELFCLASS32, ELFDATA2MSB, walk_cb, &log);
	CHECK(st, err == -EBADMSG && log.good == 1, "walk truncated section",
	      "err %d good %d", err, log.good);

	memset(&log, 0, sizeof(log));
	sec.len = 0;
	put(&sec, 0xfffffff0u, 4, ELFDATA2LSB);	/* namesz past the end */
	put(&sec, 0, 4, ELFDATA2LSB);
	put(&sec, 3, 4, ELFDATA2LSB);
	err = sdt_notes_walk(sec.b, sec.len, 4, ELFCLASS64, ELFDATA2LSB, walk_cb, &log);
	CHECK(st, err == -EBADMSG && !log.good, "walk huge namesz", "err %d", err);
}

static void test_offsets(struct test_stats *st)
{
	static const struct sdt_segment segs[] = {
		{ .vaddr = 0, .offset = 0, .filesz = 0x1000 },
		{ .vaddr = 0x401000, .offset = 0x1000, .filesz = 0x2000 },
		{ .vaddr = 0x604e10, .offset = 0x3e10, .filesz = 0x200 },
	};
	uint64_t off = 0;

	CHECK(st, !sdt_addr_to_offset(segs, 3, 0x401234, &off) && off == 0x1234,
	      "offset in text segment", "off %llx", (unsigned long long)off);
	CHECK(st, !sdt_addr_to_offset(segs, 3, 0x604e20, &off) && off == 0x3e20,
	      "offset in data segment", "off %llx", (unsigned long long)off);
	CHECK(st, sdt_addr_to_offset(segs, 3, 0x605010, &off) == -ENOENT,
	      "offset past filesz (bss) refused", "accepted");
	CHECK(st, sdt_addr_to_offset(segs, 3, 0x400fff, &off) == -ENOENT,
	      "offset in a hole refused", "accepted");
}

int main(void)
{
	struct test_stats st = {};

	test_decode(&st);
	test_truncated(&st);
	test_walk(&st);
	test_offsets(&st);
	return st.failed ? 1 : 0;
}
