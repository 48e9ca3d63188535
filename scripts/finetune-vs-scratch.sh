#!/usr/bin/env bash
# Transfer learning from a PyTorch-pretrained ONNX model against the same network from scratch, in Lathe.
#   scripts/finetune-vs-scratch.sh [MODEL] [PRETRAIN_EPOCHS] [PER_CLASS] [EPOCHS]   (defaults: resnet18 3 100 15)
# PyTorch (Debian's torch 1.13 + torchvision 0.14) trains MODEL on Fashion-MNIST classes 0-4 and exports it;
# the same architecture is exported untrained. Lathe then trains each on a small second task — PER_CLASS
# images of each of classes 5-9 — with `lathe train --from MODEL.onnx --data target-train --test-data
# target-test`, and, frozen, only the new head. Every test image of classes 5-9 scores them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="${1:-resnet18}"; pre="${2:-3}"; per="${3:-100}"; epochs="${4:-15}"
dir="${FINETUNE_DIR:-$(mktemp -d)}"
echo "host: $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
# FINETUNE_DIR keeps the PyTorch side between runs: an existing export is reused
[ -f "$dir/pre/$model.onnx" ] || /usr/bin/python3 "$root/scripts/pretrain_torchvision.py" "$dir/pre" "$model" "$pre" "$per"
mkdir -p "$dir/scratch"; ln -sfn "$dir/pre/target-train" "$dir/scratch/target-train"
[ -f "$dir/scratch/$model.onnx" ] || /usr/bin/python3 "$root/scripts/pretrain_torchvision.py" "$dir/scratch" "$model" 0
for run in "pretrained $dir/pre/$model.onnx" "scratch $dir/scratch/$model.onnx" "pretrained-frozen $dir/pre/$model.onnx --freeze-backbone"; do
  set -- $run
  name="$1"; onnx="$2"; shift 2
  line="$(LATHE_TUNE=0 "$root/lathe" train --from "$onnx" --data "$dir/pre/target-train" --test-data "$dir/pre/target-test" \
          --epochs "$epochs" --patience 0 --val 0 --seed 0 --no-progress "$@" 2>/dev/null | grep '^result')"
  echo "lathe $model $name per_class $per ${line#result }"
done
