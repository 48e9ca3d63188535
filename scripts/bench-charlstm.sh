#!/usr/bin/env bash
# Char-LSTM training throughput of Lathe and PyTorch (Debian's 1.13) side by side, same settings as the
# peer ../shared/anchors/torch_charlstm.py: embedding 64, 3 x LSTM 256, seq 100, batch 32, Adam 2e-3,
# clip 5, /usr/include/linux, 5% validation, for a fixed wall time each.   scripts/bench-charlstm.sh [seconds]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
anchors="${LATHE_ANCHORS:-$root/../shared/anchors}"
secs="${1:-120}"
lathe_line="$("$root/lathe" bench train --model char-lstm --layers 3 --hidden 256 --embed 64 --seq 100 --batch 32 --lr 2e-3 --clip 5 \
  --val 0.05 --epochs 1000 --max-seconds "$secs" --threads 2 2>/dev/null | grep -E '^(bench|result)')"
echo "$lathe_line"
lathe="$(echo "$lathe_line" | sed -n 's/^result chars_per_second=//p')"
peer="$("$anchors/peers.sh" charlstm "$secs")"
echo "$peer"
echo "$peer" | awk -v lathe="$lathe" '{ for (i = 1; i < NF; i++) if ($i == "chars_per_s") printf "ratio lathe/torch %.2f (lathe %d vs torch %d chars/s)\n", lathe / $(i + 1), lathe, $(i + 1) }'
