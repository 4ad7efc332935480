#include "adapters/http/client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <cstdlib>
#include <filesystem>

#include "adapters/http/client_impl.hpp"

namespace prik::adapters::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

Error::Kind kind_of(const boost::system::error_code& ec, Error::Kind otherwise) {
  if (ec == beast::error::timeout) return Error::Kind::timeout;
  if (ec == asio::error::operation_aborted) return Error::Kind::cancelled;
  return otherwise;
}

std::string tls_failure(beast::ssl_stream<beast::tcp_stream>& stream,
                        const boost::system::error_code& ec) {
  const long verify = SSL_get_verify_result(stream.native_handle());
  if (verify != X509_V_OK) {
    return std::string("certificate rejected: ") + X509_verify_cert_error_string(verify);
  }
  return ec.message();
}

// Trusts the system's CAs. Where the system keeps them as a hashed directory (Debian's
// /etc/ssl/certs, or SSL_CERT_DIR), each is read when a chain first needs it: OpenSSL's default
// paths also parse the whole bundle file, about 1.4 MB that would stay for the life of the
// process. With SSL_CERT_FILE set, or no such directory, the default paths are used.
bool load_system_cas(SSL_CTX* context) {
  const char* dir_from_env = std::getenv(X509_get_default_cert_dir_env());
  const char* dir = dir_from_env ? dir_from_env : X509_get_default_cert_dir();
  std::error_code ec;
  if (std::getenv(X509_get_default_cert_file_env()) != nullptr ||
      (!dir_from_env && !std::filesystem::is_directory(dir, ec))) {
    return SSL_CTX_set_default_verify_paths(context) == 1;
  }
  return SSL_CTX_load_verify_dir(context, dir) == 1;
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// Reads or writes that fail this way on a reused connection mean the server closed it while idle.
bool is_stale_connection(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset ||
         ec == asio::error::eof || ec == asio::error::broken_pipe ||
         ec == asio::ssl::error::stream_truncated;
}

template <class Stream>
asio::awaitable<Result<ClientResponse>> exchange(Stream& stream, ClientConnection& connection,
                                                 bhttp::request<bhttp::string_body>& message,
                                                 Clock::time_point deadline,
                                                 std::size_t max_response_bytes, bool& stale,
                                                 bool& keep_alive) {
  // Named only when the exchange fails.
  const auto where = [&message] {
    return std::string(message.method_string()) + " " +
           std::string(message.find(bhttp::field::host)->value()) + std::string(message.target());
  };
  connection.lowest().expires_at(deadline);
  auto [write_error, written] = co_await bhttp::async_write(stream, message, use_tuple);
  if (write_error) {
    stale = is_stale_connection(write_error);
    co_return Error{kind_of(write_error, Error::Kind::io), where() + " (write)",
                    write_error.message()};
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_response_bytes);
  auto [read_error, read] =
      co_await bhttp::async_read(stream, connection.buffer, parser, use_tuple);
  if (read_error) {
    stale = read == 0 && is_stale_connection(read_error);
    const auto kind =
        read_error.category() == bhttp::make_error_code(bhttp::error::bad_target).category()
            ? Error::Kind::protocol
            : kind_of(read_error, Error::Kind::io);
    co_return Error{kind, where() + " (read)", read_error.message()};
  }
  auto& response = parser.get();
  ClientResponse result;
  result.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  result.body = std::move(response.body());
  keep_alive = response.keep_alive();
  co_return result;
}

}  // namespace

std::string Target::host_header() const {
  const bool default_port = (secure && port == "443") || (!secure && port == "80");
  const bool ipv6 = host.find(':') != std::string::npos;
  const std::string name = ipv6 ? "[" + host + "]" : host;
  return default_port ? name : name + ":" + port;
}

Result<Target> parse_target(std::string_view url, bool websocket) {
  const std::string where = "parse URL";
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Error{Error::Kind::invalid_argument, where, "not a URL: " + std::string(url)};
  Target target;
  const std::string scheme = parsed->scheme();
  if (scheme == (websocket ? "wss" : "https")) {
    target.secure = true;
  } else if (scheme != (websocket ? "ws" : "http")) {
    return Error{Error::Kind::invalid_argument, where, "unsupported scheme in " + std::string(url)};
  }
  target.host = parsed->encoded_host_address().decode();
  if (target.host.size() > 2 && target.host.front() == '[') {
    target.host = target.host.substr(1, target.host.size() - 2);
  }
  if (target.host.empty()) {
    return Error{Error::Kind::invalid_argument, where, "no host in " + std::string(url)};
  }
  target.port = parsed->has_port() ? std::string(parsed->port()) : (target.secure ? "443" : "80");
  target.path_and_query = std::string(parsed->encoded_path());
  if (target.path_and_query.empty()) target.path_and_query = "/";
  if (parsed->has_query()) target.path_and_query += "?" + std::string(parsed->encoded_query());
  return target;
}

beast::tcp_stream& ClientConnection::lowest() {
  return secure ? beast::get_lowest_layer(*secure) : *plain;
}

Client::Impl::Impl(asio::io_context& io_context, ClientOptions client_options)
    : io(io_context), options(std::move(client_options)) {}

Result<asio::ssl::context*> Client::Impl::tls_context() {
  std::lock_guard lock(tls_mutex);
  if (tls) return &*tls;
  const std::string where = "TLS setup";
  asio::ssl::context context(asio::ssl::context::tls_client);
  boost::system::error_code ec;
  context.set_verify_mode(asio::ssl::verify_peer, ec);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  if (options.use_system_ca_store && !load_system_cas(context.native_handle())) {
    return Error{Error::Kind::tls, where, "cannot load the system CA store"};
  }
  if (!options.ca_file.empty()) {
    if (context.load_verify_file(options.ca_file.string(), ec); ec) {
      return Error{Error::Kind::tls, where,
                   "cannot load CA file " + options.ca_file.string() + ": " + ec.message()};
    }
  }
  return &tls.emplace(std::move(context));
}

asio::awaitable<Result<std::unique_ptr<ClientConnection>>> Client::Impl::connect(
    const Target& target, Clock::time_point deadline) {
  using namespace asio::experimental::awaitable_operators;
  const std::string where = "connect " + target.host + ":" + target.port;
  auto executor = co_await asio::this_coro::executor;

  tcp::resolver resolver(executor);
  asio::steady_timer resolve_deadline(executor, deadline);
  auto resolved = co_await (resolver.async_resolve(target.host, target.port, use_tuple) ||
                            resolve_deadline.async_wait(use_tuple));
  if (resolved.index() == 1) co_return Error{Error::Kind::timeout, where, "resolving timed out"};
  auto [resolve_error, endpoints] = std::get<0>(resolved);
  if (resolve_error) co_return Error{Error::Kind::resolve, where, resolve_error.message()};

  beast::tcp_stream stream(executor);
  stream.expires_at(deadline);
  auto [connect_error, endpoint] = co_await stream.async_connect(endpoints, use_tuple);
  if (connect_error) {
    co_return Error{kind_of(connect_error, Error::Kind::connect), where, connect_error.message()};
  }
  boost::system::error_code ignored;
  stream.socket().set_option(tcp::no_delay(true), ignored);
  ++opened;

  auto connection = std::make_unique<ClientConnection>();
  if (!target.secure) {
    connection->plain.emplace(std::move(stream));
    co_return connection;
  }
  const auto tls = tls_context();
  if (!tls) co_return tls.error();
  auto& secure = connection->secure.emplace(std::move(stream), **tls);
  SSL* ssl = secure.native_handle();
  if (is_ip_literal(target.host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), target.host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, target.host.c_str());
    SSL_set1_host(ssl, target.host.c_str());
  }
  auto [handshake_error] =
      co_await secure.async_handshake(asio::ssl::stream_base::client, use_tuple);
  if (handshake_error) {
    co_return Error{kind_of(handshake_error, Error::Kind::tls), where + " (TLS)",
                    tls_failure(secure, handshake_error)};
  }
  co_return connection;
}

std::unique_ptr<ClientConnection> Client::Impl::take_idle(const std::string& origin) {
  std::lock_guard lock(mutex);
  const auto now = Clock::now();
  for (auto it = idle.find(origin); it != idle.end() && it->first == origin;) {
    auto connection = std::move(it->second);
    it = idle.erase(it);
    if (now - connection->idle_since < options.max_idle_time) return connection;
  }
  return nullptr;
}

void Client::Impl::give_back(const std::string& origin,
                             std::unique_ptr<ClientConnection> connection) {
  std::lock_guard lock(mutex);
  if (idle.count(origin) >= options.max_idle_per_host) return;
  connection->idle_since = Clock::now();
  idle.emplace(origin, std::move(connection));
}

asio::awaitable<Result<ClientResponse>> Client::Impl::run(
    ClientRequest request, Target target, std::unique_ptr<ClientConnection> connection) {
  auto self = shared_from_this();
  const auto timeout = request.timeout.count() > 0 ? request.timeout : options.default_timeout;
  const auto deadline = Clock::now() + timeout;

  bhttp::request<bhttp::string_body> message;
  message.method_string(request.method);
  message.target(target.path_and_query);
  message.version(11);
  message.set(bhttp::field::host, target.host_header());
  message.set(bhttp::field::user_agent, options.user_agent);
  for (const auto& [name, value] : request.headers) message.set(name, value);
  if (!request.content_type.empty()) message.set(bhttp::field::content_type, request.content_type);
  message.body() = std::move(request.body);
  message.keep_alive(true);
  message.prepare_payload();

  for (int attempt = 0;; ++attempt) {
    const bool reused = connection != nullptr;
    if (!connection) {
      auto connected = co_await connect(target, deadline);
      if (!connected) co_return connected.error();
      connection = std::move(connected.value());
    }
    bool stale = false;
    bool keep_alive = false;
    // Two statements, not a conditional expression: GCC 12 miscompiles co_await inside ?:.
    Result<ClientResponse> result;
    if (connection->secure) {
      result = co_await exchange(*connection->secure, *connection, message, deadline,
                                 options.max_response_bytes, stale, keep_alive);
    } else {
      result = co_await exchange(*connection->plain, *connection, message, deadline,
                                 options.max_response_bytes, stale, keep_alive);
    }
    if (result) {
      if (keep_alive) give_back(target.origin(), std::move(connection));
      co_return result;
    }
    connection.reset();
    if (!(reused && stale && attempt == 0)) co_return result;
    spdlog::debug("http client: kept-alive connection to {} was closed, reconnecting", target.host);
  }
}

Result<std::unique_ptr<Client>> Client::create(asio::io_context& io, ClientOptions options) {
  auto impl = std::make_shared<Impl>(io, std::move(options));
  if (!impl->options.ca_file.empty()) {
    if (const auto tls = impl->tls_context(); !tls) return tls.error();
  }
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Client::Client(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Client::~Client() {
  std::lock_guard lock(impl_->mutex);
  impl_->idle.clear();
}

void Client::request(ClientRequest request, ResponseCallback callback) {
  auto target = parse_target(request.url, /*websocket=*/false);
  if (!target) {
    asio::post(impl_->io,
               [callback = std::move(callback), error = target.error()] { callback(error); });
    return;
  }
  auto connection = impl_->take_idle(target->origin());
  auto executor = connection ? connection->lowest().get_executor()
                             : asio::any_io_executor(asio::make_strand(impl_->io));
  asio::co_spawn(
      executor, impl_->run(std::move(request), std::move(target.value()), std::move(connection)),
      [callback = std::move(callback)](std::exception_ptr error, Result<ClientResponse> result) {
        if (error) {
          callback(Error{Error::Kind::io, "http client", "unexpected exception"});
          return;
        }
        callback(std::move(result));
      });
}

std::size_t Client::connections_opened() const { return impl_->opened.load(); }

}  // namespace prik::adapters::http
