"""test_aggregate.py - `usdtrace count` and `usdtrace latency` on real
processes: exact counts per probe, site and pid, interval records; latency
histograms of known sleeps, nested and multi-threaded pairs, key splits,
unmatched ends; bad input."""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, USDTRACE, build_c, check, run, summary_exit, usdtrace

SAMPLE = os.path.join(ROOT, OUTPUT, "samples", "sample")
SERVER = os.path.join(ROOT, OUTPUT, "samples", "server")
BEGIN, END = "server:request__begin", "server:request__end"


def records(text, kind=None):
    out = [json.loads(l) for l in text.splitlines() if l.startswith("{")]
    return [r for r in out if kind is None or r["type"] == kind]


def test_count():
    n = 4000
    r = usdtrace("count", "--json", "-c", f"{SAMPLE} -n {n}", "sample:*")
    counts = {x["probe"]: x["count"] for x in records(r.stdout, "count")}
    want = {p: n for p in ["sample:loop", "sample:types", "sample:str", "sample:global",
                           "sample:twelve", "sample:request__start",
                           "sample:request__done"]}
    want["sample:twosites"] = 2 * n
    want["sample:hostile"] = n
    check("count: every probe counted exactly", r.returncode == 0 and counts == want,
          f"rc {r.returncode} {counts} {r.stderr}")
    recs = records(r.stdout)
    check("count: attached first, summary last with every hit",
          recs and recs[0]["type"] == "attached" and recs[-1]["type"] == "summary" and
          recs[-1]["events"] == 10 * n and recs[-1]["dropped"] == 0, f"{recs[-1:]}")

    r = usdtrace("count", "--json", "--by", "site", "-c", f"{SAMPLE} -n 500", "sample:two*")
    sites = records(r.stdout, "count")
    check("count --by site: both sites of a probe, each exact",
          len(sites) == 2 and all(x["count"] == 500 for x in sites) and
          sites[0]["offset"] != sites[1]["offset"], f"{sites}")

    r = usdtrace("count", "-c", f"{SAMPLE} -n 100", "sample:loop", "sample:twosites")
    lines = r.stdout.splitlines()
    check("count text: sorted table", len(lines) == 3 and lines[0].startswith("PROBE") and
          lines[1].split() == ["sample:twosites", "200"] and
          lines[2].split() == ["sample:loop", "100"], r.stdout)


def test_count_by_pid_system_wide():
    t = subprocess.Popen([USDTRACE, "count", "--json", "--by", "pid", "-d", "3",
                          f"{SAMPLE}:sample:loop"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    first = t.stdout.readline()
    p1 = subprocess.Popen([SAMPLE, "-n", "5"])
    p2 = subprocess.Popen([SAMPLE, "-n", "7"])
    p1.wait()
    p2.wait()
    out = t.stdout.read()
    t.wait(timeout=20)
    rows = {x["pid"]: x["count"] for x in records(first + out, "count")}
    check("count --by pid system-wide: one exact row per process",
          rows == {p1.pid: 5, p2.pid: 7}, f"{rows}")


def test_count_interval():
    proc = subprocess.Popen([SAMPLE, "-n", "100000", "-s", "5"])
    try:
        time.sleep(0.2)
        r = usdtrace("count", "--json", "-i", "0.5", "-d", "2.2", "-p", str(proc.pid),
                     "sample:loop")
        recs = records(r.stdout, "count")
        inter = [x for x in recs if x.get("interval")]
        final = [x for x in recs if not x.get("interval")]
        check("count -i: interval records with timestamps, then the total",
              len(inter) >= 3 and all("ts" in x for x in inter) and len(final) == 1 and
              sum(x["count"] for x in inter) <= final[0]["count"] and
              all(x["count"] > 10 for x in inter),
              f"{len(inter)} intervals, {final} {r.stderr}")
    finally:
        proc.kill()
        proc.wait()


def latency(args, cmd):
    r = usdtrace("latency", "--json", *args, "-c", cmd, BEGIN, END)
    return r, records(r.stdout, "latency")


def test_latency():
    r, recs = latency([], f"{SERVER} -n 300 -s 2000")
    ok = r.returncode == 0 and len(recs) == 1
    check("latency: one record", ok, f"rc {r.returncode} {r.stderr}")
    if not ok:
        return
    x = recs[0]
    check("latency: 300 pairs, 0 unmatched", x["count"] == 300 and x["unmatched"] == 0,
          f"{x['count']} {x['unmatched']}")
    check("latency: p50 within [2 ms, 4 ms]", 2000000 <= x["p50_ns"] <= 4000000,
          f"{x['p50_ns']}")
    check("latency: buckets sum to count", sum(b["count"] for b in x["buckets"]) == 300,
          "mismatch")
    check("latency: min <= p50 <= p90 <= p99 <= max and mean in range",
          x["min_ns"] <= x["p50_ns"] <= x["p90_ns"] <= x["p99_ns"] <= x["max_ns"] and
          x["min_ns"] <= x["mean_ns"] <= x["max_ns"] and x["min_ns"] >= 2000000, f"{x}")
    check("latency: buckets at most 25% wide",
          all(b["hi_ns"] - b["lo_ns"] <= 0.25 * b["lo_ns"] for b in x["buckets"]),
          f"{x['buckets']}")
    check("latency: key null without --key", x["key"] is None, f"{x['key']}")


def test_function_latency(d):
    """latency of a function from uprobes (bcc's funclatency): one uprobe
    alone pairs its entry with its return; recursive calls nest."""
    exe = build_c(d, "rec", "#include <time.h>\n"
                  "__attribute__((noinline)) int rec(int n)\n"
                  "{ struct timespec t = { 0, 200000 }; nanosleep(&t, 0);\n"
                  "  return n ? rec(n - 1) + 1 : 0; }\n"
                  "int main(void) { int s = 0; for (int i = 0; i < 10; i++) s += rec(4);\n"
                  "  return s == 40 ? 0 : 1; }\n", "-O0")
    if not exe:
        return
    r = usdtrace("latency", "--json", "-c", exe, f"uprobe:{exe}:rec")
    x = (records(r.stdout, "latency") or [{}])[0]
    check("latency uprobe:PATH:FUNC alone: entry to return, every call of a recursion "
          "(10 x 5), none unmatched, the outermost ones ~5x the innermost",
          r.returncode == 0 and x.get("begin") == "uprobe:rec" and
          x.get("end") == "uretprobe:rec" and x.get("count") == 50 and
          x.get("unmatched") == 0 and x.get("min_ns", 0) >= 200000 and
          x.get("max_ns", 0) >= 4 * x.get("min_ns", 1 << 62), f"{x} {r.stderr}")
    r = usdtrace("latency", "-c", f"{SAMPLE} -n 20", f"uprobe:{SAMPLE}:sample_square",
                 f"uretprobe:{SAMPLE}:sample_square")
    check("latency uprobe BEGIN, uretprobe END: named so in text, every call paired",
          r.returncode == 0 and r.stdout.startswith("uprobe:sample_square -> "
                                                    "uretprobe:sample_square\n") and
          "count 20  unmatched 0" in r.stdout, r.stdout + r.stderr)


def test_latency_nested_threads_keys():
    # LIFO: inner pairs of 2 ms and outer ones of 6 ms; FIFO would make every
    # pair about 4 ms. Scheduling delay only lengthens pairs, hence >= 40.
    r, recs = latency([], f"{SERVER} -n 50 -s 2000 -N")
    x = recs[0] if recs else {}
    short = sum(b["count"] for b in x.get("buckets", []) if b["hi_ns"] <= 3670016)
    long_ = sum(b["count"] for b in x.get("buckets", []) if b["lo_ns"] >= 5242880)
    check("latency nested: LIFO pairs, 50 inner (~2 ms) and 50 outer (~6 ms)",
          x.get("count") == 100 and x.get("unmatched") == 0 and short >= 40 and long_ >= 50,
          f"{x.get('count')} short {short} long {long_}")

    r, recs = latency([], f"{SERVER} -n 40 -s 500 -t 4")
    x = recs[0] if recs else {}
    check("latency threads: pairs matched per thread",
          x.get("count") == 160 and x.get("unmatched") == 0 and x.get("min_ns", 0) >= 500000,
          f"{x}")

    r, recs = latency(["--key", "arg1"], f"{SERVER} -n 60 -s 1000 -k 3")
    by_key = {x["key"]: x for x in recs}
    check("latency --key: one record per key value",
          sorted(by_key) == [0, 1, 2] and all(x["count"] == 20 for x in recs), f"{by_key.keys()}")
    if sorted(by_key) == [0, 1, 2]:
        check("latency --key: each key's own latency (1, 2, 3 ms)",
              1000000 <= by_key[0]["min_ns"] and by_key[0]["p50_ns"] < by_key[1]["p50_ns"] <
              by_key[2]["p50_ns"] and by_key[2]["min_ns"] >= 3000000,
              f"{[by_key[k]['p50_ns'] for k in range(3)]}")

    r, recs = latency([], f"{SERVER} -n 10 -s 100 -u")
    x = recs[0] if recs else {}
    check("latency: END without BEGIN and BEGIN never ended are unmatched",
          x.get("count") == 10 and x.get("unmatched") == 2, f"{x}")

    r = usdtrace("latency", "--key", "arg1", "-c", f"{SERVER} -n 9 -s 100 -k 3 -u", BEGIN, END)
    check("latency --key text: unmatched said once for the run, not under each key",
          r.returncode == 0 and r.stdout.count("count 3  min") == 3 and
          r.stdout.count("unmatched") == 1 and
          "unmatched 2 (the run's: an END without its BEGIN has no key)" in r.stdout, r.stdout)
    r = usdtrace("latency", "-c", f"{SERVER} -n 20 -s 1000", BEGIN, END)
    check("latency text: histogram rows and a percentile line",
          r.returncode == 0 and ("[524us, 1.05ms)" in r.stdout or "[1.05ms, 2.1ms)" in r.stdout) and
          "count 20  unmatched 0" in r.stdout and "p99" in r.stdout, r.stdout)


def expect_error(label, args, pattern):
    r = run([USDTRACE, *args], timeout=30)
    lines = r.stderr.splitlines()
    check(f"aggregate bad input {label}", r.returncode != 0 and len(lines) == 1 and
          lines[0].startswith("usdtrace: ") and pattern in lines[0],
          f"rc {r.returncode} {r.stderr!r}")


def test_bad_input():
    expect_error("BEGIN equal to END", ["latency", "-c", SERVER, BEGIN, BEGIN], "same probe")
    expect_error("--key past the args", ["latency", "--key", "arg5", "-c", SERVER, BEGIN, END],
                 "--key arg5: server:request__begin has 2 arguments")
    expect_error("--key garbage", ["latency", "--key", "x", "-c", SERVER, BEGIN, END],
                 "--key x")
    expect_error("one probe for latency", ["latency", "-c", SERVER, BEGIN], "BEGIN and END")
    expect_error("count --by garbage", ["count", "--by", "cpu", "-c", SAMPLE, "sample:loop"],
                 "--by cpu")
    expect_error("count unknown probe", ["count", f"{SAMPLE}:sample:lop"], "did you mean")
    expect_error("count bad interval", ["count", "-i", "0", "-c", SAMPLE, "sample:loop"],
                 "-i 0")


if os.getuid() != 0:
    check("aggregate tests", False, "need root")
else:
    test_count()
    test_count_by_pid_system_wide()
    test_count_interval()
    test_latency()
    test_latency_nested_threads_keys()
    with tempfile.TemporaryDirectory() as tmp:
        test_function_latency(tmp)
    test_bad_input()
summary_exit()
