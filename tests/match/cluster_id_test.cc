// ClusterId: format and stability of cluster identifiers.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "podium_dedup/match.h"

namespace podium_dedup {
namespace {

TEST(ClusterId, IsPrefixOfSha256OfSortedUids) {
  // Expected values from Python: hashlib.sha256(b"a\nb").hexdigest()[:16].
  EXPECT_EQ(ClusterId({"a", "b"}), "cl-7e18f737311b2dc3");
  EXPECT_EQ(ClusterId({"c-3", "c-1", "c-2"}), "cl-9242f5c861cea64d");
  EXPECT_EQ(ClusterId({}), "cl-e3b0c44298fc1c14");
}

TEST(ClusterId, IgnoresOrderAndRepeats) {
  EXPECT_EQ(ClusterId({"b", "a"}), ClusterId({"a", "b"}));
  EXPECT_EQ(ClusterId({"a", "b", "a"}), ClusterId({"a", "b"}));
}

TEST(ClusterId, SeparatorKeepsSetsApart) {
  // Without a separator, {"ab", "c"} and {"a", "bc"} would hash the same text.
  EXPECT_NE(ClusterId({"ab", "c"}), ClusterId({"a", "bc"}));
}

TEST(ClusterId, HasFixedFormat) {
  const std::regex format("cl-[0-9a-f]{16}");
  for (const auto& uids : std::vector<std::vector<std::string>>{{"x"}, {"x", "y"}, {"\xC3\xA9", "z"}}) {
    EXPECT_TRUE(std::regex_match(ClusterId(uids), format)) << ClusterId(uids);
  }
}

}  // namespace
}  // namespace podium_dedup
