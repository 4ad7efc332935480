#include "adapters/http/websocket.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <optional>

#include "adapters/http/client_impl.hpp"

namespace prik::adapters::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

Error failure(const boost::system::error_code& ec, const std::string& where) {
  if (ec == beast::error::timeout) return Error{Error::Kind::timeout, where, ec.message()};
  if (ec == asio::error::operation_aborted)
    return Error{Error::Kind::cancelled, where, ec.message()};
  if (ec == websocket::error::closed) return Error{Error::Kind::cancelled, where, "closed by peer"};
  return Error{Error::Kind::io, where, ec.message()};
}

}  // namespace

struct WebSocket::Impl {
  virtual ~Impl() = default;
  virtual void read(std::function<void(Result<std::string>)> done) = 0;
  virtual void write(std::string text, std::function<void(Result<Done>)> done) = 0;
  virtual void close() = 0;
};

namespace {

// One WebSocket over a plain or TLS stream; everything runs on the stream's strand.
template <class NextLayer>
class Socket : public WebSocket::Impl, public std::enable_shared_from_this<Socket<NextLayer>> {
 public:
  Socket(NextLayer&& next, WebSocketOptions options) : ws_(std::move(next)), options_(options) {}

  asio::awaitable<std::optional<Error>> handshake(const Target& target,
                                                  Clock::time_point deadline) {
    beast::get_lowest_layer(ws_).expires_at(deadline);
    ws_.read_message_max(options_.max_message_bytes);
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set(beast::http::field::user_agent, "prik");
    }));
    auto [ec] =
        co_await ws_.async_handshake(target.host_header(), target.path_and_query, use_tuple);
    if (ec) co_return failure(ec, "WebSocket upgrade " + target.host);
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(5);  // also bounds the close handshake
    timeouts.idle_timeout = options_.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    co_return std::nullopt;
  }

  void read(std::function<void(Result<std::string>)> done) override {
    asio::co_spawn(ws_.get_executor(), read_one(this->shared_from_this(), std::move(done)),
                   asio::detached);
  }

  void write(std::string text, std::function<void(Result<Done>)> done) override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this(), text = std::move(text),
                                    done = std::move(done)]() mutable {
      if (self->closing_) {
        if (done) done(Error{Error::Kind::cancelled, "WebSocket write", "connection closing"});
        return;
      }
      if (self->queue_.size() >= self->options_.max_queued_writes) {
        spdlog::warn("websocket: {} writes queued, the peer is not reading: closing",
                     self->queue_.size());
        if (done) done(Error{Error::Kind::io, "WebSocket write", "write queue full"});
        self->start_close();
        return;
      }
      self->queue_.push_back({std::move(text), std::move(done)});
      if (!self->writing_) {
        self->writing_ = true;
        asio::co_spawn(self->ws_.get_executor(), write_all(self), asio::detached);
      }
    });
  }

  void close() override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this()] { self->start_close(); });
  }

 private:
  struct PendingWrite {
    std::string text;
    std::function<void(Result<Done>)> done;
  };

  static asio::awaitable<void> read_one(std::shared_ptr<Socket> self,
                                        std::function<void(Result<std::string>)> done) {
    self->buffer_.clear();
    auto [ec, bytes] = co_await self->ws_.async_read(self->buffer_, use_tuple);
    if (ec) {
      done(failure(ec, "WebSocket read"));
      co_return;
    }
    done(beast::buffers_to_string(self->buffer_.data()));
  }

  static asio::awaitable<void> write_all(std::shared_ptr<Socket> self) {
    while (!self->queue_.empty()) {
      auto next = std::move(self->queue_.front());
      self->queue_.pop_front();
      self->ws_.text(true);
      auto [ec, written] = co_await self->ws_.async_write(asio::buffer(next.text), use_tuple);
      if (next.done) {
        if (ec) {
          next.done(failure(ec, "WebSocket write"));
        } else {
          next.done(Done{});
        }
      }
      if (ec) {
        for (auto& pending : self->queue_) {
          if (pending.done) pending.done(failure(ec, "WebSocket write"));
        }
        self->queue_.clear();
      }
    }
    self->writing_ = false;
    if (self->closing_) co_await close_now(self);
  }

  void start_close() {
    if (closing_) return;
    closing_ = true;
    if (!writing_)
      asio::co_spawn(ws_.get_executor(), close_now(this->shared_from_this()), asio::detached);
  }

  static asio::awaitable<void> close_now(std::shared_ptr<Socket> self) {
    if (!self->ws_.is_open()) co_return;
    auto [ec] = co_await self->ws_.async_close(websocket::close_code::normal, use_tuple);
    if (ec) {
      boost::system::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
    }
  }

  websocket::stream<NextLayer> ws_;
  WebSocketOptions options_;
  beast::flat_buffer buffer_;
  std::deque<PendingWrite> queue_;
  bool writing_ = false;
  bool closing_ = false;
};

template <class NextLayer>
asio::awaitable<Result<std::shared_ptr<WebSocket>>> upgrade(NextLayer&& next, const Target& target,
                                                            WebSocketOptions options,
                                                            Clock::time_point deadline) {
  auto socket = std::make_shared<Socket<NextLayer>>(std::move(next), options);
  if (auto error = co_await socket->handshake(target, deadline)) co_return *error;
  co_return std::make_shared<WebSocket>(socket);
}

asio::awaitable<Result<std::shared_ptr<WebSocket>>> open(std::shared_ptr<Client::Impl> client,
                                                         Target target, WebSocketOptions options) {
  const auto deadline = Clock::now() + options.connect_timeout;
  auto connected = co_await client->connect(target, deadline);
  if (!connected) co_return connected.error();
  auto& connection = *connected.value();
  if (connection.secure) {
    co_return co_await upgrade(std::move(*connection.secure), target, options, deadline);
  }
  co_return co_await upgrade(std::move(*connection.plain), target, options, deadline);
}

}  // namespace

void WebSocket::connect(Client& client, const std::string& url, WebSocketOptions options,
                        std::function<void(Result<std::shared_ptr<WebSocket>>)> done) {
  auto target = parse_target(url, /*websocket=*/true);
  auto& io = client.impl_->io;
  if (!target) {
    asio::post(io, [done = std::move(done), error = target.error()] { done(error); });
    return;
  }
  asio::co_spawn(asio::make_strand(io), open(client.impl_, std::move(target.value()), options),
                 [done = std::move(done)](std::exception_ptr error,
                                          Result<std::shared_ptr<WebSocket>> result) {
                   if (error) {
                     done(Error{Error::Kind::io, "WebSocket connect", "unexpected exception"});
                     return;
                   }
                   done(std::move(result));
                 });
}

WebSocket::WebSocket(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebSocket::~WebSocket() = default;

void WebSocket::read(std::function<void(Result<std::string>)> done) {
  impl_->read(std::move(done));
}

void WebSocket::write(std::string text, std::function<void(Result<Done>)> done) {
  impl_->write(std::move(text), std::move(done));
}

void WebSocket::close() { impl_->close(); }

}  // namespace prik::adapters::http
