#include "adapters/matrix/rooms.hpp"

#include <gtest/gtest.h>

#include "tests/matrix/fixtures.hpp"

namespace prik::adapters::matrix {
namespace {

using json = nlohmann::json;

const std::string kBot = "@prik:example.com";
const std::string kDm = "!726s6s6q:example.com";

SyncResponse fixture(const std::string& name) {
  auto sync = parse_sync(tests::matrix_fixture(name));
  if (!sync) throw std::runtime_error(sync.error().to_string());
  return std::move(*sync);
}

json event(const std::string& type, const std::string& sender, json content,
           const std::string& event_id) {
  return {{"type", type}, {"sender", sender}, {"content", content}, {"event_id", event_id}};
}

json member(const std::string& user, const std::string& membership) {
  return {{"type", "m.room.member"},
          {"sender", user},
          {"state_key", user},
          {"content", {{"membership", membership}}},
          {"event_id", "$m" + user + membership}};
}

// A sync with one joined room whose timeline holds `events`.
SyncResponse timeline(const std::string& room_id, const std::vector<json>& events,
                      const std::string& next = "s2") {
  const json body = {
      {"next_batch", next},
      {"rooms", {{"join", {{room_id, {{"timeline", {{"events", json(events)}}}}}}}}}};
  return std::move(*parse_sync(body.dump()));
}

json text(const std::string& sender, const std::string& body, const std::string& event_id) {
  return event("m.room.message", sender, {{"msgtype", "m.text"}, {"body", body}}, event_id);
}

class MatrixRooms : public ::testing::Test {
 protected:
  // The tracker after the initial sync fixture.
  RoomTracker after_initial_sync(std::vector<std::string> allowed = {}) {
    RoomTracker tracker(kBot, std::move(allowed));
    tracker.apply(fixture("sync_initial.json"), /*answer_timeline=*/false);
    return tracker;
  }
};

TEST_F(MatrixRooms, FirstSyncAnswersNoOldMessagesButAcceptsTheInvite) {
  RoomTracker tracker(kBot, {});
  const SyncPlan plan = tracker.apply(fixture("sync_initial.json"), /*answer_timeline=*/false);
  EXPECT_TRUE(plan.deliveries.empty());
  EXPECT_EQ(plan.joins, std::vector<std::string>{"!696r7674:example.com"});
  EXPECT_TRUE(plan.leaves.empty());
  EXPECT_TRUE(tracker.is_direct(kDm));
  EXPECT_EQ(tracker.direct_room_for("@alice:example.com"), kDm);
  // Bob's invite is a DM too; the m.direct map learns it.
  EXPECT_TRUE(plan.direct_changed);
  EXPECT_EQ(tracker.direct_room_for("@bob:example.com"), "!696r7674:example.com");
}

TEST_F(MatrixRooms, InvitesFromServersNotAllowedAreDeclined) {
  RoomTracker tracker(kBot, {"alternativet.dk"});
  const SyncPlan plan = tracker.apply(fixture("sync_initial.json"), false);
  EXPECT_TRUE(plan.joins.empty());
  EXPECT_EQ(plan.leaves, std::vector<std::string>{"!696r7674:example.com"});
  EXPECT_FALSE(tracker.direct_room_for("@bob:example.com").has_value());
}

TEST_F(MatrixRooms, InvitesFromAnAllowedServerAreAccepted) {
  RoomTracker tracker(kBot, {"example.com"});
  EXPECT_EQ(tracker.apply(fixture("sync_initial.json"), false).joins.size(), 1u);
}

TEST_F(MatrixRooms, NewMessageBecomesAnIncomingAndTheBotsOwnEchoIsIgnored) {
  RoomTracker tracker = after_initial_sync();
  const SyncPlan plan = tracker.apply(fixture("sync_incremental_message.json"), true);
  ASSERT_EQ(plan.deliveries.size(), 1u);
  const dialogs::Incoming& incoming = plan.deliveries[0];
  EXPECT_EQ(incoming.user, "matrix:@alice:example.com");
  EXPECT_EQ(incoming.conversation, kDm);
  EXPECT_TRUE(incoming.direct);
  EXPECT_EQ(incoming.text, "This is an example text message");
  EXPECT_EQ(incoming.event_id, "$143273582446PhrSn:example.org");
  EXPECT_EQ(incoming.display_name, "Alice Margatroid");
  EXPECT_TRUE(incoming.choice_id.empty());
  EXPECT_TRUE(incoming.mentions.empty());
}

TEST_F(MatrixRooms, EditsNoticesOtherMsgtypesAndEmptyBodiesAreIgnored) {
  RoomTracker tracker = after_initial_sync();
  const std::vector<json> events = {
      event("m.room.message", "@alice:example.com",
            {{"msgtype", "m.text"},
             {"body", "* rettet"},
             {"m.new_content", {{"msgtype", "m.text"}, {"body", "rettet"}}},
             {"m.relates_to", {{"rel_type", "m.replace"}, {"event_id", "$old"}}}},
            "$edit"),
      event("m.room.message", "@alice:example.com", {{"msgtype", "m.notice"}, {"body", "bot"}},
            "$notice"),
      event("m.room.message", "@alice:example.com", {{"msgtype", "m.image"}, {"body", "x.png"}},
            "$image"),
      text("@alice:example.com", "  \n", "$blank"),
      event("m.room.redaction", "@alice:example.com", json::object(), "$redaction"),
      text(kBot, "my own words", "$own")};
  EXPECT_TRUE(tracker.apply(timeline(kDm, events), true).deliveries.empty());
}

TEST_F(MatrixRooms, EncryptedMessageInADmGivesTheMarkerOncePerRoom) {
  RoomTracker tracker = after_initial_sync();
  const json encrypted = tests::matrix_fixture_json("encrypted_event.json");
  json from_alice = encrypted;
  from_alice["sender"] = "@alice:example.com";
  json again = from_alice;
  again["event_id"] = "$second";
  const SyncPlan plan = tracker.apply(timeline(kDm, {from_alice, again}), true);
  ASSERT_EQ(plan.deliveries.size(), 1u);
  const dialogs::Incoming& marker = plan.deliveries[0];
  EXPECT_TRUE(marker.text.empty());
  EXPECT_EQ(marker.choice_id, "matrix.encrypted");
  EXPECT_EQ(marker.event_id, "matrix.encrypted:" + kDm);
  EXPECT_EQ(marker.user, "matrix:@alice:example.com");
  EXPECT_TRUE(marker.direct);
  EXPECT_TRUE(tracker.apply(timeline(kDm, {from_alice}, "s3"), true).deliveries.empty());

  tracker.forget_encrypted_notice(kDm);
  EXPECT_EQ(tracker.apply(timeline(kDm, {from_alice}, "s4"), true).deliveries.size(), 1u);
}

TEST_F(MatrixRooms, EncryptedMessageInAGroupRoomIsNotAnswered) {
  RoomTracker tracker(kBot, {});
  std::vector<json> events = {member(kBot, "join"), member("@a:x", "join"), member("@b:x", "join"),
                              tests::matrix_fixture_json("encrypted_event.json")};
  EXPECT_TRUE(tracker.apply(timeline("!group:x", events), true).deliveries.empty());
}

TEST_F(MatrixRooms, GroupRoomMessagesAreNotDirectAndCarryMentions) {
  RoomTracker tracker(kBot, {});
  std::vector<json> events = {member(kBot, "join"), member("@a:x", "join"), member("@b:x", "join"),
                              text("@a:x", "@prik:example.com can @b:x help?", "$q")};
  const SyncPlan plan = tracker.apply(timeline("!group:x", events), true);
  ASSERT_EQ(plan.deliveries.size(), 1u);
  EXPECT_FALSE(plan.deliveries[0].direct);
  EXPECT_EQ(plan.deliveries[0].mentions,
            (std::vector<std::string>{"matrix:@prik:example.com", "matrix:@b:x"}));
  EXPECT_FALSE(tracker.is_direct("!group:x"));
}

TEST_F(MatrixRooms, WhenTheOtherPersonLeavesADmTheBotLeavesToo) {
  RoomTracker tracker = after_initial_sync();
  const SyncPlan plan = tracker.apply(timeline(kDm, {member("@alice:example.com", "leave")}), true);
  EXPECT_EQ(plan.leaves, std::vector<std::string>{kDm});
  EXPECT_TRUE(plan.direct_changed);
  EXPECT_FALSE(tracker.direct_room_for("@alice:example.com").has_value());
  EXPECT_TRUE(tracker.apply(timeline(kDm, {text("@alice:example.com", "hej", "$late")}, "s3"), true)
                  .deliveries.empty());
}

TEST_F(MatrixRooms, SomeoneLeavingAGroupRoomIsNoReasonToLeave) {
  RoomTracker tracker(kBot, {});
  std::vector<json> events = {member(kBot, "join"), member("@a:x", "join"), member("@b:x", "join"),
                              member("@b:x", "leave")};
  EXPECT_TRUE(tracker.apply(timeline("!group:x", events), true).leaves.empty());
  // Now it is a room with the bot and @a:x only.
  EXPECT_TRUE(tracker.is_direct("!group:x"));
}

TEST_F(MatrixRooms, RoomsTheBotWasRemovedFromAreForgotten) {
  RoomTracker tracker = after_initial_sync();
  SyncResponse kicked = fixture("sync_incremental_message.json");
  kicked.joined.clear();
  kicked.left[0].room_id = kDm;
  tracker.apply(kicked, true);
  EXPECT_FALSE(tracker.knows(kDm));
  EXPECT_FALSE(tracker.direct_room_for("@alice:example.com").has_value());
}

TEST_F(MatrixRooms, CreatedDirectRoomIsFoundForItsPerson) {
  RoomTracker tracker(kBot, {});
  tracker.add_direct_room("@carol:x", "!new:x");
  EXPECT_EQ(tracker.direct_room_for("@carol:x"), "!new:x");
  EXPECT_TRUE(tracker.is_direct("!new:x"));
  EXPECT_EQ(direct_content(tracker.direct_rooms()), json({{"@carol:x", {"!new:x"}}}));
}

RoomEvent member_event(const std::string& user, const std::string& membership) {
  return *parse_event(member(user, membership));
}

TEST(MatrixDirectRooms, ARoomWithExactlyTheBotAndThePersonIsTheirDm) {
  const std::string carol = "@carol:example.com";
  EXPECT_TRUE(
      is_direct_between({member_event(kBot, "join"), member_event(carol, "invite")}, kBot, carol));
  EXPECT_TRUE(
      is_direct_between({member_event(kBot, "join"), member_event(carol, "join")}, kBot, carol));
  EXPECT_FALSE(is_direct_between({member_event(kBot, "join"), member_event(carol, "invite"),
                                  member_event("@dan:example.com", "join")},
                                 kBot, carol));
  EXPECT_FALSE(is_direct_between(
      {member_event(kBot, "join"), member_event(carol, "invite"), member_event(carol, "leave")},
      kBot, carol));
  EXPECT_FALSE(is_direct_between({member_event(kBot, "join")}, kBot, kBot));
}

TEST_F(MatrixRooms, MentionsOfTheBotAndOfNoticeSendersAreMarkedAsBots) {
  const std::string alice = "@alice:example.com";
  RoomTracker tracker(kBot, {});
  tracker.apply(timeline(kDm, {member(kBot, "join"), member(alice, "join")}, "s1"), false);
  const std::string other_bot = "@digest:example.com";
  const auto plan =
      tracker.apply(timeline(kDm, {event("m.room.message", other_bot,
                                         {{"msgtype", "m.notice"}, {"body", "Ugens"}}, "$n"),
                                   event("m.room.message", alice,
                                         {{"msgtype", "m.text"},
                                          {"body", "Tak @prik:example.com, spørg @bob:example.com"},
                                          {"m.mentions", {{"user_ids", {other_bot}}}}},
                                         "$t")}),
                    true);
  ASSERT_EQ(plan.deliveries.size(), 1u);
  EXPECT_EQ(plan.deliveries[0].mentions,
            (std::vector<std::string>{"matrix:" + other_bot, "matrix:" + kBot,
                                      "matrix:@bob:example.com"}));
  EXPECT_EQ(plan.deliveries[0].mentioned_bots,
            (std::vector<std::string>{"matrix:" + other_bot, "matrix:" + kBot}));
  EXPECT_TRUE(tracker.is_bot(other_bot));
  EXPECT_FALSE(tracker.is_bot(alice));
}

}  // namespace
}  // namespace prik::adapters::matrix
