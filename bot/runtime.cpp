#include "bot/runtime.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
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

#include "bot/forget.hpp"
#include "bot/records.hpp"
#include "bot/store_index.hpp"
#include "bot/thread_priority.hpp"
#include "dialogs/coordinators.hpp"
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
// Events recorded per commit when many arrive at once (a /sync batch): their turns can start
// while the rest are still being written.
constexpr std::size_t events_per_commit = 64;

std::int64_t epoch_seconds(SystemTime time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

// Records a turn wrote and the index does not have yet: commands of later turns read these first.
template <typename Record>
class InFlight {
 public:
  void add(const Record& record, bool is_new) {
    auto& slot = records_[record.id];
    slot.record = record;
    slot.is_new = slot.is_new || (slot.writers == 0 && is_new);
    ++slot.writers;
  }
  // One writer's commit was applied to the index.
  void applied(const std::string& id) {
    const auto found = records_.find(id);
    if (found != records_.end() && --found->second.writers == 0) records_.erase(found);
  }
  const Record* find(const std::string& id) const {
    const auto found = records_.find(id);
    return found == records_.end() ? nullptr : &found->second.record;
  }
  // Visits the records the index has never seen.
  template <typename Visit>
  void for_each_new(Visit visit) const {
    for (const auto& [id, slot] : records_) {
      if (slot.is_new) visit(slot.record);
    }
  }

 private:
  struct Slot {
    Record record;
    bool is_new = false;
    int writers = 0;
  };
  std::unordered_map<std::string, Slot> records_;
};

// Joins a turn's consecutive replies to the same place into one message, so that a person usually
// gets one message per turn: one notification, one send, no pacing wait between its parts. A
// reply that offers choices ends a message, so the choices stay under the text they answer.
std::vector<dialogs::Outgoing> one_message_per_place(std::vector<dialogs::Outgoing> replies) {
  std::vector<dialogs::Outgoing> joined;
  for (auto& reply : replies) {
    if (!joined.empty()) {
      auto& last = joined.back();
      if (last.choices.empty() && last.to == reply.to && last.conversation == reply.conversation) {
        if (!last.text.empty() && !reply.text.empty()) last.text += "\n\n";
        last.text += reply.text;
        last.choices = std::move(reply.choices);
        continue;
      }
    }
    joined.push_back(std::move(reply));
  }
  return joined;
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
    std::vector<records::Nudge> nudges;
    std::vector<records::Handoff> handoffs;
    std::vector<std::string> optouts;
    std::optional<dialogs::UserRef> forgotten;  // ForgetPerson: the index forgets them
    std::vector<records::Application> forgotten_applications;
    std::vector<std::string> recalled_outbox;  // outbox keys the forgetting erased
    std::optional<dialogs::Language> language;
    std::vector<adapters::OutboxMessage> outbox;
    dialogs::Conversation conversation;
  };

  // A turn's commands turned into records, notices and messages, under the mutex.
  struct CommandWork {
    const dialogs::Incoming& incoming;
    std::chrono::sys_seconds now;
    storage::Batch& batch;
    TurnEffects& effects;
    std::vector<dialogs::Notice> notices;
    std::vector<dialogs::Outgoing> messages;  // to others: partner requests, nudges
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
  // An event taken into the inbox: whose turn it is and its inbox key.
  struct RecordedTurn {
    dialogs::UserRef user;
    std::string inbox_key;
  };
  void deliver_all(std::vector<dialogs::Incoming> events, std::function<void(bool)> done);
  void on_recorded(const std::vector<RecordedTurn>& recorded, const storage::Status& status);
  void start_next_turn_locked(const dialogs::UserRef& user, UserQueue& queue);
  void complete_next_turn(const dialogs::UserRef& user);
  void run_turn(const dialogs::UserRef& user, PendingTurn turn);
  void carry_out_locked(const dialogs::Command& command, CommandWork& work);
  void put_application_locked(records::Application application, CommandWork& work);
  std::optional<records::Application> application_locked(const std::string& id) const;
  std::optional<records::Nudge> nudge_locked(const std::string& id) const;
  const char* nudge_refusal_locked(const dialogs::SendNudge& nudge,
                                   const dialogs::Incoming& incoming,
                                   std::chrono::sys_seconds now) const;
  void put_outbox_locked(dialogs::Outgoing message, storage::Batch& batch,
                         std::vector<adapters::OutboxMessage>& outbox);
  dialogs::CoordinatorContext coordinator_context(const std::string& campaign_id) const {
    return {catalog, texts, index, campaign_id, options.default_language};
  }
  storage::Status record_campaign_starts(SystemTime now);
  void schedule_digest_check();
  void check_digest();
  void on_digest_committed(std::map<std::string, std::string, std::less<>> dates,
                           std::vector<adapters::OutboxMessage> outbox,
                           const storage::Status& status);
  void on_turn_committed(const dialogs::UserRef& user, TurnEffects& effects,
                         const storage::Status& status);
  void enqueue_outbox_locked(adapters::OutboxMessage message);
  void send_head(const std::string& lane_key);
  // Takes the messages a forgetting erased from the store out of the lanes.
  void recall_locked(const std::vector<std::string>& outbox_keys);
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
           delivered_keys.empty() && !digest_in_flight;
  }
  void note_change_locked() {
    changed.notify_all();
    if (idle_locked()) became_idle.notify_all();
  }
  void note_stop_request_locked() {
    stop_requested = true;
    stop_asked.notify_all();
  }
  void stop(std::chrono::milliseconds outbox_grace);

  adapters::IncomingSink& sink;
  storage::Store& store;
  const dialogs::Catalog& catalog;
  const dialogs::Texts& texts;
  const dialogs::Matcher& matcher;
  RuntimeOptions options;
  StoreIndex index;

  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::optional<asio::signal_set> signals;
  std::optional<asio::steady_timer> digest_timer;
  std::unordered_map<std::string, AdapterSlot> adapters;  // by platform; fixed once started

  mutable std::mutex mutex;
  // stop() waits on `changed`. wait_until_idle() and wait_for_stop_request() have their own, so
  // that a thread waiting in them is not woken for every turn and every reply.
  std::condition_variable changed;
  std::condition_variable became_idle;
  std::condition_variable stop_asked;
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
  // Outbox keys erased by a forgetting while their message was being sent or waited for a retry:
  // the message is not sent (again) and its key not erased twice.
  std::unordered_set<std::string> recalled;
  bool removal_in_flight = false;
  std::uint64_t retry_seed;
  RuntimeStats stats;
  InFlight<records::Application> applications_in_flight;
  InFlight<records::Nudge> nudges_in_flight;
  std::map<std::string, std::string, std::less<>> digest_dates;  // campaign -> last local date
  bool digest_in_flight = false;
};

storage::Status Runtime::Impl::start() {
  if (auto status = store.health(); !status.ok()) return status;
  if (const auto document = store.get(records::meta, records::counters_key)) {
    counters = records::Counters::from_json(json::parse(*document, nullptr, false));
  }
  const auto applications = index.load(store);
  if (const auto document = store.get(records::meta, records::digest_key)) {
    digest_dates = records::digest_dates_from_json(json::parse(*document, nullptr, false));
  }

  const SystemTime now = options.clock();
  if (auto status = record_campaign_starts(now); !status.ok()) return status;
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
    std::uint64_t sequence = 0;
    std::from_chars(key.data(), key.data() + key.size(), sequence);
    counters.inbox = std::max(counters.inbox, sequence);
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
      note_stop_request_locked();
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
  digest_timer.emplace(io);
  asio::post(io, [this] { check_digest(); });
  spdlog::info("bot core started: {} applications, {} events resumed, {} outbox messages pending",
               applications, resumed.size(), pending.size());
  return storage::Status::ok_status();
}

storage::Status Runtime::Impl::record_campaign_starts(SystemTime now) {
  json starts = json::object();
  if (const auto document = store.get(records::meta, records::campaigns_key)) {
    starts = json::parse(*document, nullptr, false);
    if (!starts.is_object()) starts = json::object();
  }
  bool added = false;
  for (const auto& campaign : catalog.campaigns) {
    if (starts.contains(campaign.id)) continue;
    starts[campaign.id] = epoch_seconds(now);
    added = true;
  }
  if (!added) return storage::Status::ok_status();
  storage::Batch batch;
  batch.put(std::string(records::meta), std::string(records::campaigns_key), starts.dump());
  if (auto status = store.commit(std::move(batch)); !status.ok()) return status;
  for (const auto& [campaign, start] : records::campaign_starts_from_json(starts)) {
    index.set_campaign_start(campaign, start);
  }
  return storage::Status::ok_status();
}

void Runtime::Impl::schedule_digest_check() {
  digest_timer->expires_after(options.digest_check);
  digest_timer->async_wait([this](const boost::system::error_code& error) {
    if (!error) check_digest();
  });
}

void Runtime::Impl::check_digest() {
  const auto now = std::chrono::floor<std::chrono::seconds>(options.clock());
  std::lock_guard lock(mutex);
  if (!accepting) return;
  auto dates = digest_dates;
  storage::Batch batch;
  std::vector<adapters::OutboxMessage> outbox;
  bool due = false;
  for (const auto& campaign : catalog.campaigns) {
    std::optional<std::string> today;
    try {
      today = digest_due(now, dates[campaign.id], options.digest.time, options.digest.time_zone);
    } catch (const std::exception& error) {
      spdlog::error("daily digest: {}; no digest is sent", error.what());
      return;
    }
    if (!today) continue;
    auto messages =
        dialogs::daily_digest(coordinator_context(campaign.id), options.digest.rules, now);
    spdlog::info("daily digest for {} ({}): {} messages", campaign.id, *today, messages.size());
    for (auto& message : messages) put_outbox_locked(std::move(message), batch, outbox);
    dates[campaign.id] = std::move(*today);
    due = true;
  }
  if (!due) {
    schedule_digest_check();
    return;
  }
  batch.put(std::string(records::meta), std::string(records::digest_key), json(dates).dump());
  put_counters_locked(batch);
  digest_in_flight = true;
  store.commit_async(std::move(batch), [this, dates = std::move(dates), outbox = std::move(outbox)](
                                           storage::Status status) mutable {
    asio::post(io, [this, dates = std::move(dates), outbox = std::move(outbox),
                    status = std::move(status)]() mutable {
      on_digest_committed(std::move(dates), std::move(outbox), status);
    });
  });
}

void Runtime::Impl::on_digest_committed(std::map<std::string, std::string, std::less<>> dates,
                                        std::vector<adapters::OutboxMessage> outbox,
                                        const storage::Status& status) {
  std::lock_guard lock(mutex);
  digest_in_flight = false;
  if (status.ok()) {
    digest_dates = std::move(dates);
    for (auto& message : outbox) enqueue_outbox_locked(std::move(message));
  } else {
    spdlog::error("could not commit the daily digest: {}; it is tried again", status.to_string());
  }
  note_change_locked();
  if (accepting) schedule_digest_check();
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

void Runtime::Impl::deliver_all(std::vector<dialogs::Incoming> events,
                                std::function<void(bool)> done) {
  const SystemTime now = options.clock();
  // Written before the lock is taken: a batch of thousands would otherwise hold up the turns.
  const std::string seen_document = fmt::format(R"({{"at":{}}})", epoch_seconds(now));
  std::vector<std::string> inbox_documents;
  inbox_documents.reserve(events.size());
  for (const auto& incoming : events) {
    inbox_documents.push_back(records::incoming_document(incoming));
  }
  std::unique_lock lock(mutex);
  if (!accepting) {
    lock.unlock();
    done(false);
    return;
  }
  // The commits of one call. `done(true)` is called as soon as the last is written;
  // `done(false)` only after every commit's outcome is applied, so that a batch fetched again is
  // not taken for duplicates of the events that failed.
  struct Pending {
    std::atomic<std::size_t> written{0};
    std::atomic<std::size_t> applied{0};
    std::atomic<bool> recorded{true};
    std::function<void(bool)> done;
  };
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  std::vector<std::pair<storage::Batch, std::vector<RecordedTurn>>> commits;
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto& incoming = events[i];
    if (!incoming.event_id.empty() && !seen.insert(incoming.event_id).second) {
      ++stats.duplicates;
      spdlog::debug("event {} from {} already seen, dropped", incoming.event_id, incoming.user);
      continue;
    }
    if (commits.empty() || commits.back().second.size() == events_per_commit) {
      commits.emplace_back();
    }
    auto& [batch, turns] = commits.back();
    if (!incoming.event_id.empty()) {
      seen_order.emplace_back(now, incoming.event_id);
      batch.put(std::string(records::events), incoming.event_id, seen_document);
      forget_expired_locked(now, batch);
    }
    // The inbox counter is not written here: start() takes it up from the keys still in the
    // inbox, and inbox keys only need to be unique and ordered among the entries present.
    auto inbox_key = records::sequence_key(++counters.inbox);
    batch.put(std::string(records::inbox), inbox_key, std::move(inbox_documents[i]));
    const dialogs::UserRef user = incoming.user;
    users[user].turns.push_back({inbox_key, std::move(incoming), false});
    ++turns_in_flight;
    turns.push_back({user, std::move(inbox_key)});
  }
  if (commits.empty()) {  // nothing new
    lock.unlock();
    pending->done(true);
    return;
  }
  pending->written = commits.size();
  pending->applied = commits.size();
  for (auto& [batch, turns] : commits) {
    store.commit_async(std::move(batch), [this, turns = std::move(turns),
                                          pending](storage::Status status) mutable {
      // Recorded events are acknowledged straight from the store's writer thread, never behind
      // the turns and outbox work queued on the core's threads.
      if (!status.ok()) pending->recorded = false;
      if (--pending->written == 0 && pending->recorded) pending->done(true);
      asio::post(io, [this, turns = std::move(turns), status = std::move(status), pending] {
        on_recorded(turns, status);
        if (--pending->applied == 0 && !pending->recorded) pending->done(false);
      });
    });
  }
}

void Runtime::Impl::on_recorded(const std::vector<RecordedTurn>& recorded,
                                const storage::Status& status) {
  std::lock_guard lock(mutex);
  if (!status.ok()) {
    if (recorded.size() == 1) {
      spdlog::error("could not record an event from {}: {}", recorded.front().user,
                    status.to_string());
    } else {
      spdlog::error("could not record {} events: {}", recorded.size(), status.to_string());
    }
  }
  for (const auto& [user, inbox_key] : recorded) {
    auto& queue = users[user];
    // Searched from the back, where a turn just recorded sits: a burst from one person can queue
    // thousands of turns ahead of it, and a search from the front made each event cost more than
    // the one before.
    const auto from_back =
        std::find_if(queue.turns.rbegin(), queue.turns.rend(),
                     [&](const PendingTurn& pending) { return pending.inbox_key == inbox_key; });
    const auto turn = std::prev(from_back.base());
    if (status.ok()) {
      turn->recorded = true;
      ++stats.events;
      start_next_turn_locked(user, queue);
      continue;
    }
    const auto& event_id = turn->incoming.event_id;
    if (!event_id.empty()) {
      seen.erase(event_id);
      const auto order = std::find_if(seen_order.rbegin(), seen_order.rend(),
                                      [&](const auto& entry) { return entry.second == event_id; });
      if (order != seen_order.rend()) seen_order.erase(std::next(order).base());
    }
    queue.turns.erase(turn);
    --turns_in_flight;
    if (queue.turns.empty() && !queue.running) users.erase(user);
  }
  if (!status.ok()) note_change_locked();
}

void Runtime::Impl::start_next_turn_locked(const dialogs::UserRef& user, UserQueue& queue) {
  if (queue.running || queue.turns.empty() || !queue.turns.front().recorded) return;
  queue.running = true;
  asio::post(io, [this, user] { complete_next_turn(user); });
}

// The person's queue stays `running` while the adapter completes the event, so their turns keep
// their order however long a look-up takes.
void Runtime::Impl::complete_next_turn(const dialogs::UserRef& user) {
  PendingTurn turn;
  {
    std::lock_guard lock(mutex);
    auto& queue = users.at(user);
    turn = std::move(queue.turns.front());
    queue.turns.pop_front();
  }
  const auto slot = adapters.find(dialogs::platform_of(user));
  if (slot == adapters.end()) return run_turn(user, std::move(turn));
  slot->second.adapter->complete(
      std::move(turn.incoming),
      [this, user, inbox_key = std::move(turn.inbox_key)](dialogs::Incoming completed) mutable {
        asio::post(io, [this, user = std::move(user), inbox_key = std::move(inbox_key),
                        completed = std::move(completed)]() mutable {
          run_turn(user, {std::move(inbox_key), std::move(completed), true});
        });
      });
}

void Runtime::Impl::run_turn(const dialogs::UserRef& user, PendingTurn turn) {
  std::optional<dialogs::Conversation> committed;
  {
    std::lock_guard lock(mutex);
    auto& queue = users.at(user);
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
  const dialogs::Context context{catalog,
                                 texts,
                                 matcher,
                                 index,
                                 now,
                                 options.default_language,
                                 options.campaign_id,
                                 options.nudge_rules};
  dialogs::TurnResult result;
  try {
    result = options.dialog(conversation, turn.incoming, context);
  } catch (const std::exception& error) {
    spdlog::error("turn for {} failed: {}; the event is dropped", user, error.what());
    result = {conversation, {}, {}};
  }

  TurnEffects effects;
  storage::Batch batch;
  const bool forgets = std::any_of(result.commands.begin(), result.commands.end(), [](auto& c) {
    return std::holds_alternative<dialogs::ForgetPerson>(c);
  });
  if (forgets) {
    // Read outside the lock; the turn's own conversation is not written back.
    effects.forgotten = user;
    effects.forgotten_applications = forget_person(store, user, batch);
    for (const auto& op : batch.ops()) {
      if (op.erase && op.collection == records::outbox) effects.recalled_outbox.push_back(op.key);
    }
    for (const auto& application : effects.forgotten_applications) {
      effects.applications.push_back(application);
    }
    effects.conversation = {};
  } else {
    batch.put(std::string(records::conversations), user,
              records::conversation_document(result.conversation));
    effects.language = result.conversation.language;
    effects.conversation = std::move(result.conversation);
  }
  batch.erase(std::string(records::inbox), turn.inbox_key);
  result.replies = one_message_per_place(std::move(result.replies));
  std::vector<std::string> reply_documents;
  for (const auto& reply : result.replies) {
    reply_documents.push_back(records::outgoing_document(reply));
  }

  std::lock_guard lock(mutex);
  for (std::size_t i = 0; i < result.replies.size(); ++i) {
    const auto key = records::sequence_key(++counters.outbox);
    batch.put(std::string(records::outbox), key, std::move(reply_documents[i]));
    effects.outbox.push_back({key, std::move(result.replies[i]), 0});
  }
  if (!result.commands.empty()) {
    CommandWork work{turn.incoming, now, batch, effects, {}, {}};
    for (const auto& command : result.commands) carry_out_locked(command, work);
    for (const auto& notice : work.notices) {
      for (auto& message : dialogs::notify(notice, coordinator_context(options.campaign_id))) {
        work.messages.push_back(std::move(message));
      }
    }
    for (auto& message : one_message_per_place(std::move(work.messages))) {
      put_outbox_locked(std::move(message), batch, effects.outbox);
    }
  }
  if (forgets) {
    for (const auto& application : effects.forgotten_applications) {
      applications_in_flight.add(application, false);
    }
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

void Runtime::Impl::put_outbox_locked(dialogs::Outgoing message, storage::Batch& batch,
                                      std::vector<adapters::OutboxMessage>& outbox) {
  const auto key = records::sequence_key(++counters.outbox);
  batch.put(std::string(records::outbox), key, records::outgoing_document(message));
  outbox.push_back({key, std::move(message), 0});
}

std::optional<records::Application> Runtime::Impl::application_locked(const std::string& id) const {
  if (const auto* written = applications_in_flight.find(id)) return *written;
  return index.application_record(id);
}

std::optional<records::Nudge> Runtime::Impl::nudge_locked(const std::string& id) const {
  if (const auto* written = nudges_in_flight.find(id)) return *written;
  return index.nudge_record(id);
}

void Runtime::Impl::put_application_locked(records::Application application, CommandWork& work) {
  const bool is_new = application.id.empty();
  if (is_new) application.id = records::application_id(++counters.application);
  work.batch.put(std::string(records::applications), application.id, application.to_json().dump());
  applications_in_flight.add(application, is_new);
  work.effects.applications.push_back(std::move(application));
}

// The rule a nudge breaks, or nullptr. Logged, so it names the rule and never the friend.
const char* Runtime::Impl::nudge_refusal_locked(const dialogs::SendNudge& nudge,
                                                const dialogs::Incoming& incoming,
                                                std::chrono::sys_seconds now) const {
  if (nudge.to.empty() || nudge.to == nudge.from) return "a nudge to oneself";
  if (std::find(incoming.mentioned_bots.begin(), incoming.mentioned_bots.end(), nudge.to) !=
      incoming.mentioned_bots.end()) {
    return "a nudge to a bot";
  }
  if (index.opted_out(nudge.to)) return "the friend asked never to be written to";
  bool applied = false;
  for (const auto& application : index.applications_of(nudge.to)) {
    applied = applied || application.status != dialogs::ApplicationStatus::withdrawn;
  }
  applications_in_flight.for_each_new([&](const records::Application& application) {
    applied = applied || (application.user == nudge.to &&
                          application.status != dialogs::ApplicationStatus::withdrawn);
  });
  if (applied) return "the friend already applied";
  const auto friend_window = now - std::chrono::days(options.nudge_rules.same_friend_days);
  const auto day_ago = now - std::chrono::hours(24);
  auto last = index.last_nudged(nudge.to);
  int sent_today = index.nudges_sent_since(nudge.from, day_ago);
  nudges_in_flight.for_each_new([&](const records::Nudge& written) {
    if (written.to == nudge.to && (!last || written.sent > *last)) last = written.sent;
    if (written.from == nudge.from && written.sent >= day_ago) ++sent_today;
  });
  if (last && *last > friend_window) return "the friend was nudged within the same-friend days";
  if (sent_today >= options.nudge_rules.per_volunteer_per_day) {
    return "the nudger reached the nudges per day";
  }
  return nullptr;
}

void Runtime::Impl::carry_out_locked(const dialogs::Command& command, CommandWork& work) {
  const auto now = work.now;
  if (const auto* submit = std::get_if<dialogs::SubmitApplication>(&command)) {
    const auto* campaign = catalog.campaign_of(submit->entry_id);
    records::Application application{"",
                                     submit->user,
                                     submit->display_name,
                                     submit->entry_id,
                                     campaign ? campaign->id : options.campaign_id,
                                     submit->words,
                                     submit->partner,
                                     dialogs::ApplicationStatus::pending,
                                     now,
                                     now};
    if (submit->partner_request) {
      application.partner_status = dialogs::PartnerStatus::waiting;
      work.messages.push_back(*submit->partner_request);
    }
    put_application_locked(application, work);
    work.notices.push_back(
        dialogs::ApplicationSubmitted{work.effects.applications.back().details()});
  } else if (const auto* withdraw = std::get_if<dialogs::WithdrawApplication>(&command)) {
    for (const auto& summary : index.applications_of(withdraw->user)) {
      auto application = application_locked(summary.id);
      if (!application || application->entry_id != withdraw->entry_id ||
          (application->status != dialogs::ApplicationStatus::pending &&
           application->status != dialogs::ApplicationStatus::approved)) {
        continue;
      }
      application->status = dialogs::ApplicationStatus::withdrawn;
      application->updated = now;
      put_application_locked(std::move(*application), work);
      work.notices.push_back(
          dialogs::ApplicationWithdrawn{work.effects.applications.back().details()});
    }
  } else if (const auto* confirm = std::get_if<dialogs::ConfirmPartner>(&command)) {
    auto application = application_locked(confirm->application_id);
    if (!application || application->status != dialogs::ApplicationStatus::pending ||
        application->partner != confirm->partner ||
        application->partner_status != dialogs::PartnerStatus::waiting) {
      spdlog::info("partner answer for {} ignored: no such request waiting",
                   confirm->application_id);
      return;
    }
    application->partner_status =
        confirm->accepted ? dialogs::PartnerStatus::confirmed : dialogs::PartnerStatus::declined;
    application->updated = now;
    put_application_locked(std::move(*application), work);
    if (confirm->accepted) {
      work.notices.push_back(dialogs::PartnerConfirmed{work.effects.applications.back().details()});
    }
  } else if (const auto* human = std::get_if<dialogs::RequestHuman>(&command)) {
    records::Handoff handoff{records::handoff_id(++counters.handoff),
                             human->user,
                             human->display_name,
                             human->conversation,
                             human->words,
                             now,
                             "open"};
    work.batch.put(std::string(records::handoffs), handoff.id, handoff.to_json().dump());
    work.notices.push_back(dialogs::HumanRequested{handoff.summary(), human->user,
                                                   human->display_name, human->conversation});
    work.effects.handoffs.push_back(std::move(handoff));
  } else if (const auto* nudge = std::get_if<dialogs::SendNudge>(&command)) {
    if (const char* refusal = nudge_refusal_locked(*nudge, work.incoming, now)) {
      spdlog::info("nudge from {} not sent: {}", nudge->from, refusal);
      return;
    }
    records::Nudge record{records::nudge_id(++counters.nudge),
                          nudge->from,
                          nudge->from_name,
                          nudge->to,
                          nudge->entry_id,
                          nudge->named,
                          now,
                          dialogs::NudgeAnswer::none,
                          {}};
    work.batch.put(std::string(records::nudges), record.id, record.to_json().dump());
    nudges_in_flight.add(record, true);
    work.messages.push_back(nudge->message);
    work.effects.nudges.push_back(std::move(record));
  } else if (const auto* answer = std::get_if<dialogs::AnswerNudge>(&command)) {
    auto record = nudge_locked(answer->nudge_id);
    if (!record || record->to != answer->user) {
      spdlog::info("nudge answer for {} ignored: no such nudge to them", answer->nudge_id);
      return;
    }
    record->answer = answer->answer;
    record->answered = now;
    work.batch.put(std::string(records::nudges), record->id, record->to_json().dump());
    nudges_in_flight.add(*record, false);
    if (answer->answer == dialogs::NudgeAnswer::never) {
      auto key = records::optout_key(answer->user);
      work.batch.put(std::string(records::optouts), key,
                     fmt::format(R"({{"at":{}}})", now.time_since_epoch().count()));
      work.effects.optouts.push_back(std::move(key));
    }
    if (answer->answer == dialogs::NudgeAnswer::more) {
      work.notices.push_back(dialogs::NudgeInterest{record->summary(), work.incoming.display_name});
    }
    work.effects.nudges.push_back(std::move(*record));
  } else if (const auto* approve = std::get_if<dialogs::ApproveApplication>(&command)) {
    auto application = application_locked(approve->application_id);
    if (!application || application->status != dialogs::ApplicationStatus::pending) {
      spdlog::info("approval of {} ignored: not a pending application", approve->application_id);
      return;
    }
    application->status = dialogs::ApplicationStatus::approved;
    application->updated = now;
    application->approved = now;
    put_application_locked(std::move(*application), work);
  } else if (const auto* decline = std::get_if<dialogs::DeclineApplication>(&command)) {
    auto application = application_locked(decline->application_id);
    if (!application || application->status != dialogs::ApplicationStatus::pending) {
      spdlog::info("decline of {} ignored: not a pending application", decline->application_id);
      return;
    }
    application->status = dialogs::ApplicationStatus::declined;
    application->updated = now;
    put_application_locked(std::move(*application), work);
  }
  // ForgetPerson was carried out before the lock was taken (run_turn).
}

void Runtime::Impl::on_turn_committed(const dialogs::UserRef& user, TurnEffects& effects,
                                      const storage::Status& status) {
  if (!status.ok()) {
    spdlog::error("the turn for {} could not be committed: {}; it runs again at the next start",
                  user, status.to_string());
  }
  std::lock_guard lock(mutex);
  // The index and the records in flight change together, under the mutex, so that a command
  // never sees a record in both or in neither.
  if (status.ok()) {
    if (effects.forgotten) {
      index.forget(*effects.forgotten, effects.forgotten_applications);
    } else {
      index.set_language(user, effects.language);
    }
    for (const auto& application : effects.applications) index.apply(application);
    for (const auto& nudge : effects.nudges) index.apply(nudge);
    for (const auto& handoff : effects.handoffs) index.apply(handoff);
    for (const auto& optout : effects.optouts) index.add_optout(optout);
    recall_locked(effects.recalled_outbox);
  }
  for (const auto& application : effects.applications)
    applications_in_flight.applied(application.id);
  for (const auto& nudge : effects.nudges) nudges_in_flight.applied(nudge.id);
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
  note_change_locked();
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
    if (recalled.contains(message->id)) {
      asio::post(io, [this, lane_key] { on_sent(lane_key, {}); });
      return;
    }
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
  const bool was_recalled = recalled.erase(message.id) > 0;
  if (was_recalled) {
    spdlog::info("outbox {}: not sent, its person's data was deleted", message.id);
  } else if (lane.retry || result.kind != adapters::SendResult::Kind::delivered) {
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
      if (!was_recalled) ++stats.delivered;
      break;
    case RetryAction::Kind::give_up:
      ++stats.dropped;
      spdlog::warn("outbox {}: message to {} dropped after {} attempts: {}", message.id,
                   message.message.to, lane.retry->retries() + 1, result.detail);
      break;
  }
  const auto& slot = adapters.at(dialogs::platform_of(message.message.to));
  lane.next_allowed = now + slot.options.min_interval;
  if (!was_recalled) delivered_keys.push_back(std::move(message.id));
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
  note_change_locked();
}

void Runtime::Impl::recall_locked(const std::vector<std::string>& outbox_keys) {
  if (outbox_keys.empty()) return;
  const std::unordered_set<std::string> keys(outbox_keys.begin(), outbox_keys.end());
  for (auto& [lane_key, lane] : lanes) {
    if (lane.queue.empty()) continue;
    // The front may be with the adapter right now: send_head and on_sent skip it instead.
    if (keys.contains(lane.queue.front().id)) recalled.insert(lane.queue.front().id);
    const auto kept = std::remove_if(
        lane.queue.begin() + 1, lane.queue.end(),
        [&](const adapters::OutboxMessage& message) { return keys.contains(message.id); });
    outbox_queued -= static_cast<std::uint64_t>(lane.queue.end() - kept);
    lane.queue.erase(kept, lane.queue.end());
  }
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
      note_change_locked();
    });
  });
}

void Runtime::Impl::stop(std::chrono::milliseconds outbox_grace) {
  {
    std::unique_lock lock(mutex);
    if (stopped) return;
    stopped = true;
    accepting = false;
    note_stop_request_locked();
    if (!started) return;
    changed.wait(lock, [&] { return turns_in_flight == 0 && !digest_in_flight; });
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
    if (digest_timer) digest_timer->cancel();
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
  std::vector<dialogs::Incoming> events;
  events.push_back(std::move(incoming));
  impl_->deliver_all(std::move(events), std::move(done));
}

void Runtime::deliver_all(std::vector<dialogs::Incoming> events,
                          std::function<void(bool recorded)> done) {
  impl_->deliver_all(std::move(events), std::move(done));
}

bool Runtime::wait_until_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  return impl_->became_idle.wait_for(lock, timeout, [&] { return impl_->idle_locked(); });
}

void Runtime::request_stop() {
  std::lock_guard lock(impl_->mutex);
  impl_->note_stop_request_locked();
}

void Runtime::wait_for_stop_request() {
  std::unique_lock lock(impl_->mutex);
  impl_->stop_asked.wait(lock, [&] { return impl_->stop_requested; });
}

void Runtime::stop(std::chrono::milliseconds outbox_grace) { impl_->stop(outbox_grace); }

const dialogs::StoreView& Runtime::view() const { return impl_->index; }

RuntimeStats Runtime::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace prik::bot
