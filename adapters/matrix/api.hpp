// The Client-Server API calls Prik makes, apart from sending them: their URLs, and what their
// answers mean.
//
// Outcome is the Matrix adapter's one error type: it carries every layer that can fail -- the
// network (an http::Error), the HTTP status, the Matrix errcode and message, a parse problem --
// and the classification the retry logic needs (transient, rate limited with the wait the server
// asked for, token rejected, or rejected for good). Endpoints builds URLs with every path segment
// and query value percent-encoded. Plain values and free functions; safe from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "adapters/adapter.hpp"
#include "adapters/http/client.hpp"

namespace prik::adapters::matrix {

struct Outcome {
  enum class Kind {
    ok,
    transient,      // network error, timeout, 5xx, unreadable answer: try again after a backoff
    rate_limited,   // 429 M_LIMIT_EXCEEDED: try again after retry_after (or a backoff when 0)
    unknown_token,  // 401 M_UNKNOWN_TOKEN: the access token is no longer valid; stop
    rejected,       // any other 4xx: the request itself is refused (M_FORBIDDEN, ...)
  };
  Kind kind = Kind::ok;
  std::string where;    // the call: "GET /account/whoami"
  int http_status = 0;  // 0 when no answer arrived
  std::optional<http::Error> network;
  std::string errcode;  // "M_FORBIDDEN"; empty when the body had none
  std::string message;  // the server's error text, or what went wrong locally
  std::chrono::milliseconds retry_after{0};
  bool soft_logout = false;

  bool ok() const { return kind == Kind::ok; }
  // "PUT /rooms/{roomId}/send: HTTP 403 M_FORBIDDEN: You are not in this room"
  std::string to_string() const;

  static Outcome failure(Kind kind, std::string where, std::string message);
};

const char* kind_name(Outcome::Kind kind);

// Classifies the answer to one call. A 2xx is ok; 429 is rate_limited with the wait from the
// Retry-After header (seconds) or else retry_after_ms; 401 with M_UNKNOWN_TOKEN is unknown_token;
// 408, 5xx and network errors are transient; other statuses are rejected.
Outcome classify(const http::Result<http::ClientResponse>& result, std::string where);

// What an outbox attempt's outcome means for the core's retry logic.
SendResult to_send_result(const Outcome& outcome);

class Endpoints {
 public:
  // `homeserver_url` like "https://matrix.example.org" (a trailing slash is ignored).
  explicit Endpoints(std::string homeserver_url);

  std::string whoami() const;
  // GET /sync; `since` empty for the first sync, `filter` a filter id or inline filter JSON.
  std::string sync(const std::string& since, const std::string& filter,
                   std::chrono::milliseconds timeout, bool full_state) const;
  std::string join(const std::string& room_id) const;
  std::string leave(const std::string& room_id) const;
  std::string send_message(const std::string& room_id, const std::string& transaction_id) const;
  // GET /rooms/{roomId}/messages?dir=b: up to `limit` events before `from`, stopping at `to`
  // (empty: no bound); `filter` a RoomEventFilter as JSON.
  std::string messages_backwards(const std::string& room_id, const std::string& from,
                                 const std::string& to, int limit, const std::string& filter) const;
  std::string joined_rooms() const;
  std::string members(const std::string& room_id) const;
  std::string create_room() const;
  std::string account_data(const std::string& user_id, const std::string& type) const;

 private:
  std::string client_base_;  // ".../_matrix/client/v3"
};

}  // namespace prik::adapters::matrix
