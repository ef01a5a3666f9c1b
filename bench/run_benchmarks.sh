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

# The GUI's cost to training: the same config trained by the CLI and by the window (offscreen), one after the
# other; throughput from each run's metrics.jsonl, and the window's longest event-loop stall.
gui_dir="$(mktemp -d)"
gui_overrides=(--set dataset.train_subset=5120 --set num_epochs=3 --set logging.step_every=1)
"$BUILD/bin/tau" train "$ROOT/configs/default.yaml" "${gui_overrides[@]}" --set exp_name=cli --runs-dir "$gui_dir" >/dev/null 2>&1
"$BUILD/bin/tau" config show "$ROOT/configs/default.yaml" "${gui_overrides[@]}" --set exp_name=gui \
    --set runs_dir="$gui_dir" >"$gui_dir/gui.yaml"
gui_json="$(QT_QPA_PLATFORM=offscreen "$BUILD/bin/tau-explorer" --benchmark "$gui_dir/gui.yaml" 2>/dev/null | tail -1)"

# The certainty browser with 60,000 thumbnails: load and sort, scroll page by page, filter a class.
browser_json="$(QT_QPA_PLATFORM=offscreen "$BUILD/bench/browser_benchmark" 2>/dev/null | tail -1)"

/usr/bin/python3 - "$cpp_json" "$python_json" "$OUT" "$gui_dir" "$gui_json" "$browser_json" <<'PY'
import json, platform, subprocess, sys, datetime
cpp = json.load(open(sys.argv[1]))
py = json.loads(sys.argv[2])
gui_dir, gui = sys.argv[4], json.loads(sys.argv[5])
browser = json.loads(sys.argv[6])
def throughput(run):
    epochs = [json.loads(l) for l in open(f"{gui_dir}/{run}/metrics.jsonl") if '"type":"epoch"' in l]
    return sum(e["images_per_s"] for e in epochs[1:]) / max(1, len(epochs) - 1)  # the first epoch warms up
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
def variant_ms(name, args):
    prefix = f"{name}/{args}"
    return next(b["real_time"] for b in cpp["benchmarks"]
                if (b["name"].startswith(prefix + "/") or b["name"] == prefix + "_median") and b["name"].endswith("_median"))
lines += ["", "## What the CPU keeps of the GPU's choices", "",
          "memory_format: auto and the view path are chosen per device; on the CPU, measured here:", "",
          "| what | contiguous / per-subset (ms) | channels_last / device-side (ms) | ratio |", "|---|---|---|---|"]
for title, name, first, second in (
        ("TaU-SimCLR step, small CNN, 256 grey 28x28 views", "trainingStepByMemoryFormat", "0/0", "0/1"),
        ("TaU-SimCLR step, ResNet-18, 64 RGB 32x32 views", "trainingStepByMemoryFormat", "1/0", "1/1"),
        ("one view of 256 RGB 32x32 images", "viewPathOnTheCpu", "0", "1")):
    a, b = variant_ms(name, first), variant_ms(name, second)
    lines.append(f"| {title} | {a:.1f} | {b:.1f} | {b / a:.2f}x |")
cli_rate, gui_rate = throughput("cli"), throughput("gui")
lines += ["", "## The window's cost to training (default config, 5,120 images, 3 epochs; epochs 2-3)", "",
          "| | images/s |", "|---|---|",
          f"| CLI (`tau train`) | {cli_rate:.0f} |",
          f"| window (`tau-explorer --benchmark`, offscreen) | {gui_rate:.0f} |",
          f"| cost of the window | {100 * (1 - gui_rate / cli_rate):.1f}% |",
          f"| longest event-loop stall while training | {gui['max_stall_ms']:.1f} ms |", ""]
lines += ["## The certainty browser with 60,000 images (bench/browser_benchmark, offscreen, 1280x800)", "",
          "| | ms |", "|---|---|",
          f"| show the set, sorted by c | {browser['load_ms']:.1f} |",
          f"| scroll one page and repaint (median of 200) | {browser['scroll_page_median_ms']:.2f} |",
          f"| scroll one page and repaint (slowest of 200) | {browser['scroll_page_max_ms']:.2f} |",
          f"| jump to the least certain end | {browser['jump_to_end_ms']:.2f} |",
          f"| filter one class | {browser['class_filter_ms']:.1f} |", "",
          "A frame budget at 60 Hz is 16.7 ms: the grid asks only for the thumbnails it shows.", ""]
open(sys.argv[3], "w").write("\n".join(lines))
print("\n".join(lines))
PY
rm -f "$cpp_json"
rm -rf "$gui_dir"
