#!/usr/bin/env bash
# Builds everything with AddressSanitizer and UndefinedBehaviorSanitizer in
# build-asan/ (-DPODIUM_DEDUP_SANITIZE=ON) and runs the ctest suite there.
# Any sanitizer report fails the test that triggered it.
#
# Usage: scripts/sanitize.sh [extra ctest args]
# The slowest soak-like tests are left out (see the -E pattern below); they
# run in the normal build.
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=build-asan

cmake -S . -B "$build_dir" -G Ninja -DPODIUM_DEDUP_SANITIZE=ON -DPODIUM_DEDUP_BUILD_BENCHMARKS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
cmake --build "$build_dir" -j "$(nproc)" >&2

# halt_on_error makes a finding fail its test instead of scrolling past;
# the child processes that the CLI suites start inherit these settings.
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=0:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

# Left out here: the 10 MB / 50 MB inputs (ASan's shadow memory makes them
# slow, and they run in the normal build) and the matcher's real data sets.
exclude='HugeFieldAndLineEndCleanly'
cd "$build_dir"
ctest --output-on-failure -j "$(nproc)" -E "$exclude" "$@"
