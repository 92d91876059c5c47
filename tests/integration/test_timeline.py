"""test_timeline.py - --timeline (Chrome Trace Event JSON for Perfetto) and
--folded (flame graph input): the files parse, every flow slice nests inside
its parent on its thread, slices match the flow records exactly, folded
stacks count every call, and a timeline stopped by SIGINT is valid JSON."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, USDTRACE, check, summary_exit, usdtrace

W = os.path.join(ROOT, "tests", "workloads")
SAMPLE = os.path.join(ROOT, OUTPUT, "samples", "sample")


def test_flow_timeline(d):
    out, tl, fd = (os.path.join(d, n) for n in ("flow.jsonl", "tl.json", "folded.txt"))
    r = usdtrace("flow", "--json", "-o", out, "--timeline", tl, "--folded", fd, "-l", "php",
                 "-c", f"/usr/bin/php8.2 {W}/work.php")
    try:
        trace = json.load(open(tl))
    except ValueError as e:
        check("timeline flow: valid JSON", False, str(e))
        return
    check("timeline flow: valid JSON array", r.returncode == 0 and isinstance(trace, list),
          r.stderr[-200:])
    slices = [x for x in trace if x["ph"] == "X"]
    meta = [x for x in trace if x["ph"] == "M"]
    check("timeline flow: the process named", any(m["name"] == "process_name" and
                                                  m["args"]["name"] == "php8.2" for m in meta),
          f"{meta}")
    rets = [json.loads(l) for l in open(out) if '"return"' in l]
    want = sorted((x["tid"], x["method"], x["ts"] - x["ns"], x["ns"]) for x in rets if "ns" in x)
    got = sorted((s["tid"], s["name"], round(s["ts"] * 1000), round(s["dur"] * 1000))
                 for s in slices)
    check("timeline flow: one slice per flow return, times exact", got == want and
          len(got) == 3602, f"{len(got)} vs {len(want)}: {got[:2]} {want[:2]}")
    bad = 0
    for tid in {s["tid"] for s in slices}:
        stack = []
        for s in sorted((s for s in slices if s["tid"] == tid), key=lambda s: (s["ts"], -s["dur"])):
            start, end = s["ts"], s["ts"] + s["dur"]
            while stack and stack[-1] <= start:
                stack.pop()
            bad += bool(stack) and end > stack[-1] + 1e-6
            stack.append(end)
    check("timeline flow: every slice nests inside its parent on its thread", not bad,
          f"{bad} slices cross their parent")
    folded = dict(l.rsplit(" ", 1) for l in open(fd).read().splitlines())
    check("folded flow: stacks with their call counts",
          folded.get("php8.2;main;Work::main;Work::middle;leaf") == "3500" and
          folded.get("php8.2;main;Work::main;Work::middle") == "100", f"{folded}")
    r = usdtrace("flow", "--json", "--folded", fd, "--weight", "time", "-o", out, "-l", "php",
                 "-c", f"/usr/bin/php8.2 {W}/work.php")
    vals = {k: int(v) for k, v in (l.rsplit(" ", 1) for l in open(fd).read().splitlines())}
    # each stack's self time from the flow records: its calls' time less
    # the time of the calls they made
    want, stack = {}, []
    for x in (json.loads(l) for l in open(out) if l.startswith('{"type":"call"') or
              l.startswith('{"type":"return"')):
        if x["type"] == "call":
            stack.append([x["method"], 0])
            continue
        name, child = stack.pop()
        path = ";".join(["php8.2"] + [f for f, _ in stack] + [name])
        want[path] = want.get(path, 0) + x["ns"] - child
        if stack:
            stack[-1][1] += x["ns"]
    roots = [json.loads(l) for l in open(out) if '"return"' in l and '"depth":0' in l]
    check("folded flow --weight time: each stack's self time, so that the stacks under "
          "main add up to main's own time", r.returncode == 0 and vals == want and
          len(roots) == 1 and sum(vals.values()) == roots[0]["ns"],
          f"{sorted(vals.items())[:4]} vs {sorted(want.items())[:4]}")


def test_calls_folded(d):
    fd = os.path.join(d, "calls.folded")
    r = usdtrace("calls", "--folded", fd, "-l", "php", "-c", f"/usr/bin/php8.2 {W}/work.php")
    vals = dict(l.rsplit(" ", 1) for l in open(fd).read().splitlines()) if os.path.exists(fd) else {}
    check("folded calls: one frame per method under the runtime",
          r.returncode == 0 and vals.get("php;leaf") == "3500", f"{vals}")


def test_trace_timeline_sigint(d):
    tl = os.path.join(d, "trace.json")
    proc = subprocess.Popen([SAMPLE, "-n", "100000", "-s", "2"])
    try:
        time.sleep(0.2)
        t = subprocess.Popen([USDTRACE, "trace", "-o", "/dev/null", "--timeline", tl, "-p",
                              str(proc.pid), "sample:str(s,d)"], stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        t.send_signal(signal.SIGINT)
        t.wait(timeout=20)
        try:
            trace = json.load(open(tl))
        except ValueError as e:
            trace = None
        inst = [x for x in trace or [] if x["ph"] == "i"]
        check("timeline trace: valid JSON after SIGINT, instants with their args",
              trace is not None and len(inst) > 50 and
              all(x["name"] == "sample:str" and x["args"]["arg0"] in
                  ("alpha", "beta", 'gamma "quoted"') for x in inst), f"{len(inst)}")
    finally:
        proc.kill()
        proc.wait()


def test_latency_timeline(d):
    tl = os.path.join(d, "lat.json")
    server = os.path.join(ROOT, OUTPUT, "samples", "server")
    r = usdtrace("latency", "--json", "--timeline", tl, "-c", f"{server} -n 30 -s 1000 -N -t 2",
                 "server:request__begin", "server:request__end")
    rec = [json.loads(l) for l in r.stdout.splitlines() if '"latency"' in l]
    trace = json.load(open(tl))
    slices = [x for x in trace if x["ph"] == "X"]
    check("timeline latency: one slice per BEGIN/END pair, same count as the histogram",
          rec and rec[0]["count"] == 120 and len(slices) == 120 and rec[0]["unmatched"] == 0,
          f"{rec[:1]} {len(slices)}")
    bad = 0
    for tid in {s["tid"] for s in slices}:
        mine = sorted((s for s in slices if s["tid"] == tid), key=lambda s: (s["ts"], -s["dur"]))
        stack = []
        for s in mine:
            while stack and stack[-1] <= s["ts"]:
                stack.pop()
            bad += bool(stack) and s["ts"] + s["dur"] > stack[-1] + 1e-6
            stack.append(s["ts"] + s["dur"])
    check("timeline latency: nested pairs nest per thread", not bad and
          len({s["tid"] for s in slices}) == 2, f"{bad}")


def test_refused():
    r = usdtrace("count", "--timeline", "/tmp/x.json", "-c", SAMPLE, "sample:loop")
    check("--timeline where not written: said, exit 1",
          r.returncode == 1 and "--timeline is for trace, latency and flow" in r.stderr,
          r.stderr)


if os.getuid() != 0:
    check("timeline tests", False, "need root")
else:
    d = tempfile.mkdtemp(prefix="usdtrace-tl-")
    test_flow_timeline(d)
    test_calls_folded(d)
    test_trace_timeline_sigint(d)
    test_latency_timeline(d)
    test_refused()
summary_exit()
