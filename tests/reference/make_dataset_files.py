"""Writes tiny dataset files with independent encoders (scipy's savemat, PIL) for the readers' tests.

usage: make_dataset_files.py KIND FOLDER
  svhn          FOLDER/test_32x32.mat: X 32x32x3x4 uint8 with X[r, c, ch, i] = (r + 2c + 3ch + 5i) % 256, y = 1, 2, 10, 7
  svhn_compressed  the same, zlib-compressed as MATLAB's default
  svhn_no_y     FOLDER/test_32x32.mat with X only
  folder        FOLDER/{cats,dogs}/ PNG, JPEG and BMP images of solid colours, plus broken.png (not an image)
  tinyimagenet  FOLDER/ in Tiny ImageNet's layout with two classes
  rgb_folder    FOLDER/{train,test}/{red,blue}/ 40 seeded noisy 28x28 RGB PNGs per class and split
"""
import os
import sys

import numpy as np
import scipy.io
from PIL import Image

kind, folder = sys.argv[1], sys.argv[2]
os.makedirs(folder, exist_ok=True)


def svhn_images():
    r, c, ch, i = np.meshgrid(np.arange(32), np.arange(32), np.arange(3), np.arange(4), indexing="ij")
    return ((r + 2 * c + 3 * ch + 5 * i) % 256).astype(np.uint8)


def solid(path, colour, size=(40, 30), fmt=None):
    Image.new("RGB", size, colour).save(path, fmt)


if kind == "svhn":
    scipy.io.savemat(os.path.join(folder, "test_32x32.mat"),
                     {"X": svhn_images(), "y": np.array([[1], [2], [10], [7]], dtype=np.uint8)})
elif kind == "svhn_compressed":
    scipy.io.savemat(os.path.join(folder, "test_32x32.mat"),
                     {"X": svhn_images(), "y": np.array([[1], [2], [10], [7]], dtype=np.uint8)}, do_compression=True)
elif kind == "svhn_no_y":
    scipy.io.savemat(os.path.join(folder, "test_32x32.mat"), {"X": svhn_images()})
elif kind == "rgb_folder":
    rng = np.random.default_rng(7)
    for split in ("train", "test"):
        for name, channel in (("red", 0), ("blue", 2)):
            os.makedirs(os.path.join(folder, split, name), exist_ok=True)
            for i in range(40):
                pixels = rng.integers(0, 90, size=(28, 28, 3), dtype=np.uint8)
                pixels[:, :, channel] += 150
                Image.fromarray(pixels, "RGB").save(os.path.join(folder, split, name, "%02d.png" % i))
elif kind == "folder":
    for name, colour in (("cats", (200, 10, 10)), ("dogs", (10, 10, 200))):
        os.makedirs(os.path.join(folder, name), exist_ok=True)
        solid(os.path.join(folder, name, "a.png"), colour)
        solid(os.path.join(folder, name, "b.jpg"), colour, fmt="JPEG")
        solid(os.path.join(folder, name, "c.bmp"), colour, fmt="BMP")
    with open(os.path.join(folder, "dogs", "broken.png"), "wb") as f:
        f.write(b"\x89PNG but not really")
elif kind == "tinyimagenet":
    wnids = ["n01443537", "n01629819"]
    with open(os.path.join(folder, "wnids.txt"), "w") as f:
        f.write("\n".join(wnids) + "\n")
    for k, wnid in enumerate(wnids):
        images = os.path.join(folder, "train", wnid, "images")
        os.makedirs(images, exist_ok=True)
        for j in range(3):
            solid(os.path.join(images, f"{wnid}_{j}.JPEG"), (100 * k, 50, 20 * j), size=(64, 64), fmt="JPEG")
    os.makedirs(os.path.join(folder, "val", "images"), exist_ok=True)
    with open(os.path.join(folder, "val", "val_annotations.txt"), "w") as f:
        for j, wnid in enumerate([wnids[1], wnids[0], wnids[1]]):
            solid(os.path.join(folder, "val", "images", f"val_{j}.JPEG"), (10, 20, 30), size=(64, 64), fmt="JPEG")
            f.write(f"val_{j}.JPEG\t{wnid}\t0\t0\t63\t63\n")
else:
    sys.exit("unknown kind " + kind)
