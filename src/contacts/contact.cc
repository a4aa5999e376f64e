#include "podium_dedup/contact.h"

namespace podium_dedup {

int FieldCount(const Contact& contact) {
  int count = 0;
  if (!contact.name.empty()) ++count;
  count += static_cast<int>(contact.phones.size() + contact.emails.size() + contact.tags.size() +
                            contact.conversation_uids.size());
  for (const auto& [uid, value] : contact.attributes) {
    if (!value.empty()) ++count;
  }
  const Address& a = contact.address;
  for (const std::string* part : {&a.line1, &a.line2, &a.city, &a.state, &a.postal_code, &a.country}) {
    if (!part->empty()) ++count;
  }
  if (!contact.organization_uid.empty()) ++count;
  return count;
}

}  // namespace podium_dedup
