"""test_mistakes.py - mistakes a new user makes are said, in one line, with
a non-zero exit: a mistyped probe with -c or -p (named at the end, with the
nearest real probes), a first "attached" line that counts the command's
start-up libraries instead of saying 0 and "no site yet"; list of a file
without probes, of a missing file, of ELF files damaged as readelf
reports."""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, USDTRACE, build_c, check, run, summary_exit, usdtrace

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


def truncated_copies(d):
    """Four copies of the sample damaged as readelf reports: section headers
    half or wholly past the end, .note.stapsdt's size or offset past it."""
    import struct
    b = bytearray(open(SAMPLE, "rb").read())
    shoff = struct.unpack_from("<Q", b, 0x28)[0]
    shnum, shstrndx = struct.unpack_from("<HH", b, 0x3c)
    sh = lambda i: struct.unpack_from("<IIQQQQIIQQ", b, shoff + i * 64)
    stroff = sh(shstrndx)[4]
    note = next(i for i in range(shnum)
                if b[stroff + sh(i)[0]:].split(b"\0")[0] == b".note.stapsdt")
    out = {"half_shdrs": b[:shoff + 640], "no_shdrs": b[:shoff]}
    c = bytearray(b)
    struct.pack_into("<Q", c, shoff + note * 64 + 32, 1 << 20)
    out["note_size"] = c
    c = bytearray(b)
    struct.pack_into("<Q", c, shoff + note * 64 + 24, len(b) + 4096)
    out["note_offset"] = c
    paths = {}
    for name, data in out.items():
        paths[name] = os.path.join(d, name)
        with open(paths[name], "wb") as f:
            f.write(data)
    return paths


def test_list():
    import tempfile
    r = usdtrace("list", "/bin/true")
    check("mistakes: list of a file without probes says so and exits 0",
          r.returncode == 0 and not r.stdout and
          r.stderr == "usdtrace: /bin/true: no USDT probes\n", repr(r.stderr))
    r = usdtrace("list", "nosuchfile", "p:n")
    check("mistakes: list nosuchfile PATTERN names the missing file",
          r.returncode == 1 and r.stderr == "usdtrace: nosuchfile: no such file or library\n",
          repr(r.stderr))
    d = tempfile.mkdtemp(prefix="usdtrace-elf-")
    for name, path in truncated_copies(d).items():
        r = usdtrace("list", path)
        lines = r.stderr.splitlines()
        check(f"mistakes: list of an ELF file with {name} past its end warns in one line",
              r.returncode == 0 and len(lines) == 2 and
              lines[0].startswith(f"usdtrace: warning: {path}: ") and
              "past the end of the file" in lines[0] and
              lines[1] == f"usdtrace: {path}: no USDT probes", repr(r.stderr))
        check(f"mistakes: readelf reports the same damage ({name})",
              "past end of file" in run(["readelf", "-n", path]).stderr, name)
    r = run([USDTRACE, "list", "sample"], cwd=os.path.dirname(SAMPLE))
    check("mistakes: list FILE finds a file in the current directory",
          r.returncode == 0 and "sample:loop" in r.stdout, r.stderr)


def running(cmd, settle=0.4):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(settle)
    return p


def test_silent_gaps(d):
    """A run on a probe its runtime is known to leave silent ends with the
    reason, not in silence."""
    py, rb = os.path.join(d, "spin.py"), os.path.join(d, "spin.rb")
    with open(py, "w") as f:
        f.write("import time\ndef f(x):\n    return x + 1\nt = time.time() + 3\ns = 0\n"
                "while time.time() < t:\n    s = f(s)\n")
    with open(rb, "w") as f:
        f.write("def f(x) = x + 1\nt = Time.now + 3\ns = 0\ns = f(s) while Time.now < t\n")
    p = running(["/usr/bin/python3.11", py])
    try:
        r = usdtrace("trace", "-p", str(p.pid), "-d", "0.5", "python:function__entry")
    finally:
        p.kill()
        p.wait()
    check("mistakes: trace of CPython 3.11's function__entry with no hit says why",
          r.returncode == 0 and "usdtrace: warning: no hit of python:function__entry: "
          "CPython 3.11 fires function__entry for few calls" in r.stderr, r.stderr)
    p = running([RUBY, rb])
    try:
        r = usdtrace("calls", "-l", "ruby", "-p", str(p.pid), "-d", "0.5")
    finally:
        p.kill()
        p.wait()
    check("mistakes: calls -l ruby without a TracePoint says why it saw no call",
          r.returncode == 0 and "usdtrace: warning: no hit of ruby:method__entry: Ruby >= 2.5 "
          "fires method__entry/return for Ruby methods only while a TracePoint" in r.stderr,
          r.stderr)
    r = usdtrace("stat", "-l", "ruby", "-c", "sleep 0.1")
    check("mistakes: stat -l ruby on a program without its probes says so (not the gap)",
          "usdtrace: warning: no ruby probes in the traced objects (libruby): the command "
          "runs /usr/bin/sleep\n" in r.stderr and "no hit of" not in r.stderr, r.stderr)
    r = usdtrace("flow", "-l", "java", "-c", "sleep 0.1")
    check("mistakes: flow -l java on a command that is not Java: no JVM flag advice",
          "ExtendedDTraceProbes" not in r.stderr and "no java probes in the traced objects "
          "(libjvm.so): the command runs /usr/bin/sleep" in r.stderr, r.stderr)
    # a python3.11 first on PATH that is a build without probes (pyenv's)
    fake = os.path.join(d, "python3.11")
    with open(fake, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(fake, 0o755)
    r = run([USDTRACE, "calls", "-l", "python", "-c", "python3.11 -c pass"],
            env=dict(os.environ, PATH=d + ":" + os.environ.get("PATH", "/usr/bin")))
    check("mistakes: calls -l python whose python3.11 on PATH has no probes names it and the "
          "system's", f"the command runs {fake}, a build without them? /usr/bin/python3.11 has "
          "them" in r.stderr, r.stderr)


def test_impossible_probes(d):
    """A probe that cannot exist fails before -c's command starts."""
    marker = os.path.join(d, "ran")
    cases = {
        "kprobe:do_sys_open": "not a user-space probe: usdtrace traces USDT probes",
        "tracepoint:sched:sched_switch": "not a user-space probe",
        "sample:loop arg0 > 1": "a predicate goes between slashes, PROBE /EXPR/",
        "USDT:x:y": "USDT:x:y: USDT: no such file or library",
    }
    for probe, why in cases.items():
        r = usdtrace("trace", "-c", f"touch {marker}", probe)
        check(f"mistakes: {probe!r} said in one line before the command runs",
              r.returncode == 1 and why in r.stderr and r.stderr.count("\n") == 1 and
              not os.path.exists(marker), r.stderr)
    r = usdtrace("trace", "-c", "true", "kprobe:do_sys_open")
    kprobes = os.path.exists("/sys/bus/event_source/devices/kprobe")
    check("mistakes: a kprobe names the kernel's lack of them where it has none",
          ("this kernel has no kprobes" in r.stderr) != kprobes, r.stderr)
    r = usdtrace("count", "-c", "sh -c '/usr/bin/python3.11 -c pass; true'", "python:gc__start")
    check("mistakes: a probe only a child of the command has: -f suggested",
          r.returncode == 1 and "python:gc__start: no such probe in the command's objects (the "
          "processes it starts are not traced: -f follows them)" in r.stderr, r.stderr)


def test_clone_symbol(d):
    """A function GCC only kept as a clone (leaf.constprop.0) is named."""
    exe = build_c(d, "clone", "#include <stdio.h>\n"
                  "static __attribute__((noinline)) int leaf(int a, int b)\n"
                  "{ int s = 0; for (int i = 0; i < a; i++) s += i * b; return s; }\n"
                  "int main(int argc, char **argv)\n"
                  "{ (void)argv; printf(\"%d\\n\", leaf(argc, 3) + leaf(argc + 1, 3)); "
                  "return 0; }\n", "-O2")
    syms = run(["nm", exe]).stdout if exe else ""
    if not check("mistakes: the clone fixture builds as GCC's leaf.constprop.0",
                 "leaf.constprop.0" in syms, syms[-300:]):
        return
    r = usdtrace("trace", "-c", exe, f"uprobe:{exe}:leaf")
    check("mistakes: no symbol 'leaf' names the compiler's copy of it",
          r.returncode == 1 and f"no symbol 'leaf' in {exe} (did you mean 'leaf.constprop.0', "
          "a copy the compiler made of it?)" in r.stderr, r.stderr)


def test_small():
    r = usdtrace("count", "--by", "site", "-c", f"{SAMPLE} -n 3", "sample:twosites", "sample:loop")
    lines = r.stdout.splitlines()
    ends = {len(l) for l in lines}
    check("mistakes: count --by site keeps its columns aligned under long paths",
          r.returncode == 0 and len(lines) == 4 and len(ends) == 1 and
          lines[0].index("COUNT") == lines[1].rindex("3") - 4, f"{lines}")
    r = usdtrace("count", "-n", "3", "-c", f"{SAMPLE} -n 4", "sample:*")
    lines = r.stdout.splitlines()
    check("mistakes: count -n 3 says how many rows it left out; a glob is as many probes "
          "as it matched", r.returncode == 0 and len(lines) == 5 and
          lines[-1] == "... 6 more (-n 3)" and
          "attached 9 probes at 10 sites in 1 object" in r.stderr, f"{lines} {r.stderr}")
    r = usdtrace("count", "--by", "arg0", "-c", f"{SAMPLE} -n 30", "sample:str(s,d)")
    rows = r.stdout.splitlines()
    check("mistakes: count --by arg0 (strings) keeps its columns aligned",
          r.returncode == 0 and len(rows) == 4 and len({len(l) for l in rows}) == 1 and
          len({l.index('"') for l in rows[1:]}) == 1 and rows[0].index("arg0") ==
          rows[1].index('"'), f"{rows}")
    r = usdtrace("count", "-c", f"{SAMPLE} -n 0", "sample:loop", "sample:str")
    check("mistakes: count names the probes without a hit instead of rows of 0",
          r.returncode == 0 and r.stdout.splitlines()[1:] ==
          ["(no hit: sample:loop, sample:str)"], r.stdout)
    r = usdtrace("calls", "-l", "python", "-c",
                 f"/usr/bin/python3.11 {os.path.join(ROOT, 'tests', 'workloads', 'work.py')}")
    leaf = [l.split() for l in r.stdout.splitlines() if l.startswith(
        os.path.join(ROOT, "tests", "workloads", "work.py") + ":leaf")]
    check("mistakes: calls shows - for a method none of whose calls was timed",
          len(leaf) == 1 and leaf[0][1] == "3500" and leaf[0][2] == "-", f"{leaf} {r.stderr}")
    for cmd in ("count", "calls"):
        args = ["count", "-c", "true", "x:y"] if cmd == "count" else ["calls", "-l", "python",
                                                                          "-c", "true"]
        r = run(["capsh", "--drop=cap_sys_admin,cap_bpf,cap_perfmon", "--",
                 "-c", " ".join([USDTRACE] + args)])
        check(f"mistakes: {cmd} names itself in the permission error",
              r.returncode == 1 and r.stderr.startswith(f"usdtrace: {cmd}: needs CAP_BPF"),
              r.stderr)
    r = usdtrace("trace", "-v", "-c", f"{SAMPLE} -n 1", "sample:two*")
    sites = [l for l in r.stderr.splitlines() if l.startswith("usdtrace: site ")]
    check("mistakes: trace -v lists each site it attaches, without libbpf's debugging",
          r.returncode == 0 and len(sites) == 2 and
          all(l.startswith(f"usdtrace: site sample:twosites {os.path.realpath(SAMPLE)}+0x")
              for l in sites) and "libbpf" not in r.stderr, r.stderr[-600:])
    r = usdtrace("trace", "-vv", "-c", f"{SAMPLE} -n 1", "sample:loop")
    check("mistakes: -vv adds libbpf's debugging", "usdtrace: libbpf: " in r.stderr,
          r.stderr[-300:])
    r = usdtrace("trace", "--help")
    check("mistakes: trace --help documents FMT S like the man page",
          "S string\nwhose length is the next argument" in r.stdout, r.stdout[:600])


if os.getuid() != 0:
    check("mistakes tests", False, "need root")
else:
    test_mistyped_c()
    test_mistyped_p()
    test_startup_attach()
    test_list()
    test_small()
    with tempfile.TemporaryDirectory() as tmp:
        test_silent_gaps(tmp)
        test_impossible_probes(tmp)
        test_clone_symbol(tmp)
summary_exit()
