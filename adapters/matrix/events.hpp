// Matrix protocol types: the parts of the Client-Server API that Prik reads and writes, as plain
// structs, and the JSON parsing and building around them. No I/O here.
//
// parse_sync() turns a /sync response body into a SyncResponse. It never throws: a body that is
// not a JSON object or lacks next_batch is an error; any other missing or oddly typed field is
// skipped (an event without a string event_id, a room that is not an object, ...); of duplicate
// keys the last one counts. Rooms are in the order of their ids. It reads the body as a stream,
// without building the JSON document. All functions are stateless and safe from any thread.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/error.hpp"
#include "dialogs/message.hpp"

namespace prik::adapters::matrix {

// One room event or stripped state event, reduced to what Prik uses.
struct RoomEvent {
  enum class Kind {
    message,     // m.room.message
    encrypted,   // m.room.encrypted (the bot cannot read it)
    member,      // m.room.member
    encryption,  // m.room.encryption (the room is end-to-end encrypted)
    other,
  };
  Kind kind = Kind::other;
  std::string type;
  std::string event_id;  // empty for stripped state
  std::string sender;

  // message
  std::string msgtype;         // "m.text", "m.notice", ...
  std::string body;            // with any rich-reply fallback ("> <@a:b> ...") removed
  std::string formatted_body;  // HTML, when format is org.matrix.custom.html
  bool is_edit = false;        // m.relates_to.rel_type m.replace, or m.new_content present
  std::vector<std::string> mentioned_user_ids;  // content["m.mentions"].user_ids
  std::string transaction_id;                   // unsigned.transaction_id (our own echoes)

  // member
  std::string state_key;   // the member's user id
  std::string membership;  // "join", "invite", "leave", "ban", "knock"
  std::string display_name;
  bool is_direct = false;
};

struct RoomSummary {
  std::optional<int> joined_member_count;
  std::optional<int> invited_member_count;
};

struct JoinedRoom {
  std::string room_id;
  RoomSummary summary;
  std::vector<RoomEvent> state;     // state before the timeline
  std::vector<RoomEvent> timeline;  // in order
  bool limited = false;             // the timeline has a gap before it
  std::string prev_batch;           // where to page back from (GET /messages from=) to fill it
};

struct InvitedRoom {
  std::string room_id;
  std::vector<RoomEvent> invite_state;  // stripped state
};

struct LeftRoom {
  std::string room_id;
  std::vector<RoomEvent> timeline;
};

// Account data m.direct: user id -> the DM rooms with that user.
using DirectRooms = std::map<std::string, std::vector<std::string>>;

struct SyncResponse {
  std::string next_batch;
  std::vector<JoinedRoom> joined;
  std::vector<InvitedRoom> invited;
  std::vector<LeftRoom> left;
  std::optional<DirectRooms> direct;  // set when the sync carries m.direct account data
};

http::Result<SyncResponse> parse_sync(std::string_view body);

// One page of GET /rooms/{roomId}/messages. With dir=b the chunk is newest first; `end` is where
// the next page starts, empty when the server has no more events to give.
struct MessagesPage {
  std::vector<RoomEvent> chunk;
  std::string end;
};

// A body that is not a JSON object or lacks the chunk array is an error; entries of the chunk
// that are not events are skipped.
http::Result<MessagesPage> parse_messages(std::string_view body);

// The m.room.member events of GET /rooms/{roomId}/members (its chunk).
http::Result<std::vector<RoomEvent>> parse_members(std::string_view body);

// The room ids of GET /joined_rooms.
http::Result<std::vector<std::string>> parse_joined_rooms(std::string_view body);

// Puts the events of a limited timeline's gap (as GET /messages dir=b pages them: newest first)
// before its timeline, in chronological order, keeping only the first event of each event_id.
void fill_gap(JoinedRoom& room, std::vector<RoomEvent> gap_newest_first);

// One event object (a timeline, state or stripped state entry); nullopt when it is not an object
// with a string type.
std::optional<RoomEvent> parse_event(const nlohmann::json& event);

// The content of an m.direct account data event (malformed entries skipped).
DirectRooms parse_direct(const nlohmann::json& content);

// The error body of a failed Client-Server API call ({"errcode", "error", ...}).
struct ErrorBody {
  std::string errcode;  // "M_LIMIT_EXCEEDED", "M_UNKNOWN_TOKEN", ...; empty when absent
  std::string error;
  std::optional<std::chrono::milliseconds> retry_after;  // retry_after_ms
  bool soft_logout = false;
};
ErrorBody parse_error_body(std::string_view body);

// The user id from a GET /account/whoami answer.
http::Result<std::string> parse_whoami(std::string_view body);

// "@alice:example.org" -> "example.org"; "" when `user_id` is not a user id.
std::string server_of(std::string_view user_id);

// The people a message mentions, as user ids, in order of first appearance and without
// duplicates: m.mentions.user_ids, matrix.to links (body and formatted_body) and "@user:server"
// in the plain body.
std::vector<std::string> mentioned_users(const RoomEvent& message);

// The content of an m.room.message of msgtype m.notice for a reply: the plain body (the text, then
// the choices numbered "1. label" on lines of their own) and an HTML formatted_body (the text
// escaped, line breaks as <br>, the choices as <ol>). Mentions nobody (m.mentions {}). Written
// as JSON text straight away (it is the body of every reply); bytes of the texts that are not
// UTF-8 become U+FFFD.
std::string notice_content(const dialogs::Outgoing& message);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string escape_html(std::string_view text);

// The body of POST /createRoom for a DM with `user_id`: unencrypted, trusted_private_chat.
nlohmann::json direct_room_request(const std::string& user_id);

// The content of the m.direct account data event for `rooms`.
nlohmann::json direct_content(const DirectRooms& rooms);

// The sync filter: timeline m.room.message, m.room.member and m.room.encrypted (at most
// kTimelineLimit events per room) not sent by `bot_user_id`, whose replies would otherwise all
// come back; state m.room.member, m.room.create and m.room.encryption; no presence, ephemeral
// events or room account data; global account data m.direct only. Members are not lazy-loaded,
// so that a full state sync shows who is in every room.
inline constexpr int kTimelineLimit = 50;
nlohmann::json sync_filter(const std::string& bot_user_id);

// The RoomEventFilter of the timeline, for GET /messages: the same event types as the sync's
// timeline, so that a back-filled gap reads like the timeline it belongs to.
nlohmann::json timeline_event_filter();

}  // namespace prik::adapters::matrix
