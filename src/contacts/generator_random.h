// Random draws for the tenant generator that give the same values with every
// standard library: std::mt19937_64's output is fixed by the C++ standard,
// but std::uniform_int_distribution and friends are not, so the draws here
// are written out.
#ifndef PODIUM_DEDUP_SRC_CONTACTS_GENERATOR_RANDOM_H_
#define PODIUM_DEDUP_SRC_CONTACTS_GENERATOR_RANDOM_H_

#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace podium_dedup::contacts {

class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}

  uint64_t Next() { return engine_(); }

  // Returns a value in [0, bound), without modulo bias. `bound` must be > 0.
  uint64_t Below(uint64_t bound) {
    const uint64_t limit = std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % bound;
    uint64_t value = Next();
    while (value >= limit) value = Next();
    return value % bound;
  }

  // Returns a value in [low, high].
  int64_t Between(int64_t low, int64_t high) {
    return low + static_cast<int64_t>(Below(static_cast<uint64_t>(high - low) + 1));
  }

  // Returns true with probability `p`, from the top 53 bits of one draw.
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }

  // Returns the index of a weight, drawn in proportion to the weights.
  size_t Weighted(const std::vector<int>& weights) {
    const int total = std::accumulate(weights.begin(), weights.end(), 0);
    int draw = static_cast<int>(Below(static_cast<uint64_t>(total)));
    for (size_t i = 0; i < weights.size(); ++i) {
      if (draw < weights[i]) return i;
      draw -= weights[i];
    }
    return weights.size() - 1;
  }

  template <typename Container>
  const auto& Pick(const Container& items) {
    return items[Below(std::size(items))];
  }

 private:
  std::mt19937_64 engine_;
};

// A bijection of [0, size): i -> (i * multiplier + offset) mod size. Gives
// every person a distinct phone number and every contact a distinct uid
// without remembering the ones already handed out.
class Permutation {
 public:
  Permutation(uint64_t size, uint64_t offset) : size_(size), offset_(offset % size) {
    // A multiplier coprime with the size makes the map one-to-one.
    multiplier_ = 2654435761u % size_;
    while (multiplier_ < 2 || std::gcd(multiplier_, size_) != 1) ++multiplier_;
  }

  uint64_t size() const { return size_; }

  // Sizes stay below 2^31, so the product cannot overflow 64 bits.
  uint64_t operator()(uint64_t i) const { return (i % size_ * multiplier_ + offset_) % size_; }

 private:
  uint64_t size_;
  uint64_t offset_;
  uint64_t multiplier_ = 0;
};

}  // namespace podium_dedup::contacts

#endif  // PODIUM_DEDUP_SRC_CONTACTS_GENERATOR_RANDOM_H_
