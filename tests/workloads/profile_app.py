"""profile_app.py - a CPU-bound Python program for `usdtrace profile` to be
checked against: hot_a and hot_b share the main thread 3:1, pack() spends
its time in zlib on a second thread; each function's thread CPU time is
measured here and written, with the process's, as JSON to argv[1]."""
import json
import sys
import threading
import time
import zlib

SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
spent = {"hot_a": 0.0, "hot_b": 0.0, "pack": 0.0}


def hot_a(n):
    s = 0
    for i in range(n):
        s += i * 7
    return s


def hot_b(n):
    s = 0
    for i in range(n):
        s += i * 3
    return s


def pack(data):
    return zlib.compress(data, 9)


def timed(name, fn, arg):
    t = time.thread_time()
    fn(arg)
    spent[name] += time.thread_time() - t


def worker():
    data = bytes(range(256)) * 4000
    end = time.monotonic() + SECONDS
    while time.monotonic() < end:
        timed("pack", pack, data)


def main():
    t = threading.Thread(target=worker)
    t.start()
    end = time.monotonic() + SECONDS
    while time.monotonic() < end:
        timed("hot_a", hot_a, 300000)
        timed("hot_b", hot_b, 100000)
    t.join()
    spent["process"] = time.process_time()
    with open(sys.argv[1], "w") as f:
        json.dump(spent, f)


main()
