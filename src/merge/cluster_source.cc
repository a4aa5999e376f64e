#include "merge/cluster_source.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "podium_dedup/index.h"

namespace podium_dedup::merge_internal {
namespace {

// Maps each location of a same-entity group to the group's index.
std::map<std::string, size_t> GroupOfLocation(const Settings& settings) {
  std::map<std::string, size_t> group_of;
  for (size_t i = 0; i < settings.same_entity_groups.size(); ++i) {
    for (const std::string& uid : settings.same_entity_groups[i]) group_of.emplace(uid, i);
  }
  return group_of;
}

// The review reason find-duplicates gives a cluster that shares a member
// with another cluster (a contact in several locations), so that merge and
// find-duplicates agree on which clusters may auto-merge.
constexpr const char* kMemberInOtherCluster = "member_in_other_cluster";

class ClusterCollector {
 public:
  explicit ClusterCollector(const MatchOptions& options) : options_(options) {}

  void Collect(const std::vector<IndexedContact>& rows) {
    std::unordered_map<std::string, const IndexedContact*> by_uid;
    for (const IndexedContact& row : rows) by_uid.emplace(row.contact.uid, &row);
    for (Cluster& cluster : FindClusters(rows, options_)) {
      CandidateCluster candidate;
      for (const std::string& uid : cluster.contact_uids) candidate.members.push_back(*by_uid.at(uid));
      candidate.cluster = std::move(cluster);
      clusters_.push_back(std::move(candidate));
    }
  }

  // Marks clusters that share a member as review-only, then keeps each
  // cluster id once, or only `only_cluster_id` when it is not empty.
  std::vector<CandidateCluster> Take(const std::string& only_cluster_id) {
    std::map<std::string, int> clusters_per_uid;
    for (const CandidateCluster& candidate : clusters_) {
      for (const std::string& uid : candidate.cluster.contact_uids) ++clusters_per_uid[uid];
    }
    std::set<std::string> seen;
    std::vector<CandidateCluster> kept;
    for (CandidateCluster& candidate : clusters_) {
      Cluster& cluster = candidate.cluster;
      if (!only_cluster_id.empty() && cluster.cluster_id != only_cluster_id) continue;
      if (!seen.insert(cluster.cluster_id).second) continue;
      const bool shared = std::any_of(cluster.contact_uids.begin(), cluster.contact_uids.end(),
                                      [&](const std::string& uid) { return clusters_per_uid[uid] > 1; });
      if (shared) {
        cluster.auto_merge = false;
        cluster.review_reasons.push_back(kMemberInOtherCluster);
      }
      kept.push_back(std::move(candidate));
    }
    return kept;
  }

 private:
  MatchOptions options_;
  std::vector<CandidateCluster> clusters_;
};

}  // namespace

Result<std::vector<CandidateCluster>> LoadCandidateClusters(const std::string& db_path, const Settings& settings,
                                                            const std::string& only_cluster_id, Logger& logger) {
  auto index = ContactIndex::Open(db_path);
  if (!index.ok()) return index.error();

  MatchOptions options;
  options.auto_merge_threshold = settings.auto_merge_threshold;
  options.hot_key_limit = settings.hot_key_limit;
  ClusterCollector collector(options);

  // Locations of a same-entity group are clustered together once the scan
  // has seen all of them; the others one location at a time.
  const std::map<std::string, size_t> group_of = GroupOfLocation(settings);
  std::vector<std::vector<IndexedContact>> group_rows(settings.same_entity_groups.size());
  int64_t locations = 0;
  Status scanned = index.value()->ForEachLocation([&](const std::string& location_uid, std::vector<IndexedContact>& rows) {
    ++locations;
    auto group = group_of.find(location_uid);
    if (group == group_of.end()) {
      collector.Collect(rows);
    } else {
      auto& target = group_rows[group->second];
      target.insert(target.end(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
    }
    return Status::Ok();
  });
  if (!scanned.ok()) return scanned.error();
  for (const auto& rows : group_rows) collector.Collect(rows);

  std::vector<CandidateCluster> clusters = collector.Take(only_cluster_id);
  logger.debug("re-clustered {} locations of the index '{}': {} clusters", locations, db_path, clusters.size());
  return clusters;
}

}  // namespace podium_dedup::merge_internal
