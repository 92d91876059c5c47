"""offcpu_app.py - a thread that waits three times as long in one function
as in another: long_wait sleeps, short_wait waits on a lock (an Event that
is never set, with a timeout). It measures its own split, wall time in each
function, and writes it as JSON to argv[1]: the truth `profile --off-cpu`
is checked against."""
import json
import sys
import threading
import time

never = threading.Event()


def long_wait():
    time.sleep(0.3)


def short_wait():
    never.wait(0.1)


def main():
    spent = {"long_wait": 0.0, "short_wait": 0.0}
    time.sleep(0.1)     # the process's start is behind it
    end = time.monotonic() + float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    while time.monotonic() < end:
        for fn in (long_wait, short_wait):
            t0 = time.monotonic()
            fn()
            spent[fn.__name__] += time.monotonic() - t0
    with open(sys.argv[1], "w") as f:
        json.dump(spent, f)


main()
