#!/usr/bin/env python3
"""Tables of the reproduction study: mean ± std over seeds of AUROC and FPR@95 per method and OOD set, and
linear-evaluation accuracy per encoder. Replaces what lies between the markers in docs/results.md.
usage: summarize.py RUNS_DIR RESULTS_MD [OOD_SETS]"""
import json
import os
import statistics
import sys

RUNS, RESULTS = sys.argv[1], sys.argv[2]
TITLES = {"mnist": "MNIST", "fashion_mnist@8+9": "held-out classes (Bag, Ankle boot)", "svhn": "SVHN",
          "cifar100": "CIFAR-100", "gaussian_noise": "Gaussian noise", "inverted": "inverted images"}
OOD_SETS = [(name, TITLES.get(name, name)) for name in
            (sys.argv[3] if len(sys.argv) > 3 else "mnist,fashion_mnist@8+9,gaussian_noise,inverted").split(",")]
SEEDS = [1, 2, 3]
SIMCLR = ["simclr_s1", "simclr_s6", "simclr_s11"]  # the first member of each ensemble
# (method, runs, score) rows; the kNN rows on TaU features show what the same encoders give another score.
METHODS = [("TaU-SimCLR (c)", [f"tau_simclr_s{s}" for s in SEEDS], "tau"),
           ("TaU-MoCo-v2 (c)", [f"tau_mocov2_s{s}" for s in SEEDS], "tau"),
           ("SimCLR + kNN", SIMCLR, "knn"),
           ("MC dropout (10 passes)", [f"mc_dropout_s{s}" for s in SEEDS], "mc_dropout"),
           ("Ensemble of 5 SimCLR", SIMCLR, "ensemble"),
           ("HIB", [f"hib_s{s}" for s in SEEDS], "hib"),
           ("kNN on TaU-SimCLR features", [f"tau_simclr_s{s}" for s in SEEDS], "knn"),
           ("kNN on TaU-MoCo-v2 features", [f"tau_mocov2_s{s}" for s in SEEDS], "knn")]
ENCODERS = [("TaU-SimCLR", "tau_simclr_s"), ("TaU-MoCo-v2", "tau_mocov2_s"), ("SimCLR", None),
            ("MC dropout (SimCLR with dropout)", "mc_dropout_s"), ("HIB", "hib_s")]


def read(path):
    with open(path) as file:
        return json.load(file)


def cell(values, digits=3):
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def metric_table(metric, title):
    lines = [f"### {title}", "", "| method | " + " | ".join(name for _, name in OOD_SETS) + " | mean |",
             "|---|" + "---|" * (len(OOD_SETS) + 1)]
    for method, runs, score in METHODS:
        cells, means = [], []
        for ood, _ in OOD_SETS:
            values = [read(f"{RUNS}/{run}/eval/study/metrics.json")["results"][ood][score][metric] for run in runs
                      if os.path.exists(f"{RUNS}/{run}/eval/study/metrics.json")]
            cells.append(cell(values))
            means.append(statistics.mean(values) if values else float("nan"))
        lines.append(f"| {method} | " + " | ".join(cells) + f" | {statistics.mean(means):.3f} |")
    return lines


def linear_table():
    lines = ["### Linear evaluation (top-1 on the in-distribution classes, frozen h)", "",
             "| encoder | top-1 |", "|---|---|"]
    for name, prefix in ENCODERS:
        runs = SIMCLR if prefix is None else [f"{prefix}{s}" for s in SEEDS]
        values = [read(f"{RUNS}/{run}/eval/study_linear/metrics.json")["linear_top1"] for run in runs
                  if os.path.exists(f"{RUNS}/{run}/eval/study_linear/metrics.json")]
        lines.append(f"| {name} | {cell(values)} |")
    return lines


tables = (metric_table("auroc", "AUROC (higher is better; 0.5 is chance)") + [""] +
          metric_table("fpr95", "FPR@95 (lower is better): OOD images accepted when 95% of ID images are kept") +
          [""] + linear_table())
begin, end = "<!-- tables:begin (configs/study/summarize.py) -->", "<!-- tables:end -->"
text = open(RESULTS).read() if os.path.exists(RESULTS) else f"# Results\n\n{begin}\n{end}\n"
head, rest = text.split(begin, 1)
tail = rest.split(end, 1)[1]
open(RESULTS, "w").write(head + begin + "\n" + "\n".join(tables) + "\n" + end + tail)
print("\n".join(tables))
