// The shipped message files hold exactly the keys the dialogs use, with only their placeholders.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/dialogs/chat.hpp"

namespace prik::dialogs::testing {
namespace {

nlohmann::json read_messages(const std::string& language) {
  std::ifstream in(std::string(PRIK_SOURCE_DIR) + "/config/messages/" + language + ".json");
  return nlohmann::json::parse(in);
}

class ShippedMessages : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedMessages, HoldExactlyTheKeysTheDialogsUse) {
  const auto document = read_messages(GetParam());
  ASSERT_TRUE(document.is_object());
  for (const auto& [key, value] : document.items()) {
    EXPECT_TRUE(text_keys().contains(key)) << GetParam() << ": unused key " << key;
    EXPECT_TRUE(value.is_string()) << key;
  }
  for (const auto& [key, placeholders] : text_keys()) {
    EXPECT_TRUE(document.contains(key)) << GetParam() << ": missing " << key;
  }
}

TEST_P(ShippedMessages, UseOnlyTheAllowedPlaceholders) {
  const auto document = read_messages(GetParam());
  for (const auto& [key, value] : document.items()) {
    const auto allowed = text_keys().find(key);
    if (allowed == text_keys().end() || !value.is_string()) continue;
    for (const auto& name : placeholders_in(value.get<std::string>())) {
      EXPECT_TRUE(allowed->second.contains(name))
          << GetParam() << ": " << key << " {" << name << "}";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(BothLanguages, ShippedMessages, ::testing::Values("da", "en"));

TEST(Messages, EveryKeyRendersInBothLanguagesWithItsPlaceholdersFilled) {
  const Texts texts = shipped_texts();
  for (const auto& [key, placeholders] : text_keys()) {
    Params params;
    for (const auto& name : placeholders) params.emplace_back(name, "<" + name + ">");
    for (const Language language : {Language::da, Language::en}) {
      ASSERT_TRUE(texts.has(language, key)) << key;
      const std::string text = texts.render(language, key, params);
      EXPECT_FALSE(text.empty()) << key;
      EXPECT_TRUE(placeholders_in(text).empty()) << language_code(language) << ": " << key;
    }
  }
}

}  // namespace
}  // namespace prik::dialogs::testing
