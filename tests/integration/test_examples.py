"""test_examples.py - every example command of README.md, docs/usage.md, the
man page and `usdtrace [COMMAND] --help` runs as written, so a documented
example cannot rot. Paths under build/ and tests/ are the checkout's;
`-p 1234` gets the PID of a process of the kind the example traces (a JVM,
python3.11, ruby3.1, the sample server or sample), started for it; an
example that traces system-wide runs for two seconds and is stopped with
SIGINT, as a user would. Each must exit 0."""
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, USDTRACE, check, run, summary_exit

ENV = dict(os.environ, PATH="/usr/bin:/bin:/usr/sbin:/sbin")
COMMANDS = ["list", "trace", "count", "latency", "hist", "calls", "flow", "stat", "profile",
            "dump"]


def from_docs():
    """'$ build/usdtrace ...' lines of the docs' code blocks."""
    out = []
    for doc in ("README.md", "docs/usage.md"):
        for line in open(os.path.join(ROOT, doc)):
            m = re.match(r"\$ (?:build/)?(usdtrace .*)", line.rstrip("\n"))
            if m:
                out.append((doc, re.sub(r"\s+#.*$", "", m.group(1))))
    man = open(os.path.join(ROOT, "docs", "usdtrace.1")).read()
    block = man.split(".SH EXAMPLES", 1)[1].split(".fi", 1)[0]
    for line in block.splitlines():
        if line.startswith("usdtrace "):
            out.append(("docs/usdtrace.1", line.replace("\\-", "-")))
    return out


def from_help():
    out = []
    for cmd in [None] + COMMANDS:
        args = [USDTRACE] + ([cmd] if cmd else []) + ["--help"]
        text = run(args).stdout
        for line in text.splitlines():
            if line.startswith("  usdtrace "):
                out.append((f"usdtrace {cmd or ''} --help".replace("  ", " "), line.strip()))
    return out


def localize(cmd):
    """The checkout's build/ and tests/ paths, our usdtrace."""
    cmd = re.sub(r"(?<![\w/.-])(\./)?build/", f"{os.path.join(ROOT, OUTPUT)}/", cmd)
    cmd = re.sub(r"(?<![\w/.-])(\./)?tests/", f"{os.path.join(ROOT, 'tests')}/", cmd)
    return re.sub(r"^usdtrace ", f"{USDTRACE} ", cmd)


def start_target(cmd):
    """A process of the kind @cmd traces with -p 1234; it ends by itself."""
    w = os.path.join(ROOT, OUTPUT, "workloads")
    if "hotspot" in cmd or "-l java" in cmd:
        argv, ready = ["java", "-XX:+ExtendedDTraceProbes", "-cp", w, "Idle", "3"], "libjvm"
    elif "python" in cmd:
        argv, ready = ["python3.11", "-c", "import gc, time\n"
                       "def f(i): return str(i)\n"
                       "for r in range(15):\n [f(i) for i in range(200)]; gc.collect()\n"
                       " time.sleep(0.1)"], None
    elif "ruby" in cmd:
        argv, ready = ["ruby3.1", "-e", "15.times { |i| i.to_s; GC.start; sleep 0.1 }"], None
    elif "server:" in cmd:
        argv, ready = [os.path.join(ROOT, OUTPUT, "samples", "server"), "-n", "1500", "-s",
                       "1000"], None
    else:
        argv, ready = [os.path.join(ROOT, OUTPUT, "samples", "sample"), "-n", "15", "-s",
                       "100"], None
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    deadline = time.time() + 10
    while ready and time.time() < deadline:
        try:
            if ready in open(f"/proc/{p.pid}/maps").read():
                break
        except OSError:
            break
        time.sleep(0.1)
    time.sleep(0.3)
    return p


def run_example(where, cmd, cwd):
    words = shlex.split(cmd)
    target = None
    line = localize(cmd)
    if "-p" in words and "1234" in words:
        target = start_target(cmd)
        line = re.sub(r"(?<=-p )1234\b", str(target.pid), line)
    system_wide = words[1] != "list" and "-c" not in words and "-p" not in words
    try:
        p = subprocess.Popen(["bash", "-c", line], cwd=cwd, env=ENV, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
        if system_wide:
            time.sleep(2)
            os.killpg(p.pid, signal.SIGINT)
        try:
            out, err = p.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
    finally:
        if target:
            target.kill()
            target.wait()
    ok = p.returncode == 0 and (words[1] != "list" or out.strip())
    check(f"example ({where}): {cmd}", ok,
          f"exit {p.returncode}: {err.strip()[-400:]}")


if os.getuid() != 0:
    check("example tests", False, "need root")
else:
    seen = set()
    cwd = tempfile.mkdtemp(prefix="usdtrace-examples-")
    for where, cmd in from_docs() + from_help():
        if cmd in seen:
            continue
        seen.add(cmd)
        run_example(where, cmd, cwd)
summary_exit()
