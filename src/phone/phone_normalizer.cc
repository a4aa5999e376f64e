// The normalization pipeline: clean, repair, recognize URIs, split, then
// classify each candidate in the contact's region and its fallbacks.
#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>

#include <phonenumbers/phonenumberutil.h>

#include "phone/classification.h"
#include "phone/cleaning.h"
#include "phone/result_cache.h"
#include "phone/spreadsheet.h"
#include "phone/splitting.h"
#include "phone/uri.h"
#include "podium_dedup/phone.h"

namespace podium_dedup {
namespace {

using phone_internal::Candidate;
using phone_internal::PieceVerdict;

PhoneFieldResult Rejected(std::string piece, std::string_view reason) {
  PhoneFieldResult result;
  result.rejected.push_back({std::move(piece), std::string(reason)});
  return result;
}

// Reasons that describe the text itself, so another region cannot fix them.
bool IsFinalReason(std::string_view reason) {
  return reason == reason::kPlaceholder || reason == reason::kShortCode;
}

bool StartsWithPlus(std::string_view text) { return text.starts_with('+'); }

void AddVerdict(const std::string& piece, PieceVerdict verdict, PhoneFieldResult& result) {
  if (!verdict.number) {
    result.rejected.push_back({piece, std::string(verdict.reason)});
    return;
  }
  const bool seen = std::any_of(result.numbers.begin(), result.numbers.end(),
                                [&](const NormalizedPhone& n) {
                                  return n.e164 == verdict.number->e164 &&
                                         n.extension == verdict.number->extension;
                                });
  if (!seen) result.numbers.push_back(std::move(*verdict.number));
}

}  // namespace

struct PhoneNormalizer::Impl {
  explicit Impl(PhoneOptions opts) : options(std::move(opts)), cache(options.cache_capacity) {}

  PhoneFieldResult NormalizeCleaned(const std::string& cleaned, const std::string& region) const;
  void ResolveCandidate(const Candidate& candidate, const std::string& region,
                        PhoneFieldResult& result) const;
  bool SplitAtSpace(const std::string& text, const std::string& extension,
                    const std::string& region, PhoneFieldResult& result) const;
  PieceVerdict ClassifyWithFallback(const std::string& text, const std::string& extension,
                                    const std::string& region) const;
  PieceVerdict ClassifyInFallbacks(const std::string& text, const std::string& extension,
                                   const std::string& region, PieceVerdict primary) const;
  PieceVerdict ApplyBlocklist(PieceVerdict verdict, const std::string& region) const;
  const std::unordered_set<std::string>& BlocklistFor(const std::string& region) const;

  PhoneOptions options;
  phone_internal::PieceClassifier classifier;
  phone_internal::ResultCache cache;
  mutable std::mutex blocklist_mutex;
  // E.164 forms of the blocklist entries, by region. std::map never moves
  // its nodes, so references handed out stay valid while other regions are
  // added.
  mutable std::map<std::string, std::unordered_set<std::string>> blocklists;
};

PhoneNormalizer::PhoneNormalizer(PhoneOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

PhoneNormalizer::~PhoneNormalizer() = default;

bool PhoneNormalizer::IsKnownRegion(std::string_view region) {
  return i18n::phonenumbers::PhoneNumberUtil::GetInstance()->GetCountryCodeForRegion(
             std::string(region)) != 0;
}

PhoneFieldResult PhoneNormalizer::Normalize(std::string_view raw, std::string_view region) const {
  const std::string cleaned = phone_internal::CleanPhoneText(raw);
  const std::string region_code(region);
  std::string key;
  key.reserve(region_code.size() + 1 + cleaned.size());
  key.append(region_code).push_back('\n');
  key.append(cleaned);
  if (std::optional<PhoneFieldResult> cached = impl_->cache.Find(key)) return *std::move(cached);

  PhoneFieldResult result = IsKnownRegion(region_code)
                                ? impl_->NormalizeCleaned(cleaned, region_code)
                                : Rejected(cleaned, reason::kUnknownRegion);
  impl_->cache.Insert(key, result);
  return result;
}

PhoneFieldResult PhoneNormalizer::Impl::NormalizeCleaned(const std::string& cleaned,
                                                         const std::string& region) const {
  if (phone_internal::IsEmptyLike(cleaned)) return Rejected(cleaned, reason::kEmpty);
  const phone_internal::SpreadsheetRepair repaired = phone_internal::RepairSpreadsheetValue(cleaned);
  if (repaired.lossy) return Rejected(cleaned, reason::kLossySpreadsheetValue);

  const phone_internal::UriNumber uri = phone_internal::ParsePhoneUri(repaired.value);
  if (uri.kind == phone_internal::UriNumber::Kind::kNotAPhone) {
    return Rejected(cleaned, reason::kNotAPhone);
  }
  std::vector<Candidate> candidates;
  if (uri.kind == phone_internal::UriNumber::Kind::kNumber) {
    candidates = phone_internal::SplitPhoneField(uri.number);
    if (candidates.size() == 1 && candidates.front().extension.empty()) {
      candidates.front().extension = uri.extension;
    }
  } else {
    candidates = phone_internal::SplitPhoneField(repaired.value);
  }
  if (candidates.empty()) return Rejected(cleaned, reason::kNotAPhone);

  PhoneFieldResult result;
  for (const Candidate& candidate : candidates) ResolveCandidate(candidate, region, result);
  return result;
}

// A candidate with weak separators ("310/246-1501") is split only when every
// part is a valid number on its own. Otherwise the whole text is tried, and
// only when that fails too are the parts reported one by one.
void PhoneNormalizer::Impl::ResolveCandidate(const Candidate& candidate, const std::string& region,
                                             PhoneFieldResult& result) const {
  const std::string whole = candidate.Joined();
  if (candidate.parts.size() == 1) {
    PieceVerdict verdict = ClassifyWithFallback(whole, candidate.extension, region);
    if (!verdict.number && !IsFinalReason(verdict.reason) &&
        SplitAtSpace(whole, candidate.extension, region, result)) {
      return;
    }
    AddVerdict(whole, std::move(verdict), result);
    return;
  }
  std::vector<PieceVerdict> verdicts;
  for (size_t i = 0; i < candidate.parts.size(); ++i) {
    // An extension is written after the last number, so it belongs to it.
    const bool last = i + 1 == candidate.parts.size();
    verdicts.push_back(
        ClassifyWithFallback(candidate.parts[i], last ? candidate.extension : "", region));
  }
  const bool all_valid = std::all_of(verdicts.begin(), verdicts.end(),
                                     [](const PieceVerdict& v) { return v.number.has_value(); });
  if (!all_valid) {
    PieceVerdict joined = ClassifyWithFallback(whole, candidate.extension, region);
    if (joined.number) return AddVerdict(whole, std::move(joined), result);
  }
  for (size_t i = 0; i < verdicts.size(); ++i) {
    AddVerdict(candidate.parts[i], std::move(verdicts[i]), result);
  }
}

// Two numbers written with only a space between them ("0491 570 156 02
// 5550 1234") are invalid as one. They are split at the one space where
// both sides are valid numbers. When no space or more than one space
// qualifies, nothing is added, and the caller reports the whole text.
bool PhoneNormalizer::Impl::SplitAtSpace(const std::string& text, const std::string& extension,
                                         const std::string& region, PhoneFieldResult& result) const {
  std::optional<std::pair<PieceVerdict, PieceVerdict>> found;
  for (size_t space = text.find(' '); space != std::string::npos; space = text.find(' ', space + 1)) {
    PieceVerdict left = ClassifyWithFallback(text.substr(0, space), "", region);
    if (!left.number) continue;
    PieceVerdict right = ClassifyWithFallback(text.substr(space + 1), extension, region);
    if (!right.number) continue;
    if (found) return false;
    found.emplace(std::move(left), std::move(right));
  }
  if (!found) return false;
  AddVerdict(text, std::move(found->first), result);
  AddVerdict(text, std::move(found->second), result);
  return true;
}

PieceVerdict PhoneNormalizer::Impl::ClassifyWithFallback(const std::string& text,
                                                         const std::string& extension,
                                                         const std::string& region) const {
  PieceVerdict primary = classifier.Classify(text, extension, region);
  if (primary.number || IsFinalReason(primary.reason) || StartsWithPlus(text)) {
    return ApplyBlocklist(std::move(primary), region);
  }
  return ApplyBlocklist(ClassifyInFallbacks(text, extension, region, std::move(primary)), region);
}

// Keeps a fallback reading only when exactly one distinct number comes out
// of all fallback regions; two different ones mean the region is a guess.
PieceVerdict PhoneNormalizer::Impl::ClassifyInFallbacks(const std::string& text,
                                                        const std::string& extension,
                                                        const std::string& region,
                                                        PieceVerdict primary) const {
  std::optional<NormalizedPhone> found;
  for (const std::string& fallback : options.fallback_regions) {
    if (fallback == region) continue;
    PieceVerdict verdict = classifier.Classify(text, extension, fallback);
    if (!verdict.number) continue;
    if (found && found->e164 != verdict.number->e164) return {std::nullopt, reason::kAmbiguousRegion};
    found = std::move(verdict.number);
  }
  if (!found) return primary;
  found->region_fallback = true;
  return {std::move(found), {}};
}

PieceVerdict PhoneNormalizer::Impl::ApplyBlocklist(PieceVerdict verdict,
                                                   const std::string& region) const {
  if (!verdict.number || options.blocklist.empty()) return verdict;
  if (BlocklistFor(region).contains(verdict.number->e164)) return {std::nullopt, reason::kPlaceholder};
  return verdict;
}

// Normalizes the blocklist entries in `region` once, on first use, with the
// same cleaning and splitting as the fields they are compared with.
const std::unordered_set<std::string>& PhoneNormalizer::Impl::BlocklistFor(
    const std::string& region) const {
  std::lock_guard<std::mutex> lock(blocklist_mutex);
  const auto found = blocklists.find(region);
  if (found != blocklists.end()) return found->second;

  std::unordered_set<std::string>& numbers = blocklists[region];
  for (const std::string& entry : options.blocklist) {
    const std::string cleaned = phone_internal::CleanPhoneText(entry);
    const std::string repaired = phone_internal::RepairSpreadsheetValue(cleaned).value;
    for (const Candidate& candidate : phone_internal::SplitPhoneField(repaired)) {
      PieceVerdict verdict = classifier.Classify(candidate.Joined(), "", region);
      if (verdict.number) numbers.insert(verdict.number->e164);
    }
  }
  return numbers;
}

}  // namespace podium_dedup
