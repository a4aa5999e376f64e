#!/usr/bin/env bash
# Installs the Debian packages that podium-dedup needs to build, test and
# benchmark, then configures and builds it into build/.
#
# Usage: scripts/setup.sh [--no-install] [--build-dir DIR] [extra cmake args]
#   --no-install   skip apt-get (the packages are already there)
#   --build-dir    build somewhere other than build/
set -euo pipefail

cd "$(dirname "$0")/.."
install=1
build_dir=build
cmake_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-install) install=0 ;;
    --build-dir) build_dir="$2"; shift ;;
    *) cmake_args+=("$1") ;;
  esac
  shift
done

packages=(
  cmake ninja-build g++ pkg-config          # the build
  libphonenumber-dev libprotobuf-dev libicu-dev  # phone parsing and its dependencies
  libsqlite3-dev sqlite3                    # the natural-key index
  libcurl4-openssl-dev                      # the Podium API client
  nlohmann-json3-dev                        # JSON reading and writing
  libjemalloc-dev                           # the allocator of podium-dedup (faster imports)
  libcli11-dev libspdlog-dev libyaml-cpp-dev  # flags, logging, settings
  libcpp-httplib-dev libssl-dev             # the fake Podium server
  libgtest-dev libgmock-dev libbenchmark-dev  # tests and micro-benchmarks
  python3-phonenumbers                      # the Python baseline and cross-checks
  clang libclang-rt-14-dev                  # libFuzzer targets (scripts/fuzz.sh)
)

if [[ $install -eq 1 ]]; then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "setup: installing Debian packages" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${packages[@]}" >&2
fi

echo "setup: building into $build_dir/" >&2
cmake -S . -B "$build_dir" -G Ninja "${cmake_args[@]}" >&2
cmake --build "$build_dir" -j "$(nproc)" >&2
