#include "adapters/http/server.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <list>
#include <mutex>
#include <optional>
#include <tuple>

namespace prik::adapters::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// A connection's read buffer starts with room for a typical request (a Slack event is 1-4 KiB):
// Beast reads at most what the buffer has room for, 512 bytes while it is empty, so a small
// buffer splits each request over several reads.
constexpr std::size_t kReadBuffer = 8 << 10;

// Ends of a connection that are part of normal life, not worth a warning.
bool is_expected_close(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
         ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
         ec == asio::error::eof || ec == asio::error::bad_descriptor ||
         ec == asio::error::broken_pipe;
}

// A line break in a name or value would end its field early, and the rest would pass for fields
// or a body of its own; a colon in a name would move the rest of the name into the value.
bool is_safe_field(std::string_view name, std::string_view value) {
  return name.find_first_of("\r\n:") == std::string_view::npos && !name.empty() &&
         value.find_first_of("\r\n") == std::string_view::npos;
}

// The status line and header fields of a response, up to the empty line that ends them. Written
// here, in 0.1 µs, rather than by Beast's serializer (1 µs, and it passes line breaks in values
// through).
std::string response_head(const Response& response, bool keep_alive) {
  std::string head;
  head.reserve(160);
  const auto add_field = [&head](std::string_view name, std::string_view value) {
    if (!is_safe_field(name, value)) {
      spdlog::error("http server: left out the malformed response header {:?}", name);
      return;
    }
    head.append(name).append(": ").append(value).append("\r\n");
  };
  head.append("HTTP/1.1 ").append(std::to_string(response.status)).append(" ");
  head.append(bhttp::obsolete_reason(static_cast<bhttp::status>(response.status))).append("\r\n");
  add_field("Server", "prik");
  add_field("Content-Type", response.content_type);
  for (const auto& [name, value] : response.headers) add_field(name, value);
  add_field("Content-Length", std::to_string(response.body.size()));
  if (!keep_alive) add_field("Connection", "close");
  head.append("\r\n");
  return head;
}

// What a request's header alone makes unanswerable (RFC 9110 §10.1.1, RFC 9112 §3.2), before its
// body is read: an HTTP/1.1 request needs exactly one Host field, and the only expectation a
// server knows is 100-continue (HTTP/1.0 clients cannot ask for it, so theirs is ignored).
std::optional<Response> refuse_header(const bhttp::request_header<>& header) {
  const std::size_t hosts = header.count(bhttp::field::host);
  if (hosts > 1 || (hosts == 0 && header.version() >= 11)) {
    return Response::text(400, "a request needs exactly one Host header\n");
  }
  const auto expect = header.find(bhttp::field::expect);
  if (expect != header.end() && header.version() >= 11 &&
      !beast::iequals(expect->value(), "100-continue")) {
    return Response::text(417, "only the expectation 100-continue can be met\n");
  }
  return std::nullopt;
}

// A client that sent `Expect: 100-continue` waits for this before it sends the body (curl for a
// second, then sends it anyway).
bool awaits_continue(const bhttp::request_parser<bhttp::string_body>& parser) {
  const auto& header = parser.get();
  return header.version() >= 11 && !parser.is_done() &&
         beast::iequals(header[bhttp::field::expect], "100-continue");
}

}  // namespace

std::string find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return value;  // ASCII, as header names are
  }
  return {};
}

std::string Request::path() const {
  // Clients send the origin form ("/slack/events?x=1"); a server must also take the absolute form
  // ("http://host/slack/events") that proxies send (RFC 9112 §3.2.2).
  if (const auto origin = boost::urls::parse_origin_form(target)) {
    return std::string(origin->encoded_path());
  }
  if (const auto absolute = boost::urls::parse_absolute_uri(target)) {
    const auto path = absolute->encoded_path();
    return path.empty() ? "/" : std::string(path);
  }
  return target.substr(0, target.find('?'));
}

Response Response::text(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response Response::json(int status, std::string body) {
  Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(body);
  return response;
}

void Router::add(std::string method, std::string path, Handler& handler) {
  routes_.push_back(Route{std::move(method), std::move(path), &handler});
}

void Router::handle(Request request, Respond respond) {
  const std::string path = request.path();
  std::string allowed;  // the path's methods, for the Allow field of a 405
  for (const auto& route : routes_) {
    if (route.path != path) continue;
    // HEAD asks for what GET would answer, and the server leaves out the body.
    if (route.method == request.method || (route.method == "GET" && request.method == "HEAD")) {
      route.handler->handle(std::move(request), std::move(respond));
      return;
    }
    allowed.append(allowed.empty() ? "" : ", ").append(route.method);
    if (route.method == "GET") allowed.append(", HEAD");
  }
  if (allowed.empty()) return respond(Response::text(404, "not found\n"));
  auto response = Response::text(405, "method not allowed\n");
  response.headers.emplace_back("Allow", std::move(allowed));
  respond(std::move(response));
}

// One accepted connection. `busy` is only touched on the connection's strand.
struct ServerConnection {
  explicit ServerConnection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool busy = false;
};

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& io_context, Handler& request_handler, ServerOptions server_options)
      : io(io_context),
        handler(request_handler),
        options(server_options),
        acceptor(asio::make_strand(io_context)),
        grace_timer(acceptor.get_executor()) {}

  asio::io_context& io;
  Handler& handler;
  ServerOptions options;
  tcp::acceptor acceptor;
  asio::steady_timer grace_timer;

  mutable std::mutex mutex;  // guards connections, stopping, stopped_callback
  std::list<std::weak_ptr<ServerConnection>> connections;
  bool stopping = false;
  bool accepting = false;
  std::function<void()> stopped_callback;

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(std::shared_ptr<ServerConnection> connection);
  asio::awaitable<Response> call_handler(Request request);
  void close_connections(bool only_idle);
  void connection_ended(std::list<std::weak_ptr<ServerConnection>>::iterator position);
  void accept_loop_ended();
  void notify_if_stopped(std::unique_lock<std::mutex>& lock);
};

asio::awaitable<void> Server::Impl::accept_loop() {
  auto self = shared_from_this();
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), use_tuple);
    if (ec) {
      if (ec != asio::error::operation_aborted)
        spdlog::error("http server: accept: {}", ec.message());
      break;
    }
    std::unique_lock lock(mutex);
    if (stopping) break;
    if (connections.size() >= options.max_connections) {
      lock.unlock();
      spdlog::warn("http server: {} connections open, refusing one more", options.max_connections);
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    // An answer goes out as soon as it is written, never held back by Nagle's algorithm until
    // the client acknowledges the previous one (a delayed ACK takes up to 40 ms).
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto executor = socket.get_executor();
    auto connection = std::make_shared<ServerConnection>(std::move(socket));
    connections.push_front(connection);
    auto position = connections.begin();
    lock.unlock();
    asio::co_spawn(executor, serve(connection), [self, position](std::exception_ptr error) {
      if (error) spdlog::error("http server: connection ended by an exception");
      self->connection_ended(position);
    });
  }
  accept_loop_ended();
}

asio::awaitable<Response> Server::Impl::call_handler(Request request) {
  struct Pending {
    explicit Pending(asio::any_io_executor executor) : timer(executor) {}
    asio::steady_timer timer;
    std::optional<Response> response;
  };
  auto executor = co_await asio::this_coro::executor;
  auto pending = std::make_shared<Pending>(executor);
  pending->timer.expires_after(options.handler_timeout);
  try {
    handler.handle(std::move(request), [pending, executor](Response response) {
      asio::post(executor, [pending, response = std::move(response)]() mutable {
        if (pending->response) return;
        pending->response = std::move(response);
        pending->timer.cancel();
      });
    });
  } catch (const std::exception& error) {
    spdlog::error("http server: handler threw: {}", error.what());
    co_return Response::text(500, "internal error\n");
  }
  co_await pending->timer.async_wait(use_tuple);
  if (!pending->response) {
    spdlog::warn("http server: handler did not answer within {} ms",
                 options.handler_timeout.count());
    pending->response = Response::text(503, "busy, try again\n");
  }
  co_return std::move(*pending->response);
}

asio::awaitable<void> Server::Impl::serve(std::shared_ptr<ServerConnection> connection) {
  auto& stream = connection->stream;
  beast::flat_buffer buffer;
  buffer.reserve(kReadBuffer);
  std::string remote;
  {
    boost::system::error_code ec;
    const auto endpoint = stream.socket().remote_endpoint(ec);
    if (!ec) remote = endpoint.address().to_string();
  }
  bool first = true;
  bool linger = false;  // the peer may still be sending: drain before closing
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(options.body_limit);
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));

    stream.expires_after(first ? options.header_timeout : options.idle_timeout);
    // Byte counts are not needed: the parser knows where the request ends.
    boost::system::error_code read_error;
    std::tie(read_error, std::ignore) =
        co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
    std::optional<Response> rejection;
    if (!read_error) {
      connection->busy = true;
      rejection = refuse_header(parser.get());
    }
    if (!read_error && !rejection && awaits_continue(parser)) {
      static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
      stream.expires_after(options.write_timeout);
      std::tie(read_error, std::ignore) =
          co_await asio::async_write(stream, asio::buffer(go_on), use_tuple);
    }
    if (!read_error && !rejection) {
      stream.expires_after(options.body_timeout);
      std::tie(read_error, std::ignore) =
          co_await bhttp::async_read(stream, buffer, parser, use_tuple);
    }
    if (read_error == bhttp::error::body_limit) {
      rejection = Response::text(413, "request body too large\n");
    } else if (read_error == bhttp::error::header_limit) {
      rejection = Response::text(431, "request header too large\n");
    } else if (read_error && read_error != bhttp::error::partial_message &&
               read_error.category() ==
                   bhttp::make_error_code(bhttp::error::bad_target).category()) {
      rejection = Response::text(400, "malformed request\n");
    } else if (read_error) {
      if (!is_expected_close(read_error)) {
        spdlog::warn("http server: read from {}: {}", remote, read_error.message());
      }
      break;
    }

    Response response;
    bool keep_alive = false;
    bool head_only = false;  // a HEAD request: the fields a GET would get, without the body
    if (rejection) {
      response = std::move(*rejection);
      linger = true;
    } else {
      auto& message = parser.get();
      Request request;
      request.method = std::string(message.method_string());
      request.target = std::string(message.target());
      for (const auto& field : message) {
        request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      request.body = std::move(message.body());
      request.remote_address = remote;
      keep_alive = message.keep_alive();
      head_only = message.method() == bhttp::verb::head;
      response = co_await call_handler(std::move(request));
    }
    {
      std::lock_guard lock(mutex);
      if (stopping) keep_alive = false;
    }

    const std::string head = response_head(response, keep_alive);
    const std::array<asio::const_buffer, 2> out{
        asio::buffer(head),
        asio::buffer(response.body.data(), head_only ? 0 : response.body.size())};
    stream.expires_after(options.write_timeout);
    auto [write_error, written] = co_await asio::async_write(stream, out, use_tuple);
    connection->busy = false;
    if (write_error) {
      if (!is_expected_close(write_error)) {
        spdlog::warn("http server: write to {}: {}", remote, write_error.message());
      }
      break;
    }
    if (!keep_alive) break;
    first = false;
  }

  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  if (linger) {
    // Closing with unread bytes would reset the connection and could destroy the error response
    // before the client reads it; read and discard briefly instead.
    std::array<char, 4096> discard;
    stream.expires_after(std::chrono::seconds(1));
    for (std::size_t drained = 0; drained < (1u << 20);) {
      auto [drain_error, n] = co_await stream.async_read_some(asio::buffer(discard), use_tuple);
      if (drain_error) break;
      drained += n;
    }
  }
  stream.socket().close(ignored);
}

void Server::Impl::close_connections(bool only_idle) {
  std::lock_guard lock(mutex);
  for (const auto& weak : connections) {
    auto connection = weak.lock();
    if (!connection) continue;
    asio::post(connection->stream.get_executor(), [connection, only_idle] {
      if (only_idle && connection->busy) return;
      connection->stream.cancel();
      boost::system::error_code ignored;
      connection->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }
}

void Server::Impl::connection_ended(std::list<std::weak_ptr<ServerConnection>>::iterator position) {
  std::unique_lock lock(mutex);
  connections.erase(position);
  notify_if_stopped(lock);
}

void Server::Impl::accept_loop_ended() {
  std::unique_lock lock(mutex);
  accepting = false;
  notify_if_stopped(lock);
}

void Server::Impl::notify_if_stopped(std::unique_lock<std::mutex>& lock) {
  if (!stopping || accepting || !connections.empty() || !stopped_callback) return;
  auto callback = std::move(stopped_callback);
  stopped_callback = nullptr;
  lock.unlock();
  asio::post(acceptor.get_executor(), [self = shared_from_this(), callback = std::move(callback)] {
    self->grace_timer.cancel();
    asio::post(self->io, callback);
  });
}

Server::Server(asio::io_context& io, Handler& handler, ServerOptions options)
    : impl_(std::make_shared<Impl>(io, handler, options)) {}

Server::~Server() {
  std::lock_guard lock(impl_->mutex);
  if (!impl_->stopping) {
    impl_->stopping = true;
    asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
      boost::system::error_code ignored;
      impl->acceptor.close(ignored);
    });
  }
}

Result<std::uint16_t> Server::listen(const std::string& host, std::uint16_t port) {
  const std::string where = "listen on " + host + ":" + std::to_string(port);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) return Error{Error::Kind::invalid_argument, where, "not an IP address: " + host};
  const tcp::endpoint endpoint(address, port);
  auto& acceptor = impl_->acceptor;
  if (acceptor.open(endpoint.protocol(), ec); ec) {
    return Error{Error::Kind::connect, where, ec.message()};
  }
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor.bind(endpoint, ec); ec) return Error{Error::Kind::connect, where, ec.message()};
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return Error{Error::Kind::connect, where, ec.message()};
  }
  const auto bound = acceptor.local_endpoint(ec).port();
  {
    std::lock_guard lock(impl_->mutex);
    impl_->accepting = true;
  }
  asio::co_spawn(acceptor.get_executor(), impl_->accept_loop(), asio::detached);
  spdlog::info("http server: listening on {}:{}", host, bound);
  return bound;
}

void Server::stop(std::chrono::milliseconds grace, std::function<void()> stopped) {
  auto impl = impl_;
  {
    std::unique_lock lock(impl->mutex);
    impl->stopping = true;
    impl->stopped_callback = std::move(stopped);
    asio::post(impl->acceptor.get_executor(), [impl] {
      boost::system::error_code ignored;
      impl->acceptor.close(ignored);
    });
  }
  asio::post(impl->acceptor.get_executor(), [impl, grace] {
    impl->grace_timer.expires_after(grace);
    impl->grace_timer.async_wait([impl](boost::system::error_code ec) {
      if (!ec) impl->close_connections(/*only_idle=*/false);
    });
  });
  impl->close_connections(/*only_idle=*/true);
  std::unique_lock lock(impl->mutex);
  impl->notify_if_stopped(lock);
}

std::size_t Server::connection_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->connections.size();
}

}  // namespace prik::adapters::http
