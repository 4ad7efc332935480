// Server: a small asynchronous HTTP/1.1 server for webhooks (Slack's Events API) and health checks.
//
// The server runs on an io_context the caller owns and runs; each connection lives on its own
// strand. Requests are read with a header timeout, a body timeout and a body limit (413), and
// malformed requests get a 400, as does an HTTP/1.1 request without exactly one Host field. A
// client that sends `Expect: 100-continue` gets its 100 before it sends the body; any other
// expectation gets a 417. Keep-alive connections close after an idle timeout. A Handler
// answers each request by calling `respond` exactly once, from any thread, possibly later (after
// a database write, say); a handler that never answers gets a 503 after `handler_timeout`.
// Connections beyond `max_connections` are closed at once. stop() closes the listener, lets
// requests in flight finish until the grace deadline and then closes everything.
//
// The Handler must outlive the server's activity: destroy it only after stop() has reported
// `stopped`, or after the io_context has stopped running.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/http/error.hpp"

namespace boost::asio {
class io_context;
}

namespace prik::adapters::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The value of the first header called `name` (case-insensitive), or "" when absent.
std::string find_header(const Headers& headers, std::string_view name);

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent: "/slack/events?x=1"
  Headers headers;
  std::string body;
  std::string remote_address;

  std::string header(std::string_view name) const { return find_header(headers, name); }
  // The target's path: without its query, and without the scheme and host of the absolute form
  // ("http://host/healthz", as proxies send it).
  std::string path() const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // More header fields, after Server and Content-Type; Content-Length and Connection are the
  // server's. A field with a line break in it, or a colon in its name, is left out.
  Headers headers;

  static Response text(int status, std::string body);
  static Response json(int status, std::string body);
};

using Respond = std::function<void(Response)>;

class Handler {
 public:
  virtual ~Handler() = default;
  // Must call `respond` exactly once, from any thread, now or later.
  virtual void handle(Request request, Respond respond) = 0;
};

// Adapts a lambda to a Handler.
class FunctionHandler : public Handler {
 public:
  explicit FunctionHandler(std::function<void(Request, Respond)> function)
      : function_(std::move(function)) {}
  void handle(Request request, Respond respond) override {
    function_(std::move(request), std::move(respond));
  }

 private:
  std::function<void(Request, Respond)> function_;
};

// Dispatches on method and exact path; 404 for unknown paths, 405 for a known path with another
// method, with an Allow field that names the path's methods. A GET route answers HEAD too (the
// server sends the fields without the body). Routes are added before the server starts; handle() is
// then safe from any thread.
class Router : public Handler {
 public:
  void add(std::string method, std::string path, Handler& handler);
  void handle(Request request, Respond respond) override;

 private:
  struct Route {
    std::string method;
    std::string path;
    Handler* handler;
  };
  std::vector<Route> routes_;
};

struct ServerOptions {
  std::size_t body_limit = 1 << 20;                   // larger bodies get 413
  std::size_t header_limit = 16 << 10;                // larger headers get 431
  std::chrono::milliseconds header_timeout{10'000};   // first request: connect to end of headers
  std::chrono::milliseconds body_timeout{10'000};     // end of headers to end of body
  std::chrono::milliseconds idle_timeout{30'000};     // keep-alive wait for the next request
  std::chrono::milliseconds handler_timeout{10'000};  // handler's time to respond (then 503)
  std::chrono::milliseconds write_timeout{10'000};
  std::size_t max_connections = 256;
};

class Server {
 public:
  Server(boost::asio::io_context& io, Handler& handler, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting; port 0 picks a free port. Returns the bound port.
  Result<std::uint16_t> listen(const std::string& host, std::uint16_t port);

  // Stops accepting, closes idle connections now and busy ones after `grace`; calls `stopped`
  // (on the io_context) once every connection has ended.
  void stop(std::chrono::milliseconds grace, std::function<void()> stopped = {});

  std::size_t connection_count() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace prik::adapters::http
