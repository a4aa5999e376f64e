// Matching: duplicate clusters, their confidence, evidence and primary.
//
// Input is the indexed contacts of one location (or of several locations
// that configuration names as one business); output is the clusters of
// contacts linked by a shared natural key (an E.164 phone, or a normalized
// email). Everything here is a pure function of its input: the same contacts
// give the same clusters, ids, primaries and scores on every run, in any
// input order.
//
// Scoring. Each pair of members gets a score in [0, 1], the sum of:
//   0.60  the pair shares an E.164 number whose extensions do not conflict
//   0.50  instead of 0.60: the pair shares a normalized email but no number
//   0.20  same name (NormalizeName, both non-empty)
//   0.15  same email, added only on top of a shared number; on an email-only
//         link the email is already the 0.50 base
//   0.05  overlapping tags (by tag uid, or by folded label when the uid is empty)
// capped at 1.0. A pair that shares no key (it is in the cluster only through
// a third contact) gets 0 for the key part. The cluster's confidence is the
// minimum pair score, so a chain A-B-C where A and C share nothing scores at
// most 0.25 and never auto-merges.
//
// With the 0.80 default threshold this means: number + name auto-merges,
// number + email + tags auto-merges only when one of the names is empty
// (see kNameMismatch), and an email-linked pair scores at most 0.75.
#ifndef PODIUM_DEDUP_MATCH_H_
#define PODIUM_DEDUP_MATCH_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "podium_dedup/contact.h"
#include "podium_dedup/phone.h"

namespace podium_dedup {

// A contact as the matcher sees it: the record and its normalized keys.
struct IndexedContact {
  Contact contact;
  std::string location_uid;              // the location this row belongs to
  std::vector<NormalizedPhone> phones;   // valid numbers only
  std::vector<std::string> email_keys;   // normalized emails (NormalizeEmail)
  int field_count = 0;                   // FieldCount(contact), computed at index time
};

struct OptOuts {
  bool marketing = false;
  bool sms = false;
  bool email = false;
};

// Evidence on one pair of cluster members: the factors that matched and the score.
struct PairEvidence {
  std::string uid_a;  // the lower uid of the pair
  std::string uid_b;
  double score = 0.0;
  bool shared_phone = false;         // +0.60: a shared number with compatible extensions
  bool shared_email_key = false;     // linked through a normalized email only: 0.50 base
  bool same_name = false;            // +0.20
  bool same_email = false;           // +0.15 when shared_phone; implied by shared_email_key
  bool overlapping_tags = false;     // +0.05
  bool extension_mismatch = false;   // same number, different extensions: evidence against
  bool region_fallback = false;      // every shared number came from a fallback region
  bool name_mismatch = false;        // both names present and different after NormalizeName
  bool phone_conflict = false;       // each side has a number the other lacks: evidence against
  std::vector<std::string> shared_keys;  // the natural keys both hold, sorted; empty = transitive link
};

// Stable review reasons: why a cluster is not auto-merged. Their spelling is
// part of the output format.
namespace review_reason {
// The confidence (minimum pair score) is below MatchOptions::auto_merge_threshold.
inline constexpr std::string_view kBelowThreshold = "below_threshold";
// A key of the cluster is held by more than hot_key_limit distinct names.
inline constexpr std::string_view kHotKey = "hot_key";
// Two members hold the same number with different non-empty extensions.
inline constexpr std::string_view kExtensionMismatch = "extension_mismatch";
// A pair's only shared numbers were parsed in a fallback region.
inline constexpr std::string_view kRegionFallback = "region_fallback";
// A pair is linked only through an email and its names do not match.
inline constexpr std::string_view kEmailOnly = "email_only";
// Two members share no key; they are linked only through other members.
inline constexpr std::string_view kTransitiveLink = "transitive_link";
// Two members both have a name and the names differ. Two different people
// who share a number, an email and a tag (spouses, a hotel's restaurants)
// would otherwise reach 0.80.
inline constexpr std::string_view kNameMismatch = "name_mismatch";
// Two members share a number, but each also has a number the other lacks:
// two people of one household, each with their own mobile, behind a shared
// landline.
inline constexpr std::string_view kPhoneConflict = "phone_conflict";
// The members belong to more than one location; Podium rejects such merges.
inline constexpr std::string_view kCrossLocation = "cross_location";
// A member is soft-deleted.
inline constexpr std::string_view kDeletedMember = "deleted_member";
// The cluster has more pairs than MatchOptions::max_scored_pairs, so not
// every pair was scored.
inline constexpr std::string_view kClusterTooLarge = "cluster_too_large";
}  // namespace review_reason

struct Cluster {
  std::string cluster_id;                 // ClusterId(contact_uids)
  // The members' location; for a cluster that spans locations, the primary's.
  std::string location_uid;
  std::vector<std::string> natural_keys;  // the keys held by two or more members, sorted
  std::vector<std::string> contact_uids;  // sorted byte-wise
  double confidence = 0.0;                // minimum pair score over the scored pairs
  bool auto_merge = false;
  bool hot_key = false;                   // a key shared by too many different names
  std::vector<std::string> hot_keys;      // those keys, sorted
  std::vector<std::string> review_reasons;  // why auto_merge is false, in review_reason order
  std::string primary_uid;
  OptOuts opt_out_union;
  std::size_t pair_count = 0;             // member pairs in the cluster: n * (n - 1) / 2
  // Pair evidence, ordered by (uid_a, uid_b). When pair_count exceeds
  // MatchOptions::max_evidence_pairs, it contains that many pairs: the first
  // ones in that order, always including the first lowest-scoring pair, and
  // evidence_truncated is true.
  std::vector<PairEvidence> evidence;
  bool evidence_truncated = false;
};

struct MatchOptions {
  double auto_merge_threshold = 0.80;  // a cluster auto-merges when every pair scores at least this
  int hot_key_limit = 5;               // a key with more distinct names than this is hot
  std::size_t max_evidence_pairs = 1000;  // evidence entries kept per cluster
  // Pairs scored per cluster. A larger cluster (about 2,000 members at the
  // default) is sent to review with kClusterTooLarge, and its confidence is
  // the minimum over the pairs that were scored.
  std::size_t max_scored_pairs = 2'000'000;
};

// Finds the clusters among `contacts`, all of one location (or one business).
// Contacts sharing a natural key are joined transitively (union-find over
// keys). The keys are the E.164 numbers of `phones`, and the emails of
// `email_keys` and `contact.emails` passed through NormalizeEmail. A contact
// with an empty uid is skipped, and a uid given more than once is clustered
// once, with the row of its lowest location_uid. Clusters are ordered by
// their lowest member uid.
std::vector<Cluster> FindClusters(const std::vector<IndexedContact>& contacts, const MatchOptions& options);

// Returns the cluster id for a set of member uids: "cl-" and the first 16
// hex digits of the SHA-256 of the sorted, deduplicated uids joined by '\n',
// which does not occur in Podium's UUID uids. Stable across runs and
// machines, and independent of the order of `uids`.
std::string ClusterId(std::vector<std::string> uids);

// Picks the primary: most fields populated (field_count, or FieldCount of the
// contact when field_count is 0), then most recently updated (updated_at as
// an ISO 8601 instant, an unparseable or empty value being the oldest), then
// the byte-wise lowest uid. Returns "" for no members.
std::string SelectPrimary(const std::vector<const IndexedContact*>& members);

// Returns the opt-out union: each flag is set if any member has it.
OptOuts OptOutUnion(const std::vector<const IndexedContact*>& members);

// Normalizes a name for comparison: NFKC with case folding, diacritics
// removed, whitespace collapsed and trimmed, and "Last, First" (exactly one
// comma) reordered to "First Last". Returns "" for a name with no letters
// or digits left, and empty names never count as the same name.
std::string NormalizeName(const std::string& name);

// Normalizes an email for comparison: trimmed, ASCII lower case, and for
// gmail.com and googlemail.com, dots and a +tag removed from the local part
// and the domain written gmail.com. Returns "" for an invalid email (not
// exactly one '@', an empty part, whitespace inside, or a domain without a
// dot), so it never becomes a key.
std::string NormalizeEmail(const std::string& email);

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_MATCH_H_
