#!/usr/bin/env bash
# Sets up (installs packages, builds into build/) and runs the whole test
# suite with ctest. Extra arguments go to ctest, e.g. scripts/test.sh -R phone.
#
# Set PODIUM_DEDUP_SKIP_INSTALL=1 to skip apt-get when the packages are there.
set -euo pipefail

cd "$(dirname "$0")/.."
setup_args=()
[[ "${PODIUM_DEDUP_SKIP_INSTALL:-0}" == 1 ]] && setup_args+=(--no-install)
scripts/setup.sh "${setup_args[@]}"
cd build
ctest --output-on-failure -j "$(nproc)" "$@"
