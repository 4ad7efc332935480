// MatrixAdapter: Prik on a Matrix homeserver, through the Client-Server API (no SDK, no
// end-to-end encryption).
//
// start() loads the sync token, checks the access token (GET /account/whoami, which must name
// options.user_id) and then long-polls /sync with a filter that keeps only the events Prik uses.
// The decisions about each batch (which messages reach the core, which invites to accept, which
// rooms to leave) are RoomTracker's; the connection's life cycle is SyncMachine's. The token of
// a batch is saved (SyncTokenStore) only after the core has recorded every event of it, and only
// then is the next batch fetched. The first /sync after a restart asks for the full state, so that
// the adapter relearns who is in which room. A rejected access token stops the adapter for good:
// it logs why and calls options.on_stopped.
//
// send() puts an m.notice (plain body and HTML) with txnId = OutboxMessage::id, so a retried
// message is never shown twice. An empty Outgoing::conversation means the person's DM: the one
// the adapter knows, or a new one (POST /createRoom, then the m.direct account data is updated).
//
// Ownership: the io_context and the SyncTokenStore are not owned and must outlive the adapter's
// activity (until the io_context stops). Destroying the adapter stops it. Threads: every method
// may be called from any thread; all state lives on one strand of the io_context, and the sink,
// the token store's done and send's done are called from it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adapters/adapter.hpp"
#include "adapters/http/client.hpp"
#include "adapters/matrix/sync_machine.hpp"
#include "adapters/matrix/token_store.hpp"

namespace boost::asio {
class io_context;
}

namespace prik::adapters::matrix {

struct MatrixOptions {
  std::string homeserver_url;  // "https://matrix.example.org"
  std::string user_id;         // the bot: "@prik:example.org"
  std::string access_token;
  std::vector<std::string> allowed_servers;  // invites from other servers are declined; empty: any
  http::ClientOptions http;                  // CA file, timeouts, response size limit
  std::chrono::milliseconds sync_timeout{30'000};     // how long the server holds a /sync open
  std::chrono::milliseconds request_timeout{20'000};  // each call; a /sync gets sync_timeout more
  BackoffPolicy backoff;
  std::uint64_t seed = 0;  // for the backoff jitter; 0: random
  // Called once, from the strand, when the adapter stops by itself (the token was rejected).
  std::function<void(const std::string& reason)> on_stopped;
};

struct MatrixStatus {
  enum class State { idle, checking_token, syncing, stopped };
  State state = State::idle;
  std::string stop_reason;
  std::string since;  // the last saved sync token
  int failures_in_a_row = 0;
  std::uint64_t batches = 0;  // /sync batches recorded
};

class MatrixAdapter final : public Adapter {
 public:
  // Fails when the HTTP client cannot be set up (an unreadable CA file).
  static http::Result<std::unique_ptr<MatrixAdapter>> create(boost::asio::io_context& io,
                                                             MatrixOptions options,
                                                             SyncTokenStore& tokens);
  ~MatrixAdapter() override;
  MatrixAdapter(const MatrixAdapter&) = delete;
  MatrixAdapter& operator=(const MatrixAdapter&) = delete;

  std::string platform() const override { return "matrix"; }
  void start(IncomingSink& sink) override;
  void stop() override;
  void send(const OutboxMessage& message, std::function<void(SendResult)> done) override;

  // A snapshot, safe from any thread.
  MatrixStatus status() const;

  struct Core;

 private:
  explicit MatrixAdapter(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

}  // namespace prik::adapters::matrix
