#!/usr/bin/env bash
# The Debian package, as a user gets it: built with CPack from this build, unpacked into a scratch root, and run
# from there.
#  1. the package's control data: Depends found by dpkg-shlibdeps (LibTorch, Qt, QCustomPlot), the files it holds;
#  2. desktop-file-validate and appstreamcli validate pass on the installed desktop and metainfo files;
#  3. the installed tau --version, tau config presets, and a short training from an installed preset by name;
#  4. the installed tau-explorer --version (offscreen) and the man pages.
# The .deb depends on Debian's packages, so it is built on Debian's LibTorch 1.13: BUILD_DIR is a build on it, or a
# folder where this script configures and builds one (the programs, no tests) from SOURCE_DIR.
# usage: check_debian_package.sh BUILD_DIR SCRATCH_DIR [SOURCE_DIR [COMPILER_LAUNCHER]]
set -euo pipefail
build="$(realpath -m "$1")" scratch="$(realpath -m "$2")" source="${3:-}" launcher="${4:-}"
rm -rf "$scratch"
mkdir -p "$scratch/out" "$scratch/root" "$scratch/runs"
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ -n "$source" ]; then
    args=(-S "$source" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTAU_BUILD_TESTS=OFF)
    [ -n "$launcher" ] && args+=(-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher")
    env -u CMAKE_PREFIX_PATH cmake "${args[@]}" >"$scratch/configure.log" 2>&1 ||
        { tail -30 "$scratch/configure.log" >&2; fail "configuring a build on Debian's LibTorch in $build"; }
    grep -q "^-- LibTorch 1\." "$scratch/configure.log" || fail "$build is not on Debian's LibTorch 1.x: $(grep '^-- LibTorch' "$scratch/configure.log")"
    cmake --build "$build" -j "${TAU_JOBS:-2}" >"$scratch/build.log" 2>&1 ||
        { tail -40 "$scratch/build.log" >&2; fail "building on Debian's LibTorch in $build"; }
    echo "ok: built the programs on Debian's LibTorch in $build"
fi

(cd "$build" && cpack --config CPackConfig.cmake -B "$scratch/out" >"$scratch/cpack.log" 2>&1) ||
    { tail -30 "$scratch/cpack.log" >&2; fail "cpack did not build the package"; }
deb="$(ls "$scratch"/out/tau-explorer_*.deb)"
echo "ok: built $(basename "$deb") ($(du -h "$deb" | cut -f1))"

depends="$(dpkg-deb -f "$deb" Depends)"
for needed in libqt6widgets6 libqcustomplot2.1-qt6 libtorch libyaml-cpp; do
    grep -q "$needed" <<<"$depends" || fail "Depends lacks $needed: $depends"
done
echo "ok: Depends: $depends"
files="$(dpkg-deb -c "$deb")"
for path in ./usr/bin/tau ./usr/bin/tau-explorer ./usr/bin/tau-figures \
    ./usr/share/tau-explorer/configs/fashion_mnist/tau_simclr.yaml ./usr/share/tau-explorer/tools/convert_original_checkpoint.py \
    ./usr/share/applications/io.github.tau_explorer.TauExplorer.desktop \
    ./usr/share/metainfo/io.github.tau_explorer.TauExplorer.metainfo.xml \
    ./usr/share/icons/hicolor/scalable/apps/io.github.tau_explorer.TauExplorer.svg \
    ./usr/share/man/man1/tau.1.gz ./usr/share/man/man1/tau-explorer.1.gz ./usr/share/doc/tau-explorer/LICENSE; do
    grep -q " $path\$" <<<"$files" || fail "the package has no $path"
done
echo "ok: the package holds the programs, presets, converter, desktop files, man pages and licence"

dpkg-deb -x "$deb" "$scratch/root"
root="$scratch/root/usr"
desktop-file-validate "$root/share/applications/io.github.tau_explorer.TauExplorer.desktop" || fail "desktop-file-validate"
appstreamcli validate --no-net "$root/share/metainfo/io.github.tau_explorer.TauExplorer.metainfo.xml" >"$scratch/appstream.log" 2>&1 ||
    { cat "$scratch/appstream.log" >&2; fail "appstreamcli validate"; }
echo "ok: desktop-file-validate and appstreamcli validate pass"

version="$("$root/bin/tau" --version)"
grep -q "^tau [0-9]" <<<"$version" && grep -q "git revision: " <<<"$version" &&
    grep -q "^LibTorch 1\.13.* CPU only" <<<"$version" || fail "tau --version printed: $version"
echo "ok: installed tau --version: $(tr '\n' ';' <<<"$version")"
# Presets are found beside the installed executable, not in this checkout (TAU_CONFIGS_DIR unset, a foreign cwd).
presets="$(cd "$scratch" && env -u TAU_CONFIGS_DIR XDG_DATA_DIRS=/nonexistent "$root/bin/tau" config presets)"
grep -q "^tau_simclr_fashion_mnist .*$root/share/tau-explorer/configs/fashion_mnist/tau_simclr.yaml" <<<"$presets" ||
    fail "tau config presets: $presets"
(cd "$scratch" && env -u TAU_CONFIGS_DIR XDG_DATA_DIRS=/nonexistent "$root/bin/tau" train tau_simclr_fashion_mnist \
    --runs-dir "$scratch/runs" --device cpu --set num_epochs=1 --set dataset.train_subset=64 \
    --set optimizer.batch_size=32 --set exp_name=installed) >"$scratch/train.log" 2>&1 ||
    { tail -20 "$scratch/train.log" >&2; fail "training from the installed preset"; }
[ -f "$scratch/runs/installed/checkpoints/last.pt" ] || fail "the installed tau trained no checkpoint"
grep -q '"program": "tau"' "$scratch/runs/installed/provenance.json" || fail "provenance.json does not name tau"
echo "ok: the installed tau trained tau_simclr_fashion_mnist by name"

gui="$(QT_QPA_PLATFORM=offscreen "$root/bin/tau-explorer" --version 2>/dev/null)"
grep -q "^tau-explorer [0-9]" <<<"$gui" && grep -q "^LibTorch 1\.13" <<<"$gui" || fail "tau-explorer --version printed: $gui"
echo "ok: installed tau-explorer --version: $(tr '\n' ';' <<<"$gui")"
for page in tau tau-explorer; do
    zcat "$root/share/man/man1/$page.1.gz" | grep -q '^\.TH' || fail "$page.1.gz is not a man page"
done
zcat "$root/share/man/man1/tau.1.gz" | grep -q "train" || fail "tau.1 does not list the commands"
echo "ok: man pages tau.1 and tau-explorer.1"
