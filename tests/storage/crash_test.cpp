// kill -9 at random moments: a child process commits numbered batches and reports each
// acknowledged number over a pipe; after each kill, every acknowledged batch must be there whole
// and no batch may be there in part. PRIK_CRASH_TRIALS=N runs N trials (default 100).
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include "storage/store.hpp"
#include "tests/storage/test_support.hpp"

namespace prik::storage {
namespace {

constexpr int batch_keys = 4;  // as in store_test_helper.cpp

int trials() {
  const char* text = std::getenv("PRIK_CRASH_TRIALS");
  return text ? std::atoi(text) : 100;
}

std::set<std::uint64_t> parse_numbers(const std::string& text) {
  std::set<std::uint64_t> numbers;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    numbers.insert(std::stoull(text.substr(start, end - start)));
  }
  return numbers;
}

// Reads what the child writes until the deadline (or its first complete line).
void read_until(testing::Helper& child, std::chrono::steady_clock::time_point deadline,
                std::string* output, bool stop_at_first_line = false) {
  char buffer[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd poll_fd{child.output_fd(), POLLIN, 0};
    if (::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t got = ::read(child.output_fd(), buffer, sizeof(buffer));
    if (got <= 0) return;
    output->append(buffer, static_cast<std::size_t>(got));
    if (stop_at_first_line && output->find('\n') != std::string::npos) return;
  }
}

TEST(Crash, KilledWriterLosesNoAcknowledgedBatchAndLeavesNoneInPart) {
  testing::TempDir dir;
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution uniform(0, 40);
  std::set<std::uint64_t> acknowledged;
  const int count = trials();
  for (int trial = 0; trial < count; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const std::uint64_t first = (trial + 1) * std::uint64_t{1'000'000};
    std::string output;
    {
      testing::Helper child({"commit", dir.path().string(), std::to_string(first), "4"});
      // Mostly kill while commits run; sometimes already during the open.
      const auto now = std::chrono::steady_clock::now();
      if (std::uniform_int_distribution(0, 9)(random) == 0) {
        read_until(child, now + std::chrono::milliseconds(uniform(random) / 2), &output);
      } else {
        read_until(child, now + std::chrono::seconds(10), &output, /*stop_at_first_line=*/true);
        read_until(child,
                   std::chrono::steady_clock::now() + std::chrono::milliseconds(uniform(random)),
                   &output);
      }
      ::kill(child.pid(), SIGKILL);
      output += child.read_all();
      child.wait();
    }
    const auto numbers = parse_numbers(output);
    acknowledged.insert(numbers.begin(), numbers.end());

    std::unique_ptr<Store> store;
    const Status status = Store::open({.dir = dir.path()}, &store);
    ASSERT_TRUE(status.ok()) << status.to_string();
    std::map<std::uint64_t, int> parts;
    store->scan("batches", "", [&](std::string_view key, std::string_view) {
      ++parts[std::stoull(std::string(key.substr(0, key.find('/'))))];
    });
    for (const auto& [number, found] : parts) {
      ASSERT_EQ(found, batch_keys) << "batch " << number << " partly applied";
    }
    for (const std::uint64_t number : acknowledged) {
      ASSERT_TRUE(parts.contains(number)) << "acknowledged batch " << number << " lost";
    }
  }
  RecordProperty("acknowledged_batches", static_cast<int>(acknowledged.size()));
  EXPECT_GT(acknowledged.size(), static_cast<std::size_t>(count)) << "kills came too early";
}

}  // namespace
}  // namespace prik::storage
