// The benchmark's own instruments: its events must be what Slack sends and what Prik's endpoint
// accepts, and its runs must count honestly and stop by themselves.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "adapters/http/server.hpp"
#include "adapters/slack/events_endpoint.hpp"
#include "adapters/slack/verify.hpp"
#include "bench/slack_ingest/load.hpp"
#include "bench/slack_ingest/signed_event.hpp"

namespace prik::bench {
namespace {

using namespace std::chrono_literals;
namespace http = adapters::http;
namespace slack = adapters::slack;

constexpr const char* secret = "bench-test-secret";

class CountingSink : public adapters::IncomingSink {
 public:
  void deliver(dialogs::Incoming incoming, std::function<void(bool)> done) override {
    {
      std::lock_guard lock(mutex_);
      ++delivered_;
      event_ids_.insert(incoming.event_id);
    }
    done(true);
  }
  std::size_t delivered() const {
    std::lock_guard lock(mutex_);
    return delivered_;
  }
  std::size_t distinct_event_ids() const {
    std::lock_guard lock(mutex_);
    return event_ids_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::size_t delivered_ = 0;
  std::set<std::string> event_ids_;
};

// Prik's Slack Events API endpoint on its own thread, acknowledging whatever it is given.
class PrikEndpoint {
 public:
  PrikEndpoint() {
    endpoint_.attach(&sink_);
    endpoint_.set_identity({bench_team_id, bench_bot_user_id, bench_bot_id});
    router_.add("POST", "/slack/events", endpoint_);
    port_ = server_.listen("127.0.0.1", 0).value();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~PrikEndpoint() {
    boost::asio::post(io_, [this] { server_.stop(100ms, [this] { work_.reset(); }); });
    thread_.join();
  }
  LoadOptions options() const {
    LoadOptions options;
    options.port = std::to_string(port_);
    options.signing_secret = secret;
    options.connections = 4;
    options.warmup = 0ms;
    options.duration = 300ms;
    options.request_timeout = 2s;
    return options;
  }
  const CountingSink& sink() const { return sink_; }

 private:
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  CountingSink sink_;
  slack::EventsEndpoint endpoint_{secret};
  http::Router router_;
  http::Server server_{io_, router_};
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST(EventSource, EveryEventIsAnImMessageWithItsOwnIdAndAValidSignature) {
  EventSource source(secret, 3, new_run_id());
  std::set<std::string> event_ids, users;
  for (int i = 0; i < 30; ++i) {
    const SignedEvent event = source.next();
    EXPECT_EQ(slack::verify_signature(secret, event.timestamp, event.signature, event.body,
                                      std::chrono::system_clock::now()),
              slack::Verdict::genuine);
    const auto body = nlohmann::json::parse(event.body);
    EXPECT_EQ(body["type"], "event_callback");
    EXPECT_EQ(body["event"]["type"], "message");
    EXPECT_EQ(body["event"]["channel_type"], "im");
    EXPECT_EQ(body["event"]["channel"], direct_channel_of(body["event"]["user"]));
    event_ids.insert(body["event_id"]);
    users.insert(body["event"]["user"]);
  }
  EXPECT_EQ(event_ids.size(), 30u);
  EXPECT_EQ(users.size(), 3u);
}

TEST(EventSource, TwoRunsNeverShareAnEventId) {
  EventSource first(secret, 1, new_run_id());
  std::this_thread::sleep_for(2ms);
  EventSource second(secret, 1, new_run_id());
  const auto id = [](EventSource& source) {
    return nlohmann::json::parse(source.next().body)["event_id"].get<std::string>();
  };
  EXPECT_NE(id(first), id(second));
}

TEST(ClosedLoop, PrikEndpointAcceptsAndRecordsEveryEvent) {
  PrikEndpoint prik;
  const LoadReport report = run_load(prik.options());
  EXPECT_GT(report.ok, 0u);
  EXPECT_EQ(report.sent, report.ok);
  EXPECT_EQ(report.failures, 0u);
  EXPECT_TRUE(report.other_statuses.empty());
  EXPECT_EQ(report.latencies_ms.size(), report.ok);
  EXPECT_GT(report.events_per_second(), 0);
  EXPECT_LE(report.latency_percentile(0.5), report.latency_percentile(1.0));
  EXPECT_EQ(prik.sink().delivered(), report.ok);
  EXPECT_EQ(prik.sink().distinct_event_ids(), report.ok);
}

TEST(ClosedLoop, StopsAfterTheGivenCount) {
  PrikEndpoint prik;
  LoadOptions options = prik.options();
  options.max_events = 25;
  options.duration = 10s;
  const auto started = std::chrono::steady_clock::now();
  const LoadReport report = run_load(options);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(report.ok, 25u);
}

TEST(ClosedLoop, RejectedSignaturesAreCountedAsNon200) {
  PrikEndpoint prik;
  LoadOptions options = prik.options();
  options.signing_secret = "not-the-secret";
  const LoadReport report = run_load(options);
  EXPECT_EQ(report.ok, 0u);
  ASSERT_GT(report.sent, 0u);
  EXPECT_EQ(report.other_statuses.at(401), report.sent);
  EXPECT_EQ(prik.sink().delivered(), 0u);
}

TEST(OpenLoop, SendsExactlyTheEventsDueAtTheRate) {
  PrikEndpoint prik;
  LoadOptions options = prik.options();
  options.rate = 200;
  options.duration = 500ms;
  const LoadReport report = run_load(options);
  EXPECT_EQ(report.sent, 100u);
  EXPECT_EQ(report.ok, 100u);
  EXPECT_EQ(report.unsent, 0u);
  // 100 events due over 495 ms, all of them sent and answered, never faster than the rate. How
  // much slower a loaded machine answers is for the benchmark to show, not for a test.
  EXPECT_LE(report.events_per_second(), 205);
}

TEST(Load, AgainstNothingListeningCountsFailuresAndStopsByItself) {
  LoadOptions options;
  {
    PrikEndpoint gone;  // a port that was just free
    options = gone.options();
  }
  const auto started = std::chrono::steady_clock::now();
  const LoadReport report = run_load(options);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_EQ(report.ok, 0u);
  EXPECT_GT(report.failures, 0u);
}

}  // namespace
}  // namespace prik::bench
