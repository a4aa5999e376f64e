// Builders for the IndexedContact values that the matching tests cluster.
#ifndef PODIUM_DEDUP_TESTS_MATCH_TEST_CONTACTS_H_
#define PODIUM_DEDUP_TESTS_MATCH_TEST_CONTACTS_H_

#include <string>
#include <utility>
#include <vector>

#include "podium_dedup/match.h"

namespace podium_dedup::testing {

inline NormalizedPhone Phone(std::string e164, std::string extension = "", bool region_fallback = false) {
  NormalizedPhone phone;
  phone.e164 = std::move(e164);
  phone.extension = std::move(extension);
  phone.region_fallback = region_fallback;
  return phone;
}

// An IndexedContact of location "loc-1", built one field at a time.
class Row {
 public:
  explicit Row(std::string uid) {
    row_.contact.uid = std::move(uid);
    row_.location_uid = "loc-1";
    row_.field_count = 1;
  }

  Row& Name(std::string name) {
    row_.contact.name = std::move(name);
    return *this;
  }
  Row& AddPhone(NormalizedPhone phone) {
    row_.phones.push_back(std::move(phone));
    return *this;
  }
  Row& AddPhone(std::string e164) { return AddPhone(Phone(std::move(e164))); }
  Row& Email(std::string email) {
    row_.contact.emails.push_back(email);
    row_.email_keys.push_back(NormalizeEmail(email));
    return *this;
  }
  Row& TagUid(std::string uid) {
    row_.contact.tags.push_back(Tag{std::move(uid), "label of tag", ""});
    return *this;
  }
  Row& TagLabel(std::string label) {
    row_.contact.tags.push_back(Tag{"", std::move(label), ""});
    return *this;
  }
  Row& Location(std::string location_uid) {
    row_.location_uid = std::move(location_uid);
    return *this;
  }
  Row& Fields(int field_count) {
    row_.field_count = field_count;
    return *this;
  }
  Row& Updated(std::string updated_at) {
    row_.contact.updated_at = std::move(updated_at);
    return *this;
  }
  Row& Deleted() {
    row_.contact.deleted_at = "2026-01-01T00:00:00Z";
    return *this;
  }
  Row& OptOut(bool marketing, bool sms, bool email) {
    row_.contact.marketing_opt_out = marketing;
    row_.contact.sms_opt_out = sms;
    row_.contact.email_opt_out = email;
    return *this;
  }

  operator IndexedContact() const { return row_; }  // NOLINT: builders convert implicitly

 private:
  IndexedContact row_;
};

}  // namespace podium_dedup::testing

#endif  // PODIUM_DEDUP_TESTS_MATCH_TEST_CONTACTS_H_
