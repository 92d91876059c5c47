"""test_fuzz.py - `make fuzz` fails when a fuzzer finds something, names
the input and keeps it: a target with a bug planted on purpose
(tests/fuzz/fuzz_planted.c) is fuzzed from a seed that hits it, in a
build directory of its own."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, check, summary_exit


def main():
    if not shutil.which("clang"):
        check("make fuzz", False, "no clang (scripts/setup.sh installs it)")
        return
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "corpus", "fuzz_planted"))
        with open(os.path.join(d, "corpus", "fuzz_planted", "seed"), "w") as f:
            f.write("plant")
        r = subprocess.run(["make", "--no-print-directory", f"OUTPUT={d}/out",
                            "FUZZERS=fuzz_planted", "FUZZ_SECONDS=20",
                            f"FUZZ_CORPUS={d}/corpus", "fuzz"], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
        line = [x for x in r.stdout.splitlines() if "found a failure" in x]
        kept = line[0].split("input ", 1)[1].split(",", 1)[0].strip() if line else ""
        check("make fuzz: a finding fails the run, naming the input it kept",
              r.returncode != 0 and len(line) == 1 and kept.startswith(f"{d}/out/fuzz/") and
              os.path.exists(kept) and open(kept).read() == "plant",
              f"rc {r.returncode}: {r.stdout[-600:]} {r.stderr[-300:]}")


main()
summary_exit()
