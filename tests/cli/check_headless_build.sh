#!/usr/bin/env bash
# The headless CLI needs no Qt:
#  1. the tau of this build links no Qt library (its NEEDED entries; Debian's libtorch itself pulls Qt 5 in through
#     OpenCV's highgui, which a LibTorch from pytorch.org does not, so the transitive list is shown, not judged);
#  2. a configuration with TAU_BUILD_GUI=OFF, where CMake is forbidden to find Qt or QCustomPlot (as on a machine
#     without their packages), configures, builds tau, and that tau trains a one-epoch run and validates a config;
#  3. a configuration with TAU_BUILD_GUI=OFF where only Qt Test may be found (no QCustomPlot, no Widgets asked
#     for) builds and runs core tests: the tests need QtCore and QtTest, not the GUI stack.
#  Both of its trees are on Debian's LibTorch 1.13, the second supported build, whichever LibTorch TAU was built on.
#  Their compile commands are the same, so ccache compiles the core on 1.13 once for both trees and for the
#  debian_package test's.
# Besides, TAU links no CUDA driver (libcuda.so.1, directly or through its libraries): it starts without one.
# usage: check_headless_build.sh TAU SOURCE_DIR SCRATCH_BUILD_DIR [COMPILER_LAUNCHER]
set -euo pipefail
tau="$1" source="$2" build="$3" launcher="${4:-}"

links_qt() { readelf -d "$1" | grep NEEDED | grep -i 'libqt\|qcustomplot'; }
if links_qt "$tau"; then
    echo "FAIL: $tau links Qt (above)" >&2
    exit 1
fi
echo "ok: $tau links no Qt; through its dependencies: $(ldd "$tau" | grep -io 'libqt[^ ]*' | sort -u | tr '\n' ' ')"
if ldd "$tau" | grep 'libcuda\.so'; then
    echo "FAIL: $tau links the CUDA driver (above): it would not start on a machine without one" >&2
    exit 1
fi
"$tau" --version >/dev/null || { echo "FAIL: $tau --version" >&2; exit 1; }
echo "ok: $tau links no CUDA driver and starts: $("$tau" --version | grep '^LibTorch')"

args=(-S "$source" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTAU_BUILD_GUI=OFF -DTAU_BUILD_TESTS=OFF
      -DCMAKE_DISABLE_FIND_PACKAGE_Qt6=ON -DCMAKE_DISABLE_FIND_PACKAGE_QCustomPlotQt6=ON)
[ -n "$launcher" ] && args+=(-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher")
env -u CMAKE_PREFIX_PATH cmake "${args[@]}" >"$build.configure.log" 2>&1 || { cat "$build.configure.log" >&2; echo "FAIL: configuring without Qt" >&2; exit 1; }
cmake --build "$build" --target tau -j "${TAU_JOBS:-2}" >"$build.build.log" 2>&1 ||
    { tail -40 "$build.build.log" >&2; echo "FAIL: building tau without Qt" >&2; exit 1; }
grep -q "^-- LibTorch 1\." "$build.configure.log" || { grep "^-- LibTorch" "$build.configure.log" >&2; echo "FAIL: not on Debian's LibTorch" >&2; exit 1; }
headless="$build/bin/tau"
if links_qt "$headless"; then
    echo "FAIL: the GUI-less tau links Qt" >&2
    exit 1
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
"$headless" config validate "$source/configs/default.yaml"
"$headless" train "$source/configs/default.yaml" --runs-dir "$scratch" --set num_epochs=1 dataset.train_subset=256 \
    optimizer.batch_size=64 exp_name=headless --json >"$scratch/train.json"
grep -q '"epochs": 1' "$scratch/train.json" || { cat "$scratch/train.json" >&2; echo "FAIL: headless training" >&2; exit 1; }
# What draws is not there, and tau says so instead of failing obscurely.
if "$headless" export roc "$scratch/headless/eval/x" -o "$scratch/x.pdf" 2>"$scratch/export.err"; then
    echo "FAIL: export succeeded without tau-figures" >&2
    exit 1
fi
grep -q "tau-figures" "$scratch/export.err" || { cat "$scratch/export.err" >&2; exit 1; }
# Tables are text: a cluster node evaluates and writes them without Qt.
"$headless" ood --checkpoint "$scratch/headless" --out gaussian_noise --scores tau --limit 64 --name headless \
    >"$scratch/ood.log" || { cat "$scratch/ood.log" >&2; echo "FAIL: headless tau ood" >&2; exit 1; }
"$headless" export table "$scratch/headless/eval/headless" -o "$scratch/table.tex" >/dev/null &&
    grep -q 'gaussian\\_noise & tau & ' "$scratch/table.tex" ||
    { cat "$scratch/table.tex" >&2; echo "FAIL: headless tau export table (one evaluation)" >&2; exit 1; }
"$headless" export table "$scratch/headless/eval/headless" -o "$scratch/table.md" >/dev/null &&
    grep -q '^| TaU-SimCLR | tau | 1 | ' "$scratch/table.md" ||
    { cat "$scratch/table.md" >&2; echo "FAIL: headless tau export table (across runs)" >&2; exit 1; }
echo "ok: configured, built, trained, evaluated and wrote tables without Qt ($build)"

tests_build="$build-tests"
args=(-S "$source" -B "$tests_build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTAU_BUILD_GUI=OFF -DTAU_BUILD_TESTS=ON
      -DCMAKE_DISABLE_FIND_PACKAGE_QCustomPlotQt6=ON)
[ -n "$launcher" ] && args+=(-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher")
env -u CMAKE_PREFIX_PATH cmake "${args[@]}" >"$tests_build.configure.log" 2>&1 || { cat "$tests_build.configure.log" >&2; echo "FAIL: configuring the GUI-less tests" >&2; exit 1; }
core_tests=(tst_config_loader tst_method_catalog tst_evaluation_files)
cmake --build "$tests_build" --target "${core_tests[@]}" -j "${TAU_JOBS:-2}" >"$tests_build.build.log" 2>&1 ||
    { tail -40 "$tests_build.build.log" >&2; echo "FAIL: building core tests without the GUI" >&2; exit 1; }
for test in "${core_tests[@]}"; do
    if readelf -d "$tests_build/tests/$test" | grep NEEDED | grep -i 'widgets\|qcustomplot\|Qt6Gui'; then
        echo "FAIL: $test links the GUI stack" >&2
        exit 1
    fi
    (cd "$tests_build" && TAU_SOURCE_DIR="$source" QT_QPA_PLATFORM=offscreen "tests/$test" >"$tests_build.$test.log" 2>&1) ||
        { cat "$tests_build.$test.log" >&2; echo "FAIL: $test in the GUI-less build" >&2; exit 1; }
done
echo "ok: the GUI-less configuration builds and passes ${core_tests[*]} with Qt Test alone ($tests_build)"
