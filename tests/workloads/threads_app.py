"""threads_app.py - three threads blocked in three different functions (a
sleep, a lock, a pipe read) beside a main thread that keeps counting: what
`usdtrace dump` must show, each thread in its function, and the count going
on through it (the process is never stopped). Prints "ready", then one
tick a line."""
import os
import sys
import threading
import time

lock = threading.Lock()
lock.acquire()
r, w = os.pipe()


def in_sleep():
    time.sleep(600)


def in_lock():
    lock.acquire()


def in_pipe():
    os.read(r, 1)


for fn in (in_sleep, in_lock, in_pipe):
    threading.Thread(target=fn, daemon=True, name=fn.__name__).start()
print("ready", flush=True)
tick = 0
while True:
    tick += 1
    print(tick, flush=True)
    time.sleep(0.02)
    if tick > 30000:
        sys.exit(0)
