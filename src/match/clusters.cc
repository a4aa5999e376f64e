// FindClusters: union-find over natural keys, then per-cluster scoring.
//
// The pass over all contacts is linear: each key maps to the first contact
// seen with it, and every later holder is joined to that contact. Only
// members of clusters (two or more contacts) are scored, pair by pair, with
// a per-cluster budget so that one huge cluster (a switchboard number held
// by thousands of contacts) cannot make the run quadratic.
#include <algorithm>
#include <array>
#include <numeric>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "match/internal.h"
#include "podium_dedup/match.h"

namespace podium_dedup {
namespace {

using match_internal::MemberFeatures;

class DisjointSets {
 public:
  explicit DisjointSets(std::size_t size) : parent_(size), size_(size, 1) {
    std::iota(parent_.begin(), parent_.end(), 0);
  }

  std::size_t Find(std::size_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }

  void Union(std::size_t a, std::size_t b) {
    a = Find(a);
    b = Find(b);
    if (a == b) return;
    if (size_[a] < size_[b]) std::swap(a, b);
    parent_[b] = a;
    size_[a] += size_[b];
  }

  std::size_t SetSize(std::size_t root) const { return size_[root]; }

 private:
  std::vector<std::size_t> parent_;
  std::vector<std::size_t> size_;
};

// Keeps one row per uid (the one with the lowest location_uid) and drops
// rows without a uid, so that a contact is never paired with itself.
std::vector<const IndexedContact*> UniqueRows(const std::vector<IndexedContact>& contacts) {
  std::unordered_map<std::string_view, std::size_t> position_by_uid;
  position_by_uid.reserve(contacts.size());
  std::vector<const IndexedContact*> rows;
  for (const IndexedContact& contact : contacts) {
    if (contact.contact.uid.empty()) continue;
    auto [it, inserted] = position_by_uid.try_emplace(contact.contact.uid, rows.size());
    if (inserted) {
      rows.push_back(&contact);
    } else if (contact.location_uid < rows[it->second]->location_uid) {
      rows[it->second] = &contact;
    }
  }
  return rows;
}

// Returns the member lists of the clusters, each sorted by uid, ordered by
// their lowest uid.
std::vector<std::vector<const IndexedContact*>> GroupByKeys(const std::vector<const IndexedContact*>& rows) {
  DisjointSets sets(rows.size());
  std::unordered_map<std::string, std::size_t> first_holder;
  first_holder.reserve(rows.size() * 2);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::string& key : match_internal::NaturalKeys(*rows[i])) {
      auto [it, inserted] = first_holder.try_emplace(std::move(key), i);
      if (!inserted) sets.Union(it->second, i);
    }
  }

  // Most contacts have no duplicate, so only sets of two or more get a list.
  constexpr std::size_t kNoGroup = static_cast<std::size_t>(-1);
  std::vector<std::size_t> group_of_root(rows.size(), kNoGroup);
  std::vector<std::vector<const IndexedContact*>> groups;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::size_t root = sets.Find(i);
    if (sets.SetSize(root) < 2) continue;
    if (group_of_root[root] == kNoGroup) {
      group_of_root[root] = groups.size();
      groups.emplace_back();
    }
    groups[group_of_root[root]].push_back(rows[i]);
  }

  const auto by_uid = [](const IndexedContact* a, const IndexedContact* b) { return a->contact.uid < b->contact.uid; };
  for (auto& members : groups) std::sort(members.begin(), members.end(), by_uid);
  std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.front()->contact.uid < b.front()->contact.uid; });
  return groups;
}

// Sets natural_keys and hot_keys: the keys held by two or more members, and
// among them those held under more than hot_key_limit distinct names.
void FindSharedKeys(const std::vector<MemberFeatures>& members, const MatchOptions& options, Cluster& cluster) {
  std::unordered_map<std::string, std::vector<std::size_t>> holders;
  for (std::size_t i = 0; i < members.size(); ++i) {
    for (const auto& phone : members[i].phones) holders[phone.e164].push_back(i);
    for (const auto& email : members[i].emails) holders[email].push_back(i);
  }
  for (const auto& [key, indexes] : holders) {
    if (indexes.size() < 2) continue;
    cluster.natural_keys.push_back(key);
    std::vector<std::string_view> names;
    for (std::size_t i : indexes) {
      if (!members[i].name.empty()) names.push_back(members[i].name);
    }
    std::sort(names.begin(), names.end());
    const auto distinct = std::unique(names.begin(), names.end()) - names.begin();
    if (distinct > options.hot_key_limit) cluster.hot_keys.push_back(key);
  }
  std::sort(cluster.natural_keys.begin(), cluster.natural_keys.end());
  std::sort(cluster.hot_keys.begin(), cluster.hot_keys.end());
  cluster.hot_key = !cluster.hot_keys.empty();
}

// Outcome of the pair loop: the minimum score and the flags that stop an auto-merge.
struct PairSummary {
  int min_points = 0;
  bool extension_mismatch = false;
  bool region_fallback = false;
  bool email_only = false;
  bool transitive_link = false;
  bool name_mismatch = false;
  bool phone_conflict = false;
  bool too_large = false;
};

void NoteEvidence(const PairEvidence& evidence, PairSummary& summary) {
  summary.extension_mismatch = summary.extension_mismatch || evidence.extension_mismatch;
  summary.region_fallback = summary.region_fallback || evidence.region_fallback;
  summary.email_only = summary.email_only || (evidence.shared_email_key && !evidence.same_name);
  summary.transitive_link = summary.transitive_link || evidence.shared_keys.empty();
  summary.name_mismatch = summary.name_mismatch || evidence.name_mismatch;
  summary.phone_conflict = summary.phone_conflict || evidence.phone_conflict;
}

// Scores the pairs in (uid_a, uid_b) order, up to max_scored_pairs, and
// fills cluster.evidence (truncated as described in match.h).
PairSummary ScorePairs(const std::vector<MemberFeatures>& members, const MatchOptions& options, Cluster& cluster) {
  const std::size_t n = members.size();
  cluster.pair_count = n * (n - 1) / 2;
  const bool truncate = cluster.pair_count > options.max_evidence_pairs;
  const std::size_t keep_in_order = truncate && options.max_evidence_pairs > 0 ? options.max_evidence_pairs - 1
                                                                             : options.max_evidence_pairs;
  PairSummary summary;
  summary.min_points = match_internal::kMaxPoints + 1;
  PairEvidence lowest;
  PairEvidence next_in_order;
  std::size_t lowest_index = 0;
  std::size_t scored = 0;
  for (std::size_t i = 0; i < n && !summary.too_large; ++i) {
    for (std::size_t j = i + 1; j < n; ++j, ++scored) {
      if (scored == options.max_scored_pairs) {
        summary.too_large = true;
        break;
      }
      int points = 0;
      PairEvidence evidence = match_internal::ScorePair(members[i], members[j], points);
      NoteEvidence(evidence, summary);
      if (points < summary.min_points) {
        summary.min_points = points;
        lowest = evidence;
        lowest_index = scored;
      }
      if (scored < keep_in_order) {
        cluster.evidence.push_back(std::move(evidence));
      } else if (scored == keep_in_order) {
        next_in_order = std::move(evidence);
      }
    }
  }
  if (scored == 0) summary.min_points = 0;

  // The last evidence slot shows the lowest-scoring pair, or the next pair
  // in order when the lowest is already listed.
  cluster.evidence_truncated = truncate;
  if (truncate && options.max_evidence_pairs > 0 && scored > keep_in_order) {
    cluster.evidence.push_back(lowest_index >= keep_in_order ? std::move(lowest) : std::move(next_in_order));
  }
  return summary;
}

bool AllSameLocation(const std::vector<const IndexedContact*>& rows) {
  return std::all_of(rows.begin(), rows.end(),
                     [&](const IndexedContact* row) { return row->location_uid == rows.front()->location_uid; });
}

// Lists the reasons against an auto-merge, in the order of review_reason.
std::vector<std::string> ReviewReasons(const Cluster& cluster, const PairSummary& summary,
                                       const std::vector<const IndexedContact*>& rows, const MatchOptions& options) {
  // Points are whole hundredths, so this tolerance only absorbs the rounding
  // of the threshold: 0.57 * 100 is 56.99999999999999 in double arithmetic.
  const bool below = summary.min_points + 1e-6 < options.auto_merge_threshold * 100.0;
  const bool deleted = std::any_of(rows.begin(), rows.end(), [](const IndexedContact* row) { return row->contact.deleted(); });
  const std::array<std::pair<bool, std::string_view>, 11> checks = {{
      {below, review_reason::kBelowThreshold},
      {cluster.hot_key, review_reason::kHotKey},
      {summary.extension_mismatch, review_reason::kExtensionMismatch},
      {summary.region_fallback, review_reason::kRegionFallback},
      {summary.email_only, review_reason::kEmailOnly},
      {summary.transitive_link, review_reason::kTransitiveLink},
      {summary.name_mismatch, review_reason::kNameMismatch},
      {summary.phone_conflict, review_reason::kPhoneConflict},
      {!AllSameLocation(rows), review_reason::kCrossLocation},
      {deleted, review_reason::kDeletedMember},
      {summary.too_large, review_reason::kClusterTooLarge},
  }};
  std::vector<std::string> reasons;
  for (const auto& [applies, reason] : checks) {
    if (applies) reasons.emplace_back(reason);
  }
  return reasons;
}

Cluster BuildCluster(const std::vector<const IndexedContact*>& rows, const MatchOptions& options) {
  Cluster cluster;
  std::vector<MemberFeatures> members;
  members.reserve(rows.size());
  for (const IndexedContact* row : rows) {
    cluster.contact_uids.push_back(row->contact.uid);
    members.push_back(match_internal::BuildFeatures(*row));
  }
  cluster.cluster_id = ClusterId(cluster.contact_uids);
  cluster.primary_uid = SelectPrimary(rows);
  cluster.opt_out_union = OptOutUnion(rows);
  const auto primary = std::find_if(rows.begin(), rows.end(),
                                    [&](const IndexedContact* row) { return row->contact.uid == cluster.primary_uid; });
  cluster.location_uid = (*primary)->location_uid;

  FindSharedKeys(members, options, cluster);
  const PairSummary summary = ScorePairs(members, options, cluster);
  cluster.confidence = summary.min_points / 100.0;
  cluster.review_reasons = ReviewReasons(cluster, summary, rows, options);
  cluster.auto_merge = cluster.review_reasons.empty();
  return cluster;
}

}  // namespace

std::vector<Cluster> FindClusters(const std::vector<IndexedContact>& contacts, const MatchOptions& options) {
  std::vector<Cluster> clusters;
  for (const auto& rows : GroupByKeys(UniqueRows(contacts))) clusters.push_back(BuildCluster(rows, options));
  return clusters;
}

}  // namespace podium_dedup
