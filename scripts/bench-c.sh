#!/usr/bin/env bash
# Generated C (gcc -O2 and -O3 -march=native) against Lathe's own runtime, batch 1, one thread, same trained checkpoint, fp32 and int8.
#   scripts/bench-c.sh CHECKPOINT
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -eq 1 ] || { echo "usage: scripts/bench-c.sh CHECKPOINT" >&2; exit 2; }
work="${TMPDIR:-/tmp}/lathe-bench-c"; mkdir -p "$work"
for kind in fp32 int8; do
  flag=""; [ "$kind" = int8 ] && flag="--int8"
  "$root/lathe" export "$1" --format c $flag -o "$work/$kind" >/dev/null 2>&1
  for opt in "-O2" "-O3 -march=native"; do
    gcc -std=c99 $opt -I"$work/$kind" "$work/$kind/model.c" "$root/scripts/CTiming.c" -o "$work/$kind/timing" -lm
    echo "c $kind gcc '$opt' $("$work/$kind/timing")"
  done
done
"$root/lathe" bench infer "$1" --int8 --threads 1 2>/dev/null | grep '^infer' | sed 's/^/lathe /'
