// WebSocket: a client WebSocket (ws:// or wss://) for text messages, connected through a
// Client's TLS settings (chain and host name verified, SNI).
//
// The connection sends pings when idle and closes itself when the peer stays silent past
// `idle_timeout`; a read then fails. Reads are one at a time; writes are queued in order, at most
// `max_queued_writes` (beyond that the connection is closed, since a peer that does not read is
// gone). All methods are safe from any thread; callbacks run on the connection's strand. The
// Client must outlive the WebSocket.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "adapters/http/client.hpp"
#include "adapters/http/error.hpp"

namespace prik::adapters::http {

struct WebSocketOptions {
  std::chrono::milliseconds connect_timeout{10'000};  // resolve, connect, TLS and upgrade
  std::chrono::milliseconds idle_timeout{30'000};     // silence after which the link is dead
  std::size_t max_message_bytes = 1 << 20;
  std::size_t max_queued_writes = 256;
};

class WebSocket {
 public:
  struct Impl;

  static void connect(Client& client, const std::string& url, WebSocketOptions options,
                      std::function<void(Result<std::shared_ptr<WebSocket>>)> done);

  explicit WebSocket(std::shared_ptr<Impl> impl);
  ~WebSocket();

  // The next text message.
  void read(std::function<void(Result<std::string>)> done);
  void write(std::string text, std::function<void(Result<Done>)> done = {});
  // A close handshake (bounded by a short timeout); pending reads fail with `cancelled`.
  void close();

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace prik::adapters::http
