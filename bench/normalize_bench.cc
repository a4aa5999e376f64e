// Normalization throughput: the generator's realistic mix (with the repeats
// real exports have) and all-distinct values, with and without the result
// cache, next to plain libphonenumber. Rates are per CPU second, because the
// machine is shared and wall time there depends on the other load.
//
// Each iteration normalizes the whole value list with a new normalizer, so
// the cache starts cold every time and its hit rate is the list's own.
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <phonenumbers/phonenumberutil.h>

#include "bench_phones.h"
#include "podium_dedup/phone.h"

namespace podium_dedup::bench {
namespace {

constexpr size_t kCacheOn = 1 << 16;
constexpr size_t kCacheOff = 0;

const std::vector<std::string>& Generated() {
  static const std::vector<std::string> phones = GeneratedPhones(10'000, 7, "AU");
  return phones;
}

const std::vector<std::string>& Distinct() {
  static const std::vector<std::string> phones = DistinctPhones(Generated().size(), 7, "AU");
  return phones;
}

// Normalizes every value with a new normalizer per iteration, so the cache
// starts empty each time. NOTE: single-threaded only; the differential test
// covers the cached normalizer shared by two threads.
void NormalizeAll(benchmark::State& state, const std::vector<std::string>& phones, size_t cache) {
  for (auto _ : state) {
    state.PauseTiming();
    auto normalizer = std::make_unique<PhoneNormalizer>(PhoneOptions{{}, {}, cache});
    state.ResumeTiming();
    for (const std::string& phone : phones) benchmark::DoNotOptimize(normalizer->Normalize(phone, "AU"));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(phones.size()));
}

void BM_GeneratedWithCache(benchmark::State& state) { NormalizeAll(state, Generated(), kCacheOn); }
void BM_GeneratedWithoutCache(benchmark::State& state) { NormalizeAll(state, Generated(), kCacheOff); }
void BM_DistinctWithCache(benchmark::State& state) { NormalizeAll(state, Distinct(), kCacheOn); }
void BM_DistinctWithoutCache(benchmark::State& state) { NormalizeAll(state, Distinct(), kCacheOff); }

// The reference: Parse, IsValidNumber and Format E164 with nothing around them.
void PlainLibphonenumber(benchmark::State& state, const std::vector<std::string>& phones) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  for (auto _ : state) {
    for (const std::string& raw : phones) {
      PhoneNumber number;
      std::string e164;
      if (util.Parse(raw, "AU", &number) == PhoneNumberUtil::NO_PARSING_ERROR && util.IsValidNumber(number)) {
        util.Format(number, PhoneNumberUtil::E164, &e164);
      }
      benchmark::DoNotOptimize(e164);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(phones.size()));
}

void BM_GeneratedPlainLibphonenumber(benchmark::State& state) { PlainLibphonenumber(state, Generated()); }
void BM_DistinctPlainLibphonenumber(benchmark::State& state) { PlainLibphonenumber(state, Distinct()); }

BENCHMARK(BM_GeneratedWithCache)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GeneratedWithoutCache)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DistinctWithCache)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DistinctWithoutCache)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GeneratedPlainLibphonenumber)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DistinctPlainLibphonenumber)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace podium_dedup::bench

BENCHMARK_MAIN();
