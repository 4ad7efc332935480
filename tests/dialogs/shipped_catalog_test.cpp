// The engine on the shipped configuration: config/prik.json, its catalogs and message files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <variant>

#include "bot/config.hpp"
#include "tests/dialogs/chat.hpp"

namespace prik::dialogs::testing {
namespace {

using ::testing::HasSubstr;

bot::LoadedConfig load_shipped() {
  auto result = bot::load_config(std::string(PRIK_SOURCE_DIR) + "/config/prik.json",
                                 [](const std::string&) { return std::nullopt; });
  for (const auto& problem : result.problems) ADD_FAILURE() << problem;
  if (!result.config) throw std::runtime_error("the shipped configuration does not load");
  return std::move(*result.config);
}

// During the KV17 campaign: the demokratiudvikler position (deadline January 2018) is open.
std::chrono::sys_seconds autumn_2017() {
  using namespace std::chrono;
  return sys_days{year{2017} / September / 1};
}

class ShippedCatalog : public ::testing::TestWithParam<Language> {
 protected:
  ShippedCatalog()
      : config_(load_shipped()), world_(config_.catalog, config_.texts, autumn_2017()) {}

  const Campaign& campaign() const { return *world_.catalog.find_campaign(kCampaign); }
  std::string locale() const { return GetParam() == Language::da ? "da-DK" : "en-GB"; }

  bot::LoadedConfig config_;
  World world_;
};

TEST_P(ShippedCatalog, BrowseListsEveryRoleOfTheCampaignAndEveryPosition) {
  Chat chat(world_, "console:anna", locale());
  chat.say("hej");
  const auto result = chat.click("menu.browse");
  const auto ids = last_choices(result);
  for (const auto& each : world_.catalog.campaigns) {
    for (const auto& entry : each.entries) {
      const bool listed = std::find(ids.begin(), ids.end(), "role." + entry.id) != ids.end();
      const bool expected = each.id == kCampaign || entry.kind == EntryKind::position;
      EXPECT_EQ(listed, expected) << entry.id;
    }
  }
}

TEST_P(ShippedCatalog, EveryEntryShowsItsDetailsAndTheRightChoices) {
  for (const auto& each : world_.catalog.campaigns) {
    for (const auto& entry : each.entries) {
      Chat chat(world_, "console:anna", locale());
      chat.say("hej");
      const auto result = chat.click("role." + entry.id);
      EXPECT_THAT(all_text(result), HasSubstr(entry.title.in(GetParam()))) << entry.id;
      EXPECT_THAT(all_text(result), HasSubstr(entry.purpose.in(GetParam()))) << entry.id;
      for (const auto& task : entry.tasks) {
        EXPECT_THAT(all_text(result), HasSubstr(task.in(GetParam()))) << entry.id;
      }
      EXPECT_EQ(offers(result, "apply.alone"), entry.kind == EntryKind::role) << entry.id;
      EXPECT_TRUE(offers(result, "nav.menu")) << entry.id;
    }
  }
}

TEST_P(ShippedCatalog, EveryRoleTitleTypedFromTheMenuOpensThatRole) {
  for (const auto& entry : campaign().entries) {
    Chat chat(world_, "console:anna", locale());
    chat.say("hej");
    chat.say(entry.title.in(GetParam()));
    EXPECT_EQ(chat.conversation().state, "details") << entry.id;
    EXPECT_EQ(chat.conversation().entry_id, entry.id);
  }
}

TEST_P(ShippedCatalog, EveryInterestLabelTypedSelectsThatInterest) {
  for (const auto& interest : campaign().interests) {
    Chat chat(world_, "console:anna", locale());
    chat.say("hej");
    chat.click("menu.find");
    chat.say(interest.label.in(GetParam()));
    EXPECT_EQ(chat.conversation().interests, std::vector<std::string>{interest.id})
        << interest.label.in(GetParam());
  }
}

TEST_P(ShippedCatalog, FindARoleApplyAndConfirm) {
  Chat chat(world_, "console:anna", locale());
  chat.say("hej");
  chat.click("menu.find");
  chat.click("interest.economy");
  chat.click("interview.done");
  chat.click("hours.5");
  auto result = chat.say(GetParam() == Language::da ? "Jeg er god til budgetter og regnskab"
                                                    : "I am good with budgets and accounting");
  ASSERT_TRUE(offers(result, "apply.role.okonomiansvarlig")) << all_text(result);
  chat.click("apply.role.okonomiansvarlig");
  chat.say("Ord om mig.");
  result = chat.click("confirm.yes");
  ASSERT_EQ(result.commands.size(), 1u);
  EXPECT_EQ(std::get<SubmitApplication>(result.commands[0]).entry_id, "okonomiansvarlig");
}

TEST_P(ShippedCatalog, PositionsCloseAfterTheirDeadline) {
  World later(config_.catalog, config_.texts, test_now());
  for (World* world : {&world_, &later}) {
    const Entry* entry = world->catalog.find_entry("demokratiudvikler");
    ASSERT_NE(entry, nullptr);
    Chat chat(*world, "console:anna", locale());
    chat.say("hej");
    const auto text = all_text(chat.click("role.demokratiudvikler"));
    const bool open = entry->is_open(world->now);
    EXPECT_EQ(open, world == &world_);
    EXPECT_EQ(text.find(entry->position->hours.in(GetParam())) != std::string::npos, open);
  }
}

INSTANTIATE_TEST_SUITE_P(BothLanguages, ShippedCatalog,
                         ::testing::Values(Language::da, Language::en),
                         [](const auto& info) { return std::string(language_code(info.param)); });

}  // namespace
}  // namespace prik::dialogs::testing
