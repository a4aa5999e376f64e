#include <string>

#include <phonenumbers/phonenumberutil.h>

#include "podium_dedup/phone.h"

namespace podium_dedup {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

std::string_view ReasonFor(PhoneNumberUtil::ErrorType error) {
  switch (error) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: return reason::kInvalidCountryCode;
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN: return reason::kTooShort;
    case PhoneNumberUtil::TOO_LONG_NSN: return reason::kTooLong;
    default: return reason::kParseFailed;
  }
}

bool IsBlank(std::string_view raw) {
  return raw.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

struct PhoneNormalizer::Impl {
  PhoneOptions options;
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
};

PhoneNormalizer::PhoneNormalizer(PhoneOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

PhoneNormalizer::~PhoneNormalizer() = default;

bool PhoneNormalizer::IsKnownRegion(std::string_view region) {
  return PhoneNumberUtil::GetInstance()->GetCountryCodeForRegion(std::string(region)) != 0;
}

PhoneFieldResult PhoneNormalizer::Normalize(std::string_view raw, std::string_view region) const {
  PhoneFieldResult result;
  if (IsBlank(raw)) {
    result.rejected.push_back({std::string(raw), std::string(reason::kEmpty)});
    return result;
  }
  const std::string piece(raw);
  PhoneNumber number;
  const PhoneNumberUtil::ErrorType error = impl_->util->Parse(piece, std::string(region), &number);
  if (error != PhoneNumberUtil::NO_PARSING_ERROR) {
    result.rejected.push_back({piece, std::string(ReasonFor(error))});
    return result;
  }
  if (!impl_->util->IsValidNumber(number)) {
    result.rejected.push_back({piece, std::string(reason::kNotAValidNumber)});
    return result;
  }
  NormalizedPhone normalized;
  impl_->util->Format(number, PhoneNumberUtil::E164, &normalized.e164);
  impl_->util->Format(number, PhoneNumberUtil::NATIONAL, &normalized.national);
  impl_->util->GetRegionCodeForNumber(number, &normalized.country);
  normalized.extension = number.extension();
  result.numbers.push_back(std::move(normalized));
  return result;
}

}  // namespace podium_dedup
