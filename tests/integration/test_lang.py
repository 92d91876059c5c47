"""test_lang.py - calls, flow and stat on the runtimes Debian ships:
python3.11, openjdk-17 (JIT at work), ruby3.1 and php8.2, each running the
same deterministic workload (main -> middle x100 -> leaf x35: 3500 leaf
calls); exact counts, nesting depths, a forced GC; bad input."""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, USDTRACE, check, run, summary_exit, usdtrace

W = os.path.join(ROOT, "tests", "workloads")
CLASSES = os.path.join(ROOT, OUTPUT, "workloads")
RUNTIMES = {
    "python": (f"/usr/bin/python3.11 {W}/work.py", f"{W}/work.py:leaf", f"{W}/work.py:middle"),
    "ruby": (f"/usr/bin/ruby3.1 {W}/work.rb", "Work#leaf", "Work#middle"),
    "php": (f"/usr/bin/php8.2 {W}/work.php", "leaf", "Work::middle"),
    "java": (f"java -XX:+ExtendedDTraceProbes -cp {CLASSES} Work", "Work.leaf", "Work.middle"),
}


def records(text, kind=None):
    out = []
    for line in text.splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return [r for r in out if kind is None or r["type"] == kind]


def traced(args, lang):
    """usdtrace ARGS. ruby3.1 used to crash about one run in 25 here: -l ruby
    now leaves its harmful cmethod probes off, so a crash fails the test."""
    del lang
    return usdtrace(*args, timeout=120)


def build_java():
    os.makedirs(CLASSES, exist_ok=True)
    r = run(["javac", "-d", CLASSES, os.path.join(W, "Work.java")])
    return check("java workload compiles", r.returncode == 0, r.stderr)


def test_calls(lang, cmd, leaf, middle):
    r = traced(["calls", "--json", "--self", "-l", lang, "-c", cmd], lang)
    rows = {x["method"]: x for x in records(r.stdout, "calls")}
    lf, md = rows.get(leaf, {}), rows.get(middle, {})
    check(f"calls {lang}: leaf called exactly 3500 times, middle 100",
          r.returncode == 0 and lf.get("count") == 3500 and md.get("count") == 100,
          f"rc {r.returncode} leaf {lf} middle {md} {r.stderr[-300:]}")
    if lang == "python":
        check("calls python: the missing entries are reported, counts still exact",
              "had no entry probe" in r.stderr and lf.get("untimed", 0) > 0, r.stderr[-300:])
        return
    check(f"calls {lang}: every call timed, inclusive >= exclusive",
          lf.get("untimed") == 0 and md.get("untimed") == 0 and md.get("total_ns", 0) > 0 and
          md["self_ns"] <= md["total_ns"] and lf["total_ns"] > 0, f"{lf} {md}")
    check(f"calls {lang}: middle's time includes its leaves",
          md.get("total_ns", 0) >= md.get("self_ns", 0) + 0.5 * lf.get("total_ns", 0),
          f"{md} {lf}")


def test_recursion():
    """fib(15) five times under run_fibs: fib's inclusive time counts each
    outermost call once, so it stays within main's; self times add up."""
    r = traced(["calls", "--json", "--self", "-l", "php", "-c",
                f"/usr/bin/php8.2 {W}/fib.php"], "php")
    rows = {x["method"]: x for x in records(r.stdout, "calls")}
    fib, main = rows.get("fib", {}), rows.get("run_fibs", {})
    check("calls --self on a recursive method: every call counted (5 x 1973), its total "
          "within its caller's, its self time within its total",
          r.returncode == 0 and fib.get("count") == 5 * 1973 and main.get("count") == 1 and
          0 < fib.get("total_ns", 0) <= main.get("total_ns", 0) and
          fib.get("self_ns", 0) <= fib.get("total_ns", 0) and
          main.get("self_ns", 0) + fib.get("self_ns", 0) <= main.get("total_ns", 0),
          f"fib {fib} main {main} {r.stderr[-300:]}")


def test_flow(lang, cmd, leaf, middle):
    r = traced(["flow", "--json", "-l", lang, "-c", cmd], lang)
    recs = records(r.stdout)
    calls = [x for x in recs if x["type"] == "call"]
    rets = [x for x in recs if x["type"] == "return"]
    if lang == "python":
        leaf_rets = [x for x in rets if x["method"] == leaf]
        check("flow python: every leaf return shown, missing entries marked",
              len(leaf_rets) == 3500 and all(x.get("entry_seen") is False or "ns" in x
                                             for x in leaf_rets) and
              "returns had no entry probe" in r.stderr, f"{len(leaf_rets)} {r.stderr[-200:]}")
        return
    mids = [x for x in calls if x["method"] == middle]
    leaves = [x for x in calls if x["method"] == leaf]
    depth = {mids[0]["depth"]} if mids else set()
    check(f"flow {lang}: 100 middle and 3500 leaf calls", len(mids) == 100 and
          len(leaves) == 3500, f"{len(mids)} {len(leaves)} {r.stderr[-300:]}")
    # each leaf call sits below the middle call open on its thread (Ruby's
    # 35.times block puts Integer#times between them), all at one depth
    open_mid, bad, leaf_depths = {}, 0, set()
    for x in [x for x in recs if x["type"] in ("call", "return")]:
        if x["method"] == middle:
            open_mid[x["tid"]] = x["depth"] if x["type"] == "call" else None
        elif x["method"] == leaf and x["type"] == "call":
            bad += open_mid.get(x["tid"]) is None or x["depth"] <= open_mid[x["tid"]]
            leaf_depths.add(x["depth"])
    check(f"flow {lang}: depths nest (leaf below middle) and returns mirror calls",
          not bad and len(depth) == 1 and len(leaf_depths) == 1 and
          sum(1 for x in rets if x["method"] == leaf and x["depth"] in leaf_depths)
          == 3500, f"{bad} misnested, leaf depths {leaf_depths}")


def test_stat(lang, cmd):
    r = traced(["stat", "--json", "-l", lang, "-c", cmd], lang)
    final = [x for x in records(r.stdout, "stat") if not x.get("interval")]
    f = final[0] if final else {}
    if lang != "php":
        check(f"stat {lang}: the forced GC is seen", r.returncode == 0 and f.get("gc", 0) >= 1,
              f"rc {r.returncode} {f} {r.stderr[-300:]}")
    check(f"stat {lang}: loads counted", f.get("loaded", 0) >= 1, f"{f}")
    if lang == "java":
        check("stat java: allocations with bytes, threads started",
              f.get("allocs", 0) > 0 and f.get("alloc_bytes", 0) > 0 and
              f.get("threads_started", 0) > 0, f"{f}")


def expect_error(label, args, text):
    r = run([USDTRACE, *args], timeout=60)
    lines = [l for l in r.stderr.splitlines() if not l.startswith("usdtrace: warning")]
    check(f"lang bad input {label}", r.returncode != 0 and len(lines) == 1 and
          text in lines[0], f"rc {r.returncode} {r.stderr!r}")


def test_bad_input():
    sample = os.path.join(ROOT, OUTPUT, "samples", "sample")
    expect_error("unknown LANG", ["calls", "-l", "cobol", "-c", sample], "-l cobol: unknown language")
    expect_error("no -l", ["calls", "-c", sample], "-l LANG is required")
    proc = subprocess.Popen([sample, "-n", "1000", "-s", "10"])
    try:
        time.sleep(0.2)
        expect_error("a process that is not that runtime", ["calls", "-l", "python", "-p",
                     str(proc.pid)], f"PID {proc.pid}: no python probes in its objects")
    finally:
        proc.kill()
        proc.wait()
    # a python built without probes: the same binary with its notes removed
    noprobes = os.path.join(ROOT, OUTPUT, "python3.11-noprobes")
    run(["objcopy", "--remove-section", ".note.stapsdt", "/usr/bin/python3.11", noprobes])
    proc = subprocess.Popen([noprobes, "-c", "import time; time.sleep(3)"])
    try:
        time.sleep(0.5)
        expect_error("a runtime built without probes", ["calls", "-l", "python", "-p",
                     str(proc.pid)], "no python probes")
    finally:
        proc.kill()
        proc.wait()
    r = usdtrace("calls", "-l", "java", "-c", f"java -cp {CLASSES} Work", timeout=120)
    check("java without -XX:+ExtendedDTraceProbes: said clearly",
          "-XX:+ExtendedDTraceProbes" in r.stderr, r.stderr[-300:])


def test_method_filter(java_ok):
    r = usdtrace("calls", "--json", "-l", "python", "--method", "lea*", "-c",
                 f"/usr/bin/python3.11 {os.path.join(W, 'work.py')}", timeout=120)
    rows = records(r.stdout, "calls")
    check("calls --method: only the matching methods, counted exactly",
          r.returncode == 0 and [(x["method"].split(":")[-1], x["count"]) for x in rows] ==
          [("leaf", 3500)], f"{rows} {r.stderr[-300:]}")
    if java_ok:
        r = usdtrace("calls", "--json", "-l", "java", "-m", "middle", "-c",
                     f"java -XX:+ExtendedDTraceProbes -cp {CLASSES} Work", timeout=120)
        rows = records(r.stdout, "calls")
        check("calls --method on Java's pointer + length names",
              [(x["method"], x["count"]) for x in rows] == [("Work.middle", 100)], f"{rows}")
        r = usdtrace("calls", "--json", "-l", "java", "-m", "Work.mid*", "-c",
                     f"java -XX:+ExtendedDTraceProbes -cp {CLASSES} Work", timeout=120)
        rows = records(r.stdout, "calls")
        check("calls --method matches the name as displayed: Class.method",
              [(x["method"], x["count"]) for x in rows] == [("Work.middle", 100)], f"{rows}")
    r = usdtrace("calls", "--json", "-l", "php", "-m", "Work::*", "-c",
                 f"/usr/bin/php8.2 {os.path.join(W, 'work.php')}", timeout=120)
    rows = {x["method"]: x["count"] for x in records(r.stdout, "calls")}
    check("calls --method Work::* keeps Work's methods, not the function leaf",
          rows == {"Work::middle": 100, "Work::main": 1}, f"{rows}")
    r = usdtrace("flow", "--json", "-l", "python", "-m", "middle", "-c",
                 f"/usr/bin/python3.11 {os.path.join(W, 'work.py')}", timeout=120)
    rets = [x for x in records(r.stdout, "return")]
    check("flow --method: only the matching returns",
          len(rets) == 100 and all(x["method"].endswith(":middle") for x in rets),
          f"{len(rets)} {rets[:2]}")


def test_ruby_guard():
    """Ruby 3.1's cmethod probes harm it (see lang-adapters/ruby.c): -l ruby
    leaves them off and says what that costs, naming them is refused, and
    --allow-unsafe shows the harm: the class name read for the alias after
    the first GC is not RubyVM::FrozenCore (a freed slot), or ruby crashes."""
    script = os.path.join(W, "frozencore.rb")
    ruby = "/usr/bin/ruby3.1"
    r = usdtrace("calls", "-l", "ruby", "-c", f"{ruby} {script}", timeout=60)
    check("ruby 3.1: -l ruby leaves cmethod probes off and says the cost",
          r.returncode == 0 and r.stdout.startswith("ok\n") and
          "ruby:cmethod__* left off in " in r.stderr and
          "C-method calls are not seen" in r.stderr, r.stderr)
    r = usdtrace("count", "-c", f"{ruby} {script}", "ruby:cmethod__entry", timeout=60)
    lines = r.stderr.splitlines()
    check("ruby 3.1: naming cmethod__entry is refused in one line, ruby not run untraced",
          r.returncode == 1 and len(lines) == 1 and
          lines[0].startswith("usdtrace: ruby:cmethod__entry: refused in ") and
          lines[0].endswith("(--allow-unsafe traces it anyway)") and "ok" not in r.stdout,
          f"{r.returncode} {r.stderr} {r.stdout}")
    r = usdtrace("count", "--json", "-c", f"{ruby} {script}", "ruby:*", timeout=60)
    probes = {x["probe"] for x in records(r.stdout, "count")}
    check("ruby 3.1: a glob (ruby:*) leaves the cmethod probes off, says so, counts the rest",
          r.returncode == 0 and "ok\n" in r.stdout and
          "ruby:cmethod__* left off in " in r.stderr and "ruby:gc__mark__begin" in probes and
          not any("cmethod" in p for p in probes), f"{r.returncode} {r.stderr} {probes}")
    r = usdtrace("trace", "--json", "--allow-unsafe", "-c", f"{ruby} {script}",
                 "ruby:cmethod__entry(s,s,s,d)", timeout=60)
    recs = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    alias = [e["args"] for e in recs if e.get("type") == "event" and
             e["args"][1] == "core#set_method_alias" and e["args"][2] == script]
    crashed = r.returncode >= 128
    check("ruby 3.1: with --allow-unsafe the harm shows (freed class path or a crash)",
          crashed or (len(alias) == 1 and alias[0][0] != "RubyVM::FrozenCore"),
          f"rc {r.returncode} {alias}")


if os.getuid() != 0:
    check("lang tests", False, "need root")
else:
    java_ok = build_java()
    for lang, (cmd, leaf, middle) in RUNTIMES.items():
        if lang == "java" and not java_ok:
            continue
        test_calls(lang, cmd, leaf, middle)
        test_flow(lang, cmd, leaf, middle)
        test_stat(lang, cmd)
    test_recursion()
    test_bad_input()
    test_method_filter(java_ok)
    test_ruby_guard()
summary_exit()
