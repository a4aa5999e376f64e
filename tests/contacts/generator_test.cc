#include "podium_dedup/generator.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <phonenumbers/phonenumberutil.h>

#include "podium_dedup/contact_json.h"
#include "podium_dedup/contact_reader.h"
#include "reader_test_util.h"

namespace podium_dedup {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;
using testing::ReadAll;
using testing::ReadOutcome;
using testing::TempDir;

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

struct Tenant {
  std::string output;
  std::string truth;
  GeneratorSummary summary;
};

Tenant Generate(const TempDir& dir, const GeneratorOptions& options, const std::string& name,
                TenantFormat format = TenantFormat::kJsonLines) {
  Tenant tenant;
  tenant.output = (dir.path() / (name + (format == TenantFormat::kCsv ? ".csv" : ".jsonl"))).string();
  tenant.truth = (dir.path() / (name + "-truth.json")).string();
  Result<GeneratorSummary> summary = WriteSampleTenant(options, TenantFiles{tenant.output, tenant.truth, format});
  EXPECT_TRUE(summary.ok()) << summary.error().message;
  if (summary.ok()) tenant.summary = summary.value();
  return tenant;
}

GeneratorOptions Options(int64_t people, uint64_t seed, const std::string& region = "AU") {
  GeneratorOptions options;
  options.people = people;
  options.seed = seed;
  options.region = region;
  options.locations = 3;
  return options;
}

TEST(Generator, SameSeedGivesSameBytes) {
  TempDir dir;
  const Tenant first = Generate(dir, Options(2000, 42), "first");
  const Tenant second = Generate(dir, Options(2000, 42), "second");
  const Tenant other = Generate(dir, Options(2000, 43), "other");

  EXPECT_EQ(FileBytes(first.output), FileBytes(second.output));
  EXPECT_EQ(FileBytes(first.truth), FileBytes(second.truth));
  EXPECT_NE(FileBytes(first.output), FileBytes(other.output));
}

TEST(Generator, StableFirstPerson) {
  // Pins the draws, so that a change to the generator that alters the
  // output for a seed shows up here (and benchmarks know their inputs moved).
  TenantGenerator generator(Options(1, 1));
  GeneratedPerson person;

  ASSERT_TRUE(generator.Next(&person));
  EXPECT_EQ(person.person_id, "p-0000001");
  ASSERT_FALSE(person.contacts.empty());
  EXPECT_FALSE(person.contacts[0].name.empty());
  EXPECT_EQ(person.contacts[0].uid.rfind("c-", 0), 0u);
  EXPECT_EQ(person.contacts[0].uid.size(), 10u);
  EXPECT_FALSE(generator.Next(&person));
}

struct TenantShape {
  std::vector<Contact> contacts;
  nlohmann::json truth;
};

TenantShape ReadTenant(const Tenant& tenant) {
  TenantShape shape;
  ReadOutcome outcome = ReadAll(tenant.output);
  EXPECT_TRUE(outcome.status.ok()) << outcome.status.message();
  EXPECT_TRUE(outcome.problems.empty()) << outcome.problems.front().message;
  shape.contacts = std::move(outcome.contacts);
  shape.truth = nlohmann::json::parse(FileBytes(tenant.truth));
  return shape;
}

TEST(Generator, CountsAndDuplicateShare) {
  TempDir dir;
  const Tenant tenant = Generate(dir, Options(20000, 5), "tenant");
  const TenantShape shape = ReadTenant(tenant);

  EXPECT_EQ(tenant.summary.people, 20000);
  EXPECT_EQ(static_cast<int64_t>(shape.contacts.size()), tenant.summary.contacts);
  EXPECT_EQ(shape.truth["contacts"], tenant.summary.contacts);
  const double share = static_cast<double>(tenant.summary.people_with_duplicates) / 20000.0;
  EXPECT_GT(share, 0.26);
  EXPECT_LT(share, 0.32);
  EXPECT_GT(tenant.summary.contacts, 20000 * 14 / 10);
  EXPECT_LT(tenant.summary.contacts, 20000 * 18 / 10);
  EXPECT_GT(tenant.summary.cross_location_people, 0);
  EXPECT_GT(tenant.summary.shared_phone_households, 0);
  EXPECT_GT(tenant.summary.opted_out_contacts, 0);
  EXPECT_GT(tenant.summary.deleted_contacts, 0);
}

TEST(Generator, TruthMatchesExport) {
  TempDir dir;
  const Tenant tenant = Generate(dir, Options(5000, 9), "tenant");
  const TenantShape shape = ReadTenant(tenant);

  std::map<std::string, const Contact*> by_uid;
  for (const Contact& contact : shape.contacts) {
    EXPECT_TRUE(by_uid.emplace(contact.uid, &contact).second) << "duplicate uid " << contact.uid;
  }
  const auto& contact_person = shape.truth["contactPerson"];
  EXPECT_EQ(contact_person.size(), shape.contacts.size());
  for (const auto& [uid, person] : contact_person.items()) {
    EXPECT_TRUE(by_uid.count(uid)) << uid;
  }

  int64_t grouped = 0;
  for (const auto& group : shape.truth["mergeGroups"]) {
    const auto& uids = group["contacts"];
    ASSERT_GE(uids.size(), 2u);
    grouped += static_cast<int64_t>(uids.size());
    for (const auto& uid : uids) {
      const Contact& contact = *by_uid.at(uid.get<std::string>());
      EXPECT_EQ(contact_person[uid.get<std::string>()], group["person"]);
      EXPECT_EQ(contact.location_uids, std::vector<std::string>{group["location"].get<std::string>()});
      EXPECT_FALSE(contact.deleted());
    }
  }
  EXPECT_EQ(static_cast<int64_t>(shape.truth["mergeGroups"].size()), tenant.summary.merge_groups);
  EXPECT_GT(grouped, 0);
}

TEST(Generator, DuplicatesShareKeyWithFirstContact) {
  TenantGenerator generator(Options(3000, 11));
  GeneratedPerson person;
  int checked = 0;
  while (generator.Next(&person)) {
    if (person.contacts.size() < 2) continue;
    std::set<std::string> first_keys;
    for (const Channel& channel : person.contacts[0].channels) first_keys.insert(channel.identifier);
    for (size_t i = 1; i < person.contacts.size(); ++i) {
      bool shared = false;
      for (const Channel& channel : person.contacts[i].channels) {
        std::string key = channel.identifier;
        if (channel.type == "EMAIL") {
          for (const std::string& first : first_keys) {
            shared = shared || (first.size() == key.size() &&
                                std::equal(first.begin(), first.end(), key.begin(), [](char a, char b) {
                                  return std::tolower(static_cast<unsigned char>(a)) ==
                                         std::tolower(static_cast<unsigned char>(b));
                                }));
          }
        }
        shared = shared || first_keys.count(key) > 0;
      }
      EXPECT_TRUE(shared) << person.person_id << " contact " << person.contacts[i].uid;
      ++checked;
    }
  }
  EXPECT_GT(checked, 500);
}

TEST(Generator, HouseholdsShareOnePhoneAcrossPeople) {
  TenantGenerator generator(Options(20000, 3));
  GeneratedPerson person;
  std::map<int64_t, std::set<std::string>> people_by_household;
  std::map<int64_t, std::string> phone_by_household;
  while (generator.Next(&person)) {
    if (person.household < 0) continue;
    people_by_household[person.household].insert(person.person_id);
    phone_by_household[person.household] = person.shared_phone;
    for (const Contact& contact : person.contacts) {
      bool has_phone = false;
      for (const Channel& channel : contact.channels) has_phone = has_phone || channel.identifier == person.shared_phone;
      EXPECT_TRUE(has_phone) << contact.uid;
    }
  }
  ASSERT_FALSE(people_by_household.empty());
  std::set<std::string> phones;
  for (const auto& [household, people] : people_by_household) {
    EXPECT_GE(people.size(), 2u) << household;
    EXPECT_TRUE(phones.insert(phone_by_household[household]).second) << "phone reused by another household";
  }
}

TEST(Generator, PhonesValidForRegion) {
  PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  for (const char* region : {"AU", "US"}) {
    SCOPED_TRACE(region);
    TenantGenerator generator(Options(5000, 17, region));
    GeneratedPerson person;
    std::map<std::string, std::string> person_by_phone;
    int64_t phones = 0;
    while (generator.Next(&person)) {
      for (const Contact& contact : person.contacts) {
        for (const Channel& channel : contact.channels) {
          if (channel.type != "PHONE") continue;
          PhoneNumber number;
          ASSERT_EQ(util->Parse(channel.identifier, region, &number), PhoneNumberUtil::NO_PARSING_ERROR)
              << channel.identifier;
          EXPECT_TRUE(util->IsValidNumber(number)) << channel.identifier;
          std::string number_region;
          util->GetRegionCodeForNumber(number, &number_region);
          EXPECT_EQ(number_region, region) << channel.identifier;
          // Only household members share a number with another person.
          auto [it, inserted] = person_by_phone.emplace(channel.identifier, person.person_id);
          if (!inserted && it->second != person.person_id) {
            EXPECT_EQ(channel.identifier, person.shared_phone) << person.person_id;
          }
          ++phones;
        }
        for (const std::string& typed : contact.phones) {
          PhoneNumber number;
          ASSERT_EQ(util->Parse(typed, region, &number), PhoneNumberUtil::NO_PARSING_ERROR) << typed;
          std::string e164;
          util->Format(number, PhoneNumberUtil::E164, &e164);
          bool listed = false;
          for (const Channel& channel : contact.channels) listed = listed || channel.identifier == e164;
          EXPECT_TRUE(listed) << "typed '" << typed << "' parses to " << e164;
        }
      }
    }
    EXPECT_GT(phones, 5000);
  }
}

TEST(Generator, FlagsMatchChannels) {
  TenantGenerator generator(Options(20000, 23));
  GeneratedPerson person;
  int64_t not_on_first = 0;
  int64_t opted_out_in_clusters = 0;
  while (generator.Next(&person)) {
    for (size_t i = 0; i < person.contacts.size(); ++i) {
      const Contact& contact = person.contacts[i];
      const ChannelConsent consent = ConsentFromChannels(contact.channels, contact.location_uids);
      EXPECT_EQ(consent.marketing_opt_out, contact.marketing_opt_out) << contact.uid;
      EXPECT_EQ(consent.sms_opt_out, contact.sms_opt_out) << contact.uid;
      EXPECT_EQ(consent.email_opt_out, contact.email_opt_out) << contact.uid;
      const bool opted_out = contact.marketing_opt_out || contact.sms_opt_out || contact.email_opt_out;
      if (person.contacts.size() > 1 && opted_out) {
        ++opted_out_in_clusters;
        if (i > 0) ++not_on_first;
      }
    }
  }
  ASSERT_GT(opted_out_in_clusters, 100);
  EXPECT_GT(static_cast<double>(not_on_first) / static_cast<double>(opted_out_in_clusters), 0.6);
}

// The CSV reader trims surrounding spaces, which the generator types on purpose.
std::string Trimmed(const std::string& text) {
  const size_t start = text.find_first_not_of(" \t");
  if (start == std::string::npos) return "";
  return text.substr(start, text.find_last_not_of(" \t") - start + 1);
}

std::vector<std::string> Trimmed(const std::vector<std::string>& texts) {
  std::vector<std::string> trimmed;
  for (const std::string& text : texts) trimmed.push_back(Trimmed(text));
  return trimmed;
}

TEST(Generator, CsvExportReadsBackLikeJsonLines) {
  TempDir dir;
  const Tenant jsonl = Generate(dir, Options(1500, 8), "tenant");
  const Tenant csv = Generate(dir, Options(1500, 8), "tenant-csv", TenantFormat::kCsv);
  ReadOutcome from_jsonl = ReadAll(jsonl.output);
  ReadOutcome from_csv = ReadAll(csv.output);

  ASSERT_TRUE(from_csv.status.ok()) << from_csv.status.message();
  EXPECT_TRUE(from_csv.problems.empty()) << from_csv.problems.front().message;
  ASSERT_EQ(from_csv.contacts.size(), from_jsonl.contacts.size());
  for (size_t i = 0; i < from_csv.contacts.size(); ++i) {
    const Contact& a = from_jsonl.contacts[i];
    const Contact& b = from_csv.contacts[i];
    SCOPED_TRACE(a.uid);
    EXPECT_EQ(b.uid, a.uid);
    EXPECT_EQ(b.name, Trimmed(a.name));
    EXPECT_EQ(b.phones, Trimmed(a.phones));
    EXPECT_EQ(b.emails, a.emails);
    EXPECT_EQ(b.location_uids, a.location_uids);
    EXPECT_EQ(b.marketing_opt_out, a.marketing_opt_out);
    EXPECT_EQ(b.deleted_at, a.deleted_at);
    EXPECT_EQ(b.address, a.address);
  }
}

TEST(Generator, ExistingOutputKeptWithoutOverwrite) {
  TempDir dir;
  const std::string output = dir.Write("tenant.jsonl", "keep me\n");
  const std::string truth = (dir.path() / "truth.json").string();

  Result<GeneratorSummary> refused = WriteSampleTenant(Options(10, 1), TenantFiles{output, truth});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "ERR_DEDUP_OUTPUT_EXISTS");
  EXPECT_NE(refused.error().message.find("--force"), std::string::npos);
  EXPECT_EQ(FileBytes(output), "keep me\n");
  EXPECT_FALSE(std::filesystem::exists(truth));

  TenantFiles files{output, truth};
  files.overwrite = true;
  Result<GeneratorSummary> replaced = WriteSampleTenant(Options(10, 1), files);
  ASSERT_TRUE(replaced.ok()) << replaced.error().message;
  EXPECT_NE(FileBytes(output), "keep me\n");
  EXPECT_FALSE(std::filesystem::exists(output + ".partial"));
}

TEST(Generator, UnwritableFolderReported) {
  TempDir dir;
  const std::string missing = (dir.path() / "no-such-folder" / "tenant.jsonl").string();

  Result<GeneratorSummary> result =
      WriteSampleTenant(Options(10, 1), TenantFiles{missing, (dir.path() / "truth.json").string()});

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "ERR_DEDUP_OUTPUT_WRITE");
}

TEST(Generator, BadOptionsRejected) {
  struct Case {
    const char* name;
    GeneratorOptions options;
    const char* message_part;
    const char* code = "ERR_DEDUP_USAGE_BAD_OPTION";
  };
  GeneratorOptions base = Options(10, 1);
  std::vector<Case> cases;
  cases.push_back({"no people", base, "--people"});
  cases.back().options.people = 0;
  cases.push_back({"too many people", base, "--people"});
  cases.back().options.people = 10'000'001;
  cases.push_back({"no locations", base, "--locations"});
  cases.back().options.locations = 0;
  cases.push_back({"unknown region", base, "--region 'ZZ'"});
  cases.back().options.region = "ZZ";
  cases.back().code = "ERR_DEDUP_USAGE_BAD_REGION";
  cases.push_back({"share above one", base, "duplicate share"});
  cases.back().options.duplicate_share = 1.5;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Status status = ValidateGeneratorOptions(c.options);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), c.code);
    EXPECT_NE(status.message().find(c.message_part), std::string::npos) << status.message();
  }
}

}  // namespace
}  // namespace podium_dedup
