// SyncMachine: the life cycle of the Matrix connection as a plain state machine, apart from I/O.
//
//   SyncMachine machine{policy, seed};
//   SyncAction action = machine.start(now);           // check the token
//   action = machine.resume(outcome_of_that_call, now); // after every call, and so on
//
// First the access token is checked (GET /account/whoami), then /sync runs in a loop. A call
// that succeeded leads straight to the next sync. Transient failures (network, 5xx, a batch the
// core could not record) repeat the same call after an exponential backoff with jitter; a rate
// limit waits as long as the server asked (or a backoff when it did not say). A rejected token
// stops for good, and so does a refused whoami (a wrong homeserver URL or user); a refused /sync
// is retried with the backoff. No clock and no sockets: the caller passes `now` and performs the
// actions, which makes every path testable with an injected clock. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include "adapters/matrix/api.hpp"

namespace prik::adapters::matrix {

struct BackoffPolicy {
  std::chrono::milliseconds initial_delay{1'000};
  std::chrono::milliseconds max_delay{60'000};
  double multiplier = 2.0;
  double jitter = 0.2;  // each wait is scaled by a random factor in [1 - jitter, 1 + jitter]
};

struct SyncAction {
  enum class Kind {
    check_token,  // GET /account/whoami at `at`
    sync,         // GET /sync at `at`
    stop,         // give up; `reason` says why
  };
  Kind kind = Kind::check_token;
  std::chrono::steady_clock::time_point at{};
  std::string reason;
};

class SyncMachine {
 public:
  using Clock = std::chrono::steady_clock;

  SyncMachine(BackoffPolicy policy, std::uint64_t seed) : policy_(policy), random_(seed) {}

  SyncAction start(Clock::time_point now);
  // After the call the last action asked for: its outcome. For a sync, ok means the batch was
  // recorded and its token saved.
  SyncAction resume(const Outcome& outcome, Clock::time_point now);
  // Stops for good (shutdown); later resumes keep answering stop.
  SyncAction stop(std::string reason);

  bool stopped() const { return phase_ == Phase::stopped; }
  // Failed calls in a row (0 after a success).
  int failures() const { return failures_; }

 private:
  enum class Phase { checking_token, syncing, stopped };

  SyncAction current(Clock::time_point at) const;
  std::chrono::milliseconds backoff_delay();

  BackoffPolicy policy_;
  std::mt19937_64 random_;
  Phase phase_ = Phase::checking_token;
  int failures_ = 0;
  std::string stop_reason_;
};

}  // namespace prik::adapters::matrix
