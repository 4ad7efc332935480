// Client::Impl: the client's connection plumbing (URL targets, resolve, connect, TLS handshake,
// the idle pool), shared by client.cpp and websocket.cpp. Internal to adapters/http: it includes
// Asio and Beast, so nothing outside this folder includes it.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "adapters/http/client.hpp"

namespace prik::adapters::http {

using Clock = std::chrono::steady_clock;

// Where a URL points.
struct Target {
  bool secure = false;  // https:// or wss://
  std::string host;
  std::string port;
  std::string path_and_query;  // "/" at least

  std::string origin() const { return (secure ? "s:" : "p:") + host + ":" + port; }
  std::string host_header() const;
};

// Accepts http/https (or ws/wss when `websocket`).
Result<Target> parse_target(std::string_view url, bool websocket);

struct ClientConnection {
  // Room for a typical answer in one read: Beast reads at most what the buffer has room for, 512
  // bytes while it is empty (a Slack answer is often 1-2 KiB).
  static constexpr std::size_t kReadBuffer = 4 << 10;

  ClientConnection() { buffer.reserve(kReadBuffer); }

  std::optional<boost::beast::tcp_stream> plain;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> secure;
  boost::beast::flat_buffer buffer;
  Clock::time_point idle_since;

  boost::beast::tcp_stream& lowest();
};

struct Client::Impl : std::enable_shared_from_this<Client::Impl> {
  Impl(boost::asio::io_context& io_context, ClientOptions client_options);

  boost::asio::io_context& io;
  ClientOptions options;
  std::atomic<std::size_t> opened{0};

  // The TLS settings, made by the first https (or wss) connection -- or by create() when a CA file
  // is given, so that a bad one fails at once: a client that only ever speaks plain HTTP never
  // initialises OpenSSL's algorithms nor parses the CA store (a few MB of memory).
  Result<boost::asio::ssl::context*> tls_context();
  std::mutex tls_mutex;  // guards tls
  std::optional<boost::asio::ssl::context> tls;

  std::mutex mutex;  // guards idle
  std::multimap<std::string, std::unique_ptr<ClientConnection>> idle;

  // Resolves, connects and (for secure targets) completes a verified TLS handshake.
  boost::asio::awaitable<Result<std::unique_ptr<ClientConnection>>> connect(
      const Target& target, Clock::time_point deadline);

  std::unique_ptr<ClientConnection> take_idle(const std::string& origin);
  void give_back(const std::string& origin, std::unique_ptr<ClientConnection> connection);

  boost::asio::awaitable<Result<ClientResponse>> run(ClientRequest request, Target target,
                                                     std::unique_ptr<ClientConnection> connection);
};

}  // namespace prik::adapters::http
