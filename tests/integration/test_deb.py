"""test_deb.py - the Debian package a fleet installs: `make deb` builds it
with dpkg-buildpackage and lintian finds no error; unpacked into a clean
tree (dpkg -x) its binary (libbpf linked in) prints its version, lists and
counts the sample like the build's; the man page, docs and the systemd unit
are in it. The unit is run as systemd would run it: its environment file
read, its ExecStart split, its CapabilityBoundingSet the only capabilities
(root's others dropped), serving what a scrape then reads; and each of its
capabilities is shown needed by dropping it."""
import glob
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, USDTRACE, check, run, summary_exit
from promtest import free_port, get, metric, scrape_until

SAMPLE = os.path.join(ROOT, OUTPUT, "samples", "sample")
UNIT = "lib/systemd/system/usdtrace@.service"


def unit_settings(path):
    """Key=value lines of a unit file, the last value of each key."""
    keys = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", "[")) and "=" in line:
                k, v = line.split("=", 1)
                keys[k] = v
    return keys


def exec_start(unit, env_file, binary):
    """ExecStart as systemd expands it: ${X} one word, $X split at whitespace."""
    env = {}
    with open(env_file) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                k, v = line.split("=", 1)
                env[k] = v
    words = []
    for w in shlex.split(unit["ExecStart"]):
        m = re.fullmatch(r"\$\{(\w+)\}|\$(\w+)", w)
        if m and m.group(1):
            words.append(env.get(m.group(1), ""))
        elif m:
            words.extend(env.get(m.group(2), "").split())
        else:
            words.append(w)
    words[0] = binary
    return words


def as_unit(caps, argv):
    """@argv as root with only @caps (CAP_X names) in its bounding set."""
    keep = ",".join("+" + c.lower().removeprefix("cap_") for c in caps)
    return ["setpriv", "--bounding-set=-all," + keep, "--", *argv]


def test_build():
    r = run(["make", "-C", ROOT, "--no-print-directory", f"OUTPUT={OUTPUT}", "deb"])
    debs = glob.glob(os.path.join(ROOT, OUTPUT, "deb", "usdtrace_*_*.deb"))
    check("make deb: dpkg-buildpackage builds the package, lintian --fail-on error passes",
          r.returncode == 0 and len(debs) == 1, r.stdout[-2000:] + r.stderr[-2000:])
    if not debs:
        return None
    lint = run(["lintian", debs[0]])
    errors = [l for l in lint.stdout.splitlines() if l.startswith("E:")]
    check("lintian: no error", lint.returncode == 0 and not errors, lint.stdout)
    return debs[0]


def test_unpacked(deb, tree):
    r = run(["dpkg", "-x", deb, tree])
    binary = os.path.join(tree, "usr/bin/usdtrace")
    check("dpkg -x: the package unpacks into a clean tree", r.returncode == 0, r.stderr)
    v = run([binary, "--version"])
    want = run([USDTRACE, "--version"]).stdout
    check("the packaged usdtrace --version", v.returncode == 0 and v.stdout == want and
          v.stdout.startswith("usdtrace "), v.stdout + v.stderr)
    ldd = run(["ldd", binary]).stdout
    check("libbpf is linked in (no libbpf.so needed)", "libbpf" not in ldd, ldd)
    a, b = run([binary, "list", SAMPLE]), run([USDTRACE, "list", SAMPLE])
    check("the packaged usdtrace lists the sample as the build's does",
          a.returncode == 0 and a.stdout == b.stdout and "sample:loop" in a.stdout,
          a.stdout + a.stderr)
    t = subprocess.Popen([binary, "count", "-d", "3", f"{SAMPLE}:sample:loop"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    subprocess.run([SAMPLE, "-n", "17"], stdout=subprocess.DEVNULL)
    out, err = t.communicate(timeout=30)
    check("the packaged usdtrace counts (its BPF programs load)",
          re.search(r"sample:loop\s+17\b", out) is not None, out + err)
    v = run([binary, "count", "-v", "-d", "0.1", f"{SAMPLE}:sample:loop"])
    check("the packaged (stripped) binary attaches with uprobe_multi links",
          "one uprobe_multi link per object" in v.stderr, v.stderr)
    files = {p: os.path.exists(os.path.join(tree, p)) for p in (
        "usr/share/man/man1/usdtrace.1.gz", "usr/share/doc/usdtrace/copyright",
        "usr/share/doc/usdtrace/fleet.md", "usr/share/doc/usdtrace/usage.md",
        "usr/share/doc/usdtrace/examples/usdtrace-count.env", "usr/include/usdtrace/sdt.h",
        "usr/share/bash-completion/completions/usdtrace", UNIT, "etc/usdtrace")}
    check("the package holds the man page, docs, env examples, sdt.h, the unit, the bash "
          "completion",
          all(files.values()), f"{files}")
    return binary


def test_unit(tree, binary):
    unit_path = os.path.join(tree, UNIT)
    unit = unit_settings(unit_path)
    caps = unit.get("CapabilityBoundingSet", "").split()
    # systemd-analyze checks every directive; the binary is where dpkg -x put it
    with tempfile.TemporaryDirectory() as d:
        copy = os.path.join(d, "usdtrace@t.service")
        with open(unit_path) as f, open(copy, "w") as g:
            g.write(f.read().replace("/usr/bin/usdtrace", binary))
        v = run(["systemd-analyze", "verify", "--man=no", copy])
        check("systemd-analyze verify: the unit is valid", v.returncode == 0,
              v.stdout + v.stderr)
    check("the unit keeps only CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE, restarts on failure, "
          "and reads its probes from /etc/usdtrace/%i.env",
          sorted(caps) == ["CAP_BPF", "CAP_PERFMON", "CAP_SYS_PTRACE"] and
          unit.get("Restart") == "on-failure" and
          unit.get("EnvironmentFile") == "/etc/usdtrace/%i.env" and
          unit.get("NoNewPrivileges") == "yes", f"{unit}")
    port = free_port()
    with tempfile.TemporaryDirectory() as d:
        env = os.path.join(d, "sample.env")
        with open(env, "w") as f:
            f.write("# as /etc/usdtrace/sample.env\nUSDTRACE_COMMAND=count\n"
                    f"USDTRACE_LISTEN=127.0.0.1:{port}\n"
                    f"USDTRACE_ARGS=--by pid {SAMPLE}:sample:loop/arg0>=5/\n")
        argv = exec_start(unit, env, binary)
        p = subprocess.Popen(as_unit(caps, argv), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 30
            while time.time() < deadline and p.poll() is None:
                try:
                    if get(f"http://127.0.0.1:{port}/healthz", 2)[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.1)
            subprocess.run([SAMPLE, "-n", "12"], stdout=subprocess.DEVNULL)
            served = type("S", (), {"url": f"http://127.0.0.1:{port}"})
            samples = scrape_until(served, lambda x: metric(x, "usdtrace_probe_hits_total")
                                   == 7)
        finally:
            p.send_signal(2)
            out, err = p.communicate(timeout=30)
    hits = metric(samples, "usdtrace_probe_hits_total", probe="sample:loop")
    check("the unit's command line (env file split as systemd splits it), with only the "
          "unit's capabilities: serves exact counts of a predicate (7 of 12 hits)",
          hits == 7 and p.returncode == 0, f"{hits} {argv} {err}")


def test_caps_needed(binary):
    """Each capability the unit keeps is needed: without it, one line and exit 1."""
    unit_caps = ["CAP_BPF", "CAP_PERFMON", "CAP_SYS_PTRACE"]
    for drop in ("CAP_BPF", "CAP_PERFMON"):
        r = run(as_unit([c for c in unit_caps if c != drop],
                        [binary, "count", "-d", "1", f"{SAMPLE}:sample:loop"]))
        check(f"without {drop}: refused in one line naming it",
              r.returncode == 1 and r.stderr.count("\n") == 1 and drop in r.stderr, r.stderr)
    # a process of another user: its maps and exe need CAP_SYS_PTRACE
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o755)
        copy = os.path.join(d, "sample")
        subprocess.run(["cp", SAMPLE, copy], check=True)
        os.chmod(copy, 0o755)
        other = subprocess.Popen(["setpriv", "--reuid=nobody", "--regid=nogroup",
                                  "--clear-groups", copy, "-n", "40", "-s", "100"],
                                 stdout=subprocess.DEVNULL)
        time.sleep(0.3)
        try:
            no = run(as_unit(["CAP_BPF", "CAP_PERFMON"], [binary, "count", "-d", "1", "-p",
                                                          str(other.pid), "sample:loop"]))
            yes = run(as_unit(unit_caps, [binary, "count", "-d", "1", "-p",
                                          str(other.pid), "sample:loop"]))
        finally:
            other.kill()
            other.wait()
    check("-p on another user's process: refused without CAP_SYS_PTRACE (one line)",
          no.returncode == 1 and no.stderr.count("\n") == 1 and
          "Permission denied" in no.stderr, no.stderr)
    check("... and counts with the unit's three capabilities",
          yes.returncode == 0 and re.search(r"sample:loop\s+\d+", yes.stdout) is not None,
          yes.stdout + yes.stderr)


if os.getuid() != 0:
    check("deb tests", False, "need root")
else:
    deb = test_build()
    if deb:
        with tempfile.TemporaryDirectory() as tree:
            binary = test_unpacked(deb, tree)
            test_unit(tree, binary)
            test_caps_needed(binary)
summary_exit()
