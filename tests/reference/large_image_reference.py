"""A non-square photo-like image and what torchvision makes of it, for the ImageNet-sized transforms' tests.

usage: large_image_reference.py FOLDER
writes FOLDER/{train,test}/scene/scene.png (400x300 RGB: smooth gradients, discs and stripes, so that a shifted or
rescaled field of view changes the pixels), and beside the folders, as raw uint8 HWC files of 224x224x3:
  evaluation.bin     Resize(256) + CenterCrop(224), the original's evaluation transform (PIL bilinear)
  short224.bin       Resize(224) + CenterCrop(224), the field of view the tool had before (to show the test bites)
  view_whole.bin     resized_crop of the whole image (top 0, left 0, 300 x 400) to 224x224
  view_box.bin       resized_crop of rows 30..229 and columns 100..349 to 224x224
"""
import os
import sys

import numpy as np
import torchvision.transforms as T
import torchvision.transforms.functional as TF
from PIL import Image

folder = sys.argv[1]
height, width = 300, 400
y, x = np.mgrid[0:height, 0:width].astype(np.float64)
red = 127 + 100 * np.sin(x / 37.0) * np.cos(y / 53.0)
green = 255 * x / width
blue = 255 * y / height
for cy, cx, radius in [(80, 90, 40), (200, 300, 60), (150, 200, 25)]:
    disc = (y - cy) ** 2 + (x - cx) ** 2 < radius ** 2
    red[disc], green[disc] = 250, 20
blue += 40 * ((x // 25) % 2)
pixels = np.clip(np.stack([red, green, blue], axis=2), 0, 255).round().astype(np.uint8)
image = Image.fromarray(pixels, "RGB")

for split in ["train", "test"]:
    os.makedirs(os.path.join(folder, split, "scene"), exist_ok=True)
    image.save(os.path.join(folder, split, "scene", "scene.png"))


def write(name, result):
    np.asarray(result, dtype=np.uint8).tofile(os.path.join(folder, name))


bilinear = T.InterpolationMode.BILINEAR
write("evaluation.bin", T.Compose([T.Resize(256, interpolation=bilinear), T.CenterCrop(224)])(image))
write("short224.bin", T.Compose([T.Resize(224, interpolation=bilinear), T.CenterCrop(224)])(image))
write("view_whole.bin", TF.resized_crop(image, 0, 0, height, width, [224, 224], interpolation=bilinear))
write("view_box.bin", TF.resized_crop(image, 30, 100, 200, 250, [224, 224], interpolation=bilinear))
