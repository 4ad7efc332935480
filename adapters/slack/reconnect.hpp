// Reconnector: when the Socket Mode connection should be (re)opened, as a plain state machine.
//
// The client reports what happened (resume(event, now)) and gets back what to do: connect now,
// connect at a later time (exponential backoff with jitter after failures), or give up (Socket
// Mode was switched off for the app, or the client is stopping). A connection that reached
// `hello` resets the backoff; a refresh that Slack asked for reconnects at once. No I/O and no
// clock of its own, so it is tested without sockets. Not thread-safe: one owner drives it.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace prik::adapters::slack {

struct ReconnectOptions {
  std::chrono::milliseconds initial_delay{1'000};
  std::chrono::milliseconds max_delay{60'000};
  std::uint32_t seed = std::random_device{}();  // jitter source; fixed in tests
};

class Reconnector {
 public:
  using Clock = std::chrono::steady_clock;

  enum class Event {
    start,
    hello,              // the connection is up and Slack said hello
    refresh_requested,  // Slack's disconnect (refresh_requested, too_many_websockets, ...)
    connection_lost,    // the socket closed or timed out without a disconnect message
    connect_failed,     // apps.connections.open, connect or handshake failed
    link_disabled,      // Socket Mode switched off for the app: reconnecting cannot help
    stop,
  };

  struct Action {
    enum class Kind { connect, stay, give_up };
    Kind kind = Kind::connect;
    Clock::time_point at{};  // with connect: the moment to connect (now or later)
  };

  explicit Reconnector(ReconnectOptions options = {});

  Action resume(Event event, Clock::time_point now);
  int consecutive_failures() const { return failures_; }

 private:
  std::chrono::milliseconds backoff();

  ReconnectOptions options_;
  std::mt19937 random_;
  int failures_ = 0;
  bool stopped_ = false;
};

}  // namespace prik::adapters::slack
