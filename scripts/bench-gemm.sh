#!/usr/bin/env bash
# Lathe's SGEMM against OpenBLAS on this machine, in one script: GFLOPS and ratio per size and thread count.
#   scripts/bench-gemm.sh        (OpenBLAS harness from ../shared/anchors, or set LATHE_ANCHORS)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
anchors="${LATHE_ANCHORS:-$root/../shared/anchors}"
lathe="$("$root/lathe" bench gemm 2>/dev/null | grep '^gemm')"
blas="$("$anchors/gemm-ceiling.sh" | grep '^openblas')"
echo "$lathe"; echo "$blas"
join <(echo "$lathe" | awk '{print $3 "_" $5, $7}' | sort) <(echo "$blas" | awk '{print $3 "_" $5, $7}' | sort) |
  sort -t_ -k1,1n -k2,2n | awk '{split($1, k, "_"); printf "ratio threads %s n %s lathe %.1f openblas %.1f ratio %.2f\n", k[1], k[2], $2, $3, $2 / $3}'
