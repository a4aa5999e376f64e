// Phone values for the normalization benchmarks and the differential test.
#ifndef PODIUM_DEDUP_BENCH_BENCH_PHONES_H_
#define PODIUM_DEDUP_BENCH_BENCH_PHONES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace podium_dedup::bench {

// The raw phone values of a generated tenant of `people` people, in the
// order the generator writes them: the realistic mix, repeats included.
std::vector<std::string> GeneratedPhones(int64_t people, uint64_t seed, const std::string& region);

// `count` distinct values that look like numbers of `region` ("AU" mobile
// and landline numbers written with spaces, or US numbers), none repeated.
std::vector<std::string> DistinctPhones(size_t count, uint64_t seed, const std::string& region);

// `count` random strings of 1 to 16 digits, some with a leading '+' or '0',
// as a fuzz-like input for comparing two normalization paths.
std::vector<std::string> RandomDigitStrings(size_t count, uint64_t seed);

}  // namespace podium_dedup::bench

#endif  // PODIUM_DEDUP_BENCH_BENCH_PHONES_H_
