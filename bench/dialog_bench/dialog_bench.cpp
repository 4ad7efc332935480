// dialog_bench: durable turns per second through the bot core (engine + store with group commit)
// with many conversations under way at once, and the memory each conversation costs.
//
// Every conversation follows the same script of answers (menu, interview, results, browsing);
// all of their events are handed to the core at once, so the core has `conversations` people
// waiting at every moment. Each event carries an id, as Slack's and Matrix's do, so the dedupe
// record is part of the cost. A turn counts once its batch is durable and its replies delivered.
// The CPU time per turn is printed too: on a shared machine it is steadier than the rate.
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "bot/config.hpp"
#include "bot/heap.hpp"
#include "bot/runtime.hpp"
#include "dialogs/matching.hpp"
#include "storage/store.hpp"

namespace po = boost::program_options;
using namespace std::chrono_literals;

namespace {

// Resident memory of this process in bytes.
std::uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0;
  std::uint64_t resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

// User plus system CPU time of the whole process so far.
std::chrono::duration<double> cpu_time() {
  ::rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const ::timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
  };
  return std::chrono::duration<double>(seconds(usage.ru_utime) + seconds(usage.ru_stime));
}

// Delivers every message at once and counts them.
class CountingAdapter final : public prik::adapters::Adapter {
 public:
  std::string platform() const override { return "bench"; }
  void start(prik::adapters::IncomingSink&) override {}
  void stop() override {}
  void send(const prik::adapters::OutboxMessage&,
            std::function<void(prik::adapters::SendResult)> done) override {
    sent.fetch_add(1, std::memory_order_relaxed);
    done({});
  }
  std::atomic<std::uint64_t> sent{0};
};

struct Step {
  std::string text;
  std::string choice;
};

std::vector<Step> script(const prik::dialogs::Catalog& catalog, const std::string& campaign_id) {
  std::string interest = "interest.none";
  if (const auto* campaign = catalog.find_campaign(campaign_id);
      campaign && !campaign->interests.empty()) {
    interest = "interest." + campaign->interests.front().id;
  }
  return {{"", ""},         {"", "menu.find"},
          {"", interest},   {"", "interview.done"},
          {"", "hours.5"},  {"Jeg kan godt lide at snakke med folk og har styr på regnskaber", ""},
          {"", "nav.menu"}, {"", "menu.browse"},
          {"2", ""},        {"", "nav.menu"}};
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description options("dialog_bench options");
  options.add_options()("help,h", "show this help")  //
      ("config", po::value<std::string>()->default_value(PRIK_SOURCE_DIR "/config/prik.json"),
       "configuration (catalog, texts, campaign)")                                               //
      ("conversations", po::value<int>()->default_value(1000), "people talking at once")         //
      ("turns", po::value<int>()->default_value(20), "turns per conversation")                   //
      ("threads", po::value<int>()->default_value(2), "threads running the core")                //
      ("event-ids", po::value<bool>()->default_value(true), "give events ids (dedupe records)")  //
      ("dir", po::value<std::string>(), "data dir (default: a temporary one, removed after)");
  po::variables_map values;
  po::store(po::parse_command_line(argc, argv, options), values);
  po::notify(values);
  if (values.count("help")) {
    std::cout << options;
    return 0;
  }
  const int conversations = values["conversations"].as<int>();
  const int turns = values["turns"].as<int>();
  const bool event_ids = values["event-ids"].as<bool>();

  const auto loaded = prik::bot::load_config(values["config"].as<std::string>());
  if (!loaded.config) {
    for (const auto& problem : loaded.problems) std::cerr << problem << "\n";
    return 1;
  }
  const auto& config = *loaded.config;
  std::filesystem::path dir;
  bool temporary = !values.count("dir");
  if (temporary) {
    std::string pattern = (std::filesystem::temp_directory_path() / "dialog-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return 1;
    dir = pattern;
  } else {
    dir = values["dir"].as<std::string>();
  }

  int exit_code = 0;
  {
    std::unique_ptr<prik::storage::Store> store;
    if (const auto status = prik::storage::Store::open({.dir = dir}, &store); !status.ok()) {
      std::cerr << "cannot open " << dir << ": " << status.to_string() << "\n";
      return 1;
    }
    const prik::dialogs::Matcher matcher(config.catalog);
    CountingAdapter adapter;
    prik::bot::Runtime runtime(*store, config.catalog, config.texts, matcher,
                               {.campaign_id = config.settings.campaign,
                                .default_language = config.settings.language,
                                .threads = values["threads"].as<int>()});
    runtime.add_adapter(adapter);
    if (const auto status = runtime.start(); !status.ok()) {
      std::cerr << "cannot start: " << status.to_string() << "\n";
      return 1;
    }
    const auto steps = script(config.catalog, config.settings.campaign);
    const auto memory_before = resident_bytes();
    const auto started = std::chrono::steady_clock::now();
    // When the last event was recorded, in nanoseconds after `started`.
    std::atomic<std::int64_t> last_recorded{0};
    const auto cpu_started = cpu_time();
    for (int turn = 0; turn < turns; ++turn) {
      const auto& step = steps[static_cast<std::size_t>(turn) % steps.size()];
      for (int person = 0; person < conversations; ++person) {
        const std::string name = "person" + std::to_string(person);
        runtime.deliver({.user = "bench:" + name,
                         .conversation = name,
                         .text = step.text,
                         .choice_id = step.choice,
                         .event_id = event_ids ? name + "-" + std::to_string(turn) : "",
                         .display_name = name},
                        [&last_recorded, started](bool recorded) {
                          if (!recorded) std::cerr << "an event could not be recorded\n";
                          const auto after = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::steady_clock::now() - started);
                          std::int64_t known = last_recorded.load();
                          while (known < after.count() &&
                                 !last_recorded.compare_exchange_weak(known, after.count())) {
                          }
                        });
      }
    }
    if (!runtime.wait_until_idle(10min)) {
      std::cerr << "the core did not finish within 10 minutes\n";
      exit_code = 1;
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
    const auto cpu_used = cpu_time() - cpu_started;
    // Return what the queued events used, so that the difference is what stays.
    prik::bot::release_free_memory();
    const auto memory_after = resident_bytes();
    const auto stats = runtime.stats();
    const auto store_stats = store->stats();
    runtime.stop(1s);

    std::cout << "conversations:        " << conversations << "\n"
              << "turns:                " << stats.turns << " in " << elapsed.count() << " s\n"
              << "durable turns/second: " << static_cast<double>(stats.turns) / elapsed.count()
              << "\n"
              << "all events recorded:  after " << static_cast<double>(last_recorded.load()) / 1e9
              << " s\n"
              << "CPU per turn:         "
              << cpu_used.count() * 1e6 /
                     static_cast<double>(std::max<std::uint64_t>(stats.turns, 1))
              << " us (" << cpu_used.count() << " s on all threads)\n"
              << "replies delivered:    " << adapter.sent.load() << "\n"
              << "store commits:        " << store_stats.commits << " in " << store_stats.syncs
              << " syncs ("
              << static_cast<double>(store_stats.commits) /
                     static_cast<double>(std::max<std::uint64_t>(store_stats.syncs, 1))
              << " commits per sync)\n"
              << "memory/conversation:  "
              << static_cast<double>(memory_after - std::min(memory_after, memory_before)) /
                     conversations / 1024.0
              << " KiB (RSS " << memory_before / (1024 * 1024) << " MiB -> "
              << memory_after / (1024 * 1024) << " MiB)\n";
  }
  if (temporary) std::filesystem::remove_all(dir);
  return exit_code;
}
