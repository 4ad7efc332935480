#include "adapters/slack/events.hpp"

#include <algorithm>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>
#include <ctime>

namespace prik::adapters::slack {

namespace {

using nlohmann::json;
namespace bj = boost::json;

// Events API bodies, the ones every message brings, are read with Boost.JSON: it parses a
// typical event about four times faster than nlohmann::json. Interactivity payloads keep
// nlohmann::json, the type the rest of the adapter builds Block Kit with.

// Bodies nested deeper are malformed: a real event nests its blocks about eight levels deep, and
// a parsed value is destroyed recursively.
constexpr std::size_t max_event_depth = 128;

std::string string_at(const bj::object& object, std::string_view key) {
  const bj::value* value = object.if_contains(key);
  if (!value || !value->is_string()) return {};
  return std::string(value->get_string());
}

const bj::object& object_at(const bj::object& object, std::string_view key) {
  static const bj::object empty;
  const bj::value* value = object.if_contains(key);
  return value && value->is_object() ? value->get_object() : empty;
}

// The string at `key` of an object, or "" (for a missing key, a non-object or a non-string).
std::string string_at(const json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

const json& object_at(const json& object, const char* key) {
  static const json empty = json::object();
  if (!object.is_object()) return empty;
  const auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : empty;
}

// Slack escapes these three in message text; everything else arrives as typed.
std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&') {
      if (text.substr(i, 5) == "&amp;") {
        out.push_back('&');
        i += 4;
        continue;
      }
      if (text.substr(i, 4) == "&lt;") {
        out.push_back('<');
        i += 3;
        continue;
      }
      if (text.substr(i, 4) == "&gt;") {
        out.push_back('>');
        i += 3;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// Collects "<@U123>" / "<@U123|name>" mentions (except the bot's own) and removes the bot's own
// mentions from the text.
void take_mentions(const std::string& raw, const std::string& team_id, const BotIdentity& self,
                   dialogs::Incoming& incoming) {
  std::string text;
  std::size_t position = 0;
  while (position < raw.size()) {
    const auto open = raw.find("<@", position);
    if (open == std::string::npos) break;
    const auto close = raw.find('>', open);
    if (close == std::string::npos) break;
    std::string user = raw.substr(open + 2, close - open - 2);
    user = user.substr(0, user.find('|'));
    text.append(raw, position, open - position);
    if (!self.user_id.empty() && user == self.user_id) {
      // the bot addressed by name: not part of what was said
    } else {
      if (!user.empty()) {
        const auto ref = user_ref(team_id, user);
        if (std::find(incoming.mentions.begin(), incoming.mentions.end(), ref) ==
            incoming.mentions.end()) {
          incoming.mentions.push_back(ref);
        }
      }
      text.append(raw, open, close - open + 1);
    }
    position = close + 1;
  }
  text.append(raw, std::min(position, raw.size()));
  incoming.text = trim(unescape(text));
}

// The app_rate_limited notice's minute ("2018-02-12 20:37 UTC"), or "an unknown time".
std::string utc_minute(const bj::object& body) {
  const bj::value* minute = body.if_contains("minute_rate_limited");
  if (!minute || !minute->is_int64()) return "an unknown time";
  const auto seconds = static_cast<std::time_t>(minute->get_int64());
  std::tm utc{};
  char text[32];
  if (!gmtime_r(&seconds, &utc) ||
      std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &utc) == 0) {
    return "an unknown time";
  }
  return text;
}

// "application/json" of "application/json; charset=utf-8".
std::string_view media_type_of(std::string_view content_type) {
  return content_type.substr(0, content_type.find(';'));
}

bool is_direct_channel(const std::string& channel) { return !channel.empty() && channel[0] == 'D'; }

Parsed parse_event(const bj::object& body, const bj::object& event, const BotIdentity& self) {
  const std::string type = string_at(event, "type");
  if (type != "message" && type != "app_mention") return Ignored{"event type " + type};
  if (event.contains("subtype")) return Ignored{"message subtype " + string_at(event, "subtype")};
  if (event.contains("hidden")) return Ignored{"hidden message"};
  if (event.contains("bot_id") || event.contains("bot_profile")) return Ignored{"bot message"};
  const std::string user = string_at(event, "user");
  if (user.empty()) return Ignored{"message without a user"};
  if (!self.user_id.empty() && user == self.user_id) return Ignored{"the bot's own message"};
  const std::string channel = string_at(event, "channel");
  if (channel.empty()) return Malformed{"event without a channel"};
  const bool direct = type == "message";
  if (direct && string_at(event, "channel_type") != "im") {
    return Ignored{"channel message without a mention"};
  }

  std::string team_id = string_at(body, "team_id");
  if (team_id.empty()) team_id = string_at(event, "team");
  if (team_id.empty()) return Malformed{"event without a team"};
  const std::string event_id = string_at(body, "event_id");
  if (event_id.empty()) return Malformed{"event_callback without an event_id"};

  dialogs::Incoming incoming;
  incoming.user = user_ref(team_id, user);
  incoming.conversation = channel;
  incoming.direct = direct;
  incoming.event_id = event_id;
  take_mentions(string_at(event, "text"), team_id, self, incoming);
  return Received{std::move(incoming), std::nullopt};
}

// The message a click came from, when the payload shows it: a message (not a view), not
// ephemeral (those cannot be updated), with its timestamp and blocks.
std::optional<ClickedMessage> clicked_message(const json& payload, const json& action,
                                              const std::string& channel) {
  const json& container = object_at(payload, "container");
  if (string_at(container, "type") != "message") return std::nullopt;
  const auto ephemeral = container.find("is_ephemeral");
  if (ephemeral != container.end() && ephemeral->is_boolean() && ephemeral->get<bool>()) {
    return std::nullopt;
  }
  const json& message = object_at(payload, "message");
  const auto blocks = message.find("blocks");
  if (blocks == message.end() || !blocks->is_array()) return std::nullopt;
  std::string ts = string_at(container, "message_ts");
  if (ts.empty()) ts = string_at(message, "ts");
  if (ts.empty()) return std::nullopt;
  std::string label = string_at(object_at(action, "text"), "text");
  if (label.empty()) label = string_at(action, "value");
  return ClickedMessage{channel, std::move(ts), string_at(message, "text"), *blocks,
                        std::move(label)};
}

}  // namespace

dialogs::UserRef user_ref(std::string_view team_id, std::string_view user_id) {
  std::string ref = "slack:";
  ref.append(team_id).append(":").append(user_id);
  return ref;
}

std::optional<std::pair<std::string, std::string>> split_user_ref(const dialogs::UserRef& user) {
  constexpr std::string_view prefix = "slack:";
  if (user.rfind(prefix, 0) != 0) return std::nullopt;
  const auto colon = user.find(':', prefix.size());
  if (colon == std::string::npos) return std::nullopt;
  auto team = user.substr(prefix.size(), colon - prefix.size());
  auto id = user.substr(colon + 1);
  if (team.empty() || id.empty() || id.find(':') != std::string::npos) return std::nullopt;
  return std::pair{std::move(team), std::move(id)};
}

Parsed parse_events_api(std::string_view text, const BotIdentity& self) {
  // A typical event's values fit in this buffer, which spares the parse its allocations.
  unsigned char buffer[4096];
  bj::monotonic_resource resource(buffer, sizeof buffer);
  bj::parse_options options;
  options.max_depth = max_event_depth;
  boost::system::error_code error;
  const bj::value parsed = bj::parse(text, error, &resource, options);
  if (error) return Malformed{"invalid JSON (" + error.message() + ")"};
  if (!parsed.is_object()) return Malformed{"not a JSON object"};
  const bj::object& body = parsed.get_object();
  const std::string type = string_at(body, "type");
  if (type == "url_verification") {
    const std::string challenge = string_at(body, "challenge");
    if (challenge.empty()) return Malformed{"url_verification without a challenge"};
    return UrlVerification{challenge};
  }
  if (type == "app_rate_limited") {
    return Ignored{"Slack holds back events for team " + string_at(body, "team_id") +
                       " (more than 30,000 in an hour) from " + utc_minute(body) +
                       "; those events will not arrive",
                   true};
  }
  if (type != "event_callback") {
    if (type.empty()) return Malformed{"no type"};
    return Ignored{"callback type " + type};
  }
  const bj::object& event = object_at(body, "event");
  if (event.empty()) return Malformed{"event_callback without an event"};
  return parse_event(body, event, self);
}

Parsed parse_interaction(const json& payload) {
  if (!payload.is_object()) return Malformed{"not a JSON object"};
  const std::string type = string_at(payload, "type");
  if (type != "block_actions") return Ignored{"interaction type " + type};
  const auto actions = payload.find("actions");
  if (actions == payload.end() || !actions->is_array() || actions->empty()) {
    return Malformed{"block_actions without actions"};
  }
  const json& action = actions->front();
  std::string choice = string_at(action, "value");
  if (choice.empty()) choice = string_at(action, "action_id");
  if (choice.empty()) return Malformed{"action without value or action_id"};

  const json& user = object_at(payload, "user");
  const std::string user_id = string_at(user, "id");
  std::string team_id = string_at(object_at(payload, "team"), "id");
  if (team_id.empty()) team_id = string_at(user, "team_id");
  if (user_id.empty() || team_id.empty()) return Malformed{"block_actions without user or team"};

  std::string channel = string_at(object_at(payload, "channel"), "id");
  if (channel.empty()) channel = string_at(object_at(payload, "container"), "channel_id");
  if (channel.empty()) return Ignored{"block_actions outside a conversation"};

  std::string stable_id = string_at(payload, "trigger_id");
  if (stable_id.empty()) stable_id = user_id + ":" + string_at(action, "action_ts");
  if (stable_id.size() <= user_id.size() + 1) return Malformed{"block_actions without trigger_id"};

  Received received;
  auto& incoming = received.incoming;
  incoming.user = user_ref(team_id, user_id);
  incoming.conversation = channel;
  incoming.direct = is_direct_channel(channel);
  incoming.choice_id = choice;
  incoming.event_id = "slack-action:" + stable_id;
  received.clicked = clicked_message(payload, action, channel);
  return received;
}

Parsed parse_slash_command(const json& fields) {
  if (!fields.is_object()) return Malformed{"not a JSON object"};
  const std::string command = string_at(fields, "command");
  const std::string user_id = string_at(fields, "user_id");
  const std::string team_id = string_at(fields, "team_id");
  const std::string channel = string_at(fields, "channel_id");
  const std::string trigger = string_at(fields, "trigger_id");
  if (command.empty() || user_id.empty() || team_id.empty() || channel.empty() || trigger.empty()) {
    return Malformed{"slash command without command, user_id, team_id, channel_id or trigger_id"};
  }
  dialogs::Incoming incoming;
  incoming.user = user_ref(team_id, user_id);
  incoming.conversation = channel;
  incoming.direct =
      is_direct_channel(channel) || string_at(fields, "channel_name") == "directmessage";
  incoming.text = trim(string_at(fields, "text"));
  incoming.event_id = "slack-command:" + trigger;
  return Received{std::move(incoming), std::nullopt};
}

std::optional<json> decode_form(std::string_view body) {
  // Boost.URL 1.81 reads an empty query up to a terminating NUL: give it a terminated copy.
  const std::string terminated(body);
  auto query = boost::urls::parse_query(terminated);
  if (!query) return std::nullopt;
  boost::urls::encoding_opts form_encoding;
  form_encoding.space_as_plus = true;
  json fields = json::object();
  for (const auto& param : *query) {
    const std::string key = param.key.decode(form_encoding);
    if (key.empty()) continue;
    fields[key] = param.has_value ? param.value.decode(form_encoding) : std::string{};
  }
  return fields;
}

bool is_ssl_check(std::string_view content_type, std::string_view body) {
  if (media_type_of(content_type) != "application/x-www-form-urlencoded") return false;
  const auto fields = decode_form(body);
  return fields && fields->value("ssl_check", "") == "1" && !fields->contains("payload") &&
         !fields->contains("command");
}

Parsed parse_http_body(std::string_view content_type, std::string_view body,
                       const BotIdentity& self) {
  const auto media_type = media_type_of(content_type);
  if (media_type == "application/json") return parse_events_api(body, self);
  if (media_type == "application/x-www-form-urlencoded") {
    auto fields = decode_form(body);
    if (!fields) return Malformed{"invalid form encoding"};
    if (fields->contains("payload")) {
      auto payload =
          json::parse((*fields)["payload"].get<std::string>(), nullptr, /*allow_exceptions=*/false);
      if (payload.is_discarded()) return Malformed{"payload is not JSON"};
      return parse_interaction(payload);
    }
    if (fields->contains("command")) return parse_slash_command(*fields);
    return Malformed{"form without payload or command"};
  }
  return Malformed{"unsupported content type " + std::string(content_type)};
}

}  // namespace prik::adapters::slack
