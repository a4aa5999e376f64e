// Pair scoring: which factors two cluster members share, and the score.
#include <algorithm>
#include <string>
#include <vector>

#include "match/internal.h"
#include "podium_dedup/match.h"

namespace podium_dedup::match_internal {
namespace {

void SortUnique(std::vector<std::string>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

std::vector<std::string> EmailKeys(const IndexedContact& row) {
  std::vector<std::string> keys;
  for (const auto* list : {&row.email_keys, &row.contact.emails}) {
    for (const std::string& email : *list) {
      std::string key = NormalizeEmail(email);
      if (!key.empty()) keys.push_back(std::move(key));
    }
  }
  SortUnique(keys);
  return keys;
}

std::vector<MemberPhone> MemberPhones(const IndexedContact& row) {
  std::vector<MemberPhone> phones;
  for (const NormalizedPhone& phone : row.phones) {
    if (phone.e164.empty()) continue;
    auto it = std::find_if(phones.begin(), phones.end(), [&](const MemberPhone& p) { return p.e164 == phone.e164; });
    if (it == phones.end()) {
      phones.push_back(MemberPhone{phone.e164, {}, true});
      it = phones.end() - 1;
    }
    it->extensions.push_back(phone.extension);
    it->region_fallback = it->region_fallback && phone.region_fallback;
  }
  for (MemberPhone& phone : phones) SortUnique(phone.extensions);
  std::sort(phones.begin(), phones.end(), [](const MemberPhone& a, const MemberPhone& b) { return a.e164 < b.e164; });
  return phones;
}

std::vector<std::string> TagIds(const Contact& contact) {
  std::vector<std::string> ids;
  for (const Tag& tag : contact.tags) {
    if (!tag.uid.empty()) {
      ids.push_back("uid:" + tag.uid);
      continue;
    }
    std::string label = FoldText(tag.label);
    if (!label.empty()) ids.push_back("label:" + label);
  }
  SortUnique(ids);
  return ids;
}

// Two writings of one number are compatible unless both carry an extension
// and the extensions differ: "555-0100" and "555-0100 x12" may be the same
// person, "x12" and "x34" are two desks behind one switchboard.
bool ExtensionsCompatible(const MemberPhone& a, const MemberPhone& b) {
  for (const std::string& ext_a : a.extensions) {
    for (const std::string& ext_b : b.extensions) {
      if (ext_a.empty() || ext_b.empty() || ext_a == ext_b) return true;
    }
  }
  return false;
}

bool HaveCommonValue(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  auto it_a = a.begin();
  auto it_b = b.begin();
  while (it_a != a.end() && it_b != b.end()) {
    if (*it_a == *it_b) return true;
    if (*it_a < *it_b) {
      ++it_a;
    } else {
      ++it_b;
    }
  }
  return false;
}

// Compares the numbers of a pair. A number whose extensions conflict gives
// no shared-phone points: it only sets extension_mismatch, which sends the
// cluster to review.
void ComparePhones(const MemberFeatures& a, const MemberFeatures& b, PairEvidence& evidence) {
  bool solid_phone = false;
  size_t common = 0;
  auto it_a = a.phones.begin();
  auto it_b = b.phones.begin();
  while (it_a != a.phones.end() && it_b != b.phones.end()) {
    if (it_a->e164 < it_b->e164) {
      ++it_a;
      continue;
    }
    if (it_b->e164 < it_a->e164) {
      ++it_b;
      continue;
    }
    ++common;
    evidence.shared_keys.push_back(it_a->e164);
    if (ExtensionsCompatible(*it_a, *it_b)) {
      evidence.shared_phone = true;
      solid_phone = solid_phone || (!it_a->region_fallback && !it_b->region_fallback);
    } else {
      evidence.extension_mismatch = true;
    }
    ++it_a;
    ++it_b;
  }
  evidence.region_fallback = evidence.shared_phone && !solid_phone;
  // One record with an extra number is an ordinary duplicate; two records
  // that each have a number of their own are more likely two people.
  evidence.phone_conflict = common > 0 && a.phones.size() > common && b.phones.size() > common;
}

void CompareEmails(const MemberFeatures& a, const MemberFeatures& b, PairEvidence& evidence) {
  std::vector<std::string> common;
  std::set_intersection(a.emails.begin(), a.emails.end(), b.emails.begin(), b.emails.end(),
                        std::back_inserter(common));
  evidence.same_email = !common.empty();
  evidence.shared_keys.insert(evidence.shared_keys.end(), common.begin(), common.end());
  evidence.shared_email_key = evidence.same_email && !evidence.shared_phone;
}

int Points(const PairEvidence& evidence) {
  int points = 0;
  if (evidence.shared_phone) {
    points += kSharedPhonePoints;
    if (evidence.same_email) points += kSameEmailPoints;
  } else if (evidence.shared_email_key) {
    points += kSharedEmailKeyPoints;
  }
  if (evidence.same_name) points += kSameNamePoints;
  if (evidence.overlapping_tags) points += kOverlappingTagsPoints;
  return std::min(points, kMaxPoints);
}

}  // namespace

std::vector<std::string> NaturalKeys(const IndexedContact& row) {
  std::vector<std::string> keys = EmailKeys(row);
  for (const NormalizedPhone& phone : row.phones) {
    if (!phone.e164.empty()) keys.push_back(phone.e164);
  }
  SortUnique(keys);
  return keys;
}

MemberFeatures BuildFeatures(const IndexedContact& row) {
  MemberFeatures features;
  features.row = &row;
  features.phones = MemberPhones(row);
  features.emails = EmailKeys(row);
  features.name = NormalizeName(row.contact.name);
  features.tags = TagIds(row.contact);
  return features;
}

PairEvidence ScorePair(const MemberFeatures& a, const MemberFeatures& b, int& points) {
  PairEvidence evidence;
  const bool a_first = a.row->contact.uid < b.row->contact.uid;
  evidence.uid_a = a_first ? a.row->contact.uid : b.row->contact.uid;
  evidence.uid_b = a_first ? b.row->contact.uid : a.row->contact.uid;

  ComparePhones(a, b, evidence);
  CompareEmails(a, b, evidence);
  std::sort(evidence.shared_keys.begin(), evidence.shared_keys.end());
  evidence.same_name = !a.name.empty() && a.name == b.name;
  evidence.name_mismatch = !a.name.empty() && !b.name.empty() && a.name != b.name;
  evidence.overlapping_tags = HaveCommonValue(a.tags, b.tags);

  points = Points(evidence);
  evidence.score = points / 100.0;
  return evidence;
}

}  // namespace podium_dedup::match_internal
