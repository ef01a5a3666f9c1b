#!/bin/bash
# The GPU check: on a machine with one NVIDIA GPU, PyTorch 2.11 (its LibTorch), nvcc, CMake and ninja and no package
# registry, with the repository and .gpu-deps/ (bench/gpu/prepare.sh) and nothing else, in about 8 minutes:
#   1. builds the headless core, tau and the core tests against that machine's LibTorch (Debian's packages unpacked
#      into a prefix of its own, matio left out);
#   2. runs the tests that touch the GPU (tst_gpu: CPU = CUDA in float64, bf16, out of memory, NCCL) and the losses'
#      (against the reference in PyTorch: the machine's Python, TAU_REFERENCE_PYTHON);
#   3. trains TaU-SimCLR ResNet-18 on CIFAR-shaped synthetic images (32x32 RGB, batch 512) in fp32 and bf16 (both
#      channels_last, the default on a GPU) and bf16 contiguous, and the same training written in PyTorch
#      (bench/gpu/pytorch_tau_simclr.py) on the same GPU: images/s, the ratio, GPU memory, the utilisation nvidia-smi
#      samples, and the time of the bare model step; the loss is read every 10 steps (logging.step_every), and the
#      check confirms one record per logged step;
#   4. scores 50,000 images with tau ood.
# Everything goes into $OUT/gpu-check.md, a section for docs/performance.md with the GPU's name, beside the logs.
#
# Usage: bench/gpu/check.sh            (OUT defaults to /tmp/tau-gpu-check; TAU_GPU_WORK to /tmp/tau-gpu)
#        bench/gpu/check.sh --dry-run  (steps 1-2 without a GPU: what a development machine can try beforehand)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${OUT:-/tmp/tau-gpu-check}
work=${TAU_GPU_WORK:-/tmp/tau-gpu}
deps_debs=${TAU_GPU_DEPS:-$root/.gpu-deps}
python=${PYTHON:-python3}
dry_run=false
[[ "${1:-}" == "--dry-run" ]] && dry_run=true
mkdir -p "$out" "$work"
started=$(date +%s)
log() { echo "[$(($(date +%s) - started)) s] $*" | tee -a "$out/steps.log"; }

# --- 1. the build ------------------------------------------------------------------------------------------------
prefix=$work/deps
rm -rf "$prefix" && mkdir -p "$prefix"
log "unpacking $(ls "$deps_debs"/*.deb | wc -l) packages into $prefix"
for deb in "$deps_debs"/*.deb; do
  if command -v dpkg >/dev/null; then
    dpkg -x "$deb" "$prefix"
  else # a .deb is an ar archive holding data.tar.*: Python reads both
    "$python" - "$deb" "$prefix" <<'PY'
import io, sys, tarfile
data = open(sys.argv[1], "rb").read()
pos = 8
while pos < len(data):
    name, size = data[pos:pos + 16].decode().strip(), int(data[pos + 48:pos + 58].decode().strip())
    if name.startswith("data.tar"):
        tarfile.open(fileobj=io.BytesIO(data[pos + 60:pos + 60 + size])).extractall(sys.argv[2])
    pos += 60 + size + (size % 2)
PY
  fi
done
libdir=$prefix/usr/lib/x86_64-linux-gnu
export PKG_CONFIG_LIBDIR=$libdir/pkgconfig:$prefix/usr/share/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$prefix   # the .pc files say prefix=/usr
export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
torch_prefix=$("$python" -c 'import torch, os; print(os.path.dirname(torch.__file__))')
nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
build=$work/build
log "configuring against $torch_prefix ($("$python" -c 'import torch; print(torch.__version__)'))"
cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTAU_BUILD_GUI=OFF -DTAU_WITH_MATIO=OFF \
  -DCMAKE_PREFIX_PATH="$torch_prefix;$prefix/usr" -DPKG_CONFIG_EXECUTABLE="$prefix/usr/bin/pkgconf" \
  -DCMAKE_CUDA_COMPILER="$nvcc" -DCUDAToolkit_ROOT="$(dirname "$(dirname "$nvcc")")" \
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$libdir" >"$out/configure.log" 2>&1 || {
  tail -30 "$out/configure.log"; exit 1; }
grep -m1 "LibTorch " "$out/configure.log" | tee -a "$out/steps.log"
tests=(tst_gpu tst_contrastive_losses) # the others compare with Debian's scikit-learn and torchvision, not there
log "building tau and ${tests[*]}"
cmake --build "$build" --target tau "${tests[@]}" >"$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }

# --- 2. the tests ------------------------------------------------------------------------------------------------
log "testing"
TAU_REFERENCE_PYTHON=$(command -v "$python") # the losses' reference needs only torch
export TAU_REFERENCE_PYTHON
test_regex="^($(IFS='|'; echo "${tests[*]}"))\$"
(cd "$build" && ctest -R "$test_regex" --output-on-failure --timeout 300) >"$out/tests.log" 2>&1 || {
  tail -60 "$out/tests.log"; exit 1; }
"$build/tests/tst_gpu" -v1 2>&1 | grep -E "^(PASS|FAIL|SKIP)" >"$out/tst_gpu.txt" || true
cat "$out/tst_gpu.txt"
if $dry_run; then
  log "dry run: built and tested; the GPU steps need a GPU"
  exit 0
fi

# --- 3. training, ours and PyTorch's -----------------------------------------------------------------------------
gpu=$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | head -1)
log "GPU: $gpu"
cifar=$work/cifar-10-batches-bin
"$python" - "$cifar" <<'PY'
# CIFAR-10's binary layout (a label byte, then 3072 bytes: R, G, B planes), random content: 5 x 10,000 training
# images and 50,000 test images, so the evaluation scores 50,000.
import os, sys
import numpy as np
folder = sys.argv[1]
os.makedirs(folder, exist_ok=True)
rng = np.random.default_rng(0)
for name, count in [(f"data_batch_{i}.bin", 10_000) for i in range(1, 6)] + [("test_batch.bin", 50_000)]:
    records = rng.integers(0, 256, size=(count, 3073), dtype=np.uint8)
    records[:, 0] %= 10
    records.tofile(os.path.join(folder, name))
PY
tau=$build/bin/tau
steps=100
sample_utilisation() { # $1: file; samples every 200 ms until killed
  nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader,nounits -lms 200 >"$1" 2>/dev/null
}
for variant in float32:auto bf16:auto bf16:contiguous; do
  precision=${variant%%:*} layout=${variant##*:} name=${variant/:/_}
  log "tau train, $precision, memory_format $layout"
  sample_utilisation "$out/util_tau_$name.csv" & sampler=$!
  "$tau" train "$root/configs/cifar10/tau_simclr.yaml" --runs-dir "$work/runs" --set exp_name="gpu_$name" \
    --set dataset.root="$cifar" --set dataset.train_subset=$((512 * steps)) --set optimizer.batch_size=512 \
    --set num_epochs=1 --set device=cuda --set precision=$precision --set memory_format=$layout \
    --set logging.step_every=10 --set logging.checkpoint_every=1 >"$out/train_$name.log" 2>&1 || {
    kill $sampler; tail -20 "$out/train_$name.log"; exit 1; }
  kill $sampler || true
done
for precision in fp32 bf16; do
  log "PyTorch, $precision"
  sample_utilisation "$out/util_pytorch_$precision.csv" & sampler=$!
  "$python" "$root/bench/gpu/pytorch_tau_simclr.py" --batch 512 --steps 40 --precision $precision \
    --json "$out/pytorch_$precision.json" >"$out/pytorch_$precision.log" 2>&1 || { kill $sampler; tail -20 "$out/pytorch_$precision.log"; exit 1; }
  kill $sampler || true
done

# --- 4. scoring ----------------------------------------------------------------------------------------------------
log "tau ood: 50,000 ID images and 50,000 of Gaussian noise"
ood_start=$(date +%s.%N)
"$tau" ood --checkpoint "$work/runs/gpu_float32_auto" --out gaussian_noise --scores tau --limit 50000 --device cuda \
  --batch-size 1024 >"$out/ood.log" 2>&1 || { tail -20 "$out/ood.log"; exit 1; }
ood_seconds=$(echo "$(date +%s.%N) - $ood_start" | bc)

# --- the section ---------------------------------------------------------------------------------------------------
"$python" - "$out" "$work/runs" "$gpu" "$ood_seconds" "$(($(date +%s) - started))" <<'PY'
import datetime, json, statistics, sys
out, runs, gpu, ood_seconds, total = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])

def tau_run(name):
    steps = [json.loads(l) for l in open(f"{runs}/gpu_{name}/metrics.jsonl") if '"type": "step"' in l or '"type":"step"' in l]
    # The loss is read every 10 steps: one record per logged step, each rate the mean over its 10 steps.
    assert [s["step"] for s in steps] == list(range(10, 101, 10)), [s["step"] for s in steps]
    rates = [s["images_per_s"] for s in steps if s["step"] > 10]  # past cuDNN's autotuning, the first allocations
    peak = max((s.get("gpu_peak_mb", 0) for s in steps), default=0) / 1024
    return statistics.median(rates), peak

def utilisation(name):
    values = [float(l.split(",")[0]) for l in open(f"{out}/util_{name}.csv") if l.strip()]
    busy = [v for v in values if v > 0]
    return statistics.median(busy) if busy else 0.0

rows, pytorch = [], {p: json.load(open(f"{out}/pytorch_{p}.json")) for p in ("fp32", "bf16")}
for ours, theirs, layout in (("float32_auto", "fp32", "channels_last"), ("bf16_auto", "bf16", "channels_last"),
                              ("bf16_contiguous", "bf16", "contiguous")):
    rate, peak = tau_run(ours)
    ref = pytorch[theirs]
    rows.append(f"| {theirs} | {layout} | {rate:.0f} | {ref['images_per_s']:.0f} | {rate / ref['images_per_s']:.2f}x | "
                f"{ref['bare_images_per_s']:.0f} | {ref['bare_images_per_s'] / rate:.2f}x | {peak:.1f} | "
                f"{ref['peak_memory_gb']:.1f} | {utilisation('tau_' + ours):.0f}% | {utilisation('pytorch_' + theirs):.0f}% |")
text = "\n".join([
    "<!-- gpu-check:begin -->",
    f"## On a GPU (bench/gpu/check.sh): {gpu}", "",
    f"TaU-SimCLR, ResNet-18 (3x3 stem) on CIFAR-shaped synthetic images (32x32 RGB), batch 512, Adam; `tau train` "
    f"against the same training written in PyTorch {pytorch['fp32']['torch']} (bench/gpu/pytorch_tau_simclr.py, "
    f"views cut on the GPU, channels_last). images/s: the median over the 10-step windows after step 10 (ours, "
    f"the loss read every 10 steps) and over 40 timed steps after 10 (PyTorch's). The bare step is PyTorch's model step on views made beforehand: the time the data path must "
    f"not add to. Utilisation: the median of nvidia-smi's samples every 200 ms while busy. Date: "
    f"{datetime.date.today().isoformat()}; the whole check took {total} s.", "",
    "| precision | tau memory format | tau (img/s) | PyTorch (img/s) | tau / PyTorch | bare step (img/s) | bare / tau | tau peak GPU memory (GB) "
    "| PyTorch peak (GB) | tau utilisation | PyTorch utilisation |",
    "|---|---|---|---|---|---|---|---|---|---|---|", *rows, "",
    f"`tau ood` scored 50,000 ID and 50,000 Gaussian-noise images with TaU's c in {ood_seconds:.1f} s "
    f"({100_000 / ood_seconds:.0f} images/s, model load and data included).", "",
    "<!-- gpu-check:end -->"])
open(f"{out}/gpu-check.md", "w").write(text + "\n")
print(text)
PY
log "done: $out/gpu-check.md"
