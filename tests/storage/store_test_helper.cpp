// Runs a store in a process of its own for the storage tests.
//
//   store_test_helper open DIR
//     Opens the store and prints the status ("ok" or the error); exits 0 when it opened.
//   store_test_helper commit DIR FIRST THREADS
//     Commits numbered batches from THREADS threads, numbers FIRST, FIRST+1, ...; each batch puts
//     batch_keys documents that must appear together. Prints each number on its own line once its
//     commit is acknowledged, and runs until it is killed.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "storage/store.hpp"

namespace {

constexpr int batch_keys = 4;

int open_store(const std::string& dir) {
  std::unique_ptr<prik::storage::Store> store;
  const auto status = prik::storage::Store::open({.dir = dir}, &store);
  std::printf("%s\n", status.ok() ? "ok" : status.to_string().c_str());
  return status.ok() ? 0 : 1;
}

int commit_forever(const std::string& dir, std::uint64_t first, int threads) {
  std::unique_ptr<prik::storage::Store> store;
  // A small journal limit, so kills also land in the middle of compactions.
  const auto status =
      prik::storage::Store::open({.dir = dir, .compact_journal_bytes = 48u << 10}, &store);
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.to_string().c_str());
    return 1;
  }
  std::atomic<std::uint64_t> next{first};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (;;) {
        const std::uint64_t number = next++;
        prik::storage::Batch batch;
        for (int k = 0; k < batch_keys; ++k) {
          batch.put("batches", std::to_string(number) + "/" + std::to_string(k),
                    R"({"batch":)" + std::to_string(number) + R"(,"part":)" + std::to_string(k) +
                        R"(,"padding":"................................................"})");
        }
        if (!store->commit(std::move(batch)).ok()) std::_Exit(2);
        // One write(2) per line: lines of the threads never interleave in the pipe.
        const std::string line = std::to_string(number) + "\n";
        if (::write(STDOUT_FILENO, line.data(), line.size()) < 0) std::_Exit(3);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // stdout carries the reports; the store's log goes to stderr.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("helper"));
  spdlog::set_level(spdlog::level::warn);
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 2 && args[0] == "open") return open_store(args[1]);
  if (args.size() == 4 && args[0] == "commit") {
    return commit_forever(args[1], std::stoull(args[2]), std::stoi(args[3]));
  }
  std::fprintf(stderr, "usage: store_test_helper open DIR | commit DIR FIRST THREADS\n");
  return 2;
}
