#include "bench/slack_ingest/signed_event.hpp"

#include <unistd.h>

#include <chrono>
#include <string_view>
#include <utility>

#include "adapters/slack/verify.hpp"

namespace prik::bench {

namespace {

std::string base36(std::uint64_t value, std::size_t width = 1) {
  constexpr std::string_view digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string text;
  do {
    text.insert(text.begin(), digits[value % 36]);
    value /= 36;
  } while (value != 0 || text.size() < width);
  return text;
}

std::string zero_padded(std::uint64_t value, std::size_t width) {
  std::string text = std::to_string(value);
  if (text.size() < width) text.insert(0, width - text.size(), '0');
  return text;
}

}  // namespace

EventSource::EventSource(std::string signing_secret, std::size_t senders, std::string run_id)
    : signing_secret_(std::move(signing_secret)),
      senders_(senders == 0 ? 1 : senders),
      run_id_(std::move(run_id)) {}

SignedEvent EventSource::next() {
  const std::uint64_t sequence = produced_++;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  const std::string user = bench_user_id(sequence % senders_);
  const std::string channel = direct_channel_of(user);
  const std::string ts = std::to_string(seconds) + "." + zero_padded(sequence % 1'000'000, 6);

  SignedEvent event;
  event.timestamp = std::to_string(seconds);
  event.body.reserve(480);
  event.body += R"({"token":"one-long-verification-token","team_id":")";
  event.body += bench_team_id;
  event.body += R"(","api_app_id":"A0PNCHHK2","event":{"type":"message","channel":")";
  event.body += channel;
  event.body += R"(","user":")";
  event.body += user;
  event.body += R"(","text":"Hej! Jeg vil gerne hjælpe med valgkampen.","ts":")";
  event.body += ts;
  event.body += R"(","event_ts":")";
  event.body += ts;
  event.body += R"(","channel_type":"im"},"type":"event_callback","authorizations":[{"team_id":")";
  event.body += bench_team_id;
  event.body += R"(","user_id":")";
  event.body += bench_bot_user_id;
  event.body += R"(","is_bot":true,"is_enterprise_install":false}],"event_id":"Ev)";
  event.body += run_id_;
  event.body += base36(sequence);
  event.body += R"(","event_time":)";
  event.body += event.timestamp;
  event.body += "}";
  event.signature = adapters::slack::sign(signing_secret_, event.timestamp, event.body);
  return event;
}

std::string new_run_id() {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  // Fixed width, so that run id and sequence number never run into each other.
  return base36(static_cast<std::uint64_t>(micros) % 2'821'109'907'456u, 8) +  // 36^8: 32 days
         base36(static_cast<std::uint64_t>(::getpid()) % 1296u, 2);            // 36^2
}

std::string bench_user_id(std::size_t volunteer) { return "U0B" + zero_padded(volunteer, 7); }

std::string direct_channel_of(std::string user_id) {
  if (!user_id.empty()) user_id.front() = 'D';
  return user_id;
}

}  // namespace prik::bench
