/* SPDX-License-Identifier: MIT */
/*
 * lang.h - language-runtime adapters: for Python, Java, Ruby and PHP,
 * which probes mean a call, a return, GC, an allocation, a thread or a
 * class/file load, how their arguments name a method, and what the
 * runtime needs switched on; for PostgreSQL, which probes mean a query, a
 * transaction, a lock wait, a buffer read, a sort, a checkpoint; for
 * libvirt, which probes are an RPC call and its reply. Data rather than code: adding a runtime is
 * adding a table entry. Pure code, no BPF, no I/O.
 */
#ifndef USDTRACE_LANG_H
#define USDTRACE_LANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bpf/usdtrace.h"
#include "rpc_names.h"

#define LANG_MAX_PROBES	24

/* What a probe of a runtime means. */
enum lang_event {
	LANG_ENTRY,
	LANG_RETURN,
	LANG_GC_BEGIN,
	LANG_GC_END,
	LANG_ALLOC,
	LANG_THREAD_START,
	LANG_THREAD_STOP,
	LANG_LOAD,
	LANG_EXCEPTION,
	/* a database runtime (PostgreSQL) */
	LANG_QUERY_BEGIN,	/* arg0: the query text */
	LANG_QUERY_END,
	LANG_TX_COMMIT,
	LANG_TX_ABORT,
	LANG_LOCK_WAIT_BEGIN,	/* db->lock_mode_arg: the lock mode */
	LANG_LOCK_WAIT_END,
	LANG_LWLOCK_WAIT_BEGIN,	/* arg0: the tranche name */
	LANG_LWLOCK_WAIT_END,
	LANG_BUFFER_READ,	/* db->buffer_found_arg: 1 when found in shared buffers */
	LANG_SORT,
	LANG_CHECKPOINT,
	LANG_DEADLOCK,
	/* an RPC system (libvirt): struct lang_rpc says what the arguments are */
	LANG_RPC_CALL_OUT,	/* a client queues a call */
	LANG_RPC_REPLY_IN,	/* ... and receives its reply */
	LANG_RPC_CALL_IN,	/* a server receives a call */
	LANG_RPC_REPLY_OUT,	/* ... and queues its reply */
	LANG_MON_SEND,		/* a command to a managed process's monitor (QEMU's QMP) */
	LANG_MON_REPLY,		/* ... its reply: one at a time per monitor */
	NR_LANG_EVENTS,
};

struct lang_probe {
	enum lang_event event;
	const char *text;	/* probe with FMT, as a user would type it */
	const char *label;	/* an entry/return's fixed name ("plan"), NULL: from args */
	/*
	 * A glob of the object that holds it when that is not the runtime's
	 * binary (a driver its daemon dlopens): where a system-wide run traces
	 * it. NULL: the runtime's binary.
	 */
	const char *object;
};

/* How the method name parts join: "file.py:func", "pkg.Class.method", ... */
enum lang_name_style {
	LANG_NAME_FILE_FUNC,	/* part0 ":" part1 */
	LANG_NAME_JAVA,		/* part0 with '/' as '.', "." part1 */
	LANG_NAME_RUBY,		/* part0 "#" part1 */
	LANG_NAME_PHP,		/* part0 "::" part1, or part1 alone */
	LANG_NAME_TEXT,		/* part0 as it is (a query's text) */
};

/*
 * A probe known to harm its runtime when enabled: which probe, in which
 * version (recognised by the object's file name, which carries it), why,
 * and what leaving it off costs. usdtrace never enables one unasked.
 */
struct lang_unsafe {
	const char *probe;		/* PROVIDER:NAME glob */
	const char *object;		/* file name prefix of the harmed version */
	const char *reason;
	const char *cost;		/* what is not seen without it */
};

#define LANG_MAX_UNSAFE	4

/*
 * Where a database server keeps what pg_stat_statements reads, for one
 * major version: the executor's calls traced by `calls` (struct
 * ut_pg_layout), the offsets checked against that version's headers.
 */
struct lang_db_layout {
	int major;
	struct ut_pg_layout l;
};

/* What a database's probe arguments say beyond their events (db_stat.c reads it). */
struct lang_db {
	int8_t lock_mode_arg;		/* LANG_LOCK_WAIT_BEGIN's lock mode */
	int8_t buffer_found_arg;	/* LANG_BUFFER_READ's "found" flag */
	const char *const *lock_modes;	/* lock mode numbers' names, NULL-ended */
	/*
	 * calls: a statement's probes, in enum ut_stmt_role order, "%s" for
	 * the server's binary; its layouts by version (major 0 ends them), the
	 * version read from the binary after @version_tag ("(PostgreSQL) ").
	 */
	const char *stmt_probes[UT_STMT_NR_ROLES];
	const struct lang_db_layout *layouts;
	const char *version_tag;
};


/* What an RPC system's message probes pass, and where its daemon names its procedures. */
struct lang_rpc {
	int8_t obj_arg, prog_arg, proc_arg, type_arg, status_arg, serial_arg;
	uint32_t type_call, type_reply;	/* the type argument's values */
	uint32_t status_error;		/* a reply's status when its call failed */
	const struct rpc_program *progs;
	size_t nr_progs;
	/* the daemon's dispatch array (rpc_names.h): entry size, filter offsets */
	uint32_t entry_size, args_off, ret_off;
	const char *daemons[3];		/* where the daemon is: the names' source */
};

struct lang_adapter {
	const char *lang;		/* python, java, ruby, php */
	const char *runtime;		/* where the probes live, for messages */
	struct lang_probe probes[LANG_MAX_PROBES];
	int8_t ident[3];		/* entry/return args naming the method, -1: none */
	enum lang_name_style style;
	int8_t alloc_size_arg;		/* bytes of an allocation, -1: not given */
	const char *child_env;		/* set for -c, e.g. "USE_ZEND_DTRACE=1" */
	const char *needs;		/* what the runtime must be started with */
	const char *quirk;		/* a known gap, reported when seen */
	/* "provider:name" of the probes it leaves silent: said when a run of
	 * them ends without a hit */
	const char *gap_probes[3];
	const char *system_binary;	/* Debian's build, with the probes: a hint */
	/*
	 * Entries may be missing (CPython 3.11): match a return to the innermost
	 * entry only when its name pointers are the same. Runtimes whose name
	 * pointers differ between entry and return (Ruby builds its class name
	 * string each time) fire every entry, so plain LIFO is exact there.
	 */
	bool match_names;
	struct lang_unsafe unsafe[LANG_MAX_UNSAFE];	/* known-bad probes, by version */
	/*
	 * A server that forks a process per connection (PostgreSQL): -p means
	 * that process and its children (-f), and with neither -p nor -c the
	 * run is system-wide on the runtime's binary, the first of @paths
	 * (globs) with the adapter's probes, or the FILE given.
	 */
	bool forks;
	const char *paths[4];
	const struct lang_db *db;	/* a database's arguments, NULL: not one */
	const struct lang_rpc *rpc;	/* an RPC system's, NULL: not one */
};

extern const struct lang_adapter lang_python, lang_java, lang_ruby, lang_php, lang_postgresql,
	lang_libvirt;

/* The adapter of @lang, or NULL. */
const struct lang_adapter *lang_adapter__find(const char *lang);
/*
 * The known-bad entry of probe @provider:@name in the object at @path
 * (any adapter's), or NULL when enabling it is safe.
 */
const struct lang_unsafe *lang_unsafe__find(const char *path, const char *provider,
					    const char *name);

/* What to do with a probe site about to be attached. */
enum lang_verdict {
	LANG_ATTACH,		/* safe, or --allow-unsafe */
	LANG_LEAVE_OFF,		/* known to harm: left off, and said (the runtime commands) */
	LANG_REFUSE,		/* known to harm: the run refused (a probe named by hand) */
};

/*
 * The unsafe-probe policy: probe @provider:@name of the object at @path is
 * attached unless it is known to harm its runtime (*@u then says why);
 * then @allow (--allow-unsafe) attaches it all the same, else it is left
 * off with @leave_off or the run refused.
 */
enum lang_verdict lang_unsafe__policy(const char *path, const char *provider, const char *name,
				     bool allow, bool leave_off, const struct lang_unsafe **u);

/*
 * The known gap of a runtime (its quirk) that explains a probe with no hit:
 * the first adapter's gap probe that @match(@ctx, provider, name) accepts,
 * its "provider:name" in *@probe. NULL when none.
 */
const char *lang_gap__find(bool (*match)(const void *ctx, const char *provider,
					 const char *name),
			   const void *ctx, const char **probe);

/* "python, java, ruby, php, postgresql" for messages. */
const char *lang_adapter__names(void);

/* Probes of @a with an event in @mask (1 << enum lang_event); returns the count. */
int lang_adapter__select(const struct lang_adapter *a, unsigned int mask,
			 const struct lang_probe **out, int max);

/* Does @a's probe set describe queries (a database) rather than methods? */
bool lang_adapter__queries(const struct lang_adapter *a);
/* Does @a describe an RPC system (calls paired with replies: libvirt)? */
bool lang_adapter__rpcs(const struct lang_adapter *a);
/* The name of lock mode @mode of @a, NULL when unknown. */
const char *lang_lock_mode(const struct lang_adapter *a, uint64_t mode);

/* Join up to three name parts of a method as the runtime writes them. */
void lang_method_name(const struct lang_adapter *a, const char *const parts[3], char *buf,
		      size_t size);

/*
 * A glob of a method's displayed name (Small.run, Work#leaf, Foo::bar,
 * file.py:func) split at the runtime's separator into a glob of each name
 * part as its probes pass them (Java's class with '/'): true and both
 * filled, or false when the glob has no separator (the method part alone).
 */
bool lang_method_glob_split(const struct lang_adapter *a, const char *glob, char *cls,
			    size_t csize, char *meth, size_t msize);

/* Does a runtime command line (or environment) carry the flag @a needs? */
bool lang_adapter__flag_present(const struct lang_adapter *a, const char *cmdline,
				size_t len);

/*
 * The layout of major version @major of @a's server, its word hashes
 * filled in (ut_word_hash of the normalizer's words), into @out: 0, or
 * -ENOENT when the version is not known.
 */
int lang_db__layout(const struct lang_adapter *a, int major, struct ut_pg_layout *out);
/* The major version in the @n bytes of a server binary @buf (after version_tag), 0: none. */
int lang_db__version_in(const struct lang_adapter *a, const char *buf, size_t n);

#endif /* USDTRACE_LANG_H */
