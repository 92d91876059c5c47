"""work.py - a deterministic Python workload for `usdtrace calls/flow/stat`:
main() calls middle() 100 times, each middle() calls leaf() 35 times
(3500 leaf calls), then a forced gc.collect(). An argument changes the 100
(for benchmarks)."""
import gc
import sys


def leaf(i):
    return i * 2


def middle(n):
    total = 0
    for i in range(35):
        total += leaf(i)
    return total + n


def main():
    total = 0
    for n in range(int(sys.argv[1]) if len(sys.argv) > 1 else 100):
        total += middle(n)
    gc.collect()
    print(total, file=sys.stderr)


if __name__ == "__main__":
    main()
