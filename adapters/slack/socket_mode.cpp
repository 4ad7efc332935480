#include "adapters/slack/socket_mode.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace prik::adapters::slack {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

std::string string_field(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

struct SocketModeClient::Impl : std::enable_shared_from_this<SocketModeClient::Impl> {
  Impl(asio::io_context& io, http::Client& http_client, WebApi& web_api,
       SocketModeOptions client_options, std::function<BotIdentity()> bot_identity,
       std::function<void(ClickedMessage)> on_click_recorded)
      : strand(asio::make_strand(io)),
        timer(strand),
        client(http_client),
        api(web_api),
        options(client_options),
        identity(std::move(bot_identity)),
        click_recorded(std::move(on_click_recorded)),
        reconnector(client_options.reconnect) {}

  asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer timer;
  http::Client& client;
  WebApi& api;
  SocketModeOptions options;
  std::function<BotIdentity()> identity;
  std::function<void(ClickedMessage)> click_recorded;

  // Touched only on the strand.
  Reconnector reconnector;
  IncomingSink* sink = nullptr;
  std::shared_ptr<http::WebSocket> socket;
  std::uint64_t generation = 0;  // bumped whenever the current socket is abandoned
  bool stopping = false;

  template <class F>
  void on_strand(F&& function) {
    asio::post(strand, std::forward<F>(function));
  }

  void handle(Reconnector::Event event) {
    const auto action = reconnector.resume(event, Reconnector::Clock::now());
    switch (action.kind) {
      case Reconnector::Action::Kind::stay:
        return;
      case Reconnector::Action::Kind::give_up:
        abandon_socket();
        return;
      case Reconnector::Action::Kind::connect:
        abandon_socket();
        if (action.at <= Reconnector::Clock::now()) return open();
        spdlog::info("slack socket mode: reconnecting in {} ms (failure {})",
                     std::chrono::duration_cast<std::chrono::milliseconds>(
                         action.at - Reconnector::Clock::now())
                         .count(),
                     reconnector.consecutive_failures());
        timer.expires_at(action.at);
        timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
          if (!ec && !self->stopping) self->open();
        });
        return;
    }
  }

  void abandon_socket() {
    ++generation;
    if (socket) socket->close();
    socket.reset();
  }

  void open() {
    const auto attempt = generation;
    api.open_socket_mode_connection([self = shared_from_this(),
                                     attempt](ApiResult<std::string> url) {
      self->on_strand([self, attempt, url = std::move(url)] {
        if (self->stopping || attempt != self->generation) return;
        if (!url) {
          if (url.error().code == "invalid_auth" || url.error().code == "not_allowed_token_type") {
            spdlog::error("slack socket mode: the app-level token was refused ({})",
                          url.error().code);
          }
          return self->handle(Reconnector::Event::connect_failed);
        }
        self->connect(*url, attempt);
      });
    });
  }

  void connect(const std::string& url, std::uint64_t attempt) {
    http::WebSocket::connect(
        client, url, options.websocket,
        [self = shared_from_this(), attempt](http::Result<std::shared_ptr<http::WebSocket>> ws) {
          self->on_strand([self, attempt, ws = std::move(ws)] {
            if (self->stopping || attempt != self->generation) {
              if (ws) (*ws)->close();
              return;
            }
            if (!ws) {
              spdlog::warn("slack socket mode: {}", ws.error().to_string());
              return self->handle(Reconnector::Event::connect_failed);
            }
            self->socket = *ws;
            self->read_next();
          });
        });
  }

  void read_next() {
    const auto current = generation;
    socket->read([self = shared_from_this(), current](http::Result<std::string> frame) {
      self->on_strand([self, current, frame = std::move(frame)] {
        if (self->stopping || current != self->generation) return;
        if (!frame) {
          spdlog::warn("slack socket mode: connection lost: {}", frame.error().to_string());
          return self->handle(Reconnector::Event::connection_lost);
        }
        self->on_frame(*frame);
        if (!self->stopping && current == self->generation) self->read_next();
      });
    });
  }

  void acknowledge(const std::shared_ptr<http::WebSocket>& ws, const std::string& envelope_id) {
    ws->write(json{{"envelope_id", envelope_id}}.dump());
  }

  void on_frame(const std::string& text) {
    auto message = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!message.is_object()) {
      spdlog::warn("slack socket mode: a frame that is not a JSON object");
      return;
    }
    const std::string type = string_field(message, "type");
    if (type == "hello") {
      spdlog::info("slack socket mode: connected");
      return handle(Reconnector::Event::hello);
    }
    if (type == "disconnect") return on_disconnect(string_field(message, "reason"));

    const auto envelope_id = message.find("envelope_id");
    if (envelope_id == message.end() || !envelope_id->is_string()) {
      spdlog::debug("slack socket mode: ignored a {} frame", type);
      return;
    }
    const json payload = message.contains("payload") ? message["payload"] : json();
    Parsed parsed = Ignored{"envelope type " + type};
    if (type == "events_api") {
      parsed = parse_events_api(payload.dump(), identity());
    } else if (type == "interactive") {
      parsed = parse_interaction(payload);
    } else if (type == "slash_commands") {
      parsed = parse_slash_command(payload);
    }
    const std::string id = envelope_id->get<std::string>();
    auto* received = std::get_if<Received>(&parsed);
    if (!received || !sink) {
      if (const auto* malformed = std::get_if<Malformed>(&parsed)) {
        spdlog::warn("slack socket mode: malformed {} envelope: {}", type, malformed->reason);
      } else if (const auto* ignored = std::get_if<Ignored>(&parsed);
                 ignored && ignored->worth_a_warning) {
        spdlog::warn("slack socket mode: {}", ignored->reason);
      }
      return acknowledge(socket, id);
    }
    if (!click_recorded) received->clicked.reset();
    sink->deliver(std::move(received->incoming), [self = shared_from_this(), ws = socket, id,
                                                  clicked = std::move(received->clicked)](
                                                     bool recorded) mutable {
      if (!recorded) {
        spdlog::warn("slack socket mode: envelope {} not recorded, leaving it to Slack's retry",
                     id);
        return;
      }
      self->acknowledge(ws, id);
      if (clicked) self->click_recorded(std::move(*clicked));
    });
  }

  void on_disconnect(const std::string& reason) {
    if (reason == "warning") {
      spdlog::info("slack socket mode: Slack will close this connection soon");
      return;
    }
    if (reason == "link_disabled") {
      spdlog::error(
          "slack socket mode: Socket Mode is switched off for this app; not reconnecting");
      return handle(Reconnector::Event::link_disabled);
    }
    spdlog::info("slack socket mode: disconnect ({}), reconnecting", reason);
    handle(reason == "too_many_websockets" ? Reconnector::Event::connection_lost
                                           : Reconnector::Event::refresh_requested);
  }
};

SocketModeClient::SocketModeClient(asio::io_context& io, http::Client& client, WebApi& api,
                                   SocketModeOptions options, std::function<BotIdentity()> identity,
                                   std::function<void(ClickedMessage)> click_recorded)
    : impl_(std::make_shared<Impl>(io, client, api, options, std::move(identity),
                                   std::move(click_recorded))) {}

SocketModeClient::~SocketModeClient() { stop(); }

void SocketModeClient::start(IncomingSink& sink) {
  impl_->on_strand([impl = impl_, sink = &sink] {
    impl->sink = sink;
    impl->stopping = false;
    impl->handle(Reconnector::Event::start);
  });
}

void SocketModeClient::stop() {
  impl_->on_strand([impl = impl_] {
    if (impl->stopping) return;
    impl->stopping = true;
    impl->timer.cancel();
    impl->handle(Reconnector::Event::stop);
    impl->sink = nullptr;
  });
}

}  // namespace prik::adapters::slack
