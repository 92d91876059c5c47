"""test_profile.py - `usdtrace profile` against programs that measure their
own CPU split: each function's share of the samples is checked against the
share of CPU time the program measured for it (within 5 points), native
frames of a binary without frame pointers, CPython 3.11's frames in place
of its interpreter loop with zlib's native frames under the Python function
that called it, threads never mixed, lines inside the function that ran;
and the files: folded, SVG, pprof (read by go tool pprof), speedscope."""
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

from harness import OUTPUT, ROOT, check, run, summary_exit, svg_frames, usdtrace

SPIN = os.path.join(ROOT, OUTPUT, "samples", "spin")
APP = os.path.join(ROOT, "tests", "workloads", "profile_app.py")
APP_RB = os.path.join(ROOT, "tests", "workloads", "profile_app.rb")
APP_PHP = os.path.join(ROOT, "tests", "workloads", "profile_app.php")
APP_JAVA = os.path.join(ROOT, "tests", "workloads", "ProfileApp.java")
# what the Java test asks of the JVM: its own methods kept apart (not inlined
# into one another), and square inlined into hotC for the inlining check
JAVA = ("java -XX:CompileCommand=quiet " +
        " ".join(f"-XX:CompileCommand=dontinline,ProfileApp::{m}"
                 for m in ("hotA", "hotB", "hotC", "sorted", "leaf")) +
        " -XX:CompileCommand=inline,ProfileApp::square -cp " +
        os.path.join(ROOT, OUTPUT, "workloads") + " ProfileApp")
PYTHON = "/usr/bin/python3.11"
HZ = "499"


def records(text):
    return [json.loads(l) for l in text.splitlines() if l.startswith("{")]


def shares(recs, pid, names, key):
    """Share of @pid's samples whose stack holds each of @names (by @key(frame))."""
    total = sum(r["count"] for r in recs if r["type"] == "stack" and r["pid"] == pid)
    got = {}
    for n in names:
        got[n] = sum(r["count"] for r in recs if r["type"] == "stack" and r["pid"] == pid
                     and any(key(f) == n for f in r["frames"])) / max(total, 1)
    return got, total


def native_name(f):
    return (f.get("sym") or "").split(".")[0] if f["lang"] == "native" else None


def py_name(f):
    return f.get("name") if f["lang"] == "python" else None


def close(got, truth, names):
    return all(abs(got[n] - truth[n]) <= 0.05 for n in names)


def test_native(tmp):
    truth_path = os.path.join(tmp, "spin.json")
    r = usdtrace("profile", "-F", HZ, "--json", "-c", f"{SPIN} -s 3 -o {truth_path}",
                 timeout=60)
    recs = records(r.stdout)
    truth = json.load(open(truth_path)) if os.path.exists(truth_path) else {}
    pids = {x["pid"] for x in recs if x["type"] == "stack"}
    pid = pids.pop() if len(pids) == 1 else None
    want = {n: truth.get(n, 0) / truth.get("process", 1) for n in ("hot_a", "hot_b", "hot_c")}
    got, total = shares(recs, pid, want, native_name)
    check("profile: a C program's functions (-O2, no frame pointers) take their measured "
          "share of the samples, within 5 points",
          r.returncode == 0 and total > 500 and close(got, want, want),
          f"got {got} want {want} samples {total} rc {r.returncode} {r.stderr[-300:]}")
    main_tids = {x["tid"] for x in recs if x["type"] == "stack" and
                 any(native_name(f) in ("hot_a", "hot_b") for f in x["frames"])}
    worker_tids = {x["tid"] for x in recs if x["type"] == "stack" and
                   any(native_name(f) == "hot_c" for f in x["frames"])}
    check("profile: the two threads' stacks never mixed",
          len(main_tids) == 1 and len(worker_tids) == 1 and main_tids != worker_tids,
          f"{main_tids} {worker_tids}")
    deep = [x for x in recs if x["type"] == "stack" and x["frames"] and
            native_name(x["frames"][0]) == "hot_a"]
    check("profile: unwound without frame pointers down to main and _start",
          deep and all([native_name(f) for f in x["frames"]][-3:] ==
                       ["__libc_start_call_main", "__libc_start_main", "_start"]
                       for x in deep if x["tid"] == pid),
          f"{[ [native_name(f) for f in x['frames']] for x in deep[:2]]}")
    summ = [x for x in recs if x["type"] == "summary"]
    check("profile: the summary counts the samples and the lost ones by cause",
          summ and summ[0]["samples"] == sum(x["count"] for x in recs if x["type"] == "stack")
          and {"lost_ring", "lost_frames", "lost_late", "lost_stack"} <= set(summ[0]),
          f"{summ}")


def python_run(tmp, *extra):
    truth_path = os.path.join(tmp, "py.json")
    r = usdtrace("profile", "-F", HZ, *extra, "-c", f"{PYTHON} {APP} {truth_path} 3",
                 timeout=90)
    truth = json.load(open(truth_path)) if os.path.exists(truth_path) else {}
    return r, truth


def test_python(tmp):
    folded, svg = os.path.join(tmp, "py.folded"), os.path.join(tmp, "py.svg")
    pprof, ss = os.path.join(tmp, "py.pb.gz"), os.path.join(tmp, "py.speedscope.json")
    r, truth = python_run(tmp, "--json", "--folded", folded, "--flamegraph", svg,
                          "--pprof", pprof, "--speedscope", ss)
    recs = records(r.stdout)
    stacks = [x for x in recs if x["type"] == "stack"]
    pid = stacks[0]["pid"] if stacks else None
    names = ("hot_a", "hot_b", "pack")
    want = {n: truth.get(n, 0) / truth.get("process", 1) for n in names}
    got, total = shares(recs, pid, names, py_name)
    check("profile: python3.11's functions take their measured share of the samples, "
          "within 5 points, with no flag in the process",
          r.returncode == 0 and total > 500 and close(got, want, names),
          f"got {got} want {want} samples {total} rc {r.returncode} {r.stderr[-400:]}")
    src = open(APP).read().splitlines()
    ranges = {}
    for n in names:
        first = next(i for i, l in enumerate(src, 1) if l.startswith(f"def {n}("))
        last = first
        while last < len(src) and (src[last].startswith(" ") or not src[last].strip()):
            last += 1
        ranges[n] = (first, last)
    bad = [(f["name"], f["line"]) for x in stacks for f in x["frames"]
           if f["lang"] == "python" and f["name"] in ranges and f["file"] == APP
           and not ranges[f["name"]][0] <= (f["line"] or 0) <= ranges[f["name"]][1]]
    check("profile: each Python frame's line lies inside the function that ran",
          stacks and not bad, f"{bad[:5]} {ranges}")
    zlib = [x for x in stacks if any(py_name(f) == "pack" for f in x["frames"]) and
            any("libz.so" in (f.get("obj") or "") for f in x["frames"])]
    under = all(max(i for i, f in enumerate(x["frames"]) if "libz.so" in (f.get("obj") or ""))
                < next(i for i, f in enumerate(x["frames"]) if py_name(f) == "pack")
                for x in zlib)
    check("profile: zlib's native frames sit under pack(), the Python function that "
          "called it", len(zlib) > 10 and under,
          f"{len(zlib)} {[[(f.get('sym') or f.get('name')) for f in x['frames'][:6]] for x in zlib[:2]]}")
    tid_of = {}
    for x in stacks:
        for f in x["frames"]:
            if py_name(f) in names:
                tid_of.setdefault(py_name(f), set()).add(x["tid"])
    check("profile: the main thread's and the worker's stacks never mixed",
          tid_of.get("hot_a") == tid_of.get("hot_b") and len(tid_of.get("hot_a", ())) == 1
          and tid_of.get("pack") and not tid_of["pack"] & tid_of["hot_a"], f"{tid_of}")
    evals = [x for x in stacks if any((f.get("sym") or "") == "_PyEval_EvalFrameDefault"
                                      for f in x["frames"])]
    check("profile: the interpreter loop's own frames are replaced by the Python frames",
          stacks and not evals, f"{len(evals)} of {len(stacks)}")
    return folded, svg, pprof, ss, want


def def_ranges(path, starts):
    """Lines of each function of @starts ({name: its first line's start}) in @path:
    from its first line to the `end` or `}` at its indentation."""
    src = open(path).read().splitlines()
    ranges = {}
    for name, prefix in starts.items():
        first = next(i for i, l in enumerate(src, 1) if l.strip().startswith(prefix))
        indent = src[first - 1][:len(src[first - 1]) - len(src[first - 1].lstrip())]
        last = next(i for i, l in enumerate(src, 1)
                    if i > first and l in (indent + "end", indent + "}"))
        ranges[name] = (first, last)
    return ranges


def runtime_profile(tmp, lang, cmd, names, truth_keys, starts, app, cfunc, caller, seam):
    """A Ruby or PHP program profiled with no flag in it: shares against its own
    measured split, the C method / internal function named above its caller, lines
    inside the function that ran, the runtime's loop replaced by its frames."""
    truth_path = os.path.join(tmp, f"{lang}.json")
    r = usdtrace("profile", "-F", HZ, "--json", "-c", f"{cmd} {app} {truth_path} 3",
                 timeout=90)
    truth = json.load(open(truth_path)) if os.path.exists(truth_path) else {}
    recs = records(r.stdout)
    stacks = [x for x in recs if x["type"] == "stack"]
    pid = stacks[0]["pid"] if stacks else None
    want = {n: truth.get(k, 0) / truth.get("process", 1) for n, k in zip(names, truth_keys)}

    def name_of(f):
        return f.get("name") if f["lang"] == lang else None
    got, total = shares(recs, pid, names, name_of)
    check(f"profile: {lang}'s methods and {cfunc} take their measured share of the "
          "samples, within 5 points, with no flag in the process",
          r.returncode == 0 and total > 500 and close(got, want, names),
          f"got {got} want {want} samples {total} rc {r.returncode} {r.stderr[-400:]}")
    cf = [f for x in stacks for f in x["frames"] if name_of(f) == cfunc]
    order = [x for x in stacks if any(name_of(f) == cfunc for f in x["frames"])]
    # (the runtime's own start-up may sort too: rubygems at `require`, rarely
    # sampled; those stacks have no caller, and stay a sliver)
    wrong = [x for x in order if not next(i for i, f in enumerate(x["frames"])
                                          if name_of(f) == cfunc) <
             next((i for i, f in enumerate(x["frames"]) if name_of(f) == caller), 1 << 30)]
    elsewhere = sum(x["count"] for x in order if all(name_of(f) != caller for f in x["frames"]))
    above = not wrong and elsewhere <= 0.02 * sum(x["count"] for x in order)
    check(f"profile: {cfunc} is named (\"cfunc\":true, no file) above {caller}, "
          "its caller", cf and all(f.get("cfunc") is True and f["file"] is None for f in cf)
          and len(order) > 10 and above,
          f"{cf[:1]} {len(order)} stacks, not so: "
          f"{[(x['count'], [name_of(f) or f.get('sym') for f in x['frames'][:24]]) for x in wrong[:2]]}")
    ranges = def_ranges(app, starts)
    seen = [(name_of(f), f["line"]) for x in stacks for f in x["frames"]
            if name_of(f) in ranges and f["file"] and os.path.samefile(f["file"], app)]
    bad = [(n, l) for n, l in seen if not ranges[n][0] <= (l or 0) <= ranges[n][1]]
    check(f"profile: each {lang} frame's line lies inside the function that ran",
          len(seen) > 10 and not bad, f"{bad[:5]} {ranges} {len(seen)}")
    # a hot loop's samples land on its loop's lines, not where the function was
    # entered (PHP: the innermost frame's stored line is stale; r15 holds the truth)
    src = open(app).read().splitlines()
    loop = {i for i, l in enumerate(src, 1) if ranges[names[0]][0] < i < ranges[names[0]][1]
            and ("while" in l or "for (" in l or "s = s" in l.replace("$", "") or "+=" in l)}
    firsts = [(next((f for f in x["frames"] if f["lang"] == lang), None), x["count"])
              for x in stacks]
    inner = [(f["line"], c) for f, c in firsts if f and name_of(f) == names[0]]
    all_inner = sum(c for _, c in inner)
    on_loop = sum(c for l, c in inner if l in loop)
    each = {n: sum(c for l, c in inner if l == n) for n in loop}
    check(f"profile: the innermost {names[0]} frame's samples lie on its loop's lines, "
          "each of them", inner and on_loop >= 0.9 * all_inner and
          all(v >= 0.03 * all_inner for v in each.values()),
          f"{on_loop} of {all_inner} on {each}: {inner[:8]}")
    loops = [x for x in stacks if any((f.get("sym") or "") == seam for f in x["frames"])]
    check(f"profile: {seam}'s own frames are replaced by the {lang} frames",
          stacks and not loops, f"{len(loops)} of {len(stacks)}")


def test_ruby(tmp):
    runtime_profile(tmp, "ruby", "ruby3.1", ("Work#hot_a", "Work#hot_b", "Array#sort"),
                    ("hot_a", "hot_b", "sort"),
                    {"Work#hot_a": "def hot_a(", "Work#hot_b": "def hot_b("}, APP_RB,
                    "Array#sort", "Work#sorted", "rb_vm_exec")


def test_php(tmp):
    runtime_profile(tmp, "php", "php8.2", ("Work::hotA", "Work::hotB", "sort"),
                    ("hotA", "hotB", "sort"),
                    {"Work::hotA": "public function hotA(", "Work::hotB": "public function hotB("},
                    APP_PHP, "sort", "Work::sorted", "execute_ex")


def java_name(f):
    return f.get("name") if f["lang"] == "java" else None


def test_java(tmp):
    """A JVM started with no profiling flag, profiled from its start to its exit:
    interpreted, C1 and C2 frames named from the JVM's own vmStructs."""
    truth_path = os.path.join(tmp, "java.json")
    r = usdtrace("profile", "-F", HZ, "--json", "-c", f"{JAVA} {truth_path} 3", timeout=90)
    truth = json.load(open(truth_path)) if os.path.exists(truth_path) else {}
    recs = records(r.stdout)
    stacks = [x for x in recs if x["type"] == "stack"]
    pids = {x["pid"] for x in stacks}
    pid = pids.pop() if len(pids) == 1 else None
    names = ("ProfileApp.hotA", "ProfileApp.hotB", "java.util.Arrays.sort", "ProfileApp.hotC")
    want = {n: truth.get(k, 0) / truth.get("process", 1)
            for n, k in zip(names, ("hotA", "hotB", "sort", "hotC"))}
    got, total = shares(recs, pid, names, java_name)
    check("profile: Java methods (JIT-compiled during the run) and java.util.Arrays.sort "
          "take their measured share of the samples, within 5 points, no flag for profiling "
          "in the JVM", r.returncode == 0 and total > 500 and close(got, want, names),
          f"got {got} want {want} samples {total} rc {r.returncode} {r.stderr[-400:]}")
    summ = [x for x in recs if x["type"] == "summary"]
    check("profile: a JVM that starts, compiles and exits during the profile: nearly every "
          "sample kept", summ and summ[0]["lost"] <= 0.02 * summ[0]["samples"],
          f"{summ}")

    def index(x, n):
        return next((i for i, f in enumerate(x["frames"]) if java_name(f) == n), -1)
    sorts = [x for x in stacks if index(x, "java.util.Arrays.sort") >= 0]
    check("profile: the JDK's sort frames above ProfileApp.sorted, its caller",
          len(sorts) > 20 and all(0 <= index(x, "java.util.Arrays.sort") <
                                  index(x, "ProfileApp.sorted") for x in sorts),
          f"{len(sorts)} {[[java_name(f) or f.get('sym') for f in x['frames'][:6]] for x in sorts[:2]]}")
    leafs = [x for x in stacks if index(x, "ProfileApp.leaf") >= 0]
    shaped = [x for x in leafs
              if [java_name(f) for f in x["frames"][index(x, "ProfileApp.leaf"):][:3]] ==
              ["ProfileApp.leaf", "ProfileApp.square", "ProfileApp.hotC"]]
    inl = [x for x in shaped if x["frames"][index(x, "ProfileApp.square")].get("inlined")]
    n_leaf = sum(x["count"] for x in leafs)
    n_shaped, n_inl = sum(x["count"] for x in shaped), sum(x["count"] for x in inl)
    # the rest: samples in leaf's prologue (its caller not known there), and
    # before C2 compiled hotC (square then a frame of the interpreter or C1)
    check("profile: a method C2 inlined (square, into hotC) named as a frame of its own, "
          "\"inlined\":true, between its callee and its caller",
          n_leaf > 50 and n_shaped >= 0.9 * n_leaf and n_inl >= 0.8 * n_leaf and
          all(not x["frames"][index(x, "ProfileApp.hotC")].get("inlined") for x in inl),
          f"{n_shaped} shaped, {n_inl} inlined of {n_leaf}: "
          f"{[x['frames'][:4] for x in leafs[:2]]}")
    # a frame below another was left at a call: its line is the call's; the
    # innermost frame's line is where the JVM keeps debug information at or
    # after the pc (a leaf method's loop may have none: then no line, as
    # HotSpot itself says), never outside its method
    ranges = def_ranges(APP_JAVA, {n: f"static long {n}(" for n in
                                   ("hotA", "hotB", "leaf", "square", "hotC")})
    seen = [(java_name(f), f["line"], i) for x in stacks for i, f in enumerate(x["frames"])
            if (java_name(f) or "").startswith("ProfileApp.") and
            java_name(f).split(".")[1] in ranges]
    bad = [(n, l) for n, l, i in seen if not (l is None and i == 0) and
           not ranges[n.split(".")[1]][0] <= (l or 0) <= ranges[n.split(".")[1]][1]]
    check("profile: each compiled and inlined Java frame's line lies inside its method "
          "(ProfileApp.java)", len(seen) > 10 and not bad, f"{bad[:5]} {ranges} {len(seen)}")
    # (main, OSR-compiled, has no line where it called a runtime leaf: no
    # debug information there)
    mains = [(f, x["count"]) for x in stacks for f in x["frames"]
             if java_name(f) == "ProfileApp.main"]
    lined = sum(c for f, c in mains if f["line"])
    stubs = [f for x in stacks for f in x["frames"] if f["lang"] == "native" and
             (f.get("sym") or "").startswith("StubRoutines")]
    check("profile: the interpreted main with its file and line, the call stub as a native "
          "frame of libjvm.so under it", mains and
          all(f["file"] == "ProfileApp.java" for f, _ in mains) and
          lined >= 0.9 * sum(c for _, c in mains) and
          stubs and all((f.get("obj") or "").endswith("/libjvm.so") for f in stubs),
          f"{[f for f, _ in mains if not f['line']][:2]} {lined} {stubs[:1]}")
    # a JVM running before usdtrace started: -p
    p = subprocess.Popen(JAVA.split() + [os.path.join(tmp, "java2.json"), "6"])
    try:
        import time
        time.sleep(2)
        r = usdtrace("profile", "--json", "-d", "2", "-p", str(p.pid), timeout=60)
    finally:
        p.wait(timeout=60)
    recs = records(r.stdout)
    got, total = shares(recs, p.pid, names, java_name)
    check("profile -p: a JVM already running (JIT-compiled code only) names its frames",
          r.returncode == 0 and total > 100 and got["ProfileApp.hotA"] > 0.05 and
          got["java.util.Arrays.sort"] > 0.05, f"{got} {total} {r.stderr[-300:]}")


def test_files(folded, svg, pprof, ss):
    lines = open(folded).read().splitlines() if os.path.exists(folded) else []
    check("profile --folded: comm;root;...;leaf count lines, Python frames named with "
          "their file and line",
          lines and all(l.rsplit(" ", 1)[1].isdigit() for l in lines) and
          any(";hot_a (profile_app.py:" in l for l in lines), f"{lines[:2]}")
    frames = svg_frames(svg) if os.path.exists(svg) else []
    total = frames[0][1] if frames else 0
    prop = total and all(abs(w / 1180.0 - v / total) < 1e-3 for _, v, _, _, w, _ in frames)
    check("profile --flamegraph: an SVG with the Python frames, each as wide as its share",
          prop and total == sum(int(l.rsplit(" ", 1)[1]) for l in lines) and
          any(n.startswith("pack (profile_app.py:") for n, *_ in frames),
          f"{total} {[f[0] for f in frames[:8]]}")
    go = shutil.which("go")
    top = run([go, "tool", "pprof", "-top", pprof], timeout=120) if go else None
    check("profile --pprof: go tool pprof reads it (samples and CPU time by function)",
          top is not None and top.returncode == 0 and "Type: cpu" in top.stdout and
          "hot_a (profile_app.py)" in top.stdout and "pack (profile_app.py)" in top.stdout,
          top.stderr[-300:] + top.stdout[:600] if top else "no go")
    doc = json.load(open(ss)) if os.path.exists(ss) else {}
    frames = doc.get("shared", {}).get("frames", [])
    profs = doc.get("profiles", [])
    valid = (doc.get("$schema") == "https://www.speedscope.app/file-format-schema.json" and
             frames and all(isinstance(f.get("name"), str) for f in frames) and profs and
             all(p["type"] == "sampled" and p["unit"] == "none" and
                 len(p["samples"]) == len(p["weights"]) and
                 p["endValue"] == sum(p["weights"]) and
                 all(0 <= i < len(frames) for s in p["samples"] for i in s)
                 for p in profs))
    check("profile --speedscope: valid sampled profiles, a profile per thread", valid and
          len(profs) >= 2, f"{list(doc)} {len(frames)} {len(profs)}")


def test_top(tmp):
    r, truth = python_run(tmp, "-n", "5")
    lines = r.stdout.splitlines()
    check("profile text: the top functions by self and total share",
          r.returncode == 0 and lines and lines[0].split() == ["SELF%", "TOTAL%", "FRAME"]
          and 1 < len(lines) <= 6 and all(l.split()[0].endswith("%") for l in lines[1:]),
          f"{lines} {r.stderr[-300:]}")
    check("profile text: sampling and summary said on stderr",
          "usdtrace: sampling " in r.stderr and " samples, " in r.stderr, r.stderr[-300:])


def test_deep_and_system_wide():
    deep = os.path.join(ROOT, "tests", "workloads", "recurse.py")
    r = usdtrace("profile", "-F", HZ, "--json", "-c", f"{PYTHON} {deep} 100", timeout=60)
    recs = records(r.stdout)
    stacks = [x for x in recs if x["type"] == "stack"]
    summ = recs[-1] if recs else {}
    inner = [x for x in stacks if sum(py_name(f) == "rec" for f in x["frames"]) == 64]
    check("profile: a chain deeper than the sampler reads (100 calls) keeps its 64 "
          "innermost frames, counted as cut, never a hang or a wrong name",
          r.returncode == 0 and summ.get("cut", 0) > 0 and inner and
          not any(py_name(f) not in (None, "rec") for x in stacks for f in x["frames"]
                  if x["pid"] == stacks[0]["pid"] and x in inner),
          f"{summ} {len(inner)} {r.stderr[-300:]}")
    truth_path = os.path.join(tempfile.mkdtemp(prefix="usdtrace-sw-"), "t.json")
    p = subprocess.Popen([PYTHON, APP, truth_path, "4"])
    try:
        r = usdtrace("profile", "-F", HZ, "--json", "-d", "2", timeout=60)
    finally:
        p.wait()
    recs = records(r.stdout)
    mine = [x for x in recs if x["type"] == "stack" and x["pid"] == p.pid]
    others = {x["pid"] for x in recs if x["type"] == "stack"} - {p.pid}
    check("profile without -p or -c: every process sampled, a Python one found by the "
          "objects it maps and its frames named",
          r.returncode == 0 and any(py_name(f) == "hot_a" for x in mine for f in x["frames"]),
          f"{len(mine)} stacks of {p.pid}, others {sorted(others)[:5]} {r.stderr[-300:]}")


def test_untrusted_runtimes(tmp):
    """A program that looks like CPython (tests/fixtures/fakepy.c): a version
    without a layout, a frame chain that loops, frames in unmapped memory."""
    fake = os.path.join(tmp, "python3.12")
    r = run(["gcc", "-O2", "-g", "-rdynamic", "-o", fake,
             os.path.join(ROOT, "tests", "fixtures", "fakepy.c"), "-lpthread"])
    if not check("profile: the fake runtime builds", r.returncode == 0, r.stderr):
        return
    r = usdtrace("profile", "-F", HZ, "--json", "-c", f"{fake} version 1", timeout=60)
    recs = records(r.stdout)
    summ = recs[-1] if recs else {}
    warn = [l for l in r.stderr.splitlines() if "no frame layout" in l]
    check("profile: a runtime version without a frame layout is said once, in one line, "
          "and profiled natively",
          r.returncode == 0 and len(warn) == 1 and "python 3.12" in warn[0] and
          summ.get("native_only", 0) > 0 and
          any(native_name(f) == "spin" for x in recs if x["type"] == "stack"
              for f in x["frames"]), f"{warn} {summ}")
    for mode, want in (("loop", "a frame chain that loops"),
                       ("garbage", "frames pointing at unmapped memory")):
        r = usdtrace("profile", "-F", HZ, "--json", "-c", f"{fake} {mode} 1", timeout=60)
        recs = records(r.stdout)
        summ = recs[-1] if recs else {}
        named = [f for x in recs if x["type"] == "stack" for f in x["frames"]
                 if f["lang"] == "python"]
        check(f"profile: {want}: bounded, every such sample counted lost, no frame named",
              r.returncode == 0 and summ.get("type") == "summary" and
              summ.get("lost_frames", 0) > 100 and not named, f"{summ} {r.stderr[-300:]}")


def test_off_cpu(tmp):
    """--off-cpu: each stack as its thread blocks, weighed by the time it
    stayed off; a thread that waits three times as long in one function
    (a sleep) as in another (a lock) shows that split, within 5 points of
    the split it measured itself."""
    truth_path = os.path.join(tmp, "offcpu.json")
    app = os.path.join(ROOT, "tests", "workloads", "offcpu_app.py")
    r = usdtrace("profile", "--off-cpu", "--json", "-c", f"{PYTHON} {app} {truth_path} 3",
                 timeout=60)
    recs = records(r.stdout)
    truth = json.load(open(truth_path)) if os.path.exists(truth_path) else {}
    stacks = [x for x in recs if x["type"] == "stack"]
    ns = {n: sum(x["ns"] for x in stacks if any(py_name(f) == n for f in x["frames"]))
          for n in ("long_wait", "short_wait")}
    both = sum(ns.values()) or 1
    want = {n: truth.get(n, 0) / max(sum(truth.values()), 1e-9) for n in ns}
    got = {n: ns[n] / both for n in ns}
    check("profile --off-cpu: time blocked split as the program measured it (a sleep 3x a "
          "lock wait), within 5 points", r.returncode == 0 and truth and
          close(got, want, ns) and all("ns" in x for x in stacks),
          f"got {got} want {want} {r.stderr[-300:]}")
    lock = [x for x in stacks if any(py_name(f) == "short_wait" for f in x["frames"])]
    check("profile --off-cpu: the lock wait's stack reaches the kernel's wait (futex)",
          lock and any(any("futex" in (f.get("sym") or "") for f in x["frames"])
                       for x in lock), f"{[x['frames'][:3] for x in lock[:1]]}")
    r = usdtrace("profile", "--off-cpu", "-c", f"{PYTHON} {app} {truth_path} 1", timeout=60)
    selfs = [float(l.split("%")[0]) for l in r.stdout.splitlines()[1:] if "%" in l]
    check("profile --off-cpu text: from sched_switch, self shares of the time blocked "
          "adding up to 100%", r.returncode == 0 and
          "taking each stack as its thread blocks" in r.stderr and
          abs(sum(selfs) - 100) < 0.5, r.stdout[:600] + r.stderr[-300:])


def test_wall(tmp):
    """--on-cpu --off-cpu: one profile of wall time, samples weighed by the CPU
    time their thread ran and blocks by the time away: a sleep, a lock wait
    and a busy loop split as the program measured their wall time."""
    truth_path = os.path.join(tmp, "wall.json")
    app = os.path.join(ROOT, "tests", "workloads", "offcpu_app.py")
    r = usdtrace("profile", "--on-cpu", "--off-cpu", "--json", "-c",
                 f"{PYTHON} {app} {truth_path} 3 busy", timeout=60)
    recs = records(r.stdout)
    truth = json.load(open(truth_path)) if os.path.exists(truth_path) else {}
    stacks = [x for x in recs if x["type"] == "stack"]
    names = ("long_wait", "short_wait", "busy")
    ns = {n: sum(x["ns"] for x in stacks if any(py_name(f) == n for f in x["frames"]))
          for n in names}
    off = {n: sum(x["off_cpu_ns"] for x in stacks if any(py_name(f) == n for f in x["frames"]))
           for n in names}
    got = {n: ns[n] / (sum(ns.values()) or 1) for n in names}
    want = {n: truth.get(n, 0) / max(sum(truth.values()), 1e-9) for n in names}
    check("profile --on-cpu --off-cpu: wall time split as the program measured it (a "
          "sleep, a lock wait, a busy loop), within 5 points", r.returncode == 0 and truth
          and close(got, want, names) and all("off_cpu_ns" in x for x in stacks),
          f"got {got} want {want} {r.stderr[-300:]}")
    check("profile --on-cpu --off-cpu: the busy loop's time is run, the waits' blocked",
          ns["busy"] and off["busy"] < 0.1 * ns["busy"] and
          off["long_wait"] > 0.9 * ns["long_wait"], f"ns {ns} off {off}")
    r = usdtrace("profile", "--on-cpu", "--off-cpu", "-F", "199", "-c", "true")
    check("profile --on-cpu --off-cpu takes -F (for its samples)", r.returncode == 0,
          r.stderr[-300:])


def test_mistakes():
    for f in ("0", "100000", "x"):
        r = usdtrace("profile", "-F", f, "-c", "true")
        check(f"profile -F {f}: refused in one line", r.returncode != 0 and
              r.stderr.count("\n") == 1 and r.stderr.startswith("usdtrace: -F "), r.stderr)
    r = run(["capsh", "--drop=cap_sys_admin,cap_bpf,cap_perfmon", "--", "-c",
             f"{os.path.join(ROOT, OUTPUT, 'usdtrace')} profile -c true"])
    check("profile without the capabilities for perf events and BPF: one line",
          r.returncode == 1 and r.stderr.count("\n") == 1 and
          r.stderr.startswith("usdtrace: profile: needs CAP_BPF"), r.stderr)
    r = usdtrace("profile", "--off-cpu", "-F", "199", "-c", "true")
    check("profile --off-cpu -F: refused, -F being for on-CPU samples", r.returncode != 0 and
          r.stderr == "usdtrace: profile: -F is for on-CPU samples; --off-cpu takes a stack "
          "at each block\n", r.stderr)
    r = usdtrace("profile", "-l", "postgresql", "-c", "true")
    check("profile -l postgresql: a language without frames to read, one line",
          r.returncode != 0 and
          r.stderr == "usdtrace: profile: -l postgresql: runtime frames are read for python, "
          "ruby, php and java only (so far)\n", r.stderr)
    p = subprocess.Popen([SPIN, "-s", "1"], stdout=subprocess.DEVNULL)
    r = usdtrace("profile", "--json", "-p", str(p.pid), "-d", "5", timeout=30)
    p.wait()
    recs = records(r.stdout)
    check("profile -p: a process that exits mid-profile ends the run with its samples",
          r.returncode == 0 and any(x["type"] == "stack" for x in recs) and
          recs[-1]["type"] == "summary", f"{r.returncode} {r.stderr[-300:]}")


def main():
    if os.geteuid() != 0:
        print("FAIL profile: must run as root")
        sys.exit(1)
    tmp = tempfile.mkdtemp(prefix="usdtrace-profile-")
    try:
        test_native(tmp)
        folded, svg, pprof, ss, _ = test_python(tmp)
        test_ruby(tmp)
        test_php(tmp)
        test_java(tmp)
        test_files(folded, svg, pprof, ss)
        test_top(tmp)
        test_deep_and_system_wide()
        test_untrusted_runtimes(tmp)
        test_off_cpu(tmp)
        test_wall(tmp)
        test_mistakes()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    summary_exit()


main()
