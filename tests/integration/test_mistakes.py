"""test_mistakes.py - mistakes a new user makes are said, in one line, with
a non-zero exit: a mistyped probe with -c or -p (named at the end, with the
nearest real probes), a first "attached" line that counts the command's
start-up libraries instead of saying 0 and "no site yet"."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, USDTRACE, check, run, summary_exit, usdtrace

SAMPLE = os.path.join(ROOT, OUTPUT, "samples", "sample")
RUBY = "/usr/bin/ruby3.1"


def records(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_mistyped_c():
    r = usdtrace("trace", "-c", f"{SAMPLE} -n 2", "sample:twelv", "sample:loop")
    check("mistakes: -c with a mistyped probe exits 1 though the command exited 0",
          r.returncode == 1, f"{r.returncode} {r.stderr}")
    check("mistakes: the mistyped probe is named with the nearest real one",
          "usdtrace: sample:twelv: no such probe in the command's objects (did you mean "
          "sample:twelve?)" in r.stderr, r.stderr)
    check("mistakes: the probes that matched still trace",
          r.stdout.count("sample:loop") == 2, r.stdout)
    r = usdtrace("trace", "-c", f"{SAMPLE} -n 1 -x", "sample:twelv")
    check("mistakes: the command's own failure status is kept (it crashes with -x)",
          r.returncode >= 128 and "sample:twelv: no such probe" in r.stderr,
          f"{r.returncode} {r.stderr}")


def test_mistyped_p():
    p = subprocess.Popen([SAMPLE, "-n", "1000", "-s", "10"], stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.2)
        r = usdtrace("count", "-p", str(p.pid), "-d", "0.5", "sample:lop")
    finally:
        p.kill()
        p.wait()
    check("mistakes: -p with a mistyped probe exits 1 and names it",
          r.returncode == 1 and "usdtrace: sample:lop: no such probe in the process's objects"
          " (did you mean sample:loop" in r.stderr, f"{r.returncode} {r.stderr}")


def test_startup_attach():
    if not os.path.exists(RUBY):
        check("mistakes: ruby3.1 installed", False, RUBY)
        return
    r = usdtrace("count", "--json", "-c", f"{RUBY} -e 'GC.start'", "ruby:gc__mark__begin")
    recs = records(r.stdout)
    first = recs[0] if recs else {}
    check("mistakes: -c's first attached line counts its start-up libraries",
          first.get("type") == "attached" and first.get("sites") == 1 and
          first.get("objects") == 1 and "object" not in first, f"{recs[:2]}")
    check("mistakes: no 'no site yet' before the attach",
          "no site yet" not in r.stderr and r.returncode == 0, r.stderr)


if os.getuid() != 0:
    check("mistakes tests", False, "need root")
else:
    test_mistyped_c()
    test_mistyped_p()
    test_startup_attach()
summary_exit()
