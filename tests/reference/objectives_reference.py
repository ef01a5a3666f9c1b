"""Reference values for the MoCo-v2, TaU-MoCo-v2, HIB and supervised losses, from the README's "What it trains".

Input: JSON {"cases": [{"kind", "params", "inputs": {name: {"shape", "data"}}, "grad": [names]}]}.
Output: JSON [{"loss", "grads": {name: flat list}}]. Float64 throughout, plain formulas (explicit softmax,
explicit Gaussian KL, explicit binary cross-entropy), sharing no code with the C++ under test.
"""
import json
import math
import sys

import torch


def normalize(x):
    return x / x.norm(dim=1, keepdim=True).clamp_min(1e-12)


def moco(inputs, params):
    q, k, queue = normalize(inputs["query"]), normalize(inputs["key"].detach()), inputs["queue"]
    logits = torch.cat([(q * k).sum(1, keepdim=True), q @ queue.T], dim=1)
    if "query_r" in inputs:
        logits = logits * torch.sigmoid(inputs["query_r"])[:, None]
    logits = logits / params["t"]
    log_softmax = logits - torch.log(torch.exp(logits).sum(1, keepdim=True))
    return -log_softmax[:, 0].mean()


def bce(p, target):
    # torch's binary_cross_entropy clamps each log at -100; so does this.
    return -(target * torch.log(p).clamp_min(-100) + (1 - target) * torch.log(1 - p).clamp_min(-100)).mean()


def hib(inputs, params):
    sigma1 = torch.log1p(torch.exp(inputs["r1"]))
    sigma2 = torch.log1p(torch.exp(inputs["r2"]))
    s1 = inputs["loc1"][:, None, :] + sigma1[:, None, None] * inputs["noise1"]
    s2 = inputs["loc2"][:, None, :] + sigma2[:, None, None] * inputs["noise2"]
    a, b = inputs["a"], inputs["b"]

    def match(x, y):
        n, k = x.shape[0], x.shape[1]
        total = torch.zeros(n, dtype=torch.float64)
        for i in range(k):
            for j in range(k):
                d = torch.sqrt(((x[:, i] - y[:, j]) ** 2).sum(1) + 1e-12)
                total = total + torch.sigmoid(-a * d + b)
        return total / (k * k)

    negatives = torch.cat([s2[-1:], s2[:-1]])  # image i meets the second view of image i-1
    p_pos, p_neg = match(s1, s2), match(s1, negatives)

    def kl(loc, sigma):
        d = loc.shape[1]
        var = sigma ** 2
        return (0.5 * (d * var + (loc ** 2).sum(1) - d - d * torch.log(var))).mean()

    return bce(p_pos, 1.0) + bce(p_neg, 0.0) + params["beta"] * (kl(inputs["loc1"], sigma1) + kl(inputs["loc2"], sigma2))


def supervised(inputs, params):
    logits = inputs["logits"]
    labels = inputs["labels"].long()
    log_softmax = logits - torch.log(torch.exp(logits).sum(1, keepdim=True))
    return -log_softmax[torch.arange(len(labels)), labels].mean()


LOSSES = {"moco": moco, "hib": hib, "supervised": supervised}


def main():
    spec = json.load(open(sys.argv[1]))
    results = []
    for case in spec["cases"]:
        inputs = {}
        for name, tensor in case["inputs"].items():
            value = torch.tensor(tensor["data"], dtype=torch.float64).reshape(tensor["shape"])
            inputs[name] = value.requires_grad_(name in case["grad"])
        loss = LOSSES[case["kind"]](inputs, case.get("params", {}))
        loss.backward()
        grads = {}
        for name in case["grad"]:
            g = inputs[name].grad
            grads[name] = (g if g is not None else torch.zeros_like(inputs[name])).reshape(-1).tolist()
        results.append({"loss": loss.item(), "grads": grads})
    json.dump(results, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
