#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "adapters/http/client.hpp"
#include "adapters/http/server.hpp"
#include "adapters/slack/slack_adapter.hpp"
#include "adapters/slack/user_directory.hpp"
#include "adapters/slack/verify.hpp"
#include "tests/http/io_thread.hpp"
#include "tests/slack/fake_slack.hpp"

namespace prik::adapters::slack {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using tests::FakeSlack;

constexpr const char* kSecret = "test-signing-secret";
constexpr std::int64_t kNow = 1'700'000'000;

std::string fixture_text(const std::string& name) {
  std::ifstream in(std::string(PRIK_SOURCE_DIR) + "/tests/slack/fixtures/" + name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Polls `condition` until it holds or `limit` has passed.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// An interactivity request body: the payload's JSON, form-encoded.
std::string form_payload(const json& payload) {
  std::string encoded = "payload=";
  for (unsigned char c : payload.dump()) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%%%02X", c);
    encoded += std::isalnum(c) ? std::string(1, static_cast<char>(c)) : std::string(hex);
  }
  return encoded;
}

json direct_message(const std::string& event_id, const std::string& user, const std::string& text) {
  return {{"type", "event_callback"},
          {"team_id", FakeSlack::kTeam},
          {"event_id", event_id},
          {"event",
           {{"type", "message"},
            {"channel", "D" + user},
            {"channel_type", "im"},
            {"user", user},
            {"text", text},
            {"ts", "1700000000.000100"}}}};
}

json slack_user(const std::string& id, const std::string& display_name, const std::string& locale,
                bool is_bot = false) {
  return {{"id", id},
          {"name", "x" + id},
          {"is_bot", is_bot},
          {"locale", locale},
          {"profile", {{"display_name", display_name}, {"real_name", display_name + " Real"}}}};
}

// Records what it is given; answers `done` at once with `accept`, or holds it when `hold` is set.
class RecordingSink : public IncomingSink {
 public:
  void deliver(dialogs::Incoming incoming, std::function<void(bool)> done) override {
    std::unique_lock lock(mutex_);
    received_.push_back(std::move(incoming));
    if (hold_) {
      held_.push_back(std::move(done));
      changed_.notify_all();
      return;
    }
    const bool accept = accept_;
    changed_.notify_all();
    lock.unlock();
    done(accept);
  }

  std::vector<dialogs::Incoming> received(std::size_t count = 0,
                                          std::chrono::milliseconds limit = 5s) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, limit, [&] { return received_.size() >= count; });
    return received_;
  }
  std::function<void(bool)> take_held(std::chrono::milliseconds limit = 5s) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, limit, [&] { return !held_.empty(); });
    if (held_.empty()) return {};
    auto done = std::move(held_.front());
    held_.erase(held_.begin());
    return done;
  }
  void set_accept(bool accept) {
    std::lock_guard lock(mutex_);
    accept_ = accept;
  }
  void set_hold(bool hold) {
    std::lock_guard lock(mutex_);
    hold_ = hold;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<dialogs::Incoming> received_;
  std::vector<std::function<void(bool)>> held_;
  bool accept_ = true;
  bool hold_ = false;
};

class SlackAdapterTest : public ::testing::Test {
 protected:
  void start(SlackAdapterOptions::Mode mode = SlackAdapterOptions::Mode::events_api,
             std::function<void(SlackAdapterOptions&)> adjust = {}) {
    if (!fake_) fake_ = std::make_unique<FakeSlack>(io_.io);
    SlackAdapterOptions options;
    options.mode = mode;
    options.api.api_base_url = fake_->api_base_url();
    options.api.bot_token = FakeSlack::kBotToken;
    options.api.app_token = FakeSlack::kAppToken;
    options.signing_secret = kSecret;
    options.body_limit = 64 << 10;
    options.per_channel_interval = 0ms;
    options.socket_mode.reconnect.initial_delay = 50ms;
    options.now = [] { return std::chrono::system_clock::time_point(std::chrono::seconds(kNow)); };
    if (adjust) adjust(options);
    auto adapter = SlackAdapter::create(io_.io, options);
    ASSERT_TRUE(adapter) << adapter.error().to_string();
    adapter_ = std::move(*adapter);
    router_.add("POST", "/slack/events", adapter_->events_handler());
    server_ = std::make_unique<http::Server>(io_.io, router_);
    auto port = server_->listen("127.0.0.1", 0);
    ASSERT_TRUE(port);
    port_ = *port;
    auto client = http::Client::create(io_.io);
    ASSERT_TRUE(client);
    client_ = std::move(*client);
    adapter_->start(sink_);
  }

  void TearDown() override {
    if (adapter_) adapter_->stop();
    if (server_) {
      std::promise<void> stopped;
      auto future = stopped.get_future();
      server_->stop(1s, [&stopped] { stopped.set_value(); });
      future.wait_for(5s);
    }
    fake_.reset();
    std::this_thread::sleep_for(50ms);
  }

  http::ClientRequest signed_post(const std::string& body, const std::string& content_type,
                                  std::int64_t timestamp = kNow) {
    http::ClientRequest request;
    request.method = "POST";
    request.url = "http://127.0.0.1:" + std::to_string(port_) + "/slack/events";
    request.content_type = content_type;
    request.body = body;
    const std::string stamp = std::to_string(timestamp);
    request.headers = {{"X-Slack-Request-Timestamp", stamp},
                       {"X-Slack-Signature", sign(kSecret, stamp, body)}};
    return request;
  }

  std::future<http::Result<http::ClientResponse>> post_async(http::ClientRequest request) {
    auto promise = std::make_shared<std::promise<http::Result<http::ClientResponse>>>();
    auto future = promise->get_future();
    client_->request(std::move(request), [promise](http::Result<http::ClientResponse> result) {
      promise->set_value(std::move(result));
    });
    return future;
  }

  // The event as its turn gets it: completed by the adapter (nullopt after 10 s).
  std::optional<dialogs::Incoming> completed(dialogs::Incoming incoming) {
    auto promise = std::make_shared<std::promise<dialogs::Incoming>>();
    auto future = promise->get_future();
    adapter_->complete(std::move(incoming),
                       [promise](dialogs::Incoming done) { promise->set_value(std::move(done)); });
    return tests::wait_for(future);
  }

  int status_of(http::ClientRequest request) {
    auto future = post_async(std::move(request));
    auto result = tests::wait_for(future);
    if (!result || !*result) return -1;
    return (*result)->status;
  }

  // Waits until auth.test has told the adapter who it is.
  bool knows_itself() {
    for (int i = 0; i < 250 && adapter_->identity().user_id.empty(); ++i) {
      std::this_thread::sleep_for(20ms);
    }
    return !adapter_->identity().user_id.empty();
  }

  SendResult send(dialogs::Outgoing message) {
    std::promise<SendResult> promise;
    auto future = promise.get_future();
    adapter_->send(OutboxMessage{"out-1", std::move(message), 0},
                   [&promise](SendResult result) { promise.set_value(std::move(result)); });
    auto result = tests::wait_for(future);
    return result ? *result : SendResult{SendResult::Kind::retry, {}, "no answer in time"};
  }

  tests::IoThread io_;
  RecordingSink sink_;
  http::Router router_;
  std::unique_ptr<FakeSlack> fake_;
  std::unique_ptr<SlackAdapter> adapter_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<http::Client> client_;
  std::uint16_t port_ = 0;
};

TEST_F(SlackAdapterTest, SignedDirectMessageReachesTheSinkAnd200ComesOnlyAfterRecording) {
  sink_.set_hold(true);
  start();
  auto answer = post_async(signed_post(fixture_text("event_message_im.json"), "application/json"));
  auto done = sink_.take_held();
  ASSERT_TRUE(done);
  EXPECT_EQ(answer.wait_for(200ms), std::future_status::timeout) << "answered before recording";
  done(true);
  auto response = tests::wait_for(answer);
  ASSERT_TRUE(response && *response);
  EXPECT_EQ((*response)->status, 200);
  const auto received = sink_.received(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].user, "slack:T123ABC456:U2147483697");
  EXPECT_EQ(received[0].text, "Hello hello can you hear me?");
  EXPECT_EQ(received[0].event_id, "Ev0PV52K21");
}

TEST_F(SlackAdapterTest, ManyEventsAtOnceAreEachRecordedOnceAndAnswered) {
  start();
  std::vector<std::future<http::Result<http::ClientResponse>>> answers;
  for (int i = 0; i < 40; ++i) {
    const auto index = std::to_string(i);
    const auto body = direct_message("EvMany" + index, "U" + index, "hej");
    answers.push_back(post_async(signed_post(body.dump(), "application/json")));
  }
  for (auto& answer : answers) {
    auto response = tests::wait_for(answer);
    ASSERT_TRUE(response && *response);
    EXPECT_EQ((*response)->status, 200);
  }
  const auto received = sink_.received(40);
  std::set<std::string> event_ids;
  for (const auto& incoming : received) event_ids.insert(incoming.event_id);
  EXPECT_EQ(received.size(), 40u);
  EXPECT_EQ(event_ids.size(), 40u);
}

TEST_F(SlackAdapterTest, EventTheSinkCouldNotRecordGets503SoSlackRetries) {
  sink_.set_accept(false);
  start();
  EXPECT_EQ(status_of(signed_post(fixture_text("event_message_im.json"), "application/json")), 503);
}

TEST_F(SlackAdapterTest, BadSignatureStaleTimestampOversizedAndMalformedAreRefused) {
  start();
  const std::string body = fixture_text("event_message_im.json");
  auto forged = signed_post(body, "application/json");
  forged.headers[1].second = sign("another-secret", std::to_string(kNow), body);
  EXPECT_EQ(status_of(forged), 401);
  EXPECT_EQ(status_of(signed_post(body, "application/json", kNow - 301)), 401);
  auto unsigned_request = signed_post(body, "application/json");
  unsigned_request.headers.clear();
  EXPECT_EQ(status_of(unsigned_request), 401);
  EXPECT_EQ(status_of(signed_post(std::string(70 << 10, ' '), "application/json")), 413);
  EXPECT_EQ(status_of(signed_post("{\"type\":", "application/json")), 400);
  EXPECT_TRUE(sink_.received(0, 0ms).empty());
}

TEST_F(SlackAdapterTest, SslCheckOfTheSlashCommandUrlIsAnsweredUnsignedAndNothingElse) {
  start();
  auto ssl_check = signed_post("ssl_check=1&token=gIkuvaNzQIHg97ATvDxqgjtO",
                               "application/x-www-form-urlencoded");
  ssl_check.headers.clear();  // Slack does not sign it
  EXPECT_EQ(status_of(ssl_check), 200);
  // A command or payload riding along makes it an ordinary request, which must be signed.
  auto smuggled = signed_post(
      "ssl_check=1&command=%2Fprik&user_id=U9&team_id=T111&channel_id=D9&trigger_id=1.2.3",
      "application/x-www-form-urlencoded");
  smuggled.headers.clear();
  EXPECT_EQ(status_of(smuggled), 401);
  EXPECT_TRUE(sink_.received(0, 0ms).empty());
}

TEST_F(SlackAdapterTest, UrlVerificationIsAnsweredWithTheChallenge) {
  start();
  auto answer = post_async(signed_post(fixture_text("url_verification.json"), "application/json"));
  auto response = tests::wait_for(answer);
  ASSERT_TRUE(response && *response);
  EXPECT_EQ((*response)->status, 200);
  EXPECT_EQ(json::parse((*response)->body)["challenge"],
            "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
  EXPECT_TRUE(sink_.received(0, 0ms).empty());
}

TEST_F(SlackAdapterTest, RetriedEventReachesTheSinkWithTheSameEventId) {
  start();
  const std::string body = fixture_text("event_message_im.json");
  EXPECT_EQ(status_of(signed_post(body, "application/json")), 200);
  auto retry = signed_post(body, "application/json");
  retry.headers.emplace_back("X-Slack-Retry-Num", "1");
  retry.headers.emplace_back("X-Slack-Retry-Reason", "http_timeout");
  EXPECT_EQ(status_of(retry), 200);
  const auto received = sink_.received(2);
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].event_id, received[1].event_id);
}

TEST_F(SlackAdapterTest, BotMessagesAreAcknowledgedButNotDelivered) {
  start();
  EXPECT_EQ(status_of(signed_post(fixture_text("event_message_from_bot.json"), "application/json")),
            200);
  EXPECT_TRUE(sink_.received(0, 0ms).empty());
}

TEST_F(SlackAdapterTest, ButtonClickPayloadBecomesTheChoiceId) {
  start();
  EXPECT_EQ(status_of(signed_post(form_payload(json::parse(fixture_text("block_actions.json"))),
                                  "application/x-www-form-urlencoded")),
            200);
  const auto received = sink_.received(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].choice_id, "click_me_123");
  EXPECT_EQ(received[0].event_id, "slack-action:111.222.valid");
}

TEST_F(SlackAdapterTest, SlashCommandTextIsDelivered) {
  start();
  EXPECT_EQ(status_of(signed_post("command=%2Fprik&text=hj%C3%A6lp&user_id=U9&team_id=T111&"
                                  "channel_id=D9&trigger_id=1.2.3",
                                  "application/x-www-form-urlencoded")),
            200);
  const auto received = sink_.received(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].text, "hjælp");
  EXPECT_EQ(received[0].user, "slack:T111:U9");
}

TEST_F(SlackAdapterTest, StartLearnsTheBotIdentityWithAuthTest) {
  start();
  for (int i = 0; i < 100 && adapter_->identity().user_id.empty(); ++i) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(adapter_->identity().user_id, FakeSlack::kBotUser);
  EXPECT_EQ(adapter_->identity().bot_id, FakeSlack::kBotId);
}

TEST_F(SlackAdapterTest, SendOpensTheDirectMessageAndPostsTextWithButtons) {
  start();
  const auto result = send({"slack:T111:U123", "", "Vil du hjælpe?", {{"menu.find", "Find"}}});
  EXPECT_EQ(result.kind, SendResult::Kind::delivered) << result.detail;
  const auto posts = fake_->posts(1);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0]["channel"], "DU123");
  EXPECT_EQ(posts[0]["text"], "Vil du hjælpe?");
  EXPECT_EQ(posts[0]["blocks"][1]["elements"][0]["value"], "menu.find");
  EXPECT_EQ(send({"slack:T111:U123", "", "igen", {}}).kind, SendResult::Kind::delivered);
  EXPECT_EQ(fake_->calls("conversations.open"), 1u) << "the DM channel is remembered";
}

TEST_F(SlackAdapterTest, RateLimitedPostIsRetriedAfterRetryAfterAndPostedOnce) {
  start();
  auto limited = http::Response::json(429, fixture_text("error_ratelimited.json"));
  limited.headers.emplace_back("Retry-After", "1");
  fake_->fail_next("chat.postMessage", limited);
  const dialogs::Outgoing message{"slack:T111:U1", "C1", "hej", {}};
  const auto first = send(message);
  EXPECT_EQ(first.kind, SendResult::Kind::retry);
  EXPECT_EQ(first.retry_after, 1000ms);
  EXPECT_TRUE(fake_->posts(0, 0ms).empty());
  std::this_thread::sleep_for(first.retry_after);
  EXPECT_EQ(send(message).kind, SendResult::Kind::delivered);
  EXPECT_EQ(fake_->posts(1).size(), 1u);
}

TEST_F(SlackAdapterTest, PermanentSlackErrorIsAPermanentFailureWithItsCode) {
  start();
  fake_->fail_next("chat.postMessage",
                   http::Response::json(200, R"({"ok":false,"error":"channel_not_found"})"));
  const auto result = send({"slack:T111:U1", "C404", "hej", {}});
  EXPECT_EQ(result.kind, SendResult::Kind::permanent_failure);
  EXPECT_EQ(result.detail, "channel_not_found");
}

TEST_F(SlackAdapterTest, ServerErrorsAndTransientSlackErrorsAreRetried) {
  start();
  fake_->fail_next("chat.postMessage", http::Response::text(503, "down"));
  EXPECT_EQ(send({"slack:T111:U1", "C1", "hej", {}}).kind, SendResult::Kind::retry);
  fake_->fail_next("chat.postMessage",
                   http::Response::json(200, R"({"ok":false,"error":"internal_error"})"));
  EXPECT_EQ(send({"slack:T111:U1", "C1", "hej", {}}).kind, SendResult::Kind::retry);
}

TEST_F(SlackAdapterTest, MessageForAnotherPlatformIsAPermanentFailure) {
  start();
  EXPECT_EQ(send({"matrix:@bo:example.org", "", "hej", {}}).kind,
            SendResult::Kind::permanent_failure);
}

TEST(SlackWebApi, RefusedTokenIsAClearPermanentError) {
  tests::IoThread io;
  FakeSlack fake(io.io);
  auto client = http::Client::create(io.io);
  ASSERT_TRUE(client);
  WebApi api(**client, {fake.api_base_url(), "xoxb-wrong", "", 5s});
  std::promise<ApiResult<BotIdentity>> promise;
  auto future = promise.get_future();
  api.auth_test([&promise](ApiResult<BotIdentity> result) { promise.set_value(result); });
  auto result = tests::wait_for(future);
  ASSERT_TRUE(result);
  ASSERT_FALSE(*result);
  EXPECT_EQ(result->error().code, "invalid_auth");
  EXPECT_TRUE(result->error().permanent());
}

TEST(SlackWebApi, UsersInfoGivesDisplayNameAndLocale) {
  tests::IoThread io;
  FakeSlack fake(io.io);
  auto client = http::Client::create(io.io);
  ASSERT_TRUE(client);
  WebApi api(**client, {fake.api_base_url(), FakeSlack::kBotToken, "", 5s});
  std::promise<ApiResult<UserInfo>> promise;
  auto future = promise.get_future();
  api.users_info("U1", [&promise](ApiResult<UserInfo> result) { promise.set_value(result); });
  auto result = tests::wait_for(future);
  ASSERT_TRUE(result && *result);
  EXPECT_EQ((*result)->display_name, "Anna");
  EXPECT_EQ((*result)->locale, "da-DK");
}

TEST_F(SlackAdapterTest, SocketModeEnvelopeIsAcknowledgedOnlyAfterTheSinkRecordedIt) {
  sink_.set_hold(true);
  start(SlackAdapterOptions::Mode::socket_mode);
  ASSERT_TRUE(fake_->wait_for_socket_connections(1));
  fake_->send_to_socket(json::parse(fixture_text("socket_mode_envelope_events_api.json")));
  auto done = sink_.take_held();
  ASSERT_TRUE(done);
  EXPECT_TRUE(fake_->acks(1, 200ms).empty()) << "acknowledged before recording";
  done(true);
  const auto acks = fake_->acks(1);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(json::parse(acks[0]), json({{"envelope_id", "cda4159a-72a5-4744-aba3-4d66eb52682b"}}));
  const auto received = sink_.received(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].user, "slack:T111:U222");
  EXPECT_EQ(received[0].event_id, "Ev111");
}

TEST_F(SlackAdapterTest, SocketModeDisconnectLeadsToAFreshConnection) {
  start(SlackAdapterOptions::Mode::socket_mode);
  ASSERT_TRUE(fake_->wait_for_socket_connections(1));
  fake_->send_to_socket(json::parse(fixture_text("socket_mode_disconnect.json")));
  ASSERT_TRUE(fake_->wait_for_socket_connections(2));
  EXPECT_EQ(fake_->calls("apps.connections.open"), 2u);
  fake_->send_to_socket(json::parse(fixture_text("socket_mode_envelope_events_api.json")));
  EXPECT_EQ(fake_->acks(1).size(), 1u);
}

TEST_F(SlackAdapterTest, SocketModeReconnectsAfterTheConnectionDropsWhenOpenFails) {
  start(SlackAdapterOptions::Mode::socket_mode);
  ASSERT_TRUE(fake_->wait_for_socket_connections(1));
  fake_->fail_next("apps.connections.open", http::Response::text(500, "down"));
  fake_->send_to_socket(json{{"type", "disconnect"}, {"reason", "refresh_requested"}});
  ASSERT_TRUE(fake_->wait_for_socket_connections(2));
  EXPECT_EQ(fake_->calls("apps.connections.open"), 3u);
}

TEST_F(SlackAdapterTest, FirstMessageCarriesTheSendersNameAndLocaleAndAKnownUserCostsNothing) {
  fake_ = std::make_unique<FakeSlack>(io_.io);
  fake_->add_user(slack_user("U500", "Birgit", "en-GB"));
  start();
  EXPECT_EQ(status_of(signed_post(direct_message("Ev1", "U500", "hi").dump(), "application/json")),
            200);
  EXPECT_EQ(status_of(signed_post(direct_message("Ev2", "U500", "and").dump(), "application/json")),
            200);
  const auto received = sink_.received(2);
  ASSERT_EQ(received.size(), 2u);
  for (const auto& incoming : received) {
    const auto turn = completed(incoming);
    ASSERT_TRUE(turn);
    EXPECT_EQ(turn->display_name, "Birgit");
    EXPECT_EQ(turn->locale, "en-GB");
    EXPECT_TRUE(turn->mentioned_bots.empty());
  }
  EXPECT_EQ(fake_->calls("users.info"), 1u) << "the second event used the cache";
}

TEST_F(SlackAdapterTest, MentionedBotsAreListedPrikAndSlackbotWithoutALookUp) {
  fake_ = std::make_unique<FakeSlack>(io_.io);
  fake_->add_user(slack_user("U600", "Carl", "da-DK"));
  fake_->add_user(slack_user("U601", "Dorte", "da-DK"));
  fake_->add_user(slack_user("B-USER", "Helper bot", "en-US", true));
  start();
  ASSERT_TRUE(knows_itself());
  auto event = direct_message("Ev3", "U600", "");
  event["event"]["type"] = "app_mention";
  event["event"]["channel"] = "C1";
  event["event"].erase("channel_type");
  event["event"]["text"] = "<@UBOT> vi er <@U601>, <@B-USER> og <@USLACKBOT>";
  EXPECT_EQ(status_of(signed_post(event.dump(), "application/json")), 200);
  const auto received = sink_.received(1);
  ASSERT_EQ(received.size(), 1u);
  const auto turn = completed(received[0]);
  ASSERT_TRUE(turn);
  EXPECT_EQ(turn->display_name, "Carl");
  EXPECT_EQ(turn->mentions, (std::vector<std::string>{"slack:T111:U601", "slack:T111:B-USER",
                                                      "slack:T111:USLACKBOT"}));
  EXPECT_EQ(turn->mentioned_bots,
            (std::vector<std::string>{"slack:T111:B-USER", "slack:T111:USLACKBOT"}));
  EXPECT_EQ(fake_->calls("users.info"), 3u) << "the sender, Dorte and the helper bot";
}

TEST_F(SlackAdapterTest, TheAcknowledgementNeverWaitsForALookUp) {
  fake_ = std::make_unique<FakeSlack>(io_.io);
  fake_->add_user(slack_user("U650", "Frida", "en-US"));
  fake_->delay("users.info", 1500ms);
  start(SlackAdapterOptions::Mode::events_api,
        [](SlackAdapterOptions& options) { options.users.lookup_timeout = 5s; });
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_EQ(status_of(signed_post(direct_message("Ev9", "U650", "hi").dump(), "application/json")),
            200);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 1000ms);
  const auto received = sink_.received(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_TRUE(received[0].display_name.empty()) << "recorded as it came";
  EXPECT_EQ(fake_->calls("users.info"), 0u) << "no look-up before the turn asks";
  const auto turn = completed(received[0]);
  ASSERT_TRUE(turn);
  EXPECT_GE(std::chrono::steady_clock::now() - begin, 1500ms) << "the turn waited for the answer";
  EXPECT_EQ(turn->display_name, "Frida");
  EXPECT_EQ(turn->locale, "en-US");
}

TEST_F(SlackAdapterTest, SlowLookUpDoesNotHoldTheTurnAndItsLateAnswerIsKept) {
  fake_ = std::make_unique<FakeSlack>(io_.io);
  fake_->add_user(slack_user("U700", "Erik", "da-DK"));
  fake_->delay("users.info", 1500ms);
  start(SlackAdapterOptions::Mode::events_api,
        [](SlackAdapterOptions& options) { options.users.lookup_timeout = 200ms; });
  EXPECT_EQ(status_of(signed_post(direct_message("Ev4", "U700", "hej").dump(), "application/json")),
            200);
  const auto received = sink_.received(1);
  ASSERT_EQ(received.size(), 1u);
  const auto begin = std::chrono::steady_clock::now();
  const auto turn = completed(received[0]);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 1000ms);
  ASSERT_TRUE(turn);
  EXPECT_EQ(turn->text, "hej");
  EXPECT_TRUE(turn->display_name.empty());
  EXPECT_TRUE(turn->locale.empty());
  for (int i = 0; i < 150 && !adapter_->users().cached("U700"); ++i) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(adapter_->users().cached("U700"));
  EXPECT_EQ(adapter_->users().cached("U700")->display_name, "Erik");
}

TEST_F(SlackAdapterTest, FailedLookUpDeliversWithoutFactsAndIsNotRepeatedAtOnce) {
  start();
  fake_->fail_next("users.info", http::Response::text(500, "down\n"));
  EXPECT_EQ(status_of(signed_post(direct_message("Ev5", "U800", "a").dump(), "application/json")),
            200);
  EXPECT_EQ(status_of(signed_post(direct_message("Ev6", "U800", "b").dump(), "application/json")),
            200);
  const auto received = sink_.received(2);
  ASSERT_EQ(received.size(), 2u);
  for (const auto& incoming : received) {
    const auto turn = completed(incoming);
    ASSERT_TRUE(turn);
    EXPECT_TRUE(turn->display_name.empty());
  }
  EXPECT_EQ(fake_->calls("users.info"), 1u);
}

TEST_F(SlackAdapterTest, ClickedButtonsGiveWayToTheChoiceOnlyAfterTheClickIsRecorded) {
  sink_.set_hold(true);
  start();
  auto answer =
      post_async(signed_post(form_payload(json::parse(fixture_text("block_actions_message.json"))),
                             "application/x-www-form-urlencoded"));
  auto done = sink_.take_held();
  ASSERT_TRUE(done);
  EXPECT_TRUE(fake_->updates(1, 300ms).empty()) << "marked before recording";
  done(true);
  auto response = tests::wait_for(answer);
  ASSERT_TRUE(response && *response);
  EXPECT_EQ((*response)->status, 200);
  const auto updates = fake_->updates(1);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["channel"], "D222");
  EXPECT_EQ(updates[0]["ts"], "1700000001.000100");
  EXPECT_EQ(updates[0]["text"], "Hvad vil du gerne?");
  ASSERT_EQ(updates[0]["blocks"].size(), 2u);
  EXPECT_EQ(updates[0]["blocks"][0]["text"]["text"], "Hvad vil du gerne?");
  EXPECT_EQ(updates[0]["blocks"][1]["type"], "context");
  EXPECT_EQ(updates[0]["blocks"][1]["elements"][0]["text"], "\u2714 Find en rolle");
}

TEST_F(SlackAdapterTest, ClickThatCouldNotBeRecordedLeavesTheButtons) {
  sink_.set_accept(false);
  start();
  EXPECT_EQ(
      status_of(signed_post(form_payload(json::parse(fixture_text("block_actions_message.json"))),
                            "application/x-www-form-urlencoded")),
      503);
  EXPECT_TRUE(fake_->updates(1, 500ms).empty());
  EXPECT_EQ(fake_->calls("chat.update"), 0u);
}

TEST_F(SlackAdapterTest, ChoiceMarkIsTriedAFewTimesOnTransientErrorsAndOnceOnPermanentOnes) {
  start();
  fake_->fail_next("chat.update",
                   http::Response::json(200, R"({"ok":false,"error":"message_not_found"})"));
  const auto click = json::parse(fixture_text("block_actions_message.json"));
  EXPECT_EQ(status_of(signed_post(form_payload(click), "application/x-www-form-urlencoded")), 200);
  ASSERT_TRUE(eventually([&] { return fake_->calls("chat.update") == 1; }, 5s));
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(fake_->calls("chat.update"), 1u) << "a permanent error is not retried";

  for (int i = 0; i < 5; ++i) fake_->fail_next("chat.update", http::Response::text(503, "down"));
  auto again = click;
  again["trigger_id"] = "222.333.again";
  EXPECT_EQ(status_of(signed_post(form_payload(again), "application/x-www-form-urlencoded")), 200);
  ASSERT_TRUE(eventually([&] { return fake_->calls("chat.update") == 4; }, 10s));
  std::this_thread::sleep_for(2000ms);
  EXPECT_EQ(fake_->calls("chat.update"), 4u) << "three tries, then left as it is";
  EXPECT_TRUE(fake_->updates().empty());
  EXPECT_EQ(sink_.received(2).size(), 2u) << "the clicks themselves were delivered";
}

TEST_F(SlackAdapterTest, SocketModeClickIsAcknowledgedThenMarked) {
  start(SlackAdapterOptions::Mode::socket_mode);
  ASSERT_TRUE(fake_->wait_for_socket_connections(1));
  fake_->send_to_socket({{"envelope_id", "env-click"},
                         {"type", "interactive"},
                         {"accepts_response_payload", false},
                         {"payload", json::parse(fixture_text("block_actions_message.json"))}});
  ASSERT_EQ(fake_->acks(1).size(), 1u);
  const auto updates = fake_->updates(1);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["blocks"][1]["type"], "context");
  ASSERT_EQ(sink_.received(1).size(), 1u);
  EXPECT_EQ(sink_.received(1)[0].choice_id, "menu.find");
}

TEST(SlackUserDirectory, SharedLookUpsBoundedCacheAndPrikItselfWithoutALookUp) {
  tests::IoThread io;
  FakeSlack fake(io.io);
  fake.add_user(slack_user("U1", "Ane", "da-DK"));
  fake.add_user(slack_user("U2", "Bo", "da-DK"));
  fake.add_user(slack_user("U3", "Cy", "en-US"));
  fake.delay("users.info", 100ms);
  auto client = http::Client::create(io.io);
  ASSERT_TRUE(client);
  WebApi api(**client, {fake.api_base_url(), FakeSlack::kBotToken, "", 5s});
  UserDirectoryOptions options;
  options.capacity = 2;
  options.lookup_timeout = 2s;
  UserDirectory users(io.io, api, options, [] { return BotIdentity{"T111", "UBOT", "BBOT"}; });

  auto complete = [&](dialogs::Incoming incoming) {
    auto promise = std::make_shared<std::promise<dialogs::Incoming>>();
    auto future = promise->get_future();
    users.complete(std::move(incoming),
                   [promise](dialogs::Incoming done) { promise->set_value(std::move(done)); });
    return future;
  };
  dialogs::Incoming from_ane;
  from_ane.user = "slack:T111:U1";
  from_ane.mentions = {"slack:T111:UBOT"};
  auto first = complete(from_ane);
  auto second = complete(from_ane);
  auto one = tests::wait_for(first);
  auto two = tests::wait_for(second);
  ASSERT_TRUE(one && two);
  EXPECT_EQ(one->display_name, "Ane");
  EXPECT_EQ(two->locale, "da-DK");
  EXPECT_EQ(two->mentioned_bots, std::vector<std::string>{"slack:T111:UBOT"});
  EXPECT_EQ(fake.calls("users.info"), 1u) << "one look-up for both events, none for Prik";

  for (const char* user : {"slack:T111:U2", "slack:T111:U3"}) {
    dialogs::Incoming incoming;
    incoming.user = user;
    auto done = complete(incoming);
    ASSERT_TRUE(tests::wait_for(done));
  }
  EXPECT_FALSE(users.cached("U1")) << "the least recently used went first";
  EXPECT_EQ(users.cached("U2")->display_name, "Bo");
  EXPECT_EQ(users.cached("U3")->display_name, "Cy");
}

}  // namespace
}  // namespace prik::adapters::slack
