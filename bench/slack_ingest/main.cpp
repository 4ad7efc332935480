// slack_ingest: the load generator of the Slack ingest benchmark (see ./run), and the Web API stub
// the benchmarked `prik run` talks to.
#include <boost/program_options.hpp>
#include <boost/url/parse.hpp>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <string>

#include "bench/slack_ingest/api_stub.hpp"
#include "bench/slack_ingest/load.hpp"

namespace {

namespace po = boost::program_options;
using prik::bench::LoadOptions;
using prik::bench::LoadReport;

constexpr const char* usage =
    "Usage: slack_ingest --url http://127.0.0.1:PORT/slack/events [options]\n"
    "       slack_ingest --serve-slack-api [--listen HOST:PORT] [--lifetime SECONDS]\n"
    "                                      [--users-info-delay MS]\n\n"
    "Sends distinct, signed Slack message.im events to an Events API endpoint over keep-alive\n"
    "connections -- as fast as it answers (closed loop) or at --rate events/s (open loop) -- and\n"
    "prints events/s, latency percentiles and non-200 counts. The signing secret comes from\n"
    "--signing-secret or SLACK_SIGNING_SECRET.\n\n"
    "With --serve-slack-api it serves a stand-in for Slack's Web API at http://HOST:PORT/api/\n"
    "instead, printing \"listening on PORT\" once ready; it also acknowledges POST /slack/events\n"
    "at once, unread (the benchmark's ceiling).\n";

std::chrono::milliseconds seconds_option(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

bool parse_url(const std::string& text, LoadOptions& options) {
  const auto url = boost::urls::parse_uri(text);
  if (!url || url->scheme() != "http" || url->host().empty()) return false;
  options.host = url->host();
  options.port = url->has_port() ? std::string(url->port()) : "80";
  options.target = url->encoded_target().empty() ? "/" : std::string(url->encoded_target());
  return true;
}

void print_text(const LoadOptions& options, const LoadReport& report, std::ostream& out) {
  out << std::fixed << std::setprecision(2);
  if (options.rate > 0) {
    out << "open loop at " << options.rate << " events/s";
  } else {
    out << "closed loop";
  }
  out << ", " << options.connections << " connections, " << report.seconds << " s measured after "
      << options.warmup.count() / 1000.0 << " s warm-up\n";
  out << "  sent          " << report.sent << "\n";
  out << "  200           " << report.ok << "\n";
  out << "  non-200       ";
  std::uint64_t non_200 = 0;
  for (const auto& [status, count] : report.other_statuses) non_200 += count;
  out << non_200;
  for (const auto& [status, count] : report.other_statuses)
    out << "  [" << status << ": " << count << "]";
  out << "\n";
  out << "  failures      " << report.failures << "  (connect/read/write errors, timeouts)\n";
  if (options.rate > 0) {
    out << "  waited        " << report.waited << "  (due while every connection was busy)\n";
    out << "  unsent        " << report.unsent << "\n";
  }
  out << "  events/s      " << report.events_per_second() << "\n";
  out << "  latency p50   " << report.latency_percentile(0.50) << " ms\n";
  out << "  latency p99   " << report.latency_percentile(0.99) << " ms\n";
  out << "  latency max   " << report.latency_percentile(1.0) << " ms\n";
}

// One key=value per line, for scripts.
void print_keys(const LoadReport& report, std::ostream& out) {
  std::uint64_t non_200 = 0;
  for (const auto& [status, count] : report.other_statuses) non_200 += count;
  out << std::fixed << std::setprecision(3) << "sent=" << report.sent << "\nok=" << report.ok
      << "\nnon_200=" << non_200 << "\nfailures=" << report.failures << "\nwaited=" << report.waited
      << "\nunsent=" << report.unsent << "\nseconds=" << report.seconds
      << "\nevents_per_second=" << report.events_per_second()
      << "\np50_ms=" << report.latency_percentile(0.50)
      << "\np99_ms=" << report.latency_percentile(0.99)
      << "\nmax_ms=" << report.latency_percentile(1.0) << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string url, signing_secret, format, listen;
  double warmup = 0, duration = 0, timeout = 0, lifetime = 0, users_info_delay = 0;
  LoadOptions load;
  po::options_description options("Options");
  options.add_options()("help,h", "show this help")(
      "url", po::value(&url), "the Events API endpoint, http://HOST:PORT/PATH")(
      "signing-secret", po::value(&signing_secret), "Slack signing secret to sign events with")(
      "connections,c", po::value(&load.connections)->default_value(16), "keep-alive connections")(
      "rate,r", po::value(&load.rate)->default_value(0), "events per second (0: closed loop)")(
      "duration,d", po::value(&duration)->default_value(10), "seconds measured")(
      "warmup", po::value(&warmup)->default_value(1), "seconds sent before measuring")(
      "count,n", po::value(&load.max_events)->default_value(0),
      "stop after this many events, warm-up included (0: no limit)")(
      "senders", po::value(&load.senders)->default_value(1000), "distinct volunteers sending")(
      "timeout", po::value(&timeout)->default_value(5), "seconds per connect or request")(
      "format", po::value(&format)->default_value("text"), "text, or keys (key=value lines)")(
      "serve-slack-api", "serve the Web API stub instead of sending load")(
      "listen", po::value(&listen)->default_value("127.0.0.1:0"), "stub: HOST:PORT to bind")(
      "lifetime", po::value(&lifetime)->default_value(1800), "stub: seconds before it exits")(
      "users-info-delay", po::value(&users_info_delay)->default_value(0),
      "stub: milliseconds before users.info answers");
  po::variables_map values;
  try {
    po::store(po::parse_command_line(argc, argv, options), values);
    po::notify(values);
  } catch (const po::error& error) {
    std::cerr << "slack_ingest: " << error.what() << "\n\n" << usage << "\n" << options;
    return 2;
  }
  if (values.count("help")) {
    std::cout << usage << "\n" << options;
    return 0;
  }

  if (values.count("serve-slack-api")) {
    prik::bench::StubOptions stub;
    const auto colon = listen.rfind(':');
    try {
      stub.host = listen.substr(0, colon);
      stub.port = static_cast<std::uint16_t>(std::stoul(listen.substr(colon + 1)));
    } catch (const std::exception&) {
      std::cerr << "slack_ingest: --listen wants HOST:PORT, got '" << listen << "'\n";
      return 2;
    }
    stub.lifetime = std::chrono::seconds(static_cast<std::int64_t>(lifetime));
    stub.users_info_delay =
        std::chrono::milliseconds(static_cast<std::int64_t>(std::max(users_info_delay, 0.0)));
    return prik::bench::run_api_stub(stub, std::cout);
  }

  if (!parse_url(url, load)) {
    std::cerr << "slack_ingest: --url wants http://HOST:PORT/PATH, got '" << url << "'\n\n"
              << usage;
    return 2;
  }
  if (signing_secret.empty()) {
    if (const char* from_environment = std::getenv("SLACK_SIGNING_SECRET")) {
      signing_secret = from_environment;
    }
  }
  if (signing_secret.empty()) {
    std::cerr << "slack_ingest: give --signing-secret or set SLACK_SIGNING_SECRET\n";
    return 2;
  }
  if (format != "text" && format != "keys") {
    std::cerr << "slack_ingest: --format is text or keys\n";
    return 2;
  }
  load.signing_secret = signing_secret;
  load.warmup = seconds_option(warmup);
  load.duration = seconds_option(duration);
  load.request_timeout = seconds_option(timeout);
  try {
    const LoadReport report = prik::bench::run_load(load);
    if (format == "keys") {
      print_keys(report, std::cout);
    } else {
      print_text(load, report, std::cout);
    }
  } catch (const std::exception& error) {
    std::cerr << "slack_ingest: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
