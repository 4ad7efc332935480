#include "bot/retry.hpp"

#include <gtest/gtest.h>

namespace prik::bot {
namespace {

using std::chrono::milliseconds;
using Kind = RetryAction::Kind;
using Result = adapters::SendResult;

const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);

Result retry(milliseconds after = milliseconds::zero()) {
  return {Result::Kind::retry, after, "503"};
}

RetryPolicy policy() {
  RetryPolicy policy;
  policy.initial_delay = milliseconds(100);
  policy.max_delay = milliseconds(1000);
  policy.multiplier = 2;
  policy.jitter = 0.2;
  policy.give_up_after = std::chrono::minutes(1);
  return policy;
}

TEST(RetryState, DeliveryOnTheFirstAttemptIsDone) {
  RetryState state(policy(), 1);
  EXPECT_EQ(state.resume({}, t0).kind, Kind::done);
  EXPECT_EQ(state.retries(), 0);
}

TEST(RetryState, PermanentFailureGivesUpWithoutRetrying) {
  RetryState state(policy(), 1);
  EXPECT_EQ(state.resume({Result::Kind::permanent_failure, {}, "channel_not_found"}, t0).kind,
            Kind::give_up);
}

TEST(RetryState, WaitsGrowExponentiallyWithinTheJitter) {
  RetryState state(policy(), 7);
  auto now = t0;
  for (const int base : {100, 200, 400, 800}) {
    const auto action = state.resume(retry(), now);
    ASSERT_EQ(action.kind, Kind::wait);
    const auto wait = std::chrono::duration_cast<milliseconds>(action.at - now).count();
    EXPECT_GE(wait, base * 8 / 10) << "base " << base;
    EXPECT_LE(wait, base * 12 / 10) << "base " << base;
    now = action.at;
  }
  EXPECT_EQ(state.retries(), 4);
}

TEST(RetryState, WaitsAreCappedAtTheMaximumDelay) {
  RetryState state(policy(), 3);
  auto now = t0;
  for (int i = 0; i < 12; ++i) {
    const auto action = state.resume(retry(), now);
    ASSERT_EQ(action.kind, Kind::wait);
    EXPECT_LE(action.at - now, milliseconds(1000));
    now = action.at;
  }
}

TEST(RetryState, ThePlatformsRetryAfterIsHonouredAsGiven) {
  RetryState state(policy(), 1);
  const auto action = state.resume(retry(milliseconds(30000)), t0);
  ASSERT_EQ(action.kind, Kind::wait);
  EXPECT_EQ(action.at, t0 + milliseconds(30000));
}

TEST(RetryState, GivesUpOnceRetryingWouldExceedTheLimit) {
  RetryState state(policy(), 1);
  auto now = t0;
  int waits = 0;
  for (;;) {
    const auto action = state.resume(retry(), now);
    if (action.kind == Kind::give_up) break;
    ASSERT_EQ(action.kind, Kind::wait);
    ASSERT_LT(++waits, 200);
    now = action.at;
  }
  EXPECT_LE(now - t0, std::chrono::minutes(1));
  EXPECT_GT(waits, 50);  // about a minute of waits of at most a second
}

TEST(RetryState, TheSameSeedGivesTheSameWaits) {
  RetryState first(policy(), 42);
  RetryState second(policy(), 42);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(first.resume(retry(), t0).at, second.resume(retry(), t0).at);
  }
}

TEST(RetryState, DifferentSeedsSpreadTheWaits) {
  RetryState first(policy(), 1);
  RetryState second(policy(), 2);
  bool differ = false;
  for (int i = 0; i < 5; ++i) {
    differ |= first.resume(retry(), t0).at != second.resume(retry(), t0).at;
  }
  EXPECT_TRUE(differ);
}

}  // namespace
}  // namespace prik::bot
