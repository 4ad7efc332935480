#include "bot/application_index.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>

namespace prik::bot {

std::size_t ApplicationIndex::load(const storage::Store& store) {
  std::vector<records::Application> loaded;
  store.scan(records::applications, "", [&](std::string_view key, std::string_view document) {
    auto application =
        records::Application::from_json(nlohmann::json::parse(document, nullptr, false));
    if (application) {
      loaded.push_back(std::move(*application));
    } else {
      spdlog::warn("applications/{}: unreadable application document, ignored", key);
    }
  });
  {
    std::unique_lock lock(mutex_);
    by_user_.clear();
    counts_.clear();
  }
  for (const auto& application : loaded) apply(application);
  return loaded.size();
}

void ApplicationIndex::count(const dialogs::ApplicationSummary& summary, int delta) {
  auto& counts = counts_[summary.entry_id];
  if (summary.status == dialogs::ApplicationStatus::approved) counts.filled += delta;
  if (summary.status == dialogs::ApplicationStatus::pending) counts.pending += delta;
}

void ApplicationIndex::apply(const records::Application& application) {
  std::unique_lock lock(mutex_);
  auto summary = application.summary();
  auto& list = by_user_[application.user];
  const auto existing = std::find_if(list.begin(), list.end(),
                                     [&](const auto& known) { return known.id == summary.id; });
  if (existing != list.end()) {
    count(*existing, -1);
    *existing = summary;
  } else {
    list.push_back(summary);
  }
  count(summary, +1);
}

std::vector<dialogs::ApplicationSummary> ApplicationIndex::applications_of(
    const dialogs::UserRef& user) const {
  std::shared_lock lock(mutex_);
  const auto found = by_user_.find(user);
  return found == by_user_.end() ? std::vector<dialogs::ApplicationSummary>{} : found->second;
}

dialogs::RoleCoverage ApplicationIndex::coverage(std::string_view entry_id) const {
  dialogs::RoleCoverage coverage;
  if (const auto* entry = catalog_.find_entry(entry_id)) coverage.places = entry->places;
  std::shared_lock lock(mutex_);
  const auto found = counts_.find(entry_id);
  if (found != counts_.end()) {
    coverage.filled = found->second.filled;
    coverage.pending = found->second.pending;
  }
  return coverage;
}

}  // namespace prik::bot
