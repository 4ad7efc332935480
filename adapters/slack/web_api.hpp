// WebApi: the Slack Web API methods Prik uses, over the HTTPS client.
//
// Each call is a POST to <api_base_url><method> with the bot token as a Bearer header (the app
// token for apps.connections.open). Every failure is an ApiError that says whether trying again
// can help: network trouble, HTTP 5xx and 429 (with Slack's Retry-After) are transient; an
// `ok: false` answer carries Slack's error code and is permanent unless the code says otherwise.
// Logs name the method and the error code, never a token. Thread-safe: calls may be made from
// any thread; callbacks run on the io_context. The http::Client must outlive the WebApi.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapters/adapter.hpp"
#include "adapters/http/client.hpp"
#include "adapters/slack/events.hpp"
#include "dialogs/message.hpp"

namespace prik::adapters::slack {

struct ApiError {
  enum class Kind {
    network,       // no answer: connect, TLS, timeout, ...
    rate_limited,  // HTTP 429
    server,        // HTTP 5xx or another unexpected status
    protocol,      // an answer that is not the JSON Slack sends
    slack,         // ok: false with an error code
  };
  Kind kind = Kind::network;
  std::string method;
  std::string code;  // Slack's error code, or a description for the other kinds
  int http_status = 0;
  std::chrono::milliseconds retry_after{0};

  // True when sending the same request again cannot succeed (invalid_auth, channel_not_found...).
  bool permanent() const;
  std::string to_string() const;
};

template <class T>
using ApiResult = http::Result<T, ApiError>;

// What the outbox should do after a failed send.
SendResult classify(const ApiError& error);

struct UserInfo {
  std::string display_name;  // profile.display_name, else real_name, else name
  std::string locale;        // e.g. "da-DK"; empty when Slack does not say
  bool is_bot = false;
};

struct PostedMessage {
  std::string channel;
  std::string ts;
};

struct WebApiOptions {
  std::string api_base_url = "https://slack.com/api/";  // must end with '/'
  std::string bot_token;                                // xoxb-...
  std::string app_token;                                // xapp-..., for Socket Mode only
  std::chrono::milliseconds timeout{10'000};
};

class WebApi {
 public:
  WebApi(http::Client& client, WebApiOptions options);

  // Any method with a JSON body and the bot token; the parsed answer when ok is true.
  void call(const std::string& method, const nlohmann::json& body,
            std::function<void(ApiResult<nlohmann::json>)> done);

  void auth_test(std::function<void(ApiResult<BotIdentity>)> done);
  // The DM channel with a user (conversations.open).
  void open_direct_message(const std::string& user_id,
                           std::function<void(ApiResult<std::string>)> done);
  void post_message(const std::string& channel, const std::string& text,
                    const std::vector<dialogs::Choice>& choices,
                    std::function<void(ApiResult<PostedMessage>)> done);
  // Replaces a message's text and blocks (chat.update).
  void update_message(const std::string& channel, const std::string& ts, const std::string& text,
                      const nlohmann::json& blocks,
                      std::function<void(ApiResult<PostedMessage>)> done);
  // A user's display name, locale and whether they are a bot (users.info with include_locale);
  // `timeout` 0: the options' timeout.
  void users_info(const std::string& user_id, std::function<void(ApiResult<UserInfo>)> done,
                  std::chrono::milliseconds timeout = {});
  // A fresh Socket Mode WebSocket URL (apps.connections.open, app token).
  void open_socket_mode_connection(std::function<void(ApiResult<std::string>)> done);

 private:
  void send(const std::string& method, http::ClientRequest request, const std::string& token,
            std::function<void(ApiResult<nlohmann::json>)> done,
            std::chrono::milliseconds timeout = {});

  http::Client& client_;
  WebApiOptions options_;
};

}  // namespace prik::adapters::slack
