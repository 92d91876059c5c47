"""test_keys.py - count --by KEY,... built in the kernel: exact counts per
string content, comm, pid, tid, argument value and site; a bounded table
whose overflow is counted; -n TOP; cut and unreadable key strings marked;
bad keys said in one line."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, check, summary_exit, usdtrace

SAMPLE = os.path.join(ROOT, OUTPUT, "samples", "sample")


def count(by, probe, n, *extra):
    r = usdtrace("count", "--json", "--by", by, *extra, "-c", f"{SAMPLE} -n {n}", probe)
    recs = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    rows = [x for x in recs if x["type"] == "count"]
    return r, rows, (recs[-1] if recs and recs[-1]["type"] == "summary" else {})


def test_keys():
    r, rows, summ = count("arg0", "sample:str(s,d)", 300)
    got = {x["arg0"]: x["count"] for x in rows}
    check("--by arg0: one row per string content",
          got == {"alpha": 100, "beta": 100, 'gamma "quoted"': 100} and
          all(x["probe"] == "sample:str" for x in rows), f"{rows} {r.stderr}")
    r, rows, summ = count("comm,arg1", "sample:twosites", 50)
    got = {(x["comm"], x["arg1"]): x["count"] for x in rows}
    check("--by comm,arg1: keys by comm and value",
          got == {("sample", 1): 50, ("sample", 2): 50}, f"{rows}")
    r, rows, summ = count("pid,tid", "sample:loop", 40)
    check("--by pid,tid: the process's one thread",
          len(rows) == 1 and rows[0]["pid"] == rows[0]["tid"] and rows[0]["count"] == 40,
          f"{rows}")
    r, rows, summ = count("site,arg1", "sample:twosites", 30)
    got = sorted((x["offset"], x["arg1"], x["count"]) for x in rows)
    check("--by site,arg1: a row per site and value",
          len(got) == 2 and got[0][1] == 1 and got[1][1] == 2 and
          all(g[2] == 30 for g in got) and got[0][0] != got[1][0], f"{rows}")


def test_bounds():
    r, rows, summ = count("arg0", "sample:str(s,d)", 300, "--max-keys", "2")
    keyed = [x for x in rows if not x.get("overflow")]
    over = [x for x in rows if x.get("overflow")]
    check("--max-keys 2: two keys kept, the third counted as overflow",
          len(keyed) == 2 and len(over) == 1 and over[0]["count"] == 100 and
          summ.get("overflow") == 100 and summ["events"] == 300, f"{rows} {summ}")
    r, rows, summ = count("arg0", "sample:str(s,d)", 300, "-n", "1")
    check("-n 1: only the largest row", len(rows) == 1, f"{rows}")
    r, rows, summ = count("arg0", "sample:str(s,d)", 6, "--strlen", "4")
    check("a key string cut at its room is marked",
          {x["arg0"] for x in rows} == {"alp", "bet", "gam"} and
          all(x.get("truncated") == ["arg0"] for x in rows), f"{rows}")
    r, rows, summ = count("arg0", "sample:loop(s)", 5)
    check("an unreadable key string is null and counted as a fault",
          len(rows) == 1 and rows[0]["arg0"] is None and rows[0]["count"] == 5 and
          summ.get("faults") == 5, f"{rows} {summ}")
    r = usdtrace("count", "--by", "arg0", "-c", f"{SAMPLE} -n 6", "sample:str(s,d)")
    check("text: a column per key, strings quoted",
          ["sample:str", '"alpha"', "2"] in [l.split() for l in r.stdout.splitlines()] and
          r.stdout.startswith("PROBE"), r.stdout)


def test_latency_string_key():
    r = usdtrace("latency", "--json", "--key", "arg0", "-c", f"{SAMPLE} -n 30",
                 "sample:str(s,d)", "sample:hostile")
    recs = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    got = {x["key"]: x["count"] for x in recs if x["type"] == "latency"}
    check("latency --key argN keys by a string's content (FMT s)",
          got == {"alpha": 10, "beta": 10, 'gamma "quoted"': 10}, f"{got} {r.stderr}")
    r = usdtrace("latency", "--key", "arg0", "-c", f"{SAMPLE} -n 3", "sample:str(s,d)",
                 "sample:hostile")
    check("latency text names the string key",
          'sample:str -> sample:hostile [arg0 = "beta"]\n' in r.stdout, r.stdout)


def test_bad():
    cases = [
        (["--by", "foo", "sample:loop"],
         "usdtrace: --by foo: must be probe, site, pid, tid, comm or argN, comma-separated, "
         "or stack"),
        (["--by", "arg5", "sample:str(s,d)"], "usdtrace: --by arg5: sample:str has 2 arguments"),
        (["--by", "arg0", "sample:str(s,d)", "sample:loop"],
         "usdtrace: --by arg0: a string in one probe, a number in another (FMT)"),
        (["--max-keys", "0", "sample:loop"], "usdtrace: --max-keys 0: must be 1..16777216"),
    ]
    for args, msg in cases:
        r = usdtrace("count", "-c", f"{SAMPLE} -n 3", *args)
        check(f"count refuses {' '.join(args)}",
              r.returncode == 1 and r.stderr.strip().splitlines() == [msg], r.stderr)


if os.getuid() != 0:
    check("key tests", False, "need root")
else:
    test_keys()
    test_bounds()
    test_latency_string_key()
    test_bad()
summary_exit()
