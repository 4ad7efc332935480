#include "tests/matrix/fake_homeserver.hpp"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <deque>
#include <future>
#include <list>
#include <set>
#include <unordered_map>
#include <utility>

namespace prik::tests {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using json = nlohmann::json;
using adapters::http::Request;
using adapters::http::Respond;
using adapters::http::Response;
using Endpoint = FakeHomeserver::Endpoint;

Response json_response(int status, const json& body) { return Response::json(status, body.dump()); }

// `text` as a JSON string literal.
std::string quoted(const std::string& text) { return json(text).dump(); }

Response matrix_error(int status, const std::string& errcode, const std::string& message) {
  return json_response(status, {{"errcode", errcode}, {"error", message}});
}

// What the fake honours of a /sync request's inline filter: the timeline's limit and not_senders.
struct TimelineFilter {
  int limit = 0;  // 0: none
  std::set<std::string> not_senders;
};

TimelineFilter timeline_filter_of(const std::string& filter) {
  TimelineFilter result;
  const json parsed = json::parse(filter, nullptr, false);
  if (!parsed.is_object()) return result;
  const json timeline = parsed.value("room", json::object()).value("timeline", json::object());
  const json limit = timeline.value("limit", json());
  if (limit.is_number_integer()) result.limit = limit.get<int>();
  for (const auto& sender : timeline.value("not_senders", json::array())) {
    if (sender.is_string()) result.not_senders.insert(sender.get<std::string>());
  }
  return result;
}

std::uint64_t parse_since(const std::string& since) {
  std::uint64_t value = 0;
  if (since.size() > 1 && since[0] == 's') {
    std::from_chars(since.data() + 1, since.data() + since.size(), value);
  }
  return value;
}

}  // namespace

struct FakeHomeserver::State : std::enable_shared_from_this<FakeHomeserver::State> {
  // Events are serialised once, when they are logged: every /sync and /messages page that carries
  // one copies its text.
  struct Entry {
    std::uint64_t seq;
    std::string section;  // "join", "invite", "leave", "account_data"
    std::string room_id;
    std::string type;    // the event's type; empty for "invite"
    std::string sender;  // the event's sender; empty for "invite" and "account_data"
    std::string text;    // the event as JSON; for "invite": the invite_state array
  };
  struct Sent {
    std::string room_id;
    std::string event_id;
    std::string transaction_id;
    std::string content;  // as the client sent it; parsed when inspected
  };
  struct Waiter {
    std::uint64_t since = 0;
    TimelineFilter filter;
    std::uint64_t checked = 0;  // the log up to here has nothing for this waiter
    bool full_state = false;
    Respond respond;
    bool answered = false;
    std::shared_ptr<asio::steady_timer> timer;
  };

  State(asio::io_context& io_context, std::string bot_user_id, std::string token)
      : io(io_context), bot(std::move(bot_user_id)), access_token(std::move(token)) {}

  asio::io_context& io;
  const std::string bot;
  const std::string access_token;

  mutable std::mutex mutex;
  bool revoked = false;
  std::chrono::milliseconds long_poll{200};
  std::deque<Entry> log;  // a deque: it grows without moving what it holds
  std::uint64_t seq = 0;
  int next_id = 0;
  std::map<std::string, std::map<std::string, std::string>> members;  // room -> user -> membership
  std::map<std::string, std::string> names;                           // user -> display name
  std::map<Endpoint, std::deque<Failure>> failures;
  std::map<Endpoint, std::deque<std::chrono::milliseconds>> held;  // answer delays
  int timeline_cap = 0;
  int messages_cap = 0;
  int prev_batch_overlap = 0;
  bool honour_not_senders = true;
  std::vector<std::string> messages_queries;
  std::unordered_map<std::string, std::string> transactions;  // token + txnId -> event id
  std::deque<Sent> sent;
  std::map<Endpoint, int> calls;
  std::vector<std::chrono::steady_clock::time_point> sync_times;
  std::set<std::string> joined;
  std::set<std::string> left;
  std::vector<json> create_requests;
  std::map<std::string, json> account_data;
  std::vector<std::shared_ptr<Waiter>> waiters;
  std::vector<std::shared_ptr<asio::steady_timer>> timers;

  // With the mutex held.
  void push(std::string section, std::string room_id, const json& event) {
    const bool object = event.is_object();
    push_text(std::move(section), std::move(room_id), object ? event.value("type", "") : "",
              object ? event.value("sender", "") : "", event.dump());
  }
  void push_text(std::string section, std::string room_id, std::string type, std::string sender,
                 std::string text) {
    log.push_back({++seq, std::move(section), std::move(room_id), std::move(type),
                   std::move(sender), std::move(text)});
  }

  json member_event(const std::string& room_id, const std::string& user,
                    const std::string& membership, const std::string& sender) {
    json content = {{"membership", membership}};
    if (auto name = names.find(user); name != names.end()) content["displayname"] = name->second;
    return {{"type", "m.room.member"},
            {"sender", sender},
            {"state_key", user},
            {"content", content},
            {"room_id", room_id},
            {"origin_server_ts", 0},
            {"event_id", "$ev" + std::to_string(++next_id)}};
  }

  std::string push_timeline(const std::string& room_id, json event) {
    if (!event.contains("event_id")) event["event_id"] = "$ev" + std::to_string(++next_id);
    event["origin_server_ts"] = 0;
    const std::string event_id = event["event_id"];
    push("join", room_id, event);
    return event_id;
  }

  // An m.room.message the bot sent, `content` being the request body as it came (valid JSON),
  // serialised like push_timeline's events (keys in order) without parsing the content.
  std::string push_sent_message(const std::string& room_id, const std::string& content,
                                const std::string& transaction_id) {
    std::string event_id = "$ev" + std::to_string(++next_id);
    std::string text;
    text.reserve(content.size() + bot.size() + transaction_id.size() + 160);
    text += R"({"content":)";
    text += content;
    text += R"(,"event_id":")";
    text += event_id;
    text += R"(","origin_server_ts":0,"sender":)";
    text += quoted(bot);
    text += R"(,"type":"m.room.message","unsigned":{"transaction_id":)";
    text += quoted(transaction_id);
    text += "}}";
    push_text("join", room_id, "m.room.message", bot, std::move(text));
    return event_id;
  }

  // With the mutex held. Whether `entry` is left out of a /sync timeline by `filter`.
  bool filtered_out(const Entry& entry, const TimelineFilter& filter) const {
    return honour_not_senders && (entry.section == "join" || entry.section == "leave") &&
           filter.not_senders.contains(entry.sender);
  }

  // With the mutex held. Whether a /sync from `since` would carry anything; what the waiter was
  // already found not to want is not looked at again.
  bool has_news(Waiter& waiter) const {
    if (waiter.full_state) return true;
    const auto first_unchecked = std::upper_bound(
        log.begin(), log.end(), std::max(waiter.since, waiter.checked),
        [](std::uint64_t position, const Entry& entry) { return position < entry.seq; });
    const bool news = std::any_of(first_unchecked, log.end(), [&](const Entry& entry) {
      return !filtered_out(entry, waiter.filter);
    });
    if (!news) waiter.checked = seq;
    return news;
  }

  // With the mutex held. `filter` is the request's timeline filter; with
  // `full_state` every joined room comes with its current members as state. The answer is
  // written as text from the logged events; rooms are in the order of their ids.
  std::string build_sync(std::uint64_t since, const TimelineFilter& filter, bool full_state) {
    struct Room {
      std::vector<const Entry*> timeline;
      std::string state;  // the state events, comma-separated (full_state only)
    };
    std::map<std::string, Room> joined_rooms;
    std::map<std::string, const Entry*> invited_rooms;  // the last invite per room
    std::map<std::string, std::vector<const Entry*>> left_rooms;
    std::vector<const Entry*> account;
    std::size_t size = 256;  // the answer's length, roughly
    const auto first_new = std::upper_bound(
        log.begin(), log.end(), since,
        [](std::uint64_t position, const Entry& entry) { return position < entry.seq; });
    for (auto entry_it = first_new; entry_it != log.end(); ++entry_it) {
      const Entry& entry = *entry_it;
      if (filtered_out(entry, filter)) continue;
      size += entry.text.size() + entry.room_id.size() + 8;
      if (entry.section == "invite") {
        invited_rooms[entry.room_id] = &entry;
      } else if (entry.section == "account_data") {
        account.push_back(&entry);
      } else if (entry.section == "join") {
        joined_rooms[entry.room_id].timeline.push_back(&entry);
      } else {
        left_rooms[entry.room_id].push_back(&entry);
      }
    }
    if (full_state) {
      for (const auto& [room_id, room] : members) {
        if (auto bot_membership = room.find(bot);
            bot_membership == room.end() || bot_membership->second != "join") {
          continue;
        }
        std::string& state = joined_rooms[room_id].state;
        for (const auto& [user, membership] : room) {
          if (!state.empty()) state += ',';
          state += member_event(room_id, user, membership, user).dump();
        }
        size += state.size() + room_id.size() + 64;
      }
    }
    std::size_t limit = filter.limit > 0 ? static_cast<std::size_t>(filter.limit) : SIZE_MAX;
    if (timeline_cap > 0) limit = std::min<std::size_t>(limit, timeline_cap);

    std::string body;
    body.reserve(size + 64 * (joined_rooms.size() + left_rooms.size() + invited_rooms.size()));
    // The latest `limit` entries, marked limited when there were more, with the position just
    // before the first one (or, overlapping, after a few of them) as prev_batch.
    const auto append_timeline = [&](const std::vector<const Entry*>& entries) {
      if (entries.empty()) {
        body += R"({"events":[],"limited":false})";
        return;
      }
      const bool limited = entries.size() > limit;
      const std::size_t first = limited ? entries.size() - limit : 0;
      body += R"({"events":[)";
      for (std::size_t i = first; i < entries.size(); ++i) {
        if (i > first) body += ',';
        body += entries[i]->text;
      }
      std::uint64_t prev = entries[first]->seq - 1;
      if (prev_batch_overlap > 0) {
        prev = entries[std::min(first + prev_batch_overlap, entries.size()) - 1]->seq;
      }
      body += R"(],"limited":)";
      body += limited ? "true" : "false";
      body += R"(,"prev_batch":"s)";
      body += std::to_string(prev);
      body += "\"}";
    };
    const auto append_key = [&](bool& first, const std::string& room_id) {
      if (!std::exchange(first, false)) body += ',';
      body += quoted(room_id);
      body += ':';
    };

    body += R"({"account_data":{"events":[)";
    for (std::size_t i = 0; i < account.size(); ++i) {
      if (i > 0) body += ',';
      body += account[i]->text;
    }
    body += R"(]},"next_batch":"s)";
    body += std::to_string(seq);
    body += R"(","rooms":{"invite":{)";
    bool first = true;
    for (const auto& [room_id, invite] : invited_rooms) {
      append_key(first, room_id);
      body += R"({"invite_state":{"events":)";
      body += invite->text;
      body += "}}";
    }
    body += R"(},"join":{)";
    first = true;
    for (const auto& [room_id, room] : joined_rooms) {
      append_key(first, room_id);
      body += R"({"state":{"events":[)";
      body += room.state;
      body += R"(]},"timeline":)";
      append_timeline(room.timeline);
      body += '}';
    }
    body += R"(},"leave":{)";
    first = true;
    for (const auto& [room_id, timeline] : left_rooms) {
      append_key(first, room_id);
      body += R"({"state":{"events":[]},"timeline":)";
      append_timeline(timeline);
      body += '}';
    }
    body += "}}}";
    return body;
  }

  // GET /messages with dir=b: the room's timeline events at positions in (to, from], newest
  // first, of the filter's types; `end` only when more remain.
  std::string build_messages(const std::string& room_id, std::uint64_t from, std::uint64_t to,
                             std::size_t limit, const std::set<std::string>& types) const {
    std::string chunk;
    std::size_t events = 0;
    std::uint64_t last = 0;
    bool more = false;
    for (auto entry = log.rbegin(); entry != log.rend(); ++entry) {
      if (entry->seq > from || entry->section != "join" || entry->room_id != room_id) continue;
      if (entry->seq <= to) break;
      if (!types.empty() && !types.contains(entry->type)) continue;
      if (events == limit) {
        more = true;
        break;
      }
      if (events++ > 0) chunk += ',';
      chunk += entry->text;
      last = entry->seq;
    }
    std::string body = R"({"chunk":[)" + chunk + "]";
    if (more) body += R"(,"end":"s)" + std::to_string(last - 1) + '"';
    return body + R"(,"start":"s)" + std::to_string(from) + "\"}";
  }

  void answer(const std::shared_ptr<Waiter>& waiter) {
    std::string body;
    {
      std::lock_guard lock(mutex);
      if (waiter->answered) return;
      waiter->answered = true;
      if (waiter->timer) waiter->timer->cancel();
      body = build_sync(waiter->since, waiter->filter, waiter->full_state);
    }
    waiter->respond(Response::json(200, std::move(body)));
  }

  // Answers the long-polls that now have news; call without the mutex.
  void wake() {
    std::vector<std::shared_ptr<Waiter>> ready;
    {
      std::lock_guard lock(mutex);
      std::vector<std::shared_ptr<Waiter>> still_waiting;
      for (auto& waiter : waiters) {
        if (waiter->answered) continue;
        (has_news(*waiter) ? ready : still_waiting).push_back(std::move(waiter));
      }
      waiters.swap(still_waiting);
    }
    for (auto& waiter : ready) answer(waiter);
  }

  void handle(Request request, Respond respond);
  void handle_sync(const boost::urls::url_view& url, Respond respond);
  void handle_messages(const std::string& room_id, const boost::urls::url_view& url,
                       Respond respond);
  void handle_send(const std::string& room_id, const std::string& transaction_id,
                   const std::string& body, Respond respond);
  // Answers now, or after the delay held for `endpoint`.
  void answer_maybe_later(Endpoint endpoint, Response response, Respond respond);
};

void FakeHomeserver::State::handle(Request request, Respond respond) {
  auto parsed = boost::urls::parse_origin_form(request.target);
  if (!parsed) {
    respond(matrix_error(400, "M_UNRECOGNIZED", "bad target"));
    return;
  }
  std::vector<std::string> path;
  for (const auto& segment : parsed->segments()) path.push_back(segment);
  if (path.size() < 4 || path[0] != "_matrix" || path[1] != "client" || path[2] != "v3") {
    respond(matrix_error(404, "M_UNRECOGNIZED", "unknown path"));
    return;
  }
  path.erase(path.begin(), path.begin() + 3);
  const std::string& method = request.method;

  std::optional<Endpoint> endpoint;
  if (method == "GET" && path == std::vector<std::string>{"account", "whoami"}) {
    endpoint = Endpoint::whoami;
  } else if (method == "GET" && path == std::vector<std::string>{"sync"}) {
    endpoint = Endpoint::sync;
  } else if (method == "GET" && path.size() == 3 && path[0] == "rooms" && path[2] == "messages") {
    endpoint = Endpoint::messages;
  } else if (method == "GET" && path == std::vector<std::string>{"joined_rooms"}) {
    endpoint = Endpoint::joined_rooms;
  } else if (method == "GET" && path.size() == 3 && path[0] == "rooms" && path[2] == "members") {
    endpoint = Endpoint::members;
  } else if (method == "POST" && path.size() == 3 && path[0] == "rooms" && path[2] == "join") {
    endpoint = Endpoint::join;
  } else if (method == "POST" && path.size() == 3 && path[0] == "rooms" && path[2] == "leave") {
    endpoint = Endpoint::leave;
  } else if (method == "PUT" && path.size() == 5 && path[0] == "rooms" && path[2] == "send") {
    endpoint = Endpoint::send;
  } else if (method == "POST" && path == std::vector<std::string>{"createRoom"}) {
    endpoint = Endpoint::create_room;
  } else if (method == "PUT" && path.size() == 4 && path[0] == "user" &&
             path[2] == "account_data") {
    endpoint = Endpoint::account_data;
  }
  if (!endpoint) {
    respond(matrix_error(404, "M_UNRECOGNIZED", "unknown endpoint"));
    return;
  }

  std::optional<Failure> failure;
  {
    std::lock_guard lock(mutex);
    ++calls[*endpoint];
    if (*endpoint == Endpoint::sync) sync_times.push_back(std::chrono::steady_clock::now());
    if (revoked || request.header("Authorization") != "Bearer " + access_token) {
      failure = Failure{401,
                        {{"errcode", "M_UNKNOWN_TOKEN"},
                         {"error", "Unrecognised access token."},
                         {"soft_logout", false}},
                        {}};
    } else if (auto& queued = failures[*endpoint]; !queued.empty()) {
      failure = queued.front();
      queued.pop_front();
    }
  }
  if (failure) {
    Response response = json_response(failure->status, failure->body);
    response.headers = failure->headers;
    respond(std::move(response));
    return;
  }

  // Parsed only by the endpoints that read it: a send takes its content as it comes.
  const auto parse_body = [&request] {
    return request.body.empty() ? json::object() : json::parse(request.body, nullptr, false);
  };
  switch (*endpoint) {
    case Endpoint::whoami:
      respond(json_response(200, {{"user_id", bot}, {"device_id", "FAKEDEVICE"}}));
      return;
    case Endpoint::sync:
      handle_sync(*parsed, std::move(respond));
      return;
    case Endpoint::messages:
      handle_messages(path[1], *parsed, std::move(respond));
      return;
    case Endpoint::joined_rooms: {
      json rooms = json::array();
      {
        std::lock_guard lock(mutex);
        for (const auto& [room_id, room] : members) {
          if (auto found = room.find(bot); found != room.end() && found->second == "join") {
            rooms.push_back(room_id);
          }
        }
      }
      respond(json_response(200, {{"joined_rooms", rooms}}));
      return;
    }
    case Endpoint::members: {
      const std::string& room_id = path[1];
      json chunk = json::array();
      {
        std::lock_guard lock(mutex);
        const auto room = members.find(room_id);
        if (room == members.end() || !room->second.contains(bot) ||
            room->second.at(bot) != "join") {
          chunk = nullptr;
        } else {
          for (const auto& [user, membership] : room->second) {
            chunk.push_back(member_event(room_id, user, membership, user));
          }
        }
      }
      if (chunk.is_null()) {
        respond(matrix_error(403, "M_FORBIDDEN", "You are not in this room."));
      } else {
        respond(json_response(200, {{"chunk", chunk}}));
      }
      return;
    }
    case Endpoint::join: {
      const std::string& room_id = path[1];
      {
        std::lock_guard lock(mutex);
        auto& room = members[room_id];
        room[bot] = "join";
        joined.insert(room_id);
        for (const auto& [user, membership] : room) {
          push("join", room_id, member_event(room_id, user, membership, user));
        }
      }
      wake();
      respond(json_response(200, {{"room_id", room_id}}));
      return;
    }
    case Endpoint::leave: {
      const std::string& room_id = path[1];
      {
        std::lock_guard lock(mutex);
        members[room_id][bot] = "leave";
        left.insert(room_id);
        push("leave", room_id, member_event(room_id, bot, "leave", bot));
      }
      wake();
      respond(json_response(200, json::object()));
      return;
    }
    case Endpoint::send:
      handle_send(path[1], path[4], request.body, std::move(respond));
      return;
    case Endpoint::create_room: {
      std::string room_id;
      {
        const json body = parse_body();
        std::lock_guard lock(mutex);
        room_id = "!created" + std::to_string(create_requests.size() + 1) + ":fake.example";
        create_requests.push_back(body);
        auto& room = members[room_id];
        room[bot] = "join";
        push("join", room_id, member_event(room_id, bot, "join", bot));
        if (body.is_object() && body.contains("invite") && body["invite"].is_array()) {
          for (const auto& user : body["invite"]) {
            if (!user.is_string()) continue;
            room[user.get<std::string>()] = "invite";
            push("join", room_id, member_event(room_id, user, "invite", bot));
          }
        }
      }
      wake();
      answer_maybe_later(Endpoint::create_room, json_response(200, {{"room_id", room_id}}),
                         std::move(respond));
      return;
    }
    case Endpoint::account_data: {
      {
        const json body = parse_body();
        std::lock_guard lock(mutex);
        account_data[path[3]] = body;
        push("account_data", "", {{"type", path[3]}, {"content", body}});
      }
      wake();
      respond(json_response(200, json::object()));
      return;
    }
  }
}

void FakeHomeserver::State::handle_sync(const boost::urls::url_view& url, Respond respond) {
  auto waiter = std::make_shared<Waiter>();
  std::string since;
  long long timeout_ms = 0;
  for (const auto& param : url.params()) {
    if (param.key == "since") since = param.value;
    if (param.key == "timeout") timeout_ms = std::atoll(param.value.c_str());
    if (param.key == "filter") waiter->filter = timeline_filter_of(param.value);
    if (param.key == "full_state") waiter->full_state = param.value == "true";
  }
  waiter->since = parse_since(since);
  waiter->respond = std::move(respond);
  {
    std::lock_guard lock(mutex);
    if (!has_news(*waiter) && timeout_ms > 0) {
      waiter->timer = std::make_shared<asio::steady_timer>(
          io, std::min(long_poll, std::chrono::milliseconds(timeout_ms)));
      waiters.push_back(waiter);
      waiter->timer->async_wait(
          [self = shared_from_this(), waiter](boost::system::error_code) { self->answer(waiter); });
      return;
    }
  }
  answer(waiter);
}

void FakeHomeserver::State::handle_messages(const std::string& room_id,
                                            const boost::urls::url_view& url, Respond respond) {
  std::string from;
  std::string to;
  std::string dir;
  std::size_t limit = 10;  // the spec's default
  std::set<std::string> types;
  for (const auto& param : url.params()) {
    if (param.key == "from") from = param.value;
    if (param.key == "to") to = param.value;
    if (param.key == "dir") dir = param.value;
    if (param.key == "limit") limit = std::strtoul(param.value.c_str(), nullptr, 10);
    if (param.key == "filter") {
      const json filter = json::parse(param.value, nullptr, false);
      if (filter.is_object() && filter.contains("types") && filter["types"].is_array()) {
        for (const auto& type : filter["types"]) {
          if (type.is_string()) types.insert(type.get<std::string>());
        }
      }
    }
  }
  if (dir != "b" || from.empty()) {
    respond(matrix_error(400, "M_INVALID_PARAM", "the fake pages backwards from a token only"));
    return;
  }
  std::string body;
  {
    std::lock_guard lock(mutex);
    messages_queries.push_back(std::string(url.encoded_query()));
    if (messages_cap > 0) limit = std::min<std::size_t>(limit, messages_cap);
    body = build_messages(room_id, parse_since(from), parse_since(to), limit, types);
  }
  respond(Response::json(200, std::move(body)));
}

void FakeHomeserver::State::answer_maybe_later(Endpoint endpoint, Response response,
                                               Respond respond) {
  std::shared_ptr<asio::steady_timer> timer;
  {
    std::lock_guard lock(mutex);
    auto& delays = held[endpoint];
    if (!delays.empty()) {
      timer = std::make_shared<asio::steady_timer>(io, delays.front());
      delays.pop_front();
      timers.push_back(timer);
    }
  }
  if (!timer) {
    respond(std::move(response));
    return;
  }
  timer->async_wait([timer, respond = std::move(respond), response = std::move(response)](
                        boost::system::error_code) mutable { respond(std::move(response)); });
}

void FakeHomeserver::State::handle_send(const std::string& room_id,
                                        const std::string& transaction_id, const std::string& body,
                                        Respond respond) {
  // The content is taken as it came, looked at only as far as its braces: it is parsed when
  // inspected (sent()), and by the client when its echo comes back in a /sync.
  const auto start = body.find_first_not_of(" \t\r\n");
  const auto end = body.find_last_not_of(" \t\r\n");
  if (start == std::string::npos || body[start] != '{' || body[end] != '}') {
    respond(matrix_error(400, "M_NOT_JSON", "Content not JSON."));
    return;
  }
  std::string event_id;
  {
    std::lock_guard lock(mutex);
    std::string key = access_token + "\n" + transaction_id;
    if (auto found = transactions.find(key); found != transactions.end()) {
      event_id = found->second;
    } else {
      event_id = push_sent_message(room_id, body, transaction_id);
      transactions.emplace(std::move(key), event_id);
      sent.push_back({room_id, event_id, transaction_id, body});
    }
  }
  wake();
  answer_maybe_later(Endpoint::send, Response::json(200, R"({"event_id":")" + event_id + "\"}"),
                     std::move(respond));
}

// Accepts connections on 127.0.0.1 and serves each: read a request, hand it to the State, write
// its answer (from the connection's strand, whichever thread answers), and read the next one.
class FakeHomeserver::Listener : public std::enable_shared_from_this<FakeHomeserver::Listener> {
 public:
  using Handle = std::function<void(Request, Respond)>;

  Listener(asio::io_context& io, Handle handle)
      : io_(io), acceptor_(asio::make_strand(io)), handle_(std::move(handle)) {}

  std::uint16_t listen() {
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    const std::uint16_t port = acceptor_.local_endpoint().port();
    accept();
    return port;
  }

  // Closes the acceptor and every connection; `done` runs once that is under way.
  void stop(std::function<void()> done) {
    asio::post(acceptor_.get_executor(), [self = shared_from_this(), done = std::move(done)] {
      boost::system::error_code ignored;
      self->acceptor_.close(ignored);
      std::lock_guard lock(self->mutex_);
      for (const auto& weak : self->connections_) {
        if (auto connection = weak.lock()) {
          asio::post(connection->socket.get_executor(), [connection] { connection->close(); });
        }
      }
      done();
    });
  }

 private:
  struct Connection : std::enable_shared_from_this<Connection> {
    Connection(asio::ip::tcp::socket connected, const Handle& handler)
        : socket(std::move(connected)), handle(handler) {
      buffer.reserve(kReadBuffer);
    }

    // Room for a whole request at once: Beast reads at most what the buffer has room for (512
    // bytes while it is empty), so a small buffer splits each request over several reads.
    static constexpr std::size_t kReadBuffer = 16 << 10;

    asio::ip::tcp::socket socket;
    const Handle& handle;  // the Listener's, which every connection's handler keeps alive
    std::shared_ptr<Listener> listener;
    beast::flat_buffer buffer;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser;
    bhttp::response<bhttp::string_body> out;
    bool keep_alive = false;

    void read() {
      parser.emplace();
      parser->body_limit(8 << 20);
      bhttp::async_read(socket, buffer, *parser,
                        [self = shared_from_this()](boost::system::error_code error, std::size_t) {
                          self->on_request(error);
                        });
    }

    void on_request(boost::system::error_code error) {
      if (error) {
        close();
        return;
      }
      auto& message = parser->get();
      Request request;
      request.method = std::string(message.method_string());
      request.target = std::string(message.target());
      for (const auto& field : message) {
        request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      request.body = std::move(message.body());
      keep_alive = message.keep_alive();
      auto answered = std::make_shared<std::atomic<bool>>(false);
      handle(std::move(request), [self = shared_from_this(), answered](Response response) {
        if (answered->exchange(true)) return;
        asio::dispatch(socket_executor(self), [self, response = std::move(response)]() mutable {
          self->write(std::move(response));
        });
      });
    }

    static asio::any_io_executor socket_executor(const std::shared_ptr<Connection>& connection) {
      return connection->socket.get_executor();
    }

    void write(Response response) {
      out = {};
      out.result(static_cast<bhttp::status>(response.status));
      out.version(11);
      out.set(bhttp::field::content_type, response.content_type);
      for (const auto& [name, value] : response.headers) out.set(name, value);
      out.body() = std::move(response.body);
      out.keep_alive(keep_alive);
      out.prepare_payload();
      bhttp::async_write(socket, out,
                         [self = shared_from_this()](boost::system::error_code error, std::size_t) {
                           if (error || !self->keep_alive) {
                             self->close();
                             return;
                           }
                           self->read();
                         });
    }

    void close() {
      boost::system::error_code ignored;
      socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
    }
  };

  void accept() {
    acceptor_.async_accept(
        asio::make_strand(io_),
        [self = shared_from_this()](boost::system::error_code error, asio::ip::tcp::socket socket) {
          if (error) return;  // closed
          boost::system::error_code ignored;
          socket.set_option(asio::ip::tcp::no_delay(true), ignored);
          auto connection = std::make_shared<Connection>(std::move(socket), self->handle_);
          connection->listener = self;
          {
            std::lock_guard lock(self->mutex_);
            std::erase_if(self->connections_, [](const auto& weak) { return weak.expired(); });
            self->connections_.push_back(connection);
          }
          asio::dispatch(connection->socket.get_executor(), [connection] { connection->read(); });
          self->accept();
        });
  }

  asio::io_context& io_;
  asio::ip::tcp::acceptor acceptor_;
  Handle handle_;
  std::mutex mutex_;  // guards connections_
  std::list<std::weak_ptr<Connection>> connections_;
};

FakeHomeserver::FakeHomeserver(boost::asio::io_context& io, std::string bot_user_id,
                               std::string access_token)
    : state_(std::make_shared<State>(io, std::move(bot_user_id), std::move(access_token))) {
  // The state holds answers still to give, which hold their connections: a weak reference back
  // keeps that from being a cycle.
  listener_ = std::make_shared<Listener>(
      io, [weak = std::weak_ptr<State>(state_)](Request request, Respond respond) {
        if (auto state = weak.lock()) state->handle(std::move(request), std::move(respond));
      });
  try {
    port_ = listener_->listen();
  } catch (const boost::system::system_error& error) {
    throw std::runtime_error(std::string("fake homeserver: ") + error.what());
  }
}

FakeHomeserver::~FakeHomeserver() {
  std::promise<void> stopped;
  auto future = stopped.get_future();
  listener_->stop([&stopped] { stopped.set_value(); });
  future.wait_for(std::chrono::seconds(5));
  std::lock_guard lock(state_->mutex);
  for (auto& waiter : state_->waiters) {
    if (waiter->timer) waiter->timer->cancel();
  }
  for (auto& timer : state_->timers) timer->cancel();
}

std::string FakeHomeserver::position() const {
  std::lock_guard lock(state_->mutex);
  return "s" + std::to_string(state_->seq);
}

std::string FakeHomeserver::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeHomeserver::invite(const std::string& room_id, const std::string& inviter, bool is_direct,
                            bool encrypted, const std::map<std::string, std::string>& members) {
  {
    std::lock_guard lock(state_->mutex);
    json invite_state = json::array();
    invite_state.push_back({{"type", "m.room.create"},
                            {"sender", inviter},
                            {"state_key", ""},
                            {"content", {{"room_version", "11"}}}});
    if (encrypted) {
      invite_state.push_back({{"type", "m.room.encryption"},
                              {"sender", inviter},
                              {"state_key", ""},
                              {"content", {{"algorithm", "m.megolm.v1.aes-sha2"}}}});
    }
    auto& room = state_->members[room_id];
    for (const auto& [user, name] : members) {
      state_->names[user] = name;
      room[user] = "join";
      invite_state.push_back(state_->member_event(room_id, user, "join", user));
    }
    room[state_->bot] = "invite";
    json bot_invite = state_->member_event(room_id, state_->bot, "invite", inviter);
    bot_invite["content"]["is_direct"] = is_direct;
    invite_state.push_back(bot_invite);
    state_->push("invite", room_id, invite_state);
  }
  state_->wake();
}

void FakeHomeserver::add_joined_room(const std::string& room_id,
                                     const std::map<std::string, std::string>& members) {
  {
    std::lock_guard lock(state_->mutex);
    auto& room = state_->members[room_id];
    room[state_->bot] = "join";
    for (const auto& [user, name] : members) {
      state_->names[user] = name;
      room[user] = "join";
    }
    for (const auto& [user, membership] : room) {
      state_->push("join", room_id, state_->member_event(room_id, user, membership, user));
    }
  }
  state_->wake();
}

std::string FakeHomeserver::post_event(const std::string& room_id, const std::string& sender,
                                       const std::string& type, const json& content,
                                       const std::string& state_key) {
  std::string event_id;
  {
    std::lock_guard lock(state_->mutex);
    json event = {{"type", type}, {"sender", sender}, {"content", content}};
    if (state_key != "-") event["state_key"] = state_key;
    event_id = state_->push_timeline(room_id, std::move(event));
  }
  state_->wake();
  return event_id;
}

std::string FakeHomeserver::post_text(const std::string& room_id, const std::string& sender,
                                      const std::string& body) {
  return post_event(room_id, sender, "m.room.message", {{"msgtype", "m.text"}, {"body", body}});
}

std::vector<std::string> FakeHomeserver::post_texts(const std::string& room_id,
                                                    const std::string& sender,
                                                    const std::vector<std::string>& bodies) {
  std::vector<std::string> event_ids;
  {
    std::lock_guard lock(state_->mutex);
    for (const auto& body : bodies) {
      event_ids.push_back(
          state_->push_timeline(room_id, {{"type", "m.room.message"},
                                          {"sender", sender},
                                          {"content", {{"msgtype", "m.text"}, {"body", body}}}}));
    }
  }
  state_->wake();
  return event_ids;
}

void FakeHomeserver::member_leaves(const std::string& room_id, const std::string& user) {
  {
    std::lock_guard lock(state_->mutex);
    state_->members[room_id][user] = "leave";
    state_->push("join", room_id, state_->member_event(room_id, user, "leave", user));
  }
  state_->wake();
}

void FakeHomeserver::fail_next(Endpoint endpoint, Failure failure, int times) {
  std::lock_guard lock(state_->mutex);
  for (int i = 0; i < times; ++i) state_->failures[endpoint].push_back(failure);
}

void FakeHomeserver::revoke_token() {
  std::lock_guard lock(state_->mutex);
  state_->revoked = true;
}

void FakeHomeserver::hold_answers(Endpoint endpoint, std::chrono::milliseconds delay, int times) {
  std::lock_guard lock(state_->mutex);
  for (int i = 0; i < times; ++i) state_->held[endpoint].push_back(delay);
}

void FakeHomeserver::set_timeline_limit(int events) {
  std::lock_guard lock(state_->mutex);
  state_->timeline_cap = events;
}

void FakeHomeserver::set_messages_limit(int events) {
  std::lock_guard lock(state_->mutex);
  state_->messages_cap = events;
}

void FakeHomeserver::set_prev_batch_overlap(int events) {
  std::lock_guard lock(state_->mutex);
  state_->prev_batch_overlap = events;
}

void FakeHomeserver::set_honour_not_senders(bool honour) {
  std::lock_guard lock(state_->mutex);
  state_->honour_not_senders = honour;
}

std::vector<std::string> FakeHomeserver::messages_queries() const {
  std::lock_guard lock(state_->mutex);
  return state_->messages_queries;
}

void FakeHomeserver::set_long_poll(std::chrono::milliseconds long_poll) {
  std::lock_guard lock(state_->mutex);
  state_->long_poll = long_poll;
}

std::vector<FakeHomeserver::SentEvent> FakeHomeserver::sent() const {
  std::lock_guard lock(state_->mutex);
  std::vector<SentEvent> events;
  events.reserve(state_->sent.size());
  for (const auto& sent : state_->sent) {
    events.push_back({sent.room_id, sent.event_id, sent.transaction_id, json::parse(sent.content)});
  }
  return events;
}

std::size_t FakeHomeserver::sent_count() const {
  std::lock_guard lock(state_->mutex);
  return state_->sent.size();
}

int FakeHomeserver::calls(Endpoint endpoint) const {
  std::lock_guard lock(state_->mutex);
  const auto found = state_->calls.find(endpoint);
  return found == state_->calls.end() ? 0 : found->second;
}

std::vector<std::chrono::steady_clock::time_point> FakeHomeserver::sync_times() const {
  std::lock_guard lock(state_->mutex);
  return state_->sync_times;
}

std::set<std::string> FakeHomeserver::joined() const {
  std::lock_guard lock(state_->mutex);
  return state_->joined;
}

std::set<std::string> FakeHomeserver::left() const {
  std::lock_guard lock(state_->mutex);
  return state_->left;
}

std::vector<json> FakeHomeserver::create_room_requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->create_requests;
}

json FakeHomeserver::account_data(const std::string& type) const {
  std::lock_guard lock(state_->mutex);
  const auto found = state_->account_data.find(type);
  return found == state_->account_data.end() ? json() : found->second;
}

}  // namespace prik::tests
