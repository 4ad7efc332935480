// The bot core acknowledges a recorded event without waiting for its own threads: a turn or an
// outbox send that takes long must not hold up the answer Slack needs within 3 seconds.
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "bot/runtime.hpp"
#include "storage/store.hpp"
#include "tests/bot/fixtures.hpp"

namespace prik::bot {
namespace {

using namespace std::chrono_literals;

// Sends hold the calling thread until release() (or 20 s at most); entered() tells when the
// first send started waiting.
class GatedAdapter final : public adapters::Adapter {
 public:
  std::string platform() const override { return "test"; }
  void start(adapters::IncomingSink&) override {}
  void stop() override {}
  void send(const adapters::OutboxMessage& message,
            std::function<void(adapters::SendResult)> done) override {
    {
      std::lock_guard lock(mutex_);
      if (!entered_set_) {
        entered_set_ = true;
        entered_.set_value();
      }
      sent_to_.push_back(message.message.to);
    }
    gate_.wait_for(20s);
    done({});
  }

  std::future<void> entered() { return entered_.get_future(); }
  void release() { open_.set_value(); }
  std::size_t sent_to(const std::string& user) const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count(sent_to_.begin(), sent_to_.end(), user));
  }

 private:
  mutable std::mutex mutex_;
  bool entered_set_ = false;
  std::promise<void> entered_;
  std::promise<void> open_;
  std::shared_future<void> gate_ = open_.get_future().share();
  std::vector<std::string> sent_to_;
};

TEST(AcknowledgementTest, ARecordedEventIsAcknowledgedWhileTheCoresOnlyThreadIsBusy) {
  testing_support::TempDir dir;
  const dialogs::Catalog catalog = testing_support::small_catalog();
  const dialogs::Texts texts;
  const dialogs::Matcher matcher(catalog);
  std::unique_ptr<storage::Store> store;
  ASSERT_TRUE(storage::Store::open({.dir = dir.path()}, &store).ok());
  GatedAdapter adapter;
  Runtime runtime(*store, catalog, texts, matcher, {.campaign_id = "test", .threads = 1});
  runtime.add_adapter(adapter);
  ASSERT_TRUE(runtime.start().ok());

  // Anna's first reply occupies the core's only thread inside the adapter.
  auto entered = adapter.entered();
  runtime.deliver({.user = "test:anna", .conversation = "dm-anna", .event_id = "Ev1"},
                  [](bool recorded) { EXPECT_TRUE(recorded); });
  ASSERT_EQ(entered.wait_for(10s), std::future_status::ready);

  std::promise<bool> acknowledged;
  runtime.deliver({.user = "test:bob", .conversation = "dm-bob", .event_id = "Ev2"},
                  [&acknowledged](bool recorded) { acknowledged.set_value(recorded); });
  auto answer = acknowledged.get_future();
  const bool in_time = answer.wait_for(10s) == std::future_status::ready;
  adapter.release();
  ASSERT_TRUE(in_time) << "the acknowledgement waited for the busy core thread";
  EXPECT_TRUE(answer.get());

  // Bob's turn still runs once the thread is free, and nothing is left over.
  ASSERT_TRUE(runtime.wait_until_idle(20s));
  EXPECT_GE(adapter.sent_to("test:bob"), 1u);
  EXPECT_EQ(runtime.stats().events, 2u);
  EXPECT_EQ(runtime.stats().turns, 2u);
  runtime.stop(5s);
}

}  // namespace
}  // namespace prik::bot
