// `prik run` with Slack end to end: the real executable against a loopback Slack, through the
// Events API (signed HTTP requests) and Socket Mode.
#include <gtest/gtest.h>

#include <future>
#include <memory>

#include "adapters/http/client.hpp"
#include "adapters/slack/verify.hpp"
#include "tests/bot/fixtures.hpp"
#include "tests/http/io_thread.hpp"
#include "tests/run/run_support.hpp"
#include "tests/run/slack_run_support.hpp"
#include "tests/slack/fake_slack.hpp"

namespace prik::tests {
namespace {

using namespace std::chrono_literals;
using bot::testing_support::TempDir;
using nlohmann::json;

constexpr const char* kSecret = "run-test-signing-secret";
constexpr const char* kUser = "U42";
constexpr const char* kChannel = "D42";

json direct_message(const std::string& event_id, const std::string& text) {
  return slack_direct_message(event_id, kUser, kChannel, text);
}

json button_click(const std::string& trigger_id, const std::string& choice_id) {
  return slack_button_click(trigger_id, kUser, kChannel, choice_id);
}

// A click on a button of a message Prik posted, as Slack sends it: with the message itself.
json click_on_message(const std::string& trigger_id, const json& post, const json& button) {
  json click = button_click(trigger_id, button.value("value", ""));
  click["actions"][0]["text"] = button["text"];
  click["container"] = {{"type", "message"},
                        {"message_ts", "1700000001.000100"},
                        {"channel_id", kChannel},
                        {"is_ephemeral", false}};
  click["message"] = {{"type", "message"},
                      {"ts", "1700000001.000100"},
                      {"text", post.value("text", "")},
                      {"blocks", post["blocks"]}};
  return click;
}

class SlackRunTest : public ::testing::Test {
 protected:
  SlackRunTest() {
    auto client = adapters::http::Client::create(io_.io);
    if (client) client_ = std::move(*client);
  }

  std::filesystem::path config(FakeSlack& fake, const std::string& mode = "http") {
    json config = run_config(dir_.path());
    config["slack"]["enabled"] = true;
    config["slack"]["mode"] = mode;
    config["slack"]["api_base_url"] = fake.api_base_url();
    return write_config(dir_.path(), config);
  }

  // Starts prik and waits until its HTTP server listens.
  std::unique_ptr<RunProcess> start(FakeSlack& fake, const std::string& mode = "http") {
    auto process = launch(fake, mode, FakeSlack::kBotToken);
    if (const auto port = process->port()) port_ = *port;
    return process;
  }

  std::unique_ptr<RunProcess> launch(FakeSlack& fake, const std::string& mode,
                                     const std::string& bot_token) {
    return std::make_unique<RunProcess>(config(fake, mode),
                                        std::map<std::string, std::string>{
                                            {"SLACK_BOT_TOKEN", bot_token},
                                            {"SLACK_SIGNING_SECRET", kSecret},
                                            {"SLACK_APP_TOKEN", FakeSlack::kAppToken},
                                        },
                                        dir_.path() / ("prik-" + std::to_string(++runs_) + ".log"));
  }

  adapters::http::ClientRequest request(const std::string& method, const std::string& path) {
    adapters::http::ClientRequest request;
    request.method = method;
    request.url = "http://127.0.0.1:" + std::to_string(port_) + path;
    return request;
  }

  adapters::http::ClientRequest signed_post(const std::string& content_type,
                                            const std::string& body,
                                            const std::string& secret = kSecret) {
    auto post = request("POST", "/slack/events");
    post.content_type = content_type;
    post.body = body;
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const std::string stamp =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now).count());
    post.headers = {{"X-Slack-Request-Timestamp", stamp},
                    {"X-Slack-Signature", adapters::slack::sign(secret, stamp, body)}};
    return post;
  }

  // The status of the answer; -1 without one.
  int status_of(adapters::http::ClientRequest request) {
    auto promise =
        std::make_shared<std::promise<adapters::http::Result<adapters::http::ClientResponse>>>();
    auto future = promise->get_future();
    client_->request(std::move(request),
                     [promise](auto result) { promise->set_value(std::move(result)); });
    const auto result = wait_for(future);
    if (!result || !*result) return -1;
    last_body_ = (*result)->body;
    return (*result)->status;
  }

  // Posts until recorded: a 503 means the Slack adapter is not attached yet, and Slack would retry.
  int deliver(adapters::http::ClientRequest post) {
    int status = -1;
    eventually([&] { return (status = status_of(post)) != 503; }, 10s);
    return status;
  }

  int say(const std::string& text) {
    return deliver(signed_post("application/json",
                               direct_message("Ev" + std::to_string(++events_), text).dump()));
  }
  int click(const std::string& choice_id) {
    return deliver(signed_post(
        "application/x-www-form-urlencoded",
        "payload=" + percent_encode(
                         button_click("trigger-" + std::to_string(++events_), choice_id).dump())));
  }

  // The buttons of the next post that has some, after the posts already read.
  std::vector<std::string> next_question(FakeSlack& fake) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto posts = fake.posts(read_ + 1, 1s);
      while (read_ < posts.size()) {
        const auto ids = slack_buttons(posts[read_++]);
        if (!ids.empty()) return ids;
      }
    }
    return {};
  }

  IoThread io_;
  TempDir dir_;
  std::unique_ptr<adapters::http::Client> client_;
  std::uint16_t port_ = 0;
  int runs_ = 0;
  int events_ = 0;
  std::size_t read_ = 0;
  std::string last_body_;
};

TEST_F(SlackRunTest, SignedDirectMessageGetsAReplyWithButtonsAndHealthzSaysOk) {
  FakeSlack fake(io_.io);
  auto prik = start(fake);
  ASSERT_NE(port_, 0) << prik->log();
  EXPECT_EQ(status_of(request("GET", "/healthz")), 200);
  EXPECT_EQ(last_body_, "ok\n");
  ASSERT_EQ(say("hej"), 200) << prik->log();
  const auto ids = next_question(fake);
  EXPECT_TRUE(first_with_prefix(ids, "menu.find")) << prik->log();
  EXPECT_EQ(fake.posts()[0]["channel"], kChannel);
  prik->signal(SIGTERM);
  EXPECT_EQ(prik->wait(), 0) << prik->log();
}

TEST_F(SlackRunTest, ButtonClicksLeadFromFindingARoleToAnApplication) {
  FakeSlack fake(io_.io);
  auto prik = start(fake);
  ASSERT_NE(port_, 0) << prik->log();
  ASSERT_EQ(say("hej"), 200);
  auto ids = next_question(fake);
  ASSERT_TRUE(first_with_prefix(ids, "menu.find")) << prik->log();
  ASSERT_EQ(click("menu.find"), 200);
  ids = next_question(fake);
  const auto interest = first_with_prefix(ids, "interest.");
  ASSERT_TRUE(interest) << prik->log();
  ASSERT_EQ(click(*interest), 200);
  ids = next_question(fake);
  if (first_with_prefix(ids, "interview.done")) {
    ASSERT_EQ(click("interview.done"), 200);
    ids = next_question(fake);
  }
  ASSERT_TRUE(first_with_prefix(ids, "hours.5")) << prik->log();
  ASSERT_EQ(click("hours.5"), 200);
  next_question(fake);
  ASSERT_EQ(say("Jeg kan godt lide at snakke med folk og dele løbesedler ud på gaden."), 200);
  ids = next_question(fake);
  const auto apply = first_with_prefix(ids, "apply.role.");
  ASSERT_TRUE(apply) << prik->log();
  ASSERT_EQ(click(*apply), 200);
  next_question(fake);
  ASSERT_EQ(say("Jeg har tid om aftenen og møder gerne op."), 200);
  ids = next_question(fake);
  ASSERT_TRUE(first_with_prefix(ids, "confirm.yes")) << prik->log();
  ASSERT_EQ(click("confirm.yes"), 200);
  ids = next_question(fake);
  EXPECT_TRUE(first_with_prefix(ids, "menu.mine")) << prik->log();
  prik->signal(SIGTERM);
  ASSERT_EQ(prik->wait(), 0) << prik->log();

  // The application survives the restart.
  auto again = start(fake);
  ASSERT_NE(port_, 0) << again->log();
  ASSERT_EQ(click("menu.mine"), 200);
  ids = next_question(fake);
  EXPECT_TRUE(
      first_with_prefix(ids, "withdraw." + apply->substr(std::string_view("apply.role.").size())))
      << again->log();
  again->signal(SIGINT);
  EXPECT_EQ(again->wait(), 0) << again->log();
}

TEST_F(SlackRunTest, FirstReplyGreetsByNameInTheUsersLanguageAndAClickIsMarked) {
  FakeSlack fake(io_.io);
  fake.add_user({{"id", kUser},
                 {"name", "sam"},
                 {"is_bot", false},
                 {"locale", "en-US"},
                 {"profile", {{"display_name", "Sam"}}}});
  auto prik = start(fake);
  ASSERT_NE(port_, 0) << prik->log();
  ASSERT_EQ(say("hello"), 200) << prik->log();
  ASSERT_TRUE(first_with_prefix(next_question(fake), "menu.find")) << prik->log();
  const auto posts = fake.posts();
  ASSERT_FALSE(posts.empty());
  EXPECT_TRUE(posts[0].value("text", "").starts_with("Hi Sam!")) << posts[0].dump();

  const json& question = posts[read_ - 1];
  json find_button;
  for (const auto& block : question["blocks"]) {
    if (block.value("type", "") != "actions") continue;
    for (const auto& element : block["elements"]) {
      if (element.value("value", "").starts_with("menu.find")) find_button = element;
    }
  }
  ASSERT_TRUE(find_button.is_object()) << question.dump();
  ASSERT_EQ(
      deliver(signed_post(
          "application/x-www-form-urlencoded",
          "payload=" +
              percent_encode(click_on_message("trigger-marked", question, find_button).dump()))),
      200);
  const auto updates = fake.updates(1, 10s);
  ASSERT_EQ(updates.size(), 1u) << prik->log();
  EXPECT_EQ(updates[0]["channel"], kChannel);
  bool marked = false;
  for (const auto& block : updates[0]["blocks"]) {
    EXPECT_NE(block.value("type", ""), "actions") << "the buttons are gone";
    if (block.value("type", "") == "context") {
      marked = block["elements"][0]["text"].get<std::string>().ends_with(
          find_button["text"]["text"].get<std::string>());
    }
  }
  EXPECT_TRUE(marked) << updates[0].dump();
  EXPECT_FALSE(next_question(fake).empty()) << "the click was taken: " << prik->log();
  prik->signal(SIGTERM);
  EXPECT_EQ(prik->wait(), 0) << prik->log();
}

TEST_F(SlackRunTest, BadSignatureIsRefusedWith401AndNothingHappens) {
  FakeSlack fake(io_.io);
  auto prik = start(fake);
  ASSERT_NE(port_, 0) << prik->log();
  const auto forged =
      signed_post("application/json", direct_message("Ev1", "hej").dump(), "not-the-secret");
  EXPECT_EQ(deliver(forged), 401);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(fake.calls("chat.postMessage"), 0u);
  prik->signal(SIGTERM);
  EXPECT_EQ(prik->wait(), 0) << prik->log();
}

TEST_F(SlackRunTest, RetriedEventIsAnsweredOnce) {
  FakeSlack fake(io_.io);
  auto prik = start(fake);
  ASSERT_NE(port_, 0) << prik->log();
  const std::string body = direct_message("EvRetried", "hej").dump();
  ASSERT_EQ(deliver(signed_post("application/json", body)), 200);
  ASSERT_FALSE(next_question(fake).empty()) << prik->log();
  const auto replies = fake.posts().size();
  auto retry = signed_post("application/json", body);
  retry.headers.emplace_back("X-Slack-Retry-Num", "1");
  retry.headers.emplace_back("X-Slack-Retry-Reason", "http_timeout");
  EXPECT_EQ(deliver(retry), 200);
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(fake.posts().size(), replies);
  prik->signal(SIGTERM);
  EXPECT_EQ(prik->wait(), 0) << prik->log();
}

TEST_F(SlackRunTest, RateLimitedPostIsRetriedAndDeliveredOnce) {
  FakeSlack fake(io_.io);
  auto limited = adapters::http::Response::json(429, R"({"ok":false,"error":"ratelimited"})");
  limited.headers = {{"Retry-After", "1"}};
  fake.fail_next("chat.postMessage", limited);
  auto prik = start(fake);
  ASSERT_NE(port_, 0) << prik->log();
  ASSERT_EQ(say("hej"), 200);
  ASSERT_FALSE(next_question(fake).empty()) << prik->log();
  const auto replies = fake.posts();
  ASSERT_EQ(replies.size(), 1u) << "the welcome and the menu are one message";
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(fake.posts().size(), 1u);
  EXPECT_EQ(fake.calls("chat.postMessage"), 2u);
  prik->signal(SIGTERM);
  EXPECT_EQ(prik->wait(), 0) << prik->log();
}

TEST_F(SlackRunTest, RepliesUnsentAtAHardKillAreDeliveredAfterTheRestart) {
  std::size_t replies = 0;
  {
    FakeSlack failing(io_.io);
    for (int i = 0; i < 50; ++i) {
      failing.fail_next("chat.postMessage", adapters::http::Response::text(503, "down\n"));
    }
    auto prik = start(failing);
    ASSERT_NE(port_, 0) << prik->log();
    ASSERT_EQ(say("hej"), 200);
    ASSERT_TRUE(eventually([&] { return failing.calls("chat.postMessage") >= 1; }, 10s));
    prik->kill_hard();
    EXPECT_TRUE(failing.posts().empty());
  }
  FakeSlack healthy(io_.io);
  auto prik = start(healthy);
  ASSERT_NE(port_, 0) << prik->log();
  read_ = 0;
  const auto ids = next_question(healthy);
  EXPECT_TRUE(first_with_prefix(ids, "menu.find")) << prik->log();
  replies = healthy.posts().size();
  EXPECT_EQ(replies, 1u);
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(healthy.posts().size(), replies);
  prik->signal(SIGTERM);
  EXPECT_EQ(prik->wait(), 0) << prik->log();
}

TEST_F(SlackRunTest, SocketModeEnvelopeIsAcknowledgedAndAnswered) {
  FakeSlack fake(io_.io);
  auto prik = start(fake, "socket");
  ASSERT_NE(port_, 0) << prik->log();
  ASSERT_TRUE(fake.wait_for_socket_connections(1)) << prik->log();
  fake.send_to_socket({{"envelope_id", "envelope-1"},
                       {"type", "events_api"},
                       {"accepts_response_payload", false},
                       {"payload", direct_message("EvSocket", "hej")}});
  const auto acks = fake.acks(1, 10s);
  ASSERT_EQ(acks.size(), 1u) << prik->log();
  EXPECT_EQ(json::parse(acks[0])["envelope_id"], "envelope-1");
  EXPECT_TRUE(first_with_prefix(next_question(fake), "menu.find")) << prik->log();
  EXPECT_EQ(status_of(request("POST", "/slack/events")), 404);
  prik->signal(SIGTERM);
  EXPECT_EQ(prik->wait(), 0) << prik->log();
}

TEST_F(SlackRunTest, RefusedBotTokenStopsWithAClearMessage) {
  FakeSlack fake(io_.io);
  auto prik = launch(fake, "http", "xoxb-revoked");
  EXPECT_EQ(prik->wait(), 1);
  EXPECT_NE(prik->log().find("Slack refused the bot token from $SLACK_BOT_TOKEN (invalid_auth)"),
            std::string::npos)
      << prik->log();
}

TEST_F(SlackRunTest, NothingEnabledIsReportedAndExitsWithOne) {
  RunProcess prik(write_config(dir_.path(), run_config(dir_.path())), {}, dir_.path() / "log");
  EXPECT_EQ(prik.wait(), 1);
  EXPECT_NE(prik.log().find("no chat platform is enabled"), std::string::npos) << prik.log();
}

}  // namespace
}  // namespace prik::tests
