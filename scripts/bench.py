"""bench.py - usdtrace benchmarks, as ratios measured side by side in one
run (this machine is noisy: never compare figures across runs).

Row 1, list: `usdtrace list` of libjvm.so (531 sites) against `readelf -n`
and `bpftrace -l`, interleaved, median wall time of RUNS runs each.
Goal: usdtrace no slower than readelf (ratio <= 1.0).
"""
import os
import shutil
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


if __name__ == "__main__":
    bench_list()
