#include "adapters/matrix/matrix_adapter.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
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
        tokens(token_store),
        client(std::move(http_client)),
        endpoints(options.homeserver_url),
        filter(dump(sync_filter())),
        rooms(options.user_id, options.allowed_servers),
        machine(options.backoff, options.seed != 0 ? options.seed : std::random_device{}()),
        timer(strand) {}

  asio::strand<asio::io_context::executor_type> strand;
  MatrixOptions options;
  SyncTokenStore& tokens;
  std::unique_ptr<http::Client> client;
  Endpoints endpoints;
  std::string filter;
  RoomTracker rooms;
  SyncMachine machine;
  asio::steady_timer timer;

  IncomingSink* sink = nullptr;
  std::string since;
  bool full_state_next = false;
  bool started = false;
  bool stop_requested = false;
  bool stop_reported = false;
  bool token_rejected = false;
  bool direct_put_running = false;
  bool direct_put_again = false;
  std::map<std::string, std::vector<RoomCallback>> rooms_being_created;  // by user id

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

  http::ClientRequest make_request(std::string method, std::string url, const json* body,
                                   std::chrono::milliseconds timeout) const {
    http::ClientRequest request;
    request.method = std::move(method);
    request.url = std::move(url);
    request.headers.emplace_back("Authorization", "Bearer " + options.access_token);
    if (body) {
      request.content_type = "application/json";
      request.body = dump(*body);
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
                        const Outcome outcome = classify(result, std::move(where));
                        then(outcome, result ? *result : http::ClientResponse{});
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
    call(make_request("GET", endpoints.whoami(), nullptr, options.request_timeout),
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
    call(make_request("GET", url, nullptr, options.sync_timeout + options.request_timeout),
         "GET /sync",
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
           self->process(std::move(*batch));
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
    struct Pending {
      std::size_t left;
      bool recorded = true;
    };
    auto pending = std::make_shared<Pending>(Pending{plan.deliveries.size()});
    for (auto& incoming : plan.deliveries) {
      const bool encrypted_notice = incoming.choice_id == kEncryptedChoice;
      std::string room_id = incoming.conversation;
      sink->deliver(std::move(incoming), [self = shared_from_this(), pending, encrypted_notice,
                                          room_id, next = batch.next_batch](bool recorded) {
        self->on_strand([self, pending, encrypted_notice, room_id, next, recorded] {
          if (!recorded) {
            pending->recorded = false;
            if (encrypted_notice) self->rooms.forget_encrypted_notice(room_id);
          }
          if (--pending->left == 0) self->finish_batch(next, pending->recorded);
        });
      });
    }
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
      const json body = json::object();
      return self->make_request(
          "POST", join ? self->endpoints.join(room_id) : self->endpoints.leave(room_id), &body,
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
      const json body = direct_content(self->rooms.direct_rooms());
      return self->make_request("PUT",
                                self->endpoints.account_data(self->options.user_id, "m.direct"),
                                &body, self->options.request_timeout);
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

  // The DM room with `user_id`: a known one, or a new one made with POST /createRoom.
  void with_direct_room(const std::string& user_id, RoomCallback callback) {
    if (auto room_id = rooms.direct_room_for(user_id)) {
      callback(std::move(room_id), Outcome{});
      return;
    }
    auto& waiting = rooms_being_created[user_id];
    waiting.push_back(std::move(callback));
    if (waiting.size() > 1) return;
    const json body = direct_room_request(user_id);
    call(make_request("POST", endpoints.create_room(), &body, options.request_timeout),
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
           self->note_token_rejected(outcome);
           auto waiting = std::move(self->rooms_being_created[user_id]);
           self->rooms_being_created.erase(user_id);
           for (auto& callback : waiting) callback(room_id, outcome);
         });
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
    auto put = [self = shared_from_this(), message, done](std::optional<std::string> room_id,
                                                          const Outcome& outcome) {
      if (!room_id) {
        done(to_send_result(outcome));
        return;
      }
      const json body = notice_content(message.message);
      self->call(self->make_request("PUT", self->endpoints.send_message(*room_id, message.id),
                                    &body, self->options.request_timeout),
                 "PUT /rooms/" + *room_id + "/send",
                 [self, done](const Outcome& sent, const http::ClientResponse&) {
                   self->note_token_rejected(sent);
                   done(to_send_result(sent));
                 });
    };
    std::string room_id = without_platform(message.message.conversation);
    if (!room_id.empty()) {
      put(std::move(room_id), Outcome{});
      return;
    }
    const std::string user_id = without_platform(message.message.to);
    if (server_of(user_id).empty()) {
      done({SendResult::Kind::permanent_failure,
            {},
            "matrix: \"" + message.message.to + "\" is not a Matrix user"});
      return;
    }
    with_direct_room(user_id, std::move(put));
  }
};

http::Result<std::unique_ptr<MatrixAdapter>> MatrixAdapter::create(boost::asio::io_context& io,
                                                                   MatrixOptions options,
                                                                   SyncTokenStore& tokens) {
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
  core_->on_strand(
      [core = core_, message, done = std::move(done)]() mutable { core->send(message, done); });
}

MatrixStatus MatrixAdapter::status() const {
  std::lock_guard lock(core_->status_mutex);
  return core_->status;
}

}  // namespace prik::adapters::matrix
