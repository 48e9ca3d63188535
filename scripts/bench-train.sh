#!/usr/bin/env bash
# Training throughput of Lathe and its peers on one machine, in one script, with the ratio.
#   scripts/bench-train.sh [mlp] [epochs]     (peers from ../shared/anchors, or set LATHE_ANCHORS)
# Each stack: Fashion-MNIST, batch 64, Adam 1e-3, 2 threads; samples/s of the last epoch (after warm-up).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
anchors="${LATHE_ANCHORS:-$root/../shared/anchors}"
kind="${1:-mlp}"; epochs="${2:-2}"
lathe_line="$("$root/lathe" bench train --model "$kind" --epochs "$epochs" --threads 2 2>/dev/null | grep '^result')"
lathe="${lathe_line#result samples_per_second=}"
echo "lathe $kind samples_per_s $lathe"
peers="$("$anchors/peers.sh" train "$kind" "$epochs")"
echo "$peers"
echo "$peers" | awk -v lathe="$lathe" -v e="$epochs" '
  $3 == "epoch" && $4 == e { printf "ratio lathe/%s %.2f (lathe %d vs %s %d samples/s)\n", $1, lathe / $8, lathe, $1, $8 }'
