// Conversion between Contact and the Podium contact object in JSON.
//
// The JSON shape is Podium's v4 contact object plus the extension fields
// `deletedAt`, `marketingOptOut`, `smsOptOut` and `emailOptOut`. Fields the
// model does not name are kept in Contact::extra_json and written back, so
// Contact -> JSON -> Contact gives back an equal Contact.
//
// NOTE: unknown keys inside nested objects (an address, a location, a tag,
// an attribute, a channel) are not kept; only top-level unknown fields are.
#ifndef PODIUM_DEDUP_CONTACT_JSON_H_
#define PODIUM_DEDUP_CONTACT_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "podium_dedup/contact.h"
#include "podium_dedup/result.h"

namespace podium_dedup {

// Error codes of ContactFromJson and ContactFromJsonText. The JSON Lines
// reader reports the same codes with the file and line.
inline constexpr std::string_view kErrInvalidJson = "ERR_DEDUP_INPUT_INVALID_JSON";
inline constexpr std::string_view kErrNotAnObject = "ERR_DEDUP_INPUT_NOT_AN_OBJECT";
inline constexpr std::string_view kErrMissingUid = "ERR_DEDUP_INPUT_MISSING_UID";
inline constexpr std::string_view kErrWrongType = "ERR_DEDUP_INPUT_WRONG_TYPE";

struct ContactJsonOptions {
  // Write the extension fields (deletedAt and the three opt-out booleans).
  // Off for a server that plays the documented API only.
  bool extensions = true;
};

// The three opt-out flags that a contact's consent channels imply.
struct ChannelConsent {
  bool marketing_opt_out = false;
  bool sms_opt_out = false;
  bool email_opt_out = false;
};

// Derives the opt-out flags from consent channels:
// - marketing_opt_out is false only when every location in `location_uids`
//   is listed in some channel's marketingOptedInLocationUids (for a contact
//   without locations: when some channel lists any location), true otherwise;
// - sms_opt_out is true when a PHONE channel has transactionalOptedOutAt;
// - email_opt_out is true when an EMAIL channel has transactionalOptedOutAt.
// Without channels there is no consent information, and all flags are false.
ChannelConsent ConsentFromChannels(const std::vector<Channel>& channels,
                                   const std::vector<std::string>& location_uids);

// Builds a Contact from one Podium contact object. A missing or null field
// leaves the model's default. The flat opt-out booleans win when present;
// each absent one is derived from `channels` by ConsentFromChannels.
// Errors: kErrNotAnObject, kErrMissingUid (absent, null or empty uid),
// kErrWrongType (the message names the field, such as "phoneNumbers[2]",
// the expected type and the value found).
Result<Contact> ContactFromJson(const nlohmann::json& object);

// Parses `text` as JSON, then builds the Contact as ContactFromJson does.
// Invalid JSON is kErrInvalidJson, with the byte offset in the message.
Result<Contact> ContactFromJsonText(std::string_view text);

// Writes a Contact as a Podium contact object, with the fields of
// extra_json merged in (a named field wins over an extra one of the same
// key). Empty optional values are written as null, empty lists as [].
nlohmann::json ContactToJson(const Contact& contact, const ContactJsonOptions& options = {});

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_CONTACT_JSON_H_
