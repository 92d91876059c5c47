"""test_dump.py - `usdtrace dump -p PID`: every thread of a running
python3.11 (tests/workloads/threads_app.py), each shown in the function it
is blocked in (a sleep, a lock, a pipe read) with the kernel's wait under
it, text and JSON, while the process runs on: its main thread's count keeps
going through the dump; a Ruby and a PHP process each in its own method,
under the runtime's sleep. Bad input in one line."""
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, check, summary_exit, usdtrace

APP = os.path.join(ROOT, "tests", "workloads", "threads_app.py")
WANT = {"in_sleep": "clock_nanosleep", "in_lock": "futex", "in_pipe": "read"}


def ticks(p, out):
    for line in p.stdout:
        out.append(line.strip())


# a program of each runtime blocked in a method of its own, in the runtime's sleep
BLOCKED = {
    "ruby": (["ruby3.1", "-e", "class Waiter\n  def wait_here\n    sleep 30\n  end\nend\n"
              "$stdout.puts 'ready'\n$stdout.flush\nWaiter.new.wait_here\n"],
             "Waiter#wait_here", "Kernel#sleep"),
    "php": (["php8.2", "-r", "class Waiter { function waitHere() { sleep(30); } }\n"
             "echo \"ready\\n\"; flush(); (new Waiter())->waitHere();"],
            "Waiter::waitHere", "sleep"),
    # a JVM: read from its vmStructs; Thread.sleep a native method
    "java": (["java", "-cp", os.path.join(ROOT, OUTPUT, "workloads"), "Sleeper"],
             "Sleeper.waitHere", "java.lang.Thread.sleep"),
}


def runtimes():
    """dump of a Ruby, a PHP and a Java process, no flag in any: the method it
    is blocked in, the runtime's own sleep (a C method, an internal function,
    a native method) above it, the kernel's wait above that."""
    for lang, (argv, method, cfunc) in BLOCKED.items():
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        try:
            p.stdout.readline()
            time.sleep(0.3)
            r = usdtrace("dump", "--json", "-p", str(p.pid), timeout=60)
        finally:
            p.kill()
            p.wait()
        th = [json.loads(l) for l in r.stdout.splitlines() if '"thread"' in l]
        # the JVM runs main on a thread of its own: the thread in the method
        th = [x for x in th if any(f.get("name") == method for f in x["frames"] or [])] or th
        frames = th[0]["frames"] or [] if th else []
        names = [f.get("name") if f["lang"] == lang else f.get("sym") for f in frames]
        at = {n: next(i for i, f in enumerate(frames) if f["lang"] == lang and
                      f.get("name") == n) for n in (method, cfunc) if n in names}
        sleep = [i for i, n in enumerate(names) if "nanosleep" in (n or "") or n == "ppoll" or
                 "futex" in (n or "")]
        check(f"dump of {lang}: the main thread in {method}, {cfunc} (\"cfunc\") above it, "
              "the kernel's wait above that", r.returncode == 0 and len(at) == 2 and
              sleep and sleep[0] < at[cfunc] < at[method] and
              frames[at[cfunc]].get("cfunc") is True, f"{names[:12]} {r.stderr[-300:]}")


def main():
    p = subprocess.Popen(["/usr/bin/python3.11", APP], stdout=subprocess.PIPE, text=True)
    lines = []
    try:
        assert p.stdout.readline().strip() == "ready"
        reader = threading.Thread(target=ticks, args=(p, lines), daemon=True)
        reader.start()
        time.sleep(0.3)
        before = len(lines)
        r = usdtrace("dump", "--json", "-p", str(p.pid), timeout=60)
        t = usdtrace("dump", "-p", str(p.pid), timeout=60)
        time.sleep(0.3)
        after = len(lines)
        alive = p.poll() is None
    finally:
        p.kill()
        p.wait()
    threads = [x for x in map(json.loads, (l for l in r.stdout.splitlines()
                                            if l.startswith("{"))) if x["type"] == "thread"]
    check("dump --json: the four threads of the process, one record each",
          r.returncode == 0 and len(threads) == 4 and
          len({x["tid"] for x in threads}) == 4 and
          all(x["pid"] == p.pid for x in threads), f"{r.returncode} {threads} {r.stderr}")
    for fn, wait in WANT.items():
        th = [x for x in threads if any(f.get("name") == fn for f in x["frames"] or [])]
        frames = th[0]["frames"] if th else []
        py = [i for i, f in enumerate(frames) if f.get("name") == fn]
        native = [i for i, f in enumerate(frames) if wait in (f.get("sym") or "")]
        check(f"dump: a thread blocked in {fn}, {wait} under it, state S",
              len(th) == 1 and th[0]["state"] == "S" and py and native and
              native[0] < py[0], f"{[(f.get('name') or f.get('sym')) for f in frames][:12]}")
    check("dump text: a block per thread, innermost first, like py-spy dump",
          t.returncode == 0 and t.stdout.count("Thread ") == 4 and
          "    in_lock (threads_app.py:" in t.stdout and
          t.stderr.startswith(f"usdtrace: reading every thread of PID {p.pid}"),
          t.stdout[:400] + t.stderr)
    check("dump: the process ran on through it, never stopped",
          alive and after > before + 5, f"alive {alive} ticks {before} -> {after}")
    r = usdtrace("dump", "-p", "999999")
    check("dump -p of no process: one line", r.returncode == 1 and
          r.stderr == "usdtrace: PID 999999: no such process\n", r.stderr)
    churn = subprocess.Popen(["/usr/bin/python3.11", "-c",
                              "import threading, time\n"
                              "while True:\n"
                              "    ts = [threading.Thread(target=time.sleep, args=(0.002,))"
                              " for _ in range(8)]\n"
                              "    [t.start() for t in ts]\n"
                              "    [t.join() for t in ts]\n"])
    try:
        time.sleep(0.3)
        runs = [usdtrace("dump", "--json", "-p", str(churn.pid), timeout=60) for _ in range(10)]
    finally:
        churn.kill()
        churn.wait()
    ok = all(r.returncode == 0 and any('"thread"' in l for l in r.stdout.splitlines()) and
             all(json.loads(l) for l in r.stdout.splitlines() if l.startswith("{"))
             for r in runs)
    check("dump of a process whose threads start and exit all the time: 10 dumps, each "
          "whole and valid", ok, f"{[(r.returncode, r.stderr[-200:]) for r in runs][:3]}")
    r = usdtrace("dump", "-p", "2")
    check("dump of a kernel thread: one line", r.returncode == 1 and
          r.stderr == "usdtrace: PID 2: a kernel thread: no user stack\n", r.stderr)
    z = subprocess.Popen(["true"])
    time.sleep(0.3)     # exited, not reaped: a zombie
    r = usdtrace("dump", "-p", str(z.pid))
    z.wait()
    check("dump of a zombie: one line", r.returncode == 1 and
          r.stderr == f"usdtrace: PID {z.pid}: a zombie: its threads are gone\n", r.stderr)
    spin = os.path.join(ROOT, OUTPUT, "samples", "spin")
    s = subprocess.Popen([spin, "-s", "3"], stdout=subprocess.DEVNULL)
    time.sleep(0.3)
    r = usdtrace("dump", "--json", "-p", str(s.pid))
    tries = [r] + [usdtrace("dump", "--json", "-p", str(s.pid)) for _ in range(4)]
    s.kill()
    s.wait()
    th = [json.loads(l) for l in r.stdout.splitlines() if '"thread"' in l]
    seen = [json.loads(l) for x in tries for l in x.stdout.splitlines() if '"thread"' in l]
    check("dump: a thread running on a CPU as it is read is marked so (its native frames "
          "are where it last entered the kernel), only a running one",
          any(x.get("on_cpu") for x in seen) and
          all(x["state"] == "R" for x in seen if x.get("on_cpu")),
          f"{[(x['tid'], x['state'], x.get('on_cpu')) for x in seen]}")
    check("dump of a native program: its threads with native frames only, said once",
          r.returncode == 0 and th and all(f["lang"] == "native" for x in th
                                           for f in x["frames"] or []) and
          r.stderr.count(f"usdtrace: PID {s.pid}: no runtime whose frames usdtrace reads "
                         "(CPython 3.11, Ruby 3.1, PHP 8.2, HotSpot 17): native frames only\n") == 1 and
          "warning" not in r.stderr, f"{th[:1]} {r.stderr}")
    runtimes()
    r = usdtrace("dump")
    check("dump without -p: one line", r.returncode == 1 and
          r.stderr == "usdtrace: dump: give one process, -p PID (see usdtrace dump --help)\n",
          r.stderr)


if os.getuid() != 0:
    check("dump tests", False, "need root")
else:
    main()
summary_exit()
