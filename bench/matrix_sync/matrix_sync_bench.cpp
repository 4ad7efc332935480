// matrix_sync_bench: Matrix events per second end to end. A loopback homeserver (the tests' fake,
// real HTTP) holds `rooms` DMs with `messages` new messages each, as after a stretch of downtime;
// Prik -- the Matrix adapter over HTTP, the bot core (bot::Runtime) with a real store in a
// temporary directory and durable group commits -- syncs them, runs a turn for every message and
// sends every reply back (PUT send with the outbox id as txnId). The clock runs from the first
// /sync to the moment the last reply is acknowledged and the core is idle.
//
// With --timeline-limit below --messages, every room's timeline is limited and the gap is paged
// back with GET /messages. CPU time is printed per event, for the whole process and for Prik
// alone (without the fake homeserver's thread): on a shared machine it is steadier than the rate.
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include <boost/asio/post.hpp>
#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "adapters/matrix/matrix_adapter.hpp"
#include "bot/config.hpp"
#include "bot/platforms.hpp"
#include "bot/runtime.hpp"
#include "dialogs/matching.hpp"
#include "storage/store.hpp"
#include "tests/http/io_thread.hpp"
#include "tests/matrix/fake_homeserver.hpp"

namespace po = boost::program_options;
using namespace std::chrono_literals;

namespace {

const std::string kBot = "@prik:bench.example";
const std::string kToken = "syt_bench_token";

// User plus system CPU time of the whole process so far.
double process_cpu_seconds() {
  ::rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const ::timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// CPU time of one thread so far.
double thread_cpu_seconds(::clockid_t clock) {
  ::timespec time{};
  ::clock_gettime(clock, &time);
  return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_nsec) / 1e9;
}

// What volunteers write: a greeting, menu numbers, a few words; every one is a turn.
std::string message_text(int index) {
  static const std::vector<std::string> texts = {
      "hej", "1", "Jeg vil gerne hjælpe med plakater i Valby", "2", "hjælp", "menu"};
  return texts[static_cast<std::size_t>(index) % texts.size()];
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description options("matrix_sync_bench options");
  options.add_options()("help,h", "show this help")  //
      ("config", po::value<std::string>()->default_value(PRIK_SOURCE_DIR "/config/prik.json"),
       "configuration (catalog, texts, campaign)")                               //
      ("rooms", po::value<int>()->default_value(1000), "DMs with new messages")  //
      ("messages", po::value<int>()->default_value(10), "new messages per DM")   //
      ("timeline-limit", po::value<int>()->default_value(0),
       "the homeserver's cap on timeline events per room and sync (0: the filter's 50)")  //
      ("threads", po::value<int>()->default_value(2), "threads running the bot core");
  po::variables_map values;
  po::store(po::parse_command_line(argc, argv, options), values);
  po::notify(values);
  if (values.count("help")) {
    std::cout << options;
    return 0;
  }
  const int rooms = values["rooms"].as<int>();
  const int messages = values["messages"].as<int>();
  const int timeline_limit = values["timeline-limit"].as<int>();
  const int threads = values["threads"].as<int>();
  const std::uint64_t events = static_cast<std::uint64_t>(rooms) * messages;

  const auto loaded = prik::bot::load_config(values["config"].as<std::string>());
  if (!loaded.config) {
    for (const auto& problem : loaded.problems) std::cerr << problem << "\n";
    return 1;
  }
  const auto& config = *loaded.config;
  std::string pattern = (std::filesystem::temp_directory_path() / "matrix-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return 1;
  const std::filesystem::path dir = pattern;
  spdlog::set_level(spdlog::level::warn);

  int exit_code = 0;
  {
    // The homeserver on a thread of its own, so that its CPU time can be told apart.
    prik::tests::IoThread homeserver_io;
    std::promise<::clockid_t> clock_promise;
    boost::asio::post(homeserver_io.io, [&clock_promise] {
      ::clockid_t clock{};
      ::pthread_getcpuclockid(::pthread_self(), &clock);
      clock_promise.set_value(clock);
    });
    const ::clockid_t homeserver_clock = clock_promise.get_future().get();
    prik::tests::FakeHomeserver homeserver(homeserver_io.io, kBot, kToken);
    homeserver.set_timeline_limit(timeline_limit);
    homeserver.set_long_poll(1s);

    std::vector<std::string> room_ids;
    for (int r = 0; r < rooms; ++r) {
      room_ids.push_back("!dm" + std::to_string(r) + ":bench.example");
      homeserver.add_joined_room(room_ids.back(),
                                 {{"@volunteer" + std::to_string(r) + ":bench.example",
                                   "Frivillig " + std::to_string(r)}});
    }
    // Prik has synced up to here; what follows arrived while it was away.
    const std::string since = homeserver.position();
    for (int r = 0; r < rooms; ++r) {
      std::vector<std::string> texts;
      for (int m = 0; m < messages; ++m) texts.push_back(message_text(m));
      homeserver.post_texts(room_ids[static_cast<std::size_t>(r)],
                            "@volunteer" + std::to_string(r) + ":bench.example", texts);
    }

    std::unique_ptr<prik::storage::Store> store;
    if (const auto status = prik::storage::Store::open({.dir = dir}, &store); !status.ok()) {
      std::cerr << "cannot open " << dir << ": " << status.to_string() << "\n";
      return 1;
    }
    prik::bot::StoreSyncTokens tokens(*store);
    std::promise<bool> saved;
    tokens.save(since, [&saved](bool ok) { saved.set_value(ok); });
    if (!saved.get_future().get()) return 1;

    prik::tests::IoThread network;
    const prik::dialogs::Matcher matcher(config.catalog);
    prik::bot::Runtime runtime(*store, config.catalog, config.texts, matcher,
                               {.campaign_id = config.settings.campaign,
                                .default_language = config.settings.language,
                                .threads = threads});
    auto adapter = prik::adapters::matrix::MatrixAdapter::create(
        network.io, {.homeserver_url = homeserver.url(), .user_id = kBot, .access_token = kToken},
        tokens);
    if (!adapter) {
      std::cerr << "cannot create the adapter: " << adapter.error().to_string() << "\n";
      return 1;
    }
    runtime.add_adapter(**adapter);

    const double cpu_started = process_cpu_seconds();
    const double homeserver_cpu_started = thread_cpu_seconds(homeserver_clock);
    const auto started = std::chrono::steady_clock::now();
    if (const auto status = runtime.start(); !status.ok()) {
      std::cerr << "cannot start: " << status.to_string() << "\n";
      return 1;
    }
    const auto deadline = started + 10min;
    while (runtime.stats().events + runtime.stats().duplicates < events &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
    if (!runtime.wait_until_idle(std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()))) {
      std::cerr << "Prik did not finish within 10 minutes\n";
      exit_code = 1;
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
    const double cpu = process_cpu_seconds() - cpu_started;
    const double homeserver_cpu = thread_cpu_seconds(homeserver_clock) - homeserver_cpu_started;
    const auto stats = runtime.stats();
    const auto store_stats = store->stats();
    const auto sent = homeserver.sent_count();
    const auto syncs = homeserver.calls(prik::tests::FakeHomeserver::Endpoint::sync);
    const auto pages = homeserver.calls(prik::tests::FakeHomeserver::Endpoint::messages);
    runtime.stop(1s);

    const double seconds = elapsed.count();
    const double per_event = 1e6 / static_cast<double>(std::max<std::uint64_t>(stats.events, 1));
    std::cout << "matrix_sync_bench: " << rooms << " DMs x " << messages
              << " messages, timeline limit "
              << (timeline_limit > 0 ? std::to_string(timeline_limit) : std::string("50"))
              << ", core threads " << threads << ", Release store with group commit in " << dir
              << "\n"
              << "  events:        " << stats.events << " recorded, " << stats.turns << " turns, "
              << stats.duplicates << " duplicates\n"
              << "  replies:       " << stats.delivered << " delivered (" << sent
              << " in the homeserver), " << stats.retries << " retries, " << stats.dropped
              << " dropped\n"
              << "  homeserver:    " << syncs << " /sync, " << pages << " /messages pages\n"
              << "  store:         " << store_stats.commits << " commits in " << store_stats.syncs
              << " syncs\n"
              << "  wall:          " << seconds << " s from the first /sync to the last reply\n"
              << "  events/s:      " << static_cast<double>(stats.events) / seconds
              << " (replies/s " << static_cast<double>(stats.delivered) / seconds << ")\n"
              << "  CPU per event: " << cpu * per_event << " us in the process, "
              << (cpu - homeserver_cpu) * per_event << " us without the homeserver (" << cpu
              << " s, homeserver " << homeserver_cpu << " s)\n";
    if (stats.events != events || stats.delivered == 0) exit_code = 1;
  }
  std::filesystem::remove_all(dir);
  return exit_code;
}
