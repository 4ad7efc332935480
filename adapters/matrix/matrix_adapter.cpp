#include "adapters/matrix/matrix_adapter.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>

#include "adapters/matrix/api.hpp"
#include "adapters/matrix/events.hpp"
#include "adapters/matrix/rooms.hpp"

namespace prik::adapters::matrix {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

// Joins, leaves and m.direct updates are retried this often on transient failures.
constexpr int kHousekeepingAttempts = 5;
constexpr std::chrono::milliseconds kHousekeepingFirstDelay{2'000};
// A limited timeline's gap is paged back this many events at a time, for at most this many
// pages (a bound against a server that never says it is done).
constexpr int kGapPageSize = 100;
constexpr int kMaxGapPages = 1'000;
// Sends under way at once; more wait in line. Keeps the connections to the homeserver few and
// kept alive (a burst of replies to many rooms would otherwise open a connection per reply).
constexpr std::size_t kMaxSendsInFlight = 16;

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string without_platform(std::string value) {
  if (value.starts_with("matrix:")) value.erase(0, 7);
  return value;
}

MatrixStatus::State state_of(SyncAction::Kind kind) {
  switch (kind) {
    case SyncAction::Kind::check_token:
      return MatrixStatus::State::checking_token;
    case SyncAction::Kind::sync:
      return MatrixStatus::State::syncing;
    case SyncAction::Kind::stop:
      break;
  }
  return MatrixStatus::State::stopped;
}

}  // namespace

struct MatrixAdapter::Core : std::enable_shared_from_this<MatrixAdapter::Core> {
  using Then = std::function<void(const Outcome&, const http::ClientResponse&)>;
  using RoomCallback = std::function<void(std::optional<std::string> room_id, const Outcome&)>;

  Core(asio::io_context& io_context, MatrixOptions matrix_options, SyncTokenStore& token_store,
       std::unique_ptr<http::Client> http_client)
      : strand(asio::make_strand(io_context)),
        options(std::move(matrix_options)),
        authorization("Bearer " + options.access_token),
        tokens(token_store),
        client(std::move(http_client)),
        endpoints(options.homeserver_url),
        filter(dump(sync_filter(options.user_id))),
        gap_filter(dump(timeline_event_filter())),
        rooms(options.user_id, options.allowed_servers),
        machine(options.backoff, options.seed != 0 ? options.seed : std::random_device{}()),
        timer(strand) {}

  asio::strand<asio::io_context::executor_type> strand;
  MatrixOptions options;
  std::string authorization;  // the Authorization header of every call
  SyncTokenStore& tokens;
  std::unique_ptr<http::Client> client;
  Endpoints endpoints;
  std::string filter;
  std::string gap_filter;
  RoomTracker rooms;
  SyncMachine machine;
  asio::steady_timer timer;

  IncomingSink* sink = nullptr;
  std::string since;
  bool full_state_next = false;
  bool synced = false;  // a /sync batch of this run has been processed
  bool started = false;
  bool stop_requested = false;
  bool stop_reported = false;
  bool token_rejected = false;
  bool direct_put_running = false;
  bool direct_put_again = false;
  std::map<std::string, std::vector<RoomCallback>> direct_room_waiters;  // by user id
  std::size_t sends_in_flight = 0;
  std::deque<std::function<void()>> queued_sends;

  mutable std::mutex status_mutex;
  MatrixStatus status;  // guarded by status_mutex

  template <class Function>
  void on_strand(Function function) {
    asio::post(strand, std::move(function));
  }

  void update_status(const std::function<void(MatrixStatus&)>& change) {
    std::lock_guard lock(status_mutex);
    change(status);
  }

  // `body` is JSON text; empty for none.
  http::ClientRequest make_request(std::string method, std::string url, std::string body,
                                   std::chrono::milliseconds timeout) const {
    http::ClientRequest request;
    request.method = std::move(method);
    request.url = std::move(url);
    request.headers.emplace_back("Authorization", authorization);
    if (!body.empty()) {
      request.content_type = "application/json";
      request.body = std::move(body);
    }
    request.timeout = timeout;
    return request;
  }

  void call(http::ClientRequest request, std::string where, Then then) {
    client->request(std::move(request),
                    [self = shared_from_this(), where = std::move(where),
                     then = std::move(then)](http::Result<http::ClientResponse> result) mutable {
                      self->on_strand([result = std::move(result), where = std::move(where),
                                       then = std::move(then)]() mutable {
                        static const http::ClientResponse no_response;
                        const Outcome outcome = classify(result, std::move(where));
                        then(outcome, result ? *result : no_response);
                      });
                    });
  }

  // Repeats a call on transient failures and rate limits, kHousekeepingAttempts times at most.
  void call_with_retries(std::function<http::ClientRequest()> make, std::string where, int attempt,
                         Then then) {
    call(make(), where,
         [self = shared_from_this(), make, where, attempt, then](
             const Outcome& outcome, const http::ClientResponse& response) {
           const bool retryable = outcome.kind == Outcome::Kind::transient ||
                                  outcome.kind == Outcome::Kind::rate_limited;
           if (!retryable || attempt + 1 >= kHousekeepingAttempts || self->token_rejected) {
             then(outcome, response);
             return;
           }
           const auto delay = outcome.retry_after.count() > 0
                                  ? outcome.retry_after
                                  : kHousekeepingFirstDelay * (1 << attempt);
           spdlog::warn("matrix: {}; trying again in {} ms", outcome.to_string(), delay.count());
           auto timer = std::make_shared<asio::steady_timer>(self->strand, delay);
           timer->async_wait([self, timer, make, where, attempt, then](boost::system::error_code) {
             self->call_with_retries(make, where, attempt + 1, then);
           });
         });
  }

  void note_token_rejected(const Outcome& outcome) {
    if (outcome.kind != Outcome::Kind::unknown_token) return;
    token_rejected = true;
    act(machine.resume(outcome, Clock::now()));
  }

  void start(IncomingSink& incoming_sink) {
    if (started) return;
    started = true;
    sink = &incoming_sink;
    since = tokens.load();
    full_state_next = !since.empty();
    update_status([this](MatrixStatus& s) { s.since = since; });
    spdlog::info("matrix: starting as {} on {} ({})", options.user_id, options.homeserver_url,
                 since.empty() ? "first sync" : "resuming");
    act(machine.start(Clock::now()));
  }

  void stop() {
    stop_requested = true;
    act(machine.stop("stopped by the bot"));
  }

  void act(const SyncAction& action) {
    if (action.kind == SyncAction::Kind::stop) {
      if (stop_reported) return;
      stop_reported = true;
      timer.cancel();
      if (stop_requested) {
        spdlog::info("matrix: stopped");
      } else {
        spdlog::error("matrix: stopped: {}", action.reason);
        if (options.on_stopped) options.on_stopped(action.reason);
      }
    }
    // Published after on_stopped, so that a status showing `stopped` means it has run.
    update_status([&](MatrixStatus& s) {
      s.state = state_of(action.kind);
      s.failures_in_a_row = machine.failures();
      if (action.kind == SyncAction::Kind::stop) s.stop_reason = action.reason;
    });
    if (action.kind == SyncAction::Kind::stop) return;
    const auto kind = action.kind;
    if (action.at <= Clock::now()) {
      perform(kind);
      return;
    }
    timer.expires_at(action.at);
    timer.async_wait([self = shared_from_this(), kind](boost::system::error_code error) {
      if (error || self->machine.stopped()) return;
      self->perform(kind);
    });
  }

  void resume(const Outcome& outcome) {
    const SyncAction action = machine.resume(outcome, Clock::now());
    if (!outcome.ok() && action.kind != SyncAction::Kind::stop) {
      const auto wait =
          std::chrono::duration_cast<std::chrono::milliseconds>(action.at - Clock::now());
      spdlog::warn("matrix: {}; trying again in {} ms", outcome.to_string(),
                   std::max<std::int64_t>(wait.count(), 0));
    }
    act(action);
  }

  void perform(SyncAction::Kind kind) {
    if (kind == SyncAction::Kind::check_token) {
      check_token();
    } else if (kind == SyncAction::Kind::sync) {
      sync();
    }
  }

  void check_token() {
    call(make_request("GET", endpoints.whoami(), {}, options.request_timeout),
         "GET /account/whoami",
         [self = shared_from_this()](const Outcome& answer, const http::ClientResponse& response) {
           if (self->machine.stopped()) return;
           Outcome outcome = answer;
           if (outcome.ok()) {
             auto user = parse_whoami(response.body);
             if (!user) {
               outcome =
                   Outcome::failure(Outcome::Kind::rejected, answer.where,
                                    "the answer is not a Matrix whoami: " + user.error().message);
             } else if (*user != self->options.user_id) {
               outcome = Outcome::failure(Outcome::Kind::rejected, answer.where,
                                          "the access token belongs to " + *user +
                                              ", not to the configured " + self->options.user_id);
             } else {
               spdlog::info("matrix: signed in as {}", *user);
             }
           }
           self->resume(outcome);
         });
  }

  void sync() {
    const auto url = endpoints.sync(since, filter, options.sync_timeout, full_state_next);
    call(make_request("GET", url, {}, options.sync_timeout + options.request_timeout), "GET /sync",
         [self = shared_from_this()](const Outcome& outcome, const http::ClientResponse& response) {
           if (self->machine.stopped()) return;
           if (!outcome.ok()) {
             self->resume(outcome);
             return;
           }
           auto batch = parse_sync(response.body);
           if (!batch) {
             self->resume(Outcome::failure(Outcome::Kind::transient, outcome.where,
                                           "unreadable answer: " + batch.error().message));
             return;
           }
           self->fill_gaps(std::make_shared<SyncResponse>(std::move(*batch)), 0);
         });
  }

  // A limited timeline has a gap between the previous sync and its first event. Each gap is
  // paged back with GET /messages from the timeline's prev_batch to the previous sync's token
  // (the spec's `to`), one room after the other, before the batch is processed; a failure fetches
  // the whole batch again. The very first sync answers no old messages and fills no gap.
  struct Gap {
    std::size_t room = 0;  // index into the batch's joined rooms
    std::string from;
    std::vector<RoomEvent> events;  // newest first
    int pages = 0;
  };

  void fill_gaps(std::shared_ptr<SyncResponse> batch, std::size_t room) {
    if (machine.stopped()) return;
    if (since.empty()) room = batch->joined.size();
    while (room < batch->joined.size() &&
           !(batch->joined[room].limited && !batch->joined[room].prev_batch.empty())) {
      ++room;
    }
    if (room == batch->joined.size()) {
      process(*batch);
      return;
    }
    auto gap = std::make_shared<Gap>();
    gap->room = room;
    gap->from = batch->joined[room].prev_batch;
    fetch_gap_page(std::move(batch), std::move(gap));
  }

  void fetch_gap_page(std::shared_ptr<SyncResponse> batch, std::shared_ptr<Gap> gap) {
    const std::string& room_id = batch->joined[gap->room].room_id;
    const auto url =
        endpoints.messages_backwards(room_id, gap->from, since, kGapPageSize, gap_filter);
    call(make_request("GET", url, {}, options.request_timeout),
         "GET /rooms/" + room_id + "/messages",
         [self = shared_from_this(), batch, gap](const Outcome& outcome,
                                                 const http::ClientResponse& response) {
           if (self->machine.stopped()) return;
           JoinedRoom& joined = batch->joined[gap->room];
           if (outcome.kind == Outcome::Kind::rejected) {
             // The history is not visible to the bot (or the room is gone): nothing to fill.
             spdlog::warn("matrix: {}; the gap before the timeline of {} stays unread",
                          outcome.to_string(), joined.room_id);
             fill_gap(joined, std::move(gap->events));
             self->fill_gaps(batch, gap->room + 1);
             return;
           }
           if (!outcome.ok()) {
             self->resume(outcome);
             return;
           }
           auto page = parse_messages(response.body);
           if (!page) {
             self->resume(Outcome::failure(Outcome::Kind::transient, outcome.where,
                                           "unreadable answer: " + page.error().message));
             return;
           }
           ++gap->pages;
           const bool moved = !page->chunk.empty() || page->end != gap->from;
           for (auto& event : page->chunk) gap->events.push_back(std::move(event));
           const bool more = !page->end.empty() && page->end != self->since && moved;
           if (more && gap->pages < kMaxGapPages) {
             gap->from = std::move(page->end);
             self->fetch_gap_page(batch, gap);
             return;
           }
           if (more) {
             spdlog::warn(
                 "matrix: the gap before the timeline of {} is longer than {} events; "
                 "older messages in it stay unread",
                 joined.room_id, kGapPageSize * kMaxGapPages);
           }
           spdlog::info("matrix: {} earlier events fetched for the limited timeline of {}",
                        gap->events.size(), joined.room_id);
           fill_gap(joined, std::move(gap->events));
           self->fill_gaps(batch, gap->room + 1);
         });
  }

  void process(const SyncResponse& batch) {
    const bool answer = !since.empty();
    SyncPlan plan = rooms.apply(batch, answer);
    if (!answer) {
      spdlog::info("matrix: first sync: {} rooms, {} invites; earlier messages are not answered",
                   batch.joined.size(), batch.invited.size());
    }
    for (const auto& room_id : plan.joins) join_or_leave(room_id, /*join=*/true);
    for (const auto& room_id : plan.leaves) join_or_leave(room_id, /*join=*/false);
    if (plan.direct_changed) put_direct();
    if (plan.deliveries.empty()) {
      finish_batch(batch.next_batch, /*recorded=*/true);
      return;
    }
    // The rooms whose encrypted-message notice is in this batch: if the batch is not recorded,
    // the notice is owed again when it is fetched again.
    std::vector<std::string> notice_rooms;
    for (const auto& incoming : plan.deliveries) {
      if (incoming.choice_id == kEncryptedChoice) notice_rooms.push_back(incoming.conversation);
    }
    sink->deliver_all(std::move(plan.deliveries),
                      [self = shared_from_this(), notice_rooms = std::move(notice_rooms),
                       next = batch.next_batch](bool recorded) mutable {
                        self->on_strand([self, notice_rooms = std::move(notice_rooms),
                                         next = std::move(next), recorded] {
                          if (!recorded) {
                            for (const auto& room_id : notice_rooms) {
                              self->rooms.forget_encrypted_notice(room_id);
                            }
                          }
                          self->finish_batch(next, recorded);
                        });
                      });
  }

  void finish_batch(const std::string& next_batch, bool recorded) {
    if (machine.stopped()) return;
    if (!recorded) {
      resume(Outcome::failure(Outcome::Kind::transient, "record /sync batch",
                              "the bot could not record every event; fetching the batch again"));
      return;
    }
    tokens.save(next_batch, [self = shared_from_this(), next_batch](bool saved) {
      self->on_strand([self, next_batch, saved] {
        if (self->machine.stopped()) return;
        if (!saved) {
          self->resume(Outcome::failure(Outcome::Kind::transient, "save sync token",
                                        "the bot could not store the sync token"));
          return;
        }
        self->since = next_batch;
        self->full_state_next = false;
        self->synced = true;
        self->update_status([&](MatrixStatus& s) {
          s.since = next_batch;
          ++s.batches;
        });
        self->resume(Outcome{});
      });
    });
  }

  void join_or_leave(const std::string& room_id, bool join) {
    const std::string where = std::string(join ? "POST /join " : "POST /leave ") + room_id;
    auto make = [self = shared_from_this(), room_id, join] {
      return self->make_request(
          "POST", join ? self->endpoints.join(room_id) : self->endpoints.leave(room_id), "{}",
          self->options.request_timeout);
    };
    call_with_retries(make, where, 0,
                      [self = shared_from_this(), room_id, join](const Outcome& outcome,
                                                                 const http::ClientResponse&) {
                        if (outcome.ok()) {
                          spdlog::info("matrix: {} {}", join ? "joined" : "left", room_id);
                        } else {
                          spdlog::warn("matrix: {}", outcome.to_string());
                          self->note_token_rejected(outcome);
                        }
                      });
  }

  // Writes the bot's m.direct account data; one write at a time, the last state wins.
  void put_direct() {
    if (direct_put_running) {
      direct_put_again = true;
      return;
    }
    direct_put_running = true;
    auto make = [self = shared_from_this()] {
      return self->make_request(
          "PUT", self->endpoints.account_data(self->options.user_id, "m.direct"),
          dump(direct_content(self->rooms.direct_rooms())), self->options.request_timeout);
    };
    call_with_retries(
        make, "PUT /account_data/m.direct", 0,
        [self = shared_from_this()](const Outcome& outcome, const http::ClientResponse&) {
          self->direct_put_running = false;
          if (!outcome.ok()) {
            spdlog::warn("matrix: {}", outcome.to_string());
            self->note_token_rejected(outcome);
          }
          if (self->direct_put_again) {
            self->direct_put_again = false;
            self->put_direct();
          }
        });
  }

  // The DM room with `user_id`: a known one, one the tracker has not seen yet, or a new one made
  // with POST /createRoom. Looking before creating matters when an earlier createRoom's answer
  // was lost: the room exists, and a second one would split the conversation. Until the first
  // /sync of this run is processed the tracker knows no room, so the send is retried later.
  void with_direct_room(const std::string& user_id, RoomCallback callback) {
    if (auto room_id = rooms.direct_room_for(user_id)) {
      callback(std::move(room_id), Outcome{});
      return;
    }
    if (!synced) {
      callback(std::nullopt,
               Outcome::failure(Outcome::Kind::transient, "find the DM with " + user_id,
                                "the first /sync is not processed yet"));
      return;
    }
    auto& waiting = direct_room_waiters[user_id];
    waiting.push_back(std::move(callback));
    if (waiting.size() > 1) return;
    call(make_request("GET", endpoints.joined_rooms(), {}, options.request_timeout),
         "GET /joined_rooms",
         [self = shared_from_this(), user_id](const Outcome& answer,
                                              const http::ClientResponse& response) {
           if (!answer.ok()) {
             self->direct_room_found(user_id, std::nullopt, answer);
             return;
           }
           auto joined = parse_joined_rooms(response.body);
           if (!joined) {
             self->direct_room_found(
                 user_id, std::nullopt,
                 Outcome::failure(Outcome::Kind::transient, answer.where,
                                  "unreadable answer: " + joined.error().message));
             return;
           }
           auto unseen = std::make_shared<std::vector<std::string>>();
           for (auto& room_id : *joined) {
             if (!self->rooms.knows(room_id)) unseen->push_back(std::move(room_id));
           }
           self->look_for_direct_room(user_id, std::move(unseen), 0);
         });
  }

  // Checks the members of the rooms the tracker does not know, one after the other.
  void look_for_direct_room(const std::string& user_id,
                            std::shared_ptr<std::vector<std::string>> candidates,
                            std::size_t next) {
    if (next == candidates->size()) {
      create_direct_room(user_id);
      return;
    }
    const std::string room_id = (*candidates)[next];
    call(make_request("GET", endpoints.members(room_id), {}, options.request_timeout),
         "GET /rooms/" + room_id + "/members",
         [self = shared_from_this(), user_id, candidates, next, room_id](
             const Outcome& answer, const http::ClientResponse& response) {
           if (answer.kind == Outcome::Kind::rejected) {  // left or forgotten meanwhile
             self->look_for_direct_room(user_id, candidates, next + 1);
             return;
           }
           if (!answer.ok()) {
             self->direct_room_found(user_id, std::nullopt, answer);
             return;
           }
           const auto members = parse_members(response.body);
           if (members && is_direct_between(*members, self->options.user_id, user_id)) {
             spdlog::info("matrix: found the DM room {} with {}", room_id, user_id);
             self->rooms.add_direct_room(user_id, room_id);
             self->put_direct();
             self->direct_room_found(user_id, room_id, Outcome{});
             return;
           }
           self->look_for_direct_room(user_id, candidates, next + 1);
         });
  }

  void create_direct_room(const std::string& user_id) {
    call(make_request("POST", endpoints.create_room(), dump(direct_room_request(user_id)),
                      options.request_timeout),
         "POST /createRoom",
         [self = shared_from_this(), user_id](const Outcome& answer,
                                              const http::ClientResponse& response) {
           Outcome outcome = answer;
           std::optional<std::string> room_id;
           if (outcome.ok()) {
             const json document = json::parse(response.body, nullptr, false);
             if (document.is_object() && document.contains("room_id") &&
                 document["room_id"].is_string()) {
               room_id = document["room_id"].get<std::string>();
               self->rooms.add_direct_room(user_id, *room_id);
               spdlog::info("matrix: created the DM room {} with {}", *room_id, user_id);
               self->put_direct();
             } else {
               outcome = Outcome::failure(Outcome::Kind::transient, answer.where,
                                          "the answer has no room_id");
             }
           }
           self->direct_room_found(user_id, std::move(room_id), outcome);
         });
  }

  void direct_room_found(const std::string& user_id, std::optional<std::string> room_id,
                         const Outcome& outcome) {
    note_token_rejected(outcome);
    auto waiting = std::move(direct_room_waiters[user_id]);
    direct_room_waiters.erase(user_id);
    for (auto& callback : waiting) callback(room_id, outcome);
  }

  // Runs `send` now when fewer than kMaxSendsInFlight are under way, else when one ends (it then
  // calls next_in_line()).
  void in_line(std::function<void()> send) {
    if (sends_in_flight < kMaxSendsInFlight) {
      ++sends_in_flight;
      send();
      return;
    }
    queued_sends.push_back(std::move(send));
  }

  void next_in_line() {
    if (queued_sends.empty()) {
      --sends_in_flight;
      return;
    }
    auto send = std::move(queued_sends.front());
    queued_sends.pop_front();
    send();
  }

  void send(const OutboxMessage& message, std::function<void(SendResult)> done) {
    if (token_rejected) {
      done({SendResult::Kind::permanent_failure, {}, "matrix: the access token was rejected"});
      return;
    }
    if (message.id.empty()) {
      done({SendResult::Kind::permanent_failure, {}, "matrix: an outbox message without an id"});
      return;
    }
    std::string room_id = without_platform(message.message.conversation);
    const std::string user_id = without_platform(message.message.to);
    if (room_id.empty() && server_of(user_id).empty()) {
      done({SendResult::Kind::permanent_failure,
            {},
            "matrix: \"" + message.message.to + "\" is not a Matrix user"});
      return;
    }
    // The request body is written once, whenever the request goes out.
    auto put = [self = shared_from_this(), id = message.id, body = notice_content(message.message),
                done = std::move(done)](std::optional<std::string> room_id,
                                        const Outcome& outcome) mutable {
      if (!room_id) {
        done(to_send_result(outcome));
        return;
      }
      self->in_line([self, id = std::move(id), body = std::move(body), done = std::move(done),
                     room_id = std::move(*room_id)]() mutable {
        self->call(
            self->make_request("PUT", self->endpoints.send_message(room_id, id), std::move(body),
                               self->options.request_timeout),
            "PUT /rooms/" + room_id + "/send",
            [self, done = std::move(done)](const Outcome& sent, const http::ClientResponse&) {
              self->note_token_rejected(sent);
              self->next_in_line();
              done(to_send_result(sent));
            });
      });
    };
    if (!room_id.empty()) {
      put(std::move(room_id), Outcome{});
      return;
    }
    with_direct_room(user_id, std::move(put));
  }
};

http::Result<std::unique_ptr<MatrixAdapter>> MatrixAdapter::create(boost::asio::io_context& io,
                                                                   MatrixOptions options,
                                                                   SyncTokenStore& tokens) {
  options.http.max_idle_per_host = std::max(options.http.max_idle_per_host,
                                            kMaxSendsInFlight + 2);  // the sends, a sync, one more
  auto client = http::Client::create(io, options.http);
  if (!client) return client.error();
  auto core = std::make_shared<Core>(io, std::move(options), tokens, std::move(client.value()));
  return std::unique_ptr<MatrixAdapter>(new MatrixAdapter(std::move(core)));
}

MatrixAdapter::MatrixAdapter(std::shared_ptr<Core> core) : core_(std::move(core)) {}

MatrixAdapter::~MatrixAdapter() { stop(); }

void MatrixAdapter::start(IncomingSink& sink) {
  core_->on_strand([core = core_, &sink] { core->start(sink); });
}

void MatrixAdapter::stop() {
  core_->on_strand([core = core_] { core->stop(); });
}

void MatrixAdapter::send(const OutboxMessage& message, std::function<void(SendResult)> done) {
  core_->on_strand([core = core_, message, done = std::move(done)]() mutable {
    core->send(message, std::move(done));
  });
}

MatrixStatus MatrixAdapter::status() const {
  std::lock_guard lock(core_->status_mutex);
  return core_->status;
}

}  // namespace prik::adapters::matrix
