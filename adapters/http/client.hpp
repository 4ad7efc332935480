// Client: an asynchronous HTTP/1.1 client for http:// and https:// URLs, with kept-alive
// connections reused across requests.
//
// TLS always verifies the certificate chain (against the system CA store and/or an extra CA file)
// and the host name, and sends SNI. Every request has one overall deadline covering resolve,
// connect, handshake, write and read. A connection that was idle in the pool and turns out to be
// closed by the server is replaced once, transparently.
//
// Create with Client::create(); the Client must outlive its requests' callbacks. request() is
// safe to call from any thread; callbacks run on the io_context, on the connection's strand.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "adapters/http/error.hpp"
#include "adapters/http/server.hpp"

namespace boost::asio {
class io_context;
}

namespace prik::adapters::http {

struct ClientOptions {
  bool use_system_ca_store = true;
  std::filesystem::path ca_file;  // extra trusted CA certificates (PEM); empty: none
  std::chrono::milliseconds default_timeout{10'000};
  std::size_t max_idle_per_host = 4;
  std::chrono::milliseconds max_idle_time{
      50'000};  // pooled connections older than this are dropped
  std::size_t max_response_bytes = 8 << 20;
  std::string user_agent = "prik";
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;  // http://host[:port]/path?query or https://...
  Headers headers;
  std::string content_type;  // set when there is a body
  std::string body;
  std::chrono::milliseconds timeout{0};  // 0: ClientOptions::default_timeout
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;

  std::string header(std::string_view name) const { return find_header(headers, name); }
};

using ResponseCallback = std::function<void(Result<ClientResponse>)>;

class Client {
 public:
  // Fails when the CA file cannot be loaded.
  static Result<std::unique_ptr<Client>> create(boost::asio::io_context& io,
                                                ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void request(ClientRequest request, ResponseCallback callback);

  // Connections opened so far (a measure of reuse).
  std::size_t connections_opened() const;

  struct Impl;

 private:
  friend class WebSocket;  // connects through the same TLS settings
  explicit Client(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace prik::adapters::http
