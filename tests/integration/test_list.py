"""test_list.py - `usdtrace list` against readelf, value for value, on the
runtimes Debian ships and on fixtures built now for every architecture; the
offsets a uprobe needs checked against the bytes of the file; bad input."""
import json
import re
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from harness import (FIXTURES, OUTPUT, ROOT, check, readelf_sections, readelf_sites,
                     run, summary_exit, usdtrace)
import mkelf

JVM = "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so"
RUNTIMES = [("/usr/bin/python3.11", 8), (JVM, 531), ("libruby-3.1.so.3.1", 40),
            ("/usr/bin/php8.2", 14), ("libstdc++.so.6", 3)]
NOPS = {"x86_64": [b"\x90"], "i386": [b"\x90"], "aarch64": [b"\x1f\x20\x03\xd5"],
        "riscv": [b"\x13\x00\x00\x00", b"\x01\x00"]}


def list_json(*args):
    r = usdtrace("list", "--json", *args)
    recs = []
    for line in r.stdout.splitlines():
        try:
            recs.append(json.loads(line))
        except ValueError:
            recs.append({"unparsable": line})
    return r, recs


def key(s):
    return (s["provider"], s["name"], s["location"], s["base"], s["semaphore"], s["args"])


def sem_file_offset(path, addr):
    for name, (sh_addr, off, size) in readelf_sections(path).items():
        if sh_addr and sh_addr <= addr < sh_addr + size:
            return off + addr - sh_addr
    return None


def check_against_readelf(label, path, arch="x86_64", expect=None, real=None):
    r, recs = list_json(path)
    ref = readelf_sites(real or path)
    ok = check(f"list {label}: exit 0, no stderr", r.returncode == 0 and not r.stderr,
               f"rc {r.returncode} {r.stderr.strip()}")
    if not ok:
        return []
    check(f"list {label}: same sites as readelf -n",
          [key(s) for s in recs] == [key(s) for s in ref],
          f"{len(recs)} vs {len(ref)} sites; first diff: " +
          str(next((a, b) for a, b in zip(map(key, recs), map(key, ref)) if a != b)
              if any(a != b for a, b in zip(map(key, recs), map(key, ref))) else ""))
    if expect is not None:
        check(f"list {label}: {expect} sites", len(recs) == expect, f"{len(recs)}")
    data = open(path if path.startswith("/") else recs[0]["path"], "rb").read() if recs else b""
    bad = [s for s in recs if not any(data[s["offset"]:s["offset"] + len(n)] == n
                                      for n in NOPS[arch])]
    check(f"list {label}: every offset points at a nop", not bad,
          f"{len(bad)} sites, first {bad[:1]}")
    secs = readelf_sections(recs[0]["path"]) if recs else {}
    delta = (secs[".stapsdt.base"][0] if ".stapsdt.base" in secs else 0)
    wrong = []
    for s in recs:
        if not s["semaphore"]:
            if s["semaphore_offset"]:
                wrong.append(s)
            continue
        addr = s["semaphore"] + (delta - s["base"] if delta and s["base"] else 0)
        if sem_file_offset(recs[0]["path"], addr) != s["semaphore_offset"]:
            wrong.append(s)
    check(f"list {label}: semaphore offsets match the section headers", not wrong,
          f"{wrong[:1]}")
    undecoded = [s for s in recs if s["arg_specs"] is None or
                 len(s["arg_specs"]) != len(s["args"].split()) and arch != "aarch64"]
    check(f"list {label}: every arg spec decoded", not undecoded, f"{undecoded[:1]}")
    return recs


def build_fixtures():
    """Compile the fixtures for every architecture; returns {label: (path, arch)}."""
    os.makedirs(FIXTURES, exist_ok=True)
    inc = os.path.join(FIXTURES, "include", "sys")
    os.makedirs(inc, exist_ok=True)
    for h in ("sdt.h", "sdt-config.h"):
        src = f"/usr/include/x86_64-linux-gnu/sys/{h}"
        if not os.path.exists(os.path.join(inc, h)):
            shutil.copy(src, inc)
    fx = os.path.join(ROOT, "tests", "fixtures")
    srcs = [os.path.join(fx, "shapes.c"), os.path.join(fx, "sem.c")]
    common = ["-O2", "-g", "-I", os.path.join(FIXTURES, "include")]
    free = ["-ffreestanding", "-nostdlib", "-static", "-DFREESTANDING"]
    builds = {
        "x86-64 PIE": (["gcc", "-fpie", "-pie"], "x86_64"),
        "x86-64 non-PIE": (["gcc", "-fno-pie", "-no-pie"], "x86_64"),
        "x86-64 shared": (["gcc", "-fPIC", "-shared", "-DSHAPES_LIB"], "x86_64"),
        "i386": (["gcc", "-m32", "-fno-pie", "-no-pie"] + free, "i386"),
        "aarch64": (["aarch64-linux-gnu-gcc"] + free, "aarch64"),
        "riscv64": (["riscv64-linux-gnu-gcc"] + free, "riscv"),
    }
    out = {}
    for label, (cmd, arch) in builds.items():
        path = os.path.join(FIXTURES, "shapes-" + label.replace(" ", "-"))
        r = run(cmd + common + ["-o", path] + srcs)
        if check(f"fixture {label} builds", r.returncode == 0, r.stderr[-400:]):
            out[label] = (path, arch)
    return out


def test_runtimes():
    for path, n in RUNTIMES:
        full = path
        if not path.startswith("/"):
            r = run(["sh", "-c", f"ldconfig -p | awk '$1 == \"{path}\" && /x86-64/ "
                                 f"{{print $NF; exit}}'"])
            full = r.stdout.strip() or path
        recs = check_against_readelf(os.path.basename(path), path, expect=n, real=full)
        if recs and not path.startswith("/"):
            check(f"list {path}: library name resolved like ld.so",
                  recs[0]["path"] == full, f"{recs[0]['path']} vs {full}")


def test_fixtures():
    for label, (path, arch) in build_fixtures().items():
        recs = check_against_readelf(label, path, arch)
        names = [s["name"] for s in recs]
        check(f"list {label}: two sites of shapes:two", names.count("two") == 2,
              f"{names.count('two')}")
        twelve = [s for s in recs if s["name"] == "twelve"]
        check(f"list {label}: 12 arguments", twelve and len(twelve[0]["arg_specs"]) == 12,
              f"{twelve[:1]}")
        g = [s for s in recs if s["name"] == "global"]
        kinds = {a["kind"] for a in g[0]["arg_specs"]} if g else set()
        want = {"x86-64 PIE": "rip", "x86-64 non-PIE": "rip", "i386": "abs"}.get(label)
        if want:
            check(f"list {label}: globals decode as {want}", want in kinds, f"{kinds}")
        sem = [s for s in recs if s["provider"] == "semfx"]
        check(f"list {label}: semaphore found", sem and sem[0]["semaphore_offset"] > 0,
              f"{sem}")


def test_synthetic():
    """Big-endian and 32-bit files, and a prelinked-style base delta."""
    d = tempfile.mkdtemp(prefix="usdtrace-elf-")
    probes = [(0x10, None, "bp", "first", "-4@%eax"), (0x20, 0, "bp", "second", "8@%rbx"),
              (0x30, 1, "bp", "third", "")]
    cases = [("ELF64 big-endian", 64, ">", 0), ("ELF32 big-endian", 32, ">", 0),
             ("ELF32 little-endian", 32, "<", 0), ("ELF64 base delta 0x1000", 64, "<", 0x1000)]
    for label, cls, order, delta in cases:
        data, info = mkelf.build(cls, order, "x86_64", probes, base_delta=delta)
        path = os.path.join(d, label.replace(" ", "_"))
        open(path, "wb").write(data)
        r, recs = list_json(path)
        ref = readelf_sites(path)
        check(f"synthetic {label}: matches readelf",
              r.returncode == 0 and [key(s) for s in recs] == [key(s) for s in ref],
              f"rc {r.returncode} {r.stderr} {recs[:1]} {ref[:1]}")
        offs = [s["offset"] for s in recs]
        want = [info["text_off"] + p[0] for p in probes]
        check(f"synthetic {label}: offsets adjusted by .stapsdt.base", offs == want,
              f"{offs} vs {want}")
        sems = [s["semaphore_offset"] for s in recs]
        want = [0, info["probes_off"], info["probes_off"] + 2]
        check(f"synthetic {label}: semaphore offsets", sems == want, f"{sems} vs {want}")
    shutil.rmtree(d)


def expect_error(label, args, what, valgrind=False):
    r = usdtrace("list", *args)
    lines = r.stderr.splitlines()
    check(f"bad input {label}: one error line, exit 1",
          r.returncode == 1 and len(lines) == 1 and lines[0].startswith(f"usdtrace: {what}: "),
          f"rc {r.returncode} stderr {r.stderr!r}")


def test_bad_input():
    d = tempfile.mkdtemp(prefix="usdtrace-bad-")
    p = lambda n: os.path.join(d, n)
    open(p("text"), "w").write("not an elf file\n")
    open(p("empty"), "w").close()
    expect_error("not ELF", [p("text")], p("text"))
    expect_error("empty", [p("empty")], p("empty"))
    expect_error("directory", [d + "/"], d + "/")
    expect_error("missing file", [p("nope/x")], p("nope/x"))
    expect_error("unknown library", ["libnosuchlib.so.9"], "libnosuchlib.so.9")
    expect_error("no such PID", ["-p", "999999999"], "PID 999999999")
    expect_error("bad PID", ["-p", "12ab"], "-p 12ab")
    pid = subprocess.Popen(["true"]); pid.wait()
    expect_error("exited PID", ["-p", str(pid.pid)], f"PID {pid.pid}")
    expect_error("no FILE", [], "list")
    expect_error("pattern matching nothing", ["/usr/bin/python3.11", "nosuch*"], "nosuch*")
    if os.getuid() == 0:
        shutil.copy("/usr/bin/python3.11", p("secret"))
        os.chmod(p("secret"), 0)
        os.chmod(d, 0o755)
        r = run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                 os.path.realpath(os.path.join(ROOT, OUTPUT, "usdtrace")), "list", p("secret")])
        check("bad input unreadable: one error line, exit 1",
              r.returncode == 1 and r.stderr.strip() == f"usdtrace: {p('secret')}: Permission denied",
              f"rc {r.returncode} {r.stderr!r}")
    else:
        check("bad input unreadable", False, "needs root to run as another user")

    # bad notes in otherwise good files: one warning naming it, the rest listed
    good = (0x10, None, "ok", "good", "8@%rax")
    cases = {
        "garbage arg spec": dict(probes=[good, (0x20, None, "ok", "bad", "8@%bogus 4@")]),
        "strings without NUL": dict(probes=[good], extra=mkelf.note(
            64, "<", 0, 0, 0, "", "", "", raw_desc=struct.pack("<QQQ", 1, 2, 3) + b"abc")),
        "descsz past the section": dict(probes=[good], extra=mkelf.note(
            64, "<", 0x400000, 0, 0, "x", "y", "", descsz=4000)),
        "site outside segments": dict(probes=[good], extra=mkelf.note(
            64, "<", 0x10, 0, 0, "x", "far", "")),
    }
    for label, c in cases.items():
        data, info = mkelf.build(64, "<", "x86_64", c["probes"])
        if "extra" in c:
            notes = b"".join(mkelf.note(64, "<", 0x400000 + info["text_off"] + t, 0, 0,
                                        pv, nm, a) for t, _, pv, nm, a in c["probes"])
            data, info = mkelf.build(64, "<", "x86_64", c["probes"],
                                     notes_raw=notes + c["extra"])
        path = p(label.replace(" ", "_"))
        open(path, "wb").write(data)
        r, recs = list_json(path)
        names = [s.get("name") for s in recs]
        warn = r.stderr.splitlines()
        check(f"bad note {label}: one warning, good site listed",
              r.returncode == 0 and "good" in names and len(warn) == 1 and
              warn[0].startswith(f"usdtrace: warning: {path}: "),
              f"rc {r.returncode} names {names} stderr {r.stderr!r}")

    # truncated anywhere: a clean error or a clean listing, never a crash
    src = open(os.path.join(FIXTURES, "shapes-x86-64-PIE"), "rb").read()
    cuts = sorted(set(list(range(0, 200, 7)) + list(range(0, len(src), max(1, len(src) // 150)))))
    crashes, unclean = [], []
    for cut in cuts:
        open(p("trunc"), "wb").write(src[:cut])
        r = usdtrace("list", "--json", p("trunc"))
        if r.returncode < 0 or r.returncode > 1:
            crashes.append((cut, r.returncode))
        elif r.returncode == 1:
            if not (len(r.stderr.splitlines()) == 1 and
                    r.stderr.startswith(f"usdtrace: {p('trunc')}: ")):
                unclean.append((cut, r.stderr))
        elif any(not l.startswith("usdtrace: warning: ") and
                 l != f"usdtrace: {p('trunc')}: no USDT probes" for l in r.stderr.splitlines()):
            unclean.append((cut, r.stderr))
    check(f"bad input truncated at {len(cuts)} points: no crash", not crashes, f"{crashes[:3]}")
    check("bad input truncated: one clean error line or warnings", not unclean, f"{unclean[:2]}")

    # valgrind and AddressSanitizer exclude each other; `make asan` covers it
    if shutil.which("valgrind") and not os.environ.get("USDTRACE_ASAN"):
        bad = []
        files = [p(n) for n in os.listdir(d) if n != "secret"] + [os.path.join(
            FIXTURES, "shapes-x86-64-PIE"), "/usr/bin/python3.11"]
        for cut in (64, 700, len(src) - 100):
            open(p(f"trunc{cut}"), "wb").write(src[:cut])
            files.append(p(f"trunc{cut}"))
        for f in files:
            r = run(["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
                     "--errors-for-leak-kinds=definite", os.path.join(ROOT, OUTPUT, "usdtrace"),
                     "list", "-v", f])
            if r.returncode == 99:
                bad.append((f, r.stderr[-300:]))
        check(f"valgrind clean on {len(files)} good and bad files", not bad, f"{bad[:1]}")
    shutil.rmtree(d, ignore_errors=True)


def test_pid():
    sample = os.path.join(ROOT, OUTPUT, "samples", "sample")
    lib = os.path.join(ROOT, OUTPUT, "samples", "libsamplelib.so")
    proc = subprocess.Popen([sample, "-n", "4", "-s", "1000", "-l", lib])
    try:
        time.sleep(2.5)	# past n/2: the library is mapped now
        r, recs = list_json("-p", str(proc.pid))
        paths = {s["path"] for s in recs}
        check("list -p: sample and dlopen()ed library found",
              r.returncode == 0 and os.path.realpath(sample) in paths and
              os.path.realpath(lib) in paths, f"rc {r.returncode} {paths} {r.stderr}")
        own = [s for s in recs if s["path"] == os.path.realpath(sample)]
        _, ref = list_json(sample)
        check("list -p: each object parsed once (no duplicate sites)",
              sorted(map(key, own)) == sorted(map(key, ref)), f"{len(own)} vs {len(ref)}")
        r2, recs2 = list_json("-p", str(proc.pid), "sample:two*")
        check("list -p with pattern", r2.returncode == 0 and len(recs2) == 2 and
              all(s["name"] == "twosites" for s in recs2), f"{recs2}")
        r3, recs3 = list_json("-p", str(proc.pid), "acclib:*")
        check("list -p pattern on provider", len(recs3) == 1, f"{recs3}")
    finally:
        proc.kill()
        proc.wait()
    proc = subprocess.Popen(["sleep", "5"])
    try:
        time.sleep(0.2)
        r = usdtrace("list", "-p", str(proc.pid))
        check("list -p of a process without probes says so",
              r.returncode == 0 and not r.stdout and
              r.stderr.startswith(f"usdtrace: PID {proc.pid}: no USDT probes in the ") and
              r.stderr.endswith(" objects mapped\n"), r.stderr)
    finally:
        proc.kill()
        proc.wait()


def readelf_members(path):
    """readelf -n of an archive: (member, provider, name, location, args)."""
    out = run(["readelf", "-n", "--wide", path]).stdout
    sites, member, cur = [], None, None
    for line in out.splitlines():
        m = re.match(r"File: .*\((.*)\)$", line.strip())
        if m:
            member = m.group(1)
        elif "Provider:" in line:
            cur = [member, line.split("Provider:", 1)[1].strip()]
        elif cur and line.strip().startswith("Name:"):
            cur.append(line.split(":", 1)[1].strip())
        elif cur and line.strip().startswith("Location:"):
            cur.append(int(line.split("Location:", 1)[1].split(",")[0], 16))
        elif cur and line.strip().startswith("Arguments:"):
            cur.append(line.split(":", 1)[1].strip())
            sites.append(tuple(cur))
            cur = None
    return sorted(sites)


def test_archives(tmp):
    """list of an `ar` archive lists each member's probes (ARCHIVE(MEMBER) as
    the file) and of a relocatable object its sites with the relocations
    applied, both as readelf shows them; trace refuses both, saying why."""
    for lib in ("/usr/lib/gcc/x86_64-linux-gnu/12/libsupc++.a",
                "/usr/lib/gcc/x86_64-linux-gnu/12/libstdc++.a"):
        r, recs = list_json(lib)
        got = sorted((s["path"][len(lib) + 1:-1], s["provider"], s["name"], s["location"],
                      s["args"]) for s in recs if s.get("type") == "site")
        want = readelf_members(lib)
        check(f"list {os.path.basename(lib)}: each member's probes, as readelf (relocations "
              "applied)", r.returncode == 0 and got == want and len(want) >= 3 and
              all(s["path"].startswith(lib + "(") and s.get("relocatable") for s in recs
                  if s.get("type") == "site"), f"{got} vs {want} {r.stderr}")
    obj = os.path.join(tmp, "probe.o")
    src = os.path.join(tmp, "probe.c")
    with open(src, "w") as f:
        f.write("#include <sys/sdt.h>\nint g;\nvoid f(int a) { DTRACE_PROBE2(my, hit, a, g); }\n"
                "void h(void) { DTRACE_PROBE(my, other); }\n")
    c = run(["gcc", "-O1", "-c", "-o", obj, src])
    r, recs = list_json(obj)
    got = [(s["provider"], s["name"], s["location"], s["args"]) for s in recs
           if s.get("type") == "site"]
    want = [(s["provider"], s["name"], s["location"], s["args"]) for s in readelf_sites(obj)]
    check("list of a relocatable object: its sites at their section offsets, as readelf",
          c.returncode == 0 and r.returncode == 0 and got == want and len(got) == 2 and
          any(x[2] for x in got), f"{got} vs {want} {c.stderr}")
    cross_src = os.path.join(tmp, "cross.c")
    with open(cross_src, "w") as f:
        f.write("#include <usdtrace/sdt.h>\nint g;\n"
                "void f(int a) { USDTRACE_PROBE(my, hit, a, g); }\n"
                "void h(void) { USDTRACE_PROBE(my, other); }\n")
    for cc in ("aarch64-linux-gnu-gcc", "riscv64-linux-gnu-gcc"):
        o = os.path.join(tmp, cc + ".o")
        c = run([cc, "-O1", "-c", "-I", os.path.join(ROOT, "sdt", "include"), "-o", o,
                 cross_src])
        r, recs = list_json(o)
        got = [(s["name"], s["location"]) for s in recs if s.get("type") == "site"]
        want = [(s["name"], s["location"]) for s in readelf_sites(o)]
        check(f"list of a relocatable object from {cc.split('-')[0]}: relocations of that "
              "machine applied, as readelf", c.returncode == 0 and got == want and
              len(got) == 2 and all(x[1] for x in got), f"{got} vs {want} {c.stderr}")
    t = usdtrace("list", obj)
    check("list of a .o says what OFFSET is there", "OFFSET is the site's offset in its "
          "section" in t.stderr, t.stderr)
    for path, why in ((obj, "a relocatable object"),
                      ("/usr/lib/gcc/x86_64-linux-gnu/12/libsupc++.a", "a static archive")):
        r = usdtrace("trace", "-c", "true", f"{path}:my:hit")
        check(f"trace on {why}: refused, saying why", r.returncode == 1 and
              f"{path}: {why}: " in r.stderr and r.stderr.count("\n") == 1, r.stderr)


def test_probe_form():
    """list takes trace's FILE:PROVIDER:NAME, and a lone word that names no
    file is said to be that, not taken for a pattern without a FILE."""
    sample = os.path.join(ROOT, OUTPUT, "samples", "sample")
    r1, a = list_json(f"{sample}:sample:two*")
    r2, b = list_json(sample, "sample:two*")
    check("list FILE:PROVIDER:NAME lists what list FILE PROVIDER:NAME does",
          r1.returncode == 0 and len(a) == 2 and a == b, f"{a} {b} {r1.stderr}")
    r = usdtrace("list", "nosuchfile")
    check("list nosuchfile: no such file, not a missing FILE",
          r.returncode == 1 and r.stderr == "usdtrace: nosuchfile: no such file or library\n",
          r.stderr)


def test_chroot():
    """A process in another root is read through /proc/PID/root."""
    if os.getuid() != 0:
        check("list -p on a chrooted process", False, "needs root")
        return
    root = tempfile.mkdtemp(prefix="usdtrace-root-")
    sample = os.path.join(ROOT, OUTPUT, "samples", "sample")
    os.makedirs(os.path.join(root, "app"))
    shutil.copy(sample, os.path.join(root, "app", "sample"))
    for line in run(["ldd", sample]).stdout.splitlines():
        for tok in line.split():
            if tok.startswith("/"):
                dst = root + tok
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy(os.path.realpath(tok), dst)
    proc = subprocess.Popen(["chroot", root, "/app/sample", "-n", "3", "-s", "1000"])
    try:
        time.sleep(0.7)
        r, recs = list_json("-p", str(proc.pid), "sample:*")
        paths = {s["path"] for s in recs}
        # /proc/PID/maps names files as seen from our root
        want = os.path.realpath(root) + "/app/sample"
        _, ref = list_json(sample, "sample:*")
        check("list -p on a chrooted process: its objects found and read",
              r.returncode == 0 and paths == {want} and len(recs) == len(ref) > 0,
              f"rc {r.returncode} {paths} {len(recs)} {r.stderr}")
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(root, ignore_errors=True)


def test_text_output():
    r = usdtrace("list", "/usr/bin/python3.11")
    lines = r.stdout.splitlines()
    col = lines[0].index("FILE") if lines else -1
    check("list text: header and one aligned line per site",
          r.returncode == 0 and len(lines) == 9 and
          all(l[col:].startswith("/usr/bin/python3.11") for l in lines[1:]), r.stdout)
    r = usdtrace("list", "-v", os.path.join(ROOT, OUTPUT, "samples", "sample"), "sample:types")
    types = [l.split(":", 1)[1].split()[0] for l in r.stdout.splitlines()
             if l.startswith("    arg")]
    check("list -v: decoded arg types of sample:types",
          types == ["s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64"], r.stdout)
    r = usdtrace("list", "--help")
    check("list --help has examples", r.returncode == 0 and "Examples:" in r.stdout, r.stdout)


test_runtimes()
test_fixtures()
test_synthetic()
test_bad_input()
test_pid()
test_probe_form()
with tempfile.TemporaryDirectory() as _d:
    test_archives(_d)
test_chroot()
test_text_output()
summary_exit()
