// EventSource: distinct, signed Slack Events API callbacks for the ingest benchmark.
//
// Each event is a message.im event_callback shaped like Slack's documented example
// (shared/reference/slack/event_message_im.json) with its own event_id and ts, sent by one of a
// pool of volunteers (each in their own DM channel), and signed with the v0 scheme as Slack signs
// it, timestamped now. Event ids carry a run id, so that runs against the same store never
// collide with each other's deduplication. Not thread-safe: use one source per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace prik::bench {

// The team every benchmark event belongs to, and the bot identity the API stub reports.
inline constexpr const char* bench_team_id = "T123ABC456";
inline constexpr const char* bench_bot_user_id = "U0PRIKBOT";
inline constexpr const char* bench_bot_id = "B0PRIKBOT";

struct SignedEvent {
  std::string body;
  std::string timestamp;  // X-Slack-Request-Timestamp
  std::string signature;  // X-Slack-Signature
};

class EventSource {
 public:
  // `senders` volunteers take turns; `run_id` prefixes every event id (see new_run_id()).
  EventSource(std::string signing_secret, std::size_t senders, std::string run_id);

  SignedEvent next();

 private:
  const std::string signing_secret_;
  const std::size_t senders_;
  const std::string run_id_;
  std::uint64_t produced_ = 0;
};

// A short id that differs between runs (clock and process id, base 36).
std::string new_run_id();

// "U0B0000042" for volunteer 42.
std::string bench_user_id(std::size_t volunteer);

// The bot's DM channel with a user: "D0B0000042" for "U0B0000042".
std::string direct_channel_of(std::string user_id);

}  // namespace prik::bench
