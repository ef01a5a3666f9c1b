#!/usr/bin/env bash
# Files move between the two LibTorch builds: this build's tau (e.g. PyPI's 2.11) and another (Debian's 1.13).
#  1. a run trained by each resumes in the other for a second epoch and is evaluated there (tau ood, tau knn): the
#     checkpoint, config.yaml and metrics.jsonl written by one version are read and appended to by the other, and
#     the history keeps one step record per step;
#  2. the encoder exported by each (tau export weights) loads with torch.load(weights_only=True), the default since
#     PyTorch 2.6, in the PyTorch 2.x of this build's LibTorch when it has one and in Debian's 1.13; both exports of
#     one run hold equal tensors.
# usage: check_libtorch_versions.sh TAU OTHER_TAU SOURCE_DIR [PYTHON_OF_TAUS_LIBTORCH]
set -euo pipefail
tau="$1" other="$2" source="$3" torch_python="${4:-}"
fail() { echo "FAIL: $*" >&2; exit 1; }
libtorch_of() { "$1" --version | sed -n 's/^LibTorch \([0-9.]*\).*/\1/p'; }
version="$(libtorch_of "$tau")" other_version="$(libtorch_of "$other")"
[ -n "$version" ] && [ -n "$other_version" ] || fail "cannot read the LibTorch versions of $tau and $other"
if [ "$version" = "$other_version" ]; then
    echo "both builds are on LibTorch $version: nothing to carry between versions"
    exit 0
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
small=(--set num_epochs=1 dataset.train_subset=128 optimizer.batch_size=64 logging.step_every=1)

# 1. Trained by one, resumed and evaluated by the other.
carry() { # WRITER READER NAME
    local writer="$1" reader="$2" name="$3" run="$scratch/$3"
    "$writer" train "$source/configs/default.yaml" --runs-dir "$scratch" --device cpu "${small[@]}" exp_name="$name" \
        >"$scratch/$name.train.log" 2>&1 || { tail -20 "$scratch/$name.train.log" >&2; fail "training $name"; }
    # One epoch more, by the other version: a resumed run goes on with its recorded config, so the run asks for it.
    sed -i 's/^num_epochs: 1$/num_epochs: 2/' "$run/config.yaml"
    grep -q '^num_epochs: 2$' "$run/config.yaml" || fail "$run/config.yaml has no 'num_epochs: 1' line"
    "$reader" resume "$run" >"$scratch/$name.resume.log" 2>&1 ||
        { tail -20 "$scratch/$name.resume.log" >&2; fail "LibTorch $(libtorch_of "$reader") resuming a run of $(libtorch_of "$writer")"; }
    local steps
    steps="$(grep -c '"type":"step"' "$run/metrics.jsonl")"
    [ "$steps" -eq 4 ] || fail "$run/metrics.jsonl holds $steps step records after 2 epochs of 2 steps"
    "$reader" ood --checkpoint "$run" --out gaussian_noise --scores tau,knn --limit 64 --knn-reference-limit 128 \
        --name crossed --device cpu >"$scratch/$name.ood.log" 2>&1 ||
        { tail -20 "$scratch/$name.ood.log" >&2; fail "tau ood of LibTorch $(libtorch_of "$reader") on a run of $(libtorch_of "$writer")"; }
    [ -f "$run/eval/crossed/metrics.json" ] || fail "tau ood wrote no $run/eval/crossed/metrics.json"
    "$reader" knn --checkpoint "$run" --limit-train 128 --limit-test 64 --device cpu >"$scratch/$name.knn.log" 2>&1 ||
        { tail -20 "$scratch/$name.knn.log" >&2; fail "tau knn of LibTorch $(libtorch_of "$reader") on a run of $(libtorch_of "$writer")"; }
    echo "ok: a run of LibTorch $(libtorch_of "$writer") resumed and evaluated with LibTorch $(libtorch_of "$reader")"
}
carry "$other" "$tau" from_other
carry "$tau" "$other" from_this

# 2. The exported encoder, from both builds, for PyTorch.
for run in from_other from_this; do
    "$tau" export weights "$scratch/$run" -o "$scratch/$run.this.pt" >/dev/null
    "$other" export weights "$scratch/$run" -o "$scratch/$run.other.pt" >/dev/null
done
pythons=(/usr/bin/python3)
[ -n "$torch_python" ] && pythons+=("$torch_python")
for python in "${pythons[@]}"; do
    "$python" - "$scratch" <<'PY' || fail "$python could not load the exported weights with weights_only=True"
import sys, torch
scratch = sys.argv[1]
for run in ("from_other", "from_this"):
    this = torch.load(f"{scratch}/{run}.this.pt", weights_only=True)
    other = torch.load(f"{scratch}/{run}.other.pt", weights_only=True)
    assert this.keys() == other.keys() and len(this) > 0, (run, len(this), len(other))
    for name, tensor in this.items():
        assert torch.equal(tensor, other[name]), (run, name)
print(f"ok: PyTorch {torch.__version__} loads both builds' exports with weights_only=True; they are equal")
PY
done
