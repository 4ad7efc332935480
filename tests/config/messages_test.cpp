#include <gtest/gtest.h>

#include "bot/config_messages.hpp"
#include "tests/config/config_fixture.hpp"

namespace prik::bot::testing {
namespace {

class Messages : public ConfigFixture {
 protected:
  // Writes messages to a file and reads it against a small key list of the test's own.
  dialogs::Texts::Table read(const json& messages) {
    const auto file = dir_ / "config" / "messages" / "da.json";
    write(file, messages.dump(2));
    return read_messages(file, keys_, problems_);
  }

  bool has(const std::string& fragment) const {
    return std::any_of(problems_.begin(), problems_.end(), [&](const std::string& problem) {
      return problem.find(fragment) != std::string::npos;
    });
  }

  std::string listed() const {
    std::string out;
    for (const auto& problem : problems_) out += problem + "\n";
    return out;
  }

  TextKeys keys_ = {{"greeting", {"name"}}, {"goodbye", {}}};
  std::vector<std::string> problems_;
};

TEST_F(Messages, CompleteFileGivesEveryText) {
  const auto table = read({{"greeting", "Hej {name}!"}, {"goodbye", "Farvel {{ og tak }}"}});
  EXPECT_TRUE(problems_.empty()) << listed();
  EXPECT_EQ(table.at("greeting"), "Hej {name}!");
  EXPECT_EQ(table.size(), 2u);
}

TEST_F(Messages, MissingKeyIsReported) {
  read({{"greeting", "Hej {name}!"}});
  EXPECT_TRUE(has(path_of("messages/da.json") + ": /goodbye: message is missing")) << listed();
  EXPECT_EQ(problems_.size(), 1u) << listed();
}

TEST_F(Messages, UnknownPlaceholderIsReportedWithTheAllowedOnes) {
  read({{"greeting", "Hej {navn}!"}, {"goodbye", "Farvel {name}"}});
  EXPECT_TRUE(has(": /greeting: unknown placeholder {navn} (allowed: {name})")) << listed();
  EXPECT_TRUE(has(": /goodbye: unknown placeholder {name} (allowed: none)")) << listed();
}

TEST_F(Messages, UnknownKeyIsReported) {
  read({{"greeting", "Hej"}, {"goodbye", "Farvel"}, {"greting", "Hej"}});
  EXPECT_TRUE(has(": /greting: unknown message key")) << listed();
}

TEST_F(Messages, NonStringTextIsReported) {
  read({{"greeting", {"Hej"}}, {"goodbye", "Farvel"}});
  EXPECT_TRUE(has(": /greeting: expected a string, got an array")) << listed();
}

TEST_F(Messages, FileThatIsNotAnObjectIsReported) {
  read(json::array());
  EXPECT_TRUE(has(": /: expected an object of key -> text, got an array")) << listed();
}

TEST_F(Messages, LoadConfigChecksBothLanguagesAgainstTheCodesKeys) {
  messages_["test.key.nobody.uses"] = "text";
  const auto result = load();
  EXPECT_TRUE(has_problem(
      result, path_of("messages/da.json") + ": /test.key.nobody.uses: unknown message key"))
      << all_problems(result);
  EXPECT_TRUE(has_problem(
      result, path_of("messages/en.json") + ": /test.key.nobody.uses: unknown message key"))
      << all_problems(result);
}

TEST_F(Messages, LoadedTextsRenderInBothLanguages) {
  const auto result = load();
  ASSERT_TRUE(result.config) << all_problems(result);
  for (const auto& [key, placeholders] : dialogs::text_keys()) {
    EXPECT_TRUE(result.config->texts.has(dialogs::Language::da, key)) << key;
    EXPECT_TRUE(result.config->texts.has(dialogs::Language::en, key)) << key;
  }
}

}  // namespace
}  // namespace prik::bot::testing
