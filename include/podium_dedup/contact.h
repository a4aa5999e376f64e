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
  friend bool operator==(const Address&, const Address&) = default;
};

struct Tag {
  std::string uid;
  std::string label;
  std::string description;

  friend bool operator==(const Tag&, const Tag&) = default;
};

// What an attribute carries besides its value, kept so that an attribute
// written back to JSON has the label, data type and JSON type it was read with.
struct AttributeInfo {
  std::string label;
  std::string data_type;  // Podium's "dataType", such as "text" or "date"
  // True when the value was not a JSON string: `attributes` then holds the
  // JSON text of the number or boolean, or "" for null.
  bool value_is_json = false;

  friend bool operator==(const AttributeInfo&, const AttributeInfo&) = default;
};

// One consent channel of a contact (a phone number or an email address).
// Marketing is opted in per location; a transactional opt-out is a timestamp.
struct Channel {
  std::string type;        // "PHONE" or "EMAIL" (other types are kept as read)
  std::string identifier;  // the E.164 phone or the email address
  std::vector<std::string> marketing_opted_in_location_uids;
  std::optional<std::string> transactional_opted_out_at;  // ISO 8601 UTC, or none

  friend bool operator==(const Channel&, const Channel&) = default;
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
  std::map<std::string, AttributeInfo> attribute_info;  // attribute uid -> label and type
  Address address;
  std::string organization_uid;
  std::string created_at;  // ISO 8601 UTC, as read
  std::string updated_at;  // ISO 8601 UTC, as read
  std::optional<std::string> deleted_at;
  bool marketing_opt_out = false;
  bool sms_opt_out = false;
  bool email_opt_out = false;
  std::vector<Channel> channels;  // as read; empty when the source has no channels
  std::string extra_json;  // JSON object of fields this model does not name, or empty

  bool deleted() const { return deleted_at.has_value(); }
  friend bool operator==(const Contact&, const Contact&) = default;
};

// Counts the populated fields of a contact: the name, each phone, email,
// tag, conversation and attribute with a value, each non-empty address
// line and the organization. The primary of a cluster is the member with
// the highest count.
int FieldCount(const Contact& contact);

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_CONTACT_H_
