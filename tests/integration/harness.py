"""harness.py - what every integration test shares: PASS/FAIL lines that
tests/run.sh counts, running usdtrace, and reading `readelf -n` as the
reference for probe sites."""
import os
import re
import subprocess
import sys

OUTPUT = os.environ.get("OUTPUT", "build")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
USDTRACE = os.path.join(ROOT, OUTPUT, "usdtrace")
FIXTURES = os.path.join(ROOT, OUTPUT, "fixtures")

failed = 0


def check(name, cond, why=""):
    global failed
    if cond:
        print(f"PASS {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {why}")
    sys.stdout.flush()
    return cond


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, errors="replace", **kw)


def usdtrace(*args, **kw):
    return run([USDTRACE, *args], **kw)


def build_c(d, name, source, *flags):
    """@source (C) compiled by gcc into @d/@name with @flags: its path, or
    None with the compiler's complaint printed as a FAIL."""
    src, exe = os.path.join(d, name + ".c"), os.path.join(d, name)
    with open(src, "w") as f:
        f.write(source)
    r = run(["gcc", *flags, "-o", exe, src])
    if r.returncode:
        check(f"the fixture {name}.c builds", False, r.stderr[-300:])
        return None
    return exe


def readelf_sites(path):
    """The stapsdt notes as readelf prints them, in file order."""
    out = run(["readelf", "-n", "--wide", path]).stdout
    sites, cur = [], None
    for line in out.splitlines():
        line = line.strip()
        if "Provider:" in line:	# with --wide it follows the note header
            cur = {"provider": line.split("Provider:", 1)[1].strip()}
        elif cur is not None and line.startswith("Name:"):
            cur["name"] = line.split(":", 1)[1].strip()
        elif cur is not None and line.startswith("Location:"):
            m = re.match(r"Location: (0x[0-9a-f]+), Base: (0x[0-9a-f]+), "
                         r"Semaphore: (0x[0-9a-f]+)", line)
            cur["location"], cur["base"], cur["semaphore"] = (int(x, 16) for x in m.groups())
        elif cur is not None and line.startswith("Arguments:"):
            cur["args"] = line.split(":", 1)[1].strip()
            sites.append(cur)
            cur = None
    if cur is not None:
        cur.setdefault("args", "")
        sites.append(cur)
    return sites


def readelf_sections(path):
    """name -> (addr, offset, size) from readelf -S."""
    secs = {}
    for line in run(["readelf", "-SW", path]).stdout.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)",
                     line)
        if m:
            secs[m.group(1)] = tuple(int(x, 16) for x in m.groups()[1:])
    return secs


def svg_frames(path):
    """(name, value, depth, x, width) of every frame box of a flame graph."""
    import xml.etree.ElementTree as ET
    ns = "{http://www.w3.org/2000/svg}"
    out = []
    for g in ET.parse(path).getroot().iter(ns + "g"):
        r = g.find(ns + "rect")
        out.append((g.get("data-name"), int(g.get("data-value")), int(g.get("data-depth")),
                    float(r.get("x")), float(r.get("width")), g.find(ns + "title").text))
    return out


def summary_exit():
    sys.exit(1 if failed else 0)


def sample_semaphore(pid, binary, probe):
    """The value of @probe's semaphore in process @pid, read from its memory
    at the address where @binary's semaphore offset is mapped."""
    import json
    recs = [json.loads(l) for l in usdtrace("list", "--json", binary, probe).stdout.splitlines()]
    off = recs[0]["semaphore_offset"]
    for line in open(f"/proc/{pid}/maps"):
        parts = line.split()
        if len(parts) >= 6 and os.path.realpath(parts[5]) == os.path.realpath(binary):
            start, end = (int(x, 16) for x in parts[0].split("-"))
            moff = int(parts[2], 16)
            if moff <= off < moff + (end - start):
                with open(f"/proc/{pid}/mem", "rb") as f:
                    f.seek(start + off - moff)
                    return int.from_bytes(f.read(2), "little")
    return None
