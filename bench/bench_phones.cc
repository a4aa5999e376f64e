#include "bench_phones.h"

#include <random>
#include <unordered_set>

#include "podium_dedup/generator.h"

namespace podium_dedup::bench {

std::vector<std::string> GeneratedPhones(int64_t people, uint64_t seed, const std::string& region) {
  GeneratorOptions options;
  options.people = people;
  options.seed = seed;
  options.region = region;
  TenantGenerator generator(options);
  GeneratedPerson person;
  std::vector<std::string> phones;
  while (generator.Next(&person)) {
    for (const Contact& contact : person.contacts) {
      phones.insert(phones.end(), contact.phones.begin(), contact.phones.end());
    }
  }
  return phones;
}

namespace {

std::string Digits(std::mt19937_64& random, int count) {
  std::string digits;
  for (int i = 0; i < count; ++i) digits.push_back(static_cast<char>('0' + random() % 10));
  return digits;
}

// One number written the way people write it: AU mobiles "04xx xxx xxx",
// AU landlines "(0d) xxxx xxxx", US numbers "(nxx) nxx-xxxx".
std::string LocalNumber(std::mt19937_64& random, const std::string& region) {
  if (region == "US") {
    const std::string area = std::to_string(2 + random() % 8) + Digits(random, 2);
    const std::string exchange = std::to_string(2 + random() % 8) + Digits(random, 2);
    return "(" + area + ") " + exchange + "-" + Digits(random, 4);
  }
  if (random() % 2 == 0) return "04" + Digits(random, 2) + " " + Digits(random, 3) + " " + Digits(random, 3);
  const char* const areas[] = {"02", "03", "07", "08"};
  return std::string("(") + areas[random() % 4] + ") " + Digits(random, 4) + " " + Digits(random, 4);
}

}  // namespace

std::vector<std::string> DistinctPhones(size_t count, uint64_t seed, const std::string& region) {
  std::mt19937_64 random(seed);
  std::unordered_set<std::string> seen;
  std::vector<std::string> phones;
  phones.reserve(count);
  while (phones.size() < count) {
    std::string phone = LocalNumber(random, region);
    if (seen.insert(phone).second) phones.push_back(std::move(phone));
  }
  return phones;
}

std::vector<std::string> RandomDigitStrings(size_t count, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<std::string> values;
  values.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    std::string value;
    const uint64_t prefix = random() % 8;
    if (prefix == 0) value = "+";
    if (prefix == 1) value = "0";
    value += Digits(random, 1 + static_cast<int>(random() % 16));
    values.push_back(std::move(value));
  }
  return values;
}

}  // namespace podium_dedup::bench
