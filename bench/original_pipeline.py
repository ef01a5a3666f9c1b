"""End-to-end TaU-SimCLR training the original repository's way, for images/s beside `tau train`.

The original feeds PyTorch's DataLoader (one worker process per core) with a Dataset whose __getitem__ cuts two views
of a PIL image with torchvision's transforms, image by image; the step is the small CNN, TaU loss and Adam of
python_reference.py. Fashion-MNIST, the first N training images, batch 256, two epochs; the second one is timed
(the first warms up the workers and the allocator).
usage: original_pipeline.py [IMAGES]
Prints JSON: images/s of the timed epoch, torch's version and threads.
"""
import os
import sys
import time

import json
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset

import python_reference as reference


class TwoViews(Dataset):
    def __init__(self, images):
        self.images = images

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        image = Image.fromarray(self.images[index], mode="L")
        return reference.augment(image), reference.augment(image)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5120
    images = reference.read_idx(f"{reference.ROOT}/train-images-idx3-ubyte.gz")[:count]
    workers = os.cpu_count()
    loader = DataLoader(TwoViews(images), batch_size=256, shuffle=True, drop_last=True, num_workers=workers,
                        persistent_workers=True)
    rate = 0.0
    for epoch in range(2):
        start, seen = time.perf_counter(), 0
        for view1, view2 in loader:
            loss = reference.tau_loss(reference.model(view1), reference.model(view2))
            reference.optimizer.zero_grad()
            loss.backward()
            reference.optimizer.step()
            seen += view1.shape[0]
        rate = seen / (time.perf_counter() - start)
    print(json.dumps({"images_per_s": rate, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "workers": workers}))


if __name__ == "__main__":
    main()
