#!/usr/bin/env bash
# Prints the classpath of a script that runs Lathe next to ONNX Runtime (Java) in one JVM: the CLI's jars and
# ONNX Runtime 1.24.1 from the Maven cache the tests fill (test scope: it is never a dependency of Lathe).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ort="$(find ~/.m2/repository/com/microsoft/onnxruntime/onnxruntime -name 'onnxruntime-*.jar' 2>/dev/null | head -1)"
[ -n "$ort" ] || { echo "$(basename "$0"): ONNX Runtime jar not in ~/.m2 (run ./lathe test once)" >&2; exit 1; }
echo "$root/cli/target/lib/*:$ort"
