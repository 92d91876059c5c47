#!/bin/bash
# replay.sh - every fuzzer on its committed corpus (tests/fuzz/corpus/NAME),
# no new search: seconds, so `make check` fails on a regression any input
# there once found. One PASS or FAIL line per fuzzer, as tests/run.sh counts.
set -u
OUTPUT=${OUTPUT:-build}
cd "$(dirname "$0")/../.."
status=0
for f in "$OUTPUT"/fuzz/fuzz_*; do
	[ -x "$f" ] && [ -f "$f" ] || continue
	name=$(basename "$f")
	inputs=(tests/fuzz/corpus/"$name"/*)
	if [ ! -e "${inputs[0]}" ]; then
		echo "FAIL fuzz replay $name: no committed corpus in tests/fuzz/corpus/$name"
		status=1
		continue
	fi
	if out=$("$f" -runs=0 "${inputs[@]}" 2>&1); then
		echo "PASS fuzz replay $name (${#inputs[@]} inputs)"
	else
		why=$(echo "$out" | grep -m1 -E 'runtime error|ERROR: ')
		input=$(echo "$out" | grep '^Running: ' | tail -1)
		echo "FAIL fuzz replay $name: ${input#Running: }: ${why:-exited non-zero}"
		status=1
	fi
done
exit $status
