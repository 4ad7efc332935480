#include "adapters/slack/events_endpoint.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "adapters/slack/verify.hpp"

namespace prik::adapters::slack {

EventsEndpoint::EventsEndpoint(std::string_view signing_secret, std::size_t body_limit, Clock now)
    : signing_key_(signing_secret), body_limit_(body_limit), now_(std::move(now)) {}

void EventsEndpoint::attach(IncomingSink* sink) {
  std::lock_guard lock(mutex_);
  sink_ = sink;
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

  IncomingSink* sink = nullptr;
  ClickRecorded click_recorded;
  Parsed parsed;
  {
    std::lock_guard lock(mutex_);
    sink = sink_;
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
  if (!sink) return respond(http::Response::text(503, "not ready\n"));
  auto& received = std::get<Received>(parsed);
  const std::string retry = request.header("X-Slack-Retry-Num");
  if (!retry.empty()) {
    spdlog::info("slack: retry {} of event {} ({})", retry, received.incoming.event_id,
                 request.header("X-Slack-Retry-Reason"));
  }
  if (!click_recorded) received.clicked.reset();
  sink->deliver(std::move(received.incoming),
                [respond = std::move(respond), clicked = std::move(received.clicked),
                 click_recorded = std::move(click_recorded)](bool recorded) mutable {
                  respond(recorded ? http::Response::text(200, "")
                                   : http::Response::text(503, "could not record the event\n"));
                  if (recorded && clicked) click_recorded(std::move(*clicked));
                });
}

}  // namespace prik::adapters::slack
