// Tests of the recognition of phone URIs and messaging ids.
#include <string>

#include <gtest/gtest.h>

#include "phone/uri.h"

namespace podium_dedup::phone_internal {
namespace {

using Kind = UriNumber::Kind;

struct UriCase {
  std::string name;
  std::string field;
  Kind kind;
  std::string number;
  std::string extension;
};

void PrintTo(const UriCase& c, std::ostream* os) { *os << c.name; }

class ParsesUri : public testing::TestWithParam<UriCase> {};

TEST_P(ParsesUri, GivesExpectedNumber) {
  const UriNumber uri = ParsePhoneUri(GetParam().field);
  EXPECT_EQ(uri.kind, GetParam().kind);
  EXPECT_EQ(uri.number, GetParam().number);
  EXPECT_EQ(uri.extension, GetParam().extension);
}

INSTANTIATE_TEST_SUITE_P(
    Uris, ParsesUri,
    testing::Values(
        UriCase{"PlainTextIsNoUri", "0491 570 156", Kind::kNotAUri, "", ""},
        UriCase{"TelUri", "tel:+61-491-570-156", Kind::kNumber, "+61-491-570-156", ""},
        UriCase{"TelUriUppercase", "TEL:+61491570156", Kind::kNumber, "+61491570156", ""},
        UriCase{"TelUriExtension", "tel:+61491570156;ext=12", Kind::kNumber, "+61491570156", "12"},
        UriCase{"TelUriPhoneContext", "tel:0491570156;phone-context=+61", Kind::kNumber,
                "+610491570156", ""},
        UriCase{"SipUri", "sip:+61491570156@example.com;user=phone", Kind::kNumber, "+61491570156", ""},
        UriCase{"WhatsAppJid", "61491570156@s.whatsapp.net", Kind::kNumber, "+61491570156", ""},
        UriCase{"WhatsAppJidDevice", "61491570156:12@s.whatsapp.net", Kind::kNumber, "+61491570156", ""},
        UriCase{"WhatsAppJidAgentDevice", "61491570156.0:12@s.whatsapp.net", Kind::kNumber,
                "+61491570156", ""},
        UriCase{"WhatsAppCUs", "61491570156@c.us", Kind::kNumber, "+61491570156", ""},
        UriCase{"WaMeLink", "https://wa.me/61491570156?text=hi", Kind::kNumber, "+61491570156", ""},
        UriCase{"WhatsAppLid", "123456789012345@lid", Kind::kNotAPhone, "", ""},
        UriCase{"WhatsAppLidDevice", "123456789012345:3@lid", Kind::kNotAPhone, "", ""},
        UriCase{"WhatsAppGroup", "61491570156-1600000000@g.us", Kind::kNotAPhone, "", ""},
        UriCase{"EmailAddress", "bob@example.com", Kind::kNotAPhone, "", ""},
        UriCase{"AtSignWithSpacesIsNoUri", "0491 570 156 @ home", Kind::kNotAUri, "", ""}));

}  // namespace
}  // namespace podium_dedup::phone_internal
