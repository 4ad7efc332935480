#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "adapters/http/client.hpp"
#include "adapters/http/server.hpp"
#include "adapters/slack/slack_adapter.hpp"
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
  void start(SlackAdapterOptions::Mode mode = SlackAdapterOptions::Mode::events_api) {
    fake_ = std::make_unique<FakeSlack>(io_.io);
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

  int status_of(http::ClientRequest request) {
    auto future = post_async(std::move(request));
    auto result = tests::wait_for(future);
    if (!result || !*result) return -1;
    return (*result)->status;
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
  const std::string payload = json::parse(fixture_text("block_actions.json")).dump();
  std::string encoded = "payload=";
  for (unsigned char c : payload) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%%%02X", c);
    encoded += std::isalnum(c) ? std::string(1, static_cast<char>(c)) : std::string(hex);
  }
  EXPECT_EQ(status_of(signed_post(encoded, "application/x-www-form-urlencoded")), 200);
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

}  // namespace
}  // namespace prik::adapters::slack
