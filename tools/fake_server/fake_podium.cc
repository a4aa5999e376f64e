#include "fake_podium.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <set>

#include "podium_dedup/podium_time.h"

namespace podium_dedup::fake_server {
namespace {

// Fields that PATCH accepts: the documented ones, the consent-flag
// extension, and phoneNumbers/emails, which replace the lists so that an
// undo can put a contact back exactly as it was.
const std::set<std::string> kPatchFields = {
    "name",     "email",           "phoneNumber", "address",    "locations",
    "contactStatus", "conversationUid", "marketingOptOut", "smsOptOut", "emailOptOut",
    "phoneNumbers",  "emails",
};

std::string DigitsOf(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
  }
  return digits;
}

std::string Lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Phones in an export may be raw ("04 2271 8532"); an identifier matches
// when it is the same string or has the same digits.
bool PhoneMatches(const json& value, const std::string& identifier) {
  if (!value.is_string()) return false;
  const std::string& phone = value.get_ref<const std::string&>();
  if (phone == identifier) return true;
  const std::string digits = DigitsOf(identifier);
  return digits.size() >= 6 && DigitsOf(phone) == digits;
}

bool EmailMatches(const json& value, const std::string& identifier) {
  return value.is_string() && Lowercase(value.get<std::string>()) == Lowercase(identifier);
}

bool AnyOf(const json& contact, const char* key, const std::function<bool(const json&)>& test) {
  auto it = contact.find(key);
  if (it == contact.end() || !it->is_array()) return false;
  return std::any_of(it->begin(), it->end(), test);
}

bool IsDeleted(const json& contact) {
  auto it = contact.find("deletedAt");
  return it != contact.end() && !it->is_null();
}

std::string StringField(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Location uids of a contact, from [{"uid": ...}] or ["..."].
std::set<std::string> LocationUids(const json& contact) {
  std::set<std::string> uids;
  auto it = contact.find("locations");
  if (it == contact.end() || !it->is_array()) return uids;
  for (const json& location : *it) {
    if (location.is_string()) uids.insert(location.get<std::string>());
    if (location.is_object()) uids.insert(StringField(location, "uid"));
  }
  return uids;
}

json LocationObjects(const json& value) {
  json locations = json::array();
  for (const json& location : value) {
    const std::string uid = location.is_string() ? location.get<std::string>()
                                                 : StringField(location, "uid");
    locations.push_back({{"uid", uid}});
  }
  return locations;
}

// Appends `value` to the array `contact[key]` unless an element with the
// same `id_key` (or the same value, for plain strings) is already there.
void AppendUnique(json& contact, const char* key, const json& value, const char* id_key = nullptr) {
  json& array = contact[key];
  if (!array.is_array()) array = json::array();
  for (const json& existing : array) {
    if (id_key == nullptr ? existing == value
                          : existing.is_object() && existing.value(id_key, "") == value.value(id_key, "")) {
      return;
    }
  }
  array.push_back(value);
}

bool IsStringArray(const json& value) {
  return value.is_array() &&
         std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); });
}

bool IsLocationArray(const json& value) {
  return value.is_array() && std::all_of(value.begin(), value.end(), [](const json& v) {
           return v.is_string() || (v.is_object() && v.contains("uid") && v["uid"].is_string());
         });
}

// Returns an error message when `value` has the wrong type for PATCH field `key`.
std::string PatchTypeError(const std::string& key, const json& value) {
  if (key == "address") return value.is_object() ? "" : "address must be an object";
  if (key == "locations") return IsLocationArray(value) ? "" : "locations must be an array of uids";
  if (key == "phoneNumbers" || key == "emails") {
    return IsStringArray(value) ? "" : key + " must be an array of strings";
  }
  if (key == "marketingOptOut" || key == "smsOptOut" || key == "emailOptOut") {
    return value.is_boolean() ? "" : key + " must be true or false";
  }
  return value.is_string() ? "" : key + " must be a string";
}

// Keeps the per-channel consent of the documented contact object in step
// with the extension flags.
void ApplyConsentFlag(json& contact, const std::string& key, bool value, const std::string& now) {
  contact[key] = value;
  if (!contact.contains("channels") || !contact["channels"].is_array()) return;
  for (json& channel : contact["channels"]) {
    const std::string type = StringField(channel, "type");
    if (key == "marketingOptOut" && value) {
      channel["marketingOptedInLocationUids"] = json::array();
    }
    const bool transactional = (key == "smsOptOut" && type == "PHONE") ||
                               (key == "emailOptOut" && type == "EMAIL");
    if (!transactional) continue;
    if (!value) {
      channel["transactionalOptedOutAt"] = nullptr;
    } else if (channel.value("transactionalOptedOutAt", json()).is_null()) {
      channel["transactionalOptedOutAt"] = now;
    }
  }
}

json& ChannelFor(json& contact, const std::string& identifier, const std::string& type) {
  json& channels = contact["channels"];
  if (!channels.is_array()) channels = json::array();
  for (json& channel : channels) {
    if (StringField(channel, "identifier") == identifier) return channel;
  }
  channels.push_back({{"type", type},
                      {"identifier", identifier},
                      {"marketingOptedInLocationUids", json::array()},
                      {"transactionalOptedOutAt", nullptr}});
  return channels.back();
}

}  // namespace

Reply ErrorReply(int status, const std::string& code, const std::string& message) {
  return Reply{status, {{"code", code}, {"message", message}, {"moreInfo", "podium-fake-server"}}};
}

Reply DataReply(int status, json data, json metadata) {
  return Reply{status, {{"data", std::move(data)}, {"metadata", std::move(metadata)}}};
}

// Loading and dumping.

Status FakePodium::LoadJsonLines(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return Error{"ERR_DEDUP_INPUT_NOT_FOUND", "cannot open data file '" + path + "'; pass an existing JSON Lines export"};
  }
  std::string line;
  int64_t line_number = 0;
  const int64_t now = std::time(nullptr);
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json contact = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!contact.is_object()) {
      return Error{"ERR_DEDUP_INPUT_FORMAT", path + ":" + std::to_string(line_number) +
                                                 ": not a JSON object; each line must be one contact"};
    }
    if (StringField(contact, "uid").empty()) contact["uid"] = NewUid();
    if (by_uid_.count(contact["uid"].get<std::string>()) > 0) {
      return Error{"ERR_DEDUP_INPUT_FORMAT", path + ":" + std::to_string(line_number) + ": duplicate uid '" +
                                                 contact["uid"].get<std::string>() + "'"};
    }
    const auto updated = ParseIsoTimestamp(StringField(contact, "updatedAt"));
    if (!updated) contact["updatedAt"] = FormatIsoTimestamp(now);
    if (StringField(contact, "createdAt").empty()) contact["createdAt"] = contact["updatedAt"];
    if (!contact.contains("deletedAt")) contact["deletedAt"] = nullptr;
    last_timestamp_ = std::max(last_timestamp_, updated.value_or(now));
    Insert(std::move(contact));
  }
  return Status::Ok();
}

Status FakePodium::LoadLocations(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{"ERR_DEDUP_INPUT_NOT_FOUND", "cannot open locations file '" + path + "'"};
  const json locations = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!locations.is_array()) {
    return Error{"ERR_DEDUP_INPUT_FORMAT", "locations file '" + path + "' must be a JSON array of {uid, name}"};
  }
  for (const json& location : locations) {
    if (!location.is_object() || StringField(location, "uid").empty()) {
      return Error{"ERR_DEDUP_INPUT_FORMAT", "locations file '" + path + "': every entry needs a uid"};
    }
    location_names_[StringField(location, "uid")] = StringField(location, "name");
  }
  return Status::Ok();
}

Status FakePodium::DumpJsonLines(const std::string& path) const {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& [sequence, contact] : contacts_) out << contact.dump() << '\n';
  out.flush();
  if (!out) return Error{"ERR_DEDUP_OUTPUT_WRITE", "cannot write dump file '" + path + "'"};
  return Status::Ok();
}

// Lookups.

json* FakePodium::FindByUid(const std::string& uid) {
  auto it = by_uid_.find(uid);
  return it == by_uid_.end() ? nullptr : &contacts_.at(it->second);
}

const json* FakePodium::FindByUid(const std::string& uid) const {
  auto it = by_uid_.find(uid);
  return it == by_uid_.end() ? nullptr : &contacts_.at(it->second);
}

json* FakePodium::FindByIdentifier(const std::string& identifier) {
  return const_cast<json*>(static_cast<const FakePodium*>(this)->FindByIdentifier(identifier));
}

// Tries the uid first, then live contacts by phone, email and conversation
// uid, then soft-deleted ones the same way.
const json* FakePodium::FindByIdentifier(const std::string& identifier) const {
  if (const json* contact = FindByUid(identifier)) return contact;
  const bool is_email = identifier.find('@') != std::string::npos;
  for (bool deleted : {false, true}) {
    for (const auto& [sequence, contact] : contacts_) {
      if (IsDeleted(contact) != deleted) continue;
      const bool match =
          is_email ? AnyOf(contact, "emails", [&](const json& v) { return EmailMatches(v, identifier); })
                   : AnyOf(contact, "phoneNumbers", [&](const json& v) { return PhoneMatches(v, identifier); }) ||
                         AnyOf(contact, "conversations",
                               [&](const json& v) { return v.is_object() && StringField(v, "uid") == identifier; });
      if (match) return &contact;
    }
  }
  return nullptr;
}

json* FakePodium::FindLiveByPhoneOrEmail(const std::string& phone, const std::string& email) {
  for (auto& [sequence, contact] : contacts_) {
    if (IsDeleted(contact)) continue;
    if (!phone.empty() && AnyOf(contact, "phoneNumbers", [&](const json& v) { return PhoneMatches(v, phone); })) {
      return &contact;
    }
    if (!email.empty() && AnyOf(contact, "emails", [&](const json& v) { return EmailMatches(v, email); })) {
      return &contact;
    }
  }
  return nullptr;
}

std::vector<json*> FakePodium::FindLiveByChannel(const std::string& identifier) {
  std::vector<json*> found;
  const bool is_email = identifier.find('@') != std::string::npos;
  for (auto& [sequence, contact] : contacts_) {
    if (IsDeleted(contact)) continue;
    const bool match = is_email ? AnyOf(contact, "emails", [&](const json& v) { return EmailMatches(v, identifier); })
                                : AnyOf(contact, "phoneNumbers", [&](const json& v) { return PhoneMatches(v, identifier); });
    // Exports keep phones as typed ("0414 459 518") while the consent
    // channels carry E.164, which is what a client sends here.
    const bool channel_match = AnyOf(contact, "channels", [&](const json& channel) {
      return channel.is_object() && channel.value("identifier", "") == identifier;
    });
    if (match || channel_match) found.push_back(&contact);
  }
  return found;
}

std::string FakePodium::NextTimestamp() {
  last_timestamp_ = std::max<int64_t>(std::time(nullptr), last_timestamp_ + 1);
  return FormatIsoTimestamp(last_timestamp_);
}

std::string FakePodium::NewUid() {
  std::string uid;
  do {
    uid = "fake-" + std::to_string(next_uid_++);
  } while (by_uid_.count(uid) > 0);
  return uid;
}

void FakePodium::Insert(json contact) {
  const uint64_t sequence = next_sequence_++;
  by_uid_[contact["uid"].get<std::string>()] = sequence;
  contacts_.emplace(sequence, std::move(contact));
}

std::string FakePodium::TagLabel(const std::string& tag_uid) const {
  for (const auto& [sequence, contact] : contacts_) {
    auto it = contact.find("tags");
    if (it == contact.end() || !it->is_array()) continue;
    for (const json& tag : *it) {
      if (tag.is_object() && StringField(tag, "uid") == tag_uid) return StringField(tag, "label");
    }
  }
  return "";
}

// Reads.

ListResult FakePodium::List(const ListQuery& query) const {
  ListResult result;
  uint64_t last_returned = 0;
  for (auto it = contacts_.upper_bound(query.after_sequence); it != contacts_.end(); ++it) {
    const json& contact = it->second;
    if (!query.include_deleted && IsDeleted(contact)) continue;
    if (query.updated_after) {
      const auto updated = ParseIsoTimestamp(StringField(contact, "updatedAt"));
      if (!updated || *updated <= *query.updated_after) continue;
    }
    if (static_cast<int>(result.contacts.size()) == query.limit) {
      // Another match follows the full page, so the page ends with a cursor.
      result.last_sequence = last_returned;
      break;
    }
    result.contacts.push_back(contact);
    last_returned = it->first;
  }
  return result;
}

Reply FakePodium::Get(const std::string& identifier) const {
  const json* contact = FindByIdentifier(identifier);
  if (contact == nullptr) {
    return ErrorReply(404, "resource_not_found", "no contact matches identifier '" + identifier + "'");
  }
  return DataReply(200, *contact);
}

Reply FakePodium::Locations() const {
  std::map<std::string, std::string> names = location_names_;
  for (const auto& [sequence, contact] : contacts_) {
    for (const std::string& uid : LocationUids(contact)) {
      if (!uid.empty() && names.count(uid) == 0) names[uid] = "Location " + uid;
    }
  }
  json data = json::array();
  for (const auto& [uid, name] : names) data.push_back({{"uid", uid}, {"name", name}});
  return DataReply(200, std::move(data));
}

json FakePodium::State() const {
  json contacts = json::array();
  for (const auto& [sequence, contact] : contacts_) contacts.push_back(contact);
  return {{"contacts", std::move(contacts)}, {"counters", CountersJson()}};
}

json FakePodium::CountersJson() const {
  return {{"hardDeletes", counters_.hard_deletes}, {"softDeletes", counters_.soft_deletes},
          {"restores", counters_.restores},        {"merges", counters_.merges},
          {"patches", counters_.patches},          {"creates", counters_.creates},
          {"upsertUpdates", counters_.updates_by_upsert}, {"optOuts", counters_.opt_outs},
          {"optIns", counters_.opt_ins},           {"touches", counters_.touches},
          {"contacts", contacts_.size()}};
}

// Writes.

Reply FakePodium::Upsert(const json& body) {
  if (!body.is_object()) return ErrorReply(400, "bad_request", "the request body must be a JSON object");
  const std::string phone = StringField(body, "phoneNumber");
  const std::string email = StringField(body, "email");
  if (phone.empty() && email.empty()) {
    return ErrorReply(400, "invalid_request_values", "a contact needs a phoneNumber or an email");
  }
  if (body.contains("locations") && !IsLocationArray(body["locations"])) {
    return ErrorReply(400, "invalid_request_values", "locations must be an array of uids");
  }

  json* contact = FindLiveByPhoneOrEmail(phone, email);
  const std::string now = NextTimestamp();
  if (contact == nullptr) {
    json created = {{"uid", NewUid()}, {"createdAt", now}, {"deletedAt", nullptr},
                    {"phoneNumbers", json::array()}, {"emails", json::array()},
                    {"locations", json::array()}, {"tags", json::array()},
                    {"conversations", json::array()}, {"attributes", json::array()}};
    Insert(std::move(created));
    contact = &contacts_.rbegin()->second;
    ++counters_.creates;
  } else {
    ++counters_.updates_by_upsert;
  }

  json& target = *contact;
  if (!StringField(body, "name").empty()) target["name"] = body["name"];
  if (!phone.empty()) AppendUnique(target, "phoneNumbers", phone);
  if (!email.empty()) AppendUnique(target, "emails", email);
  if (body.contains("locations")) {
    for (const json& location : LocationObjects(body["locations"])) AppendUnique(target, "locations", location, "uid");
  }
  if (body.contains("address") && body["address"].is_object()) target["address"].update(body["address"]);
  if (body.contains("tags") && IsStringArray(body["tags"])) {
    for (const json& tag : body["tags"]) {
      AppendUnique(target, "tags", {{"uid", tag}, {"label", TagLabel(tag.get<std::string>())}}, "uid");
    }
  }
  if (body.contains("attributes") && body["attributes"].is_array()) {
    for (const json& attribute : body["attributes"]) AppendUnique(target, "attributes", attribute, "uid");
  }
  target["updatedAt"] = now;
  return DataReply(202, {{"identifier", target["uid"]}});
}

void FakePodium::ApplyPatchField(json& contact, const std::string& key, const json& value) {
  const std::string now = StringField(contact, "updatedAt");
  if (key == "email") {
    AppendUnique(contact, "emails", value);
  } else if (key == "phoneNumber") {
    AppendUnique(contact, "phoneNumbers", value);
  } else if (key == "address") {
    if (!contact["address"].is_object()) contact["address"] = json::object();
    contact["address"].update(value);
  } else if (key == "locations") {
    contact["locations"] = LocationObjects(value);
  } else if (key == "conversationUid") {
    AppendUnique(contact, "conversations", {{"uid", value}}, "uid");
  } else if (key == "marketingOptOut" || key == "smsOptOut" || key == "emailOptOut") {
    ApplyConsentFlag(contact, key, value.get<bool>(), now);
  } else {
    contact[key] = value;  // name, contactStatus, phoneNumbers, emails
  }
}

Reply FakePodium::Patch(const std::string& identifier, const json& body) {
  if (!body.is_object()) return ErrorReply(400, "bad_request", "the request body must be a JSON object");
  for (const auto& [key, value] : body.items()) {
    if (kPatchFields.count(key) == 0) {
      return ErrorReply(400, "invalid_request_values", "unknown field '" + key + "' cannot be updated");
    }
    const std::string type_error = PatchTypeError(key, value);
    if (!type_error.empty()) return ErrorReply(400, "invalid_request_values", type_error);
  }
  json* contact = FindByIdentifier(identifier);
  if (contact == nullptr) {
    return ErrorReply(404, "resource_not_found", "no contact matches identifier '" + identifier + "'");
  }

  (*contact)["updatedAt"] = NextTimestamp();
  for (const auto& [key, value] : body.items()) ApplyPatchField(*contact, key, value);
  ++counters_.patches;
  return DataReply(202, {{"identifier", (*contact)["uid"]}});
}

Reply FakePodium::Delete(const std::string& identifier, bool hard) {
  json* contact = FindByIdentifier(identifier);
  if (contact == nullptr) {
    return ErrorReply(404, "resource_not_found", "no contact matches identifier '" + identifier + "'");
  }
  const std::string uid = (*contact)["uid"].get<std::string>();
  if (hard) {
    contacts_.erase(by_uid_.at(uid));
    by_uid_.erase(uid);
    ++counters_.hard_deletes;
    return DataReply(202, {{"identifier", uid}});
  }
  if (!IsDeleted(*contact)) {
    const std::string now = NextTimestamp();
    (*contact)["deletedAt"] = now;
    (*contact)["updatedAt"] = now;
    ++counters_.soft_deletes;
  }
  return DataReply(202, {{"identifier", uid}});
}

Reply FakePodium::Restore(const std::string& uid) {
  json* contact = FindByUid(uid);
  if (contact == nullptr) return ErrorReply(404, "resource_not_found", "no contact has uid '" + uid + "'");
  if (IsDeleted(*contact)) {
    (*contact)["deletedAt"] = nullptr;
    (*contact)["updatedAt"] = NextTimestamp();
    ++counters_.restores;
  }
  return DataReply(202, {{"identifier", uid}});
}

// Validates a merge request; returns the error reply, or nullopt and the
// duplicates when the merge may go ahead.
std::optional<Reply> FakePodium::CheckMergeable(const std::string& primary_uid, const json& body,
                                                std::vector<json*>* duplicates) {
  json* primary = FindByUid(primary_uid);
  if (primary == nullptr || IsDeleted(*primary)) {
    return ErrorReply(404, "contact_not_found", "primary contact '" + primary_uid + "' does not exist or is deleted");
  }
  if (!body.is_object() || !body.contains("duplicateUids") || !IsStringArray(body["duplicateUids"]) ||
      body["duplicateUids"].empty()) {
    return ErrorReply(400, "invalid_request_values", "duplicateUids must be a non-empty array of contact uids");
  }
  std::set<std::string> seen;
  for (const json& value : body["duplicateUids"]) {
    const std::string uid = value.get<std::string>();
    json* duplicate = FindByUid(uid);
    if (uid == primary_uid || !seen.insert(uid).second || duplicate == nullptr || IsDeleted(*duplicate)) {
      return ErrorReply(400, "invalid_duplicate_uid",
                        "duplicate uid '" + uid + "' is the primary, repeated, unknown or already deleted");
    }
    duplicates->push_back(duplicate);
  }
  return std::nullopt;
}

Reply FakePodium::Merge(const std::string& primary_uid, const json& body,
                        const std::function<bool(const std::vector<std::string>&)>& in_progress) {
  std::vector<json*> duplicates;
  if (auto error = CheckMergeable(primary_uid, body, &duplicates)) return *error;

  std::vector<std::string> uids = {primary_uid};
  for (json* duplicate : duplicates) uids.push_back((*duplicate)["uid"].get<std::string>());
  if (in_progress && in_progress(uids)) {
    return ErrorReply(409, "merge_in_progress", "a merge involving contact '" + primary_uid + "' is in progress; retry later");
  }
  json& primary = *FindByUid(primary_uid);
  if (!allow_cross_location_merge_) {
    for (json* duplicate : duplicates) {
      if (LocationUids(*duplicate) != LocationUids(primary)) {
        return ErrorReply(422, "cross_location_merge_blocked",
                          "contact '" + (*duplicate)["uid"].get<std::string>() +
                              "' is in other locations than the primary '" + primary_uid + "'");
      }
    }
  }

  for (json* duplicate : duplicates) {
    json& source = *duplicate;
    if (source.contains("conversations") && source["conversations"].is_array()) {
      for (const json& conversation : source["conversations"]) AppendUnique(primary, "conversations", conversation, "uid");
    }
    if (source.contains("tags") && source["tags"].is_array()) {
      for (const json& tag : source["tags"]) AppendUnique(primary, "tags", tag, "uid");
    }
    const std::string now = NextTimestamp();
    source["conversations"] = json::array();
    source["deletedAt"] = now;
    source["updatedAt"] = now;
    source["mergedInto"] = primary_uid;
  }
  primary["updatedAt"] = NextTimestamp();
  ++counters_.merges;
  return DataReply(200, primary);
}

namespace {

// Reads the {identifier, type} channel of a campaigns request, or sets
// `error` to the 400 reply that names what is missing.
std::optional<std::pair<std::string, std::string>> ReadChannel(const json& body, Reply* error) {
  if (!body.is_object() || !body.contains("channel") || !body["channel"].is_object()) {
    *error = ErrorReply(400, "invalid_request_values", "the body needs a channel {identifier, type}");
    return std::nullopt;
  }
  std::string identifier = StringField(body["channel"], "identifier");
  std::string type = StringField(body["channel"], "type");
  if (identifier.empty() || (type != "PHONE" && type != "EMAIL")) {
    *error = ErrorReply(400, "invalid_request_values", "channel needs an identifier and type PHONE or EMAIL");
    return std::nullopt;
  }
  return std::make_pair(std::move(identifier), std::move(type));
}

}  // namespace

Reply FakePodium::OptOut(const json& body) {
  Reply invalid;
  const auto channel = ReadChannel(body, &invalid);
  if (!channel) return invalid;
  const auto& [identifier, type] = *channel;
  std::vector<json*> contacts = FindLiveByChannel(identifier);
  if (contacts.empty()) return ErrorReply(404, "resource_not_found", "no contact has channel '" + identifier + "'");

  for (json* contact : contacts) {
    (*contact)["updatedAt"] = NextTimestamp();
    (*contact)["marketingOptOut"] = true;
    ChannelFor(*contact, identifier, type)["marketingOptedInLocationUids"] = json::array();
  }
  ++counters_.opt_outs;
  return DataReply(202, {{"identifier", identifier}});
}

Reply FakePodium::OptIn(const json& body) {
  Reply invalid;
  const auto channel = ReadChannel(body, &invalid);
  if (!channel) return invalid;
  if (StringField(body, "locationUid").empty()) {
    return ErrorReply(400, "invalid_request_values", "the body needs a channel {identifier, type} and a locationUid");
  }
  const auto& [identifier, type] = *channel;
  std::vector<json*> contacts = FindLiveByChannel(identifier);
  if (contacts.empty()) return ErrorReply(404, "resource_not_found", "no contact has channel '" + identifier + "'");

  for (json* contact : contacts) {
    (*contact)["updatedAt"] = NextTimestamp();
    (*contact)["marketingOptOut"] = false;
    AppendUnique(ChannelFor(*contact, identifier, type), "marketingOptedInLocationUids", body["locationUid"]);
  }
  ++counters_.opt_ins;
  return DataReply(202, {{"identifier", identifier}});
}

Reply FakePodium::AddTag(const std::string& identifier, const std::string& tag_uid) {
  json* contact = FindByIdentifier(identifier);
  if (contact == nullptr) {
    return ErrorReply(404, "resource_not_found", "no contact matches identifier '" + identifier + "'");
  }
  AppendUnique(*contact, "tags", {{"uid", tag_uid}, {"label", TagLabel(tag_uid)}}, "uid");
  (*contact)["updatedAt"] = NextTimestamp();
  return DataReply(202, {{"identifier", (*contact)["uid"]}});
}

Reply FakePodium::RemoveTag(const std::string& identifier, const std::string& tag_uid) {
  json* contact = FindByIdentifier(identifier);
  if (contact == nullptr) {
    return ErrorReply(404, "resource_not_found", "no contact matches identifier '" + identifier + "'");
  }
  json& tags = (*contact)["tags"];
  if (tags.is_array()) {
    json kept = json::array();
    for (const json& tag : tags) {
      if (!(tag.is_object() && StringField(tag, "uid") == tag_uid)) kept.push_back(tag);
    }
    tags = std::move(kept);
  }
  (*contact)["updatedAt"] = NextTimestamp();
  return DataReply(202, {{"identifier", (*contact)["uid"]}});
}

Reply FakePodium::Touch(const std::string& uid, const json& fields) {
  json* contact = FindByUid(uid);
  if (contact == nullptr) return ErrorReply(404, "resource_not_found", "no contact has uid '" + uid + "'");
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) (*contact)[key] = value;
  }
  (*contact)["updatedAt"] = NextTimestamp();
  ++counters_.touches;
  return DataReply(200, *contact);
}

}  // namespace podium_dedup::fake_server
