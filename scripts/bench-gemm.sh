#!/usr/bin/env bash
# Lathe's SGEMM against OpenBLAS on this machine, in one script: GFLOPS and ratio per size and thread count.
#   scripts/bench-gemm.sh            full vector width against OpenBLAS's own choice of kernel for this CPU
#   scripts/bench-gemm.sh --avx2     Lathe at 256-bit vectors (-XX:MaxVectorSize=32, how an AVX2 host looks to the
#                                    Vector API) against OpenBLAS's Haswell (AVX2) kernel (OPENBLAS_CORETYPE=Haswell)
#   scripts/bench-gemm.sh --avx2-vex Lathe under -XX:UseAVX=2 (VEX code, 16 vector registers: closer to a real AVX2
#                                    CPU than MaxVectorSize, which keeps AVX-512's 32 registers) against the same kernel
# The OpenBLAS harness is ../shared/anchors/openblas_sgemm.c (set LATHE_ANCHORS to move it). Prints the host first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
anchors="${LATHE_ANCHORS:-$root/../shared/anchors}"
mode=full
[ "${1:-}" = "--avx2" ] && mode=avx2
[ "${1:-}" = "--avx2-vex" ] && mode=avx2-vex
echo "host $(lscpu | sed -n 's/^Model name: *//p' | head -1) | $(date -u '+%Y-%m-%d %H:%M UTC') | mode $mode"
if [ "$mode" != full ]; then
  flag=-XX:MaxVectorSize=32; [ "$mode" = avx2-vex ] && flag=-XX:UseAVX=2
  lathe="$(JAVA_OPTS="${JAVA_OPTS:-} $flag" "$root/lathe" bench gemm 2>/dev/null | grep -E '^(gemm|blocking)')"
  [ -f /usr/include/x86_64-linux-gnu/cblas.h ] || "$anchors/gemm-ceiling.sh" >/dev/null   # installs libopenblas-dev
  bin="$(mktemp -d)/sgemm"
  gcc -O2 -o "$bin" "$anchors/openblas_sgemm.c" $(pkg-config --cflags --libs openblas 2>/dev/null || echo -lopenblas)
  blas="$(env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=Haswell "$bin" | grep '^openblas')"
else
  lathe="$("$root/lathe" bench gemm 2>/dev/null | grep -E '^(gemm|blocking)')"
  blas="$("$anchors/gemm-ceiling.sh" | grep '^openblas')"
fi
echo "$lathe"; echo "$blas"
join <(echo "$lathe" | grep '^gemm' | awk '{print $3 "_" $5, $7}' | sort) <(echo "$blas" | awk '{print $3 "_" $5, $7}' | sort) |
  sort -t_ -k1,1n -k2,2n | awk -v mode="$mode" '{split($1, k, "_"); printf "ratio %s threads %s n %s lathe %.1f openblas %.1f ratio %.2f\n", mode, k[1], k[2], $2, $3, $2 / $3}'
