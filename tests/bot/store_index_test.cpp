#include "bot/store_index.hpp"

#include <gtest/gtest.h>

#include "tests/bot/fixtures.hpp"

namespace prik::bot {
namespace {

using dialogs::ApplicationStatus;

records::Application application(std::string id, std::string user, std::string entry,
                                 ApplicationStatus status) {
  records::Application made;
  made.id = std::move(id);
  made.user = std::move(user);
  made.entry_id = std::move(entry);
  made.status = status;
  return made;
}

TEST(StoreIndex, CoverageCountsPendingAndApprovedAgainstTheCatalogsPlaces) {
  const auto catalog = testing_support::small_catalog();
  StoreIndex index(catalog);
  index.apply(application("A-00001", "test:anna", "plakater", ApplicationStatus::pending));
  index.apply(application("A-00002", "test:bo", "plakater", ApplicationStatus::approved));
  index.apply(application("A-00003", "test:cai", "plakater", ApplicationStatus::declined));
  const auto coverage = index.coverage("plakater");
  EXPECT_EQ(coverage.places, 3);
  EXPECT_EQ(coverage.filled, 1);
  EXPECT_EQ(coverage.pending, 1);
}

TEST(StoreIndex, AStatusChangeMovesTheApplicationBetweenCounts) {
  const auto catalog = testing_support::small_catalog();
  StoreIndex index(catalog);
  index.apply(application("A-00001", "test:anna", "kasserer", ApplicationStatus::pending));
  index.apply(application("A-00001", "test:anna", "kasserer", ApplicationStatus::withdrawn));
  EXPECT_EQ(index.coverage("kasserer").pending, 0);
  const auto mine = index.applications_of("test:anna");
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].status, ApplicationStatus::withdrawn);
}

TEST(StoreIndex, AnUnknownPersonHasNoApplicationsAndAnUnknownRoleOnePlace) {
  const auto catalog = testing_support::small_catalog();
  StoreIndex index(catalog);
  EXPECT_TRUE(index.applications_of("test:nobody").empty());
  EXPECT_EQ(index.coverage("no-such-role").places, 1);
}

TEST(StoreIndex, LoadsTheApplicationsStoredAndSkipsUnreadableOnes) {
  const testing_support::TempDir dir;
  std::unique_ptr<storage::Store> store;
  ASSERT_TRUE(storage::Store::open({.dir = dir.path()}, &store).ok());
  storage::Batch batch;
  auto stored = application("A-00004", "test:anna", "kasserer", ApplicationStatus::approved);
  batch.put("applications", stored.id, stored.to_json().dump());
  batch.put("applications", "A-00005", "{not json");
  ASSERT_TRUE(store->commit(std::move(batch)).ok());

  const auto catalog = testing_support::small_catalog();
  StoreIndex index(catalog);
  EXPECT_EQ(index.load(*store), 1u);
  EXPECT_EQ(index.coverage("kasserer").filled, 1);
  ASSERT_EQ(index.applications_of("test:anna").size(), 1u);
  EXPECT_EQ(index.applications_of("test:anna")[0].id, "A-00004");
}

}  // namespace
}  // namespace prik::bot
