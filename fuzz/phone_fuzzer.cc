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
    // A natural key is libphonenumber's E.164 format: '+', a country code of
    // at most 3 digits and a national number of at most 17, digits only
    // (kMaxLengthCountryCode and kMaxLengthForNsn in phonenumberutil.h). ITU
    // E.164 allows 15 digits in all, but libphonenumber accepts longer German
    // numbers.
    const std::string_view key = number.e164;
    if (key.size() < 3 || key.size() > 21 || key[0] != '+') std::abort();
    if (key.find_first_not_of("0123456789", 1) != std::string_view::npos) std::abort();
  }
  return 0;
}
