#!/bin/bash
# demo.sh - the main job on the bundled sample: what `make demo` shows.
# Lists the sample's probes, then traces it: by command from its first
# instruction, a library it dlopen()s half-way, and a running process by
# PID; then counts, a latency histogram, a predicate, keys and an argument
# histogram. Run after `make`, as root.
set -euo pipefail
OUT=${1:-build}
U=$OUT/usdtrace
LIB=$PWD/$OUT/samples/libsamplelib.so
say() { printf '\n$ %s\n' "$*"; "$@"; }

say "$U" list "$OUT/samples/sample"
say "$U" list -v "$OUT/samples/sample" 'sample:request*'

# every hit with its arguments; strings with FMT s; a semaphore-guarded probe
say "$U" trace -c "$OUT/samples/sample -n 3" 'sample:loop' 'sample:str(s,d)' \
	'sample:request__start(d,s)' 'sample:twelve'

# a probe in a library the program loads later, named without a path
say "$U" trace -c "$OUT/samples/sample -n 6 -l $LIB" 'acclib:fire'

# JSON Lines, and a plain uprobe/uretprobe pair
say "$U" trace --json -c "$OUT/samples/sample -n 2" "uprobe:$OUT/samples/sample:sample_square(d)" \
	"uretprobe:$OUT/samples/sample:sample_square(d)"

# probes through <usdtrace/sdt.h>: C with a semaphore, C++ method and template
say "$U" trace -c "$OUT/samples/fast -n 3" 'fast:tick' 'fast:request(d,s)'
say "$U" trace -c "$OUT/samples/account -n 2" 'account:*'

# counted and timed in the kernel
say "$U" count -c "$OUT/samples/sample -n 4000" 'sample:*'
say "$U" latency -c "$OUT/samples/server -n 200 -s 1000 -k 2" --key arg1 \
	server:request__begin server:request__end
say "$U" latency --timeline "$OUT/server-timeline.json" -c "$OUT/samples/server -n 50 -N" \
	server:request__begin server:request__end
echo "(open $OUT/server-timeline.json in https://ui.perfetto.dev)"

# questions asked in the kernel: a predicate, keys, a histogram of an argument
say "$U" trace -c "$OUT/samples/sample -n 9" 'sample:str(s,d) /arg0 == "gam*" && arg1 > 3/'
say "$U" count --by arg0 -c "$OUT/samples/sample -n 300" 'sample:str(s,d)'
say "$U" hist --linear -1100,-1000,20 -c "$OUT/samples/sample -n 100" sample:types arg2

# a running process, for one second
"$OUT/samples/sample" -n 100000 -s 100 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
sleep 0.3
say "$U" trace -p "$pid" -d 1 'sample:types'
