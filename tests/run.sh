#!/bin/bash
# run.sh - run every test and print "N passed, N failed" last.
#
# Unit tests (pure parsers, no root needed) are C programs in build/tests;
# integration tests (tests/integration/test_*.py) run usdtrace against real
# files and processes, as root. Every test prints one "PASS name" or
# "FAIL name: why" line per check; this script counts them. A test program
# that crashes or exits non-zero without printing a FAIL counts as a failure.
set -u
OUTPUT=${OUTPUT:-build}
PYTHON=${PYTHON:-python3.11}
cd "$(dirname "$0")/.."
export OUTPUT

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() {
	local name=$1; shift
	echo "== $name"
	"$@" > "$log" 2>&1
	local rc=$? p f
	grep -v '^PASS ' "$log"
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name: exited with status $rc"
		f=1
	fi
	echo "   $p passed, $f failed"
	passed=$((passed + p))
	failed=$((failed + f))
}

for t in "$OUTPUT"/tests/test_*; do
	case $t in *.d) continue ;; esac
	run_one "unit $(basename "$t")" "$t"
done
run_one "fuzz corpus replay" bash tests/fuzz/replay.sh
for t in tests/integration/test_*.py; do
	run_one "integration $(basename "$t")" "$PYTHON" "$t"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
