// The conversation document: it survives a restart, and a damaged one never locks anyone out.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/dialogs/chat.hpp"

namespace prik::dialogs::testing {
namespace {

TEST(ConversationState, RoundTripsEveryField) {
  Conversation conversation;
  conversation.language = Language::en;
  conversation.state = "apply.confirm";
  conversation.interests = {"economy", "community"};
  conversation.about = "Jeg er revisor";
  conversation.hours_per_week = 10;
  conversation.entry_id = "okonomiansvarlig";
  conversation.words = "Ord om mig";
  conversation.partner = "slack:T1:U2";
  conversation.partner_label = "<@U2>";
  conversation.offered = {"confirm.yes", "confirm.no"};
  conversation.nudge_friend = "slack:T1:U3";
  conversation.nudge_friend_label = "<@U3>";
  const auto loaded = Conversation::from_json(nlohmann::json::parse(conversation.to_json().dump()));
  EXPECT_EQ(loaded.language, conversation.language);
  EXPECT_EQ(loaded.state, conversation.state);
  EXPECT_EQ(loaded.interests, conversation.interests);
  EXPECT_EQ(loaded.about, conversation.about);
  EXPECT_EQ(loaded.hours_per_week, conversation.hours_per_week);
  EXPECT_EQ(loaded.entry_id, conversation.entry_id);
  EXPECT_EQ(loaded.words, conversation.words);
  EXPECT_EQ(loaded.partner, conversation.partner);
  EXPECT_EQ(loaded.partner_label, conversation.partner_label);
  EXPECT_EQ(loaded.offered, conversation.offered);
  EXPECT_EQ(loaded.nudge_friend, conversation.nudge_friend);
  EXPECT_EQ(loaded.nudge_friend_label, conversation.nudge_friend_label);
}

TEST(ConversationState, AnUnreadableDocumentGivesAFreshConversation) {
  for (const char* text :
       {"null", "[]", "42", "\"start\"", R"({"state": 7})", R"({"interests": "economy"})",
        R"({"language": ["da"]})", R"({"hours_per_week": "many"})"}) {
    const auto conversation = Conversation::from_json(nlohmann::json::parse(text));
    EXPECT_EQ(conversation.state, "start") << text;
    EXPECT_TRUE(conversation.interests.empty()) << text;
  }
}

TEST(ConversationState, AnUnknownStateStartsOverWithAWelcome) {
  World world;
  Conversation conversation;
  conversation.language = Language::en;
  conversation.state = "a.step.from.an.older.version";
  Incoming incoming{"console:anna", "console", true, "hello", "", "e1", "", "", {}};
  const auto result = handle_turn(conversation, incoming, world.context());
  EXPECT_EQ(result.conversation.state, "menu");
  EXPECT_EQ(result.conversation.language, Language::en);
  EXPECT_TRUE(offers(result, "menu.find"));
}

TEST(ConversationState, ARestartMidInterviewContinuesWhereItWas) {
  World world;
  Chat before(world);
  before.say("hej");
  before.click("menu.find");
  before.say("økonomi og kommunikation");
  const std::string stored = before.conversation().to_json().dump();

  World restarted;
  Chat after(restarted);
  after.set_conversation(Conversation::from_json(nlohmann::json::parse(stored)));
  EXPECT_EQ(after.conversation().state, "interview.hours");
  auto result = after.say("3");  // the third hour choice shown before the restart
  EXPECT_EQ(after.conversation().hours_per_week, 10);
  EXPECT_EQ(after.conversation().state, "interview.about");
  result = after.say("Jeg skriver gerne");
  EXPECT_EQ(after.conversation().state, "results");
  EXPECT_EQ(after.conversation().interests, (std::vector<std::string>{"economy", "communication"}));
  EXPECT_FALSE(last_choices(result).empty());
}

}  // namespace
}  // namespace prik::dialogs::testing
