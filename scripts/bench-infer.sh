#!/usr/bin/env bash
# Batch-1 inference latency of Lathe's arena session and ONNX Runtime (../shared/anchors OrtBench) on the same model:
# Lathe exports the model to ONNX; ONNX Runtime and Lathe (the file compiled into its frozen plan) run that same file; 1 and 2 threads.
#   scripts/bench-infer.sh [models...]   (default: mlp cnn mobilenet_v2; mobilenet_v2 at 3x224x224, 1000 classes)
#   scripts/bench-infer.sh --pytorch     the anchors' own files instead (PyTorch's export, random weights; needs python3-torch)
#   scripts/bench-infer.sh --same-jvm     Lathe and ONNX Runtime in one JVM, timed in alternating blocks (scripts/SideBySide.java)
#   scripts/bench-infer.sh --per-layer    each layer's minimum in both, one JVM, 1 thread (scripts/PerLayer.java; THREADS=2 for two)
# The two engines alternate for ROUNDS rounds (default 3) and each keeps its best p50: this VM's speed drifts by up to 2x
# over minutes, and one run of each would put a slow spell on one side only. JAVA_OPTS reaches the JVM that runs Lathe
# (e.g. JAVA_OPTS=-XX:MaxVectorSize=32 for a 256-bit host; ONNX Runtime, native, picks its own kernels per CPU).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
anchors="${LATHE_ANCHORS:-$root/../shared/anchors}"
work="${TMPDIR:-/tmp}/lathe-bench-infer"; mkdir -p "$work"
pytorch=false; samejvm=false; perlayer=false
if [ "${1:-}" = "--pytorch" ]; then pytorch=true; shift; fi
if [ "${1:-}" = "--same-jvm" ]; then samejvm=true; shift; fi
if [ "${1:-}" = "--per-layer" ]; then perlayer=true; shift; fi
models=("$@"); [ ${#models[@]} -gt 0 ] || models=(mlp cnn mobilenet_v2)
if $pytorch; then /usr/bin/python3 "$anchors/export_onnx.py" "$work" >/dev/null; fi
if $samejvm || $perlayer; then
  "$root/lathe" help >/dev/null 2>&1
  jdk=/usr/lib/jvm/temurin-25-jdk-amd64
  cp="$("$root/scripts/ort-classpath.sh")"
  "$jdk/bin/javac" -d "$work" -cp "$cp" "$root/scripts/SideBySide.java" "$root/scripts/PerLayer.java"
  for m in "${models[@]}"; do
    "$root/lathe" export "$m" -o "$work/$m.onnx" >/dev/null 2>&1
    if $perlayer; then
      "$jdk/bin/java" --add-modules jdk.incubator.vector ${JAVA_OPTS:-} -cp "$work:$cp" PerLayer "$work/$m.onnx" "${THREADS:-1}" 2>/dev/null
    else
      "$jdk/bin/java" --add-modules jdk.incubator.vector ${JAVA_OPTS:-} -cp "$work:$cp" SideBySide "$work/$m.onnx" "${ROUNDS:-8}" 2>/dev/null
    fi
  done
  exit 0
fi
for m in "${models[@]}"; do
  $pytorch || "$root/lathe" export "$m" -o "$work/$m.onnx" >/dev/null 2>&1
  lathe_out=""; ort_out=""
  for r in $(seq "${ROUNDS:-3}"); do
    l_run="$("$root/lathe" bench infer "$work/$m.onnx" 2>/dev/null | grep '^infer [^ ]* threads')"
    o_run="$("$anchors/java/run.sh" ort "$work/$m.onnx" 2>/dev/null | grep '^ort')"
    echo "$l_run"; echo "$o_run"
    lathe_out="$lathe_out$l_run"$'\n'; ort_out="$ort_out$o_run"$'\n'
  done
  for t in 1 2; do
    l="$(echo "$lathe_out" | awk -v t="$t" '$4 == t && (best == "" || $6 < best) { best = $6 } END { print best }')"
    o="$(echo "$ort_out" | awk -v t="$t" '$6 == t && (best == "" || $8 < best) { best = $8 } END { print best }')"
    awk -v m="$m" -v t="$t" -v l="$l" -v o="$o" 'BEGIN { printf "ratio %s threads %d lathe_p50 %.3f ms ort_p50 %.3f ms lathe/ort %.2f (best of rounds)\n", m, t, l, o, l / o }'
  done
done
