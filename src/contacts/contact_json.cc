#include "podium_dedup/contact_json.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

namespace podium_dedup {
namespace {

using nlohmann::json;

constexpr size_t kMaxValueExcerpt = 60;

// Top-level keys that the model names. Every other key goes to extra_json.
const std::set<std::string, std::less<>> kKnownKeys = {
    "uid",       "name",          "phoneNumbers", "emails",         "address",     "locations",
    "organization", "conversations", "tags",      "attributes",     "channels",    "createdAt",
    "updatedAt", "deletedAt",     "marketingOptOut", "smsOptOut",   "emailOptOut",
};

std::string ValueExcerpt(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > kMaxValueExcerpt) text = text.substr(0, kMaxValueExcerpt - 3) + "...";
  return text;
}

// Reads the fields of one contact object, keeping the first type error.
// Each method is a no-op once an error is recorded, so Parse() reads as a
// plain list of fields and checks once at the end.
class ContactParser {
 public:
  explicit ContactParser(const json& object) : object_(object) {}

  Result<Contact> Parse();

 private:
  const json* Field(const char* key) const;
  bool Expect(const json& value, json::value_t type, std::string_view field, const char* type_name);
  void ReadString(const json& value, std::string_view field, std::string* out);
  void ReadOptionalString(const json* value, std::string_view field, std::optional<std::string>* out);
  void ReadStringArray(const char* key, std::vector<std::string>* out);
  void ReadUidArray(const char* key, std::vector<std::string>* out);
  void ReadAddress();
  void ReadOrganization();
  void ReadTags();
  void ReadAttributes();
  void ReadAttribute(const json& item, const std::string& field);
  void ReadChannels();
  void ReadChannel(const json& item, const std::string& field);
  void ReadConsent();
  void ReadFlag(const char* key, bool* out, bool derived);
  void ReadExtra();

  const json& object_;
  Contact contact_;
  std::optional<Error> error_;
};

const json* ContactParser::Field(const char* key) const {
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

bool ContactParser::Expect(const json& value, json::value_t type, std::string_view field,
                           const char* type_name) {
  if (error_) return false;
  if (value.type() == type) return true;
  error_ = Error{std::string(kErrWrongType),
                 "field '" + std::string(field) + "' must be " + type_name + " but is " +
                     value.type_name() + " " + ValueExcerpt(value) +
                     "; fix the value in the source or remove the field"};
  return false;
}

void ContactParser::ReadString(const json& value, std::string_view field, std::string* out) {
  if (Expect(value, json::value_t::string, field, "a string")) *out = value.get<std::string>();
}

void ContactParser::ReadOptionalString(const json* value, std::string_view field,
                                       std::optional<std::string>* out) {
  if (value == nullptr) return;
  std::string text;
  ReadString(*value, field, &text);
  if (!error_) *out = std::move(text);
}

void ContactParser::ReadStringArray(const char* key, std::vector<std::string>* out) {
  const json* array = Field(key);
  if (array == nullptr || !Expect(*array, json::value_t::array, key, "an array")) return;
  out->reserve(array->size());
  for (size_t i = 0; i < array->size() && !error_; ++i) {
    std::string item;
    ReadString((*array)[i], std::string(key) + "[" + std::to_string(i) + "]", &item);
    out->push_back(std::move(item));
  }
}

// Reads an array of {"uid": "..."} objects, such as locations or conversations.
void ContactParser::ReadUidArray(const char* key, std::vector<std::string>* out) {
  const json* array = Field(key);
  if (array == nullptr || !Expect(*array, json::value_t::array, key, "an array")) return;
  for (size_t i = 0; i < array->size() && !error_; ++i) {
    const std::string field = std::string(key) + "[" + std::to_string(i) + "]";
    const json& item = (*array)[i];
    if (!Expect(item, json::value_t::object, field, "an object")) return;
    auto uid = item.find("uid");
    if (uid == item.end()) {
      error_ = Error{std::string(kErrWrongType), "field '" + field + "' is missing its 'uid'; add it or remove the entry"};
      return;
    }
    std::string value;
    ReadString(*uid, field + ".uid", &value);
    out->push_back(std::move(value));
  }
}

void ContactParser::ReadAddress() {
  const json* address = Field("address");
  if (address == nullptr || !Expect(*address, json::value_t::object, "address", "an object")) return;
  const std::pair<const char*, std::string*> parts[] = {
      {"addressLine1", &contact_.address.line1}, {"addressLine2", &contact_.address.line2},
      {"city", &contact_.address.city},          {"state", &contact_.address.state},
      {"postalCode", &contact_.address.postal_code}, {"country", &contact_.address.country},
  };
  for (const auto& [key, out] : parts) {
    auto it = address->find(key);
    if (it != address->end() && !it->is_null()) ReadString(*it, std::string("address.") + key, out);
  }
}

void ContactParser::ReadOrganization() {
  const json* organization = Field("organization");
  if (organization == nullptr ||
      !Expect(*organization, json::value_t::object, "organization", "an object")) {
    return;
  }
  auto uid = organization->find("uid");
  if (uid != organization->end() && !uid->is_null()) {
    ReadString(*uid, "organization.uid", &contact_.organization_uid);
  }
}

void ContactParser::ReadTags() {
  const json* tags = Field("tags");
  if (tags == nullptr || !Expect(*tags, json::value_t::array, "tags", "an array")) return;
  for (size_t i = 0; i < tags->size() && !error_; ++i) {
    const std::string field = "tags[" + std::to_string(i) + "]";
    const json& item = (*tags)[i];
    if (!Expect(item, json::value_t::object, field, "an object")) return;
    Tag tag;
    const std::pair<const char*, std::string*> parts[] = {
        {"uid", &tag.uid}, {"label", &tag.label}, {"description", &tag.description}};
    for (const auto& [key, out] : parts) {
      auto it = item.find(key);
      if (it != item.end() && !it->is_null()) ReadString(*it, field + "." + key, out);
    }
    contact_.tags.push_back(std::move(tag));
  }
}

void ContactParser::ReadAttributes() {
  const json* attributes = Field("attributes");
  if (attributes == nullptr || !Expect(*attributes, json::value_t::array, "attributes", "an array")) {
    return;
  }
  for (size_t i = 0; i < attributes->size() && !error_; ++i) {
    ReadAttribute((*attributes)[i], "attributes[" + std::to_string(i) + "]");
  }
}

void ContactParser::ReadAttribute(const json& item, const std::string& field) {
  if (!Expect(item, json::value_t::object, field, "an object")) return;
  auto uid_it = item.find("uid");
  if (uid_it == item.end()) {
    error_ = Error{std::string(kErrWrongType), "field '" + field + "' is missing its 'uid'; add it or remove the entry"};
    return;
  }
  std::string uid;
  AttributeInfo info;
  ReadString(*uid_it, field + ".uid", &uid);
  for (const auto& [key, out] : {std::pair{"label", &info.label}, std::pair{"dataType", &info.data_type}}) {
    auto it = item.find(key);
    if (it != item.end() && !it->is_null()) ReadString(*it, field + "." + key, out);
  }
  if (error_) return;

  // Podium types attribute values by dataType, so a number or a boolean is
  // kept as its JSON text and written back with its JSON type.
  std::string value;
  auto value_it = item.find("value");
  if (value_it == item.end() || value_it->is_null()) {
    info.value_is_json = value_it != item.end();
  } else if (value_it->is_string()) {
    value = value_it->get<std::string>();
  } else if (value_it->is_primitive()) {
    value = value_it->dump();
    info.value_is_json = true;
  } else {
    Expect(*value_it, json::value_t::string, field + ".value", "a string, number, boolean or null");
    return;
  }
  contact_.attributes[uid] = std::move(value);
  if (info != AttributeInfo{}) contact_.attribute_info[uid] = std::move(info);
}

void ContactParser::ReadChannels() {
  const json* channels = Field("channels");
  if (channels == nullptr || !Expect(*channels, json::value_t::array, "channels", "an array")) return;
  for (size_t i = 0; i < channels->size() && !error_; ++i) {
    ReadChannel((*channels)[i], "channels[" + std::to_string(i) + "]");
  }
}

void ContactParser::ReadChannel(const json& item, const std::string& field) {
  if (!Expect(item, json::value_t::object, field, "an object")) return;
  Channel channel;
  for (const auto& [key, out] : {std::pair{"type", &channel.type}, std::pair{"identifier", &channel.identifier}}) {
    auto it = item.find(key);
    if (it != item.end() && !it->is_null()) ReadString(*it, field + "." + key, out);
  }
  auto locations = item.find("marketingOptedInLocationUids");
  if (locations != item.end() && !locations->is_null() &&
      Expect(*locations, json::value_t::array, field + ".marketingOptedInLocationUids", "an array")) {
    for (size_t i = 0; i < locations->size() && !error_; ++i) {
      std::string uid;
      ReadString((*locations)[i], field + ".marketingOptedInLocationUids[" + std::to_string(i) + "]", &uid);
      channel.marketing_opted_in_location_uids.push_back(std::move(uid));
    }
  }
  auto opted_out = item.find("transactionalOptedOutAt");
  if (opted_out != item.end()) {
    ReadOptionalString(opted_out->is_null() ? nullptr : &*opted_out, field + ".transactionalOptedOutAt",
                       &channel.transactional_opted_out_at);
  }
  contact_.channels.push_back(std::move(channel));
}

void ContactParser::ReadFlag(const char* key, bool* out, bool derived) {
  const json* flag = Field(key);
  if (flag == nullptr) {
    *out = derived;
    return;
  }
  if (Expect(*flag, json::value_t::boolean, key, "a boolean")) *out = flag->get<bool>();
}

void ContactParser::ReadConsent() {
  const ChannelConsent derived = ConsentFromChannels(contact_.channels, contact_.location_uids);
  ReadFlag("marketingOptOut", &contact_.marketing_opt_out, derived.marketing_opt_out);
  ReadFlag("smsOptOut", &contact_.sms_opt_out, derived.sms_opt_out);
  ReadFlag("emailOptOut", &contact_.email_opt_out, derived.email_opt_out);
}

void ContactParser::ReadExtra() {
  json extra = json::object();
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (kKnownKeys.find(it.key()) == kKnownKeys.end()) extra[it.key()] = it.value();
  }
  if (!extra.empty()) contact_.extra_json = extra.dump();
}

Result<Contact> ContactParser::Parse() {
  if (!object_.is_object()) {
    return Error{std::string(kErrNotAnObject), std::string("a contact must be a JSON object but is ") +
                                                   object_.type_name() + " " + ValueExcerpt(object_)};
  }
  const json* uid = Field("uid");
  if (uid == nullptr) {
    return Error{std::string(kErrMissingUid), "the contact has no 'uid'; every contact needs its Podium uid"};
  }
  ReadString(*uid, "uid", &contact_.uid);
  if (!error_ && contact_.uid.empty()) {
    return Error{std::string(kErrMissingUid), "the contact's 'uid' is empty; every contact needs its Podium uid"};
  }

  if (const json* name = Field("name")) ReadString(*name, "name", &contact_.name);
  ReadStringArray("phoneNumbers", &contact_.phones);
  ReadStringArray("emails", &contact_.emails);
  ReadAddress();
  ReadUidArray("locations", &contact_.location_uids);
  ReadOrganization();
  ReadUidArray("conversations", &contact_.conversation_uids);
  ReadTags();
  ReadAttributes();
  ReadChannels();
  if (const json* created = Field("createdAt")) ReadString(*created, "createdAt", &contact_.created_at);
  if (const json* updated = Field("updatedAt")) ReadString(*updated, "updatedAt", &contact_.updated_at);
  ReadOptionalString(Field("deletedAt"), "deletedAt", &contact_.deleted_at);
  ReadConsent();
  ReadExtra();

  if (error_) return *error_;
  return std::move(contact_);
}

json StringOrNull(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

json UidObjects(const std::vector<std::string>& uids) {
  json array = json::array();
  for (const std::string& uid : uids) array.push_back({{"uid", uid}});
  return array;
}

json AddressToJson(const Address& address) {
  if (address.empty()) return nullptr;
  json object = json::object();
  const std::pair<const char*, const std::string*> parts[] = {
      {"addressLine1", &address.line1}, {"addressLine2", &address.line2}, {"city", &address.city},
      {"state", &address.state},        {"postalCode", &address.postal_code}, {"country", &address.country},
  };
  for (const auto& [key, value] : parts) {
    if (!value->empty()) object[key] = *value;
  }
  return object;
}

json TagsToJson(const std::vector<Tag>& tags) {
  json array = json::array();
  for (const Tag& tag : tags) {
    json object = {{"uid", tag.uid}, {"label", tag.label}};
    if (!tag.description.empty()) object["description"] = tag.description;
    array.push_back(std::move(object));
  }
  return array;
}

json AttributeValueToJson(const std::string& value, const AttributeInfo* info) {
  if (info == nullptr || !info->value_is_json) return value;
  if (value.empty()) return nullptr;
  json parsed = json::parse(value, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? json(value) : parsed;
}

json AttributesToJson(const Contact& contact) {
  json array = json::array();
  for (const auto& [uid, value] : contact.attributes) {
    auto info_it = contact.attribute_info.find(uid);
    const AttributeInfo* info = info_it == contact.attribute_info.end() ? nullptr : &info_it->second;
    json object = {{"uid", uid}, {"value", AttributeValueToJson(value, info)}};
    if (info != nullptr && !info->label.empty()) object["label"] = info->label;
    if (info != nullptr && !info->data_type.empty()) object["dataType"] = info->data_type;
    array.push_back(std::move(object));
  }
  return array;
}

json ChannelsToJson(const std::vector<Channel>& channels) {
  json array = json::array();
  for (const Channel& channel : channels) {
    array.push_back({
        {"type", channel.type},
        {"identifier", channel.identifier},
        {"marketingOptedInLocationUids", channel.marketing_opted_in_location_uids},
        {"transactionalOptedOutAt",
         channel.transactional_opted_out_at ? json(*channel.transactional_opted_out_at) : json(nullptr)},
    });
  }
  return array;
}

bool ChannelListsLocation(const std::vector<Channel>& channels, const std::string& location_uid) {
  return std::any_of(channels.begin(), channels.end(), [&](const Channel& channel) {
    const auto& uids = channel.marketing_opted_in_location_uids;
    return std::find(uids.begin(), uids.end(), location_uid) != uids.end();
  });
}

bool HasTransactionalOptOut(const std::vector<Channel>& channels, std::string_view type) {
  return std::any_of(channels.begin(), channels.end(), [&](const Channel& channel) {
    return channel.type == type && channel.transactional_opted_out_at.has_value();
  });
}

}  // namespace

ChannelConsent ConsentFromChannels(const std::vector<Channel>& channels,
                                   const std::vector<std::string>& location_uids) {
  ChannelConsent consent;
  if (channels.empty()) return consent;

  if (location_uids.empty()) {
    consent.marketing_opt_out = std::none_of(channels.begin(), channels.end(), [](const Channel& channel) {
      return !channel.marketing_opted_in_location_uids.empty();
    });
  } else {
    consent.marketing_opt_out = !std::all_of(location_uids.begin(), location_uids.end(),
                                             [&](const std::string& uid) { return ChannelListsLocation(channels, uid); });
  }
  consent.sms_opt_out = HasTransactionalOptOut(channels, "PHONE");
  consent.email_opt_out = HasTransactionalOptOut(channels, "EMAIL");
  return consent;
}

Result<Contact> ContactFromJson(const json& object) { return ContactParser(object).Parse(); }

Result<Contact> ContactFromJsonText(std::string_view text) {
  // Deeper values are dropped while parsing, because writing them out again
  // (an error excerpt, extra_json) recurses once per level and overflows the stack.
  constexpr int kMaxJsonDepth = 64;
  bool too_deep = false;
  json object;
  try {
    object = json::parse(text.begin(), text.end(), [&](int depth, json::parse_event_t, json&) {
      too_deep = too_deep || depth > kMaxJsonDepth;
      return !too_deep;
    });
  } catch (const json::parse_error& e) {
    return Error{std::string(kErrInvalidJson),
                 "invalid JSON at byte " + std::to_string(e.byte) + ": " + e.what() +
                     "; each line must hold one complete JSON object"};
  } catch (const json::exception& e) {
    // A number too large for a double (1e999999) is out_of_range, not parse_error.
    return Error{std::string(kErrInvalidJson), std::string("invalid JSON: ") + e.what()};
  }
  if (too_deep) {
    return Error{std::string(kErrInvalidJson), "JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                                                   " levels; a contact object needs a few, so the text is damaged"};
  }
  return ContactFromJson(object);
}

json ContactToJson(const Contact& contact, const ContactJsonOptions& options) {
  json object = json::object();
  if (!contact.extra_json.empty()) {
    json extra = json::parse(contact.extra_json, nullptr, /*allow_exceptions=*/false);
    if (extra.is_object()) object = std::move(extra);
  }

  object["uid"] = contact.uid;
  object["name"] = StringOrNull(contact.name);
  object["phoneNumbers"] = contact.phones;
  object["emails"] = contact.emails;
  object["address"] = AddressToJson(contact.address);
  object["locations"] = UidObjects(contact.location_uids);
  object["organization"] =
      contact.organization_uid.empty() ? json(nullptr) : json({{"uid", contact.organization_uid}});
  object["conversations"] = UidObjects(contact.conversation_uids);
  object["tags"] = TagsToJson(contact.tags);
  object["attributes"] = AttributesToJson(contact);
  object["channels"] = ChannelsToJson(contact.channels);
  object["createdAt"] = StringOrNull(contact.created_at);
  object["updatedAt"] = StringOrNull(contact.updated_at);
  if (options.extensions) {
    object["deletedAt"] = contact.deleted_at ? json(*contact.deleted_at) : json(nullptr);
    object["marketingOptOut"] = contact.marketing_opt_out;
    object["smsOptOut"] = contact.sms_opt_out;
    object["emailOptOut"] = contact.email_opt_out;
  }
  return object;
}

}  // namespace podium_dedup
