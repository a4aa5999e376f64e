#include <string>

#include <gtest/gtest.h>

#include "podium_dedup/contact_json.h"
#include "podium_dedup/contact_reader.h"
#include "reader_test_util.h"

namespace podium_dedup {
namespace {

using testing::ReadAll;
using testing::TempDir;

TEST(JsonLinesReader, ReadsContactsInOrder) {
  TempDir dir;
  const std::string path = dir.Write("export.jsonl",
                                     R"({"uid": "c-1", "name": "Ann", "phoneNumbers": ["0412 345 678"]})"
                                     "\n"
                                     R"({"uid": "c-2", "locations": [{"uid": "loc-1"}]})"
                                     "\n");

  testing::ReadOutcome outcome = ReadAll(path);

  ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
  ASSERT_EQ(outcome.contacts.size(), 2u);
  EXPECT_EQ(outcome.contacts[0].uid, "c-1");
  EXPECT_EQ(outcome.contacts[0].phones, std::vector<std::string>{"0412 345 678"});
  EXPECT_EQ(outcome.contacts[1].location_uids, std::vector<std::string>{"loc-1"});
  EXPECT_EQ(outcome.stats.rows, 2);
  EXPECT_EQ(outcome.stats.contacts, 2);
  EXPECT_EQ(outcome.stats.skipped, 0);
  EXPECT_TRUE(outcome.problems.empty());
}

struct BadLine {
  const char* text;
  const char* code;
  int64_t column;  // 0: not checked
};

TEST(JsonLinesReader, BadLinesReportedAndRestRead) {
  const BadLine bad_lines[] = {
      {R"({"uid": "c-bad-1", "name": )", "ERR_DEDUP_INPUT_INVALID_JSON", 0},
      {R"(["c-bad-2"])", "ERR_DEDUP_INPUT_NOT_AN_OBJECT", 0},
      {R"("just a string")", "ERR_DEDUP_INPUT_NOT_AN_OBJECT", 0},
      {R"({"name": "No Uid"})", "ERR_DEDUP_INPUT_MISSING_UID", 0},
      {R"({"uid": "c-bad-5", "emails": [7]})", "ERR_DEDUP_INPUT_WRONG_TYPE", 0},
      {"{\"uid\": \"c-bad-6\", \"name\": \"Jos\xE9\"}", "ERR_DEDUP_INPUT_INVALID_UTF8", 32},
      {R"({"uid": "c-bad-7"} trailing)", "ERR_DEDUP_INPUT_INVALID_JSON", 0},
  };
  // Line 1 is good, then each bad line is followed by a good one and a blank line.
  std::string text = "{\"uid\": \"c-good-0\"}\n";
  for (size_t i = 0; i < std::size(bad_lines); ++i) {
    text += std::string(bad_lines[i].text) + "\n";
    text += "{\"uid\": \"c-good-" + std::to_string(i + 1) + "\"}\n";
    text += "   \n";
  }
  TempDir dir;
  const std::string path = dir.Write("export.jsonl", text);

  testing::ReadOutcome outcome = ReadAll(path);

  ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
  ASSERT_EQ(outcome.contacts.size(), std::size(bad_lines) + 1);
  EXPECT_EQ(outcome.contacts.back().uid, "c-good-" + std::to_string(std::size(bad_lines)));
  ASSERT_EQ(outcome.problems.size(), std::size(bad_lines));
  for (size_t i = 0; i < std::size(bad_lines); ++i) {
    SCOPED_TRACE(bad_lines[i].text);
    const ReadProblem& problem = outcome.problems[i];
    EXPECT_EQ(problem.file, path);
    EXPECT_EQ(problem.line, static_cast<int64_t>(2 + 3 * i));
    EXPECT_EQ(problem.code, bad_lines[i].code);
    if (bad_lines[i].column != 0) {
      EXPECT_EQ(problem.column, bad_lines[i].column);
    }
    EXPECT_FALSE(problem.message.empty());
  }
  EXPECT_EQ(outcome.stats.rows, static_cast<int64_t>(2 * std::size(bad_lines) + 1));
  EXPECT_EQ(outcome.stats.skipped, static_cast<int64_t>(std::size(bad_lines)));
  EXPECT_EQ(outcome.stats.problems_by_code["ERR_DEDUP_INPUT_INVALID_JSON"], 2);
  EXPECT_EQ(outcome.stats.problems_by_code["ERR_DEDUP_INPUT_NOT_AN_OBJECT"], 2);
  EXPECT_EQ(outcome.stats.problems_by_code["ERR_DEDUP_INPUT_MISSING_UID"], 1);
  EXPECT_EQ(outcome.stats.problems_by_code["ERR_DEDUP_INPUT_WRONG_TYPE"], 1);
  EXPECT_EQ(outcome.stats.problems_by_code["ERR_DEDUP_INPUT_INVALID_UTF8"], 1);
}

TEST(JsonLinesReader, WrongTypeMessageNamesField) {
  TempDir dir;
  const std::string path = dir.Write("export.jsonl", R"({"uid": "c-1", "phoneNumbers": [412345678]})");

  testing::ReadOutcome outcome = ReadAll(path);

  ASSERT_EQ(outcome.problems.size(), 1u);
  EXPECT_NE(outcome.problems[0].message.find("phoneNumbers[0]"), std::string::npos);
  EXPECT_NE(outcome.problems[0].message.find("412345678"), std::string::npos);
}

TEST(JsonLinesReader, InvalidJsonReportsColumn) {
  TempDir dir;
  const std::string path = dir.Write("export.jsonl", "{\"uid\": \"c-1\",, \"name\": \"x\"}\n");

  testing::ReadOutcome outcome = ReadAll(path);

  ASSERT_EQ(outcome.problems.size(), 1u);
  EXPECT_EQ(outcome.problems[0].line, 1);
  EXPECT_EQ(outcome.problems[0].column, 15);
}

TEST(JsonLinesReader, ByteOrderMarkAndCrlfAccepted) {
  TempDir dir;
  const std::string path =
      dir.Write("export.jsonl", "\xEF\xBB\xBF{\"uid\": \"c-1\"}\r\n{\"uid\": \"c-2\", \"name\": \"Bo\"}\r\n\r\n");

  testing::ReadOutcome outcome = ReadAll(path);

  ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
  EXPECT_TRUE(outcome.problems.empty());
  ASSERT_EQ(outcome.contacts.size(), 2u);
  EXPECT_EQ(outcome.contacts[0].uid, "c-1");
  EXPECT_EQ(outcome.contacts[1].name, "Bo");
}

TEST(JsonLinesReader, LastLineWithoutNewlineRead) {
  TempDir dir;
  const std::string path = dir.Write("export.ndjson", "{\"uid\": \"c-1\"}\n{\"uid\": \"c-2\"}");

  testing::ReadOutcome outcome = ReadAll(path);

  ASSERT_EQ(outcome.contacts.size(), 2u);
  EXPECT_EQ(outcome.contacts[1].uid, "c-2");
}

TEST(JsonLinesReader, LineLongerThanReadChunk) {
  const std::string long_name(3 << 20, 'n');
  TempDir dir;
  const std::string path =
      dir.Write("export.jsonl", "{\"uid\": \"c-1\", \"name\": \"" + long_name + "\"}\n{\"uid\": \"c-2\"}\n");

  testing::ReadOutcome outcome = ReadAll(path);

  ASSERT_EQ(outcome.contacts.size(), 2u);
  EXPECT_EQ(outcome.contacts[0].name, long_name);
  EXPECT_EQ(outcome.contacts[1].uid, "c-2");
}

TEST(JsonLinesReader, FormatDetectedFromContent) {
  TempDir dir;
  const std::string path = dir.Write("contacts.export", "\n{\"uid\": \"c-1\"}\n");

  testing::ReadOutcome outcome = ReadAll(path);

  ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
  ASSERT_EQ(outcome.contacts.size(), 1u);
  EXPECT_EQ(outcome.contacts[0].uid, "c-1");
}

TEST(JsonLinesReader, Windows1252DecodedWhenDeclared) {
  TempDir dir;
  const std::string path = dir.Write("export.jsonl", "{\"uid\": \"c-1\", \"name\": \"Jos\xE9 \x93Joe\x94\"}\n");
  ReadOptions options;
  options.encoding = "windows-1252";

  testing::ReadOutcome outcome = ReadAll(path, options);

  ASSERT_EQ(outcome.contacts.size(), 1u);
  EXPECT_EQ(outcome.contacts[0].name, "Jos\xC3\xA9 \xE2\x80\x9CJoe\xE2\x80\x9D");
}

struct FileError {
  const char* name;
  const char* text;
  const char* code;
};

TEST(JsonLinesReader, WholeFileErrors) {
  const FileError cases[] = {
      {"array.json", "[{\"uid\": \"c-1\"}]\n", "ERR_DEDUP_INPUT_FORMAT"},
      {"pretty.json", "{\n  \"uid\": \"c-1\"\n}\n", "ERR_DEDUP_INPUT_FORMAT"},
  };
  TempDir dir;
  for (const FileError& c : cases) {
    SCOPED_TRACE(c.name);
    testing::ReadOutcome outcome = ReadAll(dir.Write(c.name, c.text));
    EXPECT_EQ(outcome.status.code(), c.code);
    EXPECT_TRUE(outcome.contacts.empty());
  }
}

TEST(ContactReader, MissingFileIsNotFound) {
  TempDir dir;

  testing::ReadOutcome outcome = ReadAll((dir.path() / "absent.jsonl").string());

  EXPECT_EQ(outcome.status.code(), "ERR_DEDUP_INPUT_NOT_FOUND");
  EXPECT_NE(outcome.status.message().find("absent.jsonl"), std::string::npos);
}

TEST(ContactReader, DirectoryIsUnreadable) {
  TempDir dir;

  testing::ReadOutcome outcome = ReadAll(dir.path().string());

  EXPECT_EQ(outcome.status.code(), "ERR_DEDUP_INPUT_UNREADABLE");
}

TEST(ContactReader, UnknownEncodingRejected) {
  TempDir dir;
  ReadOptions options;
  options.encoding = "ebcdic";

  testing::ReadOutcome outcome = ReadAll(dir.Write("a.csv", "id\n1\n"), options);

  EXPECT_EQ(outcome.status.code(), "ERR_DEDUP_USAGE_BAD_ENCODING");
}

}  // namespace
}  // namespace podium_dedup

namespace podium_dedup {
namespace {

TEST(JsonLinesReader, DeepNestingSkippedWithoutCrash) {
  const std::string deep = "{\"uid\": \"c-1\", \"x\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  const std::string nested_in_string = "{\"uid\": \"c-3\", \"note\": \"" + std::string(200, '[') + "\"}";
  testing::TempDir dir;
  const std::string path = dir.Write("export.jsonl", deep + "\n{\"uid\": \"c-2\"}\n" + nested_in_string + "\n");

  testing::ReadOutcome outcome = testing::ReadAll(path);

  ASSERT_EQ(outcome.problems.size(), 1u);
  EXPECT_EQ(outcome.problems[0].code, "ERR_DEDUP_INPUT_INVALID_JSON");
  EXPECT_EQ(outcome.problems[0].line, 1);
  ASSERT_EQ(outcome.contacts.size(), 2u);
  EXPECT_EQ(outcome.contacts[0].uid, "c-2");
  EXPECT_EQ(outcome.contacts[1].uid, "c-3");
}

}  // namespace
}  // namespace podium_dedup
