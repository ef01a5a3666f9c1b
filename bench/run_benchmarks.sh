#!/usr/bin/env bash
# Runs the C++ benchmarks and the Python reference in one go and writes docs/performance.md.
# usage: run_benchmarks.sh BUILD_DIR REPO_ROOT
set -euo pipefail
BUILD="$1"
ROOT="$2"
OUT="$ROOT/docs/performance.md"
cpp_json="$(mktemp)"
"$BUILD/bench/tau_benchmarks" --benchmark_format=json --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true >"$cpp_json"
python_json="$(/usr/bin/python3 "$ROOT/bench/python_reference.py")"

/usr/bin/python3 - "$cpp_json" "$python_json" "$OUT" <<'PY'
import json, platform, subprocess, sys, datetime
cpp = json.load(open(sys.argv[1]))
py = json.loads(sys.argv[2])
def median_ms(name):
    for b in cpp["benchmarks"]:
        if b["name"].startswith(name + "/") and b["name"].endswith("_median") or b["name"] == f"{name}_median":
            return b["real_time"]  # already in ms (Unit kMillisecond)
    raise KeyError(name)
rows = [("Load Fashion-MNIST train (60,000 images, gzipped IDX)", "loadFashionMnistTrain", "load",
         "gzip + numpy into a torch tensor"),
        ("Two SimCLR views of 256 images", "twoViewsOfABatch", "views",
         "torchvision PIL transforms, image by image (the original's way)"),
        ("One TaU-SimCLR training step, small CNN, batch 256", "tauSimclrTrainingStep", "step",
         "the same model, loss and Adam in Python torch"),
        ("AUROC and ROC points on 10^6 scores", "aurocAndRocOnAMillionScores", "auroc",
         "scikit-learn roc_auc_score + roc_curve")]
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
lines = ["# Performance", "",
         "Measured by `./tau bench` (bench/run_benchmarks.sh): Google Benchmark for the C++ core (median of 3",
         "repetitions) and bench/python_reference.py for the same work in Python, in the same run, so the",
         "ratio is what to read: machines here are noisy.", "",
         f"Machine: {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores; "
         f"{platform.platform()}; Python torch {py['torch']} with {py['threads']} threads. "
         f"Date: {datetime.date.today().isoformat()}.", "",
         "| what | C++ (ms) | Python (ms) | Python / C++ | Python side |", "|---|---|---|---|---|"]
for title, cpp_name, py_name, note in rows:
    c = median_ms(cpp_name)
    p = py[py_name] * 1000.0
    lines.append(f"| {title} | {c:.1f} | {p:.1f} | {p / c:.2f}x | {note} |")
lines += ["", "Fashion-MNIST's training split is held as uint8: 60,000 x 28 x 28 = 47 MB.", "",
          "## Scoring throughput (C++, small CNN, batches of 256, what `tau ood` computes per batch)", "",
          "| score | images/s |", "|---|---|"]
for b in cpp["benchmarks"]:
    if b["name"].startswith("scoringThroughput/") and b["name"].endswith("_median"):
        lines.append(f"| {b.get('label', b['name'])} | {b['items_per_second']:.0f} |")
lines.append("")
open(sys.argv[3], "w").write("\n".join(lines))
print("\n".join(lines))
PY
rm -f "$cpp_json"
