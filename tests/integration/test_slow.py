"""test_slow.py - latency --min: exactly the slow pairs go out, each with
BEGIN's args (its string read at BEGIN: the sample overwrites it before
END) and END's, a duration at least the sleep it made; faster pairs only
reach the histogram. Text, JSON, --strlen cut marks, predicates, -p,
system-wide, --timeline slices with both events' args, and bad --min."""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, check, summary_exit, usdtrace

SLOW = os.path.join(ROOT, OUTPUT, "samples", "slow")
BEGIN, END = "slow:begin(d,s)", "slow:end(d,d)"


def records(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def slow_run(cmd, *extra, probes=(BEGIN, END)):
    r = usdtrace("latency", "--json", "--min", "10ms", *extra, "-c", cmd, *probes, timeout=60)
    recs = records(r.stdout)
    return r, [x for x in recs if x["type"] == "slow"], recs


def want_slow(n, every):
    return [i for i in range(n) if i % every == every - 1]


def test_exact():
    n, every, ms = 40, 8, 25
    r, slow, recs = slow_run(f"{SLOW} -n {n} -e {every} -m {ms}")
    ids = [s["begin_args"][0] for s in slow]
    check("--min: exactly the slow pairs, in order", r.returncode == 0 and
          ids == want_slow(n, every), f"{ids} {r.stderr[-300:]}")
    ok = len(slow) == len(want_slow(n, every)) and all(
        s["begin_args"] == [i, f"SELECT * FROM t WHERE id = {i}"] and
             s["end_args"] == [i, i * 10] and s["dur_ns"] >= ms * 1000000 and
             s["begin"] == "slow:begin" and s["end"] == "slow:end" and s["comm"] == "slow"
             and s["pid"] == s["tid"] for s, i in zip(slow, ids))
    check("--min: BEGIN's string as it was at BEGIN, END's args, dur >= the sleep", ok,
          f"{slow[:2]}")
    lat = [x for x in recs if x["type"] == "latency"]
    check("--min: every pair still in the histogram",
          len(lat) == 1 and lat[0]["count"] == n and lat[0]["unmatched"] == 0, f"{lat}")
    fast = sum(b["count"] for b in lat[0]["buckets"] if b["hi_ns"] <= 10000000) if lat else -1
    check("--min: the fast pairs only in the histogram",
          fast == n - len(want_slow(n, every)), f"{fast}")


def test_text_and_cut():
    r = usdtrace("latency", "--min", "10ms", "-c", f"{SLOW} -n 10 -e 5 -m 15", BEGIN, END,
                 timeout=60)
    lines = [l for l in r.stdout.splitlines() if "slow:begin 4" in l or "slow:begin 9" in l]
    check("--min text: one line per slow pair, BEGIN's args -> END's",
          len(lines) == 2 and '"SELECT * FROM t WHERE id = 9" -> slow:end 9 90' in lines[1]
          and "ms" in lines[1] and r.stdout.startswith("TIME(s)"), r.stdout[:600])
    r, slow, _ = slow_run(f"{SLOW} -n 5 -e 5 -m 15 -l 100", "--strlen", "32")
    check("--min: a text longer than --strlen is marked as cut",
          len(slow) == 1 and slow[0]["begin_args"][1] == "SELECT * FROM t WHERE id = 4xxx"
          and slow[0].get("begin_truncated") == [1], f"{slow}")


def test_predicates():
    r, slow, _ = slow_run(f"{SLOW} -n 30 -e 5 -m 12", probes=(
        'slow:begin(d,s) /arg1 == "*id = 1?"/', END))
    ids = [s["begin_args"][0] for s in slow]
    check("--min with a BEGIN predicate: only its slow pairs", ids == [14, 19], f"{ids}")
    r, slow, _ = slow_run(f"{SLOW} -n 30 -e 5 -m 12", probes=(BEGIN, "slow:end(d,d) /arg1 > 200/"))
    ids = [s["begin_args"][0] for s in slow]
    check("--min with an END predicate: only its slow pairs", ids == [24, 29], f"{ids}")


def test_pid_and_system_wide():
    p = subprocess.Popen(["sh", "-c", f"sleep 1; exec {SLOW} -n 10 -e 5 -m 12"])
    try:
        r = usdtrace("latency", "--json", "--min", "10ms", "-d", "4", SLOW + ":" + BEGIN,
                     SLOW + ":" + END, timeout=30)
    finally:
        p.wait()
    slow = [x for x in records(r.stdout) if x["type"] == "slow"]
    check("--min system-wide on the file", [s["begin_args"][0] for s in slow] == [4, 9],
          f"{slow} {r.stderr[-300:]}")
    p = subprocess.Popen(["sh", "-c", f"sleep 1; exec {SLOW} -n 10 -e 5 -m 12"])
    try:
        time.sleep(0.2)
        r = usdtrace("latency", "--json", "--min", "10ms", "-p", str(p.pid), BEGIN, END,
                     timeout=30)
    finally:
        p.wait()
    slow = [x for x in records(r.stdout) if x["type"] == "slow"]
    check("--min with -p (the process execs the sample)",
          [s["begin_args"][0] for s in slow] == [4, 9] and
          all(s["pid"] == p.pid for s in slow), f"{slow} {r.stderr[-300:]}")


def test_timeline():
    with tempfile.TemporaryDirectory() as d:
        tl = os.path.join(d, "t.json")
        r, slow, _ = slow_run(f"{SLOW} -n 10 -e 5 -m 12", "--timeline", tl)
        data = json.load(open(tl))
    pairs = [e for e in data if e.get("ph") == "X"]
    check("--timeline: every pair a slice with BEGIN's and END's args",
          len(pairs) == 10 and pairs[3]["args"] == {
              "begin": {"arg0": 3, "arg1": "SELECT * FROM t WHERE id = 3"},
              "end": {"arg0": 3, "arg1": 30}}, f"{pairs[:2]}")
    check("--timeline with --min: the slow pairs printed too",
          [s["begin_args"][0] for s in slow] == [4, 9] and
          all(s["dur_ns"] >= 12000000 for s in slow), f"{slow}")


def test_bad():
    cases = [
        (["--min", "10"], "usdtrace: --min 10: must be a positive duration with a unit: ns, "
         "us, ms, s, m or h (10ms)\n"),
        (["--min", "0ms"], "usdtrace: --min 0ms: must be a positive duration with a unit: ns, "
         "us, ms, s, m or h (10ms)\n"),
        (["--min", "-5ms"], "usdtrace: --min -5ms: must be a positive duration with a unit: "
         "ns, us, ms, s, m or h (10ms)\n"),
        (["--min", "5 ms"], "usdtrace: --min 5 ms: must be a positive duration with a unit: "
         "ns, us, ms, s, m or h (10ms)\n"),
    ]
    for extra, want in cases:
        r = usdtrace("latency", *extra, "-c", f"{SLOW} -n 1", BEGIN, END)
        check(f"latency {' '.join(extra)}: one line, exit 1",
              r.returncode == 1 and r.stderr == want, r.stderr)
    r = usdtrace("trace", "--min", "10ms", "-c", f"{SLOW} -n 1", BEGIN)
    check("--min on trace is refused, naming where it belongs",
          r.returncode == 1 and r.stderr.startswith("usdtrace: trace: --min is for latency") and
          r.stderr.count("\n") == 1, r.stderr)


if os.getuid() != 0:
    check("slow-pair tests", False, "need root")
else:
    test_exact()
    test_text_and_cut()
    test_predicates()
    test_pid_and_system_wide()
    test_timeline()
    test_bad()
summary_exit()
