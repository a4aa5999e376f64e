// Writes a generated tenant: the contact export and the ground-truth file.
//
// Truth file format (JSON, one entry per line so that large files can be
// read with line tools too):
//   format          "podium-dedup-truth/1"
//   seed, people, contacts, region, locations
//   contactPerson   {contact uid: person id} for every contact
//   mergeGroups     [{person, location, contacts}]: a person's live (not
//                   soft-deleted) contacts in one location, 2 or more; each
//                   group should become one contact
//   crossLocation   [{person, contacts}]: a person's live contacts spread
//                   over 2 or more locations; for review, not auto-merge
//   sharedPhones    [{phone, email, people, contacts}]: different people
//                   who share a phone (and sometimes an email); never merge
//   summary         the counts of GeneratorSummary
//
// Contacts are written in a locally shuffled order (a window of 4096), so
// that a person's duplicates are near each other in the file but not adjacent.
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "contacts/generator_random.h"
#include "podium_dedup/contact_json.h"
#include "podium_dedup/generator.h"

namespace podium_dedup {
namespace {

constexpr size_t kShuffleWindow = 4096;
constexpr size_t kWriteBuffer = size_t{1} << 20;

// A file written beside its final path and renamed into place by Commit(),
// so that an interrupted run leaves no half-written file under the real name.
class OutputFile {
 public:
  explicit OutputFile(std::string path) : path_(std::move(path)), partial_path_(path_ + ".partial") {}
  ~OutputFile() {
    if (file_ != nullptr) std::fclose(file_);
    if (!committed_) {
      std::error_code ignored;
      std::filesystem::remove(partial_path_, ignored);
    }
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  Status Open() {
    file_ = std::fopen(partial_path_.c_str(), "wb");
    if (file_ == nullptr) return Unwritable("cannot create");
    std::setvbuf(file_, nullptr, _IOFBF, kWriteBuffer);
    return Status::Ok();
  }

  void Write(std::string_view text) {
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) failed_ = true;
  }

  Status Commit() {
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (failed_ || !closed) return Unwritable("cannot write");
    std::error_code error;
    std::filesystem::rename(partial_path_, path_, error);
    if (error) return Unwritable("cannot rename " + partial_path_ + " to");
    committed_ = true;
    return Status::Ok();
  }

 private:
  Status Unwritable(const std::string& what) const {
    return Error{"ERR_DEDUP_OUTPUT_WRITE",
                 what + " output file '" + path_ + "'; check that its folder exists, is writable and has space"};
  }

  std::string path_;
  std::string partial_path_;
  std::FILE* file_ = nullptr;
  bool failed_ = false;
  bool committed_ = false;
};

std::string JsonString(const std::string& text) { return nlohmann::json(text).dump(); }

std::string JsonStrings(const std::vector<std::string>& items) { return nlohmann::json(items).dump(); }

// --- contact export -------------------------------------------------------

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string Joined(const std::vector<std::string>& values) {
  std::string joined;
  for (const std::string& value : values) joined += (joined.empty() ? "" : " ::: ") + value;
  return joined;
}

const char kCsvHeader[] =
    "uid,name,phone,email,location,tags,created_at,updated_at,deleted_at,marketing_opt_out,sms_opt_out,"
    "email_opt_out,address_line1,address_line2,city,state,postal_code,country\n";

std::string CsvRow(const Contact& contact) {
  std::vector<std::string> labels;
  for (const Tag& tag : contact.tags) labels.push_back(tag.label);
  const Address& address = contact.address;
  const std::string fields[] = {
      contact.uid, contact.name, Joined(contact.phones), Joined(contact.emails), Joined(contact.location_uids),
      Joined(labels), contact.created_at, contact.updated_at, contact.deleted_at.value_or(""),
      contact.marketing_opt_out ? "true" : "false", contact.sms_opt_out ? "true" : "false",
      contact.email_opt_out ? "true" : "false", address.line1, address.line2, address.city, address.state,
      address.postal_code, address.country,
  };
  std::string row;
  for (const std::string& field : fields) row += (row.empty() ? "" : ",") + CsvField(field);
  return row + "\n";
}

// Holds up to kShuffleWindow contacts and writes a random one each time the
// window is full, which mixes people without holding the whole tenant.
class ShuffledExport {
 public:
  ShuffledExport(OutputFile& file, TenantFormat format, uint64_t seed)
      : file_(file), format_(format), random_(seed ^ 0x5DEECE66DULL) {
    if (format_ == TenantFormat::kCsv) file_.Write(kCsvHeader);
  }

  void Add(Contact contact) {
    window_.push_back(std::move(contact));
    if (window_.size() > kShuffleWindow) WriteOne();
  }

  void Finish() {
    while (!window_.empty()) WriteOne();
  }

 private:
  void WriteOne() {
    const size_t pick = random_.Below(window_.size());
    std::swap(window_[pick], window_.back());
    const Contact& contact = window_.back();
    if (format_ == TenantFormat::kCsv) {
      file_.Write(CsvRow(contact));
    } else {
      line_ = ContactToJson(contact).dump();
      line_ += '\n';
      file_.Write(line_);
    }
    window_.pop_back();
  }

  OutputFile& file_;
  TenantFormat format_;
  contacts::Random random_;
  std::vector<Contact> window_;
  std::string line_;
};

// --- truth file -----------------------------------------------------------

// Streams contactPerson as people arrive; keeps the other (much shorter)
// sections as text until the end, because JSON needs each section whole.
class TruthWriter {
 public:
  TruthWriter(OutputFile& file, const GeneratorOptions& options) : file_(file) {
    std::vector<std::string> locations;
    for (int i = 1; i <= options.locations; ++i) locations.push_back("loc-" + std::to_string(i));
    file_.Write("{\n\"format\": \"podium-dedup-truth/1\",\n\"seed\": " + std::to_string(options.seed) +
                ",\n\"people\": " + std::to_string(options.people) + ",\n\"region\": " +
                JsonString(options.region) + ",\n\"locations\": " + JsonStrings(locations) +
                ",\n\"contactPerson\": {\n");
  }

  void Add(const GeneratedPerson& person, GeneratorSummary* summary);
  void Finish(const GeneratorSummary& summary);

 private:
  void AddGroups(const GeneratedPerson& person, GeneratorSummary* summary);
  void AddToHousehold(const GeneratedPerson& person);
  void FlushHousehold();

  OutputFile& file_;
  bool first_contact_ = true;
  std::string merge_groups_;
  std::string cross_location_;
  std::string shared_phones_;
  int64_t household_ = -1;
  std::string household_phone_;
  std::string household_email_;
  std::vector<std::string> household_people_;
  std::vector<std::string> household_contacts_;
};

void AppendEntry(const std::string& entry, std::string* section) {
  if (!section->empty()) *section += ",\n";
  *section += entry;
}

void TruthWriter::Add(const GeneratedPerson& person, GeneratorSummary* summary) {
  for (const Contact& contact : person.contacts) {
    file_.Write((first_contact_ ? "" : ",\n") + JsonString(contact.uid) + ": " + JsonString(person.person_id));
    first_contact_ = false;
  }
  AddGroups(person, summary);
  if (person.household != household_) FlushHousehold();
  if (person.household >= 0) AddToHousehold(person);
}

void TruthWriter::AddGroups(const GeneratedPerson& person, GeneratorSummary* summary) {
  std::map<std::string, std::vector<std::string>> live_by_location;
  std::vector<std::string> live;
  for (const Contact& contact : person.contacts) {
    if (contact.deleted()) continue;
    live_by_location[contact.location_uids.front()].push_back(contact.uid);
    live.push_back(contact.uid);
  }
  for (const auto& [location, uids] : live_by_location) {
    if (uids.size() < 2) continue;
    ++summary->merge_groups;
    AppendEntry("{\"person\": " + JsonString(person.person_id) + ", \"location\": " + JsonString(location) +
                    ", \"contacts\": " + JsonStrings(uids) + "}",
                &merge_groups_);
  }
  if (live_by_location.size() >= 2) {
    ++summary->cross_location_people;
    AppendEntry("{\"person\": " + JsonString(person.person_id) + ", \"contacts\": " + JsonStrings(live) + "}",
                &cross_location_);
  }
}

void TruthWriter::AddToHousehold(const GeneratedPerson& person) {
  household_ = person.household;
  household_phone_ = person.shared_phone;
  household_email_ = person.shared_email;
  household_people_.push_back(person.person_id);
  for (const Contact& contact : person.contacts) household_contacts_.push_back(contact.uid);
}

void TruthWriter::FlushHousehold() {
  if (household_ >= 0 && !household_people_.empty()) {
    AppendEntry("{\"phone\": " + JsonString(household_phone_) + ", \"email\": " +
                    (household_email_.empty() ? "null" : JsonString(household_email_)) +
                    ", \"people\": " + JsonStrings(household_people_) +
                    ", \"contacts\": " + JsonStrings(household_contacts_) + "}",
                &shared_phones_);
  }
  household_ = -1;
  household_people_.clear();
  household_contacts_.clear();
}

void TruthWriter::Finish(const GeneratorSummary& summary) {
  FlushHousehold();
  const nlohmann::json counts = {
      {"people", summary.people},
      {"contacts", summary.contacts},
      {"peopleWithDuplicates", summary.people_with_duplicates},
      {"mergeGroups", summary.merge_groups},
      {"crossLocationPeople", summary.cross_location_people},
      {"sharedPhoneHouseholds", summary.shared_phone_households},
      {"optedOutContacts", summary.opted_out_contacts},
      {"deletedContacts", summary.deleted_contacts},
  };
  file_.Write("\n},\n\"contacts\": " + std::to_string(summary.contacts) + ",\n\"mergeGroups\": [\n" +
              merge_groups_ + "\n],\n\"crossLocation\": [\n" + cross_location_ + "\n],\n\"sharedPhones\": [\n" +
              shared_phones_ + "\n],\n\"summary\": " + counts.dump() + "\n}\n");
}

void CountPerson(const GeneratedPerson& person, int64_t* last_household, GeneratorSummary* summary) {
  ++summary->people;
  summary->contacts += static_cast<int64_t>(person.contacts.size());
  if (person.contacts.size() >= 2) ++summary->people_with_duplicates;
  if (person.household >= 0 && person.household != *last_household) ++summary->shared_phone_households;
  *last_household = person.household;
  for (const Contact& contact : person.contacts) {
    if (contact.marketing_opt_out || contact.sms_opt_out || contact.email_opt_out) ++summary->opted_out_contacts;
    if (contact.deleted()) ++summary->deleted_contacts;
  }
}

Status CheckOutputPaths(const TenantFiles& files) {
  if (files.output_path.empty() || files.truth_path.empty()) {
    return Error{"ERR_DEDUP_USAGE_BAD_OPTION", "both --output and --truth are required"};
  }
  std::error_code error;
  if (std::filesystem::weakly_canonical(files.output_path, error) ==
      std::filesystem::weakly_canonical(files.truth_path, error)) {
    return Error{"ERR_DEDUP_USAGE_BAD_OPTION",
                 "--output and --truth name the same file '" + files.output_path + "'; give two paths"};
  }
  if (files.overwrite) return Status::Ok();
  for (const std::string* path : {&files.output_path, &files.truth_path}) {
    if (std::filesystem::exists(*path, error)) {
      return Error{"ERR_DEDUP_OUTPUT_EXISTS",
                   "output file '" + *path + "' already exists; pass --force to replace it or choose another path"};
    }
  }
  return Status::Ok();
}

}  // namespace

Result<GeneratorSummary> WriteSampleTenant(const GeneratorOptions& options, const TenantFiles& files) {
  if (Status status = ValidateGeneratorOptions(options); !status.ok()) return status.error();
  if (Status status = CheckOutputPaths(files); !status.ok()) return status.error();

  OutputFile output(files.output_path);
  OutputFile truth(files.truth_path);
  if (Status status = output.Open(); !status.ok()) return status.error();
  if (Status status = truth.Open(); !status.ok()) return status.error();

  GeneratorSummary summary;
  TenantGenerator generator(options);
  ShuffledExport exporter(output, files.format, options.seed);
  TruthWriter truth_writer(truth, options);
  GeneratedPerson person;
  int64_t last_household = -1;
  while (generator.Next(&person)) {
    CountPerson(person, &last_household, &summary);
    truth_writer.Add(person, &summary);
    for (Contact& contact : person.contacts) exporter.Add(std::move(contact));
  }
  exporter.Finish();
  truth_writer.Finish(summary);

  if (Status status = output.Commit(); !status.ok()) return status.error();
  if (Status status = truth.Commit(); !status.ok()) return status.error();
  return summary;
}

}  // namespace podium_dedup
