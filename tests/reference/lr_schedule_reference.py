"""The original repository's per-step learning-rate array, built the way it builds it: np.linspace from start_lr
to lr over the warm-up steps, then a cosine from lr to final_lr over the remaining steps.

usage: lr_schedule_reference.py IN.json OUT.json
IN: [{"start", "peak", "final", "warmup_epochs", "epochs", "iters"}, ...]   OUT: [[lr per step], ...]
"""
import json
import sys

import numpy as np

arrays = []
for case in json.load(open(sys.argv[1])):
    iters, warmup_epochs, epochs = case["iters"], case["warmup_epochs"], case["epochs"]
    warmup = np.linspace(case["start"], case["peak"], iters * warmup_epochs)
    steps = np.arange(iters * (epochs - warmup_epochs))
    cosine = case["final"] + 0.5 * (case["peak"] - case["final"]) * (
        1 + np.cos(np.pi * steps / (iters * (epochs - warmup_epochs))))
    arrays.append(np.concatenate((warmup, cosine)).tolist())
json.dump(arrays, open(sys.argv[2], "w"))
