// Inputs that phone_fuzzer (fuzz/phone_fuzzer.cc) stopped on, replayed with
// the fuzzer's options so that a normal build checks them again.
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "podium_dedup/phone.h"

namespace podium_dedup {
namespace {

// The options phone_fuzzer builds its normalizer with.
PhoneOptions FuzzerOptions() {
  return PhoneOptions{.fallback_regions = {"US", "GB", "NZ"}, .blocklist = {"+61400000000", "+15555555555"}};
}

// The fuzzer's check on a natural key: '+', then at most 3 country-code
// digits and 17 national digits, digits only. The limits are
// kMaxLengthCountryCode and kMaxLengthForNsn in libphonenumber's
// phonenumberutil.h.
bool IsLibphonenumberE164(std::string_view key) {
  if (key.size() < 3 || key.size() > 21 || key[0] != '+') return false;
  return key.find_first_not_of("0123456789", 1) == std::string_view::npos;
}

// crash-2e135cc1b00a73c7aea32b4b26bc6fc638243a79: the fuzzer read the
// first byte '3' as region DE, and the rest gave a 17-digit key, which
// failed the fuzzer's former limit of 15 digits.
TEST(PhoneFuzzRegression, GermanKeyLongerThanFifteenDigits) {
  const PhoneNormalizer normalizer(FuzzerOptions());
  const std::string raw = "45 678\x01" "1\xff\xff" "005555501\xce\xcc\xba\xd5\xd4";

  const PhoneFieldResult result = normalizer.Normalize(raw, "DE");

  ASSERT_EQ(result.numbers.size(), 1u);
  const std::string& key = result.numbers.front().e164;
  EXPECT_TRUE(IsLibphonenumberE164(key)) << "key: " << key;
  // NOTE: libphonenumber 8.12.57 takes 456781005555501 as a valid German
  // number, so the key has 17 digits, more than ITU E.164's 15. This pins
  // that behaviour until the phone module decides whether to reject it.
  EXPECT_EQ(key, "+49456781005555501");
}

}  // namespace
}  // namespace podium_dedup
