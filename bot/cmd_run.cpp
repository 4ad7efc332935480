// `prik run`: Prik on the chat platforms the configuration enables (Slack, Matrix), with one HTTP
// server for health checks and Slack's Events API, until SIGINT or SIGTERM.
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <condition_variable>
#include <csignal>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "adapters/http/server.hpp"
#include "adapters/matrix/matrix_adapter.hpp"
#include "adapters/slack/slack_adapter.hpp"
#include "bot/cli.hpp"
#include "bot/commands.hpp"
#include "bot/heap.hpp"
#include "bot/launch.hpp"
#include "bot/platforms.hpp"
#include "bot/runtime.hpp"
#include "bot/thread_priority.hpp"
#include "dialogs/matching.hpp"

namespace po = boost::program_options;
namespace asio = boost::asio;

namespace prik::bot {

namespace {

constexpr const char* run_usage = "prik run [--config FILE] [--log-level LEVEL]";
// How long requests in flight may take to finish once a stop was asked for.
constexpr std::chrono::seconds http_grace{5};
// How long the outbox may keep delivering at a stop; the rest is sent at the next start.
constexpr std::chrono::seconds outbox_grace{10};
constexpr std::chrono::seconds slack_min_interval{1};

// An io_context run by one thread from construction until stop(), `niceness` below the process.
class NetworkThread {
 public:
  explicit NetworkThread(int niceness = 0, std::chrono::microseconds slice = {})
      : work_(io.get_executor()), thread_([this, niceness, slice] {
          lower_this_thread_priority(niceness);
          if (slice.count() > 0) request_short_time_slices(slice);
          run();
        }) {}
  ~NetworkThread() { stop(); }
  NetworkThread(const NetworkThread&) = delete;
  NetworkThread& operator=(const NetworkThread&) = delete;

  void stop() {
    if (!thread_.joinable()) return;
    work_.reset();
    io.stop();
    thread_.join();
  }

  asio::io_context io;

 private:
  void run() {
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception& error) {
        spdlog::error("network: unexpected exception in a handler: {}", error.what());
      }
    }
  }

  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

// The main thread's wait for a stop: SIGINT or SIGTERM, or the Matrix adapter stopping by itself
// (a rejected token, kept as the reason). Waiting here rather than on the bot core means the main
// thread sleeps until then instead of waking for every turn the core commits.
class StopRequest {
 public:
  void request(std::optional<std::string> reason = std::nullopt) {
    std::lock_guard lock(mutex_);
    requested_ = true;
    if (reason && !reason_) reason_ = std::move(reason);
    requested_changed_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    requested_changed_.wait(lock, [this] { return requested_; });
  }
  std::optional<std::string> reason() const {
    std::lock_guard lock(mutex_);
    return reason_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable requested_changed_;
  bool requested_ = false;
  std::optional<std::string> reason_;
};

adapters::slack::SlackAdapterOptions slack_options(const LoadedConfig& config) {
  const auto& slack = config.settings.slack;
  adapters::slack::SlackAdapterOptions options;
  options.mode = slack.mode == "socket" ? adapters::slack::SlackAdapterOptions::Mode::socket_mode
                                        : adapters::slack::SlackAdapterOptions::Mode::events_api;
  options.api.api_base_url = slack.api_base_url;
  options.api.bot_token = config.secrets.slack_bot_token;
  options.api.app_token = config.secrets.slack_app_token;
  options.signing_secret = config.secrets.slack_signing_secret;
  options.client.ca_file = slack.ca_file;
  // The outbox sends to many channels at once; keeping more connections to Slack open spares a
  // TCP (and TLS) connect for most messages.
  options.client.max_idle_per_host = 32;
  options.per_channel_interval = slack_min_interval;
  return options;
}

// Runs auth.test; the operator's explanation when the token does not work.
std::optional<std::string> check_slack_token(adapters::slack::SlackAdapter& slack,
                                             const SlackSettings& settings) {
  using Answer = adapters::slack::ApiResult<adapters::slack::BotIdentity>;
  auto answer = std::make_shared<std::promise<Answer>>();
  auto future = answer->get_future();
  // The HTTPS client's own deadline bounds this wait.
  slack.web_api().auth_test([answer](Answer result) { answer->set_value(std::move(result)); });
  const auto result = future.get();
  if (result) return std::nullopt;
  const auto& error = result.error();
  if (error.kind == adapters::slack::ApiError::Kind::slack) {
    return "Slack refused the bot token from $" + settings.bot_token_env + " (" + error.code +
           "); check the token and that the app is installed in the workspace";
  }
  return "cannot check the Slack bot token at " + settings.api_base_url + ": " + error.to_string();
}

// Stops the server and waits (bounded) until its connections have ended.
void stop_server(adapters::http::Server& server) {
  auto stopped = std::make_shared<std::promise<void>>();
  auto future = stopped->get_future();
  server.stop(http_grace, [stopped] { stopped->set_value(); });
  if (future.wait_for(http_grace + std::chrono::seconds(1)) != std::future_status::ready) {
    spdlog::warn("http: connections still open after the grace period");
  }
}

}  // namespace

int run_run(const std::vector<std::string>& args) {
  po::options_description options("Options");
  add_common_options(options);
  po::variables_map values;
  if (const auto exit_code = parse_command_line(args, run_usage, options, values)) {
    return *exit_code;
  }
  // Declared before the store so that they outlive the store's last commit callbacks. The HTTP
  // server has a thread of its own, so acknowledging Slack's events never waits behind the
  // platform clients' work (sending replies, Matrix syncs), which also yields the CPU to it.
  NetworkThread network(0, acknowledging_time_slice);
  NetworkThread platforms(background_niceness);
  const auto loaded = load_configuration("run", values);
  if (!loaded) return exit_failure;
  const auto& config = *loaded;
  const auto& settings = config.settings;
  setup_logging(values, settings.log_level);

  if (!settings.slack.enabled && !settings.matrix.enabled) {
    std::cerr << "prik run: no chat platform is enabled in " << settings.file.string()
              << "; set slack.enabled or matrix.enabled (or talk to Prik with `prik chat`)\n";
    return exit_failure;
  }
  const auto listen = parse_listen_address(settings.http.listen);
  if (!listen) {
    std::cerr << "prik run: " << settings.file.string()
              << ": /http/listen: expected host:port, got '" << settings.http.listen << "'\n";
    return exit_failure;
  }

  const auto store = open_data_dir("run", settings.store);
  if (!store) return exit_failure;
  const dialogs::Matcher matcher(config.catalog);
  auto core_options = runtime_options(settings);
  core_options.stop_on_signals = false;  // the StopRequest below handles them
  Runtime runtime(*store, config.catalog, config.texts, matcher, std::move(core_options));

  std::unique_ptr<adapters::slack::SlackAdapter> slack;
  if (settings.slack.enabled) {
    auto created =
        adapters::slack::SlackAdapter::create(platforms.io, slack_options(config), &network.io);
    if (!created) {
      std::cerr << "prik run: cannot set up Slack: " << created.error().to_string() << "\n";
      return exit_failure;
    }
    slack = std::move(*created);
    if (const auto problem = check_slack_token(*slack, settings.slack)) {
      std::cerr << "prik run: " << *problem << "\n";
      return exit_failure;
    }
    runtime.add_adapter(*slack, {.min_interval = slack_min_interval});
  }

  StoreSyncTokens sync_tokens(*store);
  StopRequest stop_request;
  std::unique_ptr<adapters::matrix::MatrixAdapter> matrix;
  if (settings.matrix.enabled) {
    adapters::matrix::MatrixOptions matrix_options{
        .homeserver_url = settings.matrix.homeserver_url,
        .user_id = settings.matrix.user_id,
        .access_token = config.secrets.matrix_access_token,
        .allowed_servers = settings.matrix.allowed_servers,
        .http = {.ca_file = settings.matrix.ca_file},
        .on_stopped = [&stop_request](const std::string& reason) { stop_request.request(reason); },
    };
    auto created = adapters::matrix::MatrixAdapter::create(platforms.io, std::move(matrix_options),
                                                           sync_tokens);
    if (!created) {
      std::cerr << "prik run: cannot set up Matrix: " << created.error().to_string() << "\n";
      return exit_failure;
    }
    matrix = std::move(*created);
    runtime.add_adapter(*matrix);
  }

  adapters::http::FunctionHandler health(
      [&data = *store](adapters::http::Request, adapters::http::Respond respond) {
        const auto status = data.health();
        respond(status.ok() ? adapters::http::Response::text(200, "ok\n")
                            : adapters::http::Response::text(503, status.to_string() + "\n"));
      });
  adapters::http::Router router;
  router.add("GET", "/healthz", health);
  if (slack && settings.slack.mode != "socket") {
    router.add("POST", "/slack/events", slack->events_handler());
  }
  adapters::http::Server server(network.io, router);
  const auto port = server.listen(listen->host, listen->port);
  if (!port) {
    std::cerr << "prik run: cannot listen on " << settings.http.listen << ": "
              << port.error().to_string() << "\n";
    return exit_failure;
  }
  spdlog::info("listening on {}:{}", listen->host, *port);

  if (const auto status = runtime.start(); !status.ok()) {
    std::cerr << "prik run: cannot start: " << status.to_string() << "\n";
    stop_server(server);
    return exit_failure;
  }
  // Loading the configuration and the store leaves freed memory spread over the heap; hand it
  // back so that an idle Prik stays small.
  release_free_memory();
  asio::signal_set signals(network.io, SIGINT, SIGTERM);
  signals.async_wait([&stop_request](const boost::system::error_code& error, int signal) {
    if (error) return;  // cancelled at the end
    spdlog::info("signal {} received, stopping", signal);
    stop_request.request();
  });
  stop_request.wait();
  spdlog::info("stopping");
  stop_server(server);
  runtime.stop(outbox_grace);
  platforms.stop();
  network.stop();

  if (const auto reason = stop_request.reason()) {
    std::cerr << "prik run: Matrix stopped: " << *reason << "\n";
    return exit_failure;
  }
  spdlog::info("stopped");
  return exit_ok;
}

}  // namespace prik::bot
