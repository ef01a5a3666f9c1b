"""The benchmarks of tau_benchmarks.cpp done the Python way, for side-by-side ratios.

- load: Fashion-MNIST's training IDX files with gzip + numpy, into a torch uint8 tensor;
- views: two SimCLR views of 256 images with torchvision's PIL transforms, image by image (the original's way);
- auroc: scikit-learn's roc_auc_score and roc_curve on 10^6 scores;
- step: one TaU-SimCLR step of the same small CNN and head with Adam, batch 256, on random views.
Prints JSON: seconds per iteration (median of repeats) for each, and which torch, threads and BLAS ran them.
bench/original_pipeline.py imports its model and loss.
"""
import gzip
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.transforms as T
from PIL import Image

torch.set_num_threads(os.cpu_count())
ROOT = "/usr/share/datasets/fashion-mnist"


def timed(function, repeats):
    function()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load():
    images = torch.from_numpy(read_idx(f"{ROOT}/train-images-idx3-ubyte.gz").copy()).unsqueeze(1)
    labels = torch.from_numpy(read_idx(f"{ROOT}/train-labels-idx1-ubyte.gz").astype(np.int64))
    return images, labels


test_images = read_idx(f"{ROOT}/t10k-images-idx3-ubyte.gz")[:256]
pil_images = [Image.fromarray(image, mode="L") for image in test_images]
augment = T.Compose([
    T.RandomResizedCrop(28, scale=(0.2, 1.0)),
    T.RandomApply([T.ColorJitter(0.4, 0.4)], p=0.8),
    T.RandomApply([T.GaussianBlur(13, sigma=(0.1, 2.0))], p=0.5),
    T.RandomHorizontalFlip(),
    T.ToTensor(),
    T.Normalize((0.2860,), (0.3530,)),
])


def views():
    return [torch.stack([augment(image) for image in pil_images]) for _ in range(2)]


def stage(cin, cout, pool):
    layers = [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
    return layers + ([nn.MaxPool2d(2)] if pool else [])


model = nn.Sequential(*stage(1, 32, True), *stage(32, 64, True), *stage(64, 128, False),
                      nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                      nn.Linear(128, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Linear(128, 129, bias=False))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
view1, view2 = torch.randn(256, 1, 28, 28), torch.randn(256, 1, 28, 28)


def tau_loss(out1, out2, t=0.1, eps=1e-6):
    z = F.normalize(torch.cat([out1[:, :128], out2[:, :128]]), dim=1)
    c = torch.sigmoid(torch.cat([out1[:, 128], out2[:, 128]]))
    n = z.shape[0]
    cos = z @ z.T
    logits = c[:, None] * cos / t
    positive = (torch.arange(n) + n // 2) % n
    mask = torch.eye(n, dtype=torch.bool)
    mask[torch.arange(n), positive] = True
    log_den = torch.logaddexp(torch.logsumexp(logits.masked_fill(mask, float("-inf")), 1), torch.tensor(np.log(eps)))
    return (log_den - logits[torch.arange(n), positive]).mean()


def step():
    loss = tau_loss(model(view1), model(view2))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def auroc():
    from sklearn.metrics import roc_auc_score, roc_curve  # Debian's Python has it; PyPI torch's venv need not

    rng = np.random.default_rng(3)
    scores = np.concatenate([rng.standard_normal(500000) + 0.5, rng.standard_normal(500000)])
    labels = np.concatenate([np.ones(500000), np.zeros(500000)])
    roc_auc_score(labels, scores)
    roc_curve(labels, scores, drop_intermediate=False)


if __name__ == "__main__":
    # --step-only: the training step alone (for the LibTorch comparison, in any Python with torch)
    results = {"step": timed(step, 10), "torch": torch.__version__, "threads": torch.get_num_threads(),
               "blas": "MKL" if torch.backends.mkl.is_available() else "OpenBLAS or other",
               "onednn": torch.backends.mkldnn.is_available()}
    if "--step-only" not in sys.argv:
        results.update({"auroc": timed(auroc, 3), "load": timed(load, 5), "views": timed(views, 5)})
    print(json.dumps(results))
