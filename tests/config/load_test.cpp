#include <gtest/gtest.h>

#include "bot/config_catalog.hpp"
#include "bot/config_json.hpp"
#include "tests/config/config_fixture.hpp"

namespace prik::bot::testing {
namespace {

using Config = ConfigFixture;

TEST_F(Config, MinimalConfigLoadsWithEveryPart) {
  const auto result = load();
  ASSERT_TRUE(result.config) << all_problems(result);
  const LoadedConfig& config = *result.config;
  EXPECT_EQ(config.settings.campaign, "test-campaign");
  EXPECT_EQ(config.settings.language, dialogs::Language::da);
  EXPECT_EQ(config.settings.store.compact_journal_bytes, 1048576u);
  EXPECT_EQ(config.settings.http.listen, "127.0.0.1:0");
  ASSERT_EQ(config.catalog.campaigns.size(), 1u);
  const auto* treasurer = config.catalog.find_entry("treasurer");
  ASSERT_NE(treasurer, nullptr);
  EXPECT_EQ(treasurer->kind, dialogs::EntryKind::role);
  EXPECT_EQ(treasurer->tasks.size(), 2u);
  EXPECT_EQ(treasurer->works_under, "chief");
  EXPECT_EQ(treasurer->hours_max, 3);
  const auto* clerk = config.catalog.find_entry("clerk");
  ASSERT_NE(clerk, nullptr);
  ASSERT_TRUE(clerk->position);
  EXPECT_EQ(clerk->position->deadline_local, "2026-05-25 12:00");
  EXPECT_EQ(config.catalog.campaigns[0].coordinators.at("chief").users,
            std::vector<std::string>{"console:anna"});
}

TEST_F(Config, RelativePathsResolveAgainstTheConfigFilesDirectory) {
  const auto result = load();
  ASSERT_TRUE(result.config) << all_problems(result);
  EXPECT_EQ(result.config->settings.store.data_dir, dir_ / "data");
  EXPECT_EQ(result.config->settings.messages_dir, dir_ / "config" / "messages");
  EXPECT_EQ(result.config->settings.catalogs.at(0), dir_ / "config" / "catalogs" / "test.json");
}

TEST_F(Config, SyntaxErrorIsReportedWithLineAndColumn) {
  write_all();
  write(config_file(), "{\n  \"campaign\": \"x\",\n  oops: 1\n}\n");
  const auto result = load_config(config_file(), [](const std::string&) { return std::nullopt; });
  ASSERT_EQ(result.problems.size(), 1u) << all_problems(result);
  EXPECT_TRUE(result.problems[0].starts_with(path_of("prik.json") + ": line 3, column 3: "))
      << result.problems[0];
}

TEST_F(Config, LineAndColumnCountCharactersNotBytes) {
  const TextPosition position = position_of("{\n \"æø\": x", 9);
  EXPECT_EQ(position.line, 2u);
  EXPECT_EQ(position.column, 6u);  // the ":" after two two-byte letters
}

TEST_F(Config, UnknownKeyIsReportedWithItsPointer) {
  settings_["store"]["data_dri"] = "x";
  const auto result = load();
  EXPECT_TRUE(has_problem(result, path_of("prik.json") + ": /store/data_dri: unknown key"))
      << all_problems(result);
}

TEST_F(Config, UnknownKeyInACatalogEntryIsReported) {
  catalog_["entries"][1]["taks"] = json::array();
  const auto result = load();
  EXPECT_TRUE(has_problem(result, path_of("catalogs/test.json") + ": /entries/1/taks: unknown key"))
      << all_problems(result);
}

TEST_F(Config, MissingFieldIsReported) {
  catalog_["entries"][1].erase("tasks");
  const auto result = load();
  EXPECT_TRUE(has_problem(result, ": /entries/1/tasks: required field is missing"))
      << all_problems(result);
}

TEST_F(Config, WrongTypeIsReported) {
  settings_["store"]["data_dir"] = 5;
  const auto result = load();
  EXPECT_TRUE(has_problem(
      result, path_of("prik.json") + ": /store/data_dir: expected a string, got an integer"))
      << all_problems(result);
}

TEST_F(Config, WorksUnderThatNamesNoEntryIsReported) {
  catalog_["entries"][1]["works_under"] = "nobody";
  const auto result = load();
  EXPECT_TRUE(has_problem(result, ": /entries/1/works_under: \"nobody\" names no entry"))
      << all_problems(result);
}

TEST_F(Config, DuplicateIdAcrossCatalogsIsReported) {
  json second = catalog_;
  second["id"] = "other-campaign";
  second["entries"] = {catalog_["entries"][0]};
  second["coordinators"] = json::object();
  write(dir_ / "config" / "catalogs" / "second.json", second.dump());
  settings_["catalogs"].push_back("catalogs/second.json");
  const auto result = load();
  EXPECT_TRUE(has_problem(result, path_of("catalogs/second.json") +
                                      ": /entries/0/id: duplicate id \"chief\" (first used at " +
                                      path_of("catalogs/test.json")))
      << all_problems(result);
}

TEST_F(Config, UnknownInterestIsReported) {
  catalog_["entries"][1]["interests"].push_back("gardening");
  const auto result = load();
  EXPECT_TRUE(has_problem(result, ": /entries/1/interests/1: unknown interest \"gardening\""))
      << all_problems(result);
}

TEST_F(Config, UnknownCampaignIsReported) {
  settings_["campaign"] = "kv21";
  const auto result = load();
  EXPECT_TRUE(has_problem(
      result, path_of("prik.json") + ": /campaign: no catalog defines campaign \"kv21\""))
      << all_problems(result);
}

TEST_F(Config, MalformedDeadlineIsReported) {
  catalog_["entries"][2]["position"]["deadline"] = "25. maj kl. 12";
  const auto result = load();
  EXPECT_TRUE(has_problem(result,
                          ": /entries/2/position/deadline: \"25. maj kl. 12\" is not an "
                          "ISO 8601 date-time"))
      << all_problems(result);
}

TEST_F(Config, PositionFieldsOnARoleAreRejected) {
  catalog_["entries"][1]["position"] = catalog_["entries"][2]["position"];
  const auto result = load();
  EXPECT_TRUE(has_problem(result, ": /entries/1/position: only entries of kind \"position\""))
      << all_problems(result);
}

TEST_F(Config, EnabledSlackWithoutItsTokenInTheEnvironmentIsReported) {
  settings_["slack"]["enabled"] = true;
  environment_["SLACK_SIGNING_SECRET"] = "signing";
  const auto result = load();
  EXPECT_TRUE(has_problem(result, path_of("prik.json") +
                                      ": /slack/bot_token_env: environment variable "
                                      "SLACK_BOT_TOKEN is not set"))
      << all_problems(result);
  EXPECT_EQ(result.problems.size(), 1u) << all_problems(result);
}

TEST_F(Config, DisabledPartsNeedNoEnvironment) {
  const auto result = load();
  ASSERT_TRUE(result.config) << all_problems(result);
  EXPECT_TRUE(result.config->secrets.slack_bot_token.empty());
  EXPECT_TRUE(result.config->secrets.matrix_access_token.empty());
}

TEST_F(Config, EnabledPartsReadTheirSecretsFromTheEnvironment) {
  settings_["slack"]["enabled"] = true;
  settings_["slack"]["mode"] = "socket";
  settings_["matrix"]["enabled"] = true;
  environment_ = {{"SLACK_BOT_TOKEN", "bot-token"},
                  {"SLACK_APP_TOKEN", "app-token"},
                  {"MATRIX_ACCESS_TOKEN", "matrix-token"}};
  const auto result = load();
  ASSERT_TRUE(result.config) << all_problems(result);
  EXPECT_EQ(result.config->secrets.slack_bot_token, "bot-token");
  EXPECT_EQ(result.config->secrets.slack_app_token, "app-token");
  EXPECT_EQ(result.config->secrets.matrix_access_token, "matrix-token");
}

TEST_F(Config, ASecretPastedInPlaceOfAVariableNameIsRejectedWithoutEchoingIt) {
  settings_["slack"]["bot_token_env"] = "xoxb-1234-secret-value";
  const auto result = load();
  EXPECT_TRUE(has_problem(result, ": /slack/bot_token_env: expected the NAME of an environment"))
      << all_problems(result);
  EXPECT_FALSE(has_problem(result, "secret-value")) << all_problems(result);
}

TEST_F(Config, EnabledMatrixNeedsAHomeserverUrl) {
  settings_["matrix"]["enabled"] = true;
  settings_["matrix"]["homeserver_url"] = "not a url";
  environment_["MATRIX_ACCESS_TOKEN"] = "token";
  const auto result = load();
  EXPECT_TRUE(has_problem(result, ": /matrix/homeserver_url: \"not a url\" is not an http(s) URL"))
      << all_problems(result);
}

TEST_F(Config, MalformedCoordinatorRouteIsReported) {
  catalog_["coordinators"]["chief"]["users"] = {"anna"};
  catalog_["coordinators"]["nobody"] = {{"users", json::array()}, {"channel", ""}};
  const auto result = load();
  EXPECT_TRUE(
      has_problem(result, ": /coordinators/chief/users/0: \"anna\" is not a user reference"))
      << all_problems(result);
  EXPECT_TRUE(has_problem(result, ": /coordinators/nobody: \"nobody\" names no entry"))
      << all_problems(result);
}

TEST_F(Config, EveryProblemInEveryFileIsCollected) {
  settings_["log_level"] = "loud";
  settings_.erase("messages_dir");
  catalog_["entries"][1]["kind"] = "boss";
  catalog_["entries"][1]["hours_per_week"]["min"] = 9;
  const auto result = load();
  EXPECT_FALSE(result.config);
  EXPECT_TRUE(has_problem(result, ": /log_level: \"loud\" is not a log level"));
  EXPECT_TRUE(has_problem(result, ": /messages_dir: required field is missing"));
  EXPECT_TRUE(has_problem(result, ": /entries/1/kind: \"boss\" is not a kind"));
  EXPECT_TRUE(has_problem(result, ": /entries/1/hours_per_week/min: is larger than max"));
  EXPECT_EQ(result.problems.size(), 4u) << all_problems(result);
}

TEST_F(Config, MissingCatalogFileIsReported) {
  settings_["catalogs"] = {"catalogs/missing.json"};
  const auto result = load();
  EXPECT_TRUE(has_problem(result, path_of("catalogs/missing.json") + ": cannot read file"))
      << all_problems(result);
}

TEST(Deadline, OffsetIsSubtractedToGetUtc) {
  const auto deadline = parse_deadline("2026-05-25T12:00:00+02:00");
  ASSERT_TRUE(deadline);
  EXPECT_EQ(deadline->moment,
            std::chrono::sys_days(std::chrono::year(2026) / 5 / 25) + std::chrono::hours(10));
  EXPECT_EQ(deadline->local, "2026-05-25 12:00");
  EXPECT_TRUE(parse_deadline("2018-01-05T23:59Z"));
}

TEST(Deadline, ImpossibleDatesAndMissingOffsetsAreRejected) {
  EXPECT_FALSE(parse_deadline("2026-02-30T12:00:00+01:00"));
  EXPECT_FALSE(parse_deadline("2026-05-25T24:00:00+02:00"));
  EXPECT_FALSE(parse_deadline("2026-05-25T12:00:00"));
  EXPECT_FALSE(parse_deadline("2026-05-25"));
}

}  // namespace
}  // namespace prik::bot::testing
