#include "bot/runtime.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "bot/application_index.hpp"
#include "bot/records.hpp"
#include "dialogs/engine.hpp"
#include "storage/store.hpp"

namespace prik::bot {

namespace asio = boost::asio;
using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;
using SystemTime = std::chrono::system_clock::time_point;

namespace {

// Messages to one destination are delivered one at a time, in order.
std::string lane_of(const dialogs::Outgoing& message) {
  return message.to + '\n' + message.conversation;
}

// How often idle, paced lanes are swept from memory (in enqueued messages).
constexpr std::uint64_t lane_sweep_interval = 1024;
// Expired event ids forgotten per recorded event, so that pruning never makes one commit large.
constexpr int expired_events_per_batch = 16;

// Linux applies a niceness to one thread. Failing to lower a priority is harmless.
void lower_this_thread_priority(int niceness) {
  if (niceness <= 0) return;
  const auto thread = static_cast<id_t>(::gettid());
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, thread);
  if (errno != 0) return;
  if (::setpriority(PRIO_PROCESS, thread, std::min(current + niceness, 19)) != 0) {
    spdlog::debug("bot core: could not lower a thread's priority");
  }
}

std::int64_t epoch_seconds(SystemTime time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

}  // namespace

struct Runtime::Impl {
  struct PendingTurn {
    std::string inbox_key;
    dialogs::Incoming incoming;
    bool recorded = false;  // the inbox entry is durable; the turn may run
  };

  struct UserQueue {
    std::deque<PendingTurn> turns;
    bool running = false;
    // The conversation as the last committed turn left it, while more turns wait: saves parsing
    // the stored document again for each turn of a burst.
    std::optional<dialogs::Conversation> committed;
  };

  struct Lane {
    std::deque<adapters::OutboxMessage> queue;
    bool busy = false;  // a send or a wait is under way
    SteadyClock::time_point next_allowed{};
    std::unique_ptr<RetryState> retry;  // for the message at the front, once a send failed
    std::shared_ptr<asio::steady_timer> timer;
  };

  struct AdapterSlot {
    adapters::Adapter* adapter = nullptr;
    AdapterOptions options;
  };

  // What a turn's commit changes besides the store: the index and the outbox.
  struct TurnEffects {
    std::vector<records::Application> applications;
    std::vector<adapters::OutboxMessage> outbox;
    dialogs::Conversation conversation;
  };

  Impl(adapters::IncomingSink& sink, storage::Store& store, const dialogs::Catalog& catalog,
       const dialogs::Texts& texts, const dialogs::Matcher& matcher, RuntimeOptions options)
      : sink(sink),
        store(store),
        catalog(catalog),
        texts(texts),
        matcher(matcher),
        options(std::move(options)),
        index(catalog),
        retry_seed(std::random_device{}()) {}

  storage::Status start();
  void deliver(dialogs::Incoming incoming, std::function<void(bool)> done);
  void on_recorded(const dialogs::UserRef& user, const std::string& inbox_key,
                   const storage::Status& status, const std::function<void(bool)>& done);
  void start_next_turn_locked(const dialogs::UserRef& user, UserQueue& queue);
  void run_turn(const dialogs::UserRef& user);
  void on_turn_committed(const dialogs::UserRef& user, TurnEffects& effects,
                         const storage::Status& status);
  void enqueue_outbox_locked(adapters::OutboxMessage message);
  void send_head(const std::string& lane_key);
  void wait_then_send_locked(Lane& lane, const std::string& lane_key, SteadyClock::time_point at);
  void on_sent(const std::string& lane_key, const adapters::SendResult& result);
  void flush_removals_locked();
  void forget_expired_locked(SystemTime now, storage::Batch& batch);
  void put_counters_locked(storage::Batch& batch) {
    batch.put(std::string(records::meta), std::string(records::counters_key),
              counters.to_document());
  }
  bool idle_locked() const {
    return turns_in_flight == 0 && outbox_queued == 0 && !removal_in_flight &&
           delivered_keys.empty();
  }
  void stop(std::chrono::milliseconds outbox_grace);

  adapters::IncomingSink& sink;
  storage::Store& store;
  const dialogs::Catalog& catalog;
  const dialogs::Texts& texts;
  const dialogs::Matcher& matcher;
  RuntimeOptions options;
  ApplicationIndex index;

  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::optional<asio::signal_set> signals;
  std::unordered_map<std::string, AdapterSlot> adapters;  // by platform; fixed once started

  mutable std::mutex mutex;
  std::condition_variable changed;
  // Everything below is guarded by mutex. Commits that assign counters are queued while holding
  // it, so the store applies them in counter order and meta/counters only ever grows.
  bool started = false;
  bool accepting = false;
  bool stop_requested = false;
  bool stopped = false;
  records::Counters counters;
  std::unordered_set<std::string> seen;
  std::deque<std::pair<SystemTime, std::string>> seen_order;  // oldest first
  std::unordered_map<dialogs::UserRef, UserQueue> users;
  std::uint64_t turns_in_flight = 0;  // accepted and not yet committed
  std::unordered_map<std::string, Lane> lanes;
  std::uint64_t outbox_queued = 0;
  std::uint64_t outbox_enqueued_total = 0;
  std::vector<std::string> delivered_keys;  // outbox entries to erase
  bool removal_in_flight = false;
  std::uint64_t retry_seed;
  RuntimeStats stats;
};

storage::Status Runtime::Impl::start() {
  if (auto status = store.health(); !status.ok()) return status;
  if (const auto document = store.get(records::meta, records::counters_key)) {
    counters = records::Counters::from_json(json::parse(*document, nullptr, false));
  }
  const auto applications = index.load(store);

  const SystemTime now = options.clock();
  std::vector<std::pair<SystemTime, std::string>> events;
  store.scan(records::events, "", [&](std::string_view key, std::string_view document) {
    const auto parsed = json::parse(document, nullptr, false);
    const auto at = parsed.is_object() && parsed.contains("at") && parsed["at"].is_number_integer()
                        ? parsed["at"].get<std::int64_t>()
                        : 0;
    events.emplace_back(SystemTime(std::chrono::seconds(at)), std::string(key));
  });
  std::sort(events.begin(), events.end());
  storage::Batch expired;
  for (auto& [at, id] : events) {
    if (at + options.dedupe_window < now) {
      expired.erase(std::string(records::events), id);
    } else {
      seen.insert(id);
      seen_order.emplace_back(at, std::move(id));
    }
  }
  if (!expired.empty()) {
    if (auto status = store.commit(std::move(expired)); !status.ok()) return status;
  }

  std::vector<PendingTurn> resumed;
  store.scan(records::inbox, "", [&](std::string_view key, std::string_view document) {
    resumed.push_back({std::string(key),
                       records::incoming_from_json(json::parse(document, nullptr, false)), true});
  });
  std::vector<adapters::OutboxMessage> pending;
  store.scan(records::outbox, "", [&](std::string_view key, std::string_view document) {
    pending.push_back(
        {std::string(key), records::outgoing_from_json(json::parse(document, nullptr, false)), 0});
  });

  work.emplace(io.get_executor());
  if (options.stop_on_signals) {
    signals.emplace(io, SIGINT, SIGTERM);
    signals->async_wait([this](const boost::system::error_code& error, int signal) {
      if (error) return;  // cancelled at stop
      spdlog::info("signal {} received, stopping", signal);
      std::lock_guard lock(mutex);
      stop_requested = true;
      changed.notify_all();
    });
  }
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    threads.emplace_back([this] {
      lower_this_thread_priority(options.thread_niceness);
      for (;;) {
        try {
          io.run();
          return;
        } catch (const std::exception& error) {
          spdlog::error("bot core: unexpected exception in a handler: {}", error.what());
        }
      }
    });
  }

  {
    std::lock_guard lock(mutex);
    started = true;
    accepting = true;
    for (auto& turn : resumed) {
      const auto user = turn.incoming.user;
      auto& queue = users[user];
      queue.turns.push_back(std::move(turn));
      ++turns_in_flight;
      start_next_turn_locked(user, queue);
    }
    for (auto& message : pending) enqueue_outbox_locked(std::move(message));
  }
  for (auto& [platform, slot] : adapters) {
    asio::post(io, [this, adapter = slot.adapter] { adapter->start(sink); });
  }
  spdlog::info("bot core started: {} applications, {} events resumed, {} outbox messages pending",
               applications, resumed.size(), pending.size());
  return storage::Status::ok_status();
}

void Runtime::Impl::forget_expired_locked(SystemTime now, storage::Batch& batch) {
  for (int i = 0; i < expired_events_per_batch && !seen_order.empty() &&
                  seen_order.front().first + options.dedupe_window < now;
       ++i) {
    seen.erase(seen_order.front().second);
    batch.erase(std::string(records::events), std::move(seen_order.front().second));
    seen_order.pop_front();
  }
}

void Runtime::Impl::deliver(dialogs::Incoming incoming, std::function<void(bool)> done) {
  const SystemTime now = options.clock();
  std::unique_lock lock(mutex);
  if (!accepting) {
    lock.unlock();
    done(false);
    return;
  }
  storage::Batch batch;
  if (!incoming.event_id.empty()) {
    if (!seen.insert(incoming.event_id).second) {
      ++stats.duplicates;
      lock.unlock();
      spdlog::debug("event {} from {} already seen, dropped", incoming.event_id, incoming.user);
      done(true);
      return;
    }
    seen_order.emplace_back(now, incoming.event_id);
    batch.put(std::string(records::events), incoming.event_id,
              fmt::format(R"({{"at":{}}})", epoch_seconds(now)));
    forget_expired_locked(now, batch);
  }
  const auto inbox_key = records::sequence_key(++counters.inbox);
  batch.put(std::string(records::inbox), inbox_key, records::incoming_document(incoming));
  put_counters_locked(batch);
  const dialogs::UserRef user = incoming.user;
  users[user].turns.push_back({inbox_key, std::move(incoming), false});
  ++turns_in_flight;
  store.commit_async(std::move(batch), [this, user, inbox_key,
                                        done = std::move(done)](storage::Status status) mutable {
    // A recorded event is acknowledged straight from the store's writer thread, never behind the
    // turns and outbox work queued on the core's threads.
    if (status.ok()) {
      done(true);
      done = nullptr;
    }
    asio::post(io, [this, user = std::move(user), inbox_key = std::move(inbox_key),
                    status = std::move(status),
                    done = std::move(done)] { on_recorded(user, inbox_key, status, done); });
  });
}

void Runtime::Impl::on_recorded(const dialogs::UserRef& user, const std::string& inbox_key,
                                const storage::Status& status,
                                const std::function<void(bool)>& done) {
  {
    std::lock_guard lock(mutex);
    auto& queue = users[user];
    const auto turn =
        std::find_if(queue.turns.begin(), queue.turns.end(),
                     [&](const PendingTurn& pending) { return pending.inbox_key == inbox_key; });
    if (status.ok()) {
      turn->recorded = true;
      ++stats.events;
      start_next_turn_locked(user, queue);
    } else {
      spdlog::error("could not record an event from {}: {}", user, status.to_string());
      const auto& event_id = turn->incoming.event_id;
      if (!event_id.empty()) {
        seen.erase(event_id);
        const auto order =
            std::find_if(seen_order.rbegin(), seen_order.rend(),
                         [&](const auto& entry) { return entry.second == event_id; });
        if (order != seen_order.rend()) seen_order.erase(std::next(order).base());
      }
      queue.turns.erase(turn);
      --turns_in_flight;
      if (queue.turns.empty() && !queue.running) users.erase(user);
      changed.notify_all();
    }
  }
  if (done) done(status.ok());
}

void Runtime::Impl::start_next_turn_locked(const dialogs::UserRef& user, UserQueue& queue) {
  if (queue.running || queue.turns.empty() || !queue.turns.front().recorded) return;
  queue.running = true;
  asio::post(io, [this, user] { run_turn(user); });
}

void Runtime::Impl::run_turn(const dialogs::UserRef& user) {
  PendingTurn turn;
  std::optional<dialogs::Conversation> committed;
  {
    std::lock_guard lock(mutex);
    auto& queue = users.at(user);
    turn = std::move(queue.turns.front());
    queue.turns.pop_front();
    committed = std::move(queue.committed);
    queue.committed.reset();
  }
  const auto now = std::chrono::floor<std::chrono::seconds>(options.clock());
  dialogs::Conversation conversation;
  if (committed) {
    conversation = std::move(*committed);
  } else if (const auto document = store.get(records::conversations, user)) {
    conversation = dialogs::Conversation::from_json(json::parse(*document, nullptr, false));
  }
  const dialogs::Context context{
      catalog, texts, matcher, index, now, options.default_language, options.campaign_id};
  dialogs::TurnResult result;
  try {
    result = dialogs::handle_turn(conversation, turn.incoming, context);
  } catch (const std::exception& error) {
    spdlog::error("turn for {} failed: {}; the event is dropped", user, error.what());
    result = {conversation, {}, {}};
  }

  TurnEffects effects;
  std::vector<json> handoffs;
  for (const auto& command : result.commands) {
    if (const auto* submit = std::get_if<dialogs::SubmitApplication>(&command)) {
      const auto* campaign = catalog.campaign_of(submit->entry_id);
      effects.applications.push_back({"", submit->user, submit->display_name, submit->entry_id,
                                      campaign ? campaign->id : options.campaign_id, submit->words,
                                      submit->partner, dialogs::ApplicationStatus::pending, now,
                                      now});
    } else if (const auto* withdraw = std::get_if<dialogs::WithdrawApplication>(&command)) {
      for (const auto& summary : index.applications_of(withdraw->user)) {
        if (summary.entry_id != withdraw->entry_id ||
            (summary.status != dialogs::ApplicationStatus::pending &&
             summary.status != dialogs::ApplicationStatus::approved)) {
          continue;
        }
        const auto document = store.get(records::applications, summary.id);
        auto application =
            document ? records::Application::from_json(json::parse(*document, nullptr, false))
                     : std::nullopt;
        if (!application) continue;
        application->status = dialogs::ApplicationStatus::withdrawn;
        application->updated = now;
        effects.applications.push_back(std::move(*application));
      }
    } else if (const auto* human = std::get_if<dialogs::RequestHuman>(&command)) {
      handoffs.push_back({{"user", human->user},
                          {"display_name", human->display_name},
                          {"conversation", human->conversation},
                          {"words", human->words},
                          {"requested", now.time_since_epoch().count()},
                          {"status", "open"}});
    }
  }
  std::vector<std::string> reply_documents;
  for (const auto& reply : result.replies) {
    reply_documents.push_back(records::outgoing_document(reply));
  }

  storage::Batch batch;
  batch.put(std::string(records::conversations), user, result.conversation.to_json().dump());
  batch.erase(std::string(records::inbox), turn.inbox_key);
  effects.conversation = std::move(result.conversation);
  std::lock_guard lock(mutex);
  for (auto& application : effects.applications) {
    if (application.id.empty()) {
      application.id = records::application_id(++counters.application);
    }
    batch.put(std::string(records::applications), application.id, application.to_json().dump());
  }
  for (auto& handoff : handoffs) {
    const auto id = records::handoff_id(++counters.handoff);
    handoff["id"] = id;
    batch.put(std::string(records::handoffs), id, handoff.dump());
  }
  for (std::size_t i = 0; i < result.replies.size(); ++i) {
    const auto key = records::sequence_key(++counters.outbox);
    batch.put(std::string(records::outbox), key, std::move(reply_documents[i]));
    effects.outbox.push_back({key, std::move(result.replies[i]), 0});
  }
  put_counters_locked(batch);
  store.commit_async(std::move(batch),
                     [this, user, effects = std::move(effects)](storage::Status status) mutable {
                       asio::post(io, [this, user = std::move(user), effects = std::move(effects),
                                       status = std::move(status)]() mutable {
                         on_turn_committed(user, effects, status);
                       });
                     });
}

void Runtime::Impl::on_turn_committed(const dialogs::UserRef& user, TurnEffects& effects,
                                      const storage::Status& status) {
  if (status.ok()) {
    for (const auto& application : effects.applications) index.apply(application);
  } else {
    spdlog::error("the turn for {} could not be committed: {}; it runs again at the next start",
                  user, status.to_string());
  }
  std::lock_guard lock(mutex);
  if (status.ok()) {
    ++stats.turns;
    for (auto& message : effects.outbox) enqueue_outbox_locked(std::move(message));
  }
  auto& queue = users.at(user);
  queue.running = false;
  --turns_in_flight;
  if (queue.turns.empty()) {
    users.erase(user);
  } else {
    if (status.ok()) queue.committed = std::move(effects.conversation);
    start_next_turn_locked(user, queue);
  }
  changed.notify_all();
}

void Runtime::Impl::enqueue_outbox_locked(adapters::OutboxMessage message) {
  const auto platform = dialogs::platform_of(message.message.to);
  if (!adapters.contains(platform)) {
    spdlog::debug("outbox {}: no {} adapter running; the message stays stored", message.id,
                  platform.empty() ? "(unknown)" : platform);
    return;
  }
  if (++outbox_enqueued_total % lane_sweep_interval == 0) {
    const auto now = SteadyClock::now();
    std::erase_if(lanes, [&](const auto& entry) {
      return !entry.second.busy && entry.second.next_allowed <= now;
    });
  }
  const auto lane_key = lane_of(message.message);
  auto& lane = lanes[lane_key];
  lane.queue.push_back(std::move(message));
  ++outbox_queued;
  if (!lane.busy) {
    lane.busy = true;
    asio::post(io, [this, lane_key] { send_head(lane_key); });
  }
}

void Runtime::Impl::wait_then_send_locked(Lane& lane, const std::string& lane_key,
                                          SteadyClock::time_point at) {
  lane.timer = std::make_shared<asio::steady_timer>(io, at);
  lane.timer->async_wait([this, lane_key](const boost::system::error_code& error) {
    if (!error) send_head(lane_key);
  });
}

void Runtime::Impl::send_head(const std::string& lane_key) {
  adapters::Adapter* adapter = nullptr;
  // The lane stays, and its front message in place, until on_sent: a busy lane is never erased
  // and the deque's push_back keeps references valid, so the message is used without a copy.
  const adapters::OutboxMessage* message = nullptr;
  {
    std::lock_guard lock(mutex);
    auto& lane = lanes.at(lane_key);
    if (SteadyClock::now() < lane.next_allowed) {
      wait_then_send_locked(lane, lane_key, lane.next_allowed);
      return;
    }
    message = &lane.queue.front();
    adapter = adapters.at(dialogs::platform_of(message->message.to)).adapter;
  }
  adapter->send(*message, [this, lane_key](adapters::SendResult result) {
    asio::post(io, [this, lane_key, result = std::move(result)] { on_sent(lane_key, result); });
  });
}

void Runtime::Impl::on_sent(const std::string& lane_key, const adapters::SendResult& result) {
  std::lock_guard lock(mutex);
  auto& lane = lanes.at(lane_key);
  auto& message = lane.queue.front();
  const auto now = SteadyClock::now();
  RetryAction action{RetryAction::Kind::done, now};
  if (lane.retry || result.kind != adapters::SendResult::Kind::delivered) {
    if (!lane.retry) lane.retry = std::make_unique<RetryState>(options.retry, retry_seed++);
    action = lane.retry->resume(result, now);
  }
  switch (action.kind) {
    case RetryAction::Kind::wait:
      ++stats.retries;
      message.attempt = lane.retry->retries();
      spdlog::info("outbox {}: sending to {} failed ({}), attempt {} in {} ms", message.id,
                   message.message.to, result.detail, message.attempt + 1,
                   std::chrono::duration_cast<std::chrono::milliseconds>(action.at - now).count());
      wait_then_send_locked(lane, lane_key, action.at);
      return;
    case RetryAction::Kind::done:
      ++stats.delivered;
      break;
    case RetryAction::Kind::give_up:
      ++stats.dropped;
      spdlog::warn("outbox {}: message to {} dropped after {} attempts: {}", message.id,
                   message.message.to, lane.retry->retries() + 1, result.detail);
      break;
  }
  const auto& slot = adapters.at(dialogs::platform_of(message.message.to));
  lane.next_allowed = now + slot.options.min_interval;
  delivered_keys.push_back(std::move(message.id));
  lane.queue.pop_front();
  lane.retry.reset();
  --outbox_queued;
  if (!lane.queue.empty()) {
    asio::post(io, [this, lane_key] { send_head(lane_key); });
  } else if (lane.next_allowed <= now) {
    lanes.erase(lane_key);
  } else {
    lane.busy = false;  // kept until next_allowed so that pacing holds; swept later
  }
  flush_removals_locked();
  changed.notify_all();
}

void Runtime::Impl::flush_removals_locked() {
  if (removal_in_flight || delivered_keys.empty()) return;
  storage::Batch batch;
  for (auto& key : delivered_keys) batch.erase(std::string(records::outbox), std::move(key));
  delivered_keys.clear();
  removal_in_flight = true;
  store.commit_async(std::move(batch), [this](storage::Status status) {
    asio::post(io, [this, status = std::move(status)] {
      if (!status.ok()) {
        spdlog::error("could not remove delivered messages from the outbox: {}",
                      status.to_string());
      }
      std::lock_guard lock(mutex);
      removal_in_flight = false;
      flush_removals_locked();
      changed.notify_all();
    });
  });
}

void Runtime::Impl::stop(std::chrono::milliseconds outbox_grace) {
  {
    std::unique_lock lock(mutex);
    if (stopped) return;
    stopped = true;
    accepting = false;
    stop_requested = true;
    changed.notify_all();
    if (!started) return;
    changed.wait(lock, [&] { return turns_in_flight == 0; });
    if (!changed.wait_for(lock, outbox_grace, [&] { return outbox_queued == 0; })) {
      spdlog::info("stopping with {} outbox messages undelivered; they are sent at the next start",
                   outbox_queued);
    }
  }
  std::promise<void> adapters_stopped;
  asio::post(io, [&] {
    for (auto& [platform, slot] : adapters) slot.adapter->stop();
    if (signals) signals->cancel();
    std::lock_guard lock(mutex);
    for (auto& [key, lane] : lanes) {
      if (lane.timer) lane.timer->cancel();
    }
    adapters_stopped.set_value();
  });
  adapters_stopped.get_future().wait();
  {
    std::unique_lock lock(mutex);
    flush_removals_locked();
    changed.wait(lock, [&] { return !removal_in_flight && delivered_keys.empty(); });
  }
  work.reset();
  io.stop();
  for (auto& thread : threads) thread.join();
  threads.clear();
}

Runtime::Runtime(storage::Store& store, const dialogs::Catalog& catalog,
                 const dialogs::Texts& texts, const dialogs::Matcher& matcher,
                 RuntimeOptions options)
    : impl_(std::make_unique<Impl>(*this, store, catalog, texts, matcher, std::move(options))) {}

Runtime::~Runtime() { impl_->stop(std::chrono::milliseconds::zero()); }

void Runtime::add_adapter(adapters::Adapter& adapter, AdapterOptions options) {
  impl_->adapters[adapter.platform()] = {&adapter, options};
}

storage::Status Runtime::start() { return impl_->start(); }

void Runtime::deliver(dialogs::Incoming incoming, std::function<void(bool recorded)> done) {
  impl_->deliver(std::move(incoming), std::move(done));
}

bool Runtime::wait_until_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_for(lock, timeout, [&] { return impl_->idle_locked(); });
}

void Runtime::request_stop() {
  std::lock_guard lock(impl_->mutex);
  impl_->stop_requested = true;
  impl_->changed.notify_all();
}

void Runtime::wait_for_stop_request() {
  std::unique_lock lock(impl_->mutex);
  impl_->changed.wait(lock, [&] { return impl_->stop_requested; });
}

void Runtime::stop(std::chrono::milliseconds outbox_grace) { impl_->stop(outbox_grace); }

RuntimeStats Runtime::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace prik::bot
