#include "phone/result_cache.h"

#include <functional>

namespace podium_dedup::phone_internal {

ResultCache::ResultCache(size_t capacity)
    : shard_capacity_(capacity == 0 ? 0 : (capacity + kShardCount - 1) / kShardCount) {}

ResultCache::Shard& ResultCache::ShardFor(const std::string& key) const {
  return shards_[std::hash<std::string>{}(key) % kShardCount];
}

std::optional<PhoneFieldResult> ResultCache::Find(const std::string& key) const {
  if (!enabled()) return std::nullopt;
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> lock(shard.mutex);
  const auto found = shard.entries.find(key);
  if (found == shard.entries.end()) return std::nullopt;
  return found->second;
}

void ResultCache::Insert(const std::string& key, const PhoneFieldResult& result) {
  if (!enabled()) return;
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> lock(shard.mutex);
  if (shard.entries.size() >= shard_capacity_) shard.entries.clear();
  shard.entries.insert_or_assign(key, result);
}

}  // namespace podium_dedup::phone_internal
