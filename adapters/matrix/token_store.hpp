// SyncTokenStore: where the Matrix adapter keeps its /sync position (next_batch) across restarts.
//
// Implemented by the bot core over its durable store. The adapter saves a batch's token only
// after the core has recorded every event of that batch (IncomingSink::deliver_all answered
// true), so a crash between the two replays the batch, and the core's dedupe by event id
// makes that harmless; an event is never skipped. An empty token means the bot has never synced:
// the first sync then answers no old messages.
//
// Threads: load() is called once, from start(); save() from the adapter's strand, and `done` may
// be called from any thread. save() calls are never concurrent: the next one waits for `done`.
#pragma once

#include <functional>
#include <string>

namespace prik::adapters::matrix {

class SyncTokenStore {
 public:
  virtual ~SyncTokenStore() = default;
  // The token saved last; empty when none was ever saved.
  virtual std::string load() = 0;
  // Durably records `token`, then calls done(true); done(false) when it could not.
  virtual void save(std::string token, std::function<void(bool saved)> done) = 0;
};

}  // namespace prik::adapters::matrix
