"""torchvision's adjust_hue on the images and shifts given, for the C++ hue jitter's test."""
import json
import sys

import torch
import torchvision.transforms.functional as TF

spec = json.load(open(sys.argv[1]))
images = torch.tensor(spec["images"], dtype=torch.float32).reshape(spec["shape"])
out = torch.stack([TF.adjust_hue(image, shift) for image, shift in zip(images, spec["shifts"])])
json.dump(out.reshape(-1).tolist(), open(sys.argv[2], "w"))
