#!/bin/bash
# demo.sh - the main job on the bundled sample: what `make demo` shows.
# Lists the sample's probes (text, decoded, JSON) and those of the library
# it dlopen()s. Run after `make` (make demo does both).
set -euo pipefail
OUT=${1:-build}
U=$OUT/usdtrace
say() { printf '\n$ %s\n' "$*"; "$@"; }

say "$U" list "$OUT/samples/sample"
say "$U" list -v "$OUT/samples/sample" 'sample:request*'
say "$U" list "$OUT/samples/libsamplelib.so"
say "$U" list --json "$OUT/samples/sample" 'sample:str'

# a running process: every object it maps, the dlopen()ed library included
"$OUT/samples/sample" -n 4 -s 500 -l "$PWD/$OUT/samples/libsamplelib.so" &
pid=$!
sleep 1.5
say "$U" list -p "$pid"
wait "$pid"
