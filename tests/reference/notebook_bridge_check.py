"""Reads what tau export features / weights, tau train and tau ood wrote with packaging/python's tau_explorer, as a
notebook would, and recomputes what can be recomputed independently. Prints one JSON object of measurements.

usage: notebook_bridge_check.py SPEC.json
SPEC: {"package": packaging/python, "idx_images": t10k-images-idx3-ubyte[.gz], "mean", "std",
       "small": {"run", "features", "weights", "eval"}, "resnet": {"features", "weights"}}
"""
import gzip
import json
import sys

import numpy as np
import torch

spec = json.load(open(sys.argv[1]))
sys.path.insert(0, spec["package"])
import tau_explorer as tx  # noqa: E402


def idx_images(path):
    raw = (gzip.open if path.endswith(".gz") else open)(path, "rb").read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def h_of(encoder, images, indices):
    x = torch.tensor(images[indices], dtype=torch.float32).unsqueeze(1) / 255.0
    x = (x - spec["mean"]) / spec["std"]
    encoder.eval()
    with torch.no_grad():
        return encoder(x).double().numpy()


images = idx_images(spec["idx_images"])
out = {}

# The small CNN: weights into tau_explorer.SmallCnn with strict=True, h recomputed against the exported h.
small = spec["small"]
features = tx.read_features(small["features"])
out["sets"] = sorted(features)
test = features["fashion_mnist"]
out["arrays"] = {name: [str(array.dtype), list(array.shape)] for name, array in test.items()}
encoder = tx.SmallCnn(in_channels=1)
state = torch.load(small["weights"])
out["small_keys"] = len(state)
encoder.load_state_dict(state, strict=True)
out["small_h_max_diff"] = float(np.abs(h_of(encoder, images, test["source_index"]) - test["h"]).max())
out["c_is_sigmoid_r"] = float(np.abs(test["c"] - 1 / (1 + np.exp(-test["r"]))).max())
out["index_is_position"] = bool((test["index"] == np.arange(len(test["index"]))).all())

# tau ood's scores.csv read back: its tau column is the exported c of the same images.
evaluation = tx.read_evaluation(small["eval"])
scored = evaluation["sets"]["fashion_mnist"]
out["eval_tau_vs_c"] = float(np.abs(scored["tau"] - test["c"]).max())
out["eval_labels_match"] = bool((scored["label"] == test["label"]).all())
out["eval_auroc"] = evaluation["metrics"]["results"]["gaussian_noise"]["tau"]["auroc"]

# The history: one step record per step, losses finite.
history = tx.read_metrics(small["run"])
out["steps"] = int(len(history["step"]["step"]))
out["step_numbers_unique"] = bool(len(np.unique(history["step"]["step"])) == out["steps"])
out["losses_finite"] = bool(np.isfinite(history["step"]["loss"]).all())
out["epochs"] = int(len(history["epoch"]["epoch"]))

# ResNet-18: the exported state dict into torchvision's resnet18 (3x3 stem, one channel, fc = Identity), strictly.
resnet = spec["resnet"]
resnet_features = tx.read_features(resnet["features"])["fashion_mnist"]
model = tx.torchvision_resnet(18, conv3x3_stem=True, in_channels=1)
model.load_state_dict(torch.load(resnet["weights"]), strict=True)
out["resnet_h_max_diff"] = float(np.abs(h_of(model, images, resnet_features["source_index"]) - resnet_features["h"]).max())
out["resnet_h_scale"] = float(np.abs(resnet_features["h"]).max())
json.dump(out, sys.stdout)
