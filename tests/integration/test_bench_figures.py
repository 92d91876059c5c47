"""test_bench_figures.py - a performance figure in the prose (README.md,
docs/*.md) is one `make bench` wrote to docs/benchmarks.md, not one from
memory: every measured number inside a <!-- bench --> ... <!-- /bench -->
region must appear in docs/benchmarks.md, and a ratio such as 1.5x may
stand only inside such a region."""
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, check, summary_exit

REGION = re.compile(r"<!-- bench -->(.*?)<!-- /bench -->", re.S)
# a number with the unit of a measurement (x: a ratio), or a bare decimal
FIGURE = re.compile(r"(?<![\w.])(\d[\d,]*\.\d+|\d[\d,]*)\s?(x|ms|us|ns|s|MiB|KiB|%)?(?![\w])")
RATIO = re.compile(r"(?<![\w.`-])\d+(\.\d+)?[x×](?![\w])")


def figures(region):
    """The measured numbers of @region: decimals, and integers with a unit."""
    out = []
    for m in FIGURE.finditer(re.sub(r"`[^`]*`", "", region)):
        number, unit = m.group(1), m.group(2)
        if "." in number or unit in ("x", "ms", "us", "ns", "MiB", "KiB", "%"):
            out.append(number)
    return out


def main():
    bench = open(os.path.join(ROOT, "docs", "benchmarks.md")).read()
    known = set(re.findall(r"\d[\d,]*(?:\.\d+)?", bench))
    docs = [os.path.join(ROOT, "README.md")] + sorted(
        p for p in glob.glob(os.path.join(ROOT, "docs", "*.md"))
        if not p.endswith("benchmarks.md"))
    regions, unknown, loose = 0, [], []
    for path in docs:
        text = open(path).read()
        name = os.path.relpath(path, ROOT)
        for region in REGION.findall(text):
            regions += 1
            unknown += [f"{name}: {n}" for n in figures(region) if n not in known]
        outside = REGION.sub("", text)
        outside = re.sub(r"```.*?```", "", outside, flags=re.S)     # commands' output
        loose += [f"{name}: {m.group(0)}" for m in RATIO.finditer(outside)]
    check(f"every figure in the docs' bench regions ({regions}) is one of "
          "docs/benchmarks.md", regions >= 5 and not unknown, "; ".join(unknown[:10]))
    check("no ratio outside a bench region (a figure from memory)", not loose,
          "; ".join(loose[:10]))


main()
summary_exit()
