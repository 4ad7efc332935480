#include "bench/slack_ingest/api_stub.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "adapters/http/server.hpp"
#include "bench/slack_ingest/signed_event.hpp"

namespace prik::bench {

namespace {

namespace asio = boost::asio;
namespace http = adapters::http;
using nlohmann::json;

constexpr std::string_view api_prefix = "/api/";
constexpr std::string_view events_path = "/slack/events";

class WebApiStub {
 public:
  http::Response answer(const http::Request& request) {
    const std::string path = request.path();
    if (path == events_path) {
      ++calls_["slack/events"];
      return http::Response::text(200, "");
    }
    if (path.rfind(api_prefix, 0) != 0) return http::Response::json(404, R"({"ok":false})");
    const std::string method = path.substr(api_prefix.size());
    ++calls_[method];
    if (method == "auth.test") {
      return http::Response::json(200, json{{"ok", true},
                                            {"url", "https://prik-bench.slack.com/"},
                                            {"team", "Prik bench"},
                                            {"user", "prik"},
                                            {"team_id", bench_team_id},
                                            {"user_id", bench_bot_user_id},
                                            {"bot_id", bench_bot_id}}
                                           .dump());
    }
    if (method == "users.info") {
      return http::Response::json(
          200, json{{"ok", true},
                    {"user",
                     {{"name", "volunteer"},
                      {"real_name", "Bench Volunteer"},
                      {"locale", "da-DK"},
                      {"profile", {{"display_name", "Bench"}, {"real_name", "Bench Volunteer"}}}}}}
                   .dump());
    }
    const json body = json::parse(request.body, nullptr, false);
    if (method == "conversations.open") {
      const std::string channel = direct_channel_of(string_field(body, "users"));
      return http::Response::json(200, json{{"ok", true}, {"channel", {{"id", channel}}}}.dump());
    }
    const std::string ts = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count()) +
                           "." + std::to_string(100'000 + ++posted_ % 900'000);
    return http::Response::json(
        200, json{{"ok", true}, {"channel", string_field(body, "channel")}, {"ts", ts}}.dump());
  }

  const std::map<std::string, std::uint64_t>& calls() const { return calls_; }

 private:
  static std::string string_field(const json& body, const char* name) {
    if (!body.is_object()) return {};
    const auto field = body.find(name);
    return field != body.end() && field->is_string() ? field->get<std::string>() : std::string{};
  }

  std::map<std::string, std::uint64_t> calls_;
  std::uint64_t posted_ = 0;
};

}  // namespace

int run_api_stub(const StubOptions& options, std::ostream& out) {
  spdlog::set_level(spdlog::level::warn);  // the server's info lines would mix with ours
  asio::io_context io{1};
  WebApiStub stub;  // only touched from the io_context's one thread
  http::FunctionHandler handler([&](http::Request request, http::Respond respond) {
    auto response = stub.answer(request);
    if (options.users_info_delay.count() > 0 && request.path() == "/api/users.info") {
      auto timer = std::make_shared<asio::steady_timer>(io, options.users_info_delay);
      timer->async_wait([timer, respond = std::move(respond), response = std::move(response)](
                            boost::system::error_code) mutable { respond(std::move(response)); });
      return;
    }
    respond(std::move(response));
  });
  http::Server server(io, handler);
  const auto port = server.listen(options.host, options.port);
  if (!port) {
    out << "slack_ingest: cannot listen on " << options.host << ":" << options.port << ": "
        << port.error().to_string() << std::endl;
    return 1;
  }
  out << "listening on " << *port << std::endl;

  const auto stop = [&] { server.stop(std::chrono::milliseconds(200), [&io] { io.stop(); }); };
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code error, int) {
    if (!error) stop();
  });
  asio::steady_timer lifetime(io, options.lifetime);
  lifetime.async_wait([&](boost::system::error_code error) {
    if (!error) stop();
  });
  io.run();

  out << "Web API calls:";
  if (stub.calls().empty()) out << " none";
  for (const auto& [method, count] : stub.calls()) out << " " << method << "=" << count;
  out << std::endl;
  return 0;
}

}  // namespace prik::bench
