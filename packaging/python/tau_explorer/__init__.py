"""Read what TaU Explorer writes into NumPy: a run's history, an evaluation folder, exported features and weights.

    import sys; sys.path.insert(0, "packaging/python")   # or copy the tau_explorer folder beside a notebook
    import tau_explorer as tx
    history = tx.read_metrics("runs/tau_simclr")          # step, epoch and event records
    history["step"]["loss"]                                # one float per recorded step, NaN where absent
    scores = tx.read_evaluation("runs/tau_simclr/eval/ood")
    scores["sets"]["mnist"]["tau"]                         # the score of every image of a set
    features = tx.read_features("runs/tau_simclr/exports/features")
    features["fashion_mnist"]["h"]                         # float32 [N, D]

    encoder = tx.SmallCnn(in_channels=1)                   # for a small_cnn run (torch needed)
    encoder.load_state_dict(torch.load("encoder.pt"), strict=True)

Only NumPy is needed for the readers; torch only for SmallCnn and torchvision_resnet.
"""
import csv
import json
import math
import os
import warnings

import numpy as np

__all__ = ["read_metrics", "read_evaluation", "read_features", "SmallCnn", "torchvision_resnet"]


def _columns(records):
    """Records (dicts) -> {key: array}: numbers as float64 with NaN where a record lacks the key, others as lists."""
    keys = []
    for record in records:
        keys.extend(key for key in record if key not in keys)
    columns = {}
    for key in keys:
        values = [record.get(key) for record in records]
        if all(value is None or isinstance(value, (int, float)) and not isinstance(value, bool) for value in values):
            columns[key] = np.array([math.nan if value is None else value for value in values], dtype=np.float64)
        else:
            columns[key] = values
    return columns


SCHEMA = 1  # the metrics.jsonl schema this module reads (its header record: {"type": "header", "schema": 1})


def read_metrics(run):
    """A run's metrics.jsonl (the run folder or the file) -> {"step": {...}, "epoch": {...}, "event": [...], "schema": n}.

    "step" and "epoch" map each key to one value per record (float64 arrays for numbers, wall_time included; nested
    objects such as c_hist stay lists of dicts); "event" is the list of event records; "schema" is the header's
    (0 for a file written before there was one). Lines that are not a JSON object of a known type (a line torn by a
    crash) are skipped with a warning naming the file and line, as the tool does.
    """
    path = os.path.join(run, "metrics.jsonl") if os.path.isdir(run) else run
    by_type = {"step": [], "epoch": [], "event": [], "header": []}
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                record = json.loads(line)
                by_type[record["type"]].append(record)
            except (ValueError, KeyError, TypeError):
                if line.strip():
                    warnings.warn(f"{path}:{number}: not a metrics record; skipped")
    schema = by_type["header"][0].get("schema", 0) if by_type["header"] else 0
    if schema > SCHEMA:
        warnings.warn(f"{path}: schema {schema}, newer than this module's {SCHEMA}: some keys may be misread")
    return {"step": _columns(by_type["step"]), "epoch": _columns(by_type["epoch"]), "event": by_type["event"],
            "schema": schema}


def read_evaluation(folder):
    """An eval folder of tau ood -> {"metrics": metrics.json, "sets": {set: {"index", "label", score...: array}}}."""
    with open(os.path.join(folder, "metrics.json"), encoding="utf-8") as file:
        metrics = json.load(file)
    sets = {}
    with open(os.path.join(folder, "scores.csv"), newline="", encoding="utf-8") as file:
        reader = csv.reader(file)
        header = next(reader)
        rows = {}
        for row in reader:
            rows.setdefault(row[0], []).append(row[1:])
    for name, values in rows.items():
        table = {}
        for column, key in enumerate(header[1:]):
            cells = [row[column] for row in values]
            table[key] = np.array(cells, dtype=np.int64 if key in ("index", "label") else np.float64)
        sets[name] = table
    return {"metrics": metrics, "sets": sets}


def read_features(folder):
    """The folder of tau export features -> {set: {"h", "loc", "r", "c", "label", "index": array}}."""
    result = {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if os.path.isdir(path):
            result[name] = {file[:-4]: np.load(os.path.join(path, file), allow_pickle=False)
                            for file in sorted(os.listdir(path)) if file.endswith(".npy")}
    return result


def SmallCnn(in_channels=1, dropout=0.0):
    """The small CNN of TaU Explorer (model.encoder: small_cnn) with the parameter names of its exported weights:
    three conv3x3-BatchNorm-ReLU stages (32, 64, 128 channels; 2x2 max-pools after the first two; dropout2d after
    each stage when the run used model.mc_dropout), global average pooling -> h of 128."""
    import torch.nn as nn

    layers = []
    for index, (inputs, outputs) in enumerate([(in_channels, 32), (32, 64), (64, 128)]):
        layers += [nn.Conv2d(inputs, outputs, 3, padding=1, bias=False), nn.BatchNorm2d(outputs), nn.ReLU()]
        if dropout > 0:
            layers.append(nn.Dropout2d(dropout))
        if index < 2:
            layers.append(nn.MaxPool2d(2))
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.Sequential(*layers)

        def forward(self, images):
            return self.layers(images)

    return Encoder()


def torchvision_resnet(depth=18, conv3x3_stem=False, in_channels=3):
    """A torchvision ResNet shaped like a TaU Explorer encoder (no fc; the 3x3 stem without max-pool where the run
    used one, model.conv3x3), ready for load_state_dict(torch.load(weights), strict=True)."""
    import torch.nn as nn
    import torchvision

    model = {18: torchvision.models.resnet18, 50: torchvision.models.resnet50}[depth]()
    if conv3x3_stem:
        model.conv1 = nn.Conv2d(in_channels, 64, 3, 1, 1, bias=False)
        model.maxpool = nn.Identity()
    elif in_channels != 3:
        model.conv1 = nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)
    model.fc = nn.Identity()
    return model
