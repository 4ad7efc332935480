// EventsEndpoint: the HTTP handler for Slack's Request URL (POST /slack/events), which receives
// Events API callbacks, interactivity payloads and slash commands alike.
//
// Order of checks: body size (413), signature and timestamp (401), parse (400). Only Slack's
// unsigned SSL check of a slash command's URL (`ssl_check=1`) is answered before the signature
// check, with a 200 and nothing else. A url_verification challenge is answered directly; ignored
// events get a 200 at once; everything else goes to the IncomingSink, and the 200 is sent only
// once the sink has recorded the event (503 when it could not, or when no sink is attached, so
// that Slack retries). Retries carry the same event id and are recognised by the sink. A recorded
// button click is then passed on to the click handler, if any (SlackAdapter marks the choice in
// the message).
//
// Events that arrive together are recorded together. Given `defer` (which runs a function on the
// HTTP server's thread after the work already queued there, and never before it returns, as
// asio::post does), the endpoint holds an event until that thread has worked through what was
// queued behind it without receiving another, or until 64 are held; the held events then go to
// the sink in one deliver_all, which the bot core records in one commit. Under load that is one
// disk sync for many events where each would otherwise take its own or share it with a few.
// Without `defer`, each event goes to the sink at once.
//
// Thread-safe: every method may be called from any thread. The attached sink must stay valid
// until attach(nullptr) returns; events held for it are handed to it first.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "adapters/adapter.hpp"
#include "adapters/http/server.hpp"
#include "adapters/slack/events.hpp"
#include "adapters/slack/verify.hpp"

namespace prik::adapters::slack {

class EventsEndpoint : public http::Handler {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  using ClickRecorded = std::function<void(ClickedMessage)>;
  using Defer = std::function<void(std::function<void()>)>;

  EventsEndpoint(std::string_view signing_secret, std::size_t body_limit = 1 << 20,
                 Clock now = std::chrono::system_clock::now, Defer defer = {});

  void attach(IncomingSink* sink);
  void on_click_recorded(ClickRecorded handler);
  void set_identity(BotIdentity identity);
  BotIdentity identity() const;

  void handle(http::Request request, http::Respond respond) override;

 private:
  struct Held;

  const SigningKey signing_key_;
  const std::size_t body_limit_;
  const Clock now_;
  // The sink and the events held for it; shared with the deferred looks at them.
  const std::shared_ptr<Held> held_;
  mutable std::mutex mutex_;  // guards click_recorded_ and identity_
  ClickRecorded click_recorded_;
  BotIdentity identity_;
};

}  // namespace prik::adapters::slack
