"""test_completion.py - the bash completion (contrib/usdtrace.bash) run in a
real bash: commands, a command's options as its --help names them, -l
values, and probe names from the FILE or -p PID on the line."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, check, summary_exit

SCRIPT = os.path.join(ROOT, "contrib", "usdtrace.bash")
SAMPLE = os.path.join(ROOT, OUTPUT, "samples", "sample")


def complete(*words):
    """COMPREPLY for the line `usdtrace WORDS...` (the last word being typed)."""
    line = " ".join(f"'{w}'" for w in ("usdtrace",) + words)
    prog = (f"source {SCRIPT}; COMP_WORDS=({line}); COMP_CWORD={len(words)}; _usdtrace; "
            "printf '%s\\n' \"${COMPREPLY[@]}\"")
    env = dict(os.environ, PATH=os.path.join(ROOT, OUTPUT) + ":" + os.environ["PATH"])
    r = subprocess.run(["bash", "-c", prog], capture_output=True, text=True, env=env,
                       timeout=30)
    return sorted(x for x in r.stdout.splitlines() if x)


def main():
    check("completion: commands", complete("tr") == ["trace"], f"{complete('tr')}")
    got = complete("count", "--co")
    check("completion: a command's options, from its --help", got == ["--comm", "--command"],
          f"{got}")
    got = complete("calls", "--no")
    check("completion: calls' options include its own", "--no-plan" in got and
          "--no-fault-in" in got, f"{got}")
    got = complete("calls", "-l", "p")
    check("completion: -l values", got == ["php", "postgresql", "python"], f"{got}")
    got = complete("list", "/usr/bin/python3.11", "python:gc")
    check("completion: probe names of the FILE on the line",
          got == ["python:gc__done", "python:gc__start"], f"{got}")
    proc = subprocess.Popen([SAMPLE, "-n", "100", "-s", "100"])
    try:
        time.sleep(0.3)
        got = complete("trace", "-p", str(proc.pid), "sample:tw")
    finally:
        proc.kill()
        proc.wait()
    check("completion: probe names of the -p process", got == ["sample:twelve",
                                                               "sample:twosites"], f"{got}")


main()
summary_exit()
