// `prik run` with Matrix end to end for a tap on the shoulder: a volunteer names a friend by their
// Matrix id (or a matrix.to link), Prik creates a DM with the friend, the friend wants to hear more
// and applies, the coordinators' room gets the notice and a coordinator's "godkend <id>" there
// approves it. The real executable against a loopback homeserver.
#include <gtest/gtest.h>

#include <memory>
#include <regex>

#include "tests/bot/fixtures.hpp"
#include "tests/http/io_thread.hpp"
#include "tests/matrix/fake_homeserver.hpp"
#include "tests/run/run_support.hpp"

namespace prik::tests {
namespace {

using namespace std::chrono_literals;
using bot::testing_support::TempDir;
using nlohmann::json;
using Endpoint = FakeHomeserver::Endpoint;

const std::string kBot = "@prik:fake.example";
const std::string kToken = "syt_nudge_run_test_token";
const std::string kNudger = "@anna:fake.example";
const std::string kNudgerRoom = "!anna:fake.example";
const std::string kFriend = "@bo:fake.example";
const std::string kCoordinator = "@kim:fake.example";
const std::string kCoordinatorRoom = "!koordinering:fake.example";

class NudgeMatrixRunTest : public ::testing::Test {
 protected:
  // Starts prik with the coordinators' room as the route of kampagneleder, waits for its first
  // sync and brings the nudger into a DM with it.
  std::unique_ptr<RunProcess> start() {
    json config = run_config_with_coordinators(
        dir_.path(), "kv17-kbh",
        {{"kampagneleder", {{"users", json::array()}, {"channel", "matrix:" + kCoordinatorRoom}}}},
        {{"users", json::array()}, {"channel", ""}});
    config["matrix"]["enabled"] = true;
    config["matrix"]["homeserver_url"] = fake_.url();
    config["matrix"]["user_id"] = kBot;
    fake_.add_joined_room(kCoordinatorRoom, {{kCoordinator, "Kim"}, {"@lis:fake.example", "Lis"}});
    auto prik = std::make_unique<RunProcess>(
        write_config(dir_.path(), config),
        std::map<std::string, std::string>{{"MATRIX_ACCESS_TOKEN", kToken}},
        dir_.path() / "prik.log");
    if (!eventually([&] { return fake_.calls(Endpoint::sync) > 0; }, 20s)) return prik;
    fake_.invite(kNudgerRoom, kNudger, true, false, {{kNudger, "Anna"}});
    eventually([&] { return fake_.joined().contains(kNudgerRoom); }, 10s);
    return prik;
  }

  // The body of the next message Prik sent to `room` containing `text` (after those already read
  // there); empty when none comes.
  std::string next_in(const std::string& room, const std::string& text) {
    std::string found;
    eventually(
        [&] {
          const auto sent = fake_.sent();
          auto& cursor = read_[room];
          for (; cursor < sent.size(); ++cursor) {
            if (sent[cursor].room_id != room) continue;
            const std::string body = sent[cursor].content.value("body", "");
            if (body.find(text) != std::string::npos) {
              found = body;
              ++cursor;
              return true;
            }
          }
          return false;
        },
        20s);
    return found;
  }

  std::size_t count_in(const std::string& room, const std::string& text) {
    std::size_t count = 0;
    for (const auto& event : fake_.sent()) {
      if (event.room_id == room &&
          event.content.value("body", "").find(text) != std::string::npos) {
        ++count;
      }
    }
    return count;
  }

  // The number of the choice labelled `label`, "?" when the message has none.
  static std::string choice(const std::string& body, const std::string& label) {
    return number_of(body, label).value_or("?");
  }

  // The DM room Prik created with `user`; empty when it created none.
  std::string created_room_with(const std::string& user) {
    const auto requests = fake_.create_room_requests();
    for (std::size_t i = 0; i < requests.size(); ++i) {
      if (requests[i].value("invite", json::array()) == json::array({user})) {
        return "!created" + std::to_string(i + 1) + ":fake.example";
      }
    }
    return {};
  }

  // Starts prik; the nudger taps the friend on the shoulder by Matrix id, the friend wants to hear
  // more and applies; stops at the coordinators' notice, the application's id in application_id_
  // and the friend's DM room in friend_room_.
  void nudge_until_the_notice() {
    prik_ = start();
    ASSERT_TRUE(fake_.joined().contains(kNudgerRoom)) << prik_->log();

    // The volunteer names the friend by their Matrix id and a role, and lets Prik say who asked.
    fake_.post_text(kNudgerRoom, kNudger, "prik " + kFriend + " kampagnekoordinator");
    const std::string confirm = next_in(kNudgerRoom, danish("nudge.confirm"));
    ASSERT_FALSE(confirm.empty()) << prik_->log();
    fake_.post_text(kNudgerRoom, kNudger, choice(confirm, danish("choice.nudge.send.named")));
    ASSERT_FALSE(next_in(kNudgerRoom, danish("nudge.sent")).empty()) << prik_->log();

    // Prik creates a DM with the friend and sends the nudge there.
    ASSERT_TRUE(eventually([&] { return !created_room_with(kFriend).empty(); }, 20s))
        << prik_->log();
    friend_room_ = created_room_with(kFriend);
    const json request = fake_.create_room_requests().front();
    EXPECT_EQ(request.value("is_direct", false), true) << request.dump();
    const std::string nudge = next_in(friend_room_, "Anna tænkte på dig");
    ASSERT_FALSE(nudge.empty()) << prik_->log();
    EXPECT_NE(choice(nudge, danish("choice.nudge.more")), "?") << nudge;
    EXPECT_NE(choice(nudge, danish("choice.nudge.never")), "?") << nudge;

    // The friend joins and types "fortæl mere": the nudger hears only that, the friend sees the
    // role.
    fake_.post_event(friend_room_, kFriend, "m.room.member",
                     {{"membership", "join"}, {"displayname", "Bo"}}, kFriend);
    fake_.post_text(friend_room_, kFriend, "fortæl mere");
    ASSERT_FALSE(next_in(kNudgerRoom, danish("nudge.interested")).empty()) << prik_->log();
    const std::string details = next_in(friend_room_, danish("choice.apply.alone"));
    ASSERT_FALSE(details.empty()) << prik_->log();

    // The friend applies.
    fake_.post_text(friend_room_, kFriend, choice(details, danish("choice.apply.alone")));
    ASSERT_FALSE(next_in(friend_room_, danish("apply.words")).empty()) << prik_->log();
    fake_.post_text(friend_room_, kFriend,
                    "Jeg elsker at planlægge og få folk til at spille sammen.");
    const std::string summary = next_in(friend_room_, danish("choice.confirm.yes"));
    ASSERT_FALSE(summary.empty()) << prik_->log();
    fake_.post_text(friend_room_, kFriend, choice(summary, danish("choice.confirm.yes")));

    // The lead's room gets the notice, with the friend's words and how to approve it.
    const std::string notice = next_in(kCoordinatorRoom, danish("coord.notice.submitted"));
    ASSERT_FALSE(notice.empty()) << prik_->log();
    EXPECT_NE(notice.find("få folk til at spille sammen"), std::string::npos) << notice;
    std::smatch id;
    ASSERT_TRUE(std::regex_search(notice, id, std::regex("godkend (A-[0-9]+)"))) << notice;
    application_id_ = id[1].str();
  }

  IoThread io_;
  FakeHomeserver fake_{io_.io, kBot, kToken};
  TempDir dir_;
  std::map<std::string, std::size_t> read_;
  std::unique_ptr<RunProcess> prik_;
  std::string friend_room_;
  std::string application_id_;
};

TEST_F(NudgeMatrixRunTest, NudgedFriendAppliesAndACoordinatorApprovesInTheRoom) {
  ASSERT_NO_FATAL_FAILURE(nudge_until_the_notice());
  // Someone writing "godkend" from their own DM is no coordinator: refused, nothing changes.
  fake_.post_text(kNudgerRoom, kNudger, "godkend " + application_id_);
  ASSERT_FALSE(next_in(kNudgerRoom, danish("coord.refused")).empty()) << prik_->log();
  EXPECT_EQ(count_in(friend_room_, danish("coord.volunteer.approved")), 0u);

  // A coordinator approves in the room; the friend is told in their DM.
  fake_.post_text(kCoordinatorRoom, kCoordinator, "godkend " + application_id_);
  ASSERT_FALSE(next_in(kCoordinatorRoom, danish("coord.approved")).empty()) << prik_->log();
  ASSERT_FALSE(next_in(friend_room_, danish("coord.volunteer.approved")).empty()) << prik_->log();
  EXPECT_EQ(count_in(kNudgerRoom, danish("coord.volunteer.approved")), 0u);

  prik_->signal(SIGTERM);
  EXPECT_EQ(prik_->wait(), 0) << prik_->log();
}

TEST_F(NudgeMatrixRunTest, ACoordinatorDeclinesInTheRoomWithAMessage) {
  ASSERT_NO_FATAL_FAILURE(nudge_until_the_notice());
  fake_.post_text(kCoordinatorRoom, kCoordinator,
                  "afvis " + application_id_ + " Vi har lige fundet en til rollen");
  ASSERT_FALSE(next_in(kCoordinatorRoom, danish("coord.declined")).empty()) << prik_->log();
  const std::string told = next_in(friend_room_, danish("coord.volunteer.declined"));
  ASSERT_FALSE(told.empty()) << prik_->log();
  EXPECT_NE(told.find("Vi har lige fundet en til rollen"), std::string::npos) << told;
  EXPECT_EQ(count_in(kNudgerRoom, danish("coord.volunteer.declined")), 0u);
  prik_->signal(SIGTERM);
  EXPECT_EQ(prik_->wait(), 0) << prik_->log();
}

TEST_F(NudgeMatrixRunTest, AMatrixToLinkNamesTheFriend) {
  auto prik = start();
  ASSERT_TRUE(fake_.joined().contains(kNudgerRoom)) << prik->log();
  const std::string link = "https://matrix.to/#/" + kFriend;
  fake_.post_event(kNudgerRoom, kNudger, "m.room.message",
                   {{"msgtype", "m.text"},
                    {"body", "prik Bo"},
                    {"format", "org.matrix.custom.html"},
                    {"formatted_body", "prik <a href=\"" + link + "\">Bo</a>"}});
  // Asked for a role (unless "Bo" read as one), the volunteer leaves it to the friend.
  std::string confirm = next_in(kNudgerRoom, danish("choice.nudge.cancel"));
  if (choice(confirm, danish("choice.nudge.general")) != "?") {
    fake_.post_text(kNudgerRoom, kNudger, choice(confirm, danish("choice.nudge.general")));
    confirm = next_in(kNudgerRoom, danish("choice.nudge.send.anonymous"));
  }
  ASSERT_FALSE(confirm.empty()) << prik->log();
  fake_.post_text(kNudgerRoom, kNudger, choice(confirm, danish("choice.nudge.send.anonymous")));
  ASSERT_TRUE(eventually([&] { return !created_room_with(kFriend).empty(); }, 20s)) << prik->log();
  const std::string nudge = next_in(created_room_with(kFriend), "En, der kender dig");
  ASSERT_FALSE(nudge.empty()) << prik->log();
  EXPECT_EQ(nudge.find("Anna"), std::string::npos) << "anonymous: " << nudge;
  prik->signal(SIGTERM);
  EXPECT_EQ(prik->wait(), 0) << prik->log();
}

}  // namespace
}  // namespace prik::tests
