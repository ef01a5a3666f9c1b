"""torchvision's own view transforms, for the C++ augmenter's statistical and exact tests.

usage: augmentation_reference.py IN.json OUT.json

IN.json holds "samples" (how many parameter draws), "sizes" ([[height, width], ...] for RandomResizedCrop) and
"jitter": {"images", "shape", "factors" [[brightness, contrast, saturation, hue], ...], "orders" [[0..3], ...]}.
OUT.json gets, drawn by torchvision with a fixed seed:
  "crops": {"HxW": [[top, left, height, width], ...]}   RandomResizedCrop.get_params, scale 0.2-1, ratio 3/4-4/3
  "jitter_orders": [[...], ...], "jitter_factors": [[b, c, s, h], ...]   ColorJitter(0.4, 0.4, 0.4, 0.1).get_params
  "blur_sigmas": [...]                                GaussianBlur(3, (0.1, 2.0)).get_params
and, computed exactly: "jittered" (the given images through adjust_brightness/contrast/saturation/hue in each
image's given order, torchvision's tensor functions) and "normalized" (the same images through Normalize with
ImageNet's statistics).
"""
import json
import sys

import torch
import torchvision.transforms as T
import torchvision.transforms.functional as TF

spec = json.load(open(sys.argv[1]))
samples = spec["samples"]
torch.manual_seed(1234)

crops = {}
for height, width in spec["sizes"]:
    image = torch.empty(3, height, width)
    crops[f"{height}x{width}"] = [list(T.RandomResizedCrop.get_params(image, scale=(0.2, 1.0), ratio=(3 / 4, 4 / 3)))
                                  for _ in range(samples)]

jitter = T.ColorJitter(0.4, 0.4, 0.4, 0.1)
orders, factors = [], []
for _ in range(samples):
    order, b, c, s, h = T.ColorJitter.get_params(jitter.brightness, jitter.contrast, jitter.saturation, jitter.hue)
    orders.append(order.tolist())
    factors.append([b, c, s, h])

blur_sigmas = [T.GaussianBlur.get_params(0.1, 2.0) for _ in range(samples)]

given = spec["jitter"]
images = torch.tensor(given["images"], dtype=torch.float32).reshape(given["shape"])
adjust = [TF.adjust_brightness, TF.adjust_contrast, TF.adjust_saturation, TF.adjust_hue]
jittered = []
for image, factor, order in zip(images, given["factors"], given["orders"]):
    for operation in order:
        image = adjust[operation](image, factor[operation])
    jittered.append(image)
normalized = TF.normalize(images, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])

json.dump({"crops": crops, "jitter_orders": orders, "jitter_factors": factors, "blur_sigmas": blur_sigmas,
           "jittered": torch.stack(jittered).reshape(-1).tolist(), "normalized": normalized.reshape(-1).tolist()},
          open(sys.argv[2], "w"))
