#include "adapters/slack/reconnect.hpp"

#include <algorithm>

namespace prik::adapters::slack {

Reconnector::Reconnector(ReconnectOptions options) : options_(options), random_(options.seed) {}

std::chrono::milliseconds Reconnector::backoff() {
  // Doubling from the initial delay, capped; the wait is drawn from [delay/2, delay].
  const int exponent = std::min(failures_ - 1, 20);
  const auto uncapped = options_.initial_delay.count() * (std::int64_t{1} << exponent);
  const auto delay = std::min<std::int64_t>(uncapped, options_.max_delay.count());
  std::uniform_int_distribution<std::int64_t> jitter(delay / 2, delay);
  return std::chrono::milliseconds(jitter(random_));
}

Reconnector::Action Reconnector::resume(Event event, Clock::time_point now) {
  if (stopped_) return {Action::Kind::give_up, now};
  switch (event) {
    case Event::start:
    case Event::refresh_requested:
      return {Action::Kind::connect, now};
    case Event::hello:
      failures_ = 0;
      return {Action::Kind::stay, now};
    case Event::connection_lost:
    case Event::connect_failed:
      ++failures_;
      return {Action::Kind::connect, now + backoff()};
    case Event::link_disabled:
    case Event::stop:
      stopped_ = true;
      return {Action::Kind::give_up, now};
  }
  return {Action::Kind::give_up, now};
}

}  // namespace prik::adapters::slack
