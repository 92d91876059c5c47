// SPDX-License-Identifier: MIT
/*
 * elf.c - read the USDT probe sites of one ELF file through libelf.
 *
 * The file layer: open, find .note.stapsdt, .stapsdt.base and the loadable
 * segments, hand the raw note bytes to sdt_notes_walk(), then turn each
 * note into a struct sdt_probe:
 *
 *  - .stapsdt.base adjustment: each note records the link-time address of
 *    .stapsdt.base next to its site. If a tool (prelink) moved the file,
 *    the section's address in the file differs from the recorded one, and
 *    the site and semaphore move by the same delta.
 *  - file offsets: uprobes and their reference counters (semaphores) are
 *    attached by offset in the file, found through the PT_LOAD headers.
 *
 * All strings of a file's probes live in one arena owned by struct
 * sdt_file, so freeing a file is three free() calls whatever its size.
 *
 * A relocatable object (ET_REL, a .o) has no segments: its notes' site
 * addresses are relocations, applied here as readelf applies them, and
 * the sites are then offsets in their section. A member of an `ar`
 * archive is opened as "ARCHIVE(MEMBER)".
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdt.h"
#include "../util/vec.h"

/* Everything gathered while libelf still holds the file. */
struct sdt_reader {
	const char *path;
	sdt_warn_fn warn;
	void *ctx;
	int machine;
	struct sdt_segment *segs;
	size_t nr_segs;
	bool has_base;
	uint64_t base_addr;	/* sh_addr of .stapsdt.base */
	struct sdt_note *notes;	/* strings point into libelf's data */
	size_t nr_notes;
	size_t cap_notes;
	bool relocatable;	/* ET_REL: sites are section offsets */
	void *relocated;	/* ET_REL: the note section with its relocations applied */
	int err;
};

static void reader_warn(struct sdt_reader *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reader_warn(struct sdt_reader *r, int err, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	if (!r->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	r->warn(r->ctx, r->path, what, err);
}

static void collect_note(void *ctx, size_t index, const struct sdt_note *note, int err)
{
	struct sdt_reader *r = ctx;

	if (err) {
		reader_warn(r, err, "stapsdt note %zu: %s", index, sdt_strerror(err));
		return;
	}
	if (VEC_RESERVE(r->notes, r->cap_notes, r->nr_notes + 1)) {
		r->err = -ENOMEM;
		return;
	}
	r->notes[r->nr_notes++] = *note;
}

int sdt_elf_segments(Elf *elf, struct sdt_segment **out, size_t *nr_out)
{
	struct sdt_segment *segs;
	size_t i, nr, n = 0;

	if (elf_getphdrnum(elf, &nr))
		return -EBADMSG;
	segs = calloc(nr ? nr : 1, sizeof(*segs));
	if (!segs)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph)) {
			free(segs);
			return -EBADMSG;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		segs[n].vaddr = ph.p_vaddr;
		segs[n].offset = ph.p_offset;
		segs[n].filesz = ph.p_filesz;
		n++;
	}
	*out = segs;
	*nr_out = n;
	return 0;
}

/* The absolute relocation of an address in a note, for @machine: its type, 0 none. */
static unsigned int abs_reloc(int machine)
{
	switch (machine) {
	case EM_X86_64:
		return 1;	/* R_X86_64_64 */
	case EM_AARCH64:
		return 257;	/* R_AARCH64_ABS64 */
	case EM_RISCV:
		return 2;	/* R_RISCV_64 */
	case EM_386:
		return 1;	/* R_386_32 */
	default:
		return 0;
	}
}

/*
 * ET_REL: a copy of the note section @ndx's @data with the relocations of
 * SHT_RELA / SHT_REL sections that apply to it done (symbol value plus
 * addend, little-endian words of the file's class), or NULL (then the
 * notes read as they are).
 */
static void *relocated_copy(Elf *elf, size_t ndx, const Elf_Data *data, int elf_class,
			    int machine)
{
	size_t word = elf_class == ELFCLASS32 ? 4 : 8, i, n;
	unsigned int type = abs_reloc(machine);
	uint8_t *copy = malloc(data->d_size);
	Elf_Scn *scn = NULL;

	if (!copy || !type)
		return free(copy), NULL;
	memcpy(copy, data->d_buf, data->d_size);
	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *rd, *symd;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_info != ndx || !sh.sh_entsize ||
		    (sh.sh_type != SHT_RELA && sh.sh_type != SHT_REL))
			continue;
		rd = elf_getdata(scn, NULL);
		symd = elf_getdata(elf_getscn(elf, sh.sh_link), NULL);
		if (!rd || !symd)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < n; i++) {
			uint64_t v = 0, addend = 0;
			GElf_Rela ra;
			GElf_Rel rl;
			GElf_Sym sym;

			if (sh.sh_type == SHT_RELA) {
				if (!gelf_getrela(rd, (int)i, &ra))
					continue;
				addend = (uint64_t)ra.r_addend;
			} else {
				if (!gelf_getrel(rd, (int)i, &rl))
					continue;
				ra.r_offset = rl.r_offset;
				ra.r_info = rl.r_info;
				if (rl.r_offset + word <= data->d_size)
					memcpy(&addend, copy + rl.r_offset, word);	/* in place */
			}
			/* gelf gives r_info in its 64-bit form, whatever the class */
			if (GELF_R_TYPE(ra.r_info) != type || ra.r_offset > data->d_size ||
			    data->d_size - ra.r_offset < word ||
			    !gelf_getsym(symd, (int)GELF_R_SYM(ra.r_info), &sym))
				continue;
			v = sym.st_value + addend;
			memcpy(copy + ra.r_offset, &v, word);	/* x86, arm64, riscv: little */
		}
	}
	return copy;
}

static int read_note_section(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, int elf_class,
			     int elf_data, struct sdt_reader *r)
{
	Elf_Data *data;
	void *bytes;
	int err;

	if (sh->sh_type != SHT_NOTE)
		return 0;
	data = elf_rawdata(scn, NULL);
	if (!data) {
		/* a truncated copy: said once, the rest of the file still read */
		reader_warn(r, -EBADMSG, "%s runs past the end of the file (%llu bytes at "
			    "offset %llu): its probes cannot be read", SDT_NOTE_SECTION,
			    (unsigned long long)sh->sh_size, (unsigned long long)sh->sh_offset);
		return 0;
	}
	if (!data->d_buf || !data->d_size)
		return 0;
	bytes = data->d_buf;
	if (r->relocatable && !r->relocated && elf_data == ELFDATA2LSB) {
		r->relocated = relocated_copy(elf, elf_ndxscn(scn), data, elf_class, r->machine);
		bytes = r->relocated ? r->relocated : bytes;
	}
	err = sdt_notes_walk(bytes, data->d_size, sh->sh_addralign, elf_class,
			     elf_data, collect_note, r);
	if (err == -EBADMSG)
		reader_warn(r, err, "%s: note headers run past the section; "
			    "later notes skipped", SDT_NOTE_SECTION);
	return r->err;
}

static int read_sections(Elf *elf, int elf_class, int elf_data, struct sdt_reader *r)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int err;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return -EBADMSG;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			return -EBADMSG;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			continue;
		if (!strcmp(name, SDT_BASE_SECTION)) {
			r->has_base = true;
			r->base_addr = sh.sh_addr;
		} else if (!strcmp(name, SDT_NOTE_SECTION)) {
			err = read_note_section(elf, scn, &sh, elf_class, elf_data, r);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Copy @s into the arena at *@pos. */
static char *arena_put(char *arena, size_t *pos, const char *s)
{
	size_t n = strlen(s) + 1;
	char *dst = arena + *pos;

	memcpy(dst, s, n);
	*pos += n;
	return dst;
}

static int fill_probe(struct sdt_reader *r, const struct sdt_note *n,
		      struct sdt_probe *p, struct sdt_arg *args)
{
	uint64_t loc = n->location, sem = n->semaphore;
	int err, bad = 0;

	p->location = n->location;
	p->base = n->base;
	p->semaphore = n->semaphore;
	if (r->has_base && n->base) {
		loc += r->base_addr - n->base;
		if (sem)
			sem += r->base_addr - n->base;
	}
	p->vaddr = loc;
	if (r->relocatable) {	/* no segments: the offsets are in the section */
		p->offset = loc;
		p->sem_offset = sem;
	} else if (sdt_addr_to_offset(r->segs, r->nr_segs, loc, &p->offset)) {
		reader_warn(r, -ENOENT, "probe %s:%s: address 0x%llx is in no loadable "
			    "segment; skipped", p->provider, p->name,
			    (unsigned long long)loc);
		return -ENOENT;
	}
	else
		p->sem_offset = 0;
	if (!r->relocatable && sem &&
	    sdt_addr_to_offset(r->segs, r->nr_segs, sem, &p->sem_offset)) {
		reader_warn(r, -ENOENT, "probe %s:%s: semaphore 0x%llx is in no loadable "
			    "segment; skipped", p->provider, p->name,
			    (unsigned long long)sem);
		return -ENOENT;
	}
	err = sdt_arg_specs__parse(p->args_text, r->machine, args, &bad);
	if (err < 0) {
		reader_warn(r, err, "probe %s:%s: argument %d of \"%s\": %s",
			    p->provider, p->name, bad + 1, p->args_text,
			    sdt_strerror(err));
		p->nr_args = -1;
	} else {
		p->nr_args = err;
	}
	p->args = args;
	return 0;
}

/* Upper bound of the args of all notes: blank-separated words. */
static size_t count_args(const struct sdt_reader *r)
{
	size_t i, total = 0, pos, start, len;

	for (i = 0; i < r->nr_notes; i++) {
		size_t n = 0;

		pos = 0;
		while (n < SDT_MAX_ARGS && sdt_arg_specs__next(r->notes[i].args, &pos, &start,
							       &len))
			n++;
		total += n;
	}
	return total;
}

static int build_probes(struct sdt_reader *r, struct sdt_file *f)
{
	struct sdt_arg scratch[SDT_MAX_ARGS];
	size_t i, total = 0, pos = 0, nargs = 0;

	for (i = 0; i < r->nr_notes; i++)
		total += strlen(r->notes[i].provider) + strlen(r->notes[i].name) +
			 strlen(r->notes[i].args) + 3;
	f->strings = malloc(total ? total : 1);
	f->probes = calloc(r->nr_notes ? r->nr_notes : 1, sizeof(*f->probes));
	f->args = malloc((count_args(r) + 1) * sizeof(*f->args));
	if (!f->strings || !f->probes || !f->args)
		return -ENOMEM;

	for (i = 0; i < r->nr_notes; i++) {
		struct sdt_probe *p = &f->probes[f->nr_probes];

		p->provider = arena_put(f->strings, &pos, r->notes[i].provider);
		p->name = arena_put(f->strings, &pos, r->notes[i].name);
		p->args_text = arena_put(f->strings, &pos, r->notes[i].args);
		if (fill_probe(r, &r->notes[i], p, scratch))
			continue;
		/* keep only the args parsed, in the file's arena */
		if (p->nr_args > 0)
			memcpy(f->args + nargs, scratch, (size_t)p->nr_args * sizeof(*scratch));
		p->args = f->args + nargs;
		nargs += p->nr_args > 0 ? (size_t)p->nr_args : 0;
		f->nr_probes++;
	}
	return 0;
}

/*
 * Section headers past the end of the file (a truncated copy): libelf then
 * sees no sections at all, which would read as "no probes". Say so.
 */
static void check_section_headers(const GElf_Ehdr *eh, uint64_t file_size,
				  struct sdt_reader *r)
{
	uint64_t end = eh->e_shoff + (uint64_t)eh->e_shnum * eh->e_shentsize;

	if (eh->e_shoff && (end > file_size || end < eh->e_shoff))
		reader_warn(r, -EBADMSG, "section headers run past the end of the file "
			    "(%llu of %llu bytes there): probes may be missing",
			    (unsigned long long)(file_size > eh->e_shoff ?
						 file_size - eh->e_shoff : 0),
			    (unsigned long long)(end - eh->e_shoff));
}

static int open_regular(const char *path, int *fdp, uint64_t *size);

/* The probes of the ELF file libelf holds as @elf (a file, or a member of an archive). */
static int read_elf_handle(Elf *elf, uint64_t file_size, struct sdt_reader *r,
			   struct sdt_file *f)
{
	GElf_Ehdr eh;
	int err;

	if (elf_kind(elf) != ELF_K_ELF)
		return -ENOEXEC;
	if (!gelf_getehdr(elf, &eh))
		return -EBADMSG;
	f->elf_class = eh.e_ident[EI_CLASS];
	f->elf_data = eh.e_ident[EI_DATA];
	f->machine = eh.e_machine;
	f->e_type = eh.e_type;
	r->machine = eh.e_machine;
	r->relocatable = eh.e_type == ET_REL;

	err = sdt_elf_segments(elf, &r->segs, &r->nr_segs);
	if (!err) {
		check_section_headers(&eh, file_size, r);
		err = read_sections(elf, f->elf_class, f->elf_data, r);
	}
	if (!err)
		err = build_probes(r, f);
	return err;
}

/*
 * "ARCHIVE(MEMBER)": @path's archive and member parts, or false when it is
 * not of that form.
 */
static bool member_path(const char *path, char *archive, size_t asize, const char **member,
			size_t *mlen)
{
	const char *open = strrchr(path, '('), *end = path + strlen(path);

	if (!open || open == path || end[-1] != ')' || (size_t)(open - path) >= asize ||
	    end - open < 3)
		return false;
	memcpy(archive, path, (size_t)(open - path));
	archive[open - path] = '\0';
	*member = open + 1;
	*mlen = (size_t)(end - 1 - (open + 1));
	return true;
}

/* The member @name (@len bytes) of the archive libelf holds as @ar, or NULL. */
static Elf *archive_member(int fd, Elf *ar, const char *name, size_t len, uint64_t *size)
{
	Elf_Cmd cmd = ELF_C_READ_MMAP;
	Elf *m;

	while ((m = elf_begin(fd, cmd, ar))) {
		Elf_Arhdr *h = elf_getarhdr(m);

		if (h && h->ar_name && strlen(h->ar_name) == len &&
		    !strncmp(h->ar_name, name, len)) {
			*size = h->ar_size;
			return m;
		}
		cmd = elf_next(m);
		elf_end(m);
	}
	return NULL;
}

static int read_elf(int fd, uint64_t file_size, const char *member, size_t mlen,
		    struct sdt_reader *r, struct sdt_file *f)
{
	Elf *elf, *m;
	int err;

	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return -ENOEXEC;
	if (!member) {
		err = read_elf_handle(elf, file_size, r, f);
		elf_end(elf);
		return err;
	}
	m = elf_kind(elf) == ELF_K_AR ? archive_member(fd, elf, member, mlen, &file_size) : NULL;
	err = m ? read_elf_handle(m, file_size, r, f) : -ENOENT;
	if (m)
		elf_end(m);
	elf_end(elf);
	return err;
}

int sdt_archive__members(const char *path, char ***names, size_t *nr)
{
	Elf_Cmd cmd = ELF_C_READ_MMAP;
	uint64_t size;
	size_t cap = 0;
	Elf *ar, *m;
	int fd, err = 0;

	*names = NULL;
	*nr = 0;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	err = open_regular(path, &fd, &size);
	if (err)
		return err;
	ar = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!ar || elf_kind(ar) != ELF_K_AR)
		err = -ENOEXEC;
	while (!err && (m = elf_begin(fd, cmd, ar))) {
		Elf_Arhdr *h = elf_getarhdr(m);

		/* ELF members only: not the symbol and long name tables ("/", "//") */
		if (h && h->ar_name && h->ar_name[0] != '/' && elf_kind(m) == ELF_K_ELF) {
			if (VEC_RESERVE(*names, cap, *nr + 1) ||
			    !((*names)[*nr] = strdup(h->ar_name)))
				err = -ENOMEM;
			else
				(*nr)++;
		}
		cmd = elf_next(m);
		elf_end(m);
	}
	if (ar)
		elf_end(ar);
	close(fd);
	return err;
}

static int open_regular(const char *path, int *fdp, uint64_t *size)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR :
		       !S_ISREG(st.st_mode) ? -ENODEV : -ENODATA;
	}
	*fdp = fd;
	*size = (uint64_t)st.st_size;
	return 0;
}

int sdt_file__open(const char *path, sdt_warn_fn warn, void *ctx,
		   struct sdt_file **out)
{
	struct sdt_reader r = { .path = path, .warn = warn, .ctx = ctx };
	char archive[PATH_MAX];
	const char *member = NULL;
	struct sdt_file *f;
	uint64_t size = 0;
	size_t mlen = 0;
	int fd = -1, err;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	err = open_regular(path, &fd, &size);
	/* not a file: a member of an archive, "libstdc++.a(eh_throw.o)"? */
	if (err == -ENOENT && member_path(path, archive, sizeof(archive), &member, &mlen))
		err = open_regular(archive, &fd, &size);
	if (err)
		return err;

	f = calloc(1, sizeof(*f));
	if (!f) {
		err = -ENOMEM;
		goto out_close_fd;
	}
	f->path = strdup(path);
	err = f->path ? read_elf(fd, size, member, mlen, &r, f) : -ENOMEM;
	if (err) {
		sdt_file__free(f);
		goto out_free_reader;
	}
	*out = f;
out_free_reader:
	free(r.notes);
	free(r.segs);
	free(r.relocated);
out_close_fd:
	close(fd);
	return err;
}

void sdt_file__free(struct sdt_file *file)
{
	if (!file)
		return;
	free(file->probes);
	free(file->args);
	free(file->strings);
	free(file->path);
	free(file);
}
