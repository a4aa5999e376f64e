#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "contacts/csv_columns.h"
#include "podium_dedup/contact_reader.h"
#include "reader_test_util.h"

namespace podium_dedup {
namespace {

using testing::ReadAll;
using testing::ReadOutcome;
using testing::TempDir;
using Strings = std::vector<std::string>;

ReadOutcome ReadCsvText(const std::string& text, const ReadOptions& options = {},
                        const std::string& name = "contacts.csv") {
  TempDir dir;
  return ReadAll(dir.Write(name, text), options);
}

TEST(CsvReader, QuotedFieldsKeepCommasQuotesAndNewlines) {
  ReadOutcome outcome = ReadCsvText(
      "id,name,address\n"
      "1,\"Smith, Jo\",\"12 \"\"Rose\"\" St\"\n"
      "2,\"Two\nLines\",\"a\r\nb\"\n"
      "3,Plain,x\n");

  ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
  ASSERT_EQ(outcome.contacts.size(), 3u);
  EXPECT_EQ(outcome.contacts[0].name, "Smith, Jo");
  EXPECT_EQ(outcome.contacts[0].address.line1, "12 \"Rose\" St");
  EXPECT_EQ(outcome.contacts[1].name, "Two\nLines");
  EXPECT_EQ(outcome.contacts[1].address.line1, "a\r\nb");
  EXPECT_EQ(outcome.contacts[2].uid, "3");
  EXPECT_TRUE(outcome.problems.empty());
}

TEST(CsvReader, ProblemLineIsPhysicalRowStart) {
  ReadOutcome outcome = ReadCsvText(
      "id,name\n"
      "1,\"spans\nthree\nlines\"\n"
      "2,too,wide\n");

  ASSERT_EQ(outcome.problems.size(), 1u);
  EXPECT_EQ(outcome.problems[0].line, 5);
  EXPECT_EQ(outcome.problems[0].code, "ERR_DEDUP_INPUT_ROW_WIDTH");
}

TEST(CsvReader, LineEndingsAndByteOrderMark) {
  const std::string cases[] = {
      "id,name,phone\n1,Ann,0412 345 678\n2,Bob,0298765432\n",
      "id,name,phone\r\n1,Ann,0412 345 678\r\n2,Bob,0298765432\r\n",
      "id,name,phone\r1,Ann,0412 345 678\r2,Bob,0298765432\r",
      "\xEF\xBB\xBFid,name,phone\r\n1,Ann,0412 345 678\r\n2,Bob,0298765432",
  };
  for (const std::string& text : cases) {
    SCOPED_TRACE(::testing::PrintToString(text));
    ReadOutcome outcome = ReadCsvText(text);
    ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
    EXPECT_TRUE(outcome.problems.empty());
    ASSERT_EQ(outcome.contacts.size(), 2u);
    EXPECT_EQ(outcome.contacts[0].uid, "1");
    EXPECT_EQ(outcome.contacts[0].phones, Strings{"0412 345 678"});
    EXPECT_EQ(outcome.contacts[1].name, "Bob");
  }
}

TEST(CsvReader, CrOnlyLinesCountedForProblems) {
  ReadOutcome outcome = ReadCsvText("id,name\r1,Ann\r2,Bob,extra\r3,Cy\r");

  ASSERT_EQ(outcome.problems.size(), 1u);
  EXPECT_EQ(outcome.problems[0].line, 3);
  EXPECT_EQ(outcome.contacts.size(), 2u);
}

struct DelimiterCase {
  const char* label;
  const char* uid_header;
  std::string text;
};

TEST(CsvReader, DelimiterDetectedFromHeader) {
  const DelimiterCase cases[] = {
      {"semicolon", "id", "id;name;phone\n1;Smith, Jo;0412 345 678\n"},
      {"tab", "id", "id\tname\tphone\n1\tSmith, Jo\t0412 345 678\n"},
      {"quoted header with commas", "id,x", "\"id,x\";name;phone\n1;Smith, Jo;0412 345 678\n"},
  };
  for (const DelimiterCase& c : cases) {
    SCOPED_TRACE(c.label);
    ReadOptions options;
    options.column_map = {{"uid", c.uid_header}};
    ReadOutcome outcome = ReadCsvText(c.text, options);
    ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
    ASSERT_EQ(outcome.contacts.size(), 1u);
    EXPECT_EQ(outcome.contacts[0].uid, "1");
    EXPECT_EQ(outcome.contacts[0].name, "Smith, Jo");
    EXPECT_EQ(outcome.contacts[0].phones, Strings{"0412 345 678"});
  }
}

TEST(CsvReader, DuplicateHeadersAllKept) {
  ReadOutcome outcome = ReadCsvText("id,Phone,Phone,Mobile,Email,Email\n1,0412 345 678,,0298765432,a@x.com,b@x.com\n");

  ASSERT_EQ(outcome.contacts.size(), 1u);
  EXPECT_EQ(outcome.contacts[0].phones, (Strings{"0412 345 678", "0298765432"}));
  EXPECT_EQ(outcome.contacts[0].emails, (Strings{"a@x.com", "b@x.com"}));
}

TEST(CsvReader, GoogleContactsMultiValuesSplit) {
  ReadOutcome outcome = ReadCsvText(
      "Name,Given Name,Family Name,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,"
      "Phone 2 - Type,Phone 2 - Value,Group Membership\n"
      "Jo Smith,Jo,Smith,* Home,jo@example.com ::: jo@work.example,Mobile,"
      "0412 345 678 ::: +61 2 9876 5432,Work,(03) 9123 4567,* myContacts ::: VIP\n");

  ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
  ASSERT_EQ(outcome.contacts.size(), 1u);
  const Contact& contact = outcome.contacts[0];
  EXPECT_EQ(contact.name, "Jo Smith");
  EXPECT_EQ(contact.phones, (Strings{"0412 345 678", "+61 2 9876 5432", "(03) 9123 4567"}));
  EXPECT_EQ(contact.emails, (Strings{"jo@example.com", "jo@work.example"}));
  ASSERT_EQ(contact.tags.size(), 2u);
  EXPECT_EQ(contact.tags[1].label, "VIP");
  const nlohmann::json extra = nlohmann::json::parse(contact.extra_json);
  EXPECT_EQ(extra["csvColumns"]["Phone 1 - Type"], "Mobile");
}

TEST(CsvReader, Windows1252DetectedWhenNotUtf8) {
  ReadOutcome outcome = ReadCsvText("id,name\n1,Jos\xE9\n2,Ren\xE9" "e \x96 \x80\n");

  ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
  EXPECT_TRUE(outcome.problems.empty());
  ASSERT_EQ(outcome.contacts.size(), 2u);
  EXPECT_EQ(outcome.contacts[0].name, "Jos\xC3\xA9");
  EXPECT_EQ(outcome.contacts[1].name, "Ren\xC3\xA9" "e \xE2\x80\x93 \xE2\x82\xAC");
}

TEST(CsvReader, Windows1252WhenDeclared) {
  ReadOptions options;
  options.encoding = "windows-1252";

  ReadOutcome outcome = ReadCsvText("id,name\n1,Z\xC3\xA9\n", options);

  ASSERT_EQ(outcome.contacts.size(), 1u);
  EXPECT_EQ(outcome.contacts[0].name, "Z\xC3\x83\xC2\xA9");
}

TEST(CsvReader, InvalidUtf8RowSkippedWithLineAndColumn) {
  ReadOutcome outcome = ReadCsvText(
      "id,name,phone\n"
      "1,Zo\xC3\xAB,0412 345 678\n"
      "2,Fran\xC3\xA7ois,0298765432\n"
      "3,Bad\xFF name,0398765432\n"
      "4,\xE6\x9D\x8E,0412 000 111\n");

  ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
  ASSERT_EQ(outcome.problems.size(), 1u);
  EXPECT_EQ(outcome.problems[0].code, "ERR_DEDUP_INPUT_INVALID_UTF8");
  EXPECT_EQ(outcome.problems[0].line, 4);
  EXPECT_EQ(outcome.problems[0].column, 2);
  EXPECT_NE(outcome.problems[0].message.find("\\xFF"), std::string::npos) << outcome.problems[0].message;
  ASSERT_EQ(outcome.contacts.size(), 3u);
  EXPECT_EQ(outcome.contacts[2].uid, "4");
  EXPECT_EQ(outcome.stats.problems_by_code["ERR_DEDUP_INPUT_INVALID_UTF8"], 1);
}

TEST(CsvReader, RowsOfWrongWidthSkipped) {
  ReadOutcome outcome = ReadCsvText(
      "id,name,phone\n"
      "1,Ann,0412 345 678\n"
      "2,Bob\n"
      "3,Cy,0298765432,extra\n"
      "4,Di,0398765432\n");

  ASSERT_EQ(outcome.problems.size(), 2u);
  EXPECT_EQ(outcome.problems[0].line, 3);
  EXPECT_EQ(outcome.problems[0].column, 3);
  EXPECT_NE(outcome.problems[0].message.find("2 fields but the header has 3"), std::string::npos);
  EXPECT_EQ(outcome.problems[1].line, 4);
  EXPECT_EQ(outcome.problems[1].column, 4);
  ASSERT_EQ(outcome.contacts.size(), 2u);
  EXPECT_EQ(outcome.contacts[1].uid, "4");
  EXPECT_EQ(outcome.stats.rows, 4);
  EXPECT_EQ(outcome.stats.skipped, 2);
  EXPECT_EQ(outcome.stats.problems_by_code["ERR_DEDUP_INPUT_ROW_WIDTH"], 2);
}

TEST(CsvReader, TenMegabyteField) {
  const std::string big(10 << 20, 'a');
  ReadOutcome outcome = ReadCsvText("id,name,notes\n1,Ann,\"" + big + "\"\n2,Bob," + big + "\n3,Cy,short\n");

  ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
  ASSERT_EQ(outcome.contacts.size(), 3u);
  const nlohmann::json extra = nlohmann::json::parse(outcome.contacts[1].extra_json);
  EXPECT_EQ(extra["csvColumns"]["notes"].get<std::string>().size(), big.size());
  EXPECT_EQ(outcome.contacts[2].name, "Cy");
}

TEST(CsvReader, UnterminatedQuoteReported) {
  ReadOutcome outcome = ReadCsvText("id,name\n1,Ann\n2,\"Bob\n3,Cy\n");

  ASSERT_EQ(outcome.problems.size(), 1u);
  EXPECT_EQ(outcome.problems[0].code, "ERR_DEDUP_INPUT_UNTERMINATED_QUOTE");
  EXPECT_EQ(outcome.problems[0].line, 3);
  EXPECT_EQ(outcome.problems[0].column, 2);
  EXPECT_EQ(outcome.contacts.size(), 1u);
}

TEST(CsvReader, RowsWithoutUidColumnGetLineUids) {
  ReadOutcome outcome = ReadCsvText("name,phone\nAnn,0412 345 678\n\"Two\nLines\",0298765432\nCy,1\n", {},
                                    "tenant.csv");

  ASSERT_EQ(outcome.contacts.size(), 3u);
  EXPECT_EQ(outcome.contacts[0].uid, "tenant-row-2");
  EXPECT_EQ(outcome.contacts[1].uid, "tenant-row-3");
  EXPECT_EQ(outcome.contacts[2].uid, "tenant-row-5");
}

TEST(CsvReader, EmptyUidSkipped) {
  ReadOutcome outcome = ReadCsvText("id,name\n1,Ann\n,Bob\n");

  ASSERT_EQ(outcome.problems.size(), 1u);
  EXPECT_EQ(outcome.problems[0].code, "ERR_DEDUP_INPUT_MISSING_UID");
  EXPECT_EQ(outcome.problems[0].column, 1);
  EXPECT_EQ(outcome.contacts.size(), 1u);
}

TEST(CsvReader, UidPrefixApplied) {
  ReadOptions options;
  options.uid_prefix = "zagat-";

  ReadOutcome outcome = ReadCsvText("id,name\n1,Ann\n", options);

  ASSERT_EQ(outcome.contacts.size(), 1u);
  EXPECT_EQ(outcome.contacts[0].uid, "zagat-1");
}

TEST(CsvReader, LocationColumnOrDefault) {
  ReadOptions options;
  options.default_location = "loc-default";

  ReadOutcome outcome = ReadCsvText("id,location uid\n1,loc-7\n2,\n", options);

  ASSERT_EQ(outcome.contacts.size(), 2u);
  EXPECT_EQ(outcome.contacts[0].location_uids, Strings{"loc-7"});
  EXPECT_EQ(outcome.contacts[1].location_uids, Strings{"loc-default"});
}

TEST(CsvReader, DefaultHeadersFillFields) {
  ReadOutcome outcome = ReadCsvText(
      "Contact ID,First Name,Last Name,Phone Number,E-mail,Tags,Updated_At,Created At,Deleted At,"
      "Marketing Opt Out,SMS opt-out,Email Opt Out,Street Number,Address 1,Address 2,Suburb,State,Postcode,"
      "Country\n"
      "c-9,Jo,Smith,0412 345 678,jo@example.com,vip; lead,2026-01-02T03:04:05Z,2025-01-01T00:00:00Z,,"
      "yes,0,TRUE,12,Rose St,Unit 3,Dapto,NSW,2530,AU\n");

  ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
  ASSERT_EQ(outcome.contacts.size(), 1u) << (outcome.problems.empty() ? "" : outcome.problems[0].message);
  const Contact& contact = outcome.contacts[0];
  EXPECT_EQ(contact.uid, "c-9");
  EXPECT_EQ(contact.name, "Jo Smith");
  EXPECT_EQ(contact.phones, Strings{"0412 345 678"});
  EXPECT_EQ(contact.emails, Strings{"jo@example.com"});
  ASSERT_EQ(contact.tags.size(), 2u);
  EXPECT_EQ(contact.tags[0].label, "vip");
  EXPECT_EQ(contact.tags[1].label, "lead");
  EXPECT_EQ(contact.updated_at, "2026-01-02T03:04:05Z");
  EXPECT_EQ(contact.created_at, "2025-01-01T00:00:00Z");
  EXPECT_FALSE(contact.deleted());
  EXPECT_TRUE(contact.marketing_opt_out);
  EXPECT_FALSE(contact.sms_opt_out);
  EXPECT_TRUE(contact.email_opt_out);
  EXPECT_EQ(contact.address.line1, "12 Rose St");
  EXPECT_EQ(contact.address.line2, "Unit 3");
  EXPECT_EQ(contact.address.city, "Dapto");
  EXPECT_EQ(contact.address.state, "NSW");
  EXPECT_EQ(contact.address.postal_code, "2530");
  EXPECT_EQ(contact.address.country, "AU");
  EXPECT_TRUE(contact.extra_json.empty());
}

TEST(CsvReader, NameColumnWinsOverParts) {
  ReadOutcome outcome = ReadCsvText("id,full name,given_name,surname\n1,Jo Smith,Joanne,Smith\n2,,Ann,\n");

  ASSERT_EQ(outcome.contacts.size(), 2u);
  EXPECT_EQ(outcome.contacts[0].name, "Jo Smith");
  EXPECT_EQ(outcome.contacts[1].name, "Ann");
}

TEST(CsvReader, BadOptOutValueSkipped) {
  ReadOutcome outcome = ReadCsvText("id,sms_opt_out\n1,maybe\n2,no\n");

  ASSERT_EQ(outcome.problems.size(), 1u);
  EXPECT_EQ(outcome.problems[0].code, "ERR_DEDUP_INPUT_BAD_VALUE");
  EXPECT_EQ(outcome.problems[0].column, 2);
  EXPECT_NE(outcome.problems[0].message.find("'maybe'"), std::string::npos);
  ASSERT_EQ(outcome.contacts.size(), 1u);
  EXPECT_FALSE(outcome.contacts[0].sms_opt_out);
}

TEST(CsvReader, MapOverridesDefaults) {
  ReadOptions options;
  options.column_map = {{"uid", "rec_id"}, {"phone", "Work|phone_number"}, {"location", "branch"}};

  ReadOutcome outcome =
      ReadCsvText("rec_id,id,Phone,phone_number,Work,branch\nr-1,99,0400000000,0412 345 678,0298765432,loc-2\n",
                  options);

  ASSERT_EQ(outcome.contacts.size(), 1u);
  EXPECT_EQ(outcome.contacts[0].uid, "r-1");
  EXPECT_EQ(outcome.contacts[0].phones, (Strings{"0412 345 678", "0298765432"}));
  EXPECT_EQ(outcome.contacts[0].location_uids, Strings{"loc-2"});
  const nlohmann::json extra = nlohmann::json::parse(outcome.contacts[0].extra_json);
  EXPECT_EQ(extra["csvColumns"]["id"], "99");
  EXPECT_EQ(extra["csvColumns"]["Phone"], "0400000000");
}

TEST(CsvReader, MapNamingAbsentHeaderRejected) {
  ReadOptions options;
  options.column_map = {{"phone", "mobile_phone"}};

  ReadOutcome outcome = ReadCsvText("id,phone\n1,0412 345 678\n", options);

  EXPECT_EQ(outcome.status.code(), "ERR_DEDUP_USAGE_BAD_MAP");
  EXPECT_NE(outcome.status.message().find("mobile_phone"), std::string::npos);
  EXPECT_NE(outcome.status.message().find("'phone'"), std::string::npos);
  EXPECT_TRUE(outcome.contacts.empty());
}

TEST(CsvReader, EmptyFileRejected) {
  ReadOutcome outcome = ReadCsvText("\n\n");

  EXPECT_EQ(outcome.status.code(), "ERR_DEDUP_INPUT_FORMAT");
}

TEST(ColumnMap, ParsesEntries) {
  Result<std::map<std::string, std::string>> map =
      ParseColumnMap(" uid = rec_id , phone=phone_number|Mobile,NAME=Full Name");

  ASSERT_TRUE(map.ok()) << map.error().message;
  EXPECT_EQ(map.value().at("uid"), "rec_id");
  EXPECT_EQ(map.value().at("phone"), "phone_number|Mobile");
  EXPECT_EQ(map.value().at("name"), "Full Name");
  EXPECT_EQ(map.value().size(), 3u);
}

TEST(ColumnMap, RejectsMalformedEntries) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "empty"},
      {"uid", "has no '='"},
      {"uid=id,", "has no '='"},
      {"uid=id,,phone=x", "has no '='"},
      {"colour=red", "unknown field 'colour'"},
      {"phone=", "names no header"},
      {"phone=a,phone=b", "twice"},
  };
  for (const auto& [text, message_part] : cases) {
    SCOPED_TRACE(text);
    Result<std::map<std::string, std::string>> map = ParseColumnMap(text);
    ASSERT_FALSE(map.ok());
    EXPECT_EQ(map.error().code, "ERR_DEDUP_USAGE_BAD_MAP");
    EXPECT_NE(map.error().message.find(message_part), std::string::npos) << map.error().message;
  }
}

TEST(ColumnMap, FieldNamesRoundTrip) {
  for (size_t i = 0; i < contacts::kCsvFieldCount; ++i) {
    const auto field = static_cast<contacts::CsvField>(i);
    EXPECT_EQ(contacts::CsvFieldFromName(contacts::CsvFieldName(field)), field) << i;
  }
}

TEST(ColumnMap, DefaultHeaderNames) {
  const std::pair<const char*, contacts::CsvField> cases[] = {
      {"ID", contacts::CsvField::kUid},
      {"Contact ID", contacts::CsvField::kUid},
      {"rec_id", contacts::CsvField::kUid},
      {"Full Name", contacts::CsvField::kName},
      {"given_name", contacts::CsvField::kFirstName},
      {"surname", contacts::CsvField::kLastName},
      {"Phone Number", contacts::CsvField::kPhone},
      {"phone_number", contacts::CsvField::kPhone},
      {"Mobile", contacts::CsvField::kPhone},
      {"Telephone", contacts::CsvField::kPhone},
      {"Phone 3 - Value", contacts::CsvField::kPhone},
      {"E-mail", contacts::CsvField::kEmail},
      {"E-mail 2 - Value", contacts::CsvField::kEmail},
      {"Location UID", contacts::CsvField::kLocation},
      {"updatedAt", contacts::CsvField::kUpdatedAt},
      {"addr", contacts::CsvField::kAddressLine1},
      {"postcode", contacts::CsvField::kPostalCode},
  };
  for (const auto& [header, field] : cases) {
    EXPECT_EQ(contacts::DefaultFieldForHeader(header), field) << header;
  }
  EXPECT_EQ(contacts::DefaultFieldForHeader("Phone 1 - Type"), std::nullopt);
  EXPECT_EQ(contacts::DefaultFieldForHeader("type"), std::nullopt);
}

struct DataSet {
  const char* file;
  const char* location;
  int64_t rows;
};

TEST(CsvReader, PublicDataSetsReadCleanly) {
  const DataSet data_sets[] = {
      {"fodors-zagat/fodors.csv", "fodors", 533},
      {"fodors-zagat/zagats.csv", "zagat", 331},
      {"febrl/dataset_A_10000.csv", "febrl", 10000},
  };
  const std::string root = "/work/shared/data/";
  for (const DataSet& data_set : data_sets) {
    SCOPED_TRACE(data_set.file);
    ReadOptions options;
    options.default_location = data_set.location;
    ReadOutcome outcome = ReadAll(root + data_set.file, options);
    if (outcome.status.code() == "ERR_DEDUP_INPUT_NOT_FOUND") GTEST_SKIP() << "data set not on this machine";
    ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
    EXPECT_TRUE(outcome.problems.empty()) << outcome.problems[0].message;
    EXPECT_EQ(outcome.stats.contacts, data_set.rows);
  }
}

TEST(CsvReader, FebrlNamesAndPhones) {
  ReadOptions options;
  options.column_map = {{"uid", "rec_id"}, {"phone", "phone_number"}};
  options.default_location = "febrl";

  ReadOutcome outcome = ReadAll("/work/shared/data/febrl/dataset_A_10000.csv", options);
  if (outcome.status.code() == "ERR_DEDUP_INPUT_NOT_FOUND") GTEST_SKIP() << "data set not on this machine";

  ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
  ASSERT_FALSE(outcome.contacts.empty());
  const Contact& first = outcome.contacts[0];
  EXPECT_EQ(first.uid, "31691");
  EXPECT_EQ(first.name, "jack hemsworxth");
  EXPECT_EQ(first.phones, Strings{"04 22718532"});
  EXPECT_EQ(first.location_uids, Strings{"febrl"});
  EXPECT_EQ(first.address.city, "dapto");
}

}  // namespace
}  // namespace podium_dedup
