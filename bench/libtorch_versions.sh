#!/usr/bin/env bash
# The CPU side by side on both LibTorch builds and in Python on both PyTorch versions, in one run: one TaU-SimCLR
# training step and scoring throughput (tau_benchmarks), end-to-end training against the original's pipeline
# (tau train against bench/original_pipeline.py), start-up time and peak memory of tau train on the default config.
# Writes the "LibTorch versions" section of docs/performance.md (between its markers) and prints it.
# usage: libtorch_versions.sh BUILD_DIR OTHER_BUILD_DIR SOURCE_DIR [PYTHON_OF_BUILD_DIR'S_LIBTORCH]
set -euo pipefail
build="$1" other="$2" source="$3" torch_python="${4:-}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
libtorch_of() { "$1/bin/tau" --version | sed -n 's/^\(LibTorch [0-9.]*\).*/\1/p'; }

for side in build other; do
    dir="${!side}"
    "$dir/bench/tau_benchmarks" --benchmark_filter='tauSimclrTrainingStep|scoringThroughput' --benchmark_format=json \
        --benchmark_repetitions=3 --benchmark_report_aggregates_only=true >"$scratch/$side.bench.json" 2>/dev/null
    # Start-up: tau --version, median of 5 (loading LibTorch and its libraries).
    for i in 1 2 3 4 5; do
        /usr/bin/time -f "%e" -o "$scratch/$side.start.$i" "$dir/bin/tau" --version >/dev/null
    done
    # The default config on 5,120 images for two epochs: peak RSS, time to the first step, the second epoch's rate.
    started="$(date +%s.%N)"
    /usr/bin/time -f "%M" -o "$scratch/$side.rss" "$dir/bin/tau" train "$source/configs/default.yaml" --device cpu \
        --runs-dir "$scratch/runs-$side" --set exp_name=run num_epochs=2 dataset.train_subset=5120 logging.step_every=1 \
        >/dev/null 2>"$scratch/$side.train.log" || { cat "$scratch/$side.train.log" >&2; exit 1; }
    echo "$started" >"$scratch/$side.started"
    libtorch_of "$dir" >"$scratch/$side.libtorch"
done
pythons=(/usr/bin/python3)
[ -n "$torch_python" ] && pythons+=("$torch_python")
for i in "${!pythons[@]}"; do
    (cd "$source/bench" && "${pythons[$i]}" python_reference.py --step-only >"$scratch/python$i.step.json" &&
        "${pythons[$i]}" original_pipeline.py 5120 >"$scratch/python$i.pipeline.json") 2>"$scratch/python$i.log" ||
        { cat "$scratch/python$i.log" >&2; exit 1; }
done

/usr/bin/python3 - "$scratch" "${#pythons[@]}" <<'PY' | tee "$scratch/section.md"
import json, statistics, subprocess, sys, datetime
scratch, pythons = sys.argv[1], int(sys.argv[2])
def read(name): return open(f"{scratch}/{name}").read().strip()
def bench(side):
    data = json.load(open(f"{scratch}/{side}.bench.json"))["benchmarks"]
    medians = [b for b in data if b["name"].endswith("_median")]  # names carry arguments: "name/min_time:5.000_median"
    step = next(b["real_time"] for b in medians if b["name"].startswith("tauSimclrTrainingStep"))
    scoring = {b.get("label", b["name"]): b["items_per_second"] for b in medians if b["name"].startswith("scoringThroughput")}
    return step, scoring
def training(side):
    records = [json.loads(l) for l in open(f"{scratch}/runs-{side}/run/metrics.jsonl")]
    steps = [r for r in records if r.get("type") == "step"]
    epochs = [r for r in records if r.get("type") == "epoch"]
    return {"first_step_s": steps[0]["wall_time"] - float(read(f"{side}.started")), "rate": epochs[-1]["images_per_s"],
            "rss_mb": int(read(f"{side}.rss")) / 1024,
            "start_s": statistics.median(float(read(f"{side}.start.{i}")) for i in range(1, 6))}
sides = {side: (read(f"{side}.libtorch"), *bench(side), training(side)) for side in ("build", "other")}
py = [(json.loads(read(f"python{i}.step.json")), json.loads(read(f"python{i}.pipeline.json"))) for i in range(pythons)]
(new, new_step, new_scoring, new_train), (old, old_step, old_scoring, old_train) = sides["build"], sides["other"]
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
out = ["<!-- libtorch:begin -->", "## LibTorch versions side by side (bench/libtorch_versions.sh, `./tau bench libtorch`)", "",
       f"The same work on both builds and in Python on both PyTorch versions, in one run. Machine: {cpu}, {nproc} cores, "
       f"no GPU. Date: {datetime.date.today().isoformat()}. C++: {new} (this build) and {old}; "
       + "; ".join(f"Python: torch {s['torch']} ({s['blas']}, oneDNN {'on' if s['onednn'] else 'off'}, {s['threads']} threads)" for s, _ in py) + ".", "",
       f"| what | {new} | {old} | speed of {new} / {old} | " + " | ".join(f"Python torch {s['torch']}" for s, _ in py) + " |",
       "|---|---|---|---|" + "---|" * len(py),
       f"| one TaU-SimCLR step, small CNN, batch 256 (ms) | {new_step:.1f} | {old_step:.1f} | {old_step / new_step:.2f}x | "
       + " | ".join(f"{s['step'] * 1000:.1f}" for s, _ in py) + " |",
       f"| end-to-end training, default config, 5,120 images, 2nd epoch (images/s) | {new_train['rate']:.0f} | "
       f"{old_train['rate']:.0f} | {new_train['rate'] / old_train['rate']:.2f}x | "
       + " | ".join(f"{p['images_per_s']:.0f} (original's pipeline, {p['workers']} workers)" for _, p in py) + " |"]
for label in new_scoring:
    out.append(f"| scoring {label} (images/s) | {new_scoring[label]:.0f} | {old_scoring.get(label, float('nan')):.0f} | "
               f"{new_scoring[label] / old_scoring.get(label, float('nan')):.2f}x | " + " | ".join("" for _ in py) + " |")
out += [f"| start-up: `tau --version` (s, median of 5) | {new_train['start_s']:.2f} | {old_train['start_s']:.2f} | | " + " | ".join("" for _ in py) + " |",
        f"| `tau train` to its first step (s) | {new_train['first_step_s']:.2f} | {old_train['first_step_s']:.2f} | | " + " | ".join("" for _ in py) + " |",
        f"| peak RSS of that `tau train` (MB) | {new_train['rss_mb']:.0f} | {old_train['rss_mb']:.0f} | | " + " | ".join("" for _ in py) + " |",
        "", "<!-- libtorch:end -->"]
print("\n".join(out))
PY
/usr/bin/python3 "$source/bench/replace_section.py" libtorch "$source/docs/performance.md" <"$scratch/section.md"
