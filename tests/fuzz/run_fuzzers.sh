#!/usr/bin/env bash
# Builds the readers' libFuzzer targets with clang and runs each for a bounded time.
# usage: run_fuzzers.sh BUILD_DIR SECONDS_PER_TARGET
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="$1"
SECONDS_EACH="${2:-15}"
CLANG="$(command -v clang++-14 || command -v clang++ || true)"
[ -n "$CLANG" ] || { echo "clang++ not found (install clang-14 and libclang-rt-14-dev)"; exit 1; }

if [ ! -f "$BUILD/build.ninja" ]; then
    cmake -S "$HERE" -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER="$CLANG" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$BUILD" -j 2 >"$BUILD/build.log" 2>&1 ||
    { echo "the fuzz targets did not build ($BUILD/build.log):"; tail -30 "$BUILD/build.log"; exit 1; }

# Seeds, so the new targets start from real inputs: torch archives and a pickle, form edits of a
# preset and of an original-layout JSON config, and those two configs for the loader.
seed() { # reads the seed from stdin; keeps one written by an earlier run
    mkdir -p "$BUILD/corpus/$1"
    if [ -f "$BUILD/corpus/$1/seed$2" ]; then cat >/dev/null; else cat >"$BUILD/corpus/$1/seed$2"; fi
}
# Real archives as LibTorch and torch.save write them: a state dict, and a scripted module with code and constants.
/usr/bin/python3 -c 'import collections, io, sys, torch
b = io.BytesIO()
torch.save(collections.OrderedDict(w=torch.arange(6.).reshape(2, 3), b=torch.zeros(2, dtype=torch.long)), b)
sys.stdout.buffer.write(b.getvalue())' | seed fuzz_torch_archive 1
/usr/bin/python3 -c 'import io, sys, torch
b = io.BytesIO()
torch.jit.save(torch.jit.trace(torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU()), torch.zeros(1, 3)), b)
sys.stdout.buffer.write(b.getvalue())' | seed fuzz_torch_archive 2
/usr/bin/python3 -c 'import collections, io, sys, torch, zipfile
b = io.BytesIO()
torch.save(collections.OrderedDict(w=torch.arange(6.).reshape(2, 3), b=torch.zeros(2, dtype=torch.long)), b)
sys.stdout.buffer.write(zipfile.ZipFile(b).read("archive/data.pkl"))' | seed fuzz_pickle_audit 1
{ printf 'optimizer.batch_size\n64\n'; cat "$HERE/../../configs/default.yaml"; } | seed fuzz_yaml_edit 1
{ printf 'model.encoder\nresnet18\n'; cat "$HERE/../data/original/tau_simclr.json"; } | seed fuzz_yaml_edit 2
printf '1,"a, ""b""",\n2,x\n' | seed fuzz_csv 1
seed fuzz_config_loader 1 <"$HERE/../../configs/default.yaml"
seed fuzz_config_loader 2 <"$HERE/../data/original/tau_simclr.json"

status=0
for target in fuzz_idx fuzz_cifar fuzz_digits_json fuzz_svhn_mat fuzz_torch_archive fuzz_pickle_audit fuzz_csv fuzz_yaml_edit fuzz_config_loader; do
    corpus="$BUILD/corpus/$target"
    mkdir -p "$corpus" "$BUILD/crashes"
    if ASAN_OPTIONS=quarantine_size_mb=32 "$BUILD/$target" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=0 \
        -artifact_prefix="$BUILD/crashes/$target-" "$corpus" >"$BUILD/$target.log" 2>&1; then
        echo "$target: no crash in ${SECONDS_EACH} s ($(ls "$corpus" | wc -l) inputs in the corpus)"
    else
        echo "$target: FAILED; see $BUILD/$target.log and $BUILD/crashes/"
        tail -30 "$BUILD/$target.log"
        status=1
    fi
done
rm -f /tmp/tau_fuzz_svhn_*.mat
exit $status
