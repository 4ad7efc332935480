#include "adapters/matrix/sync_machine.hpp"

#include <algorithm>
#include <cmath>

namespace prik::adapters::matrix {

SyncAction SyncMachine::start(Clock::time_point now) {
  if (phase_ == Phase::stopped) return current(now);
  phase_ = Phase::checking_token;
  failures_ = 0;
  return current(now);
}

SyncAction SyncMachine::stop(std::string reason) {
  if (phase_ != Phase::stopped) {
    phase_ = Phase::stopped;
    stop_reason_ = std::move(reason);
  }
  return current({});
}

SyncAction SyncMachine::resume(const Outcome& outcome, Clock::time_point now) {
  if (phase_ == Phase::stopped) return current(now);
  switch (outcome.kind) {
    case Outcome::Kind::ok:
      failures_ = 0;
      phase_ = Phase::syncing;
      return current(now);
    case Outcome::Kind::unknown_token:
      return stop("the homeserver rejected the access token (" + outcome.to_string() +
                  "); log the bot in again and set a new token");
    case Outcome::Kind::rejected:
      if (phase_ == Phase::checking_token) {
        return stop("the homeserver refused the token check (" + outcome.to_string() +
                    "); check homeserver_url and user_id");
      }
      break;
    case Outcome::Kind::rate_limited:
      if (outcome.retry_after.count() > 0) {
        ++failures_;
        return current(now + outcome.retry_after);
      }
      break;
    case Outcome::Kind::transient:
      break;
  }
  return current(now + backoff_delay());
}

SyncAction SyncMachine::current(Clock::time_point at) const {
  switch (phase_) {
    case Phase::checking_token:
      return {SyncAction::Kind::check_token, at, {}};
    case Phase::syncing:
      return {SyncAction::Kind::sync, at, {}};
    case Phase::stopped:
      break;
  }
  return {SyncAction::Kind::stop, at, stop_reason_};
}

std::chrono::milliseconds SyncMachine::backoff_delay() {
  const double exponent = std::min(failures_, 30);
  ++failures_;
  const double base = std::min(
      static_cast<double>(policy_.max_delay.count()),
      static_cast<double>(policy_.initial_delay.count()) * std::pow(policy_.multiplier, exponent));
  std::uniform_real_distribution<double> factor(1.0 - policy_.jitter, 1.0 + policy_.jitter);
  return std::chrono::milliseconds(static_cast<std::int64_t>(base * factor(random_)));
}

}  // namespace prik::adapters::matrix
