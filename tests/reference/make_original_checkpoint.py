"""Builds a small model in the original repository's module layout, saves it the original's way (a PyTorch
Lightning-style checkpoint), and saves a seeded input with the model's outputs for comparison.
usage: make_original_checkpoint.py OUT_DIR [resnet|supervised]"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class OriginalLayoutResNet(nn.Module):
    """The original's layout (src/models/resnet.py): features (torchvision children minus fc, 3x3 stem),
    then l1, bn, l2 with one extra output for the temperature."""

    def __init__(self, out_dim=128):
        super().__init__()
        resnet = torchvision.models.resnet18()
        resnet.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
        resnet.maxpool = nn.Identity()
        self.features = nn.Sequential(*list(resnet.children())[:-1])
        self.l1 = nn.Linear(512, 512)
        self.l2 = nn.Linear(512, out_dim + 1, bias=False)
        self.bn = nn.BatchNorm1d(512)

    def forward(self, x):
        h = self.features(x).flatten(1)
        z = self.l2(F.relu(self.bn(self.l1(h))))
        return h, z[:, :-1], z[:, -1]


class OriginalSupResNet(nn.Module):
    def __init__(self):
        super().__init__()
        resnet = torchvision.models.resnet18(num_classes=10)
        resnet.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
        resnet.maxpool = nn.Identity()
        self.resnet = resnet

    def forward(self, x):
        trunk = nn.Sequential(*list(self.resnet.children())[:-1])
        h = trunk(x).flatten(1)
        return h, self.resnet.fc(h), None


def randomise_batch_norm(model, generator):
    # Trained running statistics, so eval-mode BatchNorm does something a wrong mapping would show.
    for module in model.modules():
        if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            module.running_mean.copy_(torch.randn(module.running_mean.shape, generator=generator) * 0.1)
            module.running_var.copy_(torch.rand(module.running_var.shape, generator=generator) + 0.5)
            module.weight.data.copy_(torch.rand(module.weight.shape, generator=generator) + 0.5)
            module.bias.data.copy_(torch.randn(module.bias.shape, generator=generator) * 0.1)


def main():
    out_dir, kind = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "resnet")
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    model = OriginalLayoutResNet() if kind == "resnet" else OriginalSupResNet()
    with torch.no_grad():
        randomise_batch_norm(model, generator)
    model.eval()
    x = torch.randn(4, 3, 32, 32, generator=generator)
    with torch.no_grad():
        h, loc, r = model(x)
    state = {"model." + k: v for k, v in model.state_dict().items()}
    if kind == "resnet":  # what a MoCo checkpoint keeps beside the model, which the converter leaves out
        state["model_k.l1.weight"] = model.l1.weight.clone()
        state["queue"] = torch.randn(128, 16, generator=generator)
    checkpoint = {"epoch": 199, "global_step": 77999, "pytorch-lightning_version": "1.1.8", "state_dict": state,
                  "optimizer_states": [], "lr_schedulers": [], "hyper_parameters": {"exp_name": "converted"}}
    os.makedirs(out_dir, exist_ok=True)
    torch.save(checkpoint, os.path.join(out_dir, "epoch=199-step=77999.ckpt"))
    outputs = {"input": x, "h": h, "loc": loc}
    if r is not None:
        outputs["r"] = r
    torch.save(outputs, os.path.join(out_dir, "reference_outputs.pt"))


if __name__ == "__main__":
    main()
