// Clusters for a merge run, computed from the index as it is now.
#ifndef PODIUM_DEDUP_MERGE_CLUSTER_SOURCE_H_
#define PODIUM_DEDUP_MERGE_CLUSTER_SOURCE_H_

#include <string>
#include <vector>

#include "podium_dedup/config.h"
#include "podium_dedup/log.h"
#include "podium_dedup/match.h"
#include "podium_dedup/result.h"

namespace podium_dedup::merge_internal {

// A cluster and copies of its members' index rows.
struct CandidateCluster {
  Cluster cluster;
  std::vector<IndexedContact> members;
};

// Re-clusters the live contacts of the index at `db_path`: FindClusters on
// each location's rows, and on the union of the rows of each same-entity
// group of locations. As find-duplicates does, a cluster that shares a
// member with another cluster (or is found in several locations) goes to
// review. Each cluster id is kept once; with a non-empty `only_cluster_id`
// only that cluster is kept.
Result<std::vector<CandidateCluster>> LoadCandidateClusters(const std::string& db_path, const Settings& settings,
                                                            const std::string& only_cluster_id, Logger& logger);

}  // namespace podium_dedup::merge_internal

#endif  // PODIUM_DEDUP_MERGE_CLUSTER_SOURCE_H_
