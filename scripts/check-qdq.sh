#!/usr/bin/env bash
# ONNX Runtime (Java, 1.24.1 from the Maven cache the tests fill) runs Lathe's int8 QDQ export of a trained checkpoint on the
# whole Fashion-MNIST test set; Lathe's int8 runtime runs the same quantized model; equal predictions and output steps apart.
#   scripts/check-qdq.sh CHECKPOINT   (from 'lathe train --save')
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -eq 1 ] || { echo "usage: scripts/check-qdq.sh CHECKPOINT" >&2; exit 2; }
"$root/lathe" help >/dev/null 2>&1
jdk=/usr/lib/jvm/temurin-25-jdk-amd64
cp="$("$root/scripts/ort-classpath.sh")"
work="${TMPDIR:-/tmp}/lathe-check-qdq"; mkdir -p "$work"
"$jdk/bin/javac" -d "$work" -cp "$cp" "$root/scripts/QdqAgreement.java"
"$jdk/bin/java" --add-modules jdk.incubator.vector -cp "$work:$cp" QdqAgreement "$1" 2>/dev/null
