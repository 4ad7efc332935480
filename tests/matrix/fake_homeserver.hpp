// FakeHomeserver: a loopback Matrix homeserver for the adapter tests, speaking the real
// Client-Server API over HTTP on 127.0.0.1 (port 0) through adapters/http's Server.
//
// It serves whoami, sync (long-polling up to `long_poll`), messages (dir=b), joined_rooms,
// members, join, leave, send (deduplicated by access token and txnId as the spec requires: a
// repeated txnId gets the first event id back and adds no event; a body that is not braced like
// a JSON object gets 400 M_NOT_JSON), createRoom and account data.
// Tests script it (invites, messages, members), inject failures (any status and body for the
// next calls to an endpoint, a revoked token, answers held back past the client's timeout) and
// inspect what the bot did. Rooms are event logs; /sync returns the entries after `since`
// ("s<N>") -- with full_state=true also every joined room's current members as state -- and
// at most the filter's room.timeline.limit (or the server's own cap) per room: the
// latest ones, marked limited, with a prev_batch that GET /messages pages back from.
//
// It serves HTTP/1.1 (kept-alive connections, one request at a time on each) with a loop of its
// own rather than adapters/http's Server: no per-request timers or coroutines, so that in
// benchmarks most of its cost is the protocol's.
//
// Test support only. Every method is safe from any thread. The io_context must be running (a
// tests::IoThread) for the server's lifetime; the destructor stops the server.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "adapters/http/server.hpp"

namespace prik::tests {

class FakeHomeserver {
 public:
  enum class Endpoint {
    whoami,
    sync,
    messages,
    joined_rooms,
    members,
    join,
    leave,
    send,
    create_room,
    account_data
  };

  FakeHomeserver(boost::asio::io_context& io, std::string bot_user_id, std::string access_token);
  ~FakeHomeserver();
  FakeHomeserver(const FakeHomeserver&) = delete;
  FakeHomeserver& operator=(const FakeHomeserver&) = delete;

  std::string url() const;  // "http://127.0.0.1:<port>"
  // The next_batch a /sync would answer now: everything scripted so far lies before it.
  std::string position() const;

  // --- scripting
  // `inviter` invites the bot; `members` are already in the room (display names by user id).
  void invite(const std::string& room_id, const std::string& inviter, bool is_direct,
              bool encrypted, const std::map<std::string, std::string>& members);
  // A room the bot is already in, with these members besides the bot.
  void add_joined_room(const std::string& room_id,
                       const std::map<std::string, std::string>& members);
  // Appends a timeline event (type, sender, content) to a room; returns its event id.
  std::string post_event(const std::string& room_id, const std::string& sender,
                         const std::string& type, const nlohmann::json& content,
                         const std::string& state_key = "-");
  std::string post_text(const std::string& room_id, const std::string& sender,
                        const std::string& body);
  // Several texts at once, so that one /sync sees all of them; returns their event ids.
  std::vector<std::string> post_texts(const std::string& room_id, const std::string& sender,
                                      const std::vector<std::string>& bodies);
  // `user` leaves the room (an m.room.member leave in its timeline).
  void member_leaves(const std::string& room_id, const std::string& user);

  // --- failures
  struct Failure {
    int status = 500;
    nlohmann::json body = nlohmann::json::object();
    adapters::http::Headers headers;
  };
  // The next `times` calls to `endpoint` are answered with `failure`.
  void fail_next(Endpoint endpoint, Failure failure, int times = 1);
  // From now on every call is answered 401 M_UNKNOWN_TOKEN.
  void revoke_token();
  // The next `times` calls to `endpoint` (send or create_room) are carried out, but answered only
  // after `delay`: past the client's timeout, the answer is lost.
  void hold_answers(Endpoint endpoint, std::chrono::milliseconds delay, int times = 1);
  // How long a /sync without news is held open at most.
  void set_long_poll(std::chrono::milliseconds long_poll);
  // The server's own cap on timeline events per room in a /sync (0: only the filter's limit).
  void set_timeline_limit(int events);
  // The server's own cap on events per GET /messages page (0: only the request's limit).
  void set_messages_limit(int events);
  // A limited timeline's prev_batch points this many events into the timeline instead of just
  // before it, so that paging back returns those events a second time.
  void set_prev_batch_overlap(int events);
  // Whether a /sync leaves out the timeline events of the filter's room.timeline.not_senders, as
  // the spec's RoomEventFilter says (the default); false plays a server that ignores it.
  void set_honour_not_senders(bool honour);

  // --- inspection
  struct SentEvent {
    std::string room_id;
    std::string event_id;
    std::string transaction_id;
    nlohmann::json content;
  };
  std::vector<SentEvent> sent() const;
  std::size_t sent_count() const;  // sent().size(), without building the list
  int calls(Endpoint endpoint) const;
  std::vector<std::chrono::steady_clock::time_point> sync_times() const;
  std::set<std::string> joined() const;               // rooms the bot joined through /join
  std::set<std::string> left() const;                 // rooms the bot left through /leave
  std::vector<std::string> messages_queries() const;  // the query strings of GET /messages
  std::vector<nlohmann::json> create_room_requests() const;
  nlohmann::json account_data(const std::string& type) const;

 private:
  struct State;
  class Listener;
  std::shared_ptr<State> state_;
  std::shared_ptr<Listener> listener_;
  std::uint16_t port_ = 0;
};

}  // namespace prik::tests
