"""Parameter and buffer names and shapes of torchvision's ResNets without fc, for the C++ ResNet's tests, and the
spread (std, largest magnitude) of the initial weights of its first convolutions."""
import json
import sys

import torch
import torchvision

result = {}
for name, builder, conv3x3 in [("resnet18", torchvision.models.resnet18, True),
                               ("resnet18_imagenet_stem", torchvision.models.resnet18, False),
                               ("resnet50", torchvision.models.resnet50, False)]:
    model = builder()
    if conv3x3:  # the CIFAR stem used by the original TaU code
        model.conv1 = torch.nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        model.maxpool = torch.nn.Identity()
    shapes = {key: list(value.shape) for key, value in model.state_dict().items() if not key.startswith("fc.")}
    result[name] = {"shapes": shapes, "parameters": sum(p.numel() for k, p in model.named_parameters() if not k.startswith("fc.")),
                    "init": {key: {"std": model.state_dict()[key].std().item(),
                                   "max": model.state_dict()[key].abs().max().item()}
                             for key in ["conv1.weight", "layer1.0.conv1.weight"]}}
json.dump(result, sys.stdout)
