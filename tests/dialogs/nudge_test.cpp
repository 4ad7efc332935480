// A tap on a friend's shoulder and a pair partner's confirmation: conversations between several
// people through handle_turn, with the in-memory view carrying out the commands.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/dialogs/chat.hpp"

namespace prik::dialogs::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::string render(const World& world, Language language, std::string_view key,
                   const Params& params = {}) {
  return world.texts.render(language, key, params);
}

Incoming typed(std::string text, std::vector<UserRef> mentions = {},
               std::vector<UserRef> bots = {}) {
  Incoming incoming;
  incoming.text = std::move(text);
  incoming.mentions = std::move(mentions);
  incoming.mentioned_bots = std::move(bots);
  return incoming;
}

std::vector<std::string> choice_ids(const Outgoing& message) {
  std::vector<std::string> ids;
  for (const auto& choice : message.choices) ids.push_back(choice.id);
  return ids;
}

// Anna nudges Bo about the team builder role, with her name; the message waits in Bo's inbox.
void nudge_bo(World& world, Chat& anna) {
  anna.say("hej");
  anna.say("prik @bo teambuilder");
  ASSERT_EQ(anna.conversation().state, "nudge.confirm");
  anna.click("nudge.send.named");
  ASSERT_EQ(world.view.messages_to("console:bo").size(), 1U);
}

TEST(Nudge, TypedWithFriendAndRoleAsksToConfirmThenSendsANamedMessageInDanish) {
  World world;
  Chat anna(world);
  anna.say("hej");
  auto result = anna.say("prik @Bo teambuilder");
  EXPECT_EQ(anna.conversation().state, "nudge.confirm");
  EXPECT_THAT(all_text(result), HasSubstr("bo"));
  EXPECT_THAT(all_text(result), HasSubstr("Teambuilder(e)"));
  EXPECT_EQ(last_choices(result),
            (std::vector<std::string>{"nudge.send.named", "nudge.send.anonymous", "nudge.cancel"}));
  EXPECT_TRUE(result.commands.empty());

  result = anna.click("nudge.send.named");
  const auto sent = commands_of<SendNudge>(result);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].from, "console:anna");
  EXPECT_EQ(sent[0].from_name, "Anna");
  EXPECT_EQ(sent[0].to, "console:bo");
  EXPECT_EQ(sent[0].entry_id, "teambuilder");
  EXPECT_TRUE(sent[0].named);
  const Outgoing& message = sent[0].message;
  EXPECT_EQ(message.to, "console:bo");
  EXPECT_EQ(message.conversation, "");
  EXPECT_EQ(message.text, render(world, Language::da, "nudge.message.named",
                                 {{"campaign", "Alternativet KV17 København"},
                                  {"name", "Anna"},
                                  {"title", "Teambuilder(e)"},
                                  {"purpose", "Skaber holdånd blandt kandidater."}}));
  EXPECT_THAT(choice_ids(message), ElementsAre("nudge.more", "nudge.no", "nudge.never"));
  EXPECT_EQ(message.choices[0].label, render(world, Language::da, "choice.nudge.more"));
  expect_rendered(message);
  EXPECT_THAT(all_text(result),
              HasSubstr(render(world, Language::da, "nudge.sent", {{"friend", "bo"}})));
  EXPECT_EQ(anna.conversation().state, "menu");
  EXPECT_EQ(world.view.messages_to("console:bo").size(), 1U);
}

TEST(Nudge, FromTheMenuAsksWhoAndWhichRoleAndSendsAnonymouslyInEnglish) {
  World world;
  world.view.set_language("console:bo", Language::en);
  Chat anna(world, "console:anna", "en-US");
  anna.say("hello");
  auto result = anna.click("menu.nudge");
  EXPECT_EQ(anna.conversation().state, "nudge.who");
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::en, "nudge.who.console")));
  result = anna.say("Bo");
  EXPECT_EQ(anna.conversation().state, "nudge.role");
  EXPECT_TRUE(offers(result, "nudge.role.okonomiansvarlig"));
  EXPECT_TRUE(offers(result, "nudge.general"));
  EXPECT_FALSE(offers(result, "nudge.role.uddannelsesleder"));  // leads are not applied for
  result = anna.say("treasurer");
  EXPECT_EQ(anna.conversation().state, "nudge.confirm");
  EXPECT_THAT(all_text(result), HasSubstr("Treasurer"));
  result = anna.say("anonymously");
  const auto sent = commands_of<SendNudge>(result);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_FALSE(sent[0].named);
  EXPECT_EQ(sent[0].entry_id, "okonomiansvarlig");
  EXPECT_EQ(sent[0].message.text, render(world, Language::en, "nudge.message.anonymous",
                                         {{"campaign", "The Alternative KV17 Copenhagen"},
                                          {"title", "Treasurer"},
                                          {"purpose", "Makes sure the budget holds."}}));
  EXPECT_THAT(sent[0].message.text, Not(HasSubstr("Anna")));
  EXPECT_EQ(sent[0].message.choices[2].label, render(world, Language::en, "choice.nudge.never"));
}

TEST(Nudge, TheCampaignInGeneralInTheFriendsLanguageOnSlack) {
  World world;
  world.view.set_language("slack:T1:U2", Language::en);
  Chat anna(world, "slack:T1:U1");
  anna.say("hej");
  auto result = anna.send(typed("prik <@U2>", {"slack:T1:U2"}));
  EXPECT_EQ(anna.conversation().state, "nudge.role");
  EXPECT_THAT(all_text(result), HasSubstr("<@U2>"));
  anna.click("nudge.general");
  result = anna.click("nudge.send.named");
  const auto sent = commands_of<SendNudge>(result);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].to, "slack:T1:U2");
  EXPECT_EQ(sent[0].entry_id, "");
  EXPECT_EQ(sent[0].message.text,
            render(world, Language::en, "nudge.message.named.general",
                   {{"campaign", "The Alternative KV17 Copenhagen"}, {"name", "Anna"}}));
}

TEST(Nudge, AMatrixMentionIsTheFriend) {
  World world;
  Chat anna(world, "matrix:@anna:example.org", "en");
  anna.say("hi");
  anna.send(typed("nudge @bo:example.org treasurer", {"matrix:@bo:example.org"}));
  EXPECT_EQ(anna.conversation().state, "nudge.confirm");
  EXPECT_EQ(anna.conversation().nudge_friend, "matrix:@bo:example.org");
  EXPECT_EQ(anna.conversation().nudge_friend_label, "@bo:example.org");
  const auto result = anna.click("nudge.send.anonymous");
  ASSERT_EQ(commands_of<SendNudge>(result).size(), 1U);
  EXPECT_EQ(commands_of<SendNudge>(result)[0].to, "matrix:@bo:example.org");
}

TEST(Nudge, AsTheVeryFirstMessageWelcomesAndGoesOn) {
  World world;
  Chat anna(world);
  const auto result = anna.say("prik @bo");
  EXPECT_THAT(all_text(result), HasSubstr("Anna"));
  EXPECT_EQ(anna.conversation().state, "nudge.role");
  EXPECT_EQ(anna.conversation().nudge_friend, "console:bo");
}

TEST(Nudge, OnAChatPlatformAFriendMustBeMentioned) {
  World world;
  Chat anna(world, "slack:T1:U1");
  anna.say("hej");
  anna.click("menu.nudge");
  auto result = anna.say("Bo");
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::da, "nudge.who.unknown")));
  EXPECT_EQ(anna.conversation().state, "nudge.who");
  result = anna.send(typed("<@U2>", {"slack:T1:U2"}));
  EXPECT_EQ(anna.conversation().state, "nudge.role");
}

TEST(Nudge, CancelSendsNothing) {
  World world;
  Chat anna(world);
  anna.say("hej");
  anna.say("prik @bo");
  anna.click("nudge.general");
  const auto result = anna.say("fortryd");
  EXPECT_TRUE(result.commands.empty());
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::da, "nudge.cancelled")));
  EXPECT_TRUE(world.view.messages_to("console:bo").empty());
}

TEST(Nudge, WordsInAnApplicationThatStartWithTapAreNoCommand) {
  World world;
  Chat anna(world, "console:anna", "en");
  anna.say("hi");
  anna.click("role.teambuilder");
  anna.click("apply.alone");
  anna.say("Tap dancing is my hobby and I love people");
  EXPECT_EQ(anna.conversation().state, "apply.confirm");
  EXPECT_EQ(anna.conversation().words, "Tap dancing is my hobby and I love people");
}

// Every reason to refuse gets the same words, and nothing is sent.
class NudgeRefusal : public ::testing::TestWithParam<std::string> {};

TEST_P(NudgeRefusal, GivesTheOneNeutralAnswer) {
  using namespace std::chrono;
  World world;
  const std::string reason = GetParam();
  Chat anna(world);
  anna.say("hej");
  Incoming incoming = typed("prik @bo teambuilder");
  if (reason == "self") {
    incoming = typed("prik @anna teambuilder");
  } else if (reason == "bot") {
    incoming = typed("prik @prik teambuilder", {"console:prik"}, {"console:prik"});
  } else if (reason == "opted out") {
    world.view.add_nudge(
        {{}, "console:carl", "Carl", "console:bo", "", false, world.now - days{400}, {}});
    world.view.apply({AnswerNudge{"console:bo", world.view.open_nudge_for("console:bo")->id,
                                  NudgeAnswer::never}});
  } else if (reason == "nudged lately") {
    world.view.add_nudge(
        {{}, "console:carl", "Carl", "console:bo", "", true, world.now - days{29}, {}});
  } else if (reason == "per day") {
    for (const char* other : {"console:x", "console:y", "console:z"}) {
      world.view.add_nudge(
          {{}, "console:anna", "Anna", other, "", true, world.now - hours{20}, {}});
    }
  } else if (reason == "already applied") {
    world.view.add("console:bo", {{}, "okonomiansvarlig", ApplicationStatus::pending, {}, {}});
  }
  auto result = anna.send(incoming);
  if (anna.conversation().state == "nudge.confirm") result = anna.click("nudge.send.named");
  EXPECT_TRUE(commands_of<SendNudge>(result).empty()) << reason;
  EXPECT_EQ(replies_to(result, "console:anna").front().text,
            render(world, Language::da, "nudge.refused"))
      << reason;
  EXPECT_EQ(anna.conversation().state, "menu");
  EXPECT_TRUE(world.view.messages_to("console:bo").empty());
}

INSTANTIATE_TEST_SUITE_P(EveryReason, NudgeRefusal,
                         ::testing::Values("self", "bot", "opted out", "nudged lately", "per day",
                                           "already applied"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), ' ', '_');
                           return name;
                         });

TEST(Nudge, TheRulesAllowAFriendAgainAfterTheirDaysAndTheConfiguredNumberADay) {
  using namespace std::chrono;
  World world;
  world.nudge_rules = {5, 10};
  world.view.add_nudge(
      {{}, "console:carl", "Carl", "console:bo", "", true, world.now - days{10}, {}});
  for (const char* other : {"console:x", "console:y", "console:z", "console:w"}) {
    world.view.add_nudge({{}, "console:anna", "Anna", other, "", true, world.now - hours{20}, {}});
  }
  world.view.add_nudge(
      {{}, "console:anna", "Anna", "console:v", "", true, world.now - hours{25}, {}});
  Chat anna(world);
  anna.say("hej");
  anna.say("prik bo");
  const auto result = anna.click("nudge.general");
  EXPECT_EQ(anna.conversation().state, "nudge.confirm");
  EXPECT_EQ(commands_of<SendNudge>(anna.click("nudge.send.named")).size(), 1U);
}

TEST(NudgedFriend, TellMeMoreByButtonShowsTheRoleAndTellsTheNudger) {
  World world;
  Chat anna(world);
  nudge_bo(world, anna);
  Chat bo(world, "console:bo", {}, "Bo");
  const auto result = bo.click("nudge.more");
  const auto answers = commands_of<AnswerNudge>(result);
  ASSERT_EQ(answers.size(), 1U);
  EXPECT_EQ(answers[0].user, "console:bo");
  EXPECT_EQ(answers[0].answer, NudgeAnswer::more);
  EXPECT_EQ(bo.conversation().state, "details");
  EXPECT_EQ(bo.conversation().entry_id, "teambuilder");
  EXPECT_TRUE(offers(result, "apply.alone"));
  const auto to_anna = replies_to(result, "console:anna");
  ASSERT_EQ(to_anna.size(), 1U);
  EXPECT_EQ(to_anna[0].conversation, "");
  EXPECT_EQ(to_anna[0].text, render(world, Language::da, "nudge.interested", {{"friend", "Bo"}}));
  EXPECT_FALSE(world.view.open_nudge_for("console:bo"));
}

TEST(NudgedFriend, TellMeMoreInWordsAndTheNudgerHearsItInTheirLanguage) {
  for (const std::string words : {"fortæl mere", "Tell me more!"}) {
    World world;
    Chat anna(world, "console:anna", "en");
    anna.say("hi");
    anna.say("nudge @bo");
    anna.click("nudge.general");
    anna.click("nudge.send.named");
    Chat bo(world, "console:bo", {}, "Bo");
    const auto result = bo.say(words);
    ASSERT_EQ(commands_of<AnswerNudge>(result).size(), 1U) << words;
    EXPECT_EQ(commands_of<AnswerNudge>(result)[0].answer, NudgeAnswer::more);
    EXPECT_EQ(bo.conversation().state, "menu");  // the campaign in general: the menu
    EXPECT_EQ(replies_to(result, "console:anna").at(0).text,
              render(world, Language::en, "nudge.interested", {{"friend", "Bo"}}));
  }
}

TEST(NudgedFriend, NoThanksByButtonOrWordsEndsPolitelyAndTellsTheNudgerNothing) {
  for (const std::string words : {"", "nej tak", "no thanks"}) {
    World world;
    Chat anna(world);
    nudge_bo(world, anna);
    Chat bo(world, "console:bo", {}, "Bo");
    const auto result = words.empty() ? bo.click("nudge.no") : bo.say(words);
    ASSERT_EQ(commands_of<AnswerNudge>(result).size(), 1U) << words;
    EXPECT_EQ(commands_of<AnswerNudge>(result)[0].answer, NudgeAnswer::no);
    ASSERT_EQ(result.replies.size(), 1U);
    EXPECT_EQ(result.replies[0].to, "console:bo");
    EXPECT_TRUE(result.replies[0].choices.empty());
    EXPECT_FALSE(world.view.opted_out("console:bo"));
    EXPECT_EQ(world.view.messages_to("console:anna").size(), 0U);
  }
}

TEST(NudgedFriend, NeverByButtonOrWordsOptsOutForGood) {
  for (const std::string words : {"", "skriv aldrig igen", "never write to me again"}) {
    World world;
    Chat anna(world);
    nudge_bo(world, anna);
    Chat bo(world, "console:bo", {}, "Bo");
    const auto result = words.empty() ? bo.click("nudge.never") : bo.say(words);
    ASSERT_EQ(commands_of<AnswerNudge>(result).size(), 1U) << words;
    EXPECT_EQ(commands_of<AnswerNudge>(result)[0].answer, NudgeAnswer::never);
    ASSERT_EQ(result.replies.size(), 1U);
    EXPECT_EQ(result.replies[0].to, "console:bo");
    EXPECT_TRUE(world.view.opted_out("console:bo"));
    EXPECT_TRUE(world.view.messages_to("console:anna").empty());

    // Forty days later someone else tries: the same neutral refusal.
    world.now += std::chrono::days{40};
    Chat carl(world, "console:carl", {}, "Carl");
    carl.say("hej");
    carl.say("prik bo");
    carl.click("nudge.general");
    const auto refused = carl.click("nudge.send.anonymous");
    EXPECT_TRUE(commands_of<SendNudge>(refused).empty());
    EXPECT_THAT(all_text(refused), HasSubstr(render(world, Language::da, "nudge.refused")));
  }
}

TEST(NudgedFriend, SomethingElseGetsTheWelcomeAndTheNudgeStaysOpen) {
  World world;
  Chat anna(world);
  nudge_bo(world, anna);
  Chat bo(world, "console:bo", {}, "Bo");
  auto result = bo.say("hej");
  EXPECT_TRUE(result.commands.empty());
  EXPECT_EQ(bo.conversation().state, "menu");
  EXPECT_TRUE(world.view.open_nudge_for("console:bo"));
  // In the middle of a step, "nej tak" belongs to the step; the button still answers.
  bo.click("menu.find");
  bo.click("interview.done");
  bo.click("hours.5");
  result = bo.say("nej tak");
  EXPECT_TRUE(commands_of<AnswerNudge>(result).empty());
  result = bo.click("nudge.no");
  EXPECT_EQ(commands_of<AnswerNudge>(result).size(), 1U);
}

TEST(PairPartner, AMentionedPartnerIsAskedToConfirmAndTheApplicantIsTold) {
  World world;
  world.view.set_language("slack:T1:U2", Language::en);
  Chat anna(world, "slack:T1:U1");
  anna.say("hej");
  anna.click("role.teambuilder");
  anna.click("apply.pair");
  anna.send(typed("<@U2>", {"slack:T1:U2"}));
  anna.say("Vi arrangerer fester sammen");
  auto result = anna.click("confirm.yes");
  const auto submitted = commands_of<SubmitApplication>(result);
  ASSERT_EQ(submitted.size(), 1U);
  EXPECT_EQ(submitted[0].partner, "slack:T1:U2");
  ASSERT_TRUE(submitted[0].partner_request);
  const Outgoing& request = *submitted[0].partner_request;
  EXPECT_EQ(request.to, "slack:T1:U2");
  EXPECT_EQ(request.conversation, "");
  EXPECT_THAT(request.text, HasSubstr("Anna"));
  EXPECT_THAT(request.text, HasSubstr("Team builder(s)"));  // in the partner's language
  EXPECT_THAT(request.text, HasSubstr("Vi arrangerer fester sammen"));
  EXPECT_THAT(choice_ids(request), ElementsAre("partner.confirm", "partner.decline"));
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::da, "apply.sent.pair.asked",
                                                 {{"title", "Teambuilder(e)"},
                                                  {"partner", "<@U2>"},
                                                  {"campaign", "Alternativet KV17 København"}})));

  Chat bo(world, "slack:T1:U2", "en", "Bo");
  result = bo.click("partner.confirm");
  const auto confirmed = commands_of<ConfirmPartner>(result);
  ASSERT_EQ(confirmed.size(), 1U);
  EXPECT_EQ(confirmed[0].partner, "slack:T1:U2");
  EXPECT_EQ(confirmed[0].application_id, world.view.applications_of("slack:T1:U1").at(0).id);
  EXPECT_TRUE(confirmed[0].accepted);
  EXPECT_EQ(replies_to(result, "slack:T1:U1").at(0).text,
            render(world, Language::da, "partner.confirmed.applicant",
                   {{"partner", "Bo"}, {"title", "Teambuilder(e)"}}));
  EXPECT_THAT(all_text(result),
              HasSubstr(render(world, Language::en, "partner.confirmed",
                               {{"name", "Anna"}, {"title", "Team builder(s)"}})));
  EXPECT_TRUE(world.view.partner_requests_for("slack:T1:U2").empty());
}

TEST(PairPartner, DeclineInWordsTellsTheApplicant) {
  World world;
  Chat anna(world, "matrix:@anna:example.org", "en");
  anna.say("hi");
  anna.click("role.okonomiansvarlig");
  anna.click("apply.pair");
  anna.send(typed("@bo:example.org", {"matrix:@bo:example.org"}));
  anna.say("We are both accountants");
  anna.click("confirm.yes");
  ASSERT_EQ(world.view.messages_to("matrix:@bo:example.org").size(), 1U);

  Chat bo(world, "matrix:@bo:example.org", {}, "Bo");
  const auto result = bo.say("ikke denne gang");
  const auto answered = commands_of<ConfirmPartner>(result);
  ASSERT_EQ(answered.size(), 1U);
  EXPECT_FALSE(answered[0].accepted);
  EXPECT_EQ(replies_to(result, "matrix:@anna:example.org").at(0).text,
            render(world, Language::en, "partner.declined.applicant",
                   {{"partner", "Bo"}, {"title", "Treasurer"}}));
  EXPECT_THAT(all_text(result),
              HasSubstr(render(world, Language::da, "partner.declined",
                               {{"name", "Anna"}, {"title", "Økonomiansvarlig"}})));
}

TEST(PairPartner, ANameTypedInTheTerminalStaysAName) {
  World world;
  Chat anna(world);
  anna.say("hej");
  anna.click("role.teambuilder");
  anna.click("apply.pair");
  anna.say("Bo Hansen");
  anna.say("Vi er et godt hold");
  const auto result = anna.click("confirm.yes");
  const auto submitted = commands_of<SubmitApplication>(result);
  ASSERT_EQ(submitted.size(), 1U);
  EXPECT_EQ(submitted[0].partner, "Bo Hansen");
  EXPECT_FALSE(submitted[0].partner_request);
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::da, "apply.sent.pair",
                                                 {{"title", "Teambuilder(e)"},
                                                  {"partner", "Bo Hansen"},
                                                  {"campaign", "Alternativet KV17 København"}})));
}

TEST(PairPartner, AButtonWithoutARequestIsNoAnswer) {
  World world;
  Chat bo(world, "console:bo");
  const auto result = bo.click("partner.confirm");
  EXPECT_TRUE(result.commands.empty());
  EXPECT_EQ(bo.conversation().state, "menu");
}

}  // namespace
}  // namespace prik::dialogs::testing
