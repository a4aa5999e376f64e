// Classification of one candidate number with libphonenumber.
#ifndef PODIUM_DEDUP_PHONE_CLASSIFICATION_H_
#define PODIUM_DEDUP_PHONE_CLASSIFICATION_H_

#include <optional>
#include <string>
#include <string_view>

#include <phonenumbers/phonenumberutil.h>
#include <phonenumbers/shortnumberinfo.h>

#include "podium_dedup/phone.h"

namespace podium_dedup::phone_internal {

// A valid number, or the reason the text gave no valid number.
struct PieceVerdict {
  std::optional<NormalizedPhone> number;
  std::string_view reason;  // one of reason::, set when `number` is empty
};

// Returns true if `digits` is an obvious fake: one digit repeated (at least
// six times), or a run of consecutive digits up or down, such as 0123456789,
// 1234567890 or 9876543210 (at least seven digits, wrapping from 9 to 0).
bool IsPlaceholderDigits(std::string_view digits);

// Wraps libphonenumber's PhoneNumberUtil and ShortNumberInfo. Const and
// thread-safe: the only mutable state of both libphonenumber classes is a
// regular-expression cache that libphonenumber guards with a lock.
class PieceClassifier {
 public:
  PieceClassifier();

  // Classifies `text` (digits, '+' and formatting only; no letters) in
  // `region`. The text is a valid number when libphonenumber's
  // IsValidNumber accepts it as written, or, in a region whose
  // international prefix is not "00", when "00" is read as '+' and only that
  // reading is valid. Placeholders and short codes (emergency and other
  // short numbers of the region) are rejected before the reason given by
  // libphonenumber's length check.
  PieceVerdict Classify(std::string_view text, std::string_view extension,
                        std::string_view region) const;

 private:
  // A valid number with the national significant number that the
  // placeholder check needs.
  struct ValidReading {
    NormalizedPhone phone;
    std::string national_significant;
  };

  std::optional<ValidReading> ValidNumber(const i18n::phonenumbers::PhoneNumber& number) const;
  bool IsShortCode(const std::string& digits, const std::string& region) const;
  std::string_view InvalidReason(const i18n::phonenumbers::PhoneNumber& number) const;

  const i18n::phonenumbers::PhoneNumberUtil& util_;
  i18n::phonenumbers::ShortNumberInfo short_info_;
};

}  // namespace podium_dedup::phone_internal

#endif  // PODIUM_DEDUP_PHONE_CLASSIFICATION_H_
