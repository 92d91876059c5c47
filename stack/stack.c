// SPDX-License-Identifier: MIT
/*
 * stack.c - user stacks unwound and symbolized through libdwfl (stack.h).
 *
 * Per process: its /proc/PID/maps text (kept, so an exited process still
 * resolves), and a Dwfl whose modules are reported from that text and
 * whose thread state comes from the event itself: set_initial_registers
 * gives the registers the BPF program copied, memory_read the stack bytes
 * it copied from sp up. perf's util/unwind-libdw.c works the same way on
 * perf samples. An address outside the copy ends the unwind there. What
 * each address resolves to comes from the symbol cache (symcache.c).
 */
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../arch/regs.h"
#include "perfmap.h"
#include "stack.h"
#include "symcache.h"
#include "../util/vec.h"

#define PROCS_MAX	256	/* processes kept; the oldest go first */
#define EXEC_CHECK_NS	50000000	/* how often a live process's exe is checked */
#define DWARF_REGS	64
#define CODE_FRAMES_MAX	32	/* frames a runtime names at one step (a method and its inlined calls) */

struct proc {
	pid_t pid;
	char *maps;		/* /proc/PID/maps as read */
	size_t maps_len;
	bool refreshed;		/* maps read again for the current event */
	dev_t exe_dev;		/* its executable when the maps were read: an */
	ino_t exe_ino;		/* exec replaces every mapping */
	uint64_t exe_checked;	/* when it was last compared, ns */
	Dwfl *dwfl;
	uint64_t used;		/* when last used, for eviction */
	/* the event being unwound, for the thread callbacks */
	const struct ut_stack *st;
	const uint8_t *data;	/* the stack copy, st->nr bytes from st->sp */
	pid_t tid;
	bool thread_given;
	bool read_missed;	/* the unwind wanted memory beyond the copy */
	bool unwinding;		/* inside dwfl_getthread_frames: keep the Dwfl */
	bool want_refresh;	/* ... which met an address no module maps */
	/* a runtime's code met (stack_code_ops): where its frame's registers were */
	bool handoff;
	struct stack_regs at;
	bool resumed;		/* this unwind starts from @at, after the runtime's frames */
	bool first;		/* ... and has not reported its first frame yet */
	/* JIT code: /tmp/perf-PID.map when the runtime writes one */
	struct perfmap jit;
	char jit_path[64];
	struct timespec jit_mtime;
	off_t jit_size;
	bool jit_checked;	/* looked at for the current event */
	bool jit_refused;	/* a map not believed: said once */
};


struct stack_resolver {
	struct symcache *syms;
	struct proc procs[PROCS_MAX];
	int nr;
	uint64_t clock;
	int machine;
	const struct stack_code_ops *code;
};

/*
 * Separate debug files by build ID (/usr/lib/debug/.build-id, where
 * Debian's -dbgsym packages put them), as dwfl_standard_find_debuginfo
 * finds them first; not its last resort, debuginfod, whose client library
 * (curl, gnutls, libcrypto: 4 MiB more of every profile's memory) it loads
 * to ask the network about every object without one.
 */
static const Dwfl_Callbacks dwfl_cbs = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_build_id_find_debuginfo,
};

int stack_resolver__new(stack_warn_fn warn, void *ctx, struct stack_resolver **out)
{
	struct stack_resolver *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	if (symcache__new(warn, ctx, &r->syms)) {
		free(r);
		return -ENOMEM;
	}
	r->machine = regs_host_machine();
	*out = r;
	return 0;
}

static void proc_clear(struct proc *p)
{
	perfmap__free(&p->jit);
	if (p->dwfl)
		dwfl_end(p->dwfl);
	free(p->maps);
	memset(p, 0, sizeof(*p));
}


void stack_resolver__free(struct stack_resolver *r)
{
	int i;

	if (!r)
		return;
	for (i = 0; i < r->nr; i++)
		proc_clear(&r->procs[i]);
	symcache__free(r->syms);
	free(r);
}



static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The executable @pid runs now: -ENOENT when it is gone. */
static int exe_of(pid_t pid, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	return stat(path, st) ? -errno : 0;
}

/* /proc/@pid/maps, whole, into a malloc'ed buffer. */
static int read_maps(pid_t pid, char **out, size_t *len)
{
	char path[64], *buf = NULL;
	size_t n = 0, cap = 0;
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		if (vec__reserve((void **)&buf, &cap, n + 4096, 1, 65536)) {
			free(buf);
			close(fd);
			return -ENOMEM;
		}
		got = read(fd, buf + n, cap - n);
		if (got > 0)
			n += (size_t)got;
	} while (got > 0);
	close(fd);
	if (got < 0 || !n) {
		free(buf);
		return got < 0 ? -errno : -ESRCH;
	}
	*out = buf;
	*len = n;
	return 0;
}

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct proc *p = arg;

	(void)dwfl;
	if (p->thread_given)
		return 0;
	p->thread_given = true;
	*thread_argp = p;
	return p->tid;
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	(void)dwfl;
	(void)tid;
	*thread_argp = arg;
	return true;
}

/* A word of the stack copy; anything else is not known, and ends the unwind. */
static bool copy_word(void *arg, uint64_t addr, uint64_t *word)
{
	struct proc *p = arg;
	uint64_t sp = p->st->sp;

	/* (a runtime's unwinder asks for any address: near 2^64, addr + 8 wraps) */
	if (addr < sp || addr - sp > p->st->nr || p->st->nr - (addr - sp) < sizeof(*word)) {
		p->read_missed = true;
		return false;
	}
	memcpy(word, p->data + (addr - sp), sizeof(*word));
	return true;
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	uint64_t w;

	(void)dwfl;
	if (!copy_word(arg, addr, &w))
		return false;
	*result = w;
	return true;
}

/* The registers the BPF program copied, in DWARF numbering. */
static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct proc *p = arg;
	const struct ut_stack *st = p->st;
	int machine = regs_host_machine(), reg, off;
	Dwarf_Word v;

	if (p->resumed) {
		/* after a runtime's frames: its caller's sp, fp and pc only */
		Dwarf_Word fp = p->at.fp, sp = p->at.sp;

		if (!dwfl_thread_state_registers(thread, regs_fp_dwarf(machine), 1, &fp) ||
		    !dwfl_thread_state_registers(thread, regs_sp_dwarf(machine), 1, &sp))
			return false;
		dwfl_thread_state_register_pc(thread, p->at.pc);
		return true;
	}
	for (reg = 0; reg < DWARF_REGS; reg++) {
		off = regs_offset(machine, reg);
		if (off < 0 || (size_t)off + 8 > sizeof(st->regs))
			continue;
		v = st->regs[off / 8];
		if (!dwfl_thread_state_registers(thread, reg, 1, &v))
			return false;
	}
	off = regs_ip_offset(machine);
	if (off < 0 || (size_t)off + 8 > sizeof(st->regs))
		return false;
	dwfl_thread_state_register_pc(thread, st->regs[off / 8]);
	return true;
}

static const Dwfl_Thread_Callbacks thread_cbs = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

/* (Re)build @p's Dwfl from its maps text. */
static int proc_report(struct proc *p)
{
	FILE *f;
	int err;

	if (p->dwfl)
		dwfl_end(p->dwfl);
	p->dwfl = dwfl_begin(&dwfl_cbs);
	if (!p->dwfl)
		return -ENOMEM;
	f = fmemopen(p->maps, p->maps_len, "r");
	if (!f)
		return -errno;
	dwfl_report_begin(p->dwfl);
	err = dwfl_linux_proc_maps_report(p->dwfl, f);
	fclose(f);
	if (dwfl_report_end(p->dwfl, NULL, NULL) || err)
		return -EINVAL;
	/* the thread state comes from each event: attach once, it is reused */
	if (!dwfl_attach_state(p->dwfl, NULL, p->pid, &thread_cbs, p))
		return -EINVAL;
	return 0;
}

static struct proc *proc_find(struct stack_resolver *r, pid_t pid)
{
	int i;

	for (i = 0; i < r->nr; i++) {
		if (r->procs[i].pid == pid)
			return &r->procs[i];
	}
	return NULL;
}

/* A slot for a new process: a free one, else the least recently used. */
static struct proc *proc_slot(struct stack_resolver *r)
{
	struct proc *old = &r->procs[0];
	int i;

	if (r->nr < PROCS_MAX)
		return &r->procs[r->nr++];
	for (i = 1; i < r->nr; i++) {
		if (r->procs[i].used < old->used)
			old = &r->procs[i];
	}
	proc_clear(old);
	return old;
}

static void proc_note_exe(struct proc *p)
{
	struct stat st;

	if (!exe_of(p->pid, &st)) {
		p->exe_dev = st.st_dev;
		p->exe_ino = st.st_ino;
	}
	p->exe_checked = now_ns();
}

static void proc_refresh(struct proc *p);

/*
 * Has @p exec'd another program since its maps were read? Checked now and
 * then while it lives; an exited process keeps the maps it had.
 */
static void proc_check_exec(struct proc *p)
{
	uint64_t now = now_ns();
	struct stat st;

	if (now - p->exe_checked < EXEC_CHECK_NS)
		return;
	p->exe_checked = now;
	if (!exe_of(p->pid, &st) && (st.st_dev != p->exe_dev || st.st_ino != p->exe_ino))
		proc_refresh(p);
}

static struct proc *proc_get(struct stack_resolver *r, pid_t pid, int *err)
{
	struct proc *p = proc_find(r, pid);
	char *maps;
	size_t len;

	if (p)
		return p;
	*err = read_maps(pid, &maps, &len);
	if (*err)
		return NULL;
	p = proc_slot(r);
	p->pid = pid;
	p->maps = maps;
	p->maps_len = len;
	proc_note_exe(p);
	*err = proc_report(p);
	return *err ? NULL : p;
}

int stack_resolver__prime(struct stack_resolver *r, pid_t pid)
{
	struct proc *p = proc_find(r, pid);
	int err = 0;

	if (p) {	/* known: its maps read again, now */
		p->refreshed = false;
		proc_refresh(p);
		return 0;
	}
	return proc_get(r, pid, &err) ? 0 : err;
}

/* A library mapped since the maps were read: read them again, once an event. */
static void proc_refresh(struct proc *p)
{
	char *maps;
	size_t len;

	if (p->refreshed)
		return;
	p->refreshed = true;	/* one try an event, whether it works or not */
	if (read_maps(p->pid, &maps, &len))
		return;
	free(p->maps);
	p->maps = maps;
	p->maps_len = len;
	proc_note_exe(p);
	if (proc_report(p)) {
		dwfl_end(p->dwfl);
		p->dwfl = NULL;
	}
}

/*
 * What executable mapping of @p without a file holds @ip: "[vdso]" (the
 * kernel's, where clock_gettime runs), "[jit]" (anonymous: JIT code), or
 * NULL (none).
 */
static const char *anon_exec(const struct proc *p, uint64_t ip)
{
	const char *line = p->maps, *end = p->maps + p->maps_len, *nl;
	unsigned long long lo, hi;
	char perms[8], path[8];
	int n;

	for (; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			nl = end;
		path[0] = '\0';
		n = sscanf(line, "%llx-%llx %7s %*s %*s %*s %7s", &lo, &hi, perms, path);
		if (n < 3 || ip < lo || ip >= hi)
			continue;
		if (perms[2] != 'x' || (n > 3 && path[0] == '/'))
			return NULL;
		return n > 3 && !strcmp(path, "[vdso]") ? "[vdso]" : "[jit]";
	}
	return NULL;
}

/* The user the process runs as (/proc/PID's owner), or -1. */
static uid_t proc_uid(pid_t pid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return stat(path, &st) ? (uid_t)-1 : st.st_uid;
}

/*
 * /tmp/perf-PID.map, (re)read when it changed since the last event; a map
 * anyone could have written for the process (a symlink, another user's,
 * writable by others) is not believed: its frames stay [jit], and that is
 * said once.
 */
static void jit_load(struct proc *p)
{
	const char *why;
	struct stat st;
	char *text;
	FILE *f = NULL;
	size_t n;
	int fd;

	if (p->jit_checked)
		return;
	p->jit_checked = true;
	snprintf(p->jit_path, sizeof(p->jit_path), "/tmp/perf-%d.map", (int)p->pid);
	fd = open(p->jit_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP && !p->jit_refused) {
			p->jit_refused = true;
			fprintf(stderr, "usdtrace: warning: %s: not believed: a symlink\n",
				p->jit_path);
		}
		return;
	}
	if (fstat(fd, &st) || (st.st_size == p->jit_size &&
			       st.st_mtim.tv_sec == p->jit_mtime.tv_sec &&
			       st.st_mtim.tv_nsec == p->jit_mtime.tv_nsec)) {
		close(fd);
		return;
	}
	if (!perfmap__trusted(&st, proc_uid(p->pid), &why)) {
		if (!p->jit_refused)
			fprintf(stderr, "usdtrace: warning: %s: not believed: %s\n", p->jit_path,
				why);
		p->jit_refused = true;
		perfmap__free(&p->jit);
		close(fd);
		return;
	}
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	text = f && st.st_size > 0 ? malloc((size_t)st.st_size) : NULL;
	n = text ? fread(text, 1, (size_t)st.st_size, f) : 0;
	if (f)
		fclose(f);
	perfmap__free(&p->jit);
	if (text && !perfmap__parse(text, n, &p->jit)) {
		p->jit_size = st.st_size;
		p->jit_mtime = st.st_mtim;
	}
	free(text);
}

/* A frame no object maps: JIT code, named by the runtime's perf map if any. */
static void jit_frame(struct proc *p, struct stack_frame *f, Dwarf_Addr look)
{
	const char *name;
	uint64_t off;

	jit_load(p);
	name = perfmap__lookup(&p->jit, look, &off);
	if (name) {
		f->obj = p->jit_path;
		f->sym = name;
		f->off = off + (f->ip - look);
	} else {
		f->obj = anon_exec(p, look);
	}
}





/*
 * The frames of @m at @ip into @t: a frame per call inlined there (the
 * line table's line for the innermost, each call's line for the next),
 * then the function they were inlined into, at the outermost call's line.
 */
static void memo_frames(const struct sym_memo *m, uint64_t ip, uint64_t off, uint64_t obj_off,
			struct stack_trace *t)
{
	struct stack_frame *f;
	int i;

	for (i = 0; i <= m->nr_inl && t->nr < STACK_MAX_FRAMES; i++) {
		f = &t->frames[t->nr++];
		memset(f, 0, sizeof(*f));
		f->ip = ip;
		f->obj_off = obj_off;
		f->obj = m->obj;
		f->inlined = i < m->nr_inl;
		f->sym = f->inlined ? m->inl[i].sym : m->sym;
		f->off = !f->inlined && m->sym ? off : 0;
		f->file = i ? m->inl[i - 1].call_file : m->file;
		f->line = i ? m->inl[i - 1].call_line : m->line;
	}
}

/*
 * Frame @ip (and the calls inlined there) appended to @t: object, symbol
 * and line. A return address (not the innermost frame) points after its
 * call: look up ip - 1, inside the call.
 */
static void symbolize(struct stack_resolver *r, struct proc *p, uint64_t ip, bool activation,
		      struct stack_trace *t)
{
	Dwarf_Addr look = activation ? ip : ip - 1, start = 0;
	Dwfl_Module *mod = p->dwfl ? dwfl_addrmodule(p->dwfl, look) : NULL;
	const struct sym_memo *m;
	struct stack_frame *f;
	const char *obj;

	if (!mod && p->dwfl && p->unwinding) {
		p->want_refresh = true;	/* the Dwfl is in use: after the unwind */
	} else if (!mod && p->dwfl) {
		proc_refresh(p);
		mod = p->dwfl ? dwfl_addrmodule(p->dwfl, look) : NULL;
	}
	/* the name it was reported under: the mapped path (the Dwfl's strings
	 * may go with it: only the memo's are kept) */
	obj = mod ? dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL, NULL, NULL) : NULL;
	m = obj ? symcache__get(r->syms, mod, obj, look - start, look) : NULL;
	if (m) {
		memo_frames(m, ip, m->sym_off + (ip - look), ip - start, t);
		return;
	}
	f = &t->frames[t->nr++];
	memset(f, 0, sizeof(*f));
	f->ip = ip;
	if (!mod)
		jit_frame(p, f, look);
}

struct frames_ctx {
	struct stack_resolver *r;
	struct proc *p;
	struct stack_trace *out;
};

/*
 * Is the frame of @state in code a runtime unwinds (stack_code_ops)? Then
 * its registers are handed over and libdwfl's walk ends.
 */
static bool hand_off(struct frames_ctx *c, Dwfl_Frame *state, Dwarf_Addr pc, bool innermost)
{
	const struct stack_code_ops *code = c->r->code;
	struct proc *p = c->p;
	int machine = regs_host_machine();
	Dwarf_Word sp, fp;

	if (!code || (p->dwfl && dwfl_addrmodule(p->dwfl, pc)) ||
	    !code->owns(code->ctx, p->pid, pc))
		return false;
	if (dwfl_frame_reg(state, (unsigned)regs_sp_dwarf(machine), &sp) ||
	    dwfl_frame_reg(state, (unsigned)regs_fp_dwarf(machine), &fp))
		return false;	/* its registers unknown here: named as any JIT's code */
	p->at = (struct stack_regs){ .pc = pc, .sp = sp, .fp = fp,
				     .sample = innermost ? (const uint64_t *)p->st->regs : NULL };
	p->handoff = true;
	return true;
}

static int on_frame(Dwfl_Frame *state, void *arg)
{
	struct frames_ctx *c = arg;
	struct stack_trace *t = c->out;
	Dwarf_Addr pc;
	bool activation, innermost = !t->nr && !c->p->resumed;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	if (!pc)
		return DWARF_CB_ABORT;	/* the outermost frame's "return address" */
	if (c->p->first) {
		activation = false;	/* a walk resumed at a return address */
		c->p->first = false;
	}
	if (t->nr == STACK_MAX_FRAMES) {
		t->cut = "more frames than kept";
		return DWARF_CB_ABORT;
	}
	if (hand_off(c, state, pc, innermost))
		return DWARF_CB_ABORT;
	symbolize(c->r, c->p, pc, activation, t);
	return DWARF_CB_OK;
}

/*
 * The runtime's frames from p->at on: true when the walk goes on in
 * native code from p->at, false when it ended (t->cut says why, NULL at
 * the outermost frame).
 */
static bool code_frames(struct stack_resolver *r, struct proc *p, struct stack_trace *t)
{
	const struct stack_code_ops *code = r->code;
	struct stack_frame *f;
	const char *why;
	int err, nr, i, room;
	uint64_t pc;

	while (t->nr < STACK_MAX_FRAMES) {
		f = &t->frames[t->nr];
		room = STACK_MAX_FRAMES - t->nr < CODE_FRAMES_MAX ? STACK_MAX_FRAMES - t->nr :
		       CODE_FRAMES_MAX;
		memset(f, 0, (size_t)room * sizeof(*f));
		why = NULL;
		nr = 0;
		pc = p->at.pc;
		err = code->step(code->ctx, p->pid, &p->at, copy_word, p, f, room, &nr, &why);
		for (i = 0; i < nr; i++)
			f[i].ip = pc;
		t->nr += nr;
		if (err) {
			t->cut = why ? why : "the runtime's frames end here";
			return false;
		}
		if (!p->at.pc)
			return false;
		p->at.sample = NULL;
		if (!code->owns(code->ctx, p->pid, p->at.pc))
			return true;
	}
	t->cut = "more frames than kept";
	return false;
}

static void unwind_dwarf(struct stack_resolver *r, struct proc *p, const struct ut_stack *st,
			 pid_t tid, struct stack_trace *out)
{
	struct frames_ctx c = { .r = r, .p = p, .out = out };
	int ret = 0, round;

	p->st = st;
	p->data = (const uint8_t *)(st + 1);
	p->tid = tid;
	p->read_missed = false;
	p->want_refresh = false;
	p->resumed = false;
	/* native code by CFI; a runtime's frames by the runtime; native again */
	for (round = 0; round < STACK_MAX_FRAMES && out->nr < STACK_MAX_FRAMES; round++) {
		p->thread_given = false;
		p->handoff = false;
		p->first = p->resumed;
		p->unwinding = true;
		ret = dwfl_getthread_frames(p->dwfl, tid, on_frame, &c);
		p->unwinding = false;
		if (!p->handoff || p->want_refresh || !code_frames(r, p, out))
			break;
		p->resumed = true;
	}
	p->resumed = false;
	if (p->want_refresh && !p->refreshed) {
		/* a library mapped since the maps were read: read them, unwind again */
		proc_refresh(p);
		out->nr = 0;
		out->cut = NULL;
		if (p->dwfl)
			unwind_dwarf(r, p, st, tid, out);
		return;
	}
	if (out->cut || (p->handoff && !p->want_refresh))
		return;
	/* ended short of the outermost frame: say why, never guess on */
	if (p->read_missed)
		out->cut = "the stack copy ends here (--stack-size)";
	else if (ret == -1)
		out->cut = dwfl_errmsg(-1) ? dwfl_errmsg(-1) : "unwinding stopped";
}

/*
 * Is the probe (the last frame so far: the function, after the calls
 * inlined there) on its function's first instruction? Then the frame
 * pointer is still the caller's, and the walk misses the caller: the word
 * at sp (st->sp in FP mode) is its return address.
 */
static bool at_entry(const struct stack_trace *t)
{
	const struct stack_frame *f;

	if (!t->nr)
		return false;
	f = &t->frames[t->nr - 1];
	return f->sym && !f->inlined && f->off == 0;
}

static void walk_fp(struct stack_resolver *r, struct proc *p, const struct ut_stack *st,
		    struct stack_trace *out)
{
	const uint64_t *ips = (const uint64_t *)(st + 1);
	uint32_t i;

	for (i = 0; i < st->nr && out->nr < STACK_MAX_FRAMES; i++) {
		symbolize(r, p, ips[i], i == 0, out);
		if (i == 0 && at_entry(out) && st->sp && (st->nr < 2 || ips[1] != st->sp) &&
		    out->nr < STACK_MAX_FRAMES)
			symbolize(r, p, st->sp, false, out);	/* the caller the walk skips */
	}
	if (st->nr >= UT_STACK_FP_MAX)
		out->cut = "more frames than the kernel walks";
}

void stack_resolver__set_code(struct stack_resolver *r, const struct stack_code_ops *ops)
{
	r->code = ops;
}

int stack_resolver__resolve(struct stack_resolver *r, pid_t pid, pid_t tid,
			    const struct ut_stack *st, size_t len, struct stack_trace *out)
{
	struct proc *p;
	int err = 0;

	out->nr = 0;
	out->cut = NULL;
	if (len < sizeof(*st) ||
	    len - sizeof(*st) < (st->mode == UT_STACK_FP ? (size_t)st->nr * 8 : st->nr)) {
		out->cut = "the stack record is damaged";
		return 0;
	}
	if (st->flags & UT_STACK_FAILED) {
		out->cut = "the stack could not be read";
		return 0;
	}
	p = proc_get(r, pid, &err);
	if (!p) {
		out->cut = "the process's mappings are unknown (it exited unseen)";
		return 0;
	}
	p->used = ++r->clock;
	p->refreshed = false;
	p->jit_checked = false;
	proc_check_exec(p);
	if (st->mode == UT_STACK_FP) {
		walk_fp(r, p, st, out);
	} else if (p->dwfl) {
		unwind_dwarf(r, p, st, tid, out);
		if (out->cut && (st->flags & UT_STACK_CUT))
			out->cut = "the stack copy ends here (less than --stack-size was readable)";
	}
	return 0;
}
