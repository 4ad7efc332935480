// The daily digest: the schedule (digest_due) across daylight-saving changes and restarts, the
// Runtime sending it once per local date, and the configuration keys "digest" and "nudges".
#include "bot/digest.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "bot/config.hpp"
#include "bot/launch.hpp"
#include "bot/records.hpp"
#include "bot/runtime.hpp"
#include "storage/store.hpp"
#include "tests/bot/fixtures.hpp"

namespace prik::bot {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using std::chrono::sys_days;
using std::chrono::sys_seconds;

constexpr auto copenhagen = "Europe/Copenhagen";

sys_seconds utc(std::chrono::year_month_day day, std::chrono::seconds time_of_day) {
  return sys_seconds(sys_days(day)) + time_of_day;
}

TEST(DigestDue, IsDueFromTheLocalTimeOfDayOnceADate) {
  using std::chrono::March;
  const auto day = 2026y / March / 28;  // CET, UTC+1
  EXPECT_FALSE(digest_due(utc(day, 7h + 59min + 59s), "", 9h, copenhagen));
  EXPECT_EQ(digest_due(utc(day, 8h), "", 9h, copenhagen), "2026-03-28");
  EXPECT_EQ(digest_due(utc(day, 22h + 59min), "2026-03-27", 9h, copenhagen), "2026-03-28");
  EXPECT_FALSE(digest_due(utc(day, 12h), "2026-03-28", 9h, copenhagen));
  // 23:30 UTC is already the next local date.
  EXPECT_FALSE(digest_due(utc(day, 23h + 30min), "2026-03-28", 9h, copenhagen));
}

TEST(DigestDue, FollowsTheSpringChangeOn29March2026) {
  using std::chrono::March;
  const auto day = 2026y / March / 29;  // CEST from 01:00 UTC: 09:00 local is 07:00 UTC
  EXPECT_FALSE(digest_due(utc(day, 6h + 59min), "2026-03-28", 9h, copenhagen));
  EXPECT_EQ(digest_due(utc(day, 7h), "2026-03-28", 9h, copenhagen), "2026-03-29");
  // 02:30 does not exist that night: the digest is due from 03:00 local (01:00 UTC).
  EXPECT_FALSE(digest_due(utc(day, 0h + 59min), "2026-03-28", 2h + 30min, copenhagen));
  EXPECT_EQ(digest_due(utc(day, 1h), "2026-03-28", 2h + 30min, copenhagen), "2026-03-29");
}

TEST(DigestDue, FollowsTheAutumnChangeOn25October2026) {
  using std::chrono::October;
  const auto day = 2026y / October / 25;  // CET from 01:00 UTC: 09:00 local is 08:00 UTC
  EXPECT_FALSE(digest_due(utc(day, 7h + 59min), "2026-10-24", 9h, copenhagen));
  EXPECT_EQ(digest_due(utc(day, 8h), "2026-10-24", 9h, copenhagen), "2026-10-25");
  // 02:30 local happens twice (00:30 and 01:30 UTC); the digest goes once.
  EXPECT_EQ(digest_due(utc(day, 30min), "2026-10-24", 2h + 30min, copenhagen), "2026-10-25");
  EXPECT_FALSE(digest_due(utc(day, 1h + 30min), "2026-10-25", 2h + 30min, copenhagen));
  // The day before, still summer time: 09:00 local is 07:00 UTC.
  EXPECT_EQ(digest_due(utc(2026y / October / 24, 7h), "", 9h, copenhagen), "2026-10-24");
}

TEST(DigestDue, ARestartAfterTheDigestWasSentSendsNothingUntilTheNextDay) {
  using std::chrono::June;
  // The date stored before the restart is all the schedule needs.
  EXPECT_FALSE(digest_due(utc(2026y / June / 1, 7h + 1min), "2026-06-01", 9h, copenhagen));
  EXPECT_FALSE(digest_due(utc(2026y / June / 2, 6h), "2026-06-01", 9h, copenhagen));
  EXPECT_EQ(digest_due(utc(2026y / June / 2, 7h), "2026-06-01", 9h, copenhagen), "2026-06-02");
  // A bot that was down for days sends one digest when it comes back after the time.
  EXPECT_EQ(digest_due(utc(2026y / June / 9, 10h), "2026-06-01", 9h, copenhagen), "2026-06-09");
}

TEST(DigestDue, AnUnknownZoneThrows) {
  EXPECT_THROW(digest_due(utc(2026y / std::chrono::June / 1, 0s), "", 9h, "Europe/Atlantis"),
               std::runtime_error);
  EXPECT_TRUE(is_time_zone(copenhagen));
  EXPECT_FALSE(is_time_zone("Europe/Atlantis"));
}

TEST(DigestDue, TimesOfDayAreHoursAndMinutes) {
  EXPECT_EQ(parse_time_of_day("09:00"), 9h);
  EXPECT_EQ(parse_time_of_day("23:59"), 23h + 59min);
  EXPECT_EQ(parse_time_of_day("00:00"), 0min);
  for (const auto* bad : {"24:00", "9:00", "09:60", "09.00", "", "0900", "09:00 "}) {
    EXPECT_FALSE(parse_time_of_day(bad)) << bad;
  }
}

// The Runtime's schedule, with the clock injected and checked every few milliseconds.
class DigestRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override { catalog_.campaigns[0].fallback.users = {coordinator}; }
  void TearDown() override { close(); }

  void open() {
    adapter_ = std::make_unique<testing_support::RecordingAdapter>();
    ASSERT_TRUE(storage::Store::open({.dir = dir_.path()}, &store_).ok());
    RuntimeOptions options;
    options.campaign_id = "test";
    options.clock = [this] {
      std::lock_guard lock(clock_mutex_);
      return now_;
    };
    options.digest_check = 2ms;
    runtime_ = std::make_unique<Runtime>(*store_, catalog_, texts_, matcher_, options);
    runtime_->add_adapter(*adapter_);
    ASSERT_TRUE(runtime_->start().ok());
  }
  void close() {
    if (runtime_) runtime_->stop(5s);
    runtime_.reset();
    store_.reset();
  }
  void set_clock(sys_seconds now) {
    std::lock_guard lock(clock_mutex_);
    now_ = now;
  }

  std::string last_digest_date() const {
    const auto document = store_->get(records::meta, records::digest_key);
    return document ? json::parse(*document).value("test", "") : "";
  }
  // Waits until the stored date is `date` (true) or two seconds passed.
  bool wait_for_date(const std::string& date) const {
    for (int i = 0; i < 400 && last_digest_date() != date; ++i) std::this_thread::sleep_for(5ms);
    return last_digest_date() == date && runtime_->wait_until_idle(5s);
  }
  // Lets the schedule be checked many times.
  void let_checks_run() const {
    std::this_thread::sleep_for(60ms);
    ASSERT_TRUE(runtime_->wait_until_idle(5s));
  }
  std::size_t digests() const { return adapter_->delivered_to(coordinator).size(); }

  static constexpr auto coordinator = "test:coord";
  testing_support::TempDir dir_;
  dialogs::Catalog catalog_ = testing_support::small_catalog();
  dialogs::Texts texts_;
  dialogs::Matcher matcher_{catalog_};
  std::mutex clock_mutex_;
  std::chrono::system_clock::time_point now_;
  std::unique_ptr<testing_support::RecordingAdapter> adapter_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Runtime> runtime_;
};

TEST_F(DigestRuntimeTest, SentOnceADayAtTheLocalTimeAcrossRestartsAndTheSpringChange) {
  using std::chrono::March;
  // The campaign starts a month before, at night: nothing is due until 09:00 local.
  set_clock(utc(2026y / March / 1, 2h));
  open();
  let_checks_run();
  EXPECT_EQ(last_digest_date(), "");
  EXPECT_EQ(digests(), 0u);

  // 28 March, CET: the roles have been vacant for 27 days, more than the 14 of the rules.
  set_clock(utc(2026y / March / 28, 7h + 59min));
  let_checks_run();
  EXPECT_EQ(last_digest_date(), "");
  set_clock(utc(2026y / March / 28, 8h));
  ASSERT_TRUE(wait_for_date("2026-03-28"));
  const auto first = digests();
  EXPECT_GE(first, 1u);
  set_clock(utc(2026y / March / 28, 20h));
  let_checks_run();
  EXPECT_EQ(digests(), first);

  // A restart the same day sends nothing more.
  close();
  open();
  let_checks_run();
  EXPECT_EQ(digests(), 0u);  // a fresh adapter: nothing sent since the restart
  EXPECT_EQ(last_digest_date(), "2026-03-28");

  // 29 March, CEST from 01:00 UTC: 09:00 local is 07:00 UTC.
  set_clock(utc(2026y / March / 29, 6h + 59min));
  let_checks_run();
  EXPECT_EQ(last_digest_date(), "2026-03-28");
  set_clock(utc(2026y / March / 29, 7h));
  ASSERT_TRUE(wait_for_date("2026-03-29"));
  const auto second = digests();
  EXPECT_GE(second, 1u);
  close();
  open();
  set_clock(utc(2026y / March / 29, 21h));
  let_checks_run();
  EXPECT_EQ(digests(), 0u);
  EXPECT_EQ(last_digest_date(), "2026-03-29");
}

TEST_F(DigestRuntimeTest, AutumnChangeAndADowntimeOverTheDigestTime) {
  using std::chrono::October;
  set_clock(utc(2026y / October / 1, 12h));
  open();
  ASSERT_TRUE(wait_for_date("2026-10-01"));
  // 25 October, CET from 01:00 UTC: 09:00 local is 08:00 UTC, no longer 07:00.
  set_clock(utc(2026y / October / 25, 7h + 30min));
  let_checks_run();
  EXPECT_EQ(last_digest_date(), "2026-10-01");
  set_clock(utc(2026y / October / 25, 8h));
  ASSERT_TRUE(wait_for_date("2026-10-25"));
  // Down over the next morning's time: one digest when back.
  close();
  set_clock(utc(2026y / October / 26, 15h));
  open();
  ASSERT_TRUE(wait_for_date("2026-10-26"));
  const auto sent = digests();
  let_checks_run();
  EXPECT_EQ(digests(), sent);
}

// The config keys, read from a copy of the shipped configuration.
class DigestConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto source = std::filesystem::path(PRIK_SOURCE_DIR) / "config";
    std::filesystem::copy(source, dir_.path() / "config", std::filesystem::copy_options::recursive);
    file_ = dir_.path() / "config" / "prik.json";
    std::ifstream in(file_);
    settings_ = json::parse(in);
  }
  ConfigResult load() {
    std::ofstream(file_) << settings_.dump(2);
    return load_config(file_, [](const std::string&) { return std::optional<std::string>(); });
  }

  testing_support::TempDir dir_;
  std::filesystem::path file_;
  json settings_;
};

TEST_F(DigestConfigTest, TheShippedConfigurationHasTheDefaults) {
  const auto result = load();
  ASSERT_TRUE(result.config) << (result.problems.empty() ? "" : result.problems[0]);
  const auto& settings = result.config->settings;
  EXPECT_EQ(settings.nudges.per_volunteer_per_day, 3);
  EXPECT_EQ(settings.nudges.same_friend_days, 30);
  EXPECT_EQ(settings.digest.time, 9h);
  EXPECT_EQ(settings.digest.time_zone, copenhagen);
  EXPECT_EQ(settings.digest.rules.vacant_days, 14);
  EXPECT_EQ(settings.digest.rules.waiting_days, 3);
  EXPECT_EQ(settings.digest.rules.deadline_days, 7);
}

TEST_F(DigestConfigTest, ValuesReachTheRuntimeOptions) {
  settings_["nudges"] = {{"per_volunteer_per_day", 5}, {"same_friend_days", 10}};
  settings_["digest"] = {{"time", "07:30"},
                         {"time_zone", "America/New_York"},
                         {"vacant_days", 2},
                         {"waiting_days", 1},
                         {"deadline_days", 3}};
  const auto result = load();
  ASSERT_TRUE(result.config);
  const auto options = runtime_options(result.config->settings);
  EXPECT_EQ(options.nudge_rules.per_volunteer_per_day, 5);
  EXPECT_EQ(options.nudge_rules.same_friend_days, 10);
  EXPECT_EQ(options.digest.time, 7h + 30min);
  EXPECT_EQ(options.digest.time_zone, "America/New_York");
  EXPECT_EQ(options.digest.rules.vacant_days, 2);
  EXPECT_EQ(options.digest.rules.waiting_days, 1);
  EXPECT_EQ(options.digest.rules.deadline_days, 3);
}

TEST_F(DigestConfigTest, BadValuesNameTheKeyAndTheFile) {
  settings_["nudges"] = {{"per_volunteer_per_day", -1}, {"same_friend_days", "30"}, {"x", 1}};
  settings_["digest"] = {{"time", "9 am"}, {"time_zone", "Europe/Atlantis"}, {"vacant_days", -2}};
  const auto result = load();
  EXPECT_FALSE(result.config);
  for (const auto* pointer :
       {"/nudges/per_volunteer_per_day", "/nudges/same_friend_days", "/nudges/x", "/digest/time",
        "/digest/time_zone", "/digest/vacant_days"}) {
    const auto named = std::any_of(result.problems.begin(), result.problems.end(),
                                   [&](const std::string& problem) {
                                     return problem.starts_with(file_.string() + ": " + pointer);
                                   });
    EXPECT_TRUE(named) << pointer;
  }
}

}  // namespace
}  // namespace prik::bot
