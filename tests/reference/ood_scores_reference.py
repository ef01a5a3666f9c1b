"""Every OOD score recomputed per image from a model's exported outputs, from the scores' definitions (the README's "OOD detection").

usage: ood_scores_reference.py IN.json
IN.json (written by tst_ood_evaluation):
  {"scores": [...], "options": {...}, "sets": [{"name", "loc", "r", "features", "labels",
   "passes" (mc_dropout: T x N x d), "members" (ensemble: K x N x d), "inputs" (odin: N x C x H x W)}],
   "train": {"loc", "features", "labels", "r"} (knn, mahalanobis, tau_mahalanobis), "weights": {name: {"shape", "values"}} (odin)}
prints {"set name": {"score": [one value per image]}}, and for odin also "odin_logits" (the rebuilt network's
logits, so a test can tell a wrong network from a wrong score).

The network ODIN needs is rebuilt in PyTorch from the exported weights (the small CNN with a linear classifier,
as core/models/contrastive_model.cpp describes it), and the perturbation is taken in pixel space, as Liang et al.
define it, then normalised again; the tool takes it in normalised space divided by each channel's std.
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.covariance import EmpiricalCovariance
from sklearn.neighbors import NearestNeighbors


def unit(rows):
    rows = np.asarray(rows, dtype=np.float64)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def spread_score(embeddings):
    """Minus the mean over dimensions of the sample standard deviation (ddof 1) across passes or members."""
    stacked = np.stack([unit(e) for e in embeddings])  # [T, N, d]
    return -stacked.std(axis=0, ddof=1).mean(axis=1)


def knn_score(query, reference, options, query_is_reference):
    k = options["knn_k"]
    search = NearestNeighbors(n_neighbors=k + (1 if query_is_reference else 0)).fit(unit(reference))
    distances, indices = search.kneighbors(unit(query))
    if query_is_reference:  # each image is not its own neighbour
        kept = [np.delete(d, np.where(i == row)[0][:1])[:k] for row, (d, i) in enumerate(zip(distances, indices))]
        distances = np.stack(kept)
    aggregate = distances.max(axis=1) if options["knn_aggregate"] == "max" else distances.mean(axis=1)
    return -aggregate


def mahalanobis_score(query, train, labels):
    train = np.asarray(train, dtype=np.float64)
    labels = np.maximum(np.asarray(labels), 0)  # unlabelled: one class
    classes = np.unique(labels)
    means = np.stack([train[labels == c].mean(axis=0) for c in classes])
    covariance = EmpiricalCovariance(assume_centered=True).fit(train - means[np.searchsorted(classes, labels)])
    query = np.asarray(query, dtype=np.float64)
    return -np.stack([covariance.mahalanobis(query - m) for m in means], axis=1).min(axis=1)


def standardised(values, reference):
    """In units of the reference's sample standard deviation (ddof 1) around its mean."""
    reference = np.asarray(reference, dtype=np.float64)
    return (np.asarray(values, dtype=np.float64) - reference.mean()) / reference.std(ddof=1)


def certainty_density_score(data, train):
    """tau_mahalanobis: z(c) + z(mahalanobis), both standardised on the ID training images' own values."""
    def certainty(part):
        return 1.0 / (1.0 + np.exp(-np.asarray(part["r"], dtype=np.float64)))

    density = mahalanobis_score(data["features"], train["features"], train["labels"])
    train_density = mahalanobis_score(train["features"], train["features"], train["labels"])
    return standardised(certainty(data), certainty(train)) + standardised(density, train_density)


class SmallCnnClassifier(torch.nn.Module):
    """conv3x3-BN-ReLU-maxpool, conv3x3-BN-ReLU-maxpool, conv3x3-BN-ReLU, global average pool, Linear."""

    def __init__(self, weights):
        super().__init__()
        tensor = {name: torch.tensor(w["values"], dtype=torch.float32).reshape(w["shape"]) for name, w in weights.items()}
        self.stages = []
        for conv, bn in [(0, 1), (4, 5), (8, 9)]:
            self.stages.append((tensor[f"encoder.layers.{conv}.weight"],
                                {key: tensor[f"encoder.layers.{bn}.{key}"]
                                 for key in ["weight", "bias", "running_mean", "running_var"]}))
        self.fc_weight = tensor["classifier.weight"]
        self.fc_bias = tensor["classifier.bias"]

    def forward(self, x):
        for index, (conv, bn) in enumerate(self.stages):
            x = F.conv2d(x, conv, padding=1)
            x = F.batch_norm(x, bn["running_mean"], bn["running_var"], bn["weight"], bn["bias"], training=False, eps=1e-5)
            x = F.relu(x)
            if index < 2:
                x = F.max_pool2d(x, 2)
        return F.linear(x.mean(dim=(2, 3)), self.fc_weight, self.fc_bias)


def odin_score(network, inputs, options):
    mean = torch.tensor(options["mean"]).view(1, -1, 1, 1)
    std = torch.tensor(options["std"]).view(1, -1, 1, 1)
    temperature, epsilon = options["odin_temperature"], options["odin_epsilon"]
    pixels = (torch.tensor(inputs, dtype=torch.float32) * std + mean).requires_grad_(True)
    logits = network((pixels - mean) / std) / temperature
    # Liang et al.: x~ = x - eps * sign(-grad_x log S_yhat(x; T)), yhat the predicted class.
    log_top = torch.log_softmax(logits, dim=1).max(dim=1).values
    (-log_top.sum()).backward()
    perturbed = (pixels - epsilon * pixels.grad.sign()).detach()
    with torch.no_grad():
        scaled = network((perturbed - mean) / std).double() / temperature
    return torch.softmax(scaled, dim=1).max(dim=1).values.tolist(), (logits * temperature).detach().tolist()


def main():
    spec = json.load(open(sys.argv[1]))
    options = spec["options"]
    network = SmallCnnClassifier(spec["weights"]) if "odin" in spec["scores"] else None
    test_set = spec["sets"][0]
    result = {}
    for index, data in enumerate(spec["sets"]):
        scores = {}
        r = np.asarray(data.get("r", []), dtype=np.float64)
        logits = np.asarray(data["loc"], dtype=np.float64)
        for name in spec["scores"]:
            if name == "tau":
                scores[name] = 1.0 / (1.0 + np.exp(-r))
            elif name == "tau_repo":
                scores[name] = r ** 2
            elif name == "hib":
                scores[name] = -np.log1p(np.exp(r)) ** 2
            elif name == "msp":
                shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
                scores[name] = (shifted / shifted.sum(axis=1, keepdims=True)).max(axis=1)
            elif name == "energy":
                top = logits.max(axis=1)
                scores[name] = top + np.log(np.exp(logits - top[:, None]).sum(axis=1))
            elif name == "mc_dropout":
                scores[name] = spread_score(data["passes"])
            elif name == "ensemble":
                scores[name] = spread_score([data["loc"]] + data["members"])
            elif name == "knn":
                if options["knn_test_reference"]:
                    scores[name] = knn_score(data["loc"], test_set["loc"], options, query_is_reference=index == 0)
                else:
                    scores[name] = knn_score(data["loc"], spec["train"]["loc"], options, query_is_reference=False)
            elif name == "mahalanobis":
                scores[name] = mahalanobis_score(data["features"], spec["train"]["features"], spec["train"]["labels"])
            elif name == "tau_mahalanobis":
                scores[name] = certainty_density_score(data, spec["train"])
            elif name == "odin":
                scores[name], scores["odin_logits"] = odin_score(network, data["inputs"], options)
            else:
                raise SystemExit(f"ood_scores_reference.py: no reference for score '{name}'")
        result[data["name"]] = {key: np.asarray(values).tolist() for key, values in scores.items()}
    json.dump(result, sys.stdout)


main()
