// Generated sample tenants: contacts with known duplicates and their truth.
//
// A tenant is a number of people. Some people have several contacts (the
// duplicates a dedup run should merge), typed the way staff type them: the
// phone in another format, the name in another case or order, fields
// missing. A few distinct people share one phone (a family landline or an
// office switchboard), so that a matcher which merges on phone alone is
// caught. The truth file records which contacts belong to which person.
//
// Output depends only on the options: the same seed gives the same bytes on
// every platform, because the generator draws from std::mt19937_64 (whose
// output the C++ standard fixes) through its own distributions.
#ifndef PODIUM_DEDUP_GENERATOR_H_
#define PODIUM_DEDUP_GENERATOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "podium_dedup/contact.h"
#include "podium_dedup/result.h"

namespace podium_dedup {

struct GeneratorOptions {
  int64_t people = 1000;        // 1 to 10,000,000
  uint64_t seed = 1;
  int locations = 2;            // loc-1 ... loc-K, 1 to 1000
  std::string region = "AU";    // "AU" or "US": phone numbers, addresses
  double duplicate_share = 0.30;  // share of people with 2 to 5 contacts
};

// Checks the ranges above. Errors name the option: ERR_DEDUP_USAGE_BAD_REGION
// for the region, ERR_DEDUP_USAGE_BAD_OPTION for the others.
Status ValidateGeneratorOptions(const GeneratorOptions& options);

// One person of the tenant and their contacts, as the generator made them.
struct GeneratedPerson {
  std::string person_id;  // "p-0000001"
  std::vector<Contact> contacts;
  // The E.164 phone this person shares with other people, or empty.
  std::string shared_phone;
  // The email this person shares with other people, or empty.
  std::string shared_email;
  // The household (people sharing `shared_phone`) this person belongs to, or -1.
  int64_t household = -1;
};

// Makes the people of a tenant one at a time, so that a tenant of any size
// is generated in bounded memory.
class TenantGenerator {
 public:
  explicit TenantGenerator(const GeneratorOptions& options);
  ~TenantGenerator();
  TenantGenerator(const TenantGenerator&) = delete;
  TenantGenerator& operator=(const TenantGenerator&) = delete;

  // Fills `person` with the next person. Returns false when all are made.
  bool Next(GeneratedPerson* person);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

enum class TenantFormat { kJsonLines, kCsv };

struct TenantFiles {
  std::string output_path;  // the contact export
  std::string truth_path;   // the ground truth (JSON)
  TenantFormat format = TenantFormat::kJsonLines;
  bool overwrite = false;   // replace existing files instead of failing
};

struct GeneratorSummary {
  int64_t people = 0;
  int64_t contacts = 0;
  int64_t people_with_duplicates = 0;
  int64_t merge_groups = 0;           // live contacts of one person in one location, 2 or more
  int64_t cross_location_people = 0;  // people with live contacts in 2 or more locations
  int64_t shared_phone_households = 0;
  int64_t opted_out_contacts = 0;     // any of the three flags set
  int64_t deleted_contacts = 0;
};

// Generates a tenant and writes the export and the truth file. Each file is
// written beside its final path and renamed into place when complete.
// Errors: those of ValidateGeneratorOptions, ERR_DEDUP_OUTPUT_EXISTS (a file exists
// and `overwrite` is false), ERR_DEDUP_OUTPUT_WRITE.
Result<GeneratorSummary> WriteSampleTenant(const GeneratorOptions& options, const TenantFiles& files);

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_GENERATOR_H_
