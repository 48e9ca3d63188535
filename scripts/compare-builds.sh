#!/usr/bin/env bash
# Two builds of the core side by side in one JVM (scripts/CompareBuilds.java): is a change faster end to end?
#   scripts/compare-builds.sh REV_A [REV_B] [MODEL] [THREADS]
# REV_B defaults to the working tree ('.'), MODEL to mobilenet_v2 (cnn or any zoo model at 3x224x224), THREADS to 1.
# On two threads each build has its own worker pool; the idle one spins 200 us and parks, little against a block of calls.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jdk=/usr/lib/jvm/temurin-25-jdk-amd64
work="${TMPDIR:-/tmp}/lathe-compare-builds"; mkdir -p "$work"
[ $# -ge 1 ] || { echo "usage: $(basename "$0") REV_A [REV_B] [MODEL] [THREADS]" >&2; exit 2; }
classes() {  # the core compiled from a git revision, or the working tree for '.'
  if [ "$1" = "." ]; then "$root/lathe" help >/dev/null 2>&1; echo "$root/core/target/classes"; return; fi
  local sha; sha="$(git -C "$root" rev-parse --verify "$1^{commit}")" || { echo "$(basename "$0"): no such revision: $1" >&2; exit 2; }
  local dir="$work/$sha"
  if [ ! -f "$dir/.built" ]; then
    rm -rf "$dir"; mkdir -p "$dir/src" "$dir/classes"
    git -C "$root" archive "$sha" core/src/main/java | tar -x -C "$dir/src"
    find "$dir/src" -name '*.java' > "$dir/sources"
    "$jdk/bin/javac" --release 21 --add-modules jdk.incubator.vector -nowarn -d "$dir/classes" @"$dir/sources" 2>/dev/null
    touch "$dir/.built"
  fi
  echo "$dir/classes"
}
a="$(classes "$1")"; b="$(classes "${2:-.}")"
"$jdk/bin/javac" -d "$work" "$root/scripts/CompareBuilds.java"
"$jdk/bin/java" --add-modules jdk.incubator.vector -cp "$work" CompareBuilds "${3:-mobilenet_v2}" "${4:-1}" "$a" "$b" 2>/dev/null
