// The load generator: sends signed Slack events to an Events API endpoint over keep-alive
// connections and measures how long each takes to be acknowledged.
//
// Closed loop (rate 0): every connection sends its next event as soon as the previous one is
// answered -- the endpoint's maximum throughput. Open loop (rate > 0): events are due at a fixed
// rate whatever the endpoint does; a due event goes out on the first free connection, and its
// latency counts from when it was due, so a server that falls behind is charged for the wait.
// Either way a run stops by itself: no event is started after warm-up plus duration, and every
// request has a timeout. run_load() runs everything on the calling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace prik::bench {

struct LoadOptions {
  std::string host = "127.0.0.1";
  std::string port = "80";
  std::string target = "/slack/events";
  std::string signing_secret;
  std::size_t connections = 16;
  std::size_t senders = 1000;              // distinct volunteers sending the events
  double rate = 0;                         // events per second; 0: closed loop
  std::uint64_t max_events = 0;            // stop after this many, warm-up included; 0: no limit
  std::chrono::milliseconds warmup{1000};  // sent but not measured
  std::chrono::milliseconds duration{10'000};
  std::chrono::milliseconds request_timeout{5000};
};

struct LoadReport {
  std::uint64_t sent = 0;                            // measured requests written
  std::uint64_t ok = 0;                              // answered 200
  std::map<unsigned, std::uint64_t> other_statuses;  // status -> count
  std::uint64_t failures = 0;                        // connect, write or read failed, or timed out
  std::uint64_t waited = 0;          // open loop: due while every connection was busy
  std::uint64_t unsent = 0;          // open loop: still waiting for a connection at the end
  double seconds = 0;                // measured window: end of warm-up to the last answer
  std::vector<double> latencies_ms;  // of the 200s, ascending

  double events_per_second() const;
  double latency_percentile(double fraction) const;  // 0 when nothing was measured
};

LoadReport run_load(const LoadOptions& options);

}  // namespace prik::bench
