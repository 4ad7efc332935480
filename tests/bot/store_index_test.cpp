#include "bot/store_index.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

TEST(Records, TheHandWrittenInboxDocumentEqualsTheJsonOneWithMentionedBots) {
  dialogs::Incoming incoming{.user = "slack:T1:U1",
                             .conversation = "D1",
                             .text = "prik <@U2> \"plakater\"",
                             .mentions = {"slack:T1:U2", "slack:T1:B9"},
                             .mentioned_bots = {"slack:T1:B9"}};
  EXPECT_EQ(records::incoming_document(incoming), records::incoming_to_json(incoming).dump());
  const auto read =
      records::incoming_from_json(nlohmann::json::parse(records::incoming_document(incoming)));
  EXPECT_EQ(read.mentions, incoming.mentions);
  EXPECT_EQ(read.mentioned_bots, incoming.mentioned_bots);
}

TEST(Records, TheHandWrittenConversationDocumentEqualsTheJsonOne) {
  dialogs::Conversation empty;
  EXPECT_EQ(records::conversation_document(empty), empty.to_json().dump());

  dialogs::Conversation full;
  full.language = dialogs::Language::en;
  full.state = "apply.confirm";
  full.interests = {"economy", "events"};
  full.about = "Jeg er \"god\" til tal\nog\ttabeller \\ æøå";
  full.hours_per_week = 5;
  full.entry_id = "kasserer";
  full.words = "Gerne \u0001 med";
  full.partner = "slack:T1:U2";
  full.partner_label = "<@U2>";
  full.nudge_friend = "matrix:@bo:example.org";
  full.nudge_friend_label = "Bo";
  full.offered = {"apply.confirm", "nav.menu"};
  const auto document = records::conversation_document(full);
  EXPECT_EQ(document, full.to_json().dump());
  const auto read = dialogs::Conversation::from_json(nlohmann::json::parse(document));
  EXPECT_EQ(read.to_json(), full.to_json());
}

TEST(Records, AnAnonymousApplicationAndANudgeReadBackAsWritten) {
  auto stored = application("A-00009", "test:anna", "plakater", ApplicationStatus::approved);
  stored.partner = "test:bo";
  stored.partner_status = dialogs::PartnerStatus::confirmed;
  stored.approved = std::chrono::sys_seconds(std::chrono::seconds(1700000000));
  const auto anonymous = stored.anonymized();
  const auto read = records::Application::from_json(anonymous.to_json());
  ASSERT_TRUE(read);
  EXPECT_TRUE(read->anonymous);
  EXPECT_EQ(read->user, "");
  EXPECT_FALSE(read->partner);
  EXPECT_EQ(read->partner_status, dialogs::PartnerStatus::none);
  EXPECT_EQ(read->approved, stored.approved);
  EXPECT_EQ(read->status, ApplicationStatus::approved);
  // Without "anonymous", an application needs its applicant.
  auto no_user = anonymous.to_json();
  no_user.erase("anonymous");
  EXPECT_FALSE(records::Application::from_json(no_user));

  const records::Nudge nudge{"N-00004",
                             "test:anna",
                             "Anna",
                             "test:bo",
                             "",
                             false,
                             std::chrono::sys_seconds(std::chrono::seconds(5)),
                             dialogs::NudgeAnswer::never,
                             std::chrono::sys_seconds(std::chrono::seconds(9))};
  const auto nudge_read = records::Nudge::from_json(nudge.to_json());
  ASSERT_TRUE(nudge_read);
  EXPECT_EQ(nudge_read->to_json(), nudge.to_json());
  EXPECT_EQ(records::optout_key("test:bo"),
            "336912f98b7062898601de95d0becfbb179fc3a604fe770f7e4c343031bbfec7");
  EXPECT_NE(records::optout_key("test:bo"), records::optout_key("test:bo2"));
}

}  // namespace
}  // namespace prik::bot
