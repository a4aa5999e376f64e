#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang in build-fuzz/ and runs
# each for a bounded time. A crash stops its target and leaves the input
# as build-fuzz/artifacts/<target>/crash-*, the other targets still run,
# and the script exits with status 1. Turn the input into a regression
# test in tests/phone/ or tests/contacts/ and fix it.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  default 60 (CI); run longer by hand, e.g. 600
#   TARGET              phone_fuzzer, csv_reader_fuzzer, jsonl_reader_fuzzer (default: all)
# The corpus grows in build-fuzz/corpus/<target>/ across runs.
set -euo pipefail

cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(phone_fuzzer csv_reader_fuzzer jsonl_reader_fuzzer)
build_dir=build-fuzz

CXX="${FUZZ_CXX:-clang++}" cmake -S fuzz -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j 2 --target "${targets[@]}"

# Small seeds, written here rather than committed, so each target starts
# from inputs that reach past its first checks.
seed() {
  local target="$1" name="$2"
  mkdir -p "$build_dir/corpus/$target"
  printf '%b' "$3" >"$build_dir/corpus/$target/seed-$name"
}
seed phone_fuzzer au '\x00+61 412 345 678'
seed phone_fuzzer us '\x01(555) 555-0123 ext. 42'
seed phone_fuzzer multi '\x02020 7946 0018; 07700 900123 / +44 7700 900456'
seed phone_fuzzer excel '\x011.5555550123E+10'
seed csv_reader_fuzzer basic 'uid,name,phone,email,location,tags\n1,Ann Lee,+61412345678,ann@example.com,loc-1,vip;new\n'
seed csv_reader_fuzzer quoted 'id;Full Name;Mobile\n"7";"Lee, ""Ann""";"0412 345 678"\n'
seed csv_reader_fuzzer google 'Name,Given Name,Phone 1 - Type,Phone 1 - Value,E-mail 1 - Value\nAnn,Ann,Mobile,+1 555 0100 ::: +1 555 0101,a@b.c\n'
seed jsonl_reader_fuzzer contact '{"uid":"c1","name":"Ann","phoneNumbers":["+61412345678"],"emails":["a@b.c"],"locations":[{"uid":"loc-1"}],"tags":[{"uid":"t1","label":"vip"}],"updatedAt":"2026-01-01T00:00:00Z","deletedAt":null,"marketingOptOut":true,"channels":[{"type":"phone","identifier":"+61412345678","marketingOptedInLocationUids":["loc-1"]}],"attributes":[{"uid":"a1","value":"x"}]}\n'

status=0
for target in "${targets[@]}"; do
  mkdir -p "$build_dir/artifacts/$target" "$build_dir/logs"
  log="$build_dir/logs/$target.log"
  echo "fuzz: $target for ${seconds}s (log: $log)" >&2
  start=$SECONDS
  if ! "$build_dir/$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 -timeout=30 \
      -artifact_prefix="$build_dir/artifacts/$target/" -print_final_stats=1 \
      "$build_dir/corpus/$target" >"$log" 2>&1; then
    echo "fuzz: $target FOUND A FAILURE; see $log and $build_dir/artifacts/$target/" >&2
    tail -40 "$log" >&2
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  corpus=$(ls "$build_dir/corpus/$target" | wc -l)
  # A failure stops the target early, so the time is measured, not assumed.
  echo "fuzz: $target: $runs executions in $((SECONDS - start)) s, corpus $corpus inputs" >&2
done
exit $status
