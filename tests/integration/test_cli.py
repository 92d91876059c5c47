"""test_cli.py - the command line's one table and one option parser: every
command in --help and answering its own --help, an option given to the
wrong command named with the commands it is for, unknown options and
missing values and bad values said in one line."""
import os
import re

from harness import OUTPUT, ROOT, check, summary_exit, usdtrace

COMMANDS = ["list", "trace", "count", "latency", "hist", "calls", "flow", "stat", "profile",
            "dump"]
SAMPLE = os.path.join(ROOT, OUTPUT, "samples", "sample")


def one_line_error(r, pattern):
    lines = r.stderr.strip().splitlines()
    return r.returncode == 1 and len(lines) == 1 and re.fullmatch(pattern, lines[0])


def test_help():
    r = usdtrace("--help")
    listed = re.findall(r"^  (\w+) {2,}\S", r.stdout, re.M)
    check("cli: --help lists every command of the table, in order",
          r.returncode == 0 and listed == COMMANDS, f"{listed}")
    for c in COMMANDS:
        r = usdtrace(c, "--help")
        check(f"cli: {c} --help prints its usage and exits 0",
              r.returncode == 0 and r.stdout.startswith(f"usage: usdtrace {c}"), r.stderr)


def test_refusals():
    r = usdtrace("trace", "-i", "1", "sample:loop")
    check("cli: trace -i names the option and who takes it",
          one_line_error(r, r"usdtrace: trace: -i is for count, latency, hist, calls and stat "
                            r"\(see usdtrace trace --help\)"), r.stderr)
    r = usdtrace("list", "--follow", SAMPLE)
    check("cli: list -f refused with the commands it is for",
          one_line_error(r, r"usdtrace: list: -f is for trace, count, latency, hist, calls, "
                            r"flow and stat \(see usdtrace list --help\)"), r.stderr)
    r = usdtrace("count", "--bogus", "sample:loop")
    check("cli: an unknown long option in one line",
          one_line_error(r, r"usdtrace: count: --bogus: no such option \(see usdtrace "
                            r"count --help\)"), r.stderr)
    r = usdtrace("latency", "-Z", "a:b", "c:d")
    check("cli: an unknown short option in one line",
          one_line_error(r, r"usdtrace: latency: -Z: no such option \(see usdtrace "
                            r"latency --help\)"), r.stderr)
    r = usdtrace("trace", "sample:loop", "-p")
    check("cli: an option without its value in one line",
          one_line_error(r, r"usdtrace: trace: -p: needs a value \(see usdtrace trace "
                            r"--help\)"), r.stderr)
    r = usdtrace("count", "--by", "tid,foo", "sample:loop")
    check("cli: a bad value names the option and what it takes",
          one_line_error(r, r"usdtrace: --by tid,foo: must be probe, site, pid, tid, comm or "
                            r"argN, comma-separated, or stack"), r.stderr)
    for args, what in (
            (["count", "--serve", "127.0.0.1:99999", "sample:loop"],
             r"usdtrace: --serve 127.0.0.1:99999: must be HOST:PORT with PORT 1..65535"),
            (["trace", "-c", "true", "-c", "false", "sample:loop"],
             r"usdtrace: -c given twice: one command per run \('true', 'false'\)"),
            (["count", "--by", "arg0,pid,arg0", "sample:loop"],
             r"usdtrace: --by arg0,pid,arg0: arg0 twice")):
        r = usdtrace(*args)
        check(f"cli: refused, not accepted silently: {' '.join(args[1:3])}",
              one_line_error(r, what), r.stderr)
    for args in (["count", "-d", "300ms"], ["count", "-d", "0.3"], ["trace", "--ring-size", "8k"]):
        r = usdtrace(*args, "-c", f"{SAMPLE} -n 2", "sample:loop")
        check(f"cli: {' '.join(args[1:])} taken (units for every duration and size)",
              r.returncode == 0 and "2 events" in r.stderr, r.stderr)
    r = usdtrace("help", "trace")
    check("cli: usdtrace help trace prints trace's help",
          r.returncode == 0 and r.stdout.startswith("usage: usdtrace trace "), r.stdout[:80])
    r = usdtrace("--json", "trace", "sample:loop")
    check("cli: an option before the command says options follow the command",
          r.returncode == 2 and r.stderr == "usdtrace: --json: options follow the command: "
          "usdtrace COMMAND --json ... (see usdtrace --help)\n", r.stderr)
    r = usdtrace("trace", "-c", "", "sample:loop")
    check("cli: -c '' is an empty command", one_line_error(r, r"usdtrace: -c '': an empty "
                                                              r"command"), r.stderr)
    r = usdtrace("frobnicate")
    check("cli: an unknown command exits 2 in one line",
          r.returncode == 2 and r.stderr.strip() ==
          "usdtrace: frobnicate: unknown command (see usdtrace --help)", r.stderr)


def test_values():
    r = usdtrace("trace", "--strlen", "1", "sample:loop")
    check("cli: --strlen out of range says the range",
          one_line_error(r, r"usdtrace: --strlen 1: must be 2\.\.1024"), r.stderr)
    r = usdtrace("calls", "-l", "cobol", "-c", "true")
    check("cli: -l names the languages there are",
          one_line_error(r, r"usdtrace: -l cobol: unknown language \(one of python, java, "
                            r"ruby, php, postgresql, libvirt\)"), r.stderr)


if os.getuid() != 0:
    check("cli tests", False, "need root")
else:
    test_help()
    test_refusals()
    test_values()
summary_exit()
