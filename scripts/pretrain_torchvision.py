"""Exports a torchvision image model to ONNX for `lathe train --from`, pretrained by PyTorch on one
Fashion-MNIST task, and writes a second, small task as image folders.

Usage: /usr/bin/python3 scripts/pretrain_torchvision.py OUT_DIR MODEL [EPOCHS] [PER_CLASS]
  MODEL      resnet18 | mobilenet_v2 (torchvision 0.14, Debian's python3-torchvision; nothing downloaded)
  EPOCHS     PyTorch training epochs on the source task (classes 0-4, all 30,000 training images);
             0 = export random weights only (the same network, untrained: the from-scratch control)
  PER_CLASS  training images per class of the target task (classes 5-9), written as PNG folders
Writes OUT_DIR/MODEL.onnx (input [N, 3, 32, 32]: Fashion images padded to 32x32, gray in all three
channels, standardized with the source task's pixel mean and std), and unless it exists
OUT_DIR/target-train/CLASS/*.png and OUT_DIR/target-test/CLASS/*.png (every test image of classes 5-9).
"""
import gzip
import os
import sys

import numpy as np
import torch
import torchvision
from PIL import Image

out, name = sys.argv[1], sys.argv[2]
epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 0
per_class = int(sys.argv[4]) if len(sys.argv) > 4 else 100
fashion = "/usr/share/datasets/fashion-mnist"
names = ["tshirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"]
torch.manual_seed(0)
torch.set_num_threads(2)
os.makedirs(out, exist_ok=True)


def idx(prefix):
    with gzip.open(f"{fashion}/{prefix}-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(f"{fashion}/{prefix}-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    return np.pad(x, ((0, 0), (2, 2), (2, 2))), y


xtr, ytr = idx("train")
xte, yte = idx("t10k")
model = getattr(torchvision.models, name)(num_classes=5)
if epochs > 0:
    src = ytr < 5
    x = torch.tensor(xtr[src], dtype=torch.float32).div(255).unsqueeze(1)
    mean, std = x.mean(), x.std()
    x = ((x - mean) / std).repeat(1, 3, 1, 1)
    y = torch.tensor(ytr[src], dtype=torch.long)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(y))
        total = correct = 0
        for i in range(0, len(y), 64):
            b = perm[i:i + 64]
            opt.zero_grad()
            logits = model(x[b])
            loss = torch.nn.functional.cross_entropy(logits, y[b])
            loss.backward()
            opt.step()
            total += len(b)
            correct += (logits.argmax(1) == y[b]).sum().item()
        print(f"pretrain {name} epoch {epoch + 1}/{epochs} train_accuracy {correct / total:.4f}", flush=True)
model.eval()
torch.onnx.export(model, torch.zeros(1, 3, 32, 32), f"{out}/{name}.onnx", input_names=["input"], output_names=["output"],
                  dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, opset_version=13)
print(f"wrote {out}/{name}.onnx ({'pretrained ' + str(epochs) + ' epochs on classes 0-4' if epochs else 'random weights'})")

if not os.path.isdir(f"{out}/target-train"):
    for split, xs, ys, limit in [("target-train", xtr, ytr, per_class), ("target-test", xte, yte, None)]:
        for c in range(5, 10):
            d = f"{out}/{split}/{names[c]}"
            os.makedirs(d, exist_ok=True)
            for k, i in enumerate(np.flatnonzero(ys == c)[:limit]):
                Image.fromarray(xs[i]).save(f"{d}/{k:04d}.png")
    print(f"wrote {out}/target-train ({per_class} per class) and {out}/target-test (classes 5-9)")
