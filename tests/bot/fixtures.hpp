// Shared test fixtures for the bot core: a temporary directory, a small catalog and an adapter
// that records what it is asked to send.
#pragma once

#include <stdlib.h>

#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
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
};

}  // namespace prik::bot::testing_support
