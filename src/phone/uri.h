// Phone URIs and messaging ids: tel:, sip:, WhatsApp JIDs.
#ifndef PODIUM_DEDUP_PHONE_URI_H_
#define PODIUM_DEDUP_PHONE_URI_H_

#include <string>
#include <string_view>

namespace podium_dedup::phone_internal {

struct UriNumber {
  enum class Kind {
    kNotAUri,   // plain text: split and parse it as usual
    kNumber,    // `number` holds the dialable part of the URI or id
    kNotAPhone  // an address that names no phone number (an email, a WhatsApp LID or group)
  };
  Kind kind = Kind::kNotAUri;
  std::string number;     // "+61491570156" or a national form such as "0491570156"
  std::string extension;  // from a tel: URI's ";ext=" parameter
};

// Recognizes the whole of a cleaned field as a tel:, sip:, sips: or callto:
// URI, a wa.me link, or a user@host id. WhatsApp ids (user@s.whatsapp.net,
// user@c.us) carry the number in international form without '+', and may
// end in an agent or device suffix (".0:12"), which is dropped. A WhatsApp
// LID (@lid), a group (@g.us) and an email address are not phones.
UriNumber ParsePhoneUri(std::string_view cleaned);

}  // namespace podium_dedup::phone_internal

#endif  // PODIUM_DEDUP_PHONE_URI_H_
