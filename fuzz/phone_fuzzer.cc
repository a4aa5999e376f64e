// Fuzz target: PhoneNormalizer::Normalize on any bytes, in a region chosen by
// the first byte (some known, one unknown, one empty), with fallback regions
// and a placeholder blocklist so that every branch is reachable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "podium_dedup/phone.h"

namespace {

constexpr std::string_view kRegions[] = {"AU", "US", "GB", "DE", "FR", "IN", "BR", "JP",
                                         "NZ", "CA", "MX", "ZA", "SG", "ZZ", "",   "001"};

const podium_dedup::PhoneNormalizer& Normalizer() {
  static const auto* normalizer = new podium_dedup::PhoneNormalizer(podium_dedup::PhoneOptions{
      .fallback_regions = {"US", "GB", "NZ"}, .blocklist = {"+61400000000", "+15555555555"}});
  return *normalizer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view region = kRegions[data[0] % std::size(kRegions)];
  const std::string_view raw(reinterpret_cast<const char*>(data + 1), size - 1);
  const podium_dedup::PhoneFieldResult result = Normalizer().Normalize(raw, region);
  for (const podium_dedup::NormalizedPhone& number : result.numbers) {
    // A natural key is E.164: '+' and 2 to 15 digits.
    if (number.e164.size() < 3 || number.e164.size() > 16 || number.e164[0] != '+') std::abort();
  }
  return 0;
}
