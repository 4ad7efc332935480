#include "bot/store_index.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <tuple>

#include "dialogs/conversation.hpp"

namespace prik::bot {

using nlohmann::json;

namespace {

void remove_id(std::unordered_map<dialogs::UserRef, std::vector<std::string>>& lists,
               const dialogs::UserRef& user, const std::string& id) {
  const auto found = lists.find(user);
  if (found == lists.end()) return;
  std::erase(found->second, id);
  if (found->second.empty()) lists.erase(found);
}

template <typename Record>
std::vector<Record> scan_records(const storage::Store& store, std::string_view collection) {
  std::vector<Record> loaded;
  store.scan(collection, "", [&](std::string_view key, std::string_view document) {
    if (auto record = Record::from_json(json::parse(document, nullptr, false))) {
      loaded.push_back(std::move(*record));
    } else {
      spdlog::warn("{}/{}: unreadable document, ignored", collection, key);
    }
  });
  return loaded;
}

}  // namespace

std::size_t StoreIndex::load(const storage::Store& store) {
  const auto applications = scan_records<records::Application>(store, records::applications);
  const auto nudges = scan_records<records::Nudge>(store, records::nudges);
  const auto handoffs = scan_records<records::Handoff>(store, records::handoffs);
  std::unordered_set<std::string> optouts;
  store.scan(records::optouts, "",
             [&](std::string_view key, std::string_view) { optouts.emplace(key); });
  std::unordered_map<dialogs::UserRef, dialogs::Language> languages;
  store.scan(records::conversations, "", [&](std::string_view user, std::string_view document) {
    const auto conversation =
        dialogs::Conversation::from_json(json::parse(document, nullptr, false));
    if (conversation.language) languages.emplace(user, *conversation.language);
  });
  std::map<std::string, std::chrono::sys_seconds, std::less<>> campaign_starts;
  if (const auto document = store.get(records::meta, records::campaigns_key)) {
    campaign_starts = records::campaign_starts_from_json(json::parse(*document, nullptr, false));
  }

  std::unique_lock lock(mutex_);
  applications_.clear();
  applications_by_user_.clear();
  applications_by_partner_.clear();
  entries_.clear();
  nudges_.clear();
  nudges_from_.clear();
  nudges_to_.clear();
  handoffs_.clear();
  for (const auto& application : applications) apply_locked(application, false);
  replay_vacancies_locked();
  for (const auto& nudge : nudges) {
    nudges_.emplace(nudge.id, nudge);
    nudges_from_[nudge.from].push_back(nudge.id);
    nudges_to_[nudge.to].push_back(nudge.id);
  }
  for (const auto& handoff : handoffs) handoffs_[handoff.user].push_back(handoff);
  optouts_ = std::move(optouts);
  languages_ = std::move(languages);
  campaign_starts_ = std::move(campaign_starts);
  return applications.size();
}

int StoreIndex::places_of(std::string_view entry_id) const {
  const auto* entry = catalog_.find_entry(entry_id);
  return entry ? entry->places : 1;
}

void StoreIndex::count_locked(const records::Application& application, int delta) {
  auto& entry = entries_[application.entry_id];
  if (application.status == dialogs::ApplicationStatus::approved) entry.filled += delta;
  if (application.status == dialogs::ApplicationStatus::pending) entry.pending += delta;
}

void StoreIndex::unlink_locked(const records::Application& application) {
  if (!application.user.empty()) {
    remove_id(applications_by_user_, application.user, application.id);
  }
  if (application.partner) {
    remove_id(applications_by_partner_, *application.partner, application.id);
  }
}

void StoreIndex::link_locked(const records::Application& application) {
  if (!application.user.empty()) applications_by_user_[application.user].push_back(application.id);
  if (application.partner) {
    applications_by_partner_[*application.partner].push_back(application.id);
  }
}

void StoreIndex::apply_locked(const records::Application& application, bool track_vacancy) {
  auto& entry = entries_[application.entry_id];
  const int filled_before = entry.filled;
  const auto known = applications_.find(application.id);
  if (known != applications_.end()) {
    count_locked(known->second, -1);
    unlink_locked(known->second);
    known->second = application;
  } else {
    applications_.emplace(application.id, application);
    entry.applications.push_back(application.id);
  }
  count_locked(application, +1);
  link_locked(application);
  const int places = places_of(application.entry_id);
  if (track_vacancy && filled_before >= places && entry.filled < places) {
    entry.dropped = application.updated;
  }
}

void StoreIndex::replay_vacancies_locked() {
  // (time, +1 approved / -1 left, entry): approvals sort before departures at the same second.
  std::vector<std::tuple<std::chrono::sys_seconds, int, std::string>> events;
  for (const auto& [id, application] : applications_) {
    if (!application.approved) continue;
    events.emplace_back(*application.approved, +1, application.entry_id);
    if (application.status != dialogs::ApplicationStatus::approved) {
      events.emplace_back(application.updated, -1, application.entry_id);
    }
  }
  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) < std::get<0>(b)
                                            : std::get<1>(a) > std::get<1>(b);
  });
  std::map<std::string, int, std::less<>> filled;
  for (const auto& [at, delta, entry_id] : events) {
    const int places = places_of(entry_id);
    int& count = filled[entry_id];
    const int before = count;
    count += delta;
    if (before >= places && count < places) entries_[entry_id].dropped = at;
  }
}

void StoreIndex::apply(const records::Application& application) {
  std::unique_lock lock(mutex_);
  apply_locked(application, true);
}

void StoreIndex::apply(const records::Nudge& nudge) {
  std::unique_lock lock(mutex_);
  const auto [known, inserted] = nudges_.insert_or_assign(nudge.id, nudge);
  if (inserted) {
    nudges_from_[nudge.from].push_back(nudge.id);
    nudges_to_[nudge.to].push_back(nudge.id);
  }
}

void StoreIndex::apply(const records::Handoff& handoff) {
  std::unique_lock lock(mutex_);
  auto& list = handoffs_[handoff.user];
  const auto known = std::find_if(list.begin(), list.end(),
                                  [&](const auto& stored) { return stored.id == handoff.id; });
  if (known != list.end()) {
    *known = handoff;
  } else {
    list.push_back(handoff);
  }
}

void StoreIndex::add_optout(const std::string& optout_key) {
  std::unique_lock lock(mutex_);
  optouts_.insert(optout_key);
}

void StoreIndex::set_language(const dialogs::UserRef& user,
                              std::optional<dialogs::Language> language) {
  {
    std::shared_lock lock(mutex_);
    const auto known = languages_.find(user);
    if (known != languages_.end() ? language == known->second : !language) return;
  }
  std::unique_lock lock(mutex_);
  if (language) {
    languages_[user] = *language;
  } else {
    languages_.erase(user);
  }
}

void StoreIndex::set_campaign_start(const std::string& campaign_id,
                                    std::chrono::sys_seconds start) {
  std::unique_lock lock(mutex_);
  campaign_starts_[campaign_id] = start;
}

void StoreIndex::erase_nudge_locked(const std::string& id) {
  const auto found = nudges_.find(id);
  if (found == nudges_.end()) return;
  remove_id(nudges_from_, found->second.from, id);
  remove_id(nudges_to_, found->second.to, id);
  nudges_.erase(found);
}

void StoreIndex::forget(const dialogs::UserRef& user,
                        const std::vector<records::Application>& rewritten) {
  std::unique_lock lock(mutex_);
  for (const auto& application : rewritten) apply_locked(application, true);
  for (auto* lists : {&nudges_from_, &nudges_to_}) {
    const auto found = lists->find(user);
    if (found == lists->end()) continue;
    const auto ids = found->second;
    for (const auto& id : ids) erase_nudge_locked(id);
  }
  handoffs_.erase(user);
  languages_.erase(user);
}

std::optional<records::Application> StoreIndex::application_record(std::string_view id) const {
  std::shared_lock lock(mutex_);
  const auto found = applications_.find(id);
  if (found == applications_.end()) return std::nullopt;
  return found->second;
}

std::optional<records::Nudge> StoreIndex::nudge_record(std::string_view id) const {
  std::shared_lock lock(mutex_);
  const auto found = nudges_.find(id);
  if (found == nudges_.end()) return std::nullopt;
  return found->second;
}

std::optional<std::chrono::sys_seconds> StoreIndex::campaign_start(
    std::string_view campaign_id) const {
  std::shared_lock lock(mutex_);
  const auto found = campaign_starts_.find(campaign_id);
  if (found == campaign_starts_.end()) return std::nullopt;
  return found->second;
}

std::vector<dialogs::ApplicationSummary> StoreIndex::applications_of(
    const dialogs::UserRef& user) const {
  std::vector<dialogs::ApplicationSummary> found;
  std::shared_lock lock(mutex_);
  const auto ids = applications_by_user_.find(user);
  if (ids == applications_by_user_.end()) return found;
  for (const auto& id : ids->second) found.push_back(applications_.find(id)->second.summary());
  return found;
}

dialogs::RoleCoverage StoreIndex::coverage(std::string_view entry_id) const {
  dialogs::RoleCoverage coverage;
  coverage.places = places_of(entry_id);
  const auto* campaign = catalog_.campaign_of(entry_id);
  std::shared_lock lock(mutex_);
  const auto found = entries_.find(entry_id);
  std::optional<std::chrono::sys_seconds> dropped;
  if (found != entries_.end()) {
    coverage.filled = found->second.filled;
    coverage.pending = found->second.pending;
    dropped = found->second.dropped;
  }
  if (coverage.filled < coverage.places) {
    if (dropped) {
      coverage.vacant_since = dropped;
    } else if (campaign) {
      const auto start = campaign_starts_.find(campaign->id);
      if (start != campaign_starts_.end()) coverage.vacant_since = start->second;
    }
  }
  return coverage;
}

std::optional<dialogs::ApplicationDetails> StoreIndex::application(std::string_view id) const {
  std::shared_lock lock(mutex_);
  const auto found = applications_.find(id);
  if (found == applications_.end()) return std::nullopt;
  return found->second.details();
}

std::vector<dialogs::ApplicationDetails> StoreIndex::applications_for(
    std::string_view entry_id) const {
  std::vector<dialogs::ApplicationDetails> found;
  std::shared_lock lock(mutex_);
  const auto entry = entries_.find(entry_id);
  if (entry == entries_.end()) return found;
  for (const auto& id : entry->second.applications) {
    found.push_back(applications_.find(id)->second.details());
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.submitted < b.submitted; });
  return found;
}

std::vector<dialogs::ApplicationDetails> StoreIndex::partner_requests_for(
    const dialogs::UserRef& user) const {
  std::vector<dialogs::ApplicationDetails> found;
  std::shared_lock lock(mutex_);
  const auto ids = applications_by_partner_.find(user);
  if (ids == applications_by_partner_.end()) return found;
  for (const auto& id : ids->second) {
    const auto& application = applications_.find(id)->second;
    if (application.status == dialogs::ApplicationStatus::pending &&
        application.partner_status == dialogs::PartnerStatus::waiting) {
      found.push_back(application.details());
    }
  }
  return found;
}

std::optional<dialogs::Language> StoreIndex::language_of(const dialogs::UserRef& user) const {
  std::shared_lock lock(mutex_);
  const auto found = languages_.find(user);
  if (found == languages_.end()) return std::nullopt;
  return found->second;
}

int StoreIndex::nudges_sent_since(const dialogs::UserRef& from,
                                  std::chrono::sys_seconds since) const {
  std::shared_lock lock(mutex_);
  const auto ids = nudges_from_.find(from);
  if (ids == nudges_from_.end()) return 0;
  return static_cast<int>(
      std::count_if(ids->second.begin(), ids->second.end(),
                    [&](const auto& id) { return nudges_.find(id)->second.sent >= since; }));
}

std::optional<std::chrono::sys_seconds> StoreIndex::last_nudged(const dialogs::UserRef& to) const {
  std::shared_lock lock(mutex_);
  const auto ids = nudges_to_.find(to);
  if (ids == nudges_to_.end()) return std::nullopt;
  std::optional<std::chrono::sys_seconds> last;
  for (const auto& id : ids->second) {
    const auto sent = nudges_.find(id)->second.sent;
    if (!last || sent > *last) last = sent;
  }
  return last;
}

bool StoreIndex::opted_out(const dialogs::UserRef& user) const {
  const auto key = records::optout_key(user);
  std::shared_lock lock(mutex_);
  return optouts_.contains(key);
}

std::optional<dialogs::NudgeSummary> StoreIndex::open_nudge_for(const dialogs::UserRef& to) const {
  std::shared_lock lock(mutex_);
  const auto ids = nudges_to_.find(to);
  if (ids == nudges_to_.end()) return std::nullopt;
  const records::Nudge* latest = nullptr;
  for (const auto& id : ids->second) {
    const auto& nudge = nudges_.find(id)->second;
    if (nudge.answer != dialogs::NudgeAnswer::none) continue;
    if (!latest || std::tie(nudge.sent, nudge.id) > std::tie(latest->sent, latest->id)) {
      latest = &nudge;
    }
  }
  if (!latest) return std::nullopt;
  return latest->summary();
}

dialogs::PersonalData StoreIndex::personal_data(const dialogs::UserRef& user) const {
  dialogs::PersonalData data;
  data.opted_out = opted_out(user);
  std::shared_lock lock(mutex_);
  std::vector<std::string> ids;
  for (const auto* lists : {&applications_by_user_, &applications_by_partner_}) {
    const auto found = lists->find(user);
    if (found != lists->end()) ids.insert(ids.end(), found->second.begin(), found->second.end());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (const auto& id : ids) data.applications.push_back(applications_.find(id)->second.details());
  const auto summaries = [&](const std::unordered_map<dialogs::UserRef, Ids>& lists) {
    std::vector<dialogs::NudgeSummary> found;
    const auto list = lists.find(user);
    if (list == lists.end()) return found;
    for (const auto& id : list->second) found.push_back(nudges_.find(id)->second.summary());
    return found;
  };
  data.nudges_sent = summaries(nudges_from_);
  data.nudges_received = summaries(nudges_to_);
  // Who sent an anonymous nudge is the sender's data, not the friend's.
  for (auto& nudge : data.nudges_received) {
    if (!nudge.named) {
      nudge.from.clear();
      nudge.from_name.clear();
    }
  }
  if (const auto handoffs = handoffs_.find(user); handoffs != handoffs_.end()) {
    for (const auto& handoff : handoffs->second) data.handoffs.push_back(handoff.summary());
  }
  return data;
}

}  // namespace prik::bot
