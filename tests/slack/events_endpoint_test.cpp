// The events endpoint's gathering of events: events that arrive together go to the sink in one
// deliver_all, each request is answered by the outcome of its own batch, and nothing is held
// past a look at the server's queue, the batch limit, or a change of sink.
#include "adapters/slack/events_endpoint.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "adapters/slack/verify.hpp"

namespace prik::adapters::slack {
namespace {

constexpr const char* kSecret = "endpoint-test-secret";
constexpr std::int64_t kNow = 1'700'000'000;

std::string direct_message(int number) {
  const std::string user = "U" + std::to_string(1000 + number);
  return R"({"type":"event_callback","team_id":"T1","event_id":"Ev)" + std::to_string(number) +
         R"(","event":{"type":"message","channel":"D)" + user +
         R"(","channel_type":"im","user":")" + user + R"(","text":"hej","ts":"1.2"}})";
}

http::Request signed_request(const std::string& body) {
  http::Request request;
  request.method = "POST";
  request.target = "/slack/events";
  const std::string stamp = std::to_string(kNow);
  request.headers = {{"Content-Type", "application/json"},
                     {"X-Slack-Request-Timestamp", stamp},
                     {"X-Slack-Signature", sign(kSecret, stamp, body)}};
  request.body = body;
  return request;
}

// Keeps each deliver_all call's events and answer; the test answers them.
class BatchSink : public IncomingSink {
 public:
  void deliver(dialogs::Incoming incoming, std::function<void(bool)> done) override {
    deliver_all({std::move(incoming)}, std::move(done));
  }
  void deliver_all(std::vector<dialogs::Incoming> events, std::function<void(bool)> done) override {
    batches.push_back(std::move(events));
    answers.push_back(std::move(done));
  }

  std::vector<std::vector<dialogs::Incoming>> batches;
  std::vector<std::function<void(bool)>> answers;
};

// An endpoint whose deferred work the test runs by hand, one pass at a time.
class EventsEndpointTest : public ::testing::Test {
 protected:
  EventsEndpointTest() { endpoint_.attach(&sink_); }

  // Sends the n-th event; its status lands in statuses_[n] once answered.
  void send(int number) {
    endpoint_.handle(signed_request(direct_message(number)),
                     [this, number](http::Response response) {
                       statuses_.resize(std::max<std::size_t>(statuses_.size(), number + 1));
                       statuses_[number] = response.status;
                     });
  }

  // Runs the work deferred so far (not what it defers in turn); false when there was none.
  bool run_one_pass() {
    if (deferred_.empty()) return false;
    std::deque<std::function<void()>> pass;
    pass.swap(deferred_);
    for (auto& task : pass) task();
    return true;
  }

  std::size_t events_delivered() const {
    std::size_t count = 0;
    for (const auto& batch : sink_.batches) count += batch.size();
    return count;
  }

  std::deque<std::function<void()>> deferred_;
  BatchSink sink_;
  EventsEndpoint endpoint_{
      kSecret, 1 << 20,
      [] { return std::chrono::system_clock::time_point(std::chrono::seconds(kNow)); },
      [this](std::function<void()> task) { deferred_.push_back(std::move(task)); }};
  std::vector<std::optional<int>> statuses_;
};

TEST_F(EventsEndpointTest, EventsArrivingTogetherGoToTheSinkInOneCall) {
  for (int i = 0; i < 5; ++i) send(i);
  EXPECT_TRUE(sink_.batches.empty()) << "held until the server's queue was looked at";
  ASSERT_TRUE(run_one_pass());  // four more arrived since the look was deferred: look again
  EXPECT_TRUE(sink_.batches.empty());
  ASSERT_TRUE(run_one_pass());  // nothing new: they go
  ASSERT_EQ(sink_.batches.size(), 1u);
  ASSERT_EQ(sink_.batches[0].size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(sink_.batches[0][i].event_id, "Ev" + std::to_string(i)) << "in arrival order";
  }
  EXPECT_FALSE(run_one_pass()) << "no look left behind";
  EXPECT_TRUE(statuses_.empty()) << "answered before the sink recorded them";
  sink_.answers[0](true);
  ASSERT_EQ(statuses_.size(), 5u);
  for (const auto& status : statuses_) EXPECT_EQ(status, 200);
}

TEST_F(EventsEndpointTest, LaterEventsMakeTheNextBatchAndEachLearnsItsOwnOutcome) {
  send(0);
  ASSERT_TRUE(run_one_pass());  // alone: it goes
  ASSERT_EQ(sink_.batches.size(), 1u);
  send(1);
  send(2);
  ASSERT_TRUE(run_one_pass());
  ASSERT_TRUE(run_one_pass());
  ASSERT_EQ(sink_.batches.size(), 2u);
  EXPECT_EQ(sink_.batches[1].size(), 2u);
  // Each request learns its own batch's outcome.
  sink_.answers[1](false);
  sink_.answers[0](true);
  EXPECT_EQ(statuses_[0], 200);
  EXPECT_EQ(statuses_[1], 503);
  EXPECT_EQ(statuses_[2], 503);
}

TEST_F(EventsEndpointTest, AFullBatchGoesWithoutWaitingForTheLook) {
  for (int i = 0; i < 64; ++i) send(i);
  ASSERT_EQ(sink_.batches.size(), 1u);
  EXPECT_EQ(sink_.batches[0].size(), 64u);
  send(64);
  while (run_one_pass()) {
  }
  ASSERT_EQ(sink_.batches.size(), 2u);
  EXPECT_EQ(sink_.batches[1].size(), 1u);
  EXPECT_EQ(events_delivered(), 65u);
}

TEST_F(EventsEndpointTest, HeldEventsGoToTheirSinkBeforeItIsDetached) {
  send(0);
  send(1);
  endpoint_.attach(nullptr);
  ASSERT_EQ(sink_.batches.size(), 1u);
  EXPECT_EQ(sink_.batches[0].size(), 2u);
  while (run_one_pass()) {
  }
  EXPECT_EQ(sink_.batches.size(), 1u) << "the deferred look finds nothing left";
  send(2);
  ASSERT_EQ(statuses_.size(), 3u);
  EXPECT_EQ(statuses_[2], 503) << "no sink: not ready";
  EXPECT_FALSE(statuses_[0]);
  sink_.answers[0](true);
  EXPECT_EQ(statuses_[0], 200);
  EXPECT_EQ(statuses_[1], 200);
}

TEST_F(EventsEndpointTest, RefusedRequestsAreAnsweredAtOnceAndHoldNothing) {
  auto request = signed_request(direct_message(0));
  request.headers[2].second = "v0=" + std::string(64, '0');
  std::optional<int> status;
  endpoint_.handle(request, [&](http::Response response) { status = response.status; });
  EXPECT_EQ(status, 401);
  EXPECT_TRUE(deferred_.empty());
  EXPECT_TRUE(sink_.batches.empty());
}

TEST(EventsEndpoint, WithoutDeferEachEventGoesAtOnce) {
  BatchSink sink;
  EventsEndpoint endpoint(kSecret, 1 << 20, [] {
    return std::chrono::system_clock::time_point(std::chrono::seconds(kNow));
  });
  endpoint.attach(&sink);
  std::vector<int> statuses;
  for (int i = 0; i < 3; ++i) {
    endpoint.handle(signed_request(direct_message(i)),
                    [&](http::Response response) { statuses.push_back(response.status); });
  }
  ASSERT_EQ(sink.batches.size(), 3u);
  for (auto& answer : sink.answers) answer(true);
  EXPECT_EQ(statuses, (std::vector<int>{200, 200, 200}));
}

}  // namespace
}  // namespace prik::adapters::slack
