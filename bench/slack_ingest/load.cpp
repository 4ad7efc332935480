#include "bench/slack_ingest/load.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <cmath>
#include <deque>
#include <optional>
#include <stdexcept>

#include "bench/slack_ingest/signed_event.hpp"

namespace prik::bench {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// After a failed connect, so that a dead endpoint is not hammered in a tight loop.
constexpr auto reconnect_pause = std::chrono::milliseconds(50);

double milliseconds(Clock::duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

class LoadRun {
 public:
  explicit LoadRun(const LoadOptions& options)
      : options_(options),
        events_(options.signing_secret, options.senders, new_run_id()),
        host_header_(options.host + ":" + options.port) {}

  LoadReport run() {
    tcp::resolver resolver(io_);
    boost::system::error_code error;
    endpoints_ = resolver.resolve(options_.host, options_.port, error);
    if (error) {
      throw std::runtime_error("cannot resolve " + host_header_ + ": " + error.message());
    }
    start_ = Clock::now();
    measure_from_ = start_ + options_.warmup;
    stop_at_ = measure_from_ + options_.duration;
    last_answer_ = measure_from_;
    // The last request starts before stop_at_; its connect and its exchange each have a timeout.
    guard_.expires_at(stop_at_ + 2 * options_.request_timeout + std::chrono::seconds(1));
    guard_.async_wait([this](boost::system::error_code wait_error) {
      if (!wait_error) io_.stop();
    });
    if (open_loop()) asio::co_spawn(io_, pace(), asio::detached);
    running_ = std::max<std::size_t>(options_.connections, 1);
    for (std::size_t i = 0; i < running_; ++i) {
      asio::co_spawn(io_, connection_loop(), asio::detached);
    }
    io_.run();

    report_.unsent = due_.size();
    report_.seconds = std::chrono::duration<double>(last_answer_ - measure_from_).count();
    std::sort(report_.latencies_ms.begin(), report_.latencies_ms.end());
    return std::move(report_);
  }

 private:
  bool open_loop() const { return options_.rate > 0; }

  asio::awaitable<void> connection_loop() {
    beast::tcp_stream stream(io_);
    beast::flat_buffer buffer;
    asio::steady_timer wake(io_);
    while (const auto due = co_await next_due(wake)) {
      if (!stream.socket().is_open()) {
        stream.expires_after(options_.request_timeout);
        const auto [error, endpoint] = co_await stream.async_connect(endpoints_, use_tuple);
        if (error) {
          stream.close();
          if (*due >= measure_from_) ++report_.failures;
          wake.expires_after(reconnect_pause);
          co_await wake.async_wait(use_tuple);
          continue;
        }
        stream.socket().set_option(tcp::no_delay(true));
      }
      co_await exchange(stream, buffer, *due);
    }
    if (--running_ == 0) {
      guard_.cancel();
      pacer_.cancel();
    }
  }

  // When the connection's next event is due; nullopt once the run is over.
  asio::awaitable<std::optional<Clock::time_point>> next_due(asio::steady_timer& wake) {
    if (!open_loop()) {
      const auto now = Clock::now();
      if (now >= stop_at_ || (options_.max_events != 0 && issued_ >= options_.max_events)) {
        co_return std::nullopt;
      }
      ++issued_;
      co_return now;
    }
    while (Clock::now() < stop_at_ + options_.request_timeout) {
      if (!due_.empty()) {
        const auto due = due_.front();
        due_.pop_front();
        co_return due;
      }
      if (pacing_done_) break;
      idle_.push_back(&wake);
      wake.expires_at(Clock::time_point::max());
      co_await wake.async_wait(use_tuple);  // the pacer cancels it
    }
    co_return std::nullopt;
  }

  asio::awaitable<void> exchange(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                 Clock::time_point due) {
    SignedEvent event = events_.next();
    http::request<http::string_body> request{http::verb::post, options_.target, 11};
    request.set(http::field::host, host_header_);
    request.set(http::field::user_agent, "Slackbot 1.0 (+https://api.slack.com/robots)");
    request.set(http::field::content_type, "application/json");
    request.set("X-Slack-Request-Timestamp", event.timestamp);
    request.set("X-Slack-Signature", event.signature);
    request.body() = std::move(event.body);
    request.prepare_payload();

    const auto from = open_loop() ? due : Clock::now();
    const bool measured = from >= measure_from_;
    if (measured) ++report_.sent;
    stream.expires_after(options_.request_timeout);
    boost::system::error_code error;
    std::tie(error, std::ignore) = co_await http::async_write(stream, request, use_tuple);
    http::response<http::string_body> response;
    if (!error) {
      std::tie(error, std::ignore) = co_await http::async_read(stream, buffer, response, use_tuple);
    }
    const auto answered = Clock::now();
    if (error || !response.keep_alive()) {
      stream.close();
      buffer.clear();
    }
    if (!measured) co_return;
    last_answer_ = std::max(last_answer_, answered);
    if (error) {
      ++report_.failures;
    } else if (response.result_int() == 200) {
      ++report_.ok;
      report_.latencies_ms.push_back(milliseconds(answered - from));
    } else {
      ++report_.other_statuses[response.result_int()];
    }
  }

  // Open loop: makes an event due every 1/rate seconds and hands it to an idle connection.
  asio::awaitable<void> pace() {
    const std::chrono::duration<double> interval(1.0 / options_.rate);
    for (std::uint64_t i = 0; options_.max_events == 0 || i < options_.max_events; ++i) {
      const auto due =
          start_ + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(i));
      if (due >= stop_at_) break;
      if (due > Clock::now()) {
        pacer_.expires_at(due);
        const auto [error] = co_await pacer_.async_wait(use_tuple);
        if (error) break;
      }
      due_.push_back(due);
      if (idle_.empty()) {
        if (due >= measure_from_) ++report_.waited;
      } else {
        idle_.back()->cancel();
        idle_.pop_back();
      }
    }
    pacing_done_ = true;
    for (auto* timer : idle_) timer->cancel();
    idle_.clear();
  }

  // Declared first: coroutine frames it still owns are destroyed with it, last.
  asio::io_context io_{1};
  const LoadOptions options_;
  EventSource events_;
  const std::string host_header_;
  tcp::resolver::results_type endpoints_;
  asio::steady_timer pacer_{io_};
  asio::steady_timer guard_{io_};
  Clock::time_point start_, measure_from_, stop_at_, last_answer_;
  std::size_t running_ = 0;
  std::uint64_t issued_ = 0;
  std::deque<Clock::time_point> due_;      // open loop: due, not yet taken by a connection
  std::vector<asio::steady_timer*> idle_;  // open loop: wake timers of idle connections
  bool pacing_done_ = false;
  LoadReport report_;
};

}  // namespace

double LoadReport::events_per_second() const { return seconds > 0 ? ok / seconds : 0; }

double LoadReport::latency_percentile(double fraction) const {
  if (latencies_ms.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(fraction * latencies_ms.size()));
  return latencies_ms[std::clamp<std::size_t>(rank, 1, latencies_ms.size()) - 1];
}

LoadReport run_load(const LoadOptions& options) { return LoadRun(options).run(); }

}  // namespace prik::bench
