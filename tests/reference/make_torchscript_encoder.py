"""Writes a small TorchScript feature extractor (images -> 24 features) for the post-hoc TaU test."""
import sys

import torch

torch.manual_seed(0)
encoder = torch.nn.Sequential(
    torch.nn.Conv2d(1, 24, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
torch.jit.trace(encoder.eval(), torch.zeros(2, 1, 28, 28)).save(sys.argv[1])
