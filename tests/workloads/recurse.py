"""recurse.py - a Python function recursing N deep (argv[1]), then spinning
for 1.5 s at the bottom: deeper than the profiler reads interpreter frames."""
import sys
import time


def rec(n):
    if n == 0:
        end = time.monotonic() + 1.5
        s = 0
        while time.monotonic() < end:
            s += 1
        return s
    return rec(n - 1)


rec(int(sys.argv[1]))
