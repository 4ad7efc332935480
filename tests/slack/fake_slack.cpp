#include "tests/slack/fake_slack.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>

#include "adapters/slack/events.hpp"

namespace prik::tests {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using adapters::http::Request;
using adapters::http::Respond;
using adapters::http::Response;
using nlohmann::json;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

Response slack_ok(json body) {
  body["ok"] = true;
  return Response::json(200, body.dump());
}

Response slack_error(const std::string& code) {
  return Response::json(200, json{{"ok", false}, {"error", code}}.dump());
}

// One accepted Socket Mode connection; writes are queued and sent by one writer coroutine.
struct SocketSession {
  explicit SocketSession(asio::ip::tcp::socket socket)
      : ws(std::move(socket)), wake(ws.get_executor()) {
    wake.expires_at(asio::steady_timer::time_point::max());
  }
  websocket::stream<beast::tcp_stream> ws;
  asio::steady_timer wake;
  std::deque<std::string> outgoing;
  bool open = true;

  void send(std::string text) {
    asio::post(ws.get_executor(), [this, text = std::move(text)]() mutable {
      outgoing.push_back(std::move(text));
      wake.cancel();
    });
  }
};

}  // namespace

struct FakeSlack::Impl : std::enable_shared_from_this<FakeSlack::Impl> {
  explicit Impl(asio::io_context& io_context)
      : io(io_context),
        handler([this](Request request, Respond respond) { serve(request, std::move(respond)); }),
        server(io_context, handler),
        acceptor(asio::make_strand(io_context)) {}

  asio::io_context& io;
  adapters::http::FunctionHandler handler;
  adapters::http::Server server;
  asio::ip::tcp::acceptor acceptor;
  std::uint16_t api_port = 0;
  std::uint16_t socket_port = 0;

  mutable std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, std::deque<Response>> scripted;
  std::map<std::string, std::chrono::milliseconds> delays;
  std::map<std::string, json> users;
  std::map<std::string, std::size_t> call_counts;
  std::vector<json> posted;
  std::vector<json> updated;
  std::vector<std::string> received_acks;
  std::vector<std::shared_ptr<SocketSession>> sessions;
  int next_ts = 1;

  void serve(const Request& request, Respond respond) {
    auto response = std::make_shared<Response>(answer(request));
    std::chrono::milliseconds wait{0};
    {
      std::lock_guard lock(mutex);
      if (auto it = delays.find(method_of(request)); it != delays.end()) wait = it->second;
    }
    if (wait <= std::chrono::milliseconds::zero()) return respond(std::move(*response));
    auto timer = std::make_shared<asio::steady_timer>(io, wait);
    timer->async_wait([timer, response, respond = std::move(respond)](boost::system::error_code) {
      respond(std::move(*response));
    });
  }

  static std::string method_of(const Request& request) {
    const std::string prefix = "/api/";
    const std::string path = request.path();
    return path.rfind(prefix, 0) == 0 ? path.substr(prefix.size()) : std::string{};
  }

  Response answer(const Request& request) {
    const std::string prefix = "/api/";
    const std::string path = request.path();
    if (request.method != "POST" || path.rfind(prefix, 0) != 0) {
      return Response::text(404, "unknown\n");
    }
    const std::string method = path.substr(prefix.size());
    std::unique_lock lock(mutex);
    ++call_counts[method];
    changed.notify_all();
    if (auto it = scripted.find(method); it != scripted.end() && !it->second.empty()) {
      auto response = std::move(it->second.front());
      it->second.pop_front();
      return response;
    }
    const std::string token = method == "apps.connections.open" ? kAppToken : kBotToken;
    if (request.header("Authorization") != "Bearer " + token) return slack_error("invalid_auth");

    if (method == "apps.connections.open") {
      return slack_ok({{"url", "ws://127.0.0.1:" + std::to_string(socket_port) + "/link/?ticket=t" +
                                   std::to_string(call_counts[method])}});
    }
    if (method == "users.info") {
      auto form = adapters::slack::decode_form(request.body);
      if (!form || !form->contains("user")) return slack_error("invalid_arguments");
      const std::string id = (*form)["user"];
      if (auto known = users.find(id); known != users.end()) {
        return slack_ok({{"user", known->second}});
      }
      return slack_ok({{"user",
                        {{"id", (*form)["user"]},
                         {"name", "anna"},
                         {"locale", "da-DK"},
                         {"profile", {{"display_name", "Anna"}, {"real_name", "Anna Holm"}}}}}});
    }
    if (request.header("Content-Type").rfind("application/json", 0) != 0) {
      return slack_error("invalid_form_data");
    }
    auto body = json::parse(request.body, nullptr, false);
    if (!body.is_object()) return slack_error("invalid_json");
    if (method == "auth.test") {
      return slack_ok({{"team_id", kTeam}, {"user_id", kBotUser}, {"bot_id", kBotId}});
    }
    if (method == "conversations.open") {
      if (!body.contains("users") || !body["users"].is_string()) {
        return slack_error("invalid_arguments");
      }
      return slack_ok({{"channel", {{"id", "D" + body["users"].get<std::string>()}}}});
    }
    if (method == "chat.postMessage" || method == "chat.update") {
      if (!body.contains("channel") || !body["channel"].is_string()) {
        return slack_error("channel_not_found");
      }
      if (!body.contains("text") && !body.contains("blocks")) return slack_error("no_text");
      if (method == "chat.update" && (!body.contains("ts") || !body["ts"].is_string())) {
        return slack_error("message_not_found");
      }
      (method == "chat.postMessage" ? posted : updated).push_back(body);
      changed.notify_all();
      return slack_ok({{"channel", body["channel"]},
                       {"ts", std::to_string(1700000000 + next_ts++) + ".000100"}});
    }
    return slack_error("unknown_method");
  }

  asio::awaitable<void> accept_sockets() {
    auto self = shared_from_this();
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), use_tuple);
      if (ec) co_return;
      auto session = std::make_shared<SocketSession>(std::move(socket));
      asio::co_spawn(session->ws.get_executor(), serve_socket(session), asio::detached);
    }
  }

  asio::awaitable<void> serve_socket(std::shared_ptr<SocketSession> session) {
    auto self = shared_from_this();
    auto [ec] = co_await session->ws.async_accept(use_tuple);
    if (ec) co_return;
    session->outgoing.push_back(
        json{{"type", "hello"}, {"num_connections", 1}, {"connection_info", {{"app_id", "A111"}}}}
            .dump());
    {
      std::lock_guard lock(mutex);
      sessions.push_back(session);
      changed.notify_all();
    }
    asio::co_spawn(session->ws.get_executor(), write_socket(session), asio::detached);
    beast::flat_buffer buffer;
    for (;;) {
      auto [read_error, n] = co_await session->ws.async_read(buffer, use_tuple);
      if (read_error) break;
      std::lock_guard lock(mutex);
      received_acks.push_back(beast::buffers_to_string(buffer.data()));
      buffer.clear();
      changed.notify_all();
    }
    session->open = false;
    session->wake.cancel();
  }

  asio::awaitable<void> write_socket(std::shared_ptr<SocketSession> session) {
    while (session->open) {
      while (!session->outgoing.empty()) {
        const std::string text = std::move(session->outgoing.front());
        session->outgoing.pop_front();
        auto [ec, n] = co_await session->ws.async_write(asio::buffer(text), use_tuple);
        if (ec) co_return;
      }
      session->wake.expires_at(asio::steady_timer::time_point::max());
      co_await session->wake.async_wait(use_tuple);
    }
  }
};

FakeSlack::FakeSlack(asio::io_context& io) : impl_(std::make_shared<Impl>(io)) {
  auto port = impl_->server.listen("127.0.0.1", 0);
  if (port) impl_->api_port = *port;
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->socket_port = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->acceptor.get_executor(), impl_->accept_sockets(), asio::detached);
}

FakeSlack::~FakeSlack() {
  // The server's connections call into impl_ until it reports them stopped (bounded, in case the
  // test's io_context has already stopped running).
  auto stopped = std::make_shared<std::promise<void>>();
  impl_->server.stop(std::chrono::milliseconds(0), [stopped] { stopped->set_value(); });
  stopped->get_future().wait_for(std::chrono::seconds(5));
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
  });
  std::lock_guard lock(impl_->mutex);
  for (auto& session : impl_->sessions) {
    asio::post(session->ws.get_executor(), [session] {
      boost::system::error_code ignored;
      beast::get_lowest_layer(session->ws).socket().close(ignored);
    });
  }
}

std::string FakeSlack::api_base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->api_port) + "/api/";
}

void FakeSlack::fail_next(const std::string& method, Response response) {
  std::lock_guard lock(impl_->mutex);
  impl_->scripted[method].push_back(std::move(response));
}

void FakeSlack::delay(const std::string& method, std::chrono::milliseconds delay) {
  std::lock_guard lock(impl_->mutex);
  impl_->delays[method] = delay;
}

void FakeSlack::add_user(const json& user) {
  std::lock_guard lock(impl_->mutex);
  impl_->users[user.value("id", "")] = user;
}

std::vector<json> FakeSlack::updates(std::size_t count, std::chrono::milliseconds limit) {
  std::unique_lock lock(impl_->mutex);
  impl_->changed.wait_for(lock, limit, [&] { return impl_->updated.size() >= count; });
  return impl_->updated;
}

std::vector<json> FakeSlack::posts(std::size_t count, std::chrono::milliseconds limit) {
  std::unique_lock lock(impl_->mutex);
  impl_->changed.wait_for(lock, limit, [&] { return impl_->posted.size() >= count; });
  return impl_->posted;
}

std::size_t FakeSlack::calls(const std::string& method) const {
  std::lock_guard lock(impl_->mutex);
  const auto it = impl_->call_counts.find(method);
  return it == impl_->call_counts.end() ? 0 : it->second;
}

bool FakeSlack::wait_for_socket_connections(std::size_t count, std::chrono::milliseconds limit) {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_for(lock, limit, [&] { return impl_->sessions.size() >= count; });
}

void FakeSlack::send_to_socket(const json& frame) {
  std::lock_guard lock(impl_->mutex);
  if (!impl_->sessions.empty()) impl_->sessions.back()->send(frame.dump());
}

std::vector<std::string> FakeSlack::acks(std::size_t count, std::chrono::milliseconds limit) {
  std::unique_lock lock(impl_->mutex);
  impl_->changed.wait_for(lock, limit, [&] { return impl_->received_acks.size() >= count; });
  return impl_->received_acks;
}

}  // namespace prik::tests
