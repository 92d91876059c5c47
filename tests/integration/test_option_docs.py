"""test_option_docs.py - every option a command takes is documented where a
user looks: in `usdtrace COMMAND --help` (whose last lines the option table
writes: what a command takes that its text does not name), in the man page
and in docs/usage.md. The options come from the one table in cli/options.c; which
command takes which is asked of usdtrace itself (an option a command does
not take is refused by name), so help, man page and usage cannot drift
from the code."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, check, summary_exit, usdtrace

COMMANDS = ["list", "trace", "count", "latency", "hist", "calls", "flow", "stat", "profile",
            "dump"]


def option_table():
    """(long, short or None, takes a value) of every option."""
    src = open(os.path.join(ROOT, "cli", "options.c")).read()
    return [(m.group(1), m.group(2), m.group(3) == "true")
            for m in re.finditer(r'\[OPT_\w+\] = \{ "([a-z-]+)", (?:\'(\w)\'|0), (true|false)',
                                 src)]


def takes(cmd, name, short, has_arg):
    """Does @cmd take --@name? Asked with a bogus option after it: an option
    the command does not take is refused by name first."""
    args = [cmd, f"--{name}"] + (["x"] if has_arg else []) + ["--zz-bogus"]
    r = usdtrace(*args, timeout=20)
    refused = [f"--{name}: no such option", f"--{name} is for "]
    if short:
        refused.append(f"-{short} is for ")
    return not any(x in r.stderr for x in refused)


def main():
    table = option_table()
    check("the option table parses", len(table) >= 30, f"{len(table)}")
    man = open(os.path.join(ROOT, "docs", "usdtrace.1")).read().replace("\\-", "-")
    usage = open(os.path.join(ROOT, "docs", "usage.md")).read()
    missing_help, missing_man, missing_usage = [], [], []
    for cmd in COMMANDS:
        help_text = usdtrace(cmd, "--help").stdout
        for name, short, has_arg in table:
            if name == "help" or not takes(cmd, name, short, has_arg):
                continue
            shown = short and re.search(rf"(^|[\s\[(])-{short}[ ,/]", help_text, re.M)
            if f"--{name}" not in help_text and not shown:
                missing_help.append(f"{cmd} --{name}")
            if f"--{name}" not in man:
                missing_man.append(f"--{name}")
            if f"--{name}" not in usage:
                missing_usage.append(f"--{name}")
    check("every option a command takes is in its --help", not missing_help,
          ", ".join(missing_help))
    check("every option is in the man page", not missing_man,
          ", ".join(sorted(set(missing_man))))
    check("every option is in docs/usage.md", not missing_usage,
          ", ".join(sorted(set(missing_usage))))


main()
summary_exit()
