// The tenant generator: people, their contacts, and the ways duplicates differ.
//
// Rates (per person unless stated), chosen to look like a small business's
// contact list rather than measured from one:
// - options.duplicate_share of people have 2 to 5 contacts (2: 50%, 3: 30%,
//   4: 13%, 5: 7%). Of those, 15% have one contact in a second location.
// - 75% have a mobile only, 15% a landline only, 8% both, 2% no phone;
//   70% have an email (everyone without a phone has one).
// - Every duplicate shares the person's phone or email with the first
//   contact, typed in any of the region's formats, so that a natural-key
//   matcher can find it.
// - 8% opted out of marketing, 3% of SMS, 3% of email, set on a contact
//   other than the first (the richest) when there is one.
// - 4% of duplicate contacts and 0.5% of single contacts are soft-deleted.
// - 0.6% of people start a household of 2 to 4 people who share a landline
//   (70% one family name, sometimes one email; 30% different names, like an
//   office switchboard). They are different people and must not be merged.
#include "podium_dedup/generator.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "contacts/generator_data.h"
#include "contacts/generator_random.h"

namespace podium_dedup {
namespace {

using contacts::FindRegion;
using contacts::FormatPhone;
using contacts::Permutation;
using contacts::PersonName;
using contacts::Random;
using contacts::RegionData;

constexpr int64_t kMaxPeople = 10'000'000;
constexpr int kMaxLocations = 1000;
constexpr uint64_t kUidSpace = 100'000'000;  // c-00000000 to c-99999999
constexpr int64_t kFirstCreated = 1546300800;  // 2019-01-01T00:00:00Z
constexpr int64_t kLastCreated = 1780272000;   // 2026-06-01T00:00:00Z
constexpr int64_t kDay = 86400;
constexpr double kHouseholdChance = 0.006;
constexpr double kCrossLocationChance = 0.15;

std::string Padded(std::string_view prefix, uint64_t value, int width) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%0*llu", width, static_cast<unsigned long long>(value));
  return std::string(prefix) + digits;
}

// Formats seconds since the Unix epoch as ISO 8601 UTC, with the civil
// calendar algorithm of Howard Hinnant ("chrono-Compatible Low-Level Date
// Algorithms"), so no time zone database is involved.
std::string FormatTimestamp(int64_t seconds) {
  const int64_t days = (seconds >= 0 ? seconds : seconds - kDay + 1) / kDay;  // rounded down
  const int64_t time = seconds - days * kDay;
  const int64_t z = days + 719468;
  const int64_t era = z / 146097;
  const int64_t day_of_era = z - era * 146097;
  const int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t shifted_month = (5 * day_of_year + 2) / 153;
  const int64_t day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  const int64_t month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  const int64_t year = year_of_era + era * 400 + (month <= 2);
  char text[128];
  std::snprintf(text, sizeof text, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", static_cast<long long>(year),
                static_cast<long long>(month), static_cast<long long>(day), static_cast<long long>(time / 3600),
                static_cast<long long>(time / 60 % 60), static_cast<long long>(time % 60));
  return text;
}

std::string AsciiLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

std::string AsciiUpper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return upper;
}

struct Profile {
  const PersonName* given = nullptr;
  const PersonName* family = nullptr;
  std::string mobile;    // national significant number, or empty
  std::string landline;  // national significant number, or empty
  std::string email;     // or empty
  int location = 0;      // index of the home location

  bool has_phone() const { return !mobile.empty() || !landline.empty(); }
};

struct Household {
  int64_t id = -1;
  int64_t members_left = 0;
  std::string landline;
  const PersonName* family = nullptr;  // nullptr: each member has their own
  std::string email;
  int location = 0;
};

// A contact under construction, with the numbers its phones stand for.
struct Draft {
  Contact contact;
  std::vector<std::string> e164s;
};

}  // namespace

struct TenantGenerator::State {
  explicit State(const GeneratorOptions& generator_options)
      : options(generator_options),
        region(FindRegion(options.region)),
        random(options.seed),
        mobiles(region->mobile_space, options.seed * 7919),
        landlines(region->landline_space, options.seed * 104729),
        uids(kUidSpace, options.seed * 15485863) {}

  GeneratorOptions options;
  const RegionData* region;
  Random random;
  Permutation mobiles;
  Permutation landlines;
  Permutation uids;
  int64_t next_person = 0;
  int64_t next_contact = 0;
  int64_t households = 0;
  Household household;

  std::string LocationUid(int index) const { return "loc-" + std::to_string(index + 1); }
  std::string E164(const std::string& national) const {
    return "+" + std::string(region->calling_code) + national;
  }

  void StartHousehold(int64_t index);
  Profile MakeProfile(int64_t index);
  std::string MakeEmail(const PersonName& given, const PersonName& family);
  std::string PhoneText(const std::string& national, bool mobile, bool tidy);
  std::string NameVariant(const Profile& profile);
  std::string EmailVariant(const std::string& email);
  Draft MakeContact(const Profile& profile, int index, int location);
  void AddPhones(const Profile& profile, bool first, Draft* draft);
  void AddExtras(bool first, Contact* contact);
  void AddAddress(Contact* contact);
  void AddTimestamps(bool first, bool single, Contact* contact);
  void AssignOptOuts(std::vector<Draft>* drafts);
  size_t PickOptOutTarget(const std::vector<size_t>& candidates);
};

void TenantGenerator::State::StartHousehold(int64_t index) {
  household.id = households;
  household.members_left = std::min<int64_t>(random.Between(2, 4), options.people - index);
  // Household landlines come after the people's own numbers in the
  // permutation, so no single person has a household's number.
  household.landline = region->landline_number(landlines(static_cast<uint64_t>(options.people + households)));
  ++households;
  const bool family = random.Chance(0.7);
  household.family = family ? &random.Pick(contacts::FamilyNames()) : nullptr;
  household.email.clear();
  if (family && random.Chance(0.3)) {
    household.email = "the" + std::string(household.family->ascii) + "s" +
                      std::to_string(household.id + 1) + "@" + std::string(random.Pick(contacts::EmailDomains()));
  }
  household.location = static_cast<int>(random.Below(static_cast<uint64_t>(options.locations)));
}

std::string TenantGenerator::State::MakeEmail(const PersonName& given, const PersonName& family) {
  const std::string first(given.ascii);
  const std::string last(family.ascii);
  std::string local;
  switch (random.Weighted({35, 15, 20, 10, 10, 10})) {
    case 0: local = first + "." + last; break;
    case 1: local = first + last; break;
    case 2: local = first + "." + last + std::to_string(random.Between(1, 99)); break;
    case 3: local = first.substr(0, 1) + last; break;
    case 4: local = first + "_" + last; break;
    default: local = last + "." + first + std::to_string(random.Between(1960, 2005)); break;
  }
  return local + "@" + std::string(random.Pick(contacts::EmailDomains()));
}

Profile TenantGenerator::State::MakeProfile(int64_t index) {
  Profile profile;
  profile.given = &random.Pick(contacts::GivenNames());
  const auto person_number = static_cast<uint64_t>(index);
  if (household.members_left > 0) {
    profile.family = household.family != nullptr ? household.family : &random.Pick(contacts::FamilyNames());
    profile.landline = household.landline;
    if (random.Chance(0.5)) profile.mobile = region->mobile_number(mobiles(person_number));
    profile.email = household.email;
    if (profile.email.empty() && random.Chance(0.5)) profile.email = MakeEmail(*profile.given, *profile.family);
    profile.location = household.location;
    return profile;
  }

  profile.family = &random.Pick(contacts::FamilyNames());
  const size_t phones = random.Weighted({75, 15, 8, 2});  // mobile, landline, both, none
  if (phones == 0 || phones == 2) profile.mobile = region->mobile_number(mobiles(person_number));
  if (phones == 1 || phones == 2) profile.landline = region->landline_number(landlines(person_number));
  if (!profile.has_phone() || random.Chance(0.7)) profile.email = MakeEmail(*profile.given, *profile.family);
  profile.location = static_cast<int>(random.Below(static_cast<uint64_t>(options.locations)));
  return profile;
}

std::string TenantGenerator::State::PhoneText(const std::string& national, bool mobile, bool tidy) {
  const auto& patterns = mobile ? region->mobile_patterns : region->landline_patterns;
  // The first contact is mostly typed tidily; duplicates in any format.
  const std::string_view pattern = tidy && random.Chance(0.7) ? patterns.front() : random.Pick(patterns);
  return FormatPhone(national, pattern);
}

std::string TenantGenerator::State::NameVariant(const Profile& profile) {
  const std::string given(profile.given->display);
  std::string family(profile.family->display);
  switch (random.Weighted({20, 12, 8, 10, 10, 12, 10, 6, 6})) {
    case 0: return given + " " + family;
    case 1: return AsciiLower(given + " " + family);
    case 2: return AsciiUpper(given + " " + family);
    case 3: {
      const std::string spaced[] = {given + "  " + family, " " + given + " " + family, given + " " + family + " "};
      return random.Pick(spaced);
    }
    case 4: return family + ", " + given;
    case 5: return given;
    case 6: return "";
    case 7: return given.substr(0, 1) + ". " + family;
    default: {
      // A typing slip: two neighbouring ASCII letters of the family name swapped.
      if (family.size() >= 3) {
        const size_t at = 1 + random.Below(family.size() - 2);
        if (std::isalpha(static_cast<unsigned char>(family[at])) &&
            std::isalpha(static_cast<unsigned char>(family[at + 1]))) {
          std::swap(family[at], family[at + 1]);
        }
      }
      return given + " " + family;
    }
  }
}

std::string TenantGenerator::State::EmailVariant(const std::string& email) {
  if (!random.Chance(0.2)) return email;
  // Mail systems ignore the case of the domain, and most ignore it in the
  // local part, so people type either.
  std::string variant = email;
  variant[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(variant[0])));
  const size_t at = variant.find('@');
  if (at != std::string::npos && at + 1 < variant.size()) {
    variant[at + 1] = static_cast<char>(std::toupper(static_cast<unsigned char>(variant[at + 1])));
  }
  return variant;
}

void TenantGenerator::State::AddPhones(const Profile& profile, bool first, Draft* draft) {
  const auto add = [&](const std::string& national, bool mobile) {
    draft->contact.phones.push_back(PhoneText(national, mobile, first));
    draft->e164s.push_back(E164(national));
  };
  if (first) {
    if (!profile.mobile.empty()) add(profile.mobile, true);
    if (!profile.landline.empty()) add(profile.landline, false);
    if (!profile.email.empty()) draft->contact.emails.push_back(profile.email);
    return;
  }

  const bool email_only = !profile.email.empty() && (!profile.has_phone() || random.Chance(0.15));
  if (!email_only) {
    const bool mobile = !profile.mobile.empty();
    add(mobile ? profile.mobile : profile.landline, mobile);
    if (mobile && !profile.landline.empty() && random.Chance(0.2)) add(profile.landline, false);
  }
  if (!profile.email.empty() && (email_only || random.Chance(0.5))) {
    draft->contact.emails.push_back(EmailVariant(profile.email));
  }
}

void TenantGenerator::State::AddAddress(Contact* contact) {
  const contacts::Place& place = random.Pick(region->places);
  Address& address = contact->address;
  address.line1 = std::to_string(random.Between(1, 250)) + " " + std::string(random.Pick(contacts::StreetNames())) +
                  " " + std::string(random.Pick(region->street_suffixes));
  if (random.Chance(0.15)) address.line2 = "Unit " + std::to_string(random.Between(1, 40));
  address.city = place.city;
  address.state = place.state;
  address.postal_code = place.postal_code;
  address.country = region->code;
}

void TenantGenerator::State::AddExtras(bool first, Contact* contact) {
  if (random.Chance(first ? 0.45 : 0.15)) AddAddress(contact);

  if (random.Chance(first ? 0.35 : 0.15)) {
    const auto& pool = contacts::TagPool();
    const size_t start = random.Below(pool.size());
    const size_t count = first && random.Chance(0.4) ? 2 : 1;
    for (size_t k = 0; k < count; ++k) {
      const contacts::TagData& tag = pool[(start + k) % pool.size()];
      contact->tags.push_back(Tag{std::string(tag.uid), std::string(tag.label), ""});
    }
  }

  if (random.Chance(first ? 0.25 : 0.05)) {
    contact->attributes["attr-birthday"] = FormatTimestamp(random.Between(-315619200, 1104537600)).substr(0, 10);
    contact->attribute_info["attr-birthday"] = AttributeInfo{"Birthday", "date", false};
    if (random.Chance(0.5)) {
      contact->attributes["attr-visits"] = std::to_string(random.Between(1, 60));
      contact->attribute_info["attr-visits"] = AttributeInfo{"Visits", "number", true};
    }
  }

  const size_t conversations = first ? random.Weighted({30, 40, 20, 10}) : random.Weighted({70, 30});
  for (size_t k = 0; k < conversations; ++k) {
    contact->conversation_uids.push_back("conv-" + contact->uid.substr(2) + "-" + std::to_string(k + 1));
  }
  contact->organization_uid = "org-1";
}

void TenantGenerator::State::AddTimestamps(bool first, bool single, Contact* contact) {
  const int64_t created = random.Between(kFirstCreated, kLastCreated);
  const int64_t updated = created + random.Between(0, 400) * kDay + static_cast<int64_t>(random.Below(kDay));
  contact->created_at = FormatTimestamp(created);
  contact->updated_at = FormatTimestamp(updated);
  double deleted_chance = 0.04;  // a duplicate
  if (first) deleted_chance = single ? 0.005 : 0.0;
  if (random.Chance(deleted_chance)) {
    contact->deleted_at = FormatTimestamp(updated + random.Between(1, 30) * kDay);
  }
}

Draft TenantGenerator::State::MakeContact(const Profile& profile, int index, int location) {
  Draft draft;
  Contact& contact = draft.contact;
  contact.uid = Padded("c-", uids(static_cast<uint64_t>(next_contact++)), 8);
  const bool first = index == 0;
  contact.name = first ? std::string(profile.given->display) + " " + std::string(profile.family->display)
                       : NameVariant(profile);
  AddPhones(profile, first, &draft);
  contact.location_uids.push_back(LocationUid(location));
  AddExtras(first, &contact);
  return draft;
}

size_t TenantGenerator::State::PickOptOutTarget(const std::vector<size_t>& candidates) {
  // The flag goes on a contact other than the first (the richest) when there
  // is one, so that only the union of a cluster's opt-outs keeps it.
  if (candidates.size() > 1 && candidates.front() == 0 && random.Chance(0.8)) {
    return candidates[1 + random.Below(candidates.size() - 1)];
  }
  return random.Pick(candidates);
}

void TenantGenerator::State::AssignOptOuts(std::vector<Draft>* drafts) {
  std::vector<size_t> all;
  std::vector<size_t> with_phone;
  std::vector<size_t> with_email;
  for (size_t i = 0; i < drafts->size(); ++i) {
    all.push_back(i);
    if (!(*drafts)[i].contact.phones.empty()) with_phone.push_back(i);
    if (!(*drafts)[i].contact.emails.empty()) with_email.push_back(i);
  }
  if (random.Chance(0.08)) (*drafts)[PickOptOutTarget(all)].contact.marketing_opt_out = true;
  if (random.Chance(0.03) && !with_phone.empty()) (*drafts)[PickOptOutTarget(with_phone)].contact.sms_opt_out = true;
  if (random.Chance(0.03) && !with_email.empty()) {
    (*drafts)[PickOptOutTarget(with_email)].contact.email_opt_out = true;
  }
}

namespace {

// Writes consent channels that match the contact's flags: the contract maps
// channels onto the flags, and a reader derives the flags back from them.
void AddChannels(Draft* draft) {
  Contact& contact = draft->contact;
  const std::vector<std::string> opted_in =
      contact.marketing_opt_out ? std::vector<std::string>{} : contact.location_uids;
  const auto add = [&](const char* type, const std::string& identifier, bool opted_out) {
    for (const Channel& channel : contact.channels) {
      if (channel.type == type && channel.identifier == identifier) return;
    }
    Channel channel{type, identifier, opted_in, std::nullopt};
    if (opted_out) channel.transactional_opted_out_at = contact.updated_at;
    contact.channels.push_back(std::move(channel));
  };
  for (const std::string& e164 : draft->e164s) add("PHONE", e164, contact.sms_opt_out);
  for (const std::string& email : contact.emails) add("EMAIL", email, contact.email_opt_out);
}

}  // namespace

TenantGenerator::TenantGenerator(const GeneratorOptions& options) : state_(std::make_unique<State>(options)) {}

TenantGenerator::~TenantGenerator() = default;

bool TenantGenerator::Next(GeneratedPerson* person) {
  State& state = *state_;
  if (state.next_person >= state.options.people) return false;
  const int64_t index = state.next_person++;
  person->person_id = Padded("p-", static_cast<uint64_t>(index + 1), 7);
  person->contacts.clear();
  person->shared_phone.clear();
  person->shared_email.clear();
  person->household = -1;

  if (state.household.members_left == 0 && state.options.people - index >= 2 &&
      state.random.Chance(kHouseholdChance)) {
    state.StartHousehold(index);
  }
  const Profile profile = state.MakeProfile(index);
  int count = 1;
  if (state.household.members_left > 0) {
    --state.household.members_left;
    person->household = state.household.id;
    person->shared_phone = state.E164(state.household.landline);
    person->shared_email = state.household.email;
  } else if (state.random.Chance(state.options.duplicate_share)) {
    count = 2 + static_cast<int>(state.random.Weighted({50, 30, 13, 7}));
  }

  int other_location = profile.location;
  if (count >= 2 && state.options.locations >= 2 && state.random.Chance(kCrossLocationChance)) {
    const auto offset = 1 + state.random.Below(static_cast<uint64_t>(state.options.locations - 1));
    other_location = static_cast<int>((static_cast<uint64_t>(profile.location) + offset) %
                                      static_cast<uint64_t>(state.options.locations));
  }

  std::vector<Draft> drafts;
  for (int i = 0; i < count; ++i) {
    const int location = i == count - 1 && i > 0 ? other_location : profile.location;
    drafts.push_back(state.MakeContact(profile, i, location));
    state.AddTimestamps(i == 0, count == 1, &drafts.back().contact);
  }
  state.AssignOptOuts(&drafts);
  for (Draft& draft : drafts) {
    AddChannels(&draft);
    person->contacts.push_back(std::move(draft.contact));
  }
  return true;
}

Status ValidateGeneratorOptions(const GeneratorOptions& options) {
  const std::string kCode = "ERR_DEDUP_USAGE_BAD_OPTION";
  if (options.people < 1 || options.people > kMaxPeople) {
    return Error{kCode, "--people " + std::to_string(options.people) + " is out of range; use 1 to " +
                            std::to_string(kMaxPeople)};
  }
  if (options.locations < 1 || options.locations > kMaxLocations) {
    return Error{kCode, "--locations " + std::to_string(options.locations) + " is out of range; use 1 to " +
                            std::to_string(kMaxLocations)};
  }
  if (FindRegion(options.region) == nullptr) {
    return Error{"ERR_DEDUP_USAGE_BAD_REGION",
                 "--region '" + options.region + "' is not supported by the generator; use AU or US"};
  }
  if (!(options.duplicate_share >= 0.0 && options.duplicate_share <= 1.0)) {
    return Error{kCode, "the duplicate share " + std::to_string(options.duplicate_share) +
                            " is out of range; use 0 to 1"};
  }
  return Status::Ok();
}

}  // namespace podium_dedup
