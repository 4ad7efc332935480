// The Matrix adapter against a loopback homeserver speaking the Client-Server API.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "adapters/matrix/events.hpp"
#include "adapters/matrix/matrix_adapter.hpp"
#include "tests/http/io_thread.hpp"
#include "tests/matrix/fake_homeserver.hpp"
#include "tests/matrix/fixtures.hpp"

namespace prik::adapters::matrix {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
using tests::FakeHomeserver;
using Endpoint = FakeHomeserver::Endpoint;

const std::string kBot = "@prik:fake.example";
const std::string kToken = "syt_test_token";
const std::string kAlice = "@alice:fake.example";

// Polls `condition` every few milliseconds for at most `limit`.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

// The core's side: records every Incoming; can refuse the first few.
class RecordingSink : public IncomingSink {
 public:
  void deliver(dialogs::Incoming incoming, std::function<void(bool recorded)> done) override {
    bool recorded = true;
    {
      std::lock_guard lock(mutex_);
      if (refusals_ > 0) {
        --refusals_;
        recorded = false;
      } else {
        received_.push_back(std::move(incoming));
      }
    }
    done(recorded);
  }
  void refuse_next(int count) {
    std::lock_guard lock(mutex_);
    refusals_ = count;
  }
  std::vector<dialogs::Incoming> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  mutable std::mutex mutex_;
  int refusals_ = 0;
  std::vector<dialogs::Incoming> received_;
};

class MemoryTokenStore : public SyncTokenStore {
 public:
  explicit MemoryTokenStore(std::string token = {}) : token_(std::move(token)) {}
  std::string load() override {
    std::lock_guard lock(mutex_);
    return token_;
  }
  void save(std::string token, std::function<void(bool saved)> done) override {
    {
      std::lock_guard lock(mutex_);
      token_ = std::move(token);
      ++saves_;
    }
    done(true);
  }
  int saves() const {
    std::lock_guard lock(mutex_);
    return saves_;
  }

 private:
  mutable std::mutex mutex_;
  std::string token_;
  int saves_ = 0;
};

class MatrixAdapterTest : public ::testing::Test {
 protected:
  MatrixOptions options(std::string token = kToken) {
    MatrixOptions result;
    result.homeserver_url = fake_.url();
    result.user_id = kBot;
    result.access_token = std::move(token);
    result.sync_timeout = 200ms;
    result.request_timeout = 1s;
    result.backoff.initial_delay = 20ms;
    result.backoff.max_delay = 200ms;
    result.seed = 7;
    result.on_stopped = [this](const std::string& reason) {
      std::lock_guard lock(mutex_);
      stop_reasons_.push_back(reason);
    };
    return result;
  }

  void start(MatrixOptions adapter_options) {
    auto adapter = MatrixAdapter::create(io_.io, std::move(adapter_options), tokens_);
    ASSERT_TRUE(adapter) << adapter.error().to_string();
    adapter_ = std::move(*adapter);
    adapter_->start(sink_);
  }
  void start() { start(options()); }

  // Starts with a DM with Alice already set up and the first sync done.
  void start_in_dm_with_alice(const std::string& room_id = "!dm:fake.example") {
    fake_.add_joined_room(room_id, {{kAlice, "Alice"}});
    start();
    ASSERT_TRUE(eventually([&] { return adapter_->status().batches >= 1; }));
  }

  SendResult send(OutboxMessage message) {
    std::promise<SendResult> promise;
    auto future = promise.get_future();
    adapter_->send(message, [&promise](SendResult result) { promise.set_value(result); });
    auto result = tests::wait_for(future, 10s);
    if (!result) return {SendResult::Kind::permanent_failure, 0ms, "test: no answer"};
    return *result;
  }

  static OutboxMessage outbox(std::string id, std::string room_id, std::string text) {
    OutboxMessage message;
    message.id = std::move(id);
    message.message.to = "matrix:" + kAlice;
    message.message.conversation = std::move(room_id);
    message.message.text = std::move(text);
    return message;
  }

  std::vector<std::string> stop_reasons() {
    std::lock_guard lock(mutex_);
    return stop_reasons_;
  }

  // From now on every /sync fails; returns once the long-poll under way has ended.
  void stop_syncing() {
    const int syncs = fake_.calls(Endpoint::sync);
    fake_.fail_next(Endpoint::sync, {503, json::object(), {}}, 10'000);
    ASSERT_TRUE(eventually([&] { return fake_.calls(Endpoint::sync) > syncs; }));
  }

  // Texts "<prefix> 1" to "<prefix> <count>".
  static std::vector<std::string> numbered(const std::string& prefix, int count) {
    std::vector<std::string> texts;
    for (int i = 1; i <= count; ++i) texts.push_back(prefix + " " + std::to_string(i));
    return texts;
  }

  std::vector<std::string> received_texts() const {
    std::vector<std::string> texts;
    for (const auto& incoming : sink_.received()) texts.push_back(incoming.text);
    return texts;
  }

  void TearDown() override {
    if (adapter_) adapter_->stop();
    adapter_.reset();
  }

  // Declared first: callbacks may still arrive until the io thread has ended.
  std::mutex mutex_;
  std::vector<std::string> stop_reasons_;
  RecordingSink sink_;
  MemoryTokenStore tokens_;
  tests::IoThread io_;
  FakeHomeserver fake_{io_.io, kBot, kToken};
  std::unique_ptr<MatrixAdapter> adapter_;
};

TEST_F(MatrixAdapterTest, InvitedToADmItJoinsAndTheCoreGetsTheFirstMessage) {
  fake_.invite("!new:fake.example", kAlice, /*is_direct=*/true, /*encrypted=*/false,
               {{kAlice, "Alice"}});
  start();
  ASSERT_TRUE(eventually([&] { return fake_.joined().contains("!new:fake.example"); }));
  ASSERT_TRUE(eventually([&] { return adapter_->status().batches >= 2; }));
  const std::string event_id = fake_.post_text("!new:fake.example", kAlice, "Hej Prik");
  ASSERT_TRUE(eventually([&] { return sink_.received().size() == 1; }));
  const dialogs::Incoming incoming = sink_.received()[0];
  EXPECT_EQ(incoming.user, "matrix:" + kAlice);
  EXPECT_EQ(incoming.conversation, "!new:fake.example");
  EXPECT_TRUE(incoming.direct);
  EXPECT_EQ(incoming.text, "Hej Prik");
  EXPECT_EQ(incoming.event_id, event_id);
  EXPECT_EQ(incoming.display_name, "Alice");
  EXPECT_TRUE(eventually([&] { return fake_.account_data("m.direct").contains(kAlice); }));
}

TEST_F(MatrixAdapterTest, InviteFromAServerNotAllowedIsDeclined) {
  fake_.invite("!spam:elsewhere.example", "@mallory:elsewhere.example", true, false,
               {{"@mallory:elsewhere.example", "M"}});
  MatrixOptions restricted = options();
  restricted.allowed_servers = {"fake.example"};
  start(restricted);
  EXPECT_TRUE(eventually([&] { return fake_.left().contains("!spam:elsewhere.example"); }));
  EXPECT_TRUE(fake_.joined().empty());
}

TEST_F(MatrixAdapterTest, FirstSyncEverAnswersNoOldMessages) {
  fake_.add_joined_room("!dm:fake.example", {{kAlice, "Alice"}});
  fake_.post_text("!dm:fake.example", kAlice, "an old question");
  start();
  ASSERT_TRUE(eventually([&] { return adapter_->status().batches >= 1; }));
  fake_.post_text("!dm:fake.example", kAlice, "a new question");
  ASSERT_TRUE(eventually([&] { return sink_.received().size() == 1; }));
  std::this_thread::sleep_for(100ms);
  ASSERT_EQ(sink_.received().size(), 1u);
  EXPECT_EQ(sink_.received()[0].text, "a new question");
}

TEST_F(MatrixAdapterTest, WithAStoredTokenItResumesWithTheFullStateAndAnswers) {
  fake_.add_joined_room("!dm:fake.example", {{kAlice, "Alice"}});
  fake_.post_text("!dm:fake.example", kAlice, "said while the bot was down");
  tokens_.save("s0", [](bool) {});
  start();
  ASSERT_TRUE(eventually([&] { return sink_.received().size() == 1; }));
  EXPECT_TRUE(sink_.received()[0].direct);
  EXPECT_EQ(sink_.received()[0].display_name, "Alice");
}

TEST_F(MatrixAdapterTest, TheTokenAdvancesOnlyAfterTheCoreRecordedTheBatch) {
  start_in_dm_with_alice();
  const std::string before = tokens_.load();
  sink_.refuse_next(1);
  fake_.post_text("!dm:fake.example", kAlice, "please keep this");
  ASSERT_TRUE(eventually([&] { return sink_.received().size() == 1; }));
  EXPECT_EQ(sink_.received()[0].text, "please keep this");
  // Saved once the sink's answer is back, a moment after it received the batch.
  EXPECT_TRUE(eventually([&] { return tokens_.load() != before; })) << tokens_.load();
  // The refused batch was fetched again with the old token.
  const auto times = fake_.sync_times();
  EXPECT_GE(times.size(), 3u);
}

TEST_F(MatrixAdapterTest, OwnEditedAndNoticeEventsAreIgnored) {
  // A server that ignores the filter's not_senders sends the bot's own message back too.
  fake_.set_honour_not_senders(false);
  start_in_dm_with_alice();
  fake_.post_event("!dm:fake.example", kBot, "m.room.message",
                   {{"msgtype", "m.text"}, {"body", "my own"}});
  fake_.post_event("!dm:fake.example", kAlice, "m.room.message",
                   {{"msgtype", "m.text"},
                    {"body", "* edited"},
                    {"m.relates_to", {{"rel_type", "m.replace"}, {"event_id", "$x"}}}});
  fake_.post_event("!dm:fake.example", kAlice, "m.room.message",
                   {{"msgtype", "m.notice"}, {"body", "a bot's notice"}});
  fake_.post_text("!dm:fake.example", kAlice, "the real one");
  ASSERT_TRUE(eventually([&] { return sink_.received().size() == 1; }));
  std::this_thread::sleep_for(100ms);
  ASSERT_EQ(sink_.received().size(), 1u);
  EXPECT_EQ(sink_.received()[0].text, "the real one");
}

TEST_F(MatrixAdapterTest, EncryptedDmGetsTheMarkerOnce) {
  start_in_dm_with_alice();
  const json encrypted = tests::matrix_fixture_json("encrypted_event.json")["content"];
  fake_.post_event("!dm:fake.example", kAlice, "m.room.encrypted", encrypted);
  fake_.post_event("!dm:fake.example", kAlice, "m.room.encrypted", encrypted);
  ASSERT_TRUE(eventually([&] { return sink_.received().size() == 1; }));
  fake_.post_event("!dm:fake.example", kAlice, "m.room.encrypted", encrypted);
  fake_.post_text("!dm:fake.example", kAlice, "plain again");
  ASSERT_TRUE(eventually([&] { return sink_.received().size() == 2; }));
  EXPECT_EQ(sink_.received()[0].choice_id, "matrix.encrypted");
  EXPECT_TRUE(sink_.received()[0].text.empty());
  EXPECT_EQ(sink_.received()[1].text, "plain again");
}

TEST_F(MatrixAdapterTest, ReplyIsANoticeWithTheOutboxIdAsTxnId) {
  start_in_dm_with_alice();
  OutboxMessage message = outbox("out-1", "!dm:fake.example", "Vælg");
  message.message.choices = {{"a", "Første"}, {"b", "Anden"}};
  const SendResult result = send(message);
  EXPECT_EQ(result.kind, SendResult::Kind::delivered) << result.detail;
  const auto sent = fake_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].transaction_id, "out-1");
  EXPECT_EQ(sent[0].room_id, "!dm:fake.example");
  EXPECT_EQ(sent[0].content["msgtype"], "m.notice");
  EXPECT_EQ(sent[0].content["body"], "Vælg\n\n1. Første\n2. Anden");
  EXPECT_EQ(sent[0].content["formatted_body"], "Vælg<ol><li>Første</li><li>Anden</li></ol>");
}

TEST_F(MatrixAdapterTest, SendWhoseAnswerIsLostIsRetriedWithTheSameTxnIdAndShownOnce) {
  start_in_dm_with_alice();
  fake_.hold_answers(Endpoint::send, 1500ms);
  const SendResult lost = send(outbox("out-lost", "!dm:fake.example", "Hej"));
  EXPECT_EQ(lost.kind, SendResult::Kind::retry) << lost.detail;
  OutboxMessage again = outbox("out-lost", "!dm:fake.example", "Hej");
  again.attempt = 1;
  const SendResult retried = send(again);
  EXPECT_EQ(retried.kind, SendResult::Kind::delivered) << retried.detail;
  EXPECT_EQ(fake_.calls(Endpoint::send), 2);
  EXPECT_EQ(fake_.sent().size(), 1u);
}

TEST_F(MatrixAdapterTest, RateLimitedSendReportsTheRequestedWait) {
  start_in_dm_with_alice();
  fake_.fail_next(
      Endpoint::send,
      {429, tests::matrix_fixture_json("error_limit_exceeded.json"), {{"Retry-After", "2"}}});
  const SendResult result = send(outbox("out-2", "!dm:fake.example", "Hej"));
  EXPECT_EQ(result.kind, SendResult::Kind::retry);
  EXPECT_EQ(result.retry_after, 2000ms);
  EXPECT_NE(result.detail.find("M_LIMIT_EXCEEDED"), std::string::npos) << result.detail;
}

TEST_F(MatrixAdapterTest, ForbiddenSendIsAPermanentFailure) {
  start_in_dm_with_alice();
  fake_.fail_next(Endpoint::send,
                  {403, {{"errcode", "M_FORBIDDEN"}, {"error", "not in the room"}}, {}});
  const SendResult result = send(outbox("out-3", "!dm:fake.example", "Hej"));
  EXPECT_EQ(result.kind, SendResult::Kind::permanent_failure);
  EXPECT_NE(result.detail.find("M_FORBIDDEN"), std::string::npos) << result.detail;
}

TEST_F(MatrixAdapterTest, RateLimitedSyncWaitsAsLongAsAsked) {
  start_in_dm_with_alice();
  fake_.fail_next(Endpoint::sync,
                  {429, {{"errcode", "M_LIMIT_EXCEEDED"}, {"retry_after_ms", 300}}, {}});
  const auto limited_at = fake_.sync_times().size();
  ASSERT_TRUE(eventually([&] { return fake_.sync_times().size() >= limited_at + 2; }));
  const auto times = fake_.sync_times();
  // Somewhere after the limit, a gap of at least the requested 300 ms.
  bool waited = false;
  for (std::size_t i = limited_at; i < times.size(); ++i) {
    waited = waited || times[i] - times[i - 1] >= 300ms;
  }
  EXPECT_TRUE(waited);
}

TEST_F(MatrixAdapterTest, ServerErrorsOnSyncAreRetriedAndNothingIsLost) {
  start_in_dm_with_alice();
  fake_.fail_next(Endpoint::sync, {502, json::object(), {}}, 3);
  fake_.post_text("!dm:fake.example", kAlice, "still there?");
  ASSERT_TRUE(eventually([&] { return sink_.received().size() == 1; }));
  EXPECT_EQ(sink_.received()[0].text, "still there?");
  EXPECT_FALSE(adapter_->status().state == MatrixStatus::State::stopped);
}

TEST_F(MatrixAdapterTest, RevokedTokenStopsTheAdapterCleanly) {
  start_in_dm_with_alice();
  fake_.revoke_token();
  fake_.post_text("!dm:fake.example", kAlice, "hello?");
  ASSERT_TRUE(eventually([&] { return adapter_->status().state == MatrixStatus::State::stopped; }));
  ASSERT_EQ(stop_reasons().size(), 1u);
  EXPECT_NE(stop_reasons()[0].find("M_UNKNOWN_TOKEN"), std::string::npos) << stop_reasons()[0];
  // A /sync sent just before the stop may still be on its way to the server; none follows it.
  std::this_thread::sleep_for(100ms);
  const int syncs = fake_.calls(Endpoint::sync);
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(fake_.calls(Endpoint::sync), syncs);
  EXPECT_EQ(send(outbox("out-4", "!dm:fake.example", "Hej")).kind,
            SendResult::Kind::permanent_failure);
}

TEST_F(MatrixAdapterTest, BadTokenAtStartStopsWithAClearMessage) {
  start(options("wrong"));
  ASSERT_TRUE(eventually([&] { return adapter_->status().state == MatrixStatus::State::stopped; }));
  EXPECT_EQ(fake_.calls(Endpoint::sync), 0);
  ASSERT_EQ(stop_reasons().size(), 1u);
  EXPECT_NE(stop_reasons()[0].find("access token"), std::string::npos);
}

TEST_F(MatrixAdapterTest, TokenOfAnotherUserStops) {
  MatrixOptions other = options();
  other.user_id = "@someone:fake.example";
  start(other);
  ASSERT_TRUE(eventually([&] { return adapter_->status().state == MatrixStatus::State::stopped; }));
  EXPECT_NE(adapter_->status().stop_reason.find("belongs to " + kBot), std::string::npos)
      << adapter_->status().stop_reason;
}

TEST_F(MatrixAdapterTest, UnreachableHomeserverIsRetriedWithBackoff) {
  std::uint16_t closed_port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    closed_port = acceptor.local_endpoint().port();
  }
  MatrixOptions unreachable = options();
  unreachable.homeserver_url = "http://127.0.0.1:" + std::to_string(closed_port);
  start(unreachable);
  ASSERT_TRUE(eventually([&] { return adapter_->status().failures_in_a_row >= 3; }));
  const MatrixStatus status = adapter_->status();
  EXPECT_EQ(status.state, MatrixStatus::State::checking_token);
  EXPECT_TRUE(stop_reasons().empty());
}

TEST_F(MatrixAdapterTest, MessageWithoutConversationCreatesTheDmOnceAndRecordsIt) {
  start_in_dm_with_alice();
  OutboxMessage first = outbox("out-c1", "", "Hej Carol");
  first.message.to = "matrix:@carol:fake.example";
  OutboxMessage second = outbox("out-c2", "", "Igen");
  second.message.to = "matrix:@carol:fake.example";
  EXPECT_EQ(send(first).kind, SendResult::Kind::delivered);
  EXPECT_EQ(send(second).kind, SendResult::Kind::delivered);
  const auto requests = fake_.create_room_requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0], direct_room_request("@carol:fake.example"));
  const auto sent = fake_.sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].room_id, "!created1:fake.example");
  EXPECT_EQ(sent[1].room_id, "!created1:fake.example");
  ASSERT_TRUE(eventually([&] {
    const json direct = fake_.account_data("m.direct");
    return direct.contains("@carol:fake.example") &&
           direct["@carol:fake.example"] == json::array({"!created1:fake.example"});
  }));
}

TEST_F(MatrixAdapterTest, MessageWithoutConversationUsesTheKnownDm) {
  start_in_dm_with_alice();
  EXPECT_EQ(send(outbox("out-d", "", "Hej Alice")).kind, SendResult::Kind::delivered);
  EXPECT_TRUE(fake_.create_room_requests().empty());
  ASSERT_EQ(fake_.sent().size(), 1u);
  EXPECT_EQ(fake_.sent()[0].room_id, "!dm:fake.example");
}

TEST_F(MatrixAdapterTest, WhenTheOtherPersonLeavesTheBotLeavesToo) {
  start_in_dm_with_alice();
  fake_.member_leaves("!dm:fake.example", kAlice);
  EXPECT_TRUE(eventually([&] { return fake_.left().contains("!dm:fake.example"); }));
}

TEST_F(MatrixAdapterTest, LimitedTimelineIsBackFilledSoEveryMessageGetsOneTurnInOrder) {
  start_in_dm_with_alice();
  // The DM found in the first batch is written to m.direct, whose echo is one more batch: the
  // gap below reaches back to the token of the batch after that.
  ASSERT_TRUE(eventually([&] {
    return !fake_.account_data("m.direct").is_null() &&
           adapter_->status().since == fake_.position();
  }));
  const std::string before = tokens_.load();
  fake_.set_timeline_limit(3);
  fake_.set_messages_limit(4);  // several pages
  const auto texts = numbered("besked", 20);
  const auto event_ids = fake_.post_texts("!dm:fake.example", kAlice, texts);
  ASSERT_TRUE(eventually([&] { return sink_.received().size() >= 20; }));
  std::this_thread::sleep_for(100ms);
  ASSERT_EQ(received_texts(), texts);
  for (std::size_t i = 0; i < event_ids.size(); ++i) {
    EXPECT_EQ(sink_.received()[i].event_id, event_ids[i]);
  }
  const auto queries = fake_.messages_queries();
  ASSERT_GE(queries.size(), 4u);  // 17 missing events, 4 per page
  EXPECT_NE(queries[0].find("dir=b"), std::string::npos) << queries[0];
  EXPECT_NE(queries[0].find("to=" + before), std::string::npos) << queries[0];
  EXPECT_NE(queries[0].find("filter="), std::string::npos) << queries[0];
}

TEST_F(MatrixAdapterTest, GapOverlappingTheTimelineStillDeliversEachMessageOnce) {
  start_in_dm_with_alice();
  fake_.set_timeline_limit(4);
  fake_.set_prev_batch_overlap(2);  // paging back repeats two events of the timeline
  const auto texts = numbered("hej", 10);
  fake_.post_texts("!dm:fake.example", kAlice, texts);
  ASSERT_TRUE(eventually([&] { return sink_.received().size() >= 10; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(received_texts(), texts);
}

TEST_F(MatrixAdapterTest, FailedBackFillFetchesTheBatchAgainAndLosesNothing) {
  start_in_dm_with_alice();
  const std::string before = tokens_.load();
  fake_.set_timeline_limit(2);
  fake_.fail_next(Endpoint::messages, {502, json::object(), {}});
  const auto texts = numbered("igen", 8);
  fake_.post_texts("!dm:fake.example", kAlice, texts);
  ASSERT_TRUE(eventually([&] { return sink_.received().size() >= 8; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(received_texts(), texts);
  EXPECT_GE(fake_.calls(Endpoint::messages), 2);
  EXPECT_TRUE(eventually([&] { return tokens_.load() != before; })) << tokens_.load();
}

TEST_F(MatrixAdapterTest, MessagesSentWhileTheBotWasDownAreBackFilledAfterARestart) {
  start_in_dm_with_alice();
  adapter_->stop();
  adapter_.reset();
  fake_.set_timeline_limit(5);
  const auto texts = numbered("mens du sov", 30);
  fake_.post_texts("!dm:fake.example", kAlice, texts);
  start();
  ASSERT_TRUE(eventually([&] { return sink_.received().size() >= 30; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(received_texts(), texts);
  EXPECT_TRUE(sink_.received().back().direct);
}

TEST_F(MatrixAdapterTest, FirstSyncEverFillsNoGap) {
  fake_.add_joined_room("!dm:fake.example", {{kAlice, "Alice"}});
  fake_.post_texts("!dm:fake.example", kAlice, numbered("gammel", 10));
  fake_.set_timeline_limit(3);
  start();
  ASSERT_TRUE(eventually([&] { return adapter_->status().batches >= 1; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(sink_.received().empty());
  EXPECT_EQ(fake_.calls(Endpoint::messages), 0);
}

TEST_F(MatrixAdapterTest, LostCreateRoomAnswerFoundOnTheNextSyncGivesOneDmAndOneMessage) {
  start_in_dm_with_alice();
  fake_.hold_answers(Endpoint::create_room, 1500ms);
  OutboxMessage first = outbox("out-carol", "", "Hej Carol");
  first.message.to = "matrix:@carol:fake.example";
  EXPECT_EQ(send(first).kind, SendResult::Kind::retry);
  OutboxMessage again = first;
  again.attempt = 1;
  EXPECT_EQ(send(again).kind, SendResult::Kind::delivered);
  EXPECT_EQ(fake_.create_room_requests().size(), 1u);
  const auto sent = fake_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].room_id, "!created1:fake.example");
  EXPECT_EQ(sent[0].transaction_id, "out-carol");
}

TEST_F(MatrixAdapterTest, LostCreateRoomAnswerIsFoundAmongTheJoinedRoomsBeforeCreatingAgain) {
  start_in_dm_with_alice();
  // No /sync gets through: only GET /joined_rooms can reveal the room.
  stop_syncing();
  fake_.hold_answers(Endpoint::create_room, 1500ms);
  OutboxMessage first = outbox("out-carol", "", "Hej Carol");
  first.message.to = "matrix:@carol:fake.example";
  EXPECT_EQ(send(first).kind, SendResult::Kind::retry);
  OutboxMessage again = first;
  again.attempt = 1;
  EXPECT_EQ(send(again).kind, SendResult::Kind::delivered);
  EXPECT_EQ(send(again).kind, SendResult::Kind::delivered);  // a retry after a lost send answer
  EXPECT_EQ(fake_.create_room_requests().size(), 1u);
  EXPECT_GE(fake_.calls(Endpoint::joined_rooms), 2);
  EXPECT_GE(fake_.calls(Endpoint::members), 1);
  const auto sent = fake_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].room_id, "!created1:fake.example");
  ASSERT_TRUE(eventually([&] {
    const json direct = fake_.account_data("m.direct");
    return direct.contains("@carol:fake.example") &&
           direct["@carol:fake.example"] == json::array({"!created1:fake.example"});
  }));
}

TEST_F(MatrixAdapterTest, WhenTheRoomsCannotBeListedNoSecondRoomIsCreated) {
  start_in_dm_with_alice();
  stop_syncing();
  fake_.hold_answers(Endpoint::create_room, 1500ms);
  OutboxMessage first = outbox("out-carol", "", "Hej Carol");
  first.message.to = "matrix:@carol:fake.example";
  EXPECT_EQ(send(first).kind, SendResult::Kind::retry);
  fake_.fail_next(Endpoint::joined_rooms, {502, json::object(), {}});
  EXPECT_EQ(send(first).kind, SendResult::Kind::retry);
  EXPECT_EQ(fake_.create_room_requests().size(), 1u);
  EXPECT_TRUE(fake_.sent().empty());
}

TEST_F(MatrixAdapterTest, MentionsOfTheBotAndOfOtherBotsAreMarked) {
  start_in_dm_with_alice();
  const std::string helper_bot = "@reminder:fake.example";
  fake_.post_event("!dm:fake.example", helper_bot, "m.room.message",
                   {{"msgtype", "m.notice"}, {"body", "Husk mødet i aften"}});
  fake_.post_event("!dm:fake.example", kAlice, "m.room.message",
                   {{"msgtype", "m.text"},
                    {"body",
                     "@prik:fake.example kan du spørge @bob:fake.example og "
                     "@reminder:fake.example?"}});
  ASSERT_TRUE(eventually([&] { return sink_.received().size() == 1; }));
  const auto incoming = sink_.received()[0];
  EXPECT_EQ(incoming.mentions,
            (std::vector<std::string>{"matrix:" + kBot, "matrix:@bob:fake.example",
                                      "matrix:" + helper_bot}));
  EXPECT_EQ(incoming.mentioned_bots,
            (std::vector<std::string>{"matrix:" + kBot, "matrix:" + helper_bot}));
}

}  // namespace
}  // namespace prik::adapters::matrix
