#include "phone/uri.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "phone/cleaning.h"

namespace podium_dedup::phone_internal {
namespace {

std::string ToLowerAscii(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

// Removes `prefix` (lowercase) from the front of `value` if it is there,
// ignoring ASCII case.
bool ConsumePrefix(std::string_view& value, std::string_view prefix) {
  if (value.size() < prefix.size()) return false;
  if (ToLowerAscii(value.substr(0, prefix.size())) != prefix) return false;
  value.remove_prefix(prefix.size());
  return true;
}

bool HasSpace(std::string_view value) {
  return value.find_first_of(" \n") != std::string_view::npos;
}

// Parses "number;ext=12;phone-context=+61" (RFC 3966). A phone-context that
// starts with '+' is the country code of a number written without one.
UriNumber ParseTelBody(std::string_view body) {
  UriNumber result{UriNumber::Kind::kNumber, {}, {}};
  size_t end = body.find(';');
  result.number = std::string(body.substr(0, end));
  std::string context;
  while (end != std::string_view::npos) {
    body.remove_prefix(end + 1);
    end = body.find(';');
    const std::string_view parameter = body.substr(0, end);
    std::string_view value = parameter;
    if (ConsumePrefix(value, "ext=")) result.extension = std::string(value);
    value = parameter;
    if (ConsumePrefix(value, "phone-context=")) context = std::string(value);
  }
  if (context.starts_with('+') && !result.number.starts_with('+')) {
    result.number = context + result.number;
  }
  return result;
}

UriNumber NotAPhone() { return {UriNumber::Kind::kNotAPhone, {}, {}}; }

bool IsWhatsAppUserHost(std::string_view host) {
  return host == "s.whatsapp.net" || host == "c.us" || host == "whatsapp.net";
}

bool IsWhatsAppNonPhoneHost(std::string_view host) {
  return host == "lid" || host == "g.us" || host == "broadcast" || host == "newsletter" ||
         host == "call";
}

// "61491570156:12@s.whatsapp.net" and similar ids, and sip user@host.
UriNumber ParseUserAtHost(std::string_view value, bool is_sip) {
  const size_t at = value.find('@');
  std::string_view user = value.substr(0, at);
  const std::string host = ToLowerAscii(value.substr(at + 1));
  const std::string_view host_name = std::string_view(host).substr(0, host.find(';'));
  if (IsWhatsAppNonPhoneHost(host_name)) return NotAPhone();
  if (IsWhatsAppUserHost(host_name)) {
    user = user.substr(0, user.find_first_of(".:"));
    const bool digits_only = !user.empty() && std::all_of(user.begin(), user.end(), IsAsciiDigit);
    if (!digits_only) return NotAPhone();
    return {UriNumber::Kind::kNumber, "+" + std::string(user), {}};
  }
  // A SIP user part may be a phone number; any other user@host is an email.
  if (!is_sip) return NotAPhone();
  return ParseTelBody(user);
}

}  // namespace

UriNumber ParsePhoneUri(std::string_view cleaned) {
  std::string_view value = cleaned;
  if (HasSpace(value)) return {};
  if (ConsumePrefix(value, "tel:") || ConsumePrefix(value, "callto:")) {
    if (value.starts_with("//")) value.remove_prefix(2);
    return ParseTelBody(value);
  }
  const bool is_sip = ConsumePrefix(value, "sip:") || ConsumePrefix(value, "sips:");
  if (!is_sip) {
    ConsumePrefix(value, "https://") || ConsumePrefix(value, "http://");
    if (ConsumePrefix(value, "wa.me/")) {
      return {UriNumber::Kind::kNumber, "+" + std::string(value.substr(0, value.find('?'))), {}};
    }
    value = cleaned;
  }
  if (value.find('@') != std::string_view::npos) return ParseUserAtHost(value, is_sip);
  if (is_sip) return ParseTelBody(value);
  return {};
}

}  // namespace podium_dedup::phone_internal
