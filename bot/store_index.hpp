// StoreIndex: the dialogs' read view of the store (dialogs::StoreView), kept in memory.
//
// Built once from the store at start -- applications, nudges, opt-outs, hand-offs, the languages
// of the conversations and the campaigns' starts (meta/campaigns) -- then kept current by the bot
// core, which applies every record it commits. No query touches the disk, so a turn never waits
// for I/O.
//
// Coverage: a role's places come from the catalog; filled counts approved applications, pending
// those waiting for a coordinator. A role with free places is vacant since the last time its
// filled count dropped below its places (an approved person left), or else since the bot first
// ran its campaign.
//
// Thread-safety: all methods may be called concurrently (reads share a lock). The catalog is not
// owned and must outlive the index.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bot/records.hpp"
#include "dialogs/catalog.hpp"
#include "dialogs/view.hpp"
#include "storage/store.hpp"

namespace prik::bot {

class StoreIndex final : public dialogs::StoreView {
 public:
  explicit StoreIndex(const dialogs::Catalog& catalog) : catalog_(catalog) {}

  // Replaces the index with what the store holds; returns how many applications it loaded.
  std::size_t load(const storage::Store& store);

  // Adds a record or replaces the one with the same id.
  void apply(const records::Application& application);
  void apply(const records::Nudge& nudge);
  void apply(const records::Handoff& handoff);
  void add_optout(const std::string& optout_key);
  void set_language(const dialogs::UserRef& user, std::optional<dialogs::Language> language);
  void set_campaign_start(const std::string& campaign_id, std::chrono::sys_seconds start);
  // After "delete my data": their applications re-applied as `rewritten` (anonymous, or without
  // them as partner), their nudges sent and received, hand-offs and language forgotten. An
  // opt-out stays.
  void forget(const dialogs::UserRef& user, const std::vector<records::Application>& rewritten);

  // The full records, for the bot core's command handling.
  std::optional<records::Application> application_record(std::string_view id) const;
  std::optional<records::Nudge> nudge_record(std::string_view id) const;
  std::optional<std::chrono::sys_seconds> campaign_start(std::string_view campaign_id) const;

  std::vector<dialogs::ApplicationSummary> applications_of(
      const dialogs::UserRef& user) const override;
  dialogs::RoleCoverage coverage(std::string_view entry_id) const override;
  std::optional<dialogs::ApplicationDetails> application(std::string_view id) const override;
  std::vector<dialogs::ApplicationDetails> applications_for(
      std::string_view entry_id) const override;
  std::vector<dialogs::ApplicationDetails> partner_requests_for(
      const dialogs::UserRef& user) const override;
  std::optional<dialogs::Language> language_of(const dialogs::UserRef& user) const override;
  int nudges_sent_since(const dialogs::UserRef& from,
                        std::chrono::sys_seconds since) const override;
  std::optional<std::chrono::sys_seconds> last_nudged(const dialogs::UserRef& to) const override;
  bool opted_out(const dialogs::UserRef& user) const override;
  std::optional<dialogs::NudgeSummary> open_nudge_for(const dialogs::UserRef& to) const override;
  dialogs::PersonalData personal_data(const dialogs::UserRef& user) const override;

 private:
  struct EntryState {
    int filled = 0;
    int pending = 0;
    std::optional<std::chrono::sys_seconds> dropped;  // filled last fell below places
    std::vector<std::string> applications;            // ids, in the order applied
  };
  using Ids = std::vector<std::string>;

  void apply_locked(const records::Application& application, bool track_vacancy);
  void unlink_locked(const records::Application& application);
  void link_locked(const records::Application& application);
  void count_locked(const records::Application& application, int delta);
  void erase_nudge_locked(const std::string& id);
  int places_of(std::string_view entry_id) const;
  // Replays approvals and departures in time order to find when each role last became vacant.
  void replay_vacancies_locked();

  const dialogs::Catalog& catalog_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, records::Application, std::less<>> applications_;  // by id
  std::unordered_map<dialogs::UserRef, Ids> applications_by_user_;
  std::unordered_map<dialogs::UserRef, Ids> applications_by_partner_;
  std::map<std::string, EntryState, std::less<>> entries_;
  std::map<std::string, records::Nudge, std::less<>> nudges_;  // by id
  std::unordered_map<dialogs::UserRef, Ids> nudges_from_;
  std::unordered_map<dialogs::UserRef, Ids> nudges_to_;
  std::unordered_set<std::string> optouts_;  // records::optout_key
  std::unordered_map<dialogs::UserRef, std::vector<records::Handoff>> handoffs_;
  std::unordered_map<dialogs::UserRef, dialogs::Language> languages_;
  std::map<std::string, std::chrono::sys_seconds, std::less<>> campaign_starts_;
};

}  // namespace prik::bot
