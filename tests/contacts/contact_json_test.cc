#include "podium_dedup/contact_json.h"

#include <string>

#include <gtest/gtest.h>

namespace podium_dedup {
namespace {

using nlohmann::json;

// A contact object with every field the model names, in the output form of
// ContactToJson, plus two fields the model does not name.
json FullContactJson() {
  return json::parse(R"({
    "uid": "c-000001",
    "name": "Olivia Nguyen",
    "phoneNumbers": ["+61412345678", "(02) 9876 5432"],
    "emails": ["olivia@example.com", "o.nguyen@example.net"],
    "address": {"addressLine1": "1 George St", "addressLine2": "Level 2", "city": "Sydney",
                "state": "NSW", "postalCode": "2000", "country": "AU"},
    "locations": [{"uid": "loc-1"}, {"uid": "loc-2"}],
    "organization": {"uid": "org-9"},
    "conversations": [{"uid": "conv-1"}, {"uid": "conv-2"}],
    "tags": [{"uid": "tag-1", "label": "VIP", "description": "Spends a lot"},
             {"uid": "tag-2", "label": "Referral"}],
    "attributes": [{"uid": "attr-1", "label": "Birthday", "value": "1990-05-01", "dataType": "date"},
                   {"uid": "attr-2", "label": "Visits", "value": 12, "dataType": "number"},
                   {"uid": "attr-3", "value": null},
                   {"uid": "attr-4", "value": true}],
    "channels": [{"type": "PHONE", "identifier": "+61412345678",
                  "marketingOptedInLocationUids": ["loc-1"],
                  "transactionalOptedOutAt": "2026-02-03T04:05:06Z"},
                 {"type": "EMAIL", "identifier": "olivia@example.com",
                  "marketingOptedInLocationUids": [], "transactionalOptedOutAt": null}],
    "createdAt": "2025-01-02T03:04:05Z",
    "updatedAt": "2026-01-02T03:04:05Z",
    "deletedAt": null,
    "marketingOptOut": true,
    "smsOptOut": true,
    "emailOptOut": false,
    "contactStatus": "active",
    "source": {"system": "import", "batch": 7}
  })");
}

TEST(ContactJson, ReadsEveryNamedField) {
  Result<Contact> result = ContactFromJson(FullContactJson());
  ASSERT_TRUE(result.ok()) << result.error().message;
  const Contact& contact = result.value();

  EXPECT_EQ(contact.uid, "c-000001");
  EXPECT_EQ(contact.name, "Olivia Nguyen");
  EXPECT_EQ(contact.phones, (std::vector<std::string>{"+61412345678", "(02) 9876 5432"}));
  EXPECT_EQ(contact.emails, (std::vector<std::string>{"olivia@example.com", "o.nguyen@example.net"}));
  EXPECT_EQ(contact.address.line1, "1 George St");
  EXPECT_EQ(contact.address.line2, "Level 2");
  EXPECT_EQ(contact.address.postal_code, "2000");
  EXPECT_EQ(contact.address.country, "AU");
  EXPECT_EQ(contact.location_uids, (std::vector<std::string>{"loc-1", "loc-2"}));
  EXPECT_EQ(contact.organization_uid, "org-9");
  EXPECT_EQ(contact.conversation_uids, (std::vector<std::string>{"conv-1", "conv-2"}));
  ASSERT_EQ(contact.tags.size(), 2u);
  EXPECT_EQ(contact.tags[0].description, "Spends a lot");
  EXPECT_EQ(contact.tags[1].label, "Referral");
  EXPECT_EQ(contact.attributes.at("attr-1"), "1990-05-01");
  EXPECT_EQ(contact.attributes.at("attr-2"), "12");
  EXPECT_TRUE(contact.attribute_info.at("attr-2").value_is_json);
  EXPECT_EQ(contact.attribute_info.at("attr-1").data_type, "date");
  ASSERT_EQ(contact.channels.size(), 2u);
  EXPECT_EQ(contact.channels[0].transactional_opted_out_at, "2026-02-03T04:05:06Z");
  EXPECT_FALSE(contact.channels[1].transactional_opted_out_at.has_value());
  EXPECT_EQ(contact.created_at, "2025-01-02T03:04:05Z");
  EXPECT_EQ(contact.updated_at, "2026-01-02T03:04:05Z");
  EXPECT_FALSE(contact.deleted());
  EXPECT_TRUE(contact.marketing_opt_out);
  EXPECT_TRUE(contact.sms_opt_out);
  EXPECT_FALSE(contact.email_opt_out);
  EXPECT_EQ(json::parse(contact.extra_json),
            json::parse(R"({"contactStatus": "active", "source": {"system": "import", "batch": 7}})"));
}

TEST(ContactJson, FullObjectRoundTripsUnchanged) {
  const json input = FullContactJson();
  Result<Contact> contact = ContactFromJson(input);
  ASSERT_TRUE(contact.ok()) << contact.error().message;

  EXPECT_EQ(ContactToJson(contact.value()), input);
}

TEST(ContactJson, ModelRoundTripsThroughJson) {
  Contact contact;
  contact.uid = "c-7";
  contact.name = "Li Wei";
  contact.phones = {"0412 345 678"};
  contact.address.city = "Perth";
  contact.tags = {{"tag-3", "Lead", ""}};
  contact.attributes = {{"attr-9", ""}};
  contact.deleted_at = "2026-03-01T00:00:00Z";
  contact.email_opt_out = true;
  contact.extra_json = R"({"externalId":"x-1"})";

  Result<Contact> back = ContactFromJson(ContactToJson(contact));
  ASSERT_TRUE(back.ok()) << back.error().message;

  EXPECT_TRUE(back.value() == contact) << ContactToJson(back.value()).dump();
}

TEST(ContactJson, NamedFieldWinsOverExtraOfSameKey) {
  Contact contact;
  contact.uid = "c-1";
  contact.extra_json = R"({"uid": "stale", "kept": 1})";

  const json object = ContactToJson(contact);

  EXPECT_EQ(object["uid"], "c-1");
  EXPECT_EQ(object["kept"], 1);
}

TEST(ContactJson, ExtensionsCanBeLeftOut) {
  Contact contact;
  contact.uid = "c-1";
  contact.deleted_at = "2026-03-01T00:00:00Z";

  const json object = ContactToJson(contact, ContactJsonOptions{.extensions = false});

  EXPECT_FALSE(object.contains("deletedAt"));
  EXPECT_FALSE(object.contains("marketingOptOut"));
  EXPECT_FALSE(object.contains("smsOptOut"));
  EXPECT_FALSE(object.contains("emailOptOut"));
}

TEST(ContactJson, NullAndAbsentFieldsLeaveDefaults) {
  Result<Contact> result = ContactFromJsonText(
      R"({"uid": "c-2", "name": null, "address": null, "organization": null, "phoneNumbers": null})");
  ASSERT_TRUE(result.ok()) << result.error().message;

  EXPECT_EQ(result.value().name, "");
  EXPECT_TRUE(result.value().address.empty());
  EXPECT_TRUE(result.value().phones.empty());
  EXPECT_FALSE(result.value().marketing_opt_out);
}

struct BadContactCase {
  const char* text;
  std::string_view code;
  const char* message_part;  // the field or value the message must name
};

TEST(ContactJson, BadObjectsNameFieldAndType) {
  const BadContactCase cases[] = {
      {R"({"uid": "c-1", "phoneNumbers": ["+61412345678", 412345678]})", kErrWrongType, "phoneNumbers[1]"},
      {R"({"uid": "c-1", "phoneNumbers": "+61412345678"})", kErrWrongType, "'phoneNumbers' must be an array"},
      {R"({"uid": "c-1", "name": 42})", kErrWrongType, "but is number 42"},
      {R"({"uid": "c-1", "address": {"city": ["x"]}})", kErrWrongType, "address.city"},
      {R"({"uid": "c-1", "locations": ["loc-1"]})", kErrWrongType, "locations[0]"},
      {R"({"uid": "c-1", "tags": [{"uid": 5}]})", kErrWrongType, "tags[0].uid"},
      {R"({"uid": "c-1", "attributes": [{"uid": "a", "value": [1]}]})", kErrWrongType, "attributes[0].value"},
      {R"({"uid": "c-1", "channels": [{"type": "PHONE", "transactionalOptedOutAt": 3}]})", kErrWrongType,
       "channels[0].transactionalOptedOutAt"},
      {R"({"uid": "c-1", "smsOptOut": "yes"})", kErrWrongType, "'smsOptOut' must be a boolean"},
      {R"({"uid": 17})", kErrWrongType, "'uid' must be a string"},
      {R"({"name": "No Uid"})", kErrMissingUid, "no 'uid'"},
      {R"({"uid": ""})", kErrMissingUid, "empty"},
      {R"(["c-1"])", kErrNotAnObject, "array"},
      {R"({"uid": "c-1",)", kErrInvalidJson, "byte"},
  };
  for (const BadContactCase& c : cases) {
    SCOPED_TRACE(c.text);
    Result<Contact> result = ContactFromJsonText(c.text);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, c.code);
    EXPECT_NE(result.error().message.find(c.message_part), std::string::npos) << result.error().message;
  }
}

json ContactWithChannels(const char* channels, const char* locations) {
  return json::parse(std::string(R"({"uid": "c-1", "locations": )") + locations +
                     R"(, "channels": )" + channels + "}");
}

struct ConsentCase {
  const char* name;
  const char* channels;
  const char* locations;
  bool marketing_opt_out;
  bool sms_opt_out;
  bool email_opt_out;
};

TEST(ContactJson, ConsentDerivedFromChannelsWhenFlagsAbsent) {
  const ConsentCase cases[] = {
      {"no channels: no consent information", "[]", R"([{"uid": "loc-1"}])", false, false, false},
      {"phone opted in at the contact's location",
       R"([{"type": "PHONE", "identifier": "+61412345678", "marketingOptedInLocationUids": ["loc-1"]}])",
       R"([{"uid": "loc-1"}])", false, false, false},
      {"opted in at another location only",
       R"([{"type": "PHONE", "identifier": "+61412345678", "marketingOptedInLocationUids": ["loc-2"]}])",
       R"([{"uid": "loc-1"}])", true, false, false},
      {"opted in at one of two locations",
       R"([{"type": "PHONE", "identifier": "+61412345678", "marketingOptedInLocationUids": ["loc-1"]}])",
       R"([{"uid": "loc-1"}, {"uid": "loc-2"}])", true, false, false},
      {"email channel opts in the second location",
       R"([{"type": "PHONE", "identifier": "+61412345678", "marketingOptedInLocationUids": ["loc-1"]},
           {"type": "EMAIL", "identifier": "a@example.com", "marketingOptedInLocationUids": ["loc-2"]}])",
       R"([{"uid": "loc-1"}, {"uid": "loc-2"}])", false, false, false},
      {"no locations, some channel opted in",
       R"([{"type": "PHONE", "identifier": "+61412345678", "marketingOptedInLocationUids": ["loc-3"]}])", "[]",
       false, false, false},
      {"no locations, nothing opted in",
       R"([{"type": "PHONE", "identifier": "+61412345678", "marketingOptedInLocationUids": []}])", "[]", true,
       false, false},
      {"phone transactional opt-out",
       R"([{"type": "PHONE", "identifier": "+61412345678", "marketingOptedInLocationUids": ["loc-1"],
            "transactionalOptedOutAt": "2026-01-01T00:00:00Z"}])",
       R"([{"uid": "loc-1"}])", false, true, false},
      {"email transactional opt-out",
       R"([{"type": "EMAIL", "identifier": "a@example.com", "marketingOptedInLocationUids": ["loc-1"],
            "transactionalOptedOutAt": "2026-01-01T00:00:00Z"}])",
       R"([{"uid": "loc-1"}])", false, false, true},
  };
  for (const ConsentCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<Contact> result = ContactFromJson(ContactWithChannels(c.channels, c.locations));
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result.value().marketing_opt_out, c.marketing_opt_out);
    EXPECT_EQ(result.value().sms_opt_out, c.sms_opt_out);
    EXPECT_EQ(result.value().email_opt_out, c.email_opt_out);
  }
}

TEST(ContactJson, FlatFlagsWinOverChannels) {
  json object = ContactWithChannels(
      R"([{"type": "PHONE", "identifier": "+61412345678", "marketingOptedInLocationUids": [],
           "transactionalOptedOutAt": "2026-01-01T00:00:00Z"}])",
      R"([{"uid": "loc-1"}])");
  object["marketingOptOut"] = false;
  object["emailOptOut"] = true;

  Result<Contact> result = ContactFromJson(object);
  ASSERT_TRUE(result.ok()) << result.error().message;

  EXPECT_FALSE(result.value().marketing_opt_out);
  EXPECT_TRUE(result.value().sms_opt_out);  // absent flag: derived from the channel
  EXPECT_TRUE(result.value().email_opt_out);
}

}  // namespace
}  // namespace podium_dedup
