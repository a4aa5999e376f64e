#include "merge/cluster_source.h"

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

class ClusterCollector {
 public:
  ClusterCollector(const MatchOptions& options, std::string only_cluster_id)
      : options_(options), only_cluster_id_(std::move(only_cluster_id)) {}

  void Collect(const std::vector<IndexedContact>& rows) {
    std::unordered_map<std::string, const IndexedContact*> by_uid;
    for (const IndexedContact& row : rows) by_uid.emplace(row.contact.uid, &row);
    for (Cluster& cluster : FindClusters(rows, options_)) {
      if (!only_cluster_id_.empty() && cluster.cluster_id != only_cluster_id_) continue;
      if (!seen_.insert(cluster.cluster_id).second) continue;
      CandidateCluster candidate;
      for (const std::string& uid : cluster.contact_uids) candidate.members.push_back(*by_uid.at(uid));
      candidate.cluster = std::move(cluster);
      clusters_.push_back(std::move(candidate));
    }
  }

  std::vector<CandidateCluster> Take() { return std::move(clusters_); }

 private:
  MatchOptions options_;
  std::string only_cluster_id_;
  std::set<std::string> seen_;
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
  ClusterCollector collector(options, only_cluster_id);

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

  std::vector<CandidateCluster> clusters = collector.Take();
  logger.debug("re-clustered {} locations of the index '{}': {} clusters", locations, db_path, clusters.size());
  return clusters;
}

}  // namespace podium_dedup::merge_internal
