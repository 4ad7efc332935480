// The bot core carrying out the dialogs' commands: the records each one stores, the index the
// dialogs read, the messages and coordinators' notices it puts in the outbox, and the nudge rules
// it checks again when it commits. A scripted conversation engine hands the core the commands a
// test names, so each effect is tested on its own; the real dialogs are tested in tests/dialogs.
#include <gtest/gtest.h>

#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "bot/records.hpp"
#include "bot/runtime.hpp"
#include "storage/store.hpp"
#include "tests/bot/fixtures.hpp"

namespace prik::bot {
namespace {

using namespace std::chrono_literals;
using dialogs::ApplicationStatus;
using dialogs::NudgeAnswer;
using dialogs::PartnerStatus;
using nlohmann::json;
using testing_support::RecordingAdapter;

constexpr auto anna = "test:anna";
constexpr auto bo = "test:bo";
constexpr auto cai = "test:cai";
constexpr auto coordinator = "test:coord";

// Hands the core the commands queued for the person speaking, one list per turn; replies "ok".
class ScriptedDialog {
 public:
  void queue(const dialogs::UserRef& user, std::vector<dialogs::Command> commands,
             std::optional<dialogs::Language> language = std::nullopt) {
    std::lock_guard lock(mutex_);
    turns_[user].push_back({std::move(commands), language});
  }

  dialogs::TurnResult operator()(const dialogs::Conversation& conversation,
                                 const dialogs::Incoming& incoming,
                                 const dialogs::Context& context) {
    dialogs::TurnResult result{
        conversation, {{incoming.user, incoming.conversation, "ok", {}}}, {}};
    result.conversation.state = "scripted";
    std::lock_guard lock(mutex_);
    rules_seen_ = context.nudge_rules;
    auto& turns = turns_[incoming.user];
    if (!turns.empty()) {
      result.commands = std::move(turns.front().commands);
      if (turns.front().language) result.conversation.language = turns.front().language;
      turns.pop_front();
    }
    return result;
  }

  dialogs::NudgeRules rules_seen() const {
    std::lock_guard lock(mutex_);
    return rules_seen_;
  }

 private:
  struct Turn {
    std::vector<dialogs::Command> commands;
    std::optional<dialogs::Language> language;
  };
  mutable std::mutex mutex_;
  std::map<dialogs::UserRef, std::deque<Turn>> turns_;
  dialogs::NudgeRules rules_seen_;
};

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_.campaigns[0].fallback.users = {coordinator};
    open();
  }
  void TearDown() override { close(); }

  void open(RuntimeOptions options = {}) {
    adapter_ = std::make_unique<RecordingAdapter>();
    ASSERT_TRUE(storage::Store::open({.dir = dir_.path()}, &store_).ok());
    options.campaign_id = "test";
    options.clock = [this] { return now(); };
    options.retry.initial_delay = 1ms;
    options.dialog = [this](const auto& conversation, const auto& incoming, const auto& context) {
      return script_(conversation, incoming, context);
    };
    runtime_ = std::make_unique<Runtime>(*store_, catalog_, texts_, matcher_, options);
    runtime_->add_adapter(*adapter_);
    ASSERT_TRUE(runtime_->start().ok());
    ASSERT_TRUE(runtime_->wait_until_idle(10s));
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

  std::chrono::system_clock::time_point now() const {
    std::lock_guard lock(clock_mutex_);
    return now_;
  }
  void advance(std::chrono::seconds by) {
    std::lock_guard lock(clock_mutex_);
    now_ += by;
  }
  std::chrono::sys_seconds now_seconds() const {
    return std::chrono::floor<std::chrono::seconds>(now());
  }

  static dialogs::Incoming message(const std::string& user) {
    return {.user = user, .conversation = "dm-" + user, .text = "hej", .display_name = user};
  }

  // One turn of `user` that issues `commands` (and leaves their conversation in `language`); waits
  // until it is committed and delivered.
  bool turn(const std::string& user, std::vector<dialogs::Command> commands,
            dialogs::Incoming incoming = {},
            std::optional<dialogs::Language> language = std::nullopt) {
    script_.queue(user, std::move(commands), language);
    if (incoming.user.empty()) incoming = message(user);
    std::promise<bool> recorded;
    runtime_->deliver(std::move(incoming), [&](bool ok) { recorded.set_value(ok); });
    return recorded.get_future().get() && runtime_->wait_until_idle(10s);
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
  std::vector<dialogs::Outgoing> to(const std::string& user) const {
    return adapter_->delivered_to(user);
  }

  dialogs::SubmitApplication submit(const std::string& user, const std::string& entry,
                                    std::optional<std::string> partner = std::nullopt) {
    dialogs::SubmitApplication command{user, "Navn " + user, entry, "Mine ord", partner, {}};
    if (partner) command.partner_request = dialogs::Outgoing{*partner, "", "Vil du være med?", {}};
    return command;
  }
  static dialogs::SendNudge nudge(const std::string& from, const std::string& friend_ref,
                                  bool named = true) {
    return {from,       "Navn " + from, friend_ref,
            "plakater", named,          dialogs::Outgoing{friend_ref, "", "Prik på skulderen", {}}};
  }

  const dialogs::StoreView& view() const { return runtime_->view(); }

  testing_support::TempDir dir_;
  dialogs::Catalog catalog_ = testing_support::small_catalog();
  dialogs::Texts texts_;
  dialogs::Matcher matcher_{catalog_};
  ScriptedDialog script_;
  mutable std::mutex clock_mutex_;
  std::chrono::system_clock::time_point now_ =
      std::chrono::sys_days{std::chrono::November / 23 / 2026} + 12h;
  std::unique_ptr<RecordingAdapter> adapter_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Runtime> runtime_;
};

TEST_F(CommandsTest, AnApplicationIsStoredIndexedAndTheCoordinatorsAreTold) {
  ASSERT_TRUE(turn(anna, {submit(anna, "plakater")}));
  const auto stored = document(records::applications, "A-00001");
  EXPECT_EQ(stored["status"], "pending");
  EXPECT_FALSE(stored.contains("partner_status"));

  const auto application = view().application("A-00001");
  ASSERT_TRUE(application);
  EXPECT_EQ(application->user, anna);
  EXPECT_EQ(application->words, "Mine ord");
  ASSERT_EQ(view().applications_for("plakater").size(), 1u);
  EXPECT_EQ(view().coverage("plakater").pending, 1);
  const auto told = to(coordinator);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].conversation, "");  // a DM
}

TEST_F(CommandsTest, APairApplicationAsksThePartnerWhoseYesIsStoredAndNoticed) {
  ASSERT_TRUE(turn(anna, {submit(anna, "plakater", bo)}));
  EXPECT_EQ(document(records::applications, "A-00001")["partner_status"], "waiting");
  ASSERT_EQ(to(bo).size(), 1u);
  EXPECT_EQ(to(bo)[0].text, "Vil du være med?");
  ASSERT_EQ(view().partner_requests_for(bo).size(), 1u);
  EXPECT_EQ(view().personal_data(bo).applications.size(), 1u);

  // Only the named partner can answer.
  ASSERT_TRUE(turn(cai, {dialogs::ConfirmPartner{cai, "A-00001", true}}));
  EXPECT_EQ(document(records::applications, "A-00001")["partner_status"], "waiting");
  const auto notices_before = to(coordinator).size();

  ASSERT_TRUE(turn(bo, {dialogs::ConfirmPartner{bo, "A-00001", true}}));
  EXPECT_EQ(document(records::applications, "A-00001")["partner_status"], "confirmed");
  EXPECT_TRUE(view().partner_requests_for(bo).empty());
  EXPECT_EQ(view().application("A-00001")->partner_status, PartnerStatus::confirmed);
  EXPECT_EQ(to(coordinator).size(), notices_before + 1);
}

TEST_F(CommandsTest, APartnerWhoSaysNoIsStoredAndNotNoticed) {
  ASSERT_TRUE(turn(anna, {submit(anna, "plakater", bo)}));
  const auto notices_before = to(coordinator).size();
  ASSERT_TRUE(turn(bo, {dialogs::ConfirmPartner{bo, "A-00001", false}}));
  EXPECT_EQ(document(records::applications, "A-00001")["partner_status"], "declined");
  EXPECT_EQ(document(records::applications, "A-00001")["status"], "pending");
  EXPECT_EQ(to(coordinator).size(), notices_before);
}

TEST_F(CommandsTest, AWithdrawalIsStoredAndNoticed) {
  ASSERT_TRUE(turn(anna, {submit(anna, "plakater")}));
  ASSERT_TRUE(turn(anna, {dialogs::WithdrawApplication{anna, "plakater"}}));
  EXPECT_EQ(document(records::applications, "A-00001")["status"], "withdrawn");
  EXPECT_EQ(view().coverage("plakater").pending, 0);
  EXPECT_EQ(to(coordinator).size(), 2u);
}

TEST_F(CommandsTest, ApprovalFillsThePlaceAndALeavingPersonMakesTheRoleVacantAgain) {
  const auto started = now_seconds();
  EXPECT_EQ(view().coverage("kasserer").vacant_since, started);
  ASSERT_TRUE(turn(anna, {submit(anna, "kasserer")}));
  advance(1h);
  ASSERT_TRUE(turn(coordinator, {dialogs::ApproveApplication{coordinator, "A-00001"}}));
  const auto stored = document(records::applications, "A-00001");
  EXPECT_EQ(stored["status"], "approved");
  EXPECT_EQ(stored["approved"], now_seconds().time_since_epoch().count());
  auto coverage = view().coverage("kasserer");
  EXPECT_EQ(coverage.filled, 1);
  EXPECT_EQ(coverage.pending, 0);
  EXPECT_FALSE(coverage.vacant_since);

  // Approving or declining again changes nothing: only a pending application is decided.
  ASSERT_TRUE(turn(coordinator, {dialogs::DeclineApplication{coordinator, "A-00001", "Nej"}}));
  EXPECT_EQ(document(records::applications, "A-00001")["status"], "approved");

  advance(24h);
  ASSERT_TRUE(turn(anna, {dialogs::WithdrawApplication{anna, "kasserer"}}));
  coverage = view().coverage("kasserer");
  EXPECT_EQ(coverage.filled, 0);
  EXPECT_EQ(coverage.vacant_since, now_seconds());

  // The vacancy and the campaign's start survive a restart.
  restart();
  EXPECT_EQ(view().coverage("kasserer").vacant_since, now_seconds());
  EXPECT_EQ(view().coverage("plakater").vacant_since, started);
}

TEST_F(CommandsTest, ADeclinedApplicationIsStored) {
  ASSERT_TRUE(turn(anna, {submit(anna, "plakater")}));
  ASSERT_TRUE(turn(coordinator, {dialogs::DeclineApplication{coordinator, "A-00001", "Tak"}}));
  EXPECT_EQ(document(records::applications, "A-00001")["status"], "declined");
  EXPECT_EQ(view().application("A-00001")->status, ApplicationStatus::declined);
  EXPECT_EQ(view().coverage("plakater").pending, 0);
}

TEST_F(CommandsTest, ARequestForAHumanIsStoredShownAndNoticed) {
  ASSERT_TRUE(turn(anna, {dialogs::RequestHuman{anna, "Anna", "dm-anna", "Et spørgsmål"}}));
  EXPECT_EQ(document(records::handoffs, "H-00001")["words"], "Et spørgsmål");
  const auto data = view().personal_data(anna);
  ASSERT_EQ(data.handoffs.size(), 1u);
  EXPECT_EQ(data.handoffs[0].id, "H-00001");
  EXPECT_EQ(to(coordinator).size(), 1u);
}

TEST_F(CommandsTest, TheLanguageOfEachTurnIsKnownToTheView) {
  EXPECT_FALSE(view().language_of(anna));
  ASSERT_TRUE(turn(anna, {}, {}, dialogs::Language::en));
  EXPECT_EQ(view().language_of(anna), dialogs::Language::en);
  restart();
  EXPECT_EQ(view().language_of(anna), dialogs::Language::en);
}

TEST_F(CommandsTest, ANudgeIsStoredAndItsMessageSentToTheFriend) {
  ASSERT_TRUE(turn(anna, {nudge(anna, bo)}));
  const auto stored = document(records::nudges, "N-00001");
  EXPECT_EQ(stored["from"], anna);
  EXPECT_EQ(stored["to"], bo);
  EXPECT_EQ(stored["entry_id"], "plakater");
  EXPECT_EQ(stored["named"], true);
  EXPECT_EQ(stored["answer"], "none");
  EXPECT_EQ(stored["sent"], now_seconds().time_since_epoch().count());
  ASSERT_EQ(to(bo).size(), 1u);
  EXPECT_EQ(to(bo)[0].text, "Prik på skulderen");

  EXPECT_EQ(view().last_nudged(bo), now_seconds());
  EXPECT_EQ(view().nudges_sent_since(anna, now_seconds() - 24h), 1);
  ASSERT_TRUE(view().open_nudge_for(bo));
  EXPECT_EQ(view().open_nudge_for(bo)->id, "N-00001");
  EXPECT_EQ(view().personal_data(anna).nudges_sent.size(), 1u);
  EXPECT_EQ(view().personal_data(bo).nudges_received.size(), 1u);
}

TEST_F(CommandsTest, AnAnonymousNudgeDoesNotShowTheFriendWhoSentIt) {
  ASSERT_TRUE(turn(anna, {nudge(anna, bo, false)}));
  const auto received = view().personal_data(bo).nudges_received;
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].from, "");
  EXPECT_EQ(received[0].from_name, "");
  EXPECT_EQ(view().personal_data(anna).nudges_sent.at(0).to, bo);
}

TEST_F(CommandsTest, EveryNudgeRuleIsCheckedAgainWhenTheTurnCommits) {
  const auto nudges_sent = [&] { return count(records::nudges); };
  // Oneself.
  ASSERT_TRUE(turn(anna, {nudge(anna, anna)}));
  EXPECT_EQ(nudges_sent(), 0u);
  // A bot the platform named in the message.
  auto with_bot = message(anna);
  with_bot.mentioned_bots = {"test:prik"};
  ASSERT_TRUE(turn(anna, {nudge(anna, "test:prik")}, with_bot));
  EXPECT_EQ(nudges_sent(), 0u);
  // Someone who already applied.
  ASSERT_TRUE(turn(cai, {submit(cai, "plakater")}));
  ASSERT_TRUE(turn(anna, {nudge(anna, cai)}));
  EXPECT_EQ(nudges_sent(), 0u);
  EXPECT_TRUE(to(cai).size() == 1u);  // only the "ok" of cai's own turn

  // The same friend within the same-friend days, whoever asks.
  ASSERT_TRUE(turn(anna, {nudge(anna, bo)}));
  ASSERT_EQ(nudges_sent(), 1u);
  advance(std::chrono::days(29));
  ASSERT_TRUE(turn("test:dan", {nudge("test:dan", bo)}));
  EXPECT_EQ(nudges_sent(), 1u);
  advance(std::chrono::days(2));
  ASSERT_TRUE(turn("test:dan", {nudge("test:dan", bo)}));
  EXPECT_EQ(nudges_sent(), 2u);

  // Someone who opted out.
  ASSERT_TRUE(turn("test:eva", {nudge("test:eva", "test:fie")}));
  ASSERT_TRUE(turn("test:fie", {dialogs::AnswerNudge{"test:fie", "N-00003", NudgeAnswer::never}}));
  advance(std::chrono::days(40));
  ASSERT_TRUE(turn("test:eva", {nudge("test:eva", "test:fie")}));
  EXPECT_EQ(nudges_sent(), 3u);
  EXPECT_EQ(to("test:fie").size(), 2u);  // the nudge and the "ok" of the answer

  // The nudges per day: three from one person, the fourth within 24 hours dropped.
  for (const auto* friend_ref : {"test:g1", "test:g2", "test:g3", "test:g4"}) {
    ASSERT_TRUE(turn(anna, {nudge(anna, friend_ref)}));
    advance(1h);
  }
  EXPECT_EQ(nudges_sent(), 6u);
  EXPECT_TRUE(to("test:g4").empty());
  advance(24h);
  ASSERT_TRUE(turn(anna, {nudge(anna, "test:g4")}));
  EXPECT_EQ(nudges_sent(), 7u);
}

TEST_F(CommandsTest, TheConfiguredNudgeRulesReachTheDialogsAndTheCore) {
  restart({.nudge_rules = {.per_volunteer_per_day = 1, .same_friend_days = 2}});
  ASSERT_TRUE(turn(anna, {nudge(anna, bo)}));
  EXPECT_EQ(script_.rules_seen().per_volunteer_per_day, 1);
  EXPECT_EQ(script_.rules_seen().same_friend_days, 2);
  ASSERT_TRUE(turn(anna, {nudge(anna, cai)}));
  EXPECT_EQ(count(records::nudges), 1u);
  advance(std::chrono::days(3));
  ASSERT_TRUE(turn(cai, {nudge(cai, bo)}));
  EXPECT_EQ(count(records::nudges), 2u);
}

TEST_F(CommandsTest, TwoNudgesToOneFriendAtOnceSendOneMessage) {
  restart({.threads = 2});
  for (const auto* from : {anna, cai, "test:dan", "test:eva"}) {
    script_.queue(from, {nudge(from, bo)});
  }
  for (const auto* from : {anna, cai, "test:dan", "test:eva"}) {
    runtime_->deliver(message(from), [](bool ok) { EXPECT_TRUE(ok); });
  }
  ASSERT_TRUE(runtime_->wait_until_idle(10s));
  EXPECT_EQ(count(records::nudges), 1u);
  EXPECT_EQ(to(bo).size(), 1u);
}

TEST_F(CommandsTest, AnswersToANudgeAreStoredAndOnlyMoreIsNoticed) {
  ASSERT_TRUE(turn(anna, {nudge(anna, bo)}));
  // Only the friend answers their nudge.
  ASSERT_TRUE(turn(cai, {dialogs::AnswerNudge{cai, "N-00001", NudgeAnswer::more}}));
  EXPECT_EQ(document(records::nudges, "N-00001")["answer"], "none");

  advance(10min);
  ASSERT_TRUE(turn(bo, {dialogs::AnswerNudge{bo, "N-00001", NudgeAnswer::more}}));
  const auto stored = document(records::nudges, "N-00001");
  EXPECT_EQ(stored["answer"], "more");
  EXPECT_EQ(stored["answered"], now_seconds().time_since_epoch().count());
  EXPECT_FALSE(view().open_nudge_for(bo));
  EXPECT_EQ(to(coordinator).size(), 1u);

  ASSERT_TRUE(turn(cai, {nudge(cai, "test:dan")}));
  ASSERT_TRUE(turn("test:dan", {dialogs::AnswerNudge{"test:dan", "N-00002", NudgeAnswer::no}}));
  EXPECT_EQ(document(records::nudges, "N-00002")["answer"], "no");
  EXPECT_FALSE(view().opted_out("test:dan"));
  EXPECT_EQ(to(coordinator).size(), 1u);
}

TEST_F(CommandsTest, NeverStoresAnOptOutUnderAOneWayHash) {
  ASSERT_TRUE(turn(anna, {nudge(anna, bo)}));
  ASSERT_TRUE(turn(bo, {dialogs::AnswerNudge{bo, "N-00001", NudgeAnswer::never}}));
  EXPECT_TRUE(view().opted_out(bo));
  EXPECT_TRUE(view().personal_data(bo).opted_out);
  EXPECT_FALSE(view().opted_out(anna));
  std::vector<std::string> keys;
  store_->scan(records::optouts, "", [&](std::string_view key, std::string_view document) {
    keys.emplace_back(key);
    EXPECT_EQ(document.find(bo), std::string_view::npos);
  });
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0], records::optout_key(bo));
  EXPECT_EQ(keys[0].size(), 64u);
  EXPECT_EQ(keys[0].find("bo"), std::string::npos);
  EXPECT_EQ(to(coordinator).size(), 0u);
}

TEST_F(CommandsTest, ForgettingAPersonKeepsOnlyTheOptOutAndAnonymousCounts) {
  ASSERT_TRUE(turn(anna, {nudge(anna, bo)}));
  ASSERT_TRUE(turn(bo, {dialogs::AnswerNudge{bo, "N-00001", NudgeAnswer::never}}));
  ASSERT_TRUE(turn(bo, {submit(bo, "plakater")}));
  ASSERT_TRUE(turn(bo, {nudge(bo, cai)}));
  ASSERT_TRUE(turn(bo, {dialogs::RequestHuman{bo, "Bo", "dm-bo", "Ring til mig"}}));
  ASSERT_TRUE(turn(bo, {}, {}, dialogs::Language::en));
  ASSERT_EQ(view().language_of(bo), dialogs::Language::en);

  ASSERT_TRUE(turn(bo, {dialogs::ForgetPerson{bo}}));
  EXPECT_TRUE(document(records::conversations, bo).is_null());
  EXPECT_EQ(count(records::nudges), 0u);
  EXPECT_EQ(count(records::handoffs), 0u);
  const auto application = document(records::applications, "A-00001");
  EXPECT_EQ(application["user"], "");
  EXPECT_EQ(application["words"], "");
  EXPECT_TRUE(application.value("anonymous", false));

  const auto data = view().personal_data(bo);
  EXPECT_TRUE(data.applications.empty());
  EXPECT_TRUE(data.nudges_sent.empty());
  EXPECT_TRUE(data.nudges_received.empty());
  EXPECT_TRUE(data.handoffs.empty());
  EXPECT_TRUE(data.opted_out);
  EXPECT_TRUE(view().applications_of(bo).empty());
  EXPECT_FALSE(view().language_of(bo));
  EXPECT_FALSE(view().last_nudged(cai));
  EXPECT_EQ(view().coverage("plakater").pending, 1);
  ASSERT_TRUE(view().application("A-00001"));
  EXPECT_EQ(view().application("A-00001")->user, "");

  // The opt-out holds after the restart too: no later nudge reaches them.
  restart();
  EXPECT_TRUE(view().opted_out(bo));
  EXPECT_EQ(view().coverage("plakater").pending, 1);
  advance(std::chrono::days(60));
  const auto messages_to_bo = to(bo).size();
  ASSERT_TRUE(turn(cai, {nudge(cai, bo)}));
  EXPECT_EQ(count(records::nudges), 0u);
  EXPECT_EQ(to(bo).size(), messages_to_bo);
}

TEST_F(CommandsTest, AMessageWaitingToBeSentToAForgottenPersonIsNotSentAfterTheGoodbye) {
  // Bo's platform asks the bot to wait before it may send the nudge again; meanwhile Bo deletes
  // their data, which erases the nudge's message from the outbox.
  RecordingAdapter slow("slow");
  runtime_->add_adapter(slow);
  slow.script({{adapters::SendResult::Kind::retry, 500ms, "rate limited"}});
  const std::string slow_bo = "slow:bo";
  script_.queue(anna, {nudge(anna, slow_bo)});
  std::promise<bool> nudged;
  runtime_->deliver(message(anna), [&](bool ok) { nudged.set_value(ok); });
  ASSERT_TRUE(nudged.get_future().get());
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (slow.attempts().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(slow.attempts().size(), 1u);

  ASSERT_TRUE(turn(slow_bo, {dialogs::ForgetPerson{slow_bo}}));
  const auto delivered = slow.delivered_to(slow_bo);
  ASSERT_EQ(delivered.size(), 1u) << "only the goodbye";
  EXPECT_EQ(delivered[0].text, "ok");
  EXPECT_EQ(slow.attempts().size(), 2u) << "the nudge is not tried again";
  EXPECT_EQ(count(records::outbox), 0u) << "nothing erased comes back";
  EXPECT_EQ(count(records::nudges), 0u);
  close();  // before the adapter goes
}

// Every answer of the view for these people and roles, as one JSON document.
json view_snapshot(const dialogs::StoreView& view, const std::vector<std::string>& users,
                   std::chrono::sys_seconds now) {
  const auto seconds = [](std::optional<std::chrono::sys_seconds> time) {
    return time ? json(time->time_since_epoch().count()) : json();
  };
  const auto details = [&](const std::vector<dialogs::ApplicationDetails>& list) {
    json out = json::array();
    for (const auto& application : list) {
      records::Application record{application.id,
                                  application.user,
                                  application.display_name,
                                  application.entry_id,
                                  "",
                                  application.words,
                                  application.partner,
                                  application.status,
                                  application.submitted,
                                  application.updated,
                                  application.partner_status};
      out.push_back(record.to_json());
    }
    return out;
  };
  const auto nudges = [&](const std::vector<dialogs::NudgeSummary>& list) {
    json out = json::array();
    for (const auto& nudge : list) {
      out.push_back({nudge.id, nudge.from, nudge.to, nudge.entry_id, nudge.named,
                     seconds(nudge.sent), records::answer_name(nudge.answer)});
    }
    return out;
  };
  json snapshot;
  for (const auto* entry : {"kasserer", "plakater"}) {
    const auto coverage = view.coverage(entry);
    snapshot["coverage"][entry] = {coverage.places, coverage.filled, coverage.pending,
                                   seconds(coverage.vacant_since)};
    snapshot["applications_for"][entry] = details(view.applications_for(entry));
  }
  for (const auto& user : users) {
    auto& about = snapshot["people"][user];
    const auto data = view.personal_data(user);
    about["applications"] = details(data.applications);
    about["nudges_sent"] = nudges(data.nudges_sent);
    about["nudges_received"] = nudges(data.nudges_received);
    about["handoffs"] = data.handoffs.size();
    about["opted_out"] = data.opted_out;
    about["partner_requests"] = details(view.partner_requests_for(user));
    const auto language = view.language_of(user);
    about["language"] = language ? dialogs::language_code(*language) : "";
    about["last_nudged"] = seconds(view.last_nudged(user));
    about["sent_today"] = view.nudges_sent_since(user, now - 24h);
    const auto open = view.open_nudge_for(user);
    about["open_nudge"] = open ? open->id : "";
  }
  return snapshot;
}

TEST_F(CommandsTest, TheIndexRebuiltAfterARestartEqualsTheLiveOne) {
  ASSERT_TRUE(turn(anna, {submit(anna, "kasserer")}));
  ASSERT_TRUE(turn(cai, {submit(cai, "plakater", bo)}));
  advance(1h);
  ASSERT_TRUE(turn(coordinator, {dialogs::ApproveApplication{coordinator, "A-00001"}}));
  ASSERT_TRUE(turn(bo, {dialogs::ConfirmPartner{bo, "A-00002", true}}));
  advance(1h);
  ASSERT_TRUE(turn(anna, {dialogs::WithdrawApplication{anna, "kasserer"}}));
  ASSERT_TRUE(turn("test:dan", {submit("test:dan", "kasserer")}));
  ASSERT_TRUE(turn(anna, {nudge(anna, "test:eva"), nudge(anna, "test:fie", false)}));
  ASSERT_TRUE(turn("test:eva", {dialogs::AnswerNudge{"test:eva", "N-00001", NudgeAnswer::more}}));
  ASSERT_TRUE(turn("test:fie", {dialogs::AnswerNudge{"test:fie", "N-00002", NudgeAnswer::never}}));
  ASSERT_TRUE(turn(cai, {dialogs::RequestHuman{cai, "Cai", "dm-cai", ""}}));
  ASSERT_TRUE(turn(bo, {}, {}, dialogs::Language::en));
  ASSERT_TRUE(turn("test:dan", {dialogs::ForgetPerson{"test:dan"}}));

  const std::vector<std::string> users = {anna, bo, cai, "test:dan", "test:eva", "test:fie"};
  const auto live = view_snapshot(view(), users, now_seconds());
  restart();
  EXPECT_EQ(view_snapshot(view(), users, now_seconds()), live);
}

}  // namespace
}  // namespace prik::bot
