"""TaU-SimCLR written in plain PyTorch, the yardstick for tau's images/s on the same GPU.

The same work as `tau train` with configs/cifar10/tau_simclr.yaml at batch 512: ResNet-18 with the 3x3 stem, the
projection head (512-512-(128+1) with batch norm), TaU-SimCLR's loss (each anchor's similarities scaled by its
c = sigmoid(r), the positive left out of the denominator), Adam. The views are cut on the GPU from uint8 batches:
random resized crop (scale 0.08-1, ratio 3/4-4/3), horizontal flip, colour jitter 0.4/0.4/0.4 with p 0.8,
grayscale with p 0.2, normalisation, with torch ops only (the GPU machine has no torchvision).

It measures two things, each after warm-up steps, with the GPU synchronised around the timed steps:
  full  the whole step: views from uint8 images, forward, loss, backward, Adam;
  bare  the model step alone on views made beforehand (what the data path must not slow down).

Usage: python3 pytorch_tau_simclr.py --batch 512 --steps 40 --precision fp32|bf16 --json OUT.json
"""

import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)
STD = torch.tensor([0.2470, 0.2435, 0.2616]).view(1, 3, 1, 1)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


class TauModel(nn.Module):
    """ResNet-18 (CIFAR stem) and the projection head with the extra output r."""

    def __init__(self, out_dim=128):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU())
        layers, cin = [], 64
        for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            layers += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Linear(512, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Linear(512, out_dim + 1),
                                  nn.BatchNorm1d(out_dim + 1))
        self.out_dim = out_dim

    def forward(self, x):
        h = torch.flatten(F.adaptive_avg_pool2d(self.layers(self.stem(x)), 1), 1)
        with torch.autocast(device_type=x.device.type, enabled=False):  # the heads and the loss in float32
            z = self.head(h.float())
        return z[:, :self.out_dim], z[:, self.out_dim]


def tau_simclr_loss(loc1, r1, loc2, r2, t=0.1, eps=1e-6):
    z = F.normalize(torch.cat([loc1, loc2]), dim=1)
    n = loc1.shape[0]
    c = torch.sigmoid(torch.cat([r1, r2]))
    logits = c[:, None] * (z @ z.t()) / t
    rows = torch.arange(2 * n, device=z.device)
    positive = (rows + n) % (2 * n)
    excluded = torch.zeros_like(logits, dtype=torch.bool)
    excluded[rows, rows] = True
    excluded[rows, positive] = True
    denominator = torch.logaddexp(torch.logsumexp(logits.masked_fill(excluded, -math.inf), 1),
                                  torch.full((2 * n,), math.log(eps), device=z.device))
    return (denominator - logits[rows, positive]).mean()


def views(images, generator):
    """One view of each uint8 image [B, 32, 32, 3], cut on the GPU."""
    b = images.shape[0]
    device = images.device
    x = images.permute(0, 3, 1, 2).float() / 255.0
    u = lambda: torch.rand(b, device=device, generator=generator)
    # Random resized crop as torchvision draws it (area share and log-ratio), then a flip, as one affine sample.
    area = 0.08 + 0.92 * u()
    ratio = torch.exp(math.log(3 / 4) + (math.log(4 / 3) - math.log(3 / 4)) * u())
    w = torch.sqrt(area * ratio).clamp(max=1.0)
    h = torch.sqrt(area / ratio).clamp(max=1.0)
    cx = (1 - w) * (2 * u() - 1)
    cy = (1 - h) * (2 * u() - 1)
    flip = torch.where(u() < 0.5, -1.0, 1.0)
    theta = torch.zeros(b, 2, 3, device=device)
    theta[:, 0, 0] = w * flip
    theta[:, 0, 2] = cx
    theta[:, 1, 1] = h
    theta[:, 1, 2] = cy
    grid = F.affine_grid(theta, (b, 3, 32, 32), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    # Colour jitter (brightness, contrast, saturation) with p 0.8, then grayscale with p 0.2.
    jitter = (u() < 0.8).float().view(b, 1, 1, 1)
    brightness = (0.6 + 0.8 * u()).view(b, 1, 1, 1)
    contrast = (0.6 + 0.8 * u()).view(b, 1, 1, 1)
    saturation = (0.6 + 0.8 * u()).view(b, 1, 1, 1)
    gray = lambda y: (0.299 * y[:, :1] + 0.587 * y[:, 1:2] + 0.114 * y[:, 2:3])
    y = (x * brightness).clamp(0, 1)
    y = ((y - gray(y).mean((2, 3), keepdim=True)) * contrast + gray(y).mean((2, 3), keepdim=True)).clamp(0, 1)
    y = ((y - gray(y)) * saturation + gray(y)).clamp(0, 1)
    x = jitter * y + (1 - jitter) * x
    to_gray = (u() < 0.2).float().view(b, 1, 1, 1)
    x = to_gray * gray(x).expand(-1, 3, -1, -1) + (1 - to_gray) * x
    return (x - MEAN.to(device)) / STD.to(device)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    parser.add_argument("--json", required=True)
    parser.add_argument("--device", default="cuda", help="cpu only to try the script where there is no GPU")
    args = parser.parse_args()

    device = torch.device(args.device)
    cuda = device.type == "cuda"
    synchronize = torch.cuda.synchronize if cuda else (lambda: None)
    torch.manual_seed(0)
    torch.backends.cudnn.benchmark = True
    model = TauModel().to(device).to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=1e-6)
    generator = torch.Generator(device=device)
    generator.manual_seed(0)
    pool = torch.randint(0, 256, (50_000, 32, 32, 3), dtype=torch.uint8)
    pool = pool.pin_memory() if cuda else pool
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.precision == "bf16")

    def step(v1, v2):
        with autocast:
            loc1, r1 = model(v1.contiguous(memory_format=torch.channels_last))
            loc2, r2 = model(v2.contiguous(memory_format=torch.channels_last))
            loss = tau_simclr_loss(loc1, r1, loc2, r2)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss

    def full_step(i):
        start = (i * args.batch) % (pool.shape[0] - args.batch)
        images = pool[start:start + args.batch].to(device, non_blocking=True)
        return step(views(images, generator), views(images, generator))

    def timed(work, steps):
        for i in range(args.warmup):
            work(i)
        synchronize()
        begin = time.perf_counter()
        for i in range(steps):
            loss = work(i)
        loss.item()
        synchronize()
        return (time.perf_counter() - begin) / steps

    if cuda:
        torch.cuda.reset_peak_memory_stats()
    full = timed(full_step, args.steps)
    images = pool[:args.batch].to(device)
    fixed = (views(images, generator), views(images, generator))
    bare = timed(lambda i: step(*fixed), args.steps)
    result = {"precision": args.precision, "batch": args.batch, "full_step_s": full, "bare_step_s": bare,
              "images_per_s": args.batch / full, "bare_images_per_s": args.batch / bare,
              "peak_memory_gb": torch.cuda.max_memory_allocated() / 2**30 if cuda else None,
              "gpu": torch.cuda.get_device_name() if cuda else "cpu",
              "torch": torch.__version__}
    with open(args.json, "w") as out:
        json.dump(result, out, indent=1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
