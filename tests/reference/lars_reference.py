"""LARS around Adam or SGD, written from its definition, for the C++ optimizer's test.

For each parameter p with gradient g in a group with weight decay wd, when |p| and |g| are non-zero:
    g <- (g + wd p) * eta |p| / (|g| + wd |p| + 1e-8)
then the inner optimizer steps with weight decay 0. "exclusion" says what happens to the 1-D parameters
(biases, BatchNorm weights): "none", nothing; "ours", wd = 0 and no LARS; "original", the original repository's
exclude_from_wt_decay under its LARSWrapper: wd = 0, and LARS still rescales them (with that wd of 0).
"""
import json
import sys

import torch

spec = json.load(open(sys.argv[1]))
params = [torch.tensor(p["data"], dtype=torch.float64).reshape(p["shape"]).requires_grad_(True) for p in spec["params"]]
grads = [[torch.tensor(g, dtype=torch.float64).reshape(p.shape) for g, p in zip(step, params)] for step in spec["grads"]]
exclusion = spec["exclusion"]
excluded = [p.dim() <= 1 and exclusion != "none" for p in params]
regular = [p for p, e in zip(params, excluded) if not e]
others = [p for p, e in zip(params, excluded) if e]
wd = spec["weight_decay"]
groups = [{"params": regular, "weight_decay": 0.0}]
if others:
    groups.append({"params": others, "weight_decay": 0.0})
if spec["optimizer"] == "adam":
    opt = torch.optim.Adam(groups, lr=spec["lr"])
else:
    opt = torch.optim.SGD(groups, lr=spec["lr"], momentum=spec["momentum"])

for step_grads in grads:
    for p, g, e in zip(params, step_grads, excluded):
        p.grad = g.clone()
        decay = 0.0 if e else wd
        if spec["lars"] and (not e or exclusion == "original"):
            pn, gn = p.detach().norm().item(), g.norm().item()
            if pn != 0 and gn != 0:
                trust = spec["eta"] * pn / (gn + pn * decay + 1e-8)
                p.grad = (p.grad + decay * p.detach()) * trust
        elif not e:
            p.grad = p.grad + wd * p.detach()  # plain weight decay, as torch's optimizers add it
    opt.step()
json.dump([p.detach().reshape(-1).tolist() for p in params], open(sys.argv[2], "w"))
