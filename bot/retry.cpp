#include "bot/retry.hpp"

#include <algorithm>
#include <cmath>

namespace prik::bot {

std::chrono::milliseconds RetryState::backoff_delay() {
  const double base = static_cast<double>(policy_.initial_delay.count()) *
                      std::pow(policy_.multiplier, static_cast<double>(retries_ - 1));
  const double capped = std::min(base, static_cast<double>(policy_.max_delay.count()));
  std::uniform_real_distribution<double> spread(1.0 - policy_.jitter, 1.0 + policy_.jitter);
  const double jittered =
      std::min(capped * spread(random_), static_cast<double>(policy_.max_delay.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(jittered, 1.0)));
}

RetryAction RetryState::resume(const adapters::SendResult& result,
                               std::chrono::steady_clock::time_point now) {
  using Kind = adapters::SendResult::Kind;
  switch (result.kind) {
    case Kind::delivered:
      return {RetryAction::Kind::done, now};
    case Kind::permanent_failure:
      return {RetryAction::Kind::give_up, now};
    case Kind::retry:
      break;
  }
  if (retries_ == 0) first_failure_ = now;
  ++retries_;
  const auto delay =
      result.retry_after > std::chrono::milliseconds::zero() ? result.retry_after : backoff_delay();
  if (now + delay - first_failure_ > policy_.give_up_after) {
    return {RetryAction::Kind::give_up, now};
  }
  return {RetryAction::Kind::wait, now + delay};
}

}  // namespace prik::bot
