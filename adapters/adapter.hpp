// Adapter: what a chat platform (Slack, Matrix, the terminal) offers the bot core.
//
// An adapter translates its platform's events into dialogs::Incoming and hands them to an
// IncomingSink, and turns outbox messages into platform calls. It knows nothing of dialogs,
// storage or the bot's services. Threads: start(), stop() and send() are called from the bot
// core's io_context, complete() from any of its threads; callbacks may be invoked from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dialogs/message.hpp"

namespace prik::adapters {

// Implemented by the bot core.
class IncomingSink {
 public:
  virtual ~IncomingSink() = default;
  // Records the event durably (the inbox) and then calls recorded(true); recorded(false) when it
  // could not be recorded. Only after recorded(true) may the adapter acknowledge the event to its
  // platform (HTTP 200, a Socket Mode ack, advancing a sync token). Duplicates (same event_id) are
  // recognised here and acknowledged without a second turn.
  virtual void deliver(dialogs::Incoming incoming, std::function<void(bool recorded)> done) = 0;

  // Records several events at once (a /sync batch) and then calls done once: true when every
  // one was recorded (or was a duplicate), false when any was not. The bot core writes them
  // together, a few commits for the lot; this default hands them to deliver() one by one.
  virtual void deliver_all(std::vector<dialogs::Incoming> events,
                           std::function<void(bool recorded)> done) {
    if (events.empty()) {
      done(true);
      return;
    }
    struct Pending {
      std::atomic<std::size_t> left{0};
      std::atomic<bool> recorded{true};
      std::function<void(bool)> done;
    };
    auto pending = std::make_shared<Pending>();
    pending->left = events.size();
    pending->done = std::move(done);
    for (auto& incoming : events) {
      deliver(std::move(incoming), [pending](bool recorded) {
        if (!recorded) pending->recorded = false;
        if (--pending->left == 0) pending->done(pending->recorded);
      });
    }
  }
};

// One message from the durable outbox.
struct OutboxMessage {
  std::string id;  // unique and stable across retries (Matrix uses it as the txnId)
  dialogs::Outgoing message;
  int attempt = 0;  // 0 for the first try
};

struct SendResult {
  enum class Kind { delivered, retry, permanent_failure };
  Kind kind = Kind::delivered;
  std::chrono::milliseconds retry_after{0};  // with retry: the platform's requested wait, or 0
  std::string detail;                        // error code or reason, for the log
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual std::string platform() const = 0;  // "slack", "matrix", "console"
  virtual void start(IncomingSink& sink) = 0;
  virtual void stop() = 0;
  virtual void send(const OutboxMessage& message, std::function<void(SendResult)> done) = 0;

  // Adds what the platform knows of the people in a recorded event (the sender's display name
  // and language, which mentions are bots) just before its turn runs, so that no look-up ever
  // holds up an acknowledgement. Calls `done` exactly once, from any thread; by default at once,
  // with the event as it is.
  virtual void complete(dialogs::Incoming incoming, std::function<void(dialogs::Incoming)> done) {
    done(std::move(incoming));
  }
};

}  // namespace prik::adapters
