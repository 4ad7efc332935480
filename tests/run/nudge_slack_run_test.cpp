// `prik run` with Slack end to end for a tap on the shoulder: a volunteer nudges a friend, the
// friend wants to hear more and applies, the coordinators' channel gets the notice with buttons,
// and a coordinator's click approves it. Several Slack users, all through signed Events API
// requests against the real executable and a loopback Slack.
#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <memory>

#include "adapters/http/client.hpp"
#include "tests/bot/fixtures.hpp"
#include "tests/http/io_thread.hpp"
#include "tests/run/run_support.hpp"
#include "tests/run/slack_run_support.hpp"

namespace prik::tests {
namespace {

using namespace std::chrono_literals;
using bot::testing_support::TempDir;
using nlohmann::json;

constexpr const char* kSecret = "nudge-run-test-signing-secret";
// The fake answers conversations.open for user X with the DM "DX".
constexpr const char* kNudger = "U1";
constexpr const char* kFriend = "U2";
constexpr const char* kStranger = "U3";
constexpr const char* kCoordinator = "UCOORD";
constexpr const char* kBotFriend = "UB";
constexpr const char* kCoordinatorChannel = "CORG";
// kampagnekoordinator works under kampagneleder.
constexpr const char* kRole = "kampagnekoordinator";

std::string dm_of(const std::string& user) { return "D" + user; }

class NudgeSlackRunTest : public ::testing::Test {
 protected:
  NudgeSlackRunTest() {
    auto client = adapters::http::Client::create(io_.io);
    if (client) client_ = std::move(*client);
    fake_.add_user({{"id", kBotFriend},
                    {"name", "helperbot"},
                    {"is_bot", true},
                    {"profile", {{"display_name", "Hjælpebot"}}}});
    fake_.add_user({{"id", kNudger},
                    {"name", "bo"},
                    {"is_bot", false},
                    {"locale", "da-DK"},
                    {"profile", {{"display_name", "Bo"}}}});
  }

  std::unique_ptr<RunProcess> start() {
    const std::string team = FakeSlack::kTeam;
    json config = run_config_with_coordinators(
        dir_.path(), "kv17-kbh",
        {{"kampagneleder",
          {{"users", json::array({"slack:" + team + ":" + kCoordinator})},
           {"channel", std::string("slack:") + kCoordinatorChannel}}}},
        {{"users", json::array()}, {"channel", ""}});
    config["slack"]["enabled"] = true;
    config["slack"]["mode"] = "http";
    config["slack"]["api_base_url"] = fake_.api_base_url();
    auto process = std::make_unique<RunProcess>(
        write_config(dir_.path(), config),
        std::map<std::string, std::string>{{"SLACK_BOT_TOKEN", FakeSlack::kBotToken},
                                           {"SLACK_SIGNING_SECRET", kSecret},
                                           {"SLACK_APP_TOKEN", FakeSlack::kAppToken}},
        dir_.path() / "prik.log");
    if (const auto port = process->port()) port_ = *port;
    return process;
  }

  adapters::http::ClientRequest signed_post(const std::string& content_type,
                                            const std::string& body) {
    adapters::http::ClientRequest post;
    post.method = "POST";
    post.url = "http://127.0.0.1:" + std::to_string(port_) + "/slack/events";
    post.content_type = content_type;
    post.body = body;
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const std::string stamp =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now).count());
    post.headers = {{"X-Slack-Request-Timestamp", stamp},
                    {"X-Slack-Signature", adapters::slack::sign(kSecret, stamp, body)}};
    return post;
  }

  // The status of Prik's answer, retried while the adapter is not attached yet (503).
  int deliver(const adapters::http::ClientRequest& post) {
    int status = -1;
    eventually(
        [&] {
          auto promise = std::make_shared<
              std::promise<adapters::http::Result<adapters::http::ClientResponse>>>();
          auto future = promise->get_future();
          client_->request(post, [promise](auto result) { promise->set_value(std::move(result)); });
          const auto result = wait_for(future);
          status = result && *result ? (*result)->status : -1;
          return status != 503;
        },
        10s);
    return status;
  }

  int say(const std::string& user, const std::string& text) {
    return deliver(signed_post(
        "application/json",
        slack_direct_message("Ev" + std::to_string(++events_), user, dm_of(user), text).dump()));
  }
  int click(const std::string& user, const std::string& channel, const std::string& choice_id) {
    const json payload =
        slack_button_click("trigger-" + std::to_string(++events_), user, channel, choice_id);
    return deliver(signed_post("application/x-www-form-urlencoded",
                               "payload=" + percent_encode(payload.dump())));
  }

  // The next post to `channel` (after those already read there) that `wanted` accepts; the posts
  // to that channel passed over on the way count as read.
  std::optional<json> next_post(const std::string& channel,
                                const std::function<bool(const json&)>& wanted) {
    std::optional<json> found;
    eventually(
        [&] {
          const auto posts = fake_.posts();
          auto& cursor = read_[channel];
          for (; cursor < posts.size(); ++cursor) {
            if (posts[cursor].value("channel", "") != channel) continue;
            if (wanted(posts[cursor])) {
              found = posts[cursor++];
              return true;
            }
          }
          return false;
        },
        20s);
    return found;
  }
  // The buttons of the next post to `channel` that has some.
  std::vector<std::string> next_question(const std::string& channel) {
    const auto post = next_post(channel, [](const json& p) { return !slack_buttons(p).empty(); });
    return post ? slack_buttons(*post) : std::vector<std::string>{};
  }
  // The next post to `channel` whose text contains `text`.
  std::optional<json> next_saying(const std::string& channel, const std::string& text) {
    return next_post(channel, [&](const json& p) {
      return p.value("text", "").find(text) != std::string::npos;
    });
  }
  // How many posts to `channel` so far contain `text`.
  std::size_t count_saying(const std::string& channel, const std::string& text) {
    std::size_t count = 0;
    for (const auto& post : fake_.posts()) {
      if (post.value("channel", "") == channel &&
          post.value("text", "").find(text) != std::string::npos) {
        ++count;
      }
    }
    return count;
  }

  // Starts prik; the nudger taps the friend on the shoulder about kRole, the friend wants to hear
  // more and applies; stops at the coordinators' notice, kept in notice_ with the application's
  // id in application_id_.
  void nudge_until_the_notice() {
    prik_ = start();
    ASSERT_NE(port_, 0) << prik_->log();

    // The volunteer taps a friend on the shoulder about a role, and lets Prik say who asked.
    ASSERT_EQ(say(kNudger, std::string("prik <@") + kFriend + "> " + kRole), 200);
    auto ids = next_question(dm_of(kNudger));
    ASSERT_TRUE(first_with_prefix(ids, "nudge.send.named")) << prik_->log();
    ASSERT_EQ(click(kNudger, dm_of(kNudger), "nudge.send.named"), 200);
    ASSERT_TRUE(next_saying(dm_of(kNudger), danish("nudge.sent"))) << prik_->log();

    // The friend gets one message in a DM Prik opened, naming the nudger, with three choices.
    const auto nudge = next_post(dm_of(kFriend), [](const json&) { return true; });
    ASSERT_TRUE(nudge) << prik_->log();
    EXPECT_GE(fake_.calls("conversations.open"), 1u);
    EXPECT_EQ(slack_buttons(*nudge),
              (std::vector<std::string>{"nudge.more", "nudge.no", "nudge.never"}));
    EXPECT_NE(nudge->value("text", "").find("Bo tænkte på dig"), std::string::npos)
        << nudge->dump();
    EXPECT_NE(nudge->value("text", "").find("Kampagnekoordinator"), std::string::npos)
        << nudge->dump();

    // "Tell me more": the nudger hears only that; the friend sees the role.
    ASSERT_EQ(click(kFriend, dm_of(kFriend), "nudge.more"), 200);
    ASSERT_TRUE(next_saying(dm_of(kNudger), danish("nudge.interested"))) << prik_->log();
    ids = next_question(dm_of(kFriend));
    ASSERT_TRUE(first_with_prefix(ids, "apply.alone")) << prik_->log();

    // The friend applies.
    ASSERT_EQ(click(kFriend, dm_of(kFriend), "apply.alone"), 200);
    ASSERT_TRUE(next_saying(dm_of(kFriend), danish("apply.words"))) << prik_->log();
    // Typed "<!channel> & <https://evil.example|klik her>": Slack escapes what people type.
    ASSERT_EQ(say(kFriend,
                  "Jeg elsker at få folk til at spille sammen. &lt;!channel&gt; &amp; "
                  "&lt;https://evil.example|klik her&gt;"),
              200);
    ids = next_question(dm_of(kFriend));
    ASSERT_TRUE(first_with_prefix(ids, "confirm.yes")) << prik_->log();
    ASSERT_EQ(click(kFriend, dm_of(kFriend), "confirm.yes"), 200);

    // The lead's channel gets the notice with Approve/Decline buttons; its coordinator a DM too.
    notice_ = next_post(kCoordinatorChannel, [](const json& post) {
      return first_with_prefix(slack_buttons(post), "coord.approve.").has_value();
    });
    ASSERT_TRUE(notice_) << prik_->log();
    EXPECT_NE(notice_->value("text", "").find("elsker at få folk til at spille sammen"),
              std::string::npos)
        << notice_->dump();
    EXPECT_NE(notice_->value("text", "").find(std::string("<@") + kFriend + ">"), std::string::npos)
        << "the friend is a mention: " << notice_->dump();
    // What the friend typed is escaped again, so it pings nobody and links nowhere; Prik's own
    // mention of the friend stays one.
    const std::string typed = "&lt;!channel&gt; &amp; &lt;https://evil.example|klik her&gt;";
    for (const std::string& shown : {notice_->value("text", ""), slack_section_text(*notice_)}) {
      EXPECT_NE(shown.find(typed), std::string::npos) << shown;
      EXPECT_EQ(shown.find("<!channel>"), std::string::npos) << shown;
      EXPECT_EQ(shown.find("<https://"), std::string::npos) << shown;
      EXPECT_NE(shown.find(std::string("<@") + kFriend + ">"), std::string::npos) << shown;
    }
    const auto approve = first_with_prefix(slack_buttons(*notice_), "coord.approve.");
    ASSERT_TRUE(approve) << notice_->dump();
    application_id_ = approve->substr(std::string_view("coord.approve.").size());
    EXPECT_TRUE(first_with_prefix(slack_buttons(*notice_), "coord.decline." + application_id_));
    EXPECT_TRUE(next_post(dm_of(kCoordinator), [&](const json& post) {
      return first_with_prefix(slack_buttons(post), *approve).has_value();
    })) << prik_->log();
  }

  IoThread io_;
  FakeSlack fake_{io_.io};
  TempDir dir_;
  std::unique_ptr<adapters::http::Client> client_;
  std::uint16_t port_ = 0;
  int events_ = 0;
  std::map<std::string, std::size_t> read_;
  std::unique_ptr<RunProcess> prik_;
  std::optional<json> notice_;
  std::string application_id_;
};

TEST_F(NudgeSlackRunTest, NudgedFriendAppliesAndACoordinatorApprovesFromTheChannel) {
  ASSERT_NO_FATAL_FAILURE(nudge_until_the_notice());
  const std::string& id = application_id_;
  const std::string approve = "coord.approve." + id;
  // Someone who is no coordinator clicking Approve (in their own DM) is refused; nothing changes.
  ASSERT_EQ(click(kStranger, dm_of(kStranger), approve), 200);
  ASSERT_TRUE(next_saying(dm_of(kStranger), danish("coord.refused"))) << prik_->log();
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(count_saying(dm_of(kFriend), danish("coord.volunteer.approved")), 0u);

  // The coordinator clicks Approve in the channel: told there, and the friend is told warmly.
  ASSERT_EQ(click(kCoordinator, kCoordinatorChannel, approve), 200);
  const auto approved = next_saying(kCoordinatorChannel, danish("coord.approved"));
  ASSERT_TRUE(approved) << prik_->log();
  EXPECT_NE(approved->value("text", "").find(id), std::string::npos) << approved->dump();
  ASSERT_TRUE(next_saying(dm_of(kFriend), danish("coord.volunteer.approved"))) << prik_->log();
  EXPECT_EQ(count_saying(dm_of(kStranger), danish("coord.volunteer.approved")), 0u);

  prik_->signal(SIGTERM);
  EXPECT_EQ(prik_->wait(), 0) << prik_->log();
}

TEST_F(NudgeSlackRunTest, ACoordinatorDeclinesWithTheButtonInTheirDm) {
  ASSERT_NO_FATAL_FAILURE(nudge_until_the_notice());
  ASSERT_EQ(click(kCoordinator, dm_of(kCoordinator), "coord.decline." + application_id_), 200);
  const auto declined = next_saying(dm_of(kCoordinator), danish("coord.declined"));
  ASSERT_TRUE(declined) << prik_->log();
  EXPECT_NE(declined->value("text", "").find(application_id_), std::string::npos)
      << declined->dump();
  const auto told = next_saying(dm_of(kFriend), danish("coord.volunteer.declined"));
  ASSERT_TRUE(told) << prik_->log();
  EXPECT_NE(told->value("text", "").find(danish("coord.volunteer.suggestions")), std::string::npos)
      << "other roles are suggested: " << told->dump();
  EXPECT_EQ(count_saying(dm_of(kNudger), danish("coord.volunteer.declined")), 0u);
  prik_->signal(SIGTERM);
  EXPECT_EQ(prik_->wait(), 0) << prik_->log();
}

TEST_F(NudgeSlackRunTest, ABotIsNeverNudgedAndTheRefusalIsTheNeutralOne) {
  auto prik = start();
  ASSERT_NE(port_, 0) << prik->log();
  ASSERT_EQ(say(kNudger, std::string("prik <@") + kBotFriend + "> " + kRole), 200);
  ASSERT_TRUE(next_saying(dm_of(kNudger), danish("nudge.refused"))) << prik->log();
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(fake_.calls("conversations.open"), 0u);
  for (const auto& post : fake_.posts()) {
    EXPECT_EQ(post.value("channel", ""), dm_of(kNudger)) << post.dump();
  }
  prik->signal(SIGTERM);
  EXPECT_EQ(prik->wait(), 0) << prik->log();
}

}  // namespace
}  // namespace prik::tests
