#include "bot/runtime.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <future>
#include <nlohmann/json.hpp>

#include "bot/records.hpp"
#include "storage/fault_file_system.hpp"
#include "storage/memory_file_system.hpp"
#include "storage/store.hpp"
#include "tests/bot/fixtures.hpp"

namespace prik::bot {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing_support::RecordingAdapter;

constexpr auto anna = "test:anna";

class CoreTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void TearDown() override { close(); }

  void open(RuntimeOptions options = {}) {
    adapter_ = std::make_unique<RecordingAdapter>();
    ASSERT_TRUE(storage::Store::open({.dir = dir_.path()}, &store_).ok());
    options.campaign_id = "test";
    options.clock = [this] { return now_; };
    options.retry.initial_delay = 1ms;
    runtime_ = std::make_unique<Runtime>(*store_, catalog_, texts_, matcher_, options);
    runtime_->add_adapter(*adapter_);
    ASSERT_TRUE(runtime_->start().ok());
  }

  void close() {
    if (runtime_) runtime_->stop(5s);
    runtime_.reset();
    store_.reset();
  }

  void restart(RuntimeOptions options = {}) {
    close();
    open(std::move(options));
  }

  static dialogs::Incoming message(const std::string& user, std::string text,
                                   std::string event_id = {}) {
    return {.user = user,
            .conversation = "dm-" + user,
            .text = std::move(text),
            .event_id = std::move(event_id),
            .display_name = "Anna"};
  }
  static dialogs::Incoming button(const std::string& user, std::string choice_id) {
    auto incoming = message(user, "");
    incoming.choice_id = std::move(choice_id);
    return incoming;
  }

  // Delivers and waits until the turn ran and its replies went out.
  bool deliver(dialogs::Incoming incoming) {
    std::promise<bool> recorded;
    runtime_->deliver(std::move(incoming), [&](bool ok) { recorded.set_value(ok); });
    return recorded.get_future().get() && runtime_->wait_until_idle(10s);
  }

  void deliver_without_waiting(dialogs::Incoming incoming) {
    runtime_->deliver(std::move(incoming), [](bool ok) { EXPECT_TRUE(ok); });
  }

  json document(std::string_view collection, std::string_view key) const {
    const auto found = store_->get(collection, key);
    return found ? json::parse(*found) : json();
  }

  std::size_t count(std::string_view collection) const {
    std::size_t documents = 0;
    store_->scan(collection, "", [&](std::string_view, std::string_view) { ++documents; });
    return documents;
  }

  std::string state_of(const std::string& user) const {
    return document(records::conversations, user).value("state", "");
  }

  testing_support::TempDir dir_;
  dialogs::Catalog catalog_ = testing_support::small_catalog();
  dialogs::Texts texts_;
  dialogs::Matcher matcher_{catalog_};
  std::chrono::system_clock::time_point now_ =
      std::chrono::sys_days{std::chrono::November / 23 / 2026} + 12h;
  std::unique_ptr<RecordingAdapter> adapter_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Runtime> runtime_;
};

TEST_F(CoreTest, TheFirstMessageOfAFreshConversationGetsTheWelcomeAndTheMenu) {
  ASSERT_TRUE(deliver(message(anna, "")));
  const auto replies = adapter_->delivered_to(anna);
  ASSERT_EQ(replies.size(), 1u) << "the welcome and the menu are one message";
  EXPECT_NE(replies.back().text.find("\n\n"), std::string::npos) << replies.back().text;
  ASSERT_FALSE(replies.back().choices.empty());
  EXPECT_EQ(replies.back().choices.front().id, "menu.find");
  EXPECT_EQ(replies.back().conversation, "dm-test:anna");
  EXPECT_EQ(state_of(anna), "menu");
  EXPECT_EQ(count(records::inbox), 0u);
  EXPECT_EQ(count(records::outbox), 0u);
  EXPECT_EQ(runtime_->stats().turns, 1u);
}

TEST_F(CoreTest, ADuplicateEventIdRunsOneTurnAlsoAfterARestart) {
  ASSERT_TRUE(deliver(message(anna, "", "Ev1")));
  const auto replies = adapter_->delivered().size();
  ASSERT_TRUE(deliver(message(anna, "", "Ev1")));
  EXPECT_EQ(adapter_->delivered().size(), replies);
  EXPECT_EQ(runtime_->stats().duplicates, 1u);

  restart();
  ASSERT_TRUE(deliver(message(anna, "", "Ev1")));
  EXPECT_EQ(runtime_->stats().turns, 0u);
  EXPECT_EQ(runtime_->stats().duplicates, 1u);
  ASSERT_TRUE(deliver(message(anna, "", "Ev2")));
  EXPECT_EQ(runtime_->stats().turns, 1u);
}

TEST_F(CoreTest, EventIdsAreForgottenAfterTheDedupeWindow) {
  restart({.dedupe_window = 1h});
  ASSERT_TRUE(deliver(message(anna, "", "Ev1")));
  now_ += 2h;
  ASSERT_TRUE(deliver(message(anna, "", "Ev2")));
  EXPECT_TRUE(document(records::events, "Ev1").is_null());
  ASSERT_TRUE(deliver(message(anna, "", "Ev1")));
  EXPECT_EQ(runtime_->stats().turns, 3u);
}

TEST_F(CoreTest, ARestartMidDialogContinuesWhereItWas) {
  ASSERT_TRUE(deliver(message(anna, "")));
  ASSERT_TRUE(deliver(button(anna, "apply.role.kasserer")));
  ASSERT_EQ(state_of(anna), "apply.words");

  restart();
  ASSERT_TRUE(deliver(message(anna, "Jeg har styr på tal og regnskab.")));
  EXPECT_EQ(state_of(anna), "apply.confirm");
  const auto replies = adapter_->delivered_to(anna);
  ASSERT_FALSE(replies.empty());
  ASSERT_FALSE(replies.back().choices.empty());
  EXPECT_EQ(replies.back().choices.front().id, "confirm.yes");
}

TEST_F(CoreTest, AConfirmedApplicationIsStoredWithAShortIdAndCountsAsPending) {
  ASSERT_TRUE(deliver(message(anna, "")));
  ASSERT_TRUE(deliver(button(anna, "apply.role.kasserer")));
  ASSERT_TRUE(deliver(message(anna, "Jeg har styr på tal og regnskab.")));
  ASSERT_TRUE(deliver(button(anna, "confirm.yes")));

  const auto application = document(records::applications, "A-00001");
  ASSERT_TRUE(application.is_object());
  EXPECT_EQ(application["user"], anna);
  EXPECT_EQ(application["entry"], "kasserer");
  EXPECT_EQ(application["campaign"], "test");
  EXPECT_EQ(application["status"], "pending");
  EXPECT_EQ(application["words"], "Jeg har styr på tal og regnskab.");
  EXPECT_EQ(application["submitted"],
            std::chrono::duration_cast<std::chrono::seconds>(now_.time_since_epoch()).count());

  // The next application, after a restart, gets the next id.
  restart();
  ASSERT_TRUE(deliver(message("test:bo", "")));
  ASSERT_TRUE(deliver(button("test:bo", "apply.role.plakater")));
  ASSERT_TRUE(deliver(message("test:bo", "Jeg kan cykle rundt med plakater.")));
  ASSERT_TRUE(deliver(button("test:bo", "confirm.yes")));
  EXPECT_EQ(document(records::applications, "A-00002")["user"], "test:bo");
}

TEST_F(CoreTest, AWithdrawalMarksTheApplicationWithdrawn) {
  ASSERT_TRUE(deliver(message(anna, "")));
  ASSERT_TRUE(deliver(button(anna, "apply.role.kasserer")));
  ASSERT_TRUE(deliver(message(anna, "Jeg har styr på tal.")));
  ASSERT_TRUE(deliver(button(anna, "confirm.yes")));
  ASSERT_EQ(document(records::applications, "A-00001")["status"], "pending");

  ASSERT_TRUE(deliver(button(anna, "withdraw.kasserer")));
  ASSERT_TRUE(deliver(button(anna, "confirm.yes")));
  const auto application = document(records::applications, "A-00001");
  EXPECT_EQ(application["status"], "withdrawn");
  EXPECT_EQ(application["words"], "Jeg har styr på tal.");
}

TEST_F(CoreTest, AskingForAHumanStoresAHandoff) {
  ASSERT_TRUE(deliver(message(anna, "")));
  ASSERT_TRUE(deliver(button(anna, "menu.human")));
  ASSERT_TRUE(deliver(message(anna, "Kan jeg hjælpe med noget andet?")));
  const auto handoff = document(records::handoffs, "H-00001");
  ASSERT_TRUE(handoff.is_object()) << state_of(anna);
  EXPECT_EQ(handoff["user"], anna);
  EXPECT_EQ(handoff["status"], "open");
}

TEST_F(CoreTest, OutboxEntriesLeftByACrashAreDeliveredAfterReopen) {
  close();
  {
    std::unique_ptr<storage::Store> store;
    ASSERT_TRUE(storage::Store::open({.dir = dir_.path()}, &store).ok());
    storage::Batch batch;
    for (const std::string text : {"første", "anden"}) {
      const auto key = records::sequence_key(text == "første" ? 7 : 8);
      batch.put("outbox", key, records::outgoing_to_json({anna, "dm", text, {}}).dump());
    }
    ASSERT_TRUE(store->commit(std::move(batch)).ok());
  }
  open();
  ASSERT_TRUE(runtime_->wait_until_idle(10s));
  const auto delivered = adapter_->delivered();
  ASSERT_EQ(delivered.size(), 2u);
  EXPECT_EQ(delivered[0].id, records::sequence_key(7));
  EXPECT_EQ(delivered[0].message.text, "første");
  EXPECT_EQ(delivered[1].message.text, "anden");
  EXPECT_EQ(count(records::outbox), 0u);
}

TEST_F(CoreTest, AnEventRecordedBeforeACrashRunsAfterReopen) {
  close();
  {
    std::unique_ptr<storage::Store> store;
    ASSERT_TRUE(storage::Store::open({.dir = dir_.path()}, &store).ok());
    storage::Batch batch;
    batch.put("inbox", records::sequence_key(1),
              records::incoming_to_json(message(anna, "", "Ev9")).dump());
    batch.put("events", "Ev9", R"({"at": 0})");
    ASSERT_TRUE(store->commit(std::move(batch)).ok());
  }
  open();
  ASSERT_TRUE(runtime_->wait_until_idle(10s));
  EXPECT_FALSE(adapter_->delivered_to(anna).empty());
  EXPECT_EQ(state_of(anna), "menu");
  EXPECT_EQ(count(records::inbox), 0u);
}

TEST_F(CoreTest, NewEventsAfterARestartAreNumberedAfterTheOnesStillInTheInbox) {
  close();
  {
    std::unique_ptr<storage::Store> store;
    ASSERT_TRUE(storage::Store::open({.dir = dir_.path()}, &store).ok());
    storage::Batch batch;
    // Recording an event does not write the counters: only the inbox knows its number.
    batch.put("inbox", records::sequence_key(5), records::incoming_document(message(anna, "")));
    ASSERT_TRUE(store->commit(std::move(batch)).ok());
  }
  open();
  ASSERT_TRUE(deliver(message("test:bo", "")));
  EXPECT_FALSE(adapter_->delivered_to(anna).empty());
  EXPECT_FALSE(adapter_->delivered_to("test:bo").empty());
  EXPECT_EQ(count(records::inbox), 0u);
  EXPECT_EQ(document(records::meta, records::counters_key).value("inbox", 0), 6);
}

TEST_F(CoreTest, ATurnsRepliesToOnePlaceBecomeOneMessageUpToTheOneWithChoices) {
  RuntimeOptions options;
  options.dialog = [](const dialogs::Conversation& conversation, const dialogs::Incoming& incoming,
                      const dialogs::Context&) {
    const dialogs::UserRef kim = "test:kim";
    dialogs::TurnResult result{conversation, {}, {}};
    result.replies = {
        {incoming.user, "", "Tak.", {}},
        {incoming.user, "", "Hvad vil du?", {{"a", "Det ene"}, {"b", "Det andet"}}},
        {incoming.user, "", "PS: mødet er i morgen.", {}},
        {incoming.user, "group", "I gruppen.", {}},
        {kim, "", "Anna skrev.", {}},
        {kim, "", "", {}},
        {kim, "", "Hun vil gerne hjælpe.", {}},
    };
    return result;
  };
  restart(std::move(options));
  ASSERT_TRUE(deliver(message(anna, "hej")));

  // Each place keeps its own order; the DM and the group are delivered independently.
  std::vector<dialogs::Outgoing> in_dm;
  std::vector<dialogs::Outgoing> in_group;
  for (auto& reply : adapter_->delivered_to(anna)) {
    (reply.conversation == "group" ? in_group : in_dm).push_back(reply);
  }
  ASSERT_EQ(in_dm.size(), 2u);
  EXPECT_EQ(in_dm[0].text, "Tak.\n\nHvad vil du?");
  ASSERT_EQ(in_dm[0].choices.size(), 2u);
  EXPECT_EQ(in_dm[0].choices[1].id, "b");
  EXPECT_EQ(in_dm[1].text, "PS: mødet er i morgen.");
  EXPECT_TRUE(in_dm[1].choices.empty());
  ASSERT_EQ(in_group.size(), 1u);
  EXPECT_EQ(in_group[0].text, "I gruppen.");
  const auto to_kim = adapter_->delivered_to("test:kim");
  ASSERT_EQ(to_kim.size(), 1u);
  EXPECT_EQ(to_kim[0].text, "Anna skrev.\n\nHun vil gerne hjælpe.");
  EXPECT_EQ(count(records::outbox), 0u);
}

TEST_F(CoreTest, AnEventIsRecordedBeforeItsAdapterCompletesItAndTurnsKeepTheirOrder) {
  struct Seen {
    std::mutex mutex;
    std::vector<std::pair<std::string, std::string>> turns;  // text, display name
  };
  auto seen = std::make_shared<Seen>();
  RuntimeOptions options;
  options.dialog = [seen](const dialogs::Conversation& conversation,
                          const dialogs::Incoming& incoming, const dialogs::Context&) {
    std::lock_guard lock(seen->mutex);
    seen->turns.emplace_back(incoming.text, incoming.display_name);
    return dialogs::TurnResult{conversation, {}, {}};
  };
  restart(std::move(options));
  adapter_->hold_completions("Anna Holm");
  for (const char* text : {"1", "2"}) {
    auto incoming = message(anna, text);
    incoming.display_name.clear();
    std::promise<bool> recorded;
    runtime_->deliver(std::move(incoming), [&](bool ok) { recorded.set_value(ok); });
    EXPECT_TRUE(recorded.get_future().get()) << "recorded while the completion is held";
  }
  ASSERT_TRUE(adapter_->completions_held(1));
  const auto first_recorded = document(records::inbox, records::sequence_key(1));
  ASSERT_TRUE(first_recorded.is_object());
  EXPECT_EQ(first_recorded.value("text", ""), "1");
  EXPECT_EQ(first_recorded.value("display_name", ""), "") << "the inbox keeps the event as it came";
  adapter_->release_completions();
  ASSERT_TRUE(runtime_->wait_until_idle(10s));
  std::lock_guard lock(seen->mutex);
  EXPECT_EQ(seen->turns, (std::vector<std::pair<std::string, std::string>>{{"1", "Anna Holm"},
                                                                           {"2", "Anna Holm"}}));
  EXPECT_EQ(count(records::inbox), 0u);
}

TEST_F(CoreTest, ASendAnsweredWithRetryIsRepeatedUntilDeliveredAndKeepsTheOrder) {
  using Kind = adapters::SendResult::Kind;
  adapter_->script({{Kind::retry, 0ms, "503"}, {Kind::retry, 2ms, "ratelimited"}});
  deliver_without_waiting(message(anna, ""));
  deliver_without_waiting(message(anna, "hjælp"));
  ASSERT_TRUE(runtime_->wait_until_idle(10s));
  const auto attempts = adapter_->attempts();
  const auto delivered = adapter_->delivered();
  ASSERT_GE(delivered.size(), 2u);
  ASSERT_EQ(attempts.size(), delivered.size() + 2);
  EXPECT_EQ(attempts[0].id, attempts[2].id);  // the same message, with the same id
  EXPECT_EQ(attempts[2].attempt, 2);
  for (std::size_t i = 1; i < delivered.size(); ++i)
    EXPECT_LT(delivered[i - 1].id, delivered[i].id);
  EXPECT_EQ(runtime_->stats().retries, 2u);
  EXPECT_EQ(count(records::outbox), 0u);
}

TEST_F(CoreTest, APermanentFailureDropsTheMessageAndDeliversTheRest) {
  adapter_->script({{adapters::SendResult::Kind::permanent_failure, 0ms, "channel_not_found"}});
  deliver_without_waiting(message(anna, ""));
  deliver_without_waiting(message(anna, "hjælp"));
  ASSERT_TRUE(runtime_->wait_until_idle(10s));
  const auto stats = runtime_->stats();
  EXPECT_EQ(stats.dropped, 1u);
  EXPECT_EQ(adapter_->delivered().size(), 1u);
  EXPECT_EQ(adapter_->attempts().size(), 2u);
  EXPECT_EQ(count(records::outbox), 0u);
}

TEST_F(CoreTest, MessagesForAPlatformWithoutAnAdapterStayInTheOutbox) {
  ASSERT_TRUE(deliver(message("matrix:@bo:example.org", "")));
  EXPECT_EQ(runtime_->stats().turns, 1u);
  EXPECT_TRUE(adapter_->attempts().empty());
  EXPECT_GE(count(records::outbox), 1u);
}

TEST_F(CoreTest, StopFinishesEveryAcceptedTurnBeforeReturning) {
  for (int i = 0; i < 20; ++i) {
    deliver_without_waiting(message("test:user" + std::to_string(i % 4), ""));
  }
  runtime_->stop(5s);
  EXPECT_EQ(runtime_->stats().turns, 20u);
  EXPECT_EQ(count(records::inbox), 0u);
  EXPECT_EQ(count(records::outbox), 0u);
  bool refused = false;
  runtime_->deliver(message(anna, ""), [&](bool recorded) { refused = !recorded; });
  EXPECT_TRUE(refused);
}

TEST_F(CoreTest, ManyPeopleTalkingAtOnceEachHaveTheirTurnsInOrder) {
  restart({.threads = 2});
  constexpr int people = 30;
  for (int i = 0; i < people; ++i) {
    const auto user = "test:person" + std::to_string(i);
    deliver_without_waiting(message(user, ""));
    deliver_without_waiting(button(user, "menu.browse"));
    deliver_without_waiting(button(user, "nav.menu"));
    deliver_without_waiting(button(user, "menu.mine"));
  }
  ASSERT_TRUE(runtime_->wait_until_idle(20s));
  EXPECT_EQ(runtime_->stats().turns, 4u * people);
  for (int i = 0; i < people; ++i) {
    EXPECT_EQ(state_of("test:person" + std::to_string(i)), "mine") << i;
  }
}

TEST_F(CoreTest, EventsDeliveredTogetherRunInOrderAndAreAnsweredOnce) {
  restart({.threads = 2});
  ASSERT_TRUE(deliver(message(anna, "", "seen-before")));
  // Enough events for several commits, a repeat inside the batch and one seen before it.
  constexpr int people = 40;
  std::vector<dialogs::Incoming> events;
  for (int i = 0; i < people; ++i) {
    const auto user = "test:person" + std::to_string(i);
    const auto id = [&](int step) {
      return "ev-" + std::to_string(i) + "-" + std::to_string(step);
    };
    events.push_back(message(user, "", id(0)));
    for (const auto& [step, choice] : std::vector<std::pair<int, std::string>>{
             {1, "menu.browse"}, {2, "nav.menu"}, {3, "menu.mine"}}) {
      events.push_back(button(user, choice));
      events.back().event_id = id(step);
    }
  }
  events.push_back(events[5]);
  events.push_back(message(anna, "", "seen-before"));
  std::atomic<int> answers = 0;
  std::promise<bool> recorded;
  runtime_->deliver_all(std::move(events), [&](bool ok) {
    if (++answers == 1) recorded.set_value(ok);
  });
  ASSERT_TRUE(recorded.get_future().get());
  ASSERT_TRUE(runtime_->wait_until_idle(20s));
  EXPECT_EQ(answers, 1);
  EXPECT_EQ(runtime_->stats().turns, 1u + 4u * people);
  EXPECT_EQ(runtime_->stats().duplicates, 2u);
  EXPECT_EQ(count(records::inbox), 0u);
  for (int i = 0; i < people; ++i) {
    EXPECT_EQ(state_of("test:person" + std::to_string(i)), "mine") << i;
  }
}

TEST_F(CoreTest, EventsDeliveredTogetherOnlyOfDuplicatesAreAnsweredRecorded) {
  ASSERT_TRUE(deliver(message(anna, "", "Ev1")));
  std::vector<dialogs::Incoming> events;
  events.push_back(message(anna, "", "Ev1"));
  std::promise<bool> recorded;
  runtime_->deliver_all(std::move(events), [&](bool ok) { recorded.set_value(ok); });
  EXPECT_TRUE(recorded.get_future().get());
  std::promise<bool> nothing;
  runtime_->deliver_all({}, [&](bool ok) { nothing.set_value(ok); });
  EXPECT_TRUE(nothing.get_future().get());
  EXPECT_EQ(runtime_->stats().turns, 1u);
  EXPECT_EQ(runtime_->stats().duplicates, 1u);
}

TEST_F(CoreTest, EventsDeliveredTogetherThatCannotBeWrittenAreRefusedAndNotTakenAsSeen) {
  close();
  storage::MemoryFileSystem memory;
  storage::FaultFileSystem faults(&memory);
  ASSERT_TRUE(storage::Store::open({.dir = "/store", .file_system = &faults}, &store_).ok());
  runtime_ = std::make_unique<Runtime>(*store_, catalog_, texts_, matcher_,
                                       RuntimeOptions{.campaign_id = "test"});
  runtime_->add_adapter(*adapter_);
  ASSERT_TRUE(runtime_->start().ok());
  faults.fail_nth(storage::FaultFileSystem::Operation::append,
                  faults.count(storage::FaultFileSystem::Operation::append) + 1, EIO);
  std::vector<dialogs::Incoming> events;
  for (int i = 0; i < 100; ++i) events.push_back(message(anna, "", "ev" + std::to_string(i)));
  std::promise<bool> recorded;
  runtime_->deliver_all(std::move(events), [&](bool ok) { recorded.set_value(ok); });
  EXPECT_FALSE(recorded.get_future().get());
  ASSERT_TRUE(runtime_->wait_until_idle(10s));
  EXPECT_EQ(runtime_->stats().turns, 0u);
  EXPECT_EQ(runtime_->stats().duplicates, 0u);
  close();  // before the file systems go
}

}  // namespace
}  // namespace prik::bot
