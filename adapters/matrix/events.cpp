#include "adapters/matrix/events.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <unordered_set>

#include "adapters/http/json.hpp"

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

namespace {

// Builds a SyncResponse from the SAX events of a /sync body, without the document tree a DOM
// parse would allocate (a catch-up sync holds thousands of events). It reads every field the way
// parse_event and the DOM-walking code read them: a field of the wrong type counts as absent,
// entries that are not objects are skipped, and of duplicate keys the last one wins (rooms are
// put in order of their ids, as a parsed JSON object holds them). Account data events are rare
// and small: they are captured as JSON values and read with parse_direct.
class SyncReader {
 public:
  bool start_object(std::size_t) { return open(/*object=*/true); }
  bool start_array(std::size_t) { return open(/*object=*/false); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(std::string& name) {
    Frame& frame = frames_.back();
    frame.slot = slot_of(frame.role, name);
    if (frame.role == Role::capture) return capture_key(name);
    if (frame.slot == Slot::room) room_id_ = std::move(name);
    return true;
  }

  bool null() { return scalar(json()); }
  bool boolean(bool value) { return scalar(json(value)); }
  bool number_integer(std::int64_t value) { return scalar(json(value)); }
  bool number_unsigned(std::uint64_t value) { return scalar(json(value)); }
  bool number_float(double value, const std::string&) { return scalar(json(value)); }
  bool binary(json::binary_t&) { return scalar(json()); }
  bool string(std::string& value) {
    if (frames_.empty()) return false;
    Frame& frame = frames_.back();
    if (frame.role == Role::capture) return capture_value(json(std::move(value)));
    if (frame.role == Role::mention_ids) {
      mention_ids_.push_back(std::move(value));
      return true;
    }
    if (std::string* field = string_slot(frame)) {
      *field = std::move(value);
      return true;
    }
    return scalar(json());  // anything else a string can stand for
  }
  bool parse_error(std::size_t, const std::string&, const json::exception&) { return false; }

  // After a successful parse: whether the body was an object with a next_batch.
  http::Result<SyncResponse> finish() {
    if (!root_seen_) {
      return http::Error{http::Error::Kind::protocol, "parse /sync",
                         "the body is not a JSON object"};
    }
    if (sync_.next_batch.empty()) {
      return http::Error{http::Error::Kind::protocol, "parse /sync", "no next_batch"};
    }
    last_of_each_room(sync_.joined);
    last_of_each_room(sync_.invited);
    last_of_each_room(sync_.left);
    return std::move(sync_);
  }

 private:
  enum class Role {
    root,
    account_data,    // root.account_data
    account_events,  // its events array
    capture,         // inside an account data event: built as a JSON value
    rooms,
    join_map,
    invite_map,
    leave_map,
    joined_room,
    invited_room,
    left_room,
    summary,
    event_list,  // an object holding "events" (state, timeline, invite_state)
    events,      // the events array
    event,
    content,
    unsigned_data,
    relates_to,
    mentions,
    mention_ids,
    skip,
  };
  enum class Slot {
    none,
    next_batch,
    account_data,
    rooms,
    events,
    join,
    invite,
    leave,
    room,  // a room id in a join, invite or leave map
    summary,
    state,
    timeline,
    invite_state,
    limited,
    prev_batch,
    joined_count,
    invited_count,
    type,
    event_id,
    sender,
    state_key,
    content,
    unsigned_data,
    transaction_id,
    msgtype,
    body,
    format,
    formatted_body,
    relates_to,
    new_content,
    mentions,
    membership,
    display_name,
    is_direct,
    rel_type,
    in_reply_to,
    user_ids,
  };
  struct Frame {
    Role role;
    Slot slot = Slot::none;
    std::vector<RoomEvent>* events = nullptr;  // for event_list and events
  };
  // An event's fields as they are read; made into a RoomEvent at its end.
  struct EventFields {
    std::string type, event_id, sender, state_key, transaction_id;
    std::string msgtype, body, format, formatted_body, rel_type, membership, display_name;
    bool has_new_content = false;
    bool in_reply_to = false;
    bool is_direct = false;
  };

  static Slot slot_of(Role role, std::string_view name) {
    switch (role) {
      case Role::root:
        if (name == "next_batch") return Slot::next_batch;
        if (name == "account_data") return Slot::account_data;
        if (name == "rooms") return Slot::rooms;
        return Slot::none;
      case Role::account_data:
      case Role::event_list:
        if (name == "events") return Slot::events;
        if (role == Role::event_list && name == "limited") return Slot::limited;
        if (role == Role::event_list && name == "prev_batch") return Slot::prev_batch;
        return Slot::none;
      case Role::rooms:
        if (name == "join") return Slot::join;
        if (name == "invite") return Slot::invite;
        if (name == "leave") return Slot::leave;
        return Slot::none;
      case Role::join_map:
      case Role::invite_map:
      case Role::leave_map:
        return Slot::room;
      case Role::joined_room:
        if (name == "summary") return Slot::summary;
        if (name == "state") return Slot::state;
        if (name == "timeline") return Slot::timeline;
        return Slot::none;
      case Role::invited_room:
        return name == "invite_state" ? Slot::invite_state : Slot::none;
      case Role::left_room:
        return name == "timeline" ? Slot::timeline : Slot::none;
      case Role::summary:
        if (name == "m.joined_member_count") return Slot::joined_count;
        if (name == "m.invited_member_count") return Slot::invited_count;
        return Slot::none;
      case Role::event:
        if (name == "type") return Slot::type;
        if (name == "event_id") return Slot::event_id;
        if (name == "sender") return Slot::sender;
        if (name == "state_key") return Slot::state_key;
        if (name == "content") return Slot::content;
        if (name == "unsigned") return Slot::unsigned_data;
        return Slot::none;
      case Role::unsigned_data:
        return name == "transaction_id" ? Slot::transaction_id : Slot::none;
      case Role::content:
        if (name == "msgtype") return Slot::msgtype;
        if (name == "body") return Slot::body;
        if (name == "format") return Slot::format;
        if (name == "formatted_body") return Slot::formatted_body;
        if (name == "m.relates_to") return Slot::relates_to;
        if (name == "m.new_content") return Slot::new_content;
        if (name == "m.mentions") return Slot::mentions;
        if (name == "membership") return Slot::membership;
        if (name == "displayname") return Slot::display_name;
        if (name == "is_direct") return Slot::is_direct;
        return Slot::none;
      case Role::relates_to:
        if (name == "rel_type") return Slot::rel_type;
        if (name == "m.in_reply_to") return Slot::in_reply_to;
        return Slot::none;
      case Role::mentions:
        return name == "user_ids" ? Slot::user_ids : Slot::none;
      default:
        return Slot::none;
    }
  }

  // The string field the current slot fills, if any.
  std::string* string_slot(const Frame& frame) {
    switch (frame.slot) {
      case Slot::next_batch:
        return frame.role == Role::root ? &sync_.next_batch : nullptr;
      case Slot::prev_batch:
        return current_prev_batch_;
      case Slot::type:
        return &event_.type;
      case Slot::event_id:
        return &event_.event_id;
      case Slot::sender:
        return &event_.sender;
      case Slot::state_key:
        return &event_.state_key;
      case Slot::transaction_id:
        return &event_.transaction_id;
      case Slot::msgtype:
        return &event_.msgtype;
      case Slot::body:
        return &event_.body;
      case Slot::format:
        return &event_.format;
      case Slot::formatted_body:
        return &event_.formatted_body;
      case Slot::membership:
        return &event_.membership;
      case Slot::display_name:
        return &event_.display_name;
      case Slot::rel_type:
        return &event_.rel_type;
      default:
        return nullptr;
    }
  }

  // A value (of any type) starts in the current slot: what it held before is gone, as a later
  // duplicate key replaces an earlier one.
  void reset_slot(const Frame& frame) {
    if (std::string* field = string_slot(frame)) field->clear();
    switch (frame.slot) {
      case Slot::account_data:
        sync_.direct.reset();
        break;
      case Slot::rooms:
        sync_.joined.clear();
        sync_.invited.clear();
        sync_.left.clear();
        break;
      case Slot::join:
        sync_.joined.clear();
        break;
      case Slot::invite:
        sync_.invited.clear();
        break;
      case Slot::leave:
        sync_.left.clear();
        break;
      case Slot::summary:
        sync_.joined.back().summary = {};
        break;
      case Slot::joined_count:
        sync_.joined.back().summary.joined_member_count.reset();
        break;
      case Slot::invited_count:
        sync_.joined.back().summary.invited_member_count.reset();
        break;
      case Slot::state:
        sync_.joined.back().state.clear();
        break;
      case Slot::timeline:
        if (frame.role == Role::joined_room) {
          JoinedRoom& room = sync_.joined.back();
          room.timeline.clear();
          room.limited = false;
          room.prev_batch.clear();
        } else {
          sync_.left.back().timeline.clear();
        }
        break;
      case Slot::invite_state:
        sync_.invited.back().invite_state.clear();
        break;
      case Slot::events:
        if (frame.events) frame.events->clear();
        if (frame.role == Role::account_data) sync_.direct.reset();
        break;
      case Slot::limited:
        if (current_limited_) *current_limited_ = false;
        break;
      case Slot::content:
        event_.msgtype.clear();
        event_.body.clear();
        event_.format.clear();
        event_.formatted_body.clear();
        event_.rel_type.clear();
        event_.membership.clear();
        event_.display_name.clear();
        event_.has_new_content = false;
        event_.in_reply_to = false;
        event_.is_direct = false;
        mention_ids_.clear();
        break;
      case Slot::unsigned_data:
        event_.transaction_id.clear();
        break;
      case Slot::relates_to:
        event_.rel_type.clear();
        event_.in_reply_to = false;
        break;
      case Slot::new_content:
        event_.has_new_content = true;  // present, whatever its value
        break;
      case Slot::in_reply_to:
        event_.in_reply_to = true;
        break;
      case Slot::is_direct:
        event_.is_direct = false;
        break;
      case Slot::mentions:
      case Slot::user_ids:
        mention_ids_.clear();
        break;
      default:
        break;
    }
  }

  static std::optional<int> count_of(const json& value) {
    if (!value.is_number_integer()) return std::nullopt;
    const auto count = value.get<std::int64_t>();
    if (count < 0 || count > 1'000'000'000) return std::nullopt;
    return static_cast<int>(count);
  }

  bool scalar(json value) {
    if (frames_.empty()) return false;  // the body is not an object
    Frame& frame = frames_.back();
    if (frame.role == Role::capture) return capture_value(std::move(value));
    if (frame.role == Role::skip || frame.role == Role::events || frame.role == Role::mention_ids ||
        frame.role == Role::account_events) {
      return true;  // an array entry of no interest
    }
    if (frame.slot == Slot::room) {
      room_id_.clear();
      return true;  // a room that is not an object
    }
    reset_slot(frame);
    switch (frame.slot) {
      case Slot::limited:
        if (current_limited_ && value.is_boolean()) *current_limited_ = value.get<bool>();
        break;
      case Slot::joined_count:
        sync_.joined.back().summary.joined_member_count = count_of(value);
        break;
      case Slot::invited_count:
        sync_.joined.back().summary.invited_member_count = count_of(value);
        break;
      case Slot::is_direct:
        event_.is_direct = value.is_boolean() && value.get<bool>();
        break;
      default:
        break;
    }
    return true;
  }

  bool open(bool object) {
    if (frames_.empty()) {
      if (!object || root_seen_) return false;
      root_seen_ = true;
      frames_.push_back({Role::root});
      return true;
    }
    Frame& parent = frames_.back();
    if (parent.role == Role::capture) {
      if (!capture_value(object ? json::object() : json::array())) return false;
      frames_.push_back({Role::capture});
      return true;
    }
    frames_.push_back(child_of(parent, object));
    return true;
  }

  // The frame of a container that starts in `parent` (which may be reset or filled here).
  Frame child_of(Frame& parent, bool object) {
    switch (parent.role) {
      case Role::skip:
      case Role::mention_ids:
        return {Role::skip};
      case Role::events:
        if (object) {
          event_ = {};
          mention_ids_.clear();
          return {Role::event, Slot::none, parent.events};
        }
        return {Role::skip};
      case Role::account_events:
        if (object) {
          captured_ = json::object();
          capture_stack_ = {&captured_};
          return {Role::capture};
        }
        return {Role::skip};
      default:
        break;
    }
    if (parent.slot == Slot::room) {
      if (!object) return {Role::skip};
      switch (parent.role) {
        case Role::join_map:
          sync_.joined.push_back({});
          sync_.joined.back().room_id = std::move(room_id_);
          return {Role::joined_room};
        case Role::invite_map:
          sync_.invited.push_back({std::move(room_id_), {}});
          return {Role::invited_room};
        default:
          sync_.left.push_back({std::move(room_id_), {}});
          return {Role::left_room};
      }
    }
    reset_slot(parent);
    if (!object) {
      if (parent.slot == Slot::events && parent.events) {
        return {Role::events, Slot::none, parent.events};
      }
      if (parent.slot == Slot::events && parent.role == Role::account_data) {
        return {Role::account_events};
      }
      if (parent.slot == Slot::user_ids) return {Role::mention_ids};
      return {Role::skip};
    }
    switch (parent.slot) {
      case Slot::account_data:
        return {Role::account_data};
      case Slot::rooms:
        return {Role::rooms};
      case Slot::join:
        return {Role::join_map};
      case Slot::invite:
        return {Role::invite_map};
      case Slot::leave:
        return {Role::leave_map};
      case Slot::summary:
        return {Role::summary};
      case Slot::state:
        current_limited_ = nullptr;
        current_prev_batch_ = nullptr;
        return {Role::event_list, Slot::none, &sync_.joined.back().state};
      case Slot::timeline:
        if (parent.role == Role::joined_room) {
          JoinedRoom& room = sync_.joined.back();
          current_limited_ = &room.limited;
          current_prev_batch_ = &room.prev_batch;
          return {Role::event_list, Slot::none, &room.timeline};
        }
        current_limited_ = nullptr;
        current_prev_batch_ = nullptr;
        return {Role::event_list, Slot::none, &sync_.left.back().timeline};
      case Slot::invite_state:
        current_limited_ = nullptr;
        current_prev_batch_ = nullptr;
        return {Role::event_list, Slot::none, &sync_.invited.back().invite_state};
      case Slot::content:
        return {Role::content};
      case Slot::unsigned_data:
        return {Role::unsigned_data};
      case Slot::relates_to:
        return {Role::relates_to};
      case Slot::mentions:
        return {Role::mentions};
      default:
        return {Role::skip};
    }
  }

  bool close() {
    if (frames_.empty()) return false;
    const Frame frame = frames_.back();
    frames_.pop_back();
    if (frame.role == Role::capture) {
      capture_stack_.pop_back();
      if (capture_stack_.empty()) finish_account_event();
    } else if (frame.role == Role::event && frame.events) {
      finish_event(*frame.events);
    }
    if (!frames_.empty() && frames_.back().slot == Slot::room) room_id_.clear();
    return true;
  }

  bool capture_key(std::string& name) {
    json& object = *capture_stack_.back();
    capture_key_ = &object[std::move(name)];
    return true;
  }

  // Puts `value` where the capture stands: at the last key of an object or at the end of an
  // array; containers become the new place to capture into.
  bool capture_value(json value) {
    json& container = *capture_stack_.back();
    json* slot = nullptr;
    if (container.is_object()) {
      if (!capture_key_) return false;
      *capture_key_ = std::move(value);
      slot = capture_key_;
      capture_key_ = nullptr;
    } else {
      container.push_back(std::move(value));
      slot = &container.back();
    }
    if (slot->is_structured()) capture_stack_.push_back(slot);
    return true;
  }

  void finish_account_event() {
    if (string_field(captured_, "type") == "m.direct") {
      sync_.direct = parse_direct(object_field(captured_, "content"));
    }
    captured_ = json();
  }

  void finish_event(std::vector<RoomEvent>& events) {
    if (event_.type.empty()) return;  // not an event
    RoomEvent parsed;
    parsed.event_id = std::move(event_.event_id);
    parsed.sender = std::move(event_.sender);
    parsed.state_key = std::move(event_.state_key);
    parsed.transaction_id = std::move(event_.transaction_id);
    if (event_.type == "m.room.message") {
      parsed.kind = RoomEvent::Kind::message;
      parsed.msgtype = std::move(event_.msgtype);
      parsed.is_edit = event_.rel_type == "m.replace" || event_.has_new_content;
      parsed.body = event_.in_reply_to ? strip_reply_fallback(std::move(event_.body))
                                       : std::move(event_.body);
      if (event_.format == "org.matrix.custom.html") {
        parsed.formatted_body = std::move(event_.formatted_body);
      }
      for (auto& user : mention_ids_) add_unique(parsed.mentioned_user_ids, std::move(user));
    } else if (event_.type == "m.room.encrypted") {
      parsed.kind = RoomEvent::Kind::encrypted;
    } else if (event_.type == "m.room.member") {
      parsed.kind = RoomEvent::Kind::member;
      parsed.membership = std::move(event_.membership);
      parsed.display_name = std::move(event_.display_name);
      parsed.is_direct = event_.is_direct;
    } else if (event_.type == "m.room.encryption") {
      parsed.kind = RoomEvent::Kind::encryption;
    }
    parsed.type = std::move(event_.type);
    events.push_back(std::move(parsed));
  }

  // Of rooms with the same id the last one stays; rooms end up in order of their ids.
  template <class Room>
  static void last_of_each_room(std::vector<Room>& rooms) {
    std::stable_sort(rooms.begin(), rooms.end(),
                     [](const Room& a, const Room& b) { return a.room_id < b.room_id; });
    std::vector<Room> unique;
    unique.reserve(rooms.size());
    for (std::size_t i = 0; i < rooms.size(); ++i) {
      if (i + 1 < rooms.size() && rooms[i + 1].room_id == rooms[i].room_id) continue;
      unique.push_back(std::move(rooms[i]));
    }
    rooms = std::move(unique);
  }

  SyncResponse sync_;
  std::vector<Frame> frames_;
  bool root_seen_ = false;
  std::string room_id_;  // the key of the room whose value comes next
  bool* current_limited_ = nullptr;
  std::string* current_prev_batch_ = nullptr;
  EventFields event_;
  std::vector<std::string> mention_ids_;
  json captured_;
  std::vector<json*> capture_stack_;
  json* capture_key_ = nullptr;
};

}  // namespace

http::Result<SyncResponse> parse_sync(std::string_view body) {
  SyncReader reader;
  if (!json::sax_parse(body, &reader)) {
    return http::Error{http::Error::Kind::protocol, "parse /sync", "the body is not a JSON object"};
  }
  return reader.finish();
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

std::string notice_content(const dialogs::Outgoing& message) {
  std::string body = message.text;
  std::string html;
  html.reserve(message.text.size() + 16);
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
  std::string content;
  content.reserve(body.size() + html.size() + 128);
  content += R"({"msgtype":"m.notice","body":)";
  http::append_json_string(content, body);
  content += R"(,"format":"org.matrix.custom.html","formatted_body":)";
  http::append_json_string(content, html);
  content += R"(,"m.mentions":{}})";
  return content;
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

json sync_filter(const std::string& bot_user_id) {
  const json none = {{"not_types", json::array({"*"})}};
  json timeline = timeline_event_filter();
  timeline["limit"] = kTimelineLimit;
  timeline["not_senders"] = json::array({bot_user_id});
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
