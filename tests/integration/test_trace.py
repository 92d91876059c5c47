"""test_trace.py - `usdtrace trace` on real processes: every event of every
probe with exact values, by -c, -p and system-wide; semaphores; a library
dlopen()ed after tracing began; plain uprobes; bad input with nothing left
attached or loaded."""
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (OUTPUT, ROOT, USDTRACE, check, run, sample_semaphore, summary_exit,
                     usdtrace)

SAMPLE = os.path.join(ROOT, OUTPUT, "samples", "sample")
LIB = os.path.join(ROOT, OUTPUT, "samples", "libsamplelib.so")
NAMES = ["alpha", "beta", 'gamma "quoted"']


def records(text):
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append({"type": "unparsable", "line": line})
    return out


def bpf_objects():
    """Program and link ids loaded right now."""
    progs = run(["bpftool", "-j", "prog", "show"]).stdout
    links = run(["bpftool", "-j", "link", "show"]).stdout
    ids = lambda s: sorted(x["id"] for x in json.loads(s or "[]"))
    return ids(progs), ids(links)


def start_tracer(args):
    """usdtrace in the background; returns (proc, first stdout line). stderr
    goes to a file so that communicate() reads stdout through the same
    buffer readline() used."""
    err = open(os.path.join(ROOT, OUTPUT, "trace-stderr.txt"), "w+")
    t = subprocess.Popen([USDTRACE, *args], stdout=subprocess.PIPE, stderr=err, text=True)
    t.errfile = err
    return t, t.stdout.readline()


def finish_tracer(t, timeout=20):
    # read() through the buffer readline() filled: communicate() with a
    # timeout reads the raw fd and would lose what that buffer holds
    out = t.stdout.read()
    t.wait(timeout=timeout)
    t.errfile.seek(0)
    err = t.errfile.read()
    t.errfile.close()
    return out, err


BASELINE = None


def left_behind(before):
    """Programs or links loaded now that were not there before any usdtrace
    of this file ran. The kernel frees a uprobe_multi link (and with it the
    program) after an RCU grace period, so give it a moment to settle."""
    deadline = time.time() + 3
    while True:
        now = bpf_objects()
        if now == BASELINE or time.time() > deadline:
            return now != BASELINE
        time.sleep(0.05)


def s8(v):
    return (v + 128) % 256 - 128


def expected_events(n):
    """What the sample fires for -n N, in order, as (probe, args)."""
    ev, table3 = [], 400
    for i in range(n):
        if i % 4 == 3:
            table3 += 1
        ev.append(("sample:loop", [i]))
        ev.append(("sample:types", [s8(-i), 200 + i % 50, -1000 - i, 60000 + i % 1000,
                                    -100000 - i, 4000000000 + i, -5000000000 - i,
                                    0xfffffffffffffff0 + i % 16]))
        ev.append(("sample:str", [NAMES[i % 3], i]))
        ev.append(("sample:twosites", [i, 1]))
        ev.append(("sample:twosites", [i, 2]))
        ev.append(("sample:global", [i * 10, table3]))
        ev.append(("sample:twelve", list(range(i, i + 12))))
        ev.append(("sample:request__start", [i, f"/req/{i}"]))
        ev.append(("sample:request__done", [i, i % 7]))
    return ev


def test_exact_values():
    n = 200
    before = bpf_objects()
    r = usdtrace("trace", "--json", "-c", f"{SAMPLE} -n {n}", "sample:loop", "sample:types",
                 "sample:str(s,d)", "sample:twosites", "sample:global", "sample:twelve",
                 "sample:request__start(d,s)", "sample:request__done")
    recs = records(r.stdout)
    check("trace -c: exit 0 and JSON only", r.returncode == 0 and
          all(x["type"] != "unparsable" for x in recs), f"rc {r.returncode} {r.stderr}")
    if not recs:
        return
    check("trace -c: first record attached, last summary",
          recs[0]["type"] == "attached" and recs[-1]["type"] == "summary", f"{recs[:1]}")
    att = recs[0]
    check("trace -c: attached counts 8 probes, 9 sites, 1 object",
          att.get("probes") == 8 and att.get("sites") == 9 and att.get("objects") == 1,
          f"{att}")
    events = [(x["probe"], x["args"]) for x in recs if x["type"] == "event"]
    want = expected_events(n)
    for probe in sorted({p for p, _ in want}):
        got_n = sum(1 for p, _ in events if p == probe)
        want_n = sum(1 for p, _ in want if p == probe)
        check(f"trace -c: {probe} fired exactly {want_n} times", got_n == want_n,
              f"{got_n}")
    bad = next(((g, w) for g, w in zip(events, want) if g != w), None)
    check(f"trace -c: all {len(want)} events in order with exact values",
          events == want, f"first difference {bad}, {len(events)} vs {len(want)}")
    summ = recs[-1]
    check("trace -c: summary events match and dropped 0",
          summ.get("events") == len(want) and summ.get("dropped") == 0 and
          summ.get("attached") == 9, f"{summ}")
    pids = {x["pid"] for x in recs if x["type"] == "event"}
    check("trace -c: events carry the command's pid and comm",
          len(pids) == 1 and all(x["comm"] == "sample" and x["tid"] == x["pid"]
                                 for x in recs if x["type"] == "event"), f"{pids}")
    check("trace -c: nothing left loaded", not left_behind(before),
          f"{before} -> {bpf_objects()}")


def test_text_output():
    r = usdtrace("trace", "-c", f"{SAMPLE} -n 3", "sample:str(s,d)")
    lines = [l for l in r.stdout.splitlines() if "sample:str" in l]
    check("trace text: one line per event, strings quoted and escaped",
          r.returncode == 0 and len(lines) == 3 and lines[0].endswith('"alpha" 0') and
          lines[2].endswith('"gamma \\"quoted\\"" 2'), r.stdout)
    check("trace text: attached and summary on stderr",
          "attached 1 probe at 1 site" in r.stderr and "3 events, 0 dropped" in r.stderr,
          r.stderr)


def test_dlopen():
    n = 40
    r = usdtrace("trace", "--json", "-c", f"{SAMPLE} -n {n} -l {LIB}", "acclib:fire",
                 "sample:loop")
    recs = records(r.stdout)
    fires = [x["args"] for x in recs if x["type"] == "event" and x["probe"] == "acclib:fire"]
    want = [[i, 3 * i] for i in range(n // 2, n)]
    check("trace dlopen: every hit of a library loaded later, probe given without path",
          r.returncode == 0 and fires == want, f"rc {r.returncode} {fires[:3]} {r.stderr}")
    later = [x for x in recs if x["type"] == "attached" and x.get("object")]
    check("trace dlopen: an attached record names the new object",
          len(later) == 1 and later[0]["object"] == os.path.realpath(LIB) and
          later[0]["sites"] == 1, f"{later}")
    order = [x["probe"] for x in recs if x["type"] == "event"]
    first = order.index("acclib:fire") if "acclib:fire" in order else -1
    check("trace dlopen: attached before the library's first hit",
          first > 0 and order[:first].count("sample:loop") == n // 2 + 1, f"{first}")
    r = usdtrace("trace", "--json", "-c", f"{SAMPLE} -n {n} -l {LIB}",
                 "libsamplelib.so:acclib:fire")
    fires = [x for x in records(r.stdout) if x["type"] == "event"]
    check("trace dlopen: probe given with the library's file name", len(fires) == n // 2,
          f"{len(fires)} {r.stderr}")


def test_pid_and_semaphore():
    proc = subprocess.Popen([SAMPLE, "-n", "100000", "-s", "2"])
    try:
        time.sleep(0.3)
        sem = lambda: sample_semaphore(proc.pid, SAMPLE, "sample:request__start")
        before_sem = sem()
        before = bpf_objects()
        t, first = start_tracer(["trace", "--json", "-d", "2", "-p", str(proc.pid),
                                 "sample:loop", "sample:request__start(d,s)"])
        time.sleep(0.5)
        during = sem()
        out, err = finish_tracer(t)
        after = sem()
        recs = records(first + out)
        check("trace -p: semaphore 0 before, raised while attached, 0 after",
              before_sem == 0 and during >= 1 and after == 0,
              f"{before_sem} {during} {after}")
        loops = [x["args"][0] for x in recs if x["type"] == "event" and
                 x["probe"] == "sample:loop"]
        check("trace -p: consecutive iterations, no gap",
              len(loops) > 50 and loops == list(range(loops[0], loops[0] + len(loops))),
              f"{len(loops)} events {loops[:3]}")
        reqs = [x["args"] for x in recs if x["type"] == "event" and
                x["probe"] == "sample:request__start"]
        check("trace -p: semaphore-guarded probe fires with its string",
              reqs and all(a[1] == f"/req/{a[0]}" for a in reqs) and len(reqs) >= len(loops) - 1,
              f"{len(reqs)} vs {len(loops)}")
        check("trace -p: -d ends the run with a summary, exit 0",
              t.returncode == 0 and recs[-1]["type"] == "summary" and
              recs[-1]["dropped"] == 0, f"rc {t.returncode} {recs[-1:]} {err}")
        check("trace -p: nothing left loaded or linked", not left_behind(before),
              f"{before} -> {bpf_objects()}")
        check("trace -p: the traced process goes on", proc.poll() is None, "it died")
    finally:
        proc.kill()
        proc.wait()


def test_sigint():
    proc = subprocess.Popen([SAMPLE, "-n", "100000", "-s", "2"])
    try:
        time.sleep(0.2)
        before = bpf_objects()
        t, first = start_tracer(["trace", "--json", "-p", str(proc.pid), "sample:loop"])
        time.sleep(0.5)
        t.send_signal(signal.SIGINT)
        out, err = finish_tracer(t)
        recs = records(first + out)
        n = sum(1 for x in recs if x["type"] == "event")
        check("trace SIGINT: drain, summary, exit 0",
              t.returncode == 0 and recs[-1]["type"] == "summary" and
              recs[-1]["events"] == n and n > 10,
              f"rc {t.returncode} {recs[-1:]} vs {n} events written {err}")
        check("trace SIGINT: nothing left loaded", not left_behind(before), "leftovers")
    finally:
        proc.kill()
        proc.wait()


def test_system_wide():
    t, first = start_tracer(["trace", "--json", "-d", "3", f"{SAMPLE}:sample:loop"])
    subprocess.run([SAMPLE, "-n", "5"])
    p2 = subprocess.Popen([SAMPLE, "-n", "7"])
    p2.wait()
    out, err = finish_tracer(t)
    recs = records(first + out)
    by_pid = {}
    for x in recs:
        if x["type"] == "event":
            by_pid.setdefault(x["pid"], []).append(x["args"][0])
    check("trace system-wide: every process running the file",
          by_pid.get(p2.pid) == list(range(7)) and sorted(len(v) for v in by_pid.values())
          == [5, 7], f"{ {k: len(v) for k, v in by_pid.items()} } {err}")


def test_uprobes():
    r = usdtrace("trace", "--json", "-c", f"{SAMPLE} -n 6",
                 f"uprobe:{SAMPLE}:sample_square(d)", f"uretprobe:{SAMPLE}:sample_square(d)")
    recs = [x for x in records(r.stdout) if x["type"] == "event"]
    args = [x["args"][0] for x in recs if x["probe"] == "uprobe:sample_square"]
    rets = [x["args"][0] for x in recs if x["probe"] == "uretprobe:sample_square"]
    check("trace uprobe: arg0 of every call", args == list(range(6)), f"{args} {r.stderr}")
    check("trace uretprobe: retval of every call", rets == [i * i for i in range(6)],
          f"{rets}")


def test_output_options():
    out = os.path.join(ROOT, OUTPUT, "trace-out.jsonl")
    r = usdtrace("trace", "--json", "-o", out, "--strlen", "4", "-c", f"{SAMPLE} -n 3",
                 "sample:str(s,d)")
    recs = records(open(out).read()) if os.path.exists(out) else []
    strs = [x["args"][0] for x in recs if x["type"] == "event"]
    check("trace -o FILE: records go to the file, none to stdout",
          r.returncode == 0 and not r.stdout and recs and recs[-1]["type"] == "summary",
          f"rc {r.returncode} {r.stdout[:200]}")
    check("trace --strlen 4: strings cut to 3 bytes and a NUL",
          strs == ["alp", "bet", "gam"], f"{strs}")
    os.unlink(out)


def test_exit_status():
    r = usdtrace("trace", "-c", f"{SAMPLE} -z", "sample:loop")
    check("trace -c: exits with the command's status", r.returncode == 2, f"{r.returncode}")
    r = usdtrace("trace", "-c", f"{SAMPLE} -n 2", "sample:loop", stdin=subprocess.DEVNULL)
    check("trace -c: the command keeps its stdout", r.returncode == 0, r.stderr)


def expect_error(label, args, pattern, user=None):
    before = bpf_objects()
    cmd = [USDTRACE, "trace", *args]
    if user:
        cmd = ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups",
               "--inh-caps=-all", *cmd]
    r = run(cmd, timeout=30)
    lines = r.stderr.splitlines()
    ok = (r.returncode != 0 and len(lines) == 1 and lines[0].startswith("usdtrace: ") and
          re.search(pattern, lines[0]) is not None)
    check(f"trace bad input {label}: one error line, non-zero exit", ok,
          f"rc {r.returncode} {r.stderr!r}")
    check(f"trace bad input {label}: nothing left loaded", not left_behind(before),
          f"{before} -> {bpf_objects()}")


def test_bad_input():
    expect_error("unknown probe", ["-c", SAMPLE, f"{SAMPLE}:sample:lop"],
                 r"sample:lop: no such probe in .*did you mean sample:loop")
    expect_error("pattern matching nothing", [f"{SAMPLE}:nosuch:*"], r"no such probe")
    expect_error("no such PID", ["-p", "999999999", "sample:loop"], r"PID 999999999: no such process")
    expect_error("FMT longer than the args", ["-c", SAMPLE, "sample:loop(d,d)"],
                 r"FMT has 2 entries but sample:loop has 1 argument")
    expect_error("FMT s on a 4-byte arg", ["-c", SAMPLE, "sample:request__done(d,s)"],
                 r"FMT s does not fit argument 1")
    expect_error("missing symbol", ["-c", SAMPLE, f"uprobe:{SAMPLE}:no_such_fn"],
                 r"no symbol 'no_such_fn'")
    expect_error("unparsable probe", ["-c", SAMPLE, "sample:loop(q"], r"sample:loop\(q: ")
    expect_error("probe without PATH, no -p/-c", ["sample:loop"], r"give PATH")
    expect_error("-p and -c", ["-p", "1", "-c", SAMPLE, "sample:loop"], r"exclude")
    expect_error("missing file", ["/no/such:sample:loop"], r"no such file")
    expect_error("not root", ["-c", SAMPLE, "sample:loop"], r"CAP_BPF", user="nobody")
    r = usdtrace("trace", "--help")
    check("trace --help has examples", r.returncode == 0 and "Examples:" in r.stdout, r.stdout)


if os.getuid() != 0:
    check("trace tests", False, "need root")
else:
    BASELINE = bpf_objects()
    test_exact_values()
    test_text_output()
    test_dlopen()
    test_pid_and_semaphore()
    test_sigint()
    test_system_wide()
    test_uprobes()
    test_output_options()
    test_exit_status()
    test_bad_input()
summary_exit()
