#!/bin/bash
# make_corpus.sh - regenerate the committed seed corpus of the fuzzers from
# real files: .note.stapsdt sections of the runtimes and the sample, and
# every distinct argument spec they hold. Run from the repository root.
set -euo pipefail
out=tests/fuzz/corpus
mkdir -p "$out/fuzz_note" "$out/fuzz_argspec"
n=0
for f in /usr/bin/python3.11 /usr/bin/php8.2 /lib/x86_64-linux-gnu/libruby-3.1.so.3.1 \
	 /lib/x86_64-linux-gnu/libstdc++.so.6 build/samples/sample build/fixtures/shapes-*; do
	[ -f "$f" ] || continue
	tmp=$(mktemp)
	objcopy -O binary --only-section=.note.stapsdt "$f" "$tmp" 2>/dev/null || continue
	cls=1; [ "$(od -An -tx1 -j4 -N1 "$f" | tr -d ' ')" = 01 ] && cls=0
	# seeds stay small: the first 2 KiB of notes is plenty of structure
	{ printf "\\x$(printf %02x $cls)"; head -c 2048 "$tmp"; } > "$out/fuzz_note/$(basename "$f")"
	rm -f "$tmp"
done
readelf -n build/fixtures/shapes-* /usr/bin/python3.11 /lib/x86_64-linux-gnu/libruby-3.1.so.3.1 \
	| sed -n 's/^ *Arguments: //p' | tr ' ' '\n' | sort -u | while read -r spec; do
	n=$((n + 1))
	printf '\x00%s' "$spec" > "$out/fuzz_argspec/x86-$(echo "$spec" | md5sum | cut -c1-12)"
done
for spec in "8@x0" "-4@[sp, 16]" "8@[x18, #:lo12:.LANCHOR1]" "-4@5"; do
	printf '\x02%s' "$spec" > "$out/fuzz_argspec/a64-$(echo "$spec" | md5sum | cut -c1-12)"
done
for spec in "8@a0" "-4@-20(s0)" "8@0(a4)" "-4@5"; do
	printf '\x03%s' "$spec" > "$out/fuzz_argspec/rv-$(echo "$spec" | md5sum | cut -c1-12)"
done
for spec in "4@counter" "-4@table(,%eax,4)" "-4@8(%ebp)"; do
	printf '\x01%s' "$spec" > "$out/fuzz_argspec/i386-$(echo "$spec" | md5sum | cut -c1-12)"
done
