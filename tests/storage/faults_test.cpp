// Write and sync failures: the failing commit reports the error, the store turns read-only
// (fail-stop), and what was committed before survives a reopen.
#include <gtest/gtest.h>

#include <cerrno>
#include <future>

#include "storage/fault_file_system.hpp"
#include "storage/memory_file_system.hpp"
#include "storage/store.hpp"

namespace prik::storage {
namespace {

using Operation = FaultFileSystem::Operation;

Batch put(std::string key, std::string document) {
  Batch batch;
  batch.put("c", std::move(key), std::move(document));
  return batch;
}

class StoreFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Store::open({.dir = "/data", .file_system = &faults_}, &store_).ok());
    ASSERT_TRUE(store_->commit(put("before", "kept")).ok());
  }

  // The Nth next operation of this kind.
  std::uint64_t next(Operation operation) const { return faults_.count(operation) + 1; }

  void expect_fail_stop(const Status& failed) {
    EXPECT_EQ(failed.kind(), Status::Kind::io_error) << failed.to_string();
    EXPECT_EQ(store_->health().kind(), Status::Kind::io_error);
    EXPECT_EQ(store_->get("c", "before"), "kept");
    const std::uint64_t syncs = faults_.count(Operation::sync);
    const Status later = store_->commit(put("later", "refused"));
    EXPECT_EQ(later.kind(), Status::Kind::read_only) << later.to_string();
    EXPECT_NE(later.message().find(failed.message()), std::string::npos) << later.message();
    EXPECT_EQ(faults_.count(Operation::sync), syncs) << "a failed sync is never retried";
    EXPECT_EQ(store_->compact().kind(), Status::Kind::read_only);
  }

  // Fails the next operation of this kind with `error` while committing `document`: the commit
  // reports the error, writes stop, and a reopen after a power cut finds nothing of it.
  void expect_commit_to_fail(Operation operation, int error, std::string document,
                             std::string_view message) {
    faults_.fail_nth(operation, next(operation), error);
    const Status failed = store_->commit(put("failing", std::move(document)));
    EXPECT_NE(failed.message().find(message), std::string::npos) << failed.to_string();
    EXPECT_EQ(store_->get("c", "failing"), std::nullopt);
    expect_fail_stop(failed);
    auto store = reopen_after_power_cut();
    ASSERT_TRUE(store);
    EXPECT_EQ(store->get("c", "failing"), std::nullopt);
  }

  // Reopens from what is durable, as after a crash.
  std::unique_ptr<Store> reopen_after_power_cut() {
    store_.reset();
    memory_.power_cut();
    std::unique_ptr<Store> store;
    const Status status = Store::open({.dir = "/data", .file_system = &memory_}, &store);
    EXPECT_TRUE(status.ok()) << status.to_string();
    if (store) {
      EXPECT_EQ(store->get("c", "before"), "kept");
      EXPECT_EQ(store->get("c", "later"), std::nullopt);
      EXPECT_TRUE(store->commit(put("after", "reopened")).ok()) << "the store is writable again";
    }
    return store;
  }

  MemoryFileSystem memory_;
  FaultFileSystem faults_{&memory_};
  std::unique_ptr<Store> store_;
};

TEST_F(StoreFaults, NoSpaceOnJournalWriteFailsTheCommitAndStopsWrites) {
  expect_commit_to_fail(Operation::append, ENOSPC, "x", "No space left on device");
}

TEST_F(StoreFaults, IoErrorOnJournalSyncFailsTheCommitAndIsNeverRetried) {
  expect_commit_to_fail(Operation::sync, EIO, "x", "Input/output error");
}

TEST_F(StoreFaults, NoSpaceForTheJournalsZerosFailsTheCommitAndStopsWrites) {
  // The first commit's megabyte of zeros is too small for this batch: it needs zeros of its own.
  expect_commit_to_fail(Operation::reserve, ENOSPC, std::string(2u << 20, 'x'),
                        "No space left on device");
}

TEST_F(StoreFaults, FailingToCutTheZerosBeforeACompactionFailsItAndStopsWrites) {
  faults_.fail_nth(Operation::truncate, next(Operation::truncate), EIO);
  const Status failed = store_->compact();
  EXPECT_NE(failed.message().find("truncate"), std::string::npos) << failed.to_string();
  expect_fail_stop(failed);
  auto store = reopen_after_power_cut();
  ASSERT_TRUE(store);
}

TEST_F(StoreFaults, ShortWriteFailsTheCommitAndItsHalfRecordIsCutAtReopen) {
  faults_.short_write_nth(next(Operation::append));
  const Status failed = store_->commit(put("failing", std::string(300, 'x')));
  expect_fail_stop(failed);
  // No power cut this time: the half record is on disk and must be cut as a torn tail.
  store_.reset();
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::open({.dir = "/data", .file_system = &memory_}, &store).ok());
  EXPECT_EQ(store->get("c", "before"), "kept");
  EXPECT_EQ(store->get("c", "failing"), std::nullopt);
  ASSERT_TRUE(store->commit(put("after", "ok")).ok());
  store.reset();
  VerifyReport report;
  ASSERT_TRUE(Store::verify({.dir = "/data", .file_system = &memory_}, &report).ok());
  EXPECT_EQ(report.torn_tail_bytes, 0u);
  EXPECT_EQ(report.documents, 2u);
}

TEST_F(StoreFaults, RenameFailureDuringSnapshotKeepsThePreviousStateRecoverable) {
  Batch erase;
  erase.erase("c", "before");
  erase.put("c", "before", "kept");  // erase then put again: the latest op wins
  erase.put("c", "erased", "soon");
  ASSERT_TRUE(store_->commit(std::move(erase)).ok());
  Batch erase_again;
  erase_again.erase("c", "erased");
  ASSERT_TRUE(store_->commit(std::move(erase_again)).ok());
  faults_.fail_nth(Operation::rename, next(Operation::rename), EIO);
  const Status failed = store_->compact();
  expect_fail_stop(failed);
  auto store = reopen_after_power_cut();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->get("c", "erased"), std::nullopt);
}

TEST_F(StoreFaults, DirectorySyncFailureAfterSnapshotRenameKeepsStateRecoverable) {
  ASSERT_TRUE(store_->commit(put("second", "also kept")).ok());
  faults_.fail_nth(Operation::sync_dir, next(Operation::sync_dir), EIO);
  const Status failed = store_->compact();
  expect_fail_stop(failed);
  auto store = reopen_after_power_cut();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->get("c", "second"), "also kept");
}

TEST_F(StoreFaults, SnapshotWriteFailureKeepsStateRecoverable) {
  ASSERT_TRUE(store_->commit(put("second", "also kept")).ok());
  faults_.fail_nth(Operation::append, next(Operation::append), ENOSPC);
  const Status failed = store_->compact();
  expect_fail_stop(failed);
  auto store = reopen_after_power_cut();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->get("c", "second"), "also kept");
}

TEST_F(StoreFaults, EveryCommitOfAFailedGroupReportsTheError) {
  faults_.fail_nth(Operation::sync, next(Operation::sync), EIO);
  std::vector<std::promise<Status>> results(20);
  for (std::size_t i = 0; i < results.size(); ++i) {
    store_->commit_async(put("group" + std::to_string(i), "x"),
                         [&results, i](Status status) { results[i].set_value(status); });
  }
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_FALSE(results[i].get_future().get().ok()) << "commit " << i;
    EXPECT_EQ(store_->get("c", "group" + std::to_string(i)), std::nullopt);
  }
  EXPECT_FALSE(store_->health().ok());
  auto store = reopen_after_power_cut();
  ASSERT_TRUE(store);
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(store->get("c", "group" + std::to_string(i)), std::nullopt);
  }
}

}  // namespace
}  // namespace prik::storage
