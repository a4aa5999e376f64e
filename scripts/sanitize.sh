#!/usr/bin/env bash
# Builds everything with AddressSanitizer and UndefinedBehaviorSanitizer in
# build-asan/ (-DPODIUM_DEDUP_SANITIZE=ON) and runs the whole ctest suite there.
# Any sanitizer report fails the test that triggered it.
#
# Usage: scripts/sanitize.sh [extra ctest args]
# The script prints the build and test times in seconds.
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=build-asan

# A fixed two jobs, as many as the 2-core CI machine has, so that a run on
# a shared machine with more cores leaves the rest to other work.
build_start=$SECONDS
cmake -S . -B "$build_dir" -G Ninja -DPODIUM_DEDUP_SANITIZE=ON -DPODIUM_DEDUP_BUILD_BENCHMARKS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
cmake --build "$build_dir" -j 2 >&2
echo "sanitize: build took $((SECONDS - build_start)) s" >&2

# halt_on_error makes a finding fail its test instead of scrolling past;
# the child processes that the CLI suites start inherit these settings.
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=0:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

cd "$build_dir"
test_start=$SECONDS
status=0
ctest --output-on-failure -j "$(nproc)" "$@" || status=$?
echo "sanitize: tests took $((SECONDS - test_start)) s" >&2
exit $status
