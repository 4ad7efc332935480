#include "adapters/slack/events_endpoint.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "adapters/slack/verify.hpp"

namespace prik::adapters::slack {

// At most this many events are held for one deliver_all: as many as the bot core records in one
// commit.
constexpr std::size_t max_held_events = 64;

struct EventsEndpoint::Held {
  explicit Held(Defer defer_on_server) : defer(std::move(defer_on_server)) {}

  // Hands the held events to the sink. (Events are held only while a sink is attached, and
  // attach() hands them on before it changes the sink.)
  void deliver_locked() {
    if (events.empty()) return;
    auto answers_now = std::exchange(answers, {});
    sink->deliver_all(std::exchange(events, {}),
                      [answers_now = std::move(answers_now)](bool recorded) mutable {
                        for (auto& answer : answers_now) answer(recorded);
                      });
  }

  // Runs on the server's thread once the work queued there before it is done. If that work
  // brought more events than the `seen` of the last look, another look follows the work queued
  // since; otherwise the held events go. (A look that finds fewer than it saw, because a full
  // batch went meanwhile, sends what is there; one that finds none has nothing to do.)
  static void look(const std::shared_ptr<Held>& held, std::size_t seen) {
    std::lock_guard lock(held->mutex);
    const std::size_t count = held->events.size();
    if (count > seen) {
      held->defer([held, count] { look(held, count); });
      return;
    }
    held->deliver_locked();
  }

  const Defer defer;
  std::mutex mutex;  // guards the members below
  IncomingSink* sink = nullptr;
  std::vector<dialogs::Incoming> events;
  std::vector<std::function<void(bool)>> answers;  // one for each event
};

EventsEndpoint::EventsEndpoint(std::string_view signing_secret, std::size_t body_limit, Clock now,
                               Defer defer)
    : signing_key_(signing_secret),
      body_limit_(body_limit),
      now_(std::move(now)),
      held_(std::make_shared<Held>(std::move(defer))) {}

void EventsEndpoint::attach(IncomingSink* sink) {
  std::lock_guard lock(held_->mutex);
  held_->deliver_locked();  // to the sink they arrived for
  held_->sink = sink;
}

void EventsEndpoint::on_click_recorded(ClickRecorded handler) {
  std::lock_guard lock(mutex_);
  click_recorded_ = std::move(handler);
}

void EventsEndpoint::set_identity(BotIdentity identity) {
  std::lock_guard lock(mutex_);
  identity_ = std::move(identity);
}

BotIdentity EventsEndpoint::identity() const {
  std::lock_guard lock(mutex_);
  return identity_;
}

void EventsEndpoint::handle(http::Request request, http::Respond respond) {
  if (request.body.size() > body_limit_) {
    return respond(http::Response::text(413, "request body too large\n"));
  }
  // Answered before the signature check because Slack does not sign it; it carries nothing the
  // bot acts on.
  if (is_ssl_check(request.header("Content-Type"), request.body)) {
    spdlog::info("slack: answered Slack's SSL check of the Request URL");
    return respond(http::Response::text(200, ""));
  }
  const Verdict verdict =
      signing_key_.verify(request.header("X-Slack-Request-Timestamp"),
                          request.header("X-Slack-Signature"), request.body, now_());
  if (verdict != Verdict::genuine) {
    spdlog::warn("slack: rejected a request from {}: {}", request.remote_address,
                 verdict_name(verdict));
    return respond(http::Response::text(401, "unauthorized\n"));
  }

  ClickRecorded click_recorded;
  Parsed parsed;
  {
    std::lock_guard lock(mutex_);
    click_recorded = click_recorded_;
    parsed = parse_http_body(request.header("Content-Type"), request.body, identity_);
  }
  if (const auto* malformed = std::get_if<Malformed>(&parsed)) {
    spdlog::warn("slack: malformed request: {}", malformed->reason);
    return respond(http::Response::text(400, "malformed request\n"));
  }
  if (const auto* verification = std::get_if<UrlVerification>(&parsed)) {
    spdlog::info("slack: answered the Request URL verification");
    return respond(
        http::Response::json(200, nlohmann::json{{"challenge", verification->challenge}}.dump()));
  }
  if (const auto* ignored = std::get_if<Ignored>(&parsed)) {
    if (ignored->worth_a_warning) {
      spdlog::warn("slack: {}", ignored->reason);
    } else {
      spdlog::debug("slack: ignored: {}", ignored->reason);
    }
    return respond(http::Response::text(200, ""));
  }
  auto& received = std::get<Received>(parsed);
  const std::string retry = request.header("X-Slack-Retry-Num");
  if (!retry.empty()) {
    spdlog::info("slack: retry {} of event {} ({})", retry, received.incoming.event_id,
                 request.header("X-Slack-Retry-Reason"));
  }
  if (!click_recorded) received.clicked.reset();

  std::lock_guard lock(held_->mutex);
  if (!held_->sink) return respond(http::Response::text(503, "not ready\n"));
  held_->events.push_back(std::move(received.incoming));
  held_->answers.push_back([respond = std::move(respond), clicked = std::move(received.clicked),
                            click_recorded = std::move(click_recorded)](bool recorded) mutable {
    respond(recorded ? http::Response::text(200, "")
                     : http::Response::text(503, "could not record the event\n"));
    if (recorded && clicked) click_recorded(std::move(*clicked));
  });
  if (!held_->defer || held_->events.size() >= max_held_events) {
    held_->deliver_locked();
  } else if (held_->events.size() == 1) {  // the first held: the looks begin
    held_->defer([held = held_] { Held::look(held, 1); });
  }
}

}  // namespace prik::adapters::slack
