"""test_values.py - no value shown that was not read: strings in pages the
process never touched come back exact (the sleepable read takes their page
faults), strings cut at --strlen are marked, arguments that cannot be read
are null / <fault> and counted in the summary's faults."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import FIXTURES, OUTPUT, ROOT, check, run, summary_exit, usdtrace

SAMPLE = os.path.join(ROOT, OUTPUT, "samples", "sample")
COLD_A = "first string, in a page never touched"
COLD_B = "second string, in another such page"


def records(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def build_cold():
    os.makedirs(FIXTURES, exist_ok=True)
    out = os.path.join(FIXTURES, "cold")
    r = run(["gcc", "-O2", "-o", out, os.path.join(ROOT, "tests", "fixtures", "cold.c")])
    check("values: cold fixture builds", r.returncode == 0, r.stderr)
    return out


def test_cold_strings(cold):
    r = usdtrace("trace", "--json", "-c", f"{cold} 3", "cold:strs(s,s,d)")
    ev = [x for x in records(r.stdout) if x["type"] == "event"]
    check("values: strings in never-touched pages read exactly, from the first hit",
          r.returncode == 0 and [e["args"] for e in ev] ==
          [[COLD_A, COLD_B, i] for i in range(3)], f"{[e['args'] for e in ev]} {r.stderr}")
    check("values: exact strings carry no fault and no cut mark",
          records(r.stdout)[-1].get("faults") == 0 and
          not any("truncated" in e for e in ev), r.stdout[-300:])


def test_no_fault_in(cold):
    r = usdtrace("trace", "--json", "--no-fault-in", "-c", f"{cold} 2", "cold:strs(s,s,d)")
    recs = records(r.stdout)
    ev = [x for x in recs if x["type"] == "event"]
    check("values: --no-fault-in gives null for strings in untouched pages, never \"\"",
          [e["args"] for e in ev] == [[None, None, 0], [None, None, 1]] and
          recs[-1].get("faults") == 4, f"{ev} {recs[-1:]}")


def test_truncated(cold):
    r = usdtrace("trace", "--json", "--strlen", "8", "-c", f"{cold} 2", "cold:strs(s,s,d)")
    ev = [x for x in records(r.stdout) if x["type"] == "event"]
    check("values: --strlen 8 cuts both strings and marks them",
          len(ev) == 2 and all(e["args"][:2] == [COLD_A[:7], COLD_B[:7]] and
                               e["truncated"] == [0, 1] for e in ev), f"{ev}")
    r = usdtrace("trace", "--strlen", "8", "-c", f"{cold} 1", "cold:strs(s,s,d)")
    line = [l for l in r.stdout.splitlines() if "cold:strs" in l]
    check("values: text ends a cut string with ... outside the quotes",
          len(line) == 1 and line[0].endswith(f'"{COLD_A[:7]}"... "{COLD_B[:7]}"... 0'),
          f"{line}")
    r = usdtrace("trace", "--json", "--strlen", "64", "-c", f"{SAMPLE} -n 3", "sample:str(s,d)")
    ev = [x for x in records(r.stdout) if x["type"] == "event"]
    check("values: strings that fit are not marked cut",
          len(ev) == 3 and not any("truncated" in e for e in ev), f"{ev}")


def test_faults():
    r = usdtrace("trace", "--json", "-c", f"{SAMPLE} -n 5", "sample:loop(s)")
    recs = records(r.stdout)
    ev = [x for x in recs if x["type"] == "event"]
    check("values: FMT s on a number is null on every hit",
          len(ev) == 5 and all(e["args"] == [None] for e in ev), f"{ev}")
    check("values: summary faults equal the hits",
          recs and recs[-1]["type"] == "summary" and recs[-1].get("faults") == 5 and
          recs[-1]["events"] == 5, f"{recs[-1:]}")
    r = usdtrace("trace", "-c", f"{SAMPLE} -n 2", "sample:loop(s)")
    lines = [l for l in r.stdout.splitlines() if "sample:loop" in l]
    check("values: text shows <fault>",
          len(lines) == 2 and all(l.endswith("sample:loop <fault>") for l in lines), f"{lines}")
    check("values: text summary counts the faults",
          "2 events, 0 dropped, 2 faults, 1 site attached" in r.stderr, r.stderr)


if os.getuid() != 0:
    check("values tests", False, "need root")
else:
    cold = build_cold()
    test_cold_strings(cold)
    test_no_fault_in(cold)
    test_truncated(cold)
    test_faults()
summary_exit()
