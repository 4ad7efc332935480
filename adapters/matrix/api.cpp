#include "adapters/matrix/api.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>

#include "adapters/matrix/events.hpp"

namespace prik::adapters::matrix {
namespace {

std::string segment(const std::string& value) {
  return boost::urls::encode(value, boost::urls::pchars);
}

std::string query_value(const std::string& value) {
  return boost::urls::encode(value, boost::urls::unreserved_chars);
}

// Retry-After in seconds; nullopt when absent or not a plain number (HTTP dates are not used by
// homeservers).
std::optional<std::chrono::milliseconds> retry_after_header(const std::string& value) {
  long long seconds = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || error != std::errc{} || end != value.data() + value.size() || seconds < 0) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(std::min(seconds, 24LL * 3600) * 1000);
}

}  // namespace

const char* kind_name(Outcome::Kind kind) {
  switch (kind) {
    case Outcome::Kind::ok:
      return "ok";
    case Outcome::Kind::transient:
      return "transient";
    case Outcome::Kind::rate_limited:
      return "rate_limited";
    case Outcome::Kind::unknown_token:
      return "unknown_token";
    case Outcome::Kind::rejected:
      return "rejected";
  }
  return "unknown";
}

Outcome Outcome::failure(Kind kind, std::string where, std::string message) {
  Outcome outcome;
  outcome.kind = kind;
  outcome.where = std::move(where);
  outcome.message = std::move(message);
  return outcome;
}

std::string Outcome::to_string() const {
  std::string text = where + ": ";
  if (network) return text + network->to_string();
  if (http_status != 0) text += "HTTP " + std::to_string(http_status);
  if (!errcode.empty()) text += (http_status != 0 ? " " : "") + errcode;
  if (!message.empty()) text += (http_status != 0 || !errcode.empty() ? ": " : "") + message;
  if (soft_logout) text += " (soft logout)";
  if (retry_after.count() > 0)
    text += " (retry after " + std::to_string(retry_after.count()) + " ms)";
  return text;
}

Outcome classify(const http::Result<http::ClientResponse>& result, std::string where) {
  Outcome outcome;
  outcome.where = std::move(where);
  if (!result) {
    outcome.kind = Outcome::Kind::transient;
    outcome.network = result.error();
    return outcome;
  }
  const int status = result->status;
  outcome.http_status = status;
  if (status >= 200 && status < 300) return outcome;

  const ErrorBody error = parse_error_body(result->body);
  outcome.errcode = error.errcode;
  outcome.message = error.error;
  outcome.soft_logout = error.soft_logout;
  if (status == 429 || error.errcode == "M_LIMIT_EXCEEDED") {
    outcome.kind = Outcome::Kind::rate_limited;
    auto wait = retry_after_header(result->header("Retry-After"));
    if (!wait) wait = error.retry_after;
    outcome.retry_after = wait.value_or(std::chrono::milliseconds(0));
  } else if (error.errcode == "M_UNKNOWN_TOKEN" || error.errcode == "M_MISSING_TOKEN") {
    outcome.kind = Outcome::Kind::unknown_token;
  } else if (status == 408 || status >= 500) {
    outcome.kind = Outcome::Kind::transient;
  } else {
    outcome.kind = Outcome::Kind::rejected;
  }
  return outcome;
}

SendResult to_send_result(const Outcome& outcome) {
  SendResult result;
  result.detail = outcome.ok() ? std::string{} : outcome.to_string();
  switch (outcome.kind) {
    case Outcome::Kind::ok:
      result.kind = SendResult::Kind::delivered;
      break;
    case Outcome::Kind::transient:
      result.kind = SendResult::Kind::retry;
      break;
    case Outcome::Kind::rate_limited:
      result.kind = SendResult::Kind::retry;
      result.retry_after = outcome.retry_after;
      break;
    case Outcome::Kind::unknown_token:
    case Outcome::Kind::rejected:
      result.kind = SendResult::Kind::permanent_failure;
      break;
  }
  return result;
}

Endpoints::Endpoints(std::string homeserver_url) {
  while (homeserver_url.ends_with('/')) homeserver_url.pop_back();
  client_base_ = std::move(homeserver_url) + "/_matrix/client/v3";
}

std::string Endpoints::whoami() const { return client_base_ + "/account/whoami"; }

std::string Endpoints::sync(const std::string& since, const std::string& filter,
                            std::chrono::milliseconds timeout, bool full_state) const {
  std::string url = client_base_ + "/sync?timeout=" + std::to_string(timeout.count());
  if (!filter.empty()) url += "&filter=" + query_value(filter);
  if (!since.empty()) url += "&since=" + query_value(since);
  if (full_state) url += "&full_state=true";
  return url;
}

std::string Endpoints::join(const std::string& room_id) const {
  return client_base_ + "/rooms/" + segment(room_id) + "/join";
}

std::string Endpoints::leave(const std::string& room_id) const {
  return client_base_ + "/rooms/" + segment(room_id) + "/leave";
}

std::string Endpoints::send_message(const std::string& room_id,
                                    const std::string& transaction_id) const {
  return client_base_ + "/rooms/" + segment(room_id) + "/send/m.room.message/" +
         segment(transaction_id);
}

std::string Endpoints::messages_backwards(const std::string& room_id, const std::string& from,
                                          const std::string& to, int limit,
                                          const std::string& filter) const {
  std::string url = client_base_ + "/rooms/" + segment(room_id) +
                    "/messages?dir=b&from=" + query_value(from) + "&limit=" + std::to_string(limit);
  if (!to.empty()) url += "&to=" + query_value(to);
  if (!filter.empty()) url += "&filter=" + query_value(filter);
  return url;
}

std::string Endpoints::joined_rooms() const { return client_base_ + "/joined_rooms"; }

std::string Endpoints::members(const std::string& room_id) const {
  return client_base_ + "/rooms/" + segment(room_id) + "/members";
}

std::string Endpoints::create_room() const { return client_base_ + "/createRoom"; }

std::string Endpoints::account_data(const std::string& user_id, const std::string& type) const {
  return client_base_ + "/user/" + segment(user_id) + "/account_data/" + segment(type);
}

}  // namespace prik::adapters::matrix
