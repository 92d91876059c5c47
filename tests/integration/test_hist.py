"""test_hist.py - `usdtrace hist`: power-of-two and linear histograms of an
argument, bucket by bucket against the values the sample fired (sample:loop
fires i, sample:types fires -1000-i and 2^64-16 + i%16 for i < N), signed
and unsigned, with a predicate, in intervals; bad arguments said."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, check, summary_exit, usdtrace

SAMPLE = os.path.join(ROOT, OUTPUT, "samples", "sample")


def hist(*args, n=100):
    r = usdtrace("hist", "--json", *args[:-2], "-c", f"{SAMPLE} -n {n}", *args[-2:])
    recs = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    return r, [x for x in recs if x["type"] == "hist"], recs


def log2_want(values):
    out = {}
    for v in values:
        lo, hi = (None, 0) if v < 0 else (0, 1) if v == 0 else (1 << (v.bit_length() - 1),
                                                               1 << v.bit_length())
        out[(lo, hi)] = out.get((lo, hi), 0) + 1
    return out


def buckets(h):
    return {(b["lo"], b["hi"]): b["count"] for b in h.get("buckets", [])}


def test_log2():
    r, hs, _ = hist("sample:loop", "arg0", n=300)
    h = hs[-1] if hs else {}
    check("hist log2: every bucket as the values fired",
          r.returncode == 0 and buckets(h) == log2_want(range(300)), f"{h} {r.stderr}")
    check("hist log2: count, sum, min, max",
          (h.get("count"), h.get("sum"), h.get("min"), h.get("max")) == (300, 44850, 0, 299),
          f"{h}")
    r, hs, _ = hist("sample:loop", "arg0", n=100)
    h = hs[-1] if hs else {}
    check("hist log2 over 0..99: p50 49, p90 89, p99 98, the true ones (interpolated in the "
          "part of a bucket between the known min and max)",
          (h.get("p50"), h.get("p90"), h.get("p99")) == (49, 89, 98), f"{h}")
    r = usdtrace("hist", "-c", f"{SAMPLE} -n 100", "sample:loop", "arg0")
    check("hist text: the same percentiles", r.returncode == 0 and "p50 49  p90 89  p99 98"
          in r.stdout, r.stdout[-300:])
    r, hs, _ = hist(f"uprobe:{SAMPLE}:sample_square", "arg0", n=50)
    h = hs[-1] if hs else {}
    r2 = usdtrace("hist", "-c", f"{SAMPLE} -n 50", f"uprobe:{SAMPLE}:sample_square", "arg0")
    check("hist on a uprobe: named uprobe:SYMBOL in JSON and text, as trace names it",
          h.get("probe") == "uprobe:sample_square" and h.get("count", 0) > 0 and
          r2.stdout.startswith("uprobe:sample_square arg0") and "(null)" not in r2.stdout,
          f"{h.get('probe')} {r2.stdout[:80]!r}")
    r, hs, _ = hist("sample:types", "arg2")
    h = hs[-1] if hs else {}
    check("hist log2: signed negatives in the bucket below 0",
          buckets(h) == {(None, 0): 100} and h.get("min") == -1099 and h.get("max") == -1000,
          f"{h}")
    r, hs, _ = hist("sample:types", "arg7", n=20)
    h = hs[-1] if hs else {}
    check("hist log2: unsigned 64-bit values in [2^63, ...)",
          buckets(h) == {(1 << 63, None): 20} and h.get("min") == 2**64 - 16 and
          h.get("max") == 2**64 - 1, f"{h}")


def test_linear():
    r, hs, recs = hist("--linear", "-1100,-1000,20", "sample:types /arg2 > -1110/", "arg2",
                       n=120)
    h = hs[-1] if hs else {}
    want = {(None, -1100): 9, (-1100, -1080): 20, (-1080, -1060): 20, (-1060, -1040): 20,
            (-1040, -1020): 20, (-1020, -1000): 20, (-1000, None): 1}
    check("hist linear: below MIN, each step, MAX and above",
          r.returncode == 0 and buckets(h) == want and h.get("count") == 110, f"{h}")
    check("hist linear: the predicate's rejects are filtered, not values",
          recs[-1].get("filtered") == 10 and recs[-1].get("events") == 110, f"{recs[-1:]}")
    r, hs, _ = hist("--linear", "0,100,30", "sample:loop", "arg0", n=100)
    h = hs[-1] if hs else {}
    check("hist linear: a last step shorter than STEP ends at MAX",
          buckets(h) == {(0, 30): 30, (30, 60): 30, (60, 90): 30, (90, 100): 10}, f"{h}")


def test_by():
    r, hs, recs = hist("--by", "arg0", "sample:str(s,d)", "arg1", n=30)
    got = {h["arg0"]: buckets(h) for h in hs}
    want = {name: log2_want(range(k, 30, 3))
            for k, name in enumerate(["alpha", "beta", 'gamma "quoted"'])}
    check("hist --by arg0: one histogram per string, every bucket exact",
          r.returncode == 0 and got == want and all(h["count"] == 10 for h in hs),
          f"{got} {r.stderr}")
    check("hist --by: the summary counts every value and no overflow",
          recs[-1].get("events") == 30 and recs[-1].get("overflow") == 0, f"{recs[-1:]}")
    r, hs, _ = hist("--by", "site", "sample:twosites", "arg0", n=20)
    check("hist --by site: one histogram per site",
          len(hs) == 2 and len({h["offset"] for h in hs}) == 2 and
          all(buckets(h) == log2_want(range(20)) for h in hs), f"{hs}")


def test_interval_and_text():
    r = usdtrace("hist", "--json", "-i", "0.2", "-c", f"{SAMPLE} -n 20 -s 30", "sample:loop",
                 "arg0")
    recs = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    iv = [x for x in recs if x.get("interval")]
    final = [x for x in recs if x["type"] == "hist" and not x.get("interval")]
    check("hist -i: running totals, then the final histogram",
          len(iv) >= 1 and len(final) == 1 and final[0]["count"] == 20, f"{len(iv)} {final}")
    r = usdtrace("hist", "-c", f"{SAMPLE} -n 100", "sample:loop", "arg0")
    check("hist text: rows and figures",
          "[64, 128)                      36 |" in r.stdout and
          "count 100  sum 4950  min 0  max 99  mean 49.5" in r.stdout, r.stdout)


def test_bad():
    cases = [
        (["sample:loop", "arg3"], "usdtrace: arg3: sample:loop has 1 argument"),
        (["sample:str(s,d)", "arg0"], "usdtrace: arg0: a histogram of a string (FMT s) has no "
                                      "values"),
        (["sample:loop", "x1"], "usdtrace: hist: x1: the argument is arg0..arg11"),
        (["--linear", "5,1,1", "sample:loop", "arg0"],
         "usdtrace: --linear 5,1,1: must be MIN,MAX,STEP with MIN < MAX, STEP > 0 and at most "
         "1024 buckets between"),
        (["sample:loop"], "usdtrace: hist: needs PROBE and argN (see usdtrace hist --help)"),
    ]
    for args, msg in cases:
        r = usdtrace("hist", "-c", f"{SAMPLE} -n 3", *args)
        check(f"hist refuses {' '.join(args)}", r.returncode == 1 and
              r.stderr.strip().splitlines() == [msg], r.stderr)


if os.getuid() != 0:
    check("hist tests", False, "need root")
else:
    test_log2()
    test_linear()
    test_by()
    test_interval_and_text()
    test_bad()
summary_exit()
