"""test_header.py - <usdtrace/sdt.h>: probes on a 5-byte nop that readelf,
bpftrace and usdtrace all list and trace, with exact values, in C (with a
semaphore) and in C++ (a class method and a template)."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, check, readelf_sites, run, summary_exit, usdtrace

FAST = os.path.join(ROOT, OUTPUT, "samples", "fast")
ACCOUNT = os.path.join(ROOT, OUTPUT, "samples", "account")


def events(r):
    return [json.loads(l) for l in r.stdout.splitlines()
            if l.startswith("{") and json.loads(l)["type"] == "event"]


def test_listing():
    for path in (FAST, ACCOUNT):
        name = os.path.basename(path)
        recs = [json.loads(l) for l in usdtrace("list", "--json", path).stdout.splitlines()]
        ref = readelf_sites(path)
        key = lambda s: (s["provider"], s["name"], s["location"], s["base"], s["semaphore"],
                         s["args"])
        check(f"header {name}: usdtrace list == readelf -n",
              recs and [key(s) for s in recs] == [key(s) for s in ref], f"{recs} {ref}")
        data = open(path, "rb").read()
        check(f"header {name}: every site is a 5-byte nop",
              all(data[s["offset"]:s["offset"] + 5] == b"\x0f\x1f\x44\x00\x00" for s in recs),
              "not 0f 1f 44 00 00")
        bt = run(["bpftrace", "-l", f"usdt:{path}:*"]).stdout
        check(f"header {name}: bpftrace lists the probes",
              all(f"{s['provider']}:{s['name']}" in bt for s in recs), bt)
    fast = [json.loads(l) for l in usdtrace("list", "--json", FAST, "fast:request").stdout.splitlines()]
    check("header: USDTRACE_SEMAPHORE gives the probe a semaphore, others have none",
          fast and fast[0]["semaphore_offset"] > 0 and
          json.loads(usdtrace("list", "--json", FAST, "fast:tick").stdout)["semaphore"] == 0,
          f"{fast}")


def test_tracing():
    n = 50
    r = usdtrace("trace", "--json", "-c", f"{FAST} -n {n}", "fast:tick", "fast:request(d,s)")
    ev = [(x["probe"], x["args"]) for x in events(r)]
    want = []
    for i in range(n):
        want += [("fast:tick", [i, -i]), ("fast:request", [i, f"/fast/{i}"])]
    check("header C: usdtrace traces every hit exactly, the guarded probe included",
          ev == want, f"{ev[:3]} {r.stderr[-200:]}")
    r = run(["bpftrace", "-e", f'usdt:{FAST}:fast:tick {{ printf("%d %d\\n", arg0, arg1); }}',
             "-c", f"{FAST} -n 5"])
    lines = [l for l in r.stdout.splitlines() if l and l[0] in "-0123456789"]
    check("header C: bpftrace traces it too, values exact",
          lines == [f"{i} {-i}" for i in range(5)], r.stdout[-300:])
    r = usdtrace("trace", "--json", "-c", f"{ACCOUNT} -n 4", "account:*")
    ev = [(x["probe"], x["args"]) for x in events(r)]
    want, bal = [], 0
    for i in range(4):
        bal += i
        want += [("account:deposit", [i, bal]), ("account:twice", [i, 4]),
                 ("account:twice", [i, 1])]
    check("header C++: class method and two template instantiations, exact",
          ev == want, f"{ev[:4]} {r.stderr[-200:]}")


if os.getuid() != 0:
    check("header tests", False, "need root")
else:
    test_listing()
    test_tracing()
summary_exit()
