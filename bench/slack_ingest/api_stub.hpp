// The Web API stub: a stand-in for Slack's Web API, so that `prik run` can be benchmarked with
// Slack enabled and no network.
//
// Serves POST <host>:<port>/api/<method>. auth.test reports the benchmark's bot identity
// (signed_event.hpp); conversations.open and users.info answer for any user; every other method
// (chat.postMessage, chat.update, ...) succeeds with the channel it was given and a fresh ts.
// users.info can be made to answer late, as Slack does from across the internet.
// POST /slack/events is acknowledged at once, unread: the benchmark's ceiling, what the HTTP server
// alone answers on this machine with no signature check, parsing or recording.
// run_api_stub() runs on the calling thread until `lifetime` has passed or SIGINT/SIGTERM
// arrives, prints "listening on PORT" once bound and, at the end, how often each method was
// called.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace prik::bench {

struct StubOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  std::chrono::seconds lifetime{1800};
  std::chrono::milliseconds users_info_delay{0};
};

// Returns a process exit code: 0 after a normal end, 1 when the port could not be bound.
int run_api_stub(const StubOptions& options, std::ostream& out);

}  // namespace prik::bench
