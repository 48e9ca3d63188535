"""ONNX files as another tool writes them (PyTorch's exporter), for OnnxFromOtherToolsTest.

Usage: /usr/bin/python3 other_tools.py DIR   (Debian's python3-torch; writes DIR/<name>.onnx)
Each model exercises what Lathe's own exporter never writes:
  asymmetric_pad  ZeroPad2d((0, 1, 0, 1)) before a stride-2 conv (TensorFlow's SAME), a 1x3 kernel
  nhwc_input      a channels-last [N, H, W, C] input made NCHW by x.permute(0, 3, 1, 2)
  two_outputs     a classifier head and a dense box map from one trunk (a detector's shape)
"""
import sys

import torch
import torch.nn as nn

torch.manual_seed(0)
out = sys.argv[1]


class AsymmetricPad(nn.Module):
    def __init__(self):
        super().__init__()
        self.pad = nn.ZeroPad2d((0, 1, 0, 1))
        self.conv = nn.Conv2d(3, 8, 3, stride=2)
        self.bn = nn.BatchNorm2d(8)
        self.head = nn.Conv2d(8, 4, (1, 3), padding=(0, 1))

    def forward(self, x):
        return self.head(torch.relu(self.bn(self.conv(self.pad(x)))))


class NhwcInput(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.fc = nn.Linear(6 * 4 * 4, 5)

    def forward(self, x):
        x = x.permute(0, 3, 1, 2)
        x = nn.functional.max_pool2d(torch.relu(self.conv(x)), 2)
        return self.fc(torch.flatten(x, 1))


class TwoOutputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Conv2d(3, 8, 3, padding=1)
        self.cls = nn.Linear(8, 5)
        self.box = nn.Conv2d(8, 4, 1)

    def forward(self, x):
        f = torch.relu(self.trunk(x))
        return self.cls(torch.flatten(nn.functional.adaptive_avg_pool2d(f, 1), 1)), self.box(f)


for name, model, shape, outs in [("asymmetric_pad", AsymmetricPad(), (1, 3, 9, 9), ["y"]),
                                  ("nhwc_input", NhwcInput(), (1, 8, 8, 3), ["logits"]),
                                  ("two_outputs", TwoOutputs(), (1, 3, 8, 8), ["classes", "boxes"])]:
    model.eval()
    for m in model.modules():  # batch-norm statistics away from the identity, so folding them is tested
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
    torch.onnx.export(model, torch.randn(*shape), f"{out}/{name}.onnx", input_names=["x"], output_names=outs, opset_version=13)
