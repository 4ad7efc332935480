// Runtime: the bot core. Receives events from the adapters, runs one dialog turn per event, keeps
// everything durable in the store and delivers the replies through the outbox.
//
// For each event: deliver() drops duplicates (event ids seen within the dedupe window, kept in
// memory and in the store), records the event in the inbox, and confirms to the adapter. The turn
// then lets the adapter complete the event (Adapter::complete: the people's names and languages,
// which may need a look-up the acknowledgement did not wait for), loads the person's
// conversation, calls dialogs::handle_turn and commits ONE store batch:
// the new conversation, the effects of its commands (applications and their status, partner
// answers, hand-offs, nudges and their answers, opt-outs, forgetting a person), the replies and
// the coordinators' notices (dialogs::notify) as outbox entries, and the inbox entry's removal.
// A turn's consecutive replies to one place become one outbox message, up to the one that offers
// choices, so that a person usually gets one message per turn. Only once that batch is durable are
// the replies handed to the adapters and the in-memory indexes (bot/store_index.hpp) updated. The
// nudge rules are checked again when the turn commits, against the index and the nudges still being
// committed, so two people nudging one friend at once send one message. A timer checks the daily
// digest's schedule (bot/digest.hpp) for each campaign and commits the digest's messages with the
// new date in one batch. One person's turns run strictly in order; different people's turns run
// concurrently. The outbox delivers each destination's messages in order, paced per adapter,
// retried with backoff (bot/retry.hpp), and resumed after a restart, as are events recorded but not
// yet handled.
//
// Ownership: the store, catalog, texts, matcher and adapters are not owned and must outlive the
// Runtime. Threads: the Runtime owns an io_context run by `threads` threads; deliver(),
// request_stop(), wait_until_idle() and stats() may be called from any thread. start() and stop()
// are called once each, from the thread that owns the Runtime. Destroying a started Runtime stops
// it (with no grace period for the outbox).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "adapters/adapter.hpp"
#include "bot/digest.hpp"
#include "bot/retry.hpp"
#include "dialogs/catalog.hpp"
#include "dialogs/engine.hpp"
#include "dialogs/matching.hpp"
#include "dialogs/texts.hpp"
#include "dialogs/view.hpp"
#include "storage/status.hpp"

namespace prik::storage {
class Store;
}

namespace prik::bot {

struct RuntimeOptions {
  std::string campaign_id;
  dialogs::Language default_language = dialogs::Language::da;
  // The time turns and the dedupe window see; tests inject their own.
  std::function<std::chrono::system_clock::time_point()> clock = [] {
    return std::chrono::system_clock::now();
  };
  int threads = 1;
  // Added to the niceness of those threads (turns and the outbox), so that recording and
  // acknowledging events -- on the adapters' threads and the store's writer -- comes first when
  // they share a CPU. 0 keeps the threads' priority.
  int thread_niceness = 0;
  std::chrono::seconds dedupe_window{std::chrono::hours(24)};
  RetryPolicy retry;
  // Stop cleanly on SIGINT and SIGTERM (the programs do; tests do not).
  bool stop_on_signals = false;
  dialogs::NudgeRules nudge_rules;
  DigestSettings digest;
  // How often (in real time) the daily digest's schedule is checked against clock().
  std::chrono::milliseconds digest_check{std::chrono::seconds(30)};
  // The conversation engine. Tests of the core's command handling run a scripted one.
  std::function<dialogs::TurnResult(const dialogs::Conversation&, const dialogs::Incoming&,
                                    const dialogs::Context&)>
      dialog = dialogs::handle_turn;
};

// Per-platform delivery settings.
struct AdapterOptions {
  // At least this long between two messages to the same destination (Slack: 1 s per channel).
  std::chrono::milliseconds min_interval{0};
};

struct RuntimeStats {
  std::uint64_t events = 0;      // recorded in the inbox
  std::uint64_t duplicates = 0;  // dropped as already seen
  std::uint64_t turns = 0;       // committed
  std::uint64_t delivered = 0;   // outbox messages delivered
  std::uint64_t dropped = 0;     // outbox messages given up on
  std::uint64_t retries = 0;     // send attempts answered with "retry"
};

class Runtime final : public adapters::IncomingSink {
 public:
  Runtime(storage::Store& store, const dialogs::Catalog& catalog, const dialogs::Texts& texts,
          const dialogs::Matcher& matcher, RuntimeOptions options);
  ~Runtime() override;
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Registers an adapter before start(). Outbox messages go to the adapter whose platform() is
  // the platform of the message's recipient; messages for platforms without one stay stored.
  void add_adapter(adapters::Adapter& adapter, AdapterOptions options = {});

  // Loads the indexes, resumes recorded events and pending outbox messages, starts the threads
  // and then the adapters. Fails if the store cannot be written (e.g. it turned read-only).
  storage::Status start();

  void deliver(dialogs::Incoming incoming, std::function<void(bool recorded)> done) override;
  // Records `events` in commits of up to 64, so that the first turns start while the rest are
  // written, and answers once all are.
  void deliver_all(std::vector<dialogs::Incoming> events,
                   std::function<void(bool recorded)> done) override;

  // Blocks until no turn is queued or running and the outbox has nothing left to deliver, or
  // until timeout passes; true when idle.
  bool wait_until_idle(std::chrono::milliseconds timeout);

  // Asks a running Runtime to stop; returns at once. Safe from any thread and from callbacks.
  void request_stop();
  // Blocks until request_stop() is called (or a signal arrives, with stop_on_signals).
  void wait_for_stop_request();

  // Stops cleanly: refuses new events, finishes the turns already accepted and commits them,
  // gives the outbox up to outbox_grace to deliver (what remains is resent at the next start),
  // stops the adapters and the threads. Idempotent.
  void stop(std::chrono::milliseconds outbox_grace);

  RuntimeStats stats() const;

  // The dialogs' read view of the store, as the last committed turn left it (valid after start()).
  const dialogs::StoreView& view() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace prik::bot
