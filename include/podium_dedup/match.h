// Matching: duplicate clusters, their confidence, evidence and primary.
//
// Input is the indexed contacts of one location (or of several locations
// that configuration names as one business); output is the clusters of
// contacts linked by a shared natural key (an E.164 phone, or a normalized
// email). Everything here is a pure function of its input: the same contacts
// give the same clusters, ids, primaries and scores on every run.
#ifndef PODIUM_DEDUP_MATCH_H_
#define PODIUM_DEDUP_MATCH_H_

#include <string>
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

// Why two members of a cluster were judged the same person.
struct PairEvidence {
  std::string uid_a;  // the lower uid of the pair
  std::string uid_b;
  double score = 0.0;
  bool shared_phone = false;         // +0.60
  bool shared_email_key = false;     // linked through a normalized email only
  bool same_name = false;            // +0.20
  bool same_email = false;           // +0.15
  bool overlapping_tags = false;     // +0.05
  bool extension_mismatch = false;   // same number, different extensions: evidence against
  bool region_fallback = false;      // the shared key came from a fallback region
};

struct Cluster {
  std::string cluster_id;                 // hash of the sorted member uids
  std::string location_uid;
  std::vector<std::string> natural_keys;  // the shared keys, sorted
  std::vector<std::string> contact_uids;  // sorted
  double confidence = 0.0;                // minimum pair score
  bool auto_merge = false;
  bool hot_key = false;                   // a key shared by too many different names
  std::vector<std::string> review_reasons;  // why auto_merge is false
  std::string primary_uid;
  OptOuts opt_out_union;
  std::vector<PairEvidence> evidence;
};

struct MatchOptions {
  double auto_merge_threshold = 0.80;
  int hot_key_limit = 5;
};

// Finds the clusters among `contacts`, all of one location (or one business).
std::vector<Cluster> FindClusters(const std::vector<IndexedContact>& contacts, const MatchOptions& options);

// Returns the cluster id for a set of member uids: a hex SHA-256 prefix of
// the sorted uids, stable across runs and machines.
std::string ClusterId(std::vector<std::string> uids);

// Picks the primary: most fields populated, then most recently updated, then
// the lexically lowest uid.
std::string SelectPrimary(const std::vector<const IndexedContact*>& members);

// Returns the opt-out union: each flag is set if any member has it.
OptOuts OptOutUnion(const std::vector<const IndexedContact*>& members);

// Normalizes a name for comparison: NFKC, case folding, diacritics folded,
// whitespace collapsed, "Last, First" reordered to "First Last".
std::string NormalizeName(const std::string& name);

// Normalizes an email for comparison: lower case, and for gmail.com and
// googlemail.com, dots and a +tag removed from the local part.
std::string NormalizeEmail(const std::string& email);

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_MATCH_H_
