"""test_stack.py - trace --stack on real processes: a probe three calls deep
in a binary without frame pointers gives exactly that chain, innermost
first, with file:line (DWARF mode); the frame-pointer walk on a build with
frame pointers; libstdcxx:throw from C++ shows __cxa_throw under the
thrower and its callers up to main; python3.11's interpreter frames down
to Py_BytesMain; a process that exited before its event was read still
symbolizes; bad options are one line each."""
import json
import os
import pwd
import re
import shutil
import signal
import tempfile
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, USDTRACE, check, run, summary_exit, svg_frames, usdtrace

SAMPLES = os.path.join(ROOT, OUTPUT, "samples")
DEEP_C = os.path.join(ROOT, "samples", "deep.c")


def records(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def line_of(path, text):
    """The line number of the first line of @path holding @text."""
    for n, line in enumerate(open(path), 1):
        if text in line:
            return n
    raise ValueError(text)


def events(*args):
    r = usdtrace("trace", "--json", *args, timeout=60)
    return r, [x for x in records(r.stdout) if x["type"] == "event"]


def chain(ev, n):
    return [(f["sym"], os.path.basename(f["file"] or ""), f["line"]) for f in ev["stack"][:n]]


def deep_chain():
    return [("inner", "deep.c", line_of(DEEP_C, "DTRACE_PROBE1(deep, leaf")),
            ("middle", "deep.c", line_of(DEEP_C, "long r = inner(i + 1);")),
            ("outer", "deep.c", line_of(DEEP_C, "long r = middle(i + 2);")),
            ("main", "deep.c", line_of(DEEP_C, "sum += outer(i);"))]


def test_inlined():
    """deep -i: leaf_inl inlined into mid_inl inlined into outer_inl: the
    machine has one frame there, DWARF three; both modes show the three."""
    deep = os.path.join(SAMPLES, "deep")
    want = [("leaf_inl", "deep.c", line_of(DEEP_C, "DTRACE_PROBE1(deep, inl"), True),
            ("mid_inl", "deep.c", line_of(DEEP_C, "long r = leaf_inl(i + 1);"), True),
            ("outer_inl", "deep.c", line_of(DEEP_C, "long r = mid_inl(i + 2);"), False),
            ("main", "deep.c", line_of(DEEP_C, "sum += outer_inl(i);"), False)]
    for mode in ("dwarf", "fp"):
        r, ev = events("--stack-mode", mode, "-c", f"{deep} -n 1 -i", "deep:inl")
        got = [(f["sym"], os.path.basename(f["file"] or ""), f["line"], f.get("inlined", False))
               for f in (ev[0]["stack"][:4] if ev else [])]
        if mode == "fp":	# the frame-pointer walk loses main (no frame pointers)
            got, want = got[:3], want[:3]
        check(f"--stack-mode {mode}: inlined calls are frames of their own (inlined: true), "
              "each at the line of its call, then the function they were inlined into",
              got == want and ev[0]["stack"][0]["ip"] == ev[0]["stack"][2]["ip"],
              f"{got} {r.stderr[-300:]}")
    r = usdtrace("trace", "--stack", "-c", f"{deep} -n 1 -i", "deep:inl")
    check("--stack text: an inlined frame says so",
          "    leaf_inl (inlined) (" in r.stdout and "    outer_inl+0x" in r.stdout,
          r.stdout[-800:])


def test_threads():
    """A probe on other threads: their stacks (copied no further than the
    end of the mapping they are in) unwind to clone3, uncut."""
    server = os.path.join(SAMPLES, "server")
    r, ev = events("--stack", "-c", f"{server} -n 3 -t 2", "server:request__begin")
    threads = [e for e in ev if e["tid"] != e["pid"]]
    syms = [[x["sym"] for x in e["stack"]] for e in threads]
    check("--stack on worker threads: serve, start_thread, __clone3 (handle inlined into "
          "serve), never cut",
          len(threads) == 6 and all(s[:4] == ["handle", "serve", "start_thread", "__clone3"]
                                    for s in syms) and
          not any("stack_cut" in e for e in threads), f"{syms[:2]} {r.stderr[-300:]}")


def test_dwarf():
    deep = os.path.join(SAMPLES, "deep")
    r, ev = events("--stack", "-c", f"{deep} -n 2", "deep:leaf")
    check("--stack (dwarf): one stacked event per hit", len(ev) == 2 and
          all("stack" in e for e in ev), f"{r.stderr[-300:]}")
    check("--stack (dwarf) on -O2 -fomit-frame-pointer: inner, middle, outer, main with "
          "file:line, innermost first", ev and chain(ev[0], 4) == deep_chain(),
          f"{ev and chain(ev[0], 6)}")
    f = ev[0]["stack"] if ev else []
    check("--stack: every frame has ip, obj, sym, off, file, line; the first is the probe's "
          "address in its object", f and all(set(x) - {"inlined"} == {"ip", "obj", "sym", "off",
                                                                    "file", "line"}
                                          for x in f) and f[0]["obj"] == deep and f[0]["off"] >= 0,
          f"{f[:1]}")
    syms = [x["sym"] for x in f]
    check("--stack: the unwind reaches _start through libc, not cut",
          "__libc_start_main" in syms and syms[-1] == "_start" and "stack_cut" not in ev[0],
          f"{syms} {ev and ev[0].get('stack_cut')}")
    r = usdtrace("trace", "--stack", "-c", f"{deep} -n 1", "deep:leaf")
    want = f"    middle+0x"
    lines = r.stdout.splitlines()
    check("--stack text: frames indented under the event, func+0xoff (obj) at file:line",
          any(l.startswith(want) and l.endswith(f"at samples/deep.c:{deep_chain()[1][2]}")
              and f"({deep})" in l for l in lines), r.stdout[-800:])


def test_fp():
    fp = os.path.join(SAMPLES, "deep-fp")
    r, ev = events("--stack-mode", "fp", "-c", f"{fp} -n 1", "deep:leaf")
    syms = [x["sym"] for x in ev[0]["stack"]] if ev else []
    # the probe is inner's first instruction, where the frame pointer is
    # still middle's: the walk alone goes inner, outer; the word at sp (the
    # return address into middle) puts middle back
    check("--stack-mode fp with frame pointers, a probe on a function's first instruction: "
          "inner, middle (from the return address at sp), outer, main",
          syms[:4] == ["inner", "middle", "outer", "main"], f"{syms}")
    deep = os.path.join(SAMPLES, "deep")
    r, ev = events("--stack-mode", "fp", "-c", f"{deep} -n 1", "deep:leaf")
    syms = [x["sym"] for x in ev[0]["stack"]] if ev else []
    check("--stack-mode fp without frame pointers: the probe's frame, then what the walk "
          "finds (no guessing: unknown frames have sym null)",
          syms[:1] == ["inner"] and "outer" not in syms, f"{syms}")


def test_cxx():
    r, ev = events("--stack", "-c", os.path.join(SAMPLES, "thrower"), "libstdcxx:throw")
    syms = [x["sym"] for x in ev[0]["stack"]] if ev else []
    check("libstdcxx:throw: __cxa_throw, under the thrower and its callers up to main "
          "(demangled)", len(syms) >= 4 and syms[0] == "__cxa_throw" and
          syms[1].startswith("check(int)") and syms[2] == "parse(char const*)" and
          syms[3] == "main", f"{syms} {r.stderr[-300:]}")
    obj = ev[0]["stack"][0]["obj"] if ev else ""
    check("... __cxa_throw in libstdc++", "libstdc++.so" in (obj or ""), obj)


def test_python():
    work = os.path.join(ROOT, "tests", "workloads", "work.py")
    # 3500 stacks of 8 KiB in a 20 ms burst: a ring to hold them
    r, ev = events("--stack", "--ring-size", str(64 << 20), "-c", f"/usr/bin/python3.11 {work}",
                   'python:function__return(s,s,d) /arg1 == "leaf"/')
    leaf = [e for e in ev if e["args"][1] == "leaf"]
    syms = [x["sym"] for x in leaf[0]["stack"]] if leaf else []
    # Debian's python3.11 is stripped: its exported functions have names,
    # its static ones none (null, never guessed)
    named = [x for x in syms if x]
    check("python3.11: interpreter frames by name down to Py_BytesMain",
          named[:5] == ["PyEval_EvalCode", "_PyRun_SimpleFileObject", "_PyRun_AnyFileObject",
                        "Py_RunMain", "Py_BytesMain"] and syms[-1] == "_start" and
          None in syms, f"{syms} {r.stderr[-300:]}")
    check("python3.11: every leaf return stacked, none dropped (a ring that holds the burst)",
          len(leaf) == 3500 and "stack_cut" not in leaf[0], f"{len(leaf)}")


def test_exited():
    deep = os.path.join(SAMPLES, "deep")
    target = subprocess.Popen([deep, "-n", "1", "-w"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL)
    tracer = subprocess.Popen([USDTRACE, "trace", "--json", "--stack", "-p", str(target.pid),
                               "deep:leaf"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    first = tracer.stdout.readline()	# "attached": its maps were read then
    # the tracer stopped, the target fires and exits: the event is read after
    tracer.send_signal(signal.SIGSTOP)
    target.stdin.write(b"go\n")
    target.stdin.close()
    target.wait()
    time.sleep(0.2)
    alive = os.path.exists(f"/proc/{target.pid}")
    tracer.send_signal(signal.SIGCONT)
    out, err = tracer.communicate(timeout=30)
    ev = [x for x in records(first + out) if x["type"] == "event"]
    check("a process that exited before its event was read still symbolizes",
          not alive and ev and chain(ev[0], 4) == deep_chain(),
          f"alive={alive} {ev and chain(ev[0], 4)} {err[-300:]}")


def test_latency_stack():
    slow = os.path.join(SAMPLES, "slow")
    line = line_of(os.path.join(ROOT, "samples", "slow.c"), "DTRACE_PROBE2(slow, begin")
    r = usdtrace("latency", "--json", "--min", "10ms", "--stack", "-c", f"{slow} -n 10",
                 "slow:begin(d,s)", "slow:end(d,d)", timeout=60)
    recs = [x for x in records(r.stdout) if x["type"] == "slow"]
    ok = len(recs) == 2 and all(
        x["stack"][0]["sym"] == "main" and x["stack"][0]["line"] == line and
        x["stack"][-1]["sym"] == "_start" for x in recs)
    check("latency --min --stack: each slow pair with the stack at its BEGIN",
          ok, f"{[x.get('stack', [])[:1] for x in recs]} {r.stderr[-300:]}")
    r = usdtrace("latency", "--stack", "-c", f"{slow} -n 1", "slow:begin", "slow:end")
    check("latency --stack without --min: refused", r.returncode == 1 and
          r.stderr == "usdtrace: latency: --stack is for --min (the stack at BEGIN of each "
          "slow pair), without --timeline\n", r.stderr)


def java_stacks(*flags, stop=True, size=8192, ring=64 << 20):
    """Stacks of Work.leaf's entries, read after the JVM exited (the tracer
    is stopped meanwhile: a perf map written at exit is there by then), or
    as they come (stop=False: the JVM then stays 3 s more, alive while its
    events are read)."""
    work = os.path.join(ROOT, OUTPUT, "workloads")
    cmd = " ".join(["java", "-XX:+ExtendedDTraceProbes", *flags, "-cp", work, "Work",
                    *([] if stop else ["100", "3000"])])
    t = subprocess.Popen([USDTRACE, "trace", "--json", "--stack", "--ring-size", str(ring),
                          "--stack-size", str(size),
                          "-c", cmd, 'hotspot:method__entry(-,S,-,S,-,-,-) /arg3 == "leaf"/'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = t.stdout.readline()
    if not stop:
        out, err = t.communicate(timeout=120)
        return [x for x in records(first + out) if x["type"] == "event"], err
    t.send_signal(signal.SIGSTOP)
    deadline = time.time() + 60
    # the JVM is the tracer's child: wait for it to be gone
    while time.time() < deadline:
        kids = open(f"/proc/{t.pid}/task/{t.pid}/children").read().split()
        if not kids or all(open(f"/proc/{k}/stat").read().split()[2] == "Z" for k in kids):
            break
        time.sleep(0.2)
    t.send_signal(signal.SIGCONT)
    out, err = t.communicate(timeout=60)
    ev = [x for x in records(first + out) if x["type"] == "event"]
    return ev, err


def test_jit():
    ev, err = java_stacks("-XX:+UnlockDiagnosticVMOptions", "-XX:+DumpPerfMapAtExit")
    frames = [f for e in ev for f in e["stack"]]
    named = [f for f in frames if f["sym"] == "int Work.leaf(int)"]
    check("JIT frames named from /tmp/perf-PID.map when the JVM writes one",
          len(ev) == 3500 and named and all(f["obj"].startswith("/tmp/perf-") for f in named)
          and not [f for f in frames if f["obj"] == "[jit]"],
          f"{len(ev)} {len(named)} {err[-300:]}")
    first = [e["stack"][0]["sym"] for e in ev]
    check("... and libjvm, loaded after the start, known though the JVM had exited",
          first and all(s == "SharedRuntime::dtrace_method_entry(JavaThread*, Method*)"
                        for s in first), f"{set(first)}")
    # read as they come, while the JVM runs: named by the JVM itself (its
    # vmStructs), no perf map needed; the call stub a frame of libjvm
    ev, err = java_stacks(stop=False)
    frames = [f for e in ev for f in e["stack"]]
    jit = [f for f in frames if f["obj"] == "[jit]"]
    mids = [e for e in ev if [f.get("sym") for f in e["stack"] if f.get("lang") == "java"][:2]
            == ["Work.leaf", "Work.middle"]]
    stubs = [f for f in frames if (f["sym"] or "").startswith("StubRoutines")]
    # callers have the line of their call; leaf, compiled, calls the probe's
    # runtime function at its entry, where C1 keeps no debug information
    unlined = [f for e in mids for f in e["stack"] if f.get("lang") == "java" and
               f["sym"] in ("Work.middle", "Work.main") and
               not (f["file"] == "Work.java" and f["line"])]
    check("trace --stack in a live JVM: Java frames named from the JVM (\"lang\":\"java\", "
          "file, the callers' lines), leaf under middle, the call stub in libjvm.so, nothing "
          "[jit]",
          len(ev) == 3500 and not jit and len(mids) >= 0.9 * len(ev) and
          not unlined and stubs and all(f["obj"].endswith("/libjvm.so") for f in stubs),
          f"{len(ev)} {len(jit)} {len(mids)} {unlined[:3]} {len(stubs)} {err[-300:]}")


def test_perfmap_trust(tmp):
    """A perf map is believed as perf believes it: a regular file of root or
    the process's user, writable by its owner alone. Code in an anonymous
    executable mapping (tests/workloads/jitted.c) calls a probe; its frame
    is named by the map owned by root, and stays [jit] (with one warning)
    when the map is another user's, writable by others, or a symlink."""
    exe = os.path.join(tmp, "jitted")
    r = run(["gcc", "-O1", "-o", exe, os.path.join(ROOT, "tests", "workloads", "jitted.c")])
    if not check("perf map trust: the JIT-like workload builds", r.returncode == 0, r.stderr):
        return
    nobody = pwd.getpwnam("nobody").pw_uid
    got = {}
    for case in ("root", "nobody", "writable", "symlink"):
        p = subprocess.Popen([exe, "3"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
        addr, size = p.stdout.readline().split()
        path = f"/tmp/perf-{p.pid}.map"
        real = os.path.join(tmp, f"real-{case}.map")
        with open(real if case == "symlink" else path, "w") as f:
            f.write(f"{addr} {size} jitted_code\n")
        if case == "symlink":
            os.symlink(real, path)
        os.chmod(real if case == "symlink" else path, 0o666 if case == "writable" else 0o644)
        if case == "nobody":
            os.chown(path, nobody, nobody)
        t = subprocess.Popen([USDTRACE, "trace", "--json", "--stack", "-p", str(p.pid),
                              f"{exe}:jitted:hit"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        first = t.stdout.readline()
        p.stdin.write("go\n")
        p.stdin.flush()
        p.stdout.readline()
        time.sleep(0.3)
        t.send_signal(signal.SIGINT)
        out, err = t.communicate(timeout=30)
        p.stdin.close()
        p.wait(timeout=10)
        os.unlink(path)
        ev = [x for x in records(first + out) if x["type"] == "event"]
        second = [e["stack"][1] if len(e["stack"]) > 1 else {} for e in ev]
        got[case] = (len(ev), {(f.get("obj", "")[:10], f.get("sym")) for f in second},
                     err.count("not believed"))
    check("perf map trust: root's map names the JIT frame",
          got.get("root") == (3, {("/tmp/perf-", "jitted_code")}, 0), f"{got}")
    for case, what in (("nobody", "owned by nobody"), ("writable", "writable by others"),
                       ("symlink", "a symlink")):
        check(f"perf map trust: a map {what} is not believed: [jit], said once",
              got.get(case) == (3, {("[jit]", None)}, 1), f"{got.get(case)}")


def test_count_by_stack(tmp):
    deep = os.path.join(SAMPLES, "deep")
    folded, svg = os.path.join(tmp, "deep.folded"), os.path.join(tmp, "deep.svg")
    r = usdtrace("count", "--json", "--by", "stack", "--folded", folded, "--flamegraph", svg,
                 "-c", f"{deep} -n 30 -b", "deep:leaf", timeout=60)
    rows = {tuple(x["stack"][:4]): x["count"] for x in records(r.stdout) if x["type"] == "count"}
    check("count --by stack: one row per stack, exact counts (2:1)",
          rows == {("inner", "middle", "outer", "main"): 20,
                   ("inner", "middle", "main", "__libc_start_call_main"): 10},
          f"{rows} {r.stderr[-300:]}")
    lines = open(folded).read().splitlines() if os.path.exists(folded) else []
    base = "deep:leaf;_start;__libc_start_main;__libc_start_call_main;main"
    check("--folded: probe;root;...;leaf count lines",
          lines == [f"{base};middle;inner 10", f"{base};outer;middle;inner 20"], f"{lines}")
    frames = svg_frames(svg) if os.path.exists(svg) else []
    total = frames[0][1] if frames else 0
    prop = all(abs(w / 1180.0 - v / total) < 1e-3 for _, v, _, _, w, _ in frames)
    names = {(n, v, d) for n, v, d, _, _, _ in frames}
    check("--flamegraph: each frame as wide as its share, callees stacked on callers",
          total == 30 and prop and ("outer", 20, 6) in names and ("middle", 10, 6) in names
          and ("middle", 20, 7) in names and ("inner", 10, 7) in names, f"{sorted(names)}")
    check("--flamegraph: hover titles say name, value and share",
          any(t == "outer (20 hits, 66.67%)" for *_, t in frames), f"{[f[5] for f in frames]}")
    return svg


def test_count_by_stack_fp():
    """--stack-mode fp: counted in the kernel by stack id; 30,000 hits exact."""
    fp = os.path.join(SAMPLES, "deep-fp")
    r = usdtrace("count", "--json", "--by", "stack", "--stack-mode", "fp",
                 "-c", f"{fp} -n 30000 -b", "deep:leaf", timeout=120)
    rows = {tuple(x["stack"][:4]): x["count"] for x in records(r.stdout) if x["type"] == "count"}
    summ = [x for x in records(r.stdout) if x["type"] == "summary"]
    check("count --by stack --stack-mode fp: counted in the kernel, one row per stack, "
          "30,000 hits exact (2:1), the caller at a function's entry included",
          rows == {("inner", "middle", "outer", "main"): 20000,
                   ("inner", "middle", "main", "__libc_start_call_main"): 10000} and
          summ and summ[0]["events"] == 30000 and summ[0]["dropped"] == 0,
          f"{rows} {summ} {r.stderr[-300:]}")
    r = usdtrace("count", "--json", "--by", "stack", "--stack-mode", "fp", "--max-keys", "1",
                 "-c", f"{fp} -n 30 -b", "deep:leaf", timeout=60)
    rows = [x["count"] for x in records(r.stdout) if x["type"] == "count"]
    summ = [x for x in records(r.stdout) if x["type"] == "summary"]
    check("count --by stack --stack-mode fp --max-keys 1: one stack kept, the other's hits "
          "said as past --max-keys, none lost",
          len(rows) == 1 and rows[0] in (10, 20) and summ and
          summ[0].get("overflow") == 30 - rows[0] and summ[0]["events"] == 30,
          f"{rows} {summ}")
    deep = os.path.join(SAMPLES, "deep")
    r = usdtrace("count", "--json", "--by", "stack", "--stack-mode", "fp",
                 "-c", f"{deep} -n 5 -i", "deep:inl", timeout=60)
    rows = {tuple(x["stack"][:3]): x["count"] for x in records(r.stdout) if x["type"] == "count"}
    check("count --by stack --stack-mode fp: calls inlined at the probe are frames too",
          rows.get(("leaf_inl", "mid_inl", "outer_inl")) == 5, f"{rows} {r.stderr[-300:]}")


def png_pixels(path):
    """Width, height and RGB rows of a PNG (8-bit RGB or RGBA), by zlib alone."""
    import struct
    import zlib
    data = open(path, "rb").read()
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 4 if ctype == 6 else 3
    raw, rows, prev = zlib.decompress(idat), [], bytearray(w * bpp)
    stride = w * bpp + 1
    for y in range(h):
        f, line = raw[y * stride], bytearray(raw[y * stride + 1:(y + 1) * stride])
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows


def test_screenshot(svg, tmp):
    chromium = next((c for c in ("chromium", "chromium-browser") if shutil.which(c)), None)
    if not chromium:
        check("flame graph screenshot", False, "no chromium (scripts/setup.sh installs it)")
        return
    png = os.path.join(tmp, "deep.png")
    frames = svg_frames(svg)
    height = max(int(float(ET_height(svg))), 100)
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", f"--screenshot={png}", f"--window-size=1200,{height}",
                    "file://" + svg], capture_output=True, timeout=120)
    ok = os.path.exists(png)
    w, h, rows = png_pixels(png) if ok else (0, 0, [])
    # the centre of each frame's box shows its fill colour, not the background
    bad = []
    for name, v, d, x, width, _ in frames:
        y = 40 + (max(f[2] for f in frames) - d) * 16 + 7
        px = rows[y][int(x + width / 2)] if ok and y < h else None
        if px is None or px == (248, 248, 248) or px == (255, 255, 255):
            bad.append((name, d, px))
    check("flame graph drawn by headless Chromium: every frame box is painted",
          ok and w == 1200 and not bad, f"{w}x{h} {bad[:4]}")


def ET_height(svg):
    import xml.etree.ElementTree as ET
    return ET.parse(svg).getroot().get("height")


def test_bad():
    cases = [
        (["--stack-mode", "lbr"], "usdtrace: --stack-mode lbr: must be fp or dwarf\n"),
        (["--stack-size", "100"], "usdtrace: --stack-size 100: must be a multiple of 8 from "
         "64 to 16384\n"),
        (["--stack-size", "99999"], "usdtrace: --stack-size 99999: must be a multiple of 8 "
         "from 64 to 16384\n"),
    ]
    for extra, want in cases:
        r = usdtrace("trace", *extra, "-c", os.path.join(SAMPLES, "deep"), "deep:leaf")
        check(f"trace {' '.join(extra)}: one line, exit 1",
              r.returncode == 1 and r.stderr == want, r.stderr)
    r = usdtrace("count", "--stack", "deep:leaf")
    check("--stack on count: refused, naming where it belongs",
          r.returncode == 1 and r.stderr.startswith("usdtrace: count: --stack is for trace"),
          r.stderr)
    # a debug file that is there but unreadable: one warning, the rest symbolized
    deep = os.path.join(SAMPLES, "deep")
    note = subprocess.run(["readelf", "-n", deep], capture_output=True, text=True).stdout
    bid = re.search(r"Build ID: ([0-9a-f]+)", note).group(1)
    dbg = f"/usr/lib/debug/.build-id/{bid[:2]}/{bid[2:]}.debug"
    os.makedirs(os.path.dirname(dbg), exist_ok=True)
    with open(dbg, "w") as f:
        f.write("not an ELF file")
    try:
        r, ev = events("--stack", "-c", f"{deep} -n 3", "deep:leaf")
    finally:
        os.unlink(dbg)
    warn = [l for l in r.stderr.splitlines() if "warning" in l]
    check("an unreadable debug file: skipped with one warning for its object",
          warn == [f"usdtrace: warning: {deep}: {dbg}: Exec format error: skipped"] and
          len(ev) == 3 and ev[2]["stack"][0]["sym"] == "inner", f"{warn}")
    r, ev = events("--stack-size", "64", "-c", os.path.join(SAMPLES, "deep"), "deep:leaf")
    f = ev[0]["stack"] if ev else []
    check("a stack cut by --stack-size ends where it ends, the last frame marked",
          f and f[0]["sym"] == "inner" and ev[0].get("stack_cut") and len(f) < 7,
          f"{[x['sym'] for x in f]} {ev and ev[0].get('stack_cut')}")


if os.getuid() != 0:
    check("stack tests", False, "need root")
else:
    test_dwarf()
    test_inlined()
    test_threads()
    test_fp()
    test_cxx()
    test_python()
    test_exited()
    test_jit()
    test_latency_stack()
    with tempfile.TemporaryDirectory() as d:
        test_screenshot(test_count_by_stack(d), d)
    with tempfile.TemporaryDirectory() as d:
        test_perfmap_trust(d)
    test_count_by_stack_fp()
    test_bad()
summary_exit()
