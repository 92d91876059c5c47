"""offcpu_app.py - a thread that waits three times as long in one function
as in another: long_wait sleeps, short_wait waits on a lock (an Event that
is never set, with a timeout); with argv[3] "busy", it also computes in
busy() as long as short_wait waits. It measures its own split, wall time in
each function, and writes it as JSON to argv[1]: the truth `profile
--off-cpu` (and --on-cpu --off-cpu, wall time) is checked against."""
import json
import sys
import threading
import time

never = threading.Event()


def long_wait():
    time.sleep(0.3)


def short_wait():
    never.wait(0.1)


def busy():
    end = time.monotonic() + 0.1
    s = 0
    while time.monotonic() < end:
        s += 1


def main():
    fns = (long_wait, short_wait, busy) if sys.argv[3:] == ["busy"] else (long_wait, short_wait)
    spent = {fn.__name__: 0.0 for fn in fns}
    time.sleep(0.1)     # the process's start is behind it
    end = time.monotonic() + float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    while time.monotonic() < end:
        for fn in fns:
            t0 = time.monotonic()
            fn()
            spent[fn.__name__] += time.monotonic() - t0
    with open(sys.argv[1], "w") as f:
        json.dump(spent, f)


main()
