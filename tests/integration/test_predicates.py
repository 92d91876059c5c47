"""test_predicates.py - predicates evaluated in the kernel: exact counts for
integer (signed and unsigned, from the spec or FMT), string-glob and
combined predicates, pid/uid/comm and --comm, on trace, count, latency and
plain uprobes; events + filtered = hits; every bad expression said in one
line with its column, before anything is attached. And many processes:
-p repeated or comma-separated."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, check, summary_exit, usdtrace

SAMPLE = os.path.join(ROOT, OUTPUT, "samples", "sample")
SERVER = os.path.join(ROOT, OUTPUT, "samples", "server")
N = 300


def records(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def counted(probe, *extra):
    r = usdtrace("count", "--json", *extra, "-c", f"{SAMPLE} -n {N}", probe)
    recs = records(r.stdout)
    counts = [x["count"] for x in recs if x["type"] == "count"]
    summ = recs[-1] if recs and recs[-1]["type"] == "summary" else {}
    return r, sum(counts), summ


def test_counts():
    cases = [
        ("integer range", "sample:loop /arg0 >= 100 && arg0 < 250/", 150),
        ("signed from the spec", "sample:types /arg2 < -1100/", 199),
        ("unsigned 64-bit", "sample:types /arg7 > 0xfffffffffffffff8/", 129),
        ("flag test with &", "sample:loop /arg0 & 1/", 150),
        ("string glob *", 'sample:str(s,d) /arg0 == "gam*"/', 100),
        ("string glob ?", 'sample:str(s,d) /arg0 == "?eta"/', 100),
        ("string !=", 'sample:str(s,d) /arg0 != "alpha"/', 200),
        ("combined && || and parentheses",
         'sample:str(s,d) /arg0 == "gam*" && arg1 > 3 || arg1 == 0/', 100),
        ("negation", 'sample:str(s,d) /!(arg0 == "alpha" || arg0 == "beta")/', 100),
        ("comm", 'sample:loop /comm == "sample"/', N),
        ("uid", "sample:loop /uid == 0/", N),
        ("pid and tid", "sample:loop /pid == tid/", N),
    ]
    for name, probe, want in cases:
        r, total, summ = counted(probe)
        check(f"predicate {name}: {want} of {N} counted, the rest filtered",
              r.returncode == 0 and total == want and summ.get("filtered") == N - want,
              f"{total} {summ} {r.stderr.strip()[-300:]}")


def test_comm():
    r, total, summ = counted("sample:loop", "--comm", "samp*")
    check("--comm glob keeps the process of that name", total == N and summ["filtered"] == 0,
          f"{total} {summ}")
    r, total, summ = counted("sample:loop /arg0 < 10/", "--comm", "other*")
    check("--comm adds to a probe's own predicate", total == 0 and summ["filtered"] == N,
          f"{total} {summ}")


def test_trace_accounting():
    r = usdtrace("trace", "--json", "-c", f"{SAMPLE} -n {N}", 'sample:str(s,d) /arg0 == "b*"/')
    recs = records(r.stdout)
    ev = [x for x in recs if x["type"] == "event"]
    summ = recs[-1]
    check("trace: only passing events cross the ring buffer",
          len(ev) == 100 and all(e["args"][0] == "beta" for e in ev), f"{len(ev)}")
    check("trace: events + dropped + filtered = hits",
          summ["events"] + summ["dropped"] + summ["filtered"] == N and summ["filtered"] == 200,
          f"{summ}")
    r = usdtrace("trace", "-c", f"{SAMPLE} -n 3", "sample:loop /arg0 == 1/")
    check("trace: text summary says what was filtered",
          "1 event, 0 dropped, 2 filtered," in r.stderr, r.stderr)


def test_latency_and_uprobes():
    r = usdtrace("latency", "--json", "-c", f"{SERVER} -n 60 -s 500 -k 3",
                 "server:request__begin /arg1 == 2/", "server:request__end")
    x = next((x for x in records(r.stdout) if x["type"] == "latency"), {})
    check("latency: a BEGIN predicate keeps its pairs, the filtered ones' ENDs are no orphans",
          x.get("count") == 20 and x.get("unmatched") == 0, f"{x}")
    r = usdtrace("latency", "--json", "-c", f"{SERVER} -n 60 -s 500 -k 3",
                 "server:request__begin", "server:request__end /arg0 < 30/")
    x = next((x for x in records(r.stdout) if x["type"] == "latency"), {})
    check("latency: an END predicate drops its pairs, nesting intact",
          x.get("count") == 30 and x.get("unmatched") == 0, f"{x}")
    r, total, summ = counted(f"uprobe:{SAMPLE}:sample_square /arg0 > 295/")
    check("uprobe with a predicate on its ABI argument", total == 4, f"{total} {summ}")


def test_bad():
    cases = [
        ("sample:str(s,d) /arg0 == /", "column 10: expected a value"),
        ("sample:loop /arg0 == \"x\"/",
         "column 2: arg0 is a number here: to compare it with a \"string\", give the probe "
         "FMT s for it (PROBE(s) /arg0 == \"...\"/)"),
        ("sample:loop /pid == \"x\"/",
         "column 9: a \"string\" compares with a string argument or comm"),
        ("sample:loop /arg3 > 1/", "column 2: arg3: the probe has 1 argument"),
        ("sample:loop /foo > 1/", "column 2: unknown name 'foo' (arg0..arg11, pid, tid, uid, "
                                  "comm)"),
        ('sample:str(s,d) /arg0 > "a"/', "column 7: strings compare with == or != only"),
        ("sample:loop /arg0 > 1", "column 10: expected the closing '/'"),
    ]
    for probe, msg in cases:
        r = usdtrace("count", "-c", f"{SAMPLE} -n 3", probe)
        lines = r.stderr.strip().splitlines()
        check(f"bad predicate {probe!r}: one line, before anything runs",
              r.returncode == 1 and lines == [f"usdtrace: {probe}: {msg}"], r.stderr)


def test_many_pids():
    short = subprocess.Popen([SAMPLE, "-n", "8", "-s", "60"], stdout=subprocess.DEVNULL)
    long_ = subprocess.Popen([SAMPLE, "-n", "25", "-s", "60"], stdout=subprocess.DEVNULL)
    other = subprocess.Popen([SAMPLE, "-n", "60", "-s", "60"], stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.15)
        r = usdtrace("count", "--json", "--by", "pid", "-p", f"{short.pid},{long_.pid}",
                     "sample:loop", timeout=30)
    finally:
        for p in (short, long_, other):
            p.kill()
            p.wait()
    counts = {x["pid"]: x["count"] for x in records(r.stdout) if x["type"] == "count"}
    check("-p A,B traces both and nothing else",
          r.returncode == 0 and set(counts) == {short.pid, long_.pid}, f"{counts} {r.stderr}")
    check("-p A,B: the run goes on after A exits, until B does",
          counts.get(long_.pid, 0) > counts.get(short.pid, 0) + 10 and
          f"PID {short.pid} exited" in r.stderr and f"PID {long_.pid} exited" in r.stderr,
          f"{counts} {r.stderr}")
    a = subprocess.Popen([SAMPLE, "-n", "10", "-s", "50"], stdout=subprocess.DEVNULL)
    b = subprocess.Popen([SAMPLE, "-n", "10", "-s", "50"], stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.1)
        r = usdtrace("count", "--json", "--by", "pid", "-p", str(a.pid), "-p", str(b.pid),
                     "-p", str(a.pid), "sample:loop", timeout=30)
    finally:
        for p in (a, b):
            p.kill()
            p.wait()
    counts = {x["pid"]: x["count"] for x in records(r.stdout) if x["type"] == "count"}
    check("-p repeated adds processes, each once", set(counts) == {a.pid, b.pid}, f"{counts}")
    r = usdtrace("count", "-p", "1,abc", "sample:loop")
    check("-p with a bad PID in a list is one line",
          r.returncode == 1 and r.stderr == "usdtrace: -p 1,abc: not a process ID\n", r.stderr)


if os.getuid() != 0:
    check("predicate tests", False, "need root")
else:
    test_counts()
    test_comm()
    test_trace_accounting()
    test_latency_and_uprobes()
    test_bad()
    test_many_pids()
summary_exit()
