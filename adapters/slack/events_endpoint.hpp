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
// the message). Thread-safe: every method may be called from any thread. The attached sink must
// stay valid until attach(nullptr) returns.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
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

  EventsEndpoint(std::string_view signing_secret, std::size_t body_limit = 1 << 20,
                 Clock now = std::chrono::system_clock::now);

  void attach(IncomingSink* sink);
  void on_click_recorded(ClickRecorded handler);
  void set_identity(BotIdentity identity);
  BotIdentity identity() const;

  void handle(http::Request request, http::Respond respond) override;

 private:
  const SigningKey signing_key_;
  const std::size_t body_limit_;
  const Clock now_;
  mutable std::mutex mutex_;  // guards sink_, click_recorded_ and identity_
  IncomingSink* sink_ = nullptr;
  ClickRecorded click_recorded_;
  BotIdentity identity_;
};

}  // namespace prik::adapters::slack
