// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * stmts.bpf.c - calls -l postgresql: every statement as pg_stat_statements
 * counts it, aggregated in the kernel. The executor's own functions say
 * what ran: standard_ExecutorEnd a statement done (its text is its
 * QueryDesc's source text at the PlannedStmt's location, its rows the
 * EState's), ExecutorRun and ExecutorFinish its execution time,
 * standard_ProcessUtility a utility statement, standard_planner its
 * planning. Only top-level statements count, as pg_stat_statements' track
 * = top: a per-backend stack of open calls gives the nesting, each frame
 * with its stack pointer so that frames an error unwound (longjmp) are
 * dropped by the kernel's own rule for uretprobes.
 *
 * A statement's row is keyed by a hash of its text with the literals out
 * (canon_step), so `WHERE aid = 5` and `WHERE aid = 7` are one row here
 * and its text crosses to user space once (UT_EV_STMT_TEXT), not per
 * call. The key may keep apart what user space's normalization merges,
 * never the reverse: user space merges rows by their normalized text.
 */
#include "common.bpf.h"

const volatile struct ut_pg_layout pg = {};

enum frame_kind {
	FRAME_EXEC = 1,		/* ExecutorRun of ptr (a QueryDesc) */
	FRAME_FINISH,		/* ExecutorFinish of ptr: ends at its ExecutorEnd */
	FRAME_UTIL,		/* a counted ProcessUtility; ptr: its QueryCompletion */
	FRAME_PLAN,		/* a counted planning */
};

struct stmt_frame {
	__u64 sp;		/* at the call's entry */
	__u64 ts;
	__u64 ptr;
	struct ut_stmt_key key;
	__u32 kind;
	__u32 pad;
};

struct stmt_thread {
	__u32 depth;
	__u32 pad;
	struct stmt_frame f[UT_STMT_DEPTH];
};

struct open_key {
	__u64 qd;
	__u32 tgid;
	__u32 pad;
};

/* A top-level QueryDesc from its first ExecutorRun to its ExecutorEnd. */
struct open_stmt {
	__u64 start;
	__u64 exec_ns;
	__u64 last_run;		/* when its last ExecutorRun / Finish returned */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct stmt_thread);
} threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct open_key);
	__type(value, struct open_stmt);
} open_stmts SEC(".maps");

/*
 * A statement's figures and its time buckets: one entry for all CPUs,
 * updated with atomics (as pg_stat_statements' entry under its spinlock).
 * Not per CPU: a new per-CPU element is a per-CPU allocation, which cost
 * the server some 15 us inside the first call of each new statement (its
 * bucket as much again); a shared one is a plain allocation, and its
 * memory does not grow with the CPUs.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ut_stmt_key);
	__type(value, struct ut_stmt_stats);
} stmts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ut_stmt_bucket);
	__type(value, __u64);
} stmt_buckets SEC(".maps");

/* Keys whose text user space has (or is being sent). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ut_stmt_key);
	__type(value, __u8);
} texts_sent SEC(".maps");

/*
 * Texts keyed before: a hash of their bytes as they are (8 at a time) to
 * their literal-blind key. The planner and ExecutorEnd read the same
 * text, and a prepared statement's text is the same at every execution:
 * the byte-by-byte lexer runs once per text, not per call.
 */
struct raw_key {
	__u64 h;
	__u32 len;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct raw_key);
	__type(value, struct ut_stmt_key);
} keyed SEC(".maps");

#define BUF_MASK	(2 * UT_STMT_CANON_MAX - 1)

/* @v masked so that the verifier sees the bound (the compiler may not keep it). */
#define BOUND(v, mask) ({ __u32 __v = (v); barrier_var(__v); __v & (mask); })

struct scratch {
	__u32 busy;
	__u32 pad;
	struct ut_event ev;		/* a text piece's record, its bytes next */
	char piece[UT_STMT_PIECE];
	char buf[2 * UT_STMT_CANON_MAX];	/* the text being keyed, NUL after it */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratches SEC(".maps");

/* ---- the backend's stack of open calls ---------------------------------- */

/* Frames at or below @sp cannot be callers of the code at @sp: gone. */
static __always_inline void prune(struct stmt_thread *t, __u64 sp)
{
	int i;

	for (i = 0; i < UT_STMT_DEPTH; i++) {
		__u32 d = t->depth;

		if (!d || d > UT_STMT_DEPTH || t->f[(d - 1) & (UT_STMT_DEPTH - 1)].sp > sp)
			break;
		t->depth = d - 1;
	}
}

/*
 * A call entered at @ts: the time its probe fired, before any work here,
 * so that the call's time holds what this program costs, as the time
 * pg_stat_statements takes around the call holds it.
 */
static __always_inline struct stmt_frame *push(struct stmt_thread *t, __u64 sp, __u32 kind,
					       __u64 ts)
{
	struct stmt_frame *f;
	__u32 d = t->depth;

	if (d >= UT_STMT_DEPTH)
		return NULL;	/* deeper than kept: nested anyway, not counted */
	f = &t->f[d & (UT_STMT_DEPTH - 1)];
	f->sp = sp;
	f->ts = ts;
	f->kind = kind;
	t->depth = d + 1;
	return f;
}

/*
 * At a return with stack pointer @sp: the frame of the call returning
 * (entered at sp - 8 on x86-64, at sp where the return address is not
 * pushed) copied to @out, and every frame at or below it dropped.
 */
static __always_inline bool pop_return(struct stmt_thread *t, __u64 sp, struct stmt_frame *out)
{
	bool found = false;
	int i;

	for (i = 0; i < UT_STMT_DEPTH; i++) {
		__u32 d = t->depth;
		struct stmt_frame *f;

		if (!d || d > UT_STMT_DEPTH)
			break;
		f = &t->f[(d - 1) & (UT_STMT_DEPTH - 1)];
		if (f->sp > sp)
			break;
		if (f->sp + 8 >= sp) {	/* the innermost one not deeper than the return */
			*out = *f;
			found = true;
		}
		t->depth = d - 1;
	}
	return found;
}

static __always_inline struct stmt_thread *thread_of(__u32 tid, bool make)
{
	struct stmt_thread *t = bpf_map_lookup_elem(&threads, &tid);
	static const struct stmt_thread empty;

	if (t || !make)
		return t;
	bpf_map_update_elem(&threads, &tid, &empty, BPF_NOEXIST);
	return bpf_map_lookup_elem(&threads, &tid);
}

/* ---- a statement's key: its text hashed with the literals out ----------- */

enum canon_state {
	C_NORMAL,
	C_WORD,			/* a word: letters lowercased */
	C_NUM,			/* digits replaced by one literal mark */
	C_NUM_KEEP,		/* digits kept: a type's modifier, an ordinal, ... */
	C_SQUOTE,		/* a '...' literal, replaced */
	C_DQUOTE,		/* a "quoted name", kept */
	C_LINE,			/* -- comment */
	C_BLOCK,		/* block comment, nesting */
	C_RAW,			/* something the key does not read: the rest as it is */
};

#define LITERAL_MARK	0x01	/* never in SQL text: where a literal was */

struct canon {
	__u64 h;
	__u32 len;
	__u32 state;
	__u32 skip;		/* bytes to pass over (the second of a pair) */
	__u32 depth;		/* of parentheses */
	__u32 typmod_depth;	/* inside a type's modifiers from this depth, 0: not */
	__u32 block;		/* block comment depth */
	__u32 word;		/* the word being read, hashed */
	__u32 prev_word;	/* the last word */
	__u8 last;		/* the last byte hashed */
	__u8 prev_sig;		/* the last token's last byte (a word's: 'a') */
	__u8 gap;		/* white space or a comment since */
	__u8 by_seen;		/* a GROUP BY / ORDER BY was seen: ',' numbers kept */
	__u8 word_typmod;	/* the last token was a type with modifiers */
	__u8 pad[3];
};

/* A word's byte, the literal mark included: it stands where "$n" will. */
static __always_inline bool is_ident(__u8 c)
{
	return ut_sql_ident(c) || c == LITERAL_MARK;
}

static __always_inline bool is_digit(__u8 c)
{
	return c >= '0' && c <= '9';
}

static __always_inline void hash_byte(struct canon *c, __u8 b)
{
	c->h = (c->h ^ b) * 1099511628211ULL;
	c->last = b;
}

/*
 * Hash @b as a token's byte, with the one space the canonical form keeps.
 * The keying's steps are global functions: each verified once, not along
 * every path through the others.
 */
__noinline int emit(struct canon *c, __u32 b)
{
	if (!c)
		return 0;
	if (c->gap && ((is_ident(c->last) && is_ident(b)) || (ut_sql_op(c->last) && ut_sql_op(b))))
		hash_byte(c, ' ');
	c->gap = 0;
	hash_byte(c, (__u8)b);
	return 0;
}

static __always_inline bool typmod_word(__u32 h)
{
	int i;

	for (i = 0; i < UT_STMT_TYPMOD_WORDS; i++) {
		if (pg.word_typmod[i] && pg.word_typmod[i] == h)
			return true;
	}
	return false;
}

/* A word ended: GROUP BY / ORDER BY and type names change what numbers mean. */
__noinline int end_word(struct canon *c)
{
	if (!c)
		return 0;
	if (c->word == pg.word_by &&
	    (c->prev_word == pg.word_group || c->prev_word == pg.word_order))
		c->by_seen = 1;
	c->word_typmod = typmod_word(c->word);
	c->prev_word = c->word;
	c->prev_sig = 'a';
	c->state = C_NORMAL;
	return 0;
}

/*
 * Are the digits starting here a literal the user-space normalization
 * replaces too? Only after an operator, '(', ',' or '[', and never where
 * it keeps them (a type's modifiers, a GROUP BY / ORDER BY list): the key
 * keeps more apart than the rows, never less.
 */
static __always_inline bool literal_digits(const struct canon *c)
{
	__u8 p = c->prev_sig;

	if (c->typmod_depth && c->depth >= c->typmod_depth)
		return false;
	if (p == ',' && c->by_seen)
		return false;
	return ut_sql_op(p) || p == '(' || p == ',' || p == '[';
}

/* One byte of C_NORMAL: what starts here. */
__noinline int canon_normal(struct canon *c, __u32 ch, __u32 nx)
{
	if (!c)
		return 0;
	if (ut_sql_space(ch)) {
		c->gap = 1;
		return 0;
	}
	if ((ch == '-' && nx == '-') || (ch == '/' && nx == '*')) {
		c->state = ch == '-' ? C_LINE : C_BLOCK;
		c->block = 1;
		c->skip = 1;
		c->gap = 1;
		return 0;
	}
	if (ch == '\'') {
		/* E'', B'', X'', U&'': prefixes with rules of their own */
		if (!c->gap && (is_ident(c->last) || c->last == '&')) {
			c->state = C_RAW;
			emit(c, ch);
			return 0;
		}
		emit(c, LITERAL_MARK);
		c->state = C_SQUOTE;
		c->prev_sig = LITERAL_MARK;
		return 0;
	}
	if (ch == '"') {
		emit(c, ch);
		c->state = C_DQUOTE;
		return 0;
	}
	if (ch == '$') {
		emit(c, ch);
		c->state = is_digit(nx) ? C_WORD : C_RAW;	/* $1, else $$..$$ */
		c->word = UT_WORD_HASH_INIT;
		return 0;
	}
	if (is_digit(ch)) {
		if (literal_digits(c)) {
			emit(c, LITERAL_MARK);
			c->state = C_NUM;
			c->prev_sig = LITERAL_MARK;
		} else {
			emit(c, ch);
			c->state = C_NUM_KEEP;
			c->prev_sig = '0';
		}
		return 0;
	}
	if (is_ident(ch)) {
		c->state = C_WORD;
		c->word = UT_WORD_HASH_INIT;
		ch = ch >= 'A' && ch <= 'Z' ? ch | 0x20 : ch;
		c->word = ut_word_hash(c->word, ch);
		emit(c, ch);
		return 0;
	}
	if (ch == '(') {
		c->depth++;
		if (c->word_typmod && !c->typmod_depth)
			c->typmod_depth = c->depth;
	} else if (ch == ')') {
		if (c->typmod_depth && c->depth <= c->typmod_depth)
			c->typmod_depth = 0;
		if (c->depth)
			c->depth--;
	}
	c->word_typmod = 0;
	c->prev_sig = ch;
	emit(c, ch);
	return 0;
}

/* The bytes of a literal, a quoted name or a comment: where it ends. */
__noinline int canon_inside(struct canon *c, __u32 ch, __u32 nx)
{
	if (!c)
		return 0;
	switch (c->state) {
	case C_SQUOTE:
		if (ch == '\'') {
			if (nx == '\'')
				c->skip = 1;	/* '' inside */
			else
				c->state = C_NORMAL;
		}
		break;
	case C_DQUOTE:
		hash_byte(c, ch);
		if (ch == '"') {
			if (nx == '"') {
				hash_byte(c, nx);
				c->skip = 1;
			} else {
				c->state = C_NORMAL;
				c->prev_sig = '"';
				c->word_typmod = 0;
			}
		}
		break;
	case C_LINE:
		if (ch == '\n')
			c->state = C_NORMAL;
		break;
	case C_BLOCK:
		if (ch == '/' && nx == '*') {
			c->block++;
			c->skip = 1;
		} else if (ch == '*' && nx == '/') {
			c->skip = 1;
			if (!--c->block)
				c->state = C_NORMAL;
		}
		break;
	default:	/* C_RAW */
		hash_byte(c, ch);
		break;
	}
	return 0;
}

static long canon_step(__u64 i, struct canon *c)
{
	__u32 zero = 0;
	struct scratch *sc = bpf_map_lookup_elem(&scratches, &zero);
	__u8 ch, nx;

	if (!sc || i >= c->len)
		return 1;
	if (c->skip) {
		c->skip--;
		return 0;
	}
	ch = sc->buf[i & BUF_MASK];
	nx = i + 1 < c->len ? sc->buf[(i + 1) & BUF_MASK] : 0;
	if (c->state == C_WORD) {
		if (is_ident(ch)) {
			ch = ch >= 'A' && ch <= 'Z' ? ch | 0x20 : ch;
			c->word = ut_word_hash(c->word, ch);
			hash_byte(c, ch);
			return 0;
		}
		end_word(c);
	} else if (c->state == C_NUM || c->state == C_NUM_KEEP) {
		if (is_digit(ch)) {
			if (c->state == C_NUM_KEEP)
				hash_byte(c, ch);
			return 0;
		}
		c->state = C_NORMAL;
	}
	if (c->state == C_NORMAL)
		canon_normal(c, ch, nx);
	else
		canon_inside(c, ch, nx);
	return 0;
}

/* Hash 8 bytes at a time of the buffer: a text's bytes as they are. */
struct raw {
	__u64 h;
	__u32 len;
	__u32 pad;
};

static long raw_step(__u64 i, struct raw *r)
{
	__u32 zero = 0;
	struct scratch *sc = bpf_map_lookup_elem(&scratches, &zero);
	__u64 w = 0;
	__u32 off = (__u32)i * 8;

	if (!sc || off >= r->len || off > UT_STMT_PIECE - 8)
		return 1;
	__builtin_memcpy(&w, &sc->buf[off & (UT_STMT_PIECE - 8)], 8);
	if (r->len - off < 8)
		w &= (1ULL << ((r->len - off) * 8)) - 1;
	r->h = (r->h ^ w) * 1099511628211ULL;
	return 0;
}

/* A long text hashed as it is, a word a step, a piece read at each piece's start. */
struct raw_text {
	__u64 h;
	__u64 p;
	__u32 n;
	__u32 err;
};

static long text_step(__u64 i, struct raw_text *rt)
{
	__u32 zero = 0, off = (__u32)i * 8, in = off & (UT_STMT_PIECE - 1), len;
	struct scratch *sc = bpf_map_lookup_elem(&scratches, &zero);
	__u64 w = 0;

	if (!sc || off >= rt->n)
		return 1;
	if (!in) {
		len = rt->n - off < UT_STMT_PIECE ? rt->n - off : UT_STMT_PIECE;
		if (bpf_probe_read_user(sc->piece, BOUND(len, UT_STMT_PIECE * 2 - 1),
					(void *)(rt->p + off))) {
			rt->err = 1;
			return 1;
		}
	}
	__builtin_memcpy(&w, &sc->piece[in & (UT_STMT_PIECE - 8)], 8);
	if (rt->n - off < 8)
		w &= (1ULL << ((rt->n - off) * 8)) - 1;
	rt->h = (rt->h ^ w) * 1099511628211ULL;
	return 0;
}

/* The length of the NUL-ended text at @p (up to UT_STMT_TEXT_MAX), or -1. */
static __always_inline int text_length(struct scratch *sc, __u64 p)
{
	int i, n;

	for (i = 0; i < UT_STMT_TEXT_MAX / UT_STMT_PIECE; i++) {
		n = bpf_probe_read_user_str(sc->piece, UT_STMT_PIECE,
					    (void *)(p + (__u64)i * (UT_STMT_PIECE - 1)));
		if (n <= 0)
			return -1;
		if (n < UT_STMT_PIECE)
			return i * (UT_STMT_PIECE - 1) + n - 1;
	}
	return UT_STMT_TEXT_MAX;
}

/* The literal-blind key of the @n bytes in the scratch's buffer; *@len = @n. */
static __always_inline int canon_key(struct scratch *sc, __u32 n, struct ut_stmt_key *key,
				     __u32 *len)
{
	struct canon c = {
		.h = 14695981039346656037ULL,
		.len = n,
		.prev_sig = ',',	/* a statement's start: a literal may come */
		.word = UT_WORD_HASH_INIT,
	};

	struct raw r = { .h = 14695981039346656037ULL, .len = n };
	struct raw_key rk = { .len = n };
	struct ut_stmt_key *known;

	*len = n;
	bpf_loop((n + 7) / 8, raw_step, &r, 0);
	rk.h = r.h;
	known = bpf_map_lookup_elem(&keyed, &rk);
	if (known) {
		*key = *known;
		return 0;
	}
	key->utility = 0;
	key->pad = 0;
	bpf_loop(n, canon_step, &c, 0);
	key->hash = c.h;
	bpf_map_update_elem(&keyed, &rk, key, BPF_ANY);
	return 0;
}

/*
 * The key of the @len-byte text at @p (utility statements and long texts
 * hashed as they are). @len 0: up to its NUL. *@len gets the length.
 */
static __always_inline int text_key(struct scratch *sc, __u64 p, __u32 *len, bool utility,
				    struct ut_stmt_key *key)
{
	struct raw_text rt = { .h = 14695981039346656037ULL, .p = p };
	__u32 n = *len;
	int got;

	if (!n) {
		/* to its NUL: most texts are short, and one read finds out */
		got = bpf_probe_read_user_str(sc->buf, UT_STMT_CANON_MAX + 1, (void *)p);
		if (got > 0 && got <= UT_STMT_CANON_MAX && !utility)
			return canon_key(sc, got - 1, key, len);
		got = text_length(sc, p);
		if (got < 0)
			return -1;
		n = (__u32)got;
	}
	if (n > UT_STMT_TEXT_MAX)
		n = UT_STMT_TEXT_MAX;
	*len = n;
	key->utility = utility;
	key->pad = 0;
	if (!utility && n <= UT_STMT_CANON_MAX) {
		if (bpf_probe_read_user(sc->buf, BOUND(n, UT_STMT_CANON_MAX * 2 - 1), (void *)p))
			return -1;
		return canon_key(sc, n, key, len);
	}
	/* one loop over the whole text: an unrolled loop of pieces, each with its own,
	 * took the verifier past its million instructions on 6.18.44 */
	rt.n = n;
	bpf_loop((n + 7) / 8, text_step, &rt, 0);
	if (rt.err)
		return -1;
	key->hash = rt.h ^ n;
	return 0;
}

/* ---- rows and texts ----------------------------------------------------- */

static __always_inline void ev_head(struct ut_event *ev, __u16 kind, __u32 str_len)
{
	__u64 id = bpf_get_current_pid_tgid();

	ev->ts = bpf_ktime_get_ns();
	ev->pid = id >> 32;
	ev->tid = (__u32)id;
	ev->site_id = 0;
	ev->kind = kind;
	ev->nr_strs = 1;
	ev->str_len = str_len;
	ev->faulted = 0;
	ev->truncated = 0;
	ev->stack_len = 0;
	ev->pad = 0;
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
}

/* One piece of a text: the key's, from @off. */
struct piece {
	struct ut_stmt_key key;
	__u64 p;
	__u64 len_flags;	/* as args[1] says it */
	__u32 len;
	__u32 off;
	__u32 site;
	__u32 pad;
};

/* Send it: 0, or -1 when the ring buffer had no room (a drop, counted). */
__noinline int send_piece(const struct piece *pc)
{
	__u32 zero = 0, n;
	struct scratch *sc = bpf_map_lookup_elem(&scratches, &zero);

	if (!pc || !sc || pc->off > pc->len)
		return -1;
	n = pc->len - pc->off < UT_STMT_PIECE - 1 ? pc->len - pc->off : UT_STMT_PIECE - 1;
	ev_head(&sc->ev, UT_EV_STMT_TEXT, UT_STMT_PIECE);
	sc->ev.site_id = pc->site;
	sc->ev.args[0] = pc->key.hash;
	sc->ev.args[1] = pc->len_flags;
	sc->ev.args[2] = pc->off;
	if (n && bpf_probe_read_user(sc->piece, BOUND(n, UT_STMT_PIECE - 1),
				     (void *)(pc->p + pc->off)))
		sc->ev.faulted = 1;
	sc->piece[BOUND(n, UT_STMT_PIECE - 1)] = '\0';
	if (bpf_ringbuf_output(&events, &sc->ev, sizeof(sc->ev) + UT_STMT_PIECE, wakeup_flag())) {
		count_drop();
		return -1;
	}
	return 0;
}

/*
 * The text of a key seen for the first time, in pieces. A piece the ring
 * buffer had no room for is a drop, and the key is forgotten so that its
 * next call sends the text again.
 */
static __always_inline void send_text(const struct ut_stmt_key *key, __u64 p, __u32 len,
				      bool cut, __u32 site)
{
	struct piece pc = {
		.key = *key, .p = p, .len = len, .site = site,
		.len_flags = len | (key->utility ? UT_STMT_UTILITY : 0) | (cut ? UT_STMT_CUT : 0),
	};
	__u8 one = 1;
	__u32 k;

	/* a lookup first: an update that fails still takes the bucket's lock */
	if (bpf_map_lookup_elem(&texts_sent, key) ||
	    bpf_map_update_elem(&texts_sent, key, &one, BPF_NOEXIST))
		return;		/* sent before (or no room: the summary counts it) */
	for (k = 0; k < UT_STMT_TEXT_MAX / (UT_STMT_PIECE - 1) + 1; k++) {
		pc.off = k * (UT_STMT_PIECE - 1);
		if (pc.off >= len && k)
			break;
		if (send_piece(&pc)) {
			bpf_map_delete_elem(&texts_sent, key);
			return;
		}
	}
}

#define CAS_TRIES	8

/* *@p = min(*@p, @v) against other CPUs; a race lost @CAS_TRIES times in a row is a fault. */
static __always_inline void atomic_min(__u64 *p, __u64 v)
{
	__u64 old = *p, prev;
	int i;

	for (i = 0; i < CAS_TRIES && v < old; i++) {
		prev = __sync_val_compare_and_swap(p, old, v);
		if (prev == old)
			return;
		old = prev;
	}
	if (v < old)
		count_fault();
}

static __always_inline void atomic_max(__u64 *p, __u64 v)
{
	__u64 old = *p, prev;
	int i;

	for (i = 0; i < CAS_TRIES && v > old; i++) {
		prev = __sync_val_compare_and_swap(p, old, v);
		if (prev == old)
			return;
		old = prev;
	}
	if (v > old)
		count_fault();
}

/* @key's figures, made when new (minima at their top); NULL (a drop, counted) when full. */
static __always_inline struct ut_stmt_stats *stats_of(const struct ut_stmt_key *key)
{
	struct ut_stmt_stats *st = bpf_map_lookup_elem(&stmts, key);
	struct ut_stmt_stats init = { .exec_min = ~0ULL, .plan_min = ~0ULL };

	if (st)
		return st;
	bpf_map_update_elem(&stmts, key, &init, BPF_NOEXIST);
	st = bpf_map_lookup_elem(&stmts, key);
	if (!st)
		count_drop();
	return st;
}

/* One more in @key's bucket, shared by the CPUs; a full map is a drop, counted. */
static __always_inline void bucket_inc(const struct ut_stmt_bucket *key)
{
	__u64 *c = bpf_map_lookup_elem(&stmt_buckets, key), one = 1;

	if (!c) {
		if (!bpf_map_update_elem(&stmt_buckets, key, &one, BPF_NOEXIST))
			return;
		c = bpf_map_lookup_elem(&stmt_buckets, key);	/* another CPU made it */
	}
	if (c)
		__sync_fetch_and_add(c, 1);
	else
		count_drop();
}

/* One call of @key: @exec ns executing, @whole ns in all, @rows rows. */
static __always_inline void count_call(const struct ut_stmt_key *key, __u64 exec, __u64 whole,
				       __u64 rows)
{
	struct ut_stmt_bucket bk = { .key = *key, .bucket = ut_lat_bucket(exec) };
	struct ut_stmt_stats *st = stats_of(key);

	if (!st)
		return;
	atomic_min(&st->exec_min, exec);
	atomic_max(&st->exec_max, exec);
	atomic_max(&st->whole_max, whole);
	__sync_fetch_and_add(&st->rows, rows);
	__sync_fetch_and_add(&st->exec_ns, exec);
	__sync_fetch_and_add(&st->whole_ns, whole);
	__sync_fetch_and_add(&st->calls, 1);
	bucket_inc(&bk);
}

static __always_inline void count_plan(const struct ut_stmt_key *key, __u64 ns)
{
	struct ut_stmt_stats *st = stats_of(key);

	if (!st)
		return;
	atomic_min(&st->plan_min, ns);
	atomic_max(&st->plan_max, ns);
	__sync_fetch_and_add(&st->plan_ns, ns);
	__sync_fetch_and_add(&st->plans, 1);
}

/* --min: a statement this long, with its text as sent. */
static __always_inline void send_slow(struct scratch *sc, const struct ut_stmt_key *key,
				      __u64 p, __u32 len, __u64 exec, __u64 whole, __u64 rows,
				      __u32 site)
{
	/* --strlen, up to a piece: a longer text is cut, and says so */
	__u32 slot = cfg.str_len && cfg.str_len < UT_STMT_PIECE ? cfg.str_len : UT_STMT_PIECE;
	__u32 n = len < slot - 1 ? len : slot - 1;

	if (!cfg.slow_ns || whole < cfg.slow_ns)
		return;
	ev_head(&sc->ev, UT_EV_STMT_SLOW, slot);
	sc->ev.site_id = site;
	sc->ev.args[0] = key->hash;
	sc->ev.args[1] = len | (key->utility ? UT_STMT_UTILITY : 0);
	sc->ev.args[2] = exec;
	sc->ev.args[3] = whole;
	sc->ev.args[4] = rows;
	sc->ev.truncated = len > n;
	if (bpf_probe_read_user(sc->piece, BOUND(n, UT_STMT_PIECE - 1), (void *)p))
		sc->ev.faulted = 1;
	sc->piece[BOUND(n, UT_STMT_PIECE - 1)] = '\0';
	if (bpf_ringbuf_output(&events, &sc->ev,
			       BOUND(sizeof(sc->ev) + slot, 2 * UT_STMT_PIECE - 1),
			       wakeup_flag()))
		count_drop();
}

/* ---- the probes ---------------------------------------------------------- */

/* A field of the server's memory, 0 when it cannot be read (read_user). */
static __always_inline __u64 user_u64(__u64 addr)
{
	__u64 v;

	read_user(addr, 8, &v);
	return v;
}

static __always_inline __u32 user_u32(__u64 addr)
{
	__u64 v;

	read_user(addr, 4, &v);
	return (__u32)v;
}

/*
 * The statement at a PlannedStmt's or Query's location in @src: its start,
 * *@len. Location and length are two ints side by side: one read.
 */
static __always_inline __u64 stmt_at(__u64 src, __u64 node, __u16 loc_off, __u16 len_off,
				     __u32 *len)
{
	__s32 loc, n;

	if (len_off == loc_off + 4) {
		__u64 both = user_u64(node + loc_off);

		loc = (__s32)both;
		n = (__s32)(both >> 32);
	} else {
		loc = (__s32)user_u32(node + loc_off);
		n = (__s32)user_u32(node + len_off);
	}

	*len = n > 0 ? (__u32)n : 0;
	return src + (loc > 0 ? (__u64)loc : 0);
}

static __always_inline struct scratch *scratch_get(void)
{
	__u32 zero = 0;
	struct scratch *sc = bpf_map_lookup_elem(&scratches, &zero);

	if (sc && __sync_lock_test_and_set(&sc->busy, 1)) {
		count_drop();	/* a program preempted on this CPU holds it */
		return NULL;
	}
	return sc;
}

static __always_inline void scratch_put(struct scratch *sc)
{
	sc->busy = 0;
}

/*
 * The key of the statement at @p (@len bytes, 0: to its NUL) into *@key,
 * its text sent to user space when the key is new: its length, or -1
 * when it could not be read (a fault, counted). A function of its own:
 * the verifier walks it once, not at every caller.
 */
__noinline int stmt_key(__u64 p, __u32 len, __u32 utility, __u32 site, struct ut_stmt_key *key)
{
	struct scratch *sc;
	__u32 n = len;
	int ret = -1;

	if (!key)
		return -1;
	sc = scratch_get();
	if (!sc)
		return -1;
	if (text_key(sc, p, &n, utility, key)) {
		count_fault();
	} else {
		send_text(key, p, n, len > UT_STMT_TEXT_MAX, site);
		ret = (int)n;
	}
	scratch_put(sc);
	return ret;
}

/* --min: a slow statement's text as sent, by the figures in @d. */
struct slow {
	struct ut_stmt_key key;
	__u64 p;
	__u64 exec;
	__u64 whole;
	__u64 rows;
	__u32 len;
	__u32 site;
};

__noinline int stmt_slow(const struct slow *d)
{
	struct scratch *sc;

	if (!d || !cfg.slow_ns || d->whole < cfg.slow_ns)
		return 0;
	sc = scratch_get();
	if (!sc)
		return 0;
	send_slow(sc, &d->key, d->p, d->len, d->exec, d->whole, d->rows, d->site);
	scratch_put(sc);
	return 0;
}

#define QD_WORDS	16

/*
 * A QueryDesc's plannedstmt, sourceText and estate: one read of the words
 * from the first to the last of them where the layout allows (each read
 * of the server's memory costs about as much as the words it reads).
 */
static __always_inline void qd_read(__u64 qd, __u64 *ps, __u64 *src, __u64 *estate)
{
	__u32 base = pg.qd_plannedstmt, span = pg.qd_estate + 8 - base;
	__u64 w[QD_WORDS] = {};

	if (base % 8 || pg.qd_source_text % 8 || pg.qd_estate % 8 || pg.qd_source_text < base ||
	    pg.qd_estate < pg.qd_source_text || span > sizeof(w) - 8) {
		*ps = user_u64(qd + pg.qd_plannedstmt);
		*src = user_u64(qd + pg.qd_source_text);
		*estate = user_u64(qd + pg.qd_estate);
		return;
	}
	if (bpf_probe_read_user(w, BOUND(span, sizeof(w) - 1), (void *)(qd + base)))
		__builtin_memset(w, 0, sizeof(w));
	*ps = w[0];
	*src = w[((pg.qd_source_text - base) / 8) % QD_WORDS];
	*estate = w[((pg.qd_estate - base) / 8) % QD_WORDS];
}

/*
 * A top-level ExecutorRun(queryDesc): its statement opens at its first
 * run (already_executed still false), whatever an earlier QueryDesc at the
 * same address left behind when an error skipped its ExecutorEnd.
 */
static __always_inline void on_run(struct stmt_thread *t, __u64 qd, __u32 tgid, __u64 now)
{
	struct open_key ok = { .qd = qd, .tgid = tgid };
	struct open_stmt o = { .start = now };
	__u8 again = 0;

	if (t->depth)
		return;
	bpf_probe_read_user(&again, 1, (void *)(qd + pg.qd_already_executed));
	bpf_map_update_elem(&open_stmts, &ok, &o, again ? BPF_NOEXIST : BPF_ANY);
}

/* ExecutorRun returned: its time is the statement's. */
static __always_inline void on_exec_return(const struct stmt_frame *f, __u32 tgid)
{
	struct open_key ok = { .qd = f->ptr, .tgid = tgid };
	struct open_stmt *o = bpf_map_lookup_elem(&open_stmts, &ok);

	if (o) {
		o->last_run = bpf_ktime_get_ns();
		o->exec_ns += o->last_run - f->ts;
	}
}

/* standard_ExecutorEnd(queryDesc) of a top-level statement: it counts. */
__noinline int stmt_end(__u64 qd, __u64 sp, __u32 site)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct open_key ok = { .qd = qd, .tgid = id >> 32 };
	struct stmt_thread *t = thread_of((__u32)id, false);
	struct slow d = { .site = site };
	__u64 ps, src, estate, now = bpf_ktime_get_ns(), finish = 0;
	struct stmt_frame *top;
	struct open_stmt *o;
	int n;

	if (t && t->depth && t->depth <= UT_STMT_DEPTH) {
		top = &t->f[(t->depth - 1) & (UT_STMT_DEPTH - 1)];
		if (top->kind == FRAME_FINISH && top->ptr == qd)
			finish = now - top->ts;	/* its ExecutorFinish, just before */
	}
	if (t)
		prune(t, sp);
	o = bpf_map_lookup_elem(&open_stmts, &ok);
	if (t && t->depth) {
		if (o)
			bpf_map_delete_elem(&open_stmts, &ok);
		return 0;	/* nested */
	}
	/*
	 * whole: from its first run to the end of its last run or its
	 * finish, not to ExecutorEnd, which the extended protocol calls only
	 * when the client's next message drops the portal. Never run (a
	 * cursor closed unread, or begun before usdtrace): still a call.
	 */
	d.exec = finish;
	if (o) {
		d.exec += o->exec_ns;
		d.whole = (finish ? now : o->last_run ? o->last_run : now) - o->start;
		bpf_map_delete_elem(&open_stmts, &ok);
	}
	qd_read(qd, &ps, &src, &estate);
	d.p = stmt_at(src, ps, pg.ps_location, pg.ps_len, &d.len);
	d.rows = user_u64(estate + pg.es_processed);
	n = stmt_key(d.p, d.len, 0, site, &d.key);
	if (n < 0)
		return 0;
	d.len = (__u32)n;
	count_call(&d.key, d.exec, d.whole, d.rows);
	stmt_slow(&d);
	return 0;
}

/*
 * standard_ProcessUtility(pstmt, queryString, ...): a top-level utility
 * statement opens, unless EXECUTE (its statement counts in the executor,
 * under the prepared text), PREPARE or DEALLOCATE, as pg_stat_statements.
 */
__noinline int stmt_utility(__u64 pstmt, __u64 src, __u64 sp, __u32 site, __u64 now)
{
	struct stmt_thread *t = thread_of((__u32)bpf_get_current_pid_tgid(), true);
	struct ut_stmt_key key;
	struct stmt_frame *f;
	__u32 tag, len;
	__u64 p;

	if (!t)
		return 0;
	prune(t, sp);
	if (t->depth)
		return 0;
	tag = user_u32(user_u64(pstmt + pg.ps_utility));
	if (!src || tag == pg.tag_execute || tag == pg.tag_prepare || tag == pg.tag_deallocate)
		return 0;
	p = stmt_at(src, pstmt, pg.ps_location, pg.ps_len, &len);
	if (stmt_key(p, len, 1, site, &key) < 0)
		return 0;
	f = push(t, sp, FRAME_UTIL, now);
	if (f) {
		f->key = key;
		f->ptr = user_u64(sp + pg.qc_sp_off);
	}
	return 0;
}

/* standard_planner(parse, query_string, ...) at the top level: a planning opens. */
__noinline int stmt_plan(__u64 parse, __u64 src, __u64 sp, __u32 site, __u64 now)
{
	struct stmt_thread *t = thread_of((__u32)bpf_get_current_pid_tgid(), true);
	struct ut_stmt_key key;
	struct stmt_frame *f;
	__u32 len;
	__u64 p;

	if (!t || !src)
		return 0;
	prune(t, sp);
	if (t->depth)
		return 0;
	p = stmt_at(src, parse, pg.query_location, pg.query_len, &len);
	if (stmt_key(p, len, 0, site, &key) < 0)
		return 0;
	f = push(t, sp, FRAME_PLAN, now);
	if (f)
		f->key = key;
	return 0;
}

static __always_inline bool rows_tag(__u32 tag)
{
	return tag && (tag == pg.cmd_rows[0] || tag == pg.cmd_rows[1] || tag == pg.cmd_rows[2] ||
		       tag == pg.cmd_rows[3]);
}

/* A return of ExecutorRun, ExecutorFinish, ProcessUtility or the planner. */
__noinline int stmt_return(__u64 sp)
{
	__u64 id = bpf_get_current_pid_tgid(), ns, rows = 0;
	struct stmt_thread *t = thread_of((__u32)id, false);
	struct stmt_frame f;

	if (!t || !pop_return(t, sp, &f))
		return 0;
	ns = bpf_ktime_get_ns() - f.ts;
	if (f.kind == FRAME_EXEC) {
		on_exec_return(&f, id >> 32);
	} else if (f.kind == FRAME_UTIL) {
		if (f.ptr && rows_tag(user_u32(f.ptr + pg.qc_tag)))
			rows = user_u64(f.ptr + pg.qc_processed);
		count_call(&f.key, ns, ns, rows);
	} else if (f.kind == FRAME_PLAN) {
		count_plan(&f.key, ns);
	}
	return 0;
}

SEC("uprobe")
int usdt_stmts(struct pt_regs *ctx)
{
	__u32 site = (__u32)bpf_get_attach_cookie(ctx);
	__u64 now = bpf_ktime_get_ns(), id = bpf_get_current_pid_tgid(), sp, arg0, arg1;
	struct ut_site_spec *spec;
	struct stmt_thread *t;
	bool fault;

	spec = bpf_map_lookup_elem(&site_specs, &site);
	if (!spec || !wanted())
		return 0;
	sp = read_reg_fast(ctx, pg.sp_off);
	arg0 = fetch_arg_fast(ctx, &spec->args[0], &fault);
	switch (spec->probe_id) {
	case UT_STMT_ABORT:
	case UT_STMT_ERROR:
		t = thread_of((__u32)id, false);
		if (t)
			prune(t, sp);
		break;
	case UT_STMT_XRUN:
	case UT_STMT_XFINISH:
		t = thread_of((__u32)id, true);
		if (!t)
			break;
		prune(t, sp);
		if (spec->probe_id == UT_STMT_XRUN)
			on_run(t, arg0, id >> 32, now);
		if (push(t, sp, spec->probe_id == UT_STMT_XRUN ? FRAME_EXEC : FRAME_FINISH, now))
			t->f[(t->depth - 1) & (UT_STMT_DEPTH - 1)].ptr = arg0;
		break;
	case UT_STMT_XEND:
		stmt_end(arg0, sp, site);
		break;
	case UT_STMT_UTIL:
		arg1 = fetch_arg_fast(ctx, &spec->args[1], &fault);
		stmt_utility(arg0, arg1, sp, site, now);
		break;
	case UT_STMT_PLAN:
		arg1 = fetch_arg_fast(ctx, &spec->args[1], &fault);
		stmt_plan(arg0, arg1, sp, site, now);
		break;
	default:	/* the returns */
		stmt_return(sp);
		break;
	}
	return 0;
}
