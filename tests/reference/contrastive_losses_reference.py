"""Reference values for the SimCLR and TaU-SimCLR losses, written straight from the README's "What it trains".

Reads a JSON file with the inputs and the cases, writes the loss and its gradients for each case. It uses
Debian's python3-torch in float64, plain exp/sum/log (no log-sum-exp tricks), so it shares no code or
formulation with the C++ implementation it checks.
"""
import json
import sys

import torch
import torch.nn.functional as F


def contrastive_loss(loc1, loc2, c, c_numerator, t, eps, keep_positive):
    z = F.normalize(torch.cat([loc1, loc2]), dim=1)
    rows = z.shape[0]
    pairs = rows // 2
    cos = z @ z.T
    sim = torch.exp(c[:, None] * cos / t)
    positive = (torch.arange(rows) + pairs) % rows
    mask = ~torch.eye(rows, dtype=torch.bool)
    if not keep_positive:
        mask[torch.arange(rows), positive] = False
    denominator = (sim * mask).sum(dim=1)
    numerator = torch.exp(c_numerator * cos[torch.arange(rows), positive] / t)
    return (-torch.log(numerator / (denominator + eps))).mean()


def evaluate(case, tensors):
    loc1, loc2, r1, r2 = (tensors[k].clone().requires_grad_(True) for k in ("loc1", "loc2", "r1", "r2"))
    if case["kind"] == "ntxent":
        ones = torch.ones(2 * loc1.shape[0], dtype=torch.float64)
        loss = contrastive_loss(loc1, loc2, ones, ones, case["t"], case["eps"], keep_positive=True)
    else:
        c = torch.sigmoid(torch.cat([r1, r2]))
        c_numerator = torch.cat([torch.sigmoid(r1)] * 2) if case["first_view"] else c
        loss = contrastive_loss(loc1, loc2, c, c_numerator, case["t"], case["eps"], keep_positive=case["simclr_mask"])
    loss.backward()

    def grad(x):
        return (x.grad if x.grad is not None else torch.zeros_like(x)).reshape(-1).tolist()

    return {"loss": loss.item(), "grad_loc1": grad(loc1), "grad_loc2": grad(loc2), "grad_r1": grad(r1),
            "grad_r2": grad(r2)}


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    n, d = spec["n"], spec["d"]
    tensors = {
        "loc1": torch.tensor(spec["loc1"], dtype=torch.float64).reshape(n, d),
        "loc2": torch.tensor(spec["loc2"], dtype=torch.float64).reshape(n, d),
        "r1": torch.tensor(spec["r1"], dtype=torch.float64),
        "r2": torch.tensor(spec["r2"], dtype=torch.float64),
    }
    results = [evaluate(case, tensors) for case in spec["cases"]]
    with open(sys.argv[2], "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
