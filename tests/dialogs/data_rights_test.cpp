// "Mine data" / "my data" shows everything kept about a person; "slet mine data" / "delete my
// data" erases it after a confirmation, keeping only an opt-out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/dialogs/chat.hpp"

namespace prik::dialogs::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string render(const World& world, Language language, std::string_view key,
                   const Params& params = {}) {
  return world.texts.render(language, key, params);
}

// Anna has told Prik a little, applied as a pair, nudged Bo (who said no), been nudged by Carl
// and asked for a human.
void fill_annas_data(World& world, Chat& anna) {
  using namespace std::chrono;
  world.view.add_nudge({{},
                        "console:carl",
                        "Carl",
                        "console:anna",
                        "okonomiansvarlig",
                        true,
                        world.now - days{2},
                        NudgeAnswer::more});
  anna.say("hej");
  anna.click("menu.human");
  anna.say("Jeg vil gerne høre om valgnatten");
  anna.click("role.teambuilder");
  anna.click("apply.pair");
  anna.say("Bo Hansen");
  anna.say("Vi elsker at lave fester");
  anna.click("confirm.yes");
  anna.say("prik @bo");
  anna.click("nudge.general");
  anna.click("nudge.send.named");
  Chat bo(world, "console:bo", {}, "Bo");
  bo.click("nudge.no");
  anna.click("menu.find");
  anna.say("økonomi");
  anna.click("hours.5");
}

TEST(DataRights, MyDataListsEverythingInOneMessage) {
  World world;
  Chat anna(world);
  fill_annas_data(world, anna);
  const auto result = anna.say("mine data");
  EXPECT_EQ(anna.conversation().state, "data");
  ASSERT_EQ(result.replies.size(), 1U);
  const std::string text = result.replies[0].text;
  EXPECT_THAT(text,
              HasSubstr(render(world, Language::da, "data.language", {{"language", "dansk"}})));
  EXPECT_THAT(text,
              HasSubstr(render(world, Language::da, "data.interests", {{"interests", "Økonomi"}})));
  EXPECT_THAT(text, HasSubstr(render(world, Language::da, "data.hours", {{"hours", "5"}})));
  EXPECT_THAT(text, HasSubstr("Teambuilder(e)"));
  EXPECT_THAT(text, HasSubstr("Vi elsker at lave fester"));
  EXPECT_THAT(text, HasSubstr("Bo Hansen"));
  EXPECT_THAT(text, HasSubstr(render(world, Language::da, "application.pending")));
  EXPECT_THAT(
      text,
      HasSubstr(render(
          world, Language::da, "data.nudge_sent",
          {{"friend", "bo"}, {"title", "Alternativet KV17 København"}, {"date", "2026-11-23"}})));
  EXPECT_THAT(text,
              HasSubstr(render(world, Language::da, "data.nudge_received.named",
                               {{"name", "Carl"},
                                {"title", "Økonomiansvarlig"},
                                {"date", "2026-11-21"},
                                {"answer", render(world, Language::da, "data.answer.more")}})));
  EXPECT_THAT(text, HasSubstr("Jeg vil gerne høre om valgnatten"));
  EXPECT_THAT(text, Not(HasSubstr(render(world, Language::da, "data.opted_out"))));
  // Bo's answer stays Bo's: the nudger is not told "no thanks".
  EXPECT_THAT(text, Not(HasSubstr(render(world, Language::da, "data.answer.no"))));
  EXPECT_TRUE(offers(result, "data.delete"));
  EXPECT_TRUE(offers(result, "nav.menu"));
}

TEST(DataRights, MyDataInEnglishShowsAnOptOutAndAnAnonymousNudge) {
  using namespace std::chrono;
  World world;
  world.view.add_nudge({{},
                        "console:carl",
                        "Carl",
                        "console:bo",
                        "",
                        false,
                        world.now - days{3},
                        NudgeAnswer::none});
  Chat bo(world, "console:bo", "en", "Bo");
  bo.say("never write to me again");
  const auto result = bo.say("my data");
  const std::string text = all_text(result);
  EXPECT_THAT(text, HasSubstr(render(world, Language::en, "data.conversation.none")));
  EXPECT_THAT(text,
              HasSubstr(render(world, Language::en, "data.nudge_received.anonymous",
                               {{"title", "The Alternative KV17 Copenhagen"},
                                {"date", "2026-11-20"},
                                {"answer", render(world, Language::en, "data.answer.never")}})));
  EXPECT_THAT(text, Not(HasSubstr("Carl")));
  EXPECT_THAT(text, HasSubstr(render(world, Language::en, "data.opted_out")));
}

TEST(DataRights, SomeoneNamedAsPartnerSeesThatToo) {
  World world;
  Chat anna(world, "slack:T1:U1");
  anna.say("hej");
  anna.click("role.teambuilder");
  anna.click("apply.pair");
  Incoming mention;
  mention.text = "<@U2>";
  mention.mentions = {"slack:T1:U2"};
  anna.send(mention);
  anna.say("Vi er et godt hold");
  anna.click("confirm.yes");
  Chat bo(world, "slack:T1:U2", {}, "Bo");
  const auto result = bo.say("mine data");
  EXPECT_THAT(all_text(result),
              HasSubstr(render(world, Language::da, "data.application.partner_of",
                               {{"name", "Anna"},
                                {"title", "Teambuilder(e)"},
                                {"status", render(world, Language::da, "application.pending")}})));
}

TEST(DataRights, DeleteAsksFirstAndKeepsEverythingOnNo) {
  World world;
  Chat anna(world);
  fill_annas_data(world, anna);
  auto result = anna.say("slet mine data");
  EXPECT_EQ(anna.conversation().state, "data.delete.confirm");
  EXPECT_TRUE(result.commands.empty());
  EXPECT_EQ(last_choices(result), (std::vector<std::string>{"data.delete.yes", "data.delete.no"}));
  result = anna.say("nej");
  EXPECT_TRUE(result.commands.empty());
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::da, "data.delete.kept")));
  EXPECT_EQ(world.view.applications_of("console:anna").size(), 1U);
}

TEST(DataRights, DeleteFromTheDataMessageEmitsForgetPersonAndSaysWhatWasDeleted) {
  World world;
  Chat anna(world);
  fill_annas_data(world, anna);
  anna.say("mine data");
  anna.click("data.delete");
  const auto result = anna.click("data.delete.yes");
  const auto forgotten = commands_of<ForgetPerson>(result);
  ASSERT_EQ(forgotten.size(), 1U);
  EXPECT_EQ(forgotten[0].user, "console:anna");
  ASSERT_EQ(result.replies.size(), 1U);
  EXPECT_EQ(result.replies[0].text, render(world, Language::da, "data.deleted"));
  EXPECT_EQ(result.conversation.state, "start");
  EXPECT_TRUE(result.conversation.interests.empty());
  // The view forgot her; a new message starts afresh.
  EXPECT_TRUE(world.view.applications_of("console:anna").empty());
  EXPECT_TRUE(world.view.personal_data("console:anna").nudges_sent.empty());
  EXPECT_TRUE(world.view.personal_data("console:anna").handoffs.empty());
  EXPECT_EQ(world.view.coverage("teambuilder").pending, 1);  // an anonymous count stays
  const auto again = anna.say("hej");
  EXPECT_THAT(all_text(again), HasSubstr("Anna"));
  EXPECT_EQ(anna.conversation().state, "menu");
}

TEST(DataRights, DeleteInEnglishKeepsTheOptOutAndSaysSo) {
  World world;
  Chat carl(world, "console:carl", {}, "Carl");
  carl.say("hej");
  carl.say("prik bo");
  carl.click("nudge.general");
  carl.click("nudge.send.anonymous");
  Chat bo(world, "console:bo", "en", "Bo");
  bo.click("nudge.never");
  bo.say("delete my data");
  const auto result = bo.say("yes");
  ASSERT_EQ(commands_of<ForgetPerson>(result).size(), 1U);
  EXPECT_EQ(result.replies.at(0).text, render(world, Language::en, "data.deleted.opted_out"));
  EXPECT_TRUE(world.view.opted_out("console:bo"));
  EXPECT_FALSE(world.view.last_nudged("console:bo"));

  // The promise holds after the data is gone.
  world.now += std::chrono::days{60};
  Chat dan(world, "console:dan", {}, "Dan");
  dan.say("hej");
  dan.say("prik bo");
  dan.click("nudge.general");
  const auto refused = dan.click("nudge.send.named");
  EXPECT_TRUE(commands_of<SendNudge>(refused).empty());
  EXPECT_THAT(all_text(refused), HasSubstr(render(world, Language::da, "nudge.refused")));
}

TEST(DataRights, MyDataAtFirstContactWelcomesAndShows) {
  World world;
  Chat anna(world, "console:anna", "en");
  const auto result = anna.say("my data");
  EXPECT_EQ(anna.conversation().state, "data");
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::en, "data.intro")));
}

}  // namespace
}  // namespace prik::dialogs::testing
