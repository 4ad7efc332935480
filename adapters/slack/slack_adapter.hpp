// SlackAdapter: Prik's Slack integration, implementing adapters::Adapter.
//
// Inbound, either the Events API (mount events_handler() at POST /slack/events on the bot's HTTP
// server; Slack's Request URL and the interactivity and /prik URLs all point there) or Socket
// Mode (start() opens the WebSocket; no public endpoint needed). Outbound, send() posts with
// chat.postMessage -- opening the person's DM first when the message names no conversation
// (remembered per user) -- paced to one message per second per channel, at most
// `max_concurrent_posts` at a time, and reports delivered /
// retry (with Retry-After) / permanent_failure for the outbox. start() also runs auth.test, so
// the bot knows (and ignores) its own messages; a refused token is logged as an error.
//
// Events reach the sink as they came, so that they are acknowledged as soon as they are recorded;
// complete(), called before each turn, has the UserDirectory add the sender's display name and
// locale and the mentioned bots (users.info, cached; a look-up never holds the turn longer than
// `users.lookup_timeout`). Once a button click is recorded, the clicked message's buttons are
// replaced by a line showing the choice (chat.update): cosmetic, so it is tried a few times at
// most, a failure is only logged, and the turn never waits for it.
//
// Thread-safe; the io_context must outlive the adapter, and the sink given to start() must stay
// valid until stop() has been called and the io_context has run it.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "adapters/adapter.hpp"
#include "adapters/http/client.hpp"
#include "adapters/http/server.hpp"
#include "adapters/slack/events.hpp"
#include "adapters/slack/socket_mode.hpp"
#include "adapters/slack/user_directory.hpp"
#include "adapters/slack/web_api.hpp"

namespace boost::asio {
class io_context;
}

namespace prik::adapters::slack {

struct SlackAdapterOptions {
  enum class Mode { events_api, socket_mode };
  Mode mode = Mode::events_api;
  WebApiOptions api;           // base URL and tokens
  std::string signing_secret;  // Events API mode: verifies requests
  http::ClientOptions client;  // CA file, timeouts
  std::size_t body_limit = 1 << 20;
  std::chrono::milliseconds per_channel_interval{1'000};  // Slack allows about 1 message/s
  // Messages posted at once; more wait their turn. A burst of replies (turns committed together,
  // many channels' pacing slots falling due together) then reuses the kept-alive connections
  // instead of opening one connection per message. Keep it within client.max_idle_per_host.
  std::size_t max_concurrent_posts = 16;
  SocketModeOptions socket_mode;
  UserDirectoryOptions users;
  int choice_mark_attempts = 3;  // chat.update tries for marking a clicked choice
  std::function<std::chrono::system_clock::time_point()> now = std::chrono::system_clock::now;
};

class SlackAdapter : public Adapter {
 public:
  // Fails when the HTTPS client cannot be set up (an unreadable CA file). `http_io` is the
  // io_context of the HTTP server that serves events_handler() (`io` when not given): the endpoint
  // gathers the events that arrive together there (EventsEndpoint), and the users.info look-ups
  // that a turn may wait for run there, with connections of their own, so that they never queue
  // behind the replies being sent on `io`. Both io_contexts must outlive the adapter.
  static http::Result<std::unique_ptr<SlackAdapter>> create(
      boost::asio::io_context& io, SlackAdapterOptions options,
      boost::asio::io_context* http_io = nullptr);
  ~SlackAdapter() override;

  std::string platform() const override { return "slack"; }
  void start(IncomingSink& sink) override;
  void stop() override;
  void send(const OutboxMessage& message, std::function<void(SendResult)> done) override;
  void complete(dialogs::Incoming incoming, std::function<void(dialogs::Incoming)> done) override;

  // The handler for POST /slack/events (Events API mode).
  http::Handler& events_handler();
  WebApi& web_api();
  BotIdentity identity() const;
  const UserDirectory& users() const;

  struct Impl;

 private:
  explicit SlackAdapter(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace prik::adapters::slack
