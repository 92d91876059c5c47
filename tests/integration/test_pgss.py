"""test_pgss.py - calls -l postgresql checked row by row against
pg_stat_statements itself, loaded in a throwaway cluster (pgcluster.py)
with track_planning on, while the same workloads run: pgbench in the
simple, extended and prepared protocols, a script whose literals vary,
multi-statement strings, PREPARE/EXECUTE, utility statements, functions
whose statements nest (recursing 20 deep, an error caught inside), a
statement of over 8 KiB, a client connected before usdtrace started and 9,000
short connections (pgbench -C).

Each pg_stat_statements row must be one of usdtrace's, with the same text,
calls, rows and plans. Times: pg_stat_statements' hooks wrap the same
standard_ExecutorRun/Finish and standard_planner whose entries and
returns usdtrace traps, so each side's time holds a few microseconds of
the other's probes (a uprobe and its uretprobe: two traps, about 5 us
each on this VM, several times that when the machine is loaded):
execution and planning times must agree within 30% plus 40 us a call. One known difference is asserted as such: a utility
statement of the prepared protocol (pgbench -M prepared's BEGIN and END)
is counted by pg_stat_statements at its first execution only (it clears
the cached statement's query id then), by usdtrace at every one."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, check, summary_exit
from pgcluster import PgCluster, pg_bindir

USDTRACE = os.path.join(ROOT, OUTPUT, "usdtrace")
N = 60                  # pgbench transactions per protocol
SHORT = 9000            # pgbench -C connections


def tracer(pid):
    p = subprocess.Popen([USDTRACE, "calls", "--json", "-l", "postgresql", "-p", str(pid)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = p.stdout.readline()
    return p, first


def stop(p):
    time.sleep(0.5)
    p.send_signal(2)
    out, err = p.communicate(timeout=120)
    recs = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
    return {r["method"]: r for r in recs if r["type"] == "calls"}, err, recs


def pgss_rows(pg):
    """pg_stat_statements' rows by text: rows only a query id tells apart
    (SELECT 1 in the simple protocol is a Const, $1 in the extended one a
    Param: two ids, one text) are summed, as usdtrace shows them. The reset
    is left out: it was planned before it emptied the view."""
    r = pg.psql("COPY (SELECT json_build_object('query', query, 'calls', calls, 'rows', rows, "
                "'plans', plans, 'exec', total_exec_time, 'plan', total_plan_time) FROM "
                "pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%') TO STDOUT")
    rows = {}
    for x in map(json.loads, r.stdout.splitlines()):
        y = rows.setdefault(x["query"], dict(x, calls=0, rows=0, plans=0, exec=0, plan=0))
        for k in ("calls", "rows", "plans", "exec", "plan"):
            y[k] += x[k]
    return rows


def within(ours_ns, theirs_ms, calls):
    theirs = theirs_ms * 1e6
    return abs(ours_ns - theirs) <= 0.3 * theirs + 40000 * calls


def workload(pg, early):
    for mode in ("simple", "extended", "prepared"):
        r = pg.pgbench("-n", "-t", str(N), "-M", mode)
        check(f"pgbench -M {mode} ran", r.returncode == 0, r.stderr[-300:])
    script = os.path.join(pg.dir, "vary.sql")
    with open(script, "w") as f:
        f.write("\\set a random(1, 100000)\n"
                "SELECT abalance FROM pgbench_accounts WHERE aid = :a;\n"
                "SELECT :a * 2 AS twice, 'n' || :a AS tag, :a > 500 AS big;\n")
    os.chmod(script, 0o644)
    r = pg.pgbench("-n", "-t", "50", "-f", script)
    check("pgbench -f (literals that vary) ran", r.returncode == 0, r.stderr[-300:])
    long_a = "SELECT " + " + ".join(str(i) for i in range(1, 2200)) + " AS total"
    long_b = "SELECT " + " + ".join(str(i + 7) for i in range(1, 2200)) + " AS total"
    r = pg.psql("SELECT 1; SELECT 2 ;select   3",
                "select true, false, NULL::int, -5, 'x'::varchar(10), 1.5, 2 - -3",
                "PREPARE p AS SELECT $1::int + 1; EXECUTE p(1); EXECUTE p(2); DEALLOCATE p",
                "CREATE TABLE t (a int, b varchar(20))",
                "INSERT INTO t SELECT g, 'r' || g FROM generate_series(1, 40) g",
                "select /* a comment */ count(*) FROM t WHERE a IN (1, 2, 3)",
                "SELECT  count(*)  from T where a in (4, 5, 6);",
                "SELECT a, count(*) FROM t GROUP BY 1 ORDER BY 1 LIMIT 3",
                "VACUUM t", "SET work_mem = '4MB'", "BEGIN; SELECT 5; COMMIT",
                long_a, long_b)
    check("psql statements ran", r.returncode == 0, r.stderr[-300:])
    # statements run by functions are nested (track = top): not rows, also
    # when recursing deeper than usdtrace's per-backend stack or when an
    # error inside is caught
    r = pg.psql("CREATE FUNCTION depth(n int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN "
                "IF n <= 0 THEN RETURN 0; END IF; "
                "RETURN (SELECT depth(n - 1) + 1 FROM pgbench_branches LIMIT 1); END $$",
                "CREATE FUNCTION caught() RETURNS int LANGUAGE plpgsql AS $$ BEGIN "
                "PERFORM 1 / (SELECT count(*) - count(*) FROM pgbench_tellers); RETURN 0; "
                "EXCEPTION WHEN division_by_zero THEN RETURN -1; END $$",
                "SELECT depth(3)", "SELECT depth(20)", "SELECT caught()", "SELECT caught()",
                "SELECT count(*) FROM pgbench_tellers")
    check("functions nesting statements ran", r.returncode == 0, r.stderr[-300:])
    pg.send(early, [f"SELECT {i} * 3 AS early;" for i in range(30)])
    # an error rolled back to a savepoint: its statement never ends (and no
    # transaction aborts); the next one, a moment later, is timed from its own start
    pg.send(early, ["BEGIN;", "SAVEPOINT s;", "SELECT 1 / (2 - 2) AS boom;",
                    "ROLLBACK TO SAVEPOINT s;"])
    time.sleep(0.5)
    pg.send(early, ["SELECT count(*) AS after_savepoint FROM pgbench_history WHERE tid = 7;", "COMMIT;"])
    conn = os.path.join(pg.dir, "conn.sql")
    with open(conn, "w") as f:
        f.write("SELECT 1 AS connected_once;\n")
    os.chmod(conn, 0o644)
    r = pg.pgbench("-n", "-C", "-t", str(SHORT), "-f", conn)
    check(f"pgbench -C -t {SHORT} ran", r.returncode == 0, r.stderr[-300:])


def compare(ours, theirs):
    prepared_utility = {"BEGIN", "END"}
    bad, slow = [], []
    for q, t in theirs.items():
        o = ours.get(q)
        if not o:
            bad.append(f"missing: {q[:80]}")
            continue
        calls = o["count"]
        if q in prepared_utility:
            calls -= N - 1   # pg_stat_statements saw the prepared one's first only
        if (calls, o["rows"], o["plans"]) != (t["calls"], t["rows"], t["plans"]):
            bad.append(f"{q[:60]}: ours {o['count']}/{o['rows']}/{o['plans']} "
                       f"pgss {t['calls']}/{t['rows']}/{t['plans']}")
        if not within(o["exec_ns"], t["exec"], t["calls"]) or \
                not within(o["plan_ns"], t["plan"], t["plans"]):
            slow.append(f"{q[:50]}: exec {o['exec_ns']} vs {t['exec'] * 1e6:.0f}, plan "
                        f"{o['plan_ns']} vs {t['plan'] * 1e6:.0f}")
    extra = sorted(q for q in ours if q not in theirs and "pg_stat_statements" not in q)
    return bad, slow, extra


def main():
    settings = ["shared_preload_libraries=pg_stat_statements",
                "pg_stat_statements.track_planning=on", "max_connections=50"]
    with PgCluster(settings=settings) as pg:
        r = pg.psql("CREATE EXTENSION pg_stat_statements")
        check("CREATE EXTENSION pg_stat_statements", r.returncode == 0, r.stderr)
        pg.pgbench("-i", "-q")
        early = pg.session()
        p, first = tracer(pg.pid)
        check("calls -l postgresql attached", "attached" in first, first + p.stderr.read()
              if p.poll() is not None else first)
        pg.psql("SELECT pg_stat_statements_reset()")
        try:
            workload(pg, early)
        finally:
            early.stdin.close()
            early.wait(timeout=30)
        ours, err, recs = stop(p)
        theirs = pgss_rows(pg)
    bad, slow, extra = compare(ours, theirs)
    check(f"every pg_stat_statements row ({len(theirs)}) is one of usdtrace's: same text, "
          "calls, rows and plans", not bad, "; ".join(bad[:8]))
    check("... execution and planning times within 30% + 40 us a call", not slow,
          "; ".join(slow[:6]))
    check("usdtrace has no row pg_stat_statements lacks", not extra, f"{extra[:6]}")
    checks = {
        "SELECT abalance FROM pgbench_accounts WHERE aid = $1": 3 * N + 50,
        "SELECT $1 * $2 AS early": 30,
        "PREPARE p AS SELECT $1::int + $2": 2,
        "SELECT depth($1)": 2,
        "SELECT caught()": 2,
        "SELECT count(*) FROM pgbench_tellers": 1,
        # SELECT 1, 2 and 3 of one string, the 5 of BEGIN; SELECT 5; COMMIT and,
        # its alias aside, each short connection's SELECT 1 AS connected_once
        "SELECT $1": 4 + SHORT,
    }
    got = {q: ours.get(q, {}).get("count") for q in checks}
    check("the extended and prepared protocols, a client connected before the run, 9,000 "
          "short connections, EXECUTE under its PREPARE, each statement of a string",
          got == checks, f"{got}")
    after = ours.get("SELECT count(*) AS after_savepoint FROM pgbench_history WHERE tid = $1", {})
    check("a statement after an error rolled back to a savepoint: counted, timed from its "
          "own start (not the failed one's)", after.get("count") == 1 and
          after.get("max_ns", 1 << 62) < 100000000 and after.get("exec_max_ns", 1 << 62) <
          100000000, f"{after}")
    long_row = [q for q in ours if q.startswith("SELECT $1 + $2 + $3") and q.endswith("AS total")]
    check("a statement of over 8 KiB: one row of its whole normalized text, called twice",
          len(long_row) == 1 and ours[long_row[0]]["count"] == 2 and
          len(long_row[0]) > 8192, f"{[(q[:40], len(q)) for q in long_row]}")
    summ = [r for r in recs if r["type"] == "summary"]
    check("nothing dropped, nobody unfollowed", summ and summ[0]["dropped"] == 0 and
          "unfollowed" not in err and "not followed" not in err, f"{summ} {err[-300:]}")


if os.getuid() != 0:
    check("pg_stat_statements tests", False, "need root")
elif not pg_bindir():
    check("pg_stat_statements tests", False,
          "PostgreSQL is not installed (scripts/setup.sh installs it)")
else:
    main()
summary_exit()
