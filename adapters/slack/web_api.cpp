#include "adapters/slack/web_api.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/url/url.hpp>
#include <charconv>
#include <string_view>

#include "adapters/http/json.hpp"
#include "adapters/slack/blocks.hpp"

namespace prik::adapters::slack {

namespace {

using nlohmann::json;

// ok:false codes that describe a passing condition on Slack's side.
constexpr std::array<std::string_view, 6> kTransientCodes = {
    "ratelimited", "rate_limited",        "internal_error",
    "fatal_error", "service_unavailable", "request_timeout"};

std::chrono::milliseconds retry_after_of(const http::ClientResponse& response) {
  const std::string header = response.header("retry-after");
  long seconds = 0;
  const auto [end, error] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (error != std::errc{} || seconds < 0) return std::chrono::seconds(1);
  return std::chrono::seconds(std::min(seconds, 3600L));
}

std::string string_at(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

template <class T>
ApiResult<T> protocol_error(const std::string& method, const std::string& what) {
  return ApiError{ApiError::Kind::protocol, method, what, 200, {}};
}

}  // namespace

bool ApiError::permanent() const {
  if (kind != Kind::slack) return false;
  return std::find(kTransientCodes.begin(), kTransientCodes.end(), code) == kTransientCodes.end();
}

std::string ApiError::to_string() const {
  std::string text = method + ": ";
  switch (kind) {
    case Kind::network:
      text += "network error: ";
      break;
    case Kind::rate_limited:
      text += "rate limited, retry after " + std::to_string(retry_after.count()) + " ms: ";
      break;
    case Kind::server:
      text += "HTTP " + std::to_string(http_status) + ": ";
      break;
    case Kind::protocol:
      text += "unexpected answer: ";
      break;
    case Kind::slack:
      text += "Slack error: ";
      break;
  }
  return text + code;
}

SendResult classify(const ApiError& error) {
  SendResult result;
  result.detail = error.to_string();
  if (error.permanent()) {
    result.kind = SendResult::Kind::permanent_failure;
    result.detail = error.code;
  } else {
    result.kind = SendResult::Kind::retry;
    result.retry_after = error.retry_after;
  }
  return result;
}

WebApi::WebApi(http::Client& client, WebApiOptions options)
    : client_(client), options_(std::move(options)) {}

void WebApi::send(const std::string& method, http::ClientRequest request, const std::string& token,
                  std::function<void(ApiResult<json>)> done, std::chrono::milliseconds timeout) {
  request.method = "POST";
  request.url = options_.api_base_url + method;
  request.timeout = timeout > std::chrono::milliseconds::zero() ? timeout : options_.timeout;
  request.headers.emplace_back("Authorization", "Bearer " + token);
  client_.request(std::move(request), [method, done = std::move(done)](
                                          http::Result<http::ClientResponse> response) {
    auto fail = [&](ApiError error) {
      spdlog::warn("slack: {}", error.to_string());
      done(std::move(error));
    };
    if (!response) {
      return fail({ApiError::Kind::network, method, response.error().to_string(), 0, {}});
    }
    if (response->status == 429) {
      return fail(
          {ApiError::Kind::rate_limited, method, "ratelimited", 429, retry_after_of(*response)});
    }
    if (response->status != 200) {
      return fail({ApiError::Kind::server, method, "unexpected status", response->status, {}});
    }
    auto body = http::parse_json_object(response->body, method);
    if (!body) return fail({ApiError::Kind::protocol, method, body.error().message, 200, {}});
    const auto ok = body->find("ok");
    if (ok == body->end() || !ok->is_boolean()) {
      return fail({ApiError::Kind::protocol, method, "no ok field", 200, {}});
    }
    if (!ok->get<bool>()) {
      std::string code = string_at(*body, "error");
      if (code.empty()) code = "unknown_error";
      return fail({ApiError::Kind::slack, method, code, 200, {}});
    }
    done(std::move(*body));
  });
}

void WebApi::call(const std::string& method, const json& body,
                  std::function<void(ApiResult<json>)> done) {
  http::ClientRequest request;
  request.content_type = "application/json; charset=utf-8";
  request.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  send(method, std::move(request), options_.bot_token, std::move(done));
}

void WebApi::auth_test(std::function<void(ApiResult<BotIdentity>)> done) {
  call("auth.test", json::object(), [done = std::move(done)](ApiResult<json> answer) {
    if (!answer) return done(answer.error());
    BotIdentity identity{string_at(*answer, "team_id"), string_at(*answer, "user_id"),
                         string_at(*answer, "bot_id")};
    if (identity.team_id.empty() || identity.user_id.empty()) {
      return done(protocol_error<BotIdentity>("auth.test", "no team_id or user_id"));
    }
    done(std::move(identity));
  });
}

void WebApi::open_direct_message(const std::string& user_id,
                                 std::function<void(ApiResult<std::string>)> done) {
  call("conversations.open", json{{"users", user_id}},
       [done = std::move(done)](ApiResult<json> answer) {
         if (!answer) return done(answer.error());
         const auto channel = answer->find("channel");
         std::string id = channel != answer->end() && channel->is_object()
                              ? string_at(*channel, "id")
                              : std::string{};
         if (id.empty())
           return done(protocol_error<std::string>("conversations.open", "no channel"));
         done(std::move(id));
       });
}

void WebApi::post_message(const std::string& channel, const std::string& text,
                          const std::vector<dialogs::Choice>& choices,
                          std::function<void(ApiResult<PostedMessage>)> done) {
  json body = render_message(text, choices);
  body["channel"] = channel;
  call("chat.postMessage", body, [done = std::move(done)](ApiResult<json> answer) {
    if (!answer) return done(answer.error());
    PostedMessage posted{string_at(*answer, "channel"), string_at(*answer, "ts")};
    if (posted.ts.empty()) return done(protocol_error<PostedMessage>("chat.postMessage", "no ts"));
    done(std::move(posted));
  });
}

void WebApi::update_message(const std::string& channel, const std::string& ts,
                            const std::string& text, const json& blocks,
                            std::function<void(ApiResult<PostedMessage>)> done) {
  json body{{"channel", channel}, {"ts", ts}, {"blocks", blocks}};
  if (!text.empty()) body["text"] = text;
  call("chat.update", body, [done = std::move(done)](ApiResult<json> answer) {
    if (!answer) return done(answer.error());
    done(PostedMessage{string_at(*answer, "channel"), string_at(*answer, "ts")});
  });
}

void WebApi::users_info(const std::string& user_id, std::function<void(ApiResult<UserInfo>)> done,
                        std::chrono::milliseconds timeout) {
  // users.info takes form arguments, not JSON.
  boost::urls::url form;
  form.params().append({"user", user_id});
  form.params().append({"include_locale", "true"});
  http::ClientRequest request;
  request.content_type = "application/x-www-form-urlencoded";
  request.body = std::string(form.encoded_query());
  send(
      "users.info", std::move(request), options_.bot_token,
      [done = std::move(done)](ApiResult<json> answer) {
        if (!answer) return done(answer.error());
        const auto user = answer->find("user");
        if (user == answer->end() || !user->is_object()) {
          return done(protocol_error<UserInfo>("users.info", "no user"));
        }
        UserInfo info;
        const auto profile = user->find("profile");
        if (profile != user->end() && profile->is_object()) {
          info.display_name = string_at(*profile, "display_name");
          if (info.display_name.empty()) info.display_name = string_at(*profile, "real_name");
        }
        if (info.display_name.empty()) info.display_name = string_at(*user, "real_name");
        if (info.display_name.empty()) info.display_name = string_at(*user, "name");
        info.locale = string_at(*user, "locale");
        const auto is_bot = user->find("is_bot");
        info.is_bot = is_bot != user->end() && is_bot->is_boolean() && is_bot->get<bool>();
        done(std::move(info));
      },
      timeout);
}

void WebApi::open_socket_mode_connection(std::function<void(ApiResult<std::string>)> done) {
  http::ClientRequest request;
  request.content_type = "application/x-www-form-urlencoded";
  send("apps.connections.open", std::move(request), options_.app_token,
       [done = std::move(done)](ApiResult<json> answer) {
         if (!answer) return done(answer.error());
         std::string url = string_at(*answer, "url");
         if (url.empty()) {
           return done(protocol_error<std::string>("apps.connections.open", "no url"));
         }
         done(std::move(url));
       });
}

}  // namespace prik::adapters::slack
