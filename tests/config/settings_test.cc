#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "podium_dedup/config.h"

namespace podium_dedup {
namespace {

class SettingsTest : public ::testing::Test {
 protected:
  std::string WriteConfig(const std::string& text) {
    path_ = std::filesystem::temp_directory_path() /
            ("settings_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".yaml");
    std::ofstream(path_) << text;
    return path_.string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

TEST_F(SettingsTest, MissingDefaultFileGivesDefaults) {
  Result<Settings> settings = LoadSettings("/nonexistent/settings.yaml", /*path_is_default=*/true);
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings.value().default_region, "US");
  EXPECT_DOUBLE_EQ(settings.value().auto_merge_threshold, 0.80);
}

TEST_F(SettingsTest, MissingNamedFileIsAnError) {
  Result<Settings> settings = LoadSettings("/nonexistent/settings.yaml", /*path_is_default=*/false);
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.error().code, "ERR_DEDUP_CONFIG_NOT_FOUND");
  EXPECT_NE(settings.error().message.find("/nonexistent/settings.yaml"), std::string::npos);
}

TEST_F(SettingsTest, ReadsLocationsAndThresholds) {
  const std::string path = WriteConfig(
      "default_region: AU\n"
      "locations:\n  loc-nz: {region: NZ, name: Auckland}\n"
      "matching:\n  auto_merge_threshold: 0.9\n  hot_key_limit: 3\n  placeholder_blocklist: ['0400 000 000']\n"
      "cross_location:\n  same_entity_groups: [[loc-a, loc-b]]\n");
  Result<Settings> settings = LoadSettings(path, false);
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  const Settings& s = settings.value();
  EXPECT_EQ(s.RegionFor("loc-nz"), "NZ");
  EXPECT_EQ(s.RegionFor("loc-unknown"), "AU");
  EXPECT_EQ(s.LocationName("loc-nz"), "Auckland");
  EXPECT_DOUBLE_EQ(s.auto_merge_threshold, 0.9);
  EXPECT_EQ(s.hot_key_limit, 3);
  ASSERT_EQ(s.placeholder_blocklist.size(), 1u);
  ASSERT_EQ(s.same_entity_groups.size(), 1u);
  EXPECT_EQ(s.same_entity_groups[0].size(), 2u);
}

TEST_F(SettingsTest, InvalidThresholdNamesTheKey) {
  Result<Settings> settings = LoadSettings(WriteConfig("matching:\n  auto_merge_threshold: 1.5\n"), false);
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.error().code, "ERR_DEDUP_CONFIG_INVALID");
  EXPECT_NE(settings.error().message.find("auto_merge_threshold"), std::string::npos);
}

TEST_F(SettingsTest, WrongTypeNamesTheValue) {
  Result<Settings> settings = LoadSettings(WriteConfig("matching:\n  hot_key_limit: lots\n"), false);
  ASSERT_FALSE(settings.ok());
  EXPECT_NE(settings.error().message.find("hot_key_limit"), std::string::npos);
  EXPECT_NE(settings.error().message.find("lots"), std::string::npos);
}

TEST_F(SettingsTest, BrokenYamlGivesLine) {
  Result<Settings> settings = LoadSettings(WriteConfig("default_region: [AU\n"), false);
  ASSERT_FALSE(settings.ok());
  EXPECT_NE(settings.error().message.find("line"), std::string::npos);
}

TEST_F(SettingsTest, ShippedSettingsFileLoads) {
  Result<Settings> settings = LoadSettings(PODIUM_DEDUP_SOURCE_DIR "/config/settings.yaml", false);
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings.value().default_region, "AU");
}

}  // namespace
}  // namespace podium_dedup
