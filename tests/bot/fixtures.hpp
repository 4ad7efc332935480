// Shared test fixtures for the bot core: a temporary directory, a small catalog and an adapter
// that records what it is asked to send.
#pragma once

#include <stdlib.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "adapters/adapter.hpp"
#include "dialogs/catalog.hpp"
#include "tests/support/temp_dir.hpp"

namespace prik::bot::testing_support {

using TempDir = prik::test_support::TempDir;

inline dialogs::Entry role(std::string id, std::string title, int places) {
  dialogs::Entry entry;
  entry.id = std::move(id);
  entry.title = {title, title};
  entry.purpose = {"Formål: " + title, "Purpose: " + title};
  entry.hours_min = 1;
  entry.hours_max = 5;
  entry.places = places;
  return entry;
}

// One campaign, "test", with two roles: "kasserer" (one place) and "plakater" (three).
inline dialogs::Catalog small_catalog() {
  dialogs::Campaign campaign;
  campaign.id = "test";
  campaign.name = {"Testkampagnen", "The test campaign"};
  campaign.contact_email = "test@example.org";
  campaign.interests = {{"economy", {"Økonomi", "Economy"}, {"penge", "money"}}};
  campaign.entries = {role("kasserer", "Kasserer", 1), role("plakater", "Plakatopsætter", 3)};
  campaign.entries[0].interests = {"economy"};
  return {{campaign}};
}

// Records every send; answers from a script of results (delivered once the script is used up).
class RecordingAdapter final : public adapters::Adapter {
 public:
  explicit RecordingAdapter(std::string platform = "test") : platform_(std::move(platform)) {}

  std::string platform() const override { return platform_; }
  void start(adapters::IncomingSink&) override {}
  void stop() override {}
  void send(const adapters::OutboxMessage& message,
            std::function<void(adapters::SendResult)> done) override {
    adapters::SendResult result;
    {
      std::lock_guard lock(mutex_);
      attempts_.push_back(message);
      if (!script_.empty()) {
        result = script_.front();
        script_.pop_front();
      }
      if (result.kind == adapters::SendResult::Kind::delivered) delivered_.push_back(message);
    }
    done(result);
  }

  // Gives every event completed from now on this display name, and holds the completions back
  // until release_completions().
  void hold_completions(std::string display_name) {
    std::lock_guard lock(mutex_);
    completed_name_ = std::move(display_name);
    holding_ = true;
  }
  void release_completions() {
    std::vector<std::pair<dialogs::Incoming, std::function<void(dialogs::Incoming)>>> held;
    {
      std::lock_guard lock(mutex_);
      holding_ = false;
      held.swap(held_);
    }
    for (auto& [incoming, done] : held) done(std::move(incoming));
  }
  // Waits up to 10 s until `count` completions are held; true when they are.
  bool completions_held(std::size_t count) {
    std::unique_lock lock(mutex_);
    return held_changed_.wait_for(lock, std::chrono::seconds(10),
                                  [&] { return held_.size() >= count; });
  }
  void complete(dialogs::Incoming incoming, std::function<void(dialogs::Incoming)> done) override {
    std::unique_lock lock(mutex_);
    if (!completed_name_.empty()) incoming.display_name = completed_name_;
    if (holding_) {
      held_.emplace_back(std::move(incoming), std::move(done));
      held_changed_.notify_all();
      return;
    }
    lock.unlock();
    done(std::move(incoming));
  }

  void script(std::vector<adapters::SendResult> results) {
    std::lock_guard lock(mutex_);
    script_.assign(results.begin(), results.end());
  }
  std::vector<adapters::OutboxMessage> attempts() const {
    std::lock_guard lock(mutex_);
    return attempts_;
  }
  std::vector<adapters::OutboxMessage> delivered() const {
    std::lock_guard lock(mutex_);
    return delivered_;
  }
  std::vector<dialogs::Outgoing> delivered_to(const std::string& user) const {
    std::lock_guard lock(mutex_);
    std::vector<dialogs::Outgoing> found;
    for (const auto& message : delivered_) {
      if (message.message.to == user) found.push_back(message.message);
    }
    return found;
  }

 private:
  std::string platform_;
  mutable std::mutex mutex_;
  std::deque<adapters::SendResult> script_;
  std::vector<adapters::OutboxMessage> attempts_;
  std::vector<adapters::OutboxMessage> delivered_;
  std::string completed_name_;
  bool holding_ = false;
  std::vector<std::pair<dialogs::Incoming, std::function<void(dialogs::Incoming)>>> held_;
  std::condition_variable held_changed_;
};

}  // namespace prik::bot::testing_support
