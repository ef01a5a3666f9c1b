#!/bin/bash
# Prepares, on a development machine with Debian's package registry, what the GPU check (bench/gpu/check.sh) needs on
# a machine that has none: the Debian 12 packages of a headless build (yaml-cpp, nlohmann-json, CLI11, zlib, stb,
# QtCore and QtTest with moc and the qmake their CMake files name, pkgconf), downloaded as .deb files into .gpu-deps/ (about 17 MiB; git ignores it).
# check.sh unpacks them into a prefix of its own there, never into /. matio (SVHN's .mat files) stays out: its HDF5
# pulls in curl and ~40 libraries; the check builds with TAU_WITH_MATIO=OFF.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${1:-$root/.gpu-deps}
packages=(
  libyaml-cpp-dev libyaml-cpp0.7 nlohmann-json3-dev libcli11-dev zlib1g-dev libstb-dev libstb0
  qt6-base-dev qt6-base-dev-tools qmake6 qmake6-bin libqt6core6 libqt6test6 libicu72 libdouble-conversion3 libpcre2-16-0 libb2-1
  libglib2.0-0 pkgconf pkgconf-bin libpkgconf3
)
rm -rf "$target" && mkdir -p "$target"
cd "$target"
apt-get download "${packages[@]}"
echo "$(ls ./*.deb | wc -l) packages, $(du -sh . | cut -f1) in $target"
