"""bench.py - usdtrace benchmarks, as ratios measured side by side in one
run (this machine is noisy: never compare figures across runs).

- list: `usdtrace list` of libjvm.so (531 sites) against `readelf -n` and
  `bpftrace -l`, interleaved, median wall time of RUNS runs each.
  Goal: usdtrace no slower than readelf (ratio <= 1.0).
- per-hit cost: build/bench/hot fires bench:hit HITS times and prints ns per
  iteration. The cost of a tracer is its time minus the untraced time. The
  floor is a bare uprobe with an empty BPF program (bpftrace `{}`). Rows:
  `usdtrace count` vs the floor vs bpftrace `count()` (goal <= 1.10x the
  floor), and `usdtrace trace --json -o /dev/null` vs the floor vs bpftrace
  `printf` of the two arguments. Medians of ROUNDS interleaved rounds.
"""
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

OUT = sys.argv[1] if len(sys.argv) > 1 else "build"
RUNS = int(os.environ.get("BENCH_RUNS", "21"))
JVM = "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so"


def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def bench_list():
    cmds = {"usdtrace list": [os.path.join(OUT, "usdtrace"), "list", JVM],
            "readelf -n": ["readelf", "-n", JVM]}
    if shutil.which("bpftrace"):
        cmds["bpftrace -l"] = ["bpftrace", "-l", f"usdt:{JVM}:*"]
    times = {k: [] for k in cmds}
    for _ in range(RUNS):
        for k, c in cmds.items():
            times[k].append(timed(c))
    med = {k: statistics.median(v) for k, v in times.items()}
    base = med["usdtrace list"]
    print(f"list of libjvm.so (531 sites), median of {RUNS} interleaved runs")
    print(f"  {'command':<16} {'median ms':>10} {'usdtrace / it':>14}")
    for k, v in med.items():
        print(f"  {k:<16} {v * 1000:>10.2f} {base / v:>14.2f}")
    ratio = base / med["readelf -n"]
    print(f"  goal: usdtrace/readelf <= 1.00: {'met' if ratio <= 1.0 else 'MISSED'}"
          f" ({ratio:.2f})")


HOT = os.path.join(OUT, "bench", "hot")
HITS = int(os.environ.get("BENCH_HITS", "200000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def hot_ns():
    out = subprocess.run([HOT, str(HITS)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def attached(path):
    """True once some uprobe on @path is attached (bpftrace or usdtrace)."""
    out = subprocess.run(["bpftool", "-j", "perf"], capture_output=True, text=True).stdout
    try:
        return any(os.path.realpath(e.get("filename", "")) == os.path.realpath(path)
                   for e in json.loads(out or "[]"))
    except ValueError:
        return False


def traced_ns(cmd):
    """ns per iteration of the workload while @cmd traces it."""
    t = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while not attached(HOT):
            if time.time() > deadline or t.poll() is not None:
                raise RuntimeError(f"{cmd[0]} did not attach")
            time.sleep(0.1)
        return hot_ns()
    finally:
        t.send_signal(signal.SIGINT)
        try:
            t.wait(timeout=30)
        except subprocess.TimeoutExpired:
            t.kill()
            t.wait()


def bench_hits():
    u = os.path.join(OUT, "usdtrace")
    probe = f"usdt:{os.path.realpath(HOT)}:bench:hit"
    tracers = {
        "floor (empty BPF program)": ["bpftrace", "-e", probe + " {}"],
        "usdtrace count": [u, "count", f"{HOT}:bench:hit"],
        "bpftrace count()": ["bpftrace", "-e", probe + " { @[probe] = count(); }"],
        "usdtrace trace --json": [u, "trace", "--json", "-o", "/dev/null", f"{HOT}:bench:hit"],
        "bpftrace printf": ["bpftrace", "-e", probe + ' { printf("%d %d\\n", arg0, arg1); }'],
    }
    base, cost = [], {k: [] for k in tracers}
    for _ in range(ROUNDS):
        untraced = hot_ns()
        base.append(untraced)
        for k, c in tracers.items():
            cost[k].append(traced_ns(c) - untraced)
    med = {k: statistics.median(v) for k, v in cost.items()}
    floor = med["floor (empty BPF program)"]
    print(f"\nper-hit cost, {HITS} hits of a 2-argument probe, median of {ROUNDS} rounds "
          f"(untraced {statistics.median(base):.2f} ns/hit)")
    print(f"  {'tracer':<28} {'ns/hit':>9} {'x floor':>8}")
    for k, v in med.items():
        print(f"  {k:<28} {v:>9.0f} {v / floor:>8.2f}")
    r = med["usdtrace count"] / floor
    print(f"  goal: count <= 1.10x the floor: {'met' if r <= 1.10 else 'MISSED'} ({r:.2f})")
    r = med["usdtrace trace --json"] / floor
    print(f"  goal: trace <= 1.25x the floor: {'met' if r <= 1.25 else 'MISSED'} ({r:.2f})")


W = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "workloads")
LANG_N = int(os.environ.get("BENCH_LANG_N", "2000"))


def wall(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def bench_lang():
    """Overhead of `calls` (aggregated in the kernel) and of per-event
    streaming (`flow --json`, what bcc's ucalls/uflow do per event) on each
    runtime's workload, as wall-time ratios to the untraced run."""
    classes = os.path.join(OUT, "workloads")
    os.makedirs(classes, exist_ok=True)
    subprocess.run(["javac", "-d", classes, os.path.join(W, "Work.java")], check=True)
    work = {
        "python": f"/usr/bin/python3.11 {W}/work.py {LANG_N}",
        "ruby": f"/usr/bin/ruby3.1 {W}/work.rb {LANG_N}",
        "php": f"/usr/bin/php8.2 {W}/work.php {LANG_N}",
        "java": f"java -XX:+ExtendedDTraceProbes -cp {classes} Work {LANG_N}",
    }
    u = os.path.join(OUT, "usdtrace")
    print(f"\nlanguage runtimes: {LANG_N * 35} leaf calls, wall time / untraced, "
          f"median of {ROUNDS}")
    print(f"  {'runtime':<8} {'untraced s':>10} {'calls':>8} {'flow (per event)':>17}")
    for lang, cmd in work.items():
        t = {"base": [], "calls": [], "flow": []}
        for _ in range(ROUNDS):
            t["base"].append(wall(cmd.split()))
            t["calls"].append(wall([u, "calls", "-l", lang, "-c", cmd]))
            t["flow"].append(wall([u, "flow", "--json", "-o", "/dev/null", "-l", lang,
                                   "-c", cmd]))
        m = {k: statistics.median(v) for k, v in t.items()}
        print(f"  {lang:<8} {m['base']:>10.2f} {m['calls'] / m['base']:>8.2f} "
              f"{m['flow'] / m['base']:>17.2f}")


if __name__ == "__main__":
    bench_list()
    if shutil.which("bpftrace") and os.getuid() == 0:
        bench_hits()
        bench_lang()
    else:
        print("per-hit rows need root and bpftrace")
