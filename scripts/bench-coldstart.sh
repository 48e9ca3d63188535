#!/usr/bin/env bash
# Cold start to a first prediction, whole process (JVM start, model load, one MLP prediction), Lathe's core jar vs
# ONNX Runtime Java (../shared/anchors OrtCold) on the same trained MLP (Lathe's checkpoint and its ONNX export);
# 5 runs each, wall time and peak RSS from /usr/bin/time; plus the size of the jars an embedded user needs.
#   scripts/bench-coldstart.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
anchors="${LATHE_ANCHORS:-$root/../shared/anchors}"
work="${TMPDIR:-/tmp}/lathe-bench-coldstart"; mkdir -p "$work"
"$root/lathe" help >/dev/null 2>&1   # builds when needed
jdk="$(dirname "$(dirname "$(readlink -f /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)")")"
core="$root/core/target/lathe-core-0.1.0-SNAPSHOT.jar"
[ -f "$work/mlp.ckpt" ] || "$root/lathe" train --model mlp --epochs 1 --limit 5000 --save "$work/mlp.ckpt" --no-progress >/dev/null
"$root/lathe" export "$work/mlp.ckpt" -o "$work/mlp.onnx" >/dev/null 2>&1
"$jdk/bin/javac" -d "$work" -cp "$core" "$root/scripts/ColdStart.java"
run_lathe() { "$jdk/bin/java" --add-modules jdk.incubator.vector -cp "$core:$work" ColdStart "$work/mlp.ckpt"; }
run_lathe >/dev/null 2>&1   # warm the file cache
for i in 1 2 3 4 5; do /usr/bin/time -f "lathe coldstart wall_s %e peak_rss_kb %M" bash -c "$(declare -f run_lathe); jdk='$jdk' core='$core' work='$work' run_lathe" 2>&1 >/dev/null | grep coldstart; done
"$anchors/java/run.sh" ortcold "$work/mlp.onnx" >/dev/null 2>&1
for i in 1 2 3 4 5; do /usr/bin/time -f "ort coldstart wall_s %e peak_rss_kb %M" "$anchors/java/run.sh" ortcold "$work/mlp.onnx" 2>&1 >/dev/null | grep coldstart; done
protobuf="$(ls "$root"/cli/target/lib/protobuf-java-*.jar | head -1)"
echo "jar core_bytes $(stat -c %s "$core") onnx_bytes $(stat -c %s "$root/onnx/target/lathe-onnx-0.1.0-SNAPSHOT.jar") protobuf_bytes $(stat -c %s "$protobuf")"
ort_jar="$(find ~/.m2/repository/com/microsoft/onnxruntime/onnxruntime -name 'onnxruntime-*.jar' | head -1)"
echo "jar ort_bytes $(stat -c %s "$ort_jar") ($(basename "$ort_jar"), native libraries inside)"
