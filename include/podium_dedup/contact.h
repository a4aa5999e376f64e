// Contact: a Podium contact as read from an export file or the API.
//
// Phones are kept as the raw strings that were read: normalization happens
// later, with the region of the contact's location. Unknown JSON fields are
// kept in `extra_json` so that nothing read from a source is lost on the way
// to the index or the audit log.
#ifndef PODIUM_DEDUP_CONTACT_H_
#define PODIUM_DEDUP_CONTACT_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace podium_dedup {

struct Address {
  std::string line1;
  std::string line2;
  std::string city;
  std::string state;
  std::string postal_code;
  std::string country;

  bool empty() const {
    return line1.empty() && line2.empty() && city.empty() && state.empty() &&
           postal_code.empty() && country.empty();
  }
};

struct Tag {
  std::string uid;
  std::string label;
};

struct Contact {
  std::string uid;
  std::string name;
  std::vector<std::string> phones;  // raw values, as typed by whoever entered them
  std::vector<std::string> emails;
  std::vector<std::string> location_uids;
  std::vector<Tag> tags;
  std::vector<std::string> conversation_uids;
  std::map<std::string, std::string> attributes;  // attribute uid -> value
  Address address;
  std::string organization_uid;
  std::string created_at;  // ISO 8601 UTC, as read
  std::string updated_at;  // ISO 8601 UTC, as read
  std::optional<std::string> deleted_at;
  bool marketing_opt_out = false;
  bool sms_opt_out = false;
  bool email_opt_out = false;
  std::string extra_json;  // JSON object of fields this model does not name, or empty

  bool deleted() const { return deleted_at.has_value(); }
};

// Counts the populated fields of a contact: the name, each phone, email,
// tag, conversation and attribute with a value, each non-empty address
// line and the organization. The primary of a cluster is the member with
// the highest count.
int FieldCount(const Contact& contact);

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_CONTACT_H_
