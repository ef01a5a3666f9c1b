"""A PyTorch loop of linear evaluation on given features, written from its description (the README's "Representations, embeddings and rankings"):
nn.Linear initialised after torch.manual_seed(seed); SGD with momentum and weight decay; per step, a cosine from
the learning rate to 0 over all steps (LambdaLR); each epoch a permutation from a generator seeded with seed,
cut into batches with the last partial one dropped; test top-1 after every epoch.

usage: linear_eval_reference.py IN.json OUT.json   (OUT: {"history": [...], "weight": [...], "bias": [...]})
"""
import json
import math
import sys

import torch
import torch.nn.functional as F

spec = json.load(open(sys.argv[1]))
dim, classes, seed = spec["dim"], spec["classes"], spec["seed"]
train = torch.tensor(spec["train"], dtype=torch.float32).reshape(-1, dim)
train_labels = torch.tensor(spec["train_labels"], dtype=torch.long)
test = torch.tensor(spec["test"], dtype=torch.float32).reshape(-1, dim)
test_labels = torch.tensor(spec["test_labels"], dtype=torch.long)

torch.manual_seed(seed)
head = torch.nn.Linear(dim, classes)
optimizer = torch.optim.SGD(head.parameters(), lr=spec["lr"], momentum=spec["momentum"],
                            weight_decay=spec["weight_decay"])
steps_per_epoch = max(1, len(train) // spec["batch_size"])
total = steps_per_epoch * spec["epochs"]
schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * step / total)))
generator = torch.Generator()
generator.manual_seed(seed)
history = []
for epoch in range(spec["epochs"]):
    order = torch.randperm(len(train), generator=generator)
    for s in range(steps_per_epoch):
        batch = order[s * spec["batch_size"]:(s + 1) * spec["batch_size"]]
        loss = F.cross_entropy(head(train[batch]), train_labels[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
    with torch.no_grad():
        history.append((head(test).argmax(1) == test_labels).double().mean().item())
json.dump({"history": history, "weight": head.weight.detach().reshape(-1).tolist(),
           "bias": head.bias.detach().tolist()}, open(sys.argv[2], "w"))
