// store_bench: durable commits per second of the store against SQLite, and recovery time and peak
// memory for a large data dir. Run it on a real disk (not tmpfs): the figures are bound by the
// disk's sync latency.
//
//   store_bench [--dir DIR] [--seconds N] [--documents N]
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "storage/store.hpp"

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

namespace {

// About 200 bytes of JSON, like a volunteer's conversation state.
std::string document(int thread, std::uint64_t number) {
  std::string text = R"({"user":"slack:T0123:U)" + std::to_string(thread) +
                     R"(","step":"ask_area",)" + R"("n":)" + std::to_string(number) +
                     R"(,"answers":{"areas":["Norrebro",)" +
                     R"("Vesterbro"],"hours":4},"language":"da","pad":")";
  text.append(200 - std::min<std::size_t>(text.size(), 198), 'x');
  text += "\"}";
  return text;
}

// Runs body(thread, i) from threads threads until seconds have passed; returns operations/s.
template <typename Body>
double run_for(int threads, double seconds, Body body) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> done{0};
  std::vector<std::thread> workers;
  const auto started = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::uint64_t local = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (!body(t, local)) std::exit(1);
        ++local;
      }
      done += local;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& worker : workers) worker.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  return static_cast<double>(done.load()) / elapsed;
}

double store_commits_per_second(const std::filesystem::path& dir, int threads, double seconds) {
  std::filesystem::remove_all(dir);
  std::unique_ptr<prik::storage::Store> store;
  if (const auto status = prik::storage::Store::open({.dir = dir}, &store); !status.ok()) {
    std::cerr << status.to_string() << "\n";
    std::exit(1);
  }
  return run_for(threads, seconds, [&](int t, std::uint64_t i) {
    prik::storage::Batch batch;
    batch.put("conversations", std::to_string(t) + "/" + std::to_string(i), document(t, i));
    return store->commit(std::move(batch)).ok();
  });
}

bool sqlite_ok(int code, sqlite3* db) {
  if (code == SQLITE_OK || code == SQLITE_DONE || code == SQLITE_ROW) return true;
  std::cerr << "sqlite: " << sqlite3_errmsg(db) << "\n";
  return false;
}

double sqlite_commits_per_second(const std::filesystem::path& dir, int threads, double seconds) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "bench.sqlite").string();
  std::vector<sqlite3*> connections(threads);
  std::vector<sqlite3_stmt*> inserts(threads);
  for (int t = 0; t < threads; ++t) {
    sqlite3*& db = connections[t];
    if (!sqlite_ok(sqlite3_open(file.c_str(), &db), db)) std::exit(1);
    sqlite3_busy_timeout(db, 60'000);
    const char* setup =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
        "CREATE TABLE IF NOT EXISTS documents (collection TEXT, key TEXT, document TEXT,"
        " PRIMARY KEY (collection, key));";
    if (!sqlite_ok(sqlite3_exec(db, setup, nullptr, nullptr, nullptr), db)) std::exit(1);
    const char* insert = "INSERT OR REPLACE INTO documents VALUES ('conversations', ?, ?)";
    if (!sqlite_ok(sqlite3_prepare_v2(db, insert, -1, &inserts[t], nullptr), db)) std::exit(1);
  }
  const double rate = run_for(threads, seconds, [&](int t, std::uint64_t i) {
    sqlite3* db = connections[t];
    sqlite3_stmt* insert = inserts[t];
    const std::string key = std::to_string(t) + "/" + std::to_string(i);
    const std::string doc = document(t, i);
    if (!sqlite_ok(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db)) {
      return false;
    }
    sqlite3_bind_text(insert, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert, 2, doc.data(), static_cast<int>(doc.size()), SQLITE_STATIC);
    const bool inserted = sqlite_ok(sqlite3_step(insert), db);
    sqlite3_reset(insert);
    return inserted && sqlite_ok(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db);
  });
  for (int t = 0; t < threads; ++t) {
    sqlite3_finalize(inserts[t]);
    sqlite3_close(connections[t]);
  }
  return rate;
}

// Opens the store in this process and prints "seconds cpu_seconds peak_rss_kib documents".
int recover_only(const std::filesystem::path& dir) {
  const auto started = Clock::now();
  std::unique_ptr<prik::storage::Store> store;
  if (const auto status = prik::storage::Store::open({.dir = dir}, &store); !status.ok()) {
    std::cerr << status.to_string() << "\n";
    return 1;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::printf("%.3f %.3f %ld %llu\n", seconds, cpu, usage.ru_maxrss,
              static_cast<unsigned long long>(store->stats().documents));
  return 0;
}

// Measures recovery in a fresh process, so that its peak memory is recovery's alone.
void measure_recovery(const std::filesystem::path& dir, const char* what) {
  // popen runs a shell, so /proc/self/exe must be resolved here.
  const std::string command =
      std::filesystem::read_symlink("/proc/self/exe").string() + " --recover-only " + dir.string();
  FILE* pipe = ::popen(command.c_str(), "r");
  double seconds = 0;
  double cpu = 0;
  long rss_kib = 0;
  unsigned long long documents = 0;
  if (pipe == nullptr ||
      std::fscanf(pipe, "%lf %lf %ld %llu", &seconds, &cpu, &rss_kib, &documents) != 4) {
    std::cerr << "recovery run failed\n";
    std::exit(1);
  }
  ::pclose(pipe);
  std::printf("recovery from %-18s %8llu documents: %6.3f s (CPU %.3f s), peak RSS %6.1f MiB\n",
              what, documents, seconds, cpu, static_cast<double>(rss_kib) / 1024.0);
}

void fill(const std::filesystem::path& dir, std::uint64_t documents) {
  std::filesystem::remove_all(dir);
  std::unique_ptr<prik::storage::Store> store;
  if (!prik::storage::Store::open({.dir = dir, .compact_journal_bytes = 0}, &store).ok()) {
    std::exit(1);
  }
  constexpr std::uint64_t per_batch = 1000;
  for (std::uint64_t first = 0; first < documents; first += per_batch) {
    prik::storage::Batch batch;
    for (std::uint64_t i = first; i < std::min(documents, first + per_batch); ++i) {
      batch.put("conversations", "slack:T0123:U" + std::to_string(i),
                document(static_cast<int>(i % 64), i));
    }
    if (!store->commit(std::move(batch)).ok()) std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // stdout carries the figures (and the recovery child's answer); the store logs to stderr.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("bench"));
  spdlog::set_level(spdlog::level::warn);
  po::options_description options("store_bench options");
  options.add_options()("help,h", "show this help")  //
      ("dir", po::value<std::string>(),
       "where to make the scratch directory, on a real disk (default: /tmp)")              //
      ("seconds", po::value<double>()->default_value(3.0), "duration of each commit run")  //
      ("documents", po::value<std::uint64_t>()->default_value(1'000'000),
       "documents for the recovery run")  //
      ("recover-only", po::value<std::string>(), "internal: time one open of DIR");
  po::variables_map values;
  try {
    po::store(po::parse_command_line(argc, argv, options), values);
    po::notify(values);
  } catch (const po::error& error) {
    std::cerr << error.what() << "\n" << options;
    return 2;
  }
  if (values.count("help")) {
    std::cout << options;
    return 0;
  }
  if (values.count("recover-only")) return recover_only(values["recover-only"].as<std::string>());

  std::string pattern = values.count("dir") ? values["dir"].as<std::string>() : "/tmp";
  pattern += "/store-bench-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::filesystem::path dir = pattern;
  const double seconds = values["seconds"].as<double>();
  std::printf("durable commits per second (one ~200-byte put per commit, %.0f s per run), in %s\n",
              seconds, dir.c_str());
  std::printf("%8s %14s %14s %8s\n", "threads", "prik store", "SQLite WAL", "ratio");
  for (const int threads : {1, 8, 64}) {
    const double store_rate = store_commits_per_second(dir / "store", threads, seconds);
    const double sqlite_rate = sqlite_commits_per_second(dir / "sqlite", threads, seconds);
    std::printf("%8d %14.0f %14.0f %7.1fx\n", threads, store_rate, sqlite_rate,
                store_rate / sqlite_rate);
    std::fflush(stdout);
  }

  const auto documents = values["documents"].as<std::uint64_t>();
  fill(dir / "recovery", documents);
  measure_recovery(dir / "recovery", "the journal alone");
  {
    std::unique_ptr<prik::storage::Store> store;
    if (!prik::storage::Store::open({.dir = dir / "recovery"}, &store).ok() ||
        !store->compact().ok()) {
      return 1;
    }
  }
  measure_recovery(dir / "recovery", "a snapshot");
  std::filesystem::remove_all(dir);
  return 0;
}
