"""test_postgresql.py - -l postgresql on a real PostgreSQL (a throwaway
cluster, pgcluster.py): calls gives one row per normalized query with
exact counts (pgbench -t N: each of its 7 statements N times), --min the
slow statements with their text, --raw the texts as sent; stat's
transaction and statement counts follow pgbench's exactly, lock waits come
by mode; flow nests query -> parse -> rewrite -> plan -> execute. -p on
the postmaster follows its backends; without -p the run is system-wide on
the postgres binary. Bad input: one line each."""
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, check, summary_exit
from pgcluster import PgCluster, pg_bindir
from promtest import Served, metric, scrape_until

USDTRACE = os.path.join(ROOT, OUTPUT, "usdtrace")
PGBENCH = [
    "BEGIN",
    "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2",
    "SELECT abalance FROM pgbench_accounts WHERE aid = $1",
    "UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2",
    "UPDATE pgbench_branches SET bbalance = bbalance + $1 WHERE bid = $2",
    "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, "
    "CURRENT_TIMESTAMP)",
    "END",
]


def records(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


class Tracer:
    """usdtrace running while the test drives the database; stopped by SIGINT."""

    def __init__(self, *args):
        self.p = subprocess.Popen([USDTRACE, *args], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.err_lines, self.out_lines = [], []
        # "attached" comes once every uprobe is in place: the first JSON
        # record, or a line on stderr
        stream, lines = ((self.p.stdout, self.out_lines) if "--json" in args else
                         (self.p.stderr, self.err_lines))
        while True:
            line = stream.readline()
            lines.append(line)
            if "attached" in line or not line:
                break

    def stop(self):
        time.sleep(0.3)
        self.p.send_signal(2)
        out, err = self.p.communicate(timeout=60)
        self.err = "".join(self.err_lines) + err
        self.out = "".join(self.out_lines) + out
        self.rc = self.p.returncode
        return records(self.out)


def rows_of(recs):
    return {r["method"]: r for r in recs if r["type"] == "calls" and "interval" not in r}


def test_calls(pg):
    n = 40
    t = Tracer("calls", "--json", "-l", "postgresql", "-p", str(pg.pid))
    r = pg.pgbench("-n", "-t", str(n))
    for _ in range(3):
        pg.psql("SELECT pg_sleep(0.05)")
    pg.psql("SELECT 1 + 1", "SELECT 2 + 1")
    rows = rows_of(t.stop())
    check("pgbench ran", r.returncode == 0, r.stderr)
    got = [rows.get(q, {}).get("count") for q in PGBENCH]
    check(f"calls -l postgresql -p POSTMASTER: pgbench -t {n} gives each of its 7 "
          f"statements {n} times", got == [n] * 7, f"{got} {sorted(rows)[:12]} {t.err}")
    sleep = rows.get("SELECT pg_sleep($1)", {})
    check("three SELECT pg_sleep(0.05): one row of count 3, at least 150 ms in total",
          sleep.get("count") == 3 and sleep.get("total_ns", 0) >= 150000000 and
          sleep.get("max_ns", 0) >= 50000000 and sleep.get("p99_ns", 0) >= 50000000,
          f"{sleep}")
    plus = rows.get("SELECT $1 + $2", {})
    check("SELECT 1 + 1 and SELECT 2 + 1 are one row", plus.get("count") == 2, f"{plus}")
    check("calls rows carry mean, max and p99",
          all(set(("count", "total_ns", "mean_ns", "max_ns", "p99_ns")) <= set(x)
              for x in rows.values()), f"{list(rows.values())[:1]}")


def test_min_and_raw(pg):
    t = Tracer("calls", "--json", "--min", "30ms", "-l", "postgresql", "-p", str(pg.pid))
    for _ in range(3):
        pg.psql("SELECT pg_sleep(0.05)")
    pg.psql("SELECT 7")
    recs = t.stop()
    slow = [x for x in recs if x["type"] == "slow"]
    check("calls --min 30ms: each slow statement with its text as sent, its time and rows",
          len(slow) == 3 and all(s["query"] == "SELECT pg_sleep(0.05)" and
                                 s["dur_ns"] >= 50000000 and s["exec_ns"] >= 50000000 and
                                 s["rows"] == 1 for s in slow) and
          len({s["pid"] for s in slow}) == 3, f"{slow}")
    t = Tracer("calls", "--min", "30ms", "-l", "postgresql", "-p", str(pg.pid))
    pg.psql("SELECT pg_sleep(0.04)")
    t.stop()
    check("calls --min text: a line with the statement's text",
          '"SELECT pg_sleep(0.04)"' in t.out and "EXEC_MS" in t.out, t.out[:500])
    t = Tracer("calls", "--json", "--raw", "-l", "postgresql", "-p", str(pg.pid))
    pg.psql("SELECT 1 + 1", "SELECT 2 + 1", "SELECT 2 + 1")
    rows = rows_of(t.stop())
    check("calls --raw: rows by the text as sent",
          rows.get("SELECT 1 + 1", {}).get("count") == 1 and
          rows.get("SELECT 2 + 1", {}).get("count") == 2, f"{sorted(rows)}")
    t = Tracer("calls", "--json", "--no-plan", "-l", "postgresql", "-p", str(pg.pid))
    pg.psql("SELECT 1 + 1", "SELECT 2 + 1", "SELECT pg_sleep(0.02)")
    rows = rows_of(t.stop())
    plus, sleep = rows.get("SELECT $1 + $2", {}), rows.get("SELECT pg_sleep($1)", {})
    check("calls --no-plan: the same rows, executions timed, planning not",
          plus.get("count") == 2 and sleep.get("count") == 1 and
          sleep.get("exec_ns", 0) >= 20000000 and
          all(x.get("plans") == 0 and x.get("plan_ns") == 0 for x in rows.values()),
          f"{list(rows.values())[:3]}")


def test_cut_and_errors(pg):
    t = Tracer("calls", "--json", "--strlen", "24", "--min", "1us", "-l", "postgresql",
               "-p", str(pg.pid))
    pg.psql("SELECT 1 + 1 /* a comment that makes this long */")
    pg.psql("SELECT 1/0")
    pg.psql("SELECT 5")
    recs = t.stop()
    rows = rows_of(recs)
    whole = rows.get("SELECT $1 + $2 /* a comment that makes this long */", {})
    check("a statement's row has its whole text, whatever --strlen", whole.get("count") == 1 and
          "truncated" not in whole, f"{sorted(rows)}")
    slow = [x for x in recs if x["type"] == "slow" and x["query"].startswith("SELECT 1 +")]
    check("... and --min's record is cut at --strlen, and says so",
          len(slow) == 1 and slow[0]["query"] == "SELECT 1 + 1 /* a comme" and
          slow[0].get("truncated") is True, f"{slow}")
    check("a failed statement is not counted (as pg_stat_statements); the next ones are",
          rows.get("SELECT $1", {}).get("count") == 1 and "SELECT $1/$2" not in rows,
          f"{sorted(rows)} {t.err}")
    t = Tracer("calls", "--json", "--raw", "--strlen", "24", "--min", "1us", "-l",
               "postgresql", "-p", str(pg.pid))
    pg.psql("SELECT 1 + 1 /* a comment that makes this long */")
    pg.psql("SELECT 1/0")
    recs = t.stop()
    rows = rows_of(recs)
    cut = rows.get("SELECT 1 + 1 /* a comme", {})
    check("--raw (query__start to done): a text longer than --strlen is marked as cut",
          cut.get("truncated") is True and cut.get("count") == 1, f"{sorted(rows)}")
    check("--raw: a failed statement is said as unfinished", "did not finish" in t.err, t.err)


def test_already_running(pg):
    """-p POSTMASTER: a client connected before the run and the background
    processes started with the server are traced, not only later forks."""
    early = pg.session()
    try:
        t = Tracer("calls", "--json", "-l", "postgresql", "-p", str(pg.pid))
        pg.send(early, [f"SELECT {i} AS early;" for i in range(25)])
        rows = rows_of(t.stop())
    finally:
        early.stdin.close()
        early.wait(timeout=30)
    check("calls -p POSTMASTER: 25 statements of a client connected before the run",
          rows.get("SELECT $1 AS early", {}).get("count") == 25, f"{rows} {t.err}")
    t = Tracer("stat", "--json", "-l", "postgresql", "-p", str(pg.pid))
    pg.psql("CHECKPOINT", "CHECKPOINT")
    tot = [x for x in t.stop() if x["type"] == "stat" and "interval" not in x]
    check("stat -p POSTMASTER: two checkpoints by the checkpointer, which was there before",
          tot and tot[0].get("checkpoints") == 2, f"{tot}")


def test_system_wide(pg):
    t = Tracer("calls", "--json", "-l", "postgresql")
    pg.psql("SELECT 42 AS answer")
    rows = rows_of(t.stop())
    check("calls -l postgresql without -p: system-wide on the postgres binary found",
          rows.get("SELECT $1 AS answer", {}).get("count") == 1, f"{sorted(rows)} {t.err}")
    t = Tracer("calls", "--json", "-l", "postgresql", pg.binary)
    pg.psql("SELECT 43 AS answer")
    rows = rows_of(t.stop())
    check("calls -l postgresql POSTGRES: system-wide on that binary",
          rows.get("SELECT $1 AS answer", {}).get("count") == 1, f"{sorted(rows)} {t.err}")


def stat_total(pg, n):
    t = Tracer("stat", "--json", "-l", "postgresql", "-p", str(pg.pid))
    pg.pgbench("-n", "-t", str(n))
    recs = t.stop()
    tot = [x for x in recs if x["type"] == "stat" and "interval" not in x]
    return tot[0] if tot else {}


def test_stat(pg):
    a, b = stat_total(pg, 20), stat_total(pg, 50)
    check("stat -l postgresql: commits follow pgbench's transactions exactly",
          b.get("commits", 0) - a.get("commits", 0) == 30 and b.get("aborts") == 0 and
          a.get("commits", 0) >= 20, f"{a} {b}")
    check("stat: statements follow pgbench's 7 per transaction exactly",
          b.get("queries", 0) - a.get("queries", 0) == 7 * 30, f"{a} {b}")
    check("stat: buffer hits and reads counted", b.get("buffer_hits", 0) > 0, f"{b}")
    t = Tracer("stat", "--json", "-l", "postgresql", "-p", str(pg.pid))
    pg.psql("SELECT 1/0")
    holder = threading.Thread(target=pg.psql, args=(
        "BEGIN; LOCK TABLE pgbench_branches; SELECT pg_sleep(0.6); COMMIT;",))
    holder.start()
    time.sleep(0.3)
    pg.psql("SELECT count(*) FROM pgbench_branches")
    holder.join()
    recs = t.stop()
    tot = [x for x in recs if x["type"] == "stat" and "interval" not in x]
    tot = tot[0] if tot else {}
    mode = tot.get("lock_modes", {}).get("AccessShareLock", {})
    check("stat: an aborted transaction is counted", tot.get("aborts") == 1, f"{tot}")
    check("stat: a lock wait by its mode, with its time",
          tot.get("lock_waits") == 1 and mode.get("waits") == 1 and
          mode.get("ns", 0) >= 200000000, f"{tot}")


# pg_stat_database summed over its rows (the shared catalogs' too) and
# pg_stat_bgwriter's checkpoints, beside the names stat gives them
PGSTAT = [("commits", "sum(xact_commit)"), ("aborts", "sum(xact_rollback)"),
          ("buffer_reads", "sum(blks_read)"), ("buffer_hits", "sum(blks_hit)"),
          ("deadlocks", "sum(deadlocks)"),
          ("checkpoints", "(SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter)")]


def pgstat_now(reader):
    """The server's statistics as they are now, read by @reader: a session in
    one transaction with stats_fetch_consistency = none, so it reads shared
    memory afresh each time and its own counts stay unflushed (a backend
    flushes only between transactions)."""
    reader.stdin.write("SELECT 'pgstat', " + ", ".join(e for _, e in PGSTAT) +
                       " FROM pg_stat_database;\n")
    reader.stdin.flush()
    while True:
        line = reader.stdout.readline()
        if line.startswith("pgstat|"):
            return dict(zip((k for k, _ in PGSTAT), map(int, line.strip().split("|")[1:])))


def pgstat_settled(reader):
    """pgstat_now once it stays put: a backend's counts arrive at its exit."""
    last = pgstat_now(reader)
    for _ in range(50):
        time.sleep(0.2)
        now = pgstat_now(reader)
        if now == last:
            return now
        last = now
    return last


def deadlock(pg):
    """Two sessions each waiting for the other's row: one is chosen to fail."""
    s1, s2 = pg.session(), pg.session()
    pg.send(s1, ["BEGIN;", "UPDATE pgbench_branches SET bbalance = bbalance WHERE bid = 1;"])
    pg.send(s2, ["BEGIN;", "UPDATE pgbench_tellers SET tbalance = tbalance WHERE tid = 1;"])
    s1.stdin.write("UPDATE pgbench_tellers SET tbalance = tbalance WHERE tid = 1;\n")
    s1.stdin.flush()
    time.sleep(0.2)
    pg.send(s2, ["UPDATE pgbench_branches SET bbalance = bbalance WHERE bid = 1;",
                 "ROLLBACK;"])
    pg.send(s1, ["ROLLBACK;"])
    for s in (s1, s2):
        s.stdin.close()
        s.wait(timeout=30)


def test_stat_vs_pgstat(pg):
    """stat's totals against the server's own statistics over the same
    window: transactions, buffers, deadlocks and checkpoints exactly."""
    reader = pg.session()
    time.sleep(1.5)     # its start's counts flushed (a backend waits 1 s between flushes)
    pg.send(reader, ["BEGIN;", "SET LOCAL stats_fetch_consistency = none;"])
    before = pgstat_now(reader)
    t = Tracer("stat", "--json", "-l", "postgresql", "-p", str(pg.pid))
    r = pg.pgbench("-n", "-c", "2", "-t", "40")
    check("pgbench -c 2 -t 40 ran", r.returncode == 0, r.stderr[-300:])
    pg.psql("SELECT 1/0", "CHECKPOINT")
    r = pg.psql("CREATE TEMP TABLE tmp AS SELECT g FROM generate_series(1, 5000) g",
                "SELECT count(*) FROM tmp", "SELECT 'pages', pg_relation_size('tmp') / 8192")
    pages = [x for x in r.stdout.splitlines() if x.strip().startswith("pages")]
    pages = int(pages[0].split("|")[1]) if pages else -1
    deadlock(pg)
    pg.pgbench("-n", "-C", "-t", "20")
    time.sleep(0.5)
    recs = t.stop()
    after = pgstat_settled(reader)
    reader.stdin.close()
    reader.wait(timeout=30)
    tot = [x for x in recs if x["type"] == "stat" and "interval" not in x]
    tot = tot[0] if tot else {}
    ours = {k: tot.get(k) for k, _ in PGSTAT}
    theirs = {k: after[k] - before[k] for k, _ in PGSTAT}
    # a relation dropped before its backend flushes (the temporary table, at
    # the session's end) takes its blocks out of pg_stat_database: its pages,
    # written (an extension is a read that found nothing) and scanned (hits)
    theirs["buffer_reads"] += pages
    theirs["buffer_hits"] += pages
    check("stat -l postgresql equals pg_stat_database and pg_stat_bgwriter over the run: "
          "commits, aborts, buffer reads and hits (and a dropped temporary table's pages, "
          "which the server's statistics lose), deadlocks, checkpoints",
          ours == theirs and theirs["deadlocks"] == 1 and theirs["checkpoints"] == 1 and
          theirs["aborts"] >= 2 and pages > 0, f"ours {ours} server {theirs} temp pages {pages}")


def settled(served, name, at_least):
    """@name once it reached @at_least and stayed put for half a second."""
    x = metric(scrape_until(served, lambda x: (metric(x, name) or 0) >= at_least), name)
    while True:
        time.sleep(0.5)
        y = metric(scrape_until(served, lambda x: True), name)
        if y == x:
            return x
        x = y


def test_serve(pg):
    """calls and stat --serve while pgbench runs, a client connected that
    sends nothing: the exact counts, nothing dropped."""
    n = 30
    calls = Served("-l", "postgresql", "-p", str(pg.pid), cmd="calls")
    stat = Served("-l", "postgresql", "-p", str(pg.pid), cmd="stat")
    quiet = socket.create_connection(("127.0.0.1", calls.port))
    try:
        r = pg.pgbench("-n", "-t", "10")
        a = settled(stat, "usdtrace_db_commits_total", 10)
        r = pg.pgbench("-n", "-t", str(n + 10))
        b = settled(stat, "usdtrace_db_commits_total", a + n + 10)
        st = scrape_until(stat, lambda x: True)
        c = scrape_until(calls, lambda x: all(metric(x, "usdtrace_calls_total", method=q) ==
                                              n + 20 for q in PGBENCH))
    finally:
        quiet.close()
        calls.stop()
        stat.stop()
    got = [metric(c, "usdtrace_calls_total", lang="postgresql", method=q) for q in PGBENCH]
    check(f"calls --serve -l postgresql: pgbench -t 10 then -t {n + 10}: each of its 7 "
          f"statements served {n + 20} times, nothing dropped with a silent client connected",
          r.returncode == 0 and got == [n + 20] * 7 and
          metric(c, "usdtrace_events_dropped_total") == 0 and
          metric(c, "usdtrace_call_seconds_total", method=PGBENCH[1]) > 0, f"{got} {r.stderr}")
    # each pgbench run commits a few statements of its own besides its -t
    # transactions, the same few each time: the second run adds n more
    check("stat --serve -l postgresql: usdtrace_db_commits_total follows pgbench's "
          "transactions exactly",
          a is not None and b is not None and (b - a) - a == n and
          metric(st, "usdtrace_db_aborts_total", lang="postgresql") == 0, f"{a} {b}")


def test_flow(pg):
    t = Tracer("flow", "--json", "-l", "postgresql", "-p", str(pg.pid))
    pg.psql("SELECT pg_sleep(0.03)")
    recs = t.stop()
    seq = [(x["type"], x["depth"], x["method"]) for x in recs if x["type"] in ("call", "return")]
    q = "SELECT pg_sleep(0.03)"
    want = [("call", 0, q), ("call", 1, "parse"), ("return", 1, "parse"),
            ("call", 1, "rewrite"), ("return", 1, "rewrite"), ("call", 1, "plan"),
            ("return", 1, "plan"), ("call", 1, "execute"), ("return", 1, "execute"),
            ("return", 0, q)]
    check("flow -l postgresql: query -> parse, rewrite, plan, execute, nested", seq == want,
          f"{seq}")
    ex = [x for x in recs if x["type"] == "return" and x["method"] == "execute"]
    check("flow: execute of pg_sleep(0.03) takes at least 30 ms",
          len(ex) == 1 and ex[0]["ns"] >= 30000000, f"{ex}")


def test_bad(pg):
    def run(*args):
        return subprocess.run([USDTRACE, *args], capture_output=True, text=True, timeout=30)
    psql = os.path.join(pg_bindir(), "psql")
    r = run("calls", "-l", "postgresql", psql)
    check("-l postgresql on a binary without its probes: one line",
          r.returncode == 1 and r.stderr == f"usdtrace: {psql}: no postgresql probes "
          "(a postgres built without --enable-dtrace?)\n", r.stderr)
    # no postgres where they are looked for: /usr/lib/postgresql hidden by a
    # mount in a namespace of its own, the machine's left as it is
    r = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs none /usr/lib/postgresql "
                        f"&& exec {USDTRACE} stat -l postgresql"], capture_output=True,
                       text=True, timeout=30)
    check("-l postgresql with no postgres found: where it looked and how to name one",
          r.returncode == 1 and r.stderr == "usdtrace: stat: no postgres with postgresql "
          "probes in /usr/lib/postgresql/*/bin/postgres, /usr/local/pgsql/bin/postgres, "
          "/usr/pgsql-*/bin/postgres; name it: usdtrace stat -l postgresql "
          "/path/to/postgres, or -p PID\n", r.stderr)
    r = run("calls", "-l", "postgresql", "/nonexistent/postgres")
    check("-l postgresql on a missing file: one line",
          r.returncode == 1 and r.stderr == "usdtrace: /nonexistent/postgres: No such file "
          "or directory\n", r.stderr)
    r = run("calls", "--min", "10ms", "-l", "python", "-c", "true")
    check("--min on calls of a method runtime: refused",
          r.returncode == 1 and r.stderr == "usdtrace: calls: --min is for a database "
          "runtime (-l postgresql)\n", r.stderr)
    r = run("calls", "--no-plan", "-l", "python", "-c", "true")
    check("--no-plan on calls of a method runtime: refused",
          r.returncode == 1 and r.stderr == "usdtrace: calls: --no-plan is for a database "
          "runtime (-l postgresql)\n", r.stderr)
    r = run("calls", "-l", "postgresql", "--min", "0s")
    check("calls --min 0s: refused", r.returncode == 1 and r.stderr.count("\n") == 1 and
          "--min 0s: must be a positive duration" in r.stderr, r.stderr)
    r = run("count", "--min", "10ms", "x:y")
    check("--min on count: refused, naming where it belongs",
          r.returncode == 1 and r.stderr == "usdtrace: count: --min is for latency and "
          "calls (see usdtrace count --help)\n", r.stderr)
    r = run("calls", "-l", "postgresql", "-p", str(pg.pid), pg.binary)
    check("a binary with -p: refused", r.returncode == 1 and r.stderr.count("\n") == 1 and
          "traced system-wide, not with -p or -c" in r.stderr, r.stderr)
    r = run("calls", "-l", "python", "/usr/bin/python3.11")
    check("a FILE argument for a method runtime: refused",
          r.returncode == 1 and "unexpected argument" in r.stderr, r.stderr)


if os.getuid() != 0:
    check("postgresql tests", False, "need root")
elif not pg_bindir():
    check("postgresql tests", False, "PostgreSQL is not installed (scripts/setup.sh installs it)")
else:
    with PgCluster() as cluster:
        r = cluster.pgbench("-i", "-q")
        check("pgbench -i", r.returncode == 0, r.stderr)
        test_calls(cluster)
        test_min_and_raw(cluster)
        test_cut_and_errors(cluster)
        test_already_running(cluster)
        test_system_wide(cluster)
        test_stat(cluster)
        test_stat_vs_pgstat(cluster)
        test_serve(cluster)
        test_flow(cluster)
        test_bad(cluster)
summary_exit()
