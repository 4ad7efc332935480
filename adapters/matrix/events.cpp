#include "adapters/matrix/events.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_set>

namespace prik::adapters::matrix {
namespace {

using json = nlohmann::json;

const json* member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

std::string string_field(const json& object, std::string_view key) {
  const json* value = member(object, key);
  return value && value->is_string() ? value->get<std::string>() : std::string{};
}

const json& object_field(const json& object, std::string_view key) {
  static const json empty = json::object();
  const json* value = member(object, key);
  return value && value->is_object() ? *value : empty;
}

const json& array_field(const json& object, std::string_view key) {
  static const json empty = json::array();
  const json* value = member(object, key);
  return value && value->is_array() ? *value : empty;
}

std::optional<int> count_field(const json& object, std::string_view key) {
  const json* value = member(object, key);
  if (!value || !value->is_number_integer()) return std::nullopt;
  const auto count = value->get<std::int64_t>();
  if (count < 0 || count > 1'000'000'000) return std::nullopt;
  return static_cast<int>(count);
}

std::vector<RoomEvent> parse_events(const json& container) {
  std::vector<RoomEvent> events;
  for (const json& event : array_field(container, "events")) {
    if (auto parsed = parse_event(event)) events.push_back(std::move(*parsed));
  }
  return events;
}

// Removes the rich-reply fallback: the quoted lines ("> ...") at the start of a reply's body
// and the empty line after them.
std::string strip_reply_fallback(std::string body) {
  if (!body.starts_with("> ")) return body;
  std::size_t position = 0;
  while (position < body.size() && body[position] == '>') {
    const auto end = body.find('\n', position);
    if (end == std::string::npos) return {};
    position = end + 1;
  }
  if (position < body.size() && body[position] == '\n') ++position;
  return body.substr(position);
}

bool is_localpart_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '=' ||
         c == '-' || c == '/' || c == '+';
}

bool is_server_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
}

// The user id starting at `at` (which holds '@'), or "" when there is none.
std::string user_id_at(std::string_view text, std::size_t at) {
  std::size_t position = at + 1;
  while (position < text.size() && is_localpart_char(text[position])) ++position;
  if (position == at + 1 || position >= text.size() || text[position] != ':') return {};
  const std::size_t server_start = ++position;
  while (position < text.size() && is_server_char(text[position])) ++position;
  std::size_t server_end = position;
  while (server_end > server_start && text[server_end - 1] == '.') --server_end;  // "... @a:b."
  if (server_end == server_start) return {};
  if (server_end == position && position + 1 < text.size() && text[position] == ':' &&
      std::isdigit(static_cast<unsigned char>(text[position + 1]))) {
    ++position;
    while (position < text.size() && std::isdigit(static_cast<unsigned char>(text[position]))) {
      ++position;
    }
    server_end = position;
  }
  return std::string(text.substr(at, server_end - at));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string decoded;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      decoded.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      decoded.push_back(text[i]);
    }
  }
  return decoded;
}

void add_unique(std::vector<std::string>& users, std::string user) {
  if (user.empty()) return;
  if (std::find(users.begin(), users.end(), user) == users.end()) users.push_back(std::move(user));
}

void add_matrix_to_links(std::string_view text, std::vector<std::string>& users) {
  static constexpr std::string_view prefix = "matrix.to/#/";
  for (auto found = text.find(prefix); found != std::string_view::npos;
       found = text.find(prefix, found + prefix.size())) {
    const std::size_t start = found + prefix.size();
    std::size_t end = start;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) &&
           std::string_view("\"'<>?/").find(text[end]) == std::string_view::npos) {
      ++end;
    }
    const std::string target = percent_decode(text.substr(start, end - start));
    if (target.starts_with('@')) {
      std::string user = user_id_at(target, 0);
      if (user.size() == target.size()) add_unique(users, std::move(user));
    }
  }
}

}  // namespace

std::optional<RoomEvent> parse_event(const json& event) {
  if (!event.is_object()) return std::nullopt;
  RoomEvent parsed;
  parsed.type = string_field(event, "type");
  if (parsed.type.empty()) return std::nullopt;
  parsed.event_id = string_field(event, "event_id");
  parsed.sender = string_field(event, "sender");
  parsed.state_key = string_field(event, "state_key");
  parsed.transaction_id = string_field(object_field(event, "unsigned"), "transaction_id");
  const json& content = object_field(event, "content");

  if (parsed.type == "m.room.message") {
    parsed.kind = RoomEvent::Kind::message;
    parsed.msgtype = string_field(content, "msgtype");
    const json& relates_to = object_field(content, "m.relates_to");
    parsed.is_edit = string_field(relates_to, "rel_type") == "m.replace" ||
                     member(content, "m.new_content") != nullptr;
    parsed.body = string_field(content, "body");
    if (member(relates_to, "m.in_reply_to")) {
      parsed.body = strip_reply_fallback(std::move(parsed.body));
    }
    if (string_field(content, "format") == "org.matrix.custom.html") {
      parsed.formatted_body = string_field(content, "formatted_body");
    }
    for (const json& user : array_field(object_field(content, "m.mentions"), "user_ids")) {
      if (user.is_string()) add_unique(parsed.mentioned_user_ids, user.get<std::string>());
    }
  } else if (parsed.type == "m.room.encrypted") {
    parsed.kind = RoomEvent::Kind::encrypted;
  } else if (parsed.type == "m.room.member") {
    parsed.kind = RoomEvent::Kind::member;
    parsed.membership = string_field(content, "membership");
    parsed.display_name = string_field(content, "displayname");
    const json* is_direct = member(content, "is_direct");
    parsed.is_direct = is_direct && is_direct->is_boolean() && is_direct->get<bool>();
  } else if (parsed.type == "m.room.encryption") {
    parsed.kind = RoomEvent::Kind::encryption;
  }
  return parsed;
}

DirectRooms parse_direct(const json& content) {
  DirectRooms rooms;
  if (!content.is_object()) return rooms;
  for (const auto& [user, room_ids] : content.items()) {
    if (!room_ids.is_array()) continue;
    auto& list = rooms[user];
    for (const json& room : room_ids) {
      if (room.is_string()) add_unique(list, room.get<std::string>());
    }
  }
  return rooms;
}

http::Result<SyncResponse> parse_sync(std::string_view body) {
  const json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    return http::Error{http::Error::Kind::protocol, "parse /sync", "the body is not a JSON object"};
  }
  SyncResponse sync;
  sync.next_batch = string_field(document, "next_batch");
  if (sync.next_batch.empty()) {
    return http::Error{http::Error::Kind::protocol, "parse /sync", "no next_batch"};
  }

  for (const json& event : array_field(object_field(document, "account_data"), "events")) {
    if (string_field(event, "type") == "m.direct") {
      sync.direct = parse_direct(object_field(event, "content"));
    }
  }

  const json& rooms = object_field(document, "rooms");
  for (const auto& [room_id, room] : object_field(rooms, "join").items()) {
    if (!room.is_object()) continue;
    JoinedRoom joined;
    joined.room_id = room_id;
    const json& summary = object_field(room, "summary");
    joined.summary.joined_member_count = count_field(summary, "m.joined_member_count");
    joined.summary.invited_member_count = count_field(summary, "m.invited_member_count");
    joined.state = parse_events(object_field(room, "state"));
    const json& timeline = object_field(room, "timeline");
    joined.timeline = parse_events(timeline);
    const json* limited = member(timeline, "limited");
    joined.limited = limited && limited->is_boolean() && limited->get<bool>();
    joined.prev_batch = string_field(timeline, "prev_batch");
    sync.joined.push_back(std::move(joined));
  }
  for (const auto& [room_id, room] : object_field(rooms, "invite").items()) {
    if (!room.is_object()) continue;
    sync.invited.push_back({room_id, parse_events(object_field(room, "invite_state"))});
  }
  for (const auto& [room_id, room] : object_field(rooms, "leave").items()) {
    if (!room.is_object()) continue;
    sync.left.push_back({room_id, parse_events(object_field(room, "timeline"))});
  }
  return sync;
}

http::Result<MessagesPage> parse_messages(std::string_view body) {
  const json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const json* chunk = document.is_discarded() ? nullptr : member(document, "chunk");
  if (!chunk || !chunk->is_array()) {
    return http::Error{http::Error::Kind::protocol, "parse /messages", "no chunk array"};
  }
  MessagesPage page;
  for (const json& event : *chunk) {
    if (auto parsed = parse_event(event)) page.chunk.push_back(std::move(*parsed));
  }
  page.end = string_field(document, "end");
  return page;
}

http::Result<std::vector<RoomEvent>> parse_members(std::string_view body) {
  const json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const json* chunk = document.is_discarded() ? nullptr : member(document, "chunk");
  if (!chunk || !chunk->is_array()) {
    return http::Error{http::Error::Kind::protocol, "parse /members", "no chunk array"};
  }
  std::vector<RoomEvent> members;
  for (const json& event : *chunk) {
    auto parsed = parse_event(event);
    if (parsed && parsed->kind == RoomEvent::Kind::member) members.push_back(std::move(*parsed));
  }
  return members;
}

http::Result<std::vector<std::string>> parse_joined_rooms(std::string_view body) {
  const json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const json* rooms = document.is_discarded() ? nullptr : member(document, "joined_rooms");
  if (!rooms || !rooms->is_array()) {
    return http::Error{http::Error::Kind::protocol, "parse /joined_rooms", "no joined_rooms array"};
  }
  std::vector<std::string> room_ids;
  for (const json& room : *rooms) {
    if (room.is_string()) room_ids.push_back(room.get<std::string>());
  }
  return room_ids;
}

void fill_gap(JoinedRoom& room, std::vector<RoomEvent> gap_newest_first) {
  std::vector<RoomEvent> timeline;
  timeline.reserve(gap_newest_first.size() + room.timeline.size());
  std::unordered_set<std::string> seen;
  const auto keep = [&](RoomEvent& event) {
    if (event.event_id.empty() || seen.insert(event.event_id).second) {
      timeline.push_back(std::move(event));
    }
  };
  for (auto event = gap_newest_first.rbegin(); event != gap_newest_first.rend(); ++event) {
    keep(*event);
  }
  for (auto& event : room.timeline) keep(event);
  room.timeline = std::move(timeline);
}

ErrorBody parse_error_body(std::string_view body) {
  ErrorBody error;
  const json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) return error;
  error.errcode = string_field(document, "errcode");
  error.error = string_field(document, "error");
  const json* retry = member(document, "retry_after_ms");
  if (retry && retry->is_number_integer() && retry->get<std::int64_t>() >= 0) {
    error.retry_after = std::chrono::milliseconds(
        std::min<std::int64_t>(retry->get<std::int64_t>(), 24LL * 3600 * 1000));
  }
  const json* soft_logout = member(document, "soft_logout");
  error.soft_logout = soft_logout && soft_logout->is_boolean() && soft_logout->get<bool>();
  return error;
}

http::Result<std::string> parse_whoami(std::string_view body) {
  const json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::string user_id = document.is_discarded() ? "" : string_field(document, "user_id");
  if (server_of(user_id).empty()) {
    return http::Error{http::Error::Kind::protocol, "parse whoami", "no user_id in the answer"};
  }
  return user_id;
}

std::string server_of(std::string_view user_id) {
  if (!user_id.starts_with('@')) return {};
  const auto colon = user_id.find(':');
  if (colon == std::string_view::npos || colon < 2 || colon + 1 == user_id.size()) return {};
  return std::string(user_id.substr(colon + 1));
}

std::vector<std::string> mentioned_users(const RoomEvent& message) {
  std::vector<std::string> users;
  for (const auto& user : message.mentioned_user_ids) add_unique(users, user);
  add_matrix_to_links(message.formatted_body, users);
  add_matrix_to_links(message.body, users);
  const std::string_view body = message.body;
  for (auto at = body.find('@'); at != std::string_view::npos; at = body.find('@', at + 1)) {
    if (at > 0 && is_localpart_char(body[at - 1])) continue;
    add_unique(users, user_id_at(body, at));
  }
  return users;
}

std::string escape_html(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&#39;";
        break;
      default:
        escaped.push_back(c);
    }
  }
  return escaped;
}

json notice_content(const dialogs::Outgoing& message) {
  std::string body = message.text;
  std::string html;
  for (const char c : escape_html(message.text)) {
    if (c == '\n') {
      html += "<br>";
    } else {
      html.push_back(c);
    }
  }
  if (!message.choices.empty()) {
    if (!body.empty()) body += "\n\n";
    html += "<ol>";
    for (std::size_t i = 0; i < message.choices.size(); ++i) {
      if (i > 0) body += "\n";
      body += std::to_string(i + 1) + ". " + message.choices[i].label;
      html += "<li>" + escape_html(message.choices[i].label) + "</li>";
    }
    html += "</ol>";
  }
  return {{"msgtype", "m.notice"},
          {"body", body},
          {"format", "org.matrix.custom.html"},
          {"formatted_body", html},
          {"m.mentions", json::object()}};
}

json direct_room_request(const std::string& user_id) {
  return {{"invite", json::array({user_id})},
          {"is_direct", true},
          {"preset", "trusted_private_chat"},
          {"initial_state", json::array()}};
}

json direct_content(const DirectRooms& rooms) {
  json content = json::object();
  for (const auto& [user, room_ids] : rooms) {
    if (!room_ids.empty()) content[user] = room_ids;
  }
  return content;
}

json timeline_event_filter() {
  return {{"types", json::array({"m.room.message", "m.room.member", "m.room.encrypted"})}};
}

json sync_filter() {
  const json none = {{"not_types", json::array({"*"})}};
  json timeline = timeline_event_filter();
  timeline["limit"] = kTimelineLimit;
  return {{"presence", none},
          {"account_data", {{"types", json::array({"m.direct"})}}},
          {"room",
           {{"timeline", timeline},
            {"state",
             {{"types", json::array({"m.room.member", "m.room.create", "m.room.encryption"})}}},
            {"ephemeral", none},
            {"account_data", none},
            {"include_leave", false}}}};
}

}  // namespace prik::adapters::matrix
