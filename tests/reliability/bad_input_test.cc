// Bad input: a corpus of malformed and hostile export files, generated here,
// each fed to `podium-dedup find-duplicates --input` as a real process. Every
// run must end with a clear error or skipped rows with reasons, never a crash
// or a hang, and the SQLite index must stay whole and keep the good rows.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "podium/fake_server_process.h"
#include "reliability/process_runner.h"

namespace podium_dedup::reliability {
namespace {

using podium_dedup::testing::TempDir;

// Whether a case's bad part must be reported (skipped row or error), or is
// hostile but valid data that may be indexed as it is.
enum class Expect { kReported, kMayAccept };

struct BadInput {
  std::string name;
  std::string extension;  // ".jsonl" or ".csv"
  std::string bad_part;   // placed between two good rows
  Expect expect = Expect::kReported;
  bool whole_file = false;  // bad_part is the whole file (no good rows around it)
};

std::string GoodJsonRow(const std::string& uid, int number, const std::string& name = "Alice Good") {
  char phone[32];
  std::snprintf(phone, sizeof(phone), "+614%08d", 10000000 + number);
  nlohmann::json row = {{"uid", uid},
                        {"name", name},
                        {"phoneNumbers", {phone}},
                        {"emails", {uid + "@example.com"}},
                        {"locations", {{{"uid", "loc-1"}}}},
                        {"updatedAt", "2026-01-01T00:00:00Z"}};
  return row.dump();
}

std::string GoodCsvRow(const std::string& uid, int number) {
  char phone[32];
  std::snprintf(phone, sizeof(phone), "+614%08d", 10000000 + number);
  return uid + ",Bob Good," + phone + ",loc-1";
}

const char* const kCsvHeader = "uid,name,phone,location";

// Names that must be stored as data and never interpreted: SQL, shell, format
// strings, direction overrides and very long Unicode.
std::vector<std::string> HostileNames() {
  std::vector<std::string> names = {
      "'); DROP TABLE contacts;--",
      "Robert'); DELETE FROM contact_keys; --",
      "\" OR 1=1 --",
      "$(rm -rf /tmp/podium-should-not-exist)",
      "`touch /tmp/podium-should-not-exist`",
      "; cat /etc/passwd |",
      "%s%s%s%n%x%p",
      "{} {0} {:>99999999}",
      "\u202Eevil\u202C name",
      "\u200B\u200C\u200D\uFEFF",
      "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358\u0359",
      "\xF0\x9F\x98\x80\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9",
      "=cmd|' /C calc'!A0",
      "@SUM(1+1)*cmd|' /C calc'!A0",
      "..\\..\\..\\etc\\passwd",
      "<script>alert(1)</script>",
      "\x1B[2J\x1B[31mred",
  };
  std::string long_unicode;
  for (int i = 0; i < 200000; ++i) long_unicode += "\xC3\xA9";  // 400 KB of 'é'
  names.push_back(long_unicode);
  std::string combining = "a";
  for (int i = 0; i < 50000; ++i) combining += "\xCC\x81";
  names.push_back(combining);
  return names;
}

// Lines that are not a JSON object, or not a readable contact.
std::vector<std::string> BrokenJsonLines() {
  std::vector<std::string> lines = {
      "{", "}", "[", "]", "{\"uid\":", "{\"uid\":\"x\"", "{\"uid\":\"x\",}", "{'uid':'x'}", "nul", "tru", "null",
      "true", "42", "-", "1e999999", "\"just a string\"", "[]", "{}", "[1,2", "{\"uid\":\"x\" \"name\":\"y\"}",
      "{\"uid\":\"x\"}}", "{\"a\":1}{\"b\":2}", "{\"uid\":\"\\ud800\"}", "{\"uid\":\"\\u00\"}", "{\"uid\":\"a\\qb\"}",
      "{\"uid\":\"x\",\"name\":\"unterminated}", "\x7B\x22\x75", "{\"uid\": NaN}", "{\"uid\": Infinity}",
      "   {\"uid\":\"ws\"   ", "/* comment */ {\"uid\":\"c\"}", "{\"uid\":\"x\"} trailing",
      "{\"uid\":\"x\",\"name\":\"a\nb\"}",
  };
  lines.push_back(std::string(100000, '[') + std::string(100000, ']'));   // nesting far past any sane depth
  lines.push_back(std::string(100000, '{'));
  lines.push_back("{\"uid\":\"deep\",\"attributes\":" + std::string(20000, '[') + std::string(20000, ']') + "}");
  return lines;
}

// Objects with a field of the wrong type or a required field missing.
std::vector<std::string> WrongTypeLines() {
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"uid", "42"},          {"uid", "null"},         {"uid", "[\"a\"]"},       {"uid", "{\"a\":1}"},
      {"uid", "true"},        {"uid", "\"\""},         {"uid", "\"   \""},       {"name", "42"},
      {"name", "[\"a\"]"},    {"name", "{\"first\":1}"}, {"phoneNumbers", "\"+61412345678\""},
      {"phoneNumbers", "42"}, {"phoneNumbers", "{\"a\":\"b\"}"}, {"phoneNumbers", "[42, true, null]"},
      {"phoneNumbers", "[[\"+61412345678\"]]"},       {"emails", "\"a@b.c\""}, {"emails", "[1,2,3]"},
      {"locations", "\"loc-1\""}, {"locations", "[\"loc-1\"]"}, {"locations", "[{\"id\":\"loc-1\"}]"},
      {"locations", "[{\"uid\":7}]"}, {"locations", "[]"}, {"tags", "\"vip\""}, {"tags", "[1]"},
      {"tags", "[{\"label\":\"x\"}]"}, {"updatedAt", "42"}, {"updatedAt", "\"2026-13-45T99:99:99Z\""},
      {"updatedAt", "\"yesterday\""}, {"createdAt", "[]"}, {"deletedAt", "\"yes\""}, {"deletedAt", "true"},
      {"marketingOptOut", "\"true\""}, {"marketingOptOut", "1"}, {"smsOptOut", "\"no\""},
      {"emailOptOut", "[]"}, {"channels", "\"sms\""}, {"channels", "[{\"type\":7}]"},
      {"attributes", "\"x\""}, {"attributes", "[{\"value\":1}]"}, {"address", "[]"}, {"address", "7"},
      {"organization", "\"acme\""}, {"conversations", "[{\"uid\":[]}]"},
  };
  std::vector<std::string> lines;
  for (const auto& [field, value] : fields) {
    nlohmann::json row = {{"uid", "wt"}, {"name", "Wrong Type"}, {"phoneNumbers", {"+61412000001"}},
                          {"locations", {{{"uid", "loc-1"}}}}};
    row[field] = nlohmann::json::parse(value);  // replaces the default value of that field
    lines.push_back(row.dump());
  }
  lines.push_back("{\"name\":\"No Uid\",\"phoneNumbers\":[\"+61412000002\"]}");
  return lines;
}

// Raw byte sequences that are not valid UTF-8, placed inside a JSON string.
std::vector<std::string> InvalidUtf8Pieces() {
  return {"\xFF\xFE", "\xC0\xAF", "\xE2\x82", "\xED\xA0\x80", "\xF8\x88\x80\x80\x80", "\x80\x80\x80",
          "\xF4\x90\x80\x80", "\xC3", "\xFE\xFF\x00\x41", std::string("a\0b", 3)};
}

// Hostile phone values, used in contacts and for `normalize --input`.
std::vector<std::string> HostilePhones() {
  std::vector<std::string> phones = {
      "", "+", "++++++", "+-+-+-", "0", "000000000000", "+0000000000", "tel:", "tel:;ext=", "ext.", "x", "#",
      "*", "+61 4 12 34 56 78 ext 99999999999999999999", "(((((((((", ")))))", "+1 (555) 555-5555 x",
      "+61412345678;+61412345678;+61412345678", "٠١٢٣٤٥٦٧٨٩", "０４１２ ３４５ ６７８", "+61\u202E412345678",
      "+61412345678\u0000", "1e10", "-1", "NaN", "0x41424344", "'); DROP TABLE contacts;--", "$(reboot)",
      "%n%n%n%n", "{}{}{}", "\xFF\xFE\xFD", "\xC0\x80",
  };
  phones.push_back(std::string(10000, '9'));
  phones.push_back("+" + std::string(5000, '1'));
  std::string many;
  for (int i = 0; i < 2000; ++i) many += "+6141234" + std::to_string(1000 + i) + ", ";
  phones.push_back(many);
  std::string separators;
  for (int i = 0; i < 20000; ++i) separators += ";/,";
  phones.push_back(separators);
  return phones;
}

std::string JsonString(const std::string& raw_bytes) {
  // Bytes are placed in the JSON text as they are, so invalid UTF-8 reaches the reader.
  return "\"" + raw_bytes + "\"";
}

std::vector<BadInput> JsonlCorpus() {
  std::vector<BadInput> corpus;
  int n = 0;
  for (const std::string& line : BrokenJsonLines()) {
    corpus.push_back({"broken_json_" + std::to_string(n++), ".jsonl", line});
  }
  n = 0;
  for (const std::string& line : WrongTypeLines()) {
    corpus.push_back({"wrong_type_" + std::to_string(n++), ".jsonl", line, Expect::kMayAccept});
  }
  n = 0;
  for (const std::string& piece : InvalidUtf8Pieces()) {
    corpus.push_back({"invalid_utf8_name_" + std::to_string(n), ".jsonl",
                      "{\"uid\":\"u8-" + std::to_string(n) + "\",\"name\":" + JsonString("Bad " + piece + " Name") +
                          ",\"locations\":[{\"uid\":\"loc-1\"}]}",
                      Expect::kMayAccept});
    corpus.push_back({"invalid_utf8_uid_" + std::to_string(n), ".jsonl",
                      "{\"uid\":" + JsonString("u" + piece) + ",\"locations\":[{\"uid\":\"loc-1\"}]}",
                      Expect::kMayAccept});
    corpus.push_back({"invalid_utf8_bare_" + std::to_string(n), ".jsonl", piece});
    ++n;
  }
  n = 0;
  for (const std::string& name : HostileNames()) {
    corpus.push_back({"hostile_name_" + std::to_string(n), ".jsonl",
                      GoodJsonRow("hostile-" + std::to_string(n), 500 + n, name), Expect::kMayAccept});
    ++n;
  }
  n = 0;
  for (const std::string& phone : HostilePhones()) {
    nlohmann::json row = {{"uid", "phone-" + std::to_string(n)}, {"name", "Phone Case"},
                          {"locations", {{{"uid", "loc-1"}}}}};
    // Invalid UTF-8 cannot go through nlohmann::json::dump, so it is spliced in raw.
    const std::string line = row.dump().substr(0, row.dump().size() - 1) + ",\"phoneNumbers\":[" + JsonString(phone) + "]}";
    corpus.push_back({"hostile_phone_" + std::to_string(n++), ".jsonl", line, Expect::kMayAccept});
  }
  // Valid JSON that looks odd: a repeated key (the last one wins) and a blank line.
  corpus.push_back({"repeated_key", ".jsonl", "{\"uid\":\"x\",\"uid\":\"y\"}", Expect::kMayAccept});
  corpus.push_back({"tabs_only", ".jsonl", "\t\t\t", Expect::kMayAccept});
  corpus.push_back({"nul_bytes_in_line", ".jsonl", std::string("{\"uid\":\"nul\0x\"}", 15)});
  corpus.push_back({"nul_bytes_only", ".jsonl", std::string(4096, '\0')});
  corpus.push_back({"crlf_lines", ".jsonl", "\r\n\r\n" + GoodJsonRow("crlf", 900) + "\r\n", Expect::kMayAccept});
  corpus.push_back({"lone_cr", ".jsonl", "\r\r\r", Expect::kMayAccept});
  corpus.push_back({"blank_lines", ".jsonl", "\n\n   \n\t\n", Expect::kMayAccept});
  corpus.push_back({"repeated_uid", ".jsonl", GoodJsonRow("dup-uid", 901) + "\n" + GoodJsonRow("dup-uid", 902),
                    Expect::kMayAccept});
  return corpus;
}

std::vector<BadInput> CsvCorpus() {
  const std::vector<std::string> rows = {
      "\"unterminated,quote,+61412000003,loc-1", "a\"b,mid quote,+61412000004,loc-1", "\"a\"\",x,y,z",
      "\"a\"b\",x,y,z", "too,many,columns,here,and,more,still", "too,few", ",,,", ",", "",
      "\"\"\"\"\"\"\"\"", "uid-q,\"multi\nline\nname\",+61412000005,loc-1", "tab\tsep\tvalues\there",
      "semi;colon;sep;values", std::string("nul\0in,field,+61412000006,loc-1", 31), "\xFF\xFE,bad utf8,x,loc-1",
      "w1252,Jos\xE9 Mu\xF1oz,+61412000007,loc-1", "=cmd|' /C calc'!A0,formula,+61412000008,loc-1",
      "'); DROP TABLE contacts;--,sql,+61412000009,loc-1", "$(reboot),shell,`id`,loc-1",
      "\"", "\"\n\"\n\"", "uid-cr,carriage\rreturn,+61412000010,loc-1",
  };
  std::vector<BadInput> corpus;
  int n = 0;
  for (const std::string& row : rows) corpus.push_back({"csv_row_" + std::to_string(n++), ".csv", row, Expect::kMayAccept});
  n = 0;
  for (const std::string& name : HostileNames()) {
    std::string quoted = "\"";
    for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    corpus.push_back({"csv_hostile_name_" + std::to_string(n), ".csv",
                      "csv-hostile-" + std::to_string(n) + "," + quoted + "\",+61412001" + std::to_string(100 + n) + ",loc-1",
                      Expect::kMayAccept});
    ++n;
  }
  const std::vector<std::string> whole_files = {
      "", "\n", kCsvHeader, std::string(kCsvHeader) + "\n", "uid,uid,uid\n1,2,3\n", "name,phone\nNo Uid,+61412000011\n",
      "\xEF\xBB\xBFuid,name,phone,location\nbom,Bom Row,+61412000012,loc-1\n",
      std::string("\xFF\xFEu\0i\0d\0,\0n\0a\0m\0e\0\n\0", 20), "\"uid,name\nx,y\n", ",,,,\n,,,,\n",
  };
  n = 0;
  for (const std::string& file : whole_files) {
    corpus.push_back({"csv_whole_file_" + std::to_string(n++), ".csv", file, Expect::kMayAccept, true});
  }
  return corpus;
}

// Cuts a valid file of a few rows at many offsets: every prefix must read.
std::vector<BadInput> TruncatedFiles() {
  std::string jsonl;
  for (int i = 0; i < 4; ++i) jsonl += GoodJsonRow("trunc-j-" + std::to_string(i), 950 + i) + "\n";
  std::string csv = std::string(kCsvHeader) + "\n";
  for (int i = 0; i < 4; ++i) csv += GoodCsvRow("trunc-c-" + std::to_string(i), 960 + i) + "\n";
  std::vector<BadInput> corpus;
  for (int cut = 1; cut <= 30; ++cut) {
    const size_t j = jsonl.size() * cut / 31;
    corpus.push_back({"truncated_jsonl_at_" + std::to_string(j), ".jsonl", jsonl.substr(0, j), Expect::kMayAccept, true});
    const size_t c = csv.size() * cut / 31;
    corpus.push_back({"truncated_csv_at_" + std::to_string(c), ".csv", csv.substr(0, c), Expect::kMayAccept, true});
  }
  return corpus;
}

std::vector<BadInput> BinaryFiles() {
  std::mt19937 random(20261204);
  std::vector<BadInput> corpus;
  for (int i = 0; i < 8; ++i) {
    std::string bytes(1 << (8 + i), '\0');
    for (char& byte : bytes) byte = static_cast<char>(random());
    corpus.push_back({"random_bytes_" + std::to_string(bytes.size()), i % 2 ? ".csv" : ".jsonl", bytes,
                      Expect::kMayAccept, true});
  }
  corpus.push_back({"png_header", ".jsonl", std::string("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16), Expect::kMayAccept, true});
  corpus.push_back({"gzip_header", ".csv", std::string("\x1F\x8B\x08\0\0\0\0\0\0\x03", 10), Expect::kMayAccept, true});
  corpus.push_back({"elf_header", ".jsonl", std::string("\x7F" "ELF\x02\x01\x01\0", 8), Expect::kMayAccept, true});
  return corpus;
}

class BadInputTest : public ::testing::Test {
 protected:
  // Imports a baseline of good rows that every later run must leave intact.
  void SetUp() override {
    std::string baseline;
    for (int i = 0; i < 5; ++i) baseline += GoodJsonRow("baseline-" + std::to_string(i), i) + "\n";
    WriteText(dir_.path() / "baseline.jsonl", baseline);
    const RunResult result = Import("baseline.jsonl");
    ASSERT_TRUE(result.exited && result.exit_code == 0) << result.Describe();
  }

  RunResult Import(const std::string& input) {
    RunOptions options;
    options.working_dir = dir_.path();
    return RunDedup({"find-duplicates", "--input", input, "--db", db_path().string(), "--output", "clusters.json",
                     "--force", "--region", "AU"},
                    options);
  }

  std::filesystem::path db_path() const { return dir_.path() / "index.db"; }

  bool Indexed(const std::string& uid) const {
    std::string escaped;
    for (char c : uid) escaped += c == '\'' ? std::string("''") : std::string(1, c);
    return QueryDb(db_path(), "SELECT count(*) FROM contacts WHERE uid = '" + escaped + "'") == "1";
  }

  // Runs one case and checks the rules that hold for every input.
  void RunCase(const BadInput& input, int number) {
    SCOPED_TRACE(input.name);
    const std::string before = "good-" + std::to_string(number) + "-a";
    const std::string after = "good-" + std::to_string(number) + "-b";
    std::string content = input.bad_part;
    if (!input.whole_file) {
      const bool csv = input.extension == ".csv";
      const std::string first = csv ? GoodCsvRow(before, 2 * number + 100) : GoodJsonRow(before, 2 * number + 100);
      const std::string last = csv ? GoodCsvRow(after, 2 * number + 101) : GoodJsonRow(after, 2 * number + 101);
      content = (csv ? std::string(kCsvHeader) + "\n" : "") + first + "\n" + input.bad_part + "\n" + last + "\n";
    }
    const std::string file = "case-" + std::to_string(number) + input.extension;
    WriteText(dir_.path() / file, content);
    const RunResult result = Import(file);
    std::filesystem::remove(dir_.path() / file);

    ASSERT_FALSE(result.crashed()) << result.Describe();
    ASSERT_FALSE(result.hung) << result.Describe();
    ASSERT_EQ(IntegrityCheck(db_path()), "ok");
    if (result.exit_code != 0) {
      // A refused file names its reason with an input code, exit status 3.
      EXPECT_EQ(result.exit_code, 3) << result.Describe();
      EXPECT_NE(result.err.find("[ERR_DEDUP_INPUT_"), std::string::npos) << result.Describe();
      ++refused_;
    } else {
      if (!input.whole_file) {
        EXPECT_TRUE(Indexed(before)) << "the good row before the bad part was lost; " << result.Describe();
        if (input.extension == ".jsonl") {
          EXPECT_TRUE(Indexed(after)) << "the good row after the bad part was lost; " << result.Describe();
        }
      }
      if (input.expect == Expect::kReported) {
        EXPECT_NE(result.err.find("ERR_DEDUP_INPUT_"), std::string::npos)
            << "a bad row was accepted without a reason; " << result.Describe();
      }
      ++accepted_;
    }
  }

  void ExpectBaselineIntact() {
    EXPECT_EQ(IntegrityCheck(db_path()), "ok");
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(Indexed("baseline-" + std::to_string(i)));
    // The hostile SQL names are data: the contacts table is still there and queryable.
    EXPECT_EQ(QueryDb(db_path(), "SELECT count(*) FROM sqlite_master WHERE name = 'contacts'"), "1");
  }

  TempDir dir_;
  int refused_ = 0;
  int accepted_ = 0;
};

TEST_F(BadInputTest, HostileFilesKeepIndexWhole) {
  std::vector<BadInput> corpus = JsonlCorpus();
  for (const std::vector<BadInput>& part : {CsvCorpus(), TruncatedFiles(), BinaryFiles()}) {
    corpus.insert(corpus.end(), part.begin(), part.end());
  }
  ASSERT_GE(corpus.size(), 200u);
  for (size_t i = 0; i < corpus.size(); ++i) {
    RunCase(corpus[i], static_cast<int>(i));
    if (::testing::Test::HasFatalFailure()) return;
  }
  ExpectBaselineIntact();
  // Printed for docs/reliability.md.
  std::printf("bad input corpus: %zu files, %d accepted (rows skipped with reasons or kept as data), %d refused\n",
              corpus.size(), accepted_, refused_);
}

TEST_F(BadInputTest, SqlNameStoredAsData) {
  const std::string name = "'); DROP TABLE contacts;--";
  WriteText(dir_.path() / "sql.jsonl", GoodJsonRow("sql-name", 77, name) + "\n");
  const RunResult result = Import("sql.jsonl");
  ASSERT_TRUE(result.exited && result.exit_code == 0) << result.Describe();
  EXPECT_EQ(QueryDb(db_path(), "SELECT name FROM contacts WHERE uid = 'sql-name'"), name);
  ExpectBaselineIntact();
}

TEST_F(BadInputTest, HugeFieldAndLineEndCleanly) {
  const std::string big_name(10 << 20, 'n');
  const std::string big_line = "{\"uid\":\"big-line\",\"junk\":\"" + std::string(50 << 20, 'j') + "\"}";
  const std::string csv_big_line(50 << 20, 'c');  // no newline, no comma: one 50 MB field
  const std::vector<BadInput> huge = {
      {"ten_mb_name_jsonl", ".jsonl", GoodJsonRow("big-name", 88, big_name), Expect::kMayAccept},
      {"fifty_mb_line_jsonl", ".jsonl", big_line, Expect::kMayAccept},
      {"ten_mb_name_csv", ".csv", "big-csv," + big_name + ",+61412000099,loc-1", Expect::kMayAccept},
      {"fifty_mb_line_csv", ".csv", csv_big_line, Expect::kMayAccept},
  };
  for (size_t i = 0; i < huge.size(); ++i) {
    RunCase(huge[i], 10000 + static_cast<int>(i));
    if (::testing::Test::HasFatalFailure()) return;
  }
  ExpectBaselineIntact();
}

TEST_F(BadInputTest, NormalizeSurvivesHostilePhones) {
  std::string lines;
  int count = 0;
  for (const std::string& phone : HostilePhones()) {
    if (phone.find('\n') != std::string::npos) continue;
    lines += phone + "\n";
    ++count;
  }
  WriteText(dir_.path() / "phones.txt", lines);
  RunOptions options;
  options.working_dir = dir_.path();
  for (const std::string region : {"AU", "US", "GB", "ZZ", ""}) {
    SCOPED_TRACE("region '" + region + "'");
    std::vector<std::string> args = {"normalize", "--input", "phones.txt"};
    if (!region.empty()) args.insert(args.end(), {"--region", region});
    const RunResult result = RunDedup(args, options);
    ASSERT_FALSE(result.crashed()) << result.Describe();
    ASSERT_FALSE(result.hung) << result.Describe();
    if (result.exit_code != 0) {
      EXPECT_NE(result.err.find("[ERR_DEDUP_"), std::string::npos) << result.Describe();
      continue;
    }
    EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), count) << "one output line per input value";
  }
}

}  // namespace
}  // namespace podium_dedup::reliability
