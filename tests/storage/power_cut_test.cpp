// A power cut after every single file operation of a reference workload (commits, erases, a
// compaction): nothing acknowledged is lost, no batch is partly applied, erased data never returns.
#include <gtest/gtest.h>

#include "storage/fault_file_system.hpp"
#include "storage/memory_file_system.hpp"
#include "storage/store.hpp"
#include "tests/storage/test_support.hpp"

namespace prik::storage {
namespace {

constexpr int batches = 9;
constexpr int secret_batch = 2;   // also puts the secret
constexpr int erase_batch = 5;    // also erases the secret
constexpr int compact_after = 6;  // compaction once this batch is acknowledged
const std::string secret = "SECRET-do-not-resurrect-7f3a";

struct Acknowledged {
  int batches = 0;
  bool compaction = false;
};

Batch numbered_batch(int number) {
  Batch batch;
  for (int part = 0; part < 3; ++part) {
    batch.put("work", std::to_string(number) + "/" + std::to_string(part),
              R"({"batch":)" + std::to_string(number) + "}");
  }
  if (number == secret_batch) batch.put("people", "anna", R"({"note":")" + secret + R"("})");
  if (number == erase_batch) batch.erase("people", "anna");
  return batch;
}

// Runs the workload until the first failure, recording what was acknowledged.
void run_workload(FileSystem* file_system, Acknowledged* acknowledged) {
  std::unique_ptr<Store> store;
  if (!Store::open({.dir = "/data", .file_system = file_system, .compact_journal_bytes = 0}, &store)
           .ok()) {
    return;
  }
  for (int number = 1; number <= batches; ++number) {
    if (!store->commit(numbered_batch(number)).ok()) return;
    acknowledged->batches = number;
    if (number == compact_after) {
      if (!store->compact().ok()) return;
      acknowledged->compaction = true;
    }
  }
}

// Checks the recovered store against what was acknowledged before the cut after operation k.
void check_recovery(MemoryFileSystem* memory, const Acknowledged& acknowledged, std::uint64_t k) {
  SCOPED_TRACE("power cut after operation " + std::to_string(k));
  std::unique_ptr<Store> store;
  const Status status = Store::open({.dir = "/data", .file_system = memory}, &store);
  ASSERT_TRUE(status.ok()) << status.to_string();
  int present = 0;
  for (int number = 1; number <= batches; ++number) {
    int parts = 0;
    for (int part = 0; part < 3; ++part) {
      if (store->get("work", std::to_string(number) + "/" + std::to_string(part))) ++parts;
    }
    ASSERT_TRUE(parts == 0 || parts == 3) << "batch " << number << " partly applied";
    if (parts == 3) {
      ASSERT_EQ(present, number - 1) << "batch " << number << " without its predecessors";
      present = number;
    }
  }
  EXPECT_GE(present, acknowledged.batches) << "an acknowledged batch was lost";
  EXPECT_LE(present, acknowledged.batches + 1);
  const bool secret_expected = present >= secret_batch && present < erase_batch;
  EXPECT_EQ(store->get("people", "anna").has_value(), secret_expected);
  if (acknowledged.compaction) {
    for (const auto& [name, bytes] : testing::read_all_files(memory, "/data")) {
      EXPECT_EQ(bytes.find(secret), std::string::npos) << name << " holds erased bytes";
    }
  }
  Batch after;
  after.put("work", "after", "{}");
  EXPECT_TRUE(store->commit(std::move(after)).ok()) << "the recovered store takes commits";
}

TEST(PowerCut, AfterEveryOperationOfTheWorkloadRecoveryKeepsAllInvariants) {
  std::uint64_t total = 0;
  {
    MemoryFileSystem memory;
    FaultFileSystem counter(&memory);
    Acknowledged acknowledged;
    run_workload(&counter, &acknowledged);
    ASSERT_EQ(acknowledged.batches, batches);
    ASSERT_TRUE(acknowledged.compaction);
    total = counter.operations();
  }
  ASSERT_GT(total, 20u);
  for (std::uint64_t k = 0; k <= total; ++k) {
    MemoryFileSystem memory;
    FaultFileSystem faults(&memory);
    faults.cut_power_after(k);
    Acknowledged acknowledged;
    run_workload(&faults, &acknowledged);
    memory.power_cut();
    check_recovery(&memory, acknowledged, k);
    // Recovery's own repairs must survive a second cut too.
    memory.power_cut();
    check_recovery(&memory, acknowledged, k);
  }
}

}  // namespace
}  // namespace prik::storage
