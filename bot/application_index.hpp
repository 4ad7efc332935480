// ApplicationIndex: the dialogs' read view of the store (dialogs::StoreView), kept in memory.
//
// Built once from the store's "applications" collection at start, then kept current by the bot
// core, which applies every application document it commits. applications_of() and coverage()
// never touch the disk, so a turn never waits for I/O. A role's places come from the catalog;
// filled counts approved applications, pending those waiting for a coordinator.
//
// Thread-safety: all methods may be called concurrently (reads share a lock). The catalog is not
// owned and must outlive the index.
#pragma once

#include <map>
#include <shared_mutex>
#include <string>
#include <vector>

#include "bot/records.hpp"
#include "dialogs/catalog.hpp"
#include "dialogs/view.hpp"
#include "storage/store.hpp"

namespace prik::bot {

class ApplicationIndex final : public dialogs::StoreView {
 public:
  explicit ApplicationIndex(const dialogs::Catalog& catalog) : catalog_(catalog) {}

  // Replaces the index with the store's applications; returns how many it loaded.
  std::size_t load(const storage::Store& store);
  // Adds an application or replaces the one with the same id.
  void apply(const records::Application& application);

  std::vector<dialogs::ApplicationSummary> applications_of(
      const dialogs::UserRef& user) const override;
  dialogs::RoleCoverage coverage(std::string_view entry_id) const override;

 private:
  struct Counts {
    int filled = 0;
    int pending = 0;
  };
  void count(const dialogs::ApplicationSummary& summary, int delta);

  const dialogs::Catalog& catalog_;
  mutable std::shared_mutex mutex_;
  std::map<dialogs::UserRef, std::vector<dialogs::ApplicationSummary>, std::less<>> by_user_;
  std::map<std::string, Counts, std::less<>> counts_;  // entry id -> counts
};

}  // namespace prik::bot
