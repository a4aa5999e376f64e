// A bounded, thread-safe cache of normalization results.
#ifndef PODIUM_DEDUP_PHONE_RESULT_CACHE_H_
#define PODIUM_DEDUP_PHONE_RESULT_CACHE_H_

#include <array>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "podium_dedup/phone.h"

namespace podium_dedup::phone_internal {

// Maps a key (region and cleaned field) to its result. The entries are
// spread over shards, each behind its own mutex, so threads that look up
// different keys rarely wait for each other. A shard that reaches its share
// of `capacity` is emptied before the next insert, which bounds memory
// without bookkeeping on the lookup path. A capacity of zero disables it.
class ResultCache {
 public:
  explicit ResultCache(size_t capacity);

  std::optional<PhoneFieldResult> Find(const std::string& key) const;
  void Insert(const std::string& key, const PhoneFieldResult& result);
  bool enabled() const { return shard_capacity_ > 0; }

 private:
  static constexpr size_t kShardCount = 16;

  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, PhoneFieldResult> entries;
  };

  Shard& ShardFor(const std::string& key) const;

  size_t shard_capacity_;
  mutable std::array<Shard, kShardCount> shards_;
};

}  // namespace podium_dedup::phone_internal

#endif  // PODIUM_DEDUP_PHONE_RESULT_CACHE_H_
