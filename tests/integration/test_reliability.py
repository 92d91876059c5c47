"""test_reliability.py - faults, overload and hostile strings: the traced
process crashing or exiting mid-trace, usdtrace killed with SIGKILL while
attached, two usdtrace on one process, a chrooted process, a deliberately
small ring (events + dropped == hits, exactly), and strings that must never
reach a terminal raw."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (OUTPUT, ROOT, USDTRACE, check, run, sample_semaphore, summary_exit,
                     usdtrace)

SAMPLE = os.path.join(ROOT, OUTPUT, "samples", "sample")
W = os.path.join(ROOT, "tests", "workloads")
HOSTILE = 'tab\there "q" back\\slash\nline\x1b[31mred\x1b[0m \u00ff\u00fe end'


def records(text):
    return [json.loads(l) for l in text.splitlines() if l.startswith("{")]


def bpf_objects():
    ids = lambda s: sorted(x["id"] for x in json.loads(s or "[]"))
    return (ids(run(["bpftool", "-j", "prog", "show"]).stdout),
            ids(run(["bpftool", "-j", "link", "show"]).stdout))


def settled(baseline, seconds=3):
    deadline = time.time() + seconds
    while bpf_objects() != baseline and time.time() < deadline:
        time.sleep(0.05)
    return bpf_objects() == baseline


def semaphore(pid, probe):
    return sample_semaphore(pid, SAMPLE, probe)


def tracer(args):
    err = tempfile.TemporaryFile(mode="w+")
    t = subprocess.Popen([USDTRACE, *args], stdout=subprocess.PIPE, stderr=err, text=True)
    t.err = err
    first = t.stdout.readline()
    return t, first


def finish(t):
    out = t.stdout.read()
    t.wait(timeout=30)
    t.err.seek(0)
    return out, t.err.read()


def test_crash_and_exit():
    r = usdtrace("trace", "--json", "-c", f"{SAMPLE} -n 50 -x", "sample:loop")
    recs = records(r.stdout)
    pid = recs[1]["pid"] if len(recs) > 1 else 0
    check("fault: -c command crashes: drained, said, summary, exit 128+11",
          r.returncode == 139 and f"usdtrace: PID {pid} exited (signal 11)" in r.stderr and
          recs[-1]["type"] == "summary" and recs[-1]["events"] == 50,
          f"rc {r.returncode} {r.stderr!r} {recs[-1:]}")
    proc = subprocess.Popen([SAMPLE, "-n", "200", "-s", "5", "-x"])
    t, first = tracer(["trace", "--json", "-p", str(proc.pid), "sample:loop"])
    out, err = finish(t)
    proc.wait()
    recs = records(first + out)
    check("fault: -p process crashes mid-trace: said with its signal, summary, exit 0",
          t.returncode == 0 and f"usdtrace: PID {proc.pid} exited (signal 11)" in err and
          recs[-1]["type"] == "summary" and recs[-1]["events"] > 0,
          f"rc {t.returncode} {err!r} {recs[-1:]}")


def test_exit_while_attaching(baseline):
    """The process quits the moment its semaphore rises, in the middle of
    usdtrace attaching the rest: a precise message, nothing left behind."""
    outcomes = []
    for _ in range(3):
        proc = subprocess.Popen([SAMPLE, "-q"])
        time.sleep(0.2)
        r = usdtrace("trace", "-p", str(proc.pid), "sample:request__start", "sample:loop")
        proc.wait()
        lines = [l for l in r.stderr.splitlines() if not l.startswith("usdtrace: warning")]
        if r.returncode == 1:
            outcomes.append(lines == [f"usdtrace: PID {proc.pid}: exited while attaching"])
        else:   # attached before it was gone: then its exit is reported
            outcomes.append(r.returncode == 0 and f"PID {proc.pid} exited" in r.stderr)
    check("fault: PID exits while attaching: said precisely, exit 1 (or reported exit)",
          all(outcomes), f"{outcomes} {r.returncode} {r.stderr!r}")
    check("fault: PID exits while attaching: nothing left loaded", settled(baseline),
          f"{baseline} -> {bpf_objects()}")


def test_sigkill(baseline):
    proc = subprocess.Popen([SAMPLE, "-n", "100000", "-s", "2"])
    try:
        time.sleep(0.3)
        t, first = tracer(["trace", "--json", "-p", str(proc.pid), "sample:request__start(d,s)"])
        time.sleep(0.3)
        during = semaphore(proc.pid, "sample:request__start")
        t.kill()
        t.wait()
        deadline = time.time() + 3
        while semaphore(proc.pid, "sample:request__start") and time.time() < deadline:
            time.sleep(0.05)
        after = semaphore(proc.pid, "sample:request__start")
        check("fault: usdtrace SIGKILLed while attached: semaphore back to 0",
              during == 1 and after == 0, f"{during} -> {after}")
        check("fault: usdtrace SIGKILLed: no BPF program or link left", settled(baseline),
              f"{baseline} -> {bpf_objects()}")
        time.sleep(0.2)
        check("fault: usdtrace SIGKILLed: the traced process goes on", proc.poll() is None,
              "it died")
    finally:
        proc.kill()
        proc.wait()


def test_two_instances():
    proc = subprocess.Popen([SAMPLE, "-n", "100000", "-s", "2"])
    try:
        time.sleep(0.3)
        args = ["trace", "--json", "-p", str(proc.pid), "sample:loop",
                "sample:request__start(d,s)"]
        t1, f1 = tracer(args[:2] + ["-d", "1.5"] + args[2:])
        t2, f2 = tracer(args[:2] + ["-d", "3"] + args[2:])
        time.sleep(0.5)
        both = semaphore(proc.pid, "sample:request__start")
        o1, _ = finish(t1)
        one = semaphore(proc.pid, "sample:request__start")
        o2, _ = finish(t2)
        time.sleep(0.2)
        none = semaphore(proc.pid, "sample:request__start")
        l1 = [x["args"][0] for x in records(f1 + o1) if x.get("probe") == "sample:loop"]
        l2 = [x["args"][0] for x in records(f2 + o2) if x.get("probe") == "sample:loop"]
        common = sorted(set(l1) & set(l2))
        # the kernel raises a semaphore once per breakpoint, shared by all
        # consumers of that site, and lowers it when the last one goes
        check("two usdtrace on one process: the semaphore stays up until the last leaves",
              both == 1 and one == 1 and none == 0, f"{both} -> {one} -> {none}")
        check("two usdtrace on one process: both see every hit while both attached",
              len(common) > 100 and all(i in l1 and i in l2 for i in
                                        range(common[0], common[-1] + 1)) and
              l1 == list(range(l1[0], l1[0] + len(l1))) and
              l2 == list(range(l2[0], l2[0] + len(l2))),
              f"{len(l1)} {len(l2)} {len(common)}")
    finally:
        proc.kill()
        proc.wait()


def test_chroot():
    root = tempfile.mkdtemp(prefix="usdtrace-root-")
    os.makedirs(os.path.join(root, "app"))
    shutil.copy(SAMPLE, os.path.join(root, "app", "sample"))
    for line in run(["ldd", SAMPLE]).stdout.splitlines():
        for tok in line.split():
            if tok.startswith("/"):
                os.makedirs(os.path.dirname(root + tok), exist_ok=True)
                shutil.copy(os.path.realpath(tok), root + tok)
    proc = subprocess.Popen(["chroot", root, "/app/sample", "-n", "100000", "-s", "2"])
    try:
        time.sleep(0.5)
        r = usdtrace("trace", "--json", "-d", "1", "-p", str(proc.pid),
                     "sample:request__start(d,s)")
        ev = [x["args"] for x in records(r.stdout) if x["type"] == "event"]
        check("chrooted process: traced through /proc/PID/root or map_files, semaphore "
              "and strings included", r.returncode == 0 and len(ev) > 50 and
              all(a[1] == f"/req/{a[0]}" for a in ev), f"rc {r.returncode} {len(ev)} {r.stderr}")
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(root, ignore_errors=True)


def test_overload():
    # 1 KiB string slots in a 4 KiB ring: three events fill it
    n = 20000
    probes = ["sample:loop", "sample:str(s,d)", "sample:hostile(s)"]
    runs, exact, dropped = 5, 0, 0
    for _ in range(runs):
        r = usdtrace("trace", "--json", "--strlen", "1024", "--ring-size", "4096", "-c",
                     f"{SAMPLE} -n {n}", *probes)
        s = records(r.stdout)[-1]
        exact += r.returncode == 0 and s["events"] + s["dropped"] == 3 * n
        dropped += s["dropped"]
    print(f"NOTE overload: {runs} runs of {3 * n} hits in a 4 KiB ring, {dropped} dropped in all")
    check(f"overload: tiny ring, events + dropped == hits exactly in every run",
          exact == runs and dropped > 0, f"{exact}/{runs} exact, {dropped} dropped")
    r = usdtrace("trace", "--strlen", "1024", "--ring-size", "4096", "-o", "/dev/null",
                 "-c", f"{SAMPLE} -n {n}", *probes)
    check("overload: the text summary says how many were dropped",
          " dropped," in r.stderr and (" 0 dropped" not in r.stderr or "events" in r.stderr),
          r.stderr)
    # a runtime: php's 3602 calls are 7204 entry + return hits
    r = usdtrace("flow", "--json", "--strlen", "1024", "--ring-size", "4096", "-l", "php",
                 "-c", f"/usr/bin/php8.2 {W}/work.php")
    s = records(r.stdout)[-1]
    check("overload: flow under php, events + dropped == 7204 hits exactly",
          s.get("type") == "summary" and s["events"] + s["dropped"] == 7204,
          f"{s} {r.stderr[-200:]}")


def test_follow_many_forks():
    """A server forking a process per connection: 9,000 over a run, more than
    the 8,192 followed processes the table holds at once."""
    tmp = tempfile.mkdtemp(prefix="usdtrace-forker-")
    forker = os.path.join(tmp, "forker")
    r = run(["gcc", "-O2", "-o", forker, os.path.join(ROOT, "tests", "fixtures", "forker.c")])
    if check("--follow: the forking fixture builds", r.returncode == 0, r.stderr):
        r = usdtrace("count", "--json", "-f", "-c", f"{forker} 9000", "forker:child",
                     timeout=120)
        counts = [x["count"] for x in map(json.loads, r.stdout.splitlines())
                  if x["type"] == "count"]
        check("--follow: 9,000 children forked one after another, each followed (an "
              "exited one frees its slot)", counts == [9000] and "not followed" not in
              r.stderr, f"{counts} {r.stderr[-300:]}")
    shutil.rmtree(tmp, ignore_errors=True)


def test_follow_and_exec():
    def pids(r, probe):
        out = {}
        for x in records(r.stdout):
            if x["type"] == "event" and x["probe"] == probe:
                out.setdefault(x["pid"], []).append(x["args"][0])
        return out

    r = usdtrace("trace", "--json", "-c", f"{SAMPLE} -n 20 -F", "sample:loop")
    p = pids(r, "sample:loop")
    check("fork without --follow: only the named process", r.returncode == 0 and
          list(p.values()) == [list(range(20))], f"{ {k: len(v) for k, v in p.items()} }")
    r = usdtrace("trace", "--json", "-f", "-c", f"{SAMPLE} -n 20 -F", "sample:loop")
    p = pids(r, "sample:loop")
    check("fork with --follow: the child's events too, under its own pid",
          r.returncode == 0 and sorted(map(len, p.values())) == [10, 20] and
          sorted(sorted(v) for v in p.values()) == sorted([list(range(10, 20)), list(range(20))]),
          f"{ {k: len(v) for k, v in p.items()} } {r.stderr[-200:]}")
    server = os.path.join(ROOT, OUTPUT, "samples", "server")
    r = usdtrace("trace", "--json", "-f", "-c",
                 f"/bin/sh -c '{SAMPLE} -n 3; {server} -n 2 -s 0'",
                 "sample:loop", "server:request__begin")
    n = {k: sum(1 for x in records(r.stdout) if x.get("probe") == k)
         for k in ("sample:loop", "server:request__begin")}
    check("--follow through fork and exec: each new image's probes attached",
          n == {"sample:loop": 3, "server:request__begin": 2}, f"{n} {r.stderr[-200:]}")
    r = usdtrace("trace", "--json", "-c", f"/bin/sh -c 'exec {SAMPLE} -n 3'", "sample:loop")
    ev = [x for x in records(r.stdout) if x["type"] == "event"]
    check("exec of a new image in the traced pid: its probes attached",
          [x["args"][0] for x in ev] == [0, 1, 2], f"{len(ev)} {r.stderr[-200:]}")


def test_hostile_strings():
    r = usdtrace("trace", "-c", f"{SAMPLE} -n 3", "sample:hostile(s)")
    check("hostile strings: no control byte of a traced string reaches the terminal raw",
          r.returncode == 0 and "\x1b" not in r.stdout and r.stdout.count("\n") == 4 and
          '\\x1b[31mred' in r.stdout and '\\xff\\xfe' in r.stdout, repr(r.stdout[-300:]))
    r = usdtrace("trace", "--json", "-c", f"{SAMPLE} -n 3", "sample:hostile(s)")
    ok = True
    vals = []
    for line in r.stdout.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            ok = False
            continue
        if rec["type"] == "event":
            vals.append(rec["args"][0])
    check("hostile strings: JSON stays valid, the string exact (invalid bytes as U+00XX)",
          ok and vals == [HOSTILE] * 3, f"{vals[:1]!r}")


if os.getuid() != 0:
    check("reliability tests", False, "need root")
else:
    BASE = bpf_objects()
    test_crash_and_exit()
    test_exit_while_attaching(BASE)
    test_sigkill(BASE)
    test_two_instances()
    test_chroot()
    test_overload()
    test_follow_and_exec()
    test_follow_many_forks()
    test_hostile_strings()
    print("NOTE reliability: faults survived: command crash, PID crash, usdtrace SIGKILL, "
          "two tracers, chroot, fork with and without --follow, fork+exec, exec; "
          "overload: 5 runs + flow, events + dropped == hits; hostile strings: text and JSON")
summary_exit()
