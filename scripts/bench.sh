#!/usr/bin/env bash
# Runs the podium-dedup benchmarks and writes their results.
#
#   scripts/bench.sh                               # 10k and 100k people (CI size)
#   scripts/bench.sh --sizes 10000,100000,1000000  # the full run
#
# Options:
#   --sizes N,N,...   tenant sizes in people (the generator makes ~1.6 contacts each)
#   --build-dir DIR   Release build folder (default build-bench; configured if missing)
#   --work-dir DIR    generated tenants, indexes and results (default /tmp/podium-dedup-bench)
#   --no-baseline     skip the Python baseline
#   --no-api          skip the fake-server measurements
#   --no-micro        skip the Google Benchmark micro-benchmarks
#   --no-build        use the binaries already in --build-dir as they are
#
# Writes WORK/results.jsonl (one JSON object per measurement), WORK/report.md
# (the tables in docs/benchmarks.md) and WORK/benchmarks-scaling.svg.
# Generated tenants are kept in WORK and reused by later runs.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
sizes="10000,100000"
build_dir="$repo/build-bench"
work_dir="/tmp/podium-dedup-bench"
baseline=1
api=1
micro=1
build=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --work-dir) work_dir="$2"; shift 2 ;;
    --no-baseline) baseline=0; shift ;;
    --no-api) api=0; shift ;;
    --no-micro) micro=0; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown option '$1'; see scripts/bench.sh --help" >&2; exit 2 ;;
  esac
done

mkdir -p "$work_dir"
results="$work_dir/results.jsonl"
: > "$results"

if [[ $build -eq 1 ]]; then
  if [[ ! -f "$build_dir/build.ninja" && ! -f "$build_dir/Makefile" ]]; then
    cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$build_dir" -j2 --target podium-dedup podium-fake-server normalize_bench list_contacts_bench \
    read_bench >/dev/null
fi
tool="$build_dir/podium-dedup"

# Runs a command under /usr/bin/time -v and appends one result line:
# wall seconds, CPU seconds (user + system) and peak RSS in MiB.
measure() {
  local name="$1" size="$2"; shift 2
  local timing="$work_dir/time.txt"
  if ! /usr/bin/time -v -o "$timing" "$@" >"$work_dir/last.out" 2>"$work_dir/last.err"; then
    echo "bench.sh: '$name' failed; its stderr:" >&2
    tail -5 "$work_dir/last.err" >&2
    exit 1
  fi
  /usr/bin/python3 - "$timing" "$name" "$size" >>"$results" <<'PY'
import json, sys
fields = {}
for line in open(sys.argv[1]):
    key, _, value = line.strip().rpartition(": ")
    fields[key] = value
def seconds(text):
    parts = [float(p) for p in text.split(":")]
    total = 0.0
    for p in parts:
        total = total * 60 + p
    return total
print(json.dumps({
    "name": sys.argv[2], "people": int(sys.argv[3]),
    "wall_s": seconds(fields["Elapsed (wall clock) time (h:mm:ss or m:ss)"]),
    "cpu_s": float(fields["User time (seconds)"]) + float(fields["System time (seconds)"]),
    "peak_rss_mib": int(fields["Maximum resident set size (kbytes)"]) / 1024,
}))
PY
  tail -1 "$results"
}

IFS=',' read -r -a size_list <<<"$sizes"
largest=""
for people in "${size_list[@]}"; do
  export_file="$work_dir/tenant-$people.jsonl"
  if [[ ! -s "$export_file" ]]; then
    "$tool" generate --quiet --people "$people" --seed 1 --output "$export_file" \
      --truth "$work_dir/truth-$people.json" --force
  fi
  contacts=$(wc -l <"$export_file")
  echo "{\"name\": \"tenant\", \"people\": $people, \"contacts\": $contacts, \"bytes\": $(stat -L -c %s "$export_file")}" >>"$results"
  rm -f "$work_dir/index-$people.db"*
  measure find-duplicates "$people" "$tool" find-duplicates --quiet --input "$export_file" \
    --db "$work_dir/index-$people.db" --region AU --output "$work_dir/clusters-$people.json" --force
  if [[ $baseline -eq 1 ]]; then
    rm -f "$work_dir/baseline-$people.sqlite"
    measure python-baseline "$people" /usr/bin/python3 "$repo/bench/baseline/pipeline.py" "$export_file" AU \
      "$work_dir/baseline-$people.sqlite"
  fi
  largest="$people"
done

measure cross-location "$largest" "$tool" cross-location --quiet --db "$work_dir/index-$largest.db" \
  --output "$work_dir/cross-location-$largest.json" --force

if [[ $api -eq 1 ]]; then
  # The API path: the client's ListContacts walk over the 10k-people tenant
  # served by the fake server, first with no limit anywhere (throughput),
  # then with the server's 300/min limit and the client's own limiter.
  export PODIUM_ACCESS_TOKEN="bench-local-token"
  api_file="$work_dir/tenant-${size_list[0]}.jsonl"
  for limit in 0 300; do
    "$build_dir/podium-fake-server" --data "$api_file" --port 0 --quiet --rate-limit "$limit" \
      >"$work_dir/server.out" 2>"$work_dir/server.err" &
    server=$!
    for _ in $(seq 100); do
      grep -q '^listening on' "$work_dir/server.out" 2>/dev/null && break
      sleep 0.1
    done
    url=$(sed -n 's/^listening on //p' "$work_dir/server.out")
    if [[ -z "$url" ]]; then
      echo "bench.sh: the fake server did not start; its stderr:" >&2
      cat "$work_dir/server.err" >&2
      kill "$server" 2>/dev/null || true
      exit 1
    fi
    line=$("$build_dir/bench/list_contacts_bench" "$url" "$limit")
    if [[ $limit -eq 0 ]]; then
      # The whole API path: list, normalize and index every contact.
      rm -f "$work_dir/api-index.db"*
      measure api-find-duplicates "${size_list[0]}" "$tool" find-duplicates --quiet --api-url "$url" \
        --all-locations --rate-limit 0 --region AU --db "$work_dir/api-index.db" \
        --output "$work_dir/api-clusters.json" --force
    fi
    kill "$server"
    wait "$server" 2>/dev/null || true
    echo "{\"name\": \"api-list\", \"people\": ${size_list[0]}, \"server_limit_per_minute\": $limit, \"result\": $line}" \
      >>"$results"
    tail -1 "$results"
  done
fi

if [[ $micro -eq 1 ]]; then
  "$build_dir/bench/normalize_bench" --benchmark_format=json --benchmark_out="$work_dir/normalize_bench.json" \
    --benchmark_out_format=json >/dev/null
fi

/usr/bin/python3 "$repo/bench/report.py" "$work_dir"
echo "bench.sh: results in $results, tables in $work_dir/report.md, plot in $work_dir/benchmarks-scaling.svg"
