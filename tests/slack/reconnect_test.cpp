#include "adapters/slack/reconnect.hpp"

#include <gtest/gtest.h>

namespace prik::adapters::slack {
namespace {

using namespace std::chrono_literals;
using Event = Reconnector::Event;
using Kind = Reconnector::Action::Kind;

ReconnectOptions fixed(std::uint32_t seed = 7) {
  ReconnectOptions options;
  options.initial_delay = 1s;
  options.max_delay = 30s;
  options.seed = seed;
  return options;
}

TEST(Reconnector, StartConnectsAtOnce) {
  Reconnector reconnector(fixed());
  const auto now = Reconnector::Clock::now();
  const auto action = reconnector.resume(Event::start, now);
  EXPECT_EQ(action.kind, Kind::connect);
  EXPECT_EQ(action.at, now);
}

TEST(Reconnector, FailuresBackOffExponentiallyWithJitterUpToTheCap) {
  Reconnector reconnector(fixed());
  const auto now = Reconnector::Clock::now();
  reconnector.resume(Event::start, now);
  std::chrono::milliseconds expected_max = 1s;
  for (int failure = 1; failure <= 10; ++failure) {
    const auto action = reconnector.resume(Event::connect_failed, now);
    ASSERT_EQ(action.kind, Kind::connect);
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(action.at - now);
    EXPECT_GE(wait, expected_max / 2) << "failure " << failure;
    EXPECT_LE(wait, expected_max) << "failure " << failure;
    expected_max = std::min<std::chrono::milliseconds>(expected_max * 2, 30s);
  }
  EXPECT_EQ(reconnector.consecutive_failures(), 10);
}

TEST(Reconnector, JitterSpreadsClientsWithDifferentSeeds) {
  const auto now = Reconnector::Clock::now();
  Reconnector first(fixed(1));
  Reconnector second(fixed(2));
  bool differed = false;
  for (int i = 0; i < 5; ++i) {
    differed |= first.resume(Event::connection_lost, now).at !=
                second.resume(Event::connection_lost, now).at;
  }
  EXPECT_TRUE(differed);
}

TEST(Reconnector, HelloResetsTheBackoff) {
  Reconnector reconnector(fixed());
  const auto now = Reconnector::Clock::now();
  for (int i = 0; i < 5; ++i) reconnector.resume(Event::connect_failed, now);
  EXPECT_EQ(reconnector.resume(Event::hello, now).kind, Kind::stay);
  EXPECT_EQ(reconnector.consecutive_failures(), 0);
  const auto action = reconnector.resume(Event::connection_lost, now);
  EXPECT_LE(action.at - now, 1s);
}

TEST(Reconnector, RefreshRequestedReconnectsAtOnce) {
  Reconnector reconnector(fixed());
  const auto now = Reconnector::Clock::now();
  reconnector.resume(Event::hello, now);
  const auto action = reconnector.resume(Event::refresh_requested, now);
  EXPECT_EQ(action.kind, Kind::connect);
  EXPECT_EQ(action.at, now);
}

TEST(Reconnector, LinkDisabledAndStopGiveUpForGood) {
  const auto now = Reconnector::Clock::now();
  Reconnector disabled(fixed());
  EXPECT_EQ(disabled.resume(Event::link_disabled, now).kind, Kind::give_up);
  EXPECT_EQ(disabled.resume(Event::connection_lost, now).kind, Kind::give_up);
  Reconnector stopped(fixed());
  EXPECT_EQ(stopped.resume(Event::stop, now).kind, Kind::give_up);
  EXPECT_EQ(stopped.resume(Event::start, now).kind, Kind::give_up);
}

}  // namespace
}  // namespace prik::adapters::slack
