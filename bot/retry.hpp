// Delivery retry: the plain state machine that decides, after each send attempt of one outbox
// message, whether it is done, when to try again, or when to give up.
//
//   RetryState state{policy, seed};
//   RetryAction action = state.resume(result, now);   // after every attempt
//
// Waits grow exponentially from policy.initial_delay up to policy.max_delay, each randomised by
// +-policy.jitter so that many senders do not retry in step; a platform's requested wait
// (SendResult::retry_after) is honoured as given. After policy.give_up_after without a delivery
// the message is dropped (Matrix forgets a txnId after about a day, so later retries could
// duplicate). No clock of its own: the caller passes `now`, which makes it testable without waits.
// A value type; not thread-safe (one per message in flight).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

#include "adapters/adapter.hpp"

namespace prik::bot {

struct RetryPolicy {
  std::chrono::milliseconds initial_delay{500};
  std::chrono::milliseconds max_delay{std::chrono::minutes(5)};
  double multiplier = 2.0;
  double jitter = 0.2;  // each wait is scaled by a random factor in [1 - jitter, 1 + jitter]
  std::chrono::milliseconds give_up_after{std::chrono::hours(24)};
};

struct RetryAction {
  enum class Kind {
    done,     // delivered: remove the message from the outbox
    wait,     // try again at `at`
    give_up,  // permanent failure, or retried for too long: drop it and log
  };
  Kind kind = Kind::done;
  std::chrono::steady_clock::time_point at{};
};

class RetryState {
 public:
  RetryState(const RetryPolicy& policy, std::uint64_t seed) : policy_(policy), random_(seed) {}

  // Called after each attempt with its result and the current time.
  RetryAction resume(const adapters::SendResult& result, std::chrono::steady_clock::time_point now);

  // Attempts that ended in `retry` so far; the next attempt's OutboxMessage::attempt.
  int retries() const { return retries_; }

 private:
  std::chrono::milliseconds backoff_delay();

  RetryPolicy policy_;
  std::mt19937_64 random_;
  int retries_ = 0;
  std::chrono::steady_clock::time_point first_failure_{};
};

}  // namespace prik::bot
